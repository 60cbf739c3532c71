/* bench/results/results_csv.h - the files a run leaves behind: results, raw samples, metadata.
 *
 * Tidy long format (one row per case and metric, every sweep parameter a column, base units),
 * a schema version in every row, and each case flushed to disk as soon as it completes, so an
 * interrupted run keeps everything it measured. The schema is documented in results/README.md.
 */
#ifndef DMABENCH_RESULTS_CSV_H
#define DMABENCH_RESULTS_CSV_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#include "heap.h"
#include "results_columns.h"
#include "runner.h"
#include "sweep.h"

#define RESULTS_SCHEMA_VERSION "3"
/* The versions results_schema_readable takes, as its callers' messages name them. */
#define RESULTS_SCHEMA_READABLE "1 to 3"

struct metadata;

struct results_writer {
    FILE *results;      /* results.csv */
    FILE *samples;      /* samples.csv */
    int dirfd;          /* the run directory: every file is created relative to it */
    char dir[PATH_MAX]; /* for messages */
    char run_id[64];
};

/* The header rows of samples.csv and metadata.csv, also used by tests (results.csv's:
 * bench/results/results_columns.h). */
extern const char *const samples_columns[];
extern const size_t n_samples_columns;
extern const char *const metadata_columns[];
extern const size_t n_metadata_columns;

/* Whether compare, plot, report and export can read files of this schema_version: the current
 * one, 2 and 1. They find every column by its header name, and versions 2 and 3 only added
 * columns (2: the sweep parameters strategy .. peer, and verdict; 3: implementation ..
 * implausible at the end of results.csv, duration_ns at the end of samples.csv), so an older
 * file simply lacks those and reads as if they were empty. The validator of new runs
 * (bench/results/results_validate.h) takes the current version only. */
bool results_schema_readable(const char *version);

/* Create dir (and its parents, never through a planted symbolic link: bench/results/output_dir.h)
 * and results.csv / samples.csv with their headers. An existing results.csv is never
 * overwritten: -EEXIST. Returns 0 or -errno with a reason in err. */
int results_open(struct results_writer *w, const char *dir, const char *run_id, char *err,
                 size_t err_len);
/* The same in a directory already open (dirfd is duplicated; dir is its name for messages). */
int results_open_at(struct results_writer *w, int dirfd, const char *dir, const char *run_id,
                    char *err, size_t err_len);
/* Continue a run (--resume): results and samples are open files of dirfd, positioned at their
 * end; the writer takes them over (closed by results_close, also on error). 0 or -errno. */
int results_attach(struct results_writer *w, int dirfd, const char *dir, const char *run_id,
                   FILE *results, FILE *samples);
/* One row per metric of r, and every raw sample; flushed and synced before it returns.
 * Samples reach the disk first, so a case whose rows are all in results.csv has all its
 * samples too, whenever the run is killed. heap may be NULL when the case names a heap that
 * does not exist here. */
int results_write_case(struct results_writer *w, const struct bench_case *c,
                       const struct heap *heap, const struct case_result *r);
/* metadata.csv (key,value rows), replaced whole and synced: call it at the start of a run and
 * again at the end. */
int results_write_metadata(const struct results_writer *w, const struct metadata *md);
int results_close(struct results_writer *w);

#endif
