/* workloads/pointer_chase.c - load-to-use latency: a random cyclic pointer chase.
 *
 * Every cache line of the buffer points to the next line of one random cycle through all of
 * them, so each load depends on the one before, every line is visited once per lap, and no
 * stride prefetcher can guess the next address: time / steps is the latency of one load.
 * A benchmark walks the cycle in segments, each resuming where the last one stopped (struct
 * chase), so that beyond the cache no segment reloads a line another loaded less than a lap ago.
 */
#include <errno.h>
#include <stdint.h>

#include "cpu_kernels.h"

/* xorshift64* (Vigna): small, fast, and good enough to defeat prefetchers; state never 0. */
static uint64_t xorshift64s(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545f4914f6cdd1dull;
}

/* Uniform in [0, bound) by multiply-shift (Lemire); the bias, bound / 2^64, is negligible.
 * 32-bit targets have no 128-bit product, and their bound fits 32 bits. */
static size_t random_below(uint64_t *state, size_t bound)
{
#ifdef __SIZEOF_INT128__
    return (size_t)(((unsigned __int128)xorshift64s(state) * bound) >> 64);
#else
    return (size_t)(((xorshift64s(state) >> 32) * (uint64_t)bound) >> 32);
#endif
}

void **chase_build(void *buf, size_t bytes, size_t line, uint64_t seed)
{
    if (!buf || line < sizeof(void *) || (line & (line - 1)) != 0)
        return NULL;
    size_t n = bytes / line;
    if (n == 0)
        return NULL;
    char *base = buf;
#define CHASE_SLOT(i) ((void **)(base + (i)*line))

    /* Sattolo's algorithm on the slots themselves: start from the identity (every line points
     * to itself), then swap each slot with a random earlier one. Swapping only with strictly
     * earlier slots is what makes the result one cycle through all n lines, not several. */
    for (size_t i = 0; i < n; i++)
        *CHASE_SLOT(i) = CHASE_SLOT(i);
    uint64_t state = seed ? seed : 0x9e3779b97f4a7c15ull;
    for (size_t i = n - 1; i > 0; i--) {
        size_t j = random_below(&state, i);
        void *tmp = *CHASE_SLOT(i);
        *CHASE_SLOT(i) = *CHASE_SLOT(j);
        *CHASE_SLOT(j) = tmp;
    }
    return CHASE_SLOT(0);
#undef CHASE_SLOT
}

void **chase_run(void **start, uint64_t steps)
{
    void **p = start;
    /* Unrolled so that the loop counter costs nothing beside the dependent loads. */
    for (; steps >= 8; steps -= 8) {
        p = (void **)*p;
        p = (void **)*p;
        p = (void **)*p;
        p = (void **)*p;
        p = (void **)*p;
        p = (void **)*p;
        p = (void **)*p;
        p = (void **)*p;
    }
    for (; steps; steps--)
        p = (void **)*p;
    return p;
}

int chase_init(struct chase *c, void *buf, size_t bytes, size_t line, uint64_t seed)
{
    c->at = chase_build(buf, bytes, line, seed);
    c->lap = c->at ? bytes / line : 0;
    return c->at ? 0 : -EINVAL;
}

void **chase_walk(struct chase *c, uint64_t steps)
{
    c->at = chase_run(c->at, steps);
    return c->at;
}

uint64_t chase_warmup_steps(uint64_t lap, uint64_t cache_lines)
{
    if (cache_lines == 0 || cache_lines >= lap / 2)
        return lap;
    return 2 * cache_lines;
}
