/* bench/analysis/history_find.h - where `history`'s result sets are: a run's directory, or a
 * tree of them as `dmabench run` lays them out (results/BOARD/RUN_ID/), walked recursively.
 *
 * Trees come from boards' tarballs and shared directories, so the walk never follows a
 * symbolic link below a path the user named, and what it cannot use is skipped with a warning
 * that names it, never an error. Never prints: warnings go to the caller's function.
 */
#ifndef DMABENCH_HISTORY_FIND_H
#define DMABENCH_HISTORY_FIND_H

#include <stddef.h>

/* Where warnings go: fn(ctx, "PATH: why it was skipped"); fn may be NULL (dropped). */
struct history_warn {
    void (*fn)(void *ctx, const char *message);
    void *ctx;
};

void history_warnf(const struct history_warn *w, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/* How deep below a named path a result set may be (results/BOARD/RUN_ID is 2 below
 * results/). */
#define HISTORY_FIND_DEPTH 8

/* The result set directories in or under paths (each a set's directory, the results.csv in
 * one, or a directory with sets somewhere below), in the order named, each tree's sets sorted
 * by path; *dirs is malloc'd, as each string. A set's own subdirectories (plots/,
 * previous-RUN_ID/) are not searched. 0, or -errno with one line in err: -ENOENT (a named path
 * does not exist), -ENOTDIR (a named file is not a results.csv), -ENOMEM. */
int history_find_sets(const char *const *paths, size_t n_paths, const struct history_warn *w,
                      char ***dirs, size_t *n_dirs, char *err, size_t err_len);
void history_found_free(char **dirs, size_t n);

#endif
