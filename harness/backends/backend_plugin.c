/* backend_plugin.c - native kernels from a shared library (see
 * backend_plugin.h and w4a16.h).
 *
 * Decisions:
 * - Load problems are kept, not fatal: the backend exists, says why it is
 *   unusable, and each case becomes ERROR with that reason (the sweep and
 *   its reports go on, exit code 1).
 * - Each run gets buffers of its own (one anonymous mapping): copies of the
 *   inputs and of the runner's poisoned output with its guard zones, laid
 *   out a, b, scale, [guard | out | guard], zp, perm, bias, so that a write
 *   past a guard zone lands in an input copy (or outside the mapping). After
 *   the call the output and guards go back to the runner and every input
 *   copy is compared with the original (res->mc): a plugin that writes into
 *   its inputs cannot corrupt the harness's tensors, and is named.
 * - Late writes: PLB_GRACE_MS after the call returned the mapping is
 *   compared with its state at the return (a write in that window is the
 *   run's own). Then the mapping is kept, unchanged, until the next run has
 *   returned: a write into it found then is reported by the next run as the
 *   previous run's (res->mc.prev_late), and does not corrupt anything (the
 *   runner freed its own buffers long before). A write later still, after
 *   the mapping is gone, faults: in a worker that ends the worker (ERROR),
 *   in process (--no-isolation) it crashes the run. plb_close checks the
 *   last run's mapping once more (a warning on stderr).
 * - A plugin that crashes takes the process down (it runs in-process);
 *   the case line printed so far and the repro line of the previous case
 *   say where. */
#include "backends/backend_plugin.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "util/clock.h"
#include "backends/w4a16.h"

#define PLB_NAME_MAX 256
#define PLB_GRACE_MS 2 /* a write this soon after the return is the run's own */

/* Where one run's tensors lie in its mapping. Region R_OUT is the output
 * with its guard zones. */
enum { R_A, R_B, R_SCALE, R_OUT, R_ZP, R_PERM, R_BIAS, NREG };
static const int region_input[NREG] = {BK_IN_A,  BK_IN_B,    BK_IN_SCALE, -1,
                                       BK_IN_ZP, BK_IN_PERM, BK_IN_BIAS};

struct run_map {
    unsigned char *map; /* NULL: none */
    size_t size;
    size_t off[NREG], bytes[NREG], esize[NREG];
    size_t guard;        /* elements of each guard zone around the output */
    unsigned char *snap; /* the mapping as it was when the run was reported */
};

struct plugin_backend {
    void *handle;
    w4a16_gemm_fn gemm;
    char path[BK_REASON_MAX / 2];
    char name[PLB_NAME_MAX];
    char error[BK_REASON_MAX]; /* "" when loaded */
    struct run_map prev;       /* the last run's buffers, kept until the next run returned */
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

static void map_free(struct run_map *rm) {
    if (rm->map) munmap(rm->map, rm->size);
    free(rm->snap);
    memset(rm, 0, sizeof *rm);
}

/* Lays out and maps the run's buffers and fills them from t and out. */
static int map_create(struct run_map *rm, const struct abi_tensors *t, const uint16_t *out,
                      size_t guard) {
    const void *src[NREG] = {t->a, t->b, t->scale, out - guard, t->zp, t->perm, t->bias};
    const size_t bytes[NREG] = {
        (size_t)(t->M * t->K) * 2,           (size_t)t->b_words * 4,
        (size_t)t->scale_elems * 2,          ((size_t)(t->M * t->N) + 2 * guard) * 2,
        t->zp ? (size_t)t->zp_words * 4 : 0, t->perm ? (size_t)t->K * 4 : 0,
        t->bias ? (size_t)t->N * 2 : 0};
    const size_t esize[NREG] = {2, 4, 2, 2, 4, 4, 2};
    memset(rm, 0, sizeof *rm);
    size_t o = 0;
    for (int r = 0; r < NREG; r++) {
        o = (o + 4095) / 4096 * 4096; /* the output (and each input) starts on a page */
        rm->off[r] = o;
        rm->bytes[r] = bytes[r];
        rm->esize[r] = esize[r];
        o += bytes[r];
    }
    rm->size = o ? o : 1;
    rm->guard = guard;
    void *m = mmap(NULL, rm->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    rm->snap = malloc(rm->size);
    if (m == MAP_FAILED || !rm->snap) {
        if (m != MAP_FAILED) munmap(m, rm->size);
        free(rm->snap);
        memset(rm, 0, sizeof *rm);
        return -1;
    }
    rm->map = m;
    for (int r = 0; r < NREG; r++)
        if (bytes[r]) memcpy(rm->map + rm->off[r], src[r], bytes[r]);
    return 0;
}

/* Elements of the mapping that differ from its snapshot; what names the
 * regions that changed ("out", "guard", an input), comma separated. */
static int64_t map_changes(const struct run_map *rm, char *what, size_t whatlen) {
    const size_t guard = rm->guard;
    int64_t n = 0;
    size_t used = 0;
    if (what && whatlen) what[0] = 0;
    for (int r = 0; r < NREG; r++) {
        const size_t es = rm->esize[r];
        const unsigned char *a = rm->map + rm->off[r], *s = rm->snap + rm->off[r];
        int64_t in_out = 0, in_guard = 0;
        for (size_t e = 0; e < rm->bytes[r] / es; e++) {
            if (memcmp(a + e * es, s + e * es, es) == 0) continue;
            const int is_guard = r == R_OUT && (e < guard || e >= rm->bytes[r] / es - guard);
            if (is_guard)
                in_guard++;
            else
                in_out++;
        }
        n += in_out + in_guard;
        const char *name[2] = {r == R_OUT ? "out" : bk_input_name(region_input[r]), "guard zones"};
        const int64_t cnt[2] = {in_out, in_guard};
        for (int j = 0; j < 2 && what; j++)
            if (cnt[j] && used < whatlen) {
                int w = snprintf(what + used, whatlen - used, "%s%s", used ? ", " : "", name[j]);
                used = w < 0 ? whatlen : used + (size_t)w;
            }
    }
    return n;
}

static void sleep_ms(int ms) {
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* After the call: late writes within the grace period, the output back to
 * the runner, the inputs compared with the originals. */
static void map_finish(struct run_map *rm, const struct abi_tensors *t, uint16_t *out, size_t guard,
                       struct bk_result *res) {
    memcpy(rm->snap, rm->map, rm->size);
    sleep_ms(PLB_GRACE_MS);
    res->mc.late = map_changes(rm, NULL, 0);
    memcpy(rm->snap, rm->map, rm->size);
    memcpy(out - guard, rm->map + rm->off[R_OUT], rm->bytes[R_OUT]);
    const void *orig[NREG] = {t->a, t->b, t->scale, NULL, t->zp, t->perm, t->bias};
    for (int r = 0; r < NREG; r++) {
        const int in = region_input[r];
        const size_t es = rm->esize[r];
        const unsigned char *a = rm->map + rm->off[r], *o = orig[r];
        for (size_t e = 0; in >= 0 && e < rm->bytes[r] / es; e++)
            if (memcmp(a + e * es, o + e * es, es) != 0 && res->mc.changed[in]++ == 0)
                res->mc.first[in] = (int64_t)e;
    }
    res->mc.inputs_checked = 1;
}

/* Checks the previous run's buffers for writes after it was reported and
 * releases them. */
static void retire_prev(struct plugin_backend *b, struct bk_result *res) {
    if (!b->prev.map) return;
    const int64_t n = map_changes(&b->prev, res ? res->mc.prev_late_what : NULL,
                                  res ? sizeof res->mc.prev_late_what : 0);
    if (res)
        res->mc.prev_late = n;
    else if (n)
        fprintf(stderr,
                "gptq-harness: the plugin wrote %lld element(s) of the last case's buffers after "
                "that case had been reported (a late asynchronous write)\n",
                (long long)n);
    map_free(&b->prev);
}

void plb_run(struct plugin_backend *b, const struct abi_tensors *t, uint16_t *out, size_t guard,
             struct bk_result *res) {
    if (!res) return;
    memset(res, 0, sizeof *res); /* BK_OK, no reason, no log, no times */
    if (!plb_loaded(b)) {
        error_result(res, plb_error(b));
        return;
    }
    if (!t || !out || t->M <= 0 || t->N <= 0) {
        error_result(res, "plugin backend: no tensors or no output buffer (harness bug)");
        return;
    }
    struct run_map rm;
    if (map_create(&rm, t, out, guard) != 0) {
        error_result(res, "plugin backend: out of memory for the run's buffers");
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
        .a = (const uint16_t *)(rm.map + rm.off[R_A]),
        .b = (const uint32_t *)(rm.map + rm.off[R_B]),
        .scale = (const uint16_t *)(rm.map + rm.off[R_SCALE]),
        .zp = t->zp ? (const uint32_t *)(rm.map + rm.off[R_ZP]) : NULL,
        .perm = t->perm ? (const int32_t *)(rm.map + rm.off[R_PERM]) : NULL,
        .bias = t->bias ? (const uint16_t *)(rm.map + rm.off[R_BIAS]) : NULL,
        .out = (uint16_t *)(rm.map + rm.off[R_OUT]) + guard,
        .kernel_ms = &ms,
    };
    const double t0 = now_seconds();
    const int rc = b->gemm(&a);
    const double wall_ms = (now_seconds() - t0) * 1000.0;
    map_finish(&rm, t, out, guard, res);
    retire_prev(b, res);
    b->prev = rm;
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
    retire_prev(b, NULL);
    /* A plugin's threads or driver may still hold the library; a failing
     * dlclose is reported, not fatal. */
    if (b->handle && dlclose(b->handle) != 0) {
        const char *e = dlerror();
        fprintf(stderr, "gptq-harness: dlclose(%s): %s\n", b->path, e ? e : "unknown error");
    }
    free(b);
}
