/* tensor.h - named host tensors, as a checkpoint or fixture stores them. */
#ifndef GH_TENSOR_H
#define GH_TENSOR_H

#include <stddef.h>
#include <stdint.h>

typedef enum { TD_I32 = 0, TD_U32, TD_F16, TD_BF16, TD_F32, TD_F64, TD_U8 } tdtype_t;

#define TENSOR_NAME_MAX 96
#define TENSOR_SET_MAX 16

struct tensor {
    char name[TENSOR_NAME_MAX];
    tdtype_t dtype;
    int ndim;
    int64_t shape[4];
    void *data; /* owned */
};

struct tensor_set {
    int n;
    struct tensor t[TENSOR_SET_MAX];
};

size_t tdtype_size(tdtype_t t);
const char *tdtype_name(tdtype_t t);
int64_t tensor_numel(const struct tensor *t);
size_t tensor_nbytes(const struct tensor *t);

/* Adds a zero-filled tensor (ndim 1 or 2; d1 ignored when ndim == 1).
 * Returns it, or NULL (set full, bad shape or out of memory). */
struct tensor *tensor_set_add(struct tensor_set *s, const char *name, tdtype_t dt, int ndim,
                              int64_t d0, int64_t d1);
struct tensor *tensor_set_get(const struct tensor_set *s, const char *name);
void tensor_set_free(struct tensor_set *s);

#endif
