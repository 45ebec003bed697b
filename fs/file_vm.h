/* An open file as the backing of a memory mapping: mmap's file mappings
 * (sys/mem.c) and exec's mappings of program text (kernel/exec). */
#ifndef FS_FILE_VM_H
#define FS_FILE_VM_H

struct file;
struct vm_file;

/* f as vm_mmap's file (its pager, and its open mode as the rights);
 * marks the inode mapped, so a truncation after this unmaps. */
void file_vm(struct file *f, struct vm_file *vf);

#endif
