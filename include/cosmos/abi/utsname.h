/* Linux's struct utsname (uname(2)): six 65-byte strings. */
#ifndef COSMOS_ABI_UTSNAME_H
#define COSMOS_ABI_UTSNAME_H

#define UTS_LEN 65

struct utsname {
	char sysname[UTS_LEN], nodename[UTS_LEN], release[UTS_LEN], version[UTS_LEN],
		machine[UTS_LEN], domainname[UTS_LEN];
};

#endif
