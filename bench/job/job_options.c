/* bench/job/job_options.c - sets a job's keys from text, for job files and the command line alike.
 *
 * Axis keys go to sweep_parse_axis; the job-level keys (bench, reps, time-budget, counters,
 * cpus) are checked here. A key that is not one gets a "did you mean" from the known keys.
 */
#include "job_options.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Keys that are not axes; the axes' keys come from sweep_axis_key(). */
static const char *const job_level_keys[] = {"bench", "reps", "time-budget", "counters", "cpus"};
#define N_JOB_LEVEL_KEYS (sizeof(job_level_keys) / sizeof(job_level_keys[0]))
#define N_KEYS           (N_SWEEP_AXES + N_JOB_LEVEL_KEYS)
#define REPS_MAX         100000
#define REPS_AUTO_MIN    6 /* the fewest samples that give a 95% CI of the median */

/* Levenshtein distance with two rows; words longer than the rows are simply "far". */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    enum { MAX_WORD = 48 };
    if (la > MAX_WORD || lb > MAX_WORD)
        return (size_t)-1;
    size_t row[MAX_WORD + 1], prev[MAX_WORD + 1];
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t del = prev[j] + 1, ins = row[j - 1] + 1;
            size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            row[j] = del < ins ? del : ins;
            if (sub < row[j])
                row[j] = sub;
        }
        memcpy(prev, row, sizeof(row));
    }
    return prev[lb];
}

const char *job_suggest(const char *word, const char *const *candidates, size_t n)
{
    const char *best = NULL;
    size_t best_d = 3;
    for (size_t i = 0; i < n; i++) {
        size_t d = edit_distance(word, candidates[i]);
        if (d < best_d && d < strlen(word)) {
            best = candidates[i];
            best_d = d;
        }
    }
    return best;
}

/* "alloc, cpu" or "bench, heap, ..." for messages. */
static void join_names(const char *const *names, size_t n, char *out, size_t out_len)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && used < out_len; i++) {
        int k = snprintf(out + used, out_len - used, "%s%s", i ? ", " : "", names[i]);
        used += k > 0 ? (size_t)k : 0;
    }
}

/* "unknown WHAT 'word' (did you mean 'x'?)", or with the whole list when nothing is close. */
static int unknown_name(const char *what, const char *word, const char *const *names, size_t n,
                        int ret, char *err, size_t err_len)
{
    const char *near = job_suggest(word, names, n);
    if (near) {
        snprintf(err, err_len, "unknown %s '%s' (did you mean '%s'?)", what, word, near);
    } else {
        char list[256];
        join_names(names, n, list, sizeof(list));
        snprintf(err, err_len, "unknown %s '%s' (known: %s)", what, word, list);
    }
    return ret;
}

static int set_bench(struct job *job, const char *value, char *err, size_t err_len)
{
    if (sweep_bench_axes(value)) {
        snprintf(job->bench, sizeof(job->bench), "%s", value);
        return 0;
    }
    const char *names[16];
    size_t n = 0;
    while (n < 16 && (names[n] = sweep_bench_name(n)))
        n++;
    char reason[192];
    unknown_name("benchmark", value, names, n, -EINVAL, reason, sizeof(reason));
    snprintf(err, err_len, "bench: %s", reason);
    return -EINVAL;
}

static int set_reps(struct job *job, const char *value, char *err, size_t err_len)
{
    if (!strcmp(value, "auto")) {
        job->reps_auto = true;
        job->reps = REPS_AUTO_MIN;
        return 0;
    }
    char *end;
    errno = 0;
    long reps = isdigit((unsigned char)value[0]) ? strtol(value, &end, 10) : 0;
    if (reps < 1 || reps > REPS_MAX || errno || *end) {
        snprintf(err, err_len, "reps: '%s' is neither auto nor a count from 1 to %d", value,
                 REPS_MAX);
        return -EINVAL;
    }
    job->reps_auto = false;
    job->reps = (unsigned)reps;
    return 0;
}

static int set_time_budget(struct job *job, const char *value, char *err, size_t err_len)
{
    char *end = NULL;
    double s = isdigit((unsigned char)value[0]) || value[0] == '.' ? strtod(value, &end) : NAN;
    if (end && *end == 's')
        end++;
    if (!end || *end || !isfinite(s) || s <= 0 || s > 86400) {
        snprintf(err, err_len,
                 "time-budget: '%s' is not a number of seconds above 0 (at most 86400)", value);
        return -EINVAL;
    }
    job->time_budget_s = s;
    return 0;
}

/* Splits a comma-separated list into out as "a,b,c" with the blanks around items removed;
 * each item must pass ok(). */
static int canonical_list(const char *key, const char *value, bool (*ok)(const char *item),
                          const char *what, char *out, size_t out_len, char *err, size_t err_len)
{
    char buf[512];
    if (strlen(value) >= sizeof(buf)) {
        snprintf(err, err_len, "%s: the list is longer than %zu characters", key, sizeof(buf) - 1);
        return -EINVAL;
    }
    snprintf(buf, sizeof(buf), "%s", value);
    size_t used = 0;
    out[0] = '\0';
    /* strtok_r would skip empty items silently; strsep keeps them so they can be refused. */
    char *rest = buf;
    for (char *item; (item = strsep(&rest, ","));) {
        while (*item == ' ' || *item == '\t')
            item++;
        size_t len = strlen(item);
        while (len && (item[len - 1] == ' ' || item[len - 1] == '\t'))
            item[--len] = '\0';
        if (!len || !ok(item)) {
            snprintf(err, err_len, "%s: '%s' is not %s", key, item, what);
            return -EINVAL;
        }
        int k = snprintf(out + used, out_len - used, "%s%s", used ? "," : "", item);
        if (k < 0 || (size_t)k >= out_len - used) {
            snprintf(err, err_len, "%s: the list is longer than %zu characters", key, out_len - 1);
            return -EINVAL;
        }
        used += (size_t)k;
    }
    return 0;
}

/* A libpfm4 / perf event name ("perf::cycles", "INST_RETIRED:ANY_P", "r0011:u") or a set
 * name; the counters module decides later whether this machine has it. */
static bool is_event_name(const char *item)
{
    for (const char *p = item; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("_.:=+/@-", *p))
            return false;
    return true;
}

static int set_counters(struct job *job, const char *value, char *err, size_t err_len)
{
    char list[sizeof(job->counters)];
    int ret = canonical_list("counters", value, is_event_name,
                             "an event name (default, none, or libpfm4/perf event names)", list,
                             sizeof(list), err, err_len);
    if (ret)
        return ret;
    /* Counting nothing and counting events at once is a contradiction, not a union. */
    char framed[sizeof(list) + 2];
    snprintf(framed, sizeof(framed), ",%s,", list);
    if (strcmp(list, "none") && strstr(framed, ",none,")) {
        snprintf(err, err_len, "counters: none cannot be listed with events");
        return -EINVAL;
    }
    memcpy(job->counters, list, sizeof(list));
    return 0;
}

/* "N" or "N-M" with N <= M < 4096, as in /sys/devices/system/cpu/online. */
static bool is_cpu_range(const char *item)
{
    char *end;
    if (!isdigit((unsigned char)item[0]))
        return false;
    long first = strtol(item, &end, 10), last = first;
    if (*end == '-') {
        if (!isdigit((unsigned char)end[1]))
            return false;
        last = strtol(end + 1, &end, 10);
    }
    return !*end && first <= last && last < 4096;
}

static int set_cpus(struct job *job, const char *value, char *err, size_t err_len)
{
    if (!strcmp(value, "all") || !value[0]) {
        job->cpus[0] = '\0';
        return 0;
    }
    char list[sizeof(job->cpus)];
    int ret = canonical_list("cpus", value, is_cpu_range, "a CPU or CPU range (0-3,6), nor all",
                             list, sizeof(list), err, err_len);
    if (!ret)
        memcpy(job->cpus, list, sizeof(list));
    return ret;
}

int job_apply_option(struct job *job, const char *key, const char *value, char *err, size_t err_len)
{
    int axis = sweep_axis_from_key(key);
    if (axis >= 0) {
        char reason[192];
        int ret = sweep_parse_axis(axis, value, &job->axes[axis], reason, sizeof(reason));
        if (ret)
            snprintf(err, err_len, "%s: %s", key, reason);
        else
            job->axes_set |= 1u << axis;
        return ret;
    }
    if (!strcmp(key, "bench"))
        return set_bench(job, value, err, err_len);
    if (!strcmp(key, "reps"))
        return set_reps(job, value, err, err_len);
    if (!strcmp(key, "time-budget"))
        return set_time_budget(job, value, err, err_len);
    if (!strcmp(key, "counters"))
        return set_counters(job, value, err, err_len);
    if (!strcmp(key, "cpus"))
        return set_cpus(job, value, err, err_len);
    const char *keys[N_KEYS];
    for (int a = 0; a < N_SWEEP_AXES; a++)
        keys[a] = sweep_axis_option(a);
    for (size_t i = 0; i < N_JOB_LEVEL_KEYS; i++)
        keys[N_SWEEP_AXES + i] = job_level_keys[i];
    return unknown_name("key", key, keys, N_KEYS, -ENOENT, err, err_len);
}

int job_unused_axis(const struct job *job)
{
    unsigned axes = sweep_bench_axes(job->bench);
    for (int a = 0; a < N_SWEEP_AXES; a++) {
        const struct sweep_axis_values *list = &job->axes[a];
        if (!(axes & (1u << a)) && (list->n != 1 || strcmp(list->v[0].text, sweep_axis_default(a))))
            return a;
    }
    return -1;
}

int job_check(const struct job *job, char *err, size_t err_len)
{
    if (!job->bench[0]) {
        snprintf(err, err_len, "job '%s' has no bench", job->name);
        return -EINVAL;
    }
    if (!sweep_bench_axes(job->bench)) {
        snprintf(err, err_len, "job '%s': unknown benchmark '%s'", job->name, job->bench);
        return -EINVAL;
    }
    int axis = job_unused_axis(job);
    if (axis >= 0) {
        snprintf(err, err_len, "%s: the %s benchmark does not use %s", sweep_axis_key(axis),
                 job->bench, sweep_axis_key(axis));
        return -EINVAL;
    }
    return 0;
}
