/* bench/analysis/report_precision.h - the report's account of how precise a set's figures are: the
 * coefficient of variation of its measured rows, per benchmark and metric.
 *
 * It answers "can I trust a 2% difference in this set?" before any table invites one.
 */
#ifndef DMABENCH_REPORT_PRECISION_H
#define DMABENCH_REPORT_PRECISION_H

#include <stdio.h>

#include "result_set.h"

/* The "Precision" section of one set. 0, or -ENOMEM. */
int report_precision(FILE *out, const struct result_set *s);

#endif
