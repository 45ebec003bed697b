/* Core files. A process ended by a signal whose default action is "core"
 * (SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGSEGV, SIGXCPU,
 * SIGXFSZ, SIGSYS) leaves an ELF core file when RLIMIT_CORE is at least a
 * page, named by kernel.core_pattern ("core" at boot: in its working
 * directory; %p pid, %i tid, %u uid, %g gid, %s signal, %t time, %e name,
 * %% a percent sign, as Linux; other % pairs vanish), laid out as Linux's
 * (fs/binfmt_elf.c): the ELF header (ET_CORE), a PT_NOTE with NT_PRSTATUS,
 * NT_PRPSINFO, NT_SIGINFO, NT_AUXV and NT_FPREGSET of the dumping thread, then one
 * PT_LOAD per region, page aligned, its bytes as vm_dump_regions says.
 * Its wait status then has WCOREDUMP (0x80). */
#include <kernel/proc/coredump.h>
#include <cosmos/abi/fcntl.h>
#include <cosmos/abi/resource.h>
#include <cosmos/abi/sched.h>
#include <cosmos/abi/signal.h>
#include <cosmos/errno.h>
#include <fs/file.h>
#include <fs/inode.h>
#include <fs/vfs.h>
#include <hal/coreregs.h>
#include <hal/fpu.h>
#include <kernel/log.h>
#include <kernel/mm/heap.h>
#include <kernel/mm/vm_dump.h>
#include <kernel/proc/internal.h>
#include <kernel/proc/process.h>
#include <kernel/proc/signal.h>
#include <kernel/proc/uthread.h>
#include <kernel/sched/thread.h>
#include <kernel/sync/spinlock.h>
#include <lib/elf.h>
#include <lib/fmt.h>
#include <lib/string.h>
#include <sys/uio.h>

#define ET_CORE     4
#define PT_NOTE     4
#define NT_PRSTATUS 1
#define NT_FPREGSET 2
#define NT_PRPSINFO 3
#define NT_AUXV     6
#define NT_SIGINFO  0x53494749
#define CORE_PAGE   4096ull
/* Linux's limit on one note's payload is far above these; an address
 * space with more regions than this is dumped without the rest. */
#define CORE_MAX_LOADS 4096

/* Linux's struct elf_prstatus for x86-64 (336 bytes). */
struct core_prstatus {
	int si_signo, si_code, si_errno;
	int16_t cursig, pad0;
	uint64_t sigpend, sighold;
	int32_t pid, ppid, pgrp, sid;
	int64_t utime[2], stime[2], cutime[2], cstime[2];   /* timevals */
	uint64_t reg[COREREGS_COUNT];
	int32_t fpvalid, pad1;
};
_Static_assert(sizeof(struct core_prstatus) == 336, "Linux's elf_prstatus is 336 bytes");

/* Linux's struct elf_prpsinfo for x86-64 (136 bytes). */
struct core_prpsinfo {
	char state, sname, zomb, nice;
	uint32_t pad0;
	uint64_t flag;
	uint32_t uid, gid;
	int32_t pid, ppid, pgrp, sid;
	char fname[16];
	char psargs[80];
};
_Static_assert(sizeof(struct core_prpsinfo) == 136, "Linux's elf_prpsinfo is 136 bytes");

#define SIG_CORE_MASK ((1ull << (SIGQUIT - 1)) | (1ull << (SIGILL - 1)) | (1ull << (SIGTRAP - 1)) | \
		       (1ull << (SIGABRT - 1)) | (1ull << (SIGBUS - 1)) | (1ull << (SIGFPE - 1)) |   \
		       (1ull << (SIGSEGV - 1)) | (1ull << (SIGXCPU - 1)) | (1ull << (SIGXFSZ - 1)) | \
		       (1ull << (SIGSYS - 1)))

bool coredump_signal(int sig)
{
	return sig >= 1 && sig <= 64 && (SIG_CORE_MASK >> (sig - 1)) & 1;
}

static size_t note_size(size_t desc) { return 12 + 8 + ((desc + 3) & ~3ul); }

/* Appends a note named "CORE" at *pos in buf. */
static void put_note(uint8_t *buf, size_t *pos, uint32_t type, const void *desc, size_t len)
{
	uint32_t h[3] = { 5, (uint32_t)len, type };

	memcpy(buf + *pos, h, 12);
	memcpy(buf + *pos + 12, "CORE\0\0\0", 8);
	memcpy(buf + *pos + 20, desc, len);
	*pos += note_size(len);
}

/* Writes all of buf; false on an error or a short write. */
struct core_out {
	struct file *f;
	uint64_t written, limit;
	bool ok;
};

static void emit(struct core_out *o, const void *buf, size_t len)
{
	struct uio u;
	long n;

	if (!o->ok)
		return;
	if (len > o->limit - o->written) {
		o->ok = false;        /* RLIMIT_CORE: Linux stops the dump there */
		return;
	}
	uio_init_kernel(&u, (void *)buf, len);
	n = vfs_write(o->f, &u);
	if (n != (long)len)
		o->ok = false;
	else
		o->written += len;
}

/* NT_FPREGSET: Linux's user_i387_struct, the FXSAVE image (512 bytes) of
 * the calling thread's registers. XSAVE leaves a component the thread
 * never touched as it was (its XSTATE_BV bit clear): it reads as the
 * initial state, as Linux fills it in. */
#define FPREGS_SIZE 512
static void fpregs_of(struct thread *t, uint8_t out[FPREGS_SIZE])
{
	uint64_t bv = ~0ull;

	fpu_save(t->fpu);
	memcpy(out, t->fpu, FPREGS_SIZE);
	if (fpu_uses_xsave())
		memcpy(&bv, (uint8_t *)t->fpu + FPREGS_SIZE, sizeof(bv));
	if (!(bv & 1)) {               /* x87: FCW 0x37f, the rest 0 */
		memset(out, 0, 24);
		memset(out + 32, 0, 128);
		out[0] = 0x7f;
		out[1] = 0x03;
	}
	if (!(bv & 2))                 /* SSE: xmm0-15 0 (MXCSR is always saved) */
		memset(out + 160, 0, 256);
}

/* The notes of the calling thread (it is the one that took sig). */
static uint8_t *build_notes(struct process *p, struct thread *t, int sig,
			    const struct ksiginfo *info, size_t *len)
{
	struct vm_space *vm = p->vm;
	struct core_prstatus st;
	struct core_prpsinfo ps;
	struct linux_siginfo si;
	size_t auxv_len = vm->auxv_end - vm->auxv_start, pos = 0, argl;
	uint8_t *buf, *auxv = 0, *fpregs;

	if (vm->auxv_end < vm->auxv_start || auxv_len > 4096)
		auxv_len = 0;
	*len = note_size(sizeof(st)) + note_size(FPREGS_SIZE) + note_size(sizeof(ps)) +
	       note_size(sizeof(si)) + note_size(auxv_len);
	buf = kzalloc(*len + auxv_len + FPREGS_SIZE);
	if (!buf)
		return 0;
	auxv = buf + *len;
	fpregs = auxv + auxv_len;
	fpregs_of(t, fpregs);
	if (auxv_len && vm_copy_from(vm, vm->auxv_start, auxv, auxv_len))
		auxv_len = 0;

	memset(&st, 0, sizeof(st));
	st.si_signo = sig;
	st.si_code = info->code;
	st.si_errno = info->err;
	st.cursig = (int16_t)sig;
	st.sigpend = t->sig->pending.set;
	st.sighold = t->sig_blocked;
	process_table_lock();
	st.pid = t->tid;
	st.ppid = p->parent ? p->parent->pid : 0;
	st.pgrp = p->pgid;
	st.sid = p->sid;
	memset(&ps, 0, sizeof(ps));
	ps.state = 0;                 /* R */
	ps.sname = 'R';
	ps.uid = p->cred.uid;
	ps.gid = p->cred.gid;
	ps.pid = p->pid;
	ps.ppid = st.ppid;
	ps.pgrp = p->pgid;
	ps.sid = p->sid;
	memcpy(ps.fname, p->name, sizeof(p->name) < sizeof(ps.fname) ? sizeof(p->name) : sizeof(ps.fname));
	ps.fname[sizeof(ps.fname) - 1] = 0;
	process_table_unlock();
	coreregs_from_frame(st.reg, uthread_frame(t), &t->tls);

	/* psargs: the command line, its NULs as spaces, as Linux */
	argl = vm->arg_end > vm->arg_start ? vm->arg_end - vm->arg_start : 0;
	if (argl > sizeof(ps.psargs) - 1)
		argl = sizeof(ps.psargs) - 1;
	if (argl && vm_copy_from(vm, vm->arg_start, ps.psargs, argl) == 0) {
		for (size_t i = 0; i < argl; i++)
			if (!ps.psargs[i])
				ps.psargs[i] = ' ';
		while (argl && ps.psargs[argl - 1] == ' ')
			ps.psargs[--argl] = 0;
	} else {
		memset(ps.psargs, 0, sizeof(ps.psargs));
	}

	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_errno = info->err;
	si.si_code = info->code;
	if (info->code > 0 && info->code != SI_KERNEL) {
		si.u.fault.addr = info->addr;
	} else {
		si.u.kill.pid = info->pid;
		si.u.kill.uid = info->uid;
		si.u.kill.value = info->addr;
	}

	/* Linux's order: the thread's NT_PRSTATUS, the process's notes, the
	 * thread's other notes */
	put_note(buf, &pos, NT_PRSTATUS, &st, sizeof(st));
	put_note(buf, &pos, NT_PRPSINFO, &ps, sizeof(ps));
	put_note(buf, &pos, NT_SIGINFO, &si, sizeof(si));
	put_note(buf, &pos, NT_AUXV, auxv, auxv_len);
	put_note(buf, &pos, NT_FPREGSET, fpregs, FPREGS_SIZE);
	*len = pos;
	return buf;
}

/* Writes the file through o: 0, or a negative errno. */
static int write_core(struct core_out *o, struct process *p, struct thread *t, int sig,
		      const struct ksiginfo *info)
{
	struct vm_space *vm = p->vm;
	struct vm_dump_region *r = 0;
	unsigned n = vm_dump_regions(vm, 0, 0), got;
	uint8_t *notes = 0, *page = 0;
	Elf64_Phdr *ph = 0;
	uint64_t off, data;
	size_t notes_len;
	Elf64_Ehdr eh;
	int err = -ENOMEM;

	if (n > CORE_MAX_LOADS)
		n = CORE_MAX_LOADS;
	r = kmalloc((n ? n : 1) * sizeof(*r));
	ph = kzalloc((n + 1) * sizeof(*ph));
	page = kmalloc(CORE_PAGE);
	notes = build_notes(p, t, sig, info, &notes_len);
	if (!r || !ph || !page || !notes)
		goto out;
	got = vm_dump_regions(vm, r, n);
	if (got < n)
		n = got;

	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, "\177ELF", 4);
	eh.e_ident[4] = ELFCLASS64;
	eh.e_ident[5] = ELFDATA2LSB;
	eh.e_ident[6] = EV_CURRENT;
	eh.e_type = ET_CORE;
	eh.e_machine = COREREGS_MACHINE;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = sizeof(eh);
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = (uint16_t)(n + 1);

	off = sizeof(eh) + (n + 1) * sizeof(Elf64_Phdr);
	ph[0] = (Elf64_Phdr){ .p_type = PT_NOTE, .p_offset = off, .p_filesz = notes_len };
	data = (off + notes_len + CORE_PAGE - 1) & ~(CORE_PAGE - 1);
	for (unsigned i = 0; i < n; i++) {
		ph[i + 1] = (Elf64_Phdr){
			.p_type = PT_LOAD, .p_offset = data, .p_vaddr = r[i].start,
			.p_filesz = r[i].dump, .p_memsz = r[i].end - r[i].start, .p_align = CORE_PAGE,
			.p_flags = (r[i].prot & PROT_READ ? PF_R : 0) | (r[i].prot & PROT_WRITE ? PF_W : 0) |
				   (r[i].prot & PROT_EXEC ? PF_X : 0),
		};
		data += r[i].dump;
	}

	emit(o, &eh, sizeof(eh));
	emit(o, ph, (n + 1) * sizeof(Elf64_Phdr));
	emit(o, notes, notes_len);
	memset(page, 0, CORE_PAGE);
	off += notes_len;
	emit(o, page, ((off + CORE_PAGE - 1) & ~(CORE_PAGE - 1)) - off);
	for (unsigned i = 0; i < n && o->ok; i++)
		for (uint64_t a = r[i].start; a < r[i].start + r[i].dump && o->ok; a += CORE_PAGE) {
			vm_dump_page(vm, a, page);
			emit(o, page, CORE_PAGE);
		}
	err = o->ok ? 0 : -EIO;
out:
	kfree(notes);
	kfree(page);
	kfree(ph);
	kfree(r);
	return err;
}

/* kernel.core_pattern, under pattern_lock (a spinlock). */
static struct spinlock pattern_lock = SPINLOCK_INIT("core_pattern");
static char core_pattern[CORE_PATTERN_MAX] = "core";

void coredump_pattern_get(char out[CORE_PATTERN_MAX])
{
	uint64_t f = spin_lock_irqsave(&pattern_lock);

	memcpy(out, core_pattern, CORE_PATTERN_MAX);
	spin_unlock_irqrestore(&pattern_lock, f);
}

long coredump_pattern_set(const char *buf, size_t len)
{
	size_t n = 0;
	uint64_t f;

	while (n < len && n < CORE_PATTERN_MAX - 1 && buf[n] && buf[n] != '\n')
		n++;
	if (n && buf[0] == '|')
		return -EINVAL;
	f = spin_lock_irqsave(&pattern_lock);
	memcpy(core_pattern, buf, n);
	core_pattern[n] = 0;
	spin_unlock_irqrestore(&pattern_lock, f);
	return (long)len;
}

/* The core file's name for the calling thread's process from the pattern
 * into out (PATH_MAX): its length, or -ENAMETOOLONG. */
static long core_name(char *out, struct process *p, struct thread *t, int sig)
{
	char pattern[CORE_PATTERN_MAX], name[PROC_NAME_MAX];
	const struct cred *c = cred_current();
	size_t n = 0;

	coredump_pattern_get(pattern);
	process_lock(p);
	memcpy(name, p->name, sizeof(name));
	mutex_unlock(&p->lock);
	name[sizeof(name) - 1] = 0;
	for (const char *s = pattern; *s && n < PATH_MAX; s++) {
		char one[2] = { *s, 0 };
		long long v = 0;
		const char *text = one;
		char num[24];

		if (*s == '%') {
			switch (*++s) {
			case 'p': v = p->pid; break;
			case 'i': v = t->tid; break;
			case 'u': v = c->uid; break;
			case 'g': v = c->gid; break;
			case 's': v = sig; break;
			case 't': v = vfs_now().sec; break;
			case 'e': text = name; break;
			case '%': break;
			case 0: s--; continue;       /* a lone % at the end */
			default: continue;           /* unknown: both vanish */
			}
			if (*s != 'e' && *s != '%') {
				fmt_snprintf(num, sizeof(num), "%lld", v);
				text = num;
			}
		}
		for (; *text && n < PATH_MAX; text++)
			/* a name is one path component, as Linux's cn_esc_printf */
			out[n++] = *s == 'e' && *text == '/' ? '!' : *text;
	}
	if (n >= PATH_MAX)
		return -ENAMETOOLONG;
	out[n] = 0;
	return (long)n;
}

/* Dumps the calling thread's process: true when the whole file was
 * written. */
static bool dump(int sig, const struct ksiginfo *info)
{
	struct thread *t = thread_current();
	struct process *p = t->proc;
	struct core_out o = { .ok = true };
	char buf[16], *name;
	int err;

	process_table_lock();
	o.limit = p->rlim[RLIMIT_CORE].rlim_cur;
	process_table_unlock();
	if (o.limit < CORE_PAGE || !p->vm || !p->fs || !process_flag(p, &p->dumpable))
		return false;
	name = kmalloc(PATH_MAX);
	if (!name)
		return false;
	err = (int)core_name(name, p, t, sig);
	if (err >= 0 && !name[0])
		err = -ENOENT;       /* an empty pattern: no core, as Linux */
	if (err >= 0) {
		/* as Linux: a file already there is replaced, never written
		 * through (O_EXCL and O_NOFOLLOW: no symlink or hard link
		 * leads elsewhere) */
		(void)vfs_unlinkat(0, name, 0);
		err = vfs_openat(0, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_LARGEFILE, 0600,
				 &o.f);
	}
	if (err == 0) {
		err = write_core(&o, p, t, sig, info);
		file_put(o.f);
	}
	log_info("proc: pid %d (%s) %s: core %s (%d)", p->pid, p->name, signal_name(sig, buf),
		 err ? "not written" : "dumped", err);
	kfree(name);
	return err == 0;
}

void coredump_exit(int sig, const struct ksiginfo *info)
{
	struct process *p = process_current();
	int status = W_EXITCODE(0, sig);
	bool first;

	/* the process ends first, so its other threads leave ring 3 and
	 * nothing else ends it with another status while the file is
	 * written; this thread stays, so the address space and the working
	 * directory stay too */
	process_table_lock();
	first = !p->exiting;
	process_kill_locked(p, status);
	process_table_unlock();
	if (first && coredump_signal(sig) && dump(sig, info)) {
		process_table_lock();
		if (p->exit_status == status)
			p->exit_status |= 0x80;       /* WCOREDUMP */
		process_table_unlock();
	}
	thread_exit(0);
}
