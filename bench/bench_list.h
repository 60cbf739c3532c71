/* bench/bench_list.h - the one list of every benchmark, in the order `dmabench run` runs them.
 *
 * An X-macro list (as heaps/heap_backends.h): each entry NAME is a benchmark defined in
 * bench/bench_NAME.c as `const struct bench_def bench_NAME`, whose rows say NAME in results.csv's
 * bench column. It needs nothing else, so the post-run tools, which read result sets and must
 * not pull in the harness, name a benchmark's rows through it (BENCH_cpu) rather than by hand.
 */
#ifndef DMABENCH_BENCH_LIST_H
#define DMABENCH_BENCH_LIST_H

#include <stdbool.h>
#include <string.h>

#define BENCHES(X)                                                                                 \
    X(alloc)                                                                                       \
    X(cpu)                                                                                         \
    X(sync)                                                                                        \
    X(coherency)                                                                                   \
    X(pipeline)

/* A benchmark of the list; BENCH_NONE is none of them (a query over every benchmark's rows). */
enum bench_id {
    BENCH_NONE,
#define BENCH_LIST_ID(name) BENCH_##name,
    BENCHES(BENCH_LIST_ID)
#undef BENCH_LIST_ID
            N_BENCH_IDS
};

/* The benchmark's name, as the bench column and `dmabench run NAME` spell it; "" for none. */
static inline const char *bench_name(enum bench_id id)
{
    static const char *const names[N_BENCH_IDS] = {[BENCH_NONE] = "",
#define BENCH_LIST_NAME(name) [BENCH_##name] = #name,
                                                   BENCHES(BENCH_LIST_NAME)
#undef BENCH_LIST_NAME
    };
    return id < N_BENCH_IDS ? names[id] : "";
}

/* The benchmark a bench column (or a job's bench key) names, or BENCH_NONE. */
static inline enum bench_id bench_id_of(const char *name)
{
    for (int id = BENCH_NONE + 1; id < N_BENCH_IDS; id++)
        if (!strcmp(bench_name((enum bench_id)id), name))
            return (enum bench_id)id;
    return BENCH_NONE;
}

/* Whether a row's bench column (or a case's job) is this benchmark's. */
static inline bool bench_is(const char *name, enum bench_id id)
{
    return id != BENCH_NONE && !strcmp(name, bench_name(id));
}

#endif
