/* shard.h - the sweep of a run and its shards (docs/reports.md: nightly CI over
 * several nodes).
 *
 * The sweep is the list of cases after expanding every descriptor and batch
 * file, in the order given; a case's index is its 0-based position in it.
 * The sweep's identity is its size and the FNV-1a 64 of its canonical
 * descriptor lines, each followed by '\n': shards of one sweep share it, and
 * the merge refuses to mix sweeps.
 *
 * --shard I/N (1 <= I <= N <= SHARD_MAX) runs the cases whose index i has
 * i % N == I - 1: round robin, so every shard gets a mix of shapes and
 * formats, and the N shards together run every case exactly once.
 *
 * --shard auto takes I/N from the CI system's variables, checked in this
 * order (the first system whose variables are set wins):
 *   Buildkite  BUILDKITE_PARALLEL_JOB (0-based) / BUILDKITE_PARALLEL_JOB_COUNT
 *   GitLab CI  CI_NODE_INDEX (1-based) / CI_NODE_TOTAL
 *   Slurm      SLURM_ARRAY_TASK_ID / SLURM_ARRAY_TASK_COUNT; the shard is
 *              (ID - SLURM_ARRAY_TASK_MIN) / SLURM_ARRAY_TASK_STEP + 1 (MIN 0
 *              and STEP 1 when unset), so --array=0-3 and --array=1-4 both work
 * and is an error naming these variables when none is set. */
#ifndef GH_SHARD_H
#define GH_SHARD_H

#include <stddef.h>
#include <stdint.h>

#include "cases/batch.h"

#define SHARD_MAX 65536

struct shard {
    long index; /* 1-based */
    long count; /* 0: no sharding, the whole sweep */
};

/* getenv-like lookup (tests pass their own). */
typedef const char *(*shard_getenv_fn)(const char *name, void *ctx);

/* Parses "I/N" or "auto" (looked up through get; NULL: the process
 * environment). Returns 0, or -1 with a message. */
int shard_parse(const char *spec, shard_getenv_fn get, void *ctx, struct shard *s, char *err,
                size_t errlen);

/* Does the shard run case i of the sweep? */
int shard_selects(const struct shard *s, size_t i);

/* "I/N", or "" without sharding. */
void shard_name(const struct shard *s, char *buf, size_t len);

/* The sweep's hash (see above). */
uint64_t sweep_hash(const struct case_list *l);

#endif
