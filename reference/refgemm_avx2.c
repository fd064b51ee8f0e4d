/* refgemm_avx2.c - the AVX2 build of the reference's blocked GEMM
 * (refgemm_kern.h), x86-64 only; chosen at run time (refgemm.c). A 4 x 8 tile
 * is 8 of the 16 ymm registers. */
#include "refgemm_impl.h"

#if REF_X86
#define KERN_BUILD ref_build_avx2
#define KERN_ISA REF_ISA_AVX2
#define KERN_LABEL "avx2"
#define KERN_ATTR __attribute__((target("avx2")))
#define KERN_VEC 4
#define KERN_MR 4
#include "refgemm_kern.h"
#endif
