/* tests/unit/test_plot_trend.c - the trend plots of `dmabench history` on histories built by
 * hand (tests/unit/history_fixture.h): safe, stable file names; which series get a plot; the
 * .dat files (places with gaps, CIs, disturbed runs, labels in the history's order, the change
 * points) and real gnuplot making PNG and SVG from them; gnuplot failing or missing.
 * Run from the source tree's root (the scripts in plot/), as `make unit` does.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "history_fixture.h"
#include "output_dir.h"
#include "plot_trend.h"

struct trend_fx {
    char root[64];
    char out[128];
    int dirfd;
    struct history *h;
};

static int setup(void **state)
{
    struct trend_fx *fx = calloc(1, sizeof(*fx));
    assert_non_null(fx);
    fx->h = history_fixture_sample_in("trend", fx->root, fx->out, &fx->dirfd);
    char scripts[PATH_MAX];
    assert_non_null(realpath("plot", scripts));
    setenv("DMABENCH_PLOT_DIR", scripts, 1);
    unsetenv("DMABENCH_GNUPLOT");
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct trend_fx *fx = *state;
    history_fixture_sample_remove(fx->h, fx->root, fx->dirfd);
    unsetenv("DMABENCH_GNUPLOT");
    free(fx);
    return 0;
}

static char *read_out(const struct trend_fx *fx, const char *stem, const char *ext)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s.%s", fx->out, stem, ext);
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char *buf = calloc(1, 1 << 20);
    assert_non_null(buf);
    size_t n = fread(buf, 1, (1 << 20) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static bool exists(const struct trend_fx *fx, const char *stem, const char *ext)
{
    char path[512];
    struct stat st;
    snprintf(path, sizeof(path), "%s/%s.%s", fx->out, stem, ext);
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
}

static void test_trend_name_safe_and_stable(void **state)
{
    struct trend_fx *fx = *state;
    char a[PLOT_TREND_NAME_MAX], b[PLOT_TREND_NAME_MAX];
    plot_trend_name(&fx->h->series[5], a); /* the hostile board and case */
    assert_int_equal(strncmp(a, "trend-", 6), 0);
    for (const char *p = a; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '-'))
            fail_msg("'%c' in %s", *p, a);
    assert_null(strstr(a, "--"));
    size_t len = strlen(a);
    assert_true(len <= 6 + 80 + 1 + 8);
    assert_int_equal(strspn(a + len - 8, "0123456789abcdef"), 8);
    plot_trend_name(&fx->h->series[5], b);
    assert_string_equal(a, b);
    plot_trend_name(&fx->h->series[0], a);
    assert_int_equal(strncmp(a, "trend-vm-bandwidth-cpu-host-4KiB-copy-", 38), 0);
    assert_int_equal(strlen(a), 38 + 8);
    /* Case ids alike in their first 80 characters still get two names. */
    struct history *h = history_fixture_new(HISTORY_ORDER_TIME);
    char long_case[200];
    memset(long_case, 'x', sizeof(long_case));
    long_case[sizeof(long_case) - 2] = '1';
    long_case[sizeof(long_case) - 1] = '\0';
    history_fixture_add_series(h, "vm", long_case, "bandwidth", "bytes/s", true);
    long_case[sizeof(long_case) - 2] = '2';
    history_fixture_add_series(h, "vm", long_case, "bandwidth", "bytes/s", true);
    plot_trend_name(&h->series[0], a);
    plot_trend_name(&h->series[1], b);
    assert_string_not_equal(a, b);
    assert_int_equal(strncmp(a, b, strlen(a) - 8), 0);
    history_free(h);
}

static void test_trend_pick_rule(void **state)
{
    struct trend_fx *fx = *state;
    size_t *p, n;
    /* Each board's newest run at its worst (the allocation's +15%; the hostile board's +20%),
     * then the regressions by size (the hostile +20% is picked already, then -12%), the
     * inconclusive one, the better one. The series without a change point and not worse in
     * the newest run (4) is left out. */
    assert_int_equal(plot_trend_pick(fx->h, 100, &p, &n), 0);
    size_t want[] = {2, 5, 0, 3, 1};
    assert_int_equal(n, 5);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(p[i], want[i]);
    free(p);
    assert_int_equal(plot_trend_pick(fx->h, 3, &p, &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(p[2], 0);
    free(p);
    assert_int_equal(plot_trend_pick(fx->h, 0, &p, &n), 0);
    assert_int_equal(n, 0);
    free(p);
}

static void test_trend_writes_dat_png_svg(void **state)
{
    struct trend_fx *fx = *state;
    char err[1024] = "";
    int ret = plot_trend_write(fx->h, fx->dirfd, fx->out, err, sizeof(err));
    if (ret)
        fail_msg("plot_trend_write: %d: %s", ret, err);
    char stem[PLOT_TREND_NAME_MAX];
    for (size_t i = 0; i < fx->h->n_series; i++) {
        plot_trend_name(&fx->h->series[i], stem);
        bool want = i != 4;
        assert_int_equal(exists(fx, stem, "png"), want);
        assert_int_equal(exists(fx, stem, "svg"), want);
        assert_int_equal(exists(fx, stem, "dat"), want);
        if (!want)
            continue;
        char *png = read_out(fx, stem, "png");
        assert_int_equal(memcmp(png, "\x89PNG\r\n\x1a\n", 8), 0);
        free(png);
        char *svg = read_out(fx, stem, "svg");
        assert_non_null(strstr(svg, "</svg>"));
        free(svg);
    }
    /* The regression's data: a row per run, r3 disturbed, kernels as labels, the change point
     * between r4 and r5; and the command that redraws it. */
    plot_trend_name(&fx->h->series[0], stem);
    char *dat = read_out(fx, stem, "dat");
    assert_non_null(strstr(dat, "gnuplot -c plot/trend.gp trend-vm-bandwidth-cpu-host-4KiB-copy-"));
    assert_non_null(strstr(dat, "\"order=time runs=8 calm=7 disturbed=1 step=1 "
                                "cp=3.5:regression:-12.0%\""));
    assert_non_null(strstr(dat, "# change point at x=3.5 (run r5): 1e+11 -> 8.8e+10, -12.0%, "
                                "p 0.001, regression\n"));
    assert_non_null(strstr(dat, "\n0 1e+11 9.9e+10 1.01e+11 0 \"6.1.0-1\" \"r1\"\n"));
    assert_non_null(strstr(dat, "\n2 1e+11 9.9e+10 1.01e+11 1 \"6.1.0-3\" \"r3\"\n"));
    assert_non_null(strstr(dat, "\n7 8.8e+10 8.712e+10 8.888e+10 0 \"6.1.0-8\" \"r8\"\n"));
    free(dat);
    /* No CI: a zero-length bar. */
    plot_trend_name(&fx->h->series[2], stem);
    dat = read_out(fx, stem, "dat");
    assert_non_null(strstr(dat, "\n7 1150 1150 1150 0 \"6.1.0-8\" \"r8\"\n"));
    free(dat);
    /* Hostile text: no double quote or control byte in the data, the case id's other
     * characters kept. */
    plot_trend_name(&fx->h->series[5], stem);
    dat = read_out(fx, stem, "dat");
    assert_non_null(strstr(dat, "# board <b>evil & 'board'</b>??, case "
                                "cpu:heap=<script>alert('x')</script>;size=1KiB;note=a&b,"));
    assert_non_null(strstr(dat, "\n2 12 11.88 12.12 0 \"6.6<i>\" \"x3\"\n"));
    free(dat);
    /* gnuplot's SVG holds the title as text, not as markup. */
    char *svg = read_out(fx, stem, "svg");
    assert_null(strstr(svg, "<script"));
    assert_non_null(strstr(svg, "cpu:heap=&lt;script>alert('x')&lt;/script>"));
    free(svg);
}

static void test_trend_places_and_git_labels(void **state)
{
    struct trend_fx *fx = *state;
    /* A case missing from one run leaves a gap: x is the run's place in the board's order. */
    struct history *h = history_fixture_new(HISTORY_ORDER_GIT);
    size_t runs[4];
    char id[16], sha[24];
    for (int i = 0; i < 4; i++) {
        snprintf(id, sizeof(id), "r%d", i);
        snprintf(sha, sizeof(sha), "abc%d", i);
        runs[i] = history_fixture_add_run(h, "/nonexistent", "b", id, "", "6.1", sha, NULL);
    }
    size_t s = history_fixture_add_series(h, "b", "cpu:heap=host", "bandwidth", "bytes/s", true);
    history_fixture_add_point(h, s, runs[0], 10, 9, 11);
    history_fixture_add_point(h, s, runs[1], 10, NAN, NAN);
    history_fixture_add_point(h, s, runs[3], 5, 4, 6);
    history_fixture_add_change(h, s, 2, 0.001, 0.05, NULL);
    char err[1024] = "";
    int ret = plot_trend_write(h, fx->dirfd, fx->out, err, sizeof(err));
    if (ret)
        fail_msg("plot_trend_write: %d: %s", ret, err);
    char stem[PLOT_TREND_NAME_MAX];
    plot_trend_name(&h->series[0], stem);
    char *dat = read_out(fx, stem, "dat");
    assert_non_null(strstr(dat, "runs in git order"));
    assert_non_null(strstr(dat, "\"order=git runs=4 calm=3 disturbed=0 step=1 "
                                "cp=2:regression:-50.0%\""));
    assert_non_null(strstr(dat, "\n1 10 10 10 0 \"abc1\" \"r1\"\n3 5 4 6 0 \"abc3\" \"r3\"\n"));
    free(dat);
    assert_true(exists(fx, stem, "png"));
    history_free(h);
}

static void test_trend_gnuplot_fails_or_is_missing(void **state)
{
    struct trend_fx *fx = *state;
    char err[1024] = "", stem[PLOT_TREND_NAME_MAX];
    setenv("DMABENCH_GNUPLOT", "false", 1);
    assert_int_equal(plot_trend_write_max(fx->h, 2, fx->dirfd, fx->out, err, sizeof(err)), -ECHILD);
    plot_trend_name(&fx->h->series[2], stem);
    char want[256];
    snprintf(want, sizeof(want), "trend plot %s: gnuplot exited with status 1", stem);
    assert_string_equal(err, want);
    /* Both were tried: their data are there for a rerun by hand, no plot. */
    assert_true(exists(fx, stem, "dat"));
    assert_false(exists(fx, stem, "png"));
    plot_trend_name(&fx->h->series[5], stem);
    assert_true(exists(fx, stem, "dat"));
    setenv("DMABENCH_GNUPLOT", "/nonexistent/gnuplot", 1);
    assert_int_equal(plot_trend_write(fx->h, fx->dirfd, fx->out, err, sizeof(err)), -ENOENT);
    assert_non_null(strstr(err, "install gnuplot"));
    /* Nothing worth a plot (a series of one run): no gnuplot needed, nothing written. */
    struct history *h = history_fixture_new(HISTORY_ORDER_TIME);
    size_t run = history_fixture_add_run(h, "/nonexistent", "b", "r1", "", "6.1", "g", NULL);
    size_t s = history_fixture_add_series(h, "b", "cpu:heap=host", "bandwidth", "bytes/s", true);
    history_fixture_add_point(h, s, run, 10, 9, 11);
    setenv("DMABENCH_PLOT_DIR", "/nonexistent", 1);
    assert_int_equal(plot_trend_write(h, fx->dirfd, fx->out, err, sizeof(err)), 0);
    plot_trend_name(&h->series[0], stem);
    assert_false(exists(fx, stem, "dat"));
    history_free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup_teardown(test_trend_name_safe_and_stable, setup, teardown),
            cmocka_unit_test_setup_teardown(test_trend_pick_rule, setup, teardown),
            cmocka_unit_test_setup_teardown(test_trend_writes_dat_png_svg, setup, teardown),
            cmocka_unit_test_setup_teardown(test_trend_places_and_git_labels, setup, teardown),
            cmocka_unit_test_setup_teardown(test_trend_gnuplot_fails_or_is_missing, setup,
                                            teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
