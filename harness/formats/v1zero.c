/* v1zero.c - the three readings of GPTQ v1 zero points (v1zero.h). */
#include "formats/v1zero.h"

#include <stdio.h>
#include <string.h>

static const char *const NAMES[V1Z_COUNT] = {"nibble", "nowrap", "word"};

const char *v1zero_name(v1zero_t c) {
    return (unsigned)c < V1Z_COUNT ? NAMES[c] : NULL;
}

int v1zero_parse(const char *s, v1zero_t *out) {
    for (int i = 0; i < V1Z_COUNT; i++)
        if (s && !strcmp(s, NAMES[i])) {
            *out = (v1zero_t)i;
            return 0;
        }
    return -1;
}

uint32_t v1zero_encode(v1zero_t c, const uint8_t z[8]) {
    uint32_t w = 0;
    for (int j = 0; j < 8; j++) {
        uint32_t zj = z[j] & 0xFu;
        if (c == V1Z_NIBBLE)
            w |= ((zj - 1u) & 0xFu) << (4 * j);
        else if (c == V1Z_NOWRAP)
            w |= (zj - 1u) << (4 * j); /* AutoGPTQ: (uint32)(Z - 1) ORed in, unmasked */
        else
            w |= zj << (4 * j);
    }
    return c == V1Z_WORD ? w - 0x11111111u : w;
}

void v1zero_decode(v1zero_t c, uint32_t w, uint8_t z[8]) {
    uint32_t v = c == V1Z_WORD ? w + 0x11111111u : w;
    for (int j = 0; j < 8; j++) {
        unsigned s = (unsigned)(v >> (4 * j)) & 0xFu;
        if (c == V1Z_NIBBLE)
            z[j] = (uint8_t)((s + 1u) & 0xFu);
        else if (c == V1Z_NOWRAP)
            z[j] = (uint8_t)(s + 1u);
        else
            z[j] = (uint8_t)s;
    }
}

void v1zero_scan(const uint32_t *w, size_t n, struct v1zero_stats *st) {
    memset(st, 0, sizeof *st);
    st->words = (long)n;
    for (size_t i = 0; i < n; i++) {
        int lowest = -1;
        for (int j = 0; j < 8 && lowest < 0; j++)
            if (((w[i] >> (4 * j)) & 0xFu) == 0xFu) lowest = j;
        if (lowest < 0) continue;
        st->f_words++;
        if (lowest < 7) st->low_f++;
        uint32_t above = lowest == 0 ? 0xFFFFFFFFu : 0xFFFFFFFFu << (4 * lowest);
        if ((w[i] & above) == above) st->or_words++;
    }
}

const char *v1zero_pattern_text(const struct v1zero_stats *st, char *buf, size_t len) {
    if (st->f_words == 0)
        snprintf(buf, len, "no nibble F: the three readings agree");
    else if (st->or_words == st->f_words && st->low_f > 0)
        snprintf(buf, len,
                 "matches AutoGPTQ's packer (it ORs -1 into the word: every nibble above an F is "
                 "F, in all %ld such words; the zero points above a 0 are lost)",
                 st->f_words);
    else if (st->low_f == 0)
        snprintf(buf, len,
                 "F only in top nibbles: nibble and word readings agree, nowrap reads 16");
    else
        snprintf(buf, len,
                 "not AutoGPTQ's packer (%ld of %ld F words have a non-F nibble above the F): a "
                 "per-nibble or a whole-word writer, which the words cannot tell apart",
                 st->f_words - st->or_words, st->f_words);
    return buf;
}
