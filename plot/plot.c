/* plot/plot.c - the plot types, the .dat files they read, and running plot/NAME.gp on them.
 *
 * Data go to gnuplot as files (one block per series, its first line the title), never inside a
 * generated script: the scripts in plot/ are fixed, take arguments, and can be run by hand on
 * the .dat files a run leaves behind to restyle a plot.
 */
#include "plot.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "metadata.h"
#include "output_dir.h"
#include "plot_bars.h"
#include "plot_render.h"
#include "safe_file.h"
#include "size_units.h"

static const char *const size_x[] = {"size_bytes", NULL};
/* The sync and pipeline benchmarks came after this code: any of these names will do. */
static const char *const region_x[] = {"region_bytes", "region_size_bytes", "size_bytes", NULL};
static const char *const depth_x[] = {"pool_depth", "pool", "depth", "batch", NULL};
static const char *const cpu_pairs[][2] = {
        {"cpu", "peer"}, {"src_cpu", "dst_cpu"}, {"cpu_from", "cpu_to"}, {NULL, NULL}};

static const char *const m_bandwidth[] = {"bandwidth", NULL};
static const char *const m_latency[] = {"latency", NULL};
static const char *const m_alloc[] = {"alloc_latency", NULL};
static const char *const m_sync[] = {"sync_cost", "sync_latency", "sync_time", NULL};
static const char *const m_pipeline[] = {"throughput", "frames_per_s", "fps", NULL};
static const char *const m_c2c[] = {"c2c_latency", "core_to_core_latency", NULL};
static const char *const u_ns[] = {"ns", NULL};
static const char *const u_rate[] = {"frames/s", "buffers/s", "bytes/s", NULL};

static const struct plot_type plot_types[] = {
        {
                .name = "bandwidth",
                .title = "CPU bandwidth through the mapping vs buffer size",
                .needs = "cpu rows with metric bandwidth",
                .hint = "dmabench run cpu",
                .query = {.bench = BENCH_cpu, .metrics = m_bandwidth, .x_cols = size_x},
                .cache_marks = true,
        },
        {
                .name = "latency",
                .title = "Load latency (random pointer chase) vs buffer size",
                .needs = "cpu rows with metric latency",
                .hint = "dmabench run cpu --kernel chase",
                .query = {.bench = BENCH_cpu, .metrics = m_latency, .x_cols = size_x},
                .cache_marks = true,
        },
        {
                .name = "alloc",
                .title = "Allocation latency percentiles vs buffer size",
                .needs = "alloc rows with metric alloc_latency",
                .hint = "dmabench run alloc",
                .query = {.bench = BENCH_alloc, .metrics = m_alloc, .x_cols = size_x},
        },
        {
                .name = "sync",
                .title = "Cache maintenance (sync) cost vs region size",
                .needs = "sync rows with metric sync_cost, or any in ns, by region or buffer size",
                .hint = "dmabench run sync",
                .query =
                        {.bench = BENCH_sync, .metrics = m_sync, .units = u_ns, .x_cols = region_x},
        },
        {
                .name = "pipeline",
                .title = "Pipeline throughput vs pool depth",
                .needs = "pipeline rows with metric throughput, or any in frames/s, buffers/s or "
                         "bytes/s, by pool_depth or batch",
                .hint = "dmabench run pipeline",
                .query = {.bench = BENCH_pipeline,
                          .metrics = m_pipeline,
                          .units = u_rate,
                          .x_cols = depth_x},
        },
        {
                .name = "c2c",
                .title = "Core-to-core cache-line transfer latency",
                .needs = "coherency rows in ns between two CPUs (columns cpu and peer)",
                .hint = "dmabench run coherency",
                .query = {.bench = BENCH_coherency,
                          .metrics = m_c2c,
                          .units = u_ns,
                          .xy_cols = cpu_pairs},
        },
        {
                .name = "versus",
                .title = NULL, /* board vs board, or run vs run: from the sets */
                .needs = "two or more result sets with cases in common",
                .hint = "give two result directories",
                .across_sets = true,
        },
};

size_t plot_type_count(void)
{
    return sizeof(plot_types) / sizeof(*plot_types);
}

const struct plot_type *plot_type_at(size_t i)
{
    return i < plot_type_count() ? &plot_types[i] : NULL;
}

const struct plot_type *plot_type_find(const char *name)
{
    for (size_t i = 0; i < plot_type_count(); i++)
        if (strcmp(plot_types[i].name, name) == 0)
            return &plot_types[i];
    return NULL;
}

static bool has_scripts(const char *dir)
{
    char path[PATH_MAX];
    int n = snprintf(path, sizeof(path), "%s/common.gp", dir);
    return n > 0 && (size_t)n < sizeof(path) && access(path, R_OK) == 0;
}

/* Where an installed dmabench keeps them, from its own folder: PREFIX/bin -> PREFIX/share/...
 * (make install, the Debian package), so the tree can be moved or staged under a DESTDIR. */
#define PLOT_INSTALLED_DIR "../share/dmabench/plot"

int plot_find_scripts(char *out, size_t len, char *err, size_t err_len)
{
    const char *env = getenv("DMABENCH_PLOT_DIR");
    if (env && *env) {
        /* Absolute: gnuplot runs in a directory of its own (plot_make). */
        char abs[PATH_MAX];
        snprintf(out, len, "%s", realpath(env, abs) ? abs : env);
        if (has_scripts(out))
            return 0;
        snprintf(err, err_len, "DMABENCH_PLOT_DIR=%s: no gnuplot scripts there (common.gp)", env);
        return -ENOENT;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n <= 0) {
        snprintf(err, err_len, "cannot find the gnuplot scripts: set DMABENCH_PLOT_DIR");
        return -ENOENT;
    }
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0';
    char installed[PATH_MAX + sizeof(PLOT_INSTALLED_DIR) + 1];
    snprintf(installed, sizeof(installed), "%s/" PLOT_INSTALLED_DIR, exe);
    if (has_scripts(installed)) {
        char abs[PATH_MAX];
        snprintf(out, len, "%s", realpath(installed, abs) ? abs : installed);
        return 0;
    }
    /* The source tree: plot/ beside ./dmabench, or above build/.../dmabench. */
    for (int up = 0; up <= 3; up++) {
        char dir[PATH_MAX + 16] = "";
        size_t used = (size_t)snprintf(dir, sizeof(dir), "%s", exe);
        for (int i = 0; i < up && used < sizeof(dir); i++)
            used += (size_t)snprintf(dir + used, sizeof(dir) - used, "/..");
        if (used < sizeof(dir))
            snprintf(dir + used, sizeof(dir) - used, "/plot");
        if (has_scripts(dir)) {
            snprintf(out, len, "%s", dir);
            return 0;
        }
    }
    snprintf(err, err_len,
             "no gnuplot scripts (common.gp) in %s/" PLOT_INSTALLED_DIR
             " nor in plot/ beside it or above it: set DMABENCH_PLOT_DIR",
             exe);
    return -ENOENT;
}

/* ---- .dat files ------------------------------------------------------------------------- */

/* A title as gnuplot's columnheader reads it: double-quoted, so no double quote inside. */
static void put_title(FILE *f, const char *text)
{
    fputc('"', f);
    for (const char *p = text; *p; p++)
        fputc(*p == '"' ? '\'' : *p, f);
    fputc('"', f);
}

static void put_num(FILE *f, double v)
{
    if (isnan(v))
        fputs(" NaN", f);
    else
        fprintf(f, " %.10g", v);
}

/* A lone series has no varying parameter to name it: its heap and kernel do. */
static void series_title(const struct result_set *s, const struct plot_series *ser, char *out,
                         size_t len)
{
    if (ser->label[0]) {
        snprintf(out, len, "%s", ser->label);
        return;
    }
    const struct result_row *r = ser->pts[0].row;
    const char *kernel = result_text(r, s->c.kernel);
    snprintf(out, len, "%s%s%s", result_text(r, s->c.heap), *kernel ? " " : "", kernel);
}

static void write_series(FILE *f, const struct result_set *s, const struct plot_selection *sel,
                         bool heatmap)
{
    for (size_t i = 0; i < sel->n_series; i++) {
        const struct plot_series *ser = &sel->series[i];
        char title[256];
        series_title(s, ser, title, sizeof(title));
        /* Blocks are separated by two blank lines; none after the last, or gnuplot counts an
         * empty block and warns that it has no valid points. */
        fputs(i ? "\n\n" : "", f);
        put_title(f, title);
        fputs(heatmap ? " x y median\n" : " x median ci_low ci_high p90 p99\n", f);
        for (size_t k = 0; k < ser->n; k++) {
            const struct plot_point *p = &ser->pts[k];
            fprintf(f, "%.10g", p->x);
            if (heatmap) {
                put_num(f, p->y);
                put_num(f, p->median);
            } else {
                put_num(f, p->median);
                put_num(f, p->lo);
                put_num(f, p->hi);
                put_num(f, p->p90);
                put_num(f, p->p99);
            }
            fputc('\n', f);
        }
    }
}

static void write_bars(FILE *f, struct result_set *const *sets, size_t n_sets,
                       const struct bar_cases *cc)
{
    fputs("case", f);
    for (size_t i = 0; i < n_sets; i++) {
        char title[300], desc[256];
        snprintf(desc, sizeof(desc), "%s, Linux %s, run %s", result_set_board(sets[i]),
                 result_set_meta(sets[i], "kernel_release"), result_set_meta(sets[i], "run_id"));
        snprintf(title, sizeof(title), "set %zu: %s", i + 1, desc);
        fputc(' ', f);
        put_title(f, title);
        fputs(" lo hi", f);
    }
    fputc('\n', f);
    for (size_t k = 0; k < cc->n; k++) {
        const struct bar_case *c = &cc->cases[k];
        put_title(f, c->label[0] ? c->label : "case");
        for (size_t i = 0; i < n_sets; i++) {
            put_num(f, c->rel[i]);
            put_num(f, c->lo[i]);
            put_num(f, c->hi[i]);
        }
        fputc('\n', f);
    }
}

/* ---- one plot ------------------------------------------------------------------------------ */

/* Where a plot's files are made: plot/plot_render.h. */
struct plot_ctx {
    const struct plot_job *job;
    struct plot_outcome *o;
    const struct plot_render *r;
    char *err;
    size_t err_len;
};

static int open_dat(struct plot_ctx *x, FILE **f)
{
    int ret = plot_render_dat_create(x->r, x->o->name, f, x->err, x->err_len);
    if (ret)
        return ret;
    fprintf(*f,
            "# dmabench plot data for plot/%s.gp (gnuplot -c plot/%s.gp DATA OUT TITLE UNIT "
            "XCOL [EXTRA])\n",
            x->o->type->name, x->o->type->name);
    return 0;
}

static int close_dat(struct plot_ctx *x, FILE *f)
{
    return plot_render_dat_close(x->r, x->o->name, f, x->err, x->err_len);
}

/* "L1d:32768 L2:1048576 ...": the data caches of the set's metadata (cache_l1d, cache_l2 ...). */
static void cache_marks(const struct result_set *s, char *out, size_t len)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < s->md->n; i++) {
        const struct metadata_entry *e = &s->md->entries[i];
        size_t klen = strlen(e->key);
        if (strncmp(e->key, "cache_l", 7) != 0 || e->key[klen - 1] == 'i')
            continue;
        double bytes = result_parse_size(e->value);
        if (bytes <= 0 || used >= len)
            continue;
        int n = snprintf(out + used, len - used, "%sL%s:%.0f", used ? " " : "", e->key + 7, bytes);
        if (n > 0)
            used += (size_t)n;
    }
}

static int run_script(struct plot_ctx *x, const char *title, const char *unit, const char *xcol,
                      const char *extra)
{
    char data[sizeof(x->o->name) + 8];
    snprintf(data, sizeof(data), "%s.dat", x->o->name);
    /* Relative: gnuplot runs in the private directory. */
    const char *args[] = {data, x->o->name, title, unit, xcol, extra};
    bool made;
    int ret = plot_render_run(x->r, x->o->type->name, x->o->name, args,
                              sizeof(args) / sizeof(*args), &made, x->o->note, sizeof(x->o->note),
                              &x->o->gnuplot_errors, x->err, x->err_len);
    if (!ret)
        x->o->state = made ? PLOT_MADE : PLOT_FAILED;
    return ret;
}

static void skip(struct plot_outcome *o, const char *where)
{
    o->state = PLOT_SKIPPED;
    snprintf(o->note, sizeof(o->note), "no rows for it in %s (needs %s; %s)", where, o->type->needs,
             o->type->hint);
}

static int plot_one_set(struct plot_ctx *x, const struct result_set *s)
{
    struct plot_selection sel;
    int ret = plot_select(s, &x->o->type->query, &sel, x->err, x->err_len);
    if (ret)
        return ret;
    if (!sel.n_points) {
        skip(x->o, s->dir);
        plot_selection_free(&sel);
        return 0;
    }
    x->o->series = sel.n_series;
    x->o->points = sel.n_points;
    FILE *f;
    if (!(ret = open_dat(x, &f))) {
        if (sel.metric[0])
            fprintf(f, "# from %s: metric %s (%s) against %s\n", s->results_path, sel.metric,
                    sel.unit, s->cols[sel.x_col]);
        else
            fprintf(f, "# from %s: every metric in %s against %s\n", s->results_path, sel.unit,
                    s->cols[sel.x_col]);
        write_series(f, s, &sel, sel.y_col >= 0);
        ret = close_dat(x, f);
    }
    if (!ret) {
        char title[768], desc[512], marks[256] = "";
        result_set_describe(s, desc, sizeof(desc));
        /* The metric only when it is not the one the type is named after (a fallback). */
        const char *const *pref = x->o->type->query.metrics;
        bool other = !pref || strcmp(sel.metric, pref[0]) != 0;
        snprintf(title, sizeof(title), "%s%s%s%s%s%s\n%s", x->o->type->title,
                 sel.common[0] ? " (" : "", sel.common, sel.common[0] ? ")" : "",
                 other && sel.metric[0] ? ": " : "", other ? sel.metric : "", desc);
        if (x->o->type->cache_marks)
            cache_marks(s, marks, sizeof(marks));
        ret = run_script(x, title, sel.unit, s->cols[sel.x_col], marks);
    }
    plot_selection_free(&sel);
    return ret;
}

/* ", every case at 64MiB" when every bar is a case of one size (the labels then leave it out, as
 * a parameter that does not vary), else "" (each label names its size). */
static const char *common_size(const struct result_set *s0, const struct bar_cases *cc, char *out,
                               size_t len)
{
    double size = cc->n ? result_num(cc->cases[0].rows[0], s0->c.size) : NAN;
    for (size_t k = 1; k < cc->n && !isnan(size); k++)
        if (result_num(cc->cases[k].rows[0], s0->c.size) != size)
            size = NAN;
    if (isnan(size) || size < 0 || size > (double)SIZE_MAX)
        return "";
    char text[32];
    snprintf(out, len, ", every case at %s", size_format_compact((size_t)size, text, sizeof(text)));
    return out;
}

static int plot_across(struct plot_ctx *x)
{
    const struct plot_job *job = x->job;
    struct bar_cases cc;
    if (job->n_sets < 2) {
        x->o->state = PLOT_SKIPPED;
        snprintf(x->o->note, sizeof(x->o->note), "one result set: needs %s", x->o->type->needs);
        return 0;
    }
    int ret = plot_bars_build(job->sets, job->n_sets, &cc);
    if (ret) {
        snprintf(x->err, x->err_len, "versus: %s", strerror(-ret));
        return ret;
    }
    if (!cc.n) {
        x->o->state = PLOT_SKIPPED;
        snprintf(x->o->note, sizeof(x->o->note),
                 "no case measured in every set (joined on case_id and metric)");
        plot_bars_free(&cc);
        return 0;
    }
    x->o->series = job->n_sets;
    x->o->points = cc.n;
    FILE *f;
    if (!(ret = open_dat(x, &f))) {
        fprintf(f,
                "# %zu cases measured in every set%s; per set: value relative to set 1 "
                "(above 1 = better), CI low, CI high\n",
                cc.n_common, cc.n < cc.n_common ? " (the largest size of each shown)" : "");
        write_bars(f, job->sets, job->n_sets, &cc);
        ret = close_dat(x, f);
    }
    if (!ret) {
        char title[1024], sets[16], size[64];
        size_t used = (size_t)snprintf(
                title, sizeof(title), "%s, relative to set 1%s\n",
                plot_bars_boards_differ(job->sets, job->n_sets) ? "Board vs board" : "Run vs run",
                common_size(job->sets[0], &cc, size, sizeof(size)));
        for (size_t i = 0; i < job->n_sets && used < sizeof(title); i++)
            used += (size_t)snprintf(title + used, sizeof(title) - used, "%s%s, Linux %s",
                                     i ? " vs " : "", result_set_board(job->sets[i]),
                                     result_set_meta(job->sets[i], "kernel_release"));
        snprintf(sets, sizeof(sets), "%zu", job->n_sets);
        ret = run_script(x, title, "", "", sets);
    }
    plot_bars_free(&cc);
    return ret;
}

static bool wanted(const struct plot_job *job, const struct plot_type *t)
{
    if (!job->types)
        return true;
    for (const char *const *n = job->types; *n; n++)
        if (strcmp(*n, t->name) == 0)
            return true;
    return false;
}

/* A set's files are named by its run id ("20261205T204829Z-bandwidth") when there are several
 * sets, so that plots of many runs in one directory say which run they show. A run id is made
 * of [A-Za-z0-9._-] only for that (a board's metadata is not trusted to name files); one that is
 * unknown, too long, or another set's too falls back to the set's place ("set2"). */
static void set_stem(const struct plot_job *job, size_t set, char *out, size_t len)
{
    const char *id = result_set_meta(job->sets[set], "run_id");
    size_t n = strlen(id);
    bool usable =
            n > 0 && n <= 40 && strcmp(id, "unknown") && id[0] != '.' &&
            strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
    for (size_t i = 0; i < job->n_sets && usable; i++)
        usable = i == set || strcmp(result_set_meta(job->sets[i], "run_id"), id);
    if (usable)
        snprintf(out, len, "%s", id);
    else
        snprintf(out, len, "set%zu", set + 1);
}

static int add_outcome(const struct plot_job *job, struct plot_outcome **all, size_t *n,
                       const struct plot_type *t, size_t set)
{
    struct plot_outcome *o = realloc(*all, (*n + 1) * sizeof(*o));
    if (!o)
        return -ENOMEM;
    *all = o;
    o = &o[(*n)++];
    *o = (struct plot_outcome){.type = t, .set = set, .state = PLOT_FAILED};
    if (job->n_sets > 1 && !t->across_sets) {
        char stem[48];
        set_stem(job, set, stem, sizeof(stem));
        snprintf(o->name, sizeof(o->name), "%s-%s", stem, t->name);
    } else {
        snprintf(o->name, sizeof(o->name), "%s", t->name);
    }
    return 0;
}

int plot_make(const struct plot_job *job, struct plot_outcome **out, size_t *n_out, char *err,
              size_t err_len)
{
    *out = NULL;
    *n_out = 0;
    struct plot_render r;
    int dirfd, ret = output_dir_open(job->out_dir, true, &dirfd, err, err_len);
    if (ret)
        return ret;
    if ((ret = plot_render_begin(&r, dirfd, job->out_dir, job->script_dir, err, err_len))) {
        close(dirfd);
        return ret;
    }
    bool failed = false;
    for (size_t t = 0; t < plot_type_count() && !ret; t++) {
        const struct plot_type *type = &plot_types[t];
        if (!wanted(job, type))
            continue;
        for (size_t set = 0; set < (type->across_sets ? 1 : job->n_sets) && !ret; set++) {
            if ((ret = add_outcome(job, out, n_out, type, set))) {
                snprintf(err, err_len, "%s", strerror(-ret));
                break;
            }
            struct plot_ctx x = {job, &(*out)[*n_out - 1], &r, err, err_len};
            ret = type->across_sets ? plot_across(&x) : plot_one_set(&x, job->sets[set]);
            if (ret) { /* err says what stopped it: the plot has no outcome */
                free(x.o->gnuplot_errors);
                (*n_out)--;
            }
            failed |= !ret && x.o->state == PLOT_FAILED;
        }
    }
    plot_render_end(&r);
    close(dirfd);
    return ret ? ret : failed ? -ECHILD : 0;
}

void plot_outcomes_free(struct plot_outcome *o, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(o[i].gnuplot_errors);
    free(o);
}
