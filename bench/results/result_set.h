/* bench/results/result_set.h - a result set read back for plots and reports: results.csv and
 * metadata.csv.
 *
 * Columns are found by name, not position, so a set written by a newer dmabench with more
 * parameter columns (the sync benchmark's region size, importers ...) still loads. Every number
 * the plots read is checked on load, and a bad one names the file and line. Never prints.
 */
#ifndef DMABENCH_RESULT_SET_H
#define DMABENCH_RESULT_SET_H

#include <stdbool.h>
#include <stddef.h>

struct metadata;

/* One results.csv data row: one field per column of its set. */
struct result_row {
    char **f;
    unsigned long line; /* in results.csv */
};

/* Columns every plot or table reads; -1 when the set lacks an optional one. */
struct result_cols {
    int case_id, bench, heap, heap_class, size, threads, batch, kernel, metric, unit, better;
    int n, median, max, p90, p99, ci_low, ci_high, status;
};

struct result_set {
    char *dir;          /* as the user named it */
    char *results_path; /* DIR/results.csv, for messages */
    char **cols;        /* header names */
    size_t n_cols;
    bool *numeric; /* per column: result_col_is_numeric, decided once at the header */
    struct result_cols c;
    struct result_row *rows;
    size_t n_rows;
    struct metadata *md; /* empty when the set has no metadata.csv */
    /* A run killed mid-write leaves a cut last row: it is ignored, and this says where. */
    unsigned long truncated_line;
};

/* Load PATH: a results directory, or the results.csv inside one. metadata.csv may be missing
 * (the board is then "unknown"). 0, or -errno with one line in err: -ENOENT / -ENOTDIR (no such
 * set), -EBADMSG ("DIR/results.csv:12: median 'x' is not a number", a missing column, malformed
 * CSV), -ENOMEM. */
int result_set_load(struct result_set **out, const char *path, char *err, size_t err_len);
void result_set_free(struct result_set *s);

/* Index of the column called name, or -1. */
int result_set_col(const struct result_set *s, const char *name);
/* The field, or "" when col is -1. */
const char *result_text(const struct result_row *r, int col);
/* The field as a number; NAN when empty or col is -1 (checked numeric columns never hold text:
 * see result_set_load). */
double result_num(const struct result_row *r, int col);
/* Whether a column holds a number per row: the known numeric columns and every *_bytes one. */
bool result_col_is_numeric(const char *name);
/* status ok, a median, and not a counter (results_unit_is_counter) */
bool result_row_measured(const struct result_set *s, const struct result_row *r);

/* A metadata value, or "unknown". */
const char *result_set_meta(const struct result_set *s, const char *key);
/* A metadata value the run knew, or NULL where result_set_meta says "unknown". */
const char *result_set_meta_known(const struct result_set *s, const char *key);
/* The board's name: the board key, else the hostname. */
const char *result_set_board(const struct result_set *s);
/* "BOARD (CPU), Linux RELEASE, run RUN_ID": what every title says about a set. */
void result_set_describe(const struct result_set *s, char *out, size_t len);

/* Parse a size as metadata and people write it ("32 KiB", "1.5 MiB", "64 B", "2M") into
 * bytes; 0 when it is not one. */
double result_parse_size(const char *text);

#endif
