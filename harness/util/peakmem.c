/* peakmem.c - see peakmem.h. */
#include "util/peakmem.h"

#include <stdio.h>
#include <string.h>

static int64_t hwm(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char line[256];
    long long kb = -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmHWM:", 6) == 0 && sscanf(line + 6, "%lld", &kb) == 1) break;
    fclose(f);
    return kb < 0 ? -1 : (int64_t)kb * 1024;
}

int64_t peakmem_self(void) {
    return hwm("/proc/self/status");
}

int64_t peakmem_of(long pid) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/status", pid);
    return pid > 0 ? hwm(path) : -1;
}
