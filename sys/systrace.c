/* systrace=all|PID|NAME: every system call of the chosen processes on the
 * log, strace-like: "systrace: 7 (ls) openat(AT_FDCWD, "/etc", O_RDONLY|
 * O_CLOEXEC) = 3". Arguments are decoded before the call (an exec
 * replaces the memory they point into) and printed with the result. */
#include <sys/sys.h>
#include <cosmos/abi/fcntl.h>
#include <cosmos/errno.h>
#include <stdarg.h>
#include <kernel/log.h>
#include <kernel/mm/heap.h>
#include <kernel/proc/process.h>
#include <kernel/proc/signal.h>
#include <lib/fmt.h>
#include <lib/string.h>
#include <sys/usercopy.h>

#define LINE_MAX_CHARS 512
#define STR_SHOW 48

/* Set once at boot by systrace_init. */
bool systrace_active;
static enum { TRACE_ALL, TRACE_PID, TRACE_NAME } mode;
static int trace_pid;
static char trace_name[PROC_NAME_MAX];

static const char *const errno_names[] = {
	[1] = "EPERM", [2] = "ENOENT", [3] = "ESRCH", [4] = "EINTR", [5] = "EIO", [6] = "ENXIO",
	[7] = "E2BIG", [8] = "ENOEXEC", [9] = "EBADF", [10] = "ECHILD", [11] = "EAGAIN",
	[12] = "ENOMEM", [13] = "EACCES", [14] = "EFAULT", [15] = "ENOTBLK", [16] = "EBUSY",
	[17] = "EEXIST", [18] = "EXDEV", [19] = "ENODEV", [20] = "ENOTDIR", [21] = "EISDIR",
	[22] = "EINVAL", [23] = "ENFILE", [24] = "EMFILE", [25] = "ENOTTY", [26] = "ETXTBSY",
	[27] = "EFBIG", [28] = "ENOSPC", [29] = "ESPIPE", [30] = "EROFS", [31] = "EMLINK",
	[32] = "EPIPE", [33] = "EDOM", [34] = "ERANGE", [35] = "EDEADLK", [36] = "ENAMETOOLONG",
	[37] = "ENOLCK", [38] = "ENOSYS", [39] = "ENOTEMPTY", [40] = "ELOOP", [42] = "ENOMSG",
	[43] = "EIDRM", [44] = "ECHRNG", [45] = "EL2NSYNC", [46] = "EL3HLT", [47] = "EL3RST",
	[48] = "ELNRNG", [49] = "EUNATCH", [50] = "ENOCSI", [51] = "EL2HLT", [52] = "EBADE",
	[53] = "EBADR", [54] = "EXFULL", [55] = "ENOANO", [56] = "EBADRQC", [57] = "EBADSLT",
	[59] = "EBFONT", [60] = "ENOSTR", [61] = "ENODATA", [62] = "ETIME", [63] = "ENOSR",
	[64] = "ENONET", [65] = "ENOPKG", [66] = "EREMOTE", [67] = "ENOLINK", [68] = "EADV",
	[69] = "ESRMNT", [70] = "ECOMM", [71] = "EPROTO", [72] = "EMULTIHOP", [73] = "EDOTDOT",
	[74] = "EBADMSG", [75] = "EOVERFLOW", [76] = "ENOTUNIQ", [77] = "EBADFD", [78] = "EREMCHG",
	[79] = "ELIBACC", [80] = "ELIBBAD", [81] = "ELIBSCN", [82] = "ELIBMAX", [83] = "ELIBEXEC",
	[84] = "EILSEQ", [85] = "ERESTART", [86] = "ESTRPIPE", [87] = "EUSERS", [88] = "ENOTSOCK",
	[89] = "EDESTADDRREQ", [90] = "EMSGSIZE", [91] = "EPROTOTYPE", [92] = "ENOPROTOOPT",
	[93] = "EPROTONOSUPPORT", [94] = "ESOCKTNOSUPPORT", [95] = "EOPNOTSUPP",
	[96] = "EPFNOSUPPORT", [97] = "EAFNOSUPPORT", [98] = "EADDRINUSE", [99] = "EADDRNOTAVAIL",
	[100] = "ENETDOWN", [101] = "ENETUNREACH", [102] = "ENETRESET", [103] = "ECONNABORTED",
	[104] = "ECONNRESET", [105] = "ENOBUFS", [106] = "EISCONN", [107] = "ENOTCONN",
	[108] = "ESHUTDOWN", [109] = "ETOOMANYREFS", [110] = "ETIMEDOUT", [111] = "ECONNREFUSED",
	[112] = "EHOSTDOWN", [113] = "EHOSTUNREACH", [114] = "EALREADY", [115] = "EINPROGRESS",
	[116] = "ESTALE", [117] = "EUCLEAN", [118] = "ENOTNAM", [119] = "ENAVAIL", [120] = "EISNAM",
	[121] = "EREMOTEIO", [122] = "EDQUOT", [123] = "ENOMEDIUM", [124] = "EMEDIUMTYPE",
	[125] = "ECANCELED", [126] = "ENOKEY", [127] = "EKEYEXPIRED", [128] = "EKEYREVOKED",
	[129] = "EKEYREJECTED", [130] = "EOWNERDEAD", [131] = "ENOTRECOVERABLE", [132] = "ERFKILL",
	[133] = "EHWPOISON",
};

static const struct { uint32_t bit; const char *name; } oflag_names[] = {
	{ O_CREAT, "O_CREAT" }, { O_EXCL, "O_EXCL" }, { O_NOCTTY, "O_NOCTTY" },
	{ O_TRUNC, "O_TRUNC" }, { O_APPEND, "O_APPEND" }, { O_NONBLOCK, "O_NONBLOCK" },
	{ O_DSYNC, "O_DSYNC" }, { O_ASYNC, "O_ASYNC" }, { O_DIRECT, "O_DIRECT" },
	{ O_LARGEFILE, "O_LARGEFILE" }, { O_DIRECTORY, "O_DIRECTORY" },
	{ O_NOFOLLOW, "O_NOFOLLOW" }, { O_NOATIME, "O_NOATIME" }, { O_CLOEXEC, "O_CLOEXEC" },
	{ O_SYNC & ~O_DSYNC, "O_SYNC" }, { O_PATH, "O_PATH" }, { O_TMPFILE & ~O_DIRECTORY, "O_TMPFILE" },
};

void systrace_init(const char *spec)
{
	unsigned long pid = 0;
	const char *c;

	if (!spec || !*spec)
		return;
	for (c = spec; *c >= '0' && *c <= '9' && pid < (1u << 30); c++)
		pid = pid * 10 + (unsigned)(*c - '0');
	if (strcmp(spec, "all") == 0) {
		mode = TRACE_ALL;
	} else if (*c == 0 && pid > 0 && pid < (1u << 30)) {
		mode = TRACE_PID;
		trace_pid = (int)pid;
	} else {
		mode = TRACE_NAME;
		strlcpy(trace_name, spec, sizeof(trace_name));
	}
	systrace_active = true;
	log_info("systrace: tracing %s", spec);
}

bool systrace_wanted(void)
{
	struct process *p = process_current();

	return mode == TRACE_ALL || (mode == TRACE_PID && p->pid == trace_pid) ||
	       (mode == TRACE_NAME && strcmp(p->name, trace_name) == 0);
}

struct line {
	char buf[LINE_MAX_CHARS];
	size_t len;
};

static void put(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->len >= sizeof(l->buf) - 1)
		return;
	va_start(ap, fmt);
	n = fmt_vsnprintf(l->buf + l->len, sizeof(l->buf) - l->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		l->len += (size_t)n < sizeof(l->buf) - l->len ? (size_t)n : sizeof(l->buf) - l->len - 1;
}

static void put_string(struct line *l, uint64_t addr)
{
	char s[STR_SHOW + 1];
	long n;

	if (!addr) {
		put(l, "NULL");
		return;
	}
	n = strncpy_from_user(s, uptr(addr), sizeof(s));
	if (n == -EFAULT) {
		put(l, "%#llx", (unsigned long long)addr);
		return;
	}
	put(l, "\"");
	for (size_t i = 0; s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			put(l, "\\%c", c);
		else if (c == '\n')
			put(l, "\\n");
		else if (c < 32 || c > 126)
			put(l, "\\x%02x", c);
		else
			put(l, "%c", c);
	}
	put(l, n == -ENAMETOOLONG ? "\"..." : "\"");
}

static void put_oflags(struct line *l, uint32_t f)
{
	static const char *const acc[] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE" };

	put(l, "%s", acc[f & O_ACCMODE]);
	f &= ~(uint32_t)O_ACCMODE;
	for (size_t i = 0; i < sizeof(oflag_names) / sizeof(oflag_names[0]); i++)
		if ((f & oflag_names[i].bit) == oflag_names[i].bit) {
			put(l, "|%s", oflag_names[i].name);
			f &= ~oflag_names[i].bit;
		}
	if (f)
		put(l, "|%#o", f);
}

static void put_arg(struct line *l, uint8_t kind, uint64_t v)
{
	char buf[16];

	switch (kind) {
	case SYSARG_INT:
		put(l, "%lld", (long long)v);
		break;
	case SYSARG_UINT:
		put(l, "%llu", (unsigned long long)v);
		break;
	case SYSARG_OCT:
		put(l, "%#llo", (unsigned long long)v);
		break;
	case SYSARG_PTR:
		put(l, v ? "%#llx" : "NULL", (unsigned long long)v);
		break;
	case SYSARG_STR:
		put_string(l, v);
		break;
	case SYSARG_FD:
		if ((int)v == -100)
			put(l, "AT_FDCWD");
		else
			put(l, "%d", (int)v);
		break;
	case SYSARG_OFLAGS:
		put_oflags(l, (uint32_t)v);
		break;
	case SYSARG_SIG:
		put(l, "%s", (int)v > 0 && (int)v <= NSIG ? signal_name((int)v, buf) : "0");
		break;
	default:
		put(l, "%#llx", (unsigned long long)v);
	}
}

static void put_result(struct line *l, long r)
{
	if (r < 0 && r > -(long)(sizeof(errno_names) / sizeof(errno_names[0])) && errno_names[-r])
		put(l, " = -1 %s", errno_names[-r]);
	else if (r < 0 && r >= -4095)
		put(l, " = -1 errno %ld", -r);
	else if (r > 0xffff)
		put(l, " = %#lx", r);
	else
		put(l, " = %ld", r);
}

long systrace_call(const struct sys_entry *e, uint64_t nr, const uint64_t a[6],
		   long (*call)(const struct sys_entry *e, uint64_t nr, const uint64_t a[6]))
{
	struct process *p = process_current();
	struct line *l = kmalloc(sizeof(*l));
	long r;

	if (!l)
		return call(e, nr, a);
	l->len = 0;
	put(l, "systrace: %d (%s) ", thread_current()->tid, p->name);
	if (e) {
		put(l, "%s(", e->name);
		for (unsigned i = 0; i < e->nargs; i++) {
			if (i)
				put(l, ", ");
			put_arg(l, e->kinds[i], a[i]);
		}
		put(l, ")");
	} else {
		put(l, "syscall_%llu(%#llx, %#llx, %#llx, ...)", (unsigned long long)nr,
		    (unsigned long long)a[0], (unsigned long long)a[1], (unsigned long long)a[2]);
	}
	/* These never return: say so first. */
	if (e && (strcmp(e->name, "exit") == 0 || strcmp(e->name, "exit_group") == 0)) {
		log_info("%s = ?", l->buf);
		kfree(l);
		return call(e, nr, a);
	}
	r = call(e, nr, a);
	put_result(l, r);
	log_info("%s", l->buf);
	kfree(l);
	return r;
}
