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
 * dmabench) and the median ratio to the default build (> 1: faster).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "cpu_kernels.h"
#include "cpu_kernels_impl.h"

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

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), compare_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The kernel a build has for op:impl, widest first as dispatch picks; AUTO takes the first plain
 * SIMD one. NULL when the build or this CPU has none. */
static cpu_kernel_fn find_in(const struct cpu_kernel_variant *table, size_t count, enum cpu_op op,
                             enum cpu_impl impl)
{
    for (size_t i = 0; i < count; i++) {
        const struct cpu_kernel_variant *v = &table[i];
        bool plain_simd = v->kernel.impl != CPU_IMPL_NT && v->kernel.impl != CPU_IMPL_NTLOAD;
        if (v->kernel.op == op && (impl == CPU_IMPL_AUTO ? plain_simd : v->kernel.impl == impl) &&
            cpu_kernel_variant_present(v))
            return v->kernel.fn;
    }
    return NULL;
}

static size_t parse_size(const char *text)
{
    char *end;
    unsigned long long v = strtoull(text, &end, 10);
    int shift = *end == 'K' ? 10 : *end == 'M' ? 20 : *end == 'G' ? 30 : 0;
    return (size_t)v << shift;
}

int main(int argc, char **argv)
{
    const char *kernel = "copy:nt";
    size_t size = 256u << 20;
    int rounds = 40;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--kernel") == 0)
            kernel = argv[i + 1];
        else if (strcmp(argv[i], "--size") == 0)
            size = parse_size(argv[i + 1]);
        else if (strcmp(argv[i], "--rounds") == 0)
            rounds = atoi(argv[i + 1]);
    }
    if ((argc - 1) % 2 || rounds < 1 || rounds > MAX_ROUNDS || size < 4096) {
        fprintf(stderr, "usage: lanes_duel [--kernel OP:IMPL] [--size 256M] [--rounds 1..%d]\n",
                MAX_ROUNDS);
        return 2;
    }
    enum cpu_op op;
    enum cpu_impl impl;
    if (cpu_kernel_parse(kernel, &op, &impl) != 0) {
        fprintf(stderr, "lanes_duel: unknown kernel %s\n", kernel);
        return 2;
    }

    static struct build builds[MAX_BUILDS];
    int n = 0;
    builds[n++] = (struct build){.flags = "(default)",
                                 .table = cpu_kernel_arch_variants,
                                 .count = cpu_kernel_arch_count};
#define LANES_VARIANT(name, flags_text)                                                            \
    if (n < MAX_BUILDS)                                                                            \
        builds[n++] = (struct build){                                                              \
                .flags = flags_text, .table = name##_variants, .count = name##_count};
#include LANES_VARIANTS_H
#undef LANES_VARIANT
    for (int b = 0; b < n; b++) {
        builds[b].fn = find_in(builds[b].table, builds[b].count, op, impl);
        if (!builds[b].fn) {
            fprintf(stderr, "lanes_duel: %s has no SIMD %s here\n", builds[b].flags, kernel);
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
    static double ratio[MAX_ROUNDS], copy[MAX_ROUNDS];
    for (int b = 0; b < n; b++) {
        for (int r = 0; r < rounds; r++)
            ratio[r] = builds[0].seconds[r] / builds[b].seconds[r];
        memcpy(copy, builds[b].seconds, sizeof(double) * (size_t)rounds);
        double med = median(copy, rounds), best = copy[0];
        printf("%-40s median %6.2f GB/s  best %6.2f GB/s  vs default %.3f\n", builds[b].flags,
               (double)size / med / 1e9, (double)size / best / 1e9, median(ratio, rounds));
    }
    return 0;
}
