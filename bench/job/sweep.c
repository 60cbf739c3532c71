/* bench/job/sweep.c - parses the values of sweep axes, expands a job into cases and names them.
 *
 * Values are kept in canonical form ("4K" and "4096" are both "4KiB") so that two spellings of
 * one case get one id, and an id names only the axes its benchmark uses, so that adding an
 * axis to one benchmark leaves the ids (and the comparable history) of the others alone.
 */
#include "sweep.h"

#include <ctype.h>
#include <sched.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "engine.h"
#include "frame_format.h"
#include "heap_dev.h"
#include "size_units.h"
#include "sync_strategy.h"

static const char *const axis_keys[N_SWEEP_AXES] = {
        [AXIS_HEAP] = "heap",
        [AXIS_SIZE] = "size",
        [AXIS_ALIGN] = "align",
        [AXIS_PAGE_SIZE] = "page-size",
        [AXIS_THREADS] = "threads",
        [AXIS_BATCH] = "batch",
        [AXIS_KERNEL] = "kernel",
        [AXIS_NODE] = "node",
        [AXIS_STRATEGY] = "strategy",
        [AXIS_DIRECTION] = "direction",
        [AXIS_REGION] = "region",
        [AXIS_REGION_OFFSET] = "region-offset",
        [AXIS_REGIONS] = "regions",
        [AXIS_LINES] = "lines",
        [AXIS_IMPORTERS] = "importers",
        [AXIS_POOL] = "pool",
        [AXIS_FORMAT] = "format",
        [AXIS_ENGINE] = "engine",
        [AXIS_CPU] = "cpu",
        [AXIS_PEER] = "peer",
};

/* Canonical texts: job_init's values, and what "still at its default" compares against. */
static const char *const axis_defaults[N_SWEEP_AXES] = {
        [AXIS_HEAP] = "all",
        [AXIS_SIZE] = "4KiB",
        [AXIS_ALIGN] = "0B",
        [AXIS_PAGE_SIZE] = "base",
        [AXIS_THREADS] = "1",
        [AXIS_BATCH] = "1",
        [AXIS_KERNEL] = "default",
        [AXIS_NODE] = "any",
        [AXIS_STRATEGY] = "full",
        [AXIS_DIRECTION] = "rw",
        [AXIS_REGION] = "4KiB",
        [AXIS_REGION_OFFSET] = "0B",
        [AXIS_REGIONS] = "1",
        [AXIS_LINES] = "dirty",
        [AXIS_IMPORTERS] = "0",
        [AXIS_POOL] = "1",
        [AXIS_FORMAT] = "nv12:1920x1080",
        [AXIS_ENGINE] = "cpu",
        [AXIS_CPU] = "all",
        [AXIS_PEER] = "all",
};

#define AXIS_BIT(axis) (1u << (axis))
/* Only magnitudes that double meaningfully take ranges: a node or page-size range is not. */
#define AXES_WITH_RANGES                                                                           \
    (AXIS_BIT(AXIS_SIZE) | AXIS_BIT(AXIS_ALIGN) | AXIS_BIT(AXIS_THREADS) | AXIS_BIT(AXIS_BATCH) |  \
     AXIS_BIT(AXIS_REGION) | AXIS_BIT(AXIS_REGION_OFFSET) | AXIS_BIT(AXIS_REGIONS) |               \
     AXIS_BIT(AXIS_POOL))
/* Axes whose values are byte counts. */
#define AXES_OF_BYTES                                                                              \
    (AXIS_BIT(AXIS_SIZE) | AXIS_BIT(AXIS_ALIGN) | AXIS_BIT(AXIS_REGION) |                          \
     AXIS_BIT(AXIS_REGION_OFFSET))
/* Counts: the range a value may take. */
static const struct {
    enum sweep_axis axis;
    long min, max;
    const char *what;
} count_axes[] = {
        {AXIS_THREADS, 1, 1024, "a thread count from 1 to 1024"},
        {AXIS_BATCH, 1, 65536, "a batch size from 1 to 65536"},
        {AXIS_REGIONS, 1, 65536, "a region count from 1 to 65536"},
        {AXIS_IMPORTERS, 0, 8, "an importer count from 0 to 8"},
        {AXIS_POOL, 1, 64, "a pool depth from 1 to 64"},
};

const char *sweep_axis_key(enum sweep_axis axis)
{
    return axis < N_SWEEP_AXES ? axis_keys[axis] : "?";
}

int sweep_axis_from_key(const char *key)
{
    for (int a = 0; a < N_SWEEP_AXES; a++)
        if (!strcmp(key, axis_keys[a]))
            return a;
    return -1;
}

const char *sweep_axis_default(enum sweep_axis axis)
{
    return axis < N_SWEEP_AXES ? axis_defaults[axis] : "";
}

/* The benchmark registry is the one place that knows which axes a benchmark uses. */
unsigned sweep_bench_axes(const char *bench)
{
    const struct bench_def *b = bench_find(bench);
    return b ? b->axes : 0;
}

const char *sweep_bench_name(size_t i)
{
    const struct bench_def *b = bench_at(i);
    return b ? b->name : NULL;
}

static int fail(char *err, size_t err_len, int ret, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t err_len, int ret, const char *fmt, ...)
{
    if (err && err_len) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, err_len, fmt, ap);
        va_end(ap);
    }
    return ret;
}

/* A decimal integer in [min, max]; no sign, blanks or suffix. */
static int parse_long(const char *text, long min, long max, long *out)
{
    if (!isdigit((unsigned char)text[0]))
        return -EINVAL;
    errno = 0;
    char *end;
    long value = strtol(text, &end, 10);
    if (errno || *end || value < min || value > max)
        return -EINVAL;
    *out = value;
    return 0;
}

/* Every value of a numeric axis is made here, so parsed values and range steps agree. */
static void set_magnitude(enum sweep_axis axis, uint64_t m, struct sweep_value *v)
{
    memset(v, 0, sizeof(*v));
    if (AXES_OF_BYTES & AXIS_BIT(axis)) {
        v->bytes = (size_t)m;
        size_format_compact(v->bytes, v->text, sizeof(v->text));
    } else {
        v->number = (long)m;
        snprintf(v->text, sizeof(v->text), "%ld", v->number);
    }
}

static uint64_t magnitude(enum sweep_axis axis, const struct sweep_value *v)
{
    return AXES_OF_BYTES & AXIS_BIT(axis) ? v->bytes : (uint64_t)v->number;
}

/* Whether every character of text is a letter or digit or in extra. */
static bool made_of(const char *text, bool upper_ok, const char *extra)
{
    for (const char *p = text; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (!(isdigit(ch) || islower(ch) || (upper_ok && isupper(ch)) || strchr(extra, ch)))
            return false;
    }
    return true;
}

static int parse_size_value(enum sweep_axis axis, const char *text, struct sweep_value *v,
                            char *err, size_t err_len)
{
    size_t bytes;
    int ret = size_parse(text, &bytes);
    if (ret == -ERANGE)
        return fail(err, err_len, -EINVAL, "'%s' is too large", text);
    if (ret)
        return fail(err, err_len, -EINVAL, "'%s' is not a size", text);
    if ((axis == AXIS_SIZE || axis == AXIS_REGION) && bytes == 0)
        return fail(err, err_len, -EINVAL, "'%s': a size must be at least 1 byte", text);
    set_magnitude(axis, bytes, v);
    return 0;
}

/* "base", "thp" or a hugetlb page size; the base page size itself means base, as for
 * `dmabench alloc --page-size`, so "4K" and "base" are one case on a 4 KiB-page kernel. */
static int parse_page_size_value(const char *text, struct sweep_value *v, char *err, size_t err_len)
{
    memset(v, 0, sizeof(*v));
    size_t bytes = 0;
    if (!strcmp(text, "base") || !strcmp(text, "thp")) {
        v->page_kind = text[0] == 'b' ? HEAP_PAGES_BASE : HEAP_PAGES_THP;
    } else if (size_parse(text, &bytes) || bytes == 0 || (bytes & (bytes - 1))) {
        return fail(err, err_len, -EINVAL,
                    "'%s' is not a page size (base, thp, or a power-of-two size such as 2M)", text);
    } else if (bytes == heap_base_page_size()) {
        v->page_kind = HEAP_PAGES_BASE;
    } else {
        v->page_kind = HEAP_PAGES_HUGETLB;
        v->bytes = bytes;
    }
    if (v->page_kind == HEAP_PAGES_HUGETLB)
        size_format_compact(bytes, v->text, sizeof(v->text));
    else
        snprintf(v->text, sizeof(v->text), "%s", v->page_kind == HEAP_PAGES_BASE ? "base" : "thp");
    return 0;
}

static int parse_name_value(enum sweep_axis axis, const char *text, struct sweep_value *v,
                            char *err, size_t err_len)
{
    memset(v, 0, sizeof(*v));
    if (strlen(text) >= sizeof(v->text))
        return fail(err, err_len, -EINVAL, "'%s' is longer than %zu characters", text,
                    sizeof(v->text) - 1);
    if (axis == AXIS_HEAP && !made_of(text, true, "_,.:-"))
        return fail(err, err_len, -EINVAL,
                    "'%s' is not a heap name (letters, digits, '_', ',', '.', ':', '-'), nor all",
                    text);
    if (axis == AXIS_KERNEL && !made_of(text, false, ":_-"))
        return fail(err, err_len, -EINVAL, "'%s' is not a kernel name (a-z, 0-9, ':', '_', '-')",
                    text);
    snprintf(v->text, sizeof(v->text), "%s", text);
    return 0;
}

/* A value from a fixed list of words; number gets the word's index in values. */
static int parse_word(const char *text, const char *const *words, const long *values, size_t n,
                      const char *what, struct sweep_value *v, char *err, size_t err_len)
{
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(text, words[i])) {
            memset(v, 0, sizeof(*v));
            snprintf(v->text, sizeof(v->text), "%s", words[i]);
            v->number = values[i];
            return 0;
        }
    }
    return fail(err, err_len, -EINVAL, "'%s' is not %s", text, what);
}

static int parse_count_value(enum sweep_axis axis, const char *text, struct sweep_value *v,
                             char *err, size_t err_len)
{
    for (size_t i = 0; i < sizeof(count_axes) / sizeof(count_axes[0]); i++) {
        long number;
        if (count_axes[i].axis != axis)
            continue;
        if (parse_long(text, count_axes[i].min, count_axes[i].max, &number))
            return fail(err, err_len, -EINVAL, "'%s' is not %s", text, count_axes[i].what);
        set_magnitude(axis, (uint64_t)number, v);
        return 0;
    }
    return fail(err, err_len, -EINVAL, "no such axis");
}

static int parse_strategy_value(const char *text, struct sweep_value *v, char *err, size_t err_len)
{
    struct sync_strategy s;
    if (sync_strategy_parse(text, &s))
        return fail(err, err_len, -EINVAL,
                    "'%s' is not a sync strategy (none, full, partial-ioctl, partial-user, "
                    "full-user; the user ones optionally :clflush, :clflushopt, :clwb, "
                    ":dc-cvac, :dc-civac, :dc-cvau)",
                    text);
    memset(v, 0, sizeof(*v));
    sync_strategy_format(&s, v->text, sizeof(v->text));
    v->number = s.kind;
    return 0;
}

static int parse_format_value(const char *text, struct sweep_value *v, char *err, size_t err_len)
{
    struct frame_format f;
    if (frame_format_parse(text, &f))
        return fail(err, err_len, -EINVAL,
                    "'%s' is not a frame format (PIXEL:WxH or PIXEL:720p|1080p|4k, PIXEL one of "
                    "nv12, rgba, rgb24, yuyv, rgb565)",
                    text);
    memset(v, 0, sizeof(*v));
    frame_format_text(&f, v->text, sizeof(v->text));
    v->bytes = f.bytes;
    return 0;
}

static int parse_cpu_value(const char *text, struct sweep_value *v, char *err, size_t err_len)
{
    long number;
    memset(v, 0, sizeof(*v));
    if (!strcmp(text, "all")) {
        v->number = -1;
        snprintf(v->text, sizeof(v->text), "all");
        return 0;
    }
    if (parse_long(text, 0, 4095, &number))
        return fail(err, err_len, -EINVAL, "'%s' is not a CPU (all, or 0 to 4095)", text);
    set_magnitude(AXIS_CPU, (uint64_t)number, v);
    return 0;
}

/* One value (not a range) of an axis, in canonical form. */
static int parse_value(enum sweep_axis axis, const char *text, struct sweep_value *v, char *err,
                       size_t err_len)
{
    static const char *const dirs[] = {"read", "write", "rw"};
    static const long dir_values[] = {HEAP_SYNC_READ, HEAP_SYNC_WRITE, HEAP_SYNC_RW};
    static const char *const lines[] = {"dirty", "clean"};
    static const long line_values[] = {1, 0};
    long number;
    switch (axis) {
    case AXIS_SIZE:
    case AXIS_ALIGN:
    case AXIS_REGION:
    case AXIS_REGION_OFFSET:
        return parse_size_value(axis, text, v, err, err_len);
    case AXIS_PAGE_SIZE:
        return parse_page_size_value(text, v, err, err_len);
    case AXIS_THREADS:
    case AXIS_BATCH:
    case AXIS_REGIONS:
    case AXIS_IMPORTERS:
    case AXIS_POOL:
        return parse_count_value(axis, text, v, err, err_len);
    case AXIS_NODE:
        if (!strcmp(text, "any")) {
            memset(v, 0, sizeof(*v));
            v->number = -1;
            snprintf(v->text, sizeof(v->text), "any");
            return 0;
        }
        if (parse_long(text, 0, 1023, &number))
            return fail(err, err_len, -EINVAL, "'%s' is not a NUMA node (any, or 0 to 1023)", text);
        set_magnitude(axis, (uint64_t)number, v);
        return 0;
    case AXIS_HEAP:
    case AXIS_KERNEL:
        return parse_name_value(axis, text, v, err, err_len);
    case AXIS_STRATEGY:
        return parse_strategy_value(text, v, err, err_len);
    case AXIS_DIRECTION:
        return parse_word(text, dirs, dir_values, 3, "a direction (read, write, rw)", v, err,
                          err_len);
    case AXIS_LINES:
        return parse_word(text, lines, line_values, 2, "dirty or clean", v, err, err_len);
    case AXIS_FORMAT:
        return parse_format_value(text, v, err, err_len);
    case AXIS_ENGINE:
        if (!engine_find(text))
            return fail(err, err_len, -EINVAL, "'%s' is not an engine (%s)", text, engine_names());
        return parse_name_value(axis, text, v, err, err_len);
    case AXIS_CPU:
    case AXIS_PEER:
        return parse_cpu_value(text, v, err, err_len);
    case N_SWEEP_AXES:
        break;
    }
    return fail(err, err_len, -EINVAL, "no such axis");
}

/* Append v unless it is already there or the list is full. */
static int add_value(struct sweep_axis_values *list, const struct sweep_value *v, char *err,
                     size_t err_len)
{
    for (size_t i = 0; i < list->n; i++)
        if (!strcmp(list->v[i].text, v->text))
            return fail(err, err_len, -EINVAL, "%s listed twice", v->text);
    if (list->n == SWEEP_MAX_VALUES)
        return fail(err, err_len, -E2BIG, "more than %d values", SWEEP_MAX_VALUES);
    list->v[list->n++] = *v;
    return 0;
}

/* "A..B": A, 2A, 4A ... B. B must be A times a power of two, so the end is never dropped. */
static int add_range(enum sweep_axis axis, const char *item, const char *dots,
                     struct sweep_axis_values *list, char *err, size_t err_len)
{
    if (!(AXES_WITH_RANGES & AXIS_BIT(axis)))
        return fail(err, err_len, -EINVAL,
                    "'%s': ranges (A..B) are only for size, align, threads, batch, region, "
                    "region-offset, regions and pool",
                    item);
    char first_text[SWEEP_TEXT_MAX * 2];
    size_t first_len = (size_t)(dots - item);
    if (first_len >= sizeof(first_text))
        return fail(err, err_len, -EINVAL, "'%s' is too long", item);
    memcpy(first_text, item, first_len);
    first_text[first_len] = '\0';
    struct sweep_value first, last;
    int ret = parse_value(axis, first_text, &first, err, err_len);
    if (!ret)
        ret = parse_value(axis, dots + 2, &last, err, err_len);
    if (ret)
        return ret;
    uint64_t from = magnitude(axis, &first), to = magnitude(axis, &last);
    if (from == 0)
        return fail(err, err_len, -EINVAL, "'%s': a range must start above 0", item);
    if (to < from)
        return fail(err, err_len, -EINVAL, "'%s': the end is below the start", item);
    uint64_t m = from;
    while (m < to && m <= UINT64_MAX / 2)
        m *= 2;
    if (m != to)
        return fail(err, err_len, -EINVAL,
                    "'%s': %s is not reachable from %s by doubling (x2 steps)", item, last.text,
                    first.text);
    for (m = from;; m *= 2) {
        struct sweep_value v;
        set_magnitude(axis, m, &v);
        ret = add_value(list, &v, err, err_len);
        if (ret || m == to)
            return ret;
    }
}

static int add_item(enum sweep_axis axis, const char *item, struct sweep_axis_values *list,
                    char *err, size_t err_len)
{
    /* A heap name may hold dots; every other axis reads ".." as a range (or says it is not). */
    const char *dots = axis == AXIS_HEAP ? NULL : strstr(item, "..");
    if (dots)
        return add_range(axis, item, dots, list, err, err_len);
    struct sweep_value v;
    int ret = parse_value(axis, item, &v, err, err_len);
    return ret ? ret : add_value(list, &v, err, err_len);
}

static const char *skip_blanks(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* The next item of a comma-separated list at *pos into item; quotes protect commas. Leaves
 * *pos on the comma or the end. */
static int next_item(const char *text, const char **pos, char *item, size_t item_len, char *err,
                     size_t err_len)
{
    const char *p = skip_blanks(*pos), *start, *end;
    if (*p == '"') {
        start = p + 1;
        end = strchr(start, '"');
        if (!end)
            return fail(err, err_len, -EINVAL, "unterminated quote in '%s'", text);
        p = skip_blanks(end + 1);
        if (*p && *p != ',')
            return fail(err, err_len, -EINVAL, "text after a closing quote in '%s'", text);
    } else {
        start = p;
        p = strchrnul(p, ',');
        end = p;
        while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
    }
    size_t len = (size_t)(end - start);
    if (len == 0)
        return fail(err, err_len, -EINVAL, "empty value in '%s'", text);
    if (len >= item_len)
        return fail(err, err_len, -EINVAL, "'%.*s...' is too long", 20, start);
    memcpy(item, start, len);
    item[len] = '\0';
    *pos = p;
    return 0;
}

int sweep_parse_axis(enum sweep_axis axis, const char *text, struct sweep_axis_values *out,
                     char *err, size_t err_len)
{
    if (axis >= N_SWEEP_AXES)
        return fail(err, err_len, -EINVAL, "no such axis");
    if (!*skip_blanks(text))
        return fail(err, err_len, -EINVAL, "no value given");
    /* Parsed aside so that a bad list leaves the job as it was. */
    struct sweep_axis_values list = {.n = 0};
    bool all = false;
    for (const char *pos = text;; pos++) {
        char item[SWEEP_TEXT_MAX * 2 + 2];
        int ret = next_item(text, &pos, item, sizeof(item), err, err_len);
        if (!ret && (axis == AXIS_HEAP || axis == AXIS_CPU || axis == AXIS_PEER) &&
            !strcmp(item, "all"))
            all = true;
        if (!ret)
            ret = add_item(axis, item, &list, err, err_len);
        if (ret)
            return ret;
        if (!*pos)
            break;
    }
    if (all && list.n > 1)
        return fail(err, err_len, -EINVAL, "all cannot be listed with other %s",
                    axis == AXIS_HEAP ? "heaps" : "CPUs");
    out->n = list.n;
    memcpy(out->v, list.v, list.n * sizeof(list.v[0]));
    return 0;
}

void job_init(struct job *job, const char *name)
{
    memset(job, 0, sizeof(*job));
    snprintf(job->name, sizeof(job->name), "%s", name);
    job->reps = 5;
    job->time_budget_s = 10.0;
    snprintf(job->counters, sizeof(job->counters), "default");
    for (int a = 0; a < N_SWEEP_AXES; a++)
        sweep_parse_axis(a, axis_defaults[a], &job->axes[a], NULL, 0);
}

static bool is_all(const struct sweep_axis_values *list)
{
    return list->n == 1 && !strcmp(list->v[0].text, "all");
}

/* The CPUs "all" stands for: the job's cpus list ("0-3,6", checked when it was set), else
 * every CPU this process may run on. */
static size_t all_cpus(const struct job *job, long *out, size_t max)
{
    size_t n = 0;
    if (job->cpus[0]) {
        for (const char *p = job->cpus; *p && n < max;) {
            char *end;
            long first = strtol(p, &end, 10), last = first;
            if (*end == '-')
                last = strtol(end + 1, &end, 10);
            for (long cpu = first; cpu <= last && n < max; cpu++)
                out[n++] = cpu;
            p = *end ? end + 1 : end;
        }
        return n;
    }
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) != 0)
        return 0;
    for (int cpu = 0; cpu < CPU_SETSIZE && n < max; cpu++)
        if (CPU_ISSET(cpu, &set))
            out[n++] = cpu;
    return n;
}

/* One product of axes: every case of a benchmark, or of one of its kernels. */
struct sweep_group {
    unsigned axes;
    long kernel; /* index of the kernel value this group is for, -1 for all of them */
    size_t count[N_SWEEP_AXES];
    size_t total;
    /* The kernel's own default list of an axis (bench_def kernel_default), parsed, and where
     * its values sit in the cases' block; NULL where the job's list holds. */
    struct sweep_axis_values *own[N_SWEEP_AXES];
    const struct sweep_value *own_values[N_SWEEP_AXES];
};

/* The values standing in for "all" on one axis, or NULL when the axis lists its own. */
struct sweep_subst {
    const struct sweep_value *values[N_SWEEP_AXES];
    size_t n[N_SWEEP_AXES];
};

static int size_group(const struct job *job, const struct sweep_subst *subst, struct sweep_group *g,
                      size_t *grand_total)
{
    g->total = 1;
    for (int a = 0; a < N_SWEEP_AXES; a++) {
        g->count[a] = 1;
        if (!(g->axes & AXIS_BIT(a)))
            continue;
        if (a == AXIS_KERNEL && g->kernel >= 0)
            g->count[a] = 1;
        else if (g->own[a])
            g->count[a] = g->own[a]->n;
        else
            g->count[a] = subst->values[a] ? subst->n[a] : job->axes[a].n;
        if (g->count[a] == 0)
            return -EINVAL;
        if (g->total > SWEEP_MAX_CASES / g->count[a])
            return -E2BIG;
        g->total *= g->count[a];
    }
    if (g->total > SWEEP_MAX_CASES - *grand_total)
        return -E2BIG;
    *grand_total += g->total;
    return 0;
}

static void fill_group(const struct job *job, const struct sweep_subst *subst,
                       const struct sweep_group *g, struct bench_case *cases)
{
    for (size_t i = 0; i < g->total; i++) {
        struct bench_case *c = &cases[i];
        c->job = job;
        c->axes = g->axes;
        size_t rest = i; /* mixed-radix digits of i, the last axis the fastest */
        for (int a = N_SWEEP_AXES - 1; a >= 0; a--) {
            if (!(g->axes & AXIS_BIT(a)))
                continue;
            size_t k = rest % g->count[a];
            rest /= g->count[a];
            if (a == AXIS_KERNEL && g->kernel >= 0)
                c->value[a] = &job->axes[a].v[g->kernel];
            else if (g->own_values[a])
                c->value[a] = &g->own_values[a][k];
            else
                c->value[a] = subst->values[a] ? &subst->values[a][k] : &job->axes[a].v[k];
        }
        sweep_case_id(c, c->id, sizeof(c->id));
    }
}

/* The kernel's own default lists for the axes of group g that hold the benchmark's default:
 * parsed into g->own, their value count added to *n_own. -EINVAL when a list does not parse
 * (a benchmark's bug), -ENOMEM. */
static int own_defaults(const struct job *job, const struct bench_def *b, struct sweep_group *g,
                        size_t *n_own)
{
    const char *kernel = job->axes[AXIS_KERNEL].v[g->kernel].text;
    for (int a = 0; a < N_SWEEP_AXES; a++) {
        const char *list;
        if (a == AXIS_KERNEL || !(g->axes & AXIS_BIT(a)) || !(job->axes_defaulted & AXIS_BIT(a)) ||
            !(list = b->kernel_default(kernel, a)))
            continue;
        if (!(g->own[a] = malloc(sizeof(*g->own[a]))))
            return -ENOMEM;
        if (sweep_parse_axis(a, list, g->own[a], NULL, 0))
            return -EINVAL;
        *n_own += g->own[a]->n;
    }
    return 0;
}

int sweep_expand(const struct job *job, const char *const *heap_names, size_t n_heap_names,
                 struct bench_case **out, size_t *n_out)
{
    const struct bench_def *b = bench_find(job->bench);
    unsigned axes = b ? b->axes : 0;
    if (!axes)
        return -EINVAL;
    bool heaps_all = (axes & AXIS_BIT(AXIS_HEAP)) && is_all(&job->axes[AXIS_HEAP]);
    bool cpus_all = ((axes & AXIS_BIT(AXIS_CPU)) && is_all(&job->axes[AXIS_CPU])) ||
                    ((axes & AXIS_BIT(AXIS_PEER)) && is_all(&job->axes[AXIS_PEER]));
    long cpus[SWEEP_MAX_VALUES];
    size_t n_cpus = cpus_all ? all_cpus(job, cpus, SWEEP_MAX_VALUES) : 0;
    size_t n_heaps = heaps_all ? n_heap_names : 0;

    bool per_kernel = b->kernel_axes && (axes & AXIS_BIT(AXIS_KERNEL));
    size_t n_groups = per_kernel ? job->axes[AXIS_KERNEL].n : 1;
    struct sweep_group *groups = calloc(n_groups ? n_groups : 1, sizeof(*groups));
    if (!groups)
        return -ENOMEM;
    /* The stand-in values sit after the cases in one block, so free(*out) frees everything;
     * their addresses are known only once the block exists, so the counts come first. */
    struct sweep_subst subst;
    memset(&subst, 0, sizeof(subst));
    static const struct sweep_value placeholder;
    if (heaps_all) {
        subst.values[AXIS_HEAP] = &placeholder;
        subst.n[AXIS_HEAP] = n_heaps;
    }
    for (int a = AXIS_CPU; a <= AXIS_PEER; a++) {
        if ((axes & AXIS_BIT(a)) && is_all(&job->axes[a])) {
            subst.values[a] = &placeholder;
            subst.n[a] = n_cpus;
        }
    }
    size_t total = 0, n_own = 0;
    int ret = 0;
    for (size_t g = 0; g < n_groups && !ret; g++) {
        groups[g].kernel = per_kernel ? (long)g : -1;
        groups[g].axes = per_kernel ? axes & (b->kernel_axes(job->axes[AXIS_KERNEL].v[g].text) |
                                              AXIS_BIT(AXIS_HEAP) | AXIS_BIT(AXIS_KERNEL))
                                    : axes;
        if (per_kernel && b->kernel_default)
            ret = own_defaults(job, b, &groups[g], &n_own);
        if (!ret)
            ret = size_group(job, &subst, &groups[g], &total);
    }
    struct bench_case *cases = NULL;
    if (!ret && !(cases = calloc(1, total * sizeof(*cases) + (n_heaps + n_cpus + n_own) *
                                                                     sizeof(struct sweep_value))))
        ret = -ENOMEM;
    struct sweep_value *heaps = cases ? (struct sweep_value *)(cases + total) : NULL;
    for (size_t h = 0; !ret && h < n_heaps; h++) {
        if (strlen(heap_names[h]) >= sizeof(heaps[h].text))
            ret = -EINVAL;
        else
            snprintf(heaps[h].text, sizeof(heaps[h].text), "%s", heap_names[h]);
    }
    struct sweep_value *cpu_values = heaps ? heaps + n_heaps : NULL;
    for (size_t i = 0; !ret && i < n_cpus; i++)
        set_magnitude(AXIS_CPU, (uint64_t)cpus[i], &cpu_values[i]);
    struct sweep_value *own_values = cpu_values ? cpu_values + n_cpus : NULL;
    for (size_t g = 0; !ret && g < n_groups; g++) {
        for (int a = 0; a < N_SWEEP_AXES; a++) {
            if (!groups[g].own[a])
                continue;
            memcpy(own_values, groups[g].own[a]->v, groups[g].own[a]->n * sizeof(*own_values));
            groups[g].own_values[a] = own_values;
            own_values += groups[g].own[a]->n;
        }
    }
    if (!ret) {
        if (heaps_all)
            subst.values[AXIS_HEAP] = heaps;
        for (int a = AXIS_CPU; a <= AXIS_PEER; a++)
            if (subst.values[a])
                subst.values[a] = cpu_values;
        size_t first = 0;
        for (size_t g = 0; g < n_groups; g++) {
            fill_group(job, &subst, &groups[g], cases + first);
            first += groups[g].total;
        }
        *out = cases;
        *n_out = total;
    } else {
        free(cases);
    }
    for (size_t g = 0; g < n_groups; g++)
        for (int a = 0; a < N_SWEEP_AXES; a++)
            free(groups[g].own[a]);
    free(groups);
    return ret;
}

void sweep_case_id(const struct bench_case *c, char *out, size_t out_len)
{
    /* A case of an unknown benchmark still gets an id from whatever values it has. */
    unsigned axes = c->axes ? c->axes : sweep_bench_axes(c->job->bench);
    int n = snprintf(out, out_len, "%s:", c->job->bench);
    size_t used = n > 0 ? (size_t)n : 0;
    const char *sep = "";
    for (int a = 0; a < N_SWEEP_AXES && used < out_len; a++) {
        if (axes ? !(axes & AXIS_BIT(a)) : !c->value[a])
            continue;
        n = snprintf(out + used, out_len - used, "%s%s=%s", sep, axis_keys[a],
                     c->value[a] ? c->value[a]->text : "-");
        used += n > 0 ? (size_t)n : 0;
        sep = ";";
    }
}
