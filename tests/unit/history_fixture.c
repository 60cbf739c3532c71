/* tests/unit/history_fixture.c - a struct history built by hand (see history_fixture.h). */
#include "history_fixture.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output_dir.h"

static void *grow(void *p, size_t n, size_t size)
{
    p = realloc(p, n * size);
    if (!p) {
        fprintf(stderr, "history_fixture: out of memory\n");
        abort();
    }
    return p;
}

static char *copy(const char *s)
{
    char *c = strdup(s ? s : "");
    if (!c) {
        fprintf(stderr, "history_fixture: out of memory\n");
        abort();
    }
    return c;
}

struct history *history_fixture_new(enum history_order order)
{
    struct history *h = grow(NULL, 1, sizeof(*h));
    *h = (struct history){.order = order};
    return h;
}

static struct history_board *board_of(struct history *h, const char *name, bool add)
{
    for (size_t i = 0; i < h->n_boards; i++)
        if (!strcmp(h->boards[i].name, name))
            return &h->boards[i];
    if (!add)
        return NULL;
    h->boards = grow(h->boards, h->n_boards + 1, sizeof(*h->boards));
    h->boards[h->n_boards] = (struct history_board){.name = copy(name)};
    return &h->boards[h->n_boards++];
}

size_t history_fixture_add_run(struct history *h, const char *dir, const char *board,
                               const char *run_id, const char *start_time, const char *kernel,
                               const char *git_sha, const char *disturbed_reason)
{
    h->runs = grow(h->runs, h->n_runs + 1, sizeof(*h->runs));
    struct history_run *r = &h->runs[h->n_runs];
    *r = (struct history_run){
            .dir = copy(dir),
            .board = copy(board),
            .run_id = copy(run_id),
            .start_time = copy(start_time),
            .kernel = copy(kernel),
            .git_sha = copy(git_sha),
            .disturbed = disturbed_reason != NULL,
    };
    snprintf(r->reason, sizeof(r->reason), "%s", disturbed_reason ? disturbed_reason : "");
    struct history_board *b = board_of(h, board, true);
    b->runs = grow(b->runs, b->n_runs + 1, sizeof(*b->runs));
    b->runs[b->n_runs++] = h->n_runs;
    return h->n_runs++;
}

size_t history_fixture_add_series(struct history *h, const char *board, const char *case_id,
                                  const char *metric, const char *unit, bool higher_better)
{
    char bench[64] = "", heap[128] = "";
    sscanf(case_id, "%63[^:]", bench);
    const char *p = strstr(case_id, "heap=");
    if (p)
        sscanf(p + 5, "%127[^;]", heap);
    h->series = grow(h->series, h->n_series + 1, sizeof(*h->series));
    if (history_series_init(&h->series[h->n_series], board, case_id, bench, heap, metric, unit,
                            higher_better))
        abort();
    return h->n_series++;
}

void history_fixture_add_point(struct history *h, size_t series, size_t run, double median,
                               double ci_low, double ci_high)
{
    struct history_series *s = &h->series[series];
    s->points = grow(s->points, s->n_points + 1, sizeof(*s->points));
    s->points[s->n_points++] = (struct history_point){
            .run = run, .median = median, .ci_low = ci_low, .ci_high = ci_high};
}

void history_fixture_add_points(struct history *h, size_t series, const double *medians, size_t n,
                                double ci_rel)
{
    const struct history_board *b = board_of(h, h->series[series].board, false);
    if (!b || n > b->n_runs) {
        fprintf(stderr, "history_fixture: %zu points for a board of %zu runs\n", n,
                b ? b->n_runs : 0);
        abort();
    }
    for (size_t i = 0; i < n; i++)
        history_fixture_add_point(h, series, b->runs[i], medians[i],
                                  isnan(ci_rel) ? NAN : medians[i] * (1 - ci_rel),
                                  isnan(ci_rel) ? NAN : medians[i] * (1 + ci_rel));
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median of the points' medians in [from, to). */
static double median_of(const struct history_series *s, size_t from, size_t to)
{
    double *v = grow(NULL, to - from, sizeof(*v));
    for (size_t i = from; i < to; i++)
        v[i - from] = s->points[i].median;
    qsort(v, to - from, sizeof(*v), by_value);
    size_t n = to - from;
    double m = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    free(v);
    return m;
}

void history_fixture_add_change(struct history *h, size_t series, size_t index, double p_value,
                                double threshold, const char *inconclusive_reason)
{
    struct history_series *s = &h->series[series];
    s->changes = grow(s->changes, s->n_changes + 1, sizeof(*s->changes));
    struct history_change *c = &s->changes[s->n_changes++];
    *c = (struct history_change){.index = index, .p_value = p_value};
    c->inconclusive = inconclusive_reason != NULL;
    snprintf(c->reason, sizeof(c->reason), "%s", inconclusive_reason ? inconclusive_reason : "");
    /* Each change's segments end at its neighbours: a new one shortens the last one's after. */
    for (size_t k = 0; k < s->n_changes; k++) {
        struct history_change *e = &s->changes[k];
        size_t from = k ? s->changes[k - 1].index : 0;
        size_t to = k + 1 < s->n_changes ? s->changes[k + 1].index : s->n_points;
        e->before = median_of(s, from, e->index);
        e->after = median_of(s, e->index, to);
        e->change = e->after / e->before - 1;
        e->worse = s->higher_better ? e->change < 0 : e->change > 0;
        e->regression = e->worse && fabs(e->change) >= threshold;
    }
}

struct history *history_fixture_sample(const char *root)
{
    struct history *h = history_fixture_new(HISTORY_ORDER_TIME);
    char dir[4096], id[16], kernel[32], git[16], start[32];
    snprintf(dir, sizeof(dir), "%s/vm", root);
    mkdir(root, 0755);
    mkdir(dir, 0755);
    for (int i = 1; i <= 8; i++) {
        snprintf(dir, sizeof(dir), "%s/vm/r%d", root, i);
        mkdir(dir, 0755);
        snprintf(id, sizeof(id), "r%d", i);
        snprintf(kernel, sizeof(kernel), "6.1.0-%d", i);
        snprintf(git, sizeof(git), "g%d", i);
        snprintf(start, sizeof(start), "2026-12-0%dT01:00:00Z", i);
        history_fixture_add_run(h, dir, "vm", id, start, kernel, git,
                                i == 3 ? "load 3.1 on 2 CPUs" : NULL);
    }
    for (int i = 1; i <= 3; i++) {
        snprintf(dir, sizeof(dir), "%s/gone/x%d", root, i);
        snprintf(id, sizeof(id), "x%d", i);
        history_fixture_add_run(h, dir, HOSTILE_BOARD, id, "", "6.6<i>", "unknown", NULL);
    }
    static const double copy4k[] = {100e9, 100e9, 100e9, 100e9, 88e9, 88e9, 88e9, 88e9};
    static const double read4m[] = {50e9, 50e9, 50e9, 50e9, 50e9, 55e9, 55e9, 55e9};
    static const double alloc4k[] = {1000, 1000, 1000, 1000, 1000, 1000, 1000, 1150};
    static const double alloc1m[] = {10, 10, 13, 13, 13, 13, 13, 13};
    static const double copy64k[] = {70e9, 70e9, 70e9, 70e9, 70e9, 70e9};
    static const double hostile[] = {10, 10, 12};
    size_t s = history_fixture_add_series(h, "vm", "cpu:heap=host;size=4KiB;kernel=copy",
                                          "bandwidth", "bytes/s", true);
    history_fixture_add_points(h, s, copy4k, 8, 0.01);
    history_fixture_add_change(h, s, 4, 0.001, 0.05, NULL);
    s = history_fixture_add_series(h, "vm", "cpu:heap=host;size=4MiB;kernel=read", "bandwidth",
                                   "bytes/s", true);
    history_fixture_add_points(h, s, read4m, 8, 0.01);
    history_fixture_add_change(h, s, 5, 0.002, 0.05, NULL);
    s = history_fixture_add_series(h, "vm", "alloc:heap=system;size=4KiB", "alloc_latency", "ns",
                                   false);
    history_fixture_add_points(h, s, alloc4k, 8, NAN);
    s = history_fixture_add_series(h, "vm", "alloc:heap=system;size=1MiB", "alloc_latency", "ns",
                                   false);
    history_fixture_add_points(h, s, alloc1m, 8, 0.02);
    history_fixture_add_change(h, s, 2, 0.004, 0.05, "seen only in disturbed runs");
    s = history_fixture_add_series(h, "vm", "cpu:heap=host;size=64KiB;kernel=copy", "bandwidth",
                                   "bytes/s", true);
    history_fixture_add_points(h, s, copy64k, 6, 0.01);
    s = history_fixture_add_series(h, HOSTILE_BOARD, HOSTILE_CASE, "latency", "ns", false);
    history_fixture_add_points(h, s, hostile, 3, 0.01);
    history_fixture_add_change(h, s, 2, 0.004, 0.05, NULL);
    return h;
}

struct history *history_fixture_sample_in(const char *stem, char root[64], char out[128],
                                          int *out_fd)
{
    char runs[128], err[512];
    snprintf(root, 64, "/tmp/dmabench-%.20s-XXXXXX", stem);
    if (!mkdtemp(root)) {
        perror("history_fixture: mkdtemp");
        abort();
    }
    snprintf(runs, sizeof(runs), "%s/runs", root);
    snprintf(out, 128, "%s/out", root);
    struct history *h = history_fixture_sample(runs);
    if (output_dir_open(out, true, out_fd, err, sizeof(err)) != 0) {
        fprintf(stderr, "history_fixture: %s\n", err);
        abort();
    }
    return h;
}

void history_fixture_sample_remove(struct history *h, const char *root, int out_fd)
{
    char cmd[128];
    close(out_fd);
    history_free(h);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    if (system(cmd) != 0)
        fprintf(stderr, "history_fixture: %s failed\n", cmd);
}
