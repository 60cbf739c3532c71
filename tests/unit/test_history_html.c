/* tests/unit/test_history_html.c - the dashboard page of `dmabench history` on a history built
 * by hand (tests/unit/history_fixture.h): hostile strings escaped and the page valid UTF-8,
 * runs linked relative to the page only where they exist, the newest run against its baseline,
 * the change points table, images only for plots that exist, a planted link replaced.
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
#include "history_html.h"
#include "history_newest.h"
#include "output_dir.h"
#include "plot_trend.h"
#include "utf8_scan.h"

struct page_fx {
    char root[64];
    char out[128];
    int dirfd;
    struct history *h;
    char *html;
};

static int setup(void **state)
{
    struct page_fx *fx = calloc(1, sizeof(*fx));
    assert_non_null(fx);
    fx->h = history_fixture_sample_in("html", fx->root, fx->out, &fx->dirfd);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct page_fx *fx = *state;
    history_fixture_sample_remove(fx->h, fx->root, fx->dirfd);
    free(fx->html);
    free(fx);
    return 0;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    char chunk[4096];
    for (size_t n; (n = fread(chunk, 1, sizeof(chunk), f)) > 0;)
        fwrite(chunk, 1, n, m);
    fclose(f);
    fclose(m);
    return buf;
}

/* Write the page and read it back into fx->html. */
static const char *render(struct page_fx *fx)
{
    char err[512] = "", path[256];
    int ret = history_html_write(fx->h, fx->dirfd, fx->out, err, sizeof(err));
    if (ret)
        fail_msg("history_html_write: %d: %s", ret, err);
    snprintf(path, sizeof(path), "%s/index.html", fx->out);
    free(fx->html);
    fx->html = read_file(path);
    return fx->html;
}

static size_t count(const char *s, const char *what)
{
    size_t n = 0;
    for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
        n++;
    return n;
}

static void expect_has(const char *page, const char *what)
{
    if (!strstr(page, what))
        fail_msg("the page lacks '%s'", what);
}

/* The table with class cls that follows "after" in the page, as its own string. */
static char *table_after(const char *page, const char *after, const char *cls)
{
    char open[64];
    snprintf(open, sizeof(open), "<table class=\"%s\">", cls);
    const char *from = strstr(page, after);
    assert_non_null(from);
    const char *t = strstr(from, open);
    assert_non_null(t);
    const char *end = strstr(t, "</table>");
    assert_non_null(end);
    return strndup(t, (size_t)(end - t));
}

static void test_html_escapes_hostile_strings(void **state)
{
    const char *page = render(*state);
    assert_null(strstr(page, "<script"));
    assert_null(strstr(page, "<b>evil"));
    assert_null(strstr(page, "<i>"));
    expect_has(page,
               "cpu:heap=&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;;size=1KiB;note=a&amp;b");
    /* The byte 0xff and the control character each become U+FFFD. */
    expect_has(page, "&lt;b&gt;evil &amp; &quot;board&quot;&lt;/b&gt;\xef\xbf\xbd\xef\xbf\xbd");
    expect_has(page, "6.6&lt;i&gt;");
    /* Valid UTF-8 from end to end, and no control character but the line ends. */
    for (const char *p = page; *p;) {
        size_t len = utf8_sequence(p);
        if (!len || (len == 1 && (unsigned char)*p < 0x20 && *p != '\n'))
            fail_msg("invalid byte 0x%02x at offset %td", (unsigned char)*p, p - page);
        p += len;
    }
    expect_has(page, "<meta charset=\"utf-8\">");
}

static void test_html_links_runs_that_exist(void **state)
{
    struct page_fx *fx = *state;
    const char *page = render(fx);
    /* The regression's first run after the change, relative to the page. */
    expect_has(page, "<a href=\"../runs/vm/r5/\">r5</a>");
    expect_has(page, "<a href=\"../runs/vm/r8/\">r8</a>");
    /* Runs whose directories are gone: their path as text, no link. */
    assert_null(strstr(page, "gone/x3/\""));
    char text[256];
    snprintf(text, sizeof(text), "x3 <span class=\"path\">(%s/runs/gone/x3, not found)</span>",
             fx->root);
    expect_has(page, text);
    /* Every href and src but the page's own anchors resolves to something that exists. */
    size_t checked = 0;
    for (const char *p = page; (p = strstr(p, "=\"")); p += 2) {
        bool href = p >= page + 4 && !strncmp(p - 4, "href", 4);
        bool src = p >= page + 3 && !strncmp(p - 3, "src", 3);
        if ((!href && !src) || p[2] == '#')
            continue;
        char url[1024], path[2048];
        assert_int_equal(sscanf(p + 2, "%1023[^\"]", url), 1);
        size_t k = 0;
        for (const char *u = url; *u; u++) { /* percent-decode */
            unsigned hex;
            if (*u == '%' && sscanf(u + 1, "%2x", &hex) == 1) {
                url[k++] = (char)hex;
                u += 2;
            } else {
                url[k++] = *u;
            }
        }
        url[k] = '\0';
        snprintf(path, sizeof(path), "%s/%s", fx->out, url);
        struct stat st;
        if (stat(path, &st) != 0)
            fail_msg("broken link %s", url);
        checked++;
    }
    assert_true(checked >= 4);
}

static void test_html_change_points_table(void **state)
{
    const char *page = render(*state);
    char *vm = table_after(page, "<h2>Board vm", "changes");
    assert_int_equal(count(vm, "<tr>"), 4); /* the header and three change points */
    /* The newest first: r6 (better), r5 (the regression), r3 (inconclusive). */
    const char *better = strstr(vm, "r6</a>"), *regr = strstr(vm, "r5</a>"),
               *inconcl = strstr(vm, "r3</a>");
    assert_true(better && regr && inconcl && better < regr && regr < inconcl);
    expect_has(vm, "<td>6.1.0-5</td><td>g5</td><td class=\"num\">100G bytes/s</td>"
                   "<td class=\"num\">88G bytes/s</td><td class=\"num\">-12.0%</td>"
                   "<td class=\"num\">0.001</td><td class=\"regression\">worse: regression</td>");
    expect_has(vm, "<td class=\"num\">+10.0%</td><td class=\"num\">0.002</td>"
                   "<td class=\"better\">better</td>");
    expect_has(vm, "<td class=\"num\">10 ns</td><td class=\"num\">13 ns</td>");
    expect_has(vm, "<td class=\"inconclusive\">inconclusive: seen only in disturbed runs</td>");
    free(vm);
    char *hostile = table_after(page, "<h2>Board &lt;b&gt;evil", "changes");
    assert_int_equal(count(hostile, "<tr>"), 2);
    expect_has(hostile, "+20.0%");
    free(hostile);
    expect_has(page, "11 runs of 2 boards, 6 series (board &times; case &times; metric), runs in "
                     "time order; 4 change points, 2 regressions, 1 inconclusive.");
}

static void test_html_newest_against_baseline(void **state)
{
    const char *page = render(*state);
    char *run = table_after(page, "<h2>Board vm", "newest-run");
    expect_has(run, "<a href=\"../runs/vm/r8/\">r8</a></td><td>6.1.0-8</td><td>g8</td>"
                    "<td>2026-12-08T01:00:00Z</td><td>no</td>");
    free(run);
    /* Of the five series, the one missing from r8 is not compared; only the allocation moved
     * (its baseline leaves the disturbed r3 out). */
    expect_has(page, "4 of the board's 5 series compared, 1 moved by 5% or more:");
    char *moved = table_after(page, "<h2>Board vm", "moved");
    assert_int_equal(count(moved, "<tr>"), 2);
    expect_has(moved, "alloc:heap=system;size=4KiB</td><td>alloc_latency</td>"
                      "<td class=\"num\">1k ns</td><td class=\"num\">6</td>"
                      "<td class=\"num\">1.15k ns</td><td class=\"num\">+15.0%</td>"
                      "<td class=\"worse\">worse</td>");
    free(moved);
    /* A change point at the newest run: compared with the segment before it. */
    char *hostile = table_after(page, "<h2>Board &lt;b&gt;evil", "moved");
    expect_has(hostile, "<td class=\"num\">10 ns</td><td class=\"num\">2</td>"
                        "<td class=\"num\">12 ns</td><td class=\"num\">+20.0%</td>"
                        "<td class=\"worse\">worse, a change point</td>");
    free(hostile);
}

static void plant(struct page_fx *fx, const char *name)
{
    int fd = openat(fx->dirfd, name, O_WRONLY | O_CREAT | O_EXCL, 0644);
    assert_true(fd >= 0);
    close(fd);
}

static void test_html_images_only_for_plots_made(void **state)
{
    struct page_fx *fx = *state;
    const char *page = render(fx);
    assert_null(strstr(page, "<img"));
    assert_null(strstr(page, "Trend plots"));
    char stem[PLOT_TREND_NAME_MAX], name[PLOT_TREND_NAME_MAX + 8], want[512];
    plot_trend_name(&fx->h->series[0], stem);
    snprintf(name, sizeof(name), "%s.png", stem);
    plant(fx, name);
    page = render(fx);
    assert_int_equal(count(page, "<img"), 1);
    snprintf(want, sizeof(want),
             "<figure><img src=\"%s\" alt=\"trend of cpu:heap=host;size=4KiB;kernel=copy "
             "bandwidth\">",
             name);
    expect_has(page, want);
    /* With its SVG, the image links to it. */
    snprintf(name, sizeof(name), "%s.svg", stem);
    plant(fx, name);
    page = render(fx);
    snprintf(want, sizeof(want), "<figure><a href=\"%s\"><img src=\"%s.png\"", name, stem);
    expect_has(page, want);
    /* In the vm board's section, not the other's. */
    assert_true(strstr(page, want) < strstr(page, "<h2>Board &lt;b&gt;evil"));
    /* A PNG left by an earlier history for a series not drawn now is not shown. */
    plot_trend_name(&fx->h->series[4], stem);
    snprintf(name, sizeof(name), "%s.png", stem);
    plant(fx, name);
    page = render(fx);
    assert_int_equal(count(page, "<img"), 1);
    assert_null(strstr(page, name));
}

static void test_html_replaces_a_planted_link(void **state)
{
    struct page_fx *fx = *state;
    char target[128], link[160];
    snprintf(target, sizeof(target), "%s/victim", fx->root);
    snprintf(link, sizeof(link), "%s/index.html", fx->out);
    FILE *f = fopen(target, "w");
    assert_non_null(f);
    fputs("keep me\n", f);
    fclose(f);
    assert_int_equal(symlink(target, link), 0);
    render(fx);
    char *victim = read_file(target);
    assert_string_equal(victim, "keep me\n");
    free(victim);
    struct stat st;
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISREG(st.st_mode));
}

static void test_newest_judge_baseline(void **state)
{
    struct page_fx *fx = *state;
    struct history_newest n;
    /* The regression at r5: the newest (r8) is compared with r5..r7, all 88G. */
    assert_int_equal(history_newest_judge(fx->h, &fx->h->series[0], &n), 0);
    assert_int_equal(n.first, 4);
    assert_int_equal(n.last, 6);
    assert_int_equal(n.n_baseline, 3);
    assert_true(fabs(n.change) < 1e-12);
    assert_false(n.after_change);
    /* No change point: every earlier run but the disturbed r3. */
    assert_int_equal(history_newest_judge(fx->h, &fx->h->series[2], &n), 0);
    assert_int_equal(n.first, 0);
    assert_int_equal(n.n_baseline, 6);
    assert_true(n.worse);
    assert_true(fabs(n.change - 0.15) < 1e-12);
    /* Missing from the newest run. */
    assert_int_equal(history_newest_judge(fx->h, &fx->h->series[4], &n), -ENOENT);
    /* A change at the newest run: the segment before. */
    assert_int_equal(history_newest_judge(fx->h, &fx->h->series[5], &n), 0);
    assert_true(n.after_change);
    assert_int_equal(n.first, 0);
    assert_int_equal(n.last, 1);
}

static void test_html_one_run(void **state)
{
    struct page_fx *fx = *state;
    /* One board of one run and one series of one point: nothing to compare, no change point. */
    struct history *h = history_fixture_new(HISTORY_ORDER_KERNEL);
    size_t run = history_fixture_add_run(h, "/nonexistent/r1", "solo", "r1", "", "6.1", "g1", NULL);
    size_t s = history_fixture_add_series(h, "solo", "cpu:heap=host", "bandwidth", "bytes/s", true);
    history_fixture_add_point(h, s, run, 10, NAN, NAN);
    history_free(fx->h);
    fx->h = h;
    const char *page = render(fx);
    expect_has(page, "1 run of 1 board, 1 series (board &times; case &times; metric), runs in "
                     "kernel order; 0 change points, 0 regressions, 0 inconclusive.");
    expect_has(page, "0 of the board's 1 series compared, 0 moved by 5% or more.");
    expect_has(page, "<p>No change point in any series of this board.</p>");
    expect_has(page, "<td>unknown</td>"); /* no start time */
    assert_null(strstr(page, "<table class=\"moved\">"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup_teardown(test_html_escapes_hostile_strings, setup, teardown),
            cmocka_unit_test_setup_teardown(test_html_links_runs_that_exist, setup, teardown),
            cmocka_unit_test_setup_teardown(test_html_change_points_table, setup, teardown),
            cmocka_unit_test_setup_teardown(test_html_newest_against_baseline, setup, teardown),
            cmocka_unit_test_setup_teardown(test_html_images_only_for_plots_made, setup, teardown),
            cmocka_unit_test_setup_teardown(test_html_replaces_a_planted_link, setup, teardown),
            cmocka_unit_test_setup_teardown(test_newest_judge_baseline, setup, teardown),
            cmocka_unit_test_setup_teardown(test_html_one_run, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
