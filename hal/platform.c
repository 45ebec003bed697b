/* Platform discovery at boot (after mm, for MMIO mappings), in the order the
 * pieces depend on each other: CPUID, the ACPI tables, then what they
 * describe (power control, CPUs, ECAM, HPET), then a TSC recalibration
 * against the HPET and the RTC's wall time. */
#include <hal/platform.h>
#include <hal/acpi.h>
#include <hal/cpu.h>
#include <hal/cpuinfo.h>
#include <hal/hpet.h>
#include <hal/mmio.h>
#include <hal/pci_cfg.h>
#include <hal/rtc.h>
#include <hal/tsc.h>
#include <kernel/log.h>

/* Filled once by platform_init, before threads; read-only afterwards. */
static struct madt_info madt;
static bool have_madt;
static int64_t boot_unix_time;

const struct madt_info *platform_madt(void) { return have_madt ? &madt : 0; }
unsigned platform_cpu_count(void) { return have_madt && madt.ncpus ? madt.ncpus : 1; }
int64_t platform_boot_unix_time(void) { return boot_unix_time; }
const char *platform_clock_source(void) { return tsc_source(); }

bool platform_reference_ns(uint64_t *ns)
{
	uint64_t ticks;

	if (!hpet_present())
		return false;
	/* femtoseconds per tick below 0.1 s (HPET spec): ticks * period fits
	 * 64 bits for ~3 minutes from the origin, so split it */
	ticks = hpet_counter();
	*ns = ticks / 1000000 * hpet_period_fs() + ticks % 1000000 * hpet_period_fs() / 1000000;
	return true;
}

static void find_madt(void)
{
	const struct acpi_header *t = acpi_find("APIC", 0);

	if (!t || madt_parse(t, &madt) != 0) {
		log_warn("acpi: no usable MADT; assuming one CPU and legacy interrupts");
		return;
	}
	have_madt = true;
	log_info("acpi: MADT: %u CPUs, %u I/O APICs, %u overrides, %u NMIs (%u bad, %u unknown entries)",
		 madt.ncpus, madt.nioapics, madt.noverrides, madt.nnmis, madt.bad_entries,
		 madt.unknown_entries);
}

/* ECAM sits below 4 GiB on our machines, inside the direct map, which the
 * MTRRs make uncached there; mapping all 256 MiB of it through the kernel
 * virtual area would cost 512 KiB of page tables for buses that are empty. */
static void find_ecam(platform_map_fn map)
{
	uint64_t ecam;
	uint8_t bus0, bus1;
	const uint8_t *window;

	if (acpi_mcfg(&ecam, &bus0, &bus1) != 0)
		return;
	window = map(ecam + ((uint64_t)bus0 << 20), ((uint64_t)(bus1 - bus0) + 1) << 20);
	if (window)
		pci_cfg_use_ecam((volatile uint8_t *)window - ((uint64_t)bus0 << 20), bus0, bus1);
	else
		log_warn("acpi: ECAM at %#llx is outside memory the kernel maps; using ports",
			 (unsigned long long)ecam);
}

static void setup_clocks(void)
{
	uint64_t hpet_phys;
	volatile void *hpet_regs;
	uint32_t r[4];
	int invariant = 0;
	struct rtc_time t;

	if (acpi_hpet(&hpet_phys) == 0 && (hpet_regs = mmio_map(hpet_phys, 1024)) &&
	    hpet_init(hpet_regs) == 0) {
		log_info("time: HPET at %#llx, %llu fs period, %u comparators",
			 (unsigned long long)hpet_phys, (unsigned long long)hpet_period_fs(), hpet_timers());
		if (tsc_calibrate_hpet() != 0)
			log_warn("time: HPET did not count; keeping the %s calibration", tsc_source());
	}
	cpuid(0x80000000, 0, r);
	if (r[0] >= 0x80000007) {
		cpuid(0x80000007, 0, r);
		invariant = (r[3] >> 8) & 1;
	}
	log_info("time: TSC %llu.%03llu MHz measured against the %s, %s",
		 (unsigned long long)(tsc_hz() / 1000000), (unsigned long long)(tsc_hz() / 1000 % 1000),
		 tsc_source(), invariant ? "invariant" : "not invariant");
	if (rtc_read(&t, 0) == 0) {
		boot_unix_time = rtc_to_unix(&t);
		log_info("time: RTC %04u-%02u-%02u %02u:%02u:%02u UTC", t.year, t.month, t.day,
			 t.hour, t.minute, t.second);
	} else {
		log_warn("time: the RTC gave no consistent time");
	}
}

void platform_init(uint64_t rsdp_phys, platform_map_fn map)
{
	unsigned listed, valid;

	cpuinfo_init();
	if (acpi_init(rsdp_phys, map) != 0) {
		log_warn("acpi: no usable tables; legacy fallbacks only");
		setup_clocks();
		return;
	}
	acpi_counts(&listed, &valid);
	log_info("acpi: %u tables listed, %u valid", listed, valid);
	acpi_power_init();
	find_madt();
	find_ecam(map);
	setup_clocks();
}
