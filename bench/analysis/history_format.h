/* bench/analysis/history_format.h - a history's change points and gate as people and CI
 * systems read them: table, Markdown, CSV, JUnit, LAVA signals, JSON.
 *
 * The table and Markdown list each board's runs, its change points and the gate's verdict on
 * the newest run, with notes on what could not be judged (one run, cases the newest run lacks,
 * disturbed runs); CSV has one row per change point; JUnit one test case per series; LAVA one
 * signal per series; JSON the whole model. Writes to the FILE it is given, nothing else.
 */
#ifndef DMABENCH_HISTORY_FORMAT_H
#define DMABENCH_HISTORY_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "history.h"
#include "history_gate.h"

#define HISTORY_FORMATS(X)                                                                         \
    X(TABLE, "table")                                                                              \
    X(MD, "md")                                                                                    \
    X(CSV, "csv")                                                                                  \
    X(JUNIT, "junit")                                                                              \
    X(LAVA_SIGNAL, "lava-signal")                                                                  \
    X(JSON, "json")

enum history_format {
#define HISTORY_FORMAT_ENUM(id, name) HISTORY_FORMAT_##id,
    HISTORY_FORMATS(HISTORY_FORMAT_ENUM)
#undef HISTORY_FORMAT_ENUM
            N_HISTORY_FORMATS
};

/* The formats' names, by enum history_format. */
extern const char *const history_format_names[N_HISTORY_FORMATS];
/* One of history_format_names: 0 and *out, or -EINVAL. */
int history_format_parse(const char *name, enum history_format *out);

/* Write the report (the changes found by history_find_changes with o). 0, -EIO or -ENOMEM. */
int history_write(const struct history *h, const struct history_gate_opts *o,
                  enum history_format format, FILE *out);
/* --format json: the runs, boards, series with their points and changes, verdicts. */
int history_write_json(const struct history *h, const struct history_gate_opts *o, FILE *out);

/* The CSV format's header, for tests and the documentation. */
extern const char *const history_csv_columns[];
extern const size_t n_history_csv_columns;

#endif
