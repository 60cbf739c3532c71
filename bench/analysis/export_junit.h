/* bench/analysis/export_junit.h - JUnit XML, the report format every CI server reads.
 *
 * One <testsuites> document of <testsuite>s of <testcase>s, each passed, failed, errored or
 * skipped with a message, as Jenkins, GitLab and GitHub Actions expect. Text is escaped for
 * XML 1.0 here, once. Writes to the FILE it is given; never prints elsewhere.
 */
#ifndef DMABENCH_EXPORT_JUNIT_H
#define DMABENCH_EXPORT_JUNIT_H

#include <stddef.h>
#include <stdio.h>

enum junit_outcome { JUNIT_PASS, JUNIT_FAILURE, JUNIT_ERROR, JUNIT_SKIPPED };

struct junit_counts {
    size_t tests, failures, errors, skipped;
};

void junit_begin(FILE *out);
/* A suite and how many of its cases end each way (the attributes come first in XML). */
void junit_suite_begin(FILE *out, const char *name, const char *timestamp,
                       const struct junit_counts *counts);
/* One case; message (may be NULL) goes in the failure / error / skipped element, detail (may be
 * NULL) in <system-out>. */
void junit_case(FILE *out, const char *classname, const char *name, enum junit_outcome outcome,
                const char *message, const char *detail);
void junit_suite_end(FILE *out);
/* 0, or -EIO when anything could not be written. */
int junit_end(FILE *out);
/* Count one outcome. */
void junit_count(struct junit_counts *c, enum junit_outcome outcome);

#endif
