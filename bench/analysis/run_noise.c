/* bench/analysis/run_noise.c - PLACEHOLDER on branch i14-history only (see run_noise.h): a
 * run is disturbed when its load average at the end is above its CPUs. Peers are not looked
 * at; i14-noise's judge replaces this.
 */
#include "run_noise.h"

#include <stdio.h>
#include <stdlib.h>

void run_noise_facts_read(const struct result_set *s, struct run_noise_facts *out)
{
    out->load = strtod(result_set_meta(s, "after_loadavg_1"), NULL);
    out->cpus = strtod(result_set_meta(s, "cpu_pus"), NULL);
}

void run_noise_judge_facts(const struct run_noise_facts *facts, size_t n, bool *disturbed,
                           char (*reason)[HISTORY_REASON_MAX])
{
    for (size_t i = 0; i < n; i++) {
        disturbed[i] = facts[i].cpus > 0 && facts[i].load > facts[i].cpus;
        reason[i][0] = '\0';
        if (disturbed[i])
            snprintf(reason[i], HISTORY_REASON_MAX, "load %.2f on %.0f CPUs", facts[i].load,
                     facts[i].cpus);
    }
}

void run_noise_judge(const struct result_set *const *sets, size_t n, bool *disturbed,
                     char (*reason)[HISTORY_REASON_MAX])
{
    struct run_noise_facts *facts = calloc(n ? n : 1, sizeof(*facts));
    if (!facts)
        return;
    for (size_t i = 0; i < n; i++)
        run_noise_facts_read(sets[i], &facts[i]);
    run_noise_judge_facts(facts, n, disturbed, reason);
    free(facts);
}
