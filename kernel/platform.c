/* Platform discovery at boot (after mm, for MMIO mappings), in the order the
 * pieces depend on each other: ACPI tables first, then what they describe
 * (power control, CPUs, ECAM, HPET), then a TSC recalibration against the
 * HPET and the RTC. */
#include <kernel/platform.h>
#include <kernel/boot.h>
#include <kernel/log.h>
#include <hal/acpi.h>
#include <hal/cpu.h>
#include <hal/cpuinfo.h>
#include <hal/hpet.h>
#include <hal/mmio.h>
#include <hal/pci_config.h>
#include <hal/rtc.h>
#include <hal/tsc.h>

/* Filled once at boot, read-only afterwards. */
static struct madt_info madt;
static int have_madt;
static int64_t boot_unix_time;

const struct madt_info *platform_madt(void) { return have_madt ? &madt : 0; }
int64_t platform_boot_unix_time(void) { return boot_unix_time; }

static void find_madt(void)
{
	const struct acpi_header *t = acpi_find("APIC", 0);

	if (!t || madt_parse(t, &madt) != 0) {
		log_warn("acpi: no usable MADT; assuming one CPU and legacy interrupts");
		return;
	}
	have_madt = 1;
	log_info("acpi: MADT: %u CPUs, %u I/O APICs, %u overrides, %u NMIs (%u bad, %u unknown entries)",
		 madt.ncpus, madt.nioapics, madt.noverrides, madt.nnmis, madt.bad_entries,
		 madt.unknown_entries);
}

/* ECAM sits below 4 GiB on our machines, inside the direct map, which the
 * MTRRs make uncached there; mapping all 256 MiB of it through the kernel
 * virtual area would cost 512 KiB of page tables for buses that are empty. */
static void find_ecam(void)
{
	uint64_t ecam;
	uint8_t bus0, bus1;

	if (acpi_mcfg(&ecam, &bus0, &bus1) == 0 &&
	    boot_phys_map(ecam + ((uint64_t)bus0 << 20), ((uint64_t)(bus1 - bus0) + 1) << 20))
		pci_cfg_use_ecam(PHYS_TO_VIRT(ecam), bus0, bus1);
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

void platform_init(void)
{
	unsigned listed, valid;

	cpuinfo_init();
	if (acpi_init(boot_info()->acpi_rsdp_phys, boot_phys_map) != 0) {
		log_warn("acpi: no usable tables; legacy fallbacks only");
		setup_clocks();
		return;
	}
	acpi_counts(&listed, &valid);
	log_info("acpi: %u tables listed, %u valid", listed, valid);
	acpi_power_init();
	find_madt();
	find_ecam();
	setup_clocks();
}
