/* bench/analysis/export_junit.h - JUnit XML, the report format every CI server reads.
 *
 * One <testsuites> document of <testsuite>s of <testcase>s, each passed, failed, errored or
 * skipped with a message, as Jenkins (its xunit plugin's junit-10.xsd), GitLab and GitHub
 * Actions expect: suites and cases with their time, a suite with its host and a <properties>
 * block. Text is escaped for XML 1.0 here, once, and is always UTF-8. Writes to the FILE it is
 * given; never prints elsewhere.
 */
#ifndef DMABENCH_EXPORT_JUNIT_H
#define DMABENCH_EXPORT_JUNIT_H

#include <stddef.h>
#include <stdio.h>

enum junit_outcome { JUNIT_PASS, JUNIT_FAILURE, JUNIT_ERROR, JUNIT_SKIPPED };

struct junit_counts {
    size_t tests, failures, errors, skipped;
};

/* One <property>; a NULL value leaves it out. */
struct junit_property {
    char name[48];
    const char *value;
};

struct junit_suite {
    const char *name;
    const char *timestamp; /* may be NULL */
    const char *hostname;  /* may be NULL */
    double time_s;         /* NAN: not known, left out */
    struct junit_counts counts;
    const struct junit_property *properties;
    size_t n_properties;
};

void junit_begin(FILE *out);
/* A suite's start tag (the counts come first in XML) and its <properties>. */
void junit_suite_open(FILE *out, const struct junit_suite *suite);
/* One case that took time_s seconds (NAN: not known, left out); message (may be NULL) goes in
 * the failure / error / skipped element, detail (may be NULL) in <system-out>. */
void junit_case_timed(FILE *out, const char *classname, const char *name, double time_s,
                      enum junit_outcome outcome, const char *message, const char *detail);
/* junit_case_timed without a time. */
void junit_case(FILE *out, const char *classname, const char *name, enum junit_outcome outcome,
                const char *message, const char *detail);
void junit_suite_end(FILE *out);
/* 0, or -EIO when anything could not be written. */
int junit_end(FILE *out);
/* Count one outcome. */
void junit_count(struct junit_counts *c, enum junit_outcome outcome);

#endif
