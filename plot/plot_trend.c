/* plot/plot_trend.c - which series get a trend plot, their .dat files, and plot/trend.gp run on
 * each (see plot_trend.h).
 *
 * A .dat file is one block, a row per run of the board that has the case; the change points go
 * to the script as words of its EXTRA argument (their places and kinds only: no text from a
 * result file), and the .dat file's first lines give the command that redraws it by hand.
 */
#include "plot_trend.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history_gate.h"
#include "history_newest.h"
#include "plot.h"
#include "plot_render.h"
#include "text_hash.h"
#include "utf8_scan.h"

#define TREND_PREFIX_MAX 80
#define TREND_LABELS_MAX 30 /* x tics labelled at most; the others every step-th */

/* ---- names ------------------------------------------------------------------------------- */

/* Append len bytes of text to the name's prefix, each run of characters other than
 * [A-Za-z0-9.] as one '-', and a '-' after it; nothing past TREND_PREFIX_MAX. */
static void name_append(char *out, size_t *used, size_t start, const char *text, size_t len)
{
    for (size_t i = 0; i <= len && *used - start < TREND_PREFIX_MAX; i++) {
        char c = i < len ? text[i] : '-';
        bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.';
        if (keep)
            out[(*used)++] = c;
        else if (*used > start && out[*used - 1] != '-')
            out[(*used)++] = '-';
    }
}

void plot_trend_name(const struct history_series *s, char out[PLOT_TREND_NAME_MAX])
{
    uint64_t h = text_hash(text_hash(text_hash(TEXT_HASH_START, s->board), s->case_id), s->metric);
    size_t used = (size_t)snprintf(out, PLOT_TREND_NAME_MAX, "trend-");
    size_t start = used;
    name_append(out, &used, start, s->board, strlen(s->board));
    name_append(out, &used, start, s->metric, strlen(s->metric));
    /* The case id's values without their keys: "cpu:heap=host;size=4KiB" gives "cpu-host-4KiB". */
    for (const char *seg = s->case_id; *seg;) {
        size_t len = strcspn(seg, ":;");
        const char *eq = memchr(seg, '=', len);
        const char *from = eq ? eq + 1 : seg;
        name_append(out, &used, start, from, (size_t)(seg + len - from));
        seg += len + (seg[len] != '\0');
    }
    if (used == start || out[used - 1] != '-')
        out[used++] = '-';
    snprintf(out + used, PLOT_TREND_NAME_MAX - used, "%08x", (unsigned)(h ^ (h >> 32)));
}

/* ---- which series ------------------------------------------------------------------------- */

struct candidate {
    size_t series;
    int rank;         /* 0 regression, 1 inconclusive, 2 worse, 3 better */
    double magnitude; /* the largest |change| */
};

static int by_rank(const void *a, const void *b)
{
    const struct candidate *x = a, *y = b;
    if (x->rank != y->rank)
        return x->rank - y->rank;
    if (x->magnitude != y->magnitude)
        return x->magnitude < y->magnitude ? 1 : -1;
    return (x->series > y->series) - (x->series < y->series);
}

static bool add_pick(size_t *picked, size_t *n, size_t max, size_t series)
{
    for (size_t i = 0; i < *n; i++)
        if (picked[i] == series)
            return true;
    if (*n >= max)
        return false;
    picked[(*n)++] = series;
    return true;
}

int plot_trend_pick(const struct history *h, size_t max, size_t **picked, size_t *n)
{
    *picked = NULL;
    *n = 0;
    size_t *p = malloc((max ? max : 1) * sizeof(*p));
    struct candidate *c = malloc((h->n_series ? h->n_series : 1) * sizeof(*c));
    if (!p || !c) {
        free(p);
        free(c);
        return -ENOMEM;
    }
    size_t n_c = 0, n_p = 0;
    /* 1. each board's newest run at its worst */
    for (size_t b = 0; b < h->n_boards; b++) {
        size_t worst = SIZE_MAX;
        double worst_change = 0;
        for (size_t i = 0; i < h->n_series; i++) {
            struct history_newest nw;
            if (strcmp(h->series[i].board, h->boards[b].name) != 0)
                continue;
            int ret = history_newest_judge(h, &h->series[i], &nw);
            if (ret == -ENOMEM) {
                free(p);
                free(c);
                return ret;
            }
            if (!ret && nw.worse && fabs(nw.change) > worst_change) {
                worst = i;
                worst_change = fabs(nw.change);
            }
        }
        if (worst != SIZE_MAX)
            add_pick(p, &n_p, max, worst);
    }
    /* 2. the series with change points */
    for (size_t i = 0; i < h->n_series; i++) {
        const struct history_series *s = &h->series[i];
        if (!s->n_changes || s->n_points < 2)
            continue;
        struct candidate k = {.series = i, .rank = 3};
        for (size_t j = 0; j < s->n_changes; j++) {
            const struct history_change *ch = &s->changes[j];
            int rank = ch->inconclusive ? 1 : ch->regression ? 0 : ch->worse ? 2 : 3;
            k.rank = rank < k.rank ? rank : k.rank;
            if (fabs(ch->change) > k.magnitude)
                k.magnitude = fabs(ch->change);
        }
        c[n_c++] = k;
    }
    qsort(c, n_c, sizeof(*c), by_rank);
    for (size_t i = 0; i < n_c && add_pick(p, &n_p, max, c[i].series); i++)
        ;
    free(c);
    *picked = p;
    *n = n_p;
    return 0;
}

/* ---- one plot ------------------------------------------------------------------------------ */

/* The length of the character s starts with when it may go into a .dat file or a title as it
 * is: valid UTF-8, no control character, no double quote (gnuplot's quoted strings end there);
 * 0 for a byte that is replaced (replacement). */
static size_t plain_char(const char *s)
{
    size_t len = utf8_sequence(s);
    return len == 1 && ((unsigned char)*s < 0x20 || *s == 0x7f || *s == '"') ? 0 : len;
}

/* A double quote becomes a single one, any other byte left out by plain_char a '?'. */
static char replacement(const char *s)
{
    return *s == '"' ? '\'' : '?';
}

static void put_text(FILE *f, const char *s)
{
    for (size_t len; *s; s += len ? len : 1) {
        len = plain_char(s);
        if (len)
            fwrite(s, 1, len, f);
        else
            fputc(replacement(s), f);
    }
}

/* The same into out, cut before the character that does not fit. */
static void text_into(char *out, size_t size, const char *s)
{
    size_t used = 0;
    for (size_t len; *s; s += len ? len : 1) {
        len = plain_char(s);
        if (used + (len ? len : 1) >= size)
            break;
        if (len)
            memcpy(out + used, s, len);
        else
            out[used] = replacement(s);
        used += len ? len : 1;
    }
    out[used] = '\0';
}

/* Each point's x: its run's place in the board's order. */
static int point_places(const struct history *h, const struct history_board *b,
                        const struct history_series *s, double *x)
{
    for (size_t i = 0; i < s->n_points; i++) {
        x[i] = NAN;
        for (size_t k = 0; k < b->n_runs; k++)
            if (b->runs[k] == s->points[i].run)
                x[i] = (double)k;
        if (isnan(x[i]) || s->points[i].run >= h->n_runs)
            return -EINVAL;
    }
    return 0;
}

struct trend_ctx {
    const struct history *h;
    const struct plot_render *r;
    char *err;
    size_t err_len;
    char first_failure[1024]; /* the first plot that failed, for err */
};

static void write_dat(FILE *f, const struct trend_ctx *x, const struct history_series *s,
                      const double *px, const char *extra, const char *stem)
{
    const struct history *h = x->h;
    fprintf(f, "# dmabench trend data: gnuplot -c plot/trend.gp %s.dat %s TITLE UNIT \"\" \"%s\"\n",
            stem, stem, extra);
    fputs("# board ", f);
    put_text(f, s->board);
    fputs(", case ", f);
    put_text(f, s->case_id);
    fputs(", metric ", f);
    put_text(f, s->metric);
    fputs(" (", f);
    put_text(f, s->unit);
    fprintf(f, "), %s is better; runs in %s order\n", s->higher_better ? "higher" : "lower",
            history_order_name(h->order));
    for (size_t k = 0; k < s->n_changes; k++) {
        const struct history_change *c = &s->changes[k];
        if (c->index == 0 || c->index >= s->n_points)
            continue;
        fprintf(f, "# change point at x=%g (run ", (px[c->index - 1] + px[c->index]) / 2);
        put_text(f, h->runs[s->points[c->index].run].run_id);
        fprintf(f, "): %.10g -> %.10g, %+.1f%%, p %.3g, %s\n", c->before, c->after, c->change * 100,
                c->p_value, history_change_label(c));
    }
    fputs("# x median ci_low ci_high disturbed \"label\" \"run id\"\n", f);
    for (size_t i = 0; i < s->n_points; i++) {
        const struct history_point *p = &s->points[i];
        const struct history_run *run = &h->runs[p->run];
        /* Rows without a CI get a zero-length bar. */
        double lo = isnan(p->ci_low) ? p->median : p->ci_low;
        double hi = isnan(p->ci_high) ? p->median : p->ci_high;
        fprintf(f, "%g %.10g %.10g %.10g %d \"", px[i], p->median, lo, hi, run->disturbed);
        put_text(f, h->order == HISTORY_ORDER_GIT ? run->git_sha : run->kernel);
        fputs("\" \"", f);
        put_text(f, run->run_id);
        fputs("\"\n", f);
    }
}

/* EXTRA for plot/trend.gp: see its top comment. */
static void trend_extra(const struct history *h, const struct history_board *b,
                        const struct history_series *s, const double *px, char *out, size_t len)
{
    size_t disturbed = 0;
    for (size_t i = 0; i < s->n_points; i++)
        disturbed += h->runs[s->points[i].run].disturbed;
    size_t step = (b->n_runs + TREND_LABELS_MAX - 1) / TREND_LABELS_MAX;
    size_t used = (size_t)snprintf(out, len, "order=%s runs=%zu calm=%zu disturbed=%zu step=%zu",
                                   history_order_name(h->order), b->n_runs, s->n_points - disturbed,
                                   disturbed, step ? step : 1);
    for (size_t k = 0; k < s->n_changes; k++) {
        const struct history_change *c = &s->changes[k];
        char word[64];
        if (c->index == 0 || c->index >= s->n_points)
            continue;
        size_t n = (size_t)snprintf(word, sizeof(word), " cp=%g:%s:%+.1f%%",
                                    (px[c->index - 1] + px[c->index]) / 2, history_change_label(c),
                                    c->change * 100);
        if (used + n >= len) /* whole words only: a cut one would draw a wrong line */
            break;
        memcpy(out + used, word, n + 1);
        used += n;
    }
}

static int plot_series(struct trend_ctx *x, const struct history_series *s)
{
    const struct history_board *b = history_board_of(x->h, s);
    char stem[PLOT_TREND_NAME_MAX], extra[4096], title[1024], board[256], case_id[512], metric[128],
            unit[64], data[PLOT_TREND_NAME_MAX + 8];
    plot_trend_name(s, stem);
    double *px = malloc(s->n_points * sizeof(*px));
    if (!px) {
        snprintf(x->err, x->err_len, "%s", strerror(ENOMEM));
        return -ENOMEM;
    }
    int ret = b ? point_places(x->h, b, s, px) : -EINVAL;
    if (ret) {
        snprintf(x->err, x->err_len, "%s: a point of a run that is not its board's", stem);
        free(px);
        return ret;
    }
    trend_extra(x->h, b, s, px, extra, sizeof(extra));
    FILE *f;
    if (!(ret = plot_render_dat_create(x->r, stem, &f, x->err, x->err_len))) {
        write_dat(f, x, s, px, extra, stem);
        ret = plot_render_dat_close(x->r, stem, f, x->err, x->err_len);
    }
    free(px);
    if (ret)
        return ret;
    text_into(board, sizeof(board), s->board);
    text_into(case_id, sizeof(case_id), s->case_id);
    text_into(metric, sizeof(metric), s->metric);
    text_into(unit, sizeof(unit), s->unit);
    snprintf(title, sizeof(title), "%s: %s\n%s (%s), %s is better; %zu runs in %s order", board,
             case_id, metric, unit, s->higher_better ? "higher" : "lower", s->n_points,
             history_order_name(x->h->order));
    snprintf(data, sizeof(data), "%s.dat", stem);
    const char *args[] = {data, stem, title, unit, "", extra};
    bool made;
    char note[256], *errors = NULL;
    ret = plot_render_run(x->r, "trend", stem, args, sizeof(args) / sizeof(*args), &made, note,
                          sizeof(note), &errors, x->err, x->err_len);
    if (!ret && !made && !x->first_failure[0]) {
        char first[256] = "";
        if (errors)
            sscanf(errors, "%255[^\n]", first);
        snprintf(x->first_failure, sizeof(x->first_failure), "trend plot %s: %s%s%s", stem, note,
                 first[0] ? ": " : "", first);
    }
    free(errors);
    return ret;
}

int plot_trend_write_max(const struct history *h, size_t max, int dirfd, const char *dir, char *err,
                         size_t len)
{
    size_t *picked, n;
    int ret = plot_trend_pick(h, max, &picked, &n);
    if (ret) {
        snprintf(err, len, "%s", strerror(-ret));
        return ret;
    }
    if (!n) { /* nothing to draw: no need of gnuplot or its scripts */
        free(picked);
        return 0;
    }
    char scripts[PATH_MAX];
    struct plot_render r;
    if ((ret = plot_find_scripts(scripts, sizeof(scripts), err, len)) ||
        (ret = plot_render_begin(&r, dirfd, dir, scripts, err, len))) {
        free(picked);
        return ret;
    }
    struct trend_ctx x = {.h = h, .r = &r, .err = err, .err_len = len};
    for (size_t i = 0; i < n && !ret; i++)
        ret = plot_series(&x, &h->series[picked[i]]);
    plot_render_end(&r);
    free(picked);
    if (!ret && x.first_failure[0]) {
        snprintf(err, len, "%s", x.first_failure);
        ret = -ECHILD;
    }
    return ret;
}

int plot_trend_write(const struct history *h, int dirfd, const char *dir, char *err, size_t len)
{
    return plot_trend_write_max(h, PLOT_TREND_MAX_DEFAULT, dirfd, dir, err, len);
}
