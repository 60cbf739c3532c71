/* tests/fuzz/fuzz_csv_read.c - libFuzzer target for bench/csv_read, the CSV reader under compare,
 * plot and the result validator.
 *
 * Any bytes are read twice, from memory and through a file (in /tmp), and the two readers must
 * agree row for row: same fields, same line numbers, same error; and where the input has no NUL
 * byte, they must agree with libcsv itself on the whole input (the reader splits simple lines
 * without it: the fields must be the same). Every row must be well formed
 * (n NUL-terminated fields, a NULL after them, lines that never go back) and every error sticky
 * and named "NAME:LINE: reason". ASan and UBSan catch the rest.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <csv.h>

#include "csv_read.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A row copied out, since the reader's fields live only until its next call. */
struct row_copy {
    char *text; /* fields back to back, each NUL-terminated */
    size_t n, len;
    unsigned long line;
};

static void copy_row(struct row_copy *c, const struct csv_row *row)
{
    c->n = row->n;
    c->line = row->line;
    c->len = 0;
    for (size_t i = 0; i < row->n; i++)
        c->len += strlen(row->fields[i]) + 1;
    c->text = malloc(c->len + 1);
    if (!c->text)
        abort();
    char *p = c->text;
    for (size_t i = 0; i < row->n; i++)
        p = stpcpy(p, row->fields[i]) + 1;
}

static bool same_row(const struct row_copy *c, const struct csv_row *row)
{
    if (c->n != row->n || c->line != row->line)
        return false;
    const char *p = c->text;
    for (size_t i = 0; i < row->n; i++, p += strlen(p) + 1)
        if (strcmp(p, row->fields[i]) != 0)
            return false;
    return true;
}

static void check_row(const struct csv_row *row, unsigned long *last_line)
{
    if (row->line < *last_line || row->line == 0 || row->fields[row->n] != NULL)
        abort();
    for (size_t i = 0; i < row->n; i++)
        (void)strlen(row->fields[i]); /* ASan: inside its allocation, NUL-terminated */
    *last_line = row->line;
}

/* Reads everything; the rows go into rows[] (grown), the end code is returned. */
static int read_all(struct csv_reader *r, const char *name, struct row_copy **rows, size_t *n)
{
    struct csv_row row;
    unsigned long last_line = 0;
    int ret;
    while ((ret = csv_reader_next(r, &row)) == 1) {
        check_row(&row, &last_line);
        struct row_copy *grown = realloc(*rows, (*n + 1) * sizeof(**rows));
        if (!grown)
            abort();
        *rows = grown;
        copy_row(&(*rows)[(*n)++], &row);
    }
    if (ret < 0) {
        const char *err = csv_reader_error(r);
        if (strncmp(err, name, strlen(name)) != 0 || err[strlen(name)] != ':')
            abort(); /* every error names the input and the line */
        if (ret == -EPIPE)
            check_row(&row, &last_line); /* the cut row is handed over too */
        if (csv_reader_next(r, &row) != ret)
            abort(); /* sticky */
    } else if (ret != 0 || csv_reader_next(r, &row) != 0) {
        abort();
    }
    return ret;
}

/* libcsv alone on the whole input, as the reader configures it: the rows it finds. */
struct reference {
    struct row_copy *rows;
    size_t n;
    char *text; /* the row being built */
    size_t len, fields;
};

static int no_space(unsigned char c)
{
    (void)c;
    return 0;
}

static void ref_field(void *s, size_t len, void *data)
{
    struct reference *r = data;
    char *grown = realloc(r->text, r->len + len + 1);
    if (!grown)
        abort();
    r->text = grown;
    if (len)
        memcpy(r->text + r->len, s, len);
    r->text[r->len + len] = '\0';
    r->len += len + 1;
    r->fields++;
}

static void ref_row(int c, void *data)
{
    (void)c;
    struct reference *r = data;
    struct row_copy *grown = realloc(r->rows, (r->n + 1) * sizeof(*grown));
    if (!grown)
        abort();
    r->rows = grown;
    r->rows[r->n++] = (struct row_copy){.text = r->text, .n = r->fields, .len = r->len};
    r->text = NULL;
    r->len = r->fields = 0;
}

/* 0 when libcsv reads it all, -EBADMSG when it finds it malformed. */
static int read_reference(const uint8_t *data, size_t size, struct reference *ref)
{
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0)
        abort();
    csv_set_space_func(&p, no_space);
    int ret = 0;
    if (csv_parse(&p, data, size, ref_field, ref_row, ref) != size ||
        csv_fini(&p, ref_field, ref_row, ref) != 0)
        ret = -EBADMSG;
    csv_free(&p);
    free(ref->text);
    return ret;
}

/* The reader's rows and libcsv's: the same fields, line numbers aside. */
static void check_reference(const uint8_t *data, size_t size, int ret, const struct row_copy *rows,
                            size_t n)
{
    if (memchr(data, '\0', size) || (ret != 0 && ret != -EBADMSG))
        return; /* a NUL is the reader's own error; a cut row ends differently */
    struct reference ref = {0};
    int ref_ret = read_reference(data, size, &ref);
    if (ref_ret != ret)
        abort(); /* one of them calls it malformed, the other not */
    if (!ret && ref.n != n)
        abort();
    for (size_t i = 0; !ret && i < n; i++)
        if (ref.rows[i].n != rows[i].n || ref.rows[i].len != rows[i].len ||
            memcmp(ref.rows[i].text, rows[i].text, rows[i].len) != 0)
            abort(); /* the fast path split a line otherwise than libcsv */
    for (size_t i = 0; i < ref.n; i++)
        free(ref.rows[i].text);
    free(ref.rows);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct csv_reader *mem;
    if (csv_reader_open_mem(&mem, "fuzz.csv", data, size) != 0)
        return 0;
    struct row_copy *rows = NULL;
    size_t n = 0;
    int mem_ret = read_all(mem, "fuzz.csv", &rows, &n);
    csv_reader_close(mem);
    check_reference(data, size, mem_ret, rows, n);

    /* The same bytes through the file reader, which reads in chunks: a real file, since the
     * reader refuses a link, and /proc/self/fd/N (a memfd's only path) is one. */
    char path[] = "/tmp/fuzz_csv_read.XXXXXX", err[256];
    int fd = mkstemp(path);
    if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size))
        abort();
    close(fd);
    struct csv_reader *file;
    if (csv_reader_open(&file, path, err, sizeof(err)) != 0)
        abort(); /* the comparison must never be skipped */
    struct csv_row row;
    int ret;
    size_t i = 0;
    while ((ret = csv_reader_next(file, &row)) == 1)
        if (i >= n || !same_row(&rows[i++], &row))
            abort(); /* the two readers disagree */
    if (ret != mem_ret || i != n)
        abort();
    csv_reader_close(file);
    unlink(path);
    for (size_t i = 0; i < n; i++)
        free(rows[i].text);
    free(rows);
    return 0;
}
