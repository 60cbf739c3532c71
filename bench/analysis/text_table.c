/* bench/analysis/text_table.c - aligned and Markdown tables, and short numbers, for reports.
 *
 * Rows are kept as text until printed, since a column's width is its widest cell. Moved here
 * from compare_format.c when `history` needed the same tables.
 */
#include "text_table.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void text_human(char out[TEXT_CELL], double v)
{
    static const char prefixes[] = "kMGTPE";
    if (isnan(v)) {
        snprintf(out, TEXT_CELL, "-");
        return;
    }
    int p = -1;
    while (fabs(v) >= 1000 && p < (int)sizeof(prefixes) - 2) {
        v /= 1000;
        p++;
    }
    if (p < 0)
        snprintf(out, TEXT_CELL, "%.4g", v);
    else
        snprintf(out, TEXT_CELL, "%.4g%c", v, prefixes[p]);
}

int text_table_add(struct text_table *t, const char *const *cells)
{
    if (t->n_rows == t->cap) {
        size_t cap2 = t->cap ? 2 * t->cap : 64;
        void *p = realloc(t->cells, cap2 * sizeof(*t->cells));
        if (!p)
            return -ENOMEM;
        t->cells = p;
        t->cap = cap2;
    }
    for (size_t c = 0; c < t->n_cols; c++)
        snprintf(t->cells[t->n_rows][c], sizeof(t->cells[0][0]), "%s", cells[c]);
    t->n_rows++;
    return 0;
}

void text_table_free(struct text_table *t)
{
    free(t->cells);
    t->cells = NULL;
    t->n_rows = t->cap = 0;
}

static void md_cell(FILE *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            fputc('\\', out); /* a heap named a|b must not split the row */
        fputc(*s, out);
    }
}

void text_table_print(const struct text_table *t, FILE *out, bool md)
{
    size_t width[TEXT_TABLE_MAX_COLS];
    for (size_t c = 0; c < t->n_cols; c++) {
        width[c] = strlen(t->header[c]);
        for (size_t r = 0; r < t->n_rows; r++)
            if (strlen(t->cells[r][c]) > width[c])
                width[c] = strlen(t->cells[r][c]);
    }
    for (size_t r = 0; r <= t->n_rows; r++) {
        for (size_t c = 0; c < t->n_cols; c++) {
            const char *s = r ? t->cells[r - 1][c] : t->header[c];
            if (md) {
                fputs("| ", out);
                md_cell(out, s);
                fputc(' ', out);
            } else {
                /* The last column unpadded: no trailing blanks. */
                int w = c + 1 == t->n_cols && !t->right[c] ? 0 : (int)width[c];
                fprintf(out, "%s%*s", c ? "  " : "", t->right[c] ? w : -w, s);
            }
        }
        fputs(md ? "|\n" : "\n", out);
        if (md && r == 0) {
            for (size_t c = 0; c < t->n_cols; c++)
                fputs(t->right[c] ? "|---:" : "|---", out);
            fputs("|\n", out);
        }
    }
}
