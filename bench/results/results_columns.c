/* bench/results/results_columns.c - the tables of results.csv's columns, made from the one list
 * (bench/results/results_columns.h), and lookups by name for the readers.
 *
 * A reader finds columns by name because a file of an older schema version lacks some; what
 * it does not know it treats as a parameter, so that cases are never merged by mistake.
 */
#include "results_columns.h"

#include <string.h>

const struct results_column_def results_column_defs[N_RESULTS_COLUMNS] = {
#define RESULTS_COLUMN_DEF(column, type_, flags_)                                                  \
    [RESULTS_COL_##column] = {.name = #column, .type = RESULTS_##type_, .flags = (flags_)},
#define RESULTS_AXIS_COLUMN_DEF(column, type, flags, axis, cell)                                   \
    RESULTS_COLUMN_DEF(column, type, flags)
        RESULTS_COLUMNS(RESULTS_COLUMN_DEF, RESULTS_AXIS_COLUMN_DEF)
#undef RESULTS_AXIS_COLUMN_DEF
#undef RESULTS_COLUMN_DEF
};

const char *const results_columns[N_RESULTS_COLUMNS] = {
#define RESULTS_COLUMN_NAME(name, ...) [RESULTS_COL_##name] = #name,
        RESULTS_COLUMNS(RESULTS_COLUMN_NAME, RESULTS_COLUMN_NAME)
#undef RESULTS_COLUMN_NAME
};
const size_t n_results_columns = N_RESULTS_COLUMNS;

int results_column_find(const char *name)
{
    for (int i = 0; i < N_RESULTS_COLUMNS; i++)
        if (strcmp(results_columns[i], name) == 0)
            return i;
    return -1;
}

bool results_column_is_parameter(const char *name)
{
    int i = results_column_find(name);
    return i < 0 || (results_column_defs[i].flags & RESULTS_PARAMETER);
}
