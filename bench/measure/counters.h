/* bench/measure/counters.h - hardware and software counters around each sample, per thread.
 *
 * libpfm4 turns event names (generic "perf::cycles" or raw "arm_ac53::L1D_CACHE_REFILL") into
 * perf_event_attr; each benchmark thread opens its own events for itself and brackets its
 * timed region with start/stop, and the harness sums the threads. An event that cannot be opened
 * keeps its errno, its values stay empty, and the run goes on (counters_probe.h's
 * counter_error_reason says why).
 */
#ifndef DMABENCH_COUNTERS_H
#define DMABENCH_COUNTERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define COUNTERS_MAX     16
#define COUNTER_NAME_MAX 64
/* Hardware events per group: a group must fit the PMU at once or it never counts, and small
 * cores (Cortex-A53: 6 counters, x86 with SMT: 4) leave no more room than this. */
#define COUNTER_GROUP_MAX 4

/* What a counter's value counts: occurrences for most events, nanoseconds for perf's clocks
 * (task-clock, cpu-clock). A counter's rows are this per unit of the benchmark's work
 * ("events/byte", "ns/buffer"). */
#define COUNTER_UNITS(X)                                                                           \
    X(EVENTS, "events")                                                                            \
    X(NS, "ns")

enum counter_unit {
#define COUNTER_UNIT_ENUM(id, name) COUNTER_UNIT_##id,
    COUNTER_UNITS(COUNTER_UNIT_ENUM)
#undef COUNTER_UNIT_ENUM
            N_COUNTER_UNITS
};

/* "events", "ns"; NULL out of range. */
const char *counter_unit_name(enum counter_unit unit);
/* The unit of event `name` by what libpfm4 encodes it to: COUNTER_UNIT_NS for the software
 * clocks, COUNTER_UNIT_EVENTS for every other event (and for a name libpfm4 does not know). */
enum counter_unit counter_unit_of(const char *name);

/* Which events to count. */
struct counter_spec {
    size_t n;
    char names[COUNTERS_MAX][COUNTER_NAME_MAX];
};

/* "default" (portable set below), "none", or a comma-separated list of libpfm4 event names.
 * Names are checked with libpfm4 here: an unknown name is an error (-EINVAL, reason in err);
 * so is a name given twice, or two names for the same event (-EINVAL), more than COUNTERS_MAX
 * names (-E2BIG) or a name of COUNTER_NAME_MAX characters or more (-ENAMETOOLONG). An event the
 * machine cannot count is not an error here (that shows when it is opened). */
int counters_spec_parse(const char *text, struct counter_spec *out, char *err, size_t err_len);
/* The default set: cycles, instructions, cache references and misses, L1D and LLC load misses,
 * dTLB load misses (hardware), task-clock, page faults, context switches (software). Generic
 * perf:: names only: libpfm4 4.13 has no tables for many Arm cores (A55, A72, A76). */
void counters_spec_default(struct counter_spec *out);

/* One thread's events for one case. Hardware events are opened in groups (scheduled together,
 * at most COUNTER_GROUP_MAX per group so they fit a small PMU); software events stand alone.
 * Events count from open to close; start and stop only read them. */
struct counter_thread {
    size_t n;
    int fd[COUNTERS_MAX];         /* -1 when not open */
    int err[COUNTERS_MAX];        /* 0, or the -errno perf_event_open (or libpfm4) gave */
    int leader[COUNTERS_MAX];     /* event whose group read carries this one; -1 if not open */
    bool user_only[COUNTERS_MAX]; /* counts user space only (perf_event_paranoid, or :u) */
    bool started;                 /* start read the values below */
    uint64_t value0[COUNTERS_MAX], enabled0[COUNTERS_MAX], running0[COUNTERS_MAX];
};

/* Counts summed over threads and samples; one slot per event of the spec. */
struct counter_totals {
    size_t n;
    double value[COUNTERS_MAX];      /* scaled by time_enabled / time_running */
    double enabled_ns[COUNTERS_MAX]; /* summed time the event was enabled */
    double running_ns[COUNTERS_MAX]; /* summed time it was really counting (multiplexing) */
    int err[COUNTERS_MAX];           /* first error seen for this event, 0 if none */
    bool user_only[COUNTERS_MAX];    /* some thread counted user space only */
};

/* Open spec's events for the calling thread (pid 0, any CPU). Never fails for an event the
 * machine lacks: its err is set. Returns 0, or -EINVAL for a spec of more than COUNTERS_MAX. */
int counter_thread_open(struct counter_thread *t, const struct counter_spec *spec);
/* Read the starting values; call right before the timed region. */
void counter_thread_start(struct counter_thread *t);
/* Read again and add the scaled differences to *totals (thread-safe: uses atomics). Events
 * that failed give their err to totals instead. Without a start before it, adds nothing. */
void counter_thread_stop(struct counter_thread *t, struct counter_totals *totals);
void counter_thread_close(struct counter_thread *t);
void counter_totals_init(struct counter_totals *totals, const struct counter_spec *spec);
/* running / enabled for event i (1.0 = counted the whole time), NAN when never enabled. */
double counter_totals_running_ratio(const struct counter_totals *totals, size_t i);

/* Tests only: group software events as if they were hardware, so that group reads (several
 * events per read, members that fail to join) are exercised on a machine without a PMU. Set
 * before any thread opens events. */
void counters_group_software_for_tests(bool on);

#endif
