/* bench/results/results_validate.c - checks a results directory against the writer and the schema.
 *
 * Columns, their types and which must be filled come from bench/results/results_columns.h, and
 * status / reps_stop names from the runner and the statistics, so the validator cannot drift
 * from what is written. Metadata is read first (it names the run), then results.csv (one entry
 * per case and metric), then samples.csv, whose rows are matched to those entries.
 */
#include "results_validate.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "counters.h"
#include "csv_read.h"
#include "results_csv.h"
#include "runner.h"
#include "stats.h"

/* The units the benchmarks' own metrics report (results/README.md, "Metrics"); counters'
 * units are results_unit_is_counter's. */
static const char *const known_units[] = {
        "bytes/s", "ns", "buffers/s", "ns/MiB", "frames/s", "lines", "ratio", "bytes",
};

/* What the verdict column may say (results/README.md, "Verdicts"); empty for measurements.
 * The failing ones are a check that did not hold; needs-sync describes a heap. */
static const char *const known_verdicts[] = {"",     "coherent", "needs-sync",
                                             "pass", "fail",     "sync-ineffective"};
static const char *const failing_verdicts[] = {"fail", "sync-ineffective"};

/* Written at the start of every run; end_time only when it finishes. */
static const char *const required_keys[] = {"start_time", "run_id", "kernel_release",
                                            "dmabench_version", "git_sha"};

/* Pairs of statistics that must be ordered (first <= second) whenever both are present. */
static const enum results_column stats_order[][2] = {
        {RESULTS_COL_min, RESULTS_COL_median},     {RESULTS_COL_median, RESULTS_COL_max},
        {RESULTS_COL_min, RESULTS_COL_p90},        {RESULTS_COL_p90, RESULTS_COL_p99},
        {RESULTS_COL_p99, RESULTS_COL_max},        {RESULTS_COL_ci_low, RESULTS_COL_median},
        {RESULTS_COL_median, RESULTS_COL_ci_high},
};

enum sample_col {
    SMP_RUN_ID,
    SMP_CASE_ID,
    SMP_METRIC,
    SMP_UNIT,
    SMP_REP,
    SMP_VALUE,
    SMP_DURATION,
    N_SAMPLE
};
static const char *const sample_cols[N_SAMPLE] = {
        [SMP_RUN_ID] = "run_id",
        [SMP_CASE_ID] = "case_id",
        [SMP_METRIC] = "metric",
        [SMP_UNIT] = "unit",
        [SMP_REP] = "rep",
        [SMP_VALUE] = "value",
        [SMP_DURATION] = "duration_ns",
};

/* One results row, to match samples against. */
struct entry {
    char *case_id, *metric, *unit; /* one allocation, at case_id */
    unsigned long line;
    size_t n, seen;
    double reps;
};

struct validator {
    const char *dir;
    struct results_validation *out;
    char *err;
    size_t err_len;
    int smp[N_SAMPLE]; /* results.csv's columns are where results_columns.h has them */
    char *run_id;
    struct entry *entries;
    size_t n_entries, cap_entries;
    char *last_case;     /* case id of results.csv's last complete row */
    struct entry *match; /* the last sample's entry: samples come in runs */
    char *orphan_case;   /* allow_truncated: samples of the last case that results.csv */
    char *orphan_metric; /* ... lacks (it was cut before their rows reached the disk) */
    unsigned long orphan_line;
    char **keys; /* metadata keys and the lines they are on */
    unsigned long *key_lines;
    size_t n_keys, cap_keys;
};

typedef int (*row_check_fn)(struct validator *v, const char *path, const struct csv_row *row);

static int bad(struct validator *v, const char *path, unsigned long line, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static int bad(struct validator *v, const char *path, unsigned long line, const char *fmt, ...)
{
    int used = line ? snprintf(v->err, v->err_len, "%s:%lu: ", path, line)
                    : snprintf(v->err, v->err_len, "%s: ", path);
    va_list ap;
    va_start(ap, fmt);
    if (used >= 0 && (size_t)used < v->err_len)
        vsnprintf(v->err + used, v->err_len - used, fmt, ap);
    va_end(ap);
    return -EBADMSG;
}

#define PATH_LEN 1024

/* Errors name DIR/FILE, as the user wrote DIR. */
static void path_of(const struct validator *v, const char *name, char path[PATH_LEN])
{
    snprintf(path, PATH_LEN, "%s/%s", v->dir, name);
}

static int out_of_memory(struct validator *v)
{
    snprintf(v->err, v->err_len, "%s: out of memory", v->dir);
    return -ENOMEM;
}

static bool in_list(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, list[i]) == 0)
            return true;
    return false;
}

static int column_index(const char *const *columns, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(columns[i], name) == 0)
            return (int)i;
    return -1;
}

bool results_verdict_known(const char *verdict)
{
    return in_list(verdict, known_verdicts, sizeof(known_verdicts) / sizeof(*known_verdicts));
}

bool results_verdict_fails(const char *verdict)
{
    return in_list(verdict, failing_verdicts, sizeof(failing_verdicts) / sizeof(*failing_verdicts));
}

bool results_unit_is_counter(const char *unit)
{
    const char *slash = strchr(unit, '/');
    if (!slash)
        return false;
    size_t len = (size_t)(slash - unit);
    bool counted = false;
    for (int u = 0; u < N_COUNTER_UNITS; u++) {
        const char *name = counter_unit_name((enum counter_unit)u);
        counted = counted || (strlen(name) == len && !strncmp(unit, name, len));
    }
    for (size_t i = 0; counted && i < bench_count(); i++)
        if (!strcmp(slash + 1, bench_at(i)->work_unit))
            return true;
    return false;
}

/* Empty gives NAN. strtod alone would also take blanks, "inf" and "nan". */
static int parse_number(const char *s, bool count, double *out)
{
    *out = NAN;
    if (!*s)
        return 0;
    if (count) {
        size_t len = strlen(s);
        if (strspn(s, "0123456789") != len || len > 19)
            return -EINVAL;
        *out = (double)strtoull(s, NULL, 10);
        return 0;
    }
    char *end;
    double d = strtod(s, &end);
    if (isspace((unsigned char)*s) || *end || !isfinite(d))
        return -EINVAL;
    *out = d;
    return 0;
}

static int check_header(struct validator *v, const char *path, const struct csv_row *row,
                        const char *const *columns, size_t n_columns)
{
    for (size_t i = 0; i < row->n && i < n_columns; i++)
        if (strcmp(row->fields[i], columns[i]) != 0)
            return bad(v, path, row->line, "header column %zu is '%s', expected '%s'", i + 1,
                       row->fields[i], columns[i]);
    if (row->n != n_columns)
        return bad(v, path, row->line, "header has %zu columns, expected %zu", row->n, n_columns);
    return 0;
}

/* What every data row of every file must have: the header's field count, our schema. */
static int check_common(struct validator *v, const char *path, const struct csv_row *row,
                        size_t n_columns)
{
    if (row->n != n_columns)
        return bad(v, path, row->line, "%zu fields, the header has %zu", row->n, n_columns);
    /* Every file starts with schema_version (results/README.md). */
    if (strcmp(row->fields[0], RESULTS_SCHEMA_VERSION) != 0)
        return bad(v, path, row->line, "schema_version is '%s', expected %s", row->fields[0],
                   RESULTS_SCHEMA_VERSION);
    return 0;
}

static int check_run_id(struct validator *v, const char *path, unsigned long line,
                        const char *run_id)
{
    if (strcmp(run_id, v->run_id) != 0)
        return bad(v, path, line, "run_id '%s', but metadata.csv says '%s'", run_id, v->run_id);
    return 0;
}

/* Reads DIR/NAME: the header must be columns, every data row goes to check. */
static int walk_file(struct validator *v, const char *name, const char *const *columns,
                     size_t n_columns, row_check_fn check, size_t *rows)
{
    char path[PATH_LEN];
    path_of(v, name, path);
    struct csv_reader *r;
    int ret = csv_reader_open(&r, path, v->err, v->err_len);
    if (ret)
        return ret;
    bool header = true;
    struct csv_row row;
    while ((ret = csv_reader_next(r, &row)) > 0) {
        if (header)
            ret = check_header(v, path, &row, columns, n_columns);
        else if (!(ret = check_common(v, path, &row, n_columns)))
            ret = check(v, path, &row);
        if (ret)
            goto out;
        if (!header)
            (*rows)++;
        header = false;
    }
    if (ret == -EPIPE && v->out->allow_truncated) {
        v->out->truncated = true;
        ret = 0;
    } else if (ret < 0) {
        snprintf(v->err, v->err_len, "%s", csv_reader_error(r));
        goto out;
    }
    /* An empty file is a run killed before its first write reached the disk. */
    if (header && !v->out->allow_truncated)
        ret = bad(v, path, 1, "empty file, expected the header");
    else if (header)
        v->out->truncated = true;
out:
    csv_reader_close(r);
    return ret;
}

/* ---- metadata.csv ------------------------------------------------------------------------ */

static int check_metadata_row(struct validator *v, const char *path, const struct csv_row *row)
{
    const char *key = row->fields[1], *value = row->fields[2];
    if (!*key)
        return bad(v, path, row->line, "empty key");
    for (size_t i = 0; i < v->n_keys; i++)
        if (strcmp(v->keys[i], key) == 0)
            return bad(v, path, row->line, "key '%s' again (first on line %lu)", key,
                       v->key_lines[i]);
    if (!*value && in_list(key, required_keys, sizeof(required_keys) / sizeof(*required_keys)))
        return bad(v, path, row->line, "'%s' is empty", key);
    if (v->n_keys == v->cap_keys) {
        size_t cap = v->cap_keys ? 2 * v->cap_keys : 64;
        char **keys = realloc(v->keys, cap * sizeof(*keys));
        if (keys)
            v->keys = keys;
        unsigned long *lines = realloc(v->key_lines, cap * sizeof(*lines));
        if (lines)
            v->key_lines = lines;
        if (!keys || !lines)
            return out_of_memory(v);
        v->cap_keys = cap;
    }
    if (!(v->keys[v->n_keys] = strdup(key)))
        return out_of_memory(v);
    v->key_lines[v->n_keys++] = row->line;
    if (strcmp(key, "run_id") == 0 && !(v->run_id = strdup(value)))
        return out_of_memory(v);
    return 0;
}

static bool have_key(const struct validator *v, const char *key)
{
    for (size_t i = 0; i < v->n_keys; i++)
        if (strcmp(v->keys[i], key) == 0)
            return true;
    return false;
}

static int check_metadata(struct validator *v)
{
    int ret = walk_file(v, "metadata.csv", metadata_columns, n_metadata_columns, check_metadata_row,
                        &v->out->metadata_keys);
    if (ret)
        return ret;
    char path[PATH_LEN];
    path_of(v, "metadata.csv", path);
    for (size_t i = 0; i < sizeof(required_keys) / sizeof(*required_keys); i++)
        if (!have_key(v, required_keys[i]))
            return bad(v, path, 0, "no '%s' key", required_keys[i]);
    v->out->interrupted = !have_key(v, "end_time");
    return 0;
}

/* ---- results.csv ------------------------------------------------------------------------- */

static int add_entry(struct validator *v, char **f, unsigned long line, const double *x)
{
    if (v->n_entries == v->cap_entries) {
        size_t cap = v->cap_entries ? 2 * v->cap_entries : 256;
        struct entry *e = realloc(v->entries, cap * sizeof(*e));
        if (!e)
            return out_of_memory(v);
        v->entries = e;
        v->cap_entries = cap;
    }
    const char *case_id = f[RESULTS_COL_case_id], *metric = f[RESULTS_COL_metric],
               *unit = f[RESULTS_COL_unit];
    size_t lc = strlen(case_id) + 1, lm = strlen(metric) + 1, lu = strlen(unit) + 1;
    char *text = malloc(lc + lm + lu);
    char *last = strdup(case_id);
    if (!text || !last) {
        free(text);
        free(last);
        return out_of_memory(v);
    }
    struct entry *e = &v->entries[v->n_entries++];
    *e = (struct entry){.case_id = memcpy(text, case_id, lc),
                        .metric = memcpy(text + lc, metric, lm),
                        .unit = memcpy(text + lc + lm, unit, lu),
                        .line = line,
                        .n = isnan(x[RESULTS_COL_n]) ? 0 : (size_t)x[RESULTS_COL_n],
                        .reps = isnan(x[RESULTS_COL_reps]) ? 0 : x[RESULTS_COL_reps]};
    free(v->last_case);
    v->last_case = last;
    return 0;
}

/* A run that failed mid-case stopped while reps_next still said "continue". */
static bool valid_reps_stop(const char *s, enum case_status status)
{
    enum reps_stop r;
    return !reps_stop_parse(s, &r) && (r != REPS_CONTINUE || status == CASE_ERROR);
}

/* status, error, n and reps agree with each other. */
static int check_outcome(struct validator *v, const char *path, unsigned long line, char **f,
                         const double *x, enum case_status status)
{
    const char *status_text = f[RESULTS_COL_status], *error = f[RESULTS_COL_error];
    if ((status == CASE_OK) != !*error)
        return bad(v, path, line,
                   status == CASE_OK ? "status ok with an error: '%s'"
                                     : "status %s without an error text",
                   status == CASE_OK ? error : status_text);
    double n = isnan(x[RESULTS_COL_n]) ? 0 : x[RESULTS_COL_n],
           reps = isnan(x[RESULTS_COL_reps]) ? 0 : x[RESULTS_COL_reps];
    if (status == CASE_OK && n == 0)
        return bad(v, path, line, "status ok without samples (n is %s)",
                   f[RESULTS_COL_n][0] ? "0" : "empty");
    /* A skipped case never ran; a skipped counter may have counted some repetitions before
     * it failed, and an error may come after a few repetitions, whose samples are kept. */
    if (status == CASE_SKIPPED && n > 0 && !results_unit_is_counter(f[RESULTS_COL_unit]))
        return bad(v, path, line, "status skipped with n = %.0f", n);
    if (n > 0 && reps == 0)
        return bad(v, path, line, "n = %.0f from 0 repetitions", n);
    const char *stop = f[RESULTS_COL_reps_stop];
    if ((reps > 0) != (*stop != '\0'))
        return bad(v, path, line, "reps = %.0f with reps_stop '%s'", reps, stop);
    if (*stop && !valid_reps_stop(stop, status))
        return bad(v, path, line, "reps_stop '%s' is not one of fixed, converged, budget, max",
                   stop);
    return 0;
}

static int check_stats(struct validator *v, const char *path, unsigned long line, char **f,
                       const double *x)
{
    bool have = !isnan(x[RESULTS_COL_n]) && x[RESULTS_COL_n] > 0;
    for (int i = 0; i < N_RESULTS_COLUMNS; i++) {
        enum results_column_type type = results_column_defs[i].type;
        if (type != RESULTS_STAT && type != RESULTS_STAT_OPTIONAL)
            continue;
        if (have && type == RESULTS_STAT && isnan(x[i]))
            return bad(v, path, line, "n = %.0f but %s is empty", x[RESULTS_COL_n],
                       results_columns[i]);
        if (!have && !isnan(x[i]))
            return bad(v, path, line, "no samples but %s is '%s'", results_columns[i], f[i]);
    }
    if (isnan(x[RESULTS_COL_ci_low]) != isnan(x[RESULTS_COL_ci_high]))
        return bad(v, path, line, "only one of ci_low and ci_high");
    /* The order-statistics interval needs 6 samples (bench/measure/stats.h). */
    if (have && x[RESULTS_COL_n] < 6 && !isnan(x[RESULTS_COL_ci_low]))
        return bad(v, path, line, "a confidence interval from n = %.0f samples", x[RESULTS_COL_n]);
    for (size_t i = 0; i < sizeof(stats_order) / sizeof(*stats_order); i++) {
        enum results_column a = stats_order[i][0], b = stats_order[i][1];
        if (x[a] > x[b]) /* false when either is NAN */
            return bad(v, path, line, "%s %s > %s %s", results_columns[a], f[a], results_columns[b],
                       f[b]);
    }
    if (x[RESULTS_COL_stddev] < 0 || x[RESULTS_COL_mad] < 0)
        return bad(v, path, line, "negative spread (stddev %s, mad %s)", f[RESULTS_COL_stddev],
                   f[RESULTS_COL_mad]);
    return 0;
}

static int check_results_row(struct validator *v, const char *path, const struct csv_row *row)
{
    char **f = row->fields;
    unsigned long line = row->line;
    double x[N_RESULTS_COLUMNS]; /* the numbers; NAN where empty, and for text */
    for (int i = 0; i < N_RESULTS_COLUMNS; i++) {
        bool count = results_column_defs[i].type == RESULTS_COUNT;
        x[i] = NAN;
        if (results_column_defs[i].type != RESULTS_TEXT && parse_number(f[i], count, &x[i]))
            return bad(v, path, line, "%s '%s' is not %s", results_columns[i], f[i],
                       count ? "a non-negative integer" : "a finite number");
    }
    int ret = check_run_id(v, path, line, f[RESULTS_COL_run_id]);
    if (ret)
        return ret;
    for (int i = 0; i < N_RESULTS_COLUMNS; i++)
        if ((results_column_defs[i].flags & RESULTS_NOT_EMPTY) && !*f[i])
            return bad(v, path, line, "empty %s", results_columns[i]);
    enum case_status status;
    if (case_status_parse(f[RESULTS_COL_status], &status))
        return bad(v, path, line, "status '%s' is not ok, skipped or error", f[RESULTS_COL_status]);
    const char *better = f[RESULTS_COL_better], *unit = f[RESULTS_COL_unit];
    if (strcmp(better, "higher") != 0 && strcmp(better, "lower") != 0)
        return bad(v, path, line, "better '%s' is not higher or lower", better);
    if (!in_list(unit, known_units, sizeof(known_units) / sizeof(*known_units)) &&
        !results_unit_is_counter(unit))
        return bad(v, path, line, "unknown unit '%s'", unit);
    if ((ret = check_outcome(v, path, line, f, x, status)) ||
        (ret = check_stats(v, path, line, f, x)))
        return ret;
    const char *verdict = f[RESULTS_COL_verdict];
    if (!results_verdict_known(verdict))
        return bad(v, path, line,
                   "verdict '%s' is not coherent, needs-sync, pass, fail or sync-ineffective",
                   verdict);
    /* A verdict judges a measurement: there is none without one. */
    if (*verdict && (status != CASE_OK || isnan(x[RESULTS_COL_median])))
        return bad(v, path, line, "verdict '%s' on a row without a measurement", verdict);
    bool counter = results_unit_is_counter(unit);
    if (!counter && !isnan(x[RESULTS_COL_mux_ratio]))
        return bad(v, path, line, "mux_ratio '%s' on a metric that is not a counter",
                   f[RESULTS_COL_mux_ratio]);
    /* Time counted over time enabled. */
    if (x[RESULTS_COL_mux_ratio] < 0 || x[RESULTS_COL_mux_ratio] > 1)
        return bad(v, path, line, "mux_ratio %s outside [0, 1]", f[RESULTS_COL_mux_ratio]);
    if (x[RESULTS_COL_huge_fraction] < 0 || x[RESULTS_COL_huge_fraction] > 1)
        return bad(v, path, line, "huge_fraction %s outside [0, 1]", f[RESULTS_COL_huge_fraction]);
    /* A case that took repetitions timed each of them. */
    if (x[RESULTS_COL_reps] > 0 && !(x[RESULTS_COL_min_sample_ns] > 0))
        return bad(v, path, line, "min_sample_ns '%s' after %.0f repetitions",
                   f[RESULTS_COL_min_sample_ns], x[RESULTS_COL_reps]);
    if ((ret = add_entry(v, f, line, x)))
        return ret;
    v->out->ok += status == CASE_OK;
    v->out->skipped += status == CASE_SKIPPED;
    v->out->errors += status == CASE_ERROR;
    return 0;
}

static int compare_entries(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    int c = strcmp(x->case_id, y->case_id);
    return c ? c : strcmp(x->metric, y->metric);
}

static int check_results(struct validator *v)
{
    int ret = walk_file(v, "results.csv", results_columns, n_results_columns, check_results_row,
                        &v->out->rows);
    if (ret)
        return ret;
    /* Sorted once, so each sample finds its row by binary search. */
    if (v->n_entries) /* no array at all when results.csv has no rows */
        qsort(v->entries, v->n_entries, sizeof(*v->entries), compare_entries);
    char path[PATH_LEN];
    path_of(v, "results.csv", path);
    for (size_t i = 0; i < v->n_entries; i++) {
        const struct entry *e = &v->entries[i];
        if (i && compare_entries(e - 1, e) == 0) {
            const struct entry *first = e[-1].line < e->line ? e - 1 : e;
            const struct entry *again = first == e ? e - 1 : e;
            return bad(v, path, again->line, "case '%s' metric '%s' again (first on line %lu)",
                       e->case_id, e->metric, first->line);
        }
        v->out->cases += !i || strcmp(e[-1].case_id, e->case_id) != 0;
    }
    return 0;
}

/* ---- samples.csv ------------------------------------------------------------------------- */

static struct entry *find_entry(const struct validator *v, const char *case_id, const char *metric)
{
    struct entry key = {.case_id = (char *)case_id, .metric = (char *)metric};
    if (!v->n_entries)
        return NULL;
    return bsearch(&key, v->entries, v->n_entries, sizeof(*v->entries), compare_entries);
}

static bool results_has_case(const struct validator *v, const char *case_id)
{
    size_t lo = 0, hi = v->n_entries;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(v->entries[mid].case_id, case_id);
        if (c == 0)
            return true;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

static int orphan(struct validator *v, const char *path, unsigned long line, const char *case_id,
                  const char *metric)
{
    return bad(v, path, line, "a sample of case '%s' metric '%s', which has no row in results.csv",
               case_id, metric);
}

/* Samples without a results row are only a cut run's last case, and only with
 * allow_truncated; remembered until a later row or the end of the file shows whether they
 * were. */
static int note_orphan(struct validator *v, const char *path, unsigned long line,
                       const char *case_id, const char *metric)
{
    if (!v->out->allow_truncated)
        return orphan(v, path, line, case_id, metric);
    if (v->orphan_case)
        return 0;
    v->orphan_case = strdup(case_id);
    v->orphan_metric = strdup(metric);
    v->orphan_line = line;
    return v->orphan_case && v->orphan_metric ? 0 : out_of_memory(v);
}

static int check_sample_row(struct validator *v, const char *path, const struct csv_row *row)
{
    char **f = row->fields;
    unsigned long line = row->line;
    const char *case_id = f[v->smp[SMP_CASE_ID]], *metric = f[v->smp[SMP_METRIC]];
    int ret = check_run_id(v, path, line, f[v->smp[SMP_RUN_ID]]);
    if (ret)
        return ret;
    if (v->orphan_case && strcmp(case_id, v->orphan_case) != 0)
        return orphan(v, path, v->orphan_line, v->orphan_case, v->orphan_metric);
    double rep, value;
    if (parse_number(f[v->smp[SMP_REP]], true, &rep) || isnan(rep))
        return bad(v, path, line, "rep '%s' is not a non-negative integer", f[v->smp[SMP_REP]]);
    if (parse_number(f[v->smp[SMP_VALUE]], false, &value) || isnan(value))
        return bad(v, path, line, "value '%s' is not a finite number", f[v->smp[SMP_VALUE]]);
    /* Every sample comes from a repetition, and every repetition took some time. */
    double duration;
    if (parse_number(f[v->smp[SMP_DURATION]], false, &duration) || !(duration > 0))
        return bad(v, path, line, "duration_ns '%s' is not a positive number",
                   f[v->smp[SMP_DURATION]]);
    struct entry *e = v->match;
    if (!e || strcmp(e->case_id, case_id) != 0 || strcmp(e->metric, metric) != 0)
        v->match = e = find_entry(v, case_id, metric);
    if (!e)
        return note_orphan(v, path, line, case_id, metric);
    if (strcmp(f[v->smp[SMP_UNIT]], e->unit) != 0)
        return bad(v, path, line, "unit '%s', but results.csv:%lu says '%s'", f[v->smp[SMP_UNIT]],
                   e->line, e->unit);
    if (rep >= e->reps)
        return bad(v, path, line, "rep %.0f, but results.csv:%lu took %.0f repetitions", rep,
                   e->line, e->reps);
    if (++e->seen > e->n)
        return bad(v, path, line,
                   "more samples of case '%s' metric '%s' than n = %zu (results.csv:%lu)", case_id,
                   metric, e->n, e->line);
    return 0;
}

static int check_samples(struct validator *v)
{
    int ret = walk_file(v, "samples.csv", samples_columns, n_samples_columns, check_sample_row,
                        &v->out->samples);
    if (ret)
        return ret;
    char path[PATH_LEN];
    path_of(v, "samples.csv", path);
    /* Orphans of a case that results.csv has, but not as its last, are not a cut run's. */
    if (v->orphan_case && results_has_case(v, v->orphan_case) &&
        strcmp(v->orphan_case, v->last_case) != 0)
        return orphan(v, path, v->orphan_line, v->orphan_case, v->orphan_metric);
    /* Too few samples: name the earliest results row that has them. */
    const struct entry *first = NULL;
    for (size_t i = 0; i < v->n_entries; i++) {
        const struct entry *e = &v->entries[i];
        if (e->seen == e->n || (v->out->allow_truncated && strcmp(e->case_id, v->last_case) == 0))
            continue;
        if (!first || e->line < first->line)
            first = e;
    }
    if (!first)
        return 0;
    path_of(v, "results.csv", path);
    return bad(v, path, first->line,
               "n = %zu but samples.csv has %zu samples of case '%s' metric '%s'", first->n,
               first->seen, first->case_id, first->metric);
}

/* ---- the whole directory ----------------------------------------------------------------- */

static int resolve_columns(struct validator *v)
{
    for (int i = 0; i < N_SAMPLE; i++) {
        if ((v->smp[i] = column_index(samples_columns, n_samples_columns, sample_cols[i])) < 0) {
            /* A column renamed in the writer and not here: a bug, caught by the unit tests. */
            snprintf(v->err, v->err_len, "the validator does not know the writer's columns");
            return -EINVAL;
        }
    }
    return 0;
}

static void validator_free(struct validator *v)
{
    for (size_t i = 0; i < v->n_entries; i++)
        free(v->entries[i].case_id);
    free(v->entries);
    for (size_t i = 0; i < v->n_keys; i++)
        free(v->keys[i]);
    free(v->keys);
    free(v->key_lines);
    free(v->run_id);
    free(v->last_case);
    free(v->orphan_case);
    free(v->orphan_metric);
}

int results_validate_dir(const char *dir, struct results_validation *out, char *err, size_t err_len)
{
    *out = (struct results_validation){.allow_truncated = out->allow_truncated};
    if (err_len)
        err[0] = '\0';
    struct validator v = {.dir = dir, .out = out, .err = err, .err_len = err_len};
    int ret = resolve_columns(&v);
    if (!ret)
        ret = check_metadata(&v);
    if (!ret)
        ret = check_results(&v);
    if (!ret)
        ret = check_samples(&v);
    validator_free(&v);
    return ret;
}
