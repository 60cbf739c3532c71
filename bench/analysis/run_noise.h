/* bench/analysis/run_noise.h - PLACEHOLDER on branch i14-history only, until i14-noise's
 * run_noise.[ch] land on main: the API history uses (run_noise_facts_read, then
 * run_noise_judge_facts, as i14-noise's branch has them) over a crude stand-in, so that
 * `dmabench history` builds and its tests run. It is deleted when main has the real one.
 */
#ifndef DMABENCH_RUN_NOISE_H
#define DMABENCH_RUN_NOISE_H

#include <stdbool.h>
#include <stddef.h>

#include "history.h"
#include "result_set.h"

struct run_noise_facts {
    double load; /* after_loadavg_1 */
    double cpus; /* cpu_pus */
};

void run_noise_facts_read(const struct result_set *s, struct run_noise_facts *out);
void run_noise_judge_facts(const struct run_noise_facts *facts, size_t n, bool *disturbed,
                           char (*reason)[HISTORY_REASON_MAX]);
void run_noise_judge(const struct result_set *const *sets, size_t n, bool *disturbed,
                     char (*reason)[HISTORY_REASON_MAX]);

#endif
