/* worker.c - the device worker process (see worker.h).
 *
 * Protocol: one shared memory file (memfd) holds a request: a header, the
 * ABI tensors and the output buffer (poison + guard), then the reply (status,
 * reason, times) and the build log. The parent grows the file to the case's
 * size, fills it and writes the size (8 bytes) to the request pipe; the child
 * maps it, runs the backend, writes the reply into the mapping and one byte
 * to the reply pipe. The parent waits for that byte with poll() and the
 * timeout. */
#define _GNU_SOURCE
#include "backends/worker.h"
#include "util/clock.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/interrupt.h"
#include "util/peakmem.h"

#define LOG_MAX (256 * 1024)
#define INFO_MAX 512

struct worker {
    worker_open_fn open;
    worker_close_fn close;
    void *arg;
    double timeout_s;
    pid_t pid; /* 0: no live child */
    int memfd;
    int req_w; /* parent -> child */
    int rep_r; /* child -> parent */
    int restarts;
    char broken[BK_REASON_MAX]; /* the backend hung while opening: not tried again */
};

/* Opening the backend (the plugin's constructors and version call, the
 * OpenCL context) may take at most the case timeout, but never less than
 * this: a short --case-timeout is meant for kernels, not for a device's
 * start-up. */
#define OPEN_TIMEOUT_MIN_S 10.0

double worker_open_limit(double timeout_s) {
    if (timeout_s <= 0) return 0;
    return timeout_s > OPEN_TIMEOUT_MIN_S ? timeout_s : OPEN_TIMEOUT_MIN_S;
}

/* The request/reply layout in the shared file. Offsets are 16-byte aligned. */
struct shm_header {
    int32_t dt, zp_scalar;
    int64_t M, N, K, group_size;
    int64_t b_words, scale_elems, zp_words, out_total, guard; /* out_total: M*N + 2 guard */
    int32_t has_zp, has_perm, has_bias;
    uint64_t off_a, off_b, off_scale, off_zp, off_perm, off_bias, off_out, off_log, total;
    /* reply */
    int32_t status;
    uint32_t log_len;
    double kernel_ms, build_ms;
    struct bk_memcheck mc;
    char reason[BK_REASON_MAX];
};

static uint64_t align16(uint64_t v) {
    return (v + 15) & ~(uint64_t)15;
}

static void layout(struct shm_header *h) {
    uint64_t o = align16(sizeof *h);
    h->off_a = o;
    o = align16(o + (uint64_t)(h->M * h->K) * 2);
    h->off_b = o;
    o = align16(o + (uint64_t)h->b_words * 4);
    h->off_scale = o;
    o = align16(o + (uint64_t)h->scale_elems * 2);
    h->off_zp = o;
    o = align16(o + (h->has_zp ? (uint64_t)h->zp_words * 4 : 0));
    h->off_perm = o;
    o = align16(o + (h->has_perm ? (uint64_t)h->K * 4 : 0));
    h->off_bias = o;
    o = align16(o + (h->has_bias ? (uint64_t)h->N * 2 : 0));
    h->off_out = o;
    o = align16(o + (uint64_t)h->out_total * 2);
    h->off_log = o;
    h->total = o + LOG_MAX;
}

static int write_all(int fd, const void *p, size_t n) {
    const char *c = p;
    while (n) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

static int read_all(int fd, void *p, size_t n) {
    char *c = p;
    while (n) {
        ssize_t r = read(fd, c, n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return -1;
        c += r;
        n -= (size_t)r;
    }
    return 0;
}

/* ---- the child ---------------------------------------------------------- */

static void child_serve(struct kernel_backend *kb, int memfd, int req_r, int rep_w) {
    uint64_t size;
    while (read_all(req_r, &size, sizeof size) == 0) {
        unsigned char *m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
        if (m == MAP_FAILED) _exit(3);
        struct shm_header *h = (struct shm_header *)m;
        struct abi_tensors t;
        memset(&t, 0, sizeof t);
        t.dt = (dtype_t)h->dt;
        t.M = h->M;
        t.N = h->N;
        t.K = h->K;
        t.group_size = h->group_size;
        t.zp_scalar = h->zp_scalar;
        t.a = (uint16_t *)(m + h->off_a);
        t.b = (uint32_t *)(m + h->off_b);
        t.b_words = h->b_words;
        t.scale = (uint16_t *)(m + h->off_scale);
        t.scale_elems = h->scale_elems;
        t.zp = h->has_zp ? (uint32_t *)(m + h->off_zp) : NULL;
        t.zp_words = h->zp_words;
        t.perm = h->has_perm ? (int32_t *)(m + h->off_perm) : NULL;
        t.bias = h->has_bias ? (uint16_t *)(m + h->off_bias) : NULL;
        struct bk_result res;
        memset(&res, 0, sizeof res);
        kb->run(kb->self, &t, (uint16_t *)(m + h->off_out) + h->guard, (size_t)h->guard, &res);
        h->status = (int32_t)res.status;
        h->mc = res.mc;
        h->kernel_ms = res.kernel_ms;
        h->build_ms = res.build_ms;
        memcpy(h->reason, res.reason, sizeof h->reason);
        h->log_len = 0;
        if (res.log) {
            size_t n = strlen(res.log);
            if (n > LOG_MAX - 1) n = LOG_MAX - 1;
            memcpy(m + h->off_log, res.log, n);
            h->log_len = (uint32_t)n;
            free(res.log);
        }
        munmap(m, size);
        char done = 1;
        if (write_all(rep_w, &done, 1) != 0) break;
    }
}

/* ---- the parent --------------------------------------------------------- */

/* Ends the child (SIGKILL when kill_it), waits for it and closes the pipes;
 * describes how it ended into how (may be NULL). */
static void reap(struct worker *w, int kill_it, char *how, size_t howlen) {
    if (w->pid <= 0) return;
    close(w->req_w);
    close(w->rep_r);
    int st = 0;
    pid_t got = 0;
    for (int i = 0; !kill_it && i < 100 && got == 0; i++) { /* up to 1 s to exit by itself */
        got = waitpid(w->pid, &st, WNOHANG);
        if (got == 0) {
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    if (got != w->pid) {
        kill(w->pid, SIGKILL);
        while (waitpid(w->pid, &st, 0) < 0 && errno == EINTR) {
        }
    }
    w->pid = 0;
    if (!how || !howlen) return;
    if (WIFSIGNALED(st))
        snprintf(how, howlen, "was killed by signal %d (%s)", WTERMSIG(st),
                 strsignal(WTERMSIG(st)));
    else
        snprintf(how, howlen, "exited with status %d", WEXITSTATUS(st));
}

/* Waits until fd is readable (or at its end): 1, 0 after timeout_s (0: no
 * limit), 2 when the run was asked to stop (interrupt.h), -1 poll failed.
 * Polls in slices so that a SIGINT does not wait for a slow or hanging
 * child. */
static int wait_readable(int fd, double timeout_s) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    const double t0 = now_seconds();
    for (;;) {
        int ms = 200;
        if (timeout_s > 0) {
            const double left = timeout_s - (now_seconds() - t0);
            if (left <= 0) return 0;
            if (left * 1000 < ms) ms = (int)(left * 1000) + 1;
        }
        int r = poll(&p, 1, ms);
        if (r < 0 && errno == EINTR) r = 0;
        if (r == 0) {
            if (interrupt_requested()) return 2;
            continue;
        }
        return r > 0 ? 1 : -1;
    }
}

/* Forks a child that opens the backend; reads its hello (status + info).
 * Returns 0, -1 + err, or -2 + err when the run was interrupted meanwhile. A
 * backend that does not open in time is killed and marked broken. */
static int spawn(struct worker *w, char *info, size_t infolen, char *err, size_t errlen) {
    int req[2], rep[2];
    if (pipe(req) != 0 || pipe(rep) != 0) {
        snprintf(err, errlen, "worker: pipe: %s", strerror(errno));
        return -1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "worker: fork: %s", strerror(errno));
        close(req[0]), close(req[1]), close(rep[0]), close(rep[1]);
        return -1;
    }
    if (pid == 0) {
        close(req[1]);
        close(rep[0]);
        signal(SIGPIPE, SIG_IGN);
        /* Ctrl-C is the parent's to handle (it abandons the kernel in
         * progress by killing this process); and the worker must not outlive
         * the parent. What the kernel prints (OpenCL printf) goes to stderr:
         * stdout carries the harness's results. */
        dup2(STDERR_FILENO, STDOUT_FILENO);
        signal(SIGINT, SIG_IGN);
        signal(SIGTERM, SIG_IGN);
        signal(SIGHUP, SIG_IGN);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() == 1) _exit(1);
        struct kernel_backend kb;
        char msg[INFO_MAX];
        char hello[1 + INFO_MAX];
        memset(hello, 0, sizeof hello);
        int rc = w->open(w->arg, &kb, msg, sizeof msg, msg, sizeof msg);
        hello[0] = rc == 0 ? 1 : 0;
        snprintf(hello + 1, INFO_MAX, "%.400s", msg);
        if (write_all(rep[1], hello, sizeof hello) != 0 || rc != 0) _exit(rc == 0 ? 0 : 2);
        child_serve(&kb, w->memfd, req[0], rep[1]);
        if (w->close) w->close(w->arg, &kb);
        _exit(0);
    }
    close(req[0]);
    close(rep[1]);
    w->pid = pid;
    w->req_w = req[1];
    w->rep_r = rep[0];
    char hello[1 + INFO_MAX];
    const double limit = worker_open_limit(w->timeout_s);
    const int ready = wait_readable(w->rep_r, limit);
    if (ready == 0) {
        snprintf(w->broken, sizeof w->broken,
                 "the backend did not open within %.3g s (its constructors, version call or "
                 "device start-up hang; the limit is --case-timeout, at least %.0f s): killed, "
                 "not tried again",
                 limit, OPEN_TIMEOUT_MIN_S);
        snprintf(err, errlen, "%s", w->broken);
        reap(w, 1, NULL, 0);
        return -1;
    }
    if (ready == 2) {
        snprintf(err, errlen, "interrupted while the backend was being opened (worker killed)");
        reap(w, 1, NULL, 0);
        return -2;
    }
    if (ready != 1 || read_all(w->rep_r, hello, sizeof hello) != 0) {
        char how[96] = "died";
        reap(w, 0, how, sizeof how);
        snprintf(err, errlen, "worker: the device process %s while opening the backend", how);
        return -1;
    }
    hello[INFO_MAX] = 0;
    if (!hello[0]) {
        snprintf(err, errlen, "%.400s", hello + 1);
        reap(w, 1, NULL, 0);
        return -1;
    }
    if (info && infolen) snprintf(info, infolen, "%.400s", hello + 1);
    return 0;
}

struct worker *worker_start(worker_open_fn open, worker_close_fn close_fn, void *arg,
                            double timeout_s, char *info, size_t infolen, char *err,
                            size_t errlen) {
    struct worker *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, errlen, "worker: out of memory");
        return NULL;
    }
    w->open = open;
    w->close = close_fn;
    w->arg = arg;
    w->timeout_s = timeout_s;
    w->memfd = memfd_create("gptq-harness-case", MFD_CLOEXEC);
    if (w->memfd < 0) {
        snprintf(err, errlen, "worker: memfd_create: %s", strerror(errno));
        free(w);
        return NULL;
    }
    signal(SIGPIPE, SIG_IGN); /* a dead worker must not kill the harness */
    if (spawn(w, info, infolen, err, errlen) != 0) {
        close(w->memfd);
        free(w);
        return NULL;
    }
    return w;
}

int worker_restarts(const struct worker *w) {
    return w->restarts;
}

int64_t worker_peak_rss(const struct worker *w) {
    return w && w->pid > 0 ? peakmem_of((long)w->pid) : -1;
}

static void fill_request(struct shm_header *h, unsigned char *m, const struct abi_tensors *t,
                         const uint16_t *out) { /* out: the start of the guarded buffer */
    memcpy(m + h->off_a, t->a, (size_t)(t->M * t->K) * 2);
    memcpy(m + h->off_b, t->b, (size_t)t->b_words * 4);
    memcpy(m + h->off_scale, t->scale, (size_t)t->scale_elems * 2);
    if (t->zp) memcpy(m + h->off_zp, t->zp, (size_t)t->zp_words * 4);
    if (t->perm) memcpy(m + h->off_perm, t->perm, (size_t)t->K * 4);
    if (t->bias) memcpy(m + h->off_bias, t->bias, (size_t)t->N * 2);
    memcpy(m + h->off_out, out, (size_t)h->out_total * 2);
}

static void header_of(struct shm_header *h, const struct abi_tensors *t, size_t guard) {
    memset(h, 0, sizeof *h);
    h->dt = (int32_t)t->dt;
    h->zp_scalar = t->zp_scalar;
    h->M = t->M;
    h->N = t->N;
    h->K = t->K;
    h->group_size = t->group_size;
    h->b_words = t->b_words;
    h->scale_elems = t->scale_elems;
    h->zp_words = t->zp_words;
    h->guard = (int64_t)guard;
    h->out_total = t->M * t->N + 2 * (int64_t)guard;
    h->has_zp = t->zp != NULL;
    h->has_perm = t->perm != NULL;
    h->has_bias = t->bias != NULL;
    layout(h);
}

/* Waits for the reply byte; 1 got it, 0 timeout, -1 the child died, 2 the
 * run was asked to stop (interrupt.h) before the kernel finished. */
static int wait_reply(struct worker *w) {
    int r = wait_readable(w->rep_r, w->timeout_s);
    char done;
    return r != 1 ? r : read_all(w->rep_r, &done, 1) == 0 ? 1 : -1;
}

void worker_run(void *self, const struct abi_tensors *t, uint16_t *out, size_t guard,
                struct bk_result *res) {
    struct worker *w = self;
    memset(res, 0, sizeof *res);
    char err[BK_REASON_MAX];
    if (w->pid <= 0) {
        const int rc = w->broken[0] ? -1 : spawn(w, NULL, 0, err, sizeof err);
        if (rc != 0) {
            res->status = rc == -2 ? BK_INTERRUPTED : BK_ERROR;
            snprintf(res->reason, sizeof res->reason, "restarting the device worker: %.400s",
                     w->broken[0] ? w->broken : err);
            return;
        }
        w->restarts++;
    }
    struct shm_header hdr;
    header_of(&hdr, t, guard);
    unsigned char *m = MAP_FAILED;
    if (ftruncate(w->memfd, (off_t)hdr.total) == 0)
        m = mmap(NULL, hdr.total, PROT_READ | PROT_WRITE, MAP_SHARED, w->memfd, 0);
    if (m == MAP_FAILED) {
        res->status = BK_ERROR;
        snprintf(res->reason, sizeof res->reason, "worker: cannot map %llu bytes: %s",
                 (unsigned long long)hdr.total, strerror(errno));
        return;
    }
    memcpy(m, &hdr, sizeof hdr);
    fill_request(&hdr, m, t, out - guard);
    struct shm_header *h = (struct shm_header *)m;
    uint64_t size = hdr.total;
    int got = write_all(w->req_w, &size, sizeof size) == 0 ? wait_reply(w) : -1;
    if (got == 1) {
        memcpy(out - guard, m + h->off_out, (size_t)h->out_total * 2);
        res->status = (bk_status_t)h->status;
        res->mc = h->mc;
        res->kernel_ms = h->kernel_ms;
        res->build_ms = h->build_ms;
        memcpy(res->reason, h->reason, sizeof res->reason);
        res->reason[sizeof res->reason - 1] = 0;
        if (h->log_len) {
            res->log = malloc(h->log_len + 1);
            if (res->log) {
                memcpy(res->log, m + h->off_log, h->log_len);
                res->log[h->log_len] = 0;
            }
        }
        /* a run-time device error may leave the context unusable */
        if (res->status == BK_ERROR && !res->log) reap(w, 1, NULL, 0);
    } else if (got == 2) {
        res->status = BK_INTERRUPTED;
        snprintf(res->reason, sizeof res->reason,
                 "interrupted while the kernel ran: the kernel was abandoned (worker killed)");
        reap(w, 1, NULL, 0);
    } else {
        res->status = BK_ERROR;
        if (got == 0) {
            snprintf(res->reason, sizeof res->reason,
                     "the kernel did not finish within %.3g s (--case-timeout): killed; the next "
                     "case gets a fresh device context",
                     w->timeout_s);
            res->hung = 1;
            reap(w, 1, NULL, 0);
        } else {
            char how[96] = "died";
            reap(w, 0, how, sizeof how);
            snprintf(res->reason, sizeof res->reason,
                     "the device worker process %s while running the kernel; the next case gets "
                     "a fresh one",
                     how);
        }
    }
    munmap(m, hdr.total);
}

void worker_stop(struct worker *w) {
    if (!w) return;
    if (w->pid > 0) {
        close(w->req_w); /* EOF: the child leaves its loop and closes the backend */
        w->req_w = -1;
        int st;
        for (int i = 0; i < 200; i++) { /* up to 2 s for a clean exit */
            if (waitpid(w->pid, &st, WNOHANG) == w->pid) {
                w->pid = 0;
                break;
            }
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
        if (w->pid > 0) {
            kill(w->pid, SIGKILL);
            waitpid(w->pid, &st, 0);
        }
        close(w->rep_r);
    }
    close(w->memfd);
    free(w);
}
