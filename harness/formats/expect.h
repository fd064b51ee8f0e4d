/* expect.h - a layer's weights as the harness reads them, against a producer's own
 * dequantization of the same file (fixtures/real/: expected.safetensors, <layer>.w F32 [K][N]).
 *
 * The harness's weight is (Q - Z) * S with S in the layer's scale dtype, computed exactly and
 * rounded to that dtype (to nearest even), which is what the producers' torch code computes
 * in f16 / bf16 arithmetic. A g_idx gives each row its group; without one, row k is in group
 * k / (K / G). */
#ifndef GH_EXPECT_H
#define GH_EXPECT_H

#include <stddef.h>
#include <stdint.h>

#include "formats/formats.h"
#include "formats/safetensors.h"

struct expect_result {
    int64_t count;  /* weights compared (K * N) */
    int64_t differ; /* weights whose value differs */
    int64_t k, n;   /* the first differing one */
    double got, want;
};

/* Compares w (scales in dt) with want [K][N]. Fills r. */
void expect_compare(const struct logical_weights *w, dtype_t dt, const float *want,
                    struct expect_result *r);

/* Reads tensor name from ex as F32 [K][N] into a new buffer (*out, to free).
 * Returns 0, 1 when ex has no such tensor, -1 with a message (wrong dtype or
 * shape, unreadable). */
int expect_load(const struct st_file *ex, const char *name, int64_t K, int64_t N, float **out,
                char *err, size_t errlen);

#endif
