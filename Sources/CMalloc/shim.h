#ifndef TOWNHALL_MALLOC_SHIM_H
#define TOWNHALL_MALLOC_SHIM_H
/* glibc's malloc_trim, which Swift's Glibc module does not show. No logic lives here. */
#include <malloc.h>
#endif
