/* plot/plot.h - `dmabench plot`: result sets -> small .dat files -> gnuplot -> PNG and SVG.
 *
 * One entry per plot type (plot/NAME.gp draws it): which rows it shows and what it needs. A
 * type without rows is skipped with a reason, never an error; gnuplot's warnings are failures,
 * because a warning means a plot that may be wrong. Never prints: the outcomes say it all.
 */
#ifndef DMABENCH_PLOT_H
#define DMABENCH_PLOT_H

#include <stdbool.h>
#include <stddef.h>

#include "result_set.h"
#include "plot_select.h"

struct plot_type {
    const char *name;  /* the script plot/NAME.gp and the output files NAME.png, NAME.svg */
    const char *title; /* the title's first line */
    const char *needs; /* the rows it shows, for skip notes and help: "bench=cpu, metric ..." */
    const char *hint;  /* how to get them: "dmabench run sync" */
    struct plot_query query;
    bool cache_marks; /* EXTRA: the caches from the metadata */
    bool across_sets; /* one plot over every set (board vs board); needs two or more */
};

size_t plot_type_count(void);
const struct plot_type *plot_type_at(size_t i);
const struct plot_type *plot_type_find(const char *name);

enum plot_state { PLOT_MADE, PLOT_SKIPPED, PLOT_FAILED };

struct plot_outcome {
    const struct plot_type *type;
    size_t set; /* index into the sets; every set's for an across_sets plot */
    enum plot_state state;
    char name[64];        /* output stem: "bandwidth"; of one of several sets "RUNID-alloc" (or
                             "set2-alloc") */
    char note[512];       /* skipped: why (one line); failed: what happened */
    char *gnuplot_errors; /* what gnuplot wrote to stderr, when it wrote anything */
    size_t series, points;
};

struct plot_job {
    struct result_set *const *sets;
    size_t n_sets;
    const char *out_dir;      /* created when missing; plots in it are replaced */
    const char *script_dir;   /* plot/ */
    const char *const *types; /* names to make, NULL-terminated; NULL for all */
};

/* Make the plots, in plot type order, set by set. *out (n_out entries) says what happened to
 * each; free it with plot_outcomes_free. Returns 0 when every plot was made or skipped;
 * -ECHILD when gnuplot failed or warned on one (its outcome says which; the others are still
 * made); or, with a line in err and the remaining plots not tried: -ENOENT when gnuplot is not
 * installed, -EBADMSG for bad input (FILE:LINE), -errno when the directory or a .dat file
 * cannot be written. */
int plot_make(const struct plot_job *job, struct plot_outcome **out, size_t *n_out, char *err,
              size_t err_len);
void plot_outcomes_free(struct plot_outcome *o, size_t n);

/* The directory with the gnuplot scripts: $DMABENCH_PLOT_DIR, else ../share/dmabench/plot from
 * the executable's folder (installed under a PREFIX), else plot/ beside the executable or up to
 * three directories above it (the source tree, for build/.../dmabench). 0, or -ENOENT with the
 * places looked at in err. */
int plot_find_scripts(char *out, size_t len, char *err, size_t err_len);

#endif
