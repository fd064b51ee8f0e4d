/* adapter_exec.h - a loader adapter in an external runner (--adapter
 * exec:CMD, docs/runners.md): the runner gets the layer's checkpoint tensors
 * under their checkpoint names, the activations and the layer's config, and
 * returns the kernel-ABI tensors. The same request (checkpoint tensors, x,
 * bias, config) is what a layer runner (--layer exec:CMD) gets; it returns
 * the output instead. */
#ifndef GH_ADAPTER_EXEC_H
#define GH_ADAPTER_EXEC_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "adapters/abi.h"
#include "formats/runner_proto.h"

struct adapter_input;

struct adapter_exec {
    struct rp_runner rp;
};

/* Prepares the runner for cmd and starts it (a runner that cannot start is
 * reported on stderr; each case tries again and is an ERROR saying why).
 * Returns NULL only when out of memory. */
struct adapter_exec *adapter_exec_open(const char *cmd, double timeout_s);
void adapter_exec_close(struct adapter_exec *ax);

/* Runs the runner on one case. Returns 0 with out filled (a and bias are
 * the harness's own activations and bias), 1 when the runner skips the case
 * (reason in err), ADAPTER_CONTRACT_VIOLATED with a message naming the
 * tensor (one is empty, has the wrong number of dimensions, or perm the
 * wrong number of entries), -1 with a message (the runner failed, broke the
 * protocol, or returned tensors of the wrong dtype). */
int adapter_exec_run(struct adapter_exec *ax, const struct adapter_input *in,
                     struct abi_tensors *out, char *err, size_t errlen);

/* The layer request of in: its tensors (checkpoint tensors by name, "x",
 * "bias" when present; n receives the count, at most cap) and its config
 * object (caller frees). Borrowed pointers into in. Returns NULL when out
 * of memory or when cap is too small. */
cJSON *adapter_exec_request(const struct adapter_input *in, struct st_wtensor *t, size_t cap,
                            size_t *n);

#endif
