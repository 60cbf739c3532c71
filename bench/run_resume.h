/* bench/run_resume.h - `dmabench run --resume DIR`: continue a run that was stopped.
 *
 * The run's own command line is kept in its metadata (key "argv"), so a resumed run expands
 * the same sweep. A case counts as done when every one of its rows is in results.csv, every
 * sample those rows count is in samples.csv, and it was not cut short by a signal; the files
 * are rewritten with the rows of done cases only
 * (a killed run's partial case goes), then the missing cases run and are appended.
 */
#ifndef DMABENCH_RUN_RESUME_H
#define DMABENCH_RUN_RESUME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct metadata;

/* One case of the sweep, as the caller expands it. */
struct resume_case {
    const char *id;
    size_t rows; /* results rows the case gives (runner_case_rows) */
    bool done;   /* out: complete in results.csv; do not run it again */
};

/* What the done cases were, for the run's summary and exit status. */
struct resume_counts {
    size_t done, ok, skipped, errors; /* cases */
    size_t dropped_rows;              /* results rows of unfinished cases, removed */
};

/* The metadata keys of one session that a resumed run must not inherit. */
bool run_resume_session_key(const char *key);

/* Load DIR/metadata.csv into md (after metadata_init), leaving out run_resume_session_key()
 * keys; *finished says whether the run completed (an end_time, and run_state complete or
 * absent): a run stopped by a signal, a failure or kill -9 is not. 0, or -errno with
 * "DIR/metadata.csv: reason" in err. */
int run_resume_load_metadata(int dirfd, const char *dir, struct metadata *md, bool *finished,
                             char *err, size_t err_len);

/* Mark the done cases, rewrite DIR/samples.csv and DIR/results.csv with only their rows
 * (each through a synced temporary file renamed into place, samples first), and return both
 * open at their end for the writer (results_attach). A row of another run id or a case that
 * is not in cases means the sweep changed: -ESTALE. A malformed file: -EBADMSG. err says
 * which file and line. */
int run_resume_prepare(int dirfd, const char *dir, const char *run_id, struct resume_case *cases,
                       size_t n_cases, FILE **results, FILE **samples, struct resume_counts *counts,
                       char *err, size_t err_len);

/* Call fn(fields, arg) for every row of DIR/results.csv, in the file's order (the fields in
 * the writer's column order: bench/results/results_columns.h); after run_resume_prepare, these
 * are the rows of the cases kept from before. A non-zero return of fn stops and is returned.
 * 0, or -errno with "DIR/results.csv: reason" in err. */
int run_resume_each_row(int dirfd, const char *dir, int (*fn)(char *const *fields, void *arg),
                        void *arg, char *err, size_t err_len);

/* argv as one CSV row (RFC 4180 quoting), for the "argv" metadata key. -EINVAL when an
 * argument holds a control character, -ENOSPC when the row does not fit in out_len. */
int run_args_encode(int argc, char *const *argv, char *out, size_t out_len);
/* Back to an argument vector: argv0 first, then the row's fields, NULL-terminated ("" gives
 * argv0 alone). Free with run_args_free. 0, -EINVAL (malformed) or -ENOMEM. */
int run_args_decode(const char *argv0, const char *text, int *argc, char ***argv);
void run_args_free(int argc, char **argv);

#endif
