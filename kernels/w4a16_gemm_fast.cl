/* w4a16_gemm_fast.cl - a tuned kernel for the W4A16 contract (DESIGN §4),
 * built for decode (M = 1) where the op is bound by memory bandwidth.
 *
 * A work-group is LX = 8 columns x LY = 32 rows of the output (the contract's
 * geometry: global = (round_up(N, 8), round_up(M, 32))). Its 256 work-items
 * cooperate: each warp-sized team of 32 lanes owns one column and splits that
 * column's K among its lanes (split-K inside the work-group); lane t reads the
 * 128-bit chunks t, t+32, ... of the column's packed weights, so a team reads
 * 512 contiguous bytes per load. Weights are dequantized in registers: per
 * chunk of 32 rows in one group, acc += s * (sum x*q - z * sum x), which is
 * exact whenever the plain per-element form is (exact data mode). Partial
 * sums are reduced through local memory, and work-item (x, y) writes
 * out[m0 + y][n0 + x]. Rows beyond M and columns beyond N are computed by
 * nobody and written by nobody.
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

#define LX 8     /* columns per work-group (one lane team each) */
#define LY 32    /* rows per work-group */
#define LANES 32 /* lanes per column team: LX * LY / LANES == LX */

/* One 16-bit activation-dtype element as float (exact). */
static float w4_load(__global const ushort *p, size_t i) {
#if W4_BF16
    return as_float((uint)p[i] << 16);
#else
    return vload_half(i, (__global const half *)p);
#endif
}

/* Activations x[row][k0 .. k0+7] of A' (A with its columns permuted). */
static float8 w4_x8(__global const ushort *a, __global const int *perm, size_t row, int k0) {
#if W4_HAS_PERM
    return (float8)(w4_load(a, row + perm[k0]), w4_load(a, row + perm[k0 + 1]),
                    w4_load(a, row + perm[k0 + 2]), w4_load(a, row + perm[k0 + 3]),
                    w4_load(a, row + perm[k0 + 4]), w4_load(a, row + perm[k0 + 5]),
                    w4_load(a, row + perm[k0 + 6]), w4_load(a, row + perm[k0 + 7]));
#elif W4_BF16
    return as_float8(convert_uint8(vload8(0, a + row + k0)) << 16);
#else
    return vload_half8(0, (__global const half *)(a + row + k0));
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

/* Scale and zero point of group g, column n. */
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

/* Contribution of one word (rows k0..k0+7 of column n) to output row `row`
 * of A', for any group size (per-element groups when a group boundary can
 * fall inside the word). */
static float w4_word(uint w, int k0, __global const ushort *a, __global const int *perm,
                     size_t row, __global const ushort *scale, __global const uint *zp, int N,
                     int n, int group_size, int zp_scalar) {
    const float8 x = w4_x8(a, perm, row, k0);
    const float8 q = w4_q8(w);
    if (group_size % 8 == 0) {
        const int g = k0 / group_size;
        const float s = w4_scale(scale, g, N, n), z = w4_zero(zp, g, N, n, zp_scalar);
        return s * (w4_dot8(x, q) - z * w4_sum8(x));
    }
    const float xs[8] = {x.s0, x.s1, x.s2, x.s3, x.s4, x.s5, x.s6, x.s7};
    const float qs[8] = {q.s0, q.s1, q.s2, q.s3, q.s4, q.s5, q.s6, q.s7};
    float acc = 0.0f;
    for (int i = 0; i < 8; i++) {
        const int g = (k0 + i) / group_size;
        acc += xs[i] * ((qs[i] - w4_zero(zp, g, N, n, zp_scalar)) * w4_scale(scale, g, N, n));
    }
    return acc;
}

/* Contribution of a 128-bit chunk (rows k0..k0+31) to output row `row`. */
static float w4_chunk(uint4 w, int k0, __global const ushort *a, __global const int *perm,
                      size_t row, __global const ushort *scale, __global const uint *zp, int N,
                      int n, int group_size, int zp_scalar) {
    if (group_size % 32 == 0) { /* the 32 rows lie in one group */
        const int g = k0 / group_size;
        const float s = w4_scale(scale, g, N, n), z = w4_zero(zp, g, N, n, zp_scalar);
        const float8 x0 = w4_x8(a, perm, row, k0), x1 = w4_x8(a, perm, row, k0 + 8);
        const float8 x2 = w4_x8(a, perm, row, k0 + 16), x3 = w4_x8(a, perm, row, k0 + 24);
        const float d = (w4_dot8(x0, w4_q8(w.x)) + w4_dot8(x1, w4_q8(w.y))) +
                        (w4_dot8(x2, w4_q8(w.z)) + w4_dot8(x3, w4_q8(w.w)));
        const float xs = (w4_sum8(x0) + w4_sum8(x1)) + (w4_sum8(x2) + w4_sum8(x3));
        return s * (d - z * xs);
    }
    return w4_word(w.x, k0, a, perm, row, scale, zp, N, n, group_size, zp_scalar) +
           w4_word(w.y, k0 + 8, a, perm, row, scale, zp, N, n, group_size, zp_scalar) +
           w4_word(w.z, k0 + 16, a, perm, row, scale, zp, N, n, group_size, zp_scalar) +
           w4_word(w.w, k0 + 24, a, perm, row, scale, zp, N, n, group_size, zp_scalar);
}

/* This lane's partial sum of column n for output row `row` (A' row offset). */
static float w4_lane_sum(__global const ushort *a, __global const uint *bcol, int t, int K,
                         __global const int *perm, size_t row, __global const ushort *scale,
                         __global const uint *zp, int N, int n, int group_size, int zp_scalar) {
    const int KW = K / 8;
    float acc = 0.0f;
    int j0 = 0;
    if (KW % 4 == 0) { /* 128-bit loads: the column starts 16-byte aligned */
        __global const uint4 *b4 = (__global const uint4 *)bcol;
        const int chunks = KW / 4;
        for (int c = t; c < chunks; c += LANES)
            acc += w4_chunk(b4[c], c * 32, a, perm, row, scale, zp, N, n, group_size, zp_scalar);
        j0 = KW; /* no tail */
    }
    for (int j = j0 + t; j < KW; j += LANES)
        acc += w4_word(bcol[j], j * 8, a, perm, row, scale, zp, N, n, group_size, zp_scalar);
    return acc;
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

__kernel __attribute__((reqd_work_group_size(LX, LY, 1))) void
w4a16_gemm(__global const ushort *a, __global const uint *b, __global const ushort *scale,
           __global const uint *zp, __global const int *perm, __global const ushort *bias,
           __global ushort *out, int M, int N, int K, int group_size, int zp_scalar) {
    __local float red[LX][LY][LANES];
    const int x = (int)get_local_id(0), y = (int)get_local_id(1);
    const int n0 = (int)get_group_id(0) * LX, m0 = (int)get_group_id(1) * LY;
    const int rows = min(LY, M - m0); /* valid rows in this tile, >= 1 */
    const int l = y * LX + x;
    const int col = l / LANES, t = l % LANES; /* this lane's column team and lane */
    const int n = n0 + col;

    if (n < N) {
        __global const uint *bcol = b + (size_t)n * (size_t)(K / 8);
        for (int r = 0; r < rows; r++)
            red[col][r][t] = w4_lane_sum(a, bcol, t, K, perm, (size_t)(m0 + r) * (size_t)K,
                                         scale, zp, N, n, group_size, zp_scalar);
    }
    barrier(CLK_LOCAL_MEM_FENCE);

    const int on = n0 + x, om = m0 + y;
    if (on >= N || om >= M) return;
    float acc = 0.0f;
    for (int i = 0; i < LANES; i++) acc += red[x][y][i];
#if W4_HAS_BIAS
    acc += w4_load(bias, (size_t)on);
#else
    (void)bias;
#endif
    w4_store(out, (size_t)om * (size_t)N + (size_t)on, acc);
}
