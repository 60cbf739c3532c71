/* bench/analysis/history_html.h - PLACEHOLDER on branch i14-history only, until i14-html's
 * page renderer lands on main: the agreed API (COMMON14.md). Deleted at that merge.
 */
#ifndef DMABENCH_HISTORY_HTML_H
#define DMABENCH_HISTORY_HTML_H

#include <stddef.h>

#include "history.h"

int history_html_write(const struct history *h, int dirfd, const char *dir, char *err, size_t len);

#endif
