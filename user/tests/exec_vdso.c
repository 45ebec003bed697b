/* The vDSO: AT_SYSINFO_EHDR points at a valid ELF shared object, mapped
 * so that neither it nor its data page below can be made writable, whose
 * __vdso_clock_gettime, __vdso_gettimeofday and __vdso_time (found the way
 * a C library finds them: DT_HASH, DT_SYMTAB, the LINUX_2.6 version) tell
 * the time the system calls tell. Linux has a vDSO too, so the cases run
 * there as well. */
#include "tests.h"

#include <elf.h>
#include <sys/auxv.h>
#include <sys/time.h>

/* The image's ELF header, checked as the dynamic linker would. */
static const Elf64_Ehdr *vdso_ehdr(void)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)getauxval(AT_SYSINFO_EHDR);

	CHECK(eh != NULL);
	CHECK(((uintptr_t)eh & (PAGE - 1)) == 0);
	CHECK(memcmp(eh->e_ident, ELFMAG, SELFMAG) == 0);
	CHECK(eh->e_ident[EI_CLASS] == ELFCLASS64 && eh->e_ident[EI_DATA] == ELFDATA2LSB);
	CHECK(eh->e_type == ET_DYN && eh->e_machine == EM_X86_64);
	CHECK(eh->e_phentsize == sizeof(Elf64_Phdr) && eh->e_phnum > 0);
	return eh;
}

/* The address of a versioned dynamic symbol, or NULL. */
static void *vdso_sym(const char *name)
{
	const Elf64_Ehdr *eh = vdso_ehdr();
	const Elf64_Phdr *ph = (const void *)((const char *)eh + eh->e_phoff);
	const Elf64_Dyn *dyn = NULL;
	const Elf64_Sym *syms = NULL;
	const Elf64_Word *hash = NULL;
	const Elf64_Half *versym = NULL;
	const Elf64_Verdef *verdef = NULL;
	const char *strings = NULL;
	uintptr_t base = (uintptr_t)-1;

	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD && base == (uintptr_t)-1)
			base = (uintptr_t)eh + ph[i].p_offset - ph[i].p_vaddr;
		else if (ph[i].p_type == PT_DYNAMIC)
			dyn = (const void *)((const char *)eh + ph[i].p_offset);
	}
	CHECK(dyn != NULL && base != (uintptr_t)-1);
	for (; dyn->d_tag != DT_NULL; dyn++) {
		const void *p = (const void *)(base + dyn->d_un.d_ptr);

		switch (dyn->d_tag) {
		case DT_STRTAB: strings = p; break;
		case DT_SYMTAB: syms = p; break;
		case DT_HASH: hash = p; break;
		case DT_VERSYM: versym = p; break;
		case DT_VERDEF: verdef = p; break;
		}
	}
	CHECK(strings && syms && hash && versym && verdef);
	for (Elf64_Word i = 0; i < hash[1]; i++) {
		const Elf64_Verdef *d = verdef;

		if (syms[i].st_shndx == SHN_UNDEF || strcmp(strings + syms[i].st_name, name))
			continue;
		/* the symbol's version must be LINUX_2.6 */
		while ((d->vd_ndx & 0x7fff) != (versym[i] & 0x7fff) && d->vd_next)
			d = (const void *)((const char *)d + d->vd_next);
		if ((d->vd_ndx & 0x7fff) != (versym[i] & 0x7fff))
			continue;
		if (strcmp(strings + ((const Elf64_Verdaux *)((const char *)d + d->vd_aux))->vda_name,
			   "LINUX_2.6"))
			continue;
		return (void *)(base + syms[i].st_value);
	}
	return NULL;
}

TEST(exec_vdso_is_a_valid_elf)
{
	const Elf64_Ehdr *eh = vdso_ehdr();

	CHECK(vdso_sym("__vdso_clock_gettime") != NULL);
	CHECK(vdso_sym("__vdso_gettimeofday") != NULL);
	CHECK(vdso_sym("__vdso_time") != NULL);
	CHECK(vdso_sym("no_such_symbol") == NULL);
	/* W^X: neither the code nor the data page below it can be made
	 * writable (Linux lets a debugger's mprotect add write, CosmOS not) */
	if (on_cosmos()) {
		CHECK_ERR(mprotect((void *)eh, PAGE, PROT_READ | PROT_WRITE), EACCES);
		CHECK_ERR(mprotect((char *)eh - PAGE, PAGE, PROT_READ | PROT_WRITE), EACCES);
		CHECK_ERR(mprotect((void *)eh, PAGE, PROT_READ | PROT_WRITE | PROT_EXEC), EACCES);
	}
}

TEST(exec_vdso_differs_per_exec)
{
	/* the mmap area is randomized, so is the vDSO (a child after exec) */
	char out[64];
	char *argv[] = { (char *)self_exe(), "-H", "vdso_address", NULL };
	char prefix[32];

	CHECK(run_capture(self_exe(), argv, NULL, false, out, sizeof out) == 0);
	snprintf(prefix, sizeof prefix, "%lx\n", getauxval(AT_SYSINFO_EHDR));
	ut_note("here %s there %s", prefix, out);
	if (on_cosmos())
		CHECK(strcmp(out, prefix) != 0);
}

HELPER(vdso_address)
{
	(void)argc;
	(void)argv;
	printf("%lx\n", getauxval(AT_SYSINFO_EHDR));
	return 0;
}

static long long ns_of(const struct timespec *t)
{
	return t->tv_sec * 1000000000LL + t->tv_nsec;
}

/* The vDSO's clock, read between two system calls, lies between them. */
TEST(exec_vdso_clock_gettime_agrees)
{
	int (*cgt)(clockid_t, struct timespec *) =
		(int (*)(clockid_t, struct timespec *))vdso_sym("__vdso_clock_gettime");
	/* every clock the vDSO reads itself: each must read its own base */
	static const clockid_t clocks[] = { CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME,
					    CLOCK_MONOTONIC_RAW, CLOCK_REALTIME_COARSE,
					    CLOCK_MONOTONIC_COARSE };

	CHECK(cgt != NULL);
	for (size_t c = 0; c < sizeof clocks / sizeof clocks[0]; c++) {
		for (int i = 0; i < 1000; i++) {
			struct timespec a, v, b;

			CHECK_OK(syscall(SYS_clock_gettime, clocks[c], &a));
			CHECK(cgt(clocks[c], &v) == 0);
			CHECK_OK(syscall(SYS_clock_gettime, clocks[c], &b));
			CHECK(v.tv_nsec >= 0 && v.tv_nsec < 1000000000);
			if (ns_of(&a) > ns_of(&v) || ns_of(&v) > ns_of(&b)) {
				ut_note("clock %d: %lld, vdso %lld, then %lld", clocks[c], ns_of(&a),
					ns_of(&v), ns_of(&b));
				CHECK(0);
			}
		}
	}
	/* clocks it does not compute go to the system call, errors too */
	struct timespec t;
	CHECK(cgt(CLOCK_PROCESS_CPUTIME_ID, &t) == 0 && ns_of(&t) > 0);
	CHECK(cgt(CLOCK_THREAD_CPUTIME_ID, &t) == 0 && ns_of(&t) > 0);
	CHECK(cgt(99, &t) == -EINVAL);
	/* ids 8 and 15 share their low bits with clocks the vDSO reads
	 * itself; they answer as the system call does (-EINVAL here, the alarm
	 * clock's time on Linux) */
	for (clockid_t c = 8; c <= 15; c += 7) {
		long r = syscall(SYS_clock_gettime, c, &t);

		CHECK(cgt(c, &t) == (r == 0 ? 0 : -errno));
	}
	/* and the C library's clock_gettime agrees as well */
	struct timespec a, v, b;
	CHECK_OK(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &a));
	CHECK_OK(clock_gettime(CLOCK_MONOTONIC, &v));
	CHECK_OK(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &b));
	CHECK(ns_of(&a) <= ns_of(&v) && ns_of(&v) <= ns_of(&b));
}

TEST(exec_vdso_gettimeofday_and_time_agree)
{
	int (*gtod)(struct timeval *, void *) =
		(int (*)(struct timeval *, void *))vdso_sym("__vdso_gettimeofday");
	time_t (*tm)(time_t *) = (time_t (*)(time_t *))vdso_sym("__vdso_time");
	struct timespec a, b;
	struct timeval v;
	time_t s, s2;

	CHECK(gtod != NULL && tm != NULL);
	CHECK_OK(syscall(SYS_clock_gettime, CLOCK_REALTIME, &a));
	CHECK(gtod(&v, NULL) == 0);
	s = tm(&s2);
	CHECK_OK(syscall(SYS_clock_gettime, CLOCK_REALTIME, &b));
	CHECK(v.tv_usec >= 0 && v.tv_usec < 1000000);
	/* microseconds and seconds, truncated from the same clock */
	CHECK(a.tv_sec * 1000000LL + a.tv_nsec / 1000 <= v.tv_sec * 1000000LL + v.tv_usec);
	CHECK(v.tv_sec * 1000000LL + v.tv_usec <= b.tv_sec * 1000000LL + b.tv_nsec / 1000);
	CHECK(s == s2 && a.tv_sec <= s && s <= b.tv_sec);
	CHECK(gtod(NULL, NULL) == 0);
}
