/* escape.h - text made safe for the formats the reports write.
 *
 * Strings in results (reasons, build logs, paths) come from kernels, drivers
 * and the file system: they may hold any byte. Writers pass them through here:
 *   - utf8_sanitize: invalid UTF-8 (stray bytes, overlongs, surrogates,
 *     beyond U+10FFFF) becomes '?', so JSON stays valid UTF-8;
 *   - markup_escape: for XML 1.0 and HTML text and attribute values: the five
 *     entities (&amp; &lt; &gt; &quot; &apos;), and every character XML 1.0
 *     forbids (C0 controls other than tab, LF and CR; U+FFFE, U+FFFF) and
 *     every invalid UTF-8 byte becomes '?';
 *   - shell_word: one word for a POSIX shell (the repro lines users paste);
 *   - line_escape: one line of console text: a reason a runner or driver
 *     wrote cannot start a line of its own (a fake "summary:") or move the
 *     terminal's cursor. */
#ifndef GH_ESCAPE_H
#define GH_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

/* Length (1..4) of the valid UTF-8 sequence at s (which holds n bytes), or 0
 * when the bytes there are not valid UTF-8. *cp receives the code point. */
size_t utf8_seq(const unsigned char *s, size_t n, unsigned long *cp);

/* Replaces invalid UTF-8 in s (NUL-terminated) by '?', in place. */
void utf8_sanitize(char *s);

/* s into out (len bytes) with each byte that is not valid UTF-8 written as
 * the four characters \xHH (for paths: a file name keeps its bytes
 * readable, and JSON stays valid). Returns out; cut at len. */
const char *utf8_escape_bytes(const char *s, char *out, size_t len);

/* Writes s escaped for XML/HTML (see above). NULL writes nothing. */
void markup_escape(FILE *f, const char *s);

/* Writes at most max bytes of s escaped (never splitting a UTF-8 sequence)
 * and "..." when it cut. */
void markup_escape_max(FILE *f, const char *s, size_t max);

/* s as one shell word into out: verbatim when it holds only characters no
 * shell treats specially ([A-Za-z0-9_./:=+,@%-], not empty), else in single
 * quotes with each ' written as '\''. Returns out; a result that does not
 * fit becomes "" (callers' buffers are sized for paths). */
const char *shell_word(const char *s, char *out, size_t len);

/* Writes the n bytes at s as part of one console line: LF and CR as \n and
 * \r, every other control character (C0 but tab, DEL, C1) and every byte
 * that is not valid UTF-8 as \xHH (a C1 character: its two bytes). */
void line_escape_n(FILE *f, const char *s, size_t n);

/* line_escape_n over the whole of s; NULL writes nothing. */
void line_escape(FILE *f, const char *s);

#endif
