/* bench/analysis/report.h - `dmabench report`: result sets -> report.md with plots, tables, advice.
 *
 * The report embeds the plots plot_make left in its directory, the key tables of each set and
 * the recommendations its rows support, each citing the rows (case ids and lines) it came from.
 * Writes Markdown to a stream; never prints.
 */
#ifndef DMABENCH_REPORT_H
#define DMABENCH_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "plot.h"

struct report_input {
    struct result_set *const *sets;
    size_t n_sets;
    const struct plot_outcome *plots; /* what plot_make did in the report's directory */
    size_t n_plots;
    const char *no_plots; /* why there are none (gnuplot missing, --no-plots), or NULL */
};

/* The whole report. 0, or -ENOMEM / -EBADMSG with a line in err, or -EIO when out fails. */
int report_write(FILE *out, const struct report_input *in, char *err, size_t err_len);

#endif
