/* console.c - console report (see console.h). */
#include "console.h"

#include <math.h>
#include <string.h>

void tally_add(struct tally *t, verdict_t v) {
    t->n++;
    if (v >= 0 && v < V_COUNT) t->by[v]++;
}

void tally_print(FILE *f, const struct tally *t) {
    fprintf(f, "tests: %ld passed: %ld failed: %ld mistrusted: %ld skipped: %ld errors: %ld\n",
            t->n, t->by[V_PASSED], t->by[V_FAILED], t->by[V_MISTRUSTED], t->by[V_SKIPPED],
            t->by[V_ERROR]);
}

int tally_exit_code(const struct tally *t) {
    return (t->by[V_FAILED] || t->by[V_ERROR] || t->by[V_MISTRUSTED]) ? 1 : 0;
}

static void fmt_num(char *buf, size_t len, double v) {
    if (isinf(v))
        snprintf(buf, len, "%sinf", v < 0 ? "-" : "");
    else
        snprintf(buf, len, "%.3g", v);
}

/* Prints the first lines of a build log, indented. */
static void print_log(FILE *f, const char *log, int all) {
    int lines = 0;
    const char *p = log;
    while (*p && (all || lines < 12)) {
        const char *e = strchr(p, '\n');
        int n = e ? (int)(e - p) : (int)strlen(p);
        fprintf(f, "    | %.*s\n", n, p);
        lines++;
        p = e ? e + 1 : p + n;
    }
    if (*p) fprintf(f, "    | ... (build log truncated; -v prints all)\n");
}

void console_case(FILE *f, const struct case_result *r, const char *repro_prefix, int verbose) {
    char desc[512];
    desc_print(&r->d, desc, sizeof desc);
    fprintf(f, "%-10s", verdict_name(r->verdict));
    if (r->have_metrics) {
        char abs[32], sq[32], ul[32];
        fmt_num(abs, sizeof abs, r->met.max_abs);
        fmt_num(sq, sizeof sq, r->met.sqnr_db);
        fmt_num(ul, sizeof ul, r->met.max_ulp);
        fprintf(f, " ulp=%-5s abs=%-9s sqnr=%-6s bad=%lld/%lld", ul, abs, sq,
                (long long)r->met.mismatches, (long long)r->met.total);
    }
    fprintf(f, " %7.3fs  %s\n", r->t_total, desc);
    if (r->verdict == V_PASSED) return;
    if (r->reason[0]) fprintf(f, "    why: %s\n", r->reason);
    if (r->where[0]) fprintf(f, "    where: %s\n", r->where);
    if (r->diagnosis[0]) fprintf(f, "    diagnosis: %s\n", r->diagnosis);
    if (r->log && r->log[0]) {
        fprintf(f, "    build log:\n");
        print_log(f, r->log, verbose);
    }
    if (r->verdict != V_SKIPPED) fprintf(f, "    repro: %s '%s'\n", repro_prefix, desc);
}
