/* The page-table audit's way through the address spaces of processes
 * (kernel/audit.h): each living process's space in pid order, walked
 * under the space's lock, which guards its user half. A space that
 * CLONE_VM shares is walked once for each process using it. */
#include <kernel/audit.h>
#include <kernel/mm/vm.h>
#include <kernel/proc/internal.h>
#include <lib/fmt.h>

static unsigned each_space(audit_space_fn fn, void *ctx)
{
	char name[PROC_NAME_MAX], label[PROC_NAME_MAX + 16];
	struct vm_space *vm;
	unsigned sum = 0;
	int pid = 0;

	/* One process at a time, by pid, so no lock of the process table is
	 * held while a space is walked; processes that come and go meanwhile
	 * are walked or not. */
	while ((vm = process_next_vm(pid, &pid, name))) {
		fmt_snprintf(label, sizeof(label), "pid %d (%s)", pid, name);
		if (mutex_lock(&vm->lock) == 0) {
			sum += fn(vm->root, label, ctx);
			mutex_unlock(&vm->lock);
		}
		vm_put(vm);
	}
	return sum;
}

void process_audit_init(void)
{
	audit_set_iterator(each_space);
}
