/* bench/analysis/report_md.h - the Markdown pieces every part of `dmabench report` writes the same
 * way.
 *
 * Numbers with as many digits as they deserve, table cells that cannot break the table, and the
 * citation of the results.csv rows a number came from (case id and line), so that any number
 * in a report can be traced back to its measurement.
 */
#ifndef DMABENCH_REPORT_MD_H
#define DMABENCH_REPORT_MD_H

#include <stddef.h>
#include <stdio.h>

#include "result_set.h"

/* 3 significant digits, no exponent for the ranges a report shows: 412, 41.2, 4.12, 0.412. */
const char *report_num(double v, char *buf, size_t len);
/* "4KiB", "64MiB": a size as the case ids write it. */
const char *report_size(double bytes, char *buf, size_t len);

/* A table cell: '|' and line ends would end the cell or the row, so they are replaced. */
void report_cell(FILE *out, const char *text);
/* A header row and its separator: names separated by '|', e.g. "size|GB/s|rows". */
void report_table_head(FILE *out, const char *names);

/* The rows a number came from: "`CASE_ID` (line N)" for each, comma-separated. */
void report_cite(FILE *out, const struct result_row *const *rows, size_t n,
                 const struct result_set *s);
/* One row. */
void report_cite1(FILE *out, const struct result_row *row, const struct result_set *s);

#endif
