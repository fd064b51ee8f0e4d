/* w4a16_cuda.cu - an example native kernel: the w4a16.h contract as a CUDA
 * kernel. Built with `make plugins-cuda` (nvcc) as
 * build/plugins/libw4a16_cuda.so, with the CUDA runtime linked statically
 * (at run time it needs only the NVIDIA driver).
 *
 * Per call: copy the host tensors to the device, launch once (warm-up: it
 * also pays the lazy module load), then time W4A16_CUDA_REPS launches
 * (default 3, 1..1000) with CUDA events, each after reading a buffer of
 * twice the L2 size so that the weights come from device memory
 * ($W4A16_CUDA_FLUSH=write: after overwriting it instead; see flush()). The median
 * of those times is reported through args->kernel_ms. Only the M*N output
 * elements are copied back: the host's guard region behind them stays
 * untouched. Device: $W4A16_CUDA_DEVICE (default 0).
 *
 * Kernels (all dequantize (q - z) * s in float, accumulate in float, reduce
 * across the warp, add the bias and round to f16/bf16 to nearest even):
 * - mma (M >= 2, group_size % 128 == 0, sm_80 and later): tensor-core
 *   m16n8k16 tiles, K split over the warps of a block (see "the mma kernel");
 * - gemv (M == 1, the mma kernel's preconditions): the same tiles with the
 *   weights as the A operand, 16 columns a warp, activations staged once per
 *   block, the next slabs of weights in flight in registers (or, as a
 *   tuning setting, through cp.async; see "the gemv kernel");
 * - decode (M == 1 where gemv does not apply, K and group_size multiples of 32): one warp per 4
 *   adjacent columns; a lane converts a chunk's 32 activations once for the 4
 *   columns; nibbles decoded exactly by as_float(0x4B000000 | q) - (2^23 + z);
 *   per chunk acc += s * sum x (q - z) (exact whenever the per-element form
 *   is, as in the exact data mode);
 * - chunk (same precondition, M > 1): one warp per column and tile of 4 or
 *   8 rows, the same per-chunk arithmetic;
 * - word (any other shape): one warp per column and tile of 1, 4 or 8 rows,
 *   lanes striding over the column's packed words, per-nibble group lookup.
 * Tuning knobs (environment, read per call): W4A16_CUDA_GEMV (0: never the
 * gemv kernel), W4A16_CUDA_GEMV_WARPS, W4A16_CUDA_MMA (0: never the mma
 * kernel, 1: also at M = 1 when gemv is off), W4A16_CUDA_MMA_NT, W4A16_CUDA_MMA_WARPS,
 * W4A16_CUDA_TUNE (time every setting, see tune()), W4A16_CUDA_CPW (columns per warp
 * of the decode kernel: 2, 4, 8; 1 selects the chunk kernel),
 * W4A16_CUDA_INFLIGHT (chunk kernel loads in flight: 2, 4, 8),
 * W4A16_CUDA_WORD_KERNEL (set: the word kernel everywhere), W4A16_CUDA_FLUSH
 * (read, the default, or write: how the L2 is flushed before a timed launch).
 *
 * Every CUDA call is checked; a failure prints "w4a16_cuda: what: error"
 * on stderr and w4a16_gemm returns non-zero (1 bad arguments, 2 CUDA error). */
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/w4a16_check.h"
#include "w4a16.h"

#define WHO "w4a16_cuda"
#define WARPS 8
#define MAX_REPS 1000
#define MAX_GRID_Y 65535

/* ---- device code ---------------------------------------------------------- */

template <bool BF16>
__device__ __forceinline__ float to_float(uint16_t h) {
    if constexpr (BF16)
        return __bfloat162float(__ushort_as_bfloat16(h));
    else
        return __half2float(__ushort_as_half(h));
}

/* rounds to nearest even */
template <bool BF16>
__device__ __forceinline__ uint16_t from_float(float v) {
    if constexpr (BF16)
        return __bfloat16_as_ushort(__float2bfloat16_rn(v));
    else
        return __half_as_ushort(__float2half_rn(v));
}

__device__ __forceinline__ int zero_point(const struct w4a16_args &p, int g, int n) {
    if (!p.zp) return p.zp_scalar;
    const uint32_t w = __ldg(p.zp + (size_t)g * (p.N / 8) + n / 8);
    return (int)((w >> (4 * (n % 8))) & 0xFu);
}

/* x[i] = A'[m][k0 + i], i < 8 (k0 % 8 == 0, so the 16-byte load is aligned). */
template <bool BF16, bool PERM>
__device__ __forceinline__ void load_row8(const struct w4a16_args &p, int m, int k0, float x[8]) {
    const uint16_t *row = p.a + (size_t)m * p.K;
    if (PERM) {
#pragma unroll
        for (int i = 0; i < 8; i++)
            x[i] = to_float<BF16>(__ldg(row + __ldg(p.perm + k0 + i)));
    } else {
        const uint4 v = __ldg(reinterpret_cast<const uint4 *>(row + k0));
        const uint32_t h[4] = {v.x, v.y, v.z, v.w};
#pragma unroll
        for (int i = 0; i < 4; i++) {
            x[2 * i] = to_float<BF16>((uint16_t)(h[i] & 0xFFFFu));
            x[2 * i + 1] = to_float<BF16>((uint16_t)(h[i] >> 16));
        }
    }
}

/* acc[r] += sum_i A'[m0 + r][k0 + i] * W[k0 + i][n] for the 8 rows of one word. */
template <bool BF16, bool PERM, int MT>
__device__ __forceinline__ void accumulate_word(const struct w4a16_args &p, int n, int m0,
                                                uint32_t word, int k0, float (&acc)[MT]) {
    float w[8];
    if (p.group_size % 8 == 0) { /* the word lies in one group */
        const int g = k0 / p.group_size;
        const float s = to_float<BF16>(__ldg(p.scale + (size_t)g * p.N + n));
        const int z = zero_point(p, g, n);
#pragma unroll
        for (int i = 0; i < 8; i++)
            w[i] = (float)((int)((word >> (4 * i)) & 0xFu) - z) * s;
    } else {
#pragma unroll
        for (int i = 0; i < 8; i++) {
            const int g = (k0 + i) / p.group_size;
            const float s = to_float<BF16>(__ldg(p.scale + (size_t)g * p.N + n));
            w[i] = (float)((int)((word >> (4 * i)) & 0xFu) - zero_point(p, g, n)) * s;
        }
    }
#pragma unroll
    for (int r = 0; r < MT; r++) {
        if (m0 + r >= p.M) break;
        float x[8];
        load_row8<BF16, PERM>(p, m0 + r, k0, x);
#pragma unroll
        for (int i = 0; i < 8; i++)
            acc[r] += x[i] * w[i];
    }
}

/* The sum of v over the warp's 32 lanes, in every lane. */
__device__ __forceinline__ float warp_sum(float v) {
    for (int off = 16; off > 0; off /= 2)
        v += __shfl_xor_sync(0xFFFFFFFFu, v, off);
    return v;
}

/* Reduces each row's lane sums over the warp; lane r writes out[m0 + r][n]
 * (+ bias), rounded to nearest even. */
template <bool BF16, int MT>
__device__ __forceinline__ void store_tile(const struct w4a16_args &p, int n, int m0, int lane,
                                           float (&acc)[MT]) {
#pragma unroll
    for (int r = 0; r < MT; r++)
        acc[r] = warp_sum(acc[r]);
    const float bias = p.bias ? to_float<BF16>(__ldg(p.bias + n)) : 0.0f;
#pragma unroll
    for (int r = 0; r < MT; r++)
        if (lane == r && m0 + r < p.M)
            p.out[(size_t)(m0 + r) * p.N + n] = from_float<BF16>(p.bias ? acc[r] + bias : acc[r]);
}

template <bool BF16, bool PERM, int MT, bool VEC>
__global__ void w4a16_kernel(struct w4a16_args p) {
    const int lane = threadIdx.x % 32;
    const int n = blockIdx.x * WARPS + threadIdx.x / 32;
    if (n >= p.N) return; /* the whole warp leaves together */
    const int words = p.K / 8;
    const uint32_t *col = p.b + (size_t)n * words;
    for (int m0 = blockIdx.y * MT; m0 < p.M; m0 += gridDim.y * MT) {
        float acc[MT];
#pragma unroll
        for (int r = 0; r < MT; r++)
            acc[r] = 0.0f;
        if (VEC) {
            const uint4 *col4 = reinterpret_cast<const uint4 *>(col);
            for (int j = lane; j < words / 4; j += 32) {
                const uint4 q = __ldg(col4 + j);
                accumulate_word<BF16, PERM, MT>(p, n, m0, q.x, 32 * j, acc);
                accumulate_word<BF16, PERM, MT>(p, n, m0, q.y, 32 * j + 8, acc);
                accumulate_word<BF16, PERM, MT>(p, n, m0, q.z, 32 * j + 16, acc);
                accumulate_word<BF16, PERM, MT>(p, n, m0, q.w, 32 * j + 24, acc);
            }
        } else {
            for (int j = lane; j < words; j += 32)
                accumulate_word<BF16, PERM, MT>(p, n, m0, __ldg(col + j), 8 * j, acc);
        }
        store_tile<BF16, MT>(p, n, m0, lane, acc);
    }
}

/* The chunk kernel: K % 32 == 0 and group_size % 32 == 0, so a 16-byte load
 * of a column's packed weights holds 32 rows of one group. One warp per
 * column and tile of MT rows, 8 warps per block (8 adjacent columns: their
 * scales and zero points share cache sectors). Each lane keeps INFLIGHT loads
 * of 16 bytes in flight (4; $W4A16_CUDA_INFLIGHT = 2 or 8 for tuning), then per chunk: the group's
 * scale and zero point once, each nibble decoded exactly by the float trick as_float(0x4B000000 |
 * q) - (2^23 + z) = q - z, dot = sum x (q - z) in float, acc += s * dot. */
/* x[0..31] = A'[m][k0 .. k0 + 31] as float (k0 % 32 == 0: aligned loads). */
template <bool BF16, bool PERM>
__device__ __forceinline__ void load_row32(const struct w4a16_args &p, int m, int k0, float x[32]) {
#pragma unroll
    for (int j = 0; j < 4; j++)
        load_row8<BF16, PERM>(p, m, k0 + 8 * j, x + 8 * j);
}

template <bool BF16, bool PERM, int MT>
__device__ __forceinline__ void chunk_fma(const struct w4a16_args &p, int n, int m0, uint4 q, int c,
                                          float (&acc)[MT]) {
    const int k0 = 32 * c;
    const int g = k0 / p.group_size;
    const float s = to_float<BF16>(__ldg(p.scale + (size_t)g * p.N + n));
    const float bias = 8388608.0f + (float)zero_point(p, g, n); /* 2^23 + z */
    const uint32_t w[4] = {q.x, q.y, q.z, q.w};
    float dot[MT];
#pragma unroll
    for (int r = 0; r < MT; r++)
        dot[r] = 0.0f;
#pragma unroll
    for (int j = 0; j < 4; j++) { /* word by word: 8 decoded weights live at a time */
        float wq[8];
#pragma unroll
        for (int i = 0; i < 8; i++)
            wq[i] = __uint_as_float(0x4B000000u | ((w[j] >> (4 * i)) & 0xFu)) - bias;
#pragma unroll
        for (int r = 0; r < MT; r++) {
            if (m0 + r >= p.M) break;
            float x[8];
            load_row8<BF16, PERM>(p, m0 + r, k0 + 8 * j, x);
#pragma unroll
            for (int i = 0; i < 8; i++)
                dot[r] = fmaf(x[i], wq[i], dot[r]);
        }
    }
#pragma unroll
    for (int r = 0; r < MT; r++)
        acc[r] = fmaf(s, dot[r], acc[r]);
}

template <bool BF16, bool PERM, int MT, int INFLIGHT>
__global__ void __launch_bounds__(WARPS * 32, 4) w4a16_chunk_kernel(struct w4a16_args p) {
    const int lane = threadIdx.x % 32;
    const int n = blockIdx.x * WARPS + threadIdx.x / 32;
    if (n >= p.N) return; /* the whole warp leaves together */
    const int chunks = p.K / 32;
    const uint4 *col4 = reinterpret_cast<const uint4 *>(p.b + (size_t)n * (p.K / 8));
    for (int m0 = blockIdx.y * MT; m0 < p.M; m0 += gridDim.y * MT) {
        float acc[MT];
#pragma unroll
        for (int r = 0; r < MT; r++)
            acc[r] = 0.0f;
        int c = lane;
        for (; c + 32 * (INFLIGHT - 1) < chunks; c += 32 * INFLIGHT) {
            uint4 q[INFLIGHT];
#pragma unroll
            for (int u = 0; u < INFLIGHT; u++)
                q[u] = __ldg(col4 + c + 32 * u);
#pragma unroll
            for (int u = 0; u < INFLIGHT; u++)
                chunk_fma<BF16, PERM, MT>(p, n, m0, q[u], c + 32 * u, acc);
        }
        for (; c < chunks; c += 32)
            chunk_fma<BF16, PERM, MT>(p, n, m0, __ldg(col4 + c), c, acc);
        store_tile<BF16, MT>(p, n, m0, lane, acc);
    }
}

/* The decode kernel (M == 1, the chunk kernel's precondition): one warp per
 * CPW adjacent columns, 8 warps per block. A lane converts the 32
 * activations of a chunk once and uses them for all CPW columns, so the
 * activation loads and conversions are shared CPW ways; the CPW weight loads
 * of a chunk are in flight together. */
template <bool BF16, bool PERM, int CPW, bool PF>
__global__ void __launch_bounds__(WARPS * 32) w4a16_decode_kernel(struct w4a16_args p) {
    const int lane = threadIdx.x % 32;
    const int n0 = (blockIdx.x * WARPS + threadIdx.x / 32) * CPW;
    if (n0 >= p.N) return; /* the whole warp leaves together */
    const int ncols = p.N - n0 < CPW ? p.N - n0 : CPW;
    const int chunks = p.K / 32;
    const size_t words = (size_t)(p.K / 8);
    float acc[CPW];
#pragma unroll
    for (int j = 0; j < CPW; j++)
        acc[j] = 0.0f;
    uint4 q[CPW];
#pragma unroll
    for (int j = 0; j < CPW; j++)
        if (j < ncols && lane < chunks)
            q[j] = __ldg(reinterpret_cast<const uint4 *>(p.b + (size_t)(n0 + j) * words) + lane);
    for (int c = lane; c < chunks; c += 32) {
        uint4 nq[CPW]; /* PF: the next chunk's weights in flight during this one */
#pragma unroll
        for (int j = 0; j < CPW; j++)
            if (PF && j < ncols && c + 32 < chunks)
                nq[j] =
                    __ldg(reinterpret_cast<const uint4 *>(p.b + (size_t)(n0 + j) * words) + c + 32);
        const int k0 = 32 * c;
        const int g = k0 / p.group_size;
        float x[32];
        load_row32<BF16, PERM>(p, 0, k0, x);
#pragma unroll
        for (int j = 0; j < CPW; j++) {
            if (j >= ncols) break;
            const int n = n0 + j;
            const float s = to_float<BF16>(__ldg(p.scale + (size_t)g * p.N + n));
            const float zb = 8388608.0f + (float)zero_point(p, g, n); /* 2^23 + z */
            const uint32_t w[4] = {q[j].x, q[j].y, q[j].z, q[j].w};
            float dot = 0.0f;
#pragma unroll
            for (int t = 0; t < 4; t++)
#pragma unroll
                for (int i = 0; i < 8; i++)
                    dot = fmaf(x[8 * t + i],
                               __uint_as_float(0x4B000000u | ((w[t] >> (4 * i)) & 0xFu)) - zb, dot);
            acc[j] = fmaf(s, dot, acc[j]);
        }
#pragma unroll
        for (int j = 0; j < CPW; j++) {
            if (PF)
                q[j] = nq[j];
            else if (j < ncols && c + 32 < chunks)
                q[j] =
                    __ldg(reinterpret_cast<const uint4 *>(p.b + (size_t)(n0 + j) * words) + c + 32);
        }
    }
#pragma unroll
    for (int j = 0; j < CPW; j++)
        acc[j] = warp_sum(acc[j]);
    if (lane < ncols) {
        float v = acc[0];
#pragma unroll
        for (int j = 1; j < CPW; j++)
            if (lane == j) v = acc[j];
        const int n = n0 + lane;
        const float bias = p.bias ? to_float<BF16>(__ldg(p.bias + n)) : 0.0f;
        p.out[n] = from_float<BF16>(p.bias ? v + bias : v);
    }
}

/* ---- the mma kernel (sm_80 and later) ------------------------------------
 * Precondition: group_size % 128 == 0 (so K % 128 == 0). Tensor-core tiles
 * m16n8k16 (f16 or bf16 in, f32 accumulate). A warp owns NT tiles of 8
 * adjacent columns and MT tiles of 16 rows; the W warps of a block (blockDim.y)
 * split K into slabs of 128 rows: warp w takes slabs w, w + W, ... A slab lies
 * in one group. In a slab, lane (g = lane / 4, t = lane % 4) loads the 16-byte
 * chunk t (slab rows 32t .. 32t + 31) of column g of each column tile; its
 * four words feed 8 mma steps. A dot product does not depend on the order of
 * its terms, so a lane's fragment slots stand for rows of its own chunk, and
 * the activation fragments are built in the same order: in step s (word s / 2,
 * h = s % 2) the B slots 2t, 2t+1 hold nibbles 2h, 2h+4 of the word and the
 * slots 2t+8, 2t+9 nibbles 2h+1, 2h+5 (the pairs the magic-number decode gives
 * without a shift per nibble), the A slots the activations of the same rows.
 * q - z is a small integer, exact in f16 and bf16; the tensor core's products
 * x (q - z) are exact and summed in f32; per slab and column acc += s * sum,
 * the same per-group form as the other kernels (exact in the exact modes). */
#define MMA_SLAB 128

/* half2 / bf162 bits of q - z for the nibble pairs (0,4), (1,5), (2,6), (3,7)
 * of w. f16: (w & 0x000F000F) | 0x6400 halves = 1024 + q, minus 1024 + z;
 * (w & 0x00F000F0) | 0x6400 = 1024 + 16q, times 1/16 minus 64 + z (exact:
 * one rounding of an exact small integer). bf16 (7-bit mantissa): 128 + q by
 * 0x4300, one shift per pair. zq = (1024 + z) or (128 + z) in both halves,
 * z16 = -(64 + z) in both halves (f16 only). */
template <bool BF16>
__device__ __forceinline__ void decode_pairs(uint32_t w, uint32_t zq, uint32_t z16,
                                             uint32_t (&p)[4]) {
    if constexpr (BF16) {
        (void)z16;
#pragma unroll
        for (int i = 0; i < 4; i++) {
            const uint32_t v = ((w >> (4 * i)) & 0x000F000Fu) | 0x43004300u;
            const __nv_bfloat162 d = __hsub2(*reinterpret_cast<const __nv_bfloat162 *>(&v),
                                             *reinterpret_cast<const __nv_bfloat162 *>(&zq));
            p[i] = *reinterpret_cast<const uint32_t *>(&d);
        }
    } else {
        const uint32_t sixteenth = 0x2C002C00u; /* 1/16 in both halves */
        const uint32_t h = w >> 8;
        const uint32_t v[4] = {(w & 0x000F000Fu) | 0x64006400u, (w & 0x00F000F0u) | 0x64006400u,
                               (h & 0x000F000Fu) | 0x64006400u, (h & 0x00F000F0u) | 0x64006400u};
#pragma unroll
        for (int i = 0; i < 4; i++) {
            const __half2 x = *reinterpret_cast<const __half2 *>(&v[i]);
            const __half2 d = (i % 2 == 0)
                                  ? __hsub2(x, *reinterpret_cast<const __half2 *>(&zq))
                                  : __hfma2(x, *reinterpret_cast<const __half2 *>(&sixteenth),
                                            *reinterpret_cast<const __half2 *>(&z16));
            p[i] = *reinterpret_cast<const uint32_t *>(&d);
        }
    }
}

/* zq and z16 of decode_pairs for zero point z (low nibble of zw). */
template <bool BF16>
__device__ __forceinline__ void zero_operands(uint32_t zw, uint32_t &zq, uint32_t &z16) {
    const uint32_t z = zw & 0xFu;
    zq = (BF16 ? 0x43004300u : 0x64006400u) | (z * 0x00010001u);
    z16 = (0xD400u + 16u * z) * 0x00010001u;
}

/* d += a * b on one m16n8k16 tile (f32 accumulators). */
#define MMA16816(T)                                                                                \
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32." T "." T ".f32 {%0,%1,%2,%3}, "           \
                 "{%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"                                        \
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])                                  \
                 : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1))
template <bool BF16>
__device__ __forceinline__ void mma16816(float (&d)[4], const uint32_t (&a)[4], uint32_t b0,
                                         uint32_t b1) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
    if constexpr (BF16)
        MMA16816("bf16");
    else
        MMA16816("f16");
#else
    (void)d;
    (void)a;
    (void)b0;
    (void)b1;
    __trap(); /* never launched below sm_80 (mma_config) */
#endif
}

/* f(j, i, e) for every element e of every accumulator tile [j][i] of 4. */
template <int NT, int MT, class F>
__device__ __forceinline__ void each_tile_element(F f) {
#pragma unroll
    for (int j = 0; j < NT; j++)
#pragma unroll
        for (int i = 0; i < MT; i++)
#pragma unroll
            for (int e = 0; e < 4; e++)
                f(j, i, e);
}

template <int NT, int MT>
__device__ __forceinline__ void zero_tiles(float (&v)[NT][MT][4]) {
    each_tile_element<NT, MT>([&](int j, int i, int e) { v[j][i][e] = 0.0f; });
}

/* The 8 activations A'[m][k .. k + 7] as 16-bit bits in a uint4 (k % 8 == 0). */
template <bool PERM>
__device__ __forceinline__ uint4 load_x8(const struct w4a16_args &p, int m, int k) {
    const uint16_t *row = p.a + (size_t)m * p.K;
    if constexpr (!PERM) {
        return __ldg(reinterpret_cast<const uint4 *>(row + k));
    } else {
        uint32_t v[4];
#pragma unroll
        for (int i = 0; i < 4; i++)
            v[i] = (uint32_t)__ldg(row + __ldg(p.perm + k + 2 * i)) |
                   ((uint32_t)__ldg(row + __ldg(p.perm + k + 2 * i + 1)) << 16);
        return make_uint4(v[0], v[1], v[2], v[3]);
    }
}

/* What one lane reads for one slab and column tile: its weight chunk, the
 * zero-point word of the tile's 8 columns (nibble g: column g) and the
 * scales of its C columns 2t, 2t + 1 (two 16-bit values). Fetched slabs
 * ahead, all three in flight together. */
struct mma_load {
    uint4 q;
    uint32_t zw, sv;
};

template <int NT>
__device__ __forceinline__ void mma_fetch(const struct w4a16_args &p, int n0, int sl,
                                          struct mma_load (&l)[NT]) {
    const int lane = threadIdx.x % 32, g = lane / 4, t = lane % 4;
    const size_t words = (size_t)(p.K / 8);
    const int grp = sl * MMA_SLAB / p.group_size;
#pragma unroll
    for (int j = 0; j < NT; j++) {
        const int nt0 = n0 + 8 * j; /* the tile's first column */
        if (nt0 >= p.N) {
            l[j].q = make_uint4(0u, 0u, 0u, 0u);
            l[j].zw = 0u;
            l[j].sv = 0u;
            continue;
        }
        l[j].q = __ldg(reinterpret_cast<const uint4 *>(p.b + (size_t)(nt0 + g) * words) +
                       (size_t)(sl * (MMA_SLAB / 32) + t));
        l[j].zw = p.zp ? __ldg(p.zp + (size_t)grp * (p.N / 8) + nt0 / 8)
                       : (uint32_t)p.zp_scalar * 0x11111111u;
        l[j].sv =
            __ldg(reinterpret_cast<const uint32_t *>(p.scale + (size_t)grp * p.N + nt0 + 2 * t));
    }
}

/* One slab of one warp: acc[j][i] += s * (A' rows of tile i) x (W slab of
 * column tile j). Word by word, so that only one word's decoded pairs per
 * column tile are live. The zero-point operands are built from z's bits:
 * 1024 + z is 0x6400 | z in f16, -(64 + z) is 0xD400 + 16z, 128 + z is
 * 0x4300 | z in bf16 (0 <= z <= 15). */
template <bool BF16, bool PERM, int NT, int MT>
__device__ __forceinline__ void mma_slab(const struct w4a16_args &p, int m0, int kb,
                                         const struct mma_load (&l)[NT], float (&acc)[NT][MT][4]) {
    const int lane = threadIdx.x % 32, g = lane / 4, t = lane % 4;
    const int kc = kb + 32 * t; /* this lane's chunk */
    uint32_t zq[NT], z16[NT];
#pragma unroll
    for (int j = 0; j < NT; j++) {
        zero_operands<BF16>(l[j].zw >> (4 * g), zq[j], z16[j]);
    }
    float d[NT][MT][4];
    zero_tiles<NT, MT>(d);
#pragma unroll
    for (int wd = 0; wd < 4; wd++) {
        uint32_t b[NT][4];
#pragma unroll
        for (int j = 0; j < NT; j++)
            decode_pairs<BF16>(wd == 0   ? l[j].q.x
                               : wd == 1 ? l[j].q.y
                               : wd == 2 ? l[j].q.z
                                         : l[j].q.w,
                               zq[j], z16[j], b[j]);
#pragma unroll
        for (int i = 0; i < MT; i++) {
            const int r0 = min(m0 + 16 * i + g, p.M - 1), r1 = min(m0 + 16 * i + g + 8, p.M - 1);
            uint4 x0 = load_x8<PERM>(p, r0, kc + 8 * wd), x1 = x0;
            if (p.M > 1) x1 = load_x8<PERM>(p, r1, kc + 8 * wd); /* decode: row 0 twice */
            const uint32_t P0[4] = {x0.x, x0.y, x0.z, x0.w}, P1[4] = {x1.x, x1.y, x1.z, x1.w};
#pragma unroll
            for (int h = 0; h < 2; h++) {
                uint32_t a[4];
                a[0] = __byte_perm(P0[h], P0[h + 2], 0x5410);
                a[2] = __byte_perm(P0[h], P0[h + 2], 0x7632);
                if (p.M > 1) {
                    a[1] = __byte_perm(P1[h], P1[h + 2], 0x5410);
                    a[3] = __byte_perm(P1[h], P1[h + 2], 0x7632);
                } else { /* rows 8-15 are not read back: any values do */
                    a[1] = a[0];
                    a[3] = a[2];
                }
#pragma unroll
                for (int j = 0; j < NT; j++)
                    mma16816<BF16>(d[j][i], a, b[j][2 * h], b[j][2 * h + 1]);
            }
        }
    }
#pragma unroll
    for (int j = 0; j < NT; j++) { /* C columns 2t, 2t + 1 of tile j */
        const float s0 = to_float<BF16>((uint16_t)(l[j].sv & 0xFFFFu)),
                    s1 = to_float<BF16>((uint16_t)(l[j].sv >> 16));
#pragma unroll
        for (int i = 0; i < MT; i++) {
            acc[j][i][0] = fmaf(s0, d[j][i][0], acc[j][i][0]);
            acc[j][i][1] = fmaf(s1, d[j][i][1], acc[j][i][1]);
            acc[j][i][2] = fmaf(s0, d[j][i][2], acc[j][i][2]);
            acc[j][i][3] = fmaf(s1, d[j][i][3], acc[j][i][3]);
        }
    }
}

/* Blocks of up to MMA_MAX_THREADS; MINB blocks of that size per SM bound the
 * registers (2: 128, 3: 80, 4: 64). DEPTH slabs of loads in flight per warp. */
#define MMA_MAX_THREADS 256

template <bool BF16, bool PERM, int NT, int MT, int DEPTH, int MINB>
__global__ void __launch_bounds__(MMA_MAX_THREADS, MINB) w4a16_mma_kernel(struct w4a16_args p) {
    extern __shared__ float red[]; /* [warp][lane][NT * MT * 4] */
    const int lane = threadIdx.x % 32, g = lane / 4, t = lane % 4;
    const int warp = threadIdx.y, W = blockDim.y;
    const int n0 = blockIdx.x * 8 * NT, slabs = p.K / MMA_SLAB;
    for (int m0 = blockIdx.y * 16 * MT; m0 < p.M; m0 += gridDim.y * 16 * MT) {
        float acc[NT][MT][4];
        zero_tiles<NT, MT>(acc);
        struct mma_load buf[DEPTH][NT];
#pragma unroll
        for (int u = 0; u < DEPTH; u++)
            if (warp + u * W < slabs) mma_fetch<NT>(p, n0, warp + u * W, buf[u]);
        for (int sl = warp; sl < slabs; sl += DEPTH * W) {
#pragma unroll
            for (int u = 0; u < DEPTH; u++) {
                const int s = sl + u * W;
                if (s >= slabs) break;
                struct mma_load cur[NT];
#pragma unroll
                for (int j = 0; j < NT; j++)
                    cur[j] = buf[u][j];
                if (s + DEPTH * W < slabs) mma_fetch<NT>(p, n0, s + DEPTH * W, buf[u]);
                mma_slab<BF16, PERM, NT, MT>(p, m0, s * MMA_SLAB, cur, acc);
            }
        }
        /* the W warps' sums: warp 0 adds them up and writes */
        float *mine = red + ((size_t)warp * 32 + lane) * (NT * MT * 4);
        each_tile_element<NT, MT>(
            [&](int j, int i, int e) { mine[(j * MT + i) * 4 + e] = acc[j][i][e]; });
        __syncthreads();
        if (warp == 0) {
            for (int w = 1; w < W; w++) {
                const float *other = red + ((size_t)w * 32 + lane) * (NT * MT * 4);
                each_tile_element<NT, MT>(
                    [&](int j, int i, int e) { acc[j][i][e] += other[(j * MT + i) * 4 + e]; });
            }
            each_tile_element<NT, MT>([&](int j, int i, int e) {
                const int m = m0 + 16 * i + g + (e >= 2 ? 8 : 0);
                const int n = n0 + 8 * j + 2 * t + (e & 1);
                if (m >= p.M || n >= p.N) return;
                const float v =
                    p.bias ? acc[j][i][e] + to_float<BF16>(__ldg(p.bias + n)) : acc[j][i][e];
                p.out[(size_t)m * p.N + n] = from_float<BF16>(v);
            });
        }
        __syncthreads(); /* red is reused by the next row block */
    }
}

/* ---- the gemv kernel (M == 1, sm_80 and later) ----------------------------
 * The mma kernel's arithmetic with the roles swapped: the weights are the A
 * operand (16 rows of A = 16 adjacent output columns), the activations the
 * B operand (its 8 columns all hold the one row of activations, so every
 * column of the result holds the same sums and lane t = 0 keeps them). Per
 * mma step a warp thus covers 16 columns x 16 rows of K, twice the mma
 * kernel's 8 columns, and the activations take no registers or conversion
 * work per column: the block stages them once, in the order the fragments
 * want, in shared memory.
 *
 * Precondition as the mma kernel (group_size % 128 == 0, zero points
 * 0..15) and M == 1. A block is W warps; it owns NT tiles of 16 columns and
 * its warps split K into slabs of 128 rows (warp w: slabs w, w + W, ...),
 * each slab inside one group. In a slab, lane (g = lane / 4, t = lane % 4)
 * loads chunk t (rows 32t .. 32t + 31) of columns g and g + 8 of each tile:
 * word wd of the chunk gives two mma steps, h = 0 and 1, whose A slots hold
 * nibbles (2h, 2h+4) and (2h+1, 2h+5) of word wd of column g (a0, a2) and of
 * column g + 8 (a1, a3), and whose B slots the activations of the same rows.
 * As in the mma kernel, q - z is exact in f16/bf16, the products are exact
 * and summed in float, and acc += s * sum once per slab and column. DEPTH
 * slabs of loads (weights, zero points, scales) are in flight per warp. */

/* Where staged activation word q (rows 8q .. 8q + 7) lives: slab q / 16,
 * then by word of the chunk, then by chunk, so that the four chunks of a
 * lane quad read consecutive 16-byte entries (no bank conflict). */
__device__ __forceinline__ int gemv_xs_at(int q) {
    return (q & ~15) | ((q & 3) << 2) | ((q >> 2) & 3);
}

/* Stages A'[0][0 .. K) into xs (all threads of the block): entry
 * gemv_xs_at(q) holds the pairs (x0,x4), (x1,x5), (x2,x6), (x3,x7) of rows
 * 8q .. 8q + 7, the B slots of the two mma steps of that word. */
template <bool PERM>
__device__ __forceinline__ void gemv_stage(const struct w4a16_args &p, uint4 *xs) {
    const int nthreads = blockDim.x * blockDim.y, tid = threadIdx.y * blockDim.x + threadIdx.x;
    for (int q = tid; q < p.K / 8; q += nthreads) {
        const uint4 v = load_x8<PERM>(p, 0, 8 * q);
        xs[gemv_xs_at(q)] =
            make_uint4(__byte_perm(v.x, v.z, 0x5410), __byte_perm(v.x, v.z, 0x7632),
                       __byte_perm(v.y, v.w, 0x5410), __byte_perm(v.y, v.w, 0x7632));
    }
}

/* What one lane reads for one slab and column tile besides its weights:
 * the zero-point words holding columns c0 = g and c1 = g + 8 of the tile
 * (clamped to N - 1: past N nothing is stored; the nibble is picked when the
 * slab is used, so that nothing waits for the loads early) and their scales. */
struct gemv_sz {
    uint32_t z0, z1;
    uint16_t s0, s1;
};

/* Column c of tile j for this lane: half 0 is g, half 1 is g + 8. */
__device__ __forceinline__ int gemv_col(const struct w4a16_args &p, int n0, int j, int half) {
    return min(n0 + 16 * j + (threadIdx.x % 32) / 4 + 8 * half, p.N - 1);
}

/* Chunk t of the slab sl of column c. */
__device__ __forceinline__ const uint4 *gemv_chunk(const struct w4a16_args &p, int c, int sl) {
    return reinterpret_cast<const uint4 *>(p.b + (size_t)c * (size_t)(p.K / 8)) +
           (size_t)(sl * (MMA_SLAB / 32) + threadIdx.x % 4);
}

template <int NT>
__device__ __forceinline__ void gemv_fetch_sz(const struct w4a16_args &p, int n0, int sl,
                                              struct gemv_sz (&l)[NT]) {
    const int grp = sl * MMA_SLAB / p.group_size;
#pragma unroll
    for (int j = 0; j < NT; j++) {
        const int c0 = gemv_col(p, n0, j, 0), c1 = gemv_col(p, n0, j, 1);
        if (p.zp) {
            l[j].z0 = __ldg(p.zp + (size_t)grp * (p.N / 8) + c0 / 8);
            l[j].z1 = __ldg(p.zp + (size_t)grp * (p.N / 8) + c1 / 8);
        } else {
            l[j].z0 = l[j].z1 = (uint32_t)p.zp_scalar * 0x11111111u;
        }
        l[j].s0 = __ldg(p.scale + (size_t)grp * p.N + c0);
        l[j].s1 = __ldg(p.scale + (size_t)grp * p.N + c1);
    }
}

/* The gemv kernel's weight loads: each weight is read once, so no L1 line
 * is allocated for it, and L2 is asked for 256-byte lines (the block's
 * warps read adjacent 64-byte pieces of each column). Measured on the H200
 * (docs/performance.md), against __ldg: 9-14% faster at four of five
 * shapes, 1-2% at (4096, 4096); each hint alone gave part of that.
 * GEMV_LOAD_HINT (a build flag, -DGEMV_LOAD_HINT=N): 0 __ldg; 1 (default)
 * both hints; 2 256-byte L2 lines only; 3 no L1 allocation only. */
#ifndef GEMV_LOAD_HINT
#define GEMV_LOAD_HINT 1
#endif
#if GEMV_LOAD_HINT == 1
#define GEMV_LOAD_QUALIFIERS ".L1::no_allocate.L2::256B"
#elif GEMV_LOAD_HINT == 2
#define GEMV_LOAD_QUALIFIERS ".L2::256B"
#else
#define GEMV_LOAD_QUALIFIERS ".L1::no_allocate"
#endif
__device__ __forceinline__ uint4 gemv_load(const uint4 *a) {
#if GEMV_LOAD_HINT && defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
    uint4 v;
    asm("ld.global.nc" GEMV_LOAD_QUALIFIERS ".v4.u32 {%0, %1, %2, %3}, [%4];"
        : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w)
        : "l"(a));
    return v;
#else
    return __ldg(a);
#endif
}

template <int NT>
__device__ __forceinline__ void gemv_fetch_q(const struct w4a16_args &p, int n0, int sl,
                                             uint4 (&q)[NT][2]) {
#pragma unroll
    for (int j = 0; j < NT; j++)
#pragma unroll
        for (int h = 0; h < 2; h++)
            q[j][h] = gemv_load(gemv_chunk(p, gemv_col(p, n0, j, h), sl));
}

/* The asynchronous form (cp.async, sm_80): the same 16-byte chunks, the two
 * zero-point words and the two aligned 4-byte words holding the scales,
 * copied into this lane's entries of a slot of shared memory: per tile j,
 * entries 3j and 3j + 1 the chunks, entry 3j + 2 (z0, z1, scale word of c0,
 * scale word of c1); entry e of the lane is slot[32 e]. */
#define GEMV_ENTRIES 3
template <int NT>
__device__ __forceinline__ void gemv_copy(const struct w4a16_args &p, int n0, int sl, uint4 *slot) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
    const int grp = sl * MMA_SLAB / p.group_size;
#pragma unroll
    for (int j = 0; j < NT; j++) {
        uint32_t *sz = reinterpret_cast<uint32_t *>(slot + (GEMV_ENTRIES * j + 2) * 32);
#pragma unroll
        for (int h = 0; h < 2; h++) {
            const int c = gemv_col(p, n0, j, h);
            const uint32_t dst =
                (uint32_t)__cvta_generic_to_shared(slot + (GEMV_ENTRIES * j + h) * 32);
            asm volatile("cp.async.cg.shared.global [%0], [%1], 16;\n" ::"r"(dst),
                         "l"(gemv_chunk(p, c, sl)));
            const uint32_t zdst = (uint32_t)__cvta_generic_to_shared(sz + h);
            if (p.zp)
                asm volatile("cp.async.ca.shared.global [%0], [%1], 4;\n" ::"r"(zdst),
                             "l"(p.zp + (size_t)grp * (p.N / 8) + c / 8));
            else
                sz[h] = (uint32_t)p.zp_scalar * 0x11111111u;
            const uint32_t sdst = (uint32_t)__cvta_generic_to_shared(sz + 2 + h);
            asm volatile("cp.async.ca.shared.global [%0], [%1], 4;\n" ::"r"(sdst),
                         "l"(p.scale + (size_t)grp * p.N + (c & ~1)));
        }
    }
#else
    (void)p;
    (void)n0;
    (void)sl;
    (void)slot;
    __trap(); /* never launched below sm_80 (gemv_config) */
#endif
}

__device__ __forceinline__ void cp_async_commit(void) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
    asm volatile("cp.async.commit_group;\n" ::: "memory");
#endif
}

/* Waits until at most N of this thread's commit groups are pending. */
template <int N>
__device__ __forceinline__ void cp_async_wait(void) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
    asm volatile("cp.async.wait_group %0;\n" ::"n"(N) : "memory");
#endif
}

__device__ __forceinline__ uint32_t word_of(const uint4 &q, int wd) {
    return wd == 0 ? q.x : wd == 1 ? q.y : wd == 2 ? q.z : q.w;
}

/* One slab of one warp: acc[j][0] += s0 * sum over the slab of column c0 of
 * tile j, acc[j][1] the same for column c1 (every lane holds them). col:
 * the lane's columns c0, c1 of each tile (gemv_col). */
template <bool BF16, int NT>
__device__ __forceinline__ void gemv_slab(const uint4 *xs, int sl, const uint4 (&q)[NT][2],
                                          const struct gemv_sz (&l)[NT], const int (&col)[NT][2],
                                          float (&acc)[NT][2]) {
    const int t = threadIdx.x % 4;
    uint32_t zq[NT][2], z16[NT][2];
#pragma unroll
    for (int j = 0; j < NT; j++) {
        zero_operands<BF16>(l[j].z0 >> (4 * (col[j][0] % 8)), zq[j][0], z16[j][0]);
        zero_operands<BF16>(l[j].z1 >> (4 * (col[j][1] % 8)), zq[j][1], z16[j][1]);
    }
    float d[NT][4];
#pragma unroll
    for (int j = 0; j < NT; j++)
        d[j][0] = d[j][1] = d[j][2] = d[j][3] = 0.0f;
#pragma unroll
    for (int wd = 0; wd < 4; wd++) {
        const uint4 x = xs[16 * sl + 4 * wd + t]; /* gemv_xs_at(16 sl + 4t + wd) */
#pragma unroll
        for (int j = 0; j < NT; j++) {
            uint32_t p0[4], p1[4];
            decode_pairs<BF16>(word_of(q[j][0], wd), zq[j][0], z16[j][0], p0);
            decode_pairs<BF16>(word_of(q[j][1], wd), zq[j][1], z16[j][1], p1);
            const uint32_t a_lo[4] = {p0[0], p1[0], p0[1], p1[1]};
            const uint32_t a_hi[4] = {p0[2], p1[2], p0[3], p1[3]};
            mma16816<BF16>(d[j], a_lo, x.x, x.y);
            mma16816<BF16>(d[j], a_hi, x.z, x.w);
        }
    }
#pragma unroll
    for (int j = 0; j < NT; j++) { /* C rows g (d0, d1) and g + 8 (d2, d3): columns c0, c1 */
        acc[j][0] = fmaf(to_float<BF16>(l[j].s0), d[j][0], acc[j][0]);
        acc[j][1] = fmaf(to_float<BF16>(l[j].s1), d[j][2], acc[j][1]);
    }
}

/* Shared memory of the gemv kernel: the staged activations (K / 8 entries),
 * then, with ASYNC, each warp's DEPTH slots of NT x 2 x 32 chunks. */
__host__ __device__ __forceinline__ size_t gemv_smem_bytes(int K, int warps, int nt, int depth,
                                                           bool async) {
    return (size_t)K * 2 + (async ? (size_t)warps * depth * nt * GEMV_ENTRIES * 32 * 16 : 0);
}

template <bool BF16, bool PERM, int NT, int DEPTH, int MINB, bool ASYNC>
__global__ void __launch_bounds__(MMA_MAX_THREADS, MINB) w4a16_gemv_kernel(struct w4a16_args p) {
    extern __shared__ uint4 gemv_smem[]; /* staged activations, then the warps' sums */
    const int lane = threadIdx.x % 32, g = lane / 4, t = lane % 4;
    const int warp = threadIdx.y, W = blockDim.y;
    const int n0 = blockIdx.x * 16 * NT, slabs = p.K / MMA_SLAB;
    uint4 *ring = gemv_smem + p.K / 8 + (size_t)warp * DEPTH * NT * GEMV_ENTRIES * 32 + lane;
    int col[NT][2];
#pragma unroll
    for (int j = 0; j < NT; j++)
#pragma unroll
        for (int h = 0; h < 2; h++)
            col[j][h] = gemv_col(p, n0, j, h);
    /* registers in flight (without ASYNC) */
    uint4 qb[ASYNC ? 1 : DEPTH][NT][2];
    struct gemv_sz zb[ASYNC ? 1 : DEPTH][NT];
#pragma unroll
    for (int u = 0; u < DEPTH; u++) { /* the first loads in flight during the staging */
        const int s = warp + u * W;
        if (ASYNC) {
            if (s < slabs) gemv_copy<NT>(p, n0, s, ring + u * NT * GEMV_ENTRIES * 32);
            cp_async_commit();
        } else if (s < slabs) {
            gemv_fetch_sz<NT>(p, n0, s, zb[ASYNC ? 0 : u]);
            gemv_fetch_q<NT>(p, n0, s, qb[ASYNC ? 0 : u]);
        }
    }
    gemv_stage<PERM>(p, gemv_smem);
    __syncthreads();
    float acc[NT][2];
#pragma unroll
    for (int j = 0; j < NT; j++)
        acc[j][0] = acc[j][1] = 0.0f;
    for (int sl = warp; sl < slabs; sl += DEPTH * W) {
#pragma unroll
        for (int u = 0; u < DEPTH; u++) {
            const int s = sl + u * W;
            if (s >= slabs) break;
            const bool more = s + DEPTH * W < slabs;
            uint4 q[NT][2];
            struct gemv_sz z[NT];
            const uint4 *slot = ring + u * NT * GEMV_ENTRIES * 32;
            if (ASYNC) cp_async_wait<DEPTH - 1>(); /* slab s's group has landed */
#pragma unroll
            for (int j = 0; j < NT; j++) {
                if (ASYNC) {
                    q[j][0] = slot[GEMV_ENTRIES * j * 32];
                    q[j][1] = slot[(GEMV_ENTRIES * j + 1) * 32];
                    const uint4 e = slot[(GEMV_ENTRIES * j + 2) * 32];
                    z[j].z0 = e.x;
                    z[j].z1 = e.y;
                    z[j].s0 = (uint16_t)(e.z >> (16 * (col[j][0] & 1)));
                    z[j].s1 = (uint16_t)(e.w >> (16 * (col[j][1] & 1)));
                } else {
                    q[j][0] = qb[ASYNC ? 0 : u][j][0];
                    q[j][1] = qb[ASYNC ? 0 : u][j][1];
                    z[j] = zb[ASYNC ? 0 : u][j];
                }
            }
            if (!ASYNC && more) {
                gemv_fetch_sz<NT>(p, n0, s + DEPTH * W, zb[ASYNC ? 0 : u]);
                gemv_fetch_q<NT>(p, n0, s + DEPTH * W, qb[ASYNC ? 0 : u]);
            }
            gemv_slab<BF16, NT>(gemv_smem, s, q, z, col, acc);
            if (ASYNC) { /* refill the slot once its entries are used */
                if (more) gemv_copy<NT>(p, n0, s + DEPTH * W, ring + u * NT * GEMV_ENTRIES * 32);
                cp_async_commit();
            }
        }
    }
    if (ASYNC) cp_async_wait<0>();
    __syncthreads(); /* every warp is done with the staged activations */
    float *red = reinterpret_cast<float *>(gemv_smem); /* [warp][16 * NT] */
    if (t == 0) {
#pragma unroll
        for (int j = 0; j < NT; j++) {
            red[warp * 16 * NT + 16 * j + g] = acc[j][0];
            red[warp * 16 * NT + 16 * j + g + 8] = acc[j][1];
        }
    }
    __syncthreads();
    const int c = threadIdx.y * 32 + lane; /* one thread per column of the block */
    if (c < 16 * NT && n0 + c < p.N) {
        float v = 0.0f;
        for (int w = 0; w < W; w++)
            v += red[w * 16 * NT + c];
        const int n = n0 + c;
        p.out[n] = from_float<BF16>(p.bias ? v + to_float<BF16>(__ldg(p.bias + n)) : v);
    }
}

/* ---- host code ------------------------------------------------------------ */

typedef void (*kernel_fn)(struct w4a16_args);

static bool ok(cudaError_t e, const char *what);

/* How a call's kernel is launched, decided once per call (not between the
 * timing events). */
struct launch_cfg {
    kernel_fn fn;
    dim3 grid, block;
    size_t smem;
};

/* The decode kernel does not prefetch the next chunk: measured on the H200
 * (W4A16_CUDA_TUNE), prefetching was within -4%..+3% of not prefetching. */
#define DECODE_PF false

/* Columns per warp of the decode kernel: 4 ($W4A16_CUDA_CPW = 1, 2, 4 or 8
 * for tuning; 1 selects the chunk kernel). */
static int decode_cpw(void) {
    const char *e = getenv("W4A16_CUDA_CPW");
    if (!e || !e[0]) return 4;
    const int v = atoi(e);
    return v == 1 || v == 2 || v == 8 ? v : 4;
}

/* Rows per tile: 1 for decode, 4 up to M = 4, else 8. */
static int rows_per_tile(int M) {
    return M == 1 ? 1 : M <= 4 ? 4 : 8;
}

/* The chunk kernel where its precondition holds, else the word kernel. */
template <bool BF16, bool PERM>
static kernel_fn pick_mt(int M, bool vec, bool chunk) {
    const int mt = rows_per_tile(M);
    if (chunk && M == 1 && decode_cpw() > 1) {
        const int cpw = decode_cpw();
        return cpw == 2   ? w4a16_decode_kernel<BF16, PERM, 2, DECODE_PF>
               : cpw == 8 ? w4a16_decode_kernel<BF16, PERM, 8, DECODE_PF>
                          : w4a16_decode_kernel<BF16, PERM, 4, DECODE_PF>;
    }
    if (chunk) {
        const char *e = getenv("W4A16_CUDA_INFLIGHT");
        const int inflight = e && !strcmp(e, "2") ? 2 : e && !strcmp(e, "8") ? 8 : 4;
        if (mt == 1)
            return inflight == 2   ? w4a16_chunk_kernel<BF16, PERM, 1, 2>
                   : inflight == 8 ? w4a16_chunk_kernel<BF16, PERM, 1, 8>
                                   : w4a16_chunk_kernel<BF16, PERM, 1, 4>;
        return mt == 4 ? w4a16_chunk_kernel<BF16, PERM, 4, 4>
                       : w4a16_chunk_kernel<BF16, PERM, 8, 4>;
    }
    if (mt == 1)
        return vec ? w4a16_kernel<BF16, PERM, 1, true> : w4a16_kernel<BF16, PERM, 1, false>;
    if (mt == 4)
        return vec ? w4a16_kernel<BF16, PERM, 4, true> : w4a16_kernel<BF16, PERM, 4, false>;
    return vec ? w4a16_kernel<BF16, PERM, 8, true> : w4a16_kernel<BF16, PERM, 8, false>;
}

static kernel_fn pick_kernel(const struct w4a16_args *p) {
    const bool vec = p->K % 32 == 0, bf16 = p->dtype == W4A16_BF16, perm = p->perm != NULL;
    const bool chunk = vec && p->group_size % 32 == 0 && !getenv("W4A16_CUDA_WORD_KERNEL");
    if (bf16)
        return perm ? pick_mt<true, true>(p->M, vec, chunk)
                    : pick_mt<true, false>(p->M, vec, chunk);
    return perm ? pick_mt<false, true>(p->M, vec, chunk) : pick_mt<false, false>(p->M, vec, chunk);
}

static int env_int(const char *name, int lo, int hi, int dflt) {
    const char *s = getenv(name);
    if (!s || !s[0]) return dflt;
    char *end;
    const long v = strtol(s, &end, 10);
    if (*end || v < lo || v > hi) {
        fprintf(stderr, WHO ": ignoring %s='%s' (want %d..%d)\n", name, s, lo, hi);
        return dflt;
    }
    return (int)v;
}

/* The mma kernel's settings: the defaults come from measurements on the
 * H200 (docs/performance.md); $W4A16_CUDA_MMA_NT and $W4A16_CUDA_MMA_WARPS
 * override two of them, $W4A16_CUDA_TUNE times the others too. */
#define MMA_DEPTH 2
#define MMA_MINB 2

template <bool BF16, bool PERM, int NT>
static kernel_fn pick_mma_mt(int mt) {
    return mt == 1   ? w4a16_mma_kernel<BF16, PERM, NT, 1, MMA_DEPTH, MMA_MINB>
           : mt == 2 ? w4a16_mma_kernel<BF16, PERM, NT, 2, MMA_DEPTH, MMA_MINB>
                     : w4a16_mma_kernel<BF16, PERM, NT, 4, MMA_DEPTH, MMA_MINB>;
}

template <bool BF16, bool PERM>
static kernel_fn pick_mma(int nt, int mt) {
    return nt == 1 ? pick_mma_mt<BF16, PERM, 1>(mt) : pick_mma_mt<BF16, PERM, 2>(mt);
}

/* Grid, block and shared memory of the mma kernel for nt, mt and warps. */
static void mma_geometry(const struct w4a16_args *p, int nt, int mt, int warps,
                         struct launch_cfg *c) {
    const int slabs = p->K / MMA_SLAB;
    if (warps > slabs) warps = slabs;
    const int rowblocks = (p->M + 16 * mt - 1) / (16 * mt);
    c->grid = dim3((unsigned)((p->N + 8 * nt - 1) / (8 * nt)),
                   (unsigned)(rowblocks < MAX_GRID_Y ? rowblocks : MAX_GRID_Y));
    c->block = dim3(32, (unsigned)warps);
    c->smem = (size_t)warps * 32 * nt * mt * 4 * sizeof(float); /* at most 32 KiB */
}

static int mma_rows(int M) {
    return M <= 16 ? 1 : M <= 32 ? 2 : 4;
}

/* The mma kernel where it applies: compute capability 8.0 or later, group
 * size a multiple of 128, zero points 0..15, the word kernel not forced, and
 * M >= 2 ($W4A16_CUDA_MMA = 1: also M = 1, where the decode kernel is faster
 * on the H200; 0: never). Tiles: mma_rows row tiles of 16, 2 column tiles of
 * 8 and 8 warps splitting K ($W4A16_CUDA_MMA_NT, $W4A16_CUDA_MMA_WARPS). */
/* The mma kernel's own preconditions (the knobs aside). */
static bool mma_applies(const struct w4a16_args *p, int cc_major) {
    return cc_major >= 8 && p->group_size % MMA_SLAB == 0 &&
           (p->zp || (p->zp_scalar >= 0 && p->zp_scalar <= 15)); /* mma_slab's range */
}

static bool mma_config(const struct w4a16_args *p, int cc_major, struct launch_cfg *c) {
    const int want = env_int("W4A16_CUDA_MMA", 0, 1, -1);
    if (!mma_applies(p, cc_major) || getenv("W4A16_CUDA_WORD_KERNEL") || want == 0 ||
        (want == -1 && p->M == 1))
        return false;
    const int mt = mma_rows(p->M);
    const int nt = env_int("W4A16_CUDA_MMA_NT", 1, 2, 2);
    const int warps = env_int("W4A16_CUDA_MMA_WARPS", 1, MMA_MAX_THREADS / 32, 8);
    const bool bf16 = p->dtype == W4A16_BF16, perm = p->perm != NULL;
    c->fn = bf16 ? (perm ? pick_mma<true, true>(nt, mt) : pick_mma<true, false>(nt, mt))
                 : (perm ? pick_mma<false, true>(nt, mt) : pick_mma<false, false>(nt, mt));
    mma_geometry(p, nt, mt, warps, c);
    return true;
}

/* $W4A16_CUDA_TUNE: settings of the mma kernel timed after the call's own
 * run (f16, no permutation, M <= 16 only), one line each on stderr. */
struct mma_variant {
    kernel_fn fn;
    int nt, depth, minb;
};

#define MMA_VARIANT(NT, DEPTH, MINB)                                                               \
    { w4a16_mma_kernel<false, false, NT, 1, DEPTH, MINB>, NT, DEPTH, MINB }
static const struct mma_variant mma_variants[] = {
    MMA_VARIANT(1, 2, 2), MMA_VARIANT(1, 2, 3), MMA_VARIANT(1, 2, 4), MMA_VARIANT(1, 4, 2),
    MMA_VARIANT(1, 4, 3), MMA_VARIANT(1, 4, 4), MMA_VARIANT(2, 2, 2), MMA_VARIANT(2, 2, 3),
    MMA_VARIANT(2, 2, 4), MMA_VARIANT(2, 4, 2), MMA_VARIANT(2, 4, 3), MMA_VARIANT(2, 4, 4),
};

/* The gemv kernel's settings (M == 1): column tiles of 16 per warp, slabs
 * of loads in flight, register bound (blocks of 256 per SM), cp.async or
 * registers, and warps per block. Measured on the H200 with $W4A16_CUDA_TUNE
 * and bench/gemv_candidates.sh (docs/performance.md): 1 tile, 1 slab in
 * registers, 4 blocks per SM (64 registers), 8 warps was the fastest setting
 * or level with it at all five shapes timed (4096..28672 columns,
 * 4096..14336 rows): 20% and 10% above the earlier default (2 slabs, 3
 * blocks per SM) at (14336, 14336) and (28672, 8192), and it passed the
 * default job and m1-edges.batch on the GPU. 5 blocks per SM (48
 * registers, spilling) was slower, and so was loading a quad's zero points
 * and scales one per lane and sharing them by shuffles (no spill at 4
 * blocks, 2% slower). $W4A16_CUDA_GEMV_WARPS overrides the warps,
 * $W4A16_CUDA_TUNE times every setting; each default may be set at build
 * time (CUDA_DEFS=-DGEMV_DEPTH=2 ...; bench/gemv_candidates.sh). */
#ifndef GEMV_NT
#define GEMV_NT 1
#endif
#ifndef GEMV_DEPTH
#define GEMV_DEPTH 1
#endif
#ifndef GEMV_MINB
#define GEMV_MINB 4
#endif
#ifndef GEMV_ASYNC
#define GEMV_ASYNC false
#endif
#ifndef GEMV_WARPS
#define GEMV_WARPS 8
#endif

template <bool BF16>
static kernel_fn pick_gemv(bool perm) {
    return perm ? w4a16_gemv_kernel<BF16, true, GEMV_NT, GEMV_DEPTH, GEMV_MINB, GEMV_ASYNC>
                : w4a16_gemv_kernel<BF16, false, GEMV_NT, GEMV_DEPTH, GEMV_MINB, GEMV_ASYNC>;
}

/* One setting of the gemv kernel. */
struct gemv_variant {
    kernel_fn fn;
    int nt, depth, minb;
    bool async;
};

/* Grid, block and shared memory of the gemv kernel v with warps per block;
 * false where its shared memory (the staged activations, 2K bytes, and the
 * asynchronous copies' slots) does not fit in one block. */
static bool gemv_geometry(const struct w4a16_args *p, const struct gemv_variant &v, int warps,
                          struct launch_cfg *c) {
    const int slabs = p->K / MMA_SLAB;
    if (warps > slabs) warps = slabs;
    c->fn = v.fn;
    c->grid = dim3((unsigned)((p->N + 16 * v.nt - 1) / (16 * v.nt)));
    c->block = dim3(32, (unsigned)warps);
    /* the staged activations also hold the warps' sums: warps * 16 * nt floats <= 2K bytes */
    c->smem = gemv_smem_bytes(p->K, warps, v.nt, v.depth, v.async);
    int dev = 0, optin = 0;
    if (!ok(cudaGetDevice(&dev), "cudaGetDevice") ||
        !ok(cudaDeviceGetAttribute(&optin, cudaDevAttrMaxSharedMemoryPerBlockOptin, dev),
            "cudaDeviceGetAttribute(shared memory per block)"))
        return false;
    if (c->smem > (size_t)optin) return false;
    return ok(cudaFuncSetAttribute(v.fn, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)c->smem),
              "cudaFuncSetAttribute(gemv kernel shared memory)");
}

/* The gemv kernel where it applies: the mma kernel's preconditions, M == 1,
 * the word kernel not forced, $W4A16_CUDA_GEMV not 0 and its shared memory
 * fits. */
static bool gemv_config(const struct w4a16_args *p, int cc_major, struct launch_cfg *c) {
    if (!mma_applies(p, cc_major) || p->M != 1 || getenv("W4A16_CUDA_WORD_KERNEL") ||
        env_int("W4A16_CUDA_GEMV", 0, 1, 1) == 0)
        return false;
    const bool bf16 = p->dtype == W4A16_BF16, perm = p->perm != NULL;
    const int warps = env_int("W4A16_CUDA_GEMV_WARPS", 1, MMA_MAX_THREADS / 32, GEMV_WARPS);
    const struct gemv_variant v = {bf16 ? pick_gemv<true>(perm) : pick_gemv<false>(perm), GEMV_NT,
                                   GEMV_DEPTH, GEMV_MINB, GEMV_ASYNC};
    return gemv_geometry(p, v, warps, c);
}

/* $W4A16_CUDA_TUNE: the gemv kernel's settings (f16, no permutation). */
#define GEMV_VARIANT(NT, DEPTH, MINB, ASYNC)                                                       \
    { w4a16_gemv_kernel<false, false, NT, DEPTH, MINB, ASYNC>, NT, DEPTH, MINB, ASYNC }
static const struct gemv_variant gemv_variants[] = {
    GEMV_VARIANT(1, 2, 3, false), GEMV_VARIANT(1, 2, 2, false), GEMV_VARIANT(1, 2, 4, false),
    GEMV_VARIANT(1, 3, 3, false), GEMV_VARIANT(1, 4, 2, false), GEMV_VARIANT(2, 2, 2, false),
    GEMV_VARIANT(1, 1, 3, false), GEMV_VARIANT(1, 1, 4, false), GEMV_VARIANT(1, 1, 5, false),
    GEMV_VARIANT(1, 1, 6, false), GEMV_VARIANT(2, 1, 3, false), GEMV_VARIANT(2, 1, 4, false),
    GEMV_VARIANT(1, 2, 3, true),  GEMV_VARIANT(1, 4, 3, true),  GEMV_VARIANT(1, 4, 4, true),
    GEMV_VARIANT(1, 8, 3, true),  GEMV_VARIANT(1, 8, 4, true),  GEMV_VARIANT(2, 4, 2, true),
    GEMV_VARIANT(2, 4, 3, true),  GEMV_VARIANT(2, 8, 3, true),  GEMV_VARIANT(4, 2, 2, true),
    GEMV_VARIANT(4, 4, 2, true),  GEMV_VARIANT(4, 2, 1, true),
};

/* Grid, block and shared memory of the decode, chunk and word kernels: WARPS
 * warps a block, cols_per_warp columns each, rowtiles tiles of rows. */
static void warp_geometry(const struct w4a16_args *p, int cols_per_warp, int rowtiles,
                          struct launch_cfg *c) {
    const int cols = WARPS * cols_per_warp; /* columns per block */
    c->grid = dim3((unsigned)((p->N + cols - 1) / cols), (unsigned)rowtiles);
    c->block = dim3(WARPS * 32);
    c->smem = 0;
}

static void make_config(const struct w4a16_args *p, int cc_major, struct launch_cfg *c) {
    if (gemv_config(p, cc_major, c) || mma_config(p, cc_major, c)) return;
    const int mt = rows_per_tile(p->M);
    const int tiles = (p->M + mt - 1) / mt;
    const bool decode = p->M == 1 && p->K % 32 == 0 && p->group_size % 32 == 0 &&
                        !getenv("W4A16_CUDA_WORD_KERNEL") && decode_cpw() > 1;
    c->fn = pick_kernel(p);
    warp_geometry(p, decode ? decode_cpw() : 1, tiles < MAX_GRID_Y ? tiles : MAX_GRID_Y, c);
}

/* Device resources of one call; release() frees what was made. */
struct device_state {
    void *buf[8]; /* a, b, scale, zp, perm, bias, out, flush */
    size_t flush_bytes;
    bool flush_write; /* $W4A16_CUDA_FLUSH=write (see flush()) */
    cudaEvent_t ev[2];
    int nev;
};

enum { B_A, B_B, B_SCALE, B_ZP, B_PERM, B_BIAS, B_OUT, B_FLUSH, B_COUNT };

static bool ok(cudaError_t e, const char *what) {
    if (e == cudaSuccess) return true;
    fprintf(stderr, WHO ": %s: %s (%s)\n", what, cudaGetErrorName(e), cudaGetErrorString(e));
    return false;
}

static bool upload(struct device_state *d, int slot, const void *src, size_t bytes,
                   const char *name) {
    if (!src) return true; /* absent tensor: NULL on the device too */
    char what[64];
    snprintf(what, sizeof what, "cudaMalloc(%s, %zu bytes)", name, bytes);
    if (!ok(cudaMalloc(&d->buf[slot], bytes), what)) return false;
    snprintf(what, sizeof what, "cudaMemcpy(%s, host to device)", name);
    return ok(cudaMemcpy(d->buf[slot], src, bytes, cudaMemcpyHostToDevice), what);
}

static bool setup(const struct w4a16_args *p, struct device_state *d, struct w4a16_args *k) {
    const size_t M = (size_t)p->M, N = (size_t)p->N, K = (size_t)p->K;
    const size_t G = K / (size_t)p->group_size;
    if (!ok(cudaSetDevice(env_int("W4A16_CUDA_DEVICE", 0, 1023, 0)), "cudaSetDevice")) return false;
    if (!upload(d, B_A, p->a, M * K * 2, "a") || !upload(d, B_B, p->b, N * K / 2, "b") ||
        !upload(d, B_SCALE, p->scale, G * N * 2, "scale") ||
        !upload(d, B_ZP, p->zp, G * N / 2, "zp") || !upload(d, B_PERM, p->perm, K * 4, "perm") ||
        !upload(d, B_BIAS, p->bias, N * 2, "bias") ||
        !ok(cudaMalloc(&d->buf[B_OUT], M * N * 2), "cudaMalloc(out)"))
        return false;
    int dev = 0, l2 = 0;
    if (!ok(cudaGetDevice(&dev), "cudaGetDevice") ||
        !ok(cudaDeviceGetAttribute(&l2, cudaDevAttrL2CacheSize, dev), "cudaDeviceGetAttribute(L2)"))
        return false;
    d->flush_bytes = 2 * (size_t)(l2 > 0 ? l2 : 1 << 20);
    const char *how = getenv("W4A16_CUDA_FLUSH");
    d->flush_write = how && strcmp(how, "write") == 0;
    if (how && how[0] && !d->flush_write && strcmp(how, "read") != 0) {
        fprintf(stderr, WHO ": W4A16_CUDA_FLUSH='%s': want read or write\n", how);
        return false;
    }
    if (!ok(cudaMalloc(&d->buf[B_FLUSH], d->flush_bytes), "cudaMalloc(L2 flush buffer)") ||
        !ok(cudaMemset(d->buf[B_FLUSH], 0, d->flush_bytes), "cudaMemset(L2 flush buffer)"))
        return false;
    for (; d->nev < 2; d->nev++)
        if (!ok(cudaEventCreate(&d->ev[d->nev]), "cudaEventCreate")) return false;
    /* the kernel takes the same struct, by value, with device pointers */
    *k = *p;
    k->a = (const uint16_t *)d->buf[B_A];
    k->b = (const uint32_t *)d->buf[B_B];
    k->scale = (const uint16_t *)d->buf[B_SCALE];
    k->zp = (const uint32_t *)d->buf[B_ZP];
    k->perm = (const int32_t *)d->buf[B_PERM];
    k->bias = (const uint16_t *)d->buf[B_BIAS];
    k->out = (uint16_t *)d->buf[B_OUT];
    k->kernel_ms = NULL;
    return true;
}

static bool launch(const struct launch_cfg &c, const struct w4a16_args &k) {
    c.fn<<<c.grid, c.block, c.smem>>>(k);
    return ok(cudaGetLastError(), "kernel launch");
}

static int cmp_float(const void *x, const void *y) {
    const float a = *(const float *)x, b = *(const float *)y;
    return (a > b) - (a < b);
}

/* Reads n 16-byte words of p, so that they evict what the L2 held; writes
 * *sink only where their xor equals the impossible key (never, but the
 * compiler cannot know that). */
__global__ void flush_read_kernel(const uint4 *p, size_t n, uint32_t key, uint32_t *sink) {
    uint32_t x = 0;
    for (size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x; i < n;
         i += (size_t)gridDim.x * blockDim.x) {
        const uint4 v = p[i];
        x ^= v.x ^ v.y ^ v.z ^ v.w;
    }
    if (x == key) *sink = x;
}

/* The L2 flush before each timed launch. By default the flush buffer (zeroed
 * once in setup, so its xor is 0 and never the key 1) is read: the L2 then
 * holds clean lines, which the timed kernel evicts for free, as it does after
 * the harness's own perf mode (which rotates input sets) and after a real
 * model's previous layer. $W4A16_CUDA_FLUSH=write overwrites the buffer
 * instead (cudaMemset): the L2 is then full of dirty lines, and the timed
 * kernel pays for writing them back (the form before; kept to compare). */
static bool flush(struct device_state *d, int i) {
    if (d->flush_write)
        return ok(cudaMemset(d->buf[B_FLUSH], i & 0xFF, d->flush_bytes), "cudaMemset(L2 flush)");
    flush_read_kernel<<<1024, 256>>>((const uint4 *)d->buf[B_FLUSH], d->flush_bytes / 16, 1u,
                                     (uint32_t *)d->buf[B_FLUSH]);
    return ok(cudaGetLastError(), "L2 flush (read)");
}

/* Warm-up launch of c, then reps timed launches after an L2 flush each;
 * *ms = their median. */
static bool time_cfg(struct device_state *d, const struct launch_cfg &c, const struct w4a16_args &k,
                     int reps, float *ms) {
    if (!launch(c, k) || !ok(cudaDeviceSynchronize(), "kernel (warm-up run)")) return false;
    float t[MAX_REPS];
    for (int i = 0; i < reps; i++) {
        if (!flush(d, i) || !ok(cudaEventRecord(d->ev[0]), "cudaEventRecord") || !launch(c, k) ||
            !ok(cudaEventRecord(d->ev[1]), "cudaEventRecord") ||
            !ok(cudaEventSynchronize(d->ev[1]), "kernel (timed run)") ||
            !ok(cudaEventElapsedTime(&t[i], d->ev[0], d->ev[1]), "cudaEventElapsedTime"))
            return false;
    }
    qsort(t, (size_t)reps, sizeof t[0], cmp_float);
    *ms = t[reps / 2];
    return true;
}

/* $W4A16_CUDA_TUNE: every mma_variants entry at 2, 4 and 8 warps, timed like
 * the call itself; one line each on stderr. Runs before the call's own
 * launches, which write the output the harness checks. */
static bool tune(const struct w4a16_args *p, struct device_state *d, const struct w4a16_args &k,
                 int cc_major, int reps) {
    if (!getenv("W4A16_CUDA_TUNE") || p->dtype != W4A16_F16 || p->perm || p->M > 16 ||
        !mma_applies(p, cc_major))
        return true;
    const double G = (double)p->K / p->group_size;
    const double bytes = (double)p->N * p->K / 2 + G * p->N * 2 + (p->zp ? G * p->N / 2 : 0) +
                         (double)p->M * p->K * 2 + (double)p->M * p->N * 2;
    if (p->M == 1) { /* the decode kernel's settings too */
        const struct {
            kernel_fn fn;
            int cpw, pf;
        } dv[] = {{w4a16_decode_kernel<false, false, 2, false>, 2, 0},
                  {w4a16_decode_kernel<false, false, 4, false>, 4, 0},
                  {w4a16_decode_kernel<false, false, 8, false>, 8, 0},
                  {w4a16_decode_kernel<false, false, 2, true>, 2, 1},
                  {w4a16_decode_kernel<false, false, 4, true>, 4, 1},
                  {w4a16_decode_kernel<false, false, 8, true>, 8, 1}};
        for (const auto &v : dv) {
            struct launch_cfg c;
            c.fn = v.fn;
            warp_geometry(p, v.cpw, 1, &c);
            float ms = 0.0f;
            if (!time_cfg(d, c, k, reps, &ms)) return false;
            fprintf(stderr,
                    WHO " tune: m=%d n=%d k=%d decode cpw=%d prefetch=%d %.4f ms %.1f GB/s\n", p->M,
                    p->N, p->K, v.cpw, v.pf, ms, bytes / (ms * 1e-3) / 1e9);
        }
    }
    if (p->M == 1) /* the gemv kernel's settings */
        for (const struct gemv_variant &v : gemv_variants)
            for (int warps = 1; warps <= 8; warps *= 2) {
                struct launch_cfg c;
                float ms = 0.0f;
                if (!gemv_geometry(p, v, warps, &c)) break;
                if (!time_cfg(d, c, k, reps, &ms)) return false;
                fprintf(stderr,
                        WHO " tune: m=%d n=%d k=%d gemv nt=%d depth=%d minb=%d async=%d warps=%d "
                            "%.4f ms %.1f GB/s\n",
                        p->M, p->N, p->K, v.nt, v.depth, v.minb, (int)v.async, (int)c.block.y, ms,
                        bytes / (ms * 1e-3) / 1e9);
            }
    for (const struct mma_variant &v : mma_variants) {
        for (int warps = 2; warps <= 8; warps *= 2) {
            struct launch_cfg c;
            c.fn = v.fn;
            mma_geometry(p, v.nt, 1, warps, &c);
            float ms = 0.0f;
            if (!time_cfg(d, c, k, reps, &ms)) return false;
            fprintf(stderr,
                    WHO " tune: m=%d n=%d k=%d nt=%d depth=%d minb=%d warps=%d %.4f ms %.1f GB/s\n",
                    p->M, p->N, p->K, v.nt, v.depth, v.minb, (int)c.block.y, ms,
                    bytes / (ms * 1e-3) / 1e9);
        }
    }
    return true;
}

static bool run_timed(const struct w4a16_args *p, struct device_state *d,
                      const struct w4a16_args &k, float *ms) {
    int dev = 0, major = 0;
    if (!ok(cudaGetDevice(&dev), "cudaGetDevice") ||
        !ok(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, dev),
            "cudaDeviceGetAttribute(compute capability)"))
        return false;
    const int reps = env_int("W4A16_CUDA_REPS", 1, MAX_REPS, 3);
    if (!tune(p, d, k, major, reps)) return false;
    struct launch_cfg c;
    make_config(p, major, &c);
    return time_cfg(d, c, k, reps, ms);
}

static bool release(struct device_state *d) {
    bool good = true;
    for (int i = 0; i < B_COUNT; i++)
        if (d->buf[i]) good = ok(cudaFree(d->buf[i]), "cudaFree") && good;
    for (int i = 0; i < d->nev; i++)
        good = ok(cudaEventDestroy(d->ev[i]), "cudaEventDestroy") && good;
    return good;
}

extern "C" {

W4A16_EXPORT uint32_t w4a16_abi_version(void) {
    return W4A16_ABI_VERSION;
}

W4A16_EXPORT const char *w4a16_name(void) {
    static char name[512]; /* filled once; C++ makes the initialisation thread-safe */
    static const bool filled = [] {
        const int dev = env_int("W4A16_CUDA_DEVICE", 0, 1023, 0);
        int rt = 0, drv = 0;
        cudaDeviceProp prop;
        cudaError_t e = cudaGetDeviceProperties(&prop, dev);
        if (e == cudaSuccess) e = cudaRuntimeGetVersion(&rt);
        if (e == cudaSuccess) e = cudaDriverGetVersion(&drv);
        if (e != cudaSuccess)
            snprintf(name, sizeof name, WHO " (CUDA device %d not usable: %s)", dev,
                     cudaGetErrorString(e));
        else
            snprintf(name, sizeof name,
                     WHO " on %.256s (device %d, sm_%d%d, CUDA runtime %d, driver %d)", prop.name,
                     dev, prop.major, prop.minor, rt, drv);
        return true;
    }();
    (void)filled;
    return name;
}

W4A16_EXPORT int w4a16_gemm(const struct w4a16_args *p) {
    if (w4a16_check_args(p, WHO) != 0) return 1;
    struct device_state d;
    memset(&d, 0, sizeof d);
    struct w4a16_args k;
    float ms = -1.0f;
    bool good =
        setup(p, &d, &k) && run_timed(p, &d, k, &ms) &&
        ok(cudaMemcpy(p->out, d.buf[B_OUT], (size_t)p->M * p->N * 2, cudaMemcpyDeviceToHost),
           "cudaMemcpy(out, device to host)");
    good = release(&d) && good;
    if (good && p->kernel_ms) *p->kernel_ms = ms;
    return good ? 0 : 2;
}

} /* extern "C" */
