/* bench/analysis/report_flags.h - the report's account of a set's flagged rows: how many were
 * measured on a disturbed machine or break a physical rule, why, and which cases.
 *
 * Flagged rows stay in every table of the report with their numbers; this section, before the
 * tables, is where a reader learns which of them to doubt.
 */
#ifndef DMABENCH_REPORT_FLAGS_H
#define DMABENCH_REPORT_FLAGS_H

#include <stdio.h>

#include "result_set.h"

/* How many rows of s are flagged (disturbed or implausible); 0 for a set without the columns. */
size_t report_flagged_rows(const struct result_set *s, size_t *disturbed, size_t *implausible);
/* The "Flagged rows" section of one set. 0, or -ENOMEM. */
int report_flags(FILE *out, const struct result_set *s);

#endif
