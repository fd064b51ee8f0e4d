/* faults.h - the catalogue of planted faults: layout bugs of the path from
 * checkpoint to kernel, each with a name (the descriptor's fault= key) and a
 * one-line description.
 *
 * A fault models a buggy loader adapter. It is applied to the kernel-ABI
 * tensors the reference adapter built from the checkpoint (the right
 * arguments) and turns them into what the buggy adapter would hand the kernel.
 * The runner applies it before the contract check, so a fault that breaks the
 * contract (a -1 group size, group ids as a permutation) is caught there.
 *
 * Applicability: a fault applies to a case when its rule on the descriptor
 * holds (e.g. awq-interleave-ignored needs fmt=awq, the g_idx faults need a
 * g_idx) and applying it changes the arguments at all (a transpose of a
 * single-row matrix changes nothing). Elsewhere it is "not applicable": the
 * case cannot show the bug, and a selftest must not count it as caught. */
#ifndef GH_FAULTS_H
#define GH_FAULTS_H

#include <stddef.h>

#include "adapters/abi.h"
#include "cases/desc.h"
#include "formats/tensor.h"

struct fault;

/* What a fault may read besides the right arguments: the layer's config and
 * the packed checkpoint (e.g. the stored g_idx). */
struct fault_ctx {
    const struct case_desc *d;
    const struct tensor_set *ckpt;
};

/* The catalogue, in a fixed order. */
size_t fault_count(void);
const struct fault *fault_at(size_t i);
/* By name; NULL when the name is not catalogued. */
const struct fault *fault_find(const char *name);
const char *fault_name(const struct fault *f);
const char *fault_description(const struct fault *f);

/* Every name, separated by spaces (for usage messages). Returns chars
 * written, like snprintf. */
int fault_list_names(char *buf, size_t len);

/* 0 when name is "" (no fault) or catalogued; else -1 with a message naming
 * it and listing the known names (the run path's usage check). */
int fault_check_name(const char *name, char *err, size_t errlen);

/* 1 when the fault's rule on the descriptor holds, else 0 with the reason in
 * why (e.g. "needs fmt=awq"). Faults are planted on the reference adapter's
 * arguments only. */
int fault_rule_holds(const struct fault *f, const struct case_desc *d, char *why, size_t len);

/* Turns the right arguments t into the faulty ones. Returns 0 (applied),
 * 1 (not applicable: the rule does not hold or nothing changed; t is left as
 * it was, why says which), or -1 (out of memory, or a checkpoint tensor the
 * fault needs is missing; t is left valid but unspecified, err says why). */
int fault_apply(const struct fault *f, const struct fault_ctx *c, struct abi_tensors *t, char *why,
                size_t len);

#endif
