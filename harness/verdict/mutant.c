/* mutant.c - mutant kernel files: parse and apply (see mutant.h). */
#include "verdict/mutant.h"
#include "util/regfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MUTANT_FILE_MAX (1 << 20)

char *mutant_read_file(const char *path, char *err, size_t errlen) {
    FILE *f = fopen_regular(path, err, errlen);
    if (!f) return NULL;
    char *buf = malloc(MUTANT_FILE_MAX + 1);
    size_t n = buf ? fread(buf, 1, MUTANT_FILE_MAX + 1, f) : 0;
    int bad = !buf || ferror(f) || n > MUTANT_FILE_MAX;
    fclose(f);
    if (bad) {
        snprintf(err, errlen, "%s: %s", path,
                 !buf                  ? "out of memory"
                 : n > MUTANT_FILE_MAX ? "larger than 1 MiB"
                                       : "read error");
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

void mutant_free(struct mutant *m) {
    for (int i = 0; i < m->nhunks; i++) {
        free(m->h[i].old_text);
        free(m->h[i].new_text);
    }
    m->nhunks = 0;
}

/* Appends line (len chars) to *text, '\n'-separated. */
static int append_line(char **text, const char *line, size_t len) {
    size_t have = *text ? strlen(*text) : 0;
    char *p = realloc(*text, have + len + 2);
    if (!p) return -1;
    if (*text) p[have++] = '\n';
    memcpy(p + have, line, len);
    p[have + len] = '\0';
    *text = p;
    return 0;
}

/* Copies value (after "key:" and blanks) into dst. */
static void copy_value(char *dst, size_t dstlen, const char *v, size_t len) {
    while (len && (*v == ' ' || *v == '\t')) {
        v++;
        len--;
    }
    snprintf(dst, dstlen, "%.*s", (int)len, v);
}

static void set_name(struct mutant *m, const char *name) {
    const char *slash = strrchr(name, '/');
    const char *base = slash ? slash + 1 : name;
    size_t len = strlen(base);
    if (len > 4 && strcmp(base + len - 4, ".mut") == 0) len -= 4;
    snprintf(m->name, sizeof m->name, "%.*s", (int)len, base);
}

/* One line of a mutant file; state: 0 outside a hunk, '-' or '+' inside. */
static int parse_line(struct mutant *m, const char *line, size_t len, int *state, char *msg,
                      size_t msglen) {
    if (len == 0 || line[0] == '#') return 0;
    if (line[0] == '-' || line[0] == '+') {
        if (line[0] == '-' && *state != '-') {
            if (m->nhunks == MUTANT_HUNKS_MAX) {
                snprintf(msg, msglen, "more than %d hunks", MUTANT_HUNKS_MAX);
                return -1;
            }
            m->nhunks++;
        }
        if (line[0] == '+' && *state == 0) {
            snprintf(msg, msglen, "'+' line without '-' lines before it");
            return -1;
        }
        *state = line[0];
        struct mutant_hunk *h = &m->h[m->nhunks - 1];
        if (append_line(line[0] == '-' ? &h->old_text : &h->new_text, line + 1, len - 1) != 0) {
            snprintf(msg, msglen, "out of memory");
            return -1;
        }
        return 0;
    }
    *state = 0;
    if (len >= 7 && strncmp(line, "mutant:", 7) == 0) {
        copy_value(m->desc, sizeof m->desc, line + 7, len - 7);
    } else if (len >= 5 && strncmp(line, "base:", 5) == 0) {
        copy_value(m->base, sizeof m->base, line + 5, len - 5);
    } else if (len >= 8 && strncmp(line, "applies:", 8) == 0) {
        copy_value(m->applies, sizeof m->applies, line + 8, len - 8);
    } else {
        snprintf(msg, msglen,
                 "expected '#', 'mutant:', 'base:', 'applies:', '-' or '+' at the start");
        return -1;
    }
    return 0;
}

int mutant_parse(const char *text, const char *name, struct mutant *m, char *err, size_t errlen) {
    memset(m, 0, sizeof *m);
    set_name(m, name);
    snprintf(m->base, sizeof m->base, "%s", MUTANT_DEFAULT_BASE);
    int state = 0, lineno = 0;
    const char *p = text;
    char msg[160];
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        lineno++;
        size_t l = len && p[len - 1] == '\r' ? len - 1 : len;
        if (parse_line(m, p, l, &state, msg, sizeof msg) != 0) {
            snprintf(err, errlen, "%s:%d: %s", name, lineno, msg);
            mutant_free(m);
            return -1;
        }
        p = e ? e + 1 : p + len;
    }
    const char *missing = !m->desc[0] ? "no 'mutant:' description line" : NULL;
    if (!missing && m->nhunks == 0) missing = "no hunk ('-' and '+' lines)";
    if (missing) {
        snprintf(err, errlen, "%s: %s", name, missing);
        mutant_free(m);
        return -1;
    }
    return 0;
}

int mutant_load(const char *path, struct mutant *m, char *err, size_t errlen) {
    char *text = mutant_read_file(path, err, errlen);
    if (!text) {
        memset(m, 0, sizeof *m);
        return -1;
    }
    int rc = mutant_parse(text, path, m, err, errlen);
    free(text);
    return rc;
}

/* Replaces the one occurrence of h->old_text in *src. */
static int apply_hunk(const struct mutant *m, int i, char **src, char *err, size_t errlen) {
    const struct mutant_hunk *h = &m->h[i];
    const char *with = h->new_text ? h->new_text : "";
    char *at = strstr(*src, h->old_text);
    if (!at || strstr(at + 1, h->old_text)) {
        snprintf(err, errlen, "mutant %s: hunk %d (\"%.60s\") matches %s in %s", m->name, i + 1,
                 h->old_text, at ? "more than once" : "nowhere", m->base);
        return -1;
    }
    size_t pre = (size_t)(at - *src), olen = strlen(h->old_text), wlen = strlen(with);
    size_t post = strlen(at + olen);
    char *out = malloc(pre + wlen + post + 1);
    if (!out) {
        snprintf(err, errlen, "mutant %s: out of memory", m->name);
        return -1;
    }
    memcpy(out, *src, pre);
    memcpy(out + pre, with, wlen);
    memcpy(out + pre + wlen, at + olen, post + 1);
    free(*src);
    *src = out;
    return 0;
}

int mutant_apply(const struct mutant *m, const char *src, char **out, char *err, size_t errlen) {
    *out = strdup(src);
    if (!*out) {
        snprintf(err, errlen, "mutant %s: out of memory", m->name);
        return -1;
    }
    for (int i = 0; i < m->nhunks; i++)
        if (apply_hunk(m, i, out, err, errlen) != 0) {
            free(*out);
            *out = NULL;
            return -1;
        }
    return 0;
}

/* 1 when line holds the whole token key=value (key klen chars, value vlen). */
static int has_pair(const char *line, const char *key, size_t klen, const char *val, size_t vlen) {
    for (const char *p = line; (p = strstr(p, key)) != NULL; p++) {
        if (p != line && p[-1] != ' ') continue;
        if (strncmp(p, key, klen) != 0 || p[klen] != '=' || strncmp(p + klen + 1, val, vlen) != 0)
            continue;
        char end = p[klen + 1 + vlen];
        if (end == '\0' || end == ' ') return 1;
    }
    return 0;
}

/* One condition "key=v1,v2": the line has key=vi for some i. */
static int condition_holds(const char *cond, size_t len, const char *line) {
    const char *eq = memchr(cond, '=', len);
    if (!eq) return 0;
    char key[64];
    size_t klen = (size_t)(eq - cond);
    if (klen == 0 || klen >= sizeof key) return 0;
    memcpy(key, cond, klen);
    key[klen] = '\0';
    const char *v = eq + 1, *end = cond + len;
    while (v <= end) {
        const char *comma = memchr(v, ',', (size_t)(end - v));
        const char *ve = comma ? comma : end;
        if (ve > v && has_pair(line, key, klen, v, (size_t)(ve - v))) return 1;
        if (!comma) break;
        v = comma + 1;
    }
    return 0;
}

int mutant_applies(const struct mutant *m, const char *desc_line) {
    const char *p = m->applies;
    while (*p) {
        while (*p == ' ' || *p == '\t')
            p++;
        size_t len = strcspn(p, " \t");
        if (len && !condition_holds(p, len, desc_line)) return 0;
        p += len;
    }
    return 1;
}

int mutant_write_kernel(const struct mutant *m, const char *base_path, const char *out_path,
                        char *err, size_t errlen) {
    char *src = mutant_read_file(base_path, err, errlen);
    char *mutated = NULL;
    if (!src || mutant_apply(m, src, &mutated, err, errlen) != 0) {
        free(src);
        return -1;
    }
    free(src);
    const int to_stdout = !strcmp(out_path, "-");
    FILE *f = to_stdout ? stdout : fopen(out_path, "w");
    int ok = f && fputs(mutated, f) >= 0;
    if (f && (to_stdout ? fflush(f) : fclose(f)) != 0) ok = 0;
    free(mutated);
    if (!ok) snprintf(err, errlen, "cannot write %.400s: %s", out_path, strerror(errno));
    return ok ? 0 : -1;
}
