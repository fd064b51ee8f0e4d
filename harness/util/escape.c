/* escape.c - UTF-8 checks and XML/HTML escaping (see escape.h). */
#include "util/escape.h"

#include <string.h>

size_t utf8_seq(const unsigned char *s, size_t n, unsigned long *cp) {
    if (n == 0) return 0;
    unsigned char c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t len;
    unsigned long v, min;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        v = c & 0x1F;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        v = c & 0x0F;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        v = c & 0x07;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n < len) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
    *cp = v;
    return len;
}

void utf8_sanitize(char *s) {
    if (!s) return;
    unsigned char *p = (unsigned char *)s;
    size_t n = strlen(s);
    unsigned long cp;
    while (n > 0) {
        size_t k = utf8_seq(p, n, &cp);
        if (k == 0) {
            *p = '?';
            k = 1;
        }
        p += k;
        n -= k;
    }
}

const char *utf8_escape_bytes(const char *s, char *out, size_t len) {
    if (!len) return out;
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s), o = 0;
    unsigned long cp;
    while (n > 0) {
        size_t k = utf8_seq(p, n, &cp);
        char esc[5];
        const char *piece = (const char *)p;
        size_t plen = k;
        if (k == 0) {
            snprintf(esc, sizeof esc, "\\x%02X", *p);
            piece = esc;
            plen = 4;
            k = 1;
        }
        if (o + plen >= len) break; /* never a cut sequence */
        memcpy(out + o, piece, plen);
        o += plen;
        p += k;
        n -= k;
    }
    out[o] = 0;
    return out;
}

static int xml_char_ok(unsigned long cp) {
    if (cp < 0x20) return cp == 0x09 || cp == 0x0A || cp == 0x0D;
    return cp != 0xFFFE && cp != 0xFFFF;
}

/* The entity of one of the five markup characters, or NULL. */
static const char *entity(unsigned char c) {
    switch (c) {
    case '&':
        return "&amp;";
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '"':
        return "&quot;";
    case '\'':
        return "&apos;";
    default:
        return NULL;
    }
}

static void escape_span(FILE *f, const unsigned char *p, size_t n) {
    unsigned long cp;
    while (n > 0) {
        size_t k = utf8_seq(p, n, &cp);
        const char *ent = k == 1 ? entity(*p) : NULL;
        if (k == 0 || !xml_char_ok(cp))
            fputc('?', f);
        else if (ent)
            fputs(ent, f);
        else
            fwrite(p, 1, k, f);
        k = k ? k : 1;
        p += k;
        n -= k;
    }
}

void markup_escape(FILE *f, const char *s) {
    if (s) escape_span(f, (const unsigned char *)s, strlen(s));
}

void markup_escape_max(FILE *f, const char *s, size_t max) {
    if (!s) return;
    size_t n = strlen(s);
    if (n <= max) {
        escape_span(f, (const unsigned char *)s, n);
        return;
    }
    /* back up to the start of a UTF-8 sequence */
    size_t cut = max;
    while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
        cut--;
    escape_span(f, (const unsigned char *)s, cut);
    fputs("...", f);
}

const char *shell_word(const char *s, char *out, size_t len) {
    static const char safe[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                               "_./:=+,@%-";
    size_t n = 0;
    if (len == 0) return out;
    out[0] = '\0';
    if (*s && strspn(s, safe) == strlen(s)) {
        if (strlen(s) < len) memcpy(out, s, strlen(s) + 1);
        return out;
    }
    const char *q = "'\\''";
    if (n + 1 >= len) return out;
    out[n++] = '\'';
    for (const char *p = s; *p; p++) {
        const size_t need = *p == '\'' ? strlen(q) : 1;
        if (n + need + 2 > len) {
            out[0] = '\0';
            return out;
        }
        if (*p == '\'') {
            memcpy(out + n, q, need);
        } else {
            out[n] = *p;
        }
        n += need;
    }
    out[n++] = '\'';
    out[n] = '\0';
    return out;
}

void line_escape_n(FILE *f, const char *s, size_t n) {
    const unsigned char *p = (const unsigned char *)s;
    unsigned long cp;
    while (n > 0) {
        size_t k = utf8_seq(p, n, &cp);
        if (k == 0) { /* not UTF-8: the byte */
            fprintf(f, "\\x%02X", *p);
            k = 1;
        } else if (cp == '\n') {
            fputs("\\n", f);
        } else if (cp == '\r') {
            fputs("\\r", f);
        } else if ((cp < 0x20 && cp != '\t') || (cp >= 0x7F && cp < 0xA0)) {
            for (size_t i = 0; i < k; i++)
                fprintf(f, "\\x%02X", p[i]);
        } else {
            fwrite(p, 1, k, f);
        }
        p += k;
        n -= k;
    }
}

void line_escape(FILE *f, const char *s) {
    if (s) line_escape_n(f, s, strlen(s));
}
