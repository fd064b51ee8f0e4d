/* rundir.c - run directories and reports/latest (see rundir.h). */
#include "results/rundir.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* The default runs' parent: reports/, or $GPTQ_HARNESS_REPORTS (tests point
 * it at a temporary directory). */
static const char *reports_root(void) {
    const char *e = getenv("GPTQ_HARNESS_REPORTS");
    return e && *e ? e : "reports";
}

int mkdir_p(const char *path, char *err, size_t errlen) {
    char buf[RUNDIR_MAX];
    if (!path || !*path || strlen(path) >= sizeof buf) {
        snprintf(err, errlen, "bad directory name '%s'", path ? path : "");
        return -1;
    }
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1;; p++) {
        int end = *p == 0;
        if (*p == '/' || end) {
            *p = 0;
            if (mkdir(buf, 0777) != 0 && errno != EEXIST) {
                snprintf(err, errlen, "cannot create directory %s: %s", buf, strerror(errno));
                return -1;
            }
            if (end) break;
            *p = '/';
        }
    }
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s exists and is not a directory", path);
        return -1;
    }
    return 0;
}

static void point_latest(const char *name) {
    char tmp[256];
    char latest[RUNDIR_MAX];
    snprintf(tmp, sizeof tmp, "%.200s/.latest.%ld", reports_root(), (long)getpid());
    snprintf(latest, sizeof latest, "%s/latest", reports_root());
    unlink(tmp);
    if (symlink(name, tmp) != 0 || rename(tmp, latest) != 0) {
        fprintf(stderr, "gptq-harness: warning: cannot point %s at %s: %s\n", latest, name,
                strerror(errno));
        unlink(tmp);
    }
}

int rundir_create(const char *want, time_t now, char *out, size_t outlen, char *err,
                  size_t errlen) {
    if (want) {
        if (mkdir_p(want, err, errlen) != 0) return -1;
        snprintf(out, outlen, "%s", want);
        char prev[RUNDIR_MAX + 32];
        snprintf(prev, sizeof prev, "%.4000s/results.jsonl", want);
        if (access(prev, F_OK) == 0)
            fprintf(stderr,
                    "gptq-harness: note: %s already holds a run; its results and reports "
                    "are replaced by this one's\n",
                    want);
        return 0;
    }
    if (mkdir_p(reports_root(), err, errlen) != 0) return -1;
    struct tm tm;
    char stamp[64], name[96], path[RUNDIR_MAX];
    if (!gmtime_r(&now, &tm) || strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm) == 0) {
        snprintf(err, errlen, "cannot format the time for the run directory");
        return -1;
    }
    for (int k = 1; k <= 1000; k++) {
        if (k == 1)
            snprintf(name, sizeof name, "%s", stamp);
        else
            snprintf(name, sizeof name, "%s-%d", stamp, k);
        snprintf(path, sizeof path, "%.3000s/%s", reports_root(), name);
        if (mkdir(path, 0777) == 0) {
            point_latest(name);
            snprintf(out, outlen, "%s", path);
            return 0;
        }
        if (errno != EEXIST) break;
    }
    snprintf(err, errlen, "cannot create a run directory %s: %s", path, strerror(errno));
    return -1;
}
