/* saver.c - see saver.h. */
#include "results/saver.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "util/errmsg.h"
#include "results/fixture.h"
#include "util/hash.h"

/* mkdir -p. */
static int make_dirs(const char *dir, char *err, size_t errlen) {
    char p[4096];
    if ((size_t)snprintf(p, sizeof p, "%s", dir) >= sizeof p)
        return errmsg(err, errlen, "%s: path too long", dir);
    for (char *c = p + 1;; c++) {
        if (*c != '/' && *c != '\0') continue;
        char keep = *c;
        *c = '\0';
        struct stat sb;
        if (stat(p, &sb) != 0 && mkdir(p, 0777) != 0 && errno != EEXIST)
            return errmsg(err, errlen, "cannot create directory %s: %s", p, strerror(errno));
        if (stat(p, &sb) != 0 || !S_ISDIR(sb.st_mode))
            return errmsg(err, errlen, "%s is not a directory", p);
        *c = keep;
        if (keep == '\0') return 0;
    }
}

int saver_init(struct saver *s, const char *dir, int all, char *err, size_t errlen) {
    memset(s, 0, sizeof *s);
    if (!dir || !dir[0]) return errmsg(err, errlen, "no fixture directory given");
    if ((size_t)snprintf(s->dir, sizeof s->dir, "%s", dir) >= sizeof s->dir)
        return errmsg(err, errlen, "fixture directory path too long");
    s->all = all;
    return make_dirs(dir, err, errlen);
}

/* FNV-1a 64 of a file's bytes (hash.h, as results.jsonl records it); ""
 * when it cannot be read. */
static void hash_file(const char *path, char out[17]) {
    uint64_t h;
    out[0] = '\0';
    if (path && hash_file_fnv1a64(path, &h, NULL, 0) == 0) hash_hex(h, out);
}

void saver_set_target(struct saver *s, const char *device, const char *kernel_path) {
    s->device = device;
    s->kernel = kernel_path;
    hash_file(kernel_path, s->kernel_hash);
}

void saver_hook(void *ctx, const struct case_result *r, const struct case_work *w) {
    struct saver *s = ctx;
    s->last[0] = '\0';
    if (!s->all && r->verdict != V_FAILED && r->verdict != V_MISTRUSTED) return;
    if (!w->p.x || !w->yref || w->ckpt.n == 0) return;
    char path[SAVER_PATH_MAX], err[600];
    if (fixture_name(s->dir, &r->d, path, sizeof path) != 0) {
        fprintf(stderr, "gptq-harness: no free fixture name in %s\n", s->dir);
        s->errors++;
        return;
    }
    char reason[RESULT_REASON_MAX + RESULT_WHERE_MAX + 8];
    snprintf(reason, sizeof reason, "%s%s%s", r->reason, r->where[0] ? "; " : "", r->where);
    struct fixture_case c = {.d = &r->d,
                             .ckpt = &w->ckpt,
                             .x = w->p.x,
                             .bias = w->p.bias,
                             .yref = w->yref,
                             .ydev = w->out && r->have_metrics ? w->out : NULL,
                             .verdict = verdict_name(r->verdict),
                             .reason = reason,
                             .device = s->device,
                             .kernel = s->kernel,
                             .kernel_hash = s->kernel_hash};
    if (fixture_write(path, &c, err, sizeof err) != 0) {
        fprintf(stderr, "gptq-harness: cannot save fixture: %s\n", err);
        s->errors++;
        return;
    }
    s->saved++;
    snprintf(s->last, sizeof s->last, "%s", path);
}
