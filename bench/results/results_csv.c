/* bench/results/results_csv.c - writes results.csv, samples.csv and metadata.csv.
 *
 * A results row is built column by column, in the order of bench/results/results_columns.h;
 * every cell goes through csv_write (RFC 4180 quoting); numbers are printed with enough digits
 * to round-trip; a case's rows reach the disk (fflush + fdatasync) before the next case starts.
 */
#include "results_csv.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"
#include "csv_write.h"
#include "heap_dev.h"
#include "metadata.h"
#include "output_dir.h"
#include "safe_file.h"

const char *const samples_columns[] = {"schema_version", "run_id", "case_id", "metric",
                                       "unit",           "rep",    "value",   "duration_ns"};
const size_t n_samples_columns = sizeof(samples_columns) / sizeof(samples_columns[0]);

const char *const metadata_columns[] = {"schema_version", "key", "value"};
const size_t n_metadata_columns = sizeof(metadata_columns) / sizeof(metadata_columns[0]);

bool results_schema_readable(const char *version)
{
    return strcmp(version, "1") == 0 || strcmp(version, "2") == 0 ||
           strcmp(version, RESULTS_SCHEMA_VERSION) == 0;
}

static FILE *create_csv(int dirfd, const char *name, int *err)
{
    /* Never overwrites an earlier run, never writes through a planted link. */
    FILE *f;
    *err = safe_file_create(dirfd, name, &f);
    return f;
}

int results_open(struct results_writer *w, const char *dir, const char *run_id, char *err,
                 size_t err_len)
{
    int dirfd;
    char reason[PATH_MAX + 256];
    int ret = output_dir_open(dir, true, &dirfd, reason, sizeof(reason));
    if (ret) {
        memset(w, 0, sizeof(*w));
        w->dirfd = -1;
        snprintf(err, err_len, "cannot create %s", reason);
        return ret;
    }
    ret = results_open_at(w, dirfd, dir, run_id, err, err_len);
    close(dirfd);
    return ret;
}

static int writer_init(struct results_writer *w, int dirfd, const char *dir, const char *run_id)
{
    memset(w, 0, sizeof(*w));
    w->dirfd = -1;
    /* Names that do not fit would be cut in every row and message: refused instead. */
    if (strlen(dir) >= sizeof(w->dir) || strlen(run_id) >= sizeof(w->run_id))
        return -ENAMETOOLONG;
    memcpy(w->dir, dir, strlen(dir) + 1);
    memcpy(w->run_id, run_id, strlen(run_id) + 1);
    /* Never 0-2: a zeroed writer (dirfd 0) must not close stdin in results_close. */
    w->dirfd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
    return w->dirfd < 0 ? -errno : 0;
}

int results_open_at(struct results_writer *w, int dirfd, const char *dir, const char *run_id,
                    char *err, size_t err_len)
{
    int ret = writer_init(w, dirfd, dir, run_id);
    if (ret) {
        snprintf(err, err_len, "%s: %s", dir, strerror(-ret));
        return ret;
    }
    if (!(w->results = create_csv(w->dirfd, "results.csv", &ret))) {
        snprintf(err, err_len, "%s/results.csv: %s%s", dir, strerror(-ret),
                 ret == -EEXIST ? " (an earlier run is there: choose another -o); --resume DIR "
                                  "continues it, --force moves it aside"
                                : "");
        results_close(w);
        return ret;
    }
    if (!(w->samples = create_csv(w->dirfd, "samples.csv", &ret))) {
        snprintf(err, err_len, "%s/samples.csv: %s", dir, strerror(-ret));
        results_close(w);
        return ret;
    }
    csv_write_row(w->results, results_columns, n_results_columns);
    csv_write_row(w->samples, samples_columns, n_samples_columns);
    /* The headers and the new names are durable before the first case counts on them. */
    if ((ret = safe_file_flush(w->samples)) || (ret = safe_file_flush(w->results)) ||
        (ret = output_dir_sync(w->dirfd))) {
        snprintf(err, err_len, "%s: %s", dir, strerror(-ret));
        results_close(w);
        return ret;
    }
    return 0;
}

int results_attach(struct results_writer *w, int dirfd, const char *dir, const char *run_id,
                   FILE *results, FILE *samples)
{
    int ret = writer_init(w, dirfd, dir, run_id);
    w->results = results;
    w->samples = samples;
    if (ret)
        results_close(w);
    return ret;
}

static const char *number_cell(char *out, size_t len, double v)
{
    if (isnan(v))
        out[0] = '\0';
    else
        snprintf(out, len, "%.10g", v);
    return out;
}

/* What goes in a column a sweep axis fills (COLUMN's cell in bench/job/sweep_axes.h). */
enum axis_cell {
    CELL_VALUE,             /* a BYTES axis's bytes, any other's canonical text */
    CELL_HEAP_BACKEND,      /* the heap's backend here */
    CELL_HEAP_CLASS,        /* and its class */
    CELL_PAGE_KIND,         /* base, thp, hugetlb */
    CELL_PAGE_SIZE_GRANTED, /* the page size read back, else the one asked for */
};

static const struct {
    enum sweep_axis axis;
    enum axis_cell cell;
} axis_columns[N_RESULTS_COLUMNS] = {
#define RESULTS_AXIS_CELL(name, type, flags, axis_, cell_)                                         \
    [RESULTS_COL_##name] = {.axis = AXIS_##axis_, .cell = CELL_##cell_},
        SWEEP_AXES(SWEEP_AXES_SKIP, RESULTS_AXIS_CELL)
#undef RESULTS_AXIS_CELL
};

/* Everything one results row is made of. */
struct row_source {
    const struct results_writer *w;
    const struct bench_case *c;
    const struct heap *heap; /* NULL: the case names a heap that does not exist here */
    const struct case_result *r;
    const struct metric_result *m;
    const char *error;
};

/* An axis's cell; empty for an axis the benchmark does not use. */
static const char *axis_cell(const struct row_source *src, enum results_column col, char *buf,
                             size_t len)
{
    enum sweep_axis axis = axis_columns[col].axis;
    const struct sweep_value *v = src->c->value[axis];
    const struct heap *heap = src->heap;
    switch (axis_columns[col].cell) {
    case CELL_HEAP_BACKEND:
        return heap ? heap->info.backend : "";
    case CELL_HEAP_CLASS:
        return heap ? heap_class_name(heap->info.klass) : "";
    case CELL_VALUE:
        if (!v || sweep_axis_kind(axis) != SWEEP_KIND_BYTES)
            return v ? v->text : "";
        snprintf(buf, len, "%zu", v->bytes); /* base units: 4096, not 4KiB */
        return buf;
    case CELL_PAGE_KIND: {
        static const char *const kinds[] = {"base", "thp", "hugetlb"};
        return v ? kinds[v->page_kind] : "";
    }
    case CELL_PAGE_SIZE_GRANTED: {
        if (!v)
            return "";
        /* What the kernel granted where the benchmark read it back, else what was asked. */
        size_t asked = v->page_kind == HEAP_PAGES_HUGETLB ? v->bytes : heap_base_page_size();
        snprintf(buf, len, "%zu", src->r->facts.page_size ? src->r->facts.page_size : asked);
        return buf;
    }
    }
    return "";
}

/* One cell of a results row, by column; buf holds numbers printed for it. */
static const char *results_cell(const struct row_source *src, enum results_column col, char *buf,
                                size_t len)
{
    const struct case_result *r = src->r;
    const struct metric_result *m = src->m;
    const struct stats_summary *s = &m->stats;
    bool have = m->n > 0; /* the statistics of no samples are empty */
    switch (col) {
#define RESULTS_AXIS_CASE(name, ...) case RESULTS_COL_##name:
        SWEEP_AXES(SWEEP_AXES_SKIP, RESULTS_AXIS_CASE)
#undef RESULTS_AXIS_CASE
        return axis_cell(src, col, buf, len);
    case RESULTS_COL_schema_version:
        return RESULTS_SCHEMA_VERSION;
    case RESULTS_COL_run_id:
        return src->w->run_id;
    case RESULTS_COL_case_id:
        return src->c->id;
    case RESULTS_COL_bench:
        return src->c->job->bench;
    case RESULTS_COL_job:
        return src->c->job->name;
    case RESULTS_COL_metric:
        return m->name;
    case RESULTS_COL_unit:
        return m->unit;
    case RESULTS_COL_better:
        return m->better == BETTER_HIGHER ? "higher" : "lower";
    case RESULTS_COL_n:
        return number_cell(buf, len, have ? (double)s->n : NAN);
    case RESULTS_COL_median:
        return number_cell(buf, len, have ? s->median : NAN);
    case RESULTS_COL_mean:
        return number_cell(buf, len, have ? s->mean : NAN);
    case RESULTS_COL_min:
        return number_cell(buf, len, have ? s->min : NAN);
    case RESULTS_COL_max:
        return number_cell(buf, len, have ? s->max : NAN);
    case RESULTS_COL_stddev:
        return number_cell(buf, len, have ? s->stddev : NAN);
    case RESULTS_COL_mad:
        return number_cell(buf, len, have ? s->mad : NAN);
    case RESULTS_COL_cv:
        return number_cell(buf, len, have ? s->cv : NAN);
    case RESULTS_COL_p90:
        return number_cell(buf, len, have ? s->p90 : NAN);
    case RESULTS_COL_p99:
        return number_cell(buf, len, have ? s->p99 : NAN);
    case RESULTS_COL_ci_low:
        return number_cell(buf, len, have ? s->ci_low : NAN);
    case RESULTS_COL_ci_high:
        return number_cell(buf, len, have ? s->ci_high : NAN);
    case RESULTS_COL_reps:
        return number_cell(buf, len, (double)r->reps);
    case RESULTS_COL_reps_stop:
        return r->reps ? reps_stop_name(r->stop) : "";
    case RESULTS_COL_mux_ratio:
        return number_cell(buf, len, m->mux_ratio);
    case RESULTS_COL_status:
        return case_status_name(m->status);
    case RESULTS_COL_error:
        return src->error;
    case RESULTS_COL_verdict:
        return bench_verdict(src->c, m->name, m->status == CASE_OK && m->n > 0, s);
    case RESULTS_COL_implementation:
        return r->facts.implementation;
    case RESULTS_COL_huge_fraction:
        return number_cell(buf, len, r->facts.huge_fraction);
    case RESULTS_COL_min_sample_ns:
        return number_cell(buf, len, case_result_min_rep_ns(r));
    case RESULTS_COL_note:
        return r->facts.note;
    case RESULTS_COL_disturbed:
        return r->disturbed;
    case RESULTS_COL_implausible:
        return r->implausible;
    case N_RESULTS_COLUMNS:
        break;
    }
    return "";
}

static void write_metric_row(struct results_writer *w, const struct bench_case *c,
                             const struct heap *heap, const struct case_result *r,
                             const struct metric_result *m)
{
    char error[256] = "";
    if (m->status != CASE_OK) {
        /* The errno text once: reasons often quote it already. */
        const char *errno_text = m->err ? strerror(-m->err) : "";
        if (strstr(m->reason, errno_text))
            snprintf(error, sizeof(error), "%s", m->reason);
        else
            snprintf(error, sizeof(error), "%s%s%s", errno_text,
                     errno_text[0] && m->reason[0] ? ": " : "", m->reason);
    }
    const struct row_source src = {.w = w, .c = c, .heap = heap, .r = r, .m = m, .error = error};
    char cells[N_RESULTS_COLUMNS][SWEEP_TEXT_MAX];
    const char *row[N_RESULTS_COLUMNS];
    for (int col = 0; col < N_RESULTS_COLUMNS; col++)
        row[col] = results_cell(&src, col, cells[col], sizeof(cells[col]));
    csv_write_row(w->results, row, N_RESULTS_COLUMNS);
}

static void write_samples(struct results_writer *w, const struct bench_case *c,
                          const struct case_result *r, const struct metric_result *m)
{
    for (size_t i = 0; i < m->n; i++) {
        char rep[16], value[32], duration[32] = "";
        unsigned k = m->sample_rep[i];
        snprintf(rep, sizeof(rep), "%u", k);
        snprintf(value, sizeof(value), "%.10g", m->samples[i]);
        if (r->rep_ns && k < r->reps)
            number_cell(duration, sizeof(duration), r->rep_ns[k]);
        const char *row[] = {
                RESULTS_SCHEMA_VERSION, w->run_id, c->id, m->name, m->unit, rep, value, duration};
        csv_write_row(w->samples, row, sizeof(row) / sizeof(row[0]));
    }
}

int results_write_case(struct results_writer *w, const struct bench_case *c,
                       const struct heap *heap, const struct case_result *r)
{
    /* Samples first and synced: a results row on disk then always has all its samples, and
     * --resume can take "every row of the case is there" to mean the case is whole. */
    for (size_t i = 0; i < r->n_metrics; i++)
        write_samples(w, c, r, &r->metrics[i]);
    int ret = safe_file_flush(w->samples);
    if (ret)
        return ret;
    for (size_t i = 0; i < r->n_metrics; i++)
        write_metric_row(w, c, heap, r, &r->metrics[i]);
    return safe_file_flush(w->results);
}

int results_write_metadata(const struct results_writer *w, const struct metadata *md)
{
    /* Written at the start and again at the end of a run: a temporary file renamed over the
     * old one, so metadata.csv is always whole, whenever the run stops. */
    struct safe_file_update u;
    int ret = safe_file_begin(&u, w->dirfd, "metadata.csv");
    if (ret)
        return ret;
    csv_write_row(u.f, metadata_columns, n_metadata_columns);
    for (size_t i = 0; i < md->n; i++) {
        const char *row[] = {RESULTS_SCHEMA_VERSION, md->entries[i].key, md->entries[i].value};
        csv_write_row(u.f, row, 3);
    }
    return safe_file_commit(&u, false);
}

int results_close(struct results_writer *w)
{
    int ret = 0;
    if (w->results && fclose(w->results) != 0)
        ret = -errno;
    if (w->samples && fclose(w->samples) != 0 && !ret)
        ret = -errno;
    if (w->dirfd > 2)
        close(w->dirfd);
    w->results = w->samples = NULL;
    w->dirfd = -1;
    return ret;
}
