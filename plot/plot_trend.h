/* plot/plot_trend.h - PLACEHOLDER on branch i14-history only, until i14-html's trend plots
 * land on main: the agreed API (COMMON14.md). Deleted at that merge.
 */
#ifndef DMABENCH_PLOT_TREND_H
#define DMABENCH_PLOT_TREND_H

#include <stddef.h>

#include "history.h"

int plot_trend_write(const struct history *h, int dirfd, const char *dir, char *err, size_t len);

#endif
