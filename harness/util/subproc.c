/* subproc.c - see subproc.h.
 *
 * Decisions:
 * - One AF_UNIX stream socket, not two pipes: send() with MSG_NOSIGNAL
 *   turns a dead child into an error code instead of a SIGPIPE, without
 *   touching the process's signal dispositions.
 * - The environment is built before fork (the child only calls
 *   async-signal-safe functions between fork and exec).
 * - The child leads its own process group, so that killing it also ends
 *   what it started (a Python runner's compiler subprocesses). */
#include "util/subproc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* How often a reply wait checks whether the runner has exited (ms). */
#define EXIT_CHECK_MS 200

#include "util/errmsg.h"
#include "util/interrupt.h"

extern char **environ;

static double mono_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* environ plus extra, NULL-terminated; the strings are borrowed. */
static char **build_env(const char *const *extra, size_t n) {
    size_t have = 0;
    while (environ && environ[have])
        have++;
    char **env = calloc(have + n + 1, sizeof *env);
    if (!env) return NULL;
    size_t k = 0;
    for (size_t i = 0; i < have; i++) {
        int shadowed = 0; /* a variable given in extra replaces the inherited one */
        for (size_t j = 0; j < n && !shadowed; j++) {
            const char *eq = strchr(extra[j], '=');
            size_t len = eq ? (size_t)(eq - extra[j]) + 1 : strlen(extra[j]);
            shadowed = strncmp(environ[i], extra[j], len) == 0;
        }
        if (!shadowed) env[k++] = environ[i];
    }
    for (size_t j = 0; j < n; j++)
        env[k++] = (char *)extra[j];
    env[k] = NULL;
    return env;
}

/* In the child, after fork: only async-signal-safe calls. */
static void child(int sock, const char *cmd, char **env) {
    setpgid(0, 0);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(2, 1) < 0) _exit(127);
    /* sock may itself be 3 or 4: move it out of the way first */
    int s = fcntl(sock, F_DUPFD, 10);
    if (s < 0 || dup2(s, 3) < 0 || dup2(s, 4) < 0) _exit(127);
    long maxfd = sysconf(_SC_OPEN_MAX);
    if (maxfd < 0 || maxfd > 65536) maxfd = 65536;
    for (int fd = 5; fd < maxfd; fd++)
        close(fd);
    char *argv[] = {"sh", "-c", (char *)cmd, NULL};
    execve("/bin/sh", argv, env);
    _exit(127);
}

int subproc_start(struct subproc *p, const char *cmd, const char *const *env, size_t env_n,
                  char *err, size_t errlen) {
    memset(p, 0, sizeof *p);
    p->fd = -1;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        return errmsg(err, errlen, "socketpair: %s", strerror(errno));
    char **envp = build_env(env, env_n);
    if (!envp) {
        close(sv[0]);
        close(sv[1]);
        return errmsg(err, errlen, "out of memory starting '%s'", cmd);
    }
    fflush(NULL); /* buffered output must not be written twice */
    pid_t pid = fork();
    if (pid == 0) {
        close(sv[0]);
        child(sv[1], cmd, envp);
    }
    int e = errno;
    free(envp);
    close(sv[1]);
    if (pid < 0) {
        close(sv[0]);
        return errmsg(err, errlen, "fork: %s", strerror(e));
    }
    setpgid(pid, pid);                            /* also here: no race with the first kill */
    if (fcntl(sv[0], F_SETFD, FD_CLOEXEC) != 0) { /* later children must not hold it */
        e = errno;
        p->pid = pid;
        p->fd = sv[0];
        subproc_stop(p, 0);
        return errmsg(err, errlen, "fcntl: %s", strerror(e));
    }
    p->pid = pid;
    p->fd = sv[0];
    return 0;
}

int subproc_send(struct subproc *p, const char *line, char *err, size_t errlen) {
    if (p->fd < 0) return errmsg(err, errlen, "the runner is not running");
    size_t n = strlen(line);
    char *msg = malloc(n + 1);
    if (!msg) return errmsg(err, errlen, "out of memory");
    memcpy(msg, line, n);
    msg[n++] = '\n';
    size_t off = 0;
    while (off < n) {
        ssize_t w = send(p->fd, msg + off, n - off, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            int e = errno;
            free(msg);
            return errmsg(err, errlen, "cannot write to the runner: %s",
                          e == EPIPE ? "it closed its end or exited" : strerror(e));
        }
        off += (size_t)w;
    }
    free(msg);
    return 0;
}

/* Moves one complete line out of the buffer; 1 when there was one. */
static int take_line(struct subproc *p, char *out, size_t outlen) {
    char *nl = memchr(p->buf, '\n', p->have);
    if (!nl) return 0;
    size_t len = (size_t)(nl - p->buf);
    if (len && p->buf[len - 1] == '\r') len--;
    size_t copy = len < outlen ? len : outlen - 1;
    memcpy(out, p->buf, copy);
    out[copy] = 0;
    size_t used = (size_t)(nl - p->buf) + 1;
    memmove(p->buf, p->buf + used, p->have - used);
    p->have -= used;
    return 1;
}

int subproc_read_line(struct subproc *p, double timeout_s, char *out, size_t outlen, char *err,
                      size_t errlen) {
    if (outlen == 0) return errmsg(err, errlen, "no room for a line");
    const double deadline = timeout_s > 0 ? mono_now() + timeout_s : 0;
    for (;;) {
        if (take_line(p, out, outlen)) return 1;
        if (p->have >= sizeof p->buf)
            return errmsg(err, errlen, "the runner sent a line longer than %d bytes",
                          SUBPROC_LINE_MAX);
        if (p->fd < 0) return errmsg(err, errlen, "the runner is not running");
        if (interrupt_requested()) {
            errmsg(err, errlen, "interrupted by %s", interrupt_name(interrupt_requested()));
            return -3;
        }
        /* The wait is cut into slices so that a runner that exited while a
         * process it started keeps the reply channel open (no end of file
         * comes) is seen within a slice, not at the deadline as a hang. */
        int wait_ms = EXIT_CHECK_MS;
        if (timeout_s > 0) {
            double left = deadline - mono_now();
            if (left <= 0) return -2;
            if (left * 1000.0 < wait_ms) wait_ms = (int)(left * 1000.0) + 1;
        }
        struct pollfd pf = {.fd = p->fd, .events = POLLIN};
        int rc = poll(&pf, 1, p->reaped ? 0 : wait_ms);
        if (rc < 0 && errno == EINTR) continue;
        if (rc < 0) return errmsg(err, errlen, "poll: %s", strerror(errno));
        if (rc == 0) {
            if (p->reaped) { /* exited, and nothing more came after it did */
                char how[128];
                subproc_describe_exit(p, how, sizeof how);
                return errmsg(err, errlen,
                              "the runner %s without replying, while a process it started "
                              "still holds its reply channel open",
                              how);
            }
            if (p->pid > 0 && waitpid(p->pid, &p->status, WNOHANG) == p->pid) p->reaped = 1;
            continue; /* the deadline is checked above; once reaped, one last look */
        }
        ssize_t r = recv(p->fd, p->buf + p->have, sizeof p->buf - p->have, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return errmsg(err, errlen, "cannot read from the runner: %s", strerror(errno));
        if (r == 0) {
            char how[128];
            /* give an exiting child a moment, so that the message says how it ended */
            for (int i = 0; i < 50 && !p->reaped; i++) {
                subproc_describe_exit(p, how, sizeof how);
                if (!p->reaped) usleep(10000);
            }
            subproc_describe_exit(p, how, sizeof how);
            if (p->have)
                errmsg(err, errlen, "the runner ended a line without a newline and %s", how);
            else
                errmsg(err, errlen, "the runner closed its reply channel (%s)", how);
            return 0;
        }
        p->have += (size_t)r;
    }
}

void subproc_describe_exit(struct subproc *p, char *buf, size_t len) {
    if (p->pid > 0 && !p->reaped) {
        pid_t r = waitpid(p->pid, &p->status, WNOHANG);
        if (r == p->pid) p->reaped = 1;
    }
    if (p->pid <= 0)
        snprintf(buf, len, "not started");
    else if (!p->reaped)
        snprintf(buf, len, "still running");
    else if (WIFEXITED(p->status) && WEXITSTATUS(p->status) > 128 &&
             WEXITSTATUS(p->status) < 128 + 65) /* sh -c reports a killed command so */
        snprintf(buf, len, "exited with status %d: its command was killed by signal %d (%s)",
                 WEXITSTATUS(p->status), WEXITSTATUS(p->status) - 128,
                 strsignal(WEXITSTATUS(p->status) - 128));
    else if (WIFEXITED(p->status))
        snprintf(buf, len, "exited with status %d%s", WEXITSTATUS(p->status),
                 WEXITSTATUS(p->status) == 127 ? " (the shell found no such command?)" : "");
    else if (WIFSIGNALED(p->status))
        snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(p->status),
                 strsignal(WTERMSIG(p->status)));
    else
        snprintf(buf, len, "ended with wait status 0x%x", (unsigned)p->status);
}

void subproc_stop(struct subproc *p, double grace_s) {
    if (p->fd >= 0) close(p->fd);
    p->fd = -1;
    if (p->pid > 0 && !p->reaped) {
        const double until = mono_now() + grace_s;
        for (;;) {
            pid_t r = waitpid(p->pid, &p->status, WNOHANG);
            if (r == p->pid || (r < 0 && errno == ECHILD)) {
                p->reaped = 1;
                break;
            }
            if (mono_now() >= until) break;
            usleep(5000);
        }
    }
    if (p->pid > 0) kill(-p->pid, SIGKILL); /* what it started, too */
    if (p->pid > 0 && !p->reaped) {
        while (waitpid(p->pid, &p->status, 0) < 0 && errno == EINTR) {
        }
        p->reaped = 1;
    }
    p->pid = 0;
    p->have = 0;
}
