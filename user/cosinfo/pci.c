/* cosinfo's PCI section, and lspci: the devices under /sys/bus/pci/devices
 * with their class names, BARs (the "resource" file) and the capability
 * lists parsed from the "config" file (the device's configuration space;
 * Linux lets only root read past its first 64 bytes). */
#include "cosinfo.h"

#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Linux's resource flags (include/linux/ioport.h). */
#define IORESOURCE_IO       0x00000100
#define IORESOURCE_MEM      0x00000200
#define IORESOURCE_PREFETCH 0x00002000
#define IORESOURCE_MEM_64   0x00100000

#define PCI_STATUS          0x06
#define PCI_STATUS_CAP_LIST 0x10
#define PCI_HEADER_TYPE     0x0e
#define PCI_CAP_PTR         0x34    /* header types 0 and 1 */
#define PCI_CB_CAP_PTR      0x14    /* header type 2 (CardBus) */
#define PCI_EXT_CAP_START   0x100
#define CONFIG_MAX          4096

/* The device directories' names, sorted; NULL (reported) when the
 * directory is missing. */
static char **pci_devices(size_t *count)
{
	const char *dir = kpath("/sys/bus/pci/devices");
	char **names = list_dir(dir, count);

	if (!names)
		missing(dir, errno);
	return names;
}

static bool dev_u64(const char *dev, const char *file, uint64_t *v)
{
	return read_u64(kpath("/sys/bus/pci/devices/%s/%s", dev, file), v);
}

static void show_bars(const char *dev)
{
	const char *path = kpath("/sys/bus/pci/devices/%s/resource", dev);
	char *text = read_file(path, 8192, NULL);
	char sz[32];

	if (!text) {
		printf("    (no %s: %s)\n", path, strerror(errno));
		return;
	}
	/* One line per resource: BAR 0-5, the expansion ROM, then bridge
	 * windows; "start end flags" in hex, all 0 when unused. */
	char *line = text;
	for (int i = 0; i < 7 && line && *line; i++) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		unsigned long long start, end, flags;
		if (sscanf(line, "%llx %llx %llx", &start, &end, &flags) == 3 && flags && end >= start) {
			char name[8];
			snprintf(name, sizeof name, i == 6 ? "ROM" : "BAR%d", i);
			bool io = flags & IORESOURCE_IO;
			printf("    %-5s %s %#llx-%#llx (%s%s%s)\n", name, io ? "I/O" : "mem", start, end,
			       human_size(end - start + 1, sz, sizeof sz),
			       !io && (flags & IORESOURCE_MEM_64) ? ", 64-bit" : "",
			       !io && (flags & IORESOURCE_PREFETCH) ? ", prefetchable" : "");
		}
		line = nl ? nl + 1 : NULL;
	}
	free(text);
}

static unsigned cfg16(const uint8_t *c, size_t off)
{
	return c[off] | (unsigned)c[off + 1] << 8;
}

static uint32_t cfg32(const uint8_t *c, size_t off)
{
	return cfg16(c, off) | (uint32_t)cfg16(c, off + 2) << 16;
}

/* A few words on the capabilities whose header says the most. */
static void cap_detail(const uint8_t *c, size_t len, unsigned at, unsigned id, char *buf, size_t size)
{
	static const char *const port_types[16] = {
		"endpoint", "legacy endpoint", [4] = "root port", [5] = "upstream port",
		[6] = "downstream port", [7] = "PCIe-to-PCI bridge", [8] = "PCI-to-PCIe bridge",
		[9] = "root complex integrated endpoint", [10] = "root complex event collector",
	};
	buf[0] = '\0';
	if (id == 0x05 && at + 4 <= len) {
		unsigned ctl = cfg16(c, at + 2);
		snprintf(buf, size, " (%u vectors%s%s)", 1u << ((ctl >> 1) & 7), ctl & 0x80 ? ", 64-bit" : "",
			 ctl & 1 ? ", enabled" : "");
	} else if (id == 0x11 && at + 4 <= len) {
		unsigned ctl = cfg16(c, at + 2);
		snprintf(buf, size, " (%u vectors%s)", (ctl & 0x7ff) + 1, ctl & 0x8000 ? ", enabled" : "");
	} else if (id == 0x10 && at + 4 <= len) {
		unsigned type = (cfg16(c, at + 2) >> 4) & 0xf;
		const char *t = port_types[type] ? port_types[type] : "unknown type";
		if (at + 0x14 <= len && type != 9 && type != 10) {
			unsigned link = cfg16(c, at + 0x12);
			static const char *const speeds[] = { "?", "2.5", "5", "8", "16", "32", "64" };
			unsigned s = link & 0xf;
			snprintf(buf, size, " (%s, link %s GT/s x%u)", t, s < 7 ? speeds[s] : "?", (link >> 4) & 0x3f);
		} else {
			snprintf(buf, size, " (%s)", t);
		}
	}
}

/* The capability list: a chain of (id, next) pairs from the pointer in
 * the header; every pointer is checked against what could be read, and a
 * chain that comes back to an entry it has seen is a loop and ends. */
static void show_caps(const uint8_t *c, size_t len)
{
	char detail[96];

	if (!(cfg16(c, PCI_STATUS) & PCI_STATUS_CAP_LIST)) {
		printf("    capabilities: none\n");
		return;
	}
	unsigned ptr = c[(c[PCI_HEADER_TYPE] & 0x7f) == 2 ? PCI_CB_CAP_PTR : PCI_CAP_PTR] & 0xfc;
	bool seen[64] = { false };
	for (int n = 0; ptr; n++) {
		if (ptr < 0x40 || ptr >= 256) {
			printf("    capability pointer %#x is outside the capability area\n", ptr);
			return;
		}
		if (ptr + 2 > len) {
			printf("    capabilities from %#x on: the config space is readable only to %zu bytes%s\n",
			       ptr, len, len <= 64 ? " (root reads it all)" : "");
			return;
		}
		if (seen[ptr / 4]) {
			printf("    capability list loops back to %#x; stopped\n", ptr);
			return;
		}
		seen[ptr / 4] = true;
		unsigned id = c[ptr];
		cap_detail(c, len, ptr, id, detail, sizeof detail);
		printf("    [%02x] %s%s\n", ptr, pci_cap_name(id), detail);
		ptr = c[ptr + 1] & 0xfc;
	}
}

/* PCI Express extended capabilities, from 0x100: a 32-bit header each
 * (id in bits 0-15, version 16-19, next offset 20-31). */
static void show_ext_caps(const uint8_t *c, size_t len)
{
	if (len < PCI_EXT_CAP_START + 4)
		return;
	unsigned ptr = PCI_EXT_CAP_START;
	bool seen[CONFIG_MAX / 4] = { false };
	while (ptr) {
		if (ptr < PCI_EXT_CAP_START || ptr + 4 > len) {
			printf("    extended capability pointer %#x is outside the config space\n", ptr);
			return;
		}
		if (seen[ptr / 4]) {
			printf("    extended capability list loops back to %#x; stopped\n", ptr);
			return;
		}
		seen[ptr / 4] = true;
		uint32_t h = cfg32(c, ptr);
		if (h == 0 || h == 0xffffffff)
			return;         /* no extended capabilities */
		printf("    [%03x] %s (version %u)\n", ptr, pci_ext_cap_name(h & 0xffff), (h >> 16) & 0xf);
		ptr = (h >> 20) & 0xffc;
	}
}

static void show_device(const char *dev)
{
	uint64_t vendor, device, class, sv = 0, sd = 0, irq;

	if (!dev_u64(dev, "vendor", &vendor) || !dev_u64(dev, "device", &device) ||
	    !dev_u64(dev, "class", &class)) {
		printf("  %s  (vendor, device or class unreadable)\n", dev);
		return;
	}
	unsigned base = (unsigned)(class >> 16) & 0xff, sub = (unsigned)(class >> 8) & 0xff;
	const char *vname = pci_vendor_name((unsigned)vendor);
	printf("  %s  %04llx:%04llx  %s [%02x%02x]%s%s\n", dev, (unsigned long long)vendor,
	       (unsigned long long)device, pci_class_name(base, sub), base, sub, vname ? ", " : "",
	       vname ? vname : "");
	bool sub_ids = dev_u64(dev, "subsystem_vendor", &sv) && dev_u64(dev, "subsystem_device", &sd);
	bool has_irq = dev_u64(dev, "irq", &irq) && irq;
	if (sub_ids)
		printf("    subsystem %04llx:%04llx", (unsigned long long)sv, (unsigned long long)sd);
	if (has_irq)
		printf("%sirq %llu", sub_ids ? ", " : "    ", (unsigned long long)irq);
	if (sub_ids || has_irq)
		putchar('\n');
	show_bars(dev);

	const char *path = kpath("/sys/bus/pci/devices/%s/config", dev);
	size_t len;
	uint8_t *cfg = (uint8_t *)read_file(path, CONFIG_MAX, &len);
	if (!cfg) {
		printf("    (no %s: %s)\n", path, strerror(errno));
		return;
	}
	if (len < 64)
		printf("    (%s has %zu bytes; the header alone is 64)\n", path, len);
	else {
		show_caps(cfg, len);
		show_ext_caps(cfg, len);
	}
	free(cfg);
}

void show_pci(void)
{
	size_t n;
	char **devs = pci_devices(&n);

	section("PCI devices");
	if (!devs)
		return;
	if (n == 0)
		printf("  (none)\n");
	for (size_t i = 0; i < n; i++)
		show_device(devs[i]);
	free_list(devs, n);
}

/* The driver bound to a device: the last part of its "driver" link. */
static bool driver_name(const char *dev, char *buf, size_t size)
{
	char target[512];
	ssize_t n = readlink(kpath("/sys/bus/pci/devices/%s/driver", dev), target, sizeof target - 1);

	if (n <= 0)
		return false;
	target[n] = '\0';
	snprintf(buf, size, "%s", basename(target));
	return true;
}

int lspci_main(int argc, char **argv)
{
	bool machine = false, drivers = false;
	int opt;

	while ((opt = getopt(argc, argv, "mknv")) != -1) {
		if (opt == 'm')
			machine = true;
		else if (opt == 'k')
			drivers = true;
		else if (opt == '?') {
			fprintf(stderr, "usage: lspci [-mk]\n");
			return 2;
		}
	}
	size_t n;
	char **devs = pci_devices(&n);
	if (!devs)
		return 1;
	for (size_t i = 0; i < n; i++) {
		uint64_t vendor = 0, device = 0, class = 0, sv = 0, sd = 0;
		char drv[128];
		dev_u64(devs[i], "vendor", &vendor);
		dev_u64(devs[i], "device", &device);
		dev_u64(devs[i], "class", &class);
		dev_u64(devs[i], "subsystem_vendor", &sv);
		dev_u64(devs[i], "subsystem_device", &sd);
		if (machine)
			printf("%s \"Class %04llx\" \"%04llx\" \"%04llx\" \"%04llx\" \"%04llx\"", devs[i],
			       (unsigned long long)(class >> 8), (unsigned long long)vendor,
			       (unsigned long long)device, (unsigned long long)sv, (unsigned long long)sd);
		else
			printf("%s Class %04llx: %04llx:%04llx", devs[i], (unsigned long long)(class >> 8),
			       (unsigned long long)vendor, (unsigned long long)device);
		if (drivers && driver_name(devs[i], drv, sizeof drv))
			printf(machine ? " \"%s\"" : " %s", drv);
		putchar('\n');
	}
	free_list(devs, n);
	return 0;
}
