/* bench/analysis/compare.c - joins result sets on (case_id, metric) and decides a verdict per case.
 *
 * Each input gets an index sorted by key, so the join is a binary search per case; cases keep
 * BASE's order, then those only the NEW inputs have, in their order. The verdict needs both a
 * change beyond the threshold and a significant rank test: the threshold alone flags noise,
 * the test alone flags changes too small to matter.
 */
#include "compare.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results_validate.h"
#include "run_noise.h"

static const char *const verdict_names[N_VERDICTS] = {
        [VERDICT_SAME] = "same",
        [VERDICT_NOT_SIGNIFICANT] = "not-significant",
        [VERDICT_REGRESSION] = "regression",
        [VERDICT_IMPROVEMENT] = "improvement",
        [VERDICT_WORSE] = "worse",
        [VERDICT_BETTER] = "better",
        [VERDICT_UNTESTED] = "untested",
        [VERDICT_BASE_ONLY] = "base-only",
        [VERDICT_NEW_ONLY] = "new-only",
        [VERDICT_SKIPPED] = "skipped",
        [VERDICT_ERROR] = "error",
        [VERDICT_FAILING] = "failing",
        [VERDICT_INCONCLUSIVE] = "inconclusive",
};

const char *compare_verdict_name(enum compare_verdict v)
{
    return (unsigned)v < N_VERDICTS ? verdict_names[v] : "?";
}

double compare_geomean(const double *x, size_t n)
{
    if (!n)
        return NAN;
    /* Logs, not a product: a thousand ratios of 2 would overflow. */
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        if (!(x[i] > 0) || !isfinite(x[i]))
            return NAN;
        sum += log(x[i]);
    }
    return exp(sum / (double)n);
}

bool compare_failed(const struct compare_report *r)
{
    return r->count[VERDICT_REGRESSION] + r->count[VERDICT_FAILING] > 0;
}

size_t compare_inconclusive(const struct compare_report *r, size_t input)
{
    size_t n = 0;
    for (size_t k = 0; k < r->n_cases; k++)
        n += r->cases[k].cell[input - 1].verdict == VERDICT_INCONCLUSIVE;
    return n;
}

void compare_noise_reason(const struct compare_report *r, size_t input, char *out, size_t len)
{
    const size_t sides[] = {0, input};
    size_t used = 0;
    out[0] = '\0';
    for (size_t k = 0; k < 2; k++) {
        size_t i = sides[k];
        if (!r->disturbed[i] || used >= len)
            continue;
        int w = snprintf(out + used, len - used, "%s%s: %s", used ? "; " : "", r->labels[i],
                         r->noise[i]);
        used += w > 0 ? (size_t)w : 0;
    }
}

/* ---- the join ---------------------------------------------------------------------------- */

struct keyed {
    const struct result_set *set;
    size_t *order; /* row indices sorted by key */
};

static const char *row_case(const struct result_set *s, size_t i)
{
    return result_text(&s->rows[i], s->c.case_id);
}

static const char *row_metric(const struct result_set *s, size_t i)
{
    return result_text(&s->rows[i], s->c.metric);
}

static int compare_key(const char *case_a, const char *metric_a, const char *case_b,
                       const char *metric_b)
{
    int c = strcmp(case_a, case_b);
    return c ? c : strcmp(metric_a, metric_b);
}

static int compare_rows(const void *a, const void *b, void *set)
{
    const struct result_set *sorting = set;
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    int c = compare_key(row_case(sorting, i), row_metric(sorting, i), row_case(sorting, j),
                        row_metric(sorting, j));
    return c ? c : (i > j) - (i < j);
}

static int index_set(struct keyed *k, const struct result_set *s, char *err, size_t err_len)
{
    k->set = s;
    if (s->c.better < 0) {
        snprintf(err, err_len, "%s: no 'better' column: compare needs each metric's direction",
                 s->results_path);
        return -EBADMSG;
    }
    if (!(k->order = malloc((s->n_rows + 1) * sizeof(*k->order))))
        return -ENOMEM;
    for (size_t i = 0; i < s->n_rows; i++)
        k->order[i] = i;
    qsort_r(k->order, s->n_rows, sizeof(*k->order), compare_rows, (void *)s);
    for (size_t i = 1; i < s->n_rows; i++) {
        size_t a = k->order[i - 1], b = k->order[i];
        if (compare_key(row_case(s, a), row_metric(s, a), row_case(s, b), row_metric(s, b)))
            continue;
        /* Two rows with one key: the join could not tell which to take. */
        snprintf(err, err_len, "%s:%lu: case '%s' metric '%s' again (first on line %lu)",
                 s->results_path, s->rows[b].line, row_case(s, b), row_metric(s, b),
                 s->rows[a].line);
        return -EBADMSG;
    }
    return 0;
}

/* The row of a key in an input, or NULL. */
static const struct result_row *find_row(const struct keyed *k, const char *case_id,
                                         const char *metric)
{
    size_t lo = 0, hi = k->set->n_rows;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2, i = k->order[mid];
        int c = compare_key(row_case(k->set, i), row_metric(k->set, i), case_id, metric);
        if (c == 0)
            return &k->set->rows[i];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* ---- verdicts ---------------------------------------------------------------------------- */

enum side_status { SIDE_OK, SIDE_SKIPPED, SIDE_ERROR };

static enum side_status side_status(const struct result_set *s, const struct result_row *row)
{
    const char *status = result_text(row, s->c.status);
    if (strcmp(status, "ok") == 0)
        return SIDE_OK;
    /* Anything else the schema does not name is no measurement either. */
    return strcmp(status, "skipped") == 0 ? SIDE_SKIPPED : SIDE_ERROR;
}

/* fail or sync-ineffective: a case that said either in BASE and the other in NEW (an older
 * dmabench said fail for both) is no newly failing check. */
static bool verdict_fails(const struct result_set *s, const struct result_row *row)
{
    return results_verdict_fails(result_text(row, result_set_col(s, "verdict")));
}

static double ratio_of(double base, double other)
{
    if (isnan(base) || isnan(other))
        return NAN;
    if (base == 0)
        return other == 0 ? 1 : INFINITY;
    return other / base;
}

static int judge(const struct compare_report *r, const struct compare_case *c, size_t input,
                 struct compare_cell *cell)
{
    const struct compare_side *b = &c->side[0], *o = &c->side[input];
    /* A counter explains a change rather than measures one: like a board's, its changes are
     * differences, and a counter that fails in NEW (a PMU gone) fails no run. */
    bool differences = r->other_board[input] || c->counter;
    *cell = (struct compare_cell){.ratio = NAN};
    if (!b->row || !o->row) {
        cell->verdict = b->row ? VERDICT_BASE_ONLY : VERDICT_NEW_ONLY;
        return 0;
    }
    enum side_status sb = side_status(r->inputs[0].set, b->row),
                     so = side_status(r->inputs[input].set, o->row);
    if (sb == SIDE_ERROR || so == SIDE_ERROR) {
        cell->verdict = !differences && sb == SIDE_OK ? VERDICT_FAILING : VERDICT_ERROR;
        return 0;
    }
    if (sb == SIDE_SKIPPED || so == SIDE_SKIPPED) {
        cell->verdict = VERDICT_SKIPPED;
        return 0;
    }
    /* A check that passed in BASE (a coherency probe's verdict) and fails in NEW. */
    if (!differences && verdict_fails(r->inputs[input].set, o->row) &&
        !verdict_fails(r->inputs[0].set, b->row)) {
        cell->verdict = VERDICT_FAILING;
        return 0;
    }
    cell->ratio = ratio_of(b->median, o->median);
    if (!b->n || !o->n || isnan(cell->ratio)) {
        cell->verdict = VERDICT_UNTESTED;
        return 0;
    }
    int ret = mann_whitney(b->samples->values, b->n, o->samples->values, o->n, &cell->test);
    if (ret)
        return ret;
    cell->tested = true;
    cell->few_samples = b->n < r->opts.min_samples || o->n < r->opts.min_samples;
    double t = r->opts.threshold;
    bool up = cell->ratio > 1 + t, down = cell->ratio < 1 - t;
    bool worse = c->higher_better ? down : up, better = c->higher_better ? up : down;
    if (!worse && !better)
        cell->verdict = VERDICT_SAME;
    else if (!(cell->test.p < r->opts.alpha))
        cell->verdict = VERDICT_NOT_SIGNIFICANT;
    else if (worse)
        cell->verdict = differences ? VERDICT_WORSE : VERDICT_REGRESSION;
    else
        cell->verdict = differences ? VERDICT_BETTER : VERDICT_IMPROVEMENT;
    return 0;
}

/* A run the machine disturbed is no evidence of a regression: its failures are inconclusive. */
static void guard_noise(const struct compare_report *r, size_t input, struct compare_cell *cell)
{
    cell->judged = cell->verdict;
    bool fails = cell->verdict == VERDICT_REGRESSION || cell->verdict == VERDICT_FAILING;
    if (fails && (r->disturbed[0] || r->disturbed[input]))
        cell->verdict = VERDICT_INCONCLUSIVE;
}

/* ---- building the report ----------------------------------------------------------------- */

static int add_case(struct compare_report *r, const struct keyed *keys, size_t first, size_t row,
                    size_t *cap)
{
    if (r->n_cases == *cap) {
        size_t cap2 = *cap ? 2 * *cap : 256;
        struct compare_case *cases = realloc(r->cases, cap2 * sizeof(*cases));
        if (!cases)
            return -ENOMEM;
        r->cases = cases;
        *cap = cap2;
    }
    const struct result_set *s = keys[first].set;
    const struct result_row *rr = &s->rows[row];
    struct compare_case *c = &r->cases[r->n_cases];
    *c = (struct compare_case){
            .case_id = result_text(rr, s->c.case_id),
            .metric = result_text(rr, s->c.metric),
            .bench = result_text(rr, s->c.bench),
            .heap = result_text(rr, s->c.heap),
            .unit = result_text(rr, s->c.unit),
            .higher_better = strcmp(result_text(rr, s->c.better), "higher") == 0,
            .counter = results_unit_is_counter(result_text(rr, s->c.unit)),
            .side = calloc(r->n_inputs, sizeof(*c->side)),
            .cell = calloc(r->n_inputs - 1, sizeof(*c->cell)),
    };
    if (!c->side || !c->cell) {
        free(c->side);
        free(c->cell);
        return -ENOMEM;
    }
    r->n_cases++;
    for (size_t i = 0; i < r->n_inputs; i++) {
        struct compare_side *side = &c->side[i];
        const struct result_set *si = keys[i].set;
        side->row = i == first ? rr : find_row(&keys[i], c->case_id, c->metric);
        side->median = side->row ? result_num(side->row, si->c.median) : NAN;
        side->samples =
                side->row ? sample_index_find(r->inputs[i].samples, c->case_id, c->metric) : NULL;
        side->n = side->samples ? side->samples->n : 0;
    }
    for (size_t i = 1; i < r->n_inputs; i++) {
        int ret = judge(r, c, i, &c->cell[i - 1]);
        if (ret)
            return ret;
        guard_noise(r, i, &c->cell[i - 1]);
        r->count[c->cell[i - 1].verdict]++;
        r->few_samples += c->cell[i - 1].few_samples;
    }
    return 0;
}

static int join(struct compare_report *r, const struct keyed *keys)
{
    size_t cap = 0;
    for (size_t i = 0; i < r->n_inputs; i++) {
        const struct result_set *s = keys[i].set;
        for (size_t row = 0; row < s->n_rows; row++) {
            /* Taken already from an earlier input? */
            bool seen = false;
            for (size_t j = 0; j < i && !seen; j++)
                seen = find_row(&keys[j], row_case(s, row), row_metric(s, row)) != NULL;
            int ret = seen ? 0 : add_case(r, keys, i, row, &cap);
            if (ret)
                return ret;
        }
    }
    return 0;
}

static struct compare_group *find_group(struct compare_report *r, const struct compare_case *c,
                                        size_t input, size_t *cap)
{
    for (size_t g = 0; g < r->n_groups; g++) {
        struct compare_group *grp = &r->groups[g];
        if (grp->input == input && !strcmp(grp->bench, c->bench) && !strcmp(grp->heap, c->heap) &&
            !strcmp(grp->metric, c->metric))
            return grp;
    }
    if (r->n_groups == *cap) {
        size_t cap2 = *cap ? 2 * *cap : 16;
        struct compare_group *groups = realloc(r->groups, cap2 * sizeof(*groups));
        if (!groups)
            return NULL;
        r->groups = groups;
        *cap = cap2;
    }
    struct compare_group *grp = &r->groups[r->n_groups++];
    *grp = (struct compare_group){.bench = c->bench,
                                  .heap = c->heap,
                                  .metric = c->metric,
                                  .unit = c->unit,
                                  .higher_better = c->higher_better,
                                  .input = input};
    return grp;
}

/* Geometric means per NEW input, benchmark, heap and metric, counters left out: they explain a
 * change rather than measure one. Sums of logs first, the mean at the end. */
static int summarise(struct compare_report *r)
{
    size_t cap = 0;
    for (size_t i = 1; i < r->n_inputs; i++) {
        for (size_t k = 0; k < r->n_cases; k++) {
            const struct compare_case *c = &r->cases[k];
            const struct compare_cell *cell = &c->cell[i - 1];
            if (c->counter || !(cell->ratio > 0) || !isfinite(cell->ratio))
                continue;
            struct compare_group *grp = find_group(r, c, i, &cap);
            if (!grp)
                return -ENOMEM;
            grp->cases++;
            grp->geomean += log(cell->ratio);
            grp->worse += cell->verdict == VERDICT_REGRESSION || cell->verdict == VERDICT_WORSE;
            grp->better += cell->verdict == VERDICT_IMPROVEMENT || cell->verdict == VERDICT_BETTER;
        }
    }
    for (size_t g = 0; g < r->n_groups; g++)
        r->groups[g].geomean = exp(r->groups[g].geomean / (double)r->groups[g].cases);
    return 0;
}

/* Boards by name (a board measured twice gets "(2)"); runs of one board as base, new (or new1,
 * new2 ...). */
static void make_labels(struct compare_report *r)
{
    const char *base_board = result_set_board(r->inputs[0].set);
    for (size_t i = 1; i < r->n_inputs; i++) {
        r->other_board[i] = strcmp(result_set_board(r->inputs[i].set), base_board) != 0;
        r->boards |= r->other_board[i];
    }
    for (size_t i = 0; i < r->n_inputs; i++) {
        const char *board = result_set_board(r->inputs[i].set);
        size_t same = 0;
        for (size_t j = 0; j < i; j++)
            same += strcmp(result_set_board(r->inputs[j].set), board) == 0;
        if (r->boards && same)
            snprintf(r->labels[i], COMPARE_LABEL_MAX, "%.50s (%zu)", board, same + 1);
        else if (r->boards)
            snprintf(r->labels[i], COMPARE_LABEL_MAX, "%s", board);
        else if (i == 0)
            snprintf(r->labels[i], COMPARE_LABEL_MAX, "base");
        else if (r->n_inputs == 2)
            snprintf(r->labels[i], COMPARE_LABEL_MAX, "new");
        else
            snprintf(r->labels[i], COMPARE_LABEL_MAX, "new%zu", i);
    }
}

/* Each board's inputs judged against each other (run_noise.h): its peers are its board's. */
static int judge_noise(struct compare_report *r)
{
    const struct result_set **sets = calloc(r->n_inputs, sizeof(*sets));
    size_t *which = calloc(r->n_inputs, sizeof(*which));
    bool *done = calloc(r->n_inputs, sizeof(*done)), *disturbed = NULL;
    char(*reason)[HISTORY_REASON_MAX] = calloc(r->n_inputs, sizeof(*reason));
    int ret = -ENOMEM;
    if (!sets || !which || !done || !reason ||
        !(disturbed = calloc(r->n_inputs, sizeof(*disturbed))))
        goto out;
    for (size_t i = 0; i < r->n_inputs; i++) {
        if (done[i])
            continue;
        const char *board = result_set_board(r->inputs[i].set);
        size_t n = 0;
        for (size_t j = i; j < r->n_inputs; j++) {
            if (!done[j] && !strcmp(result_set_board(r->inputs[j].set), board)) {
                done[j] = true;
                which[n] = j;
                sets[n++] = r->inputs[j].set;
            }
        }
        run_noise_judge(sets, n, disturbed, reason);
        for (size_t k = 0; k < n; k++) {
            r->disturbed[which[k]] = disturbed[k];
            memcpy(r->noise[which[k]], reason[k], sizeof(reason[k]));
        }
    }
    ret = 0;
out:
    free(sets);
    free(which);
    free(done);
    free(reason);
    free(disturbed);
    return ret;
}

int compare_build(const struct compare_input *inputs, size_t n, const struct compare_opts *opts,
                  struct compare_report **out, char *err, size_t err_len)
{
    *out = NULL;
    err[0] = '\0';
    if (n < 2 || !(opts->alpha > 0 && opts->alpha < 1) || !(opts->threshold >= 0)) {
        snprintf(err, err_len, "compare needs two inputs, alpha in (0, 1), threshold >= 0");
        return -EINVAL;
    }
    struct compare_report *r = calloc(1, sizeof(*r));
    struct keyed *keys = calloc(n, sizeof(*keys));
    int ret = -ENOMEM;
    if (!r || !keys || !(r->labels = calloc(n, sizeof(*r->labels))) ||
        !(r->other_board = calloc(n, sizeof(*r->other_board))) ||
        !(r->disturbed = calloc(n, sizeof(*r->disturbed))) ||
        !(r->noise = calloc(n, sizeof(*r->noise))))
        goto out;
    r->inputs = inputs;
    r->n_inputs = n;
    r->opts = *opts;
    make_labels(r);
    ret = judge_noise(r);
    for (size_t i = 0; i < n && !ret; i++)
        ret = index_set(&keys[i], inputs[i].set, err, err_len);
    if (!ret)
        ret = join(r, keys);
    if (!ret)
        ret = summarise(r);
out:
    if (keys)
        for (size_t i = 0; i < n; i++)
            free(keys[i].order);
    free(keys);
    if (ret == -ENOMEM && !*err)
        snprintf(err, err_len, "compare: out of memory");
    if (ret) {
        compare_report_free(r);
        return ret;
    }
    *out = r;
    return 0;
}

void compare_report_free(struct compare_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_cases; i++) {
        free(r->cases[i].side);
        free(r->cases[i].cell);
    }
    free(r->cases);
    free(r->groups);
    free(r->labels);
    free(r->other_board);
    free(r->disturbed);
    free(r->noise);
    free(r);
}
