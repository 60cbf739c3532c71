/* bench/analysis/text_table.h - a table for people: aligned columns on a terminal, or
 * Markdown, with numbers written short (12.35G).
 *
 * compare's and history's reports print their tables through this, so both read alike and
 * a heap named "a|b" never splits a Markdown row.
 */
#ifndef DMABENCH_TEXT_TABLE_H
#define DMABENCH_TEXT_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define TEXT_CELL           48 /* a number's cell */
#define TEXT_TABLE_MAX_COLS 12

struct text_table {
    size_t n_cols;
    const char *header[TEXT_TABLE_MAX_COLS];
    bool right[TEXT_TABLE_MAX_COLS]; /* right-aligned: numbers */
    char (*cells)[TEXT_TABLE_MAX_COLS][TEXT_CELL + 200];
    size_t n_rows, cap;
};

/* Append a row of n_cols cells (each cut to its room). 0 or -ENOMEM. */
int text_table_add(struct text_table *t, const char *const *cells);
/* Aligned (the last column unpadded), or as a Markdown table when md. */
void text_table_print(const struct text_table *t, FILE *out, bool md);
void text_table_free(struct text_table *t);

/* 12.35G, 224.7, 0.0123; "-" for NAN. */
void text_human(char out[TEXT_CELL], double v);

#endif
