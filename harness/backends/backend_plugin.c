/* backend_plugin.c - native kernels from a shared library (see
 * backend_plugin.h and w4a16.h).
 *
 * Decisions:
 * - Load problems are kept, not fatal: the backend exists, says why it is
 *   unusable, and each case becomes ERROR with that reason (the sweep and
 *   its reports go on, exit code 1).
 * - Nothing is copied: the plugin reads the adapter's tensors and writes the
 *   runner's poisoned output buffer, so poison and guard checks see exactly
 *   what the plugin did.
 * - A plugin that crashes takes the process down (it runs in-process);
 *   the case line printed so far and the repro line of the previous case
 *   say where. */
#include "backends/backend_plugin.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/clock.h"
#include "backends/w4a16.h"

#define PLB_NAME_MAX 256

struct plugin_backend {
    void *handle;
    w4a16_gemm_fn gemm;
    char path[BK_REASON_MAX / 2];
    char name[PLB_NAME_MAX];
    char error[BK_REASON_MAX]; /* "" when loaded */
};

/* dlsym with the error text: 0, or -1 with b->error set. */
static int find_symbol(struct plugin_backend *b, const char *sym, int required, void **out) {
    dlerror(); /* clear a stale error */
    *out = dlsym(b->handle, sym);
    const char *e = dlerror();
    if (!e && *out) return 0;
    *out = NULL;
    if (!required) return 0;
    snprintf(b->error, sizeof b->error, "plugin %s does not export %s (%s)", b->path, sym,
             e ? e : "symbol is NULL");
    return -1;
}

static int load(struct plugin_backend *b) {
    dlerror();
    b->handle = dlopen(b->path, RTLD_NOW | RTLD_LOCAL);
    if (!b->handle) {
        const char *e = dlerror();
        snprintf(b->error, sizeof b->error, "cannot load plugin: dlopen: %s",
                 e ? e : "unknown error");
        return -1;
    }
    void *ver = NULL, *gemm = NULL, *name = NULL;
    if (find_symbol(b, W4A16_SYM_VERSION, 1, &ver) != 0) return -1;
    uint32_t v = ((w4a16_abi_version_fn)ver)();
    if (v != W4A16_ABI_VERSION) {
        snprintf(b->error, sizeof b->error,
                 "plugin %s implements w4a16 ABI version %u, the harness needs version %u "
                 "(rebuild it against this harness's w4a16.h)",
                 b->path, (unsigned)v, (unsigned)W4A16_ABI_VERSION);
        return -1;
    }
    if (find_symbol(b, W4A16_SYM_GEMM, 1, &gemm) != 0) return -1;
    b->gemm = (w4a16_gemm_fn)gemm;
    if (find_symbol(b, W4A16_SYM_NAME, 0, &name) == 0 && name) {
        const char *s = ((w4a16_name_fn)name)();
        if (s && s[0]) snprintf(b->name, sizeof b->name, "%s", s);
    }
    return 0;
}

struct plugin_backend *plb_open(const char *path) {
    struct plugin_backend *b = calloc(1, sizeof *b);
    if (!b) return NULL;
    snprintf(b->path, sizeof b->path, "%s", path ? path : "");
    snprintf(b->name, sizeof b->name, "native plugin");
    if (!b->path[0])
        snprintf(b->error, sizeof b->error, "cannot load plugin: no path after '%s'",
                 PLUGIN_PREFIX);
    else if (load(b) != 0)
        b->gemm = NULL;
    return b;
}

int plb_loaded(const struct plugin_backend *b) {
    return b && b->gemm != NULL;
}

const char *plb_error(const struct plugin_backend *b) {
    return b ? b->error : "no plugin backend";
}

const char *plb_name(const struct plugin_backend *b) {
    return b ? b->name : "native plugin";
}

static void error_result(struct bk_result *res, const char *reason) {
    res->status = BK_ERROR;
    snprintf(res->reason, sizeof res->reason, "%s", reason);
}

void plb_run(struct plugin_backend *b, const struct abi_tensors *t, uint16_t *out, size_t out_total,
             struct bk_result *res) {
    if (!res) return;
    memset(res, 0, sizeof *res); /* BK_OK, no reason, no log, no times */
    if (!plb_loaded(b)) {
        error_result(res, plb_error(b));
        return;
    }
    if (!t || !out || t->M <= 0 || t->N <= 0 || out_total < (size_t)(t->M * t->N)) {
        error_result(res, "plugin backend: output buffer smaller than M*N (harness bug)");
        return;
    }
    double ms = -1.0;
    struct w4a16_args a = {
        .version = W4A16_ABI_VERSION,
        .dtype = t->dt == DT_BF16 ? W4A16_BF16 : W4A16_F16,
        .flags = (t->zp ? W4A16_HAS_ZP : 0u) | (t->perm ? W4A16_HAS_PERM : 0u) |
                 (t->bias ? W4A16_HAS_BIAS : 0u),
        .M = (int32_t)t->M,
        .N = (int32_t)t->N,
        .K = (int32_t)t->K,
        .group_size = (int32_t)t->group_size,
        .zp_scalar = t->zp_scalar,
        .a = t->a,
        .b = t->b,
        .scale = t->scale,
        .zp = t->zp,
        .perm = t->perm,
        .bias = t->bias,
        .out = out,
        .kernel_ms = &ms,
    };
    const double t0 = now_seconds();
    const int rc = b->gemm(&a);
    const double wall_ms = (now_seconds() - t0) * 1000.0;
    if (rc != 0) {
        snprintf(res->reason, sizeof res->reason,
                 "plugin returned %d (%s; its messages, if any, are on stderr)", rc, b->name);
        res->status = BK_ERROR;
        return;
    }
    res->kernel_ms = ms >= 0.0 ? ms : wall_ms;
}

void plb_close(struct plugin_backend *b) {
    if (!b) return;
    /* A plugin's threads or driver may still hold the library; a failing
     * dlclose is reported, not fatal. */
    if (b->handle && dlclose(b->handle) != 0) {
        const char *e = dlerror();
        fprintf(stderr, "gptq-harness: dlclose(%s): %s\n", b->path, e ? e : "unknown error");
    }
    free(b);
}
