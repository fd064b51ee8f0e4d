/* safetensors.h - the safetensors file format, read and written.
 *
 * A file is an 8-byte little-endian header length L, L bytes of JSON header,
 * then the data section: raw little-endian tensor bytes. The header maps each
 * tensor name to {"dtype", "shape", "data_offsets": [begin, end]} (offsets
 * relative to the data section) and may hold "__metadata__", an object of
 * string values. The whole file may be gzip'd (recognised by the magic bytes
 * 1f 8b); fixtures are.
 *
 * The reader treats every file as outside input and checks everything before
 * it allocates what the file asks for:
 *   - header length: at least 2, at most the bytes that follow it and at most
 *     ST_HEADER_MAX; the header is a JSON object, nothing but spaces after it;
 *   - names: 1..ST_NAME_MAX bytes, each at most once ("__metadata__" included);
 *   - "__metadata__": an object of strings;
 *   - each tensor: an object of exactly dtype, shape and data_offsets; a known
 *     dtype; at most ST_MAX_DIMS dimensions, each an integer in 0..ST_DIM_MAX;
 *     element and byte counts computed with overflow checks; offsets two
 *     integers with begin <= end <= the data section and end - begin equal to
 *     the tensor's byte count;
 *   - the tensors tile the data section (safetensors' own rule): no two
 *     overlap, no hole between them, no bytes after the last one.
 * gzip input is inflated into memory, at most max_bytes of it (a zip bomb
 * stops there with an error); a plain file is read lazily, one tensor at a
 * time, so a multi-gigabyte checkpoint shard can be listed and one layer read.
 * Every error message says what is wrong and where. */
#ifndef GH_SAFETENSORS_H
#define GH_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "formats/tensor.h"

typedef enum {
    ST_BOOL = 0,
    ST_U8,
    ST_I8,
    ST_U16,
    ST_I16,
    ST_F16,
    ST_BF16,
    ST_U32,
    ST_I32,
    ST_F32,
    ST_U64,
    ST_I64,
    ST_F64,
    ST_F8_E4M3,
    ST_F8_E5M2,
    ST_DTYPE_COUNT
} st_dtype_t;

#define ST_MAX_DIMS 8
#define ST_NAME_MAX 1024
#define ST_HEADER_MAX ((uint64_t)100 << 20) /* 100 MiB, as safetensors itself */
#define ST_DIM_MAX ((int64_t)1 << 48)       /* a larger dimension is absurd */
#define ST_DEFAULT_MAX_BYTES ((uint64_t)1 << 30)

struct st_entry {
    char *name;
    st_dtype_t dtype;
    int ndim;
    int64_t shape[ST_MAX_DIMS];
    uint64_t begin, end; /* in the data section */
};

struct st_meta {
    char *key, *value;
};

struct st_file {
    size_t n;
    struct st_entry *e; /* in header order */
    size_t n_meta;
    struct st_meta *meta;
    uint64_t header_len, data_size;
    int gzipped;
    uint64_t max_bytes; /* cap on inflated size and on one tensor read */
    /* where the data section lives: memory (gzip, or st_open_mem) or a file */
    const unsigned char *data;
    unsigned char *owned;
    FILE *f;
    uint64_t data_start; /* file offset of the data section */
};

/* Opens path (plain or gzip'd). max_bytes: 0 = ST_DEFAULT_MAX_BYTES. On error
 * returns -1 with a message in err; st is then empty (st_close is harmless). */
int st_open(const char *path, uint64_t max_bytes, struct st_file *st, char *err, size_t errlen);

/* Same, from a whole file held in memory (plain or gzip'd). A plain buffer is
 * borrowed: it must outlive st. For fuzzing and tests. */
int st_open_mem(const void *buf, size_t len, uint64_t max_bytes, struct st_file *st, char *err,
                size_t errlen);
void st_close(struct st_file *st);

/* Index of the tensor named name, or -1. */
long st_find(const struct st_file *st, const char *name);
/* Value of metadata key, or NULL. */
const char *st_meta_get(const struct st_file *st, const char *key);
uint64_t st_entry_bytes(const struct st_entry *e);

/* Reads tensor i's bytes into buf (len must be its byte count, at most
 * max_bytes). Returns 0 or -1 + err. */
int st_read(const struct st_file *st, size_t i, void *buf, size_t len, char *err, size_t errlen);

/* Reads tensor i into set under as_name (NULL: its own name). The dtype must
 * be one tensor.h knows and ndim 1 or 2. Returns the tensor or NULL + err. */
struct tensor *st_load(const struct st_file *st, size_t i, struct tensor_set *set,
                       const char *as_name, char *err, size_t errlen);

const char *st_dtype_name(st_dtype_t t);
size_t st_dtype_size(st_dtype_t t);
/* tensor.h dtype of a safetensors dtype; -1 when tensor.h has none. */
int st_dtype_to_td(st_dtype_t t, tdtype_t *out);
st_dtype_t st_dtype_from_td(tdtype_t t);

/* ---- writing ---- */

struct st_wtensor {
    const char *name;
    st_dtype_t dtype;
    int ndim;
    int64_t shape[ST_MAX_DIMS];
    const void *data; /* the tensor's bytes, numel * dtype size */
};

/* Writes tensors (data in the given order) and metadata to path, gzip'd when
 * gzip is set. The file appears whole or not at all (written to a temporary
 * name, then renamed). Returns 0 or -1 + err. */
int st_write(const char *path, int gzip, const struct st_wtensor *t, size_t n,
             const struct st_meta *meta, size_t n_meta, char *err, size_t errlen);

/* The write description of a tensor.h tensor. */
struct st_wtensor st_wtensor_of(const struct tensor *t);

#endif
