/* bench/run_resume.c - reads a stopped run back and trims it to its finished cases.
 *
 * Everything is read through csv_read (strict RFC 4180, a cut last row is -EPIPE and simply
 * ends the file) and written back through csv_write, so kept rows are byte for byte what the
 * writer produced. Rewrites go to temporary files that are synced and then renamed, so a crash
 * during a resume leaves either the old file or the new one, both of which resume again.
 */
#include "run_resume.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv_read.h"
#include "csv_write.h"
#include "metadata.h"
#include "output_dir.h"
#include "results_csv.h"
#include "results_validate.h"
#include "safe_file.h"
#include "runner.h"

bool run_resume_session_key(const char *key)
{
    static const char *const keys[] = {"end_time", "interrupted_by", "interrupted_time", "failure",
                                       "failed_time"};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (!strcmp(key, keys[i]))
            return true;
    return false;
}

/* A mapped file of the run directory read row by row; the header must be exactly columns. */
struct run_file {
    const char *name;
    const void *data;
    size_t len;
    struct csv_reader *reader;
};

static int run_file_open(struct run_file *f, int dirfd, const char *dir, const char *name,
                         const char *const *columns, size_t n_columns, char *err, size_t err_len)
{
    memset(f, 0, sizeof(*f));
    f->name = name;
    char why[128];
    int ret = output_dir_map(dirfd, name, &f->data, &f->len, why, sizeof(why));
    if (ret) {
        snprintf(err, err_len, "%s/%s: %s", dir, name, why);
        return ret;
    }
    if ((ret = csv_reader_open_mem(&f->reader, name, f->data, f->len))) {
        output_dir_unmap(f->data, f->len);
        snprintf(err, err_len, "%s/%s: %s", dir, name, strerror(-ret));
        return ret;
    }
    struct csv_row row;
    ret = csv_reader_next(f->reader, &row);
    bool ok = ret == 1 && row.n == n_columns;
    for (size_t i = 0; ok && i < n_columns; i++)
        ok = !strcmp(row.fields[i], columns[i]);
    if (ret == 0 || ret == -EPIPE) /* killed before its header reached the disk */
        return 0;
    if (!ok) {
        snprintf(err, err_len, "%s/%s:1: not the header this dmabench writes", dir, name);
        csv_reader_close(f->reader);
        output_dir_unmap(f->data, f->len);
        f->reader = NULL;
        return -EBADMSG;
    }
    return 0;
}

/* The next complete data row: 1, 0 at the end (a cut last row is the end), or -EBADMSG. */
static int run_file_next(struct run_file *f, const char *dir, size_t n_columns, struct csv_row *row,
                         char *err, size_t err_len)
{
    int ret = f->reader ? csv_reader_next(f->reader, row) : 0;
    if (ret == -EPIPE || ret == 0)
        return 0;
    if (ret < 0) {
        snprintf(err, err_len, "%s/%s", dir, csv_reader_error(f->reader));
        return ret;
    }
    if (row->n != n_columns) {
        snprintf(err, err_len, "%s/%s:%lu: %zu fields, the header has %zu", dir, f->name, row->line,
                 row->n, n_columns);
        return -EBADMSG;
    }
    return 1;
}

static void run_file_close(struct run_file *f)
{
    if (f->reader)
        csv_reader_close(f->reader);
    if (f->data)
        output_dir_unmap(f->data, f->len);
    f->reader = NULL;
    f->data = NULL;
}

int run_resume_load_metadata(int dirfd, const char *dir, struct metadata *md, bool *finished,
                             char *err, size_t err_len)
{
    struct run_file f;
    struct csv_row row;
    bool end_time = false;
    int state = -1; /* run_state: -1 absent, 1 complete, 0 anything else */
    int ret = run_file_open(&f, dirfd, dir, "metadata.csv", metadata_columns, n_metadata_columns,
                            err, err_len);
    while (!ret && (ret = run_file_next(&f, dir, n_metadata_columns, &row, err, err_len)) == 1) {
        ret = 0;
        if (!strcmp(row.fields[1], "end_time"))
            end_time = true;
        if (!strcmp(row.fields[1], "run_state"))
            state = !strcmp(row.fields[2], "complete");
        if (!run_resume_session_key(row.fields[1]) &&
            metadata_set(md, row.fields[1], "%s", row.fields[2])) {
            snprintf(err, err_len, "%s/metadata.csv:%lu: key '%s' cannot be kept", dir, row.line,
                     row.fields[1]);
            ret = -EBADMSG;
        }
    }
    run_file_close(&f);
    /* Complete: the end_time a finished run gets, and no other run_state (a run that failed, a
     * write error or out of memory, once got an end_time too; a run from before run_state has
     * none). */
    *finished = end_time && state != 0;
    return ret;
}

int run_resume_each_row(int dirfd, const char *dir, int (*fn)(char *const *fields, void *arg),
                        void *arg, char *err, size_t err_len)
{
    struct run_file f;
    struct csv_row row;
    int ret = run_file_open(&f, dirfd, dir, "results.csv", results_columns, n_results_columns, err,
                            err_len);
    while (!ret && (ret = run_file_next(&f, dir, n_results_columns, &row, err, err_len)) == 1)
        ret = fn(row.fields, arg);
    run_file_close(&f);
    return ret;
}

/* --- the sweep's cases, by id ------------------------------------------------------------- */

struct case_index {
    struct resume_case **sorted;
    size_t n;
    size_t *seen;    /* rows found, per sorted entry (the first of a group of equal ids) */
    bool *cut_short; /* a row says a signal interrupted it */
    int *worst;      /* CASE_OK < CASE_SKIPPED-only < CASE_ERROR, over non-counter rows */
    bool *all_skipped;
    size_t *want_samples; /* the sum of its rows' n: what samples.csv must hold */
    size_t *have_samples; /* what samples.csv holds */
};

static int compare_case_ptrs(const void *a, const void *b)
{
    return strcmp((*(struct resume_case *const *)a)->id, (*(struct resume_case *const *)b)->id);
}

static int index_build(struct case_index *x, struct resume_case *cases, size_t n)
{
    memset(x, 0, sizeof(*x));
    x->n = n;
    x->sorted = calloc(n ? n : 1, sizeof(*x->sorted));
    x->seen = calloc(n ? n : 1, sizeof(*x->seen));
    x->cut_short = calloc(n ? n : 1, sizeof(*x->cut_short));
    x->worst = calloc(n ? n : 1, sizeof(*x->worst));
    x->all_skipped = calloc(n ? n : 1, sizeof(*x->all_skipped));
    x->want_samples = calloc(n ? n : 1, sizeof(*x->want_samples));
    x->have_samples = calloc(n ? n : 1, sizeof(*x->have_samples));
    if (!x->sorted || !x->seen || !x->cut_short || !x->worst || !x->all_skipped ||
        !x->want_samples || !x->have_samples)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        x->sorted[i] = &cases[i];
        x->all_skipped[i] = true;
    }
    qsort(x->sorted, n, sizeof(*x->sorted), compare_case_ptrs);
    return 0;
}

static void index_free(struct case_index *x)
{
    free(x->sorted);
    free(x->seen);
    free(x->cut_short);
    free(x->worst);
    free(x->all_skipped);
    free(x->want_samples);
    free(x->have_samples);
}

/* The first sorted entry with this id (two jobs may share a case id), or -1. */
static long index_find(const struct case_index *x, const char *id)
{
    size_t lo = 0, hi = x->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(x->sorted[mid]->id, id) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < x->n && !strcmp(x->sorted[lo]->id, id) ? (long)lo : -1;
}

/* Rows expected for the id of entry first: the sum over every case with that id. */
static size_t index_rows(const struct case_index *x, size_t first)
{
    size_t rows = 0;
    for (size_t i = first; i < x->n && !strcmp(x->sorted[i]->id, x->sorted[first]->id); i++)
        rows += x->sorted[i]->rows;
    return rows;
}

/* --- results.csv: which cases are whole --------------------------------------------------- */

static int scan_results(int dirfd, const char *dir, const char *run_id, struct case_index *x,
                        char *err, size_t err_len)
{
    int c_run = results_column_find("run_id"), c_case = results_column_find("case_id"),
        c_unit = results_column_find("unit"), c_status = results_column_find("status"),
        c_error = results_column_find("error"), c_n = results_column_find("n");
    if (c_run < 0 || c_case < 0 || c_unit < 0 || c_status < 0 || c_error < 0 || c_n < 0) {
        snprintf(err, err_len, "results.csv: the writer's columns changed");
        return -EINVAL;
    }
    struct run_file f;
    struct csv_row row;
    int ret = run_file_open(&f, dirfd, dir, "results.csv", results_columns, n_results_columns, err,
                            err_len);
    while (!ret && (ret = run_file_next(&f, dir, n_results_columns, &row, err, err_len)) == 1) {
        char **fl = row.fields;
        ret = 0;
        if (strcmp(fl[c_run], run_id)) {
            snprintf(err, err_len, "%s/results.csv:%lu: run id '%s', but metadata.csv says '%s'",
                     dir, row.line, fl[c_run], run_id);
            ret = -ESTALE;
            break;
        }
        long at = index_find(x, fl[c_case]);
        if (at < 0) {
            snprintf(err, err_len,
                     "%s/results.csv:%lu: case '%s' is not in this run's sweep (the job, its "
                     "files or the heaps here changed since the run started)",
                     dir, row.line, fl[c_case]);
            ret = -ESTALE;
            break;
        }
        x->seen[at]++;
        x->want_samples[at] += strtoul(fl[c_n], NULL, 10);
        if (strstr(fl[c_error], RUNNER_INTERRUPTED_MARK))
            x->cut_short[at] = true;
        if (results_unit_is_counter(fl[c_unit]))
            continue;
        if (!strcmp(fl[c_status], case_status_name(CASE_ERROR)))
            x->worst[at] = CASE_ERROR;
        if (strcmp(fl[c_status], case_status_name(CASE_SKIPPED)))
            x->all_skipped[at] = false;
    }
    run_file_close(&f);
    return ret;
}

/* --- samples.csv: which cases have all their samples ------------------------------------- */

/* samples.csv's case_id column, or -1. */
static int samples_case_column(void)
{
    for (size_t i = 0; i < n_samples_columns; i++)
        if (!strcmp(samples_columns[i], "case_id"))
            return (int)i;
    return -1;
}

/* A run killed between writing a case's results and its samples (or a disk that kept one file
 * further than the other) leaves a case whose rows are all there but whose samples are not: it
 * is not done, and runs again. */
static int scan_samples(int dirfd, const char *dir, struct case_index *x, char *err, size_t err_len)
{
    int c_case = samples_case_column();
    if (c_case < 0) {
        snprintf(err, err_len, "samples.csv: the writer's columns changed");
        return -EINVAL;
    }
    struct run_file f;
    struct csv_row row;
    int ret = run_file_open(&f, dirfd, dir, "samples.csv", samples_columns, n_samples_columns, err,
                            err_len);
    while (!ret && (ret = run_file_next(&f, dir, n_samples_columns, &row, err, err_len)) == 1) {
        ret = 0;
        long at = index_find(x, row.fields[c_case]);
        if (at >= 0)
            x->have_samples[at]++;
    }
    run_file_close(&f);
    return ret;
}

/* --- rewriting a file with the rows of done cases ---------------------------------------- */

/* Copy DIR/name to a temporary file, keeping the header and the rows whose case is done,
 * then rename it over name. On success *kept_out is the new file, open at its end. */
static int rewrite(int dirfd, const char *dir, const char *name, const char *const *columns,
                   size_t n_columns, int case_col, const struct case_index *x, FILE **kept_out,
                   size_t *dropped, char *err, size_t err_len)
{
    struct safe_file_update out;
    struct run_file f;
    struct csv_row row;
    int ret = run_file_open(&f, dirfd, dir, name, columns, n_columns, err, err_len);
    if (ret)
        return ret;
    if ((ret = safe_file_begin(&out, dirfd, name))) {
        snprintf(err, err_len, "%s: a temporary for %s: %s", dir, name, strerror(-ret));
        run_file_close(&f);
        return ret;
    }
    csv_write_row(out.f, columns, n_columns);
    while ((ret = run_file_next(&f, dir, n_columns, &row, err, err_len)) == 1) {
        long at = index_find(x, row.fields[case_col]);
        if (at >= 0 && x->sorted[at]->done)
            csv_write_row(out.f, (const char *const *)row.fields, row.n);
        else if (dropped)
            (*dropped)++;
    }
    run_file_close(&f);
    if (ret) {
        safe_file_abort(&out);
        return ret;
    }
    if ((ret = safe_file_commit(&out, true))) {
        snprintf(err, err_len, "%s/%s: %s", dir, name, strerror(-ret));
        return ret;
    }
    *kept_out = out.f;
    return 0;
}

int run_resume_prepare(int dirfd, const char *dir, const char *run_id, struct resume_case *cases,
                       size_t n_cases, FILE **results, FILE **samples, struct resume_counts *counts,
                       char *err, size_t err_len)
{
    struct case_index x;
    memset(counts, 0, sizeof(*counts));
    *results = *samples = NULL;
    int ret = index_build(&x, cases, n_cases);
    if (ret) {
        snprintf(err, err_len, "%s: %s", dir, strerror(-ret));
        index_free(&x);
        return ret;
    }
    if ((ret = scan_results(dirfd, dir, run_id, &x, err, err_len)) ||
        (ret = scan_samples(dirfd, dir, &x, err, err_len))) {
        index_free(&x);
        return ret;
    }
    for (size_t i = 0; i < x.n;) {
        size_t end = i + 1;
        while (end < x.n && !strcmp(x.sorted[end]->id, x.sorted[i]->id))
            end++;
        bool done = x.seen[i] == index_rows(&x, i) && !x.cut_short[i] &&
                    x.have_samples[i] == x.want_samples[i];
        for (size_t k = i; k < end; k++)
            x.sorted[k]->done = done;
        if (done) {
            counts->done += end - i;
            if (x.worst[i] == CASE_ERROR)
                counts->errors += end - i;
            else if (x.all_skipped[i])
                counts->skipped += end - i;
            else
                counts->ok += end - i;
        }
        i = end;
    }
    int sample_case = samples_case_column();
    /* Samples first: were we killed between the two renames, results.csv would still list the
     * dropped rows (their case incomplete), which the next resume drops again. */
    ret = rewrite(dirfd, dir, "samples.csv", samples_columns, n_samples_columns, sample_case, &x,
                  samples, NULL, err, err_len);
    if (!ret)
        ret = rewrite(dirfd, dir, "results.csv", results_columns, n_results_columns,
                      results_column_find("case_id"), &x, results, &counts->dropped_rows, err,
                      err_len);
    if (!ret && (ret = output_dir_sync(dirfd)))
        snprintf(err, err_len, "%s: %s", dir, strerror(-ret));
    if (ret) {
        if (*samples)
            fclose(*samples);
        if (*results)
            fclose(*results);
        *results = *samples = NULL;
    }
    index_free(&x);
    return ret;
}

/* --- the command line, kept in the metadata ----------------------------------------------- */

int run_args_encode(int argc, char *const *argv, char *out, size_t out_len)
{
    for (int i = 0; i < argc; i++)
        for (const char *p = argv[i]; *p; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                return -EINVAL; /* metadata values are one line */
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return -ENOMEM;
    int ret = csv_write_row(f, (const char *const *)argv, (size_t)argc);
    if (fclose(f) != 0 || !text)
        ret = -ENOMEM;
    if (!ret) {
        if (len && text[len - 1] == '\n')
            text[--len] = '\0';
        if (len >= out_len)
            ret = -ENOSPC;
        else
            memcpy(out, text, len + 1);
    }
    free(text);
    return ret;
}

void run_args_free(int argc, char **argv)
{
    if (!argv)
        return;
    for (int i = 0; i < argc; i++)
        free(argv[i]);
    free(argv);
}

int run_args_decode(const char *argv0, const char *text, int *argc, char ***argv)
{
    *argc = 0;
    *argv = NULL;
    if (!text)
        return -EINVAL;
    if (!*text) { /* `dmabench run` with no arguments */
        char **v = calloc(2, sizeof(*v));
        if (!v || !(v[0] = strdup(argv0))) {
            free(v);
            return -ENOMEM;
        }
        *argc = 1;
        *argv = v;
        return 0;
    }
    char *line;
    if (asprintf(&line, "%s\n", text) < 0)
        return -ENOMEM;
    struct csv_reader *r;
    struct csv_row row;
    int ret = csv_reader_open_mem(&r, "argv", line, strlen(line));
    if (ret) {
        free(line);
        return ret;
    }
    ret = csv_reader_next(r, &row);
    if (ret == 1) {
        ret = 0;
        char **v = calloc(row.n + 2, sizeof(*v));
        if (!v)
            ret = -ENOMEM;
        for (size_t i = 0; !ret && i <= row.n; i++) {
            v[i] = strdup(i ? row.fields[i - 1] : argv0);
            if (!v[i])
                ret = -ENOMEM;
            else
                *argc = (int)i + 1;
        }
        *argv = v;
    } else {
        ret = ret < 0 && ret != -ENOMEM ? -EINVAL : ret == 0 ? -EINVAL : ret;
    }
    csv_reader_close(r);
    free(line);
    if (ret) {
        run_args_free(*argc, *argv);
        *argc = 0;
        *argv = NULL;
    }
    return ret;
}
