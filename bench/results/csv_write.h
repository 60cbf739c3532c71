/* bench/results/csv_write.h - writing RFC 4180 CSV: quoting done once, right.
 *
 * Heap names such as "linux,cma" contain commas and errno texts contain anything, so every
 * field dmabench writes goes through here.
 */
#ifndef DMABENCH_CSV_WRITE_H
#define DMABENCH_CSV_WRITE_H

#include <stddef.h>
#include <stdio.h>

/* Write one field, quoted when it holds a comma, quote, CR or LF (NULL writes an empty field). */
void csv_write_field(FILE *out, const char *field);
/* Write n fields separated by commas and end the row with "\n". Returns 0 or -EIO. */
int csv_write_row(FILE *out, const char *const *fields, size_t n);

#endif
