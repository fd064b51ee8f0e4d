/* ckpt_build.h - test inputs for the safetensors reader, fixtures and inspect:
 * a multi-layer checkpoint shard with mixed formats and zero conventions, and
 * a catalogue of damaged files. Used by the CUnit suites and by the
 * build/mkckpt tool that the end-to-end tests call. No CUnit here. */
#ifndef GH_CKPT_BUILD_H
#define GH_CKPT_BUILD_H

#include <stddef.h>

/* The layers of the test checkpoint, in the order inspect lists them (by name). */
struct testckpt_layer {
    const char *name;   /* without the trailing '.' */
    const char *gen;    /* the descriptor that generated it (data=real) */
    const char *expect; /* what inspect must detect, as key=value words */
    int flagged;        /* declared v1 (checkpoint_format=gptq) but stores v2 zeros */
};
extern const struct testckpt_layer TESTCKPT_LAYERS[];
extern const int TESTCKPT_NLAYERS;
extern const int TESTCKPT_NOTHER; /* tensors that belong to no quantized layer */

/* Writes the checkpoint shard (plain safetensors) to path. checkpoint_format:
 * the "checkpoint_format" value in __metadata__ (NULL: key left out). Returns
 * 0 or -1 + err. */
int testckpt_write(const char *path, const char *checkpoint_format, char *err, size_t errlen);

/* A gzip bomb: a gzip'd safetensors file holding one U8 tensor of bytes
 * zeros (8 MiB compress to about 8 KiB). Returns 0 or -1 + err. */
int testckpt_write_bomb(const char *path, size_t bytes, char *err, size_t errlen);

/* Damaged files. */
int testckpt_ndamaged(void);
const char *testckpt_damaged_name(int i);
/* A substring the reader's error message must contain. */
const char *testckpt_damaged_why(int i);
/* The whole file as bytes (malloc'd). Returns 0 or -1. */
int testckpt_damaged_bytes(int i, unsigned char **buf, size_t *len);
int testckpt_damaged_write(int i, const char *path);

#endif
