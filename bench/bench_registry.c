/* bench/bench_registry.c - finds benchmarks of the list (bench/bench_list.h) by name.
 *
 * Adding a benchmark is one line in BENCHES and one bench/bench_NAME.c with its ops table.
 */
#include <string.h>

#include "bench.h"

static const struct bench_def *const all_benches[] = {
#define BENCH_ENTRY(name) &bench_##name,
        BENCHES(BENCH_ENTRY)
#undef BENCH_ENTRY
};

size_t bench_count(void)
{
    return sizeof(all_benches) / sizeof(all_benches[0]);
}

const struct bench_def *bench_at(size_t i)
{
    return i < bench_count() ? all_benches[i] : NULL;
}

const struct bench_def *bench_find(const char *name)
{
    for (size_t i = 0; i < bench_count(); i++)
        if (!strcmp(all_benches[i]->name, name))
            return all_benches[i];
    return NULL;
}

const char *bench_verdict(const struct bench_case *c, const char *metric, bool ok,
                          const struct stats_summary *stats)
{
    const struct bench_def *b = bench_find(c->job->bench);
    const char *verdict = ok && b && b->verdict ? b->verdict(c, metric, stats) : NULL;
    return verdict ? verdict : "";
}
