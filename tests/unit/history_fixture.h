/* tests/unit/history_fixture.h - a struct history built by hand, as history_read would build it,
 * for the tests of what reads the model (trend plots, the dashboard, the text outputs).
 *
 * Strings are copied as history_read copies them (history_free frees it all); every call aborts
 * when out of memory (no cmocka here, so a small program outside the unit tests, such as
 * tests/browser/dashboard_sample.c, can use it too).
 */
#ifndef DMABENCH_TESTS_HISTORY_FIXTURE_H
#define DMABENCH_TESTS_HISTORY_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>

#include "history.h"
#include "history_read.h"

struct history *history_fixture_new(enum history_order order);
/* A run of board, the newest of its board so far (the board is added when new, boards in the
 * order first named). reason NULL: not disturbed. Its index into h->runs. */
size_t history_fixture_add_run(struct history *h, const char *dir, const char *board,
                               const char *run_id, const char *start_time, const char *kernel,
                               const char *git_sha, const char *disturbed_reason);
/* A series without points (series are kept in the order added: add them sorted). bench and
 * heap are taken from case_id ("BENCH:heap=HEAP;..."). Its index into h->series. */
size_t history_fixture_add_series(struct history *h, const char *board, const char *case_id,
                                  const char *metric, const char *unit, bool higher_better);
/* A point of run (an index from history_fixture_add_run), after the series' others. */
void history_fixture_add_point(struct history *h, size_t series, size_t run, double median,
                               double ci_low, double ci_high);
/* One point per run of the series' board, in the board's order: medians[i] with a CI of
 * +-ci_rel of it (NAN for none). n must not exceed the board's runs. */
void history_fixture_add_points(struct history *h, size_t series, const double *medians, size_t n,
                                double ci_rel);
/* A change point before point index: before and after are the medians of the points either
 * side up to the neighbouring change points (as the model defines them), change, worse and
 * regression (worse and |change| >= threshold) follow; p_value as given; reason NULL: not
 * inconclusive. Add them in index order. */
void history_fixture_add_change(struct history *h, size_t series, size_t index, double p_value,
                                double threshold, const char *inconclusive_reason);

/* A history with one of everything the renderers show, known to the tests that use it:
 * board "vm": runs r1..r8 in ROOT/vm/rN (made here, mode 0755), kernels 6.1.0-1 .. 6.1.0-8,
 * git shas g1..g8, start times 2026-12-0N; r3 disturbed ("load 3.1 on 2 CPUs"). Its series, in
 * this order:
 *   0 cpu copy 4KiB bandwidth (bytes/s, higher better): 100G x4 then 88G: a regression of
 *     -12% at r5 (p 0.001);
 *   1 cpu read 4MiB bandwidth: 50G x5 then 55G: better, +10% at r6 (p 0.002);
 *   2 alloc latency (ns, lower better): 1000 x7 then 1150: the newest run +15%, no change point;
 *   3 alloc latency 1MiB: 10 x2 then 13: inconclusive at r3 ("seen only in disturbed runs");
 *   4 cpu copy 64KiB bandwidth: r1..r6 only (missing from the newest run), flat.
 * board HOSTILE_BOARD: runs x1..x3 whose directories do not exist (ROOT/gone/xN), kernel
 * "6.6<i>", its one series HOSTILE_CASE latency (ns, lower better) 10, 10, 12: a regression of
 * +20% at x3 (p 0.004). */
#define HOSTILE_BOARD "<b>evil & \"board\"</b>\xff\x01"
#define HOSTILE_CASE  "cpu:heap=<script>alert('x')</script>;size=1KiB;note=a&b"
struct history *history_fixture_sample(const char *root);

/* The sample in a fresh directory: root /tmp/dmabench-STEM-XXXXXX, its runs under root/runs,
 * and root/out made and opened as *out_fd (output_dir_open). */
struct history *history_fixture_sample_in(const char *stem, char root[64], char out[128],
                                          int *out_fd);
/* Free it, close out_fd and remove root with everything in it. */
void history_fixture_sample_remove(struct history *h, const char *root, int out_fd);

#endif
