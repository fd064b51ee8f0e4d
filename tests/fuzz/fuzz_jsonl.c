/* fuzz_jsonl.c - libFuzzer target: the results.jsonl reader used by
 * `report merge` and --baseline. Each line of the input is parsed into a
 * record list; a record that parses is written back as a line, which must
 * parse again. The input is also read as a whole file (torn lines skipped,
 * a cut-off last line), loaded as a baseline and the parsed records judged
 * against it (matching by sweep index and by occurrence). Property: never
 * crash, never loop, bounded memory. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "results/baseline.h"
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
    /* the file reader and the baseline over the same bytes */
    static char path[64];
    if (!path[0]) {
        snprintf(path, sizeof path, "/tmp/fuzz-jsonl-XXXXXX");
        int fd = mkstemp(path);
        if (fd < 0) abort();
        close(fd);
    }
    FILE *f = fopen(path, "wb");
    if (!f) abort();
    if (size && fwrite(data, 1, size, f) != size) abort();
    fclose(f);
    char err[1024];
    struct record_list l2;
    memset(&l2, 0, sizeof l2);
    struct results_read_info info;
    (void)results_read_file(path, &l2, &info, err, sizeof err);
    struct baseline b;
    if (baseline_load(path, &b, err, sizeof err) == 0) {
        struct bl_report rep;
        if (baseline_judge_all(&b, &l, BASELINE_DRIFT_FACTOR, &rep) == 0) bl_report_free(&rep);
        if (baseline_judge_all(&b, &l2, BASELINE_DRIFT_FACTOR, &rep) == 0) bl_report_free(&rep);
        baseline_free(&b);
    }
    record_list_free(&l2);
    record_list_free(&l);
    return 0;
}
