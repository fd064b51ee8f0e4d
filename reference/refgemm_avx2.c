/* refgemm_avx2.c - the AVX2 build of the reference's blocked GEMM
 * (refgemm_kern.h), x86-64 only (AVX2 and FMA); chosen at run time
 * (refgemm.c). A 4 x 8 tile is 8 of the 16 ymm registers. */
#include "refgemm_impl.h"

#if REF_X86
#include <immintrin.h>

#define KERN_BUILD ref_build_avx2
#define KERN_ISA REF_ISA_AVX2
#define KERN_LABEL "avx2"
#define KERN_ATTR __attribute__((target("avx2,fma")))
#define KERN_VEC 4
#define KERN_MR 4
#define KERN_NR 8
#define KERN_FMA(w, x, c) _mm256_fmadd_pd(w, _mm256_set1_pd(x), c)
#include "refgemm_kern.h"
#endif
