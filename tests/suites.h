/* suites.h - every CUnit suite of the test program. Each tests/test_<x>.c
 * defines one register function that adds its suite(s); test_main.c calls
 * them all and fails if one is missing. */
#ifndef GH_SUITES_H
#define GH_SUITES_H

#include <CUnit/CUnit.h>

#define GH_SUITES(X)                                                                               \
    X(dtype)                                                                                       \
    X(prng)                                                                                        \
    X(desc)                                                                                        \
    X(formats)                                                                                     \
    X(v1zero)                                                                                      \
    X(problem)                                                                                     \
    X(refgemm)                                                                                     \
    X(abi)                                                                                         \
    X(adapter)                                                                                     \
    X(compare)                                                                                     \
    X(opencl)                                                                                      \
    X(safetensors)                                                                                 \
    X(fixture)                                                                                     \
    X(golden)                                                                                      \
    X(inspect)                                                                                     \
    X(plugin)                                                                                      \
    X(results)                                                                                     \
    X(junit)                                                                                       \
    X(shard)                                                                                       \
    X(baseline)                                                                                    \
    X(errmap)                                                                                      \
    X(report)                                                                                      \
    X(faults)                                                                                      \
    X(diagnose)                                                                                    \
    X(mutant)                                                                                      \
    X(runner_proto)                                                                                \
    X(perm)                                                                                        \
    X(edgedata)                                                                                    \
    X(randcase)                                                                                    \
    X(probemap)

#define GH_DECLARE(name) int register_##name##_suite(void) __attribute__((weak));
GH_SUITES(GH_DECLARE)
#undef GH_DECLARE

/* Helper: add a suite or return -1. */
#define GH_ADD_SUITE(var, title)                                                                   \
    CU_pSuite var = CU_add_suite(title, NULL, NULL);                                               \
    if (!var) return -1
#define GH_ADD_TEST(suite, fn)                                                                     \
    if (!CU_add_test(suite, #fn, fn)) return -1

#endif
