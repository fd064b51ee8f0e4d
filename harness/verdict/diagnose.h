/* diagnose.h - explains a FAILED case (docs/layout.md "diagnose"):
 *
 *  where  the device output against the ABI-level reference of the arguments
 *         the kernel got: equal -> "adapter wrong", different -> "kernel wrong"
 *         (a contract violation is "adapter wrong" already). In exact modes
 *         the comparison is exact wherever the arguments keep the exact
 *         data's property (every partial sum exact in float) and allows
 *         float rounding where they do not (abi_reference_slack,
 *         compare_element_at): a faulty adapter's arguments need not keep
 *         it, and a right kernel rounds there;
 *  what   the catalogued faults (faults.h) that reproduce the failure: each
 *         is applied to the right arguments (the reference adapter on this
 *         case's checkpoint) and its ABI-level reference compared with the
 *         device output (exactly in exact mode, within the tolerance in real
 *         mode); when the kernel was not run, the faulty arguments are
 *         compared with the ones the adapter produced. When no single fault
 *         explains an adapter failure, pairs of faults are tried;
 *  shape  which output rows and columns are wrong; which weight rows,
 *         columns and groups are wrong and how (errshape.h): adapter wrong,
 *         from the arguments; kernel wrong, from a one-hot probe of the
 *         kernel (probe.h).
 * Results go to r->where, r->diagnosis and r->explained_by. */
#ifndef GH_DIAGNOSE_H
#define GH_DIAGNOSE_H

#include "verdict/runner.h"

/* w: the failed case's work (w->out NULL when the kernel was not run); kb:
 * the kernel under test (for the probe). With s->no_diagnosis only "where"
 * is computed. */
void diagnose_failure(struct case_work *w, const struct run_settings *s, struct kernel_backend *kb,
                      struct case_result *r);

#endif
