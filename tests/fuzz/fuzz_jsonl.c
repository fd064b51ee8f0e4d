/* fuzz_jsonl.c - libFuzzer target: the results.jsonl reader used by
 * `report merge` and --baseline. Each line of the input is parsed into a
 * record list; a record that parses is written back as a line, which must
 * parse again. Property: never crash, never loop, bounded memory. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "results/record.h"
#include "results/results.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void one_line(struct record_list *l, const char *text, size_t len) {
    char err[512];
    struct case_record r;
    record_init(&r);
    if (results_parse_line(text, len, l, &r, err, sizeof err) != 0) {
        record_free(&r);
        return;
    }
    char *again = results_line(l, &r);
    if (again) {
        struct case_record r2;
        record_init(&r2);
        if (results_parse_line(again, strlen(again), l, &r2, err, sizeof err) != 0) abort();
        record_free(&r2);
        free(again);
    }
    if (record_list_push(l, &r) != 0) record_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    struct record_list l;
    memset(&l, 0, sizeof l);
    const char *p = (const char *)data, *end = p + size;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        one_line(&l, p, len);
        p += len + (nl ? 1 : 0);
    }
    record_list_free(&l);
    return 0;
}
