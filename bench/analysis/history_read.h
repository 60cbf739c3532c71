/* bench/analysis/history_read.h - builds the history model (history.h) from result sets and
 * trees of them: runs, boards in run order, one series per board x case x metric.
 *
 * Up to thousands of runs are read one at a time: each set's results, samples and metadata are
 * copied into the model (what it needs, no more) and freed before the next, so memory grows
 * with the series, not with the sets. Unusable sets are skipped with a warning. Never prints.
 */
#ifndef DMABENCH_HISTORY_READ_H
#define DMABENCH_HISTORY_READ_H

#include <stdbool.h>
#include <stddef.h>

#include "history.h"
#include "history_find.h"

/* Peers each run's noise is judged against (run_noise_judge_facts): its neighbours in the
 * board's order, this many at most, since a board's settings and pace drift over a long
 * history and a run is held to those of its time. */
#define HISTORY_NOISE_PEERS 32

struct history_opts {
    enum history_order order;
    bool counters;             /* keep counter rows (perf::..., events/...) as series too */
    const char *const *boards; /* only these boards (result_set_board names); NULL: all */
    size_t n_boards;
    struct history_warn warn; /* a set skipped, a board named that has no runs ... */
};

/* Read the sets in or under paths (history_find_sets) into *out: runs, each board's runs in
 * opts->order (the last is the newest), each run's noise mark, and the series (sorted by board,
 * case_id, metric; points in run order) of measured rows (result_row_measured; with counters,
 * counter rows too). No change points yet (history_find_changes). 0, or -errno with one line
 * in err: -ENOENT / -ENOTDIR (a named path), -ENODATA (no usable result set), -ENOMEM. */
int history_build(const char *const *paths, size_t n_paths, const struct history_opts *opts,
                  struct history **out, char *err, size_t err_len);
/* Frees what history_build made (NULL is nothing). */
void history_free(struct history *h);
/* A series with copies of its six strings, in one allocation starting at board (history_free
 * frees it), and no points yet. 0 or -ENOMEM. */
int history_series_init(struct history_series *s, const char *board, const char *case_id,
                        const char *bench, const char *heap, const char *metric, const char *unit,
                        bool higher_better);

/* The index of the board called name in h->boards, or -1. */
int history_board_find(const struct history *h, const char *name);

#endif
