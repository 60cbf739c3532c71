/* bench/analysis/compare_format.h - a compare report as a person or a CI system reads it.
 *
 * The terminal table and Markdown show each NEW input against BASE with medians, change,
 * p-value and verdict, then the geometric-mean summary; CSV is one tidy row per case and
 * comparison; JUnit and LAVA carry the verdicts (a regression fails its test case); JSON is the
 * whole report (results_json.h).
 */
#ifndef DMABENCH_COMPARE_FORMAT_H
#define DMABENCH_COMPARE_FORMAT_H

#include <stdio.h>

#include "compare.h"
#include "export_lava.h"

enum compare_format {
    COMPARE_FORMAT_TABLE,
    COMPARE_FORMAT_MD,
    COMPARE_FORMAT_CSV,
    COMPARE_FORMAT_JUNIT,
    COMPARE_FORMAT_LAVA,
    COMPARE_FORMAT_LAVA_SIGNAL,
    COMPARE_FORMAT_JSON,
    N_COMPARE_FORMATS
};

/* The formats' names, by enum compare_format: "table", "md", "csv", "junit", "lava",
 * "lava-signal", "json". */
extern const char *const compare_format_names[N_COMPARE_FORMATS];
/* One of compare_format_names: 0, or -EINVAL. */
int compare_format_parse(const char *name, enum compare_format *out);
/* Write the report. lava is used by the two LAVA formats only (may be NULL otherwise).
 * 0, or -EIO (output) / the helper's error (lava). */
int compare_write(const struct compare_report *r, enum compare_format format, FILE *out,
                  const struct lava_sink *lava);

/* The CSV format's header, for tests and the documentation. */
extern const char *const compare_csv_columns[];
extern const size_t n_compare_csv_columns;

#endif
