/* bench/results/csv_read.h - reading RFC 4180 CSV back, one row at a time, with line numbers.
 *
 * The files dmabench writes are read back by `compare`, `plot` and the result validator, so
 * quoting is parsed by libcsv in strict mode and every error names the file and the line. A
 * run killed mid-write leaves a partial last row: that is its own error (-EPIPE), so a caller
 * can accept "valid up to the last complete row".
 */
#ifndef DMABENCH_CSV_READ_H
#define DMABENCH_CSV_READ_H

#include <stddef.h>

struct csv_reader;

/* One row. The fields belong to the reader and stay valid until its next call. */
struct csv_row {
    char **fields;      /* n NUL-terminated fields, unquoted, back to back from fields[0] */
    size_t n;           /* fields in the row (0 only in a -EPIPE row cut before its first) */
    size_t text_len;    /* bytes from fields[0] to the last field's NUL, inclusive */
    unsigned long line; /* 1-based line where the row starts (lines end at LF) */
};

/* Open a file: a regular file, not a link to one (bench/results/safe_file.h), so a FIFO or a
 * link planted in a result set fails at once. 0, or -errno with "PATH: reason" in err. */
int csv_reader_open(struct csv_reader **out, const char *path, char *err, size_t err_len);
/* Read len bytes of buf (not copied: keep it alive until csv_reader_close), called name in
 * errors. 0 or -ENOMEM. */
int csv_reader_open_mem(struct csv_reader **out, const char *name, const void *buf, size_t len);
/* The next row: 1 with *row filled, 0 at the end of the input, or a negative errno, after
 * which every call returns the same error and csv_reader_error() says "NAME:LINE: reason":
 *   -EBADMSG  malformed CSV: a stray or unescaped quote, text after a closing quote, a NUL byte
 *   -EPIPE    the input ends inside a row (no final newline, or an unterminated quoted field),
 *             as a file does when its writer was killed; *row holds what the cut row had
 *   -ENOMEM, -EFBIG, or a read error (-EIO ...)
 * Blank lines are skipped (their line numbers still count); CRLF and LF both end a row; spaces
 * are part of fields. */
int csv_reader_next(struct csv_reader *r, struct csv_row *row);
/* "NAME:LINE: reason" for the last error, "" when there was none. */
const char *csv_reader_error(const struct csv_reader *r);
/* The path or the name given at open. */
const char *csv_reader_name(const struct csv_reader *r);
void csv_reader_close(struct csv_reader *r);

/* Index of the field equal to name (a header row's column), or -ENOENT. */
int csv_row_find(const struct csv_row *row, const char *name);

#endif
