/* coherency/c2c.c - the ping-pong behind the core-to-core latency.
 *
 * Side 0 writes an odd number and waits for the next even one, side 1 answers; acquire and
 * release on the same word are all the ordering needed, and no pause instruction is used in
 * the spins, since it would add its own latency to every transfer.
 */
#include "c2c.h"

#include <stdatomic.h>

#include "timing.h"

struct c2c_run {
    _Atomic uint64_t *seq;
    uint64_t warmup, round_trips;
    uint64_t start, end; /* ticks, side 0 */
};

static void ping_pong(void *arg, unsigned side)
{
    struct c2c_run *r = arg;
    uint64_t total = r->warmup + r->round_trips;
    if (side == 0) {
        for (uint64_t i = 0; i < total; i++) {
            if (i == r->warmup)
                r->start = timing_now();
            atomic_store_explicit(r->seq, 2 * i + 1, memory_order_release);
            while (atomic_load_explicit(r->seq, memory_order_acquire) != 2 * i + 2)
                ;
        }
        r->end = timing_now();
    } else {
        for (uint64_t i = 0; i < total; i++) {
            while (atomic_load_explicit(r->seq, memory_order_acquire) != 2 * i + 1)
                ;
            atomic_store_explicit(r->seq, 2 * i + 2, memory_order_release);
        }
    }
}

int c2c_measure(void *line, const struct thread_pair *pair, uint64_t round_trips,
                double *one_way_ns)
{
    timing_init(); /* calibrates once; not inside the timed loop */
    struct c2c_run r = {.seq = line, .round_trips = round_trips ? round_trips : 1};
    r.warmup = c2c_round_trips_made(r.round_trips) - r.round_trips;
    atomic_store(r.seq, 0);
    int ret = thread_pair_run(pair, ping_pong, &r);
    if (ret)
        return ret;
    *one_way_ns = timing_ticks_to_ns(r.end - r.start) / (double)r.round_trips / 2;
    return 0;
}
