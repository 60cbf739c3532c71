/* bench/analysis/change_points.h - PLACEHOLDER on branch i14-history only, until i14-cp's
 * change_points.[ch] land on main: the agreed API (COMMON14.md) over a crude stand-in, so that
 * `dmabench history` builds and its tests run. It is deleted when main has the real one.
 */
#ifndef DMABENCH_CHANGE_POINTS_H
#define DMABENCH_CHANGE_POINTS_H

#include <stddef.h>

#include "history.h"

struct cp_opts {
    double alpha;
    unsigned permutations;
    unsigned long long seed;
    size_t min_segment;
};

void cp_opts_default(struct cp_opts *o);
int change_points_find(const double *x, size_t n, const struct cp_opts *o,
                       struct history_change *out, size_t max, size_t *found);

#endif
