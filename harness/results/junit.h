/* junit.h - JUnit XML for CI, in the shape Jenkins (junit plugin), GitLab
 * (artifacts:reports:junit) and Buildkite (test analytics) read:
 *
 *   <testsuites name="gptq-harness" tests failures errors skipped time>
 *    <testsuite name tests failures errors skipped time>
 *     <properties><property name="device" value="..."/>...</properties>
 *     <testcase classname="gptq-harness.FMT.ADAPTER" name="DESCRIPTOR" time="S">
 *       <failure message type="FAILED|MISTRUSTED">  metrics, reason, repro line
 *       <error message type="ERROR">                reason, build log, repro line
 *       <skipped message/>                           SKIPPED, with the reason
 *       <system-out>                                 where, diagnosis, baseline
 *
 * failures counts FAILED and MISTRUSTED, errors ERROR, skipped SKIPPED.
 * Judged against a baseline, each testcase with a finding carries
 * <properties><property name="baseline" value="REGRESSION|NEW FAILURE|DRIFT|
 * known failure|fixed|new|NOT RUN"/> (bl_kind_name); a known failure is <skipped
 * message="known failure (...)"> (not counted in failures or errors) and
 * drift a <failure type="DRIFT"> (counted in failures). Every
 * string is escaped for XML 1.0 (see escape.h). Our own writer: CUnit's is
 * broken (docs/layout.md). Written to FILE.tmp, then renamed over FILE. */
#ifndef GH_JUNIT_H
#define GH_JUNIT_H

#include <stddef.h>

#include "results/baseline.h"
#include "results/gaps.h"
#include "results/record.h"

/* suite: the testsuite's name (e.g. "gptq-harness run" or a shard "... 2/3").
 * bl: baseline findings to mention (NULL: none). Returns 0 or -1. */
int junit_write(const char *path, const struct record_list *l, const struct bl_report *bl,
                const char *suite, char *err, size_t errlen);

/* The same, plus one testcase per case without a result (gaps.h; g may be
 * NULL): classname "gptq-harness.not-run", an <error type="not-run">, counted
 * in tests and errors, so that a partial run never reads as green. */
int junit_write_gaps(const char *path, const struct record_list *l, const struct bl_report *bl,
                     const char *suite, const struct run_gaps *g, char *err, size_t errlen);

#endif
