/* Core files: a signal whose default action is "core" writes ./core (an
 * ELF ET_CORE file with NT_PRSTATUS, NT_PRPSINFO, NT_SIGINFO, NT_AUXV,
 * NT_FPREGSET and the memory) when RLIMIT_CORE allows, and the wait status has WCOREDUMP;
 * no file and no WCOREDUMP with RLIMIT_CORE below a page or where the
 * file cannot be made. On Linux these need kernel.core_pattern "core"
 * (they skip otherwise). */
#include "tests.h"

#include <elf.h>
#include <sys/prctl.h>

/* Linux's struct elf_prstatus for x86-64: the offsets the cases read. */
#define PRSTATUS_SIZE 336
#define PRSTATUS_CURSIG 12
#define PRSTATUS_PID 32
#define PRSTATUS_REG 112
#define REG_RIP_INDEX 16
#define PRPSINFO_PID 24
#define PRPSINFO_FNAME 40

static unsigned char pattern[3 * 4096];
static const unsigned char core_xmm7[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
#define CORE_MXCSR 0x7f80u
/* user_i387_struct (FXSAVE layout): FCW at 0, MXCSR at 24, xmm0 at 160 */
#define FPREGS_MXCSR 24
#define FPREGS_XMM7 (160 + 7 * 16)
extern const char core_crash_here[];

static void skip_unless_core_pattern_core(void)
{
	char buf[64];
	int fd = open("/proc/sys/kernel/core_pattern", O_RDONLY);

	if (fd < 0)
		return;          /* CosmOS: always ./core */
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	if (strcmp(buf, "core\n") != 0)
		ut_skip("kernel.core_pattern is not \"core\"");
	struct rlimit r;
	if (getrlimit(RLIMIT_CORE, &r) == 0 && r.rlim_max != RLIM_INFINITY)
		ut_skip("RLIMIT_CORE's hard limit is not unlimited");
}

/* "core", or "core.PID" where Linux's core_uses_pid is set. */
static const char *core_name(pid_t pid, char buf[32])
{
	snprintf(buf, 32, "core.%d", (int)pid);
	if (!exists(buf))
		strcpy(buf, "core");
	return buf;
}

static void set_core_limit(rlim_t lim)
{
	struct rlimit r;
	CHECK_OK(getrlimit(RLIMIT_CORE, &r));
	r.rlim_cur = lim;
	CHECK_OK(setrlimit(RLIMIT_CORE, &r));
}

/* Fills pattern, then stores to address 8: SIGSEGV at core_crash_here. */
static void __attribute__((noreturn)) crash(void)
{
	for (size_t i = 0; i < sizeof(pattern); i++)
		pattern[i] = (unsigned char)(i * 7 + 3);
	/* xmm7 and MXCSR (rounding toward zero) for NT_FPREGSET */
	unsigned mxcsr = CORE_MXCSR;
	__asm__ volatile("movdqu %0, %%xmm7\n\tldmxcsr %1" :: "m"(core_xmm7), "m"(mxcsr) : "xmm7");
	__asm__ volatile(".globl core_crash_here\n"
			 "core_crash_here: movl $1, 8\n" ::: "memory");
	_exit(99);
}

/* Waits for pid, which a signal must have ended; returns the status and
 * checks the waitid code agrees with WCOREDUMP. */
static int wait_killed(pid_t pid, int sig)
{
	siginfo_t si;
	int st;

	memset(&si, 0, sizeof(si));
	CHECK_OK(waitid(P_PID, pid, &si, WEXITED | WNOWAIT));
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFSIGNALED(st));
	CHECK_EQ(WTERMSIG(st), sig);
	CHECK_EQ(si.si_status, sig);
	CHECK_EQ(si.si_code, WCOREDUMP(st) ? CLD_DUMPED : CLD_KILLED);
	return st;
}

static const void *note_find(const unsigned char *core, size_t size, unsigned type, size_t *len)
{
	const Elf64_Ehdr *eh = (const void *)core;

	for (int i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const void *)(core + eh->e_phoff + i * sizeof(*ph));
		if (ph->p_type != PT_NOTE)
			continue;
		CHECK(ph->p_offset + ph->p_filesz <= size);
		for (size_t o = ph->p_offset; o + 12 <= ph->p_offset + ph->p_filesz;) {
			const Elf64_Nhdr *nh = (const void *)(core + o);
			size_t desc = o + 12 + ((nh->n_namesz + 3) & ~3u);
			if (nh->n_type == type && nh->n_namesz == 5 && !memcmp(core + o + 12, "CORE", 5)) {
				*len = nh->n_descsz;
				return core + desc;
			}
			o = desc + ((nh->n_descsz + 3) & ~3u);
		}
	}
	return NULL;
}

/* SIGSEGV with RLIMIT_CORE unlimited: WCOREDUMP, and a core file whose
 * notes hold the signal, the pid, the faulting rip, xmm7 and MXCSR, and whose PT_LOAD
 * holds the bytes the program wrote. */
TEST(sig_core_file_written)
{
	skip_unless_core_pattern_core();
	pid_t pid = xfork();
	if (pid == 0) {
		set_core_limit(RLIM_INFINITY);
		crash();
	}
	int st = wait_killed(pid, SIGSEGV);
	CHECK(WCOREDUMP(st));

	char name[32];
	core_name(pid, name);
	/* mapped after the crash, so the child's core does not hold it */
	size_t cap = 64 << 20;
	unsigned char *core = mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(core != MAP_FAILED);
	size_t size = read_file(name, core, cap);
	ut_diag("core file: %zu bytes", size);
	CHECK(size > sizeof(Elf64_Ehdr));
	CHECK(size < cap);
	const Elf64_Ehdr *eh = (const void *)core;
	CHECK(!memcmp(eh->e_ident, ELFMAG, SELFMAG));
	CHECK_EQ(eh->e_ident[EI_CLASS], ELFCLASS64);
	CHECK_EQ(eh->e_type, ET_CORE);
	CHECK_EQ(eh->e_machine, EM_X86_64);
	CHECK(eh->e_phoff + eh->e_phnum * sizeof(Elf64_Phdr) <= size);

	size_t len;
	const unsigned char *st_note = note_find(core, size, NT_PRSTATUS, &len);
	CHECK(st_note != NULL);
	CHECK_EQ(len, PRSTATUS_SIZE);
	int16_t cursig;
	int32_t spid;
	uint64_t rip;
	memcpy(&cursig, st_note + PRSTATUS_CURSIG, 2);
	memcpy(&spid, st_note + PRSTATUS_PID, 4);
	memcpy(&rip, st_note + PRSTATUS_REG + REG_RIP_INDEX * 8, 8);
	CHECK_EQ(cursig, SIGSEGV);
	CHECK_EQ(((const int *)st_note)[0], SIGSEGV);
	CHECK_EQ(spid, pid);
	CHECK_EQ(rip, (uint64_t)(uintptr_t)core_crash_here);

	const unsigned char *ps = note_find(core, size, NT_PRPSINFO, &len);
	CHECK(ps != NULL);
	CHECK_EQ(len, 136);
	int32_t ppid;
	memcpy(&ppid, ps + PRPSINFO_PID, 4);
	CHECK_EQ(ppid, pid);

	const siginfo_t *si = note_find(core, size, 0x53494749 /* NT_SIGINFO */, &len);
	CHECK(si != NULL);
	CHECK_EQ(len, sizeof(siginfo_t));
	CHECK_EQ(si->si_signo, SIGSEGV);
	CHECK_EQ(si->si_code, SEGV_MAPERR);
	CHECK_EQ((uintptr_t)si->si_addr, 8);

	const unsigned char *fp = note_find(core, size, NT_FPREGSET, &len);
	CHECK(fp != NULL);
	CHECK_EQ(len, 512);
	uint16_t fcw;
	uint32_t mxcsr;
	memcpy(&fcw, fp, 2);
	memcpy(&mxcsr, fp + FPREGS_MXCSR, 4);
	CHECK_EQ(fcw, 0x37f);
	CHECK_EQ(mxcsr, CORE_MXCSR);
	CHECK(!memcmp(fp + FPREGS_XMM7, core_xmm7, 16));

	const uint64_t *aux = note_find(core, size, NT_AUXV, &len);
	CHECK(aux != NULL);
	bool pagesz = false;
	for (size_t i = 0; i + 1 < len / 8; i += 2)
		if (aux[i] == AT_PAGESZ)
			pagesz = aux[i + 1] == 4096;
	CHECK(pagesz);

	/* the memory: pattern's bytes as the child wrote them */
	uintptr_t want = (uintptr_t)pattern;
	bool found = false;
	for (int i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = (const void *)(core + eh->e_phoff + i * sizeof(*ph));
		if (ph->p_type != PT_LOAD || want < ph->p_vaddr ||
		    want + sizeof(pattern) > ph->p_vaddr + ph->p_filesz)
			continue;
		CHECK_EQ(ph->p_offset % 4096, 0);
		CHECK(ph->p_flags & PF_W);
		CHECK(ph->p_offset + ph->p_filesz <= size);
		const unsigned char *b = core + ph->p_offset + (want - ph->p_vaddr);
		for (size_t k = 0; k < sizeof(pattern); k++)
			if (b[k] != (unsigned char)(k * 7 + 3))
				UT_FAIL("byte %zu of the dumped buffer is %#x", k, b[k]);
		found = true;
	}
	CHECK(found);
}

/* RLIMIT_CORE 0 (Linux's default) and below a page: no file, no
 * WCOREDUMP; the signal still ends the process. */
TEST(sig_core_limit_too_small)
{
	skip_unless_core_pattern_core();
	rlim_t lims[] = { 0, 1000 };
	for (int i = 0; i < 2; i++) {
		ut_note("RLIMIT_CORE %lu", (unsigned long)lims[i]);
		pid_t pid = xfork();
		if (pid == 0) {
			set_core_limit(lims[i]);
			crash();
		}
		int st = wait_killed(pid, SIGSEGV);
		CHECK(!WCOREDUMP(st));
		char name[32];
		CHECK(!exists(core_name(pid, name)));
	}
}

/* Which signals dump: SIGQUIT and SIGABRT sent by kill do, SIGTERM does
 * not; a file named core already there is replaced. */
TEST(sig_core_by_signal)
{
	skip_unless_core_pattern_core();
	int sigs[] = { SIGQUIT, SIGABRT, SIGTERM };
	for (int i = 0; i < 3; i++) {
		ut_note("%s", ut_signame(sigs[i]));
		unlink("core");
		write_text("core", "old");
		pid_t pid = xfork();
		if (pid == 0) {
			set_core_limit(RLIM_INFINITY);
			kill(getpid(), sigs[i]);
			_exit(99);
		}
		int st = wait_killed(pid, sigs[i]);
		char name[32];
		core_name(pid, name);
		if (sigs[i] == SIGTERM) {
			CHECK(!WCOREDUMP(st));
			CHECK_EQ(file_size("core"), 3);
		} else {
			CHECK(WCOREDUMP(st));
			CHECK(file_size(name) > 4096);
		}
		if (strcmp(name, "core"))
			unlink(name);
	}
}

/* Where the file cannot be made (a directory the user may not write, a
 * read-only mount) nothing is written, the status has no WCOREDUMP and the
 * process still ends by its signal. */
TEST(sig_core_unwritable_dir)
{
	skip_unless_core_pattern_core();
	CHECK_OK(mkdir("ro", 0555));
	pid_t pid = xfork();
	if (pid == 0) {
		set_core_limit(RLIM_INFINITY);
		become_user();
		prctl(PR_SET_DUMPABLE, 1);   /* Linux: setuid made it undumpable */
		CHECK_OK(chdir("ro"));
		crash();
	}
	int st = wait_killed(pid, SIGSEGV);
	CHECK(!WCOREDUMP(st));
	CHECK(!exists("ro/core"));

	pid = xfork();
	if (pid == 0) {
		private_mounts();
		mount_tmpfs("rom", "mode=777");
		CHECK_OK(mount(NULL, "rom", NULL, MS_REMOUNT | MS_RDONLY, NULL));
		set_core_limit(RLIM_INFINITY);
		CHECK_OK(chdir("rom"));
		pid_t c = xfork();
		if (c == 0)
			crash();
		int cst = wait_killed(c, SIGSEGV);
		CHECK(!WCOREDUMP(cst));
		CHECK(!exists("core"));
		_exit(0);
	}
	wait_exit(pid, 0);
}

/* prctl(PR_SET_DUMPABLE, 0): no core file and no WCOREDUMP, though the
 * limit allows one. */
TEST(sig_core_not_dumpable)
{
	skip_unless_core_pattern_core();
	pid_t pid = xfork();
	if (pid == 0) {
		set_core_limit(RLIM_INFINITY);
		if (prctl(PR_SET_DUMPABLE, 0))
			_exit(98);
		crash();
	}
	int st = wait_killed(pid, SIGSEGV);
	CHECK(!WCOREDUMP(st));
	char name[32];
	CHECK(!exists(core_name(pid, name)));
}
