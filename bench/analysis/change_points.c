/* bench/analysis/change_points.c - PLACEHOLDER on branch i14-history only (see
 * change_points.h): the biggest split of median levels, by binary segmentation, kept when a
 * seeded permutation test says p < alpha, and a Mann-Whitney test of the samples either side.
 * Not the documented method; i14-cp's replaces it.
 */
#include "change_points.h"

#include "mann_whitney.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void cp_opts_default(struct cp_opts *o)
{
    *o = (struct cp_opts){.alpha = 0.01, .permutations = 199, .seed = 1, .min_segment = 3};
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median_of(const double *x, size_t n, double *tmp)
{
    memcpy(tmp, x, n * sizeof(*x));
    qsort(tmp, n, sizeof(*tmp), cmp_double);
    return n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
}

/* The split of x[0..n) with the largest mean difference scaled by sqrt(k(n-k)/n). */
static double best_split(const double *x, size_t n, size_t min_seg, size_t *at)
{
    double total = 0, left = 0, best = -1;
    for (size_t i = 0; i < n; i++)
        total += x[i];
    for (size_t k = 1; k < n; k++) {
        left += x[k - 1];
        if (k < min_seg || n - k < min_seg)
            continue;
        double d = fabs(left / k - (total - left) / (n - k)) * sqrt((double)k * (n - k) / n);
        if (d > best) {
            best = d;
            *at = k;
        }
    }
    return best;
}

static unsigned long long next_random(unsigned long long *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

struct segmenter {
    const struct cp_opts *o;
    const double *x;
    double *tmp, *perm;
    struct history_change *out;
    size_t max, found;
    unsigned long long rng;
};

static void segment(struct segmenter *s, size_t from, size_t to)
{
    size_t n = to - from, at = 0;
    if (n < 2 * s->o->min_segment || s->found >= s->max)
        return;
    double stat = best_split(s->x + from, n, s->o->min_segment, &at);
    if (stat <= 0)
        return;
    memcpy(s->perm, s->x + from, n * sizeof(double));
    unsigned ge = 0;
    for (unsigned p = 0; p < s->o->permutations; p++) {
        for (size_t i = n - 1; i > 0; i--) {
            size_t j = next_random(&s->rng) % (i + 1);
            double t = s->perm[i];
            s->perm[i] = s->perm[j];
            s->perm[j] = t;
        }
        size_t dummy;
        if (best_split(s->perm, n, s->o->min_segment, &dummy) >= stat)
            ge++;
    }
    double p = (ge + 1.0) / (s->o->permutations + 1.0);
    if (p >= s->o->alpha)
        return;
    segment(s, from, from + at);
    if (s->found < s->max) {
        double before = median_of(s->x + from, at, s->tmp);
        double after = median_of(s->x + from + at, n - at, s->tmp);
        s->out[s->found++] = (struct history_change){.index = from + at,
                                                     .before = before,
                                                     .after = after,
                                                     .change = before ? after / before - 1 : NAN,
                                                     .p_value = p};
    }
    segment(s, from + at, to);
}

int change_points_find(const double *x, size_t n, const struct cp_opts *o,
                       struct history_change *out, size_t max, size_t *found)
{
    *found = 0;
    if (!x || !o || (max && !out))
        return -EINVAL;
    if (n < 2)
        return 0;
    struct segmenter s = {.o = o, .x = x, .out = out, .max = max, .rng = o->seed | 1};
    s.tmp = malloc(n * sizeof(double));
    s.perm = malloc(n * sizeof(double));
    if (!s.tmp || !s.perm) {
        free(s.tmp);
        free(s.perm);
        return -ENOMEM;
    }
    segment(&s, 0, n);
    free(s.tmp);
    free(s.perm);
    *found = s.found;
    return 0;
}

/* The samples of points[from, to) pooled into out (room for all). */
static size_t pool(const struct history_point *points, size_t from, size_t to, double *out)
{
    size_t n = 0;
    for (size_t i = from; i < to; i++)
        for (size_t j = 0; points[i].samples && j < points[i].n_samples; j++)
            out[n++] = points[i].samples[j];
    return n;
}

int change_points_confirm(const struct history_point *points, size_t n,
                          const struct history_change *changes, size_t n_changes, size_t which,
                          size_t window, double alpha, struct cp_confirmation *out)
{
    if (which >= n_changes || !window)
        return -EINVAL;
    size_t at = changes[which].index, lo = which ? changes[which - 1].index : 0;
    size_t hi = which + 1 < n_changes ? changes[which + 1].index : n;
    size_t from = at - lo > window ? at - window : lo, to = hi - at > window ? at + window : hi;
    size_t room = 0;
    for (size_t i = from; i < to; i++)
        room += points[i].samples ? points[i].n_samples : 0;
    double *before = malloc((room + 1) * sizeof(double)),
           *after = malloc((room + 1) * sizeof(double));
    int ret = before && after ? 0 : -ENOMEM;
    *out = (struct cp_confirmation){.p_value = NAN};
    if (!ret) {
        out->samples_before = pool(points, from, at, before);
        out->samples_after = pool(points, at, to, after);
    }
    struct mw_result r;
    if (!ret && out->samples_before && out->samples_after &&
        !(ret = mann_whitney(before, out->samples_before, after, out->samples_after, &r))) {
        double half = (double)out->samples_before * out->samples_after / 2;
        out->tested = true;
        out->p_value = r.p;
        out->confirmed =
                r.p < alpha && (r.u < half) == (changes[which].after > changes[which].before);
    }
    free(before);
    free(after);
    return ret;
}
