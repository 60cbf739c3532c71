/* bench/analysis/history_html.h - `dmabench history -o DIR --html`: DIR/index.html, one static
 * page (inline CSS, no script, nothing fetched from the network) for a board farm's morning:
 * per board, the newest run against its baseline, the change points with links to the runs,
 * and the trend plots.
 *
 * Every string from a result file is HTML-escaped and made valid UTF-8 (a board names its own
 * cases); links and images point only at what exists. Never prints.
 */
#ifndef DMABENCH_HISTORY_HTML_H
#define DMABENCH_HISTORY_HTML_H

#include <stddef.h>

#include "history.h"

#define HISTORY_HTML_MOVED       0.05 /* the newest run is listed where it moved by this much */
#define HISTORY_HTML_ROWS_MAX    50   /* rows of the newest run's table, per board */
#define HISTORY_HTML_CHANGES_MAX 200  /* rows of the change points table, per board */

/* Write DIR/index.html (dirfd is DIR, opened by output_dir_open; dir its path, for messages),
 * replacing it through a temporary (bench/results/safe_file.h). Call it after
 * plot_trend_write: the page shows the trend plots it draws (plot/plot_trend.h, the default
 * pick) that are in DIR as PNG, and none that is not there. A run's directory is linked
 * relative to DIR when it exists, else its path is given as text. 0, or -errno with err set. */
int history_html_write(const struct history *h, int dirfd, const char *dir, char *err, size_t len);

#endif
