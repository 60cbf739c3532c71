/* coherency/thread_pair.h - two threads, each bound to its own CPU, started together.
 *
 * The core-to-core, false-sharing and fence probes all need one thread at each end of a
 * transfer. Binding is the caller's (the harness knows the CPUs and binds through hwloc), so
 * this file only starts the pair, holds both until both are bound, and joins them.
 */
#ifndef DMABENCH_THREAD_PAIR_H
#define DMABENCH_THREAD_PAIR_H

struct thread_pair {
    /* Bind the calling thread to end 0 or 1 of the pair. 0 or -errno. */
    int (*bind)(void *ctx, unsigned side);
    /* Optional: run on each thread right before its body and right after it, only when the
     * bodies run. The work is on these threads, so whoever counts it (the harness's event
     * counters) has to start and stop here; slow preparation belongs in bind, which runs
     * before the threads wait for each other. */
    void (*enter)(void *ctx, unsigned side);
    void (*leave)(void *ctx, unsigned side);
    void *ctx;
};

/* Run body(arg, 0) and body(arg, 1) on two new threads, each bound first; the bodies start
 * together once both threads are bound, and neither starts if a bind failed. Returns 0, the
 * first bind's -errno, or pthread_create's. */
int thread_pair_run(const struct thread_pair *pair, void (*body)(void *arg, unsigned side),
                    void *arg);

#endif
