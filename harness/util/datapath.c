/* datapath.c - shipped files (see datapath.h). */
#include "util/datapath.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

const char *datapath_find(const char *rel, char *buf, size_t len) {
    if (access(rel, R_OK) == 0) return rel;
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return rel;
    exe[n] = 0;
    char *slash = strrchr(exe, '/');
    if (!slash) return rel;
    *slash = 0;
    int k = snprintf(buf, len, "%s/../%s", exe, rel);
    if (k > 0 && (size_t)k < len && access(buf, R_OK) == 0) return buf;
    return rel;
}
