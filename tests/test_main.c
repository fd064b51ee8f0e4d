/* test_main.c - runs every CUnit suite; the exit code comes from
 * CU_get_number_of_tests_failed() (CU_basic_run_tests returns success even
 * when tests fail). A suite whose file is missing is a failure. */
#include <stdio.h>
#include <stdlib.h>

#include <CUnit/Basic.h>

#include "suites.h"

int main(int argc, char **argv) {
    if (CU_initialize_registry() != CUE_SUCCESS) {
        fprintf(stderr, "test: CU_initialize_registry failed\n");
        return 1;
    }
    int missing = 0;
#define GH_CALL(name)                                                                              \
    if (!register_##name##_suite) {                                                                \
        fprintf(stderr, "test: suite '%s' is missing (tests/test_%s.c)\n", #name, #name);          \
        missing++;                                                                                 \
    } else if (register_##name##_suite() != 0) {                                                   \
        fprintf(stderr, "test: registering suite '%s' failed: %s\n", #name, CU_get_error_msg());   \
        missing++;                                                                                 \
    }
    GH_SUITES(GH_CALL)
#undef GH_CALL
    /* Optional filter: ./test-suite SUITE_NAME runs one suite. */
    CU_basic_set_mode(CU_BRM_NORMAL);
    if (argc > 1) {
        CU_pSuite s = CU_get_suite(argv[1]);
        if (!s) {
            fprintf(stderr, "test: no suite named '%s'\n", argv[1]);
            CU_cleanup_registry();
            return 2;
        }
        CU_basic_run_suite(s);
    } else {
        CU_basic_run_tests();
    }
    unsigned failed = CU_get_number_of_tests_failed();
    unsigned run = CU_get_number_of_tests_run();
    CU_cleanup_registry();
    printf("\n%u passed, %u failed\n", run - failed, failed);
    if (missing) fprintf(stderr, "test: %d suite(s) missing or not registered\n", missing);
    /* With a suite filter (development), missing suites are reported only. */
    return (failed || (missing && argc <= 1)) ? 1 : 0;
}
