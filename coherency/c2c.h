/* coherency/c2c.h - core-to-core latency: one cache line passed back and forth between CPUs.
 *
 * Two threads, each bound to its CPU, take turns writing a sequence number into one line and
 * spinning until the other has answered: every turn moves the line from one core's cache to
 * the other's, so the round-trip time over two is the one-way cache-line transfer latency.
 */
#ifndef DMABENCH_C2C_H
#define DMABENCH_C2C_H

#include <stdint.h>

#include "thread_pair.h"

/* Untimed round trips before the timed ones of each measurement (both threads warm), at
 * most as many as the timed ones: under emulation a round trip can take milliseconds. */
#define C2C_WARMUP_ROUND_TRIPS 1000

/* Every round trip c2c_measure(..., round_trips, ...) makes, the warm-up's included: what the
 * threads' own event counts are per. */
static inline uint64_t c2c_round_trips_made(uint64_t round_trips)
{
    uint64_t timed = round_trips ? round_trips : 1;
    return timed + (timed < C2C_WARMUP_ROUND_TRIPS ? timed : C2C_WARMUP_ROUND_TRIPS);
}

/* round_trips timed round trips over the line at line (aligned to a cache line, the line not
 * shared with anything else; it is overwritten), side 0 of pair starting each. *one_way_ns is
 * half the mean round trip. 0, or thread_pair_run's -errno. */
int c2c_measure(void *line, const struct thread_pair *pair, uint64_t round_trips,
                double *one_way_ns);

#endif
