/* bench/results/results_csv.c - writes results.csv, samples.csv and metadata.csv.
 *
 * Every cell goes through csv_write (RFC 4180 quoting); numbers are printed with enough digits
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

/* The parameters are one column per sweep axis (page-size has two), from size_bytes to peer;
 * the measurement follows from metric on. */
const char *const results_columns[] = {
        "schema_version",
        "run_id",
        "case_id",
        "bench",
        "job",
        "heap",
        "backend",
        "heap_class",
        "size_bytes",
        "align_bytes",
        "page_kind",
        "page_size_bytes",
        "threads",
        "batch",
        "kernel",
        "node",
        "strategy",
        "direction",
        "region_bytes",
        "region_offset_bytes",
        "regions",
        "lines",
        "importers",
        "pool_depth",
        "frame_format",
        "engine",
        "cpu",
        "peer",
        "metric",
        "unit",
        "better",
        "n",
        "median",
        "mean",
        "min",
        "max",
        "stddev",
        "mad",
        "cv",
        "p90",
        "p99",
        "ci_low",
        "ci_high",
        "reps",
        "reps_stop",
        "mux_ratio",
        "status",
        "error",
        "verdict",
        "implementation",
        "huge_fraction",
        "min_sample_ns",
        "note",
        "disturbed",
        "implausible",
};
const size_t n_results_columns = sizeof(results_columns) / sizeof(results_columns[0]);

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

static long results_column_index(const char *name)
{
    for (size_t i = 0; i < n_results_columns; i++)
        if (strcmp(results_columns[i], name) == 0)
            return (long)i;
    return -1;
}

bool results_column_is_parameter(const char *name)
{
    long i = results_column_index(name);
    if (i < 0 || !strcmp(name, "bench") || !strcmp(name, "heap") || !strcmp(name, "metric"))
        return true;
    return i >= results_column_index("size_bytes") && i <= results_column_index("peer");
}

static int flush_to_disk(FILE *f)
{
    if (fflush(f) != 0 || ferror(f))
        return -EIO;
    return fdatasync(fileno(f)) == 0 || errno == EINVAL ? 0 : -errno;
}

static FILE *create_csv(int dirfd, const char *name, int *err)
{
    /* O_EXCL: never overwrite an earlier run; O_NOFOLLOW: never write through a planted link. */
    int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) {
        *err = -errno;
        return NULL;
    }
    FILE *f = fdopen(fd, "w");
    if (!f) {
        *err = -errno;
        close(fd);
    }
    return f;
}

int results_open(struct results_writer *w, const char *dir, const char *run_id, char *err,
                 size_t err_len)
{
    int dirfd;
    char reason[600];
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
    snprintf(w->dir, sizeof(w->dir), "%s", dir);
    snprintf(w->run_id, sizeof(w->run_id), "%s", run_id);
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
    if ((ret = flush_to_disk(w->samples)) || (ret = flush_to_disk(w->results)) ||
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

static void number_cell(char *out, size_t len, double v)
{
    if (isnan(v))
        out[0] = '\0';
    else
        snprintf(out, len, "%.10g", v);
}

/* The parameter cells of a case; axes the benchmark does not use stay empty. */
static void param_cells(const struct bench_case *c, const struct case_facts *facts,
                        char cells[N_SWEEP_AXES + 2][64])
{
    const struct sweep_value *v;
    memset(cells, 0, sizeof(char[N_SWEEP_AXES + 2][64]));
    if ((v = c->value[AXIS_SIZE]))
        snprintf(cells[0], 64, "%zu", v->bytes);
    if ((v = c->value[AXIS_ALIGN]))
        snprintf(cells[1], 64, "%zu", v->bytes);
    if ((v = c->value[AXIS_PAGE_SIZE])) {
        static const char *const kinds[] = {"base", "thp", "hugetlb"};
        snprintf(cells[2], 64, "%s", kinds[v->page_kind]);
        /* What the kernel granted where the benchmark read it back, else what was asked. */
        size_t asked = v->page_kind == HEAP_PAGES_HUGETLB ? v->bytes : heap_base_page_size();
        snprintf(cells[3], 64, "%zu", facts->page_size ? facts->page_size : asked);
    }
    if ((v = c->value[AXIS_THREADS]))
        snprintf(cells[4], 64, "%ld", v->number);
    if ((v = c->value[AXIS_BATCH]))
        snprintf(cells[5], 64, "%ld", v->number);
    if ((v = c->value[AXIS_KERNEL]))
        snprintf(cells[6], 64, "%s", v->text);
    if ((v = c->value[AXIS_NODE]))
        snprintf(cells[7], 64, "%s", v->text);
    /* From strategy on, one cell per axis in axis order: bytes for the byte axes, the canonical
     * text (a count, a word, a format) for the others. */
    for (int a = AXIS_STRATEGY; a < N_SWEEP_AXES; a++) {
        if (!(v = c->value[a]))
            continue;
        if (a == AXIS_REGION || a == AXIS_REGION_OFFSET)
            snprintf(cells[8 + a - AXIS_STRATEGY], 64, "%zu", v->bytes);
        else
            snprintf(cells[8 + a - AXIS_STRATEGY], 64, "%s", v->text);
    }
}

static void write_metric_row(struct results_writer *w, const struct bench_case *c,
                             const struct heap *heap, const struct case_result *r,
                             const struct metric_result *m, char params[][64])
{
    char num[16][32];
    const struct stats_summary *s = &m->stats;
    bool have = m->n > 0;
    double values[] = {have ? (double)s->n : NAN, have ? s->median : NAN, have ? s->mean : NAN,
                       have ? s->min : NAN,       have ? s->max : NAN,    have ? s->stddev : NAN,
                       have ? s->mad : NAN,       have ? s->cv : NAN,     have ? s->p90 : NAN,
                       have ? s->p99 : NAN,       have ? s->ci_low : NAN, have ? s->ci_high : NAN,
                       (double)r->reps,           m->mux_ratio,           r->facts.huge_fraction,
                       case_result_min_rep_ns(r)};
    for (size_t i = 0; i < 16; i++)
        number_cell(num[i], sizeof(num[i]), values[i]);
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
    const char *row[] = {
            RESULTS_SCHEMA_VERSION,
            w->run_id,
            c->id,
            c->job->bench,
            c->job->name,
            c->value[AXIS_HEAP] ? c->value[AXIS_HEAP]->text : "",
            heap ? heap->info.backend : "",
            heap ? heap_class_name(heap->info.klass) : "",
            params[0],
            params[1],
            params[2],
            params[3],
            params[4],
            params[5],
            params[6],
            params[7],
            params[8],
            params[9],
            params[10],
            params[11],
            params[12],
            params[13],
            params[14],
            params[15],
            params[16],
            params[17],
            params[18],
            params[19],
            m->name,
            m->unit,
            m->better == BETTER_HIGHER ? "higher" : "lower",
            num[0],
            num[1],
            num[2],
            num[3],
            num[4],
            num[5],
            num[6],
            num[7],
            num[8],
            num[9],
            num[10],
            num[11],
            num[12],
            r->reps ? reps_stop_name(r->stop) : "",
            num[13],
            case_status_name(m->status),
            error,
            bench_verdict(c, m->name, m->status == CASE_OK && m->n > 0, s),
            r->facts.implementation,
            num[14],
            num[15],
            r->facts.note,
            r->disturbed,
            r->implausible,
    };
    csv_write_row(w->results, row, sizeof(row) / sizeof(row[0]));
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
    char params[N_SWEEP_AXES + 2][64];
    param_cells(c, &r->facts, params);
    /* Samples first and synced: a results row on disk then always has all its samples, and
     * --resume can take "every row of the case is there" to mean the case is whole. */
    for (size_t i = 0; i < r->n_metrics; i++)
        write_samples(w, c, r, &r->metrics[i]);
    int ret = flush_to_disk(w->samples);
    if (ret)
        return ret;
    for (size_t i = 0; i < r->n_metrics; i++)
        write_metric_row(w, c, heap, r, &r->metrics[i], params);
    return flush_to_disk(w->results);
}

/* A fresh temporary name in the run directory, created exclusively: nothing planted there
 * (a link, someone else's file) can be written through or truncated. */
static FILE *create_temp(int dirfd, char *name, size_t name_len)
{
    for (int attempt = 0; attempt < 100; attempt++) {
        snprintf(name, name_len, ".metadata.csv.%ld.%d.tmp", (long)getpid(), attempt);
        int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd < 0 && errno == EEXIST)
            continue;
        if (fd < 0)
            return NULL;
        FILE *f = fdopen(fd, "w");
        if (!f) {
            close(fd);
            unlinkat(dirfd, name, 0);
        }
        return f;
    }
    errno = EEXIST;
    return NULL;
}

int results_write_metadata(const struct results_writer *w, const struct metadata *md)
{
    /* Written at the start and again at the end of a run: a temporary file renamed over the
     * old one, so metadata.csv is always whole, whenever the run stops. */
    char tmp[64];
    FILE *f = create_temp(w->dirfd, tmp, sizeof(tmp));
    if (!f)
        return -errno;
    csv_write_row(f, metadata_columns, n_metadata_columns);
    for (size_t i = 0; i < md->n; i++) {
        const char *row[] = {RESULTS_SCHEMA_VERSION, md->entries[i].key, md->entries[i].value};
        csv_write_row(f, row, 3);
    }
    int ret = flush_to_disk(f);
    if (fclose(f) != 0 && !ret)
        ret = -errno;
    if (!ret && renameat(w->dirfd, tmp, w->dirfd, "metadata.csv") != 0)
        ret = -errno;
    if (ret)
        unlinkat(w->dirfd, tmp, 0);
    return ret ? ret : output_dir_sync(w->dirfd);
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
