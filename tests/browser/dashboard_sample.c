/* tests/browser/dashboard_sample.c - writes the dashboard of the sample history
 * (tests/unit/history_fixture.h) for the browser test: its trend plots, then its index.html.
 *
 *   dashboard_sample OUT_DIR RUNS_DIR    the runs' directories are made under RUNS_DIR
 *
 * What `dmabench history -o DIR --html` does once history has read the runs; the scripts are
 * found as dmabench finds them (DMABENCH_PLOT_DIR).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "history_fixture.h"
#include "history_html.h"
#include "output_dir.h"
#include "plot_trend.h"

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s OUT_DIR RUNS_DIR\n", argv[0]);
        return 2;
    }
    char err[1024] = "";
    int dirfd, ret = output_dir_open(argv[1], true, &dirfd, err, sizeof(err));
    if (ret) {
        fprintf(stderr, "dashboard_sample: %s\n", err);
        return 1;
    }
    struct history *h = history_fixture_sample(argv[2]);
    if ((ret = plot_trend_write(h, dirfd, argv[1], err, sizeof(err))) ||
        (ret = history_html_write(h, dirfd, argv[1], err, sizeof(err))))
        fprintf(stderr, "dashboard_sample: %s\n", err);
    history_free(h);
    close(dirfd);
    return ret ? 1 : 0;
}
