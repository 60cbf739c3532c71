/* tests/perf/lanes_duel.c - one CPU kernel built several ways, timed pass by pass in one process.
 *
 * How a kernel's loop is built (CK_STREAMS lanes, CK_PREFETCH_AHEAD, CK_COPY_PREFETCH) changes
 * its bandwidth by a few percent, less than a shared machine drifts between two runs. So
 * tests/perf/lanes_duel.sh compiles the architecture's kernel file once per set of flags, each
 * copy's table renamed (LANES_VARIANT in the header it generates), and links them all here: the
 * passes of every build alternate over the same buffers in a rotating order, and each build's
 * ratio to the default build is taken round by round. Not part of make check.
 *
 *   lanes_duel [--kernel copy:nt] [--size 256M] [--rounds 40]
 * prints, per build, the median and best bandwidth (GB/s, 1e9 bytes/s, bytes counted once as in
 * dmabench) and the median ratio to the default build (> 1: faster). The kernel is the one
 * dispatch picks in the default build; the other builds run their copy of the same width.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "cpu_kernels.h"
#include "cpu_kernels_impl.h"
#include "size_units.h"
#include "stats.h"

#define MAX_BUILDS 16
#define MAX_ROUNDS 1000

/* The renamed tables: LANES_VARIANT(name, "flags") for each, from the generated header. */
#define LANES_VARIANT(name, flags)                                                                 \
    extern const struct cpu_kernel_variant name##_variants[];                                      \
    extern const size_t name##_count;
#include LANES_VARIANTS_H
#undef LANES_VARIANT

struct build {
    const char *flags;
    const struct cpu_kernel_variant *table;
    size_t count;
    cpu_kernel_fn fn;
    double seconds[MAX_ROUNDS];
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Another build's copy of the kernel dispatch chose: same operation, implementation and width. */
static cpu_kernel_fn same_kernel(const struct cpu_kernel_variant *table, size_t count,
                                 const struct cpu_kernel *chosen)
{
    for (size_t i = 0; i < count; i++) {
        const struct cpu_kernel *k = &table[i].kernel;
        if (k->op == chosen->op && k->impl == chosen->impl && !strcmp(k->isa, chosen->isa))
            return k->fn;
    }
    return NULL;
}

int main(int argc, char **argv)
{
    const char *kernel = "copy:nt";
    size_t size = 256u << 20;
    int rounds = 40, bad = (argc - 1) % 2;
    for (int i = 1; i + 1 < argc && !bad; i += 2) {
        if (strcmp(argv[i], "--kernel") == 0)
            kernel = argv[i + 1];
        else if (strcmp(argv[i], "--size") == 0)
            bad = size_parse(argv[i + 1], &size) != 0;
        else if (strcmp(argv[i], "--rounds") == 0)
            rounds = atoi(argv[i + 1]);
        else
            bad = 1;
    }
    if (bad || rounds < 6 || rounds > MAX_ROUNDS || size < 4096) {
        fprintf(stderr, "usage: lanes_duel [--kernel OP:IMPL] [--size 256M] [--rounds 6..%d]\n",
                MAX_ROUNDS);
        return 2;
    }
    enum cpu_op op;
    enum cpu_impl impl;
    const char *why = "unknown kernel";
    const struct cpu_kernel *chosen = NULL;
    if (cpu_kernel_parse(kernel, &op, &impl) == 0)
        chosen = cpu_kernel_find(op, impl, &why);
    if (!chosen) {
        fprintf(stderr, "lanes_duel: %s: %s\n", kernel, why);
        return 1;
    }

    static struct build builds[MAX_BUILDS];
    int n = 0;
    builds[n++] = (struct build){.flags = "(default)", .fn = chosen->fn};
#define LANES_VARIANT(name, flags_text)                                                            \
    if (n < MAX_BUILDS)                                                                            \
        builds[n++] = (struct build){                                                              \
                .flags = flags_text, .table = name##_variants, .count = name##_count};
#include LANES_VARIANTS_H
#undef LANES_VARIANT
    for (int b = 1; b < n; b++) {
        builds[b].fn = same_kernel(builds[b].table, builds[b].count, chosen);
        if (!builds[b].fn) {
            fprintf(stderr, "lanes_duel: %s (%s) is not a SIMD kernel: the builds do not differ\n",
                    kernel, chosen->name);
            return 1;
        }
    }

    unsigned char *src = mmap(NULL, size, PROT_READ | PROT_WRITE,
                              MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    unsigned char *dst = mmap(NULL, size, PROT_READ | PROT_WRITE,
                              MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (src == MAP_FAILED || dst == MAP_FAILED) {
        perror("lanes_duel: mmap");
        return 1;
    }
    memset(src, 0x5a, size);
    memset(dst, 0, size);
    volatile uint64_t sink = 0;
    for (int r = 0; r < rounds; r++)
        for (int j = 0; j < n; j++) { /* a rotating order: no build always goes first */
            struct build *b = &builds[(j + r) % n];
            double t0 = now_s();
            sink += b->fn(dst, src, size);
            b->seconds[r] = now_s() - t0;
        }

    printf("%s, %zu bytes, %d rounds (GB/s = 1e9 bytes/s)\n", kernel, size, rounds);
    static double ratio[MAX_ROUNDS];
    for (int b = 0; b < n; b++) {
        for (int r = 0; r < rounds; r++)
            ratio[r] = builds[0].seconds[r] / builds[b].seconds[r];
        struct stats_summary t, q;
        if (stats_summarize(builds[b].seconds, (size_t)rounds, &t) ||
            stats_summarize(ratio, (size_t)rounds, &q)) {
            fprintf(stderr, "lanes_duel: %s: a pass took no measurable time\n", builds[b].flags);
            return 1;
        }
        printf("%-40s median %6.2f GB/s  best %6.2f GB/s  vs default %.3f\n", builds[b].flags,
               (double)size / t.median / 1e9, (double)size / t.min / 1e9, q.median);
    }
    return 0;
}
