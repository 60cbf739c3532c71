/* bench/analysis/history_html.c - the dashboard page of `dmabench history` (see history_html.h).
 *
 * Sections per board: the newest run and where it moved from its baseline
 * (bench/analysis/history_newest.h), the change points, the trend plots. Text goes through
 * html_text (escaped, valid UTF-8), paths in links through url_path (percent-encoded).
 */
#include "history_html.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "history_gate.h"
#include "history_newest.h"
#include "plot_trend.h"
#include "safe_file.h"
#include "utf8_scan.h"

struct page {
    const struct history *h;
    FILE *f;
    int dirfd;
    char here[PATH_MAX]; /* DIR, resolved: where relative links start */
    bool here_known;
};

/* ---- text, links, numbers ----------------------------------------------------------------- */

/* s as HTML text or attribute value: & < > " ' escaped, any byte that is not valid UTF-8 or is
 * a control character (but tab and line feed) as U+FFFD. */
static void html_text(FILE *f, const char *s)
{
    for (size_t len; *s; s += len ? len : 1) {
        len = utf8_sequence(s);
        unsigned char c = (unsigned char)*s;
        if (len == 1 && ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f))
            len = 0;
        if (!len)
            fputs(UTF8_REPLACEMENT, f);
        else if (c == '&')
            fputs("&amp;", f);
        else if (c == '<')
            fputs("&lt;", f);
        else if (c == '>')
            fputs("&gt;", f);
        else if (c == '"')
            fputs("&quot;", f);
        else if (c == '\'')
            fputs("&#39;", f);
        else
            fwrite(s, 1, len, f);
    }
}

/* A relative path as a URL path: every byte but [A-Za-z0-9-._~/] percent-encoded, so that
 * nothing in it needs HTML escaping and no ':' or '?' changes its meaning. */
static void url_path(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                     (*p >= '0' && *p <= '9') || strchr("-._~/", *p);
        if (plain)
            fputc(*p, f);
        else
            fprintf(f, "%%%02X", *p);
    }
}

/* to relative to from (both absolute, resolved): "../../results/vm/RUN". */
static void relative_path(const char *from, const char *to, char *out, size_t len)
{
    size_t common = 0;
    for (size_t i = 0;; i++) {
        bool from_end = !from[i] || from[i] == '/', to_end = !to[i] || to[i] == '/';
        if (from_end && to_end)
            common = i;
        if (!from[i] || !to[i] || from[i] != to[i])
            break;
    }
    size_t used = 0;
    out[0] = '\0';
    for (const char *p = from + common; *p; p++)
        if (*p == '/' && used + 4 < len)
            used += (size_t)snprintf(out + used, len - used, "../");
    const char *rest = to + common;
    while (*rest == '/')
        rest++;
    snprintf(out + used, len - used, "%s", *rest ? rest : used ? "" : ".");
    if (used && !*rest) /* "../../" -> "../.." */
        out[used - 1] = '\0';
}

/* The run's id, linked to its directory when it exists (relative to DIR), else followed by
 * the path as text. */
static void run_link(struct page *pg, const struct history_run *r)
{
    char target[PATH_MAX], rel[PATH_MAX];
    struct stat st;
    if (pg->here_known && realpath(r->dir, target) && stat(target, &st) == 0 &&
        S_ISDIR(st.st_mode)) {
        relative_path(pg->here, target, rel, sizeof(rel));
        fputs("<a href=\"", pg->f);
        url_path(pg->f, rel);
        fputs("/\">", pg->f);
        html_text(pg->f, r->run_id);
        fputs("</a>", pg->f);
        return;
    }
    html_text(pg->f, r->run_id);
    fputs(" <span class=\"path\">(", pg->f);
    html_text(pg->f, r->dir);
    fputs(", not found)</span>", pg->f);
}

/* 12.35G, 224.7, 0.0123 */
static void number(FILE *f, double v, const char *unit)
{
    static const char prefixes[] = "kMGTPE";
    int p = -1;
    while (isfinite(v) && fabs(v) >= 1000 && p < (int)sizeof(prefixes) - 2) {
        v /= 1000;
        p++;
    }
    fprintf(f, "%.4g", v);
    if (p >= 0)
        fputc(prefixes[p], f);
    fputc(' ', f);
    html_text(f, unit);
}

static void td_text(FILE *f, const char *s)
{
    fputs("<td>", f);
    html_text(f, s);
    fputs("</td>", f);
}

static void case_cells(FILE *f, const struct history_series *s)
{
    fputs("<td class=\"case\">", f);
    html_text(f, s->case_id);
    fputs("</td>", f);
    td_text(f, s->metric);
}

/* The end of a table of n rows of which max were shown. */
static void table_end(FILE *f, size_t n, size_t max)
{
    fputs("</table>\n", f);
    if (n > max)
        fprintf(f, "<p>%zu more not listed (dmabench history --format csv lists all).</p>\n",
                n - max);
}

/* ---- sections ------------------------------------------------------------------------------- */

static const char style[] =
        "body{font:14px/1.4 sans-serif;margin:1.5em;color:#222;max-width:1400px}"
        "h1{font-size:1.6em}h2{border-bottom:2px solid #0072B2;padding-bottom:.2em;margin-top:2em}"
        "table{border-collapse:collapse;margin:.5em 0 1em}"
        "th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}"
        "th{background:#f0f0f0}td.num{text-align:right;white-space:nowrap}"
        "td.case{font-family:monospace;word-break:break-all;max-width:40em}"
        ".worse,.regression{color:#b33b00;font-weight:bold}.better{color:#007a5a}"
        ".inconclusive{color:#666;font-style:italic}.path{color:#666;font-size:.9em}"
        "figure{display:inline-block;margin:0 1em 1em 0;max-width:100%}"
        "figure img{max-width:100%;height:auto;border:1px solid #ddd}"
        "figcaption{font-family:monospace;font-size:.85em;word-break:break-all}"
        "nav a{margin-right:1em}";

static const char *plural(size_t n)
{
    return n == 1 ? "" : "s";
}

static void page_head(struct page *pg)
{
    const struct history *h = pg->h;
    size_t changes = 0, regressions = 0, inconclusive = 0;
    for (size_t i = 0; i < h->n_series; i++)
        for (size_t k = 0; k < h->series[i].n_changes; k++) {
            changes++;
            regressions +=
                    h->series[i].changes[k].regression && !h->series[i].changes[k].inconclusive;
            inconclusive += h->series[i].changes[k].inconclusive;
        }
    fprintf(pg->f,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<title>dmabench history</title>\n<style>%s</style>\n</head>\n<body>\n"
            "<h1>dmabench history</h1>\n<p class=\"summary\">%zu run%s of %zu board%s, %zu "
            "series (board &times; case &times; metric), runs in %s order; %zu change point%s, "
            "%zu regression%s, %zu inconclusive.</p>\n<nav>",
            style, h->n_runs, plural(h->n_runs), h->n_boards, plural(h->n_boards), h->n_series,
            history_order_name(h->order), changes, plural(changes), regressions,
            plural(regressions), inconclusive);
    for (size_t b = 0; b < h->n_boards; b++) {
        fprintf(pg->f, "<a href=\"#board-%zu\">", b + 1);
        html_text(pg->f, h->boards[b].name);
        fputs("</a>", pg->f);
    }
    fputs("</nav>\n", pg->f);
}

struct moved {
    const struct history_series *s;
    struct history_newest n;
};

static int by_moved(const void *a, const void *b)
{
    const struct moved *x = a, *y = b;
    if (x->n.worse != y->n.worse)
        return x->n.worse ? -1 : 1;
    double mx = fabs(x->n.change), my = fabs(y->n.change);
    return (mx < my) - (mx > my);
}

static int newest_section(struct page *pg, const struct history_board *b)
{
    const struct history *h = pg->h;
    FILE *f = pg->f;
    const struct history_run *r = &h->runs[b->runs[b->n_runs - 1]];
    fputs("<h3>Newest run</h3>\n<table class=\"newest-run\">\n<tr><th>run</th><th>kernel</th>"
          "<th>git sha</th><th>start time</th><th>disturbed</th></tr>\n<tr><td>",
          f);
    run_link(pg, r);
    fputs("</td>", f);
    td_text(f, r->kernel);
    td_text(f, r->git_sha);
    td_text(f, r->start_time[0] ? r->start_time : "unknown");
    fputs(r->disturbed ? "<td class=\"inconclusive\">" : "<td>", f);
    html_text(f, r->disturbed ? r->reason : "no");
    fputs("</td></tr>\n</table>\n", f);

    struct moved *m = malloc((h->n_series ? h->n_series : 1) * sizeof(*m));
    if (!m)
        return -ENOMEM;
    size_t n_series = 0, judged = 0, n_m = 0;
    for (size_t i = 0; i < h->n_series; i++) {
        const struct history_series *s = &h->series[i];
        if (strcmp(s->board, b->name) != 0)
            continue;
        n_series++;
        struct history_newest nw;
        int ret = history_newest_judge(h, s, &nw);
        if (ret == -ENOMEM) {
            free(m);
            return ret;
        }
        if (ret)
            continue;
        judged++;
        if (fabs(nw.change) >= HISTORY_HTML_MOVED)
            m[n_m++] = (struct moved){s, nw};
    }
    qsort(m, n_m, sizeof(*m), by_moved);
    fprintf(f,
            "<p>Against its baseline (the median of the undisturbed runs before it since the "
            "series' last change point): %zu of the board's %zu series compared, %zu moved by "
            "%.0f%% or more%s</p>\n",
            judged, n_series, n_m, HISTORY_HTML_MOVED * 100, n_m ? ":" : ".");
    if (n_m) {
        fputs("<table class=\"moved\">\n<tr><th>case</th><th>metric</th><th>baseline</th>"
              "<th>runs</th><th>newest</th><th>change</th><th>verdict</th></tr>\n",
              f);
        for (size_t i = 0; i < n_m && i < HISTORY_HTML_ROWS_MAX; i++) {
            fputs("<tr>", f);
            case_cells(f, m[i].s);
            fputs("<td class=\"num\">", f);
            number(f, m[i].n.baseline, m[i].s->unit);
            fprintf(f, "</td><td class=\"num\">%zu</td><td class=\"num\">", m[i].n.n_baseline);
            number(f, m[i].n.median, m[i].s->unit);
            fprintf(f, "</td><td class=\"num\">%+.1f%%</td><td class=\"%s\">%s%s</td></tr>\n",
                    m[i].n.change * 100, m[i].n.worse ? "worse" : "better",
                    m[i].n.worse ? "worse" : "better",
                    m[i].n.after_change ? ", a change point" : "");
        }
        table_end(f, n_m, HISTORY_HTML_ROWS_MAX);
    }
    free(m);
    return 0;
}

struct change_row {
    const struct history_series *s;
    const struct history_change *c;
    size_t place; /* of the first run after it, in the board's order */
};

static int by_newest_change(const void *a, const void *b)
{
    const struct change_row *x = a, *y = b;
    if (x->place != y->place) /* the newest first */
        return (x->place < y->place) - (x->place > y->place);
    double mx = fabs(x->c->change), my = fabs(y->c->change);
    return (mx < my) - (mx > my);
}

static void verdict_cell(FILE *f, const struct history_change *c)
{
    if (c->inconclusive) {
        fputs("<td class=\"inconclusive\">inconclusive: ", f);
        html_text(f, c->reason);
        fputs("</td>", f);
    } else if (c->regression) {
        fputs("<td class=\"regression\">worse: regression</td>", f);
    } else {
        const char *direction = history_change_direction(c);
        fprintf(f, "<td class=\"%s\">%s</td>", direction, direction);
    }
}

static int changes_section(struct page *pg, const struct history_board *b)
{
    const struct history *h = pg->h;
    FILE *f = pg->f;
    size_t n = 0;
    for (size_t i = 0; i < h->n_series; i++)
        if (!strcmp(h->series[i].board, b->name))
            n += h->series[i].n_changes;
    fputs("<h3>Change points</h3>\n", f);
    if (!n) {
        fputs("<p>No change point in any series of this board.</p>\n", f);
        return 0;
    }
    struct change_row *rows = malloc(n * sizeof(*rows));
    size_t *place = calloc(h->n_runs ? h->n_runs : 1, sizeof(*place));
    if (!rows || !place) {
        free(rows);
        free(place);
        return -ENOMEM;
    }
    for (size_t k = 0; k < b->n_runs; k++)
        place[b->runs[k]] = k;
    size_t n_rows = 0;
    for (size_t i = 0; i < h->n_series; i++) {
        const struct history_series *s = &h->series[i];
        if (strcmp(s->board, b->name) != 0)
            continue;
        for (size_t k = 0; k < s->n_changes; k++)
            if (s->changes[k].index < s->n_points)
                rows[n_rows++] = (struct change_row){s, &s->changes[k],
                                                     place[s->points[s->changes[k].index].run]};
    }
    free(place);
    qsort(rows, n_rows, sizeof(*rows), by_newest_change);
    fputs("<table class=\"changes\">\n<tr><th>case</th><th>metric</th><th>first run after</th>"
          "<th>kernel</th><th>git sha</th><th>before</th><th>after</th><th>change</th>"
          "<th>p-value</th><th>verdict</th></tr>\n",
          f);
    for (size_t i = 0; i < n_rows && i < HISTORY_HTML_CHANGES_MAX; i++) {
        const struct history_series *s = rows[i].s;
        const struct history_change *c = rows[i].c;
        const struct history_run *r = &h->runs[s->points[c->index].run];
        fputs("<tr>", f);
        case_cells(f, s);
        fputs("<td>", f);
        run_link(pg, r);
        fputs("</td>", f);
        td_text(f, r->kernel);
        td_text(f, r->git_sha);
        fputs("<td class=\"num\">", f);
        number(f, c->before, s->unit);
        fputs("</td><td class=\"num\">", f);
        number(f, c->after, s->unit);
        fprintf(f, "</td><td class=\"num\">%+.1f%%</td><td class=\"num\">%.3g</td>",
                c->change * 100, c->p_value);
        verdict_cell(f, c);
        fputs("</tr>\n", f);
    }
    table_end(f, n_rows, HISTORY_HTML_CHANGES_MAX);
    free(rows);
    return 0;
}

/* Whether DIR/name is a regular file (not a link): what an <img> or a link may point at. */
static bool file_here(const struct page *pg, const char *name)
{
    struct stat st;
    return fstatat(pg->dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
}

static void plots_section(struct page *pg, const struct history_board *b, const size_t *picked,
                          size_t n_picked)
{
    FILE *f = pg->f;
    size_t shown = 0;
    for (size_t i = 0; i < n_picked; i++) {
        const struct history_series *s = &pg->h->series[picked[i]];
        char stem[PLOT_TREND_NAME_MAX], png[PLOT_TREND_NAME_MAX + 8], svg[PLOT_TREND_NAME_MAX + 8];
        if (strcmp(s->board, b->name) != 0)
            continue;
        plot_trend_name(s, stem);
        snprintf(png, sizeof(png), "%s.png", stem);
        snprintf(svg, sizeof(svg), "%s.svg", stem);
        if (!file_here(pg, png))
            continue;
        if (!shown++)
            fputs("<h3>Trend plots</h3>\n<div class=\"plots\">\n", f);
        fputs("<figure>", f);
        if (file_here(pg, svg))
            fprintf(f, "<a href=\"%s\">", svg);
        fprintf(f, "<img src=\"%s\" alt=\"trend of ", png);
        html_text(f, s->case_id);
        fputc(' ', f);
        html_text(f, s->metric);
        fputs("\">", f);
        if (file_here(pg, svg))
            fputs("</a>", f);
        fputs("<figcaption>", f);
        html_text(f, s->case_id);
        fputs(" &middot; ", f);
        html_text(f, s->metric);
        fputs("</figcaption></figure>\n", f);
    }
    if (shown)
        fputs("</div>\n", f);
}

static int render(struct page *pg)
{
    const struct history *h = pg->h;
    size_t *picked, n_picked;
    /* The series plot_trend_write draws, in its order: a PNG left in DIR by an earlier history
     * of other runs is not shown for a series not drawn now. */
    int ret = plot_trend_pick(h, PLOT_TREND_MAX_DEFAULT, &picked, &n_picked);
    if (ret)
        return ret;
    page_head(pg);
    for (size_t b = 0; b < h->n_boards && !ret; b++) {
        const struct history_board *board = &h->boards[b];
        fprintf(pg->f, "<section id=\"board-%zu\">\n<h2>Board ", b + 1);
        html_text(pg->f, board->name);
        fprintf(pg->f, " <small>(%zu runs)</small></h2>\n", board->n_runs);
        if (board->n_runs && !(ret = newest_section(pg, board)) &&
            !(ret = changes_section(pg, board)))
            plots_section(pg, board, picked, n_picked);
        fputs("</section>\n", pg->f);
    }
    fputs("</body>\n</html>\n", pg->f);
    free(picked);
    return ret;
}

int history_html_write(const struct history *h, int dirfd, const char *dir, char *err, size_t len)
{
    struct page pg = {.h = h, .dirfd = dirfd};
    char fd_path[64];
    snprintf(fd_path, sizeof(fd_path), "/proc/self/fd/%d", dirfd);
    pg.here_known = realpath(fd_path, pg.here) != NULL;
    struct safe_file_update u;
    int ret = safe_file_begin(&u, dirfd, "index.html");
    if (ret) {
        snprintf(err, len, "%s: cannot create a temporary for index.html: %s", dir, strerror(-ret));
        return ret;
    }
    pg.f = u.f;
    if ((ret = render(&pg))) {
        snprintf(err, len, "%s/index.html: %s", dir, strerror(-ret));
        safe_file_abort(&u);
    } else if ((ret = safe_file_commit(&u, false))) {
        snprintf(err, len, "%s/index.html: %s", dir, strerror(-ret));
    }
    return ret;
}
