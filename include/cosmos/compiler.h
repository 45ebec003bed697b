/* Compiler attributes shared by every layer (loader, kernel, host tests). */
#ifndef COSMOS_COMPILER_H
#define COSMOS_COMPILER_H

/* The caller must look at the result (an error code, a resource): ignoring
 * it is a compile error under -Werror. */
#define __must_check __attribute__((warn_unused_result))

#endif
