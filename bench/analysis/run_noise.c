/* bench/analysis/run_noise.c - PLACEHOLDER on branch i14-history only (see run_noise.h): a
 * run is disturbed when its load average at the end is above its CPUs. Peers are not looked
 * at; i14-noise's judge replaces this.
 */
#include "run_noise.h"

#include <stdio.h>
#include <stdlib.h>

void run_noise_judge(const struct result_set *const *sets, size_t n, bool *disturbed,
                     char (*reason)[HISTORY_REASON_MAX])
{
    for (size_t i = 0; i < n; i++) {
        double load = strtod(result_set_meta(sets[i], "after_loadavg_1"), NULL);
        double cpus = strtod(result_set_meta(sets[i], "cpu_pus"), NULL);
        disturbed[i] = cpus > 0 && load > cpus;
        reason[i][0] = '\0';
        if (disturbed[i])
            snprintf(reason[i], HISTORY_REASON_MAX, "load %.1f on %.0f CPUs", load, cpus);
    }
}
