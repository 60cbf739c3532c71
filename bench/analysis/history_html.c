/* bench/analysis/history_html.c - PLACEHOLDER on branch i14-history only (history_html.h):
 * says the page is not built in, until i14-html's renderer replaces this file.
 */
#include "history_html.h"

#include <errno.h>
#include <stdio.h>

int history_html_write(const struct history *h, int dirfd, const char *dir, char *err, size_t len)
{
    (void)h;
    (void)dirfd;
    snprintf(err, len, "%s: the HTML page is not in this build yet", dir);
    return -ENOSYS;
}
