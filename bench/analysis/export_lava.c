/* bench/analysis/export_lava.c - LAVA results: finding and running lava-test-case, or printing
 * signal lines in its place.
 *
 * The helper is run with posix_spawn (no shell, so names and units are never re-parsed) and
 * waited for, one result at a time, as a test shell script would call it. Names and units are
 * reduced to characters that need no quoting in a shell or a signal line.
 */
#include "export_lava.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "text_hash.h"

extern char **environ;

bool lava_helper_find(char *path, size_t len)
{
    const char *dirs = getenv("PATH");
    if (!dirs || !*dirs)
        return false;
    for (const char *p = dirs; *p;) {
        size_t n = strcspn(p, ":");
        /* An empty PATH entry means the current directory. */
        int w = n ? snprintf(path, len, "%.*s/%s", (int)n, p, LAVA_HELPER)
                  : snprintf(path, len, "./%s", LAVA_HELPER);
        if (w > 0 && (size_t)w < len && access(path, X_OK) == 0)
            return true;
        p += n + (p[n] == ':');
    }
    return false;
}

void lava_sink_init(struct lava_sink *s, FILE *out, bool signal)
{
    s->out = out;
    s->helper[0] = '\0';
    s->mode = !signal && lava_helper_find(s->helper, sizeof(s->helper)) ? LAVA_HELPER_RUN
                                                                        : LAVA_SIGNAL;
}

static bool name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

/* Units keep '/', '%' and '.' ("bytes/s", "%"): still nothing a shell or a signal splits on. */
static void clean_units(char *out, size_t len, const char *units)
{
    size_t i = 0;
    for (; units[i] && i + 1 < len; i++)
        out[i] = name_char(units[i]) || strchr("/%.", units[i]) ? units[i] : '_';
    out[i] = '\0';
}

/* Append one part of a dotted path, cleaned; an empty part becomes "_". */
static void append_part(char *out, size_t len, size_t *used, const char *part, size_t part_len)
{
    if (*used && *used + 1 < len)
        out[(*used)++] = '.';
    if (!part_len && *used + 1 < len)
        out[(*used)++] = '_';
    for (size_t i = 0; i < part_len && *used + 1 < len; i++)
        out[(*used)++] = name_char(part[i]) ? part[i] : '_';
    out[*used] = '\0';
}

void export_case_path(char *out, size_t len, const char *prefix, const char *case_id,
                      const char *metric)
{
    size_t used = 0;
    if (!len)
        return;
    out[0] = '\0';
    if (prefix)
        append_part(out, len, &used, prefix, strlen(prefix));
    /* "bench:key=value;key=value": the benchmark, then the values in the id's (fixed) order;
     * an id of another shape is taken whole. */
    const char *colon = strchr(case_id, ':');
    if (!colon) {
        append_part(out, len, &used, case_id, strlen(case_id));
    } else {
        append_part(out, len, &used, case_id, (size_t)(colon - case_id));
        for (const char *p = colon + 1; *p;) {
            size_t n = strcspn(p, ";");
            const char *eq = memchr(p, '=', n);
            const char *value = eq ? eq + 1 : p;
            append_part(out, len, &used, value, (size_t)(p + n - value));
            p += n + (p[n] == ';');
        }
    }
    append_part(out, len, &used, metric, strlen(metric));
}

static int run_helper(const struct lava_sink *s, const char *name, const char *result,
                      const char *measurement, const char *units)
{
    char *argv[] = {(char *)LAVA_HELPER,
                    (char *)name,
                    (char *)"--result",
                    (char *)result,
                    (char *)"--measurement",
                    (char *)measurement,
                    (char *)"--units",
                    (char *)units,
                    NULL};
    if (!*measurement)
        argv[4] = NULL;
    /* What was printed before must come before what the helper prints. */
    if (s->out && fflush(s->out) != 0)
        return -EIO;
    pid_t pid;
    int ret = posix_spawn(&pid, s->helper, NULL, NULL, argv, environ);
    if (ret)
        return -ret;
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -errno;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

const char *lava_result_of_junit(enum junit_outcome o)
{
    return o == JUNIT_PASS ? "pass" : o == JUNIT_SKIPPED ? "skip" : "fail";
}

int lava_report(const struct lava_sink *s, const char *name, const char *result, double measurement,
                const char *units)
{
    char value[32] = "", unit[64];
    if (!isnan(measurement))
        snprintf(value, sizeof(value), "%.10g", measurement);
    clean_units(unit, sizeof(unit), units && *units ? units : "none");
    if (s->mode == LAVA_HELPER_RUN)
        return run_helper(s, name, result, value, unit);
    fprintf(s->out, "<LAVA_SIGNAL_TESTCASE TEST_CASE_ID=%s RESULT=%s", name, result);
    if (*value)
        fprintf(s->out, " UNITS=%s MEASUREMENT=%s", unit, value);
    fputs(">\n", s->out);
    return ferror(s->out) ? -EIO : 0;
}

/* Cut a dotted path to at most max characters, its longest parts first and none below
 * PART_KEEP characters (so the parameters after a long heap name still read), then its end. */
static void shorten_path(char *path, size_t max)
{
    enum { PART_KEEP = 12, PARTS_MAX = 64 };
    size_t start[PARTS_MAX], len[PARTS_MAX], n = 0, total = strlen(path);
    for (size_t at = 0; n < PARTS_MAX;) {
        start[n] = at;
        len[n] = strcspn(path + at, ".");
        at += len[n++];
        if (!path[at++])
            break;
    }
    while (total > max) {
        size_t longest = 0;
        for (size_t i = 1; i < n; i++)
            if (len[i] > len[longest])
                longest = i;
        if (len[longest] <= PART_KEEP)
            break;
        len[longest]--;
        total--;
    }
    size_t used = 0;
    for (size_t i = 0; i < n && used < max; i++) {
        if (i)
            path[used++] = '.';
        memmove(path + used, path + start[i], len[i]);
        used += len[i];
    }
    used = used < max ? used : max;
    while (used && path[used - 1] == '.')
        used--; /* no ".-" where the end was cut after a dot */
    path[used] = '\0';
}

/* The hash is of the case itself, not of its cleaned path, so cases whose names differ only in
 * characters a name cannot hold still get different hashes. */
bool lava_case_name(char out[LAVA_NAME_MAX + 1], const char *prefix, const char *case_id,
                    const char *metric)
{
    enum { HASH_DIGITS = 12 };
    char path[1024];
    export_case_path(path, sizeof(path), prefix, case_id, metric);
    size_t len = strlen(path);
    if (len <= LAVA_NAME_MAX && len + 1 < sizeof(path)) {
        memcpy(out, path, len + 1);
        return false;
    }
    uint64_t h = text_hash(TEXT_HASH_START, prefix ? prefix : "");
    h = text_hash(text_hash(h, case_id), metric);
    shorten_path(path, LAVA_NAME_MAX - 1 - HASH_DIGITS);
    snprintf(out, LAVA_NAME_MAX + 1, "%.*s-%0*" PRIx64, LAVA_NAME_MAX - 1 - HASH_DIGITS, path,
             HASH_DIGITS, h >> (64 - 4 * HASH_DIGITS));
    return true;
}

/* What a note may print of a case id: no '<' or '>' (a line holding them could read as a
 * signal to LAVA), no control characters. */
static void print_note_text(FILE *out, const char *s)
{
    for (; *s; s++)
        fputc(strchr("<>", *s) || (unsigned char)*s < 0x20 || *s == 0x7f ? '_' : *s, out);
}

int lava_report_case(const struct lava_sink *s, const char *prefix, const char *case_id,
                     const char *metric, const char *result, double measurement, const char *units)
{
    char name[LAVA_NAME_MAX + 1];
    if (lava_case_name(name, prefix, case_id, metric) && s->out) {
        fprintf(s->out, "dmabench: %s is ", name);
        if (prefix) {
            print_note_text(s->out, prefix);
            fputc(' ', s->out);
        }
        print_note_text(s->out, case_id);
        fputc(' ', s->out);
        print_note_text(s->out, metric);
        fputc('\n', s->out);
    }
    return lava_report(s, name, result, measurement, units);
}
