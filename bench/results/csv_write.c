/* bench/results/csv_write.c - RFC 4180 field quoting for every CSV file dmabench writes.
 *
 * Quotes only when needed so that plain numbers stay plain for gnuplot and spreadsheets.
 */
#include "csv_write.h"

#include <errno.h>
#include <string.h>

void csv_write_field(FILE *out, const char *field)
{
    if (!field)
        return;
    if (!strpbrk(field, ",\"\r\n")) {
        fputs(field, out);
        return;
    }
    fputc('"', out);
    for (const char *p = field; *p; p++) {
        if (*p == '"')
            fputc('"', out);
        fputc(*p, out);
    }
    fputc('"', out);
}

int csv_write_row(FILE *out, const char *const *fields, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputc(',', out);
        csv_write_field(out, fields[i]);
    }
    fputc('\n', out);
    return ferror(out) ? -EIO : 0;
}
