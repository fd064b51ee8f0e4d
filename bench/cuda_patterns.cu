/* cuda_patterns.cu - how fast the H200 reads a packed int4 weight matrix
 * (N columns of K/2 contiguous bytes, the kernel contract's layout) in the
 * access patterns an M = 1 kernel may use, with no arithmetic: the ceiling
 * each pattern puts on a gemv kernel. A benchmark for docs/performance.md,
 * not part of CI (needs a GPU): built with
 *   nvcc -O3 -arch=sm_90 -o build/cuda-patterns bench/cuda_patterns.cu
 * and run as build/cuda-patterns N K [reps] on the GPU machine.
 *
 * Patterns (16-byte loads throughout; every block of the fragment patterns
 * owns 16 adjacent columns, its W warps split K into slabs of 128 rows):
 *   linear   grid-stride over the whole matrix
 *   frag     the gemv kernel's: lane (g, t) reads 16-byte chunk t of the
 *            slab of columns g and g + 8 (16 pieces of 64 bytes, K/2 apart)
 *   colrun   a warp reads 512 contiguous bytes of one column per load,
 *            the 16 columns in turn
 *   region   the block's 16 x K/2 bytes read front to back
 * Each prints the median GB/s of reps launches, each after an L2 flush. */
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#define CHECK(x)                                                                                   \
    do {                                                                                           \
        cudaError_t e_ = (x);                                                                      \
        if (e_ != cudaSuccess) {                                                                   \
            fprintf(stderr, "%s: %s\n", #x, cudaGetErrorString(e_));                               \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

__device__ __forceinline__ uint32_t fold(uint4 v) { return v.x ^ v.y ^ v.z ^ v.w; }

__global__ void linear(const uint4 *b, size_t n16, uint32_t *out) {
    uint32_t a = 0;
    const size_t stride = (size_t)gridDim.x * blockDim.x;
    size_t i = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
    for (; i + 3 * stride < n16; i += 4 * stride)
        a ^= fold(__ldg(b + i)) ^ fold(__ldg(b + i + stride)) ^ fold(__ldg(b + i + 2 * stride)) ^
             fold(__ldg(b + i + 3 * stride));
    for (; i < n16; i += stride)
        a ^= fold(__ldg(b + i));
    if (a == 0x12345678u) out[0] = a;
}

/* K16: 16-byte chunks per column (K / 32). */
template <int DEPTH>
__global__ void frag(const uint4 *b, int K16, uint32_t *out) {
    const int lane = threadIdx.x % 32, g = lane / 4, t = lane % 4, W = blockDim.y;
    const uint4 *c0 = b + (size_t)(blockIdx.x * 16 + g) * K16 + t;
    const uint4 *c1 = c0 + (size_t)8 * K16;
    const int slabs = K16 / 4;
    uint32_t a = 0;
    for (int s = threadIdx.y; s < slabs; s += DEPTH * W) {
        uint4 q[DEPTH][2];
#pragma unroll
        for (int u = 0; u < DEPTH; u++)
            if (s + u * W < slabs) {
                q[u][0] = __ldg(c0 + 4 * (s + u * W));
                q[u][1] = __ldg(c1 + 4 * (s + u * W));
            } else {
                q[u][0] = q[u][1] = make_uint4(0, 0, 0, 0);
            }
#pragma unroll
        for (int u = 0; u < DEPTH; u++)
            a ^= fold(q[u][0]) ^ fold(q[u][1]);
    }
    if (a == 0x12345678u) out[0] = a;
}

template <int DEPTH>
__global__ void colrun(const uint4 *b, int K16, uint32_t *out) {
    const int lane = threadIdx.x % 32, W = blockDim.y;
    const uint4 *base = b + (size_t)blockIdx.x * 16 * K16;
    const int runs = K16 / 32; /* 512-byte runs per column */
    uint32_t a = 0;
    /* warp w: runs w, w + W, ... of every column, columns in turn */
    for (int c = 0; c < 16; c++)
        for (int r = threadIdx.y; r < runs; r += DEPTH * W) {
            uint4 q[DEPTH];
#pragma unroll
            for (int u = 0; u < DEPTH; u++)
                q[u] = r + u * W < runs ? __ldg(base + (size_t)c * K16 + 32 * (r + u * W) + lane)
                                        : make_uint4(0, 0, 0, 0);
#pragma unroll
            for (int u = 0; u < DEPTH; u++)
                a ^= fold(q[u]);
        }
    if (a == 0x12345678u) out[0] = a;
}

template <int DEPTH>
__global__ void region(const uint4 *b, int K16, uint32_t *out) {
    const int tid = threadIdx.y * 32 + threadIdx.x, nt = blockDim.y * 32;
    const uint4 *base = b + (size_t)blockIdx.x * 16 * K16;
    const int n = 16 * K16;
    uint32_t a = 0;
    for (int i = tid; i < n; i += DEPTH * nt) {
        uint4 q[DEPTH];
#pragma unroll
        for (int u = 0; u < DEPTH; u++)
            q[u] = i + u * nt < n ? __ldg(base + i + u * nt) : make_uint4(0, 0, 0, 0);
#pragma unroll
        for (int u = 0; u < DEPTH; u++)
            a ^= fold(q[u]);
    }
    if (a == 0x12345678u) out[0] = a;
}

struct timer {
    char *flush;
    size_t flush_bytes;
    cudaEvent_t e0, e1;
};

template <typename F> static double median_ms(timer &tm, int reps, F launch) {
    std::vector<float> ms;
    launch(); /* warm-up */
    CHECK(cudaGetLastError());
    for (int r = 0; r < reps; r++) {
        CHECK(cudaMemset(tm.flush, r, tm.flush_bytes));
        CHECK(cudaEventRecord(tm.e0));
        launch();
        CHECK(cudaEventRecord(tm.e1));
        CHECK(cudaEventSynchronize(tm.e1));
        float t;
        CHECK(cudaEventElapsedTime(&t, tm.e0, tm.e1));
        ms.push_back(t);
    }
    CHECK(cudaGetLastError());
    std::sort(ms.begin(), ms.end());
    return ms[ms.size() / 2];
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: cuda-patterns N K [reps]\n");
        return 2;
    }
    const int N = atoi(argv[1]), K = atoi(argv[2]), reps = argc > 3 ? atoi(argv[3]) : 20;
    if (N <= 0 || K <= 0 || N % 16 || K % 512 || reps <= 0) {
        fprintf(stderr, "cuda-patterns: N must be a multiple of 16, K of 512\n");
        return 2;
    }
    const size_t bytes = (size_t)N * K / 2;
    const int K16 = K / 32;
    uint4 *b;
    uint32_t *out;
    timer tm;
    tm.flush_bytes = (size_t)512 << 20;
    CHECK(cudaMalloc(&b, bytes));
    CHECK(cudaMemset(b, 0x5a, bytes));
    CHECK(cudaMalloc(&out, 4));
    CHECK(cudaMalloc(&tm.flush, tm.flush_bytes));
    CHECK(cudaEventCreate(&tm.e0));
    CHECK(cudaEventCreate(&tm.e1));
    int sms;
    CHECK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, 0));
    auto report = [&](const char *name, double ms) {
        printf("%-24s N=%d K=%d  %8.1f us  %7.1f GB/s\n", name, N, K, ms * 1e3, bytes / ms / 1e6);
    };
    report("linear", median_ms(tm, reps, [&] { linear<<<sms * 8, 512>>>(b, bytes / 16, out); }));
    const int blocks = N / 16;
    for (int W : {4, 8}) {
        const dim3 blk(32, W);
        char name[64];
#define RUN(KERNEL, D)                                                                             \
    snprintf(name, sizeof name, "%s d%d w%d", #KERNEL, D, W);                                      \
    report(name, median_ms(tm, reps, [&] { KERNEL<D><<<blocks, blk>>>(b, K16, out); }))
        RUN(frag, 1);
        RUN(frag, 2);
        RUN(frag, 4);
        RUN(frag, 8);
        RUN(colrun, 2);
        RUN(colrun, 4);
        RUN(region, 2);
        RUN(region, 4);
    }
    return 0;
}
