/* bench/results/csv_read.c - a pull reader over libcsv's push parser, with line numbers.
 *
 * libcsv is fed one line at a time (up to and including each CR or LF), so at most one row
 * ends per call and its callbacks know the line they are on; a row's first line is its last
 * line minus the LFs inside its quoted fields. The reader never prints.
 */
#include "csv_read.h"

#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "safe_file.h"

#define CSV_READ_CHUNK 65536

struct csv_reader {
    struct csv_parser parser;
    char *name;
    FILE *file;        /* NULL when reading memory */
    char *buf;         /* the file's read buffer */
    const char *chunk; /* what is being parsed: the memory buffer, or buf */
    size_t chunk_len, chunk_pos;
    bool input_done;    /* nothing more to read: csv_fini is next */
    bool finished;      /* csv_fini was called */
    unsigned long line; /* line of the next byte to parse */

    /* The row being built: fields back to back in text, each NUL-terminated. */
    char *text;
    size_t text_len, text_cap;
    size_t *starts;
    size_t n_fields, cap_fields;
    char **ptrs; /* handed out in struct csv_row */
    size_t cap_ptrs;
    size_t newlines; /* LFs inside the row's fields */
    unsigned long row_line;
    bool row_done;     /* a complete (or cut) row waits to be returned */
    bool row_cut;      /* ended by the end of the input, not by a line end */
    bool unterminated; /* ... inside a quoted field */
    bool at_row_start; /* libcsv holds nothing of a row: the next line starts one */

    int cb_err; /* found by a callback, which cannot stop libcsv */
    int err;    /* sticky: every later call returns it */
    char error[512];
};

/* No character is a "space": libcsv would otherwise trim blanks around unquoted fields, which
 * RFC 4180 keeps. */
static int no_space(unsigned char c)
{
    (void)c;
    return 0;
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t cap2 = *cap ? *cap : 16;
    while (cap2 < need)
        cap2 *= 2;
    void *q = realloc(*p, cap2 * elem);
    if (!q)
        return -ENOMEM;
    *p = q;
    *cap = cap2;
    return 0;
}

static void on_field(void *s, size_t len, void *data)
{
    struct csv_reader *r = data;
    if (r->cb_err)
        return;
    if (len && memchr(s, '\0', len)) {
        r->cb_err = -EBADMSG;
        return;
    }
    if (grow((void **)&r->text, &r->text_cap, r->text_len + len + 1, 1) ||
        grow((void **)&r->starts, &r->cap_fields, r->n_fields + 1, sizeof(*r->starts))) {
        r->cb_err = -ENOMEM;
        return;
    }
    if (len)
        memcpy(r->text + r->text_len, s, len);
    r->text[r->text_len + len] = '\0';
    r->starts[r->n_fields++] = r->text_len;
    r->text_len += len + 1;
    for (const char *p = s, *end = p + len; p < end && (p = memchr(p, '\n', end - p)); p++)
        r->newlines++;
}

static void on_row_end(int c, void *data)
{
    struct csv_reader *r = data;
    r->row_done = true;
    r->row_cut = c == -1; /* csv_fini's way of saying "no line end" */
    r->row_line = r->line - r->newlines;
}

static int fail(struct csv_reader *r, int err, unsigned long line, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static int fail(struct csv_reader *r, int err, unsigned long line, const char *fmt, ...)
{
    int used = snprintf(r->error, sizeof(r->error), "%s:%lu: ", r->name, line);
    va_list ap;
    va_start(ap, fmt);
    if (used >= 0 && (size_t)used < sizeof(r->error))
        vsnprintf(r->error + used, sizeof(r->error) - used, fmt, ap);
    va_end(ap);
    r->err = err;
    return err;
}

static int parser_failed(struct csv_reader *r)
{
    switch (csv_error(&r->parser)) {
    case CSV_ENOMEM:
        return fail(r, -ENOMEM, r->line, "out of memory");
    case CSV_ETOOBIG:
        return fail(r, -EFBIG, r->line, "field too large");
    default:
        return fail(r, -EBADMSG, r->line,
                    "malformed quoting: a quote inside a field must be doubled and the field "
                    "quoted, and a closing quote must be followed by a comma or a line end");
    }
}

static int callback_failed(struct csv_reader *r)
{
    if (r->cb_err == -EBADMSG)
        return fail(r, -EBADMSG, r->line, "NUL byte in a field (a binary or damaged file)");
    return fail(r, r->cb_err, r->line, "%s", strerror(-r->cb_err));
}

/* The fields of a whole line (without its end) as libcsv finds them, where that is simple:
 * unquoted fields without a quote, and quoted fields without a quote inside, each followed by a
 * comma or the line's end; spaces are kept (see no_space). Copied straight into the row, one
 * pass. false, with nothing kept: the line needs libcsv (a doubled quote, a quoted field open
 * at the line's end, a stray quote, which is its error, or a NUL byte). `history` reads
 * thousands of result sets, and nearly all their lines are simple; libcsv would take them one
 * byte at a time, through a callback per field. */
static bool split_simple_line(struct csv_reader *r, const char *p, size_t len)
{
    /* Each byte, and a NUL per field (at most one per byte and one more), fits. */
    if (grow((void **)&r->text, &r->text_cap, 2 * len + 2, 1) ||
        grow((void **)&r->starts, &r->cap_fields, len + 2, sizeof(*r->starts))) {
        r->cb_err = -ENOMEM;
        return true; /* the error is reported as a callback's */
    }
    const char *end = p + len;
    char *out = r->text;
    size_t n = 0;
    for (;;) {
        r->starts[n++] = (size_t)(out - r->text);
        if (p < end && *p == '"') {
            const char *close = memchr(p + 1, '"', (size_t)(end - p - 1));
            if (!close || (close + 1 < end && close[1] != ','))
                goto not_simple;
            size_t field = (size_t)(close - p - 1);
            if (memchr(p + 1, '\0', field))
                goto not_simple;
            memcpy(out, p + 1, field);
            out += field;
            p = close + 1;
        } else {
            for (; p < end && *p != ','; p++) {
                if (*p == '"' || *p == '\0')
                    goto not_simple;
                *out++ = *p;
            }
        }
        *out++ = '\0';
        if (p == end)
            break;
        p++; /* the comma */
    }
    r->text_len = (size_t)(out - r->text);
    r->n_fields = n;
    return true;
not_simple:
    r->text_len = r->n_fields = 0;
    return false;
}

/* Feed the parser the rest of the current line, up to and including its CR or LF (or the end
 * of the chunk), so that at most one row ends in this call. */
static int feed_line(struct csv_reader *r)
{
    const char *p = r->chunk + r->chunk_pos;
    size_t left = r->chunk_len - r->chunk_pos;
    const char *lf_at = memchr(p, '\n', left),
               *cr_at = memchr(p, '\r', lf_at ? (size_t)(lf_at - p) : left);
    size_t len = cr_at ? (size_t)(cr_at - p) : lf_at ? (size_t)(lf_at - p) : left;
    bool lf = !cr_at && lf_at;
    bool whole = len < left;
    /* A blank line is nothing to either: libcsv skips it. At a row's start, the row is empty. */
    bool simple = r->at_row_start && whole && (len == 0 || split_simple_line(r, p, len));
    if (simple && len && !r->cb_err)
        on_row_end((unsigned char)p[len], r);
    if (whole)
        len++;
    if (!simple) {
        size_t done = csv_parse(&r->parser, p, len, on_field, on_row_end, r);
        if (done != len || csv_error(&r->parser) != CSV_SUCCESS)
            return parser_failed(r);
        /* A blank line at a row's start leaves libcsv where it was. */
        r->at_row_start = r->row_done || (r->at_row_start && len == 1 && whole);
    }
    if (r->cb_err)
        return callback_failed(r);
    r->chunk_pos += len;
    if (lf)
        r->line++;
    return 0;
}

static int refill(struct csv_reader *r)
{
    size_t got = fread(r->buf, 1, CSV_READ_CHUNK, r->file);
    if (got == 0) {
        if (ferror(r->file))
            return fail(r, -EIO, r->line, "read error");
        r->input_done = true;
    }
    r->chunk = r->buf;
    r->chunk_len = got;
    r->chunk_pos = 0;
    return 0;
}

/* The end of the input: a row still open is a cut row. */
static int finish(struct csv_reader *r)
{
    r->finished = true;
    if (csv_fini(&r->parser, on_field, on_row_end, r) != 0) {
        /* CSV_STRICT_FINI: a quoted field was never closed. Without the option, csv_fini hands
         * over what the field held, which is what a caller accepting cut rows wants. */
        r->unterminated = true;
        csv_set_opts(&r->parser, CSV_STRICT);
        csv_fini(&r->parser, on_field, on_row_end, r);
    }
    if (r->cb_err)
        return callback_failed(r);
    return 0;
}

static int advance(struct csv_reader *r)
{
    if (r->chunk_pos < r->chunk_len)
        return feed_line(r);
    if (!r->input_done && r->file)
        return refill(r);
    r->input_done = true;
    return finish(r);
}

static void clear_row(struct csv_reader *r)
{
    r->text_len = r->n_fields = r->newlines = 0;
    r->row_done = r->row_cut = false;
}

int csv_reader_next(struct csv_reader *r, struct csv_row *row)
{
    *row = (struct csv_row){.line = r->line};
    if (r->err)
        return r->err;
    if (r->row_done)
        clear_row(r);
    while (!r->row_done) {
        if (r->finished)
            return 0;
        int ret = advance(r);
        if (ret)
            return ret;
    }
    if (grow((void **)&r->ptrs, &r->cap_ptrs, r->n_fields + 1, sizeof(*r->ptrs)))
        return fail(r, -ENOMEM, r->row_line, "out of memory");
    for (size_t i = 0; i < r->n_fields; i++)
        r->ptrs[i] = r->text + r->starts[i];
    r->ptrs[r->n_fields] = NULL;
    *row = (struct csv_row){
            .fields = r->ptrs, .n = r->n_fields, .text_len = r->text_len, .line = r->row_line};
    if (r->row_cut)
        return fail(r, -EPIPE, r->row_line, "truncated last row: %s",
                    r->unterminated ? "a quoted field is not closed"
                                    : "no newline at the end of the file");
    return 1;
}

static int reader_new(struct csv_reader **out, const char *name)
{
    struct csv_reader *r = calloc(1, sizeof(*r));
    if (!r || !(r->name = strdup(name)) ||
        csv_init(&r->parser, CSV_STRICT | CSV_STRICT_FINI) != 0) {
        if (r)
            free(r->name);
        free(r);
        return -ENOMEM;
    }
    csv_set_space_func(&r->parser, no_space);
    r->line = 1;
    r->at_row_start = true;
    *out = r;
    return 0;
}

int csv_reader_open(struct csv_reader **out, const char *path, char *err, size_t err_len)
{
    *out = NULL;
    struct csv_reader *r = NULL;
    int ret = reader_new(&r, path);
    if (!ret && !(r->buf = malloc(CSV_READ_CHUNK)))
        ret = -ENOMEM;
    char why[128] = "";
    if (!ret)
        ret = safe_file_fopen_read(AT_FDCWD, path, false, &r->file, why, sizeof(why));
    if (ret) {
        snprintf(err, err_len, "%s: %s", path, why[0] ? why : strerror(-ret));
        csv_reader_close(r);
        return ret;
    }
    *out = r;
    return 0;
}

int csv_reader_open_mem(struct csv_reader **out, const char *name, const void *buf, size_t len)
{
    *out = NULL;
    struct csv_reader *r = NULL;
    int ret = reader_new(&r, name);
    if (ret)
        return ret;
    r->chunk = buf;
    r->chunk_len = len;
    r->input_done = true;
    *out = r;
    return 0;
}

const char *csv_reader_error(const struct csv_reader *r)
{
    return r->error;
}

const char *csv_reader_name(const struct csv_reader *r)
{
    return r->name;
}

void csv_reader_close(struct csv_reader *r)
{
    if (!r)
        return;
    csv_free(&r->parser);
    if (r->file)
        fclose(r->file);
    free(r->buf);
    free(r->text);
    free(r->starts);
    free(r->ptrs);
    free(r->name);
    free(r);
}

int csv_row_find(const struct csv_row *row, const char *name)
{
    for (size_t i = 0; i < row->n; i++)
        if (strcmp(row->fields[i], name) == 0)
            return (int)i;
    return -ENOENT;
}
