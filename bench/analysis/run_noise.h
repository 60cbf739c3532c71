/* bench/analysis/run_noise.h - was a run disturbed? Judged from what its metadata.csv and
 * results.csv recorded, on its own and against its peers (the other runs of its board given).
 *
 * A regression seen only in a disturbed run is no evidence of a slower kernel: `compare` calls
 * it inconclusive, `history --gate` leaves such runs out of its baselines. Each rule below has
 * its threshold here and in README.md ("dmabench compare"). A key a set lacks (an older
 * dmabench) judges nothing: missing is never disturbed. Never prints.
 */
#ifndef DMABENCH_RUN_NOISE_H
#define DMABENCH_RUN_NOISE_H

#include <stdbool.h>
#include <stddef.h>

#include "history.h"
#include "result_set.h"

/* The rules, in the order a reason names them: id and when a run is disturbed. */
#define RUN_NOISE_RULES(X)                                                                         \
    X(LOAD, "the 1-minute load average before or after the run is above the CPUs the run used "    \
            "(metadata cpus_used; a set without it: cpu_pus, every CPU)")                          \
    X(STEAL, "the hypervisor stole more than 1% of the CPUs' time between the run's start and "    \
             "end (steal_percent, else before_/after_cpu_steal and _total)")                       \
    X(SETTING, "a cpufreq governor, scaling min or max frequency or boost setting other than "     \
               "the one most peers share (more than half of those that recorded it)")              \
    X(CLOCK, "with governor performance or userspace (the clock should hold still), the current "  \
             "frequency (the fastest policy's, the lower of before and after) more than 10% "      \
             "below the peers' median")                                                            \
    X(DURATION, "the run took more than 2x the median time per case of its peers that ran as "     \
                "many cases (start_time to end_time; resumed or unfinished runs are not timed)")   \
    X(FLAGGED, "more than 20% of the cases it measured carry results.csv's disturbed flag")

enum run_noise_rule {
#define RUN_NOISE_RULE_ENUM(id, rule) RUN_NOISE_##id,
    RUN_NOISE_RULES(RUN_NOISE_RULE_ENUM)
#undef RUN_NOISE_RULE_ENUM
            N_RUN_NOISE_RULES
};

extern const char *const run_noise_rule_texts[N_RUN_NOISE_RULES];

#define RUN_NOISE_STEAL_PERCENT  1.0  /* of all CPU time, as a case's steal sign */
#define RUN_NOISE_CLOCK_DROP     0.10 /* below the peers' median current frequency */
#define RUN_NOISE_DURATION_RATIO 2.0  /* x the peers' median time per case */
#define RUN_NOISE_FLAGGED_SHARE  0.20 /* of the measured cases */

/* The settings a run is held to its peers' majority on: id, metadata key, the word a reason
 * uses. */
#define RUN_NOISE_SETTINGS(X)                                                                      \
    X(GOVERNOR, "cpufreq_governor", "governor")                                                    \
    X(MIN_KHZ, "cpufreq_scaling_min_khz", "min frequency")                                         \
    X(MAX_KHZ, "cpufreq_scaling_max_khz", "max frequency")                                         \
    X(BOOST, "cpu_boost", "boost")

enum run_noise_setting {
#define RUN_NOISE_SETTING_ENUM(id, key, word) RUN_NOISE_SETTING_##id,
    RUN_NOISE_SETTINGS(RUN_NOISE_SETTING_ENUM)
#undef RUN_NOISE_SETTING_ENUM
            N_RUN_NOISE_SETTINGS
};

#define RUN_NOISE_SETTING_MAX 128 /* longer values are cut: only compared with each other */

/* What the judgement needs of one set, small enough to keep for a thousand runs after the set
 * itself is freed (history reads one set at a time). NAN, "" or false where unknown. */
struct run_noise_facts {
    double load;          /* the higher 1-minute load average, before or after */
    double cpus;          /* CPUs the run used: cpus_used */
    bool cpus_is_machine; /* cpus is cpu_pus: a set without cpus_used */
    double steal_percent;
    char setting[N_RUN_NOISE_SETTINGS][RUN_NOISE_SETTING_MAX];
    bool clock_holds;     /* every policy's governor is performance or userspace */
    double clock_khz;     /* the fastest policy's current frequency, lower of before/after */
    double case_seconds;  /* wall time per case */
    size_t cases;         /* cases in results.csv (each case's rows counted once) */
    size_t measured;      /* of those, cases with an ok row */
    size_t flagged;       /* of those, cases whose rows carry a disturbed flag */
    bool has_flag_column; /* results.csv has the disturbed column */
};

/* The facts of s (its metadata and rows). */
void run_noise_facts_read(const struct result_set *s, struct run_noise_facts *out);
/* Judge each of n runs of ONE board against the others: disturbed[i], and reason[i] why ("load
 * 3.10 on 2 CPUs; steal 4.2%"), "" when not disturbed. A run without peers (n == 1) is judged
 * on its own facts only (load, steal, flagged cases). */
void run_noise_judge_facts(const struct run_noise_facts *facts, size_t n, bool *disturbed,
                           char (*reason)[HISTORY_REASON_MAX]);
/* Judge each of n sets of ONE board against the others: disturbed + reason (why, in words a CI
 * user understands, e.g. "load 3.1 on 2 CPUs", "steal 4.2%", "governor powersave, peers
 * performance", "ran 3.4x its peers' median time per case"). run_noise_facts_read of each,
 * then run_noise_judge_facts. */
void run_noise_judge(const struct result_set *const *sets, size_t n, bool *disturbed,
                     char (*reason)[HISTORY_REASON_MAX]);

#endif
