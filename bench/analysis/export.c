/* bench/analysis/export.c - a run as LAVA test cases or a JUnit suite, one case per results.csv
 * row.
 *
 * A row's status decides the outcome (ok passes with its median as the measurement, skipped is
 * skipped, error fails), so the same run reads the same in every CI system.
 */
#include "export.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "export_junit.h"
#include "metadata.h"
#include "name_list.h"
#include "results_validate.h"

const char *const export_format_names[N_EXPORT_FORMATS] = {
        [EXPORT_LAVA] = "lava",   [EXPORT_LAVA_SIGNAL] = "lava-signal",
        [EXPORT_KCIDB] = "kcidb", [EXPORT_JUNIT] = "junit",
        [EXPORT_JSON] = "json",
};

int export_format_parse(const char *name, enum export_format *out)
{
    int i = name_list_find(export_format_names, N_EXPORT_FORMATS, name);
    if (i < 0)
        return i;
    *out = (enum export_format)i;
    return 0;
}

/* A measured row passes unless its verdict (coherency probes, checks) says a check failed (fail,
 * sync-ineffective); "needs-sync" describes the heap (it is not IO-coherent), it does not fault
 * it. */
static enum junit_outcome row_outcome(const struct result_set *s, const struct result_row *row)
{
    const char *status = result_text(row, s->c.status);
    if (!strcmp(status, "ok"))
        return results_verdict_fails(result_text(row, result_set_col(s, "verdict"))) ? JUNIT_FAILURE
                                                                                     : JUNIT_PASS;
    return !strcmp(status, "skipped") ? JUNIT_SKIPPED : JUNIT_FAILURE;
}

static bool run_failed(const struct result_set *s)
{
    for (size_t i = 0; i < s->n_rows; i++)
        if (row_outcome(s, &s->rows[i]) == JUNIT_FAILURE)
            return true;
    return false;
}

int export_lava(const struct result_set *s, const struct lava_sink *lava)
{
    for (size_t i = 0; i < s->n_rows; i++) {
        const struct result_row *row = &s->rows[i];
        enum junit_outcome o = row_outcome(s, row);
        bool measured = !strcmp(result_text(row, s->c.status), "ok");
        int ret = lava_report_case(lava, NULL, result_text(row, s->c.case_id),
                                   result_text(row, s->c.metric), lava_result_of_junit(o),
                                   measured ? result_num(row, s->c.median) : NAN,
                                   result_text(row, s->c.unit));
        if (ret)
            return ret;
    }
    int ret = lava_report(lava, "dmabench-run", run_failed(s) ? "fail" : "pass", NAN, NULL);
    if (!ret && lava->out && (fflush(lava->out) != 0 || ferror(lava->out)))
        ret = -EIO;
    return ret;
}

size_t export_run_properties(const struct result_set *s, const char *prefix,
                             struct junit_property *out, size_t max)
{
    static const struct {
        const char *name, *key;
    } map[] = {
            {"board", "board"},
            {"kernel", "kernel_release"},
            {"kernel_version", "kernel_version"},
            {"arch", "kernel_arch"},
            {"cpu", "cpu_model"},
            {"dmabench_version", "dmabench_version"},
            {"dmabench_git_sha", "git_sha"},
            {"run_id", "run_id"},
    };
    size_t n = 0;
    for (size_t i = 0; i < sizeof(map) / sizeof(*map) && n < max; i++) {
        const char *v = result_set_meta_known(s, map[i].key);
        if (!v)
            continue;
        snprintf(out[n].name, sizeof(out[n].name), "%s%s", prefix ? prefix : "", map[i].name);
        out[n++].value = v;
    }
    return n;
}

void export_run_suite(const struct result_set *s, struct junit_suite *suite)
{
    *suite = (struct junit_suite){
            .time_s = export_run_seconds(s),
            .timestamp = result_set_meta_known(s, "start_time"),
            .hostname = result_set_meta_known(s, "hostname"),
    };
}

double export_run_seconds(const struct result_set *s)
{
    double t = metadata_parse_time(result_set_meta(s, "end_time")) -
               metadata_parse_time(result_set_meta(s, "start_time"));
    return t >= 0 ? t : NAN;
}

double export_case_seconds(const struct sample_index *samples, const char *case_id,
                           const char *metric)
{
    const struct sample_series *series =
            samples ? sample_index_find(samples, case_id, metric) : NULL;
    return series ? series->duration_ns / 1e9 : NAN;
}

/* "median 12 ns, n 10, 95% CI of the median [11, 13]"; with too few samples for an interval
 * the text says so instead of showing an empty one. */
static void row_detail(char *out, size_t len, const struct result_set *s,
                       const struct result_row *row)
{
    int w = snprintf(out, len, "median %s %s, n %s", result_text(row, s->c.median),
                     result_text(row, s->c.unit), result_text(row, s->c.n));
    if (w < 0 || (size_t)w >= len)
        return;
    const char *low = result_text(row, s->c.ci_low), *high = result_text(row, s->c.ci_high);
    if (*low && *high)
        snprintf(out + w, len - (size_t)w, ", 95%% CI of the median [%s, %s]", low, high);
    else
        snprintf(out + w, len - (size_t)w, ", no CI of the median (too few samples)");
}

int export_junit(const struct result_set *s, const struct sample_index *samples, FILE *out)
{
    struct junit_suite suite;
    export_run_suite(s, &suite);
    for (size_t i = 0; i < s->n_rows; i++)
        junit_count(&suite.counts, row_outcome(s, &s->rows[i]));
    char name[512];
    snprintf(name, sizeof(name), "dmabench run %s on %s", result_set_meta(s, "run_id"),
             result_set_board(s));
    suite.name = name;
    struct junit_property props[EXPORT_RUN_PROPERTIES];
    suite.properties = props;
    suite.n_properties = export_run_properties(s, NULL, props, EXPORT_RUN_PROPERTIES);
    junit_begin(out);
    junit_suite_open(out, &suite);
    int error_col = result_set_col(s, "error");
    for (size_t i = 0; i < s->n_rows; i++) {
        const struct result_row *row = &s->rows[i];
        char classname[256], case_name[512], detail[256];
        const char *case_id = result_text(row, s->c.case_id),
                   *metric = result_text(row, s->c.metric);
        snprintf(classname, sizeof(classname), "dmabench.%s.%s", result_text(row, s->c.bench),
                 result_text(row, s->c.heap));
        snprintf(case_name, sizeof(case_name), "%s %s", case_id, metric);
        enum junit_outcome o = row_outcome(s, row);
        row_detail(detail, sizeof(detail), s, row);
        const char *why =
                *result_text(row, error_col) ? result_text(row, error_col) : "verdict: fail";
        junit_case_timed(out, classname, case_name, export_case_seconds(samples, case_id, metric),
                         o, why, o == JUNIT_PASS ? detail : NULL);
    }
    junit_suite_end(out);
    return junit_end(out);
}
