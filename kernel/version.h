/* The kernel's names and version, in one place for the boot banner,
 * uname(2) and /proc/version. */
#ifndef KERNEL_VERSION_H
#define KERNEL_VERSION_H

#define COSMOS_VERSION "0.1"
#define COSMOS_SYSNAME "CosmOS"
/* Starts with a number of at least 6.1: C libraries that compare kernel
 * versions accept it. */
#define COSMOS_RELEASE "6.1.0-cosmos"
/* uname -v, and the build tag at the end of /proc/version */
#define COSMOS_BUILD_TAG "#1 CosmOS " COSMOS_VERSION

#endif
