/* bench/thread_team.c - N pinned, counted OpenMP threads started together by a barrier.
 *
 * Thread 0 reads the clock as the first barrier releases everyone and again once the last
 * thread has reached the second one, so the round's time is the slowest thread's.
 */
#include "thread_team.h"

#include <omp.h>

#include "counters.h"
#include "pinning.h"
#include "timing.h"

double thread_team_run(const struct bench_env *env, unsigned n, thread_team_work work, void *ctx,
                       uint64_t *sum)
{
    uint64_t t0 = 0, t1 = 0, total = 0;
#pragma omp parallel num_threads(n) reduction(+ : total)
    {
        unsigned t = (unsigned)omp_get_thread_num();
        struct counter_thread ct;
        pinning_bind_thread(env->pins, t);
        counter_thread_open(&ct, env->counters);
        counter_thread_start(&ct);
#pragma omp barrier
#pragma omp master
        t0 = timing_now();
        total += work(ctx, t, &ct);
#pragma omp barrier
#pragma omp master
        t1 = timing_now();
        counter_thread_stop(&ct, env->totals);
        counter_thread_close(&ct);
    }
    if (sum)
        *sum = total;
    return timing_ticks_to_ns(t1 - t0);
}

void thread_team_barrier(void)
{
#pragma omp barrier
}
