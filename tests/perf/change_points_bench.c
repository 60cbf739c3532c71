/* tests/perf/change_points_bench.c - how long change_points_find takes on series the size CI
 * history gives: 1,000 series of 1,000 runs and 1,000 series of 30, without a change, with one
 * step, and with three, in 3% Gaussian noise. Prints one line per shape: the CPU time in all and
 * per series, on one core. Not a test: the figures depend on the machine (docs/change-points.md has
 * them).
 *
 *   make change-points-bench        (builds build/native/tests/change_points_bench, runs it)
 *   build/native/tests/change_points_bench [SERIES]      (1,000 series of each shape)
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "change_points.h"
#include "../unit/seeded_noise.h"

/* steps level changes of +10%, -8%, +6% (in turn) at evenly spread runs, 3% noise. */
static void make_series(double *x, size_t n, unsigned steps, uint64_t seed)
{
    uint64_t state = seed * 0x9e3779b97f4a7c15ULL + 1;
    static const double factor[] = {1.10, 0.92, 1.06};
    double level = 100;
    unsigned next = 0;
    for (size_t i = 0; i < n; i++) {
        if (next < steps && i == (next + 1) * n / (steps + 1))
            level *= factor[next++ % 3];
        x[i] = level * (1 + 0.03 * noise_gaussian(&state));
    }
}

/* CPU time of this process: on a shared machine, wall time also counts the neighbours. */
static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int bench(size_t series, size_t n, unsigned steps)
{
    double *x = malloc(n * sizeof(*x));
    struct history_change out[16];
    if (!x)
        return 1;
    size_t total_found = 0;
    double spent = 0;
    for (size_t s = 0; s < series; s++) {
        make_series(x, n, steps, s + 1);
        size_t found;
        double t0 = now_s();
        int err = change_points_find(x, n, NULL, out, 16, &found);
        spent += now_s() - t0;
        if (err) {
            fprintf(stderr, "change_points_find: error %d\n", err);
            free(x);
            return 1;
        }
        total_found += found;
    }
    printf("%5zu series of %4zu points, %u step%s: %8.3f s CPU, %8.3f ms a series, %.2f change "
           "points a series\n",
           series, n, steps, steps == 1 ? " " : "s", spent, spent * 1e3 / (double)series,
           (double)total_found / (double)series);
    free(x);
    return 0;
}

int main(int argc, char **argv)
{
    static const size_t lengths[] = {30, 1000};
    size_t series = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000;
    if (!series) {
        fprintf(stderr, "usage: change_points_bench [SERIES]   (1000 by default)\n");
        return 2;
    }
    for (size_t l = 0; l < 2; l++)
        for (unsigned steps = 0; steps <= 3; steps += steps ? 2 : 1)
            if (bench(series, lengths[l], steps))
                return 1;
    return 0;
}
