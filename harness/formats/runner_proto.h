/* runner_proto.h - the external runner protocol, version 1 (docs/runners.md):
 * the harness's side of one runner process, started from a command line and
 * kept alive across cases.
 *
 *   runner -> harness, once at start:  {"protocol": "gptq-harness-runner",
 *                                        "version": 1, "role": ROLE, "name": "..."}
 *   harness -> runner, per case:       {"op": "run", "id": N, "role": ROLE,
 *                                        "input": PATH, "output": PATH, "config": {...}}
 *   runner -> harness, per request:    {"id": N, "status": "ok" | "error" | "skip",
 *                                        "reason": "...", ...}
 *
 * one JSON object per line, on fd 3 (requests) and fd 4 (replies); tensors in
 * safetensors files in a directory the harness makes for the runner. ROLE is
 * "kernel", "adapter" or "layer". The runner exits when fd 3 reaches end of
 * file. Anything that breaks the protocol (the runner dies, does not answer
 * within the timeout, answers with something that is not the reply, writes
 * no output file) is a fault: the call fails with a message saying which,
 * the runner is killed, and the next call starts a fresh one. */
#ifndef GH_RUNNER_PROTO_H
#define GH_RUNNER_PROTO_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "formats/safetensors.h"
#include "formats/tensor.h"
#include "util/subproc.h"

#define RP_PROTOCOL "gptq-harness-runner"
#define RP_VERSION 1
/* After this many failed starts in a row no runner is started again: each
 * later call fails at once with the last start's reason. */
#define RP_MAX_START_FAILURES 3
#define RP_EXEC_PREFIX "exec:" /* --kernel exec:CMD, --adapter exec:CMD, --layer exec:CMD */

typedef enum {
    RP_OK = 0,
    RP_SKIP = 1,        /* the runner says the case is not for it (reason) */
    RP_ERROR = -1,      /* the runner reported an error (reason); it stays alive */
    RP_FAULT = -2,      /* a protocol fault (reason); the runner was killed */
    RP_HUNG = -3,       /* no reply within the timeout; the runner was killed */
    RP_INTERRUPTED = -4 /* the run was asked to stop while waiting; the runner was killed */
} rp_status_t;

struct rp_runner {
    char *cmd;
    char role[16];
    double timeout_s; /* per call, hello included (<= 0: none) */
    struct subproc proc;
    int running;
    char dir[256];  /* the runner's temporary directory ("" when none yet) */
    char name[256]; /* from the hello */
    long next_id;
    int restarts;       /* runners started after a fault */
    int started;        /* runners started in all */
    int start_failures; /* starts in a row that gave no good hello */
    char last_start_error[512];
};

/* What the output file's header says of one tensor (name cut to fit). */
struct rp_tensor_info {
    char name[TENSOR_NAME_MAX];
    st_dtype_t dtype;
    int ndim;
    int64_t shape[ST_MAX_DIMS];
};

/* The result of one call. out holds the output file's tensors (RP_OK).
 * info describes every tensor of the output file whenever its header could
 * be read, also those that could not be loaded (a tensor of 0 or more than
 * 2 dimensions, an empty one, a dtype tensor.h lacks: status RP_ERROR), so
 * that a caller can judge them itself. */
struct rp_reply {
    rp_status_t status;
    char reason[768];
    cJSON *json; /* the reply object (RP_OK, RP_ERROR, RP_SKIP); owned */
    struct tensor_set out;
    size_t n_info;
    struct rp_tensor_info info[TENSOR_SET_MAX];
};

/* Prepares a runner for cmd (nothing is started until the first call).
 * Returns 0, or -1 (out of memory). */
int rp_init(struct rp_runner *r, const char *cmd, const char *role, double timeout_s);

/* Starts the runner now if it is not running (the first call does that
 * too): lets a caller report a runner that cannot start before any case.
 * Returns 0, or -1 with a message. */
int rp_ensure(struct rp_runner *r, char *err, size_t errlen);

/* One request: writes the input tensors, sends the request with config
 * (borrowed), waits for the reply and loads the output file's tensors (each
 * of at most max_out_bytes bytes). op is "run" or another operation the
 * role defines ("peaks"); with want_output 0 no output file is expected.
 * rep must be released with rp_reply_free. */
void rp_call(struct rp_runner *r, const char *op, const struct st_wtensor *in, size_t n_in,
             const cJSON *config, int want_output, uint64_t max_out_bytes, struct rp_reply *rep);

void rp_reply_free(struct rp_reply *rep);

/* Ends the runner (closes fd 3; kills it after a grace period) and removes
 * its directory. */
void rp_close(struct rp_runner *r);

/* "kernel" ... the role names' check: 1 when s is one of them. */
int rp_role_valid(const char *s);

#endif
