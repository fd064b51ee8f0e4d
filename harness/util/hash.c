/* hash.c - FNV-1a 64 (see hash.h). */
#include "util/hash.h"
#include "util/regfile.h"

#include <stdio.h>

#define FNV1A64_PRIME 0x100000001b3ULL

uint64_t hash_fnv1a64(uint64_t h, const void *p, size_t n) {
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= FNV1A64_PRIME;
    }
    return h;
}

int hash_file_fnv1a64(const char *path, uint64_t *out, char *err, size_t errlen) {
    FILE *f = fopen_regular(path, err, errlen);
    if (!f) return -1;
    uint64_t h = HASH_FNV1A64_INIT;
    unsigned char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        h = hash_fnv1a64(h, buf, n);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        if (err) snprintf(err, errlen, "%s: read error", path);
        return -1;
    }
    *out = h;
    return 0;
}

void hash_hex(uint64_t h, char out[17]) {
    static const char digits[] = "0123456789abcdef";
    for (int i = 15; i >= 0; i--) {
        out[i] = digits[h & 15];
        h >>= 4;
    }
    out[16] = 0;
}
