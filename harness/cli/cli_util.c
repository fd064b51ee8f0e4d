/* cli_util.c - strict number parsing for command-line options. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "util/escape.h"

char *cli_command_line(const char *head, int argc, char **argv) {
    size_t len = strlen(head) + 1;
    char w[4200];
    for (int i = 0; i < argc; i++)
        len += strlen(shell_word(argv[i], w, sizeof w)) + 1;
    char *s = malloc(len);
    if (!s) return NULL;
    strcpy(s, head);
    for (int i = 0; i < argc; i++) {
        strcat(s, " ");
        strcat(s, shell_word(argv[i], w, sizeof w));
    }
    return s;
}

int parse_int(const char *s, long lo, long hi, long *out) {
    if (!s || !*s) return -1;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

int parse_case_timeout(const char *s, double *out) {
    if (!s || !*s) return -1;
    char *end;
    const double v = strtod(s, &end);
    if (*end || !(v >= 0) || v > 86400) return -1;
    *out = v;
    return 0;
}

int parse_size(const char *s, int64_t *out) {
    if (!s || !*s) return -1;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || v <= 0 || end == s) return -1;
    int shift = 0;
    if (*end == 'K' || *end == 'k') shift = 10;
    if (*end == 'M' || *end == 'm') shift = 20;
    if (*end == 'G' || *end == 'g') shift = 30;
    if (shift) end++;
    if (*end) return -1;
    if (v > (INT64_MAX >> shift)) return -1;
    *out = (int64_t)v << shift;
    return 0;
}
