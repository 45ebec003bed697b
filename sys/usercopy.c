/* User memory access (see usercopy.h): the range check, then hal's
 * primitives. A fault inside a primitive first goes to the address space
 * (demand paging, copy-on-write and stack growth may resolve it, and the
 * access is retried); one it cannot resolve returns through the
 * primitive's fixup as a short copy (kernel/exception.c). */
#include <sys/usercopy.h>
#include <cosmos/errno.h>
#include <hal/usercopy.h>
#include <hal/usermode.h>

bool user_range_ok(uptr_t p, size_t n)
{
	return p.addr < USERMODE_TOP && n <= USERMODE_TOP - p.addr;
}

size_t copy_from_user_part(void *dst, uptr_t src, size_t n)
{
	if (!user_range_ok(src, n))
		return 0;
	return n - usercopy_copy(dst, (const void *)src.addr, n);
}

size_t copy_to_user_part(uptr_t dst, const void *src, size_t n)
{
	if (!user_range_ok(dst, n))
		return 0;
	return n - usercopy_copy((void *)dst.addr, src, n);
}

size_t clear_user_part(uptr_t dst, size_t n)
{
	if (!user_range_ok(dst, n))
		return 0;
	return n - usercopy_clear((void *)dst.addr, n);
}

int copy_from_user(void *dst, uptr_t src, size_t n)
{
	return copy_from_user_part(dst, src, n) == n ? 0 : -EFAULT;
}

int copy_to_user(uptr_t dst, const void *src, size_t n)
{
	return copy_to_user_part(dst, src, n) == n ? 0 : -EFAULT;
}

int clear_user(uptr_t dst, size_t n)
{
	return clear_user_part(dst, n) == n ? 0 : -EFAULT;
}

long strncpy_from_user(char *dst, uptr_t src, size_t size)
{
	long len;

	if (size == 0)
		return -ENAMETOOLONG;
	/* The string may end anywhere in the user half; only the part that
	 * lies there can be read. */
	if (src.addr >= USERMODE_TOP)
		return -EFAULT;
	if (size > USERMODE_TOP - src.addr)
		size = USERMODE_TOP - src.addr;
	len = usercopy_strncpy(dst, (const char *)src.addr, size);
	if (len < 0)
		return -EFAULT;
	if ((size_t)len == size) {
		/* no NUL: either the size or the user half ran out */
		dst[size - 1] = 0;
		return src.addr + size == USERMODE_TOP ? -EFAULT : -ENAMETOOLONG;
	}
	return len;
}

int cmpxchg_user32(uptr_t p, uint32_t *old, uint32_t new)
{
	if ((p.addr & 3) || !user_range_ok(p, sizeof(uint32_t)))
		return -EFAULT;
	return usercopy_cmpxchg32((uint32_t *)p.addr, old, new) ? -EFAULT : 0;
}
