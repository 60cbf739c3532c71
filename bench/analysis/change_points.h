/* bench/analysis/change_points.h - where a series of run medians changed level: E-divisive
 * means (Matteson & James 2014) with a permutation test on each change point, and a check of a
 * change against the runs' raw samples.
 *
 * `dmabench history` runs this on every series (board x case x metric). Pure maths on arrays:
 * no I/O, no globals, deterministic for a given seed. docs/change-points.md is the method.
 *
 * Cost, L the length of a segment and n of the series: one evaluation of a segment (its best
 * split) is O(L^2) up to CP_ANY_END_MAX points and O(L * CP_SECOND_SAMPLE_MAX + L log L)
 * beyond: the within sums of the intervals grown one point at a time (no distance matrix),
 * those of prefixes and suffixes through a Fenwick tree over the segment's ranks. A
 * permutation evaluates each segment long enough to split once (the draws are kept from one
 * candidate to the next). A candidate costs at most `permutations` permutations, and stops as
 * soon as it cannot be significant: about 50 for a series with no change. Memory O(n) plus
 * `permutations` doubles per segment.
 */
#ifndef DMABENCH_CHANGE_POINTS_H
#define DMABENCH_CHANGE_POINTS_H

#include <stdbool.h>
#include <stddef.h>

#include "history.h"

#define CP_ALPHA_DEFAULT        0.01 /* significance level of each change point */
#define CP_PERMUTATIONS_DEFAULT 999  /* p >= 1/1000; p < 0.01 allows 8 permuted exceedances */
#define CP_SEED_DEFAULT         0x64756d6162656e63ULL
#define CP_MIN_SEGMENT_DEFAULT  3 /* runs a level must last, either side of a change */
#define CP_CONFIRM_WINDOW       5 /* runs either side whose raw samples confirm a change */
/* Segments up to CP_ANY_END_MAX points use the paper's statistic, maximised over the split and
 * over the end of the second sample, O(L^2); in longer ones the second sample runs to the end
 * of the segment or holds at most CP_SECOND_SAMPLE_MAX points, O(L * CP_SECOND_SAMPLE_MAX). */
#define CP_ANY_END_MAX       256
#define CP_SECOND_SAMPLE_MAX 64

struct cp_opts {
    double alpha;            /* a change point needs permutation p < alpha; in (0, 1) */
    unsigned permutations;   /* at most this many per candidate; 1/(permutations+1) < alpha */
    unsigned long long seed; /* of the permutations' generator: same seed, same answer */
    size_t min_segment;      /* fewest points between two change points or an end; >= 2 */
};

/* alpha 0.01, 999 permutations, CP_SEED_DEFAULT, min_segment 3. */
void cp_opts_default(struct cp_opts *o);

/* Change points of x[0..n) (o NULL: the defaults). Found by recursive bisection, each accepted
 * only when its permutation p-value is below o->alpha; the search stops at the first that is
 * not. Stores at most max of them in out (NULL when max is 0), the first found (the strongest)
 * when there are more, in index order: index = first point after the change, before/after =
 * medians of the segments either side (between neighbouring change points, all found ones
 * counted), change = (after - before) / |before| (NAN when before is 0), p_value. The caller
 * fills worse, regression, inconclusive and reason (zeroed here). *found = all found.
 * A constant series, or n < 2 * min_segment, has none. Returns 0, -EINVAL (a value of x is
 * not finite, bad options, found NULL, out NULL with max > 0, n >= 2^32) or -ENOMEM. */
int change_points_find(const double *x, size_t n, const struct cp_opts *o,
                       struct history_change *out, size_t max, size_t *found);

/* The largest statistic Q over the splits of x[0..n) that change_points_find considers
 * first, and in *split the first point after its split: for tests, and for anyone who wants to
 * see the method's choice. NAN when n < 2 * min_segment, min_segment < 2, a value is not
 * finite, or on ENOMEM; 0 for a constant series (*split untouched). */
double change_points_statistic(const double *x, size_t n, size_t min_segment, size_t *split);

/* What the raw samples say about one change point. */
struct cp_confirmation {
    bool tested;    /* runs on both sides had samples; false: the medians alone decide */
    bool confirmed; /* tested, Mann-Whitney p < alpha, and the samples moved as the medians */
    double p_value; /* two-sided Mann-Whitney p of the pooled samples; NAN when not tested */
    size_t runs_before, runs_after;       /* runs in the windows that had samples */
    size_t samples_before, samples_after; /* finite samples pooled on each side */
};

/* Checks changes[which] of the series points[0..n) against the raw samples: pools the finite
 * samples of up to `window` points either side of it (stopping at the neighbouring change
 * points) and runs Mann-Whitney on before vs after. Samples of different runs are not
 * independent (each run has its own conditions), so this p-value is too small as evidence on
 * its own: use it only to veto a change the medians found (keep it when !tested or confirmed).
 * 0, -EINVAL (which >= n_changes, an index outside the series, window 0, alpha outside
 * (0, 1)), or -ENOMEM. */
int change_points_confirm(const struct history_point *points, size_t n,
                          const struct history_change *changes, size_t n_changes, size_t which,
                          size_t window, double alpha, struct cp_confirmation *out);

#endif
