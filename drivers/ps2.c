/* i8042 controller. Every wait is bounded by the TSC, so a missing
 * controller or device costs at most a few hundred milliseconds and a log
 * line. Locking: set-up runs once at boot, before the IRQs are routed;
 * afterwards ps2_lock (a spinlock, interrupts off) covers the controller's
 * ports and everything the byte handlers touch (kbd.c's decoder and LED
 * state machine, mouse.c's packet), since IRQ 1 and IRQ 12 may reach two
 * CPUs at once and each handler drains both devices' bytes. */
#include <cosmos/errno.h>
#include <drivers/kbd.h>
#include <drivers/mouse.h>
#include <drivers/ps2.h>
#include <hal/cpu.h>
#include <hal/irq.h>
#include <hal/tsc.h>
#include <kernel/log.h>
#include <kernel/sync/spinlock.h>

#define PS2_DATA   0x60
#define PS2_STATUS 0x64
#define PS2_CMD    0x64

#define ST_OUT_FULL 0x01
#define ST_IN_FULL  0x02
#define ST_AUX_DATA 0x20

#define CFG_IRQ1      0x01
#define CFG_IRQ12     0x02
#define CFG_KBD_CLOCK_OFF 0x10
#define CFG_AUX_CLOCK_OFF 0x20
#define CFG_TRANSLATE 0x40

#define TIMEOUT_MS 50

static bool port_ok[2];
static bool translated;
static struct spinlock ps2_lock = SPINLOCK_INIT("ps2");

static uint64_t deadline_after(unsigned ms)
{
	uint64_t hz = tsc_hz() ? tsc_hz() : 3000000000ULL;

	return rdtsc() + hz / 1000 * ms;
}

static int wait_status(uint8_t mask, bool set, unsigned ms)
{
	uint64_t end = deadline_after(ms);

	do {
		uint8_t st = inb(PS2_STATUS);

		if (!!(st & mask) == set)
			return 0;
		cpu_pause();
	} while (rdtsc() < end);
	return -ETIMEDOUT;
}

static int ctrl_cmd(uint8_t cmd)
{
	if (wait_status(ST_IN_FULL, false, TIMEOUT_MS))
		return -ETIMEDOUT;
	outb(PS2_CMD, cmd);
	return 0;
}

static int ctrl_write_data(uint8_t v)
{
	if (wait_status(ST_IN_FULL, false, TIMEOUT_MS))
		return -ETIMEDOUT;
	outb(PS2_DATA, v);
	return 0;
}

int ps2_recv(uint8_t *byte, unsigned timeout_ms)
{
	if (wait_status(ST_OUT_FULL, true, timeout_ms))
		return -ETIMEDOUT;
	*byte = inb(PS2_DATA);
	return 0;
}

static int ctrl_query(uint8_t cmd, uint8_t *out)
{
	int err = ctrl_cmd(cmd);

	return err ? err : ps2_recv(out, TIMEOUT_MS);
}

static void flush(void)
{
	for (int i = 0; i < 32 && (inb(PS2_STATUS) & ST_OUT_FULL); i++)
		(void)inb(PS2_DATA);
}

int ps2_send(int port, uint8_t byte)
{
	int err = 0;

	if (port == PS2_AUX)
		err = ctrl_cmd(0xd4);   /* next data byte goes to the mouse */
	return err ? err : ctrl_write_data(byte);
}

int ps2_send_async(int port, uint8_t byte)
{
	/* short bound: this runs in an interrupt handler, under ps2_lock */
	if (port == PS2_AUX) {
		if (wait_status(ST_IN_FULL, false, 2))
			return -ETIMEDOUT;
		outb(PS2_CMD, 0xd4);
	}
	if (wait_status(ST_IN_FULL, false, 2))
		return -ETIMEDOUT;
	outb(PS2_DATA, byte);
	return 0;
}

static int send_acked(int port, uint8_t byte, unsigned ms)
{
	for (int tries = 0; tries < 3; tries++) {
		uint8_t r;
		int err = ps2_send(port, byte);

		if (err)
			return err;
		do {
			err = ps2_recv(&r, ms);
		} while (!err && r != 0xfa && r != 0xfe && r != 0xfc);
		if (err)
			return err;
		if (r == 0xfa)
			return 0;
		if (r == 0xfc)
			return -EIO;
	}
	return -EIO;                    /* resend asked for three times */
}

int ps2_command(int port, uint8_t cmd, int arg, uint8_t *resp, int nresp, unsigned timeout_ms)
{
	int err = send_acked(port, cmd, timeout_ms);

	if (!err && arg >= 0)
		err = send_acked(port, (uint8_t)arg, timeout_ms);
	for (int i = 0; !err && i < nresp; i++)
		err = ps2_recv(&resp[i], timeout_ms);
	return err;
}

bool ps2_port_ok(int port)
{
	return port >= 0 && port < 2 && port_ok[port];
}

/* Both IRQs read from the one output buffer; the status says whose byte it
 * is, so either handler drains everything waiting. The lock keeps the
 * status read and the data read together and hands each device its bytes
 * in order when both IRQs run at once on two CPUs. */
static void ps2_irq(void *ctx)
{
	uint64_t f = spin_lock_irqsave(&ps2_lock);

	(void)ctx;
	for (int i = 0; i < 16; i++) {
		uint8_t st = inb(PS2_STATUS), b;

		if (!(st & ST_OUT_FULL))
			break;
		b = inb(PS2_DATA);
		if (st & ST_AUX_DATA)
			mouse_byte(b);
		else
			kbd_byte(b);
	}
	spin_unlock_irqrestore(&ps2_lock, f);
}

static int controller_setup(uint8_t *cfg_out, bool *dual, bool raw_set2)
{
	uint8_t cfg, r;
	int err;

	/* a missing controller floats the status port to all ones */
	if (inb(PS2_STATUS) == 0xff)
		return -ENODEV;
	if ((err = ctrl_cmd(0xad)) || (err = ctrl_cmd(0xa7)))
		return err;
	flush();
	if ((err = ctrl_query(0x20, &cfg)))
		return err;
	if (raw_set2)
		cfg &= (uint8_t)~CFG_TRANSLATE;
	translated = cfg & CFG_TRANSLATE;
	cfg &= (uint8_t)~(CFG_IRQ1 | CFG_IRQ12);
	if ((err = ctrl_cmd(0x60)) || (err = ctrl_write_data(cfg)))
		return err;
	if ((err = ctrl_query(0xaa, &r)))
		return err;
	if (r != 0x55) {
		log_err("ps2: controller self-test failed (%#x)", r);
		return -EIO;
	}
	/* the self-test may reset the configuration on some controllers */
	if ((err = ctrl_cmd(0x60)) || (err = ctrl_write_data(cfg)))
		return err;
	/* two channels if enabling port 2 clears its clock-off bit */
	*dual = false;
	if (cfg & CFG_AUX_CLOCK_OFF) {
		if ((err = ctrl_cmd(0xa8)) || (err = ctrl_query(0x20, &r)))
			return err;
		*dual = !(r & CFG_AUX_CLOCK_OFF);
		if ((err = ctrl_cmd(0xa7)))
			return err;
	} else {
		*dual = true;
	}
	if (ctrl_query(0xab, &r) == 0 && r == 0)
		port_ok[PS2_KBD] = true;
	else
		log_warn("ps2: keyboard port test failed (%#x)", r);
	if (*dual) {
		if (ctrl_query(0xa9, &r) == 0 && r == 0)
			port_ok[PS2_AUX] = true;
		else
			log_warn("ps2: mouse port test failed (%#x)", r);
	}
	*cfg_out = cfg;
	return 0;
}

int ps2_init(bool raw_set2)
{
	uint8_t cfg = 0;
	bool dual = false;
	int err = controller_setup(&cfg, &dual, raw_set2);

	if (err) {
		log_warn("ps2: no usable i8042 controller (%d)", err);
		return err;
	}
	if (port_ok[PS2_KBD] && ctrl_cmd(0xae) == 0) {
		cfg &= (uint8_t)~CFG_KBD_CLOCK_OFF;
		err = kbd_init(translated);
		if (err) {
			log_warn("ps2: no keyboard (%d)", err);
			port_ok[PS2_KBD] = false;
		}
	}
	if (port_ok[PS2_AUX] && ctrl_cmd(0xa8) == 0) {
		cfg &= (uint8_t)~CFG_AUX_CLOCK_OFF;
		err = mouse_init();
		if (err) {
			log_warn("ps2: no mouse (%d)", err);
			port_ok[PS2_AUX] = false;
		}
	}
	flush();
	if (port_ok[PS2_KBD] && irq_request_legacy(1, ps2_irq, NULL) >= 0)
		cfg |= CFG_IRQ1;
	if (port_ok[PS2_AUX] && irq_request_legacy(12, ps2_irq, NULL) >= 0)
		cfg |= CFG_IRQ12;
	if ((err = ctrl_cmd(0x60)) || (err = ctrl_write_data(cfg)))
		return err;
	log_info("ps2: i8042 %s channel, config %#x, keyboard %s, mouse %s", dual ? "dual" : "single", cfg,
		 port_ok[PS2_KBD] ? (translated ? "on (set 2 translated to set 1)" :
				    kbd_scancode_set() == 2 ? "on (set 2)" : "on (set 1)") : "absent",
		 port_ok[PS2_AUX] ? (mouse_has_wheel() ? "on (wheel)" : "on") : "absent");
	return 0;
}
