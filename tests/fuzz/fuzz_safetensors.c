/* fuzz_safetensors.c - libFuzzer target: the safetensors reader (plain and
 * gzip'd), every tensor read back, the checkpoint scanner behind `inspect`,
 * and the fixture reader behind `replay`. Property: never crash, never read
 * or allocate beyond the caps. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/ckpt_scan.h"
#include "results/fixture.h"
#include "formats/safetensors.h"

#define CAP ((uint64_t)64 << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void read_all_tensors(const struct st_file *st) {
    char err[512];
    for (size_t i = 0; i < st->n; i++) {
        uint64_t n = st_entry_bytes(&st->e[i]);
        if (n > CAP) continue;
        void *buf = malloc(n ? n : 1);
        if (!buf) continue;
        st_read(st, i, buf, (size_t)n, err, sizeof err);
        free(buf);
        struct tensor_set set;
        memset(&set, 0, sizeof set);
        st_load(st, i, &set, NULL, err, sizeof err);
        tensor_set_free(&set);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char err[512];
    struct st_file st;
    if (st_open_mem(data, size, CAP, &st, err, sizeof err) == 0) {
        read_all_tensors(&st);
        struct ckpt_decl decl;
        memset(&decl, 0, sizeof decl);
        struct ckpt_scan scan;
        if (ckpt_scan(&st, &decl, &scan, err, sizeof err) == 0) {
            for (size_t i = 0; i < scan.n; i++) {
                struct tensor_set set;
                memset(&set, 0, sizeof set);
                if (scan.layers[i].ok) ckpt_load_layer(&st, &scan.layers[i], &set, err, sizeof err);
                tensor_set_free(&set);
            }
            ckpt_scan_free(&scan);
        }
    }
    st_close(&st);
    struct fixture fx;
    if (fixture_read_mem(data, size, CAP, &fx, err, sizeof err) == 0) fixture_free(&fx);
    return 0;
}
