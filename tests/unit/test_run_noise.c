/* tests/unit/test_run_noise.c - run_noise on result sets planted in a temp dir: each rule
 * (load above the CPUs used, steal, a setting or clock unlike the peers', a run far longer per
 * case, many flagged cases) marks the run it should and only that one, at its threshold; a run
 * alone is judged on its own metadata; missing keys judge nothing.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "result_fixture.h"
#include "result_set.h"
#include "run_noise.h"

#define MAX_SETS 6

static char tmpdir[64];

/* A quiet run of 10 cases: 2 CPUs used, load 0.5, no steal, governor performance at 2.4 GHz,
 * 100 s from start to end. */
static const char quiet[] = "cpus_used,2\ncpu_pus,4\nbefore_loadavg_1,0.50\nafter_loadavg_1,0.40\n"
                            "steal_percent,0.00\ncpufreq_governor,policy0-3=performance\n"
                            "cpufreq_scaling_min_khz,policy0-3=800000\n"
                            "cpufreq_scaling_max_khz,policy0-3=2400000\n"
                            "cpu_boost,on (cpufreq/boost=1)\n"
                            "before_cpufreq_cur_khz,policy0-3=2400000\n"
                            "after_cpufreq_cur_khz,policy0-3=2400000\n"
                            "start_time,2026-01-01T00:00:00.000Z\n"
                            "end_time,2026-01-01T00:01:40.000Z\n";

/* Set number i: metadata.csv from "key,value" lines (the first of a key wins, so edits go
 * before quiet), results.csv with cases cases of two rows each (a measurement and a counter),
 * the first flagged of them disturbed. Returns the set, loaded. */
static struct result_set *plant(int i, const char *meta, size_t cases, size_t flagged)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/%d", tmpdir, i);
    assert_int_equal(mkdir(path, 0755), 0);
    snprintf(path, sizeof(path), "%s/%d/metadata.csv", tmpdir, i);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("schema_version,key,value\n", f);
    /* metadata.csv holds a key once: the later ones are dropped. */
    char seen[64][48];
    size_t n_seen = 0;
    for (const char *line = meta; *line;) {
        size_t len = strcspn(line, "\n"), key = strcspn(line, ",");
        bool again = false;
        for (size_t k = 0; k < n_seen && !again; k++)
            again = strlen(seen[k]) == key && !strncmp(seen[k], line, key);
        if (!again) {
            assert_true(n_seen < 64 && key < sizeof(seen[0]));
            snprintf(seen[n_seen++], sizeof(seen[0]), "%.*s", (int)key, line);
            fprintf(f, "3,%.*s\n", (int)len, line);
        }
        line += len + (line[len] == '\n');
    }
    assert_int_equal(fclose(f), 0);
    snprintf(path, sizeof(path), "%s/%d/results.csv", tmpdir, i);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("case_id,bench,heap,metric,unit,better,median,status,disturbed\n", f);
    for (size_t c = 0; c < cases; c++) {
        const char *flag = c < flagged ? "run-queue wait: 40% of the case" : "";
        fprintf(f, "c%zu,cpu,h,bandwidth,bytes/s,higher,1,ok,%s\n", c, flag);
        fprintf(f, "c%zu,cpu,h,perf::task-clock,ns/byte,lower,1,ok,%s\n", c, flag);
    }
    assert_int_equal(fclose(f), 0);
    snprintf(path, sizeof(path), "%s/%d", tmpdir, i);
    return result_fixture_load(path);
}

struct judged {
    struct result_set *sets[MAX_SETS];
    size_t n;
    bool disturbed[MAX_SETS];
    char reason[MAX_SETS][HISTORY_REASON_MAX];
};

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/dmabench-noise-XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd);
}

/* Plant n sets (meta[i] before quiet, 10 cases, flagged[i] of them flagged; NULL meta: quiet
 * alone) and judge them. */
static void judge(struct judged *j, size_t n, const char *const *meta, const size_t *flagged)
{
    memset(j, 0, sizeof(*j));
    j->n = n;
    for (size_t i = 0; i < n; i++) {
        char text[4096];
        snprintf(text, sizeof(text), "%s%s", meta && meta[i] ? meta[i] : "", quiet);
        j->sets[i] = plant((int)i, text, 10, flagged ? flagged[i] : 0);
    }
    run_noise_judge((const struct result_set *const *)j->sets, n, j->disturbed, j->reason);
}

static void unjudge(struct judged *j)
{
    for (size_t i = 0; i < j->n; i++) {
        result_set_free(j->sets[i]);
        char cmd[160];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s/%zu'", tmpdir, i);
        assert_int_equal(system(cmd), 0);
    }
}

/* Exactly the runs in want are disturbed, each with its reason. */
static void expect(const struct judged *j, const char *const *want)
{
    for (size_t i = 0; i < j->n; i++) {
        if (!want[i]) {
            if (j->disturbed[i] || j->reason[i][0])
                fail_msg("run %zu: disturbed: %s", i, j->reason[i]);
            continue;
        }
        if (!j->disturbed[i])
            fail_msg("run %zu: not disturbed, want '%s'", i, want[i]);
        if (strcmp(j->reason[i], want[i]))
            fail_msg("run %zu: reason '%s', want '%s'", i, j->reason[i], want[i]);
    }
}

/* judge, expect want, and remove the sets. */
static void check(size_t n, const char *const *meta, const size_t *flagged, const char *const *want)
{
    struct judged j;
    judge(&j, n, meta, flagged);
    expect(&j, want);
    unjudge(&j);
}

static void test_quiet_runs_are_not_disturbed(void **state)
{
    (void)state;
    check(3, NULL, NULL, (const char *[]){NULL, NULL, NULL});
}

static void test_load_above_the_cpus_used(void **state)
{
    (void)state;
    /* The higher of before and after; at the CPUs' count exactly is not above it. */
    check(3, (const char *[]){"after_loadavg_1,3.10\n", "before_loadavg_1,2.00\n", NULL}, NULL,
          (const char *[]){"load 3.10 on 2 CPUs", NULL, NULL});
    /* An older set without cpus_used: against every CPU of the machine (cpu_pus 4). */
    check(2,
          (const char *[]){"cpus_used,unknown\nafter_loadavg_1,3.10\n",
                           "cpus_used,unknown\nafter_loadavg_1,4.20\n"},
          NULL, (const char *[]){NULL, "load 4.20 on the machine's 4 CPUs"});
    /* Without any load figure: not judged. */
    check(1, (const char *[]){"before_loadavg_1,unknown\nafter_loadavg_1,unknown\ncpus_used,1\n"},
          NULL, (const char *[]){NULL});
}

static void test_steal_above_threshold(void **state)
{
    (void)state;
    check(3, (const char *[]){"steal_percent,4.20\n", "steal_percent,1.00\n", NULL}, NULL,
          (const char *[]){"steal 4.2%", NULL, NULL});
    /* No steal_percent (a run killed before its end): from the jiffies, 50 of 1000. */
    check(1,
          (const char *[]){"steal_percent,unknown\nbefore_cpu_steal,0\nafter_cpu_steal,50\n"
                           "before_cpu_total,1000\nafter_cpu_total,2000\n"},
          NULL, (const char *[]){"steal 5.0%"});
}

static void test_settings_unlike_the_peers_majority(void **state)
{
    (void)state;
    check(4,
          (const char *[]){NULL, "cpufreq_governor,policy0-3=powersave\n", NULL,
                           "cpu_boost,off (cpufreq/boost=0)\n"},
          NULL,
          (const char *[]){NULL, "governor policy0-3=powersave, peers policy0-3=performance", NULL,
                           "boost off (cpufreq/boost=0), peers on (cpufreq/boost=1)"});
    /* Two runs: each one's peer is the other, so a changed max frequency marks both. */
    check(2, (const char *[]){"cpufreq_scaling_max_khz,policy0-3=1800000\n", NULL}, NULL,
          (const char *[]){"max frequency policy0-3=1800000, peers policy0-3=2400000",
                           "max frequency policy0-3=2400000, peers policy0-3=1800000"});
    /* No majority among the peers that know it (one each), or the run's own value unknown:
     * nothing to hold a run to. */
    check(4,
          (const char *[]){"cpufreq_governor,policy0-3=schedutil\n",
                           "cpufreq_governor,policy0-3=powersave\n",
                           "cpufreq_governor,policy0-3=ondemand\n", "cpufreq_governor,unknown\n"},
          NULL, (const char *[]){NULL, NULL, NULL, NULL});
}

static void test_clock_below_the_peers(void **state)
{
    (void)state;
    /* The lower of before and after (1.8 GHz at the end: throttled); 2.2 GHz is within 10%. */
    check(4,
          (const char *[]){"after_cpufreq_cur_khz,policy0-3=1800000\n",
                           "after_cpufreq_cur_khz,policy0-3=2200000\n", NULL, NULL},
          NULL, (const char *[]){"clock 1.80 GHz, peers 2.40 GHz", NULL, NULL, NULL});
    /* schedutil moves the clock by design: not judged, on any run. */
    const char *sched = "cpufreq_governor,policy0-3=schedutil\n";
    char slow[256];
    snprintf(slow, sizeof(slow), "%safter_cpufreq_cur_khz,policy0-3=800000\n", sched);
    check(3, (const char *[]){slow, sched, sched}, NULL, (const char *[]){NULL, NULL, NULL});
}

static void test_run_far_longer_than_its_peers(void **state)
{
    (void)state;
    /* 340 s for 10 cases against 100 s; 190 s is under 2x. */
    check(4,
          (const char *[]){"end_time,2026-01-01T00:05:40.000Z\n",
                           "end_time,2026-01-01T00:03:10.000Z\n", NULL, NULL},
          NULL, (const char *[]){"ran 3.4x its peers' median time per case", NULL, NULL, NULL});
    /* A resumed run's span holds its pause; an unfinished one has no end: neither is timed. */
    check(3,
          (const char *[]){"end_time,2026-01-01T01:00:00.000Z\nresumes,1\n", "end_time,\n", NULL},
          NULL, (const char *[]){NULL, NULL, NULL});
}

/* Facts kept without their sets (as history keeps them): another job's runs (a different
 * number of cases) say nothing of a run's time per case; the same job's do. */
static void test_duration_peers_ran_as_many_cases(void **state)
{
    (void)state;
    struct run_noise_facts f[3];
    for (int i = 0; i < 3; i++) {
        f[i] = (struct run_noise_facts){.load = NAN,
                                        .cpus = NAN,
                                        .steal_percent = NAN,
                                        .clock_khz = NAN,
                                        .cases = 6,
                                        .case_seconds = 16.75};
    }
    f[0].cases = 1;
    f[0].case_seconds = 100.5; /* 6x the others per case, but a one-case job */
    bool disturbed[3];
    char reason[3][HISTORY_REASON_MAX];
    run_noise_judge_facts(f, 3, disturbed, reason);
    for (int i = 0; i < 3; i++)
        assert_false(disturbed[i]);
    f[0].cases = 6;
    run_noise_judge_facts(f, 3, disturbed, reason);
    assert_true(disturbed[0]);
    assert_string_equal(reason[0], "ran 6.0x its peers' median time per case");
    assert_false(disturbed[1] || disturbed[2]);
}

static void test_many_flagged_cases(void **state)
{
    (void)state;
    /* 3 of 10 cases is above 20%; 2 of 10 is not. Each case has two rows, counted once. */
    check(3, NULL, (const size_t[]){3, 2, 0},
          (const char *[]){"3 of 10 cases flagged disturbed", NULL, NULL});
}

static void test_reasons_add_up(void **state)
{
    (void)state;
    check(2, (const char *[]){"after_loadavg_1,3.10\nsteal_percent,2.50\n", NULL},
          (const size_t[]){5, 0},
          (const char *[]){"load 3.10 on 2 CPUs; steal 2.5%; 5 of 10 cases flagged disturbed",
                           NULL});
}

/* Alone, a run is held to its own figures: load, steal and flags, never to peers it lacks. */
static void test_a_run_alone(void **state)
{
    (void)state;
    check(1, (const char *[]){"end_time,2026-01-02T00:00:00.000Z\n"}, NULL, (const char *[]){NULL});
    check(1, (const char *[]){"after_loadavg_1,2.50\n"}, (const size_t[]){4},
          (const char *[]){"load 2.50 on 2 CPUs; 4 of 10 cases flagged disturbed"});
}

/* A set of an older dmabench (no load, steal, cpufreq or time keys, no disturbed column) beside
 * a quiet one: nothing judges it, nor its peer by it. */
static void test_missing_keys_judge_nothing(void **state)
{
    (void)state;
    struct result_set *sets[2];
    sets[0] = result_fixture_load("tests/data/compare/v1-base");
    sets[1] = result_fixture_load("tests/data/compare/base");
    bool disturbed[2] = {true, true};
    char reason[2][HISTORY_REASON_MAX] = {"x", "x"};
    run_noise_judge((const struct result_set *const *)sets, 2, disturbed, reason);
    assert_false(disturbed[0]);
    assert_false(disturbed[1]);
    assert_string_equal(reason[0], "");
    assert_string_equal(reason[1], "");
    struct run_noise_facts f;
    run_noise_facts_read(sets[0], &f);
    assert_true(isnan(f.load));
    assert_true(isnan(f.steal_percent));
    assert_false(f.has_flag_column);
    assert_true(f.cases > 0);
    for (int i = 0; i < 2; i++)
        result_set_free(sets[i]);
}

static void test_facts_of_a_set(void **state)
{
    (void)state;
    char text[4096];
    snprintf(text, sizeof(text), "%s%s",
             "cpufreq_governor,policy0-1=performance;policy2-3=userspace\n"
             "before_cpufreq_cur_khz,policy0-1=1800000;policy2-3=2400000\n"
             "after_cpufreq_cur_khz,policy0-1=2000000;policy2-3=2300000\n",
             quiet);
    struct result_set *s = plant(0, text, 10, 1);
    struct run_noise_facts f;
    run_noise_facts_read(s, &f);
    result_set_free(s);
    assert_true(f.clock_holds);
    assert_true(f.clock_khz == 2300000); /* the fastest policy, the lower of before and after */
    assert_true(f.load == 0.5);
    assert_true(f.cpus == 2);
    assert_false(f.cpus_is_machine);
    assert_int_equal(f.cases, 10);
    assert_int_equal(f.measured, 10);
    assert_int_equal(f.flagged, 1);
    assert_true(fabs(f.case_seconds - 10) < 1e-9);
    assert_string_equal(f.setting[RUN_NOISE_SETTING_GOVERNOR],
                        "policy0-1=performance;policy2-3=userspace");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup_teardown(test_quiet_runs_are_not_disturbed, setup, teardown),
            cmocka_unit_test_setup_teardown(test_load_above_the_cpus_used, setup, teardown),
            cmocka_unit_test_setup_teardown(test_steal_above_threshold, setup, teardown),
            cmocka_unit_test_setup_teardown(test_settings_unlike_the_peers_majority, setup,
                                            teardown),
            cmocka_unit_test_setup_teardown(test_clock_below_the_peers, setup, teardown),
            cmocka_unit_test_setup_teardown(test_run_far_longer_than_its_peers, setup, teardown),
            cmocka_unit_test(test_duration_peers_ran_as_many_cases),
            cmocka_unit_test_setup_teardown(test_many_flagged_cases, setup, teardown),
            cmocka_unit_test_setup_teardown(test_reasons_add_up, setup, teardown),
            cmocka_unit_test_setup_teardown(test_a_run_alone, setup, teardown),
            cmocka_unit_test(test_missing_keys_judge_nothing),
            cmocka_unit_test_setup_teardown(test_facts_of_a_set, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
