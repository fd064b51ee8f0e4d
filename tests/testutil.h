/* testutil.h - helpers shared by the fixture, golden and inspect suites: a
 * CPU stand-in for the kernel under test, and problem comparison. */
#ifndef GH_TESTUTIL_H
#define GH_TESTUTIL_H

#include "cases/problem.h"
#include "verdict/runner.h"

/* A kernel_backend that computes the ABI-level reference on the CPU and
 * rounds it (RNE) into the output: a correct kernel, no device needed.
 * With *self = an int != 0 it adds that many ulps to element 0 (a broken
 * kernel). */
void tu_cpu_kernel(void *self, const struct abi_tensors *t, uint16_t *out, size_t guard,
                   struct bk_result *res);

/* 1 when a and b hold the same bits (x, q, z, s, g_idx, bias), else 0. */
int tu_same_problem(const struct problem *a, const struct problem *b);

/* A unique scratch path /tmp/gh-<pid>-<name>. */
void tu_tmp(char *buf, size_t len, const char *name);

#endif
