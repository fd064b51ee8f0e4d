/* tensor.c - named host tensors (see tensor.h).
 *
 * Decisions where tensor.h is silent:
 *  - tensor_numel() of a 0-d tensor is 1 (a scalar, as safetensors has it); an
 *    invalid tensor (ndim outside 0..4, a negative dim, or a product that does
 *    not fit int64) gives -1, and tensor_nbytes() of it gives 0.
 *  - tensor_set_add() also refuses an empty name, a name that does not fit
 *    TENSOR_NAME_MAX, an unknown dtype and a name already in the set (lookups
 *    are by name, so duplicates would be ambiguous). */
#include "formats/tensor.h"

#include <stdlib.h>
#include <string.h>

size_t tdtype_size(tdtype_t t) {
    switch (t) {
    case TD_I32:
    case TD_U32:
    case TD_F32:
        return 4;
    case TD_F16:
    case TD_BF16:
        return 2;
    case TD_F64:
        return 8;
    case TD_U8:
        return 1;
    }
    return 0;
}

const char *tdtype_name(tdtype_t t) {
    switch (t) {
    case TD_I32:
        return "I32";
    case TD_U32:
        return "U32";
    case TD_F16:
        return "F16";
    case TD_BF16:
        return "BF16";
    case TD_F32:
        return "F32";
    case TD_F64:
        return "F64";
    case TD_U8:
        return "U8";
    }
    return "?";
}

/* a * b for non-negative a, b; -1 when the product exceeds INT64_MAX. */
static int64_t mul_checked(int64_t a, int64_t b) {
    if (a != 0 && b > INT64_MAX / a) return -1;
    return a * b;
}

int64_t tensor_numel(const struct tensor *t) {
    if (!t || t->ndim < 0 || t->ndim > 4) return -1;
    int64_t n = 1;
    for (int i = 0; i < t->ndim; i++) {
        if (t->shape[i] < 0) return -1;
        n = mul_checked(n, t->shape[i]);
        if (n < 0) return -1;
    }
    return n;
}

size_t tensor_nbytes(const struct tensor *t) {
    int64_t n = tensor_numel(t);
    size_t es = t ? tdtype_size(t->dtype) : 0;
    if (n < 0 || es == 0) return 0;
    if ((uint64_t)n > SIZE_MAX / es) return 0;
    return (size_t)n * es;
}

static int name_ok(const struct tensor_set *s, const char *name) {
    if (!name || name[0] == '\0') return 0;
    if (strlen(name) >= TENSOR_NAME_MAX) return 0;
    return tensor_set_get(s, name) == NULL;
}

struct tensor *tensor_set_add(struct tensor_set *s, const char *name, tdtype_t dt, int ndim,
                              int64_t d0, int64_t d1) {
    if (!s || s->n < 0 || s->n >= TENSOR_SET_MAX) return NULL;
    if (ndim != 1 && ndim != 2) return NULL;
    if (d0 <= 0 || (ndim == 2 && d1 <= 0)) return NULL;
    size_t es = tdtype_size(dt);
    if (es == 0 || !name_ok(s, name)) return NULL;

    int64_t numel = ndim == 2 ? mul_checked(d0, d1) : d0;
    if (numel < 0 || (uint64_t)numel > SIZE_MAX / es) return NULL;
    void *data = calloc((size_t)numel, es);
    if (!data) return NULL;

    struct tensor *t = &s->t[s->n];
    memset(t, 0, sizeof *t);
    memcpy(t->name, name, strlen(name) + 1);
    t->dtype = dt;
    t->ndim = ndim;
    t->shape[0] = d0;
    t->shape[1] = ndim == 2 ? d1 : 0;
    t->data = data;
    s->n++;
    return t;
}

struct tensor *tensor_set_get(const struct tensor_set *s, const char *name) {
    if (!s || !name) return NULL;
    for (int i = 0; i < s->n && i < TENSOR_SET_MAX; i++) {
        if (strcmp(s->t[i].name, name) == 0) return (struct tensor *)&s->t[i];
    }
    return NULL;
}

void tensor_set_free(struct tensor_set *s) {
    if (!s) return;
    for (int i = 0; i < s->n && i < TENSOR_SET_MAX; i++)
        free(s->t[i].data);
    memset(s, 0, sizeof *s);
}
