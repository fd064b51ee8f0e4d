/* w4a16_gemm_fast.cl - a tuned kernel for the W4A16 contract (docs/abi.md),
 * built for decode (M = 1), where the op is bound by memory bandwidth.
 *
 * A work-group is LX columns x LY rows of the output (the contract's
 * geometry: global = (round_up(N, LX), round_up(M, LY))). Its work-items
 * cooperate (split-K inside the work-group):
 * - activations of one output row are staged in local memory as float
 *   (pre-scaled by a power of two per row, see w4_word_fma), XT at a time,
 *   converted once per work-group instead of once per column;
 * - each team of LANES = LY lanes owns one column and splits its K among
 *   its lanes: lane t reads 128-bit chunks t, t+LANES, ... of the packed
 *   weights (a team reads 16 LANES contiguous bytes per load), four chunks
 *   in flight at a time;
 * - weights are dequantized in registers: per chunk of 32 rows in one group
 *   acc += s * sum x*(q - z), exact whenever the per-element form is (exact
 *   data mode);
 * - lane partial sums are reduced through local memory; work-item (x, y)
 *   writes out[m0 + y][n0 + x]. Rows beyond M and columns beyond N are
 *   written by nobody.
 *
 * On NVIDIA's OpenCL (sm_80 and later) group sizes that are multiples of 128
 * take tensor-core paths through inline PTX. With the default 16 x 16
 * work-group those are the paths of "the wide work-group" below (M = 1: the
 * weights of 16 columns as the mma's A operand; M >= 2: two column tiles);
 * with -DLX=8 -DLY=32 the paths of "NVIDIA tensor cores" (M >= 2) and "M = 1,
 * the weights as the A operand". Everywhere else the path above runs.
 *
 * Build options as for every ABI kernel: -DW4_BF16 -DW4_HAS_ZP -DW4_HAS_PERM
 * -DW4_HAS_BIAS. OpenCL C 1.2, no cl_khr_fp16 (vload_half / vstore_half_rte;
 * bf16 by bit shifts, RNE on store); accumulation in float. */

#ifndef W4_BF16
#define W4_BF16 0
#endif
#ifndef W4_HAS_ZP
#define W4_HAS_ZP 0
#endif
#ifndef W4_HAS_PERM
#define W4_HAS_PERM 0
#endif
#ifndef W4_HAS_BIAS
#define W4_HAS_BIAS 0
#endif

/* The work-group: 16 x 16 (the default), 16 x 32 (-DLY=32: the wide paths
 * with 16 warps, twice the warps per column, as a tuning setting) or 8 x 32
 * (-DLX=8 -DLY=32, the earlier default, kept as a tuning setting;
 * docs/performance.md, tenth and twelfth looks). The tensor-core paths know
 * only these three; the portable path any. */
#ifndef LX
#define LX 16 /* columns per work-group */
#endif
#ifndef LY
#define LY 16 /* rows per work-group */
#endif
#define LANES LY /* lanes per column team: one team per column */
#define TEAMS LX /* teams per work-group */
#define TCOLS 1  /* columns per team */
#define XT 4096                    /* activations staged per tile (floats, 18 KiB padded) */
/* Staged activation k sits at XS_AT(k): four pad floats after every 32, so a
 * chunk's 32 activations start 16-byte aligned (read as float4) and the
 * lanes of a quarter-warp, each reading its own chunk, hit distinct banks. */
#define XS_AT(k) ((k) + ((k) >> 5) * 4)

/* Activations are staged pre-scaled by 16^-(k % 4) (powers of two: exact
 * unless a bf16 value near the bottom of the float range becomes subnormal
 * on a device that flushes subnormals); see w4_word_fma. 2^23 + z * 4096 is
 * exact for |z| <= 2048, far beyond 4-bit zero points and uint4b8's 8. */
#define W4_PRESCALE (float8)(1.0f, 0.0625f, 0.00390625f, 0.000244140625f, 1.0f, 0.0625f, \
                             0.00390625f, 0.000244140625f)
#define W4_UNSCALE (float8)(1.0f, 16.0f, 256.0f, 4096.0f, 1.0f, 16.0f, 256.0f, 4096.0f)

/* One 16-bit activation-dtype element as float (exact). */
static float w4_load(__global const ushort *p, size_t i) {
#if W4_BF16
    return as_float((uint)p[i] << 16);
#else
    return vload_half(i, (__global const half *)p);
#endif
}

/* The 8 nibbles of a word, low nibble first, as floats. */
static float8 w4_q8(uint w) {
    const uint8 s = (uint8)(0, 4, 8, 12, 16, 20, 24, 28);
    return convert_float8(((uint8)(w) >> s) & (uint8)(15u));
}

static float w4_sum8(float8 v) {
    const float4 s = v.lo + v.hi;
    return (s.x + s.y) + (s.z + s.w);
}

static float w4_dot8(float8 x, float8 q) { return dot(x.lo, q.lo) + dot(x.hi, q.hi); }

static float w4_scale(__global const ushort *scale, int g, int N, int n) {
    return w4_load(scale, (size_t)g * (size_t)N + (size_t)n);
}

static float w4_zero(__global const uint *zp, int g, int N, int n, int zp_scalar) {
#if W4_HAS_ZP
    return (float)((zp[(size_t)g * (size_t)(N / 8) + (size_t)(n / 8)] >> (4 * (n % 8))) & 15u);
#else
    (void)zp;
    (void)g;
    (void)N;
    (void)n;
    return (float)zp_scalar;
#endif
}

/* Contribution of one word (rows k..k+7 of column n; x = staged activations
 * of those rows) for any group size: per-element groups when a group
 * boundary can fall inside the word. */
static float w4_word(uint w, int k, __local const float *x, __global const ushort *scale,
                     __global const uint *zp, int N, int n, int group_size, int zp_scalar) {
    const float8 xv = vload8(0, x) * W4_UNSCALE; /* staged pre-scaled: undo (exact) */
    const float8 q = w4_q8(w);
    if (group_size % 8 == 0) {
        const int g = k / group_size;
        const float s = w4_scale(scale, g, N, n), z = w4_zero(zp, g, N, n, zp_scalar);
        return s * (w4_dot8(xv, q) - z * w4_sum8(xv));
    }
    const float xs[8] = {xv.s0, xv.s1, xv.s2, xv.s3, xv.s4, xv.s5, xv.s6, xv.s7};
    const float qs[8] = {q.s0, q.s1, q.s2, q.s3, q.s4, q.s5, q.s6, q.s7};
    float acc = 0.0f;
    for (int i = 0; i < 8; i++) {
        const int g = (k + i) / group_size;
        acc += xs[i] * ((qs[i] - w4_zero(zp, g, N, n, zp_scalar)) * w4_scale(scale, g, N, n));
    }
    return acc;
}

/* General path (any group size dividing K, any K % 8 == 0): lane t's
 * partial sum of column n over rows k0 .. k0+kn-1, a word at a time. */
static float w4_lane_tile(__global const uint *bcol, int t, int k0, int kn,
                          __local const float *xs, __global const ushort *scale,
                          __global const uint *zp, int N, int n, int group_size, int zp_scalar) {
    float acc = 0.0f;
    for (int j = t; j < kn / 8; j += LANES)
        acc += w4_word(bcol[k0 / 8 + j], k0 + 8 * j, xs + XS_AT(8 * j), scale, zp, N, n,
                       group_size, zp_scalar);
    return acc;
}

/* ---- fast path: K % 32 == 0 and group_size % 32 == 0 ---------------------
 * A lane's chunks of one tile are processed in rounds of four 128-bit loads
 * (scales and zero points from the staged ss / zz). Nibbles become floats
 * without a conversion instruction: masked in place, nibble j of a half-word
 * is q * 16^j, as_float(0x4B000000 | that) is 2^23 + q * 16^j exactly, and
 * subtracting 2^23 + z * 16^j leaves (q - z) * 16^j exactly; the staged
 * activations carry the 16^-j. (Measured on the H100: 3-5% faster than a
 * shift and a mask per nibble. Loading the first round before staging the
 * activations needed 99 registers instead of 64 and was 10-20% slower.) */

/* One chunk's 128-bit word, or zeros past the end. */
static void w4_fetchw(uint4 *w, __global const uint4 *b4, int ci, int chunks) {
    *w = ci < chunks ? b4[ci] : (uint4)(0u);
}

/* Where chunk ci of the tile (rows k0 + 32ci ..) finds its group's scale and
 * zero point in the staged ss / zz of work-group column col (g0: the tile's
 * first group). */
static int w4_sz_at(int ci, int k0, int g0, int group_size, int col) {
    return ((k0 + 32 * ci) / group_size - g0) * LX + col;
}

/* 2^23 + (nibble i of w) * 16^(i % 4) exactly: nibbles 0-3 are masked in
 * place, nibbles 4-7 after one shift by 16 (h = w >> 16). */
#define W4_NIBS(w, i) (as_float(((w) & (15u << (4 * (i)))) | 0x4B000000u))

/* acc + sum_i x_i * (q_i - z) over the 8 nibbles of w. The staged
 * activations are pre-scaled (lo/hi = x_i / 16^(i % 4), exact) and zb4 =
 * 2^23 + z * 16^j, so each term is x_i * (q_i - z) exactly as written, with
 * one mask per nibble instead of a shift and a mask. */
static float w4_word_fma(uint w, float4 lo, float4 hi, float4 zb4, float acc) {
    const uint h = w >> 16;
    acc = fma(lo.x, W4_NIBS(w, 0) - zb4.x, acc);
    acc = fma(lo.y, W4_NIBS(w, 1) - zb4.y, acc);
    acc = fma(lo.z, W4_NIBS(w, 2) - zb4.z, acc);
    acc = fma(lo.w, W4_NIBS(w, 3) - zb4.w, acc);
    acc = fma(hi.x, W4_NIBS(h, 0) - zb4.x, acc);
    acc = fma(hi.y, W4_NIBS(h, 1) - zb4.y, acc);
    acc = fma(hi.z, W4_NIBS(h, 2) - zb4.z, acc);
    acc = fma(hi.w, W4_NIBS(h, 3) - zb4.w, acc);
    return acc;
}

/* s * sum over the chunk's 32 rows; x4 = its staged activations (aligned). */
static float w4_chunk_fma(uint4 w, float s, float z, __local const float4 *x4) {
    const float4 zb4 = fma((float4)(z), (float4)(1.0f, 16.0f, 256.0f, 4096.0f), 8388608.0f);
    float d = w4_word_fma(w.x, x4[0], x4[1], zb4, 0.0f);
    d = w4_word_fma(w.y, x4[2], x4[3], zb4, d);
    d = w4_word_fma(w.z, x4[4], x4[5], zb4, d);
    d = w4_word_fma(w.w, x4[6], x4[7], zb4, d);
    return s * d;
}

/* Lane t's sum over the chunks t, t+32, ... of one column in this tile, in
 * rounds of four 128-bit loads in flight together; scales and zero points
 * come from the staged ss / zz. (Measured on the H100: loading each chunk's
 * scale and zero point from global memory next to its weights, or fetching
 * the next round while computing the current one, was slower.) */
static float w4_fast_column(__global const uint4 *b4, int t, int chunks, int k0, int g0,
                            int group_size, int col, __local const float *xs,
                            __local const float *ss, __local const float *zz) {
    float acc = 0.0f;
    for (int c = t; c < chunks; c += 4 * LANES) {
        uint4 w0, w1, w2, w3;
        w4_fetchw(&w0, b4, c, chunks);
        w4_fetchw(&w1, b4, c + LANES, chunks);
        w4_fetchw(&w2, b4, c + 2 * LANES, chunks);
        w4_fetchw(&w3, b4, c + 3 * LANES, chunks);
        int at = w4_sz_at(c, k0, g0, group_size, col);
        acc += w4_chunk_fma(w0, ss[at], zz[at], (__local const float4 *)(xs + XS_AT(32 * c)));
        if (c + LANES < chunks) {
            at = w4_sz_at(c + LANES, k0, g0, group_size, col);
            acc += w4_chunk_fma(w1, ss[at], zz[at],
                                (__local const float4 *)(xs + XS_AT(32 * (c + LANES))));
        }
        if (c + 2 * LANES < chunks) {
            at = w4_sz_at(c + 2 * LANES, k0, g0, group_size, col);
            acc += w4_chunk_fma(w2, ss[at], zz[at],
                                (__local const float4 *)(xs + XS_AT(32 * (c + 2 * LANES))));
        }
        if (c + 3 * LANES < chunks) {
            at = w4_sz_at(c + 3 * LANES, k0, g0, group_size, col);
            acc += w4_chunk_fma(w3, ss[at], zz[at],
                                (__local const float4 *)(xs + XS_AT(32 * (c + 3 * LANES))));
        }
    }
    return acc;
}

/* Stages the scale and zero point of groups g0 .. g0+ng-1 of the
 * work-group's columns into ss / zz ([group][column]; all work-items). */
static void w4_stage_sz(__local float *ss, __local float *zz, __global const ushort *scale,
                        __global const uint *zp, int N, int n0, int g0, int ng, int zp_scalar,
                        int l) {
    for (int i = l; i < ng * LX; i += LX * LY) {
        const int g = g0 + i / LX, n = min(n0 + i % LX, N - 1); /* past N: never read */
        ss[i] = w4_scale(scale, g, N, n);
        zz[i] = w4_zero(zp, g, N, n, zp_scalar);
    }
}

/* Stages A'[row][k0 .. k0+kn) as float into xs at XS_AT (all work-items):
 * eight consecutive activations per work-item and step, loaded before they
 * are stored, so the loads are in flight together. kn is a multiple of 8. */
static void w4_stage(__local float *xs, __global const ushort *a, __global const int *perm,
                     size_t row, int k0, int kn, int l) {
    for (int i = 8 * l; i < kn; i += 8 * LX * LY) {
#if W4_HAS_PERM
        __global const int *p = perm + k0 + i;
        const float8 v = (float8)(w4_load(a, row + p[0]), w4_load(a, row + p[1]),
                                  w4_load(a, row + p[2]), w4_load(a, row + p[3]),
                                  w4_load(a, row + p[4]), w4_load(a, row + p[5]),
                                  w4_load(a, row + p[6]), w4_load(a, row + p[7]));
#elif W4_BF16
        (void)perm;
        const float8 v = as_float8(convert_uint8(vload8(0, a + row + k0 + i)) << 16);
#else
        (void)perm;
        const float8 v = vload_half8(0, (__global const half *)(a + row + k0 + i));
#endif
        /* i % 32 is a multiple of 8: the eight targets are contiguous */
        vstore8(v * W4_PRESCALE, 0, xs + XS_AT(i));
    }
}

#if W4_BF16
/* float -> bf16 bits, round to nearest even; NaN stays a (quiet) NaN. */
static ushort w4_float_to_bf16(float v) {
    const uint bits = as_uint(v);
    if ((bits & 0x7FFFFFFFu) > 0x7F800000u) return (ushort)((bits >> 16) | 0x0040u);
    return (ushort)((bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16);
}
#endif

static void w4_store(__global ushort *p, size_t i, float v) {
#if W4_BF16
    p[i] = w4_float_to_bf16(v);
#else
    vstore_half_rte(v, i, (__global half *)p);
#endif
}

/* 16-bit bits of the activation dtype as float (exact). */
static float w4_bits(uint h) {
#if W4_BF16
    return as_float(h << 16);
#else
    const ushort v = (ushort)h;
    return vload_half(0, (const half *)&v);
#endif
}

/* ---- NVIDIA tensor cores (Ampere and later), M >= W4_MMA_MIN_M -------------
 * Only where the compiler is NVIDIA's (its OpenCL C defines the extension
 * macro cl_nv_pragma_unroll), through inline PTX; -DW4_NV_MMA=0 (or editing
 * the default below) turns it off, for example on a GPU older than sm_80.
 * Precondition: group_size % 128 == 0 (so K % 128 == 0), zero points 0..15.
 * With -DLX=8 -DLY=32 (the earlier geometry; the default's paths are in "the
 * wide work-group" below, which reuses the helpers here):
 * the work-group's LX = 8 columns are one m16n8k16 column tile, its LY = 32
 * rows two row tiles; its 8 warps split K into slabs of 128 rows (warp w:
 * slabs w, w + 8, ...), each slab inside one group. Lane (g = lane / 4,
 * t = lane % 4) loads chunk t (slab rows 32t .. 32t + 31) of column g: its
 * four words feed 8 mma steps. A dot product does not depend on the order of
 * its terms, so a lane's fragment slots stand for rows of its own chunk and
 * the activation fragments follow the same order (step 2w + h: the B slots
 * 2t, 2t+1 hold nibbles 2h, 2h+4 of word w, the slots 2t+8, 2t+9 nibbles
 * 2h+1, 2h+5; the A slots the activations of the same rows). q - z is a
 * small integer, exact in f16 and bf16; the products x (q - z) are exact and
 * summed in float by the tensor core; per slab and column acc += s * sum
 * (the scale factored out of a group, as in the rest of this kernel). */
#ifndef W4_NV_MMA
#if defined(cl_nv_pragma_unroll)
#define W4_NV_MMA 1
#else
#define W4_NV_MMA 0
#endif
#endif
#ifndef W4_MMA_MIN_M
#define W4_MMA_MIN_M 2 /* at M = 1 the path above was as fast on the H200 */
#endif
#define W4_SLAB 128
#define W4_WARPS (LX * LY / 32)

#if W4_NV_MMA
/* d = a x b + c on one m16n8k16 tile, float accumulators. */
#if W4_BF16
#define W4_MMA_TYPE "bf16"
#else
#define W4_MMA_TYPE "f16"
#endif
static float4 w4_mma(uint4 a, uint b0, uint b1, float4 c) {
    float d0, d1, d2, d3;
    __asm__ __volatile__("mma.sync.aligned.m16n8k16.row.col.f32." W4_MMA_TYPE "." W4_MMA_TYPE
                         ".f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%10,%11,%12,%13};"
                         : "=f"(d0), "=f"(d1), "=f"(d2), "=f"(d3)
                         : "r"(a.x), "r"(a.y), "r"(a.z), "r"(a.w), "r"(b0), "r"(b1), "f"(c.x),
                           "f"(c.y), "f"(c.z), "f"(c.w));
    return (float4)(d0, d1, d2, d3);
}

/* a * b + c on pairs of 16-bit values (the activation dtype), rounded once. */
static uint w4_fma2(uint a, uint b, uint c) {
    uint d;
    __asm__("fma.rn." W4_MMA_TYPE "x2 %0, %1, %2, %3;" : "=r"(d) : "r"(a), "r"(b), "r"(c));
    return d;
}

/* q - z for the nibble pairs (0,4), (1,5), (2,6), (3,7) of w, two 16-bit
 * values each: f16 (w & 0x000F000F) | 0x6400 is 1024 + q, times 1 plus
 * -(1024 + z) = 0xE400 | z; (w & 0x00F000F0) | 0x6400 is 1024 + 16q, times
 * 1/16 plus -(64 + z) = 0xD400 + 16z. bf16 (7-bit mantissa): 0x4300 | q is
 * 128 + q, one shift a pair, plus -(128 + z) = 0xC300 | z. Each result is a
 * small integer computed exactly and rounded once: exact. */
static uint4 w4_pairs(uint w, uint z) {
    const uint zz = z * 0x00010001u;
#if W4_BF16
    const uint one = 0x3F803F80u, nz = 0xC300C300u | zz, mg = 0x43004300u;
    return (uint4)(w4_fma2((w & 0x000F000Fu) | mg, one, nz),
                   w4_fma2(((w >> 4) & 0x000F000Fu) | mg, one, nz),
                   w4_fma2(((w >> 8) & 0x000F000Fu) | mg, one, nz),
                   w4_fma2(((w >> 12) & 0x000F000Fu) | mg, one, nz));
#else
    const uint one = 0x3C003C00u, nz = 0xE400E400u | zz, mg = 0x64006400u;
    const uint sixteenth = 0x2C002C00u, nz16 = (0xD400u + 16u * z) * 0x00010001u;
    const uint h = w >> 8;
    return (uint4)(w4_fma2((w & 0x000F000Fu) | mg, one, nz),
                   w4_fma2((w & 0x00F000F0u) | mg, sixteenth, nz16),
                   w4_fma2((h & 0x000F000Fu) | mg, one, nz),
                   w4_fma2((h & 0x00F000F0u) | mg, sixteenth, nz16));
#endif
}

/* A'[m][k .. k + 7] as 16-bit bits in a uint4 (k % 8 == 0). */
static uint4 w4_x8(__global const ushort *a, __global const int *perm, int K, int m, int k) {
    __global const ushort *row = a + (size_t)m * (size_t)K;
#if W4_HAS_PERM
    __global const int *p = perm + k;
    return (uint4)((uint)row[p[0]] | ((uint)row[p[1]] << 16), (uint)row[p[2]] | ((uint)row[p[3]] << 16),
                   (uint)row[p[4]] | ((uint)row[p[5]] << 16), (uint)row[p[6]] | ((uint)row[p[7]] << 16));
#else
    (void)perm;
    return *(__global const uint4 *)(row + k); /* 16-byte aligned: K % 128 == 0, k % 8 == 0 */
#endif
}

/* What a lane reads for one slab: its weight chunk, the zero-point word of
 * the work-group's 8 columns (nibble g: column g) and the scales of its two
 * C columns 2t, 2t + 1. Fetched a slab ahead. */
struct w4_load {
    uint4 q;
    uint zw, sv;
};

/* The weight chunk loads of the tensor-core paths. W4_NV_LDHINT 1 (the
 * default): no L1 line (each weight is read once) and 256-byte L2 lines (the
 * warps of a work-group read adjacent 64-byte pieces of each column); both
 * qualifiers need sm_80, as the mma does. 0: a plain load. On the H200 the
 * hints made the M = 1 path 5-13% faster at five decode shapes
 * (docs/performance.md). */
#ifndef W4_NV_LDHINT
#define W4_NV_LDHINT 1
#endif
static uint4 w4_ldq(__global const uint4 *p) {
#if W4_NV_LDHINT
    uint4 v;
    __asm__("ld.global.nc.L1::no_allocate.L2::256B.v4.u32 {%0, %1, %2, %3}, [%4];"
            : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w)
            : "l"(p));
    return v;
#else
    return *p;
#endif
}

/* The tensor-core paths' loads: chunk t of column n in slab sl; the
 * zero-point word of group grp holding column n's nibble (n % 8 == 0 here:
 * the word of columns n .. n + 7), or the scalar zero point in every nibble;
 * column n's scale in group grp, as bits. */
static uint4 w4_chunk(__global const uint *b, int K, int n, int sl, int t) {
    __global const uint4 *col = (__global const uint4 *)(b + (size_t)n * (size_t)(K / 8));
    return w4_ldq(col + sl * (W4_SLAB / 32) + t);
}

static uint w4_zword(__global const uint *zp, int N, int grp, int n, int zp_scalar) {
#if W4_HAS_ZP
    (void)zp_scalar;
    return zp[(size_t)grp * (size_t)(N / 8) + (size_t)(n / 8)];
#else
    (void)zp;
    (void)N;
    (void)grp;
    (void)n;
    return (uint)zp_scalar * 0x11111111u;
#endif
}

static uint w4_sbits(__global const ushort *scale, int N, int grp, int n) {
    return (uint)scale[(size_t)grp * (size_t)N + (size_t)n];
}

static struct w4_load w4_fetch(__global const uint *b, __global const ushort *scale,
                               __global const uint *zp, int N, int K, int group_size,
                               int zp_scalar, int n0, int sl, int g, int t) {
    struct w4_load l;
    const int grp = sl * W4_SLAB / group_size;
    l.q = w4_chunk(b, K, n0 + g, sl, t);
    l.zw = w4_zword(zp, N, grp, n0, zp_scalar);
    const ushort2 s2 = vload2(0, scale + (size_t)grp * (size_t)N + (size_t)(n0 + 2 * t));
    l.sv = (uint)s2.x | ((uint)s2.y << 16);
    return l;
}

/* Word wd (0..3) of a lane's 16-byte weight chunk (wd a constant once unrolled). */
static uint w4_word_of(uint4 q, int wd) { return wd == 0 ? q.x : wd == 1 ? q.y : wd == 2 ? q.z : q.w; }

#ifndef W4_MMA_UNROLL
/* how far the mma path unrolls its loop over a chunk's four words: 4 (all) or
 * 2, which needs fewer registers and so may fit more work-groups per SM. The
 * 16 x 16 work-group takes 2: on an H100 that brought the whole kernel from
 * 73 registers to 64, 4 work-groups per SM instead of 3, and its M = 1 path
 * 17% and 6% faster at (14336, 14336) and (28672, 8192), for 13% more time
 * at m = 16 (docs/performance.md, tenth look). 8 x 32 keeps 4 (eighth look). */
#if LX == 16
#define W4_MMA_UNROLL 2
#else
#define W4_MMA_UNROLL 4
#endif
#endif
#if W4_MMA_UNROLL != 4 && W4_MMA_UNROLL != 2
#error "W4_MMA_UNROLL must be 4 or 2"
#endif

/* Slab kb of row tile m0: acc += s * (A' rows) x (the lane's chunk). */
static float4 w4_mma_slab(__global const ushort *a, __global const int *perm, int M, int K,
                          int m0, int kb, struct w4_load l, int g, int t, float4 acc) {
    const uint z = (l.zw >> (4 * g)) & 15u;
    const int kc = kb + 32 * t, r0 = min(m0 + g, M - 1), r1 = min(m0 + g + 8, M - 1);
    float4 d = (float4)(0.0f);
#if W4_MMA_UNROLL == 2
#pragma unroll 2
#else
#pragma unroll
#endif
    for (int wd = 0; wd < 4; wd++) {
        const uint4 bq = w4_pairs(w4_word_of(l.q, wd), z);
        const uint4 x0 = w4_x8(a, perm, K, r0, kc + 8 * wd);
        const uint4 x1 = r1 == r0 ? x0 : w4_x8(a, perm, K, r1, kc + 8 * wd);
        /* step h = 0: activations (x0, x4) and (x1, x5); h = 1: (x2, x6), (x3, x7) */
        uint4 af = (uint4)((x0.x & 0xFFFFu) | (x0.z << 16), (x1.x & 0xFFFFu) | (x1.z << 16),
                           (x0.x >> 16) | (x0.z & 0xFFFF0000u), (x1.x >> 16) | (x1.z & 0xFFFF0000u));
        d = w4_mma(af, bq.x, bq.y, d);
        af = (uint4)((x0.y & 0xFFFFu) | (x0.w << 16), (x1.y & 0xFFFFu) | (x1.w << 16),
                     (x0.y >> 16) | (x0.w & 0xFFFF0000u), (x1.y >> 16) | (x1.w & 0xFFFF0000u));
        d = w4_mma(af, bq.z, bq.w, d);
    }
    const float s0 = w4_bits(l.sv & 0xFFFFu), s1 = w4_bits(l.sv >> 16);
    return acc + (float4)(s0, s1, s0, s1) * d;
}

/* ---- NVIDIA tensor cores at M = 1 (decode), the earlier form (W4_GV2=0) ---
 * The same tiles and decode with the activations staged once per
 * work-group: M = 1 means every row of the A operand may hold the one row of
 * activations (rows 1..15 of the result are never read), so a lane's A
 * fragment is two 32-bit pairs, read from local memory where the work-group
 * staged them in fragment order (w4_gv_stage), 64 slabs (8192 rows) at a
 * time. Warp w takes slabs w, w + 8, ...; W4_GV_DEPTH slabs of its weights,
 * zero points and scales are in flight (registers), across the staging of
 * the next rows. The C fragment's columns 2t, 2t + 1 (row 0, the same in
 * every lane quad) are summed over the warps through local memory. */
#ifndef W4_GV
#define W4_GV 1 /* -DW4_GV=0: M = 1 takes the path above instead */
#endif
#ifndef W4_GV_DEPTH
#define W4_GV_DEPTH 2 /* a power of two dividing W4_GV_TILE / W4_WARPS */
#endif
#define W4_GV_TILE 64 /* slabs staged at a time: 64 x 16 entries of 16 bytes, in xs4 */

/* Where staged activation word q (rows 8q .. 8q + 7 of the tile) lives: by
 * slab, then word of the chunk, then chunk, so that a lane quad reads four
 * consecutive entries. */
static int w4_gv_at(int q) {
    return (q & ~15) | ((q & 3) << 2) | ((q >> 2) & 3);
}

/* Rows k .. k + 7 of A' (row 0) as the pairs (x0, x4), (x1, x5), (x2, x6),
 * (x3, x7): the activation slots of the two mma steps of that word. */
static uint4 w4_gv_word(__global const ushort *a, __global const int *perm, int K, int k) {
    const uint4 v = w4_x8(a, perm, K, 0, k);
    return (uint4)((v.x & 0xFFFFu) | (v.z << 16), (v.x >> 16) | (v.z & 0xFFFF0000u),
                   (v.y & 0xFFFFu) | (v.w << 16), (v.y >> 16) | (v.w & 0xFFFF0000u));
}

/* Stages rows k0 .. k0 + kn of A' (row 0): entry w4_gv_at(q) holds word q
 * (w4_gv_word), the A slots of its two mma steps (all work-items). */
static void w4_gv_stage(__local uint4 *xs, __global const ushort *a, __global const int *perm,
                        int K, int k0, int kn, int l) {
    for (int q = l; q < kn / 8; q += LX * LY)
        xs[w4_gv_at(q)] = w4_gv_word(a, perm, K, k0 + 8 * q);
}

/* The two 16-bit values of v (low half first) as floats (exact). */
static float2 w4_bits2(uint v) {
#if W4_BF16
    return (float2)(as_float(v << 16), as_float(v & 0xFFFF0000u));
#else
    float lo, hi;
    __asm__("{.reg .b16 l, h;\n\tmov.b32 {l, h}, %2;\n\tcvt.f32.f16 %0, l;\n\tcvt.f32.f16 %1, h;}"
            : "=f"(lo), "=f"(hi)
            : "r"(v));
    return (float2)(lo, hi);
#endif
}

/* One slab: acc (columns 2t, 2t + 1) += s * (row 0 of A') x (the lane's
 * chunk); xs: the slab's 16 staged entries. */
static float2 w4_gv_slab(struct w4_load l, __local const uint4 *xs, int g, int t, float2 acc) {
    const uint z = (l.zw >> (4 * g)) & 15u;
    float4 d = (float4)(0.0f);
#if W4_MMA_UNROLL == 2
#pragma unroll 2
#else
#pragma unroll
#endif
    for (int wd = 0; wd < 4; wd++) {
        const uint4 bq = w4_pairs(w4_word_of(l.q, wd), z);
        const uint4 x = xs[4 * wd + t];
        d = w4_mma((uint4)(x.x, x.x, x.y, x.y), bq.x, bq.y, d);
        d = w4_mma((uint4)(x.z, x.z, x.w, x.w), bq.z, bq.w, d);
    }
    return fma(w4_bits2(l.sv), d.xy, acc);
}

/* The end of the M = 1 paths, all work-items: red[warp][column] holds each
 * warp's sums of the work-group's LX columns; work-item l < LX adds them up
 * (and the bias) and stores column n0 + l. */
static void w4_gv_finish(__local const float *red, __global const ushort *bias,
                         __global ushort *out, int n0, int N, int l) {
    barrier(CLK_LOCAL_MEM_FENCE);
    if (l >= LX || n0 + l >= N) return;
    float v = 0.0f;
    for (int w = 0; w < W4_WARPS; w++)
        v += red[w * LX + l];
#if W4_HAS_BIAS
    v += w4_load(bias, (size_t)(n0 + l));
#else
    (void)bias;
#endif
    w4_store(out, (size_t)(n0 + l), v);
}

static void w4_gv_path(__global const ushort *a, __global const uint *b,
                       __global const ushort *scale, __global const uint *zp,
                       __global const int *perm, __global const ushort *bias, __global ushort *out,
                       int N, int K, int group_size, int zp_scalar, __local uint4 *xs,
                       __local float *red) {
    const int l = (int)get_local_id(1) * LX + (int)get_local_id(0);
    const int warp = l / 32, lane = l % 32, g = lane / 4, t = lane % 4;
    const int n0 = (int)get_group_id(0) * LX, slabs = K / W4_SLAB;
    struct w4_load ring[W4_GV_DEPTH];
#pragma unroll
    for (int u = 0; u < W4_GV_DEPTH; u++)
        if (warp + u * W4_WARPS < slabs)
            ring[u] =
                w4_fetch(b, scale, zp, N, K, group_size, zp_scalar, n0, warp + u * W4_WARPS, g, t);
    float2 acc = (float2)(0.0f);
    for (int t0 = 0; t0 < slabs; t0 += W4_GV_TILE) {
        const int tn = min(W4_GV_TILE, slabs - t0);
        barrier(CLK_LOCAL_MEM_FENCE);
        w4_gv_stage(xs, a, perm, K, t0 * W4_SLAB, tn * W4_SLAB, l);
        barrier(CLK_LOCAL_MEM_FENCE);
        /* a full tile gives each warp a multiple of W4_GV_DEPTH slabs, so the
         * ring stays in step across tiles */
        for (int sl = t0 + warp; sl < t0 + tn; sl += W4_GV_DEPTH * W4_WARPS) {
#pragma unroll
            for (int u = 0; u < W4_GV_DEPTH; u++) {
                const int s = sl + u * W4_WARPS;
                if (s < t0 + tn) { /* (a guard, not a break: the loop must unroll) */
                    const struct w4_load cur = ring[u];
                    if (s + W4_GV_DEPTH * W4_WARPS < slabs)
                        ring[u] = w4_fetch(b, scale, zp, N, K, group_size, zp_scalar, n0,
                                           s + W4_GV_DEPTH * W4_WARPS, g, t);
                    acc = w4_gv_slab(cur, xs + 16 * (s - t0), g, t, acc);
                }
            }
        }
    }
    if (g == 0) { /* red[warp][column]: lane t holds columns 2t, 2t + 1 */
        red[warp * LX + 2 * t] = acc.x;
        red[warp * LX + 2 * t + 1] = acc.y;
    }
    w4_gv_finish(red, bias, out, n0, N, l);
}

/* ---- M = 1, the weights as the A operand (W4_GV2, the default for 8 x 32) -
 * The path above with the operands' roles swapped, as the CUDA plugin's gemv
 * kernel does, so that one mma step covers twice the weights: the 16 rows of
 * the A operand are the work-group's 8 columns over two slabs of K (row g:
 * column g, slab 2d; row g + 8: column g, slab 2d + 1), the B operand's
 * column 0 the activations of slab 2d and its column 1 those of slab 2d + 1
 * (lanes with g even load the first, odd the second; columns 2..7 are never
 * read). Then D[g][0] is column g's sum over slab 2d and D[g + 8][1] its sum
 * over slab 2d + 1: lane (g, 0)'s C slots 0 and 3. Warp w takes the slab
 * pairs w, w + 8, ...; a lane reads chunk t of column g in both slabs (two
 * 16-byte loads), their two zero-point words and two scales. Where K has an
 * odd number of slabs the last pair's second slab is absent: its weights are
 * not read and its sum is not added. Staged entry of slab s (of the tile),
 * word wd, chunk t: 32 (s / 2) + 8 wd + 4 (s % 2) + t, so that a quarter-warp
 * (g = 0, 1; t = 0..3) reads 8 consecutive entries. Half the mma steps and
 * activation reads of the earlier form per weight byte: on the H200 17-24%
 * faster than it at three decode shapes (docs/performance.md). */
#ifndef W4_GV2
#define W4_GV2 1 /* 0: M = 1 takes the form above (weights as the B operand) */
#endif
#ifndef W4_GV2_DEPTH
#define W4_GV2_DEPTH 1 /* slab pairs in flight: a power of two dividing W4_GV_TILE / 2 / W4_WARPS */
#endif

static int w4_gv2_at(int q) { /* q = 16 s + 4 t + wd */
    return 32 * (q >> 5) + 8 * (q & 3) + 4 * ((q >> 4) & 1) + ((q >> 2) & 3);
}

struct w4_load2 {
    uint4 q0, q1; /* chunk t of column g in slabs 2d, 2d + 1 */
    uint z0, z1;  /* their zero-point words (nibble g) */
    uint sv;      /* their scales of column g, low half first */
};

static struct w4_load2 w4_fetch2(__global const uint *b, __global const ushort *scale,
                                 __global const uint *zp, int N, int K, int group_size,
                                 int zp_scalar, int n0, int d, int slabs, int g, int t) {
    struct w4_load2 l;
    const int s0 = 2 * d, has1 = s0 + 1 < slabs;
    const int grp0 = s0 * W4_SLAB / group_size, grp1 = has1 ? (s0 + 1) * W4_SLAB / group_size : grp0;
    l.q0 = w4_chunk(b, K, n0 + g, s0, t);
    l.q1 = has1 ? w4_chunk(b, K, n0 + g, s0 + 1, t) : (uint4)(0u);
    l.z0 = w4_zword(zp, N, grp0, n0, zp_scalar);
    l.z1 = w4_zword(zp, N, grp1, n0, zp_scalar);
    l.sv = w4_sbits(scale, N, grp0, n0 + g) | (w4_sbits(scale, N, grp1, n0 + g) << 16);
    return l;
}

/* One slab pair: acc (column g) += s0 * D[g][0] + s1 * D[g + 8][1]; xs: the
 * pair's 32 staged entries. */
static float w4_gv2_pair(struct w4_load2 l, __local const uint4 *xs, int has1, int g, int t,
                         float acc) {
    const uint za = (l.z0 >> (4 * g)) & 15u, zb = (l.z1 >> (4 * g)) & 15u;
    float4 d = (float4)(0.0f);
#pragma unroll
    for (int wd = 0; wd < 4; wd++) {
        const uint4 p0 = w4_pairs(w4_word_of(l.q0, wd), za);
        const uint4 p1 = w4_pairs(w4_word_of(l.q1, wd), zb);
        const uint4 x = xs[8 * wd + 4 * (g & 1) + t]; /* slab 2d + (g & 1) */
        d = w4_mma((uint4)(p0.x, p1.x, p0.y, p1.y), x.x, x.y, d);
        d = w4_mma((uint4)(p0.z, p1.z, p0.w, p1.w), x.z, x.w, d);
    }
    const float2 s = w4_bits2(l.sv);
    acc = fma(s.x, d.x, acc);
    return has1 ? fma(s.y, d.w, acc) : acc; /* an absent slab's D (any value) is dropped */
}

static void w4_gv2_path(__global const ushort *a, __global const uint *b,
                        __global const ushort *scale, __global const uint *zp,
                        __global const int *perm, __global const ushort *bias,
                        __global ushort *out, int N, int K, int group_size, int zp_scalar,
                        __local uint4 *xs, __local float *red) {
    const int l = (int)get_local_id(1) * LX + (int)get_local_id(0);
    const int warp = l / 32, lane = l % 32, g = lane / 4, t = lane % 4;
    const int n0 = (int)get_group_id(0) * LX, slabs = K / W4_SLAB, pairs = (slabs + 1) / 2;
    const int tile = W4_GV_TILE / 2, step = W4_GV2_DEPTH * W4_WARPS; /* in slab pairs */
    struct w4_load2 ring[W4_GV2_DEPTH];
#pragma unroll
    for (int u = 0; u < W4_GV2_DEPTH; u++)
        if (warp + u * W4_WARPS < pairs)
            ring[u] = w4_fetch2(b, scale, zp, N, K, group_size, zp_scalar, n0,
                                warp + u * W4_WARPS, slabs, g, t);
    float acc = 0.0f;
    for (int p0 = 0; p0 < pairs; p0 += tile) {
        const int pn = min(tile, pairs - p0);
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int q = l; q < min(2 * pn, slabs - 2 * p0) * (W4_SLAB / 8); q += LX * LY)
            xs[w4_gv2_at(q)] = w4_gv_word(a, perm, K, 2 * p0 * W4_SLAB + 8 * q);
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int pr = p0 + warp; pr < p0 + pn; pr += step) {
#pragma unroll
            for (int u = 0; u < W4_GV2_DEPTH; u++) {
                const int d = pr + u * W4_WARPS;
                if (d < p0 + pn) { /* (a guard, not a break: the loop must unroll) */
                    const struct w4_load2 cur = ring[u];
                    if (d + step < pairs)
                        ring[u] = w4_fetch2(b, scale, zp, N, K, group_size, zp_scalar, n0,
                                            d + step, slabs, g, t);
                    acc = w4_gv2_pair(cur, xs + 32 * (d - p0), 2 * d + 1 < slabs, g, t, acc);
                }
            }
        }
    }
    if (t == 0) red[warp * LX + g] = acc; /* red[warp][column] */
    w4_gv_finish(red, bias, out, n0, N, l);
}

/* ---- the wide work-group (LX = 16, LY = 16 or 32), 16 x 16 the default ----
 * A work-group is 16 columns x 16 rows, the same 256 work-items as 8 x 32,
 * so that at M = 1 it covers twice the weights of 8 x 32 for one staging of
 * the activations (on an H100 12-32% faster at M = 1; docs/performance.md).
 * M = 1: the weights are the A operand as in the path above, but its 16
 * rows are the work-group's 16 columns (row g: column g,
 * row g + 8: column g + 8) over one slab, and every column of the B operand
 * holds the activations of that slab, so D[g][0] is column g's sum and
 * D[g + 8][0] column g + 8's (lane (g, t): C slots 0 and 2). Warp w takes
 * slabs w, w + W4_WARPS, ... (8 warps, or 16 with LY = 32: half the slabs
 * each, for twice the loads in flight per column); the activations are
 * staged as in the earlier M = 1 form (entry 16 s + 4 wd + t). M >= 2: LY /
 * 16 row tiles of 16 and two column tiles of 8, four warps each (below). Where n0 + 8 = N the second
 * column tile is past N: its loads repeat the first's and nothing of it is
 * stored (N % 8 == 0 by the contract). */
#if LX == 16 && (LY == 16 || LY == 32)
#ifndef W4_WIDE_DEPTH
/* M = 1: slabs in flight per warp, a power of two dividing W4_GV_TILE / 8 */
#define W4_WIDE_DEPTH 1
#endif

/* The second column tile's first column (the first's where it is past N). */
static int w4_wide_n1(int n0, int N) { return n0 + 8 < N ? n0 + 8 : n0; }

struct w4_wload {
    uint4 q0, q1; /* chunk t of slab sl, columns g and g + 8 */
    uint z0, z1;  /* their zero-point words (nibble g) */
    uint sv;      /* their scales, column g in the low half */
};

static struct w4_wload w4_wfetch(__global const uint *b, __global const ushort *scale,
                                 __global const uint *zp, int N, int K, int group_size,
                                 int zp_scalar, int n0, int n1, int sl, int g, int t) {
    struct w4_wload l;
    const int grp = sl * W4_SLAB / group_size;
    l.q0 = w4_chunk(b, K, n0 + g, sl, t);
    l.q1 = w4_chunk(b, K, n1 + g, sl, t);
    l.z0 = w4_zword(zp, N, grp, n0, zp_scalar);
    l.z1 = w4_zword(zp, N, grp, n1, zp_scalar);
    l.sv = w4_sbits(scale, N, grp, n0 + g) | (w4_sbits(scale, N, grp, n1 + g) << 16);
    return l;
}

/* One slab: acc.x (column g) += s0 * D[g][0], acc.y (column g + 8) += s1 *
 * D[g + 8][0]; xs: the slab's 16 staged entries. */
static float2 w4_wide_slab(struct w4_wload l, __local const uint4 *xs, int g, int t, float2 acc) {
    const uint za = (l.z0 >> (4 * g)) & 15u, zb = (l.z1 >> (4 * g)) & 15u;
    float4 d = (float4)(0.0f);
#pragma unroll
    for (int wd = 0; wd < 4; wd++) {
        const uint4 p0 = w4_pairs(w4_word_of(l.q0, wd), za);
        const uint4 p1 = w4_pairs(w4_word_of(l.q1, wd), zb);
        const uint4 x = xs[4 * wd + t];
        d = w4_mma((uint4)(p0.x, p1.x, p0.y, p1.y), x.x, x.y, d);
        d = w4_mma((uint4)(p0.z, p1.z, p0.w, p1.w), x.z, x.w, d);
    }
    return fma(w4_bits2(l.sv), (float2)(d.x, d.z), acc);
}

static void w4_wide_gv_path(__global const ushort *a, __global const uint *b,
                            __global const ushort *scale, __global const uint *zp,
                            __global const int *perm, __global const ushort *bias,
                            __global ushort *out, int N, int K, int group_size, int zp_scalar,
                            __local uint4 *xs, __local float *red) {
    const int l = (int)get_local_id(1) * LX + (int)get_local_id(0);
    const int warp = l / 32, lane = l % 32, g = lane / 4, t = lane % 4;
    const int n0 = (int)get_group_id(0) * LX, n1 = w4_wide_n1(n0, N), slabs = K / W4_SLAB;
    const int step = W4_WIDE_DEPTH * W4_WARPS;
    struct w4_wload ring[W4_WIDE_DEPTH];
#pragma unroll
    for (int u = 0; u < W4_WIDE_DEPTH; u++)
        if (warp + u * W4_WARPS < slabs)
            ring[u] = w4_wfetch(b, scale, zp, N, K, group_size, zp_scalar, n0, n1,
                                warp + u * W4_WARPS, g, t);
    float2 acc = (float2)(0.0f);
    for (int t0 = 0; t0 < slabs; t0 += W4_GV_TILE) {
        const int tn = min(W4_GV_TILE, slabs - t0);
        barrier(CLK_LOCAL_MEM_FENCE);
        w4_gv_stage(xs, a, perm, K, t0 * W4_SLAB, tn * W4_SLAB, l);
        barrier(CLK_LOCAL_MEM_FENCE);
        /* a full tile gives each warp a multiple of W4_WIDE_DEPTH slabs */
        for (int sl = t0 + warp; sl < t0 + tn; sl += step) {
#pragma unroll
            for (int u = 0; u < W4_WIDE_DEPTH; u++) {
                const int s = sl + u * W4_WARPS;
                if (s < t0 + tn) { /* (a guard, not a break: the loop must unroll) */
                    const struct w4_wload cur = ring[u];
                    if (s + step < slabs)
                        ring[u] = w4_wfetch(b, scale, zp, N, K, group_size, zp_scalar, n0, n1,
                                            s + step, g, t);
                    acc = w4_wide_slab(cur, xs + 16 * (s - t0), g, t, acc);
                }
            }
        }
    }
    if (t == 0) { /* red[warp][column] */
        red[warp * LX + g] = acc.x;
        red[warp * LX + 8 + g] = acc.y;
    }
    w4_gv_finish(red, bias, out, n0, N, l);
}

/* M >= 2: the work-group's LY / 16 row tiles times its two column tiles,
 * four warps each: warps 4q .. 4q + 3 take column tile q % 2 (columns n0 ..
 * or n1 ..) of row tile q / 2 and split K into slabs (warp w: slabs w % 4,
 * w % 4 + 4, ...), the row tile's activations read by both column tiles. A
 * row tile wholly past M loads and stores nothing. */
#define W4_WIDE_RT (LY / 16) /* row tiles of 16 per work-group */
static void w4_wide_mma_path(__global const ushort *a, __global const uint *b,
                             __global const ushort *scale, __global const uint *zp,
                             __global const int *perm, __global const ushort *bias,
                             __global ushort *out, int M, int N, int K, int group_size,
                             int zp_scalar, __local float4 *red) {
    const int l = (int)get_local_id(1) * LX + (int)get_local_id(0);
    const int warp = l / 32, lane = l % 32, g = lane / 4, t = lane % 4;
    const int hw = W4_WARPS / (2 * W4_WIDE_RT), q = warp / hw, wi = warp % hw, ct = q % 2;
    const int n0 = (int)get_group_id(0) * LX, nc = ct ? w4_wide_n1(n0, N) : n0;
    const int mb = (int)get_group_id(1) * LY + 16 * (q / 2), slabs = K / W4_SLAB;
    float4 acc = (float4)(0.0f);
    if (wi < slabs && mb < M) {
        struct w4_load cur = w4_fetch(b, scale, zp, N, K, group_size, zp_scalar, nc, wi, g, t);
        for (int sl = wi; sl < slabs; sl += hw) {
            /* (no next slab in flight: with it, m = 16 was 9% slower on an H100) */
            acc = w4_mma_slab(a, perm, M, K, mb, sl * W4_SLAB, cur, g, t, acc);
            if (sl + hw < slabs)
                cur = w4_fetch(b, scale, zp, N, K, group_size, zp_scalar, nc, sl + hw, g, t);
        }
    }
    red[l] = acc; /* [warp][lane] */
    barrier(CLK_LOCAL_MEM_FENCE);
    if (wi != 0 || mb >= M) return;
#pragma unroll
    for (int w = 1; w < hw; w++) acc += red[32 * (warp + w) + lane];
    const float v[4] = {acc.x, acc.y, acc.z, acc.w};
#pragma unroll
    for (int e = 0; e < 4; e++) { /* C fragment: rows g, g + 8; columns 2t, 2t + 1 */
        const int m = mb + g + 8 * (e / 2), n = n0 + 8 * ct + 2 * t + e % 2;
        if (m >= M || n >= N) continue;
#if W4_HAS_BIAS
        w4_store(out, (size_t)m * (size_t)N + (size_t)n, v[e] + w4_load(bias, (size_t)n));
#else
        (void)bias;
        w4_store(out, (size_t)m * (size_t)N + (size_t)n, v[e]);
#endif
    }
}
#elif !(LX == 8 && LY == 32)
#error "the tensor-core paths need LX = 16 and LY = 16 (the default) or 32, or LX = 8, LY = 32 (or -DW4_NV_MMA=0)"
#endif

/* The tensor-core path of the whole work-group (all its work-items). */
static void w4_mma_path(__global const ushort *a, __global const uint *b,
                        __global const ushort *scale, __global const uint *zp,
                        __global const int *perm, __global const ushort *bias,
                        __global ushort *out, int M, int N, int K, int group_size, int zp_scalar,
                        __local float4 *red) {
    const int l = (int)get_local_id(1) * LX + (int)get_local_id(0);
    const int warp = l / 32, lane = l % 32, g = lane / 4, t = lane % 4;
    const int n0 = (int)get_group_id(0) * LX, mb = (int)get_group_id(1) * LY;
    const int slabs = K / W4_SLAB, two = mb + 16 < M; /* second row tile */
    float4 acc0 = (float4)(0.0f), acc1 = (float4)(0.0f);
    if (warp < slabs) {
        struct w4_load cur = w4_fetch(b, scale, zp, N, K, group_size, zp_scalar, n0, warp, g, t);
        for (int sl = warp; sl < slabs; sl += W4_WARPS) {
            struct w4_load nxt = cur; /* the next slab's loads in flight during this one */
            if (sl + W4_WARPS < slabs)
                nxt = w4_fetch(b, scale, zp, N, K, group_size, zp_scalar, n0, sl + W4_WARPS, g, t);
            acc0 = w4_mma_slab(a, perm, M, K, mb, sl * W4_SLAB, cur, g, t, acc0);
            if (two) acc1 = w4_mma_slab(a, perm, M, K, mb + 16, sl * W4_SLAB, cur, g, t, acc1);
            cur = nxt;
        }
    }
    red[2 * l] = acc0; /* [warp][lane][tile]: l = 32 warp + lane */
    red[2 * l + 1] = acc1;
    barrier(CLK_LOCAL_MEM_FENCE);
    if (warp != 0) return;
#pragma unroll
    for (int w = 1; w < W4_WARPS; w++) {
        acc0 += red[2 * (32 * w + lane)];
        acc1 += red[2 * (32 * w + lane) + 1];
    }
    const float v[8] = {acc0.x, acc0.y, acc0.z, acc0.w, acc1.x, acc1.y, acc1.z, acc1.w};
#pragma unroll
    for (int e = 0; e < 8; e++) { /* C fragments: rows g, g + 8 of each tile, columns 2t, 2t+1 */
        const int m = mb + 16 * (e / 4) + g + 8 * ((e / 2) % 2), n = n0 + 2 * t + e % 2;
        if (m >= M) continue;
#if W4_HAS_BIAS
        w4_store(out, (size_t)m * (size_t)N + (size_t)n, v[e] + w4_load(bias, (size_t)n));
#else
        (void)bias;
        w4_store(out, (size_t)m * (size_t)N + (size_t)n, v[e]);
#endif
    }
}
#endif

__kernel __attribute__((reqd_work_group_size(LX, LY, 1))) void
w4a16_gemm(__global const ushort *a, __global const uint *b, __global const ushort *scale,
           __global const uint *zp, __global const int *perm, __global const ushort *bias,
           __global ushort *out, int M, int N, int K, int group_size, int zp_scalar) {
    __local float4 xs4[XS_AT(XT) / 4]; /* float4: 16-byte aligned */
    __local float *xs = (__local float *)xs4;
    __local float part[TEAMS][TCOLS][LANES];
    __local float ss[(XT / 32 + 1) * LX]; /* fast path: staged scales */
    __local float zz[(XT / 32 + 1) * LX]; /* and zero points */
    __local float res[LY][LX];
    const int x = (int)get_local_id(0), y = (int)get_local_id(1);
    const int n0 = (int)get_group_id(0) * LX, m0 = (int)get_group_id(1) * LY;
    const int rows = min(LY, M - m0); /* valid rows in this tile, >= 1 */
    const int l = y * LX + x;
    const int team = l / LANES, t = l % LANES;
    const int fast = (K % 32 == 0) && (group_size % 32 == 0);
#if W4_NV_MMA
#if W4_HAS_ZP
    const int zp_ok = 1;
#else
    const int zp_ok = zp_scalar >= 0 && zp_scalar <= 15; /* w4_pairs' range */
#endif
    if (zp_ok) {
        if (W4_GV && M == 1 && group_size % W4_SLAB == 0) {
#if LX == 16
            w4_wide_gv_path(a, b, scale, zp, perm, bias, out, N, K, group_size, zp_scalar,
                            (__local uint4 *)xs4, &part[0][0][0]);
#elif W4_GV2
            w4_gv2_path(a, b, scale, zp, perm, bias, out, N, K, group_size, zp_scalar,
                        (__local uint4 *)xs4, &part[0][0][0]);
#else
            w4_gv_path(a, b, scale, zp, perm, bias, out, N, K, group_size, zp_scalar,
                       (__local uint4 *)xs4, &part[0][0][0]);
#endif
            return;
        }
        if (M >= W4_MMA_MIN_M && group_size % W4_SLAB == 0) {
#if LX == 16
            w4_wide_mma_path(a, b, scale, zp, perm, bias, out, M, N, K, group_size, zp_scalar,
                             xs4);
#else
            w4_mma_path(a, b, scale, zp, perm, bias, out, M, N, K, group_size, zp_scalar, xs4);
#endif
            return;
        }
    }
#endif

    for (int r = 0; r < rows; r++) {
        const size_t row = (size_t)(m0 + r) * (size_t)K;
        float acc[TCOLS];
        for (int c = 0; c < TCOLS; c++) acc[c] = 0.0f;
        for (int k0 = 0; k0 < K; k0 += XT) {
            const int kn = min(XT, K - k0);
            barrier(CLK_LOCAL_MEM_FENCE);
            w4_stage(xs, a, perm, row, k0, kn, l);
            const int g0 = k0 / group_size, ng = (k0 + kn - 1) / group_size - g0 + 1;
            if (fast) w4_stage_sz(ss, zz, scale, zp, N, n0, g0, ng, zp_scalar, l);
            barrier(CLK_LOCAL_MEM_FENCE);
            if (fast) { /* one column per team */
                const int n1 = n0 + team;
                __global const uint4 *b4 =
                    (__global const uint4 *)(b + (size_t)min(n1, N - 1) * (size_t)(K / 8)) + k0 / 32;
                acc[0] += w4_fast_column(b4, t, n1 < N ? kn / 32 : 0, k0, g0, group_size, team, xs,
                                         ss, zz);
            } else {
                for (int c = 0; c < TCOLS; c++) {
                    const int n = n0 + team * TCOLS + c;
                    if (n < N)
                        acc[c] += w4_lane_tile(b + (size_t)n * (size_t)(K / 8), t, k0, kn, xs,
                                               scale, zp, N, n, group_size, zp_scalar);
                }
            }
        }
        for (int c = 0; c < TCOLS; c++) part[team][c][t] = acc[c];
        barrier(CLK_LOCAL_MEM_FENCE);
        if (l < LX) { /* one work-item per column sums its team's lanes */
            float s = 0.0f;
            for (int i = 0; i < LANES; i++) s += part[l / TCOLS][l % TCOLS][i];
            res[r][l] = s;
        }
    }
    barrier(CLK_LOCAL_MEM_FENCE);

    const int on = n0 + x, om = m0 + y;
    if (on >= N || om >= M) return;
    float v = res[y][x];
#if W4_HAS_BIAS
    v += w4_load(bias, (size_t)on);
#else
    (void)bias;
#endif
    w4_store(out, (size_t)om * (size_t)N + (size_t)on, v);
}
