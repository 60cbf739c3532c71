/* tests/unit/test_results_columns.c - the one list of results.csv columns and the sweep axes'
 * share of it: documented in the schema doc in file order, every axis with its columns in axis
 * order, and the parameter and numeric columns the readers act on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "result_fixture.h"
#include "result_set.h"
#include "results_columns.h"
#include "sweep.h"

/* The columns the axes fill, with their axes and what fills them, in list order. */
static const struct axis_column {
    const char *name;
    enum sweep_axis axis;
    const char *cell;
} axis_columns[] = {
#define AXIS_COLUMN(column, type, flags, axis_, cell_) {#column, AXIS_##axis_, #cell_},
        SWEEP_AXES(SWEEP_AXES_SKIP, AXIS_COLUMN)
#undef AXIS_COLUMN
};
#define N_AXIS_COLUMNS (sizeof(axis_columns) / sizeof(axis_columns[0]))

/* Every column is in results/README.md's column table, in file order (run from the root). */
static void test_columns_documented_in_order(void **state)
{
    (void)state;
    char *table = strstr(result_fixture_schema_doc(), "| column | meaning | unit |");
    assert_non_null(table);
    char *end = strstr(table, "\n\n");
    assert_non_null(end);
    *end = '\0';
    const char *last = table;
    for (int i = 0; i < N_RESULTS_COLUMNS; i++) {
        char cell[64];
        snprintf(cell, sizeof(cell), "`%s`", results_columns[i]);
        const char *at = strstr(last, cell);
        if (!at)
            fail_msg("results/README.md lists no column '%s' after '%s'", results_columns[i],
                     i ? results_columns[i - 1] : "the table's head");
        last = at;
    }
}

/* The axes' columns are the header's, after job and before metric, every axis with one at
 * least, in axis order. */
static void test_axis_columns_in_axis_order(void **state)
{
    (void)state;
    int first = results_column_find("job") + 1;
    assert_int_equal(results_column_find("metric"), first + (int)N_AXIS_COLUMNS);
    bool filled[N_SWEEP_AXES] = {false};
    for (size_t i = 0; i < N_AXIS_COLUMNS; i++) {
        assert_string_equal(results_columns[first + (int)i], axis_columns[i].name);
        if (i)
            assert_true(axis_columns[i].axis >= axis_columns[i - 1].axis);
        filled[axis_columns[i].axis] = true;
    }
    for (int a = 0; a < N_SWEEP_AXES; a++)
        if (!filled[a])
            fail_msg("axis %s fills no results column", sweep_axis_key(a));
}

static void test_names_unique(void **state)
{
    (void)state;
    assert_int_equal(n_results_columns, N_RESULTS_COLUMNS);
    for (int i = 0; i < N_RESULTS_COLUMNS; i++) {
        assert_string_equal(results_column_defs[i].name, results_columns[i]);
        assert_int_equal(results_column_find(results_columns[i]), i);
    }
    assert_int_equal(results_column_find("nope"), -1);
}

/* The axis column called name, or NULL for a column of the run or the measurement. */
static const struct axis_column *axis_column(const char *name)
{
    for (size_t i = 0; i < N_AXIS_COLUMNS; i++)
        if (!strcmp(axis_columns[i].name, name))
            return &axis_columns[i];
    return NULL;
}

static bool ends_in_bytes(const char *name)
{
    size_t len = strlen(name);
    return len > 6 && !strcmp(name + len - 6, "_bytes");
}

/* What a case was: bench, metric, and what the axes fill but the heap's backend and class
 * (they follow from the heap); an unknown column too, so that it never merges cases. */
static void test_parameters(void **state)
{
    (void)state;
    for (int i = 0; i < N_RESULTS_COLUMNS; i++) {
        const char *name = results_columns[i];
        bool parameter = axis_column(name) ? strcmp(name, "backend") && strcmp(name, "heap_class")
                                           : !strcmp(name, "bench") || !strcmp(name, "metric");
        if (results_column_is_parameter(name) != parameter)
            fail_msg("%s: parameter should be %d", name, parameter);
    }
    assert_true(results_column_is_parameter("a_newer_column"));
}

/* The numbers the reader checks on load: the statistics and the run's figures; of the axes',
 * the values of byte, count and CPU axes (a BYTES axis's column is named *_bytes, which plot
 * labels print as a size) and the page size granted; and any unknown *_bytes column. */
static void test_numeric(void **state)
{
    (void)state;
    static const char *const numeric[] = {
            "n",    "median",    "mean",          "min",           "max",    "stddev",
            "mad",  "cv",        "p90",           "p99",           "ci_low", "ci_high",
            "reps", "mux_ratio", "huge_fraction", "min_sample_ns",
    };
    for (int i = 0; i < N_RESULTS_COLUMNS; i++) {
        const char *name = results_columns[i];
        const struct axis_column *a = axis_column(name);
        bool expected = false;
        if (a && !strcmp(a->cell, "VALUE")) {
            enum sweep_kind kind = sweep_axis_kind(a->axis);
            expected =
                    kind == SWEEP_KIND_BYTES || kind == SWEEP_KIND_COUNT || kind == SWEEP_KIND_CPU;
            if ((kind == SWEEP_KIND_BYTES) != ends_in_bytes(name))
                fail_msg("%s: a column named *_bytes holds a BYTES axis and no other", name);
        } else if (a) {
            expected = ends_in_bytes(name);
        }
        for (size_t k = 0; k < sizeof(numeric) / sizeof(numeric[0]); k++)
            expected = expected || !strcmp(numeric[k], name);
        if (result_col_is_numeric(name) != expected)
            fail_msg("%s: numeric should be %d", name, expected);
    }
    assert_true(result_col_is_numeric("stride_bytes"));
    assert_false(result_col_is_numeric("src_cpu"));
}

/* Every axis has an option line, or shares the one before (only the first cannot). */
static void test_axis_help(void **state)
{
    (void)state;
    assert_true(strlen(sweep_axis_help(0)) > 0);
    for (int a = 0; a < N_SWEEP_AXES; a++) {
        assert_non_null(sweep_axis_help(a));
        assert_non_null(sweep_axis_key(a));
        for (int b = 0; b < a; b++)
            assert_string_not_equal(sweep_axis_key(a), sweep_axis_key(b));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_columns_documented_in_order),
            cmocka_unit_test(test_axis_columns_in_axis_order),
            cmocka_unit_test(test_names_unique),
            cmocka_unit_test(test_parameters),
            cmocka_unit_test(test_numeric),
            cmocka_unit_test(test_axis_help),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
