/* plot/plot_gnuplot.h - runs one gnuplot script with arguments, and keeps what it complains about.
 *
 * `gnuplot -c SCRIPT ARG...` from an argv (posix_spawnp, no shell: titles and paths may hold any
 * character). Its stderr is captured whole, because gnuplot reports bad data, empty ranges and
 * missing fonts as warnings there and still exits 0: the caller decides that a warning fails.
 */
#ifndef DMABENCH_PLOT_GNUPLOT_H
#define DMABENCH_PLOT_GNUPLOT_H

#include <stddef.h>

/* The program run: $DMABENCH_GNUPLOT when set (tests plant a fake one), else "gnuplot" from
 * PATH. */
const char *plot_gnuplot_program(void);

/* Run it with at most 8 script arguments (gnuplot -c has ARG1..ARG9) in the directory cwd_fd
 * (relative paths in args are there), and wait. stdin and stdout are /dev/null; *errors gets
 * its stderr (malloc'd, "" when it said nothing; NULL on -ENOMEM). Returns 0 when it exited 0,
 * -ENOENT when the program cannot be found, -ECHILD when it exited non-zero or was killed
 * (*status is the wait status), or another -errno. */
int plot_gnuplot_run(const char *script, const char *const *args, size_t n_args, int cwd_fd,
                     char **errors, int *status);

#endif
