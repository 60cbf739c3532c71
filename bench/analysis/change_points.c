/* bench/analysis/change_points.c - E-divisive means: the energy statistic at every split of a
 * segment, recursive bisection, a permutation test per candidate that stops as soon as the
 * candidate cannot be significant, and the raw-samples check of a change.
 *
 * The series is rescaled to [0, 1] first (the statistic and its test do not change under a
 * shift or a positive scale), so the distance sums stay small and exact enough in a double.
 */
#include "change_points.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mann_whitney.h"
#include "stats.h"

/* Relative slack when a permuted statistic is compared with the observed one: a permutation
 * that only reorders equal values, or mirrors the series, gives the same statistic up to
 * rounding, and must count as at least as large. */
#define CP_TIE_SLACK 1e-9

/* A stretch of the series between change points (or an end) and its best split. */
struct segment {
    size_t start, end; /* [start, end) in the series */
    size_t split;      /* series index of its best split (the first point after it) */
    double q;          /* the statistic there; -INFINITY when too short to split */
    /* Its best statistic under permutation l of its points, NAN until drawn: a segment keeps
     * its draws from one candidate's test to the next (only the two halves of a split segment
     * need new ones), NULL until the first is drawn. */
    double *draws;
};

struct search {
    size_t n, min_segment;
    const double *scaled; /* the series in [0, 1] */
    /* Per segment, over the segment's own positions [start, end): its values ascending, the
     * rank of each point among them (the observed order), and a permuted copy of the ranks. */
    double *sorted;
    uint32_t *rank, *shuffled;
    struct ranked_point {
        double value;
        uint32_t at;
    } * scratch;
    double *tree_count, *tree_sum; /* Fenwick tree over ranks, 1-based */
    double *within, *prefix;       /* within sums: of intervals, of prefixes (best_split) */
    double *values;                /* a segment's values in its (permuted) order */
    double *left_mean;             /* W(0, tau) / (tau - 1) */
    double *inv, *inv_less_one;    /* 1 / i and 1 / (i - 1), for i <= n */
    unsigned permutations;
    struct segment *segs; /* in series order */
    size_t n_segs;
    uint64_t rng;
};

void cp_opts_default(struct cp_opts *o)
{
    *o = (struct cp_opts){
            .alpha = CP_ALPHA_DEFAULT,
            .permutations = CP_PERMUTATIONS_DEFAULT,
            .seed = CP_SEED_DEFAULT,
            .min_segment = CP_MIN_SEGMENT_DEFAULT,
    };
}

/* splitmix64 (Steele, Lea, Flood 2014): one 64-bit state, every seed fine, 0 included. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Uniform in [0, bound), unbiased (Lemire 2019: multiply, reject the short first interval). */
static size_t random_below(uint64_t *state, size_t bound)
{
    unsigned __int128 m = (unsigned __int128)next_random(state) * bound;
    if ((uint64_t)m < bound) {
        uint64_t floor = -(uint64_t)bound % bound;
        while ((uint64_t)m < floor)
            m = (unsigned __int128)next_random(state) * bound;
    }
    return (size_t)(m >> 64);
}

static void shuffle(uint32_t *v, size_t len, uint64_t *state)
{
    for (size_t i = len; i > 1; i--) {
        size_t j = random_below(state, i);
        uint32_t t = v[i - 1];
        v[i - 1] = v[j];
        v[j] = t;
    }
}

static int compare_ranked(const void *a, const void *b)
{
    const struct ranked_point *x = a, *y = b;
    if (x->value != y->value)
        return (x->value > y->value) - (x->value < y->value);
    return (x->at > y->at) - (x->at < y->at); /* equal values: by position, so qsort is stable */
}

/* Adds the value of rank r to the tree of a segment of len points. */
static void tree_add(struct search *s, size_t len, uint32_t r, double value)
{
    for (size_t i = (size_t)r + 1; i <= len; i += i & -i) {
        s->tree_count[i] += 1;
        s->tree_sum[i] += value;
    }
}

/* Sum of |value - y| over the points in the tree (count of them, sum of their values): those
 * of lower rank are below it, the others above (equal values add 0 on either side). */
static double tree_distance(const struct search *s, uint32_t r, double value, double count,
                            double sum)
{
    double below = 0, below_sum = 0;
    for (size_t i = r; i > 0; i -= i & -i) {
        below += s->tree_count[i];
        below_sum += s->tree_sum[i];
    }
    return value * below - below_sum + (sum - below_sum) - value * (count - below);
}

static void tree_clear(struct search *s, size_t len)
{
    memset(s->tree_count, 0, (len + 1) * sizeof(*s->tree_count));
    memset(s->tree_sum, 0, (len + 1) * sizeof(*s->tree_sum));
}

/* Q of Matteson & James, alpha = 1, for the m points left of a split against the k points
 * right of it, from W_l and W_r, the sums of |x_i - x_j| within each side, and B, the sum
 * across: Q = m k / (m + k) * (2 B / (m k) - W_l / C(m, 2) - W_r / C(k, 2))
 *           = (2 B - 2 k W_l / (m - 1) - 2 m W_r / (k - 1)) / (m + k). */
static double statistic(const struct search *s, size_t m, size_t k, double left, double right,
                        double across)
{
    return 2 *
           (across - (double)k * left * s->inv_less_one[m] -
            (double)m * right * s->inv_less_one[k]) *
           s->inv[m + k];
}

/* The within sums W(0, t) of every prefix (prefix[t], t = 0 .. len) and, when suffix is not
 * NULL, W(t, len) of every suffix, of the segment whose points, in order, have the values
 * sorted[rank[i]]: one point at a time through the Fenwick tree, O(len log len). */
static void within_sums(struct search *s, const double *sorted, const uint32_t *rank, size_t len,
                        double *prefix, double *suffix)
{
    double count = 0, sum = 0;
    tree_clear(s, len);
    prefix[0] = 0;
    for (size_t t = 0; t < len; t++) {
        double v = sorted[rank[t]];
        prefix[t + 1] = prefix[t] + tree_distance(s, rank[t], v, count, sum);
        tree_add(s, len, rank[t], v);
        count += 1;
        sum += v;
    }
    if (!suffix)
        return;
    count = sum = 0;
    tree_clear(s, len);
    suffix[len] = 0;
    for (size_t t = len; t-- > 0;) {
        double v = sorted[rank[t]];
        suffix[t] = suffix[t + 1] + tree_distance(s, rank[t], v, count, sum);
        tree_add(s, len, rank[t], v);
        count += 1;
        sum += v;
    }
}

/* The segment's best split: the largest Q of sample one [0, tau) against sample two
 * [tau, kappa), each of min_segment points or more, for a segment whose points, in order, have
 * the values sorted[rank[i]]. Up to CP_ANY_END_MAX points kappa is free (the paper's
 * statistic); beyond, sample two runs to the end or is at most CP_SECOND_SAMPLE_MAX points.
 * A free end isolates a rise that falls back later (a regression, then its fix); the end
 * alone (MongoDB's implementation) finds a step with the power of all the points after
 * it. Stores tau in *split; -INFINITY when the segment is too short to split.
 * Time O(len * w + len log len), w = len or CP_SECOND_SAMPLE_MAX, memory O(len): as kappa
 * grows by one point, the within sums W(tau, kappa) of the intervals ending there, tau within
 * w of kappa, grow by that point's distances to them. */
static double best_split(struct search *s, const double *sorted, const uint32_t *rank, size_t len,
                         size_t *split)
{
    size_t min = s->min_segment;
    if (len < 2 * min)
        return -INFINITY;
    size_t w = len <= CP_ANY_END_MAX ? len : CP_SECOND_SAMPLE_MAX;
    double *prefix = s->prefix, *within = s->within, *value = s->values, best = -INFINITY;
    double *left_mean = s->left_mean;
    within_sums(s, sorted, rank, len, prefix, w < len ? within : NULL);
    if (w < len) /* kappa = len: within holds the suffix sums */
        for (size_t tau = min; tau + min <= len; tau++) {
            double q = statistic(s, tau, len - tau, prefix[tau], within[tau],
                                 prefix[len] - prefix[tau] - within[tau]);
            if (q > best) {
                best = q;
                *split = tau;
            }
        }
    for (size_t i = 0; i < len; i++) {
        value[i] = sorted[rank[i]];
        within[i] = 0;
        left_mean[i] = prefix[i] * s->inv_less_one[i]; /* W(0, i) / (i - 1) */
    }
    for (size_t kappa = 1; kappa <= len; kappa++) {
        /* within[tau] = W(tau, kappa) for kappa - w <= tau < kappa: add the point kappa - 1,
         * and the statistic of each split, but for the factor 2 / (m + k) = 2 / kappa. */
        size_t first = kappa > w ? kappa - w : 0, top_tau = 0;
        size_t lo = first > min ? first : min, hi = kappa >= min ? kappa - min : 0;
        double acc = 0, newest = value[kappa - 1], top = -INFINITY, whole = prefix[kappa];
        size_t tau = kappa - 1;
        while (tau > first && tau > hi + 1) { /* sample two too short: sums only */
            tau--;
            acc += fabs(value[tau] - newest);
            within[tau] += acc;
        }
        /* The splits [lo, hi], downward: sample two has k = kappa - tau points. */
        double k = (double)(kappa - tau), m = (double)tau;
        while (tau > lo && tau <= hi + 1) {
            tau--;
            k += 1;
            m -= 1;
            acc += fabs(value[tau] - newest);
            double right = within[tau] + acc;
            within[tau] = right;
            double q = whole - prefix[tau] - right - k * left_mean[tau] -
                       m * right * s->inv_less_one[kappa - tau];
            if (q >= top) { /* ties: the earliest split, as in the loop to the end */
                top = q;
                top_tau = tau;
            }
        }
        while (tau > first) { /* sample one too short: sums only */
            tau--;
            acc += fabs(value[tau] - newest);
            within[tau] += acc;
        }
        double q = 2 * top * s->inv[kappa];
        if (q > best) {
            best = q;
            *split = top_tau;
        }
    }
    return best;
}

/* Ranks a new segment's points, resets its permuted copy, and finds its best split. */
static void segment_prepare(struct search *s, struct segment *seg)
{
    size_t len = seg->end - seg->start;
    for (size_t i = 0; i < len; i++)
        s->scratch[i] = (struct ranked_point){s->scaled[seg->start + i], (uint32_t)i};
    qsort(s->scratch, len, sizeof(*s->scratch), compare_ranked);
    for (size_t r = 0; r < len; r++) {
        s->sorted[seg->start + r] = s->scratch[r].value;
        s->rank[seg->start + s->scratch[r].at] = (uint32_t)r;
    }
    memcpy(s->shuffled + seg->start, s->rank + seg->start, len * sizeof(*s->rank));
    size_t split = 0;
    seg->q = best_split(s, s->sorted + seg->start, s->rank + seg->start, len, &split);
    seg->split = seg->start + split;
}

/* Permutation l of the null hypothesis "no further change": each segment's points shuffled
 * within it, and the largest best-split statistic over all segments (as the candidate is the
 * largest over all segments). Stops at the first segment that reaches `observed`. A segment's
 * draw l is computed once and kept. 0 and *out, or -ENOMEM. */
static int permuted_statistic(struct search *s, unsigned l, double observed, double *out)
{
    double best = -INFINITY;
    for (size_t i = 0; i < s->n_segs && best < observed; i++) {
        struct segment *seg = &s->segs[i];
        size_t len = seg->end - seg->start, split;
        if (seg->q == -INFINITY)
            continue; /* too short to split */
        if (!seg->draws) {
            seg->draws = malloc(s->permutations * sizeof(*seg->draws));
            if (!seg->draws)
                return -ENOMEM;
            for (unsigned j = 0; j < s->permutations; j++)
                seg->draws[j] = NAN;
        }
        if (isnan(seg->draws[l])) {
            shuffle(s->shuffled + seg->start, len, &s->rng);
            seg->draws[l] =
                    best_split(s, s->sorted + seg->start, s->shuffled + seg->start, len, &split);
        }
        if (seg->draws[l] > best)
            best = seg->draws[l];
    }
    *out = best;
    return 0;
}

/* The permutation p-value of a candidate whose statistic is `observed`, or a value >= alpha
 * as soon as it is sure to be one. With N permutations and k of them at least as large, the
 * full test's p is (k + 1) / (N + 1); once k + 1 >= alpha (N + 1) it can no longer fall below
 * alpha, so the test stops there (Besag & Clifford 1991's sequential p-value, h = k
 * exceedances in l permutations: p = h / l). The decision is the full test's. 0 or -ENOMEM. */
static int permutation_p(struct search *s, const struct cp_opts *o, double observed, double *p)
{
    double at_least = observed - CP_TIE_SLACK * fabs(observed);
    double limit = o->alpha * ((double)o->permutations + 1);
    unsigned exceed = 0;
    for (unsigned l = 0; l < o->permutations; l++) {
        double q;
        int err = permuted_statistic(s, l, at_least, &q);
        if (err)
            return err;
        if (q < at_least)
            continue;
        exceed++;
        if ((double)exceed + 1 >= limit) {
            *p = (double)exceed / (l + 1);
            return 0;
        }
    }
    *p = ((double)exceed + 1) / ((double)o->permutations + 1);
    return 0;
}

static bool opts_valid(const struct cp_opts *o)
{
    return o->alpha > 0 && o->alpha < 1 && o->permutations > 0 &&
           o->alpha * ((double)o->permutations + 1) > 1 && o->min_segment >= 2;
}

/* A change found, in the order of finding. */
struct found_change {
    size_t index;
    double p;
};

static int compare_found_index(const void *a, const void *b)
{
    size_t x = ((const struct found_change *)a)->index, y = ((const struct found_change *)b)->index;
    return (x > y) - (x < y);
}

static double median_of(const double *x, size_t from, size_t to, double *scratch)
{
    memcpy(scratch, x + from, (to - from) * sizeof(*x));
    return stats_median_sort(scratch, to - from);
}

/* Bisects until the strongest candidate is not significant; found[] in the order found. */
static int search_run(struct search *s, const struct cp_opts *o, struct found_change *found,
                      size_t *n_found)
{
    s->segs[0] = (struct segment){.start = 0, .end = s->n};
    s->n_segs = 1;
    segment_prepare(s, &s->segs[0]);
    *n_found = 0;
    for (;;) {
        size_t best = 0;
        for (size_t i = 1; i < s->n_segs; i++)
            if (s->segs[i].q > s->segs[best].q)
                best = i;
        struct segment cand = s->segs[best];
        if (!(cand.q > 0)) /* too short to split, or no sign of two levels */
            return 0;
        double p;
        int err = permutation_p(s, o, cand.q, &p);
        if (err || !(p < o->alpha))
            return err;
        found[(*n_found)++] = (struct found_change){cand.split, p};
        free(s->segs[best].draws); /* its draws, from this test */
        memmove(&s->segs[best + 2], &s->segs[best + 1], (s->n_segs - best - 1) * sizeof(*s->segs));
        s->n_segs++;
        s->segs[best] = (struct segment){.start = cand.start, .end = cand.split};
        s->segs[best + 1] = (struct segment){.start = cand.split, .end = cand.end};
        segment_prepare(s, &s->segs[best]);
        segment_prepare(s, &s->segs[best + 1]);
    }
}

/* Before/after medians and the change of each of the first `keep` found, sorted by index. */
static int describe(const double *x, size_t n, struct found_change *found, size_t n_found,
                    struct history_change *out, size_t keep)
{
    struct found_change *all = malloc(n_found * sizeof(*all));
    double *scratch = malloc(n * sizeof(*scratch));
    if (!all || !scratch) {
        free(all);
        free(scratch);
        return -ENOMEM;
    }
    memcpy(all, found, n_found * sizeof(*all));
    qsort(all, n_found, sizeof(*all), compare_found_index);
    qsort(found, keep, sizeof(*found), compare_found_index);
    size_t j = 0;
    for (size_t i = 0; i < keep; i++) {
        while (all[j].index != found[i].index)
            j++;
        size_t from = j ? all[j - 1].index : 0, to = j + 1 < n_found ? all[j + 1].index : n;
        double before = median_of(x, from, found[i].index, scratch);
        double after = median_of(x, found[i].index, to, scratch);
        out[i] = (struct history_change){
                .index = found[i].index,
                .before = before,
                .after = after,
                .change = before != 0 ? (after - before) / fabs(before) : NAN,
                .p_value = found[i].p,
        };
    }
    free(all);
    free(scratch);
    return 0;
}

static void search_free(struct search *s)
{
    free((void *)s->scaled);
    free(s->sorted);
    free(s->rank);
    free(s->shuffled);
    free(s->scratch);
    free(s->tree_count);
    free(s->tree_sum);
    free(s->within);
    free(s->prefix);
    free(s->values);
    free(s->left_mean);
    free(s->inv);
    free(s->inv_less_one);
    for (size_t i = 0; s->segs && i < s->n_segs; i++)
        free(s->segs[i].draws);
    free(s->segs);
}

/* The series mapped onto [0, 1], and *half_range = (max - min) / 2 (halved first, so that it
 * cannot overflow). NULL with *half_range 0 when the values are all equal (or differ by less
 * than a double can halve), NULL alone on ENOMEM. */
static double *rescaled(const double *x, size_t n, double *half_range)
{
    double lo = x[0], hi = x[0];
    for (size_t i = 1; i < n; i++) {
        lo = fmin(lo, x[i]);
        hi = fmax(hi, x[i]);
    }
    *half_range = hi / 2 - lo / 2;
    if (*half_range == 0)
        return NULL;
    double *y = malloc(n * sizeof(*y));
    if (y)
        for (size_t i = 0; i < n; i++)
            y[i] = (x[i] / 2 - lo / 2) / *half_range;
    return y;
}

/* The working arrays for a series of n points (s->scaled already set). 0 or -ENOMEM. */
static int search_alloc(struct search *s, size_t n, size_t min_segment)
{
    s->n = n;
    s->min_segment = min_segment;
    s->sorted = malloc(n * sizeof(*s->sorted));
    s->rank = malloc(n * sizeof(*s->rank));
    s->shuffled = malloc(n * sizeof(*s->shuffled));
    s->scratch = malloc(n * sizeof(*s->scratch));
    s->tree_count = malloc((n + 1) * sizeof(*s->tree_count));
    s->tree_sum = malloc((n + 1) * sizeof(*s->tree_sum));
    s->within = malloc((n + 1) * sizeof(*s->within));
    s->prefix = malloc((n + 1) * sizeof(*s->prefix));
    s->values = malloc(n * sizeof(*s->values));
    s->left_mean = malloc(n * sizeof(*s->left_mean));
    s->inv = malloc((n + 1) * sizeof(*s->inv));
    s->inv_less_one = malloc((n + 1) * sizeof(*s->inv_less_one));
    s->segs = malloc((n / min_segment + 1) * sizeof(*s->segs));
    if (!s->scaled || !s->sorted || !s->rank || !s->shuffled || !s->scratch || !s->tree_count ||
        !s->tree_sum || !s->within || !s->prefix || !s->values || !s->left_mean || !s->inv ||
        !s->inv_less_one || !s->segs)
        return -ENOMEM;
    s->inv[0] = s->inv_less_one[0] = s->inv_less_one[1] = 0; /* never used */
    for (size_t i = 1; i <= n; i++) {
        s->inv[i] = 1 / (double)i;
        if (i >= 2)
            s->inv_less_one[i] = 1 / (double)(i - 1);
    }
    return 0;
}

static bool all_finite(const double *x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return false;
    return true;
}

int change_points_find(const double *x, size_t n, const struct cp_opts *o,
                       struct history_change *out, size_t max, size_t *found)
{
    struct cp_opts defaults;
    if (!o) {
        cp_opts_default(&defaults);
        o = &defaults;
    }
    if (!found || (max && !out) || (n && !x) || !opts_valid(o) || n > UINT32_MAX)
        return -EINVAL;
    *found = 0;
    if (!all_finite(x, n))
        return -EINVAL;
    if (n < 2 * o->min_segment)
        return 0;
    double half_range;
    struct search s = {.rng = o->seed, .permutations = o->permutations};
    s.scaled = rescaled(x, n, &half_range);
    if (half_range == 0)
        return 0;
    struct found_change *changes = malloc((n / o->min_segment + 1) * sizeof(*changes));
    int err = search_alloc(&s, n, o->min_segment);
    if (!err && !changes)
        err = -ENOMEM;
    if (!err) {
        size_t n_found;
        err = search_run(&s, o, changes, &n_found);
        if (!err && n_found)
            err = describe(x, n, changes, n_found, out, n_found < max ? n_found : max);
        if (!err)
            *found = n_found;
    }
    free(changes);
    search_free(&s);
    return err;
}

double change_points_statistic(const double *x, size_t n, size_t min_segment, size_t *split)
{
    if (!x || !split || min_segment < 2 || n < 2 * min_segment || n > UINT32_MAX ||
        !all_finite(x, n))
        return NAN;
    double half_range;
    struct search s = {0};
    s.scaled = rescaled(x, n, &half_range);
    if (half_range == 0)
        return 0;
    double q = NAN;
    if (!search_alloc(&s, n, min_segment)) {
        s.segs[0] = (struct segment){.start = 0, .end = n};
        segment_prepare(&s, &s.segs[0]);
        *split = s.segs[0].split;
        /* Distances, and so Q, shrank by max - min when the series was mapped onto [0, 1]. */
        q = s.segs[0].q * 2 * half_range;
    }
    search_free(&s);
    return q;
}

/* Appends the finite samples of points[from..to) to pool; counts the runs that had any. */
static size_t pool_samples(const struct history_point *points, size_t from, size_t to, double *pool,
                           size_t *runs)
{
    size_t n = 0;
    *runs = 0;
    for (size_t i = from; i < to; i++) {
        size_t before = n;
        for (size_t j = 0; points[i].samples && j < points[i].n_samples; j++)
            if (isfinite(points[i].samples[j]))
                pool[n++] = points[i].samples[j];
        *runs += n > before;
    }
    return n;
}

static size_t samples_in(const struct history_point *points, size_t from, size_t to)
{
    size_t n = 0;
    for (size_t i = from; i < to; i++)
        n += points[i].samples ? points[i].n_samples : 0;
    return n;
}

int change_points_confirm(const struct history_point *points, size_t n,
                          const struct history_change *changes, size_t n_changes, size_t which,
                          size_t window, double alpha, struct cp_confirmation *out)
{
    if (!points || !changes || !out || which >= n_changes || !window || !(alpha > 0) ||
        !(alpha < 1))
        return -EINVAL;
    size_t at = changes[which].index;
    size_t lo = which ? changes[which - 1].index : 0;
    size_t hi = which + 1 < n_changes ? changes[which + 1].index : n;
    if (at == 0 || at >= n || lo >= at || hi <= at || hi > n)
        return -EINVAL;
    size_t from = at - lo > window ? at - window : lo, to = hi - at > window ? at + window : hi;
    *out = (struct cp_confirmation){.p_value = NAN};
    size_t room_before = samples_in(points, from, at), room_after = samples_in(points, at, to);
    double *before = malloc((room_before ? room_before : 1) * sizeof(*before));
    double *after = malloc((room_after ? room_after : 1) * sizeof(*after));
    if (!before || !after) {
        free(before);
        free(after);
        return -ENOMEM;
    }
    out->samples_before = pool_samples(points, from, at, before, &out->runs_before);
    out->samples_after = pool_samples(points, at, to, after, &out->runs_after);
    int err = 0;
    if (out->samples_before && out->samples_after) {
        struct mw_result r;
        err = mann_whitney(before, out->samples_before, after, out->samples_after, &r);
        if (!err) {
            /* U counts the pairs where the before sample is the larger: below half of the
             * pairs, the samples moved up. */
            double half = (double)out->samples_before * (double)out->samples_after / 2;
            bool samples_up = r.u<half, medians_up = changes[which].after> changes[which].before;
            out->tested = true;
            out->p_value = r.p;
            out->confirmed = r.p < alpha && r.u != half && samples_up == medians_up;
        }
    }
    free(before);
    free(after);
    return err;
}
