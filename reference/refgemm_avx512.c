/* refgemm_avx512.c - the AVX-512F build of the reference's blocked GEMM
 * (refgemm_kern.h), x86-64 only; chosen at run time (refgemm.c). A 12 x 16
 * tile is 24 of the 32 zmm registers, 2 for a row of W, one for a broadcast
 * x: per k, 2 loads of W and 12 broadcasts for 24 fused multiply-adds. */
#include "refgemm_impl.h"

#if REF_X86
#include <immintrin.h>

#define KERN_BUILD ref_build_avx512
#define KERN_ISA REF_ISA_AVX512
#define KERN_LABEL "avx512f"
#define KERN_ATTR __attribute__((target("avx512f")))
#define KERN_VEC 8
#define KERN_MR 12
#define KERN_NR 16
#define KERN_FMA(w, x, c) _mm512_fmadd_pd(w, _mm512_set1_pd(x), c)
#include "refgemm_kern.h"
#endif
