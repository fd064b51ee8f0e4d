/* errshape.c - the shape of an error in words (see errshape.h). */
#include "verdict/errshape.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reference/refgemm.h"
#include "util/strbuf.h"

/* ---- index sets ----------------------------------------------------------- */

struct set_stats {
    int64_t count, runs, first, last, stride; /* stride: common gap, 0 when none */
};

static void set_stats(const unsigned char *in, int64_t n, struct set_stats *st) {
    memset(st, 0, sizeof *st);
    st->first = -1;
    int64_t prev = -1;
    for (int64_t i = 0; i < n; i++) {
        if (!in[i]) continue;
        if (prev < 0 || i != prev + 1) st->runs++;
        if (prev >= 0) {
            int64_t gap = i - prev;
            if (st->count == 1)
                st->stride = gap;
            else if (gap != st->stride)
                st->stride = 0;
        } else {
            st->first = i;
        }
        st->count++;
        st->last = prev = i;
    }
}

/* The residues mod 8 the set is made of, as a bit mask; -1 when the set is
 * not a union of residue classes. */
static int residue_mask(const unsigned char *in, int64_t n) {
    if (n % 8 != 0 || n < 16) return -1;
    int mask = 0;
    for (int64_t i = 0; i < 8; i++)
        if (in[i]) mask |= 1 << i;
    for (int64_t i = 8; i < n; i++)
        if (!!in[i] != !!(mask & (1 << (i % 8)))) return -1;
    return mask;
}

static void add_runs(struct strbuf *b, const unsigned char *in, int64_t n) {
    int64_t i = 0;
    int first = 1;
    while (i < n) {
        if (!in[i]) {
            i++;
            continue;
        }
        int64_t j = i;
        while (j + 1 < n && in[j + 1])
            j++;
        sb_add(b, first ? "" : ", ");
        if (j > i)
            sb_add(b, "%lld..%lld", (long long)i, (long long)j);
        else
            sb_add(b, "%lld", (long long)i);
        first = 0;
        i = j + 1;
    }
}

int shape_set(const unsigned char *in, int64_t n, char *buf, size_t len) {
    struct strbuf b;
    sb_init(&b, buf, len);
    struct set_stats st;
    set_stats(in, n, &st);
    int mask;
    if (st.count == 0) {
        sb_add(&b, "none");
    } else if (st.count == n) {
        sb_add(&b, "all %lld", (long long)n);
    } else if (st.runs >= 2 && (st.stride == 0 || st.stride == 8) &&
               (mask = residue_mask(in, n)) > 0) {
        sb_add(&b, "with index %% 8 in {");
        for (int r = 0, k = 0; r < 8; r++)
            if (mask & (1 << r)) sb_add(&b, "%s%d", k++ ? "," : "", r);
        sb_add(&b, "}");
    } else if (st.runs <= 3) {
        add_runs(&b, in, n);
    } else if (st.count >= 3 && st.stride > 1) {
        sb_add(&b, "%lld, %lld, ..., %lld (every %lld)", (long long)st.first,
               (long long)(st.first + st.stride), (long long)st.last, (long long)st.stride);
    } else {
        sb_add(&b, "%lld of %lld (first", (long long)st.count, (long long)n);
        for (int64_t i = 0, k = 0; i < n && k < 4; i++)
            if (in[i]) sb_add(&b, "%s %lld", k++ ? "," : "", (long long)i);
        sb_add(&b, ", ...)");
    }
    return (int)b.used;
}

/* ---- masks ---------------------------------------------------------------- */

/* Rows and columns of a rows x cols mask that hold a set element. */
struct mask2 {
    int64_t rows, cols, count;
    unsigned char *bad, *rbad, *cbad;
    int64_t nr, nc; /* rows / columns holding one */
};

static int mask2_alloc(struct mask2 *m, int64_t rows, int64_t cols) {
    memset(m, 0, sizeof *m);
    m->rows = rows;
    m->cols = cols;
    m->bad = calloc((size_t)(rows * cols), 1);
    m->rbad = calloc((size_t)rows, 1);
    m->cbad = calloc((size_t)cols, 1);
    return m->bad && m->rbad && m->cbad ? 0 : -1;
}

static void mask2_free(struct mask2 *m) {
    free(m->bad);
    free(m->rbad);
    free(m->cbad);
}

static void mask2_finish(struct mask2 *m) {
    for (int64_t r = 0; r < m->rows; r++)
        for (int64_t c = 0; c < m->cols; c++)
            if (m->bad[r * m->cols + c]) {
                m->count++;
                m->rbad[r] = m->cbad[c] = 1;
            }
    for (int64_t r = 0; r < m->rows; r++)
        m->nr += m->rbad[r];
    for (int64_t c = 0; c < m->cols; c++)
        m->nc += m->cbad[c];
}

/* Lines (rows, or columns with transpose) holding more than twice the mean
 * count of set elements; 0 when that is none or all of them. */
static int64_t dense_lines(const struct mask2 *m, int transpose, unsigned char *out) {
    const int64_t lines = transpose ? m->cols : m->rows, len = transpose ? m->rows : m->cols;
    int64_t picked = 0;
    for (int64_t i = 0; i < lines; i++) {
        int64_t c = 0;
        for (int64_t j = 0; j < len; j++)
            c += m->bad[transpose ? j * m->cols + i : i * m->cols + j];
        out[i] = (double)c * (double)lines > 2.0 * (double)m->count;
        picked += out[i];
    }
    return picked == lines ? 0 : picked;
}

/* For a mask that is not rows x columns: where most of it lies. */
static void add_dense(struct strbuf *b, const struct mask2 *m, const char *rname,
                      const char *cname) {
    unsigned char *rows = malloc((size_t)m->rows), *cols = malloc((size_t)m->cols);
    char rs[160], cs[160];
    /* a dense set equal to the whole set of wrong lines adds nothing */
    int64_t nr = rows && cols ? dense_lines(m, 0, rows) : 0;
    int64_t nc = rows && cols ? dense_lines(m, 1, cols) : 0;
    if (nr == m->nr) nr = 0;
    if (nc == m->nc) nc = 0;
    if (nr || nc) {
        sb_add(b, " (concentrated in ");
        if (nr) {
            shape_set(rows, m->rows, rs, sizeof rs);
            sb_add(b, "rows %s %s", rname, rs);
        }
        if (nc) {
            shape_set(cols, m->cols, cs, sizeof cs);
            sb_add(b, "%scolumns %s %s", nr ? " and " : "", cname, cs);
        }
        sb_add(b, ")");
    }
    free(rows);
    free(cols);
}

/* "rows m all 7 x columns n 32..39" or "scattered within rows ..., columns ..." */
static void add_rows_cols(struct strbuf *b, const struct mask2 *m, const char *rname,
                          const char *cname) {
    char rs[160], cs[160];
    shape_set(m->rbad, m->rows, rs, sizeof rs);
    shape_set(m->cbad, m->cols, cs, sizeof cs);
    if (m->count == m->nr * m->nc) {
        sb_add(b, "rows %s %s x columns %s %s", rname, rs, cname, cs);
        return;
    }
    sb_add(b, "scattered within rows %s %s, columns %s %s", rname, rs, cname, cs);
    add_dense(b, m, rname, cname);
}

/* ---- the output ------------------------------------------------------------ */

/* Error of element i and how far it may move by rounding alone. */
static double elem_err(const struct compare_input *ci, int64_t i, double *tol) {
    const double ad = ci->absdot ? ci->absdot[i] : 0;
    *tol = dt_ulp(ci->dt, ci->yref[i]) + compare_allowed(ci, ci->yref[i], ad);
    return dt_to_double(ci->dt, ci->got[i]) - ci->yref[i];
}

/* 1 when, in every wrong column, all M rows (right ones included) share one
 * error within rounding, M >= 2, and in at least half of the wrong columns
 * that error is well beyond rounding: a per-column offset. */
static int constant_per_column(const struct compare_input *ci, const struct mask2 *m) {
    if (ci->M < 2) return 0;
    int64_t resolved = 0;
    for (int64_t n = 0; n < ci->N; n++) {
        if (!m->cbad[n]) continue;
        double tol0, tol, tmax = 0, sum = 0;
        const double e0 = elem_err(ci, n, &tol0);
        for (int64_t r = 0; r < ci->M; r++) {
            const uint16_t g = ci->got[r * ci->N + n];
            if (dt_is_nan(ci->dt, g) || dt_is_inf(ci->dt, g)) return 0;
            const double e = elem_err(ci, r * ci->N + n, &tol);
            if (fabs(e - e0) > tol + tol0) return 0;
            sum += e;
            tmax = fmax(tmax, tol);
        }
        resolved += fabs(sum / (double)ci->M) > 2 * tmax;
    }
    return 2 * resolved >= m->nc;
}

int shape_output(const struct compare_input *ci, const char *label, char *buf, size_t len) {
    struct strbuf b;
    sb_init(&b, buf, len);
    struct mask2 m;
    if (mask2_alloc(&m, ci->M, ci->N) != 0) {
        mask2_free(&m);
        sb_add(&b, "%s: shape unknown (out of memory)", label);
        return -1;
    }
    const uint16_t poison = compare_poison_bits(ci->dt);
    int64_t unwritten = 0;
    for (int64_t i = 0; i < ci->M * ci->N; i++) {
        /* with a slack (the kernel's own contract) as the diagnosis's hypotheses are judged,
           else as the verdict judges the kernel */
        const double ad = ci->absdot ? ci->absdot[i] : 0;
        m.bad[i] = ci->slack ? !compare_element_at(ci, i)
                             : !compare_element_ok(ci, ci->yref[i], ad, ci->got[i]);
        unwritten += ci->got[i] == poison;
    }
    mask2_finish(&m);
    const long long total = (long long)(ci->M * ci->N);
    if (m.count == 0) {
        sb_add(&b, "%s: every element right", label);
    } else if (m.count == total) {
        sb_add(&b, "%s: every element wrong (%lld/%lld)", label, total, total);
    } else {
        sb_add(&b, "%s: %lld/%lld wrong, ", label, (long long)m.count, total);
        add_rows_cols(&b, &m, "m", "n");
    }
    if (unwritten) sb_add(&b, "; %lld never written", (long long)unwritten);
    if (m.count && !unwritten && constant_per_column(ci, &m))
        sb_add(&b, "; the error is one constant per column (a per-column offset, e.g. the bias)");
    mask2_free(&m);
    return 0;
}

/* ---- the weights ----------------------------------------------------------- */

/* How the error of one wrong (group, column) looks over the group's rows. */
enum pair_kind { PK_CONSTANT, PK_PROPORTIONAL, PK_OTHER };

struct group_rows {
    int64_t *rows;  /* rows of each group, group by group */
    int64_t *start; /* [G + 2]: group g spans start[g] .. start[g + 1] */
};

/* Rows 0..K-1 sorted by their group gid[k] (0..G-1). */
static int group_rows_build(const int32_t *gid, int64_t K, int64_t G, struct group_rows *gr) {
    gr->rows = malloc((size_t)K * sizeof *gr->rows);
    gr->start = calloc((size_t)G + 2, sizeof *gr->start);
    if (!gr->rows || !gr->start) return -1;
    for (int64_t k = 0; k < K; k++)
        gr->start[gid[k] + 2]++;
    for (int64_t g = 0; g < G; g++)
        gr->start[g + 2] += gr->start[g + 1];
    for (int64_t k = 0; k < K; k++)
        gr->rows[gr->start[gid[k] + 1]++] = k;
    return 0;
}

static void group_rows_free(struct group_rows *gr) {
    free(gr->rows);
    free(gr->start);
}

/* Which groups hold a wrong row (among rows < rows_seen), and whether each
 * wrong group holds the same number of wrong rows. */
static void add_group_set(struct strbuf *b, int64_t G, int64_t gs, const struct mask2 *m,
                          const struct group_rows *gr) {
    unsigned char *gbad = calloc((size_t)G, 1);
    if (!gbad) return;
    int64_t same_rows = -1;
    for (int64_t g = 0; g < G; g++) {
        int64_t wrong_rows = 0;
        for (int64_t i = gr->start[g]; i < gr->start[g + 1]; i++)
            if (gr->rows[i] < m->rows) wrong_rows += m->rbad[gr->rows[i]];
        if (wrong_rows == 0) continue;
        gbad[g] = 1;
        same_rows = same_rows == -1 || same_rows == wrong_rows ? wrong_rows : -2;
    }
    char set[160];
    shape_set(gbad, G, set, sizeof set);
    sb_add(b, "; groups %s of %lld", set, (long long)G);
    if (same_rows > 0 && same_rows < gs)
        sb_add(b, ", %lld wrong row%s in each wrong group", (long long)same_rows,
               same_rows == 1 ? "" : "s");
    free(gbad);
}

static enum pair_kind classify_pair(const double *w_eff, const double *w, const struct problem *p,
                                    const int64_t *rows, int64_t nrows, int64_t g, int64_t n) {
    const int64_t N = p->N;
    const double d0 = w_eff[rows[0] * N + n] - (double)w[rows[0] * N + n];
    int constant = 1, proportional = 1;
    int64_t ref = -1; /* a row with q != z */
    for (int64_t i = 0; i < nrows; i++) {
        const int64_t k = rows[i];
        const double d = w_eff[k * N + n] - (double)w[k * N + n];
        const double a = (double)p->q[k * N + n] - (double)p->z[g * N + n];
        if (d != d0) constant = 0;
        if (a != 0 && ref < 0) ref = k;
        if (a == 0 && d != 0) proportional = 0;
    }
    if (constant) return PK_CONSTANT;
    if (ref < 0 || !proportional) return PK_OTHER;
    const double dr = w_eff[ref * N + n] - (double)w[ref * N + n];
    const double ar = (double)p->q[ref * N + n] - (double)p->z[g * N + n];
    for (int64_t i = 0; i < nrows; i++) {
        const int64_t k = rows[i];
        const double d = w_eff[k * N + n] - (double)w[k * N + n];
        const double a = (double)p->q[k * N + n] - (double)p->z[g * N + n];
        if (d * ar != dr * a) return PK_OTHER;
    }
    return PK_PROPORTIONAL;
}

/* How the wrong (group, column) errors look: constant over the group's rows
 * (a zero point), proportional to q - z (a scale), or neither. */
static void add_classes(struct strbuf *b, const double *w_eff, const double *w,
                        const struct problem *p, const struct mask2 *m,
                        const struct group_rows *gr) {
    int64_t kinds[3] = {0, 0, 0};
    for (int64_t g = 0; g < p->G; g++) {
        const int64_t *rows = gr->rows + gr->start[g];
        const int64_t nrows = gr->start[g + 1] - gr->start[g];
        for (int64_t n = 0; n < p->N; n++) {
            int any = 0;
            for (int64_t i = 0; i < nrows && !any; i++)
                any = m->bad[rows[i] * p->N + n];
            if (any) kinds[classify_pair(w_eff, w, p, rows, nrows, g, n)]++;
        }
    }
    const int64_t pairs = kinds[0] + kinds[1] + kinds[2];
    if (kinds[PK_CONSTANT] == pairs)
        sb_add(b,
               "; in every wrong (group, column) the error is constant over the group's %lld "
               "rows (a zero-point error)",
               (long long)p->gs);
    else if (kinds[PK_PROPORTIONAL] == pairs)
        sb_add(b, "; in every wrong (group, column) the error is proportional to q - z (a scale "
                  "error)");
    else
        sb_add(b,
               "; wrong (group, column) pairs: %lld with a constant error (zero-point-like), %lld "
               "proportional to q - z (scale-like), %lld neither (rows moved or misread)",
               (long long)kinds[PK_CONSTANT], (long long)kinds[PK_PROPORTIONAL],
               (long long)kinds[PK_OTHER]);
}

/* "label: B/T wrong, rows k ... x columns n ...; groups ..." for a mask of
 * rows x N weights (rows <= K: the first rows only). 1 when some is wrong. */
static int add_weight_mask(struct strbuf *b, const char *label, int64_t G, int64_t gs,
                           const struct mask2 *m, const struct group_rows *gr, int64_t probed) {
    const long long total = (long long)((probed > 0 ? probed : m->rows) * m->cols);
    if (m->count == 0) {
        sb_add(b, "%s: all %lld right", label, total);
        return 0;
    }
    sb_add(b, "%s: %lld/%lld wrong, ", label, (long long)m->count, total);
    add_rows_cols(b, m, "k", "n");
    add_group_set(b, G, gs, m, gr);
    return 1;
}

int shape_weights(const double *w_eff, const struct problem *p, char *buf, size_t len) {
    struct strbuf b;
    sb_init(&b, buf, len);
    double *w = malloc((size_t)(p->K * p->N) * sizeof *w);
    struct ref_input ri = problem_ref_input(p, 1);
    struct mask2 m;
    struct group_rows gr = {NULL, NULL};
    int rc = -1;
    if (mask2_alloc(&m, p->K, p->N) != 0 || !w || ref_dequant(&ri, w) != 0 ||
        group_rows_build(p->g_idx, p->K, p->G, &gr) != 0) {
        sb_add(&b, "weights: shape unknown (out of memory)");
        goto out;
    }
    for (int64_t i = 0; i < p->K * p->N; i++)
        m.bad[i] = w_eff[i] != (double)w[i];
    mask2_finish(&m);
    rc = 0;
    if (add_weight_mask(&b, "weights", p->G, p->gs, &m, &gr, 0))
        add_classes(&b, w_eff, w, p, &m, &gr);
    else
        sb_add(&b, " (the arguments encode the checkpoint's weights; the error lies in the bias, "
                   "the activations or the arithmetic)");
out:
    mask2_free(&m);
    free(w);
    group_rows_free(&gr);
    return rc;
}

int shape_weight_mask(const struct weight_mask *wm, const char *label, char *buf, size_t len) {
    struct strbuf b;
    sb_init(&b, buf, len);
    if (wm->rows < 1 || wm->rows > wm->K || wm->N < 1 || wm->G < 1) {
        sb_add(&b, "%s: no rows", label);
        return -1;
    }
    struct mask2 m;
    struct group_rows gr = {NULL, NULL};
    int rc = -1;
    if (mask2_alloc(&m, wm->rows, wm->N) == 0 &&
        group_rows_build(wm->gid, wm->K, wm->G, &gr) == 0) {
        memcpy(m.bad, wm->bad, (size_t)(wm->rows * wm->N));
        mask2_finish(&m);
        add_weight_mask(&b, label, wm->G, wm->gs, &m, &gr, wm->probed);
        rc = 0;
    } else {
        sb_add(&b, "%s: shape unknown (out of memory)", label);
    }
    mask2_free(&m);
    group_rows_free(&gr);
    return rc;
}
