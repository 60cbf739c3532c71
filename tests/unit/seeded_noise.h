/* tests/unit/seeded_noise.h - deterministic noise for tests and benchmarks: uniform and Gaussian
 * draws from a xorshift64 state, so that a seeded series is the same on every run and machine
 * (libm's log and cos aside). Header only: tests/unit/test_change_points.c and
 * tests/perf/change_points_bench.c include it.
 */
#ifndef DMABENCH_SEEDED_NOISE_H
#define DMABENCH_SEEDED_NOISE_H

#include <math.h>
#include <stdint.h>

/* Uniform in (0, 1); *state must not be 0. */
static inline double noise_uniform(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *state = x;
    return ((double)(x >> 11) + 0.5) / 9007199254740992.0;
}

/* Standard normal, by Box-Muller (one of the pair). */
static inline double noise_gaussian(uint64_t *state)
{
    double u = noise_uniform(state), v = noise_uniform(state);
    return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

#endif
