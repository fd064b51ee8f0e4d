/* refgemm_generic.c - the portable build of the reference's blocked GEMM
 * (refgemm_kern.h): 16-byte vectors (SSE2 on x86-64, NEON on AArch64; other
 * targets get what their compiler makes of GCC vector extensions). */
#define KERN_BUILD ref_build_generic
#define KERN_ISA REF_ISA_GENERIC
#define KERN_LABEL "generic"
#define KERN_ATTR
#define KERN_VEC 2
#define KERN_MR 4
#define KERN_NR 8
#include "refgemm_kern.h"
