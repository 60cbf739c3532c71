/* bench/analysis/mann_whitney.h - the Mann-Whitney U (Wilcoxon rank-sum) test on two sets of
 * samples.
 *
 * `compare` asks whether two runs' raw repetitions come from the same distribution before it
 * calls a change real. Rank based, so it holds for the skewed, outlier-prone timings benchmarks
 * produce; the p-values are those of R's wilcox.test(x, y) with its defaults.
 */
#ifndef DMABENCH_MANN_WHITNEY_H
#define DMABENCH_MANN_WHITNEY_H

#include <stdbool.h>
#include <stddef.h>

/* Both samples below this size and no ties: the exact distribution of U (as R). */
#define MW_EXACT_MAX 50

enum mw_method {
    MW_EXACT,  /* exact permutation distribution of U */
    MW_NORMAL, /* normal approximation, tie-corrected variance, continuity correction */
};

struct mw_result {
    double u; /* R's W: pairs (x_i, y_j) with x_i > y_j, ties counted 1/2 */
    double p; /* two-sided p-value */
    enum mw_method method;
    bool ties; /* some value occurs more than once among all the samples */
};

/* Test x[0..nx) against y[0..ny) (neither modified). 0, -EINVAL when a side is empty or a
 * sample is not finite, or -ENOMEM. All samples equal gives p = 1: nothing tells them apart
 * (R gives NaN there). */
int mann_whitney(const double *x, size_t nx, const double *y, size_t ny, struct mw_result *out);

/* P(U <= u) under the null hypothesis for sample sizes nx and ny (exact; nx * ny at most
 * MW_EXACT_MAX^2), as R's pwilcox(u, nx, ny). NAN when the sizes are 0 or too large, or on
 * ENOMEM. */
double mann_whitney_exact_cdf(double u, size_t nx, size_t ny);

/* The smallest two-sided p-value the exact test can give with these sample sizes: with 3 and
 * 3 samples it is 0.1, so no change is ever significant at 0.05. */
double mann_whitney_min_p(size_t nx, size_t ny);

#endif
