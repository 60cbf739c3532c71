/* bench/analysis/report_advice.h - the recommendations a result set's rows support, and no others.
 *
 * Each recommendation is computed from measured rows and cites them; one the rows cannot
 * support is not guessed at: the report says which measurements would settle it. Writes
 * Markdown to a stream, nothing else.
 */
#ifndef DMABENCH_REPORT_ADVICE_H
#define DMABENCH_REPORT_ADVICE_H

#include <stdio.h>

#include "result_set.h"

/* A Markdown list: write-once buffers (uncached vs cached + sync), partial vs full sync, which
 * heaps need sync, allocation tails, pool depth, CPU reads from uncached memory. 0, or
 * -ENOMEM / -EBADMSG (err says where). */
int report_advice(FILE *out, const struct result_set *s, char *err, size_t err_len);

#endif
