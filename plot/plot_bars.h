/* plot/plot_bars.h - the cases every result set measured, side by side (board vs board).
 *
 * Sets are joined on case id and metric, as `compare` joins them; each joined case becomes
 * values relative to the first set, turned so that above 1 is better whatever the metric's
 * direction, which lets bandwidth and latency share one bar chart. This is the picture, not the
 * verdict: significance and regressions are `dmabench compare`'s job. Never prints.
 */
#ifndef DMABENCH_PLOT_BARS_H
#define DMABENCH_PLOT_BARS_H

#include <stdbool.h>
#include <stddef.h>

#include "result_set.h"

#define BARS_MAX_CASES 12 /* more bars are unreadable: see plot_bars_build */

struct bar_case {
    char *label;                    /* what varies among the shown cases: "bandwidth host read" */
    const struct result_row **rows; /* one per set */
    double *rel, *lo, *hi;          /* per set: relative median and CI; set 0 has rel 1 */
    bool lower_is_better;
};

struct bar_cases {
    struct bar_case *cases;
    size_t n;
    size_t n_common; /* joined cases before the selection below */
};

/* Join the sets (two or more). When more than BARS_MAX_CASES cases are common, only the
 * largest size of each group of cases that differ in size alone is kept (DRAM numbers are what
 * boards differ in most), then the first BARS_MAX_CASES in run order. Cases whose median is
 * not positive in some set are left out. 0 or -ENOMEM. */
int plot_bars_build(struct result_set *const *sets, size_t n_sets, struct bar_cases *out);
void plot_bars_free(struct bar_cases *c);

/* Whether the sets come from different boards (else: runs of one board). */
bool plot_bars_boards_differ(struct result_set *const *sets, size_t n_sets);

#endif
