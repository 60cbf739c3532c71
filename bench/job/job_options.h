/* bench/job/job_options.h - the keys of a job (bench, size, reps ...), one syntax everywhere.
 *
 * A job file line "size = 4K..1M" and the option "--size 4K..1M" both end up in
 * job_apply_option(job, "size", "4K..1M"), so the two can never accept different things.
 */
#ifndef DMABENCH_JOB_OPTIONS_H
#define DMABENCH_JOB_OPTIONS_H

#include <stddef.h>

#include "sweep.h"

/* Set one key of job: bench, an axis (heap, size ...: bench/job/sweep_axes.h), reps
 * (N, or auto: reps_auto with reps 6 as the minimum), time-budget (seconds, > 0, "s" optional),
 * counters ("default", "none" or event names), cpus ("0-3,6", or all). On error the job is
 * unchanged and err holds one line that starts with the key ("size: '4Q' is not a size") or
 * names it ("unknown key 'szie' (did you mean 'size'?)"). Returns 0, -ENOENT (unknown key),
 * -EINVAL or -E2BIG (more values than an axis holds). */
int job_apply_option(struct job *job, const char *key, const char *value, char *err,
                     size_t err_len);
/* The first axis that job's benchmark does not use but that holds something other than its
 * default (threads = 4 on an alloc job, which would silently do nothing), or -1. */
int job_unused_axis(const struct job *job);
/* Ready to expand: a known bench and job_unused_axis() == -1. 0, or -EINVAL with a reason
 * ("job 'x' has no bench", "threads: the alloc benchmark does not use threads"). */
int job_check(const struct job *job, char *err, size_t err_len);
/* The candidate nearest to word, for "did you mean": within 2 edits (Levenshtein) and fewer
 * edits than word has characters; NULL when none is that close. */
const char *job_suggest(const char *word, const char *const *candidates, size_t n);

#endif
