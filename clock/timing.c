/* clock/timing.c - picks, calibrates and reads the clock every sample is timed with.
 *
 * A cycle counter is cheaper and finer than clock_gettime, but only trustworthy when its rate
 * is fixed (x86 invariant TSC, arm64's architected counter) and it agrees with the kernel's
 * clock; every candidate is checked against CLOCK_MONOTONIC_RAW before it is used, and any
 * doubt falls back to CLOCK_MONOTONIC_RAW with the reason kept for the run metadata.
 */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__x86_64__)
#include <cpuid.h>
#include <x86intrin.h>
#endif

#include "timing.h"

enum clock_kind { CLOCK_KIND_MONOTONIC_RAW, CLOCK_KIND_TSC, CLOCK_KIND_CNTVCT };

static const char *const clock_names[] = {
        [CLOCK_KIND_MONOTONIC_RAW] = "clock_monotonic_raw",
        [CLOCK_KIND_TSC] = "tsc",
        [CLOCK_KIND_CNTVCT] = "cntvct_el0",
};

#define CALIB_ROUNDS     5
#define CALIB_ROUND_NS   4000000L /* 5 x 4 ms: the ~20 ms timing_init promises */
#define PAIR_TRIES       8
#define RES_ROUNDS       31
#define RES_DIFFS        16      /* distinct steps looked at per round */
#define RES_MAX_READS    1000000 /* per round: a clock that never moves is broken */
#define COST_ROUNDS      9
#define COST_READS       1000
#define CALIB_SPREAD_MAX 0.01 /* the middle calibration rounds must agree within 1% */

static struct {
    enum clock_kind kind;
    bool rdtscp; /* x86: rdtscp exists (else lfence; rdtsc) */
    double ticks_per_s, ns_per_tick;
    double resolution_ns, read_cost_ns;
    char detail[320];
} clk;

static pthread_once_t clk_once = PTHREAD_ONCE_INIT;
static atomic_bool clk_ready;

static uint64_t monotonic_raw_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#if defined(__x86_64__)
/* rdtscp waits for earlier instructions to finish; the lfence after it keeps later ones (the
 * timed work) from starting before the read. Without rdtscp, lfence on both sides. */
static inline uint64_t tsc_read(void)
{
    uint64_t t;
    if (clk.rdtscp) {
        unsigned aux;
        t = __rdtscp(&aux);
        _mm_lfence();
    } else {
        _mm_lfence();
        t = __rdtsc();
        _mm_lfence();
    }
    return t;
}
#else
static inline uint64_t tsc_read(void)
{
    return 0;
}
#endif

#if defined(__aarch64__)
/* The isb keeps the counter read from being speculated ahead of the work it times. */
static inline uint64_t cntvct_read(void)
{
    uint64_t v;
    __asm__ volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(v) : : "memory");
    return v;
}

static uint64_t cntfrq_read(void)
{
    uint64_t f;
    __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(f));
    return f;
}
#else
static inline uint64_t cntvct_read(void)
{
    return 0;
}
#endif

static inline uint64_t clock_read(enum clock_kind kind)
{
    switch (kind) {
    case CLOCK_KIND_TSC:
        return tsc_read();
    case CLOCK_KIND_CNTVCT:
        return cntvct_read();
    case CLOCK_KIND_MONOTONIC_RAW:
        break;
    }
    return monotonic_raw_ns();
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median_of(double *v, size_t n)
{
    qsort(v, n, sizeof(*v), compare_doubles);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The counter and CLOCK_MONOTONIC_RAW at (nearly) the same instant: the monotonic read is
 * bracketed by two counter reads, and the tightest bracket of a few tries wins, so that an
 * interrupt or a preempted vCPU between the reads does not skew the calibration. */
static bool paired_read(enum clock_kind kind, uint64_t *ticks, uint64_t *ns)
{
    uint64_t best = UINT64_MAX;
    for (int i = 0; i < PAIR_TRIES; i++) {
        uint64_t a = clock_read(kind);
        uint64_t m = monotonic_raw_ns();
        uint64_t b = clock_read(kind);
        if (b < a)
            return false;
        if (b - a < best) {
            best = b - a;
            *ticks = a + (b - a) / 2;
            *ns = m;
        }
    }
    return true;
}

/* Ticks per second of the counter against CLOCK_MONOTONIC_RAW: the median of a few rounds,
 * 0 (and why in why) when the counter goes backwards or the rounds disagree. */
static double calibrate(enum clock_kind kind, char *why, size_t why_len)
{
    double rate[CALIB_ROUNDS];
    for (int r = 0; r < CALIB_ROUNDS; r++) {
        uint64_t t0, n0, t1, n1;
        struct timespec pause = {.tv_sec = 0, .tv_nsec = CALIB_ROUND_NS};
        if (!paired_read(kind, &t0, &n0))
            goto backwards;
        while (nanosleep(&pause, &pause) != 0)
            ;
        if (!paired_read(kind, &t1, &n1) || t1 < t0)
            goto backwards;
        rate[r] = n1 > n0 ? (double)(t1 - t0) * 1e9 / (double)(n1 - n0) : 0;
    }
    double median = median_of(rate, CALIB_ROUNDS);
    /* Sorted now: the second and fourth round bracket the median; one disturbed round on
     * either side is tolerated, a counter whose rate wanders is not. */
    double spread = median > 0 ? (rate[CALIB_ROUNDS - 2] - rate[1]) / median : INFINITY;
    if (!(spread <= CALIB_SPREAD_MAX)) {
        snprintf(why, why_len, "calibration rounds disagree by %.2f%% (%.0f..%.0f Hz)",
                 spread * 100, rate[0], rate[CALIB_ROUNDS - 1]);
        return 0;
    }
    return median;

backwards:
    snprintf(why, why_len, "the counter went backwards");
    return 0;
}

/* Median over rounds of the smallest non-zero step between successive reads, in ticks; 0 when
 * the clock goes backwards or never moves. */
static double measure_resolution_ticks(enum clock_kind kind)
{
    double step[RES_ROUNDS];
    for (int r = 0; r < RES_ROUNDS; r++) {
        uint64_t prev = clock_read(kind), smallest = UINT64_MAX;
        int diffs = 0;
        for (long i = 0; i < RES_MAX_READS && diffs < RES_DIFFS; i++) {
            uint64_t now = clock_read(kind);
            if (now < prev)
                return 0;
            if (now != prev) {
                diffs++;
                if (now - prev < smallest)
                    smallest = now - prev;
            }
            prev = now;
        }
        if (diffs == 0)
            return 0;
        step[r] = (double)smallest;
    }
    return median_of(step, RES_ROUNDS);
}

/* ns per read: the best of a few runs of back-to-back reads (interrupts only add time). */
static double measure_read_cost_ns(enum clock_kind kind, double ns_per_tick)
{
    double best = INFINITY;
    for (int r = 0; r < COST_ROUNDS; r++) {
        uint64_t t0 = clock_read(kind);
        for (int i = 0; i < COST_READS; i++)
            (void)clock_read(kind);
        uint64_t t1 = clock_read(kind);
        double ns = (double)(t1 - t0) * ns_per_tick / (COST_READS + 1);
        if (ns < best)
            best = ns;
    }
    return best;
}

#if defined(__x86_64__)
static sigjmp_buf sigill_jump;

static void on_sigill(int sig)
{
    (void)sig;
    siglongjmp(sigill_jump, 1);
}

/* CPUID's RDTSCP bit is not the last word: an emulator (valgrind, some hypervisors) can report
 * the bit and still refuse the instruction. Run it once, with SIGILL caught, before trusting it
 * on every timed path. */
static bool rdtscp_runs(void)
{
    struct sigaction catch_ill = {.sa_handler = on_sigill}, old;
    sigemptyset(&catch_ill.sa_mask);
    if (sigaction(SIGILL, &catch_ill, &old) != 0)
        return false;
    volatile bool ran = false;
    if (sigsetjmp(sigill_jump, 1) == 0) {
        unsigned aux;
        (void)__rdtscp(&aux);
        ran = true;
    }
    sigaction(SIGILL, &old, NULL);
    return ran;
}
#endif

/* Whether the counter of kind can be used, with its rate in *ticks_per_s; otherwise why not.
 * forced: the user asked for it, so a missing invariance flag is only noted, not fatal. */
static bool counter_usable(enum clock_kind kind, bool forced, double *ticks_per_s, char *note,
                           size_t note_len)
{
    char why[128] = "";
#if defined(__x86_64__)
    if (kind == CLOCK_KIND_TSC) {
        unsigned a, b, c, d;
        bool invariant = __get_cpuid(0x80000007, &a, &b, &c, &d) && (d & (1u << 8));
        bool in_vm = __get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 31));
        clk.rdtscp = __get_cpuid(0x80000001, &a, &b, &c, &d) && (d & (1u << 27)) && rdtscp_runs();
        if (!invariant && !forced) {
            snprintf(note, note_len, "TSC not invariant (CPUID 0x80000007 EDX[8] clear%s)",
                     in_vm ? ", in a VM" : "");
            return false;
        }
        double rate = calibrate(kind, why, sizeof(why));
        if (rate > 0 && (rate < 1e8 || rate > 1e10))
            snprintf(why, sizeof(why), "implausible TSC rate %.0f Hz", rate);
        if (why[0]) {
            snprintf(note, note_len, "TSC unusable: %s", why);
            return false;
        }
        *ticks_per_s = rate;
        snprintf(note, note_len,
                 "%s TSC%s, read with %s, %.3f MHz calibrated against CLOCK_MONOTONIC_RAW",
                 invariant ? "invariant" : "non-invariant (forced)", in_vm ? " in a VM" : "",
                 clk.rdtscp ? "rdtscp;lfence" : "lfence;rdtsc;lfence", rate / 1e6);
        return true;
    }
#endif
#if defined(__aarch64__)
    if (kind == CLOCK_KIND_CNTVCT) {
        (void)forced;
        double freq = (double)cntfrq_read();
        double rate = calibrate(kind, why, sizeof(why));
        /* Firmware sometimes leaves cntfrq_el0 wrong; the measured rate is the check. */
        if (!why[0] && (freq < 1e6 || freq > 1e10))
            snprintf(why, sizeof(why), "implausible cntfrq_el0 %.0f Hz", freq);
        else if (!why[0] && fabs(rate - freq) > 0.01 * freq)
            snprintf(why, sizeof(why), "cntfrq_el0 says %.0f Hz but the counter runs at %.0f Hz",
                     freq, rate);
        if (why[0]) {
            snprintf(note, note_len, "cntvct_el0 unusable: %s", why);
            return false;
        }
        *ticks_per_s = freq;
        snprintf(note, note_len, "cntvct_el0 at %.3f MHz (cntfrq_el0, measured %.3f MHz)",
                 freq / 1e6, rate / 1e6);
        return true;
    }
#endif
    (void)forced;
    (void)ticks_per_s;
    (void)why;
    (void)calibrate; /* only cycle counters are calibrated */
#if defined(__x86_64__)
    snprintf(note, note_len, "no %s on x86_64", clock_names[kind]);
#elif defined(__aarch64__)
    snprintf(note, note_len, "no %s on aarch64", clock_names[kind]);
#else
    snprintf(note, note_len, "no %s on this architecture", clock_names[kind]);
#endif
    return false;
}

/* The clock this architecture prefers when nothing is forced. */
static enum clock_kind native_counter(void)
{
#if defined(__x86_64__)
    return CLOCK_KIND_TSC;
#elif defined(__aarch64__)
    return CLOCK_KIND_CNTVCT;
#else
    return CLOCK_KIND_MONOTONIC_RAW;
#endif
}

/* DMABENCH_CLOCK: -1 for auto; the clock names timing_source() prints are accepted too. */
static int parse_clock_env(const char *text, bool *bad)
{
    *bad = false;
    if (!text || !*text || !strcmp(text, "auto"))
        return -1;
    if (!strcmp(text, "monotonic_raw") || !strcmp(text, "clock_monotonic_raw"))
        return CLOCK_KIND_MONOTONIC_RAW;
    if (!strcmp(text, "tsc"))
        return CLOCK_KIND_TSC;
    if (!strcmp(text, "cntvct") || !strcmp(text, "cntvct_el0"))
        return CLOCK_KIND_CNTVCT;
    *bad = true;
    return CLOCK_KIND_MONOTONIC_RAW;
}

static void timing_init_once(void)
{
    const char *env = getenv("DMABENCH_CLOCK");
    bool bad;
    int forced = parse_clock_env(env, &bad);
    enum clock_kind want = forced >= 0 ? (enum clock_kind)forced : native_counter();
    char note[200] = "";
    double rate = 1e9;

    clk.kind = CLOCK_KIND_MONOTONIC_RAW;
    if (bad) {
        snprintf(clk.detail, sizeof(clk.detail),
                 "DMABENCH_CLOCK=%.40s is not auto, monotonic_raw, tsc or cntvct; fell back "
                 "to clock_monotonic_raw",
                 env);
    } else if (want == CLOCK_KIND_MONOTONIC_RAW) {
        snprintf(clk.detail, sizeof(clk.detail), "clock_gettime(CLOCK_MONOTONIC_RAW)%s",
                 forced >= 0 ? ", forced by DMABENCH_CLOCK" : ", no cycle counter known here");
    } else if (counter_usable(want, forced >= 0, &rate, note, sizeof(note))) {
        clk.kind = want;
        snprintf(clk.detail, sizeof(clk.detail), "%s%s", note,
                 forced >= 0 ? ", forced by DMABENCH_CLOCK" : "");
    } else {
        rate = 1e9;
        if (forced >= 0)
            snprintf(clk.detail, sizeof(clk.detail),
                     "DMABENCH_CLOCK=%s: %s; fell back to clock_monotonic_raw", env, note);
        else
            snprintf(clk.detail, sizeof(clk.detail), "%s; fell back to clock_monotonic_raw", note);
    }
    clk.ticks_per_s = rate;
    clk.ns_per_tick = 1e9 / rate;

    double res_ticks = measure_resolution_ticks(clk.kind);
    if (clk.kind != CLOCK_KIND_MONOTONIC_RAW) {
        double mono_res_ns = measure_resolution_ticks(CLOCK_KIND_MONOTONIC_RAW);
        double res_ns = res_ticks * clk.ns_per_tick;
        char chosen[sizeof(clk.detail)];
        bool fall_back = true;
        snprintf(chosen, sizeof(chosen), "%s", clk.detail);
        if (res_ticks <= 0) {
            /* Backwards or stuck while we watched it: the counter cannot time anything. */
            snprintf(clk.detail, sizeof(clk.detail),
                     "%s went backwards or stood still after calibration; fell back to "
                     "clock_monotonic_raw",
                     clock_names[clk.kind]);
        } else if (forced < 0 && mono_res_ns > 0 && res_ns > 2 * mono_res_ns) {
            /* A counter is only worth it when it is finer: emulators and some hypervisors
             * update it in coarse steps that CLOCK_MONOTONIC_RAW interpolates. */
            snprintf(clk.detail, sizeof(clk.detail),
                     "%.160s, steps %.0f ns where CLOCK_MONOTONIC_RAW steps %.0f ns; "
                     "clock_monotonic_raw is finer",
                     chosen, res_ns, mono_res_ns);
        } else {
            fall_back = false;
        }
        if (fall_back) {
            clk.kind = CLOCK_KIND_MONOTONIC_RAW;
            clk.ticks_per_s = 1e9;
            clk.ns_per_tick = 1;
            res_ticks = mono_res_ns;
        }
    }
    if (res_ticks <= 0) {
        /* CLOCK_MONOTONIC_RAW is what the kernel guarantees; trust its own claim. */
        struct timespec res = {0, 1};
        clock_getres(CLOCK_MONOTONIC_RAW, &res);
        res_ticks = (double)res.tv_sec * 1e9 + (double)res.tv_nsec;
    }
    clk.resolution_ns = res_ticks * clk.ns_per_tick;
    clk.read_cost_ns = measure_read_cost_ns(clk.kind, clk.ns_per_tick);
    atomic_store_explicit(&clk_ready, true, memory_order_release);
}

void timing_init(void)
{
    pthread_once(&clk_once, timing_init_once);
}

/* The fast path of every accessor: one acquire load once the clock is set up. */
static inline void timing_ready(void)
{
    if (!atomic_load_explicit(&clk_ready, memory_order_acquire))
        timing_init();
}

uint64_t timing_now(void)
{
    timing_ready();
    return clock_read(clk.kind);
}

double timing_ticks_to_ns(uint64_t ticks)
{
    timing_ready();
    return (double)ticks * clk.ns_per_tick;
}

double timing_resolution_ns(void)
{
    timing_ready();
    return clk.resolution_ns;
}

double timing_read_cost_ns(void)
{
    timing_ready();
    return clk.read_cost_ns;
}

const char *timing_source(void)
{
    timing_ready();
    return clock_names[clk.kind];
}

const char *timing_source_detail(void)
{
    timing_ready();
    return clk.detail;
}

double timing_ticks_per_second(void)
{
    timing_ready();
    return clk.ticks_per_s;
}
