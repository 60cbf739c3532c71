/* plot/plot_render.h - one plot script run on its .dat file, and what it made moved into place.
 *
 * gnuplot writes by path, so it runs in a private directory inside the output directory
 * (bench/results/safe_file.h): STEM.dat is written there, moved over the old one once gnuplot
 * has read it, and STEM.png and STEM.svg are moved only when both are whole and gnuplot exited 0
 * without a word on stderr. Shared by `dmabench plot` and the trend plots of `history`.
 */
#ifndef DMABENCH_PLOT_RENDER_H
#define DMABENCH_PLOT_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct plot_render {
    int dirfd;              /* the output directory (not owned) */
    int subfd;              /* the private directory in it, gnuplot's working directory */
    const char *out_dir;    /* its path, for messages */
    const char *script_dir; /* plot/ */
    char private_name[64];
};

/* Make the private directory in dirfd. 0, or -errno with err set. */
int plot_render_begin(struct plot_render *r, int dirfd, const char *out_dir, const char *script_dir,
                      char *err, size_t err_len);
/* Remove it and everything left in it. */
void plot_render_end(struct plot_render *r);

/* STEM.dat, created in the private directory for writing. 0, or -errno with err set. */
int plot_render_dat_create(const struct plot_render *r, const char *stem, FILE **f, char *err,
                           size_t err_len);
/* Flush it to the disk and close it. 0, or -errno with err set. */
int plot_render_dat_close(const struct plot_render *r, const char *stem, FILE *f, char *err,
                          size_t err_len);

/* Run SCRIPT_DIR/SCRIPT.gp with args (relative paths are in the private directory), then move
 * STEM.dat into place, whatever gnuplot made of it (to redraw by hand), and STEM.png and
 * STEM.svg when they are whole. *made says whether the plot was made; when not, note says why
 * in one line and *gnuplot_errors keeps what gnuplot wrote (malloc'd; NULL when nothing).
 * Returns 0, or a -errno that should stop the plotting, with err set: -ENOENT when gnuplot is
 * not installed, or the error of moving a file into place. */
int plot_render_run(const struct plot_render *r, const char *script, const char *stem,
                    const char *const *args, size_t n_args, bool *made, char *note, size_t note_len,
                    char **gnuplot_errors, char *err, size_t err_len);

#endif
