/* clock/timing.h - the clock every sample is timed with.
 *
 * CLOCK_MONOTONIC_RAW everywhere, or a cycle counter (x86 invariant TSC, arm64 cntvct_el0)
 * calibrated against it when that is cheaper and finer; the choice and the resolution go into
 * the run metadata so that a figure can always be traced to how it was timed. It sits below
 * heaps/, coherency/ and workloads/ because the coherency probes time events inside their own
 * threads (a line's round trip, a fence's wake-up) with the same clock the harness reads.
 */
#ifndef DMABENCH_TIMING_H
#define DMABENCH_TIMING_H

#include <stdint.h>

/* Pick and calibrate the clock (about 20 ms, once per process; later calls return at once).
 * Thread-safe; every function below calls it first if nobody has. DMABENCH_CLOCK=auto (or
 * unset), monotonic_raw, tsc or cntvct forces a choice; one this machine cannot use falls
 * back to clock_monotonic_raw, and timing_source_detail() says why. */
void timing_init(void);
/* Now, in ticks of the chosen clock. Cheap: inline-able cost of one counter read or vDSO call.
 * Ordered: work before the call has finished when the counter is read (rdtscp / lfence, isb). */
uint64_t timing_now(void);
double timing_ticks_to_ns(uint64_t ticks);
/* Smallest measurable interval in ns (median of successive distinct readings). */
double timing_resolution_ns(void);
/* What one timing_now() costs, in ns (best of several runs of back-to-back reads). */
double timing_read_cost_ns(void);
/* "clock_monotonic_raw", "tsc", "cntvct_el0": a stable name for CSV and metadata. */
const char *timing_source(void);
/* One line for the run metadata and for people: why this clock, how it was read and
 * calibrated, and when a forced or preferred clock was not usable, why not ("DMABENCH_CLOCK=
 * cntvct: no cntvct_el0 on x86_64; fell back to clock_monotonic_raw"). */
const char *timing_source_detail(void);
/* Ticks per second of the chosen clock (1e9 for clock_gettime). */
double timing_ticks_per_second(void);

#endif
