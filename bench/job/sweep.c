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
#include "heap_by_path.h"
#include "heap_dev.h"
#include "size_units.h"
#include "sync_strategy.h"

/* What bench/job/sweep_axes.h says of each axis. */
static const struct axis_def {
    const char *key;
    const char *default_text; /* canonical: job_init's value, what "at its default" compares to */
    enum sweep_kind kind;
    bool ranges;
    long min, max;
    const char *what; /* a value in errors: "a thread count" */
    const char *help;
} axis_defs[N_SWEEP_AXES] = {
#define SWEEP_AXIS_DEF(id, key_, default_, kind_, ranges_, min_, max_, what_, help_)               \
    [AXIS_##id] = {.key = key_,                                                                    \
                   .default_text = default_,                                                       \
                   .kind = SWEEP_KIND_##kind_,                                                     \
                   .ranges = SWEEP_##ranges_ == SWEEP_RANGES,                                      \
                   .min = min_,                                                                    \
                   .max = max_,                                                                    \
                   .what = what_,                                                                  \
                   .help = help_},
        SWEEP_AXES(SWEEP_AXIS_DEF, SWEEP_AXES_SKIP)
#undef SWEEP_AXIS_DEF
};

#define AXIS_BIT(axis) (1u << (axis))

const char *sweep_axis_key(enum sweep_axis axis)
{
    return axis < N_SWEEP_AXES ? axis_defs[axis].key : "?";
}

enum sweep_kind sweep_axis_kind(enum sweep_axis axis)
{
    return axis_defs[axis < N_SWEEP_AXES ? axis : 0].kind;
}

const char *sweep_axis_help(enum sweep_axis axis)
{
    return axis < N_SWEEP_AXES ? axis_defs[axis].help : "";
}

static const struct {
    enum sweep_axis axis;
    const char *option;
} option_names[] = {
#define SWEEP_OPTION_NAME(id, option) {AXIS_##id, option},
        SWEEP_AXIS_OPTION_NAMES(SWEEP_OPTION_NAME)
#undef SWEEP_OPTION_NAME
};

const char *sweep_axis_option(enum sweep_axis axis)
{
    for (size_t i = 0; i < sizeof(option_names) / sizeof(option_names[0]); i++)
        if (option_names[i].axis == axis)
            return option_names[i].option;
    return sweep_axis_key(axis);
}

static const struct {
    enum sweep_axis axis, scope;
    const char *option, *help;
} aliases[] = {
#define SWEEP_ALIAS(id, option_, scope_, help_)                                                    \
    {.axis = AXIS_##id, .scope = AXIS_##scope_, .option = option_, .help = help_},
        SWEEP_AXIS_ALIASES(SWEEP_ALIAS)
#undef SWEEP_ALIAS
};

int sweep_axis_alias_scope(const char *key)
{
    for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
        if (!strcmp(key, aliases[i].option))
            return (int)aliases[i].scope;
    return -1;
}

const char *sweep_axis_alias(enum sweep_axis axis, size_t i, const char **help)
{
    for (size_t k = 0; k < sizeof(aliases) / sizeof(aliases[0]); k++) {
        if (aliases[k].axis != axis || i--)
            continue;
        *help = aliases[k].help;
        return aliases[k].option;
    }
    return NULL;
}

int sweep_axis_from_key(const char *key)
{
    for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
        if (!strcmp(key, aliases[i].option))
            return (int)aliases[i].axis;
    for (int a = 0; a < N_SWEEP_AXES; a++)
        if (!strcmp(key, axis_defs[a].key))
            return a;
    for (size_t i = 0; i < sizeof(option_names) / sizeof(option_names[0]); i++)
        if (!strcmp(key, option_names[i].option))
            return (int)option_names[i].axis;
    return -1;
}

const char *sweep_axis_default(enum sweep_axis axis)
{
    return axis < N_SWEEP_AXES ? axis_defs[axis].default_text : "";
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
    if (axis_defs[axis].kind == SWEEP_KIND_BYTES) {
        v->bytes = (size_t)m;
        size_format_compact(v->bytes, v->text, sizeof(v->text));
    } else {
        v->number = (long)m;
        snprintf(v->text, sizeof(v->text), "%ld", v->number);
    }
}

static uint64_t magnitude(enum sweep_axis axis, const struct sweep_value *v)
{
    return axis_defs[axis].kind == SWEEP_KIND_BYTES ? v->bytes : (uint64_t)v->number;
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
    const struct axis_def *d = &axis_defs[axis];
    size_t bytes;
    int ret = size_parse(text, &bytes);
    if (ret == -ERANGE)
        return fail(err, err_len, -EINVAL, "'%s' is too large", text);
    if (ret)
        return fail(err, err_len, -EINVAL, "'%s' is not %s", text, d->what);
    if (bytes < (size_t)d->min)
        return fail(err, err_len, -EINVAL, "'%s': %s must be at least %ld byte%s", text, d->what,
                    d->min, d->min == 1 ? "" : "s");
    set_magnitude(axis, bytes, v);
    return 0;
}

/* "base", "thp" or a hugetlb page size; the base page size itself means base, as for
 * `dmabench alloc --page-size`, so "4K" and "base" are one case on a 4 KiB-page kernel. */
static int parse_page_size_value(enum sweep_axis axis, const char *text, struct sweep_value *v,
                                 char *err, size_t err_len)
{
    memset(v, 0, sizeof(*v));
    size_t bytes = 0;
    if (!strcmp(text, "base") || !strcmp(text, "thp")) {
        v->page_kind = text[0] == 'b' ? HEAP_PAGES_BASE : HEAP_PAGES_THP;
    } else if (size_parse(text, &bytes) || bytes == 0 || (bytes & (bytes - 1))) {
        return fail(err, err_len, -EINVAL,
                    "'%s' is not %s (base, thp, or a power-of-two size such as 2M)", text,
                    axis_defs[axis].what);
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
    const struct axis_def *d = &axis_defs[axis];
    memset(v, 0, sizeof(*v));
    /* Devices named by path become the short names case ids hold: v4l2:/dev/video3 is
     * v4l2:video3, drm-dumb:/dev/dri/card0 the heap drm-dumb-card0. */
    char canonical[SWEEP_TEXT_MAX], why[256];
    struct engine_choice choice;
    int ret = 0;
    if (d->kind == SWEEP_KIND_ENGINE) {
        ret = engine_choose(text, &choice, why, sizeof(why));
        text = choice.value;
    } else if (d->kind == SWEEP_KIND_HEAP && heap_by_path_is_path(text)) {
        ret = heap_by_path_name(text, canonical, sizeof(canonical), why, sizeof(why));
        text = canonical;
    }
    if (ret)
        return fail(err, err_len, -EINVAL, "%s", why);
    if (strlen(text) >= sizeof(v->text))
        return fail(err, err_len, -EINVAL, "'%s' is longer than %zu characters", text,
                    sizeof(v->text) - 1);
    if (d->kind == SWEEP_KIND_HEAP && !made_of(text, true, "_,.:-"))
        return fail(err, err_len, -EINVAL,
                    "'%s' is not %s (letters, digits, '_', ',', '.', ':', '-'), nor all", text,
                    d->what);
    if (d->kind == SWEEP_KIND_WORD && !made_of(text, false, ":_-"))
        return fail(err, err_len, -EINVAL, "'%s' is not %s (a-z, 0-9, ':', '_', '-')", text,
                    d->what);
    snprintf(v->text, sizeof(v->text), "%s", text);
    return 0;
}

/* A value from a fixed list of words; number gets the word's value. */
static int parse_word(enum sweep_axis axis, const char *text, struct sweep_value *v, char *err,
                      size_t err_len)
{
    static const struct {
        enum sweep_kind kind;
        const char *word;
        long value;
    } words[] = {
            {SWEEP_KIND_DIRECTION, "read", HEAP_SYNC_READ},
            {SWEEP_KIND_DIRECTION, "write", HEAP_SYNC_WRITE},
            {SWEEP_KIND_DIRECTION, "rw", HEAP_SYNC_RW},
            {SWEEP_KIND_LINES, "dirty", 1},
            {SWEEP_KIND_LINES, "clean", 0},
    };
    const struct axis_def *d = &axis_defs[axis];
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        if (words[i].kind == d->kind && !strcmp(text, words[i].word)) {
            memset(v, 0, sizeof(*v));
            snprintf(v->text, sizeof(v->text), "%s", words[i].word);
            v->number = words[i].value;
            return 0;
        }
    }
    return fail(err, err_len, -EINVAL, "'%s' is not %s", text, d->what);
}

/* A count from min to max; NODE and CPU also take the word that stands for -1. */
static int parse_count_value(enum sweep_axis axis, const char *text, struct sweep_value *v,
                             char *err, size_t err_len)
{
    const struct axis_def *d = &axis_defs[axis];
    const char *word = d->kind == SWEEP_KIND_NODE  ? "any"
                       : d->kind == SWEEP_KIND_CPU ? "all"
                                                   : NULL;
    long number;
    if (word && !strcmp(text, word)) {
        memset(v, 0, sizeof(*v));
        v->number = -1;
        snprintf(v->text, sizeof(v->text), "%s", word);
        return 0;
    }
    if (parse_long(text, d->min, d->max, &number)) {
        if (word)
            return fail(err, err_len, -EINVAL, "'%s' is not %s (%s, or %ld to %ld)", text, d->what,
                        word, d->min, d->max);
        return fail(err, err_len, -EINVAL, "'%s' is not %s from %ld to %ld", text, d->what, d->min,
                    d->max);
    }
    set_magnitude(axis, (uint64_t)number, v);
    return 0;
}

static int parse_strategy_value(enum sweep_axis axis, const char *text, struct sweep_value *v,
                                char *err, size_t err_len)
{
    struct sync_strategy s;
    if (sync_strategy_parse(text, &s))
        return fail(err, err_len, -EINVAL,
                    "'%s' is not %s (none, full, partial-ioctl, partial-user, full-user; the "
                    "user ones optionally :clflush, :clflushopt, :clwb, :dc-cvac, :dc-civac, "
                    ":dc-cvau)",
                    text, axis_defs[axis].what);
    memset(v, 0, sizeof(*v));
    sync_strategy_format(&s, v->text, sizeof(v->text));
    v->number = s.kind;
    return 0;
}

static int parse_format_value(enum sweep_axis axis, const char *text, struct sweep_value *v,
                              char *err, size_t err_len)
{
    struct frame_format f;
    if (frame_format_parse(text, &f))
        return fail(err, err_len, -EINVAL,
                    "'%s' is not %s (PIXEL:WxH or PIXEL:720p|1080p|4k, PIXEL one of nv12, rgba, "
                    "rgb24, yuyv, rgb565)",
                    text, axis_defs[axis].what);
    memset(v, 0, sizeof(*v));
    frame_format_text(&f, v->text, sizeof(v->text));
    v->bytes = f.bytes;
    return 0;
}

/* One value (not a range) of an axis, in canonical form. */
static int parse_value(enum sweep_axis axis, const char *text, struct sweep_value *v, char *err,
                       size_t err_len)
{
    if (axis >= N_SWEEP_AXES)
        return fail(err, err_len, -EINVAL, "no such axis");
    switch (axis_defs[axis].kind) {
    case SWEEP_KIND_HEAP:
    case SWEEP_KIND_WORD:
    case SWEEP_KIND_ENGINE:
        return parse_name_value(axis, text, v, err, err_len);
    case SWEEP_KIND_BYTES:
        return parse_size_value(axis, text, v, err, err_len);
    case SWEEP_KIND_COUNT:
    case SWEEP_KIND_NODE:
    case SWEEP_KIND_CPU:
        return parse_count_value(axis, text, v, err, err_len);
    case SWEEP_KIND_PAGE_SIZE:
        return parse_page_size_value(axis, text, v, err, err_len);
    case SWEEP_KIND_STRATEGY:
        return parse_strategy_value(axis, text, v, err, err_len);
    case SWEEP_KIND_DIRECTION:
    case SWEEP_KIND_LINES:
        return parse_word(axis, text, v, err, err_len);
    case SWEEP_KIND_FORMAT:
        return parse_format_value(axis, text, v, err, err_len);
    }
    return fail(err, err_len, -EINVAL, "no such kind of axis");
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

/* "size, align ... and pool": the keys of the axes that take ranges. */
static void ranged_keys(char *out, size_t out_len)
{
    size_t n = 0, used = 0;
    for (int a = 0; a < N_SWEEP_AXES; a++)
        n += axis_defs[a].ranges;
    out[0] = '\0';
    for (int a = 0, i = 0; a < N_SWEEP_AXES && used < out_len; a++) {
        if (!axis_defs[a].ranges)
            continue;
        i++;
        int k = snprintf(out + used, out_len - used, "%s%s",
                         i == 1       ? ""
                         : i < (int)n ? ", "
                                      : " and ",
                         axis_defs[a].key);
        used += k > 0 ? (size_t)k : 0;
    }
}

/* "A..B": A, 2A, 4A ... B. B must be A times a power of two, so the end is never dropped. */
static int add_range(enum sweep_axis axis, const char *item, const char *dots,
                     struct sweep_axis_values *list, char *err, size_t err_len)
{
    if (!axis_defs[axis].ranges) {
        char keys[256];
        ranged_keys(keys, sizeof(keys));
        return fail(err, err_len, -EINVAL, "'%s': ranges (A..B) are only for %s", item, keys);
    }
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
    const char *dots = axis_defs[axis].kind == SWEEP_KIND_HEAP ? NULL : strstr(item, "..");
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
    enum sweep_kind kind = axis_defs[axis].kind;
    /* Parsed aside so that a bad list leaves the job as it was. */
    struct sweep_axis_values list = {.n = 0};
    bool all = false;
    for (const char *pos = text;; pos++) {
        char item[SWEEP_TEXT_MAX * 2 + 2];
        int ret = next_item(text, &pos, item, sizeof(item), err, err_len);
        if (!ret && (kind == SWEEP_KIND_HEAP || kind == SWEEP_KIND_CPU) && !strcmp(item, "all"))
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
                    kind == SWEEP_KIND_HEAP ? "heaps" : "CPUs");
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
        sweep_parse_axis(a, axis_defs[a].default_text, &job->axes[a], NULL, 0);
}

static bool is_all(const struct sweep_axis_values *list)
{
    return list->n == 1 && !strcmp(list->v[0].text, "all");
}

/* Whether axis is a CPU axis that axes use and that holds "all". */
static bool is_all_cpus(const struct job *job, unsigned axes, int axis)
{
    return axis_defs[axis].kind == SWEEP_KIND_CPU && (axes & AXIS_BIT(axis)) &&
           is_all(&job->axes[axis]);
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

/* Count the cases of group g, adding them to *grand_total: -E2BIG beyond max_cases. */
static int size_group(const struct job *job, const struct sweep_subst *subst, struct sweep_group *g,
                      size_t max_cases, size_t *grand_total)
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
        if (g->total > max_cases / g->count[a])
            return -E2BIG;
        g->total *= g->count[a];
    }
    if (g->total > max_cases - *grand_total)
        return -E2BIG;
    *grand_total += g->total;
    return 0;
}

/* Whether axis a of case c, idle at its value index k, was idle at an earlier value too (the
 * other axes as they are): that case was kept, and this one repeats it. An axis idle whatever
 * its value (sync's engine without importers) is kept at its first value; one idle at some
 * values only (alloc's threads at 1) at the first of those, wherever it is in the list. */
static bool idle_earlier(const struct bench_def *b, struct bench_case *c, int a, size_t k,
                         const struct sweep_group *g, const struct sweep_subst *subst,
                         const struct job *job)
{
    const struct sweep_value *mine = c->value[a];
    bool earlier = false;
    for (size_t j = 0; j < k && !earlier; j++) {
        if (g->own_values[a])
            c->value[a] = &g->own_values[a][j];
        else
            c->value[a] = subst->values[a] ? &subst->values[a][j] : &job->axes[a].v[j];
        earlier = (b->idle_axes(c) & AXIS_BIT(a)) != 0;
    }
    c->value[a] = mine;
    return earlier;
}

/* The group's cases into cases, in order; returns how many. A case whose benchmark calls some of
 * its axes idle (bench_def idle_axes) is kept once, at the first value of each, without them. */
static size_t fill_group(const struct job *job, const struct bench_def *b,
                         const struct sweep_subst *subst, const struct sweep_group *g,
                         struct bench_case *cases)
{
    size_t n = 0;
    for (size_t i = 0; i < g->total; i++) {
        struct bench_case *c = &cases[n];
        memset(c, 0, sizeof(*c));
        c->job = job;
        c->axes = g->axes;
        size_t rest = i, index[N_SWEEP_AXES]; /* mixed-radix digits of i, the last the fastest */
        for (int a = N_SWEEP_AXES - 1; a >= 0; a--) {
            if (!(g->axes & AXIS_BIT(a)))
                continue;
            size_t k = index[a] = rest % g->count[a];
            rest /= g->count[a];
            if (a == AXIS_KERNEL && g->kernel >= 0)
                c->value[a] = &job->axes[a].v[g->kernel];
            else if (g->own_values[a])
                c->value[a] = &g->own_values[a][k];
            else
                c->value[a] = subst->values[a] ? &subst->values[a][k] : &job->axes[a].v[k];
        }
        unsigned idle = b->idle_axes ? b->idle_axes(c) & g->axes : 0;
        bool repeat = false;
        for (int a = 0; a < N_SWEEP_AXES; a++) {
            if (!(idle & AXIS_BIT(a)))
                continue;
            repeat = repeat || idle_earlier(b, c, a, index[a], g, subst, job);
            c->value[a] = NULL;
        }
        if (repeat)
            continue;
        c->axes &= ~idle;
        sweep_case_id(c, c->id, sizeof(c->id));
        n++;
    }
    return n;
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

/* A job's groups and the counts of the values that stand in for "all", before any case
 * exists: what sweep_count adds up and sweep_expand fills in. */
struct sweep_plan {
    const struct bench_def *b;
    struct sweep_group *groups;
    size_t n_groups;
    struct sweep_subst subst;
    bool heaps_all;
    long cpus[SWEEP_MAX_VALUES];
    size_t n_cpus, n_heaps, n_own, total;
};

static void plan_free(struct sweep_plan *p)
{
    for (size_t g = 0; p->groups && g < p->n_groups; g++)
        for (int a = 0; a < N_SWEEP_AXES; a++)
            free(p->groups[g].own[a]);
    free(p->groups);
    p->groups = NULL;
}

/* -EINVAL, -E2BIG (more than max_cases), -ENOMEM; plan_free() in every case. */
static int plan_sweep(const struct job *job, size_t n_heap_names, size_t max_cases,
                      struct sweep_plan *p)
{
    memset(p, 0, sizeof(*p));
    const struct bench_def *b = p->b = bench_find(job->bench);
    unsigned axes = b ? b->axes : 0;
    if (!axes)
        return -EINVAL;
    p->heaps_all = (axes & AXIS_BIT(AXIS_HEAP)) && is_all(&job->axes[AXIS_HEAP]);
    bool cpus_all = false;
    for (int a = 0; a < N_SWEEP_AXES; a++)
        cpus_all = cpus_all || is_all_cpus(job, axes, a);
    p->n_cpus = cpus_all ? all_cpus(job, p->cpus, SWEEP_MAX_VALUES) : 0;
    p->n_heaps = p->heaps_all ? n_heap_names : 0;

    bool per_kernel = b->kernel_axes && (axes & AXIS_BIT(AXIS_KERNEL));
    p->n_groups = per_kernel ? job->axes[AXIS_KERNEL].n : 1;
    p->groups = calloc(p->n_groups ? p->n_groups : 1, sizeof(*p->groups));
    if (!p->groups)
        return -ENOMEM;
    /* The stand-in values sit after the cases in one block, so free(*out) frees everything;
     * their addresses are known only once the block exists, so the counts come first. */
    static const struct sweep_value placeholder;
    if (p->heaps_all) {
        p->subst.values[AXIS_HEAP] = &placeholder;
        p->subst.n[AXIS_HEAP] = p->n_heaps;
    }
    for (int a = 0; a < N_SWEEP_AXES; a++) {
        if (is_all_cpus(job, axes, a)) {
            p->subst.values[a] = &placeholder;
            p->subst.n[a] = p->n_cpus;
        }
    }
    int ret = 0;
    for (size_t g = 0; g < p->n_groups && !ret; g++) {
        struct sweep_group *grp = &p->groups[g];
        grp->kernel = per_kernel ? (long)g : -1;
        grp->axes = per_kernel ? axes & (b->kernel_axes(job->axes[AXIS_KERNEL].v[g].text) |
                                         AXIS_BIT(AXIS_HEAP) | AXIS_BIT(AXIS_KERNEL))
                               : axes;
        if (per_kernel && b->kernel_default)
            ret = own_defaults(job, b, grp, &p->n_own);
        if (!ret)
            ret = size_group(job, &p->subst, grp, max_cases, &p->total);
    }
    return ret;
}

int sweep_count(const struct job *job, size_t n_heap_names, size_t *n_out)
{
    struct sweep_plan p;
    int ret = plan_sweep(job, n_heap_names, SIZE_MAX, &p);
    plan_free(&p);
    *n_out = ret == -E2BIG ? SIZE_MAX : p.total;
    return ret == -E2BIG ? 0 : ret;
}

int sweep_expand(const struct job *job, const char *const *heap_names, size_t n_heap_names,
                 struct bench_case **out, size_t *n_out)
{
    struct sweep_plan p;
    int ret = plan_sweep(job, n_heap_names, SWEEP_MAX_CASES, &p);
    size_t total = p.total, n_heaps = p.n_heaps, n_cpus = p.n_cpus;
    struct bench_case *cases = NULL;
    if (!ret && !(cases = calloc(1, total * sizeof(*cases) + (n_heaps + n_cpus + p.n_own) *
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
        set_magnitude(AXIS_CPU, (uint64_t)p.cpus[i], &cpu_values[i]);
    struct sweep_value *own_values = cpu_values ? cpu_values + n_cpus : NULL;
    for (size_t g = 0; !ret && g < p.n_groups; g++) {
        for (int a = 0; a < N_SWEEP_AXES; a++) {
            if (!p.groups[g].own[a])
                continue;
            memcpy(own_values, p.groups[g].own[a]->v, p.groups[g].own[a]->n * sizeof(*own_values));
            p.groups[g].own_values[a] = own_values;
            own_values += p.groups[g].own[a]->n;
        }
    }
    if (!ret) {
        if (p.heaps_all)
            p.subst.values[AXIS_HEAP] = heaps;
        for (int a = 0; a < N_SWEEP_AXES; a++)
            if (p.subst.values[a] && axis_defs[a].kind == SWEEP_KIND_CPU)
                p.subst.values[a] = cpu_values;
        size_t first = 0;
        for (size_t g = 0; g < p.n_groups; g++)
            first += fill_group(job, p.b, &p.subst, &p.groups[g], cases + first);
        *out = cases;
        *n_out = first;
    } else {
        free(cases);
    }
    plan_free(&p);
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
        n = snprintf(out + used, out_len - used, "%s%s=%s", sep, axis_defs[a].key,
                     c->value[a] ? c->value[a]->text : "-");
        used += n > 0 ? (size_t)n : 0;
        sep = ";";
    }
}
