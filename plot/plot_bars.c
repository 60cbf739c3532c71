/* plot/plot_bars.c - joins result sets on (case id, metric) for the board-vs-board bars.
 *
 * Each set's measured rows are sorted by key once and looked up by binary search, so joining
 * two full runs stays cheap; the first set's run order is kept, as it groups related cases.
 */
#include "plot_bars.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot_select.h"

struct keyed {
    const struct result_set *s;
    const struct result_row *r;
};

static int by_key(const void *a, const void *b)
{
    const struct keyed *x = a, *y = b;
    int c = strcmp(result_text(x->r, x->s->c.case_id), result_text(y->r, y->s->c.case_id));
    return c ? c : strcmp(result_text(x->r, x->s->c.metric), result_text(y->r, y->s->c.metric));
}

/* The set's measured rows, sorted by key. */
static struct keyed *index_set(const struct result_set *s, size_t *n)
{
    struct keyed *k = calloc(s->n_rows + 1, sizeof(*k));
    *n = 0;
    if (!k)
        return NULL;
    for (size_t i = 0; i < s->n_rows; i++)
        if (result_row_measured(s, &s->rows[i]))
            k[(*n)++] = (struct keyed){s, &s->rows[i]};
    qsort(k, *n, sizeof(*k), by_key);
    return k;
}

bool plot_bars_boards_differ(struct result_set *const *sets, size_t n_sets)
{
    for (size_t i = 1; i < n_sets; i++)
        if (strcmp(result_set_board(sets[i]), result_set_board(sets[0])) != 0)
            return true;
    return false;
}

/* Keeps, of each group, only the case with the largest size; order is kept. rows[i] is case i's
 * row per set. Returns the new count, or -ENOMEM. */
static long keep_largest(const struct result_set *s0, const struct result_row ***rows, size_t n)
{
    char **keys = calloc(n + 1, sizeof(*keys));
    bool *keep = calloc(n + 1, sizeof(*keep));
    long ret = keys && keep ? 0 : -ENOMEM;
    for (size_t i = 0; i < n && !ret; i++)
        if (!(keys[i] = plot_param_key(s0, rows[i][0], s0->c.size)))
            ret = -ENOMEM;
    /* Decide for all first: the comparisons need every row still in place. */
    for (size_t i = 0; i < n && !ret; i++) {
        double size = result_num(rows[i][0], s0->c.size);
        keep[i] = true;
        for (size_t j = 0; j < n && keep[i]; j++)
            if (j != i && !strcmp(keys[i], keys[j]) && result_num(rows[j][0], s0->c.size) > size)
                keep[i] = false;
    }
    size_t kept = 0;
    for (size_t i = 0; i < n && !ret; i++) {
        if (keep[i])
            rows[kept++] = rows[i];
        else
            free(rows[i]);
    }
    for (size_t i = 0; keys && i < n; i++)
        free(keys[i]);
    free(keys);
    free(keep);
    return ret ? ret : (long)kept;
}

static bool lower_is_better(const struct result_set *s, const struct result_row *r)
{
    const char *better = result_text(r, s->c.better);
    if (*better)
        return strcmp(better, "lower") == 0;
    return strcmp(result_text(r, s->c.unit), "ns") == 0; /* a cost, when a set does not say */
}

/* Relative values for case c: above 1 is better than set 0. */
static void relate(struct result_set *const *sets, size_t n_sets, struct bar_case *c)
{
    const struct result_set *s0 = sets[0];
    double base = result_num(c->rows[0], s0->c.median);
    c->lower_is_better = lower_is_better(s0, c->rows[0]);
    for (size_t i = 0; i < n_sets; i++) {
        const struct result_set *s = sets[i];
        double m = result_num(c->rows[i], s->c.median), lo = result_num(c->rows[i], s->c.ci_low),
               hi = result_num(c->rows[i], s->c.ci_high);
        lo = isnan(lo) || lo <= 0 ? m : lo;
        hi = isnan(hi) ? m : hi;
        if (c->lower_is_better) {
            c->rel[i] = base / m;
            c->lo[i] = base / hi;
            c->hi[i] = base / lo;
        } else {
            c->rel[i] = m / base;
            c->lo[i] = lo / base;
            c->hi[i] = hi / base;
        }
    }
}

static int fill_cases(struct result_set *const *sets, size_t n_sets,
                      const struct result_row ***rows, size_t n, struct bar_cases *out)
{
    const struct result_set *s0 = sets[0];
    const struct result_row **first = calloc(n + 1, sizeof(*first));
    char **labels = calloc(n + 1, sizeof(*labels));
    out->cases = calloc(n + 1, sizeof(*out->cases));
    if (!first || !labels || !out->cases) {
        free(first);
        free(labels);
        return -ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        first[i] = rows[i][0];
    int skip[] = {s0->c.bench};
    int ret = plot_label_rows(s0, first, n, skip, 1, labels);
    for (size_t i = 0; i < n && !ret; i++) {
        struct bar_case *c = &out->cases[out->n];
        c->rel = calloc(3 * n_sets, sizeof(double));
        if (!c->rel) {
            ret = -ENOMEM;
            break;
        }
        c->lo = c->rel + n_sets;
        c->hi = c->rel + 2 * n_sets;
        c->rows = rows[i];
        rows[i] = NULL;
        c->label = labels[i];
        labels[i] = NULL;
        out->n++;
        relate(sets, n_sets, c);
    }
    for (size_t i = 0; i < n; i++)
        free(labels[i]);
    free(labels);
    free(first);
    return ret;
}

int plot_bars_build(struct result_set *const *sets, size_t n_sets, struct bar_cases *out)
{
    *out = (struct bar_cases){0};
    struct keyed **index = calloc(n_sets, sizeof(*index));
    size_t *n_index = calloc(n_sets, sizeof(*n_index));
    const struct result_row ***rows = calloc(sets[0]->n_rows + 1, sizeof(*rows));
    size_t n = 0;
    int ret = index && n_index && rows ? 0 : -ENOMEM;
    for (size_t i = 0; i < n_sets && !ret; i++)
        if (!(index[i] = index_set(sets[i], &n_index[i])))
            ret = -ENOMEM;
    /* Run order: set 0's rows as they are in its file, not its sorted index. */
    for (size_t r = 0; !ret && r < sets[0]->n_rows; r++) {
        struct keyed key = {sets[0], &sets[0]->rows[r]};
        if (!result_row_measured(sets[0], key.r))
            continue;
        const struct result_row **joined = calloc(n_sets, sizeof(*joined));
        if (!joined) {
            ret = -ENOMEM;
            break;
        }
        bool all = true;
        for (size_t i = 0; i < n_sets && all; i++) {
            struct keyed *hit = bsearch(&key, index[i], n_index[i], sizeof(key), by_key);
            all = hit && result_num(hit->r, sets[i]->c.median) > 0;
            joined[i] = hit ? hit->r : NULL;
        }
        if (all)
            rows[n++] = joined;
        else
            free(joined);
    }
    out->n_common = n;
    if (!ret && n > BARS_MAX_CASES) {
        long kept = keep_largest(sets[0], rows, n);
        if (kept < 0)
            ret = (int)kept;
        else
            n = (size_t)kept;
    }
    for (; !ret && n > BARS_MAX_CASES; n--)
        free(rows[n - 1]);
    if (!ret && n)
        ret = fill_cases(sets, n_sets, rows, n, out);
    for (size_t i = 0; rows && i < n; i++)
        free(rows[i]); /* those not taken by a case */
    free(rows);
    for (size_t i = 0; index && i < n_sets; i++)
        free(index[i]);
    free(index);
    free(n_index);
    if (ret)
        plot_bars_free(out);
    return ret;
}

void plot_bars_free(struct bar_cases *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->cases[i].label);
        free(c->cases[i].rows);
        free(c->cases[i].rel);
    }
    free(c->cases);
    *c = (struct bar_cases){0};
}
