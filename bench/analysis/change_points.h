/* bench/analysis/change_points.h - PLACEHOLDER on branch i14-history only, until i14-cp's
 * change_points.[ch] land on main: the agreed API (COMMON14.md) over a crude stand-in, so that
 * `dmabench history` builds and its tests run. It is deleted when main has the real one.
 */
#ifndef DMABENCH_CHANGE_POINTS_H
#define DMABENCH_CHANGE_POINTS_H

#include <stdbool.h>
#include <stddef.h>

#include "history.h"

#define CP_CONFIRM_WINDOW 5

struct cp_opts {
    double alpha;
    unsigned permutations;
    unsigned long long seed;
    size_t min_segment;
};

void cp_opts_default(struct cp_opts *o);
int change_points_find(const double *x, size_t n, const struct cp_opts *o,
                       struct history_change *out, size_t max, size_t *found);

struct cp_confirmation {
    bool tested, confirmed;
    double p_value;
    size_t runs_before, runs_after, samples_before, samples_after;
};

int change_points_confirm(const struct history_point *points, size_t n,
                          const struct history_change *changes, size_t n_changes, size_t which,
                          size_t window, double alpha, struct cp_confirmation *out);

#endif
