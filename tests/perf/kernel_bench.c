/* tests/perf/kernel_bench.c - a standalone timer for the CPU kernels, to tune them against peers.
 *
 * tests/perf/peers.sh builds it and runs it beside perf bench mem, mbw, likwid-bench and sysbench:
 * for the copy0 row (a zero source, which `dmabench run cpu` has no option for) and, with
 * --side driver, for everything (make check's peers test builds and runs it). One buffer size,
 * OpenMP threads pinned one per CPU, barrier-aligned passes over pre-faulted memory, each thread
 * on its own slice; the pointer chase runs one shared random cycle from a different start per
 * thread. Prints the tidy CSV columns dmabench's results.csv uses (kernel, threads, size_bytes,
 * metric, unit, median) plus best, min time and the number of repetitions.
 *
 *   cc -std=gnu11 -O2 -fopenmp -D_GNU_SOURCE -Iworkloads tests/perf/kernel_bench.c \
 *      build/native/libdmabench.a -o kernel_bench        (or workloads/cpu_kernels*.c
 *      workloads/pointer_chase.c in place of the library)
 *   ./kernel_bench [--size 256M] [--threads 1,2] [--kernels all|read:avx512,copy:nt,chase,...]
 *                  [--reps 20] [--chase-steps N] [--thp] [--source-byte 0x5a]
 * A kernel may name one width of the NT kernels, "copy:nt@avx2", to compare what dispatch does
 * not pick; its row keeps that name. --source-byte sets every byte of the copy source (0x5a by
 * default): perf bench mem memcpy copies a zero-filled source, and some hosts copy zero lines
 * faster, so tests/perf/peers.sh compares perf against dmabench's kernels on zeros too.
 */
#include <errno.h>
#include <omp.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "cpu_kernels.h"
#include "cpu_kernels_impl.h"

#define MAX_THREADS 256
#define MAX_KERNELS 64
#define CHASE_LINE  64

static volatile uint64_t sink; /* read checksums and chase ends land here */

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static size_t parse_size(const char *text)
{
    char *end;
    unsigned long long value = strtoull(text, &end, 10);
    switch (*end) {
    case 'G':
        value <<= 10; /* fall through */
    case 'M':
        value <<= 10; /* fall through */
    case 'K':
        value <<= 10;
        end++;
        break;
    default:
        break;
    }
    if (*end == 'i')
        end++;
    if (*end == 'B')
        end++;
    if (*end || value == 0) {
        fprintf(stderr, "kernel_bench: bad size '%s'\n", text);
        exit(2);
    }
    return (size_t)value;
}

static void *map_buffer(size_t bytes, int thp)
{
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        perror("kernel_bench: mmap");
        exit(1);
    }
    if (thp)
        madvise(p, bytes, MADV_HUGEPAGE);
    return p;
}

static void pin_self(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof(set), &set) != 0)
        perror("kernel_bench: sched_setaffinity");
}

/* Thread t's slice of a buffer of total bytes: page-aligned starts, so a slice boundary never
 * splits a page between two threads. */
static void slice(size_t total, int threads, int t, size_t *off, size_t *len)
{
    size_t per = total / (size_t)threads / 4096 * 4096;
    *off = per * (size_t)t;
    *len = t == threads - 1 ? total - *off : per;
}

struct job {
    const struct cpu_kernel *kernel; /* NULL: pointer chase */
    char name[32];
};

/* One sample per repetition: wall time from the first thread's start to the last one's end. */
static void run_job(const struct job *job, unsigned char *src, unsigned char *dst, size_t size,
                    int threads, int reps, uint64_t chase_steps, double *samples)
{
    static double start[MAX_THREADS], end[MAX_THREADS];
    void **chase_start = NULL;
    if (!job->kernel)
        chase_start = chase_build(src, size, CHASE_LINE, 42);

#pragma omp parallel num_threads(threads)
    {
        int t = omp_get_thread_num();
        size_t off, len;
        slice(size, threads, t, &off, &len);
        void **p = chase_start;
        if (p) /* spread the starting points along the cycle */
            p = chase_run(p, (size / CHASE_LINE) / (size_t)threads * (size_t)t);
        uint64_t local = 0;
        /* write and fill get NULL: their default pattern and byte, never zero (some memory
         * systems write full lines of zeros faster, which would be another benchmark). */
        int value =
                job->kernel && (job->kernel->op == CPU_OP_READ || job->kernel->op == CPU_OP_COPY);
        for (int r = -1; r < reps; r++) { /* r = -1 warms up and is not kept */
#pragma omp barrier
            start[t] = now_ns();
            if (p)
                p = chase_run(p, chase_steps);
            else
                local += job->kernel->fn(dst + off, value ? src + off : NULL, len);
            end[t] = now_ns();
#pragma omp barrier
#pragma omp master
            if (r >= 0) {
                double first = start[0], last = end[0];
                for (int i = 1; i < threads; i++) {
                    first = start[i] < first ? start[i] : first;
                    last = end[i] > last ? end[i] : last;
                }
                samples[r] = last - first;
            }
        }
        sink += local + (uint64_t)(uintptr_t)p;
    }
}

static void add_job(struct job *jobs, int *n, const struct cpu_kernel *k, const char *name)
{
    if (*n >= MAX_KERNELS)
        return;
    jobs[*n].kernel = k;
    snprintf(jobs[*n].name, sizeof(jobs[*n].name), "%s", name);
    (*n)++;
}

static int parse_jobs(const char *list, struct job *jobs)
{
    int n = 0;
    if (strcmp(list, "all") == 0) {
        for (int op = 0; op < N_CPU_OPS; op++) {
            const struct cpu_kernel *ks[N_CPU_IMPLS];
            size_t count = cpu_kernels_available(op, ks, N_CPU_IMPLS);
            for (size_t i = 0; i < count; i++)
                add_job(jobs, &n, ks[i], ks[i]->name);
        }
        add_job(jobs, &n, NULL, "chase");
        return n;
    }
    char *copy = strdup(list), *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (strcmp(tok, "chase") == 0) {
            add_job(jobs, &n, NULL, "chase");
            continue;
        }
        enum cpu_op op;
        enum cpu_impl impl;
        const char *why = "not a kernel name";
        const struct cpu_kernel *k = NULL;
        char *at = strchr(tok, '@');
        if (at) { /* "copy:nt@avx2": one width of the NT kernels, which dispatch would not pick */
            *at = '\0';
            for (size_t i = 0; i < cpu_kernel_variant_count(); i++) {
                const struct cpu_kernel_variant *v = cpu_kernel_variant_at(i);
                if (strcmp(v->kernel.name, tok) == 0 && strcmp(v->kernel.isa, at + 1) == 0)
                    k = cpu_kernel_variant_present(v) ? &v->kernel : NULL;
            }
            *at = '@';
        } else if (cpu_kernel_parse(tok, &op, &impl) == 0) {
            k = cpu_kernel_find(op, impl, &why);
        }
        if (!k) {
            fprintf(stderr, "kernel_bench: %s: %s\n", tok, why);
            continue;
        }
        add_job(jobs, &n, k, tok);
    }
    free(copy);
    return n;
}

int main(int argc, char **argv)
{
    size_t size = 256u << 20;
    const char *thread_list = "1,2", *kernel_list = "all";
    int reps = 20, thp = 0, source_byte = 0x5a;
    uint64_t chase_steps = 0;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(arg, "--thp") == 0) {
            thp = 1;
            continue;
        }
        if (!val) {
            fprintf(stderr,
                    "usage: %s [--size S] [--threads 1,2] [--kernels LIST] [--reps N] "
                    "[--chase-steps N] [--thp] [--source-byte N]\n",
                    argv[0]);
            return 2;
        }
        i++;
        if (strcmp(arg, "--size") == 0)
            size = parse_size(val);
        else if (strcmp(arg, "--threads") == 0)
            thread_list = val;
        else if (strcmp(arg, "--kernels") == 0)
            kernel_list = val;
        else if (strcmp(arg, "--reps") == 0)
            reps = atoi(val);
        else if (strcmp(arg, "--chase-steps") == 0)
            chase_steps = strtoull(val, NULL, 10);
        else if (strcmp(arg, "--source-byte") == 0) {
            char *end;
            long byte = strtol(val, &end, 0);
            if (*end || end == val || byte < 0 || byte > 255) {
                fprintf(stderr, "kernel_bench: --source-byte %s: want 0..255\n", val);
                return 2;
            }
            source_byte = (int)byte;
        } else {
            fprintf(stderr, "kernel_bench: unknown option %s\n", arg);
            return 2;
        }
    }
    if (reps < 1)
        reps = 1;
    if (!chase_steps) /* one lap, at most 4M loads: a few hundred ms from DRAM */
        chase_steps = size / CHASE_LINE < (4u << 20) ? size / CHASE_LINE : (4u << 20);

    static struct job jobs[MAX_KERNELS];
    int njobs = parse_jobs(kernel_list, jobs);
    int ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);
    unsigned char *src = map_buffer(size, thp), *dst = map_buffer(size, thp);
    double *samples = calloc((size_t)reps, sizeof(double));

    printf("kernel,isa,threads,size_bytes,metric,unit,median,best,reps\n");
    char *threads_copy = strdup(thread_list), *save = NULL;
    for (char *tok = strtok_r(threads_copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        int threads = atoi(tok);
        if (threads < 1 || threads > MAX_THREADS)
            continue;
            /* Pin once per thread count (OpenMP keeps its pool), and fault every page in from the
             * thread that will use it, so that no pass measures page faults. */
#pragma omp parallel num_threads(threads)
        {
            int t = omp_get_thread_num();
            size_t off, len;
            pin_self(t % ncpu);
            slice(size, threads, t, &off, &len);
            memset(src + off, source_byte, len);
            memset(dst + off, 0, len);
        }
        for (int j = 0; j < njobs; j++) {
            const struct job *job = &jobs[j];
            if (job->kernel && job->kernel->op == CPU_OP_READ) /* something worth summing */
                for (size_t i = 0; i < size; i += 4096)
                    src[i] = (unsigned char)i;
            run_job(job, src, dst, size, threads, reps, chase_steps, samples);
            qsort(samples, (size_t)reps, sizeof(double), compare_double);
            double median =
                    reps % 2 ? samples[reps / 2] : (samples[reps / 2 - 1] + samples[reps / 2]) / 2;
            double best = samples[0];
            if (job->kernel)
                printf("%s,%s,%d,%zu,bandwidth,bytes/s,%.0f,%.0f,%d\n", job->name, job->kernel->isa,
                       threads, size, size / median * 1e9, size / best * 1e9, reps);
            else
                printf("chase,load,%d,%zu,latency,ns,%.3f,%.3f,%d\n", threads, size,
                       median / (double)chase_steps, best / (double)chase_steps, reps);
            fflush(stdout);
        }
    }
    free(threads_copy);
    free(samples);
    return 0;
}
