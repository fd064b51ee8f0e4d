/* refgemm_avx512.c - the AVX-512F build of the reference's blocked GEMM
 * (refgemm_kern.h), x86-64 only; chosen at run time (refgemm.c). An 8 x 8
 * tile is 8 of the 32 zmm registers. */
#include "refgemm_impl.h"

#if REF_X86
#define KERN_BUILD ref_build_avx512
#define KERN_ISA REF_ISA_AVX512
#define KERN_LABEL "avx512f"
#define KERN_ATTR __attribute__((target("avx512f")))
#define KERN_VEC 8
#define KERN_MR 8
#include "refgemm_kern.h"
#endif
