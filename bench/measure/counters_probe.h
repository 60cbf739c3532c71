/* bench/measure/counters_probe.h - can this process read hardware and software counters here,
 * and if not, why not?
 *
 * libpfm4 names the events, perf_event_open decides: a VM without a virtual PMU, a kernel with
 * perf_event_paranoid too high, or a PMU libpfm4 does not know all look different, and
 * `dmabench list` (and each event's reason in the results) must say which one this machine is.
 */
#ifndef DMABENCH_COUNTERS_PROBE_H
#define DMABENCH_COUNTERS_PROBE_H

#include <stdbool.h>
#include <stddef.h>

struct perf_event_attr;

#define COUNTERS_PARANOID_UNKNOWN (-100)

struct counters_probe {
    bool pfm_ok;         /* libpfm4 initialised */
    int pfm_err;         /* PFM_ERR_* when !pfm_ok */
    char core_pmus[128]; /* libpfm4 core PMUs detected here, comma separated, "" if none */
    int hw_err;          /* 0, or -errno of opening perf::cycles */
    int sw_err;          /* 0, or -errno of opening perf::task-clock */
    bool user_only;      /* perf::task-clock opened for user space only (perf_event_paranoid) */
    int paranoid;        /* perf_event_paranoid, or COUNTERS_PARANOID_UNKNOWN */
};

/* Whether attr counts on a PMU (core hardware, cache, raw, or a PMU of its own type) rather
 * than in the kernel's software (software and tracepoint events). */
bool counter_attr_is_hardware(const struct perf_event_attr *attr);
/* Encode an event name ("perf::cycles", "arm_ac53::L1D_CACHE_REFILL") for this process,
 * counting user and kernel time. Returns 0 or -EINVAL (unknown name) / -ENODEV (no libpfm4). */
int counter_encode(const char *name, struct perf_event_attr *attr);
/* Open attr for the calling thread (pid 0, any CPU), in the group of group_fd (-1: alone).
 * When perf_event_paranoid forbids counting the kernel, retries for user space only and sets
 * *fell_back. Returns the fd, or -errno (of the retry, when there was one). */
int counter_open_attr(struct perf_event_attr *attr, int group_fd, bool *fell_back);
/* Open and close the named event on this thread: 0 or -errno from perf_event_open. */
int counter_try_open(const char *name);
/* /proc/sys/kernel/perf_event_paranoid, or COUNTERS_PARANOID_UNKNOWN. */
int counters_read_paranoid(void);
void counters_probe_run(struct counters_probe *out);
/* Why event `name` could not be counted, for its err: "no hardware PMU (perf_event_open(
 * perf::cycles): No such file or directory)", "not permitted (perf_event_paranoid=2, ...)",
 * "unknown to libpfm4 (...)". The name tells a hardware event from a software one (ENOENT
 * means "no PMU" for one, "not in this kernel" for the other) and libpfm4's EINVAL from the
 * kernel's. May open perf::cycles once to tell "no PMU" from "this PMU lacks the event". */
const char *counter_error_reason(const char *name, int err, char *out, size_t out_len);
/* "no hardware PMU (perf_event_open(perf::cycles): No such file or directory)" etc. */
const char *counters_hw_reason(const struct counters_probe *probe, char *out, size_t out_len);

#endif
