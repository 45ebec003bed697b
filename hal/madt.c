/* MADT parsing: every entry's length is checked against its type's minimum
 * and against the end of the table before a field is read. */
#include <hal/madt.h>
#include <cosmos/errno.h>
#include <lib/string.h>

#define MADT_HDR 44   /* ACPI header + local APIC address + flags */

enum {
	MADT_LAPIC = 0, MADT_IOAPIC = 1, MADT_OVERRIDE = 2, MADT_NMI_SOURCE = 3,
	MADT_LAPIC_NMI = 4, MADT_LAPIC_ADDR = 5, MADT_X2APIC = 9, MADT_X2APIC_NMI = 0xa,
};

static const uint8_t min_len[] = {
	[MADT_LAPIC] = 8, [MADT_IOAPIC] = 12, [MADT_OVERRIDE] = 10, [MADT_NMI_SOURCE] = 8,
	[MADT_LAPIC_NMI] = 6, [MADT_LAPIC_ADDR] = 12, [MADT_X2APIC] = 16, [MADT_X2APIC_NMI] = 12,
};

static uint16_t u16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static uint32_t u32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t u64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }

static void add_cpu(struct madt_info *m, uint32_t apic_id, uint32_t flags)
{
	/* bit 0 enabled, bit 1 online capable: either can run */
	if (!(flags & 3) || m->ncpus == MADT_MAX_CPUS)
		return;
	for (unsigned i = 0; i < m->ncpus; i++)
		if (m->apic_ids[i] == apic_id)
			return;   /* listed twice (xAPIC and x2APIC entries) */
	m->apic_ids[m->ncpus++] = apic_id;
}

static void add_nmi(struct madt_info *m, uint32_t cpu, uint16_t flags, uint8_t lint)
{
	if (m->nnmis < MADT_MAX_NMIS)
		m->nmis[m->nnmis++] = (struct madt_nmi){ cpu, lint, flags };
}

int madt_parse(const struct acpi_header *t, struct madt_info *m)
{
	const uint8_t *base = (const uint8_t *)t, *p, *end;

	memset(m, 0, sizeof(*m));
	if (memcmp(t->signature, "APIC", 4) != 0 || t->length < MADT_HDR)
		return -EINVAL;
	m->lapic_addr = u32(base + 36);
	m->flags = u32(base + 40);
	end = base + t->length;
	for (p = base + MADT_HDR; p + 2 <= end; p += p[1]) {
		uint8_t type = p[0], len = p[1];

		if (len < 2 || p + len > end) {
			m->bad_entries++;
			break;   /* cannot find the next entry reliably */
		}
		if (type >= sizeof(min_len) || !min_len[type]) {
			m->unknown_entries++;
			continue;
		}
		if (len < min_len[type]) {
			m->bad_entries++;
			continue;
		}
		switch (type) {
		case MADT_LAPIC:
			add_cpu(m, p[3], u32(p + 4));
			break;
		case MADT_X2APIC:
			add_cpu(m, u32(p + 4), u32(p + 8));
			break;
		case MADT_IOAPIC:
			if (m->nioapics < MADT_MAX_IOAPICS)
				m->ioapics[m->nioapics++] = (struct madt_ioapic){ p[2], u32(p + 4), u32(p + 8) };
			break;
		case MADT_OVERRIDE:
			if (m->noverrides < MADT_MAX_OVERRIDES)
				m->overrides[m->noverrides++] =
					(struct madt_override){ p[2], p[3], u32(p + 4), u16(p + 8) };
			break;
		case MADT_LAPIC_NMI:
			add_nmi(m, p[2], u16(p + 3), p[5]);
			break;
		case MADT_X2APIC_NMI:
			add_nmi(m, u32(p + 4), u16(p + 2), p[8]);
			break;
		case MADT_LAPIC_ADDR:
			m->lapic_addr = u64(p + 4);
			break;
		case MADT_NMI_SOURCE:
			break;   /* NMI-wired GSIs: none on the machines we target */
		}
	}
	return 0;
}
