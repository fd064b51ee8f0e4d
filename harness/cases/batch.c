/* batch.c - batch files and comma-list expansion (docs/descriptors.md; rules in batch.h).
 *
 * Bounds: a line holds at most BATCH_MAX_LINE characters and BATCH_MAX_TOKENS
 * tokens; a list holds at most BATCH_MAX_CASES cases, and a line's expansion
 * count is checked (overflow-safe) before any case is made. Every expanded
 * line is no longer than its source line, so it fits a fixed buffer. */
#include "cases/batch.h"
#include "util/errmsg.h"
#include "util/regfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* More tokens than keys always means a repeated or unknown key; the cap only
 * bounds the work done before desc_parse reports it. */
#define BATCH_MAX_TOKENS 32

/* Room for messages built here before they are copied out with a prefix. */
#define MSG_MAX 512

static int is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* ---- the case list -------------------------------------------------------- */

void case_list_free(struct case_list *l) {
    if (!l) return;
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

static int list_push(struct case_list *l, const struct case_desc *d, char *err, size_t errlen) {
    if (l->n >= BATCH_MAX_CASES)
        return errmsg(err, errlen, "more than %d cases in the batch", BATCH_MAX_CASES);
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        if (cap > BATCH_MAX_CASES) cap = BATCH_MAX_CASES;
        struct case_desc *v = realloc(l->v, cap * sizeof(*v));
        if (!v) return errmsg(err, errlen, "out of memory for %zu cases", cap);
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = *d;
    return 0;
}

/* ---- expanding one line --------------------------------------------------- */

/* A token "key=v1,v2,v3": head is "key=" (or the whole token when it has no
 * '=', which desc_parse then reports), the value is split at commas. */
struct list_token {
    const char *head;
    size_t head_len;
    const char *val; /* whole value, val_len chars */
    size_t val_len;
    size_t count;    /* elements in the value */
    const char *cur; /* current element, cur_len chars */
    size_t cur_len;
};

static size_t element_len(const char *p, const char *end) {
    const char *c = memchr(p, ',', (size_t)(end - p));
    return (size_t)((c ? c : end) - p);
}

/* Splits one token; an empty element in a comma list is an error. */
static int split_token(const char *p, size_t len, struct list_token *t, char *err, size_t errlen) {
    const char *eq = memchr(p, '=', len);
    t->head = p;
    t->head_len = eq ? (size_t)(eq - p) + 1 : len;
    t->val = p + t->head_len;
    t->val_len = len - t->head_len;
    t->count = 1;
    const char *end = t->val + t->val_len;
    for (const char *c = t->val; eq && c < end; c++)
        if (*c == ',') t->count++;
    t->cur = t->val;
    t->cur_len = element_len(t->val, end);
    if (t->count == 1) return 0;
    for (const char *e = t->val; e <= end; e += element_len(e, end) + 1) {
        if (element_len(e, end) == 0)
            return errmsg(err, errlen, "%.*s: empty element in the comma list for %.*s",
                          (int)(len > 80 ? 80 : len), p,
                          (int)(t->head_len - 1 > 40 ? 40 : t->head_len - 1), p);
    }
    return 0;
}

/* Splits a line into tokens; returns the count or -1. */
static int tokenize(const char *line, struct list_token *toks, char *err, size_t errlen) {
    int n = 0;
    const char *p = line;
    for (;;) {
        while (*p && is_space(*p))
            p++;
        if (!*p) return n;
        const char *start = p;
        while (*p && !is_space(*p))
            p++;
        if (n == BATCH_MAX_TOKENS)
            return errmsg(err, errlen, "more than %d tokens on one line (there are 14 keys)",
                          BATCH_MAX_TOKENS);
        if (split_token(start, (size_t)(p - start), &toks[n], err, errlen) != 0) return -1;
        n++;
    }
}

/* Number of combinations, or 0 when it exceeds limit (no overflow: each step
 * checks against limit / count first). */
static size_t combinations(const struct list_token *toks, int n, size_t limit) {
    size_t total = 1;
    for (int i = 0; i < n; i++) {
        if (total > limit / toks[i].count) return 0;
        total *= toks[i].count;
    }
    return total <= limit ? total : 0;
}

/* Moves to the next combination, the last token varying fastest; returns 0
 * after the last one. */
static int advance(struct list_token *toks, int n) {
    for (int i = n - 1; i >= 0; i--) {
        struct list_token *t = &toks[i];
        const char *end = t->val + t->val_len;
        if (t->cur + t->cur_len < end) {
            t->cur += t->cur_len + 1;
            t->cur_len = element_len(t->cur, end);
            return 1;
        }
        t->cur = t->val;
        t->cur_len = element_len(t->val, end);
    }
    return 0;
}

/* Writes the current combination as a descriptor line; buf holds at least
 * strlen(source line) + 1 bytes, which is always enough. */
static void render(const struct list_token *toks, int n, char *buf) {
    char *w = buf;
    for (int i = 0; i < n; i++) {
        if (i) *w++ = ' ';
        memcpy(w, toks[i].head, toks[i].head_len);
        w += toks[i].head_len;
        memcpy(w, toks[i].cur, toks[i].cur_len);
        w += toks[i].cur_len;
    }
    *w = '\0';
}

/* Invalid combinations: a line with comma lists is a cross product, which
 * naturally holds impossible combinations (g=-1 with gidx=act, awq with
 * gidx=act, k not a multiple of g, zproute without vllm-xpu): those are skipped
 * silently. A line without lists names one case, so an invalid one is an
 * error, and so is a list line none of whose combinations is valid. A bad value
 * (unknown name, out of range, n % 8 != 0, ...) is an error either way. */
int batch_expand_line(const char *line, struct case_list *l, char *err, size_t errlen) {
    if (!line || !l) return errmsg(err, errlen, "no line or list (NULL)");
    size_t line_len = strnlen(line, BATCH_MAX_LINE + 1);
    if (line_len > BATCH_MAX_LINE)
        return errmsg(err, errlen, "line longer than %d characters", BATCH_MAX_LINE);
    struct list_token toks[BATCH_MAX_TOKENS];
    int n = tokenize(line, toks, err, errlen);
    if (n < 0) return -1;
    if (n == 0) return errmsg(err, errlen, "empty descriptor");
    size_t room = l->n < BATCH_MAX_CASES ? BATCH_MAX_CASES - l->n : 0;
    size_t total = combinations(toks, n, room);
    if (total == 0)
        return errmsg(err, errlen, "line expands to more cases than the batch may hold (%d)",
                      BATCH_MAX_CASES);
    int lists = 0;
    for (int i = 0; i < n; i++)
        lists |= toks[i].count > 1;

    char buf[BATCH_MAX_LINE + 1];
    char first_invalid[MSG_MAX] = "";
    size_t n0 = l->n;
    do {
        struct case_desc d;
        render(toks, n, buf);
        if (desc_parse_fields(buf, &d, err, errlen) != 0) goto undo;
        if (desc_validate(&d, first_invalid[0] ? NULL : first_invalid, sizeof(first_invalid)) !=
            0) {
            if (!lists) {
                errmsg(err, errlen, "%s", first_invalid);
                goto undo;
            }
            continue;
        }
        if (list_push(l, &d, err, errlen) != 0) goto undo;
    } while (advance(toks, n));

    if (l->n == n0) {
        errmsg(err, errlen, "none of the %zu combinations of the line is valid (first: %s)", total,
               first_invalid);
        return -1;
    }
    return 0;
undo:
    l->n = n0;
    return -1;
}

/* ---- reading lines -------------------------------------------------------- */

/* A source of lines: a stream (f) or the rest of an in-memory text (s). */
struct line_src {
    FILE *f;
    const char *s;
};

#define LINE_BUF (BATCH_MAX_LINE + 2) /* the line, its '\n' and the NUL */

static int too_long(char *msg, size_t msglen) {
    return errmsg(msg, msglen, "line longer than %d characters", BATCH_MAX_LINE);
}

/* fgets into buf (LINE_BUF bytes), without the newline. The buffer is
 * pre-filled with non-NUL bytes so that the last NUL is the terminator fgets
 * wrote, which reveals NUL bytes inside the line. */
static int next_file_line(FILE *f, char *buf, char *msg, size_t msglen) {
    memset(buf, 'x', LINE_BUF);
    if (!fgets(buf, LINE_BUF, f)) {
        if (ferror(f)) return errmsg(msg, msglen, "read error: %s", strerror(errno));
        return 0;
    }
    size_t len = LINE_BUF - 1;
    while (buf[len] != '\0')
        len--;
    if (strlen(buf) != len) return errmsg(msg, msglen, "line contains a NUL byte");
    if (len > 0 && buf[len - 1] == '\n')
        buf[--len] = '\0';
    else if (len > BATCH_MAX_LINE)
        return too_long(msg, msglen);
    return 1;
}

static int next_string_line(const char **s, char *buf, char *msg, size_t msglen) {
    const char *p = *s;
    if (!*p) return 0;
    const char *nl = strchr(p, '\n');
    size_t len = nl ? (size_t)(nl - p) : strlen(p);
    if (len > BATCH_MAX_LINE) return too_long(msg, msglen);
    memcpy(buf, p, len);
    buf[len] = '\0';
    *s = nl ? nl + 1 : p + len;
    return 1;
}

/* Returns 1 with a line in buf, 0 at the end, -1 with a message. */
static int next_line(struct line_src *src, char *buf, char *msg, size_t msglen) {
    if (src->f) return next_file_line(src->f, buf, msg, msglen);
    return next_string_line(&src->s, buf, msg, msglen);
}

/* Drops a '#' comment; skips blank lines; expands the rest. */
static int process_line(char *buf, struct case_list *l, char *msg, size_t msglen) {
    char *hash = strchr(buf, '#');
    if (hash) *hash = '\0';
    const char *p = buf;
    while (*p && is_space(*p))
        p++;
    if (!*p) return 0;
    return batch_expand_line(buf, l, msg, msglen);
}

/* The loop shared by files and strings. On error the list is left as it was
 * before the call and err reads "NAME:LINE: message". */
static int read_lines(struct line_src *src, const char *name, struct case_list *l, char *err,
                      size_t errlen) {
    char buf[LINE_BUF];
    char msg[MSG_MAX];
    size_t n0 = l->n;
    for (size_t lineno = 1;; lineno++) {
        int r = next_line(src, buf, msg, sizeof(msg));
        if (r == 0) return 0;
        if (r > 0 && lineno == 1 && (unsigned char)buf[0] == 0xEF &&
            (unsigned char)buf[1] == 0xBB && (unsigned char)buf[2] == 0xBF) /* UTF-8 BOM */
            memmove(buf, buf + 3, strlen(buf + 3) + 1);
        const char *cr = r > 0 ? strchr(buf, '\r') : NULL;
        if (cr && cr[strspn(cr, " \t\r\v\f")] != '\0')
            r = errmsg(msg, sizeof msg,
                       "carriage return inside the line (old Mac line endings?): end lines "
                       "with \\n or \\r\\n");
        if (r < 0 || process_line(buf, l, msg, sizeof(msg)) != 0) {
            l->n = n0;
            return errmsg(err, errlen, "%s:%zu: %s", name, lineno, msg);
        }
    }
}

int batch_read_file(const char *path, struct case_list *l, char *err, size_t errlen) {
    if (!path || !l) return errmsg(err, errlen, "no path or list (NULL)");
    char why[600];
    FILE *f = fopen_regular(path, why, sizeof why);
    if (!f) return errmsg(err, errlen, "%s", why);
    struct line_src src = {f, NULL};
    int rc = read_lines(&src, path, l, err, errlen);
    fclose(f);
    return rc;
}

int batch_read_string(const char *text, const char *name, struct case_list *l, char *err,
                      size_t errlen) {
    if (!text || !l) return errmsg(err, errlen, "no text or list (NULL)");
    struct line_src src = {NULL, text};
    return read_lines(&src, name ? name : "<string>", l, err, errlen);
}
