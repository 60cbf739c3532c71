/* bench/run_summary_replay.c - the cases kept from before --resume, back into the run's summary
 * from their results.csv rows (see run_summary_replay.h).
 */
#include "run_summary_replay.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results_columns.h"
#include "results_validate.h"
#include "run_resume.h"

/* The results.csv columns a case_result is rebuilt from. */
/* clang-format does not settle on one layout for this list. */
/* clang-format off */
#define REPLAY_COLUMNS(X) \
    X(case_id) \
    X(metric) \
    X(unit) \
    X(better) \
    X(n) \
    X(median) \
    X(mean) \
    X(min) \
    X(max) \
    X(stddev) \
    X(mad) \
    X(cv) \
    X(p90) \
    X(p99) \
    X(ci_low) \
    X(ci_high) \
    X(reps) \
    X(reps_stop) \
    X(status) \
    X(error) \
    X(disturbed) \
    X(implausible)
/* clang-format on */

struct replay {
    struct run_summary *s;
    replay_find_case find;
    void *find_arg;
#define REPLAY_COL(name) int name;
    struct {
        REPLAY_COLUMNS(REPLAY_COL)
    } col;
#undef REPLAY_COL
    const struct bench_case *c; /* the case whose rows are being gathered; NULL: none */
    struct case_result *r;
};

static double number(const char *text)
{
    char *end;
    double v = strtod(text, &end);
    return *text && !*end ? v : NAN;
}

static enum case_status status_of(const char *text)
{
    enum case_status st;
    return case_status_parse(text, &st) ? CASE_ERROR : st;
}

static enum reps_stop stop_of(const char *text)
{
    enum reps_stop r;
    return reps_stop_parse(text, &r) ? REPS_CONTINUE : r;
}

/* The gathered case into the summary: its status as resume counts it, the worst of its
 * metrics that are not counters (an error in any; skipped when all are). */
static void flush(struct replay *x)
{
    if (!x->c)
        return;
    struct case_result *r = x->r;
    bool any = false, all_skipped = true, error = false;
    for (size_t i = 0; i < r->n_metrics; i++) {
        if (results_unit_is_counter(r->metrics[i].unit))
            continue;
        any = true;
        error |= r->metrics[i].status == CASE_ERROR;
        all_skipped &= r->metrics[i].status == CASE_SKIPPED;
    }
    r->status = error ? CASE_ERROR : any && all_skipped ? CASE_SKIPPED : CASE_OK;
    run_summary_add(x->s, x->c, r);
    x->c = NULL;
}

static void add_row(struct replay *x, char *const *f)
{
    struct case_result *r = x->r;
    if (r->n_metrics == RESULT_MAX_METRICS)
        return;
    struct metric_result *m = &r->metrics[r->n_metrics++];
    snprintf(m->name, sizeof(m->name), "%s", f[x->col.metric]);
    snprintf(m->unit, sizeof(m->unit), "%s", f[x->col.unit]);
    m->better = strcmp(f[x->col.better], "lower") ? BETTER_HIGHER : BETTER_LOWER;
    m->status = status_of(f[x->col.status]);
    snprintf(m->reason, sizeof(m->reason), "%s", f[x->col.error]);
    double n = number(f[x->col.n]);
    m->n = isnan(n) || n < 0 ? 0 : (size_t)n;
    m->mux_ratio = NAN;
    m->stats = (struct stats_summary){
            .n = m->n,
            .median = number(f[x->col.median]),
            .mean = number(f[x->col.mean]),
            .min = number(f[x->col.min]),
            .max = number(f[x->col.max]),
            .stddev = number(f[x->col.stddev]),
            .mad = number(f[x->col.mad]),
            .cv = number(f[x->col.cv]),
            .p90 = number(f[x->col.p90]),
            .p99 = number(f[x->col.p99]),
            .ci_low = number(f[x->col.ci_low]),
            .ci_high = number(f[x->col.ci_high]),
    };
    double reps = number(f[x->col.reps]);
    if (!isnan(reps) && reps > r->reps)
        r->reps = (unsigned)reps;
    if (r->stop == REPS_CONTINUE)
        r->stop = stop_of(f[x->col.reps_stop]);
    if (!r->disturbed[0])
        snprintf(r->disturbed, sizeof(r->disturbed), "%s", f[x->col.disturbed]);
    if (!r->implausible[0])
        snprintf(r->implausible, sizeof(r->implausible), "%s", f[x->col.implausible]);
}

static int replay_row(char *const *fields, void *arg)
{
    struct replay *x = arg;
    const char *id = fields[x->col.case_id];
    if (!x->c || strcmp(x->c->id, id)) {
        flush(x);
        memset(x->r, 0, sizeof(*x->r));
        x->c = x->find(x->find_arg, id);
    }
    if (x->c)
        add_row(x, fields);
    return 0;
}

int run_summary_replay(struct run_summary *s, int dirfd, const char *dir, replay_find_case find,
                       void *find_arg, char *err, size_t err_len)
{
    struct replay x = {.s = s, .find = find, .find_arg = find_arg};
#define REPLAY_FIND(name)                                                                          \
    if ((x.col.name = results_column_find(#name)) < 0) {                                           \
        snprintf(err, err_len, "%s/results.csv: no column " #name, dir);                           \
        return -EINVAL;                                                                            \
    }
    REPLAY_COLUMNS(REPLAY_FIND)
#undef REPLAY_FIND
    /* A case_result holds every metric's room: kept off the stack. */
    if (!(x.r = calloc(1, sizeof(*x.r)))) {
        snprintf(err, err_len, "%s/results.csv: %s", dir, strerror(ENOMEM));
        return -ENOMEM;
    }
    int ret = run_resume_each_row(dirfd, dir, replay_row, &x, err, err_len);
    if (!ret)
        flush(&x);
    free(x.r);
    return ret;
}
