/* bench/results/result_set.c - loads a result set (results.csv by column name, metadata.csv) for
 * plots.
 *
 * Stricter than a plot needs about what it reads (numbers must be numbers, rows as wide as the
 * header) and looser than the validator about the rest (unknown units, metrics and columns are
 * kept), so that results from benchmarks written after this code still plot.
 */
#include "result_set.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "csv_read.h"
#include "metadata.h"
#include "results_columns.h"
#include "results_csv.h"
#include "results_validate.h"

static int set_error(char *err, size_t err_len, int ret, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static int set_error(char *err, size_t err_len, int ret, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_len, fmt, ap);
    va_end(ap);
    return ret;
}

bool result_col_is_numeric(const char *name)
{
    int col = results_column_find(name);
    if (col >= 0)
        return results_column_defs[col].type != RESULTS_TEXT;
    /* A column of a newer dmabench: numeric by its name. */
    size_t len = strlen(name), suffix = strlen("_bytes");
    return len > suffix && strcmp(name + len - suffix, "_bytes") == 0;
}

/* Plain decimal notation that cannot overflow, "-12.5e-07": finite without converting it (a
 * result set is mostly numbers, and a history reads thousands). Anything else goes to strtod. */
static bool is_plain_decimal(const char *s)
{
    if (*s == '-' || *s == '+')
        s++;
    size_t digits = 0;
    for (; *s >= '0' && *s <= '9'; s++)
        digits++;
    if (*s == '.')
        for (s++; *s >= '0' && *s <= '9'; s++)
            digits++;
    if (!digits || digits > 100)
        return false;
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '-' || *s == '+')
            s++;
        size_t exp = 0;
        for (; *s >= '0' && *s <= '9'; s++)
            exp++;
        if (!exp || exp > 2)
            return false;
    }
    return !*s;
}

/* Empty or a finite number; strtod alone would also take blanks, "inf" and "nan". */
static bool is_number(const char *s)
{
    if (!*s || is_plain_decimal(s))
        return true;
    char *end;
    double d = strtod(s, &end);
    return !isspace((unsigned char)*s) && !*end && isfinite(d);
}

int result_set_col(const struct result_set *s, const char *name)
{
    for (size_t i = 0; i < s->n_cols; i++)
        if (strcmp(s->cols[i], name) == 0)
            return (int)i;
    return -1;
}

const char *result_text(const struct result_row *r, int col)
{
    return col < 0 ? "" : r->f[col];
}

double result_num(const struct result_row *r, int col)
{
    const char *s = result_text(r, col);
    return *s ? strtod(s, NULL) : NAN;
}

bool result_row_measured(const struct result_set *s, const struct result_row *r)
{
    return strcmp(result_text(r, s->c.status), "ok") == 0 && !isnan(result_num(r, s->c.median)) &&
           !results_unit_is_counter(result_text(r, s->c.unit));
}

/* Where a column of this version's list is in the set; -1 in an older set without it. */
static int known_col(const struct result_set *s, enum results_column col)
{
    return result_set_col(s, results_columns[col]);
}

static int take_header(struct result_set *s, const struct csv_row *row, char *err, size_t err_len)
{
    if (!(s->cols = calloc(row->n, sizeof(*s->cols))) ||
        !(s->numeric = calloc(row->n, sizeof(*s->numeric))))
        return -ENOMEM;
    for (size_t i = 0; i < row->n; i++) {
        if (!(s->cols[i] = strdup(row->fields[i])))
            return -ENOMEM;
        s->numeric[i] = result_col_is_numeric(row->fields[i]);
        s->n_cols++;
    }
    /* Without the key columns a file is not a results.csv at all. */
    for (int i = 0; i < N_RESULTS_COLUMNS; i++)
        if ((results_column_defs[i].flags & RESULTS_KEY) &&
            result_set_col(s, results_columns[i]) < 0)
            return set_error(err, err_len, -EBADMSG,
                             "%s:%lu: no '%s' column: not a dmabench results.csv", s->results_path,
                             row->line, results_columns[i]);
    s->c = (struct result_cols){
            .case_id = known_col(s, RESULTS_COL_case_id),
            .bench = known_col(s, RESULTS_COL_bench),
            .heap = known_col(s, RESULTS_COL_heap),
            .heap_class = known_col(s, RESULTS_COL_heap_class),
            .size = known_col(s, RESULTS_COL_size_bytes),
            .threads = known_col(s, RESULTS_COL_threads),
            .batch = known_col(s, RESULTS_COL_batch),
            .kernel = known_col(s, RESULTS_COL_kernel),
            .metric = known_col(s, RESULTS_COL_metric),
            .unit = known_col(s, RESULTS_COL_unit),
            .better = known_col(s, RESULTS_COL_better),
            .n = known_col(s, RESULTS_COL_n),
            .median = known_col(s, RESULTS_COL_median),
            .max = known_col(s, RESULTS_COL_max),
            .p90 = known_col(s, RESULTS_COL_p90),
            .p99 = known_col(s, RESULTS_COL_p99),
            .ci_low = known_col(s, RESULTS_COL_ci_low),
            .ci_high = known_col(s, RESULTS_COL_ci_high),
            .status = known_col(s, RESULTS_COL_status),
    };
    return 0;
}

static int take_row(struct result_set *s, const struct csv_row *row, size_t *cap, char *err,
                    size_t err_len)
{
    if (row->n != s->n_cols)
        return set_error(err, err_len, -EBADMSG, "%s:%lu: %zu fields, the header has %zu",
                         s->results_path, row->line, row->n, s->n_cols);
    int schema = known_col(s, RESULTS_COL_schema_version);
    if (schema >= 0 && !results_schema_readable(row->fields[schema]))
        return set_error(err, err_len, -EBADMSG,
                         "%s:%lu: schema_version '%s': this dmabench reads "
                         "versions " RESULTS_SCHEMA_READABLE,
                         s->results_path, row->line, row->fields[schema]);
    for (size_t i = 0; i < row->n; i++)
        if (s->numeric[i] && !is_number(row->fields[i]))
            return set_error(err, err_len, -EBADMSG, "%s:%lu: %s '%s' is not a number",
                             s->results_path, row->line, s->cols[i], row->fields[i]);
    if (s->n_rows == *cap) {
        size_t cap2 = *cap ? 2 * *cap : 256;
        struct result_row *rows = realloc(s->rows, cap2 * sizeof(*rows));
        if (!rows)
            return -ENOMEM;
        s->rows = rows;
        *cap = cap2;
    }
    /* One allocation per row: the pointers, then the fields back to back, as the reader has
     * them. */
    char **f = malloc(row->n * sizeof(*f) + row->text_len);
    if (!f)
        return -ENOMEM;
    char *text = memcpy(f + row->n, row->fields[0], row->text_len);
    for (size_t i = 0; i < row->n; i++)
        f[i] = text + (row->fields[i] - row->fields[0]);
    s->rows[s->n_rows++] = (struct result_row){.f = f, .line = row->line};
    return 0;
}

static int read_results(struct result_set *s, char *err, size_t err_len)
{
    struct csv_reader *r;
    int ret = csv_reader_open(&r, s->results_path, err, err_len);
    if (ret)
        return ret;
    struct csv_row row;
    size_t cap = 0;
    bool header = true;
    while ((ret = csv_reader_next(r, &row)) > 0) {
        ret = header ? take_header(s, &row, err, err_len) : take_row(s, &row, &cap, err, err_len);
        if (ret)
            break;
        header = false;
    }
    if (ret == -EPIPE && !header) {
        s->truncated_line = row.line;
        ret = 0;
    } else if (ret < 0 && ret != -ENOMEM && !*err) {
        snprintf(err, err_len, "%s", csv_reader_error(r));
    } else if (ret == 0 && header) {
        ret = set_error(err, err_len, -EBADMSG, "%s:1: empty file, expected the header",
                        s->results_path);
    }
    csv_reader_close(r);
    return ret;
}

static int read_metadata(struct result_set *s, const char *path, char *err, size_t err_len)
{
    struct csv_reader *r;
    char open_err[256];
    int ret = csv_reader_open(&r, path, open_err, sizeof(open_err));
    if (ret == -ENOENT)
        return 0; /* a set copied without it still plots, as "unknown" */
    if (ret)
        return set_error(err, err_len, ret, "%s", open_err);
    struct csv_row row;
    int key = -1, value = -1;
    while ((ret = csv_reader_next(r, &row)) > 0) {
        if (key < 0) {
            key = csv_row_find(&row, "key");
            value = csv_row_find(&row, "value");
            if (key < 0 || value < 0) {
                ret = set_error(err, err_len, -EBADMSG,
                                "%s:%lu: no key and value columns: not a dmabench metadata.csv",
                                path, row.line);
                break;
            }
            continue;
        }
        if (row.n <= (size_t)key || row.n <= (size_t)value) {
            ret = set_error(err, err_len, -EBADMSG, "%s:%lu: %zu fields, expected key and value",
                            path, row.line, row.n);
            break;
        }
        /* A key too long for struct metadata is nothing a plot needs: it is dropped. */
        metadata_set(s->md, row.fields[key], "%s", row.fields[value]);
    }
    if (ret == -EPIPE)
        ret = 0; /* an interrupted run's metadata is still what it was measured on */
    else if (ret < 0 && !*err)
        snprintf(err, err_len, "%s", csv_reader_error(r));
    csv_reader_close(r);
    return ret < 0 ? ret : 0;
}

/* DIR, or DIR/results.csv: the directory. */
static int set_dir(struct result_set *s, const char *path, char *err, size_t err_len)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return set_error(err, err_len, -errno, "%s: %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode)) {
        s->dir = strdup(path);
    } else {
        const char *slash = strrchr(path, '/');
        if (strcmp(slash ? slash + 1 : path, "results.csv") != 0)
            return set_error(err, err_len, -ENOTDIR,
                             "%s: not a results directory (or the results.csv in one)", path);
        s->dir = slash ? strndup(path, slash - path) : strdup(".");
    }
    if (!s->dir || asprintf(&s->results_path, "%s/results.csv", s->dir) < 0) {
        s->results_path = NULL;
        return -ENOMEM;
    }
    return 0;
}

int result_set_load(struct result_set **out, const char *path, char *err, size_t err_len)
{
    *out = NULL;
    err[0] = '\0';
    struct result_set *s = calloc(1, sizeof(*s));
    if (!s || !(s->md = malloc(sizeof(*s->md)))) {
        free(s);
        return set_error(err, err_len, -ENOMEM, "%s: out of memory", path);
    }
    metadata_init(s->md);
    char *meta_path = NULL;
    int ret = set_dir(s, path, err, err_len);
    if (!ret)
        ret = read_results(s, err, err_len);
    if (!ret && asprintf(&meta_path, "%s/metadata.csv", s->dir) < 0) {
        meta_path = NULL;
        ret = -ENOMEM;
    }
    if (!ret)
        ret = read_metadata(s, meta_path, err, err_len);
    free(meta_path);
    if (ret == -ENOMEM && !*err)
        snprintf(err, err_len, "%s: out of memory", path);
    if (ret) {
        result_set_free(s);
        return ret;
    }
    *out = s;
    return 0;
}

void result_set_free(struct result_set *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_rows; i++)
        free(s->rows[i].f);
    free(s->rows);
    for (size_t i = 0; i < s->n_cols; i++)
        free(s->cols[i]);
    free(s->cols);
    free(s->numeric);
    free(s->md);
    free(s->results_path);
    free(s->dir);
    free(s);
}

const char *result_set_meta(const struct result_set *s, const char *key)
{
    const char *v = metadata_get(s->md, key);
    return v && *v ? v : "unknown";
}

const char *result_set_meta_known(const struct result_set *s, const char *key)
{
    const char *v = metadata_get(s->md, key);
    return v && *v && strcmp(v, "unknown") ? v : NULL;
}

const char *result_set_board(const struct result_set *s)
{
    const char *board = result_set_meta_known(s, "board");
    return board ? board : result_set_meta(s, "hostname");
}

void result_set_describe(const struct result_set *s, char *out, size_t len)
{
    snprintf(out, len, "%s (%s), Linux %s, run %s", result_set_board(s),
             result_set_meta(s, "cpu_model"), result_set_meta(s, "kernel_release"),
             result_set_meta(s, "run_id"));
}

double result_parse_size(const char *text)
{
    char *end;
    double v = strtod(text, &end);
    if (end == text || !isfinite(v) || v <= 0)
        return 0;
    while (*end == ' ')
        end++;
    static const char units[] = "BKMGT";
    const char *u = *end ? strchr(units, toupper((unsigned char)*end)) : units;
    if (!u)
        return 0;
    for (const char *p = units; p < u; p++)
        v *= 1024;
    return v;
}
