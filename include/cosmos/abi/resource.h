/* Linux's resource limits (getrlimit, setrlimit, prlimit64), struct
 * rusage and struct tms, with x86-64 layouts. */
#ifndef COSMOS_ABI_RESOURCE_H
#define COSMOS_ABI_RESOURCE_H

#include <stdint.h>

#define RLIMIT_CPU        0
#define RLIMIT_FSIZE      1
#define RLIMIT_DATA       2
#define RLIMIT_STACK      3
#define RLIMIT_CORE       4
#define RLIMIT_RSS        5
#define RLIMIT_NPROC      6
#define RLIMIT_NOFILE     7
#define RLIMIT_MEMLOCK    8
#define RLIMIT_AS         9
#define RLIMIT_LOCKS      10
#define RLIMIT_SIGPENDING 11
#define RLIMIT_MSGQUEUE   12
#define RLIMIT_NICE       13
#define RLIMIT_RTPRIO     14
#define RLIMIT_RTTIME     15
#define RLIM_NLIMITS      16

#define RLIM_INFINITY (~0ull)

struct rlimit64 {
	uint64_t rlim_cur, rlim_max;
};

#define RUSAGE_SELF     0
#define RUSAGE_CHILDREN (-1)
#define RUSAGE_THREAD   1

struct abi_timeval {
	int64_t tv_sec, tv_usec;
};

struct rusage {
	struct abi_timeval ru_utime, ru_stime;
	int64_t ru_maxrss, ru_ixrss, ru_idrss, ru_isrss, ru_minflt, ru_majflt, ru_nswap,
		ru_inblock, ru_oublock, ru_msgsnd, ru_msgrcv, ru_nsignals, ru_nvcsw, ru_nivcsw;
};

/* times(2), in clock ticks (AT_CLKTCK per second). */
struct tms {
	int64_t tms_utime, tms_stime, tms_cutime, tms_cstime;
};
#define ABI_CLK_TCK 100

#endif
