/* open_hang.c - the CPU plugin, except that its library constructor never
 * returns while the file named by $W4A16_OPEN_HANG exists, and a case with
 * M = 2 creates that file and crashes. tests/reliability.sh checks with it
 * that a backend that hangs while opening, at the start or when the worker
 * is restarted after a crash, is given up with an ERROR naming it instead
 * of hanging the run. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cpu_wrap.h"

static const char *marker(void) {
    const char *path = getenv("W4A16_OPEN_HANG");
    return path && path[0] ? path : NULL;
}

__attribute__((constructor)) static void hang_when_marked(void) {
    const char *path = marker();
    while (path && access(path, F_OK) == 0)
        pause();
}

W4A16_EXPORT const char *w4a16_name(void) {
    return "open_hang (cpu)";
}

W4A16_EXPORT int w4a16_gemm(const struct w4a16_args *a) {
    const char *path = marker();
    if (a->M == 2 && path) {
        FILE *f = fopen(path, "w");
        if (f && fclose(f) != 0) perror(path);
        raise(SIGSEGV);
    }
    return cpu_gemm(a);
}
