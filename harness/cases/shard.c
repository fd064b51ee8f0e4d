/* shard.c - sweep identity and shards (see shard.h). */
#include "cases/shard.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/hash.h"

static const char *env_get(const char *name, void *ctx) {
    (void)ctx;
    return getenv(name);
}

/* A whole number in lo..hi, nothing else. */
static int whole(const char *s, long lo, long hi, long *out) {
    if (!s || !*s) return -1;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || end == s || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

static int check(struct shard *s, long index, long count, const char *from, char *err,
                 size_t errlen) {
    if (count < 1 || count > SHARD_MAX || index < 1 || index > count) {
        snprintf(err, errlen, "%s gives shard %ld of %ld: want 1 <= I <= N <= %d", from, index,
                 count, SHARD_MAX);
        return -1;
    }
    s->index = index;
    s->count = count;
    return 0;
}

/* One CI system: both variables set -> 1 (parsed into *s) or -1; neither -> 0. */
static int from_pair(shard_getenv_fn get, void *ctx, const char *iname, const char *nname,
                     long base, struct shard *s, char *err, size_t errlen) {
    const char *iv = get(iname, ctx), *nv = get(nname, ctx);
    if (!iv && !nv) return 0;
    long i, n;
    char from[160];
    snprintf(from, sizeof from, "%s=%s %s=%s", iname, iv ? iv : "(unset)", nname,
             nv ? nv : "(unset)");
    if (whole(iv, 0, SHARD_MAX, &i) != 0 || whole(nv, 1, SHARD_MAX, &n) != 0) {
        snprintf(err, errlen, "--shard auto: %s: want two whole numbers", from);
        return -1;
    }
    return check(s, i - base + 1, n, from, err, errlen) == 0 ? 1 : -1;
}

static int from_slurm(shard_getenv_fn get, void *ctx, struct shard *s, char *err, size_t errlen) {
    const char *idv = get("SLURM_ARRAY_TASK_ID", ctx), *nv = get("SLURM_ARRAY_TASK_COUNT", ctx);
    if (!idv && !nv) return 0;
    const char *minv = get("SLURM_ARRAY_TASK_MIN", ctx), *stepv = get("SLURM_ARRAY_TASK_STEP", ctx);
    long id, n, min = 0, step = 1;
    if (whole(idv, 0, 1L << 30, &id) != 0 || whole(nv, 1, SHARD_MAX, &n) != 0 ||
        (minv && whole(minv, 0, 1L << 30, &min) != 0) ||
        (stepv && whole(stepv, 1, 1L << 30, &step) != 0) || id < min || (id - min) % step != 0) {
        snprintf(err, errlen,
                 "--shard auto: SLURM_ARRAY_TASK_ID=%s SLURM_ARRAY_TASK_COUNT=%s "
                 "SLURM_ARRAY_TASK_MIN=%s SLURM_ARRAY_TASK_STEP=%s do not give a shard",
                 idv ? idv : "(unset)", nv ? nv : "(unset)", minv ? minv : "(unset)",
                 stepv ? stepv : "(unset)");
        return -1;
    }
    return check(s, (id - min) / step + 1, n, "SLURM_ARRAY_TASK_ID", err, errlen) == 0 ? 1 : -1;
}

int shard_parse(const char *spec, shard_getenv_fn get, void *ctx, struct shard *s, char *err,
                size_t errlen) {
    if (!get) get = env_get;
    if (spec && strcmp(spec, "auto") == 0) {
        int rc = from_pair(get, ctx, "BUILDKITE_PARALLEL_JOB", "BUILDKITE_PARALLEL_JOB_COUNT", 0, s,
                           err, errlen);
        if (rc == 0) rc = from_pair(get, ctx, "CI_NODE_INDEX", "CI_NODE_TOTAL", 1, s, err, errlen);
        if (rc == 0) rc = from_slurm(get, ctx, s, err, errlen);
        if (rc == 0)
            snprintf(err, errlen,
                     "--shard auto: no CI shard variables set (Buildkite "
                     "BUILDKITE_PARALLEL_JOB/_COUNT, GitLab CI_NODE_INDEX/CI_NODE_TOTAL, Slurm "
                     "SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT); use --shard I/N");
        return rc == 1 ? 0 : -1;
    }
    const char *slash = spec ? strchr(spec, '/') : NULL;
    char ibuf[32];
    long i, n;
    if (!slash || (size_t)(slash - spec) >= sizeof ibuf) {
        snprintf(err, errlen, "--shard wants I/N (e.g. 2/3) or auto, not '%s'", spec ? spec : "");
        return -1;
    }
    memcpy(ibuf, spec, (size_t)(slash - spec));
    ibuf[slash - spec] = 0;
    if (whole(ibuf, 1, SHARD_MAX, &i) != 0 || whole(slash + 1, 1, SHARD_MAX, &n) != 0) {
        snprintf(err, errlen, "--shard wants I/N with 1 <= I <= N <= %d, not '%s'", SHARD_MAX,
                 spec);
        return -1;
    }
    return check(s, i, n, "--shard", err, errlen);
}

int shard_selects(const struct shard *s, size_t i) {
    return s->count <= 0 || (long)(i % (size_t)s->count) == s->index - 1;
}

void shard_name(const struct shard *s, char *buf, size_t len) {
    if (s->count > 0)
        snprintf(buf, len, "%ld/%ld", s->index, s->count);
    else if (len)
        buf[0] = 0;
}

uint64_t sweep_hash(const struct case_list *l) {
    uint64_t h = HASH_FNV1A64_INIT;
    char line[512];
    for (size_t i = 0; i < l->n; i++) {
        int n = desc_print(&l->v[i], line, sizeof line - 1);
        if (n < 0) n = 0;
        if ((size_t)n > sizeof line - 2) n = (int)sizeof line - 2;
        line[n] = '\n';
        h = hash_fnv1a64(h, line, (size_t)n + 1);
    }
    return h;
}
