/* runner_proto.c - see runner_proto.h.
 *
 * Decisions:
 * - Input and output files are named after the request id and removed after
 *   the call, so a runner that writes nothing can never hand back an older
 *   case's output.
 * - A runner is started lazily and again after every fault; a runner that
 *   cannot even say hello makes that call fail (the case is an ERROR) and
 *   the next call tries a fresh one.
 * - The hello must name this protocol, its version and the role the harness
 *   uses the runner for: a kernel runner handed to --adapter is a clear
 *   error, not a garbled case. */
#include "formats/runner_proto.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/errmsg.h"

#define RP_GRACE_S 2.0

static const char *const ROLES[] = {"kernel", "adapter", "layer"};

int rp_role_valid(const char *s) {
    for (size_t i = 0; i < sizeof ROLES / sizeof ROLES[0]; i++)
        if (s && strcmp(s, ROLES[i]) == 0) return 1;
    return 0;
}

int rp_init(struct rp_runner *r, const char *cmd, const char *role, double timeout_s) {
    memset(r, 0, sizeof *r);
    r->proc.fd = -1;
    r->cmd = strdup(cmd ? cmd : "");
    snprintf(r->role, sizeof r->role, "%s", role);
    r->timeout_s = timeout_s;
    r->next_id = 1;
    return r->cmd ? 0 : -1;
}

static void remove_dir(struct rp_runner *r) {
    if (r->dir[0] && rmdir(r->dir) != 0 && errno != ENOENT)
        fprintf(stderr, "gptq-harness: note: cannot remove %s: %s (files left by the runner?)\n",
                r->dir, strerror(errno));
    r->dir[0] = 0;
}

/* Kills the runner after a fault; the next call starts a fresh one. */
static void discard(struct rp_runner *r) {
    if (!r->running) return;
    subproc_stop(&r->proc, 0);
    r->running = 0;
}

/* The first 120 bytes of a line, for messages. */
static void excerpt(const char *line, char *buf, size_t len) {
    size_t n = strlen(line);
    snprintf(buf, len, "%.120s%s", line, n > 120 ? "..." : "");
    for (char *p = buf; *p; p++)
        if ((unsigned char)*p < 0x20) *p = '?';
}

/* Reads one reply line; 0 with a parsed object, else -1 with status and
 * reason set (the runner is discarded). */
static int read_object(struct rp_runner *r, const char *what, cJSON **obj, rp_status_t *st,
                       char *reason, size_t rlen) {
    char *line = malloc(SUBPROC_LINE_MAX + 1), err[512] = "";
    if (!line) {
        *st = RP_FAULT;
        discard(r);
        return errmsg(reason, rlen, "out of memory reading the runner's %s", what);
    }
    int rc = subproc_read_line(&r->proc, r->timeout_s, line, SUBPROC_LINE_MAX + 1, err, sizeof err);
    *obj = NULL;
    if (rc == 1) {
        /* one object and nothing after it but white space */
        *obj = cJSON_ParseWithOpts(line, NULL, 1);
        if (!*obj || !cJSON_IsObject(*obj)) {
            char ex[160];
            excerpt(line, ex, sizeof ex);
            cJSON_Delete(*obj);
            *obj = NULL;
            snprintf(reason, rlen,
                     "runner protocol fault: its %s is not a JSON object: '%s' (one object per "
                     "line; fd 4 carries replies only; messages go to stdout or stderr)",
                     what, ex);
            rc = -1;
        }
    } else if (rc == -2) {
        snprintf(reason, rlen, "the runner did not send its %s within %.0f s (hung; killed)", what,
                 r->timeout_s);
    } else if (rc == -3) {
        snprintf(reason, rlen, "the runner's %s was not awaited: %s", what, err);
    } else if (rc == 0) {
        snprintf(reason, rlen, "the runner died before its %s: %s", what, err);
    } else {
        snprintf(reason, rlen, "runner protocol fault reading its %s: %s", what, err);
    }
    free(line);
    if (*obj) return 0;
    *st = rc == -2 ? RP_HUNG : rc == -3 ? RP_INTERRUPTED : RP_FAULT;
    discard(r);
    return -1;
}

static const char *str_field(const cJSON *o, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int check_hello(struct rp_runner *r, const cJSON *h, char *err, size_t errlen) {
    const char *proto = str_field(h, "protocol"), *role = str_field(h, "role");
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(h, "version");
    if (!proto || strcmp(proto, RP_PROTOCOL) != 0)
        return errmsg(err, errlen,
                      "runner protocol fault: its first line is not a hello of protocol '%s'",
                      RP_PROTOCOL);
    if (!cJSON_IsNumber(ver) || ver->valuedouble != RP_VERSION)
        return errmsg(err, errlen, "the runner speaks protocol version %g; the harness speaks %d",
                      cJSON_IsNumber(ver) ? ver->valuedouble : -1.0, RP_VERSION);
    if (!role || strcmp(role, r->role) != 0)
        return errmsg(err, errlen, "the runner says its role is %s; it is used as the %s here",
                      role ? role : "(none)", r->role);
    const char *name = str_field(h, "name");
    snprintf(r->name, sizeof r->name, "%s", name && name[0] ? name : r->cmd);
    return 0;
}

/* Starts the runner and checks its hello; *st says how it failed. */
static int start(struct rp_runner *r, char *err, size_t errlen, rp_status_t *st) {
    *st = RP_FAULT;
    if (r->running) return 0;
    if (r->start_failures >= RP_MAX_START_FAILURES)
        return errmsg(err, errlen, "not started again: %d starts in a row failed, the last: %s",
                      r->start_failures, r->last_start_error);
    if (!r->dir[0]) {
        const char *tmp = getenv("TMPDIR");
        snprintf(r->dir, sizeof r->dir, "%s/gptq-runner-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
        if (!mkdtemp(r->dir)) {
            int e = errno;
            r->dir[0] = 0;
            return errmsg(err, errlen, "cannot make the runner's directory: %s", strerror(e));
        }
    }
    char e_dir[300], e_role[48], e_ver[48];
    snprintf(e_dir, sizeof e_dir, "GPTQ_RUNNER_DIR=%s", r->dir);
    snprintf(e_role, sizeof e_role, "GPTQ_RUNNER_ROLE=%s", r->role);
    snprintf(e_ver, sizeof e_ver, "GPTQ_RUNNER_PROTOCOL=%d", RP_VERSION);
    const char *env[] = {e_dir, e_role, e_ver, "GPTQ_RUNNER_FDS=3,4"};
    char serr[512];
    if (subproc_start(&r->proc, r->cmd, env, sizeof env / sizeof env[0], serr, sizeof serr) != 0)
        return errmsg(err, errlen, "cannot start the runner '%s': %s", r->cmd, serr);
    r->running = 1;
    if (r->started++ > 0) r->restarts++;
    cJSON *hello = NULL;
    char why[768];
    int rc = read_object(r, "hello", &hello, st, why, sizeof why) != 0
                 ? errmsg(err, errlen, "%s", why)
                 : check_hello(r, hello, err, errlen);
    cJSON_Delete(hello); /* NULL when there was none */
    if (rc != 0) {
        discard(r);
        r->start_failures++;
        snprintf(r->last_start_error, sizeof r->last_start_error, "%s", err);
    } else {
        r->start_failures = 0;
    }
    return rc;
}

int rp_ensure(struct rp_runner *r, char *err, size_t errlen) {
    rp_status_t st;
    return start(r, err, errlen, &st);
}

static void set(struct rp_reply *rep, rp_status_t st, const char *prefix, const char *arg) {
    rep->status = st;
    snprintf(rep->reason, sizeof rep->reason, "%s%.600s", prefix, arg);
}

/* Loads every tensor of the output file into rep->out. */
static int load_output(const char *path, uint64_t max_bytes, struct rp_reply *rep) {
    struct st_file st;
    char err[512];
    if (st_open(path, max_bytes, &st, err, sizeof err) != 0) {
        snprintf(rep->reason, sizeof rep->reason, "the runner's output file is unusable: %s", err);
        return -1;
    }
    for (size_t i = 0; i < st.n && i < TENSOR_SET_MAX; i++) {
        struct rp_tensor_info *ti = &rep->info[rep->n_info++];
        snprintf(ti->name, sizeof ti->name, "%s", st.e[i].name);
        ti->dtype = st.e[i].dtype;
        ti->ndim = st.e[i].ndim;
        memcpy(ti->shape, st.e[i].shape, sizeof ti->shape);
    }
    int rc = 0;
    if (st.n > TENSOR_SET_MAX) {
        snprintf(rep->reason, sizeof rep->reason, "the runner's output file holds %zu tensors",
                 st.n);
        rc = -1;
    }
    for (size_t i = 0; rc == 0 && i < st.n; i++)
        if (!st_load(&st, i, &rep->out, NULL, err, sizeof err)) {
            snprintf(rep->reason, sizeof rep->reason, "the runner's output tensor '%.100s': %s",
                     st.e[i].name, err);
            rc = -1;
        }
    st_close(&st);
    return rc;
}

static void call(struct rp_runner *r, const char *op, const char *in_path, const char *out_path,
                 const cJSON *config, int want_output, uint64_t max_out_bytes,
                 struct rp_reply *rep) {
    char err[768];
    rp_status_t st;
    if (start(r, err, sizeof err, &st) != 0) {
        set(rep, st, "", err);
        return;
    }
    const long id = r->next_id++;
    cJSON *req = cJSON_CreateObject();
    cJSON_AddStringToObject(req, "op", op);
    cJSON_AddNumberToObject(req, "id", (double)id);
    cJSON_AddStringToObject(req, "role", r->role);
    if (in_path) cJSON_AddStringToObject(req, "input", in_path);
    if (want_output) cJSON_AddStringToObject(req, "output", out_path);
    if (config) cJSON_AddItemToObject(req, "config", cJSON_Duplicate(config, 1));
    char *line = cJSON_PrintUnformatted(req);
    cJSON_Delete(req);
    if (!line) {
        set(rep, RP_FAULT, "", "out of memory writing the request");
        return;
    }
    int sent = subproc_send(&r->proc, line, err, sizeof err);
    free(line);
    if (sent != 0) {
        char how[128];
        subproc_describe_exit(&r->proc, how, sizeof how);
        snprintf(rep->reason, sizeof rep->reason, "the runner died before the request (%s): %.500s",
                 how, err);
        rep->status = RP_FAULT;
        discard(r);
        return;
    }
    cJSON *o;
    if (read_object(r, "reply", &o, &rep->status, rep->reason, sizeof rep->reason) != 0) return;
    rep->json = o;
    const cJSON *rid = cJSON_GetObjectItemCaseSensitive(o, "id");
    const char *status = str_field(o, "status"), *reason = str_field(o, "reason");
    if (!cJSON_IsNumber(rid) || rid->valuedouble != (double)id || !status) {
        snprintf(rep->reason, sizeof rep->reason,
                 "runner protocol fault: the reply has no \"status\" or not the request's \"id\" "
                 "(%ld)",
                 id);
        rep->status = RP_FAULT;
        discard(r);
        return;
    }
    if (strcmp(status, "ok") != 0) {
        int skip = strcmp(status, "skip") == 0;
        if (!skip && strcmp(status, "error") != 0) {
            set(rep, RP_FAULT, "runner protocol fault: unknown status: ", status);
            discard(r);
            return;
        }
        rep->status = skip ? RP_SKIP : RP_ERROR;
        snprintf(rep->reason, sizeof rep->reason, "%s%.700s", skip ? "" : "the runner failed: ",
                 reason && reason[0] ? reason : "(no reason given)");
        return;
    }
    if (!want_output) return;
    if (access(out_path, F_OK) != 0) {
        set(rep, RP_FAULT, "",
            "runner protocol fault: the reply says ok but the runner wrote no "
            "output file");
        discard(r);
        return;
    }
    if (load_output(out_path, max_out_bytes, rep) != 0) rep->status = RP_ERROR;
}

void rp_call(struct rp_runner *r, const char *op, const struct st_wtensor *in, size_t n_in,
             const cJSON *config, int want_output, uint64_t max_out_bytes, struct rp_reply *rep) {
    memset(rep, 0, sizeof *rep);
    char err[768];
    rp_status_t st;
    if (!r->dir[0] && start(r, err, sizeof err, &st) != 0) {
        set(rep, st, "", err);
        return;
    }
    char in_path[320], out_path[320];
    snprintf(in_path, sizeof in_path, "%s/in-%ld.safetensors", r->dir, r->next_id);
    snprintf(out_path, sizeof out_path, "%s/out-%ld.safetensors", r->dir, r->next_id);
    if (n_in && st_write(in_path, 0, in, n_in, NULL, 0, err, sizeof err) != 0) {
        set(rep, RP_FAULT, "cannot write the runner's input: ", err);
        return;
    }
    call(r, op, n_in ? in_path : NULL, out_path, config, want_output, max_out_bytes, rep);
    unlink(in_path);
    unlink(out_path);
}

void rp_reply_free(struct rp_reply *rep) {
    cJSON_Delete(rep->json);
    rep->json = NULL;
    tensor_set_free(&rep->out);
}

void rp_close(struct rp_runner *r) {
    if (r->running) subproc_stop(&r->proc, RP_GRACE_S);
    r->running = 0;
    remove_dir(r);
    free(r->cmd);
    r->cmd = NULL;
}
