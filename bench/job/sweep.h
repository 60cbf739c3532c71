/* bench/job/sweep.h - a job (which benchmark over which parameter axes) and its cases.
 *
 * A sweep is data, like kselftest's FIXTURE_VARIANT_ADD: each axis holds a list of values
 * (from the command line or a job file), and the cartesian product of the axes is the list of
 * cases, each with a stable id built from its parameters so runs can be compared and resumed.
 */
#ifndef DMABENCH_SWEEP_H
#define DMABENCH_SWEEP_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "heap.h"
#include "sweep_axes.h"

#define SWEEP_MAX_VALUES 64
#define SWEEP_TEXT_MAX   64
/* More cases than this is a typo (or a week-long run), not a sweep: the limit of one run, over
 * all its jobs (sweep_count adds them up first); sweep_expand says E2BIG for one job beyond it. */
#define SWEEP_MAX_CASES 100000

/* One value of an axis: its canonical text (used in ids and CSV) and its parsed form. */
struct sweep_value {
    char text[SWEEP_TEXT_MAX]; /* "4KiB", "thp", "2", "read:avx2", "any" */
    /* The parsed form, as the axis's kind (bench/job/sweep_axes.h) says. */
    size_t bytes;                  /* BYTES; PAGE_SIZE (hugetlb size); FORMAT (per frame) */
    long number;                   /* COUNT, NODE and CPU (-1: any, all), STRATEGY, DIRECTION,
                                    * LINES */
    enum heap_page_kind page_kind; /* PAGE_SIZE */
};

struct sweep_axis_values {
    size_t n;
    struct sweep_value v[SWEEP_MAX_VALUES];
};

#define JOB_NAME_MAX 64

/* One job: a benchmark and its axes, plus how to repeat and what to count. */
struct job {
    char name[JOB_NAME_MAX]; /* the job file section, or "cli" */
    char bench[32];          /* "alloc", "cpu" */
    struct sweep_axis_values axes[N_SWEEP_AXES];
    unsigned reps;           /* repetitions per case; with reps_auto the minimum */
    bool reps_auto;          /* repeat until the 95% CI of the median is within 1% */
    double time_budget_s;    /* per case, for reps_auto and as a safety limit */
    char counters[256];      /* "default", "none", or a comma-separated list of event names */
    char cpus[128];          /* CPUs to pin threads to ("0-3,6"), "" = all of them */
    unsigned axes_set;       /* bit (1u << axis) for each axis a job file or option set */
    unsigned axes_defaulted; /* bit per axis holding its benchmark's default list (set by the
                              * run command): a probe may narrow those (kernel_default) */
    char file[PATH_MAX];     /* where the job was defined ("" for the command line) */
    int line;
};

/* One point of the sweep. value[axis] is NULL for an axis the benchmark does not use. */
struct bench_case {
    const struct job *job;
    unsigned axes; /* the axes this case uses (its benchmark's, or its kernel's); 0: unknown */
    const struct sweep_value *value[N_SWEEP_AXES];
    char id[320]; /* fits the longest id: 31-char bench, 63-char heap and kernel, 21-digit sizes */
};

/* The option / job-file key of an axis ("heap", "page-size" ...: bench/job/sweep_axes.h). */
const char *sweep_axis_key(enum sweep_axis axis);
/* Its kind, and its line of `dmabench run --help` ("" when it shares the line before). */
enum sweep_kind sweep_axis_kind(enum sweep_axis axis);
const char *sweep_axis_help(enum sweep_axis axis);
/* The name people give it as an option and job-file key: its key, or its new name where
 * SWEEP_AXIS_OPTION_NAMES renames it ("frame"). */
const char *sweep_axis_option(enum sweep_axis axis);
/* Axis from its key, its option name or an alias (SWEEP_AXIS_ALIASES); -1 when the word names
 * no axis. */
int sweep_axis_from_key(const char *key);
/* For an alias, the axis a benchmark must use for the alias to set its axis (importer: the
 * importers); -1 for every other word. */
int sweep_axis_alias_scope(const char *key);
/* The i-th alias of axis ("importer" of engine) and its help line, NULL past the last. */
const char *sweep_axis_alias(enum sweep_axis axis, size_t i, const char **help);
/* Parse a list for one axis: comma-separated values, sizes with units (4K, 1M), ranges with a
 * x2 step ("4K..64M", "1..8"; the axes marked RANGES only), "any" for node,
 * "base,thp,2M" for page sizes. Blanks around values are ignored. A value in double quotes is
 * one value even if it holds commas: heap names such as linux,cma are written "linux,cma"
 * (heap = system,"linux,cma" in a job file, --heap '"linux,cma"' on a command line). Sizes
 * are stored in canonical form ("4K" -> "4KiB"), so a value listed twice in any spelling is
 * an error. Replaces out only on success. Returns 0, or -EINVAL / -E2BIG (more than
 * SWEEP_MAX_VALUES) with a one-line reason in err, without the axis name ("'4Q' is not a
 * size"). */
int sweep_parse_axis(enum sweep_axis axis, const char *text, struct sweep_axis_values *out,
                     char *err, size_t err_len);
/* The value list job_init gives an axis (its default in bench/job/sweep_axes.h: "all",
 * "4KiB", "base" ...). An axis still at its default holds exactly this one canonical text. */
const char *sweep_axis_default(enum sweep_axis axis);
/* Which axes a benchmark uses, bit (1u << AXIS_x) per axis as bench_def.axes; 0 when bench is
 * no benchmark's name. sweep_bench_name(i) lists the names, NULL past the last. Both ask the
 * benchmark registry (bench/bench.h). */
unsigned sweep_bench_axes(const char *bench);
const char *sweep_bench_name(size_t i);
/* A job with no bench yet, reps 5, a 10 s time budget, counters "default", all CPUs, and
 * every axis at sweep_axis_default(). name is truncated to JOB_NAME_MAX - 1. */
void job_init(struct job *job, const char *name);
/* Cartesian product of the axes the job's benchmark uses, in axis order (the last axis varies
 * fastest); ids filled in. A benchmark whose kernels use different axes (bench_def
 * kernel_axes) gets one product per kernel value, in the kernel list's order. Heap "all" is
 * replaced by heap_names (n_heap_names of them, in that order); cpu and peer "all" by the
 * job's cpus, or every CPU this process may run on. For an axis in job->axes_defaulted, a
 * kernel's own default list (bench_def kernel_default) replaces the job's for that kernel's
 * cases. An axis a case's benchmark calls idle for it (bench_def idle_axes: sync's importer
 * engine without importers) does not multiply that case: it is kept once, without the axis.
 * The cases point into job (keep it alive);
 * *out is one malloc'd block, free() it. -EINVAL (unknown bench, an empty axis, "all" with no
 * heap names or a name too long), -E2BIG (more than SWEEP_MAX_CASES), -ENOMEM. */
int sweep_expand(const struct job *job, const char *const *heap_names, size_t n_heap_names,
                 struct bench_case **out, size_t *n_out);
/* The combinations of the job's values that sweep_expand goes through with n_heap_names heaps
 * for "all", counted without making any (nothing is allocated for them, however many): the
 * count SWEEP_MAX_CASES holds a job to, and at least the cases it makes (a benchmark's idle axes
 * fold some into one). SIZE_MAX when it does not fit in a size_t. 0, or -EINVAL as sweep_expand
 * (unknown bench, an empty axis), -ENOMEM. */
int sweep_count(const struct job *job, size_t n_heap_names, size_t *n_out);
/* "cpu:heap=system;size=4KiB;align=0B;page-size=base;threads=1;kernel=read:avx2;node=any":
 * the benchmark, then every axis the case uses (c->axes, else its benchmark's), in axis
 * order. Stable across runs. */
void sweep_case_id(const struct bench_case *c, char *out, size_t out_len);

#endif
