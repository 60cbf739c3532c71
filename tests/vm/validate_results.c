/* tests/vm/validate_results.c - is a `dmabench run` output directory valid, and did it run?
 *
 *   validate_results DIR [--allow-truncated] [--expect-ok HEAP,HEAP] [--expect-bench alloc,cpu]
 * Runs results_validate_dir and prints one line: the counts, or the first error (FILE:LINE).
 * --expect-ok: every non-counter row of those heaps is ok, and each --expect-bench benchmark
 * has rows for each of them. Exit 0 valid, 1 invalid, 2 usage. Static: runs in the QEMU VM.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_read.h"
#include "results_validate.h"
#include "runner.h"

#define MAX_LIST 32

/* A comma-separated list, read as one CSV row so that "linux,cma" can be quoted as on the
 * dmabench command line: --expect-ok 'system,"linux,cma"'. */
struct name_list {
    size_t n;
    char *names[MAX_LIST];
};

static int parse_list(const char *option, const char *text, struct name_list *out)
{
    /* With its line end, an unclosed quote is a cut row (-EPIPE), not the end of the list. */
    char *line;
    if (asprintf(&line, "%s\n", text) < 0)
        return -ENOMEM;
    struct csv_reader *r;
    struct csv_row row;
    int ret = csv_reader_open_mem(&r, option, line, strlen(line));
    if (!ret && (ret = csv_reader_next(r, &row)) == 1)
        ret = row.n > MAX_LIST ? -E2BIG : 0;
    for (size_t i = 0; ret == 0 && i < row.n; i++) {
        if (!row.fields[i][0])
            ret = -EINVAL;
        else if (!(out->names[out->n++] = strdup(row.fields[i])))
            ret = -ENOMEM;
    }
    csv_reader_close(r);
    free(line);
    return ret == 0 && out->n == 0 ? -EINVAL : ret;
}

static int find_name(const struct name_list *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->names[i], name) == 0)
            return (int)i;
    return -1;
}

/* Rows of the expected heaps: non-counter rows must be ok; each expected bench must have run
 * on each heap. Runs after validation, so every row has the header's fields. */
static bool check_expectations(const char *dir, const struct name_list *heaps,
                               const struct name_list *benches)
{
    enum { COL_HEAP, COL_BENCH, COL_CASE_ID, COL_METRIC, COL_UNIT, COL_STATUS, COL_ERROR, N_COLS };
    static const char *const names[N_COLS] = {"heap", "bench",  "case_id", "metric",
                                              "unit", "status", "error"};
    char path[1024], err[512];
    snprintf(path, sizeof(path), "%s/results.csv", dir);
    struct csv_reader *r;
    if (csv_reader_open(&r, path, err, sizeof(err))) {
        fprintf(stderr, "validate_results: %s\n", err);
        return false;
    }
    struct csv_row row;
    int col[N_COLS];
    bool ok = csv_reader_next(r, &row) == 1;
    for (int i = 0; ok && i < N_COLS; i++) {
        if ((col[i] = csv_row_find(&row, names[i])) < 0) {
            fprintf(stderr, "validate_results: %s: no column '%s'\n", path, names[i]);
            ok = false;
        }
    }
    bool has_rows[MAX_LIST] = {false}, ran[MAX_LIST][MAX_LIST] = {{false}};
    while (ok && csv_reader_next(r, &row) == 1) {
        char **f = row.fields;
        int h = find_name(heaps, f[col[COL_HEAP]]);
        if (h < 0)
            continue;
        has_rows[h] = true;
        int b = find_name(benches, f[col[COL_BENCH]]);
        if (b >= 0)
            ran[h][b] = true;
        if (strcmp(f[col[COL_STATUS]], case_status_name(CASE_OK)) != 0 &&
            !results_unit_is_counter(f[col[COL_UNIT]])) {
            fprintf(stderr, "validate_results: %s:%lu: heap %s: %s %s is %s: %s\n", path, row.line,
                    f[col[COL_HEAP]], f[col[COL_CASE_ID]], f[col[COL_METRIC]], f[col[COL_STATUS]],
                    f[col[COL_ERROR]]);
            ok = false;
        }
    }
    csv_reader_close(r);
    for (size_t h = 0; ok && h < heaps->n; h++) {
        if (!has_rows[h]) {
            fprintf(stderr, "validate_results: %s: no rows for heap %s\n", path, heaps->names[h]);
            ok = false;
        }
        for (size_t b = 0; ok && b < benches->n; b++) {
            if (!ran[h][b]) {
                fprintf(stderr, "validate_results: %s: no %s rows for heap %s\n", path,
                        benches->names[b], heaps->names[h]);
                ok = false;
            }
        }
    }
    return ok;
}

static void free_list(struct name_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->names[i]);
}

static int usage(const char *why)
{
    if (why)
        fprintf(stderr, "validate_results: %s\n", why);
    fprintf(stderr, "usage: validate_results DIR [--allow-truncated] [--expect-ok HEAP,HEAP] "
                    "[--expect-bench BENCH,BENCH]\n");
    return 2;
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
            {"allow-truncated", no_argument, NULL, 't'},
            {"expect-ok", required_argument, NULL, 'o'},
            {"expect-bench", required_argument, NULL, 'b'},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0},
    };
    struct results_validation v = {0};
    static struct name_list heaps, benches;
    int c, status = 0;
    while (status == 0 && (c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (c) {
        case 't':
            v.allow_truncated = true;
            break;
        case 'o':
            if (heaps.n || parse_list("--expect-ok", optarg, &heaps))
                status = usage("--expect-ok needs one list of heap names");
            break;
        case 'b':
            if (benches.n || parse_list("--expect-bench", optarg, &benches))
                status = usage("--expect-bench needs one list of benchmark names");
            break;
        case 'h':
            usage(NULL);
            return 0;
        default:
            status = usage(NULL);
        }
    }
    if (status == 0 && optind != argc - 1)
        status = usage("one results directory expected");
    if (status == 0 && benches.n && !heaps.n)
        status = usage("--expect-bench needs --expect-ok (the heaps it must have run on)");
    if (status) {
        free_list(&heaps);
        free_list(&benches);
        return status;
    }

    const char *dir = argv[optind];
    char err[1024];
    if (results_validate_dir(dir, &v, err, sizeof(err))) {
        fprintf(stderr, "validate_results: invalid: %s\n", err);
        status = 1;
    } else if (heaps.n && !check_expectations(dir, &heaps, &benches)) {
        status = 1; /* it said why */
    } else {
        printf("validate_results: valid: %s: %zu cases, %zu rows (ok %zu, skipped %zu, "
               "errors %zu), %zu samples, %zu metadata keys%s%s\n",
               dir, v.cases, v.rows, v.ok, v.skipped, v.errors, v.samples, v.metadata_keys,
               v.truncated ? ", truncated last row ignored" : "",
               v.interrupted ? ", interrupted (no end_time)" : "");
    }
    free_list(&heaps);
    free_list(&benches);
    return status;
}
