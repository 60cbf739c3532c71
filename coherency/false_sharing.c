/* coherency/false_sharing.c - two threads incrementing their own counters, timed per thread.
 *
 * Each increment is an atomic read-modify-write (relaxed: no ordering, only the line), as
 * statistics counters and reference counts are: it needs the line to itself every time. Plain
 * stores would hide most of the cost, because a core's store buffer commits a burst of them
 * each time the line comes back. Each thread times itself from the common start, and the
 * result is the mean of the two.
 */
#include "false_sharing.h"

#include <stdatomic.h>
#include <string.h>

#include "timing.h"

struct fs_run {
    _Atomic uint64_t *counter[2];
    uint64_t increments;
    uint64_t ticks[2];
};

static void increment(void *arg, unsigned side)
{
    struct fs_run *r = arg;
    _Atomic uint64_t *c = r->counter[side];
    uint64_t start = timing_now();
    for (uint64_t i = 0; i < r->increments; i++)
        atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
    r->ticks[side] = timing_now() - start;
}

int false_sharing_measure(void *mem, size_t line, bool shared, const struct thread_pair *pair,
                          uint64_t increments, double *ns_per_increment)
{
    timing_init();
    memset(mem, 0, false_sharing_bytes(line));
    unsigned char *base = mem;
    struct fs_run r = {.increments = increments ? increments : 1};
    r.counter[0] = (_Atomic uint64_t *)base;
    r.counter[1] =
            (_Atomic uint64_t *)(base + (shared ? sizeof(uint64_t) : line * FALSE_SHARING_APART));
    int ret = thread_pair_run(pair, increment, &r);
    if (ret)
        return ret;
    double ns = timing_ticks_to_ns(r.ticks[0]) + timing_ticks_to_ns(r.ticks[1]);
    *ns_per_increment = ns / 2 / (double)r.increments;
    return 0;
}
