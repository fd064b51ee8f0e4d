/* w4a16_cuda.cu - an example native kernel: the w4a16.h contract as a CUDA
 * kernel. Built with `make plugins-cuda` (nvcc) as
 * build/plugins/libw4a16_cuda.so, with the CUDA runtime linked statically
 * (at run time it needs only the NVIDIA driver).
 *
 * Per call: copy the host tensors to the device, launch once (warm-up: it
 * also pays the lazy module load), then time W4A16_CUDA_REPS launches
 * (default 3, 1..1000) with CUDA events, each after overwriting a buffer of
 * twice the L2 size so that the weights come from device memory. The median
 * of those times is reported through args->kernel_ms. Only the M*N output
 * elements are copied back: the host's guard region behind them stays
 * untouched. Device: $W4A16_CUDA_DEVICE (default 0).
 *
 * Kernel: one warp per output column n and tile of MT rows (MT = 1 for
 * decode, 8 otherwise), 8 warps per block. The lanes stride over the
 * column's K/8 packed words (uint4 loads when K % 32 == 0), dequantize each
 * nibble as (q - z) * s in float, multiply with the activations (gathered
 * through perm when given), accumulate in float, reduce across the warp,
 * add the bias and round to f16/bf16 to nearest even (cuda_fp16/cuda_bf16
 * _rn conversions).
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
#pragma unroll
        for (int r = 0; r < MT; r++)
            for (int off = 16; off > 0; off /= 2)
                acc[r] += __shfl_xor_sync(0xFFFFFFFFu, acc[r], off);
        const float bias = p.bias ? to_float<BF16>(__ldg(p.bias + n)) : 0.0f;
#pragma unroll
        for (int r = 0; r < MT; r++)
            if (lane == r && m0 + r < p.M)
                p.out[(size_t)(m0 + r) * p.N + n] =
                    from_float<BF16>(p.bias ? acc[r] + bias : acc[r]);
    }
}

/* ---- host code ------------------------------------------------------------ */

typedef void (*kernel_fn)(struct w4a16_args);

template <bool BF16, bool PERM>
static kernel_fn pick_mt(int M, bool vec) {
    if (M == 1) return vec ? w4a16_kernel<BF16, PERM, 1, true> : w4a16_kernel<BF16, PERM, 1, false>;
    return vec ? w4a16_kernel<BF16, PERM, 8, true> : w4a16_kernel<BF16, PERM, 8, false>;
}

static kernel_fn pick_kernel(const struct w4a16_args *p) {
    const bool vec = p->K % 32 == 0, bf16 = p->dtype == W4A16_BF16, perm = p->perm != NULL;
    if (bf16) return perm ? pick_mt<true, true>(p->M, vec) : pick_mt<true, false>(p->M, vec);
    return perm ? pick_mt<false, true>(p->M, vec) : pick_mt<false, false>(p->M, vec);
}

/* Device resources of one call; release() frees what was made. */
struct device_state {
    void *buf[8]; /* a, b, scale, zp, perm, bias, out, flush */
    size_t flush_bytes;
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
    if (!ok(cudaMalloc(&d->buf[B_FLUSH], d->flush_bytes), "cudaMalloc(L2 flush buffer)"))
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

static bool launch(const struct w4a16_args *p, const struct w4a16_args &k) {
    const int mt = p->M == 1 ? 1 : 8;
    const int tiles = (p->M + mt - 1) / mt;
    const dim3 grid((unsigned)((p->N + WARPS - 1) / WARPS),
                    (unsigned)(tiles < MAX_GRID_Y ? tiles : MAX_GRID_Y));
    pick_kernel(p)<<<grid, WARPS * 32>>>(k);
    return ok(cudaGetLastError(), "kernel launch");
}

static int cmp_float(const void *x, const void *y) {
    const float a = *(const float *)x, b = *(const float *)y;
    return (a > b) - (a < b);
}

/* Warm-up launch, then reps timed launches after an L2 flush each; *ms = median. */
static bool run_timed(const struct w4a16_args *p, struct device_state *d,
                      const struct w4a16_args &k, float *ms) {
    if (!launch(p, k) || !ok(cudaDeviceSynchronize(), "kernel (warm-up run)")) return false;
    const int reps = env_int("W4A16_CUDA_REPS", 1, MAX_REPS, 3);
    float t[MAX_REPS];
    for (int i = 0; i < reps; i++) {
        if (!ok(cudaMemset(d->buf[B_FLUSH], i & 0xFF, d->flush_bytes), "cudaMemset(L2 flush)") ||
            !ok(cudaEventRecord(d->ev[0]), "cudaEventRecord") || !launch(p, k) ||
            !ok(cudaEventRecord(d->ev[1]), "cudaEventRecord") ||
            !ok(cudaEventSynchronize(d->ev[1]), "kernel (timed run)") ||
            !ok(cudaEventElapsedTime(&t[i], d->ev[0], d->ev[1]), "cudaEventElapsedTime"))
            return false;
    }
    qsort(t, (size_t)reps, sizeof t[0], cmp_float);
    *ms = t[reps / 2];
    return true;
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
