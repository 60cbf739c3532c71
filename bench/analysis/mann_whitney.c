/* bench/analysis/mann_whitney.c - Mann-Whitney U: midranks, the exact null distribution, and the
 * normal approximation with tie and continuity corrections.
 *
 * The choice between exact and normal follows R's wilcox.test so that its p-values can be
 * checked against R's: exact below 50 samples a side when no value repeats, otherwise normal.
 * The normal tail comes from libm's erfc, accurate far into the tails where 1 - Phi(z) would
 * cancel; no statistics library is needed for one function.
 */
#include "mann_whitney.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

struct ranked {
    double value;
    bool from_x;
};

static int compare_ranked(const void *a, const void *b)
{
    double x = ((const struct ranked *)a)->value, y = ((const struct ranked *)b)->value;
    return (x > y) - (x < y);
}

/* Frequencies of U = 0 .. nx*ny over all C(nx+ny, nx) orderings, by the recurrence
 * f(u; m, n) = f(u - n; m - 1, n) + f(u; m, n - 1) (the largest value is an x, which beats all
 * n y's, or a y, which adds nothing). Only additions, so the counts stay exact up to 2^53 and
 * within rounding after. Row m of the table holds f(.; m, n) for the n reached so far. */
static double *u_frequencies(size_t nx, size_t ny)
{
    size_t width = nx * ny + 1;
    double *f = calloc((nx + 1) * width, sizeof(*f));
    if (!f)
        return NULL;
    for (size_t m = 0; m <= nx; m++)
        f[m * width] = 1; /* n = 0: U is 0 whatever m */
    for (size_t n = 1; n <= ny; n++)
        for (size_t m = 1; m <= nx; m++) /* row m - 1 already holds n */
            for (size_t u = m * n; u >= n; u--)
                f[m * width + u] += f[(m - 1) * width + u - n];
    return f;
}

double mann_whitney_exact_cdf(double u, size_t nx, size_t ny)
{
    if (!nx || !ny || nx * ny > (size_t)MW_EXACT_MAX * MW_EXACT_MAX || isnan(u))
        return NAN;
    if (u < 0)
        return 0;
    double *f = u_frequencies(nx, ny);
    if (!f)
        return NAN;
    const double *row = f + nx * (nx * ny + 1);
    double below = 0, total = 0;
    for (size_t k = 0; k <= nx * ny; k++) {
        total += row[k];
        if ((double)k <= u)
            below += row[k];
    }
    free(f);
    return below / total;
}

/* Two-sided exact p for an integer U: twice the smaller tail, each summed directly so that a
 * tiny tail is never 1 minus something. */
static int exact_p(double u, size_t nx, size_t ny, double *p)
{
    double *f = u_frequencies(nx, ny);
    if (!f)
        return -ENOMEM;
    const double *row = f + nx * (nx * ny + 1);
    double tail = 0, total = 0;
    bool upper = u > (double)(nx * ny) / 2;
    for (size_t k = 0; k <= nx * ny; k++) {
        total += row[k];
        if (upper ? (double)k >= u : (double)k <= u)
            tail += row[k];
    }
    free(f);
    *p = fmin(1, 2 * tail / total);
    return 0;
}

double mann_whitney_min_p(size_t nx, size_t ny)
{
    if (!nx || !ny)
        return 1;
    /* One ordering in C(nx+ny, nx) puts every y below every x; two tails. */
    double log_choose =
            lgamma((double)(nx + ny + 1)) - lgamma((double)(nx + 1)) - lgamma((double)(ny + 1));
    return fmin(1, 2 * exp(-log_choose));
}

int mann_whitney(const double *x, size_t nx, const double *y, size_t ny, struct mw_result *out)
{
    if (!nx || !ny)
        return -EINVAL;
    size_t n = nx + ny;
    struct ranked *all = malloc(n * sizeof(*all));
    if (!all)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        all[i] = i < nx ? (struct ranked){x[i], true} : (struct ranked){y[i - nx], false};
        if (!isfinite(all[i].value)) {
            free(all);
            return -EINVAL;
        }
    }
    qsort(all, n, sizeof(*all), compare_ranked);
    /* Midranks: a run of t equal values shares the mean of its ranks; sum t^3 - t for the
     * variance correction. */
    double rank_sum_x = 0, tie_term = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && all[j + 1].value == all[i].value)
            j++;
        double t = (double)(j - i + 1), mid = (double)(i + j) / 2 + 1;
        tie_term += t * t * t - t;
        for (size_t k = i; k <= j; k++)
            if (all[k].from_x)
                rank_sum_x += mid;
        i = j + 1;
    }
    free(all);

    double fx = (double)nx, fy = (double)ny, fn = (double)n;
    *out = (struct mw_result){.u = rank_sum_x - fx * (fx + 1) / 2, .ties = tie_term > 0};
    if (!out->ties && nx < MW_EXACT_MAX && ny < MW_EXACT_MAX) {
        out->method = MW_EXACT;
        return exact_p(out->u, nx, ny, &out->p);
    }
    out->method = MW_NORMAL;
    double sigma = sqrt(fx * fy / 12 * ((fn + 1) - tie_term / (fn * (fn - 1))));
    if (!(sigma > 0)) {
        out->p = 1; /* every sample is the same value */
        return 0;
    }
    double z = out->u - fx * fy / 2;
    z -= z > 0 ? 0.5 : z < 0 ? -0.5 : 0; /* continuity correction, towards the mean */
    out->p = fmin(1, erfc(fabs(z) / sigma / M_SQRT2));
    return 0;
}
