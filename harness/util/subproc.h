/* subproc.h - a helper process the harness talks to in lines of text: an
 * external runner (docs/runners.md). The child runs `/bin/sh -c CMD` in its
 * own process group with a socket on fds 3 and 4 (it reads requests from
 * fd 3 and writes replies to fd 4; both are the same socket), stdin from
 * /dev/null, and stdout and stderr both on the harness's stderr, so that
 * what the child prints can never be taken for a reply nor reach the
 * harness's results on stdout. Writes never raise SIGPIPE; every read has a
 * deadline; a child that misbehaves is killed with its whole process group. */
#ifndef GH_SUBPROC_H
#define GH_SUBPROC_H

#include <stddef.h>
#include <sys/types.h>

#define SUBPROC_LINE_MAX 65536 /* longest line accepted from the child */

struct subproc {
    pid_t pid; /* 0: not running */
    int fd;    /* the harness's end of the socket */
    char buf[SUBPROC_LINE_MAX];
    size_t have; /* bytes buffered in buf */
    int status;  /* wait status once reaped */
    int reaped;
};

/* Starts cmd with the environment given as "NAME=value" strings (env_n of
 * them, added to the harness's). Returns 0, or -1 with a message. */
int subproc_start(struct subproc *p, const char *cmd, const char *const *env, size_t env_n,
                  char *err, size_t errlen);

/* Sends line (a '\n' is appended). Returns 0, or -1 with a message (the
 * child closed its end or died). */
int subproc_send(struct subproc *p, const char *line, char *err, size_t errlen);

/* Reads one line (without its '\n') into out (outlen bytes) within
 * timeout_s seconds (<= 0: no deadline). Returns 1 with a line, 0 at end of
 * file (the child closed fd 4 or exited; err says how it exited), -2 when
 * the deadline passed, -3 when the run was asked to stop (interrupt.h; a
 * signal wakes the wait), -1 on a line longer than SUBPROC_LINE_MAX or a read
 * error (err). */
int subproc_read_line(struct subproc *p, double timeout_s, char *out, size_t outlen, char *err,
                      size_t errlen);

/* How the child ended ("exited with status 3", "killed by signal 11
 * (Segmentation fault)"), reaping it if it has ended; "still running"
 * otherwise. */
void subproc_describe_exit(struct subproc *p, char *buf, size_t len);

/* Ends the child: closes the socket, waits up to grace_s seconds for it to
 * exit, then kills its process group (SIGKILL) and reaps it. Harmless on a
 * child that never started. */
void subproc_stop(struct subproc *p, double grace_s);

#endif
