/* bench/analysis/report_md.c - number formatting, table cells and row citations for report.md.
 *
 * Case ids are cited in code spans: they hold ';' and '=' and are meant to be copied into a
 * grep of results.csv.
 */
#include "report_md.h"

#include <math.h>
#include <string.h>

#include "size_units.h"

const char *report_num(double v, char *buf, size_t len)
{
    double a = fabs(v);
    if (isnan(v))
        snprintf(buf, len, "-");
    else if (a >= 100 || a == 0)
        snprintf(buf, len, "%.0f", v);
    else if (a >= 10)
        snprintf(buf, len, "%.1f", v);
    else if (a >= 1)
        snprintf(buf, len, "%.2f", v);
    else
        snprintf(buf, len, "%.3g", v);
    return buf;
}

const char *report_size(double bytes, char *buf, size_t len)
{
    if (isnan(bytes) || bytes < 0) {
        snprintf(buf, len, "-");
        return buf;
    }
    return size_format_compact((size_t)bytes, buf, len);
}

void report_cell(FILE *out, const char *text)
{
    for (const char *p = text; *p; p++)
        fputc(*p == '|' ? '/' : *p == '\n' || *p == '\r' ? ' ' : *p, out);
}

void report_table_head(FILE *out, const char *names)
{
    size_t cols = 1;
    fputs("| ", out);
    for (const char *p = names; *p; p++) {
        if (*p == '|') {
            fputs(" | ", out);
            cols++;
        } else {
            fputc(*p, out);
        }
    }
    fputs(" |\n|", out);
    for (size_t i = 0; i < cols; i++)
        fputs("---|", out);
    fputc('\n', out);
}

void report_cite1(FILE *out, const struct result_row *row, const struct result_set *s)
{
    fputc('`', out);
    report_cell(out, result_text(row, s->c.case_id));
    fprintf(out, "` (line %lu)", row->line);
}

void report_cite(FILE *out, const struct result_row *const *rows, size_t n,
                 const struct result_set *s)
{
    for (size_t i = 0; i < n; i++) {
        fputs(i ? ", " : "", out);
        report_cite1(out, rows[i], s);
    }
}
