/* plot/plot_trend.h - `dmabench history`'s trend plots: a series (board x case x metric) over
 * its board's runs, each run's median with its 95% CI, disturbed runs apart, the change points
 * marked (plot/trend.gp draws it).
 *
 * Not every series gets one (a thousand gnuplot runs would take minutes): plot_trend_pick says
 * which. Files are named from the series by plot_trend_name, never from a case id as it is (it
 * holds ';', '=' and whatever a board put in it). Never prints.
 */
#ifndef DMABENCH_PLOT_TREND_H
#define DMABENCH_PLOT_TREND_H

#include <stddef.h>

#include "history.h"

#define PLOT_TREND_MAX_DEFAULT 24 /* plots at most, by default */
#define PLOT_TREND_NAME_MAX    104

/* The files' stem: "trend-" + the board, the metric and the case id's values (its keys left
 * out: "cpu:heap=host;size=4KiB" gives "cpu-host-4KiB"), each run of characters other than
 * [A-Za-z0-9.] turned into one '-', cut at 80 characters, + "-" + 8 hex digits of a hash of
 * the board, case id and metric whole. The same series gives the same name in every run of
 * history. */
void plot_trend_name(const struct history_series *s, char out[PLOT_TREND_NAME_MAX]);

/* The series worth a plot (of two points or more), at most max, in this order:
 *  1. per board (in h's order), the series whose newest run is the furthest in its worse
 *     direction from its baseline (bench/analysis/history_newest.h), when one is;
 *  2. every series with a change point: those with a regression first, then an inconclusive
 *     one, then any other worse change, then only better ones; within each, the largest
 *     |change| first.
 * A series is picked once. *picked (malloc'd, n entries) holds indices into h->series; 0 or
 * -ENOMEM. */
int plot_trend_pick(const struct history *h, size_t max, size_t **picked, size_t *n);

/* Write the picked series' plots into the directory dirfd (its path dir, for messages):
 * STEM.png, STEM.svg and STEM.dat (plot_trend_name), made in a private directory as `dmabench
 * plot` makes its plots. The scripts are found as plot_find_scripts finds them. Returns 0 when
 * every plot was made (or none was worth one: then gnuplot is not needed); -ECHILD when
 * gnuplot failed or warned on one (err names the first, the others are still made); -ENOENT
 * when gnuplot or the scripts are not found; -ENOMEM or the -errno of writing a file; err says
 * what. */
int plot_trend_write_max(const struct history *h, size_t max, int dirfd, const char *dir, char *err,
                         size_t len);
/* The same with max = PLOT_TREND_MAX_DEFAULT. */
int plot_trend_write(const struct history *h, int dirfd, const char *dir, char *err, size_t len);

#endif
