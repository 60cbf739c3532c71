/* bench/analysis/run_noise.h - PLACEHOLDER on branch i14-history only, until i14-noise's
 * run_noise.[ch] land on main: the agreed API (COMMON14.md) over a crude stand-in, so that
 * `dmabench history` builds and its tests run. It is deleted when main has the real one.
 */
#ifndef DMABENCH_RUN_NOISE_H
#define DMABENCH_RUN_NOISE_H

#include <stdbool.h>
#include <stddef.h>

#include "history.h"
#include "result_set.h"

void run_noise_judge(const struct result_set *const *sets, size_t n, bool *disturbed,
                     char (*reason)[HISTORY_REASON_MAX]);

#endif
