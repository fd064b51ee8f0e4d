/* junit.c - JUnit XML writer (see junit.h). */
#include "results/junit.h"

#include <stdio.h>
#include <string.h>

#include "util/escape.h"
#include "util/outfile.h"

#define LOG_MAX 16384 /* build log bytes kept in <error> */

struct counts {
    long tests, failures, errors, skipped;
    double time;
};

/* What a testcase shows CI: nothing (passed), <failure>, <error> or <skipped>. */
typedef enum { SHOW_PASS, SHOW_FAILURE, SHOW_ERROR, SHOW_SKIPPED } show_t;

/* Without a baseline the verdict decides. With one, a known failure (it
 * failed in the baseline too) is <skipped> ("known failure"), so that CI
 * does not list it among the failures, and drift (a passing case whose
 * error grew) is a <failure> of type DRIFT, so that CI shows it; the exit
 * code is the baseline's judgement either way (baseline.h). */
static show_t show(const struct case_record *r, const struct bl_finding *fi) {
    if (fi && fi->kind == BL_KNOWN_FAILURE) return SHOW_SKIPPED;
    if (fi && fi->kind == BL_DRIFT) return SHOW_FAILURE;
    switch (r->verdict) {
    case V_FAILED:
    case V_MISTRUSTED:
        return SHOW_FAILURE;
    case V_ERROR:
        return SHOW_ERROR;
    case V_SKIPPED:
        return SHOW_SKIPPED;
    default:
        return SHOW_PASS;
    }
}

static const struct bl_finding *finding(const struct bl_report *bl, size_t i) {
    return bl && i < bl->n ? &bl->f[i] : NULL;
}

static struct counts count(const struct record_list *l, const struct bl_report *bl) {
    struct counts c = {0, 0, 0, 0, 0};
    for (size_t i = 0; i < l->n; i++) {
        show_t s = show(&l->v[i], finding(bl, i));
        c.tests++;
        c.failures += s == SHOW_FAILURE;
        c.errors += s == SHOW_ERROR;
        c.skipped += s == SHOW_SKIPPED;
        c.time += l->v[i].t.total > 0 ? l->v[i].t.total : 0;
    }
    return c;
}

static void attr(FILE *f, const char *name, const char *value) {
    fprintf(f, " %s=\"", name);
    markup_escape(f, value);
    fputc('"', f);
}

static void counts_attrs(FILE *f, const struct counts *c) {
    fprintf(f, " tests=\"%ld\" failures=\"%ld\" errors=\"%ld\" skipped=\"%ld\" time=\"%.3f\"",
            c->tests, c->failures, c->errors, c->skipped, c->time);
}

static void property(FILE *f, const char *name, const char *value) {
    fputs("   <property", f);
    attr(f, "name", name);
    attr(f, "value", value);
    fputs("/>\n", f);
}

static void properties(FILE *f, const struct record_list *l, const struct bl_report *bl) {
    fputs("  <properties>\n", f);
    for (size_t i = 0; i < l->nenv; i++) {
        const char *values[RUN_ENV_FIELDS];
        run_env_values(&l->env[i], values);
        for (int k = 0; k < RUN_ENV_FIELDS; k++)
            property(f, run_env_keys[k], values[k]);
    }
    if (bl) property(f, "baseline", bl->path);
    fputs("  </properties>\n", f);
}

/* The body of <failure>/<error>: reason, metrics, build log, repro. */
static void problem_body(FILE *f, const struct case_record *r, const char *baseline) {
    char met[512];
    record_metrics_line(r, met, sizeof met);
    fprintf(f, "verdict: %s\nreason: ", verdict_name(r->verdict));
    markup_escape(f, r->reason ? r->reason : "-");
    fputs("\nmetrics: ", f);
    markup_escape(f, met);
    if (baseline) {
        fputs("\nbaseline: ", f);
        markup_escape(f, baseline);
    }
    if (r->log) {
        fputs("\nbuild log:\n", f);
        markup_escape_max(f, r->log, LOG_MAX);
    }
    fputs("\nrepro: ", f);
    markup_escape(f, r->repro ? r->repro : r->desc);
    fputc('\n', f);
}

static void labelled(FILE *f, const char *label, const char *text) {
    if (!text) return;
    fprintf(f, "%s: ", label);
    markup_escape(f, text);
    fputc('\n', f);
}

static void testcase(FILE *f, const struct case_record *r, const struct bl_finding *fi,
                     const struct bl_report *bl) {
    char cls[128], msg[1200], base[512];
    snprintf(cls, sizeof cls, "gptq-harness.%s.%s", fmt_name(r->d.fmt), adapter_name(r->d.adapter));
    const char *baseline = NULL;
    if (fi && fi->kind != BL_SAME) {
        bl_finding_text(fi, r, bl->factor, base, sizeof base);
        baseline = base;
    }
    fputs("  <testcase", f);
    attr(f, "classname", cls);
    attr(f, "name", r->desc);
    fprintf(f, " time=\"%.3f\">\n", r->t.total > 0 ? r->t.total : 0);
    if (baseline) { /* the finding's name, for CI that filters on properties */
        fputs("   <properties>\n", f);
        property(f, "baseline", bl_kind_name(fi->kind));
        fputs("   </properties>\n", f);
    }
    const show_t s = show(r, fi);
    snprintf(msg, sizeof msg, "%s: %s", verdict_name(r->verdict), r->reason ? r->reason : "");
    if (s == SHOW_FAILURE || s == SHOW_ERROR) {
        const char *tag = s == SHOW_ERROR ? "error" : "failure";
        const int drift = fi && fi->kind == BL_DRIFT;
        if (drift) snprintf(msg, sizeof msg, "%s", base);
        fprintf(f, "   <%s", tag);
        attr(f, "message", msg);
        attr(f, "type", drift ? "DRIFT" : verdict_name(r->verdict));
        fputs(">", f);
        problem_body(f, r, baseline);
        fprintf(f, "</%s>\n", tag);
    } else if (s == SHOW_SKIPPED) {
        char why[1400];
        if (fi && fi->kind == BL_KNOWN_FAILURE)
            snprintf(why, sizeof why, "known failure (%s in the baseline too): %s",
                     verdict_name(r->verdict), msg);
        else
            snprintf(why, sizeof why, "%s", r->reason ? r->reason : "skipped");
        fputs("   <skipped", f);
        attr(f, "message", why);
        fputs("/>\n", f);
    }
    if (r->where || r->diagnosis || baseline) {
        fputs("   <system-out>", f);
        labelled(f, "where", r->where);
        labelled(f, "diagnosis", r->diagnosis); /* issue 4's diagnosis text */
        labelled(f, "baseline", baseline);
        fputs("</system-out>\n", f);
    }
    fputs("  </testcase>\n", f);
}

/* A case of the sweep without a result. */
static void not_run_case(FILE *f, const struct gap *gp, const char *why) {
    char buf[64], msg[700];
    fputs("  <testcase", f);
    attr(f, "classname", "gptq-harness.not-run");
    attr(f, "name", gaps_name(gp, buf, sizeof buf));
    fputs(" time=\"0.000\">\n   <error", f);
    snprintf(msg, sizeof msg, "not run: %s", why);
    attr(f, "message", msg);
    attr(f, "type", "not-run");
    fputs("/>\n  </testcase>\n", f);
}

int junit_write(const char *path, const struct record_list *l, const struct bl_report *bl,
                const char *suite, char *err, size_t errlen) {
    return junit_write_gaps(path, l, bl, suite, NULL, err, errlen);
}

int junit_write_gaps(const char *path, const struct record_list *l, const struct bl_report *bl,
                     const char *suite, const struct run_gaps *g, char *err, size_t errlen) {
    struct outfile o;
    if (outfile_open(&o, path, err, errlen) != 0) return -1;
    FILE *f = o.f;
    struct counts c = count(l, bl);
    if (g) {
        c.tests += (long)g->n;
        c.errors += (long)g->n;
    }
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites", f);
    attr(f, "name", "gptq-harness");
    counts_attrs(f, &c);
    fputs(">\n <testsuite", f);
    attr(f, "name", suite);
    counts_attrs(f, &c);
    fputs(">\n", f);
    properties(f, l, bl);
    for (size_t i = 0; i < l->n; i++)
        testcase(f, &l->v[i], finding(bl, i), bl);
    for (size_t i = 0; g && i < g->n; i++)
        not_run_case(f, &g->v[i], g->note[0] ? g->note : "no result in the merged shards");
    fputs(" </testsuite>\n</testsuites>\n", f);
    return outfile_commit(&o, err, errlen);
}
