/* report.c - writes one report format (report_model.h): opens RUN/FILE
 * (written whole, see outfile.h), builds the model, writes the sections in
 * their order. */
#include <stdio.h>

#include "util/outfile.h"
#include "results/report.h"
#include "results/report_model.h"

size_t report_head(const struct report_input *in, const char *labels[4], const char *values[4],
                   char when[64]) {
    struct tm tm;
    size_t n = 0;
    if (in->written && gmtime_r(&in->written, &tm) &&
        strftime(when, 64, "%Y-%m-%d %H:%M:%S UTC", &tm)) {
        labels[n] = "written";
        values[n++] = when;
    }
    if (in->host[0]) {
        labels[n] = "host";
        values[n++] = in->host;
    }
    if (in->command) {
        labels[n] = "command";
        values[n++] = in->command;
    }
    if (in->batches && in->batches[0]) {
        labels[n] = "batch files";
        values[n++] = in->batches;
    }
    return n;
}

int report_write(const struct report_input *in, const struct report_format *fmt, char *err,
                 size_t errlen) {
    struct rm_model m;
    if (rm_build(in->l, in->bl, REPORT_WORST, &m) != 0) {
        snprintf(err, errlen, "out of memory building the report");
        return -1;
    }
    char path[4200];
    struct outfile o;
    int n = snprintf(path, sizeof path, "%s/%s", in->rundir, fmt->file);
    if (n < 0 || (size_t)n >= sizeof path) {
        snprintf(err, errlen, "run directory name too long");
        rm_free(&m);
        return -1;
    }
    if (outfile_open(&o, path, err, errlen) != 0) {
        rm_free(&m);
        return -1;
    }
    fmt->begin(o.f, in);
    if (in->bl) fmt->baseline(o.f, in, &m); /* regressions come first */
    fmt->summary(o.f, in, &m);
    fmt->env(o.f, in->l);
    fmt->matrix(o.f, &m);
    fmt->worst(o.f, in, &m);
    fmt->plots(o.f, in);
    fmt->end(o.f);
    rm_free(&m);
    return outfile_commit(&o, err, errlen);
}
