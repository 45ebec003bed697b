/* crash=: deliberate kernel faults, so system tests can check the reports. */
#ifndef KERNEL_CRASH_H
#define KERNEL_CRASH_H

/* Reads crash= from the command line and raises that fault, uncaught:
 * de, ud, gp, pf, pf-text, bp (logs and returns), stack-overflow. */
void crash_from_cmdline(void);

#endif
