/* bench/thread_team.h - a benchmark's threads: N OpenMP threads, each pinned to its CPU of the
 * job (bench/measure/pinning.h) and counting its own events, released together by a barrier.
 *
 * The cpu benchmark's passes and alloc's concurrent batches both run through it, so every
 * benchmark's threads are pinned, counted and started the same way.
 */
#ifndef DMABENCH_THREAD_TEAM_H
#define DMABENCH_THREAD_TEAM_H

#include <stdint.h>

#include "bench.h"

/* Thread t's part of a round. ct is its counters, running: work may stop and restart them
 * around what it must not count (counter_thread_stop into env->totals, then _start). Returns a
 * value summed over the threads (a checksum), or 0. */
typedef uint64_t (*thread_team_work)(void *ctx, unsigned t, struct counter_thread *ct);

/* One round on n threads (1 <= n <= pinning_count(env->pins)): thread t binds itself to the
 * t-th CPU of env->pins, opens and starts its counters, waits at a barrier, runs work, waits at
 * a second barrier, and adds its counts into env->totals. Returns the ns between the two
 * barriers (thread 0's clock); *sum (NULL: not wanted) the work's returns summed. */
double thread_team_run(const struct bench_env *env, unsigned n, thread_team_work work, void *ctx,
                       uint64_t *sum);
/* Inside work: wait until every thread of the round has come here. Every thread must call it
 * the same number of times, a thread whose work failed included. */
void thread_team_barrier(void);

#endif
