/* probe.h - reads back the weights a kernel really uses: runs the kernel
 * under test on its own arguments with one-hot activations (activation row i
 * = unit vector on the logical column that kernel position pos[i] reads, no
 * bias), so output row i is the kernel's dequantized weight row at kernel
 * position pos[i] (row pos[i] of b), rounded once to the output dtype; marks
 * where it differs from what the contract makes of the same arguments. Lets
 * the diagnosis of a "kernel wrong" case say which weight rows, columns and
 * groups the kernel decodes wrongly (e.g. "rows k with index % 8 in {7}").
 *
 * When all K rows do not fit PROBE_BUDGET the probe is partial, and its rows
 * are spread over the kernel's positions: both packed words at the ends of K
 * (every nibble slot there), one row in every group (the nibble slot
 * rotating with the group), then whole words spread evenly over K. */
#ifndef GH_PROBE_H
#define GH_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include "adapters/abi.h"
#include "verdict/runner.h"

/* Multiply-adds one probe may cost the kernel (rows * K * N); a partial
 * probe takes at least its ends and one row per group (up to PROBE_GROUPS_MAX
 * groups) even when that costs more. */
#define PROBE_BUDGET ((int64_t)1 << 24)
#define PROBE_GROUPS_MAX 256

/* What a probe of t covers. */
struct probe_plan {
    int64_t *pos; /* [rows] kernel positions 0 .. K-1, ascending (malloc'd) */
    int64_t rows, K;
    int all_slots;  /* every nibble slot 0..7 is among the positions */
    int all_groups; /* every group (kernel order, k / group_size) holds a position */
    int both_ends;  /* positions 0 and K-1 are probed */
};

/* Chooses the positions: all K when K*K*N fits PROBE_BUDGET, else a spread
 * set (above). Returns 0, or -1 out of memory. */
int probe_plan_make(const struct abi_tensors *t, struct probe_plan *pl);
void probe_plan_free(struct probe_plan *pl);

/* Runs kb on t's arguments (a and bias replaced) for the plan's positions;
 * bad [rows][N] gets 1 where the kernel's weight at position pos[i] differs
 * from the contract's. t must pass abi_check. Returns 0, or -1 with a message
 * (out of memory, or the kernel did not run). */
int probe_weights(struct kernel_backend *kb, const struct abi_tensors *t,
                  const struct probe_plan *pl, unsigned char *bad, char *err, size_t errlen);

#endif
