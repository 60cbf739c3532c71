/* coherency/false_sharing.h - what two cores pay for writing different words of one line.
 *
 * Each of two bound threads increments its own counter. When both counters sit in one cache
 * line, every increment has to pull the line back from the other core (false sharing); when
 * each has its own line, increments stay in the core's cache. The ratio is the cost.
 */
#ifndef DMABENCH_FALSE_SHARING_H
#define DMABENCH_FALSE_SHARING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "thread_pair.h"

/* Where the counters go: both in the first line of mem, or line * FALSE_SHARING_APART apart
 * (more than one line, so that adjacent-line prefetchers do not pair them up either). */
#define FALSE_SHARING_APART 4
/* Bytes of memory false_sharing_measure needs. */
static inline size_t false_sharing_bytes(size_t line)
{
    return line * (FALSE_SHARING_APART + 1);
}

/* increments increments per thread on counters in one line (shared) or in lines apart (mem
 * line-aligned, false_sharing_bytes(line) long, overwritten). *ns_per_increment is the mean
 * over both threads. 0, or thread_pair_run's -errno. */
int false_sharing_measure(void *mem, size_t line, bool shared, const struct thread_pair *pair,
                          uint64_t increments, double *ns_per_increment);

#endif
