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
/* 16 bytes widened to 32-bit lanes, subtracted, converted 8 at a time. */
#define KERN_BYTES_DIFF(q, z, d)                                                                   \
    do {                                                                                           \
        __m512i diff_ =                                                                            \
            _mm512_sub_epi32(_mm512_cvtepu8_epi32(_mm_loadu_si128((const void *)(q))),             \
                             _mm512_cvtepu8_epi32(_mm_loadu_si128((const void *)(z))));            \
        (d)[0] = _mm512_cvtepi32_pd(_mm512_castsi512_si256(diff_));                                \
        (d)[1] = _mm512_cvtepi32_pd(_mm512_extracti64x4_epi64(diff_, 1));                          \
    } while (0)
#include "refgemm_kern.h"
#endif
