/* tests/unit/test_timing.c - the benchmark clock: every choice this machine offers is timed.
 *
 * timing_init runs once per process, so each DMABENCH_CLOCK choice is checked in a fresh copy
 * of this binary (re-executed with --clock-child): it times a sleep and compares against
 * CLOCK_MONOTONIC_RAW and reports its source. Bounds are loose enough for a loaded 2-core VM
 * (best of several tries) and still catch a clock that is wrong by more than a few percent.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "sample_sizing.h"
#include "timing.h"

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void sleep_ns(long ns)
{
    struct timespec t = {.tv_sec = ns / 1000000000L, .tv_nsec = ns % 1000000000L};
    while (nanosleep(&t, &t) != 0 && errno == EINTR)
        ;
}

/* --- checks shared by the in-process tests and the per-clock children ------------------------
 * Each returns NULL when fine, else what went wrong (in a static buffer). */

static char why[256];
static const char *self_path = "test_timing"; /* argv[0] */

static const char *check_monotonic(void)
{
    uint64_t prev = timing_now();
    for (int i = 0; i < 200000; i++) {
        uint64_t now = timing_now();
        if (now < prev) {
            snprintf(why, sizeof(why), "went backwards: %llu after %llu", (unsigned long long)now,
                     (unsigned long long)prev);
            return why;
        }
        prev = now;
    }
    uint64_t before = timing_now();
    sleep_ns(1000000);
    if (timing_now() <= before)
        return "did not advance across a 1 ms sleep";
    return NULL;
}

/* A 10 ms sleep measures 9.5 ms .. 50 ms: the shortest of three tries, since a busy machine
 * only ever makes a sleep longer, never shorter. */
static const char *check_sleep_10ms(void)
{
    double best = INFINITY;
    for (int i = 0; i < 3; i++) {
        uint64_t t0 = timing_now();
        sleep_ns(10000000);
        double ns = timing_ticks_to_ns(timing_now() - t0);
        if (ns < best)
            best = ns;
    }
    if (!(best >= 9.5e6 && best <= 50e6)) {
        snprintf(why, sizeof(why), "a 10 ms sleep measured %.3f ms", best / 1e6);
        return why;
    }
    return NULL;
}

/* Over the same ~20 ms, the clock and CLOCK_MONOTONIC_RAW agree within 2%: a calibration
 * error would show here even inside the sleep bounds above. Best of five tries. */
static const char *check_agrees_with_monotonic_raw(void)
{
    double best = INFINITY;
    for (int i = 0; i < 5; i++) {
        uint64_t m0 = mono_ns(), t0 = timing_now();
        sleep_ns(20000000);
        uint64_t t1 = timing_now(), m1 = mono_ns();
        double rel = fabs(timing_ticks_to_ns(t1 - t0) - (double)(m1 - m0)) / (double)(m1 - m0);
        if (rel < best)
            best = rel;
    }
    if (!(best < 0.02)) {
        snprintf(why, sizeof(why), "differs from CLOCK_MONOTONIC_RAW by %.2f%%", best * 100);
        return why;
    }
    return NULL;
}

static const char *check_figures(void)
{
    double res = timing_resolution_ns(), cost = timing_read_cost_ns();
    double hz = timing_ticks_per_second();
    if (!(res > 0 && res < 1e6)) {
        snprintf(why, sizeof(why), "resolution %g ns", res);
        return why;
    }
    /* A read is a counter access or a vDSO call; even a trapping syscall stays far below. */
    if (!(cost > 0 && cost < 1e5)) {
        snprintf(why, sizeof(why), "read cost %g ns", cost);
        return why;
    }
    if (!strcmp(timing_source(), "clock_monotonic_raw") ? hz != 1e9 : !(hz >= 1e6 && hz <= 1e10)) {
        snprintf(why, sizeof(why), "%g ticks/s for %s", hz, timing_source());
        return why;
    }
    if (!timing_source_detail()[0])
        return "no detail";
    return NULL;
}

/* Threads that all start by reading the clock must agree on it (pthread_once). */
static void *first_touch(void *arg)
{
    (void)timing_now();
    *(const char **)arg = timing_source();
    return NULL;
}

static const char *check_concurrent_first_use(void)
{
    pthread_t t[4];
    const char *seen[4];
    for (int i = 0; i < 4; i++)
        if (pthread_create(&t[i], NULL, first_touch, &seen[i]))
            return "pthread_create failed";
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    for (int i = 1; i < 4; i++)
        if (seen[i] != seen[0])
            return "threads saw different clocks";
    return NULL;
}

/* The child: a fresh process, so timing_init honours DMABENCH_CLOCK. Prints the source and the
 * detail on two lines; any failed check goes to stderr and makes the exit status 1. */
static int clock_child(void)
{
    const char *(*const checks[])(void) = {check_concurrent_first_use, check_monotonic,
                                           check_sleep_10ms, check_agrees_with_monotonic_raw,
                                           check_figures};
    int failed = 0;
    for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
        const char *err = checks[i]();
        if (err) {
            fprintf(stderr, "clock %s: %s\n", timing_source(), err);
            failed = 1;
        }
    }
    printf("%s\n%s\n", timing_source(), timing_source_detail());
    fprintf(stderr, "  DMABENCH_CLOCK=%s: %s, resolution %.1f ns, read %.1f ns: %s\n",
            getenv("DMABENCH_CLOCK") ? getenv("DMABENCH_CLOCK") : "(unset)", timing_source(),
            timing_resolution_ns(), timing_read_cost_ns(), timing_source_detail());
    return failed;
}

/* Run this binary as a clock child with DMABENCH_CLOCK=choice (NULL: unset). */
static void run_clock_child(const char *choice, char *source, size_t source_len, char *detail,
                            size_t detail_len)
{
    int out[2];
    assert_int_equal(pipe(out), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(out[1], STDOUT_FILENO);
        close(out[0]);
        close(out[1]);
        if (choice)
            setenv("DMABENCH_CLOCK", choice, 1);
        else
            unsetenv("DMABENCH_CLOCK");
        execl("/proc/self/exe", self_path, "--clock-child", (char *)NULL);
        execl(self_path, self_path, "--clock-child", (char *)NULL); /* no /proc */
        _exit(127);
    }
    close(out[1]);
    FILE *f = fdopen(out[0], "r");
    assert_non_null(f);
    source[0] = detail[0] = '\0';
    if (fgets(source, (int)source_len, f))
        source[strcspn(source, "\n")] = '\0';
    if (fgets(detail, (int)detail_len, f))
        detail[strcspn(detail, "\n")] = '\0';
    fclose(f);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("DMABENCH_CLOCK=%s: the child failed (status 0x%x): %s", choice ? choice : "",
                 status, detail);
}

#if defined(__x86_64__)
/* Whether the kernel considers the TSC invariant: its own reading of the same CPUID bit,
 * from /proc/cpuinfo, so that the expectation does not come from the code under test. */
static bool kernel_says_invariant_tsc(void)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[4096];
    bool constant = false, nonstop = false;
    if (!f)
        return false;
    while (fgets(line, sizeof(line), f)) {
        if (strncmp(line, "flags", 5) != 0)
            continue;
        constant = strstr(line, " constant_tsc") != NULL;
        nonstop = strstr(line, " nonstop_tsc") != NULL;
        break;
    }
    fclose(f);
    return constant && nonstop;
}
#endif

static void test_each_clock_choice(void **state)
{
    (void)state;
    char source[64], detail[512];
#if defined(__x86_64__)
    const char *native = "tsc", *foreign = "cntvct";
    bool native_expected = kernel_says_invariant_tsc();
#elif defined(__aarch64__)
    const char *native = "cntvct", *foreign = "tsc";
    bool native_expected = true;
#else
    const char *native = NULL, *foreign = "tsc";
    bool native_expected = false;
#endif
    const char *native_name = native && !strcmp(native, "tsc") ? "tsc" : "cntvct_el0";

    run_clock_child("monotonic_raw", source, sizeof(source), detail, sizeof(detail));
    assert_string_equal(source, "clock_monotonic_raw");

    /* A clock this architecture does not have: monotonic_raw, and the detail says so. */
    run_clock_child(foreign, source, sizeof(source), detail, sizeof(detail));
    assert_string_equal(source, "clock_monotonic_raw");
    assert_non_null(strstr(detail, "fell back"));
    assert_non_null(strstr(detail, foreign));

    run_clock_child("sundial", source, sizeof(source), detail, sizeof(detail));
    assert_string_equal(source, "clock_monotonic_raw");
    assert_non_null(strstr(detail, "sundial"));

    if (!native)
        return;
    /* Forced: the native counter whenever the kernel trusts it; else the detail says why not. */
    run_clock_child(native, source, sizeof(source), detail, sizeof(detail));
    if (native_expected)
        assert_string_equal(source, native_name);
    else if (strcmp(source, native_name) != 0)
        assert_non_null(strstr(detail, "fell back"));
    /* Automatic: the native counter too, unless it is coarser than CLOCK_MONOTONIC_RAW (as in
     * an emulator), and then the detail says so. */
    run_clock_child(NULL, source, sizeof(source), detail, sizeof(detail));
    bool explained = strstr(detail, "clock_monotonic_raw is finer") ||
                     (!native_expected && strstr(detail, "fell back"));
    if (strcmp(source, native_name) != 0 && !explained)
        fail_msg("automatic choice %s: %s", source, detail);
}

/* --- in this process, with whatever clock the environment picks ------------------------------ */

static void expect_ok(const char *err)
{
    if (err)
        fail_msg("clock %s (%s): %s", timing_source(), timing_source_detail(), err);
}

static void test_monotonic(void **state)
{
    (void)state;
    expect_ok(check_monotonic());
}

static void test_sleep_measures_right(void **state)
{
    (void)state;
    expect_ok(check_sleep_10ms());
    expect_ok(check_agrees_with_monotonic_raw());
}

static void test_resolution_and_cost(void **state)
{
    (void)state;
    expect_ok(check_figures());
    /* Once per process: a second init changes nothing. */
    const char *source = timing_source();
    double res = timing_resolution_ns();
    timing_init();
    assert_ptr_equal(timing_source(), source);
    assert_true(timing_resolution_ns() == res);
}

static void test_inner_loops(void **state)
{
    (void)state;
    double floor_ns = 1000 * timing_resolution_ns();
    /* A sample floor far above 1000x the resolution (< 1 ms, checked above): 1 s / 1 us. */
    assert_int_equal(sample_sizing_inner_loops(1000, 1e9), 1000000);
    assert_int_equal(sample_sizing_inner_loops(3, 1e9), 333333334); /* rounded up: 1e9 / 3 */
    assert_int_equal(sample_sizing_inner_loops(1e9, 1e9), 1);
    /* Longer than the sample floor: one repetition is enough. */
    assert_int_equal(sample_sizing_inner_loops(5e9, 1e9), 1);
    /* Without a floor of its own the resolution decides: loops * op >= 1000 x resolution, and
     * one loop fewer would not be. */
    uint64_t loops = sample_sizing_inner_loops(0.7, 0);
    assert_true((double)loops * 0.7 >= floor_ns);
    assert_true((double)(loops - 1) * 0.7 < floor_ns);
    assert_true(sample_sizing_inner_loops(0.7, -5) == loops);
    assert_true(sample_sizing_inner_loops(0.7, floor_ns / 2) == loops);
    /* An operation too quick to see counts as one resolution step. */
    uint64_t unseen = sample_sizing_inner_loops(0, 0); /* 1000 x res / res, give or take an ulp */
    assert_true(unseen == 1000 || unseen == 1001);
    assert_true(sample_sizing_inner_loops(0, 1e9) == (uint64_t)ceil(1e9 / timing_resolution_ns()));
    /* Nonsense operation times give 1 (time one op first), absurd ones are capped. */
    assert_int_equal(sample_sizing_inner_loops(-1, 1e9), 1);
    assert_int_equal(sample_sizing_inner_loops(NAN, 1e9), 1);
    assert_true(sample_sizing_inner_loops(1e-300, 1e300) == (UINT64_C(1) << 62));
}

int main(int argc, char **argv)
{
    self_path = argv[0];
    if (argc == 2 && !strcmp(argv[1], "--clock-child"))
        return clock_child();
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_each_clock_choice),    cmocka_unit_test(test_monotonic),
            cmocka_unit_test(test_sleep_measures_right), cmocka_unit_test(test_resolution_and_cost),
            cmocka_unit_test(test_inner_loops),
    };
    return cmocka_run_group_tests_name("timing", tests, NULL, NULL);
}
