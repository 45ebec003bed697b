/* The virtio PCI transport. Modern structures are found through vendor
 * capabilities whose BAR, offset and length are checked against the BAR
 * before mapping; legacy devices are driven through the I/O BAR registers. */
#include <drivers/virtio/virtio_pci.h>
#include <cosmos/errno.h>
#include <hal/cpu.h>
#include <hal/dma.h>
#include <hal/mmio.h>
#include <hal/pci_cfg.h>
#include <kernel/log.h>

/* vendor capability (virtio 1.x 4.1.4) */
#define CAP_CFG_TYPE 3
#define CAP_BAR      4
#define CAP_OFFSET   8
#define CAP_LENGTH   12
#define CAP_NOTIFY_MUL 16
enum { CFG_COMMON = 1, CFG_NOTIFY = 2, CFG_ISR = 3, CFG_DEVICE = 4 };

/* common configuration structure */
#define COM_DFSELECT   0x00
#define COM_DF         0x04
#define COM_GFSELECT   0x08
#define COM_GF         0x0c
#define COM_MSIX       0x10
#define COM_NUMQ       0x12
#define COM_STATUS     0x14
#define COM_QSELECT    0x16
#define COM_QSIZE      0x18
#define COM_QMSIX      0x1a
#define COM_QENABLE    0x1c
#define COM_QNOFF      0x1e
#define COM_QDESC      0x20
#define COM_QDRIVER    0x28
#define COM_QDEVICE    0x30
#define COM_LEN        0x38

/* legacy I/O registers (virtio 0.9.5 / 1.x 4.1.4.8) */
#define LEG_HOST_FEATURES  0x00
#define LEG_GUEST_FEATURES 0x04
#define LEG_QUEUE_PFN      0x08
#define LEG_QUEUE_SIZE     0x0c
#define LEG_QUEUE_SELECT   0x0e
#define LEG_QUEUE_NOTIFY   0x10
#define LEG_STATUS         0x12
#define LEG_ISR            0x13
#define LEG_CONFIG_VECTOR  0x14
#define LEG_QUEUE_VECTOR   0x16
#define LEG_DEVCFG         0x14   /* + 4 while MSI-X is on */
#define LEG_IO_MIN         0x18

#define RESET_TIMEOUT_SPINS 1000000

static uint8_t cfg8(struct pci_dev *d, unsigned off) { return pci_cfg_read8(d->bus, d->dev, d->fn, (uint16_t)off); }
static uint32_t cfg32(struct pci_dev *d, unsigned off) { return pci_cfg_read32(d->bus, d->dev, d->fn, (uint16_t)off); }

static volatile uint8_t *com8(struct virtio_dev *v, unsigned off) { return v->common + off; }
static volatile uint16_t *com16(struct virtio_dev *v, unsigned off) { return (volatile uint16_t *)(v->common + off); }
static volatile uint32_t *com32(struct virtio_dev *v, unsigned off) { return (volatile uint32_t *)(v->common + off); }

static void com_write64(struct virtio_dev *v, unsigned off, uint64_t val)
{
	*com32(v, off) = (uint32_t)val;
	*com32(v, off + 4) = (uint32_t)(val >> 32);
}

/* Maps one capability's window after checking it lies inside its BAR. */
static volatile uint8_t *map_cap(struct virtio_dev *v, uint8_t cap, uint32_t min_len, uint32_t *len_out,
				 const char *name)
{
	struct pci_dev *d = v->pci;
	unsigned bar = cfg8(d, cap + CAP_BAR);
	uint32_t off = cfg32(d, cap + CAP_OFFSET), len = cfg32(d, cap + CAP_LENGTH);
	struct pci_bar *b;
	volatile uint8_t *p;

	if (bar > 5 || (b = &d->bar[bar])->kind < PCI_BAR_MEM32 || len < min_len ||
	    (uint64_t)off + len > b->size) {
		log_warn("%s: virtio capability type %u (BAR %u, %#x + %#x) does not fit its BAR",
			 name, cfg8(d, cap + CAP_CFG_TYPE), bar, off, len);
		return 0;
	}
	p = mmio_map(b->base + off, len);
	if (!p)
		log_warn("%s: cannot map virtio capability at %#llx", name, (unsigned long long)(b->base + off));
	if (len_out)
		*len_out = len;
	return p;
}

static int open_modern(struct virtio_dev *v, const char *name)
{
	struct pci_dev *d = v->pci;
	uint8_t caps[5] = { 0 };

	for (unsigned i = 0; i < d->nvndr_caps; i++) {
		uint8_t c = d->vndr_caps[i], type = cfg8(d, c + CAP_CFG_TYPE);

		/* the first capability of each type is the preferred one */
		if (type >= CFG_COMMON && type <= CFG_DEVICE && !caps[type] && cfg8(d, c + 2) >= 16)
			caps[type] = c;
	}
	if (!caps[CFG_COMMON] || !caps[CFG_NOTIFY] || !caps[CFG_ISR]) {
		log_warn("%s: modern virtio device lacks a common, notify or ISR capability", name);
		return -ENODEV;
	}
	v->common = map_cap(v, caps[CFG_COMMON], COM_LEN, 0, name);
	v->notify = map_cap(v, caps[CFG_NOTIFY], 2, &v->notify_len, name);
	v->isr = map_cap(v, caps[CFG_ISR], 1, 0, name);
	if (caps[CFG_DEVICE])
		v->devcfg = map_cap(v, caps[CFG_DEVICE], 1, &v->devcfg_len, name);
	if (!v->common || !v->notify || !v->isr)
		return -ENODEV;
	v->notify_mul = cfg32(d, caps[CFG_NOTIFY] + CAP_NOTIFY_MUL);
	v->modern = true;
	return 0;
}

static int open_legacy(struct virtio_dev *v, const char *name)
{
	struct pci_bar *b = &v->pci->bar[0];

	if (b->kind != PCI_BAR_IO || b->size < LEG_IO_MIN || b->base > 0xffff - b->size) {
		log_warn("%s: legacy virtio device without a usable I/O BAR 0", name);
		return -ENODEV;
	}
	v->io = (uint16_t)b->base;
	v->devcfg_len = (uint32_t)b->size - LEG_DEVCFG;
	v->modern = false;
	return 0;
}

uint8_t virtio_status(struct virtio_dev *v)
{
	return v->modern ? *com8(v, COM_STATUS) : inb(v->io + LEG_STATUS);
}

static void set_status(struct virtio_dev *v, uint8_t s)
{
	if (v->modern)
		*com8(v, COM_STATUS) = s;
	else
		outb(v->io + LEG_STATUS, s);
}

/* Writing 0 resets; a modern device says it is done by reading back 0. */
int virtio_pci_reset(struct virtio_dev *v)
{
	set_status(v, 0);
	for (int i = 0; i < RESET_TIMEOUT_SPINS; i++) {
		if (virtio_status(v) == 0)
			return 0;
		cpu_pause();
	}
	return -EIO;
}

int virtio_pci_open(struct virtio_dev *v, struct pci_dev *d, const char *name)
{
	int r;

	*v = (struct virtio_dev){ 0 };
	v->pci = d;
	v->irq.vector = -1;
	pci_enable(d);
	/* 0x1040+ are modern-only; transitional devices (0x1000-0x103f) may have
	 * the modern capabilities too, which are preferred */
	r = d->nvndr_caps ? open_modern(v, name) : -ENODEV;
	if (r != 0 && d->device < 0x1040)
		r = open_legacy(v, name);
	if (r != 0)
		return -ENODEV;
	if (virtio_pci_reset(v) != 0) {
		log_warn("%s: virtio device does not come out of reset", name);
		return -ENODEV;
	}
	set_status(v, VIRTIO_STATUS_ACKNOWLEDGE);
	set_status(v, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	return 0;
}

static uint64_t device_features(struct virtio_dev *v)
{
	if (!v->modern)
		return inl(v->io + LEG_HOST_FEATURES);
	*com32(v, COM_DFSELECT) = 0;
	uint64_t lo = *com32(v, COM_DF);
	*com32(v, COM_DFSELECT) = 1;
	return lo | ((uint64_t)*com32(v, COM_DF) << 32);
}

int virtio_negotiate(struct virtio_dev *v, uint64_t wanted, const char *name)
{
	uint64_t offered = device_features(v);

	if (v->modern) {
		if (!(offered & (1ull << VIRTIO_F_VERSION_1))) {
			log_warn("%s: modern virtio device does not offer VERSION_1", name);
			virtio_fail(v);
			return -ENODEV;
		}
		wanted |= 1ull << VIRTIO_F_VERSION_1;
	}
	v->features = offered & wanted;
	if (!v->modern) {
		outl(v->io + LEG_GUEST_FEATURES, (uint32_t)v->features);
		return 0;
	}
	*com32(v, COM_GFSELECT) = 0;
	*com32(v, COM_GF) = (uint32_t)v->features;
	*com32(v, COM_GFSELECT) = 1;
	*com32(v, COM_GF) = (uint32_t)(v->features >> 32);
	set_status(v, virtio_status(v) | VIRTIO_STATUS_FEATURES_OK);
	if (!(virtio_status(v) & VIRTIO_STATUS_FEATURES_OK)) {
		log_warn("%s: device refused our features %#llx", name, (unsigned long long)v->features);
		virtio_fail(v);
		return -ENODEV;
	}
	return 0;
}

bool virtio_has(const struct virtio_dev *v, unsigned feature)
{
	return feature < 64 && (v->features >> feature) & 1;
}

int virtio_queue_setup(struct virtio_dev *v, unsigned idx, struct virtq *q, uint16_t max_size, uint16_t vector)
{
	uint16_t size;
	uint64_t phys;
	void *mem;
	int r;

	if (v->modern) {
		if (idx >= *com16(v, COM_NUMQ))
			return -ENODEV;
		*com16(v, COM_QSELECT) = (uint16_t)idx;
		size = *com16(v, COM_QSIZE);
		if (size == 0 || *com16(v, COM_QENABLE))
			return -ENODEV;
		/* modern devices take any power of two up to theirs */
		while (size > max_size || (size & (size - 1)))
			size = (uint16_t)(1u << (31 - __builtin_clz(size > max_size ? max_size : size)));
	} else {
		outw(v->io + LEG_QUEUE_SELECT, (uint16_t)idx);
		size = inw(v->io + LEG_QUEUE_SIZE);
		if (size == 0 || size > max_size || (size & (size - 1)) || inl(v->io + LEG_QUEUE_PFN))
			return -ENODEV;
	}
	mem = dma_alloc(virtq_bytes(size), &phys);
	if (!mem)
		return -ENOMEM;
	if ((r = virtq_init(q, size, mem, phys)) != 0) {
		dma_free(mem, virtq_bytes(size));
		return r;
	}
	if (v->modern) {
		*com16(v, COM_QSIZE) = size;
		com_write64(v, COM_QDESC, q->desc_phys);
		com_write64(v, COM_QDRIVER, q->avail_phys);
		com_write64(v, COM_QDEVICE, q->used_phys);
		*com16(v, COM_QMSIX) = vector;
		if (vector != VIRTIO_NO_VECTOR && *com16(v, COM_QMSIX) != vector)
			goto no_vector;
		*com16(v, COM_QENABLE) = 1;
	} else {
		if (v->msix_on) {
			outw(v->io + LEG_QUEUE_VECTOR, vector);
			if (vector != VIRTIO_NO_VECTOR && inw(v->io + LEG_QUEUE_VECTOR) != vector)
				goto no_vector;
		}
		if (phys >> (32 + 12)) {
			dma_free(mem, virtq_bytes(size));
			return -ENOMEM;
		}
		outl(v->io + LEG_QUEUE_PFN, (uint32_t)(phys >> 12));
	}
	return 0;
no_vector:
	dma_free(mem, virtq_bytes(size));
	return -EIO;
}

void virtio_config_vector(struct virtio_dev *v, uint16_t vector)
{
	if (v->modern)
		*com16(v, COM_MSIX) = vector;
	else if (v->msix_on)
		outw(v->io + LEG_CONFIG_VECTOR, vector);
}

void virtio_notify(struct virtio_dev *v, unsigned idx)
{
	if (!v->modern) {
		outw(v->io + LEG_QUEUE_NOTIFY, (uint16_t)idx);
		return;
	}
	*com16(v, COM_QSELECT) = (uint16_t)idx;
	uint64_t off = (uint64_t)*com16(v, COM_QNOFF) * v->notify_mul;

	if (off + 2 <= v->notify_len)
		*(volatile uint16_t *)(v->notify + off) = (uint16_t)idx;
}

uint8_t virtio_isr(struct virtio_dev *v)
{
	return v->modern ? *v->isr : inb(v->io + LEG_ISR);
}

void virtio_driver_ok(struct virtio_dev *v)
{
	set_status(v, virtio_status(v) | VIRTIO_STATUS_DRIVER_OK);
}

void virtio_fail(struct virtio_dev *v)
{
	set_status(v, virtio_status(v) | VIRTIO_STATUS_FAILED);
}

static bool cfg_ok(struct virtio_dev *v, unsigned off, unsigned len)
{
	return (v->modern ? v->devcfg != 0 : true) && off + len <= v->devcfg_len;
}

static unsigned legacy_cfg(struct virtio_dev *v, unsigned off)
{
	return v->io + LEG_DEVCFG + (v->msix_on ? 4 : 0) + off;
}

uint32_t virtio_cfg_read32(struct virtio_dev *v, unsigned off)
{
	if (!cfg_ok(v, off, 4))
		return 0;
	return v->modern ? *(volatile uint32_t *)(v->devcfg + off) : inl((uint16_t)legacy_cfg(v, off));
}

/* Two halves can tear while the device changes the value; the modern
 * generation counter (and, for legacy, a re-read) detects that. */
uint64_t virtio_cfg_read64(struct virtio_dev *v, unsigned off)
{
	uint64_t val = 0, again;

	for (int tries = 0; tries < 10; tries++) {
		uint8_t gen = v->modern ? *com8(v, 0x15) : 0;

		val = virtio_cfg_read32(v, off) | ((uint64_t)virtio_cfg_read32(v, off + 4) << 32);
		again = virtio_cfg_read32(v, off) | ((uint64_t)virtio_cfg_read32(v, off + 4) << 32);
		if (val == again && (!v->modern || gen == *com8(v, 0x15)))
			break;
	}
	return val;
}
