/* tests/unit/result_fixture.h - results for unit tests: a result set loaded from disk, and a
 * case's result filled with known samples.
 */
#ifndef DMABENCH_TESTS_RESULT_FIXTURE_H
#define DMABENCH_TESTS_RESULT_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>

#include "result_set.h"
#include "runner.h"

/* A fresh directory under /tmp holding text as results.csv (and nothing else): its path, valid
 * until the next call. result_fixture_unplant removes it. */
const char *result_fixture_plant(const char *text);
/* The same with a results.csv of today's header and one row per entry of rows, each written as
 * "column=value" pairs separated by '|' (values without ',', '|' or a line end; every other
 * column empty), and a samples.csv with only its header. */
const char *result_fixture_plant_rows(const char *const *rows, size_t n);
/* Removes a planted directory with its results.csv, samples.csv and a metadata.csv a test put
 * there. */
void result_fixture_unplant(const char *dir);
/* The result set at path (a run directory or its results.csv); fails the test when it does not
 * load. */
struct result_set *result_fixture_load(const char *path);
/* The schema document, results/README.md (tests run from the repository root), whole: a
 * static buffer, valid until the next call. Fails the test when it cannot be read. */
char *result_fixture_schema_doc(void);
/* One alloc_throughput metric (buffers/s, higher is better) with reps samples 1000, 1001, ...
 * and their statistics; interrupted: an error row cut short by SIGINT after reps samples. The
 * samples are allocated: the caller frees them as the runner's results are freed. */
/* r took reps repetitions, timed as the runner does: 10 ms, 11 ms, ... (exact in "%.10g"). */
void result_fixture_time_reps(struct case_result *r, unsigned reps);
void result_fixture_fill(struct case_result *r, unsigned reps, bool interrupted);

#endif
