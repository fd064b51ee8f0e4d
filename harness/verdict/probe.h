/* probe.h - reads back the weights a kernel really uses: runs the kernel
 * under test on its own arguments with one-hot activations (activation row m
 * = unit vector e_m, no bias), so output row m is the kernel's dequantized
 * weight row m in logical order, rounded once to the output dtype; marks
 * where it differs from what the contract makes of the same arguments. Lets
 * the diagnosis of a "kernel wrong" case say which weight rows, columns and
 * groups the kernel decodes wrongly (e.g. "rows k with index % 8 in {7}"). */
#ifndef GH_PROBE_H
#define GH_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include "adapters/abi.h"
#include "verdict/runner.h"

/* Multiply-adds one probe may cost the kernel (rows * K * N). */
#define PROBE_BUDGET ((int64_t)1 << 24)

/* Logical rows a probe of t reads back: all K when rows*K*N fits
 * PROBE_BUDGET, else fewer (a multiple of 8, at least min(K, 8)). */
int64_t probe_rows(const struct abi_tensors *t);

/* Runs kb on t's arguments (a and bias replaced) for logical rows
 * 0 .. rows-1; bad [rows][N] gets 1 where the kernel's weight differs from the
 * contract's. t must pass abi_check. Returns 0, or -1 with a message (out of
 * memory, or the kernel did not run). */
int probe_weights(struct kernel_backend *kb, const struct abi_tensors *t, int64_t rows,
                  unsigned char *bad, char *err, size_t errlen);

#endif
