/* bench/analysis/history_newest.c - a series' newest run against the median of its baseline
 * segment (see history_newest.h).
 */
#include "history_newest.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "history_read.h"
#include "stats.h"

const struct history_board *history_board_of(const struct history *h,
                                             const struct history_series *s)
{
    int i = history_board_find(h, s->board);
    return i < 0 ? NULL : &h->boards[i];
}

int history_newest_judge(const struct history *h, const struct history_series *s,
                         struct history_newest *out)
{
    const struct history_board *b = history_board_of(h, s);
    if (!b || !b->n_runs || s->n_points < 2 ||
        s->points[s->n_points - 1].run != b->runs[b->n_runs - 1])
        return -ENOENT;
    *out = (struct history_newest){.point = s->n_points - 1,
                                   .median = s->points[s->n_points - 1].median};
    /* The segment the newest run is in starts at the last change at or before it. */
    size_t start = 0, before = 0;
    for (size_t k = 0; k < s->n_changes; k++) {
        if (s->changes[k].index > out->point)
            break;
        before = start;
        start = s->changes[k].index;
    }
    out->after_change = s->n_changes && start == out->point;
    out->first = out->after_change ? before : start;
    out->last = out->point - 1;
    double *v = malloc((out->last - out->first + 1) * sizeof(*v));
    if (!v)
        return -ENOMEM;
    for (size_t i = out->first; i <= out->last; i++) {
        size_t run = s->points[i].run;
        if (run < h->n_runs && !h->runs[run].disturbed && !isnan(s->points[i].median))
            v[out->n_baseline++] = s->points[i].median;
    }
    if (!out->n_baseline) {
        free(v);
        return -ENOENT;
    }
    out->baseline = stats_median_sort(v, out->n_baseline);
    free(v);
    out->change = out->median / out->baseline - 1;
    out->worse = s->higher_better ? out->change < 0 : out->change > 0;
    return 0;
}
