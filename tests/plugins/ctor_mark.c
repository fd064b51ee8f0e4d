/* ctor_mark.c - the CPU plugin with a library constructor that creates the
 * file named by $W4A16_CTOR_MARK (when set): tests/plugin.sh checks with it
 * that replay never loads a plugin a fixture names (dlopen alone runs the
 * constructor), and that it does load the one --kernel names. */
#include <stdio.h>
#include <stdlib.h>

#include "cpu_wrap.h"

__attribute__((constructor)) static void mark_loaded(void) {
    const char *path = getenv("W4A16_CTOR_MARK");
    if (!path || !path[0]) return;
    FILE *f = fopen(path, "w");
    if (f && fclose(f) != 0) perror(path);
}

W4A16_EXPORT const char *w4a16_name(void) {
    return "ctor_mark (cpu)";
}

W4A16_EXPORT int w4a16_gemm(const struct w4a16_args *a) {
    return cpu_gemm(a);
}
