/* plot/plot_trend.c - PLACEHOLDER on branch i14-history only (plot_trend.h): says the trend
 * plots are not built in, until i14-html's driver replaces this file.
 */
#include "plot_trend.h"

#include <errno.h>
#include <stdio.h>

int plot_trend_write(const struct history *h, int dirfd, const char *dir, char *err, size_t len)
{
    (void)h;
    (void)dirfd;
    snprintf(err, len, "%s: the trend plots are not in this build yet", dir);
    return -ENOSYS;
}
