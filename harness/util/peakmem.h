/* peakmem.h - peak resident memory, for `run --profile` and the test that
 * holds --max-bytes' estimate (problem_bytes) to the real peak. */
#ifndef GH_PEAKMEM_H
#define GH_PEAKMEM_H

#include <stdint.h>

/* This process's peak resident set (VmHWM), bytes; -1 when unknown. */
int64_t peakmem_self(void);
/* The peak resident set of live process pid (e.g. the device worker). */
int64_t peakmem_of(long pid);

#endif
