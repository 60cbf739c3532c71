/* bench/measure/counters.c - per-thread perf_event counters bracketing each timed region.
 *
 * Events are opened enabled and only read at start and stop: a read costs one syscall per
 * group and leaves the PMU schedule alone, where ioctl enable/disable would reshuffle it. The
 * differences are scaled by time_enabled / time_running so multiplexed groups still add up.
 */
#include "counters.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "counters_probe.h"

static const char *const default_events[] = {
        "perf::cycles",
        "perf::instructions",
        "perf::cache-references",
        "perf::cache-misses",
        "perf::L1-dcache-load-misses",
        "perf::LLC-load-misses",
        "perf::dTLB-load-misses",
        "perf::task-clock",
        "perf::page-faults",
        "perf::context-switches",
};

#define N_DEFAULT_EVENTS (sizeof(default_events) / sizeof(default_events[0]))

/* A group read (PERF_FORMAT_GROUP): nr, time_enabled, time_running, then one value each. */
#define READ_FORMAT                                                                                \
    (PERF_FORMAT_GROUP | PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING)

void counters_spec_default(struct counter_spec *out)
{
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < N_DEFAULT_EVENTS; i++)
        snprintf(out->names[out->n++], COUNTER_NAME_MAX, "%s", default_events[i]);
}

static const char *const unit_names[] = {
#define COUNTER_UNIT_NAME(id, name) [COUNTER_UNIT_##id] = name,
        COUNTER_UNITS(COUNTER_UNIT_NAME)
#undef COUNTER_UNIT_NAME
};

const char *counter_unit_name(enum counter_unit unit)
{
    return (unsigned)unit < N_COUNTER_UNITS ? unit_names[unit] : NULL;
}

enum counter_unit counter_unit_of(const char *name)
{
    struct perf_event_attr attr;
    if (counter_encode(name, &attr) == 0 && attr.type == PERF_TYPE_SOFTWARE &&
        (attr.config == PERF_COUNT_SW_TASK_CLOCK || attr.config == PERF_COUNT_SW_CPU_CLOCK))
        return COUNTER_UNIT_NS;
    return COUNTER_UNIT_EVENTS;
}

/* The fields that decide what the kernel counts: two names encoding to the same are one event
 * counted twice ("perf::cycles" and "perf::cpu-cycles"). */
static int same_event(const struct perf_event_attr *a, const struct perf_event_attr *b)
{
    return a->type == b->type && a->config == b->config && a->config1 == b->config1 &&
           a->config2 == b->config2 && a->exclude_user == b->exclude_user &&
           a->exclude_kernel == b->exclude_kernel && a->exclude_hv == b->exclude_hv;
}

static int spec_add(struct counter_spec *out, struct perf_event_attr *attrs, const char *name,
                    size_t len, char *err, size_t err_len)
{
    if (len == 0) {
        snprintf(err, err_len, "empty event name in the list");
        return -EINVAL;
    }
    if (len >= COUNTER_NAME_MAX) {
        snprintf(err, err_len, "event name '%.*s' is longer than %d characters", (int)len, name,
                 COUNTER_NAME_MAX - 1);
        return -ENAMETOOLONG;
    }
    if (out->n == COUNTERS_MAX) {
        snprintf(err, err_len, "at most %d events can be counted", COUNTERS_MAX);
        return -E2BIG;
    }
    char *slot = out->names[out->n];
    memcpy(slot, name, len);
    slot[len] = '\0';
    int ret = counter_encode(slot, &attrs[out->n]);
    if (ret == -ENODEV) {
        snprintf(err, err_len, "cannot check event '%s': libpfm4 failed to initialise", slot);
        return ret;
    }
    if (ret) {
        snprintf(err, err_len, "unknown event '%s'", slot);
        return -EINVAL;
    }
    for (size_t i = 0; i < out->n; i++) {
        if (!strcmp(out->names[i], slot)) {
            snprintf(err, err_len, "duplicate event '%s'", slot);
            return -EINVAL;
        }
        if (same_event(&attrs[i], &attrs[out->n])) {
            snprintf(err, err_len, "duplicate event '%s' (the same as '%s')", slot, out->names[i]);
            return -EINVAL;
        }
    }
    out->n++;
    return 0;
}

int counters_spec_parse(const char *text, struct counter_spec *out, char *err, size_t err_len)
{
    struct perf_event_attr attrs[COUNTERS_MAX];
    memset(out, 0, sizeof(*out));
    if (!text) {
        snprintf(err, err_len, "no counter list");
        return -EINVAL;
    }
    if (!strcmp(text, "default")) {
        counters_spec_default(out);
        return 0;
    }
    if (!strcmp(text, "none"))
        return 0;
    const char *p = text;
    for (;;) {
        size_t len = strcspn(p, ",");
        size_t lead = strspn(p, " \t");
        if (lead > len)
            lead = len;
        size_t n = len - lead;
        while (n > 0 && (p[lead + n - 1] == ' ' || p[lead + n - 1] == '\t'))
            n--;
        int ret = spec_add(out, attrs, p + lead, n, err, err_len);
        if (ret) {
            memset(out, 0, sizeof(*out));
            return ret;
        }
        if (p[len] == '\0')
            return 0;
        p += len + 1;
    }
}

/* The core PMU takes generic, cache and raw events alike; any other PMU only its own. */
static uint32_t group_pmu(const struct perf_event_attr *attr)
{
    return attr->type == PERF_TYPE_HW_CACHE || attr->type == PERF_TYPE_RAW ? PERF_TYPE_HARDWARE
                                                                           : attr->type;
}

/* Software events raised from kernel context (the scheduler's): counting user space only,
 * they stay at 0 whatever happens, which would read as a measurement. */
static int counts_only_in_kernel(const struct perf_event_attr *attr)
{
    return attr->type == PERF_TYPE_SOFTWARE && (attr->config == PERF_COUNT_SW_CONTEXT_SWITCHES ||
                                                attr->config == PERF_COUNT_SW_CPU_MIGRATIONS ||
                                                attr->config == PERF_COUNT_SW_CGROUP_SWITCHES);
}

static bool group_software;

void counters_group_software_for_tests(bool on)
{
    group_software = on;
}

static int open_one(struct counter_thread *t, size_t i, struct perf_event_attr *attr, int leader)
{
    bool fell_back;
    attr->disabled = 0;
    attr->inherit = 0;
    attr->read_format = READ_FORMAT;
    int fd = counter_open_attr(attr, leader >= 0 ? t->fd[leader] : -1, &fell_back);
    if (fd >= 0 && fell_back && counts_only_in_kernel(attr)) {
        close(fd);
        fd = -EACCES;
    }
    if (fd < 0)
        return fd;
    t->fd[i] = fd;
    t->leader[i] = leader >= 0 ? leader : (int)i;
    t->user_only[i] = attr->exclude_kernel && !attr->exclude_user;
    return 0;
}

int counter_thread_open(struct counter_thread *t, const struct counter_spec *spec)
{
    memset(t, 0, sizeof(*t));
    for (size_t i = 0; i < COUNTERS_MAX; i++)
        t->fd[i] = t->leader[i] = -1;
    if (spec->n > COUNTERS_MAX)
        return -EINVAL;
    t->n = spec->n;
    int leader = -1; /* the open group new hardware events join */
    size_t members = 0;
    uint32_t leader_pmu = 0;
    for (size_t i = 0; i < t->n; i++) {
        struct perf_event_attr attr;
        int ret = counter_encode(spec->names[i], &attr);
        if (ret) {
            t->err[i] = ret;
            continue;
        }
        /* Events of a PMU go in groups; software and tracepoint events stand alone: they never
         * compete for PMU counters, and grouped with task-clock or cpu-clock (PMUs of their
         * own) fault events were seen to read 0 (Linux 6.18). */
        if (!counter_attr_is_hardware(&attr) && !group_software) {
            t->err[i] = open_one(t, i, &attr, -1);
            continue;
        }
        /* open_one may switch the copy to user-only; the retry starts from the encoding. */
        struct perf_event_attr member = attr;
        int joins = leader >= 0 && members < COUNTER_GROUP_MAX && group_pmu(&attr) == leader_pmu;
        ret = joins ? open_one(t, i, &member, leader) : -1;
        if (ret) {
            /* A member the group cannot take (full PMU, other PMU) may still count alone,
             * multiplexed: it starts the next group. */
            ret = open_one(t, i, &attr, -1);
            if (ret == 0) {
                leader = (int)i;
                members = 0;
                leader_pmu = group_pmu(&attr);
            }
        }
        if (ret == 0)
            members++;
        t->err[i] = ret;
    }
    return 0;
}

/* One read of leader's group; fills value/enabled/running of each member. 0 or -errno. */
static int read_group(struct counter_thread *t, size_t leader, uint64_t *value, uint64_t *enabled,
                      uint64_t *running)
{
    uint64_t buf[3 + COUNTERS_MAX];
    ssize_t got = read(t->fd[leader], buf, sizeof(buf));
    if (got < 0)
        return -errno;
    size_t k = 0;
    for (size_t i = leader; i < t->n; i++) {
        if (t->leader[i] != (int)leader)
            continue;
        /* Members come back in the order they joined, which is index order. */
        if ((size_t)got < (3 + k + 1) * sizeof(uint64_t) || k >= buf[0])
            return -EIO;
        value[i] = buf[3 + k++];
        enabled[i] = buf[1];
        running[i] = buf[2];
    }
    return k == buf[0] ? 0 : -EIO;
}

/* A group that cannot be read is taken out of this thread's counting, with its error. */
static void drop_group(struct counter_thread *t, size_t leader, int err)
{
    for (size_t i = leader; i < t->n; i++)
        if (t->leader[i] == (int)leader) {
            t->err[i] = err;
            t->leader[i] = -1;
        }
}

void counter_thread_start(struct counter_thread *t)
{
    for (size_t i = 0; i < t->n; i++) {
        if (t->leader[i] != (int)i)
            continue;
        int ret = read_group(t, i, t->value0, t->enabled0, t->running0);
        if (ret)
            drop_group(t, i, ret);
    }
    t->started = true;
}

static void atomic_add_double(double *target, double add)
{
    double old, sum;
    __atomic_load(target, &old, __ATOMIC_RELAXED);
    do {
        sum = old + add;
    } while (!__atomic_compare_exchange(target, &old, &sum, true, __ATOMIC_RELAXED,
                                        __ATOMIC_RELAXED));
}

static void add_event(struct counter_totals *totals, size_t i, uint64_t value, uint64_t enabled,
                      uint64_t running)
{
    /* Scaling assumes the event counted at the same rate while it was switched out; with no
     * running time at all there is nothing to scale, and the ratio shows it. */
    double scaled = running ? (double)value * ((double)enabled / (double)running) : 0.0;
    atomic_add_double(&totals->value[i], scaled);
    atomic_add_double(&totals->enabled_ns[i], (double)enabled);
    atomic_add_double(&totals->running_ns[i], (double)running);
}

void counter_thread_stop(struct counter_thread *t, struct counter_totals *totals)
{
    uint64_t value[COUNTERS_MAX], enabled[COUNTERS_MAX], running[COUNTERS_MAX];
    for (size_t i = 0; i < t->n && t->started; i++) {
        if (t->leader[i] != (int)i)
            continue;
        int ret = read_group(t, i, value, enabled, running);
        if (ret) {
            drop_group(t, i, ret);
            continue;
        }
        for (size_t j = i; j < t->n && j < totals->n; j++)
            if (t->leader[j] == (int)i)
                add_event(totals, j, value[j] - t->value0[j], enabled[j] - t->enabled0[j],
                          running[j] - t->running0[j]);
    }
    for (size_t i = 0; i < t->n && i < totals->n; i++) {
        int none = 0;
        if (t->err[i])
            __atomic_compare_exchange_n(&totals->err[i], &none, t->err[i], false, __ATOMIC_RELAXED,
                                        __ATOMIC_RELAXED);
        if (t->user_only[i])
            __atomic_store_n(&totals->user_only[i], true, __ATOMIC_RELAXED);
    }
    t->started = false;
}

void counter_thread_close(struct counter_thread *t)
{
    /* Members first: closing a leader before its members would turn them into singletons. */
    for (size_t i = t->n; i-- > 0;) {
        if (t->fd[i] >= 0)
            close(t->fd[i]);
        t->fd[i] = t->leader[i] = -1;
    }
    t->started = false;
}

void counter_totals_init(struct counter_totals *totals, const struct counter_spec *spec)
{
    memset(totals, 0, sizeof(*totals));
    totals->n = spec->n < COUNTERS_MAX ? spec->n : COUNTERS_MAX;
}

double counter_totals_running_ratio(const struct counter_totals *totals, size_t i)
{
    if (i >= totals->n || totals->enabled_ns[i] <= 0)
        return NAN;
    return totals->running_ns[i] / totals->enabled_ns[i];
}
