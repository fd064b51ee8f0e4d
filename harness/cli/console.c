/* console.c - console report (see console.h). */
#include "cli/console.h"
#include "util/escape.h"
#include "util/hash.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

void tally_add(struct tally *t, verdict_t v) {
    t->n++;
    if (v >= 0 && v < V_COUNT) t->by[v]++;
}

void tally_print(FILE *f, const struct tally *t, int exit_code) {
    fprintf(
        f,
        "summary: total=%ld passed=%ld failed=%ld mistrusted=%ld skipped=%ld errors=%ld exit=%d\n",
        t->n, t->by[V_PASSED], t->by[V_FAILED], t->by[V_MISTRUSTED], t->by[V_SKIPPED],
        t->by[V_ERROR], exit_code);
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
        fputs("    | ", f);
        line_escape_n(f, p, (size_t)n);
        fputc('\n', f);
        lines++;
        p = e ? e + 1 : p + n;
    }
    if (*p) fprintf(f, "    | ... (build log truncated; -v prints all)\n");
}

void console_case(FILE *f, const struct case_result *r, const char *repro_prefix, int verbose) {
    char desc[512], repro[4096];
    desc_print(&r->d, desc, sizeof desc);
    snprintf(repro, sizeof repro, "%s '%s'", repro_prefix, desc);
    console_case_repro(f, r, repro, verbose);
}

/* The case's first line: verdict, metrics, time, descriptor. */
static void case_line(FILE *f, const struct case_result *r) {
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
}

void console_detail(FILE *f, const char *label, const char *text) {
    fprintf(f, "    %s: ", label);
    line_escape(f, text);
    fputc('\n', f);
}

void console_case_repro(FILE *f, const struct case_result *r, const char *repro, int verbose) {
    case_line(f, r);
    if (verbose && r->kernel_ms > 0) fprintf(f, "    kernel: %.4f ms\n", r->kernel_ms);
    if (r->verdict == V_PASSED) return;
    if (r->reason[0]) console_detail(f, "why", r->reason);
    if (r->where[0]) console_detail(f, "where", r->where);
    if (r->diagnosis[0]) console_detail(f, "diagnosis", r->diagnosis);
    if (r->log && r->log[0]) {
        fprintf(f, "    build log:\n");
        print_log(f, r->log, verbose);
    }
    if (r->verdict != V_SKIPPED) fprintf(f, "    repro: %s\n", repro);
}

int build_seen_repeat(struct build_seen *s, const struct case_result *r) {
    if (r->verdict != V_ERROR || !r->log || !r->log[0]) return 0;
    uint64_t h = hash_fnv1a64(HASH_FNV1A64_INIT, r->reason, strlen(r->reason));
    h = hash_fnv1a64(h, r->log, strlen(r->log));
    for (int i = 0; i < s->n; i++)
        if (s->h[i] == h) {
            s->repeats++;
            return 1;
        }
    if (s->n < BUILD_SEEN_MAX) s->h[s->n++] = h;
    s->configs++;
    return 0;
}

void console_build_repeat(FILE *f, const struct case_result *r) {
    case_line(f, r);
}

void build_seen_print(FILE *f, const struct build_seen *s) {
    if (!s->configs) return;
    fprintf(f,
            "build: the kernel did not build (or did not fit the ABI) for %ld build "
            "configuration(s), each printed once with its log; %ld more case(s) of those "
            "configurations are ERROR\n",
            s->configs, s->repeats);
}

void profile_add(struct profile *p, const struct case_result *r) {
    p->n++;
    p->gen += r->t_gen;
    p->ref += r->t_ref;
    p->adapt += r->t_adapt;
    p->build += r->t_build;
    p->dev += r->t_dev - r->t_build; /* device stage less program builds */
    p->cmp += r->t_cmp;
    p->total += r->t_total;
}

void profile_print(FILE *f, const struct profile *p) {
    const double t = p->total > 0 ? p->total : 1;
    const double other = p->total - (p->gen + p->ref + p->adapt + p->build + p->dev + p->cmp);
    fprintf(f,
            "profile: %ld cases in %.2f s (%.1f cases/s); of the cases' %.2f s: generation "
            "%.1f%%, reference %.1f%%, pack+adapt %.1f%%, program build %.1f%%, device run "
            "%.1f%%, comparison %.1f%%, other %.1f%%\n",
            p->n, p->wall, p->wall > 0 ? p->n / p->wall : 0.0, p->total, 100 * p->gen / t,
            100 * p->ref / t, 100 * p->adapt / t, 100 * p->build / t, 100 * p->dev / t,
            100 * p->cmp / t, 100 * other / t);
}
