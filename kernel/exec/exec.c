/* execve (see exec.h): open, read the head, follow "#!" to the
 * interpreter, check the ELF headers (lib/elf_check), build the new
 * address space and its stack, then commit: end the other threads, swap
 * the address space, reset what exec resets, and point the user frame at
 * the entry. */
#include <kernel/exec/exec.h>
#include <cosmos/abi/auxv.h>
#include <cosmos/abi/fcntl.h>
#include <cosmos/abi/stat.h>
#include <cosmos/errno.h>
#include <fs/file.h>
#include <fs/file_vm.h>
#include <fs/fs_ctx.h>
#include <fs/inode.h>
#include <fs/vfs.h>
#include <hal/cpu_features.h>
#include <hal/fpu.h>
#include <hal/paging.h>
#include <kernel/exec/script.h>
#include <kernel/exec/stack.h>
#include <kernel/exec/vdso.h>
#include <kernel/log.h>
#include <kernel/mm/heap.h>
#include <kernel/mm/vm.h>
#include <kernel/proc/futex.h>
#include <kernel/proc/limits.h>
#include <kernel/proc/process.h>
#include <kernel/proc/ptimer.h>
#include <kernel/proc/robust.h>
#include <kernel/proc/signal.h>
#include <kernel/proc/uthread.h>
#include <kernel/random.h>
#include <lib/elf_check.h>
#include <lib/string.h>
#include <sys/uio.h>

#define HEAD_SIZE   4096            /* the ELF header and program headers must be here */
#define COPY_CHUNK  (16u << 10)
#define PLATFORM    "x86_64"

/* What exec learned about the program before committing to it. */
struct image {
	struct vm_space *vm;
	struct elf_info elf;
	uint64_t base;                  /* added to the file's addresses (static PIE) */
	uint64_t sp;
	uint64_t vdso;                  /* the vDSO's ELF header, 0 if none */
	unsigned phnum;
	bool setuid, setgid;
	uint32_t uid, gid;              /* the file's owner, for set-id programs */
};

/* A program's file stays unwritable while exec reads it and while any
 * address space runs it: opens for writing fail with -ETXTBSY (Linux). */
static void exe_hold(void *obj)
{
	struct file *f = obj;

	/* cannot fail: the caller's own hold keeps writers below zero */
	(void)inode_deny_write(f->inode);
	kobject_get(&f->obj);
}

static void exe_release(void *obj)
{
	struct file *f = obj;

	inode_allow_write(f->inode);
	file_put(f);
}

static const struct vm_exe_ops exe_ops = { .hold = exe_hold, .release = exe_release };

static long read_at(struct file *f, void *buf, size_t len, uint64_t off)
{
	struct uio u;

	uio_init_kernel(&u, buf, len);
	return vfs_pread(f, &u, (int64_t)off);
}

/* argv becomes: interpreter, [argument], the script's path, argv[1..]. */
static int script_args(struct exec_args *args, const char *interp, const char *arg,
		       const char *path)
{
	struct exec_args n;
	const char *s = exec_args_next(args, 0);
	size_t i = 0;
	int err;

	exec_args_init(&n, 0);
	n.limit = args->limit;
	err = exec_args_add(&n, interp, 0);
	if (!err && arg)
		err = exec_args_add(&n, arg, 0);
	if (!err)
		err = exec_args_add(&n, path, 0);
	for (; !err && s; s = exec_args_next(args, s), i++)
		if (i > 0)
			err = exec_args_add(&n, s, i >= args->argc);
	if (err) {
		exec_args_free(&n);
		return err;
	}
	exec_args_free(args);
	*args = n;
	return 0;
}

static unsigned prot_of(uint32_t flags)
{
	return (flags & PF_R ? PROT_READ : 0) | (flags & PF_W ? PROT_WRITE : 0) |
	       (flags & PF_X ? PROT_EXEC : 0);
}

/* Maps one PT_LOAD. A segment that is never written and has no zeroed
 * tail (text, read-only data) is a private mapping of the file, so every
 * process running the program shares the file's page frames (the file
 * cannot change meanwhile: ETXTBSY). Any other: anonymous memory, the
 * file's bytes copied in, then the segment's own rights (W^X: never both
 * while copying). */
static int load_segment(struct file *f, struct vm_space *vm, const Elf64_Phdr *ph,
			uint64_t base, void *bounce)
{
	uint64_t start = (base + ph->p_vaddr) & ~(PAGE_SIZE - 1);
	uint64_t end = (base + ph->p_vaddr + ph->p_memsz + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	struct vm_file vf;
	long r;

	file_vm(f, &vf);
	if (vf.ops && !(ph->p_flags & PF_W) && ph->p_filesz == ph->p_memsz &&
	    (ph->p_offset & (PAGE_SIZE - 1)) == ((base + ph->p_vaddr) & (PAGE_SIZE - 1))) {
		r = vm_mmap(vm, start, end - start, prot_of(ph->p_flags), MAP_PRIVATE | MAP_FIXED,
			    &vf, ph->p_offset & ~(PAGE_SIZE - 1));
		return r < 0 ? (int)r : 0;
	}
	r = vm_mmap(vm, start, end - start, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, 0, 0);
	if (r < 0)
		return (int)r;
	for (uint64_t done = 0; done < ph->p_filesz;) {
		uint64_t want = ph->p_filesz - done < COPY_CHUNK ? ph->p_filesz - done : COPY_CHUNK;
		long n = read_at(f, bounce, want, ph->p_offset + done);

		if (n < 0)
			return (int)n;
		if (n == 0)
			return -EIO;          /* the file shrank under us */
		if (vm_copy_to(vm, base + ph->p_vaddr + done, bounce, (size_t)n))
			return -ENOMEM;
		done += (uint64_t)n;
	}
	return vm_mprotect(vm, start, end - start, prot_of(ph->p_flags));
}

/* The load base of a static PIE: the space's randomized one, aligned as
 * the segments ask (at most 2 MiB). */
static uint64_t pie_base(const struct vm_space *vm, const void *head, const struct elf_info *e)
{
	const Elf64_Ehdr *eh = head;
	uint64_t align = PAGE_SIZE;

	for (unsigned i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = elf_phdr(head, i);

		if (ph->p_type == PT_LOAD && ph->p_align > align && ph->p_align <= (2u << 20) &&
		    !(ph->p_align & (ph->p_align - 1)))
			align = ph->p_align;
	}
	return ((vm->pie_base + align - 1) & ~(align - 1)) - e->vaddr_lo;
}

static int load_elf(struct file *f, void *head, long n, struct image *im)
{
	struct process *p = process_current();
	static const struct elf_limits lim = {
		.vaddr_min = VM_USER_MIN, .vaddr_max = VM_USER_TOP,
		.max_memsz = VM_USER_TOP - VM_USER_MIN, .allow_dyn = 1,
	};
	struct vm_limits vl;
	const Elf64_Ehdr *eh = head;
	struct stat st;
	void *bounce;
	int err;

	err = vfs_fstat(f, &st);
	if (err)
		return err;
	err = elf_check_head(head, (size_t)n, (uint64_t)st.st_size,
			     (eh->e_type == ET_DYN) ? &(struct elf_limits){ 0, VM_USER_TOP - VM_USER_MIN,
									  VM_USER_TOP - VM_USER_MIN, 1 }
						    : &lim,
			     &im->elf);
	if (err == ELF_EINTERP)
		log_info("exec: %s is dynamically linked (PT_INTERP); only static programs run",
			 p->name);
	if (err)
		return -ENOEXEC;
	if (im->elf.exec_stack) {
		log_info("exec: refusing a program that asks for an executable stack (W^X)");
		return -EACCES;
	}
	if (!(f->path.mnt && (f->path.mnt->flags & MNT_NOSUID)) &&
	    !process_flag(p, &p->no_new_privs)) {        /* prctl's no_new_privs */
		im->setuid = (st.st_mode & S_ISUID) != 0;
		im->setgid = (st.st_mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP);
		im->uid = st.st_uid;
		im->gid = st.st_gid;
	}
	im->phnum = eh->e_phnum;
	limits_vm(p, &vl);
	im->vm = vm_create(&vl);
	if (!im->vm)
		return -ENOMEM;
	vm_set_exe(im->vm, &exe_ops, f);
	im->base = im->elf.type == ET_DYN ? pie_base(im->vm, head, &im->elf) : 0;
	if (im->base + im->elf.vaddr_hi > VM_USER_TOP || im->base + im->elf.vaddr_lo < VM_USER_MIN)
		return -ENOMEM;
	bounce = kmalloc(COPY_CHUNK);
	if (!bounce)
		return -ENOMEM;
	for (unsigned i = 0; i < eh->e_phnum && !err; i++) {
		const Elf64_Phdr *ph = elf_phdr(head, i);

		if (ph->p_type == PT_LOAD)
			err = load_segment(f, im->vm, ph, im->base, bounce);
	}
	kfree(bounce);
	if (!err)
		err = vm_brk_init(im->vm, im->base + im->elf.vaddr_hi);
	if (!err)
		err = vm_stack_create(im->vm);
	if (!err) {
		long vdso = vdso_map(im->vm);

		if (vdso < 0)
			err = (int)vdso;
		else
			im->vdso = (uint64_t)vdso;
	}
	return err;
}

/* The new credentials: set-id bits take effect (when the mount allows). */
static struct cred new_cred(const struct cred *old, const struct image *im)
{
	struct cred c = *old;

	if (im->setuid)
		c.euid = im->uid;
	if (im->setgid)
		c.egid = im->gid;
	c.suid = c.fsuid = c.euid;
	c.sgid = c.fsgid = c.egid;
	return c;
}

static int build_stack(struct image *im, const struct exec_args *args, const char *execfn,
		       const struct cred *c)
{
	uint64_t aux[][2] = {
		{ AT_PHDR, im->elf.phdr_vaddr ? im->base + im->elf.phdr_vaddr : 0 },
		{ AT_PHENT, sizeof(Elf64_Phdr) },
		{ AT_PHNUM, im->phnum },
		{ AT_PAGESZ, PAGE_SIZE },
		{ AT_BASE, 0 },
		{ AT_FLAGS, 0 },
		{ AT_ENTRY, im->base + im->elf.entry },
		{ AT_UID, c->uid },
		{ AT_EUID, c->euid },
		{ AT_GID, c->gid },
		{ AT_EGID, c->egid },
		{ AT_SECURE, c->uid != c->euid || c->gid != c->egid },
		{ AT_HWCAP, cpu_features_hwcap() },
		{ AT_HWCAP2, 0 },
		{ AT_CLKTCK, ABI_CLK_TCK },
		{ AT_MINSIGSTKSZ, fpu_state_size() + 1024 },
		{ im->vdso ? AT_SYSINFO_EHDR : AT_IGNORE, im->vdso },
	};
	struct exec_stack_layout l;
	uint8_t rnd[EXEC_STACK_RANDOM];
	void *table;
	int err;

	err = exec_stack_plan(im->vm->stack_top, args->len, args->argc, args->envc, strlen(execfn),
			      strlen(PLATFORM), sizeof(aux) / sizeof(aux[0]),
			      args->limit + 2 * PAGE_SIZE, &l);
	if (err)
		return err;
	table = kmalloc(l.table_size);
	if (!table)
		return -ENOMEM;
	err = exec_stack_table(table, &l, args->buf, args->len, args->argc, args->envc, aux,
			       sizeof(aux) / sizeof(aux[0]));
	random_bytes(rnd, sizeof(rnd));
	if (!err && (vm_copy_to(im->vm, l.strings, args->buf, args->len) ||
		     vm_copy_to(im->vm, l.execfn, execfn, strlen(execfn) + 1) ||
		     vm_copy_to(im->vm, l.platform, PLATFORM, sizeof(PLATFORM)) ||
		     vm_copy_to(im->vm, l.random, rnd, sizeof(rnd)) ||
		     vm_copy_to(im->vm, l.sp, table, l.table_size)))
		err = -ENOMEM;
	kfree(table);
	im->sp = l.sp;
	if (!err) {
		size_t argv_len = 0;
		const char *s = 0;

		for (size_t i = 0; i < args->argc && (s = exec_args_next(args, s)); i++)
			argv_len += strlen(s) + 1;
		im->vm->arg_start = l.strings;
		im->vm->arg_end = im->vm->env_start = l.strings + argv_len;
		im->vm->env_end = l.strings + args->len;
		im->vm->auxv_end = l.sp + l.table_size;
		im->vm->auxv_start = im->vm->auxv_end - l.naux * 16;
	}
	return err;
}

/* Ends every other thread of p and waits for them: 0, or -EINTR when p is
 * being killed itself. */
static int end_other_threads(struct process *p, struct thread *me)
{
	int err = 0;

	process_table_lock();
	if (p->exiting) {
		process_table_unlock();
		return -EINTR;
	}
	if (p->nthreads > 1) {
		p->execer = me;
		list_for_each(n, &p->threads) {
			struct thread *t = list_entry(n, struct thread, proc_node);

			if (t != me)
				thread_interrupt(t);
		}
		waitq_wake_all(&p->stop_wq);   /* stopped ones leave too */
		while (p->nthreads > 1 && !p->exiting && !err)
			err = process_table_wait(p);
		p->execer = 0;
		if (p->exiting)
			err = -EINTR;
	}
	/* The one thread left is the process: it takes the pid as its tid
	 * (as Linux's exec from a thread other than the first). */
	if (!err)
		me->tid = p->pid;
	process_table_unlock();
	return err;
}

static const char *basename(const char *path)
{
	const char *b = strrchr(path, '/');

	return b && b[1] ? b + 1 : path;
}

static char *strdup_k(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = kmalloc(n);

	if (d)
		memcpy(d, s, n);
	return d;
}

/* The point of no return: the new image replaces the old one. */
static void commit(struct process *p, struct thread *me, struct image *im, const char *name,
		   char *exe, const struct cred *c, struct trap_frame *frame)
{
	struct vm_space *old;
	struct completion *vfork_done;
	uint32_t zero = 0;
	bool ids_changed;

	/* The old image's robust locks are given up (as Linux's exec) and
	 * its clear-child-tid (a vfork child's parent may wait on it) is
	 * done now, while the old space is still there. */
	robust_list_exit(me);
	if (me->clear_child_tid && p->vm &&
	    vm_copy_to(p->vm, me->clear_child_tid, &zero, sizeof(zero)) == 0)
		(void)futex_wake(p->vm, me->clear_child_tid, false, 1, ~0u);
	me->clear_child_tid = 0;

	process_lock(p);
	ids_changed = !cred_same_acting_ids(&p->cred, c);
	old = p->vm;
	p->vm = im->vm;
	me->aspace = im->vm->root;
	paging_activate(im->vm->root);
	cred_write_begin(p);
	p->cred = *c;
	cred_write_end(p);
	/* Linux with suid_dumpable 0: a program run with other ids than the
	 * caller's leaves no core and its /proc files are root's */
	p->dumpable = c->euid == c->uid && c->egid == c->gid;
	strlcpy(p->name, name, sizeof(p->name));
	strlcpy(me->name, name, PROC_NAME_MAX);
	kfree(p->exe);
	p->exe = exe;
	mutex_unlock(&p->lock);
	if (old)
		vm_put(old);

	handle_table_close_on_exec(p->files);
	sighand_reset_caught(p->sighand);
	ptimer_delete_all(p);   /* POSIX: exec deletes the timers */
	me->sig->ss_sp = me->sig->ss_size = 0;   /* the old image's alternate stack */
	me->sig->ss_flags = 0;
	me->tls = (struct usermode_tls){ 0, 0 };
	usermode_load_tls(&me->tls);
	uthread_fpu_reset();

	process_table_lock();
	vfork_done = p->vfork_done;
	p->vfork_done = 0;
	p->did_exec = true;
	if (ids_changed)
		p->pdeath_sig = 0;      /* as a set*id call (kernel/proc/cred.c) */
	process_table_unlock();
	if (vfork_done)
		complete(vfork_done);

	usermode_frame_init(frame, im->base + im->elf.entry, im->sp);
}

static int exec_run(const struct path *dir, const char *path, unsigned at_flags,
		    const char *execfn, const char *name, struct exec_args *args,
		    struct trap_frame *frame, unsigned depth)
{
	struct process *p = process_current();
	struct thread *me = thread_current();
	struct image im = { 0 };
	struct file *f;
	struct cred c;
	char *head, *exe = 0;
	long n;
	int err;

	err = vfs_open_exec(dir, path, at_flags, &f);
	if (err)
		return err;
	err = inode_deny_write(f->inode);     /* -ETXTBSY: open for writing */
	if (err) {
		file_put(f);
		return err;
	}
	head = kmalloc(HEAD_SIZE);
	if (!head) {
		exe_release(f);
		return -ENOMEM;
	}
	n = read_at(f, head, HEAD_SIZE - 1, 0);   /* a byte to spare for script.c */
	if (n < 0) {
		err = (int)n;
	} else if (n >= 2 && head[0] == '#' && head[1] == '!') {
		char *interp, *arg;

		err = depth >= EXEC_SCRIPT_DEPTH ? -ELOOP
						 : exec_script_parse(head, (size_t)n, &interp, &arg);
		if (!err)
			err = script_args(args, interp, arg, path);
		exe_release(f);
		f = 0;
		if (!err)
			err = exec_run(0, interp, 0, execfn, name, args, frame, depth + 1);
	} else {
		err = load_elf(f, head, n, &im);
		c = new_cred(&p->cred, &im);
		if (!err)
			err = build_stack(&im, args, execfn, &c);
		if (!err && !(exe = strdup_k(path)))
			err = -ENOMEM;
		if (!err)
			err = end_other_threads(p, me);
		if (!err)
			commit(p, me, &im, name, exe, &c, frame);
		else if (im.vm)
			vm_put(im.vm);
		if (err)
			kfree(exe);
	}
	if (f)
		exe_release(f);
	kfree(head);
	return err;
}

int exec_path(const struct path *dir, const char *path, unsigned at_flags, const char *execfn,
	      struct exec_args *args, struct trap_frame *frame)
{
	char name[PROC_NAME_MAX];

	if (!path[0] && !(at_flags & AT_EMPTY_PATH))
		return -ENOENT;
	strlcpy(name, basename(execfn), sizeof(name));
	return exec_run(dir, path, at_flags, execfn, name, args, frame, 0);
}
