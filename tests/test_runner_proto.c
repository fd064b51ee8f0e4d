/* test_runner_proto.c - the runner process helper (harness/util/subproc.c)
 * and the protocol's harness side (harness/formats/runner_proto.c), with
 * small shell runners: lines both ways on fds 3/4, the environment, end of
 * file and exit status, a deadline, an over-long line, writing to a dead
 * runner, the hello and reply checks, and what a reply says of an output
 * tensor it cannot load. */
#include <stdio.h>
#include <string.h>

#include "suites.h"

#include "formats/runner_proto.h"
#include "util/subproc.h"

static void test_lines(void) {
    struct subproc p;
    char err[512], line[256];
    const char *env[] = {"GPTQ_TEST_VALUE=42"};
    const char *cmd = "printf 'hi %s\\n' \"$GPTQ_TEST_VALUE\" >&4; read l <&3; "
                      "printf '%s!\\n' \"$l\" >&4; exit 5";
    CU_ASSERT_EQUAL_FATAL(subproc_start(&p, cmd, env, 1, err, sizeof err), 0);
    CU_ASSERT_EQUAL(subproc_read_line(&p, 30, line, sizeof line, err, sizeof err), 1);
    CU_ASSERT_STRING_EQUAL(line, "hi 42");
    CU_ASSERT_EQUAL(subproc_send(&p, "ping", err, sizeof err), 0);
    CU_ASSERT_EQUAL(subproc_read_line(&p, 30, line, sizeof line, err, sizeof err), 1);
    CU_ASSERT_STRING_EQUAL(line, "ping!");
    CU_ASSERT_EQUAL(subproc_read_line(&p, 30, line, sizeof line, err, sizeof err), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "exited with status 5"));
    /* the child is gone: a write fails with a message instead of SIGPIPE */
    CU_ASSERT_EQUAL(subproc_send(&p, "again", err, sizeof err), -1);
    subproc_stop(&p, 1);
    CU_ASSERT_EQUAL(p.pid, 0);
}

static void test_deadline_and_long_line(void) {
    struct subproc p;
    char err[512], line[64];
    CU_ASSERT_EQUAL_FATAL(subproc_start(&p, "exec sleep 30", NULL, 0, err, sizeof err), 0);
    CU_ASSERT_EQUAL(subproc_read_line(&p, 0.05, line, sizeof line, err, sizeof err), -2);
    subproc_stop(&p, 0); /* killed, not waited for 30 s */
    CU_ASSERT_EQUAL(p.pid, 0);
    CU_ASSERT_EQUAL_FATAL(
        subproc_start(&p, "head -c 70000 /dev/zero | tr '\\000' a >&4", NULL, 0, err, sizeof err),
        0);
    CU_ASSERT_EQUAL(subproc_read_line(&p, 30, line, sizeof line, err, sizeof err), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "longer than"));
    subproc_stop(&p, 0);
}

/* A shell kernel runner: hello, then one reply per request, as given. */
#define HELLO                                                                                      \
    "printf '{\"protocol\":\"gptq-harness-runner\",\"version\":1,\"role\":\"kernel\"}\\n' >&4; "
#define ID_OF "id=$(printf '%s' \"$l\" | sed 's/.*\"id\":\\([0-9]*\\).*/\\1/'); "

static void call_one(const char *cmd, struct rp_reply *rep) {
    struct rp_runner r;
    CU_ASSERT_EQUAL_FATAL(rp_init(&r, cmd, "kernel", 30), 0);
    cJSON *cfg = cJSON_CreateObject();
    rp_call(&r, "run", NULL, 0, cfg, 1, 1 << 20, rep);
    cJSON_Delete(cfg);
    rp_close(&r);
}

static void test_replies(void) {
    struct rp_reply rep;
    call_one(HELLO
             "while read l <&3; do " ID_OF
             "printf '{\"id\":%s,\"status\":\"skip\",\"reason\":\"not mine\"}\\n' $id >&4; done",
             &rep);
    CU_ASSERT_EQUAL(rep.status, RP_SKIP);
    CU_ASSERT_STRING_EQUAL(rep.reason, "not mine");
    rp_reply_free(&rep);
    call_one(HELLO "while read l <&3; do " ID_OF
                   "printf '{\"id\":%s,\"status\":\"error\",\"reason\":\"boom\"}\\n' $id >&4; done",
             &rep);
    CU_ASSERT_EQUAL(rep.status, RP_ERROR);
    CU_ASSERT_PTR_NOT_NULL(strstr(rep.reason, "boom"));
    rp_reply_free(&rep);
    call_one(HELLO "while read l <&3; do printf '{\"id\":999,\"status\":\"ok\"}\\n' >&4; done",
             &rep);
    CU_ASSERT_EQUAL(rep.status, RP_FAULT);
    CU_ASSERT_PTR_NOT_NULL(strstr(rep.reason, "id"));
    rp_reply_free(&rep);
    call_one(HELLO "while read l <&3; do " ID_OF
                   "printf '{\"id\":%s,\"status\":\"ok\"}\\n' $id >&4; done",
             &rep);
    CU_ASSERT_EQUAL(rep.status, RP_FAULT); /* ok without an output file */
    CU_ASSERT_PTR_NOT_NULL(strstr(rep.reason, "no output file"));
    rp_reply_free(&rep);
    call_one("printf '{\"protocol\":\"other\"}\\n' >&4; sleep 30", &rep);
    CU_ASSERT_EQUAL(rep.status, RP_FAULT);
    CU_ASSERT_PTR_NOT_NULL(strstr(rep.reason, "hello"));
    rp_reply_free(&rep);
}

/* An output file whose tensor the reader cannot load (3 dimensions): the
 * call fails, and info still describes the tensor for the caller to judge. */
static void test_info_of_unloadable(void) {
    struct rp_reply rep;
    call_one(HELLO "while read l <&3; do " ID_OF
                   "out=$(printf '%s' \"$l\" | sed 's/.*\"output\":\"\\([^\"]*\\)\".*/\\1/'); "
                   "{ printf '\\100\\0\\0\\0\\0\\0\\0\\0'; "
                   "printf '%-64s' '{\"t\":{\"dtype\":\"I32\",\"shape\":[1,1,2],"
                   "\"data_offsets\":[0,8]}}'; printf '\\1\\0\\0\\0\\2\\0\\0\\0'; } >\"$out\"; "
                   "printf '{\"id\":%s,\"status\":\"ok\"}\\n' $id >&4; done",
             &rep);
    CU_ASSERT_EQUAL(rep.status, RP_ERROR);
    CU_ASSERT_PTR_NOT_NULL(strstr(rep.reason, "3 dimension(s)"));
    CU_ASSERT_EQUAL_FATAL(rep.n_info, 1);
    CU_ASSERT_STRING_EQUAL(rep.info[0].name, "t");
    CU_ASSERT_EQUAL(rep.info[0].dtype, ST_I32);
    CU_ASSERT_EQUAL(rep.info[0].ndim, 3);
    CU_ASSERT(rep.info[0].shape[0] == 1 && rep.info[0].shape[1] == 1 && rep.info[0].shape[2] == 2);
    CU_ASSERT_EQUAL(rep.out.n, 0);
    rp_reply_free(&rep);
}

int register_runner_proto_suite(void) {
    GH_ADD_SUITE(s, "runner_proto");
    GH_ADD_TEST(s, test_lines);
    GH_ADD_TEST(s, test_deadline_and_long_line);
    GH_ADD_TEST(s, test_replies);
    GH_ADD_TEST(s, test_info_of_unloadable);
    return 0;
}
