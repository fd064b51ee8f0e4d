/* fuzz_desc.c - libFuzzer target: case descriptors and batch files.
 * Properties: never crash; a descriptor that parses prints to a line that
 * parses back to the same descriptor. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cases/batch.h"
#include "cases/desc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *s = malloc(size + 1);
    if (!s) return 0;
    memcpy(s, data, size);
    s[size] = 0;
    struct case_desc d, d2;
    char err[1024], line[1024];
    if (desc_parse(s, &d, err, sizeof err) == 0) {
        desc_print(&d, line, sizeof line);
        if (desc_parse(line, &d2, err, sizeof err) != 0 || !desc_equal(&d, &d2)) abort();
    }
    struct case_list l;
    memset(&l, 0, sizeof l);
    if (batch_read_string(s, "fuzz", &l, err, sizeof err) == 0)
        for (size_t i = 0; i < l.n; i++)
            if (desc_validate(&l.v[i], err, sizeof err) != 0) abort();
    case_list_free(&l);
    free(s);
    return 0;
}
