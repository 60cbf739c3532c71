/* bench/analysis/history_read.c - reads result sets one at a time into the history model.
 *
 * Each set is loaded (result_set_load, sample_index_load), its run and its measured rows are
 * copied into runs and series (found through a hash of board, case_id and metric), what the
 * noise judge needs of it is kept (run_noise_facts_read: a few hundred bytes, where a set's
 * metadata is megabytes), and the set is freed. Once the runs are ordered, each is judged
 * against its neighbours, a window of HISTORY_NOISE_PEERS.
 */
#include "history_read.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "compare_samples.h"
#include "result_set.h"
#include "results_validate.h"
#include "run_noise.h"
#include "text_hash.h"

struct builder {
    const struct history_opts *o;
    struct history *h;
    size_t cap_runs, cap_series;
    size_t *point_cap;             /* per series */
    struct run_noise_facts *facts; /* per run: what the noise judge needs */
    dev_t *dev;                    /* per run: the directory, so a set named twice is read once */
    ino_t *ino;
    size_t *slot; /* hash of series: index + 1, 0 free */
    size_t n_slots;
};

/* ---- series by board, case_id and metric ------------------------------------------------- */

static uint64_t hash_key(const char *board, const char *case_id, const char *metric)
{
    return text_hash(text_hash(text_hash(TEXT_HASH_START, board), case_id), metric);
}

static bool same_key(const struct history_series *s, const char *board, const char *case_id,
                     const char *metric)
{
    return !strcmp(s->case_id, case_id) && !strcmp(s->metric, metric) && !strcmp(s->board, board);
}

static int grow_slots(struct builder *b)
{
    size_t n = b->n_slots ? 2 * b->n_slots : 1024;
    size_t *slot = calloc(n, sizeof(*slot));
    if (!slot)
        return -ENOMEM;
    for (size_t i = 0; i < b->h->n_series; i++) {
        const struct history_series *s = &b->h->series[i];
        size_t at = hash_key(s->board, s->case_id, s->metric) & (n - 1);
        while (slot[at])
            at = (at + 1) & (n - 1);
        slot[at] = i + 1;
    }
    free(b->slot);
    b->slot = slot;
    b->n_slots = n;
    return 0;
}

int history_series_init(struct history_series *s, const char *board, const char *case_id,
                        const char *bench, const char *heap, const char *metric, const char *unit,
                        bool higher_better)
{
    const char *text[] = {board, case_id, bench, heap, metric, unit};
    size_t len[6], total = 0;
    for (size_t i = 0; i < 6; i++)
        total += len[i] = strlen(text[i]) + 1;
    char *block = malloc(total), *p = block;
    if (!block)
        return -ENOMEM;
    const char *copy[6];
    for (size_t i = 0; i < 6; i++) {
        copy[i] = memcpy(p, text[i], len[i]);
        p += len[i];
    }
    *s = (struct history_series){
            .board = copy[0],
            .case_id = copy[1],
            .bench = copy[2],
            .heap = copy[3],
            .metric = copy[4],
            .unit = copy[5],
            .higher_better = higher_better,
    };
    return 0;
}

/* A new series of the row's case and metric on board. */
static int new_series(struct builder *b, const struct result_set *set, const struct result_row *r,
                      const char *board, size_t *index)
{
    struct history *h = b->h;
    if (h->n_series == b->cap_series) {
        size_t cap2 = b->cap_series ? 2 * b->cap_series : 1024;
        struct history_series *series = realloc(h->series, cap2 * sizeof(*series));
        size_t *point_cap = series ? realloc(b->point_cap, cap2 * sizeof(*point_cap)) : NULL;
        if (series)
            h->series = series;
        if (!point_cap)
            return -ENOMEM;
        b->point_cap = point_cap;
        b->cap_series = cap2;
    }
    int ret = history_series_init(&h->series[h->n_series], board, result_text(r, set->c.case_id),
                                  result_text(r, set->c.bench), result_text(r, set->c.heap),
                                  result_text(r, set->c.metric), result_text(r, set->c.unit),
                                  !strcmp(result_text(r, set->c.better), "higher"));
    if (ret)
        return ret;
    b->point_cap[h->n_series] = 0;
    *index = h->n_series++;
    return 0;
}

static int find_series(struct builder *b, const struct result_set *set, const struct result_row *r,
                       const char *board, size_t *index)
{
    if (2 * (b->h->n_series + 1) > b->n_slots && grow_slots(b))
        return -ENOMEM;
    const char *case_id = result_text(r, set->c.case_id), *metric = result_text(r, set->c.metric);
    size_t mask = b->n_slots - 1, at = hash_key(board, case_id, metric) & mask;
    for (; b->slot[at]; at = (at + 1) & mask)
        if (same_key(&b->h->series[b->slot[at] - 1], board, case_id, metric)) {
            *index = b->slot[at] - 1;
            return 0;
        }
    int ret = new_series(b, set, r, board, index);
    if (!ret)
        b->slot[at] = *index + 1;
    return ret;
}

/* ---- one set ----------------------------------------------------------------------------- */

static bool row_wanted(const struct builder *b, const struct result_set *s,
                       const struct result_row *r)
{
    if (result_row_measured(s, r))
        return true;
    return b->o->counters && strcmp(result_text(r, s->c.status), "ok") == 0 &&
           !isnan(result_num(r, s->c.median)) && results_unit_is_counter(result_text(r, s->c.unit));
}

static int add_point(struct builder *b, size_t series, size_t run, const struct result_set *s,
                     const struct result_row *r, const struct sample_index *samples)
{
    struct history_series *se = &b->h->series[series];
    /* A case written twice into one set (files joined by hand): its first row counts. */
    if (se->n_points && se->points[se->n_points - 1].run == run)
        return 0;
    if (se->n_points == b->point_cap[series]) {
        size_t cap2 = b->point_cap[series] ? 2 * b->point_cap[series] : 8;
        struct history_point *points = realloc(se->points, cap2 * sizeof(*points));
        if (!points)
            return -ENOMEM;
        se->points = points;
        b->point_cap[series] = cap2;
    }
    struct history_point p = {.run = run,
                              .median = result_num(r, s->c.median),
                              .ci_low = result_num(r, s->c.ci_low),
                              .ci_high = result_num(r, s->c.ci_high)};
    const struct sample_series *raw =
            samples ? sample_index_find(samples, se->case_id, se->metric) : NULL;
    if (raw && raw->n) {
        double *copy = malloc(raw->n * sizeof(*copy));
        if (!copy)
            return -ENOMEM;
        p.samples = memcpy(copy, raw->values, raw->n * sizeof(*copy));
        p.n_samples = raw->n;
    }
    se->points[se->n_points++] = p;
    return 0;
}

static int add_run(struct builder *b, const struct result_set *s, const char *dir, struct stat *st,
                   size_t *index)
{
    struct history *h = b->h;
    if (h->n_runs == b->cap_runs) {
        size_t cap2 = b->cap_runs ? 2 * b->cap_runs : 64;
        struct history_run *runs = realloc(h->runs, cap2 * sizeof(*runs));
        if (runs)
            h->runs = runs;
        struct run_noise_facts *facts = realloc(b->facts, cap2 * sizeof(*facts));
        if (facts)
            b->facts = facts;
        dev_t *dev = realloc(b->dev, cap2 * sizeof(*dev));
        if (dev)
            b->dev = dev;
        ino_t *ino = realloc(b->ino, cap2 * sizeof(*ino));
        if (ino)
            b->ino = ino;
        if (!runs || !facts || !dev || !ino)
            return -ENOMEM;
        b->cap_runs = cap2;
    }
    const char *run_id = result_set_meta_known(s, "run_id");
    if (!run_id) {
        const char *slash = strrchr(dir, '/');
        run_id = slash && slash[1] ? slash + 1 : dir;
    }
    const char *start = result_set_meta_known(s, "start_time");
    struct history_run *r = &h->runs[h->n_runs];
    *r = (struct history_run){
            .dir = strdup(dir),
            .board = strdup(result_set_board(s)),
            .run_id = strdup(run_id),
            .start_time = strdup(start ? start : ""),
            .kernel = strdup(result_set_meta(s, "kernel_release")),
            .git_sha = strdup(result_set_meta(s, "git_sha")),
    };
    run_noise_facts_read(s, &b->facts[h->n_runs]);
    b->dev[h->n_runs] = st->st_dev;
    b->ino[h->n_runs] = st->st_ino;
    h->n_runs++; /* history_free frees what was copied, if not all */
    if (!r->dir || !r->board || !r->run_id || !r->start_time || !r->kernel || !r->git_sha)
        return -ENOMEM;
    *index = h->n_runs - 1;
    return 0;
}

static bool board_wanted(const struct builder *b, const char *board)
{
    if (!b->o->boards)
        return true;
    for (size_t i = 0; i < b->o->n_boards; i++)
        if (!strcmp(b->o->boards[i], board))
            return true;
    return false;
}

static bool seen_before(const struct builder *b, const struct stat *st)
{
    for (size_t i = 0; i < b->h->n_runs; i++)
        if (b->dev[i] == st->st_dev && b->ino[i] == st->st_ino)
            return true;
    return false;
}

/* One set into the model. Only -ENOMEM stops the build: anything wrong with the set is a
 * warning, and the set is left out. */
static int read_set(struct builder *b, const char *dir)
{
    const struct history_warn *w = &b->o->warn;
    struct stat st;
    if (stat(dir, &st) != 0) {
        history_warnf(w, "%s: %s: skipped", dir, strerror(errno));
        return 0;
    }
    if (seen_before(b, &st)) {
        history_warnf(w, "%s: named twice: read once", dir);
        return 0;
    }
    char err[1024];
    struct result_set *s;
    int ret = result_set_load(&s, dir, err, sizeof(err));
    if (ret) {
        history_warnf(w, "%s: skipped", err);
        return ret == -ENOMEM ? ret : 0;
    }
    struct sample_index *samples = NULL;
    if (!board_wanted(b, result_set_board(s))) {
        result_set_free(s);
        return 0;
    }
    ret = sample_index_load(&samples, s->dir, err, sizeof(err));
    if (ret && ret != -ENOENT) {
        history_warnf(w, "%s: skipped", err);
        result_set_free(s);
        return ret == -ENOMEM ? ret : 0;
    }
    size_t run;
    ret = add_run(b, s, dir, &st, &run);
    const char *board = ret ? NULL : b->h->runs[run].board;
    for (size_t i = 0; !ret && i < s->n_rows; i++) {
        const struct result_row *r = &s->rows[i];
        size_t series;
        if (row_wanted(b, s, r) && !(ret = find_series(b, s, r, board, &series)))
            ret = add_point(b, series, run, s, r, samples);
    }
    sample_index_free(samples);
    result_set_free(s);
    return ret;
}

/* ---- each board's runs in order ---------------------------------------------------------- */

struct order_ctx {
    const struct history *h;
    const size_t *git_rank; /* per run, for HISTORY_ORDER_GIT */
};

static int by_time(const struct history_run *a, const struct history_run *b)
{
    int c = strcmp(a->start_time, b->start_time);
    if (!c)
        c = strcmp(a->run_id, b->run_id);
    return c ? c : strcmp(a->dir, b->dir);
}

static int compare_runs(const void *x, const void *y, void *arg)
{
    const struct order_ctx *o = arg;
    size_t i = *(const size_t *)x, j = *(const size_t *)y;
    const struct history_run *a = &o->h->runs[i], *b = &o->h->runs[j];
    int c = 0;
    if (o->h->order == HISTORY_ORDER_KERNEL)
        c = strverscmp(a->kernel, b->kernel);
    else if (o->h->order == HISTORY_ORDER_GIT && o->git_rank)
        c = (o->git_rank[i] > o->git_rank[j]) - (o->git_rank[i] < o->git_rank[j]);
    return c ? c : by_time(a, b);
}

/* Git order: each sha ranks where it first appears in time (a rebuilt sha keeps its place). */
static int rank_git(struct history *h, size_t *runs, size_t n, size_t *rank)
{
    struct history h_time = *h;
    h_time.order = HISTORY_ORDER_TIME;
    struct order_ctx by = {.h = &h_time};
    qsort_r(runs, n, sizeof(*runs), compare_runs, &by);
    for (size_t i = 0; i < n; i++) {
        rank[runs[i]] = i;
        for (size_t j = 0; j < i; j++)
            if (!strcmp(h->runs[runs[j]].git_sha, h->runs[runs[i]].git_sha)) {
                rank[runs[i]] = rank[runs[j]];
                break;
            }
    }
    return 0;
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int order_boards(struct history *h)
{
    const char **names = malloc((h->n_runs ? h->n_runs : 1) * sizeof(*names));
    size_t *git_rank = calloc(h->n_runs ? h->n_runs : 1, sizeof(*git_rank));
    int ret = names && git_rank ? 0 : -ENOMEM;
    size_t n_names = 0;
    for (size_t i = 0; !ret && i < h->n_runs; i++)
        names[i] = h->runs[i].board;
    if (!ret) {
        qsort(names, h->n_runs, sizeof(*names), compare_strings);
        for (size_t i = 0; i < h->n_runs; i++)
            if (!n_names || strcmp(names[n_names - 1], names[i]))
                names[n_names++] = names[i];
        if (!(h->boards = calloc(n_names ? n_names : 1, sizeof(*h->boards))))
            ret = -ENOMEM;
    }
    for (size_t k = 0; !ret && k < n_names; k++) {
        struct history_board *bd = &h->boards[h->n_boards++];
        bd->name = strdup(names[k]);
        bd->runs = malloc(h->n_runs * sizeof(*bd->runs));
        if (!bd->name || !bd->runs) {
            ret = -ENOMEM;
            break;
        }
        for (size_t i = 0; i < h->n_runs; i++)
            if (!strcmp(h->runs[i].board, bd->name))
                bd->runs[bd->n_runs++] = i;
        if (h->order == HISTORY_ORDER_GIT)
            rank_git(h, bd->runs, bd->n_runs, git_rank);
        struct order_ctx by = {.h = h, .git_rank = git_rank};
        qsort_r(bd->runs, bd->n_runs, sizeof(*bd->runs), compare_runs, &by);
    }
    free(names);
    free(git_rank);
    return ret;
}

/* ---- noise: each run against its neighbours ---------------------------------------------- */

static int judge_board(struct history *h, const struct history_board *bd,
                       const struct run_noise_facts *facts)
{
    size_t n = bd->n_runs, w = n < HISTORY_NOISE_PEERS ? n : HISTORY_NOISE_PEERS;
    if (!n)
        return 0;
    struct run_noise_facts *ordered = malloc(n * sizeof(*ordered));
    bool *disturbed = calloc(w, sizeof(*disturbed));
    char(*reason)[HISTORY_REASON_MAX] = calloc(w, sizeof(*reason));
    int ret = ordered && disturbed && reason ? 0 : -ENOMEM;
    for (size_t i = 0; !ret && i < n; i++)
        ordered[i] = facts[bd->runs[i]];
    /* Run i is judged in the window of w runs around it; with n <= w, one window judges them
     * all. The first window also decides the runs before its middle, the last those after. */
    for (size_t i = 0, judged_to; !ret && i < n; i = judged_to) {
        size_t lo = i < w / 2 ? 0 : i - w / 2;
        if (lo + w > n)
            lo = n - w;
        run_noise_judge_facts(ordered + lo, w, disturbed, reason);
        judged_to = lo + w == n ? n : (i < w / 2 ? w / 2 : i) + 1;
        for (size_t j = i; j < judged_to; j++) {
            struct history_run *r = &h->runs[bd->runs[j]];
            r->disturbed = disturbed[j - lo];
            snprintf(r->reason, sizeof(r->reason), "%s", disturbed[j - lo] ? reason[j - lo] : "");
        }
    }
    free(ordered);
    free(disturbed);
    free(reason);
    return ret;
}

/* ---- the series, sorted ------------------------------------------------------------------ */

static int compare_series(const void *x, const void *y)
{
    const struct history_series *a = x, *b = y;
    int c = strcmp(a->board, b->board);
    if (!c)
        c = strcmp(a->case_id, b->case_id);
    return c ? c : strcmp(a->metric, b->metric);
}

static int compare_points(const void *x, const void *y, void *arg)
{
    const size_t *position = arg;
    size_t a = position[((const struct history_point *)x)->run];
    size_t b = position[((const struct history_point *)y)->run];
    return (a > b) - (a < b);
}

static int sort_series(struct history *h)
{
    size_t *position = malloc((h->n_runs ? h->n_runs : 1) * sizeof(*position));
    if (!position)
        return -ENOMEM;
    for (size_t k = 0; k < h->n_boards; k++)
        for (size_t i = 0; i < h->boards[k].n_runs; i++)
            position[h->boards[k].runs[i]] = i;
    for (size_t i = 0; i < h->n_series; i++)
        qsort_r(h->series[i].points, h->series[i].n_points, sizeof(*h->series[i].points),
                compare_points, position);
    if (h->n_series)
        qsort(h->series, h->n_series, sizeof(*h->series), compare_series);
    free(position);
    return 0;
}

/* ---- the whole build --------------------------------------------------------------------- */

static void free_builder(struct builder *b)
{
    free(b->facts);
    free(b->dev);
    free(b->ino);
    free(b->point_cap);
    free(b->slot);
}

static int read_all(struct builder *b, char **dirs, size_t n_dirs)
{
    int ret = 0;
    for (size_t i = 0; !ret && i < n_dirs; i++)
        ret = read_set(b, dirs[i]);
    if (!ret)
        ret = order_boards(b->h);
    for (size_t k = 0; !ret && k < b->h->n_boards; k++)
        ret = judge_board(b->h, &b->h->boards[k], b->facts);
    if (!ret)
        ret = sort_series(b->h);
    return ret;
}

static void warn_unseen_boards(const struct history *h, const struct history_opts *o)
{
    for (size_t i = 0; o->boards && i < o->n_boards; i++)
        if (history_board_find(h, o->boards[i]) < 0)
            history_warnf(&o->warn, "board '%s': no run of it was found", o->boards[i]);
}

int history_build(const char *const *paths, size_t n_paths, const struct history_opts *opts,
                  struct history **out, char *err, size_t err_len)
{
    *out = NULL;
    char **dirs;
    size_t n_dirs;
    int ret = history_find_sets(paths, n_paths, &opts->warn, &dirs, &n_dirs, err, err_len);
    if (ret)
        return ret;
    struct history *h = calloc(1, sizeof(*h));
    struct builder b = {.o = opts, .h = h};
    if (!h) {
        ret = -ENOMEM;
    } else {
        h->order = opts->order;
        ret = read_all(&b, dirs, n_dirs);
        free_builder(&b);
    }
    history_found_free(dirs, n_dirs);
    if (!ret && !h->n_runs) {
        snprintf(err, err_len, "no usable result set in %s%s", paths[0],
                 n_paths > 1 ? " and the other paths given" : "");
        ret = -ENODATA;
    }
    if (ret == -ENOMEM)
        snprintf(err, err_len, "out of memory");
    if (ret) {
        history_free(h);
        return ret;
    }
    warn_unseen_boards(h, opts);
    *out = h;
    return 0;
}

int history_board_find(const struct history *h, const char *name)
{
    for (size_t i = 0; i < h->n_boards; i++)
        if (!strcmp(h->boards[i].name, name))
            return (int)i;
    return -1;
}

void history_free(struct history *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->n_runs; i++) {
        struct history_run *r = &h->runs[i];
        free(r->dir);
        free(r->board);
        free(r->run_id);
        free(r->start_time);
        free(r->kernel);
        free(r->git_sha);
    }
    free(h->runs);
    for (size_t i = 0; i < h->n_boards; i++) {
        free((char *)h->boards[i].name);
        free(h->boards[i].runs);
    }
    free(h->boards);
    for (size_t i = 0; i < h->n_series; i++) {
        struct history_series *s = &h->series[i];
        for (size_t p = 0; p < s->n_points; p++)
            free((double *)s->points[p].samples);
        free(s->points);
        free(s->changes);
        free((char *)s->board); /* the block of all its strings */
    }
    free(h->series);
    free(h);
}
