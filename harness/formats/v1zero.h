/* v1zero.h - the readings of GPTQ v1's "stored = Z - 1" zero points (docs/formats.md).
 *
 * A true zero point of 0 is stored as -1, and the code in the wild disagrees
 * about what that does to the 32-bit word of 8 nibbles (nibble j = column j):
 *   nibble  per nibble with wrap. Writer: nibble j = (Z_j - 1) & 0xF.
 *           Reader: Z_j = (nibble + 1) & 0xF (F -> 0).
 *   nowrap  per nibble without wrap. Reader: Z_j = nibble + 1 (F -> 16), as
 *           AutoGPTQ's qlinear_cuda (and Marlin) read. Its writer is AutoGPTQ's
 *           packer, which ORs (uint32)(Z_j - 1) << 4j into the word: a Z of 0
 *           turns nibble j and every higher nibble of the word into F.
 *   word    whole word with carry. Writer: the word of the Z_j minus
 *           0x11111111 (the borrow crosses nibbles), as GPTQModel writes v1.
 *           Reader: the stored word plus 0x11111111 (GPTQModel's loader,
 *           vllm-xpu-kernels' transpose_onednn_woq_format).
 * nibble and word round-trip every Z in 0..15; nowrap does not when a Z is 0
 * (the zero points above it in the word are lost), and reads 16, which no
 * 4-bit zero tensor can hold. */
#ifndef GH_V1ZERO_H
#define GH_V1ZERO_H

#include <stddef.h>
#include <stdint.h>

#include "cases/desc.h" /* v1zero_t: the descriptor key v1zp names a convention */

/* "nibble", "nowrap", "word"; NULL for a bad value. */
const char *v1zero_name(v1zero_t c);
/* Parses a name; 0, or -1 for an unknown one. */
int v1zero_parse(const char *s, v1zero_t *out);

/* The stored word convention c's writer makes of zero points z[0..7] (0..15). */
uint32_t v1zero_encode(v1zero_t c, const uint8_t z[8]);
/* The zero points z[0..7] convention c's reader takes from stored word w
 * (0..15, or 16 for nowrap's F). */
void v1zero_decode(v1zero_t c, uint32_t w, uint8_t z[8]);

/* What a v1 zero tensor's words say about the readings. */
struct v1zero_stats {
    long words;    /* words scanned */
    long f_words;  /* words with a nibble F: nowrap reads 16 there, the others 0 */
    long low_f;    /* words with an F below the top nibble: nibble and word differ */
    long or_words; /* words with an F whose every higher nibble is F as well */
};

/* Scans n stored words. */
void v1zero_scan(const uint32_t *w, size_t n, struct v1zero_stats *st);

/* A sentence on the writer the words match: AutoGPTQ's OR packer (every F
 * word has only F above its lowest F, and some F sits below the top), or "a
 * per-nibble or whole-word writer" (the words cannot tell those two apart),
 * or that the readings agree (no F). Returns buf. */
const char *v1zero_pattern_text(const struct v1zero_stats *st, char *buf, size_t len);

#endif
