/* bench/analysis/report_tables.h - the key tables of a report, one result set at a time.
 *
 * Cached vs uncached bandwidth, sync cost per MiB, allocation percentiles, coherency verdicts:
 * each table cites the rows behind every number, and where a set has no rows for it, the text
 * says which data would fill it and how to measure it. Writes Markdown to a stream, nothing
 * else.
 */
#ifndef DMABENCH_REPORT_TABLES_H
#define DMABENCH_REPORT_TABLES_H

#include <stdio.h>

#include "result_set.h"

/* Each writes a "### ..." section. 0, or -ENOMEM / -EBADMSG (err says where). */
int report_table_bandwidth(FILE *out, const struct result_set *s, char *err, size_t err_len);
int report_table_sync(FILE *out, const struct result_set *s, char *err, size_t err_len);
int report_table_alloc(FILE *out, const struct result_set *s, char *err, size_t err_len);
int report_table_coherency(FILE *out, const struct result_set *s, char *err, size_t err_len);

/* A cpu bandwidth row through a cached mapping matched with an uncached one: the same case
 * but for the heap. */
struct class_pair {
    const struct result_row *cached, *uncached;
};
/* Every such pair among the measured cpu bandwidth rows (cached: class cached or contiguous;
 * process memory only when no cached dma-buf heap was measured). *out is malloc'd (NULL when
 * n is 0). 0 or -ENOMEM. */
int report_class_pairs(const struct result_set *s, struct class_pair **out, size_t *n);

/* A coherency probe's verdict on a row: the verdict column where the benchmark wrote one, else
 * from a stale-line count (0 "coherent", more "needs-sync"), with the count in *count (NAN
 * when it is no count); NULL when the row is no measured probe. */
const char *report_verdict(const struct result_set *s, const struct result_row *r, double *count);
/* The sync strategy of a row: its strategy column, else its kernel. */
const char *report_strategy(const struct result_set *s, const struct result_row *r);

/* The kernel's operation: "write" of "write:nt". */
void report_kernel_op(const char *kernel, char *op, size_t len);

#endif
