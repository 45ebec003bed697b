/* The kernel services' request protocol, spoken on the channel endpoint
 * kservice_open (native call 1007) gives init: each request is one
 * message, each answer one message. Shared by the kernel and user/.
 * docs/ipc.md has the protocol and a worked example. */
#ifndef COSMOS_KSERVICE_H
#define COSMOS_KSERVICE_H

#include <stdint.h>

/* The reports. */
#define KSVC_LOG     1u   /* the kernel log, oldest line first (dmesg) */
#define KSVC_CPU     2u   /* the CPUs, in /proc/cpuinfo's format */
#define KSVC_PCI     3u   /* PCI functions, one a line: "BB:DD.F CCSS VVVV:DDDD" */
#define KSVC_MEMORY  4u   /* memory, in /proc/meminfo's format */
#define KSVC_PROCS   5u   /* processes, one a line: "pid ppid state threads name" */

/* A request: exactly these 8 bytes, and either no handle (the answer
 * comes back on the same channel) or one channel endpoint with the write
 * right (the answer goes there). */
struct kservice_req {
	uint32_t op;       /* KSVC_* */
	uint32_t offset;   /* where in the report the answer's text starts */
};

/* The answer: this header, then up to KSERVICE_TEXT_MAX bytes of the
 * report's text from offset on. status is 0 or a negative errno (-EINVAL
 * for a malformed request or an unknown op; -ENOMEM); total is the whole
 * report's length, so a reader asks again from offset + the text's size
 * until it has total bytes. */
struct kservice_reply {
	int32_t status;
	uint32_t op;
	uint32_t offset;
	uint32_t total;
};

#define KSERVICE_TEXT_MAX (65536u - sizeof(struct kservice_reply))

/* kservice_open flags (Linux's O_CLOEXEC value). */
#define KSERVICE_CLOEXEC 02000000

/* The environment variable init sets for its children: the descriptor
 * number of the endpoint it passes on. */
#define KSERVICE_FD_ENV "COSMOS_KSERVICE_FD"

#endif
