/* hash.h - FNV-1a 64-bit hashing (of bytes, of a file), used to identify the
 * kernel source a run tested and the sweep a shard belongs to. Not a
 * cryptographic hash: it tells versions apart, it does not authenticate. */
#ifndef GH_HASH_H
#define GH_HASH_H

#include <stddef.h>
#include <stdint.h>

#define HASH_FNV1A64_INIT 0xcbf29ce484222325ULL

/* Continues hash h over n bytes at p (start with HASH_FNV1A64_INIT). */
uint64_t hash_fnv1a64(uint64_t h, const void *p, size_t n);

/* Hashes a whole file. Returns 0, or -1 when it cannot be read, with
 * "PATH: ..." (what is wrong: cannot open, not a regular file, a read
 * error) in err (err may be NULL). */
int hash_file_fnv1a64(const char *path, uint64_t *out, char *err, size_t errlen);

/* 16 lowercase hex digits and a NUL. */
void hash_hex(uint64_t h, char out[17]);

#endif
