/* bench/analysis/export_lava.h - test results for LAVA: lava-test-case calls, command lines or
 * signals.
 *
 * Inside a LAVA test shell the lava-test-case helper is on PATH and records each result; off
 * the board it is not, and the same results are printed as the command lines (to read, or to
 * pipe into sh where the helpers are), or as the raw <LAVA_SIGNAL_TESTCASE ...> lines that the
 * dispatcher reads from the console when nothing else reports for dmabench.
 */
#ifndef DMABENCH_EXPORT_LAVA_H
#define DMABENCH_EXPORT_LAVA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define LAVA_HELPER "lava-test-case"

enum lava_mode {
    LAVA_PRINT,      /* print "lava-test-case NAME --result R ..." lines */
    LAVA_HELPER_RUN, /* run lava-test-case (found on PATH) once per result */
    LAVA_SIGNAL,     /* print "<LAVA_SIGNAL_TESTCASE TEST_CASE_ID=NAME RESULT=R ...>" lines */
};

struct lava_sink {
    enum lava_mode mode;
    FILE *out;         /* where PRINT and SIGNAL lines go (flushed before the helper runs) */
    char helper[4096]; /* LAVA_HELPER_RUN: the helper's path */
};

/* The helper's path when lava-test-case is an executable on PATH: true, else false. */
bool lava_helper_find(char *path, size_t len);
/* signal: LAVA_SIGNAL; otherwise LAVA_HELPER_RUN when the helper is on PATH, else LAVA_PRINT. */
void lava_sink_init(struct lava_sink *s, FILE *out, bool signal);
/* One result: result is pass, fail, skip or unknown; measurement NAN for none (units are then
 * left out too). 0, or -errno: the helper could not be started (-ENOENT ...), it exited
 * non-zero (-EIO), or the output could not be written (-EIO). */
int lava_report(const struct lava_sink *s, const char *name, const char *result, double measurement,
                const char *units);

/* The dotted name of a case's metric that LAVA test cases and KCIDB test paths use: prefix
 * (may be NULL), the benchmark, each parameter value of case_id in its order, the metric;
 * every part reduced to [A-Za-z0-9_-] (others become '_'), so that
 * "cpu:heap=system;size=4KiB;kernel=read:avx2" + "bandwidth" becomes
 * "cpu.system.4KiB.read_avx2.bandwidth". Cut to len - 1 bytes. */
void export_case_path(char *out, size_t len, const char *prefix, const char *case_id,
                      const char *metric);

#endif
