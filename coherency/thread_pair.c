/* coherency/thread_pair.c - start two bound threads together, join them, report bind errors.
 *
 * The start is a spin on an atomic counter rather than a pthread barrier: neither thread
 * sleeps in the kernel, so both leave it at nearly the same moment, and a failed
 * pthread_create releases the thread that did start instead of leaving it waiting forever.
 */
#include "thread_pair.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>

struct pair_run {
    const struct thread_pair *pair;
    void (*body)(void *arg, unsigned side);
    void *arg;
    atomic_int arrived;   /* threads bound (or failed to) */
    atomic_bool abandon;  /* the second thread could not be created */
    atomic_int first_err; /* the first bind error, 0 if none */
};

struct pair_thread {
    struct pair_run *run;
    unsigned side;
};

static void *pair_main(void *opaque)
{
    struct pair_thread *t = opaque;
    struct pair_run *run = t->run;
    int err = run->pair->bind ? run->pair->bind(run->pair->ctx, t->side) : 0;
    if (err) {
        int none = 0;
        atomic_compare_exchange_strong(&run->first_err, &none, err);
    }
    atomic_fetch_add(&run->arrived, 1);
    while (atomic_load(&run->arrived) < 2 && !atomic_load(&run->abandon))
        sched_yield();
    if (!atomic_load(&run->abandon) && !atomic_load(&run->first_err)) {
        if (run->pair->enter)
            run->pair->enter(run->pair->ctx, t->side);
        run->body(run->arg, t->side);
        if (run->pair->leave)
            run->pair->leave(run->pair->ctx, t->side);
    }
    return NULL;
}

int thread_pair_run(const struct thread_pair *pair, void (*body)(void *arg, unsigned side),
                    void *arg)
{
    struct pair_run run = {.pair = pair, .body = body, .arg = arg};
    atomic_init(&run.arrived, 0);
    atomic_init(&run.abandon, false);
    atomic_init(&run.first_err, 0);
    struct pair_thread threads[2] = {{&run, 0}, {&run, 1}};
    pthread_t ids[2];
    int err = pthread_create(&ids[0], NULL, pair_main, &threads[0]);
    if (err)
        return -err;
    err = pthread_create(&ids[1], NULL, pair_main, &threads[1]);
    if (err)
        atomic_store(&run.abandon, true);
    pthread_join(ids[0], NULL);
    if (err)
        return -err;
    pthread_join(ids[1], NULL);
    return atomic_load(&run.first_err);
}
