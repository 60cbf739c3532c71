/* bench/run_summary_replay.h - a resumed run's summary covers the whole run: the cases kept from
 * before --resume go back into it from their results.csv rows.
 *
 * The rows of a case are consecutive in results.csv (the writer writes a case at once); each
 * case's rows become the case_result the runner once gave, as far as the summary reads it
 * (status, every metric's statistics, repetitions and why they stopped, flags).
 */
#ifndef DMABENCH_RUN_SUMMARY_REPLAY_H
#define DMABENCH_RUN_SUMMARY_REPLAY_H

#include <stddef.h>

#include "run_summary.h"

/* The case of the run's sweep with this id, or NULL (then its rows are left out). */
typedef const struct bench_case *(*replay_find_case)(void *arg, const char *id);

/* Add every case of DIR/results.csv to s. 0, or -errno with "DIR/results.csv: reason" in err
 * (-ENOMEM, or what reading the file gave). */
int run_summary_replay(struct run_summary *s, int dirfd, const char *dir, replay_find_case find,
                       void *find_arg, char *err, size_t err_len);

#endif
