/* Shared helpers of the cosmfs host tools (tool.h). */
#include <fs/cosmfs/tools/tool.h>
#include <cosmos/errno.h>
#include <string.h>
#include <stdlib.h>

bool tool_parse_size(const char *s, uint64_t *bytes)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	unsigned shift = 0;

	if (end == s)
		return false;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	}
	if (*end || (shift && v > (~0ull >> shift)))
		return false;
	*bytes = v << shift;
	return true;
}

struct cfs_time tool_now(void)
{
	struct cfs_time t;

	cfs_env_time(&t.sec, &t.nsec);
	return t;
}

int tool_resolve(struct cfs_fs *fs, const char *path, struct cfs_inode *dir,
		 struct cfs_inode *ip, const char **last, size_t *last_len)
{
	int err = cfs_iget(fs, CFS_ROOT_INO, ip);
	const char *p = path;

	if (err)
		return err;
	*dir = *ip;
	*last = "";
	*last_len = 0;
	while (*p) {
		const char *name;
		size_t len;
		uint64_t ino;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		name = p;
		while (*p && *p != '/')
			p++;
		len = (size_t)(p - name);
		if ((ip->d.mode & CFS_S_IFMT) != CFS_S_IFDIR)
			return -ENOTDIR;
		*dir = *ip;
		*last = name;
		*last_len = len;
		if (len > CFS_NAME_MAX)
			return -ENAMETOOLONG;
		err = cfs_dir_lookup(fs, dir, name, len, &ino, NULL);
		if (err) {
			const char *rest = p;

			while (*rest == '/')
				rest++;
			if (*rest)
				*last = NULL;    /* a directory on the way is missing */
			return err;
		}
		if ((err = cfs_iget(fs, ino, ip)))
			return err;
	}
	return 0;
}

const char *tool_strerror(int err)
{
	switch (-err) {
	case ENOENT: return "no such file or directory";
	case EEXIST: return "file exists";
	case ENOTDIR: return "not a directory";
	case EISDIR: return "is a directory";
	case ENOTEMPTY: return "directory not empty";
	case ENOSPC: return "no space left";
	case EROFS: return "read-only file system";
	case EINVAL: return "invalid argument";
	case EIO: return "input/output error";
	case ENOMEM: return "out of memory";
	case EUCLEAN: return "structure needs cleaning (corruption found)";
	case ENAMETOOLONG: return "name too long";
	case EMLINK: return "too many links";
	case EFBIG: return "file too large";
	default: return "error";
	}
}
