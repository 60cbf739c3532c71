/* bench/measure/plausibility.h - the physical rules a case's figures must obey; what breaks them.
 *
 * A shared cache line cannot be cheaper to write than lines of their own; data further away
 * than L1 cannot stream faster than the fastest L1-sized case of the same run; no load is
 * faster than an L1 hit; a cache line crosses between cores in well under a microsecond. A
 * case that breaks one is flagged in its rows (results.csv `implausible`, or `disturbed` for a
 * figure that shows the threads were not running), and is kept. The rules are one table
 * (PLAUSIBILITY_RULES), listed in results/README.md.
 */
#ifndef DMABENCH_PLAUSIBILITY_H
#define DMABENCH_PLAUSIBILITY_H

#include <stdbool.h>
#include <stddef.h>

#include "runner.h"
#include "sweep.h"

enum plausibility_column {
    PLAUSIBILITY_IMPLAUSIBLE, /* the figure is impossible: results.csv implausible */
    PLAUSIBILITY_DISTURBED,   /* the figure shows the measurement was disturbed */
};

/* id, the column a broken rule goes to, its name, the rule. */
#define PLAUSIBILITY_RULES(X)                                                                      \
    X(FALSE_SHARING_BELOW_1X, PLAUSIBILITY_IMPLAUSIBLE, "false-sharing cost below 1x",             \
      "coherency false_sharing_cost median below 0.95: two cores writing one line cannot be "      \
      "faster than each writing its own")                                                          \
    X(BANDWIDTH_ABOVE_L1, PLAUSIBILITY_IMPLAUSIBLE, "bandwidth above L1",                          \
      "cpu bandwidth per thread above 1.1x the highest per-thread bandwidth of an L1-sized cpu "   \
      "case earlier in the run")                                                                   \
    X(LATENCY_BELOW_L1_HIT, PLAUSIBILITY_IMPLAUSIBLE, "latency below an L1 hit",                   \
      "cpu chase latency or coherency c2c_latency median below an L1 hit: the run's L1-sized "     \
      "chase / 1.1 once measured, and never below one cycle of the top clock or 0.5 ns")           \
    X(C2C_ABOVE_1US, PLAUSIBILITY_DISTURBED, "c2c latency above 1 us",                             \
      "coherency c2c_latency median above 1000 ns: no interconnect takes that long to move a "     \
      "line, the two threads were not both running")

enum plausibility_rule {
#define PLAUSIBILITY_RULE_ENUM(id, column, name, rule) PLAUSIBILITY_##id,
    PLAUSIBILITY_RULES(PLAUSIBILITY_RULE_ENUM)
#undef PLAUSIBILITY_RULE_ENUM
            N_PLAUSIBILITY_RULES
};

extern const enum plausibility_column plausibility_rule_columns[N_PLAUSIBILITY_RULES];
extern const char *const plausibility_rule_names[N_PLAUSIBILITY_RULES];
extern const char *const plausibility_rule_texts[N_PLAUSIBILITY_RULES];

#define PLAUSIBILITY_FALSE_SHARING_MIN 0.95 /* a ratio of two medians: noise, SMT siblings */
#define PLAUSIBILITY_L1_MARGIN         1.10 /* clock changes and noise between two cases */
#define PLAUSIBILITY_L1_FLOOR_NS       0.5  /* 3 cycles at 6 GHz: below any core's L1 hit */
#define PLAUSIBILITY_C2C_MAX_NS        1000.0
#define PLAUSIBILITY_L1D_FALLBACK      (32u << 10) /* when hwloc does not know the L1d */

/* One case as the rules see it. */
enum plausibility_kind {
    PLAUSIBILITY_NONE, /* no rule applies */
    PLAUSIBILITY_CPU_BANDWIDTH,
    PLAUSIBILITY_CPU_LATENCY,
    PLAUSIBILITY_C2C_LATENCY,
    PLAUSIBILITY_FALSE_SHARING,
};

struct plausibility_case {
    enum plausibility_kind kind;
    double value;       /* the median: bytes/s per thread, ns, or the ratio */
    size_t working_set; /* cpu: bytes each thread touches (a copy touches two buffers) */
    bool cached;        /* cpu: the heap's mapping is cached, so L1-sized data sit in L1 */
};

/* What the run has learnt so far, from clean cases only (neither disturbed nor implausible). */
struct plausibility_run {
    size_t l1d_bytes;    /* one L1 data cache */
    double l1_floor_ns;  /* no L1 hit is faster than this */
    double l1_bandwidth; /* highest per-thread bandwidth of an L1-sized case; NAN: none */
    double l1_chase_ns;  /* lowest latency of an L1-sized chase; NAN: none */
};

/* A run's state on a machine whose L1 data cache holds l1d_bytes (0: unknown) and whose
 * fastest CPU runs at most max_hz (0: unknown). */
void plausibility_run_init(struct plausibility_run *s, size_t l1d_bytes, double max_hz);
/* The same from this machine: hwloc's L1d, cpufreq's highest cpuinfo_max_freq. */
void plausibility_run_init_here(struct plausibility_run *s);
/* The case as the rules see it: the figure its benchmark names (bench_def.plausibility), r's
 * median of it (per thread for a bandwidth), whether the heap's mapping is cached. kind is
 * PLAUSIBILITY_NONE when no rule is about the case or it has no median. */
void plausibility_case_of(const struct bench_case *c, const struct case_result *r, bool cached,
                          struct plausibility_case *out);
/* Which rule c breaks, given what s knows: its id, or -1; the reason (the figure and the bound)
 * in reason. */
int plausibility_check(const struct plausibility_run *s, const struct plausibility_case *c,
                       char *reason, size_t reason_len);
/* Take what c teaches (an L1-sized bandwidth or chase); the caller passes clean cases only. */
void plausibility_learn(struct plausibility_run *s, const struct plausibility_case *c);
/* Check c, put a broken rule's reason into r's implausible or disturbed column (after what is
 * already there), and learn from c if r stays clean. The rule's id, or -1. */
int plausibility_apply(struct plausibility_run *s, const struct plausibility_case *c,
                       struct case_result *r);

#endif
