/* bench/analysis/results_json.c - a run as JSON: the document's envelope, the run and its
 * metadata, and `export --format json` (every results.csv row, typed, with its raw samples).
 *
 * A cell's JSON type comes from its column, never from how its text looks: numeric columns
 * (result_col_is_numeric) are numbers, empty cells null, the rest strings; metadata likewise by
 * key (METADATA_NUMERIC_KEYS). Numbers keep the value the CSV text parses to, exactly.
 */
#include "results_json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "metadata.h"
#include "results_columns.h"
#include "version.h"

json_t *results_json_document(const char *kind, bool *ok)
{
    json_t *doc = json_object(), *generator = json_object();
    if (!doc || !generator) {
        json_decref(doc);
        json_decref(generator);
        *ok = false;
        return NULL;
    }
    json_put_text(doc, "schema", "dmabench-results", ok);
    json_put(doc, "schema_version", json_integer(RESULTS_JSON_SCHEMA_VERSION), ok);
    json_put_text(doc, "kind", kind, ok);
    json_put_text(generator, "name", "dmabench", ok);
    json_put_text(generator, "version", DMABENCH_VERSION, ok);
    json_put(doc, "generator", generator, ok);
    return doc;
}

/* The number text holds (result_set_load checked it is one). Counts are integers when written
 * as one; measurements are always reals, so that a column reads the same in every row. */
static json_t *number_of(const char *text, bool count)
{
    char *end;
    errno = 0;
    long long i = strtoll(text, &end, 10);
    if (count && end != text && !*end && !errno)
        return json_integer((json_int_t)i);
    return json_number(strtod(text, NULL));
}

/* A cell by its column's type: null when empty. */
static json_t *cell_of(const char *column, const char *text)
{
    if (!*text)
        return json_null();
    int known = results_column_find(column);
    /* The CSV schema calls schema_version text (it is compared, never computed); it is a count
     * all the same. A numeric column of a newer dmabench (*_bytes) is one too. */
    if (known == RESULTS_COL_schema_version ||
        (known >= 0 && results_column_defs[known].type == RESULTS_COUNT))
        return number_of(text, true);
    if (result_col_is_numeric(column))
        return number_of(text, known < 0);
    return json_text(text);
}

/* A metadata value: METADATA_NUMERIC_KEYS as numbers (null where the machine did not tell,
 * "unknown"), every other key as text. */
static json_t *metadata_value(const char *key, const char *value)
{
    if (!metadata_key_is_numeric(key))
        return json_text(value);
    char *end;
    strtod(value, &end);
    return end != value && !*end ? number_of(value, true) : json_null();
}

json_t *results_json_run(const struct result_set *s, bool *ok)
{
    json_t *run = json_object(), *md = json_object();
    if (!run || !md) {
        json_decref(run);
        json_decref(md);
        *ok = false;
        return NULL;
    }
    const char *run_id = result_set_meta_known(s, "run_id");
    json_put_text(run, "dir", s->dir, ok);
    json_put(run, "run_id", run_id ? json_text(run_id) : json_null(), ok);
    json_put_text(run, "board", result_set_board(s), ok);
    json_put(run, "truncated_line",
             s->truncated_line ? json_integer((json_int_t)s->truncated_line) : json_null(), ok);
    for (size_t i = 0; i < s->md->n; i++)
        json_put(md, s->md->entries[i].key,
                 metadata_value(s->md->entries[i].key, s->md->entries[i].value), ok);
    json_put(run, "metadata", md, ok);
    return run;
}

int results_json_dump(const json_t *doc, FILE *out)
{
    if (json_dumpf(doc, out, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17)) != 0 ||
        fputc('\n', out) == EOF || fflush(out) != 0 || ferror(out))
        return -EIO;
    return 0;
}

/* The row's raw samples, in samples.csv's order; null when samples.csv has none for it. */
static json_t *row_samples(const struct result_set *s, const struct result_row *row,
                           const struct sample_index *samples, bool *ok)
{
    const struct sample_series *series =
            samples ? sample_index_find(samples, result_text(row, s->c.case_id),
                                        result_text(row, s->c.metric))
                    : NULL;
    if (!series)
        return json_null();
    json_t *values = json_array();
    if (!values) {
        *ok = false;
        return NULL;
    }
    for (size_t i = 0; i < series->n; i++)
        json_append(values, json_number(series->values[i]), ok);
    return values;
}

static json_t *row_json(const struct result_set *s, const struct result_row *row,
                        const struct sample_index *samples, bool *ok)
{
    json_t *o = json_object();
    if (!o) {
        *ok = false;
        return NULL;
    }
    for (size_t c = 0; c < s->n_cols; c++)
        json_put(o, s->cols[c], cell_of(s->cols[c], row->f[c]), ok);
    json_put(o, "line", json_integer((json_int_t)row->line), ok);
    json_put(o, "samples", row_samples(s, row, samples, ok), ok);
    return o;
}

int export_json(const struct result_set *s, const struct sample_index *samples,
                const char *samples_state, FILE *out)
{
    bool ok = true;
    json_t *doc = results_json_document("results", &ok), *rows = json_array();
    if (!doc || !rows) {
        json_decref(doc);
        json_decref(rows);
        return -ENOMEM;
    }
    json_put(doc, "run", results_json_run(s, &ok), &ok);
    json_put_text(doc, "samples", samples ? "included" : samples_state, &ok);
    for (size_t i = 0; i < s->n_rows; i++)
        json_append(rows, row_json(s, &s->rows[i], samples, &ok), &ok);
    json_put(doc, "results", rows, &ok);
    int ret = ok ? results_json_dump(doc, out) : -ENOMEM;
    json_decref(doc);
    return ret;
}
