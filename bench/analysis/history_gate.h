/* bench/analysis/history_gate.h - change points in every series of a history, and the gate's
 * verdict on each board's newest run.
 *
 * Change points are found on the points of undisturbed runs only (the baseline), so a noisy
 * night cannot make one. A regression is a significant change point in the metric's worse
 * direction larger than the threshold; the gate fails a series when the board's newest run is
 * in the segment after its last change point and that change is a regression. A regression
 * that only shows when disturbed runs are counted is inconclusive, never a failure.
 */
#ifndef DMABENCH_HISTORY_GATE_H
#define DMABENCH_HISTORY_GATE_H

#include <stdbool.h>
#include <stddef.h>

#include "change_points.h"
#include "history.h"

struct history_gate_opts {
    double threshold;  /* a regression is larger than this: 0.05 = 5% */
    struct cp_opts cp; /* alpha, permutations, seed, min_segment */
};

/* threshold as compare's (COMPARE_THRESHOLD_DEFAULT), cp_opts_default. */
void history_gate_opts_default(struct history_gate_opts *o);

/* Fill every series' changes (replacing any): index, before/after, change, p_value from
 * change_points_find on the undisturbed points, worse/regression here; where the series' newest
 * points are disturbed runs, a regression found only with them counted is added, inconclusive,
 * with the reason. 0, -ENOMEM or -EINVAL (change_points_find's). */
int history_find_changes(struct history *h, const struct history_gate_opts *o);

#define HISTORY_VERDICTS(X)                                                                        \
    X(PASS, "pass")                 /* no regression at the newest run */                          \
    X(REGRESSION, "regression")     /* the newest run is after a regression change point */        \
    X(INCONCLUSIVE, "inconclusive") /* a regression seen only in disturbed runs, or the newest     \
                                       run is disturbed */                                         \
    X(MISSING, "missing")           /* the series has no point at the board's newest run */        \
    X(SINGLE, "single-run")         /* one point: nothing to compare it with */

enum history_verdict {
#define HISTORY_VERDICT_ENUM(id, name) HISTORY_VERDICT_##id,
    HISTORY_VERDICTS(HISTORY_VERDICT_ENUM)
#undef HISTORY_VERDICT_ENUM
            N_HISTORY_VERDICTS
};

const char *history_verdict_name(enum history_verdict v);
/* "better" or "worse", from a change's direction. */
const char *history_change_direction(const struct history_change *c);
/* What a change is called in tables and plots: "inconclusive", "regression", or its direction
 * (a worse change within the threshold is no regression). */
const char *history_change_label(const struct history_change *c);

/* The series' verdict at its board's newest run; *why (may be NULL) gets the change behind a
 * regression or an inconclusive one, else NULL. */
enum history_verdict history_series_verdict(const struct history *h, const struct history_series *s,
                                            const struct history_change **why);

/* A board's verdict: regression when any of its series is one; else inconclusive when any is,
 * or when its newest run is disturbed; else pass. */
enum history_verdict history_board_verdict(const struct history *h, size_t board);

/* The run at the board's newest position, or NULL for a board without runs. */
const struct history_run *history_board_newest(const struct history *h, size_t board);

#endif
