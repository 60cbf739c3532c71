/* bench/run_grid.c - finding groups, rows, columns and cells among a benchmark's kept cases.
 *
 * Pure queries over struct run_table: nothing here measures, keeps or prints a case but one
 * number cell; a case that did not run shows "-", never a number.
 */
#include "run_grid.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const struct table_metric *table_metric(const struct table_case *k, const char *name)
{
    for (size_t i = 0; i < k->n_metrics; i++)
        if (!strcmp(k->metrics[i].name, name))
            return &k->metrics[i];
    return NULL;
}

double table_median(const struct table_case *k, const char *name)
{
    const struct table_metric *m = table_metric(k, name);
    return m && m->ok ? m->median : NAN;
}

bool table_same_group(const struct table_case *a, const struct table_case *b, unsigned except)
{
    for (int x = 0; x < N_SWEEP_AXES; x++)
        if (!(except & (1u << x)) && strcmp(a->text[x], b->text[x]))
            return false;
    return true;
}

size_t table_distinct(const struct run_table *t, const struct table_case *group, unsigned except,
                      unsigned axes, const struct table_case **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < t->n; i++) {
        const struct table_case *k = &t->cases[i];
        if (!table_same_group(group, k, except))
            continue;
        bool seen = false;
        for (size_t j = 0; j < n && !seen; j++) {
            seen = true;
            for (int x = 0; x < N_SWEEP_AXES; x++)
                if ((axes & (1u << x)) && strcmp(out[j]->text[x], k->text[x]))
                    seen = false;
        }
        if (!seen && n < max)
            out[n++] = k;
    }
    return n;
}

const struct table_case *table_cell_case(const struct run_table *t, const struct table_case *row,
                                         const struct table_case *col, unsigned row_axes,
                                         unsigned col_axes)
{
    for (size_t i = 0; i < t->n; i++) {
        const struct table_case *k = &t->cases[i];
        if (table_same_group(row, k, col_axes) && table_same_group(col, k, row_axes))
            return k;
    }
    return NULL;
}

bool table_first_of_group(const struct run_table *t, size_t i, unsigned except)
{
    for (size_t j = 0; j < i; j++)
        if (table_same_group(&t->cases[j], &t->cases[i], except))
            return false;
    return true;
}

void table_number_cell(FILE *out, double v, int width)
{
    char text[32] = "-";
    if (!isnan(v))
        snprintf(text, sizeof(text), "%.3g", v);
    fprintf(out, " %*s", width, text);
}
