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
#include "results_validate.h"

int export_format_parse(const char *name, enum export_format *out)
{
    static const char *const names[] = {[EXPORT_LAVA] = "lava",
                                        [EXPORT_LAVA_SIGNAL] = "lava-signal",
                                        [EXPORT_KCIDB] = "kcidb",
                                        [EXPORT_JUNIT] = "junit"};
    for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
        if (!strcmp(name, names[i])) {
            *out = (enum export_format)i;
            return 0;
        }
    }
    return -EINVAL;
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
    static const char *const results[] = {
            [JUNIT_PASS] = "pass", [JUNIT_FAILURE] = "fail", [JUNIT_SKIPPED] = "skip"};
    for (size_t i = 0; i < s->n_rows; i++) {
        const struct result_row *row = &s->rows[i];
        enum junit_outcome o = row_outcome(s, row);
        bool measured = !strcmp(result_text(row, s->c.status), "ok");
        int ret = lava_report_case(lava, NULL, result_text(row, s->c.case_id),
                                   result_text(row, s->c.metric), results[o],
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

int export_junit(const struct result_set *s, FILE *out)
{
    struct junit_counts counts = {0};
    for (size_t i = 0; i < s->n_rows; i++)
        junit_count(&counts, row_outcome(s, &s->rows[i]));
    char suite[512];
    snprintf(suite, sizeof(suite), "dmabench run %s on %s", result_set_meta(s, "run_id"),
             result_set_board(s));
    const char *start = result_set_meta(s, "start_time");
    junit_begin(out);
    junit_suite_begin(out, suite, strcmp(start, "unknown") ? start : NULL, &counts);
    int error_col = result_set_col(s, "error");
    for (size_t i = 0; i < s->n_rows; i++) {
        const struct result_row *row = &s->rows[i];
        char classname[256], name[512], detail[256];
        snprintf(classname, sizeof(classname), "dmabench.%s.%s", result_text(row, s->c.bench),
                 result_text(row, s->c.heap));
        snprintf(name, sizeof(name), "%s %s", result_text(row, s->c.case_id),
                 result_text(row, s->c.metric));
        enum junit_outcome o = row_outcome(s, row);
        snprintf(detail, sizeof(detail), "median %s %s, n %s, 95%% CI of the median [%s, %s]",
                 result_text(row, s->c.median), result_text(row, s->c.unit),
                 result_text(row, s->c.n), result_text(row, s->c.ci_low),
                 result_text(row, s->c.ci_high));
        const char *why =
                *result_text(row, error_col) ? result_text(row, error_col) : "verdict: fail";
        junit_case(out, classname, name, o, why, o == JUNIT_PASS ? detail : NULL);
    }
    junit_suite_end(out);
    return junit_end(out);
}
