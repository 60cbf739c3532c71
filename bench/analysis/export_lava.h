/* bench/analysis/export_lava.h - test results for LAVA: lava-test-case calls, or signal lines.
 *
 * Inside a LAVA test shell the lava-test-case helper is on PATH and records each result; off
 * LAVA it is not, and the same results are printed as <LAVA_SIGNAL_TESTCASE ...> lines, as
 * Linaro's send-to-lava.sh does, which test-definitions' test-runner.py reads from stdout and
 * LAVA's dispatcher reads from the console. Case names fit LAVA's 100 characters.
 */
#ifndef DMABENCH_EXPORT_LAVA_H
#define DMABENCH_EXPORT_LAVA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "export_junit.h"

#define LAVA_HELPER "lava-test-case"
/* LAVA's limit on the length of a test case name. */
#define LAVA_NAME_MAX 100

enum lava_mode {
    LAVA_HELPER_RUN, /* run lava-test-case (found on PATH) once per result */
    LAVA_SIGNAL,     /* print "<LAVA_SIGNAL_TESTCASE TEST_CASE_ID=NAME RESULT=R ...>" lines */
};

struct lava_sink {
    enum lava_mode mode;
    FILE *out;         /* where signal lines and case notes go (flushed before the helper runs) */
    char helper[4096]; /* LAVA_HELPER_RUN: the helper's path */
};

/* The helper's path when lava-test-case is an executable on PATH: true, else false. */
bool lava_helper_find(char *path, size_t len);
/* signal: LAVA_SIGNAL; otherwise LAVA_HELPER_RUN when the helper is on PATH, else LAVA_SIGNAL
 * (the fallback of send-to-lava.sh). */
void lava_sink_init(struct lava_sink *s, FILE *out, bool signal);
/* LAVA's word for a JUnit outcome: pass, fail (a failure or an error) or skip. */
const char *lava_result_of_junit(enum junit_outcome o);
/* One result: result is pass, fail, skip or unknown; measurement NAN for none (units are then
 * left out too). 0, or -errno: the helper could not be started (-ENOENT ...), it exited
 * non-zero (-EIO), or the output could not be written (-EIO). */
int lava_report(const struct lava_sink *s, const char *name, const char *result, double measurement,
                const char *units);

/* A case's LAVA name, at most LAVA_NAME_MAX characters: export_case_path(prefix, case_id,
 * metric) when it fits; else its first characters, '-' and 12 hex digits of a hash of prefix,
 * case id and metric whole, so that the name is the same in every run and differs from every
 * other case's. True when the name was cut (it no longer reads the whole case). */
bool lava_case_name(char out[LAVA_NAME_MAX + 1], const char *prefix, const char *case_id,
                    const char *metric);
/* lava_report under lava_case_name's name; a cut name is preceded by a line that gives the
 * whole case ("dmabench: NAME is CASE_ID METRIC", kept in the job's log, since LAVA keeps no
 * other field of a result). */
int lava_report_case(const struct lava_sink *s, const char *prefix, const char *case_id,
                     const char *metric, const char *result, double measurement, const char *units);

/* The dotted name of a case's metric that LAVA test cases and KCIDB test paths use: prefix
 * (may be NULL), the benchmark, each parameter value of case_id in its order, the metric;
 * every part reduced to [A-Za-z0-9_-] (others become '_'), so that
 * "cpu:heap=system;size=4KiB;kernel=read:avx2" + "bandwidth" becomes
 * "cpu.system.4KiB.read_avx2.bandwidth". Cut to len - 1 bytes. */
void export_case_path(char *out, size_t len, const char *prefix, const char *case_id,
                      const char *metric);

#endif
