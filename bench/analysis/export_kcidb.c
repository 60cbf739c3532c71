/* bench/analysis/export_kcidb.c - a run as KCIDB v5 JSON (KernelCI's common report database), by
 * jansson.
 *
 * KCIDB is about kernels: the running kernel is the checkout (its tree and commit when known)
 * and build under test (or a build KCIDB already has, --build-id), the board is the test
 * environment, given in full once (the run's test, path "dmabench"), and each results row is a
 * test whose path is dmabench.<bench>.<parameters>.<metric>. Measurements are DONE with a
 * number, in base units KCIDB can prefix for display (ns become seconds with a metric prefix);
 * a row's statistics are numbers in its misc.
 */
#include "export.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json_out.h"
#include "metadata.h"
#include "results_json.h"
#include "results_validate.h"

bool kcidb_origin_valid(const char *origin)
{
    if (!*origin)
        return false;
    for (const char *p = origin; *p; p++)
        if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '_')
            return false;
    return true;
}

#define KCIDB_COMMIT_LEN 40

/* Where a kernel release names its commit, as CONFIG_LOCALVERSION_AUTO appends it
 * ("6.12.0-rc1-00042-gabcdef123456", maybe "-dirty" after): the hex digits after the last
 * "-g" (12 to 40 of them), and how many in *len; NULL when it names none. */
static const char *release_commit_digits(const char *release, size_t *len)
{
    const char *found = NULL;
    for (const char *p = strstr(release, "-g"); p; p = strstr(p + 1, "-g")) {
        size_t n = strspn(p + 2, "0123456789abcdef");
        if (n >= 12 && n <= KCIDB_COMMIT_LEN && strchr("-+", p[2 + n]) != NULL) {
            found = p + 2;
            *len = n;
        }
    }
    return found;
}

static bool kcidb_release_names_commit(const char *release)
{
    size_t len;
    return release_commit_digits(release, &len) != NULL;
}

/* The full commit hash a release names (only when all 40 digits are there): true and out. */
static bool kcidb_release_commit(const char *release, char out[KCIDB_COMMIT_LEN + 1])
{
    size_t len;
    const char *digits = release_commit_digits(release, &len);
    if (!digits || len != KCIDB_COMMIT_LEN)
        return false;
    memcpy(out, digits, KCIDB_COMMIT_LEN);
    out[KCIDB_COMMIT_LEN] = '\0';
    return true;
}

/* Units in KCIDB's display terms: a base unit and a prefix kind. */
static void number_unit(const char *unit, double *scale, const char **kunit, const char **prefix)
{
    static const struct {
        const char *unit, *kunit, *prefix;
        double scale;
    } map[] = {
            {"ns", "s", "metric", 1e-9},
            {"ns/MiB", "s/MiB", "metric", 1e-9},
            {"bytes/s", "B/s", "metric", 1},
            {"buffers/s", "buffers/s", "metric", 1},
    };
    *scale = 1;
    *kunit = unit;
    *prefix = NULL;
    for (size_t i = 0; i < sizeof(map) / sizeof(*map); i++) {
        if (!strcmp(unit, map[i].unit)) {
            *scale = map[i].scale;
            *kunit = map[i].kunit;
            *prefix = map[i].prefix;
        }
    }
}

/* The devicetree's compatible strings: dt_compatible holds them joined by ';', KCIDB wants each
 * without blanks. NULL when none is known (or out of memory: *ok says which). */
static json_t *compatible_list(const struct result_set *s, bool *ok)
{
    const char *dt = result_set_meta_known(s, "dt_compatible");
    json_t *list = dt ? json_array() : NULL;
    if (dt && !list)
        *ok = false;
    for (const char *p = dt; list && *p;) {
        size_t n = strcspn(p, ";");
        char item[256];
        snprintf(item, sizeof(item), "%.*s", (int)n, p);
        if (n && !strpbrk(item, " \t") && item[0] != ',' && !strstr(item, ",,") &&
            item[n - 1] != ',')
            json_append(list, json_text(item), ok);
        p += n + (p[n] == ';');
    }
    if (list && !json_array_size(list)) {
        json_decref(list);
        list = NULL;
    }
    return list;
}

/* The board in full: a comment, the compatible strings and the machine's facts. */
static json_t *environment(const struct result_set *s, bool *ok)
{
    json_t *env = json_new_object(ok);
    if (!env)
        return NULL;
    char comment[512];
    snprintf(comment, sizeof(comment), "%s, %s", result_set_board(s),
             result_set_meta(s, "cpu_model"));
    json_put_text(env, "comment", comment, ok);
    json_t *compatible = compatible_list(s, ok);
    if (compatible)
        json_put(env, "compatible", compatible, ok);
    static const char *const keys[] = {
            "board",          "hostname",         "cpu_model", "cpu_cores",  "numa_nodes",
            "kernel_cmdline", "cpufreq_governor", "thp",       "clocksource"};
    json_t *misc = json_put_object(env, "misc", ok);
    for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++)
        if (result_set_meta_known(s, keys[i]))
            json_put_text(misc, keys[i], result_set_meta_known(s, keys[i]), ok);
    return env;
}

/* What a case's test says of its environment: only the compatible strings KCIDB's dashboards
 * group tests by (NULL when none is known); the rest is the run's test's, once. */
static json_t *case_environment(const struct result_set *s, bool *ok)
{
    json_t *compatible = compatible_list(s, ok);
    if (!compatible)
        return NULL;
    json_t *env = json_object();
    if (!env) {
        json_decref(compatible);
        *ok = false;
        return NULL;
    }
    json_put(env, "compatible", compatible, ok);
    return env;
}

struct ids {
    char checkout[512], build[512], run[512];
};

static void make_ids(const struct result_set *s, const struct kcidb_opts *o, struct ids *ids)
{
    /* Unique per origin: the host and the run's start time. */
    snprintf(ids->run, sizeof(ids->run), "%s:%s:%s", o->origin, result_set_meta(s, "hostname"),
             result_set_meta(s, "run_id"));
    snprintf(ids->checkout, sizeof(ids->checkout), "%s", ids->run);
    snprintf(ids->build, sizeof(ids->build), "%s", o->build_id ? o->build_id : ids->run);
}

static void add_checkout_and_build(json_t *root, const struct result_set *s, const struct ids *ids,
                                   const struct kcidb_opts *o, bool *ok)
{
    json_t *checkout = json_append_object(json_put_array(root, "checkouts", ok), ok);
    json_t *build = json_append_object(json_put_array(root, "builds", ok), ok);
    char comment[1024];
    snprintf(comment, sizeof(comment), "the running kernel: Linux %s %s",
             result_set_meta(s, "kernel_release"), result_set_meta(s, "kernel_version"));
    json_put_text(checkout, "id", ids->checkout, ok);
    json_put_text(checkout, "origin", o->origin, ok);
    json_put_text(checkout, "comment", comment, ok);
    if (o->kernel_tree)
        json_put_text(checkout, "tree_name", o->kernel_tree, ok);
    char commit[KCIDB_COMMIT_LEN + 1];
    if (o->kernel_commit)
        json_put_text(checkout, "git_commit_hash", o->kernel_commit, ok);
    else if (kcidb_release_commit(result_set_meta(s, "kernel_release"), commit))
        json_put_text(checkout, "git_commit_hash", commit, ok);
    /* A release that names its commit (CONFIG_LOCALVERSION_AUTO: 6.12.0-rc1-00042-gabc123...)
     * reads like `git describe`, which is what git_commit_name holds. */
    const char *release = result_set_meta_known(s, "kernel_release");
    if (release && kcidb_release_names_commit(release))
        json_put_text(checkout, "git_commit_name", release, ok);
    /* It booted and ran the tests, so its source was whole. */
    json_put(checkout, "valid", json_true(), ok);
    json_put_text(build, "id", ids->build, ok);
    json_put_text(build, "origin", o->origin, ok);
    json_put_text(build, "checkout_id", ids->checkout, ok);
    json_put_text(build, "comment", comment, ok);
    char arch[64] = "";
    const char *a = result_set_meta_known(s, "kernel_arch");
    for (size_t i = 0; a && a[i] && i + 1 < sizeof(arch); i++) {
        char c = (char)tolower((unsigned char)a[i]);
        arch[i] = islower((unsigned char)c) || isdigit((unsigned char)c) ? c : '_';
        arch[i + 1] = '\0';
    }
    if (*arch)
        json_put_text(build, "architecture", arch, ok);
    json_put(build, "status", json_string("PASS"), ok);
    static const char *const keys[] = {"kernel_release", "kernel_version", "kernel_cmdline"};
    json_t *misc = json_put_object(build, "misc", ok);
    for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++)
        if (result_set_meta_known(s, keys[i]))
            json_put_text(misc, keys[i], result_set_meta_known(s, keys[i]), ok);
}

/* A new test in tests with the fields every test of the run shares; NULL with *ok false. */
static json_t *test_base(json_t *tests, const struct ids *ids, const char *origin,
                         const char *start, bool *ok)
{
    json_t *t = json_append_object(tests, ok);
    if (!t)
        return NULL;
    json_put_text(t, "build_id", ids->build, ok);
    json_put_text(t, "origin", origin, ok);
    if (start)
        json_put_text(t, "start_time", start, ok);
    return t;
}

static void add_row_test(json_t *tests, const struct result_set *s, const struct result_row *row,
                         const struct ids *ids, const char *origin, const char *start,
                         const json_t *env, const struct sample_index *samples, bool *ok)
{
    json_t *t = test_base(tests, ids, origin, start, ok);
    if (!t)
        return;
    const char *case_id = result_text(row, s->c.case_id), *metric = result_text(row, s->c.metric);
    const char *status = result_text(row, s->c.status), *unit = result_text(row, s->c.unit);
    char id[1024], path[512];
    snprintf(id, sizeof(id), "%s:%s:%s", ids->run, case_id, metric);
    export_case_path(path, sizeof(path), "dmabench", case_id, metric);
    json_put_text(t, "id", id, ok);
    json_put_text(t, "path", path, ok);
    if (env)
        json_put(t, "environment", json_deep_copy(env), ok);
    double seconds = export_case_seconds(samples, case_id, metric);
    if (isfinite(seconds))
        json_put(t, "duration", json_real(seconds), ok);
    double median = result_num(row, s->c.median);
    const char *verdict = result_text(row, result_set_col(s, "verdict"));
    if (!strcmp(status, "ok") && !isnan(median)) {
        /* A verdict judges the code (PASS / FAIL); a bare measurement does not (DONE). The
         * number is kept either way. */
        json_put(t, "status",
                 json_string(!*verdict                        ? "DONE"
                             : results_verdict_fails(verdict) ? "FAIL"
                                                              : "PASS"),
                 ok);
        double scale;
        const char *kunit, *prefix;
        number_unit(unit, &scale, &kunit, &prefix);
        json_t *number = json_put_object(t, "number", ok);
        json_put(number, "value", json_real(median * scale), ok);
        json_put_text(number, "unit", kunit, ok);
        if (prefix)
            json_put_text(number, "prefix", prefix, ok);
    } else {
        /* A case that failed found the kernel (or the heap) wanting: FAIL; one that does not
         * apply here says nothing about it: SKIP. */
        json_put(t, "status", json_string(strcmp(status, "skipped") ? "FAIL" : "SKIP"), ok);
        json_put_text(t, "log_excerpt", result_text(row, result_set_col(s, "error")), ok);
    }
    static const char *const cols[] = {"case_id", "bench",  "job",       "heap",   "metric",
                                       "unit",    "better", "n",         "median", "ci_low",
                                       "ci_high", "p99",    "reps_stop", "status", "verdict"};
    json_t *misc = json_put_object(t, "misc", ok);
    for (size_t i = 0; i < sizeof(cols) / sizeof(*cols); i++) {
        int col = result_set_col(s, cols[i]);
        if (col < 0 || !*result_text(row, col))
            continue;
        /* Statistics as numbers (the reader validated them): a count as an integer. */
        double v = result_num(row, col);
        if (!result_col_is_numeric(cols[i]) || !isfinite(v))
            json_put_text(misc, cols[i], result_text(row, col), ok);
        else if (v == floor(v) && fabs(v) < 0x1p53)
            json_put(misc, cols[i], json_integer((json_int_t)v), ok);
        else
            json_put(misc, cols[i], json_real(v), ok);
    }
}

/* The path "dmabench": the run as a whole, with every metadata key. */
static void add_run_test(json_t *tests, const struct result_set *s, const struct ids *ids,
                         const char *origin, const char *start, const json_t *env, bool *ok)
{
    json_t *t = test_base(tests, ids, origin, start, ok);
    if (!t)
        return;
    bool failed = false;
    int verdict = result_set_col(s, "verdict");
    for (size_t i = 0; i < s->n_rows; i++) {
        const char *status = result_text(&s->rows[i], s->c.status);
        failed |= (strcmp(status, "ok") && strcmp(status, "skipped")) ||
                  results_verdict_fails(result_text(&s->rows[i], verdict));
    }
    char comment[512];
    snprintf(comment, sizeof(comment), "dmabench %s, run %s on %s",
             result_set_meta(s, "dmabench_version"), result_set_meta(s, "run_id"),
             result_set_board(s));
    json_put_text(t, "id", ids->run, ok);
    json_put_text(t, "path", "dmabench", ok);
    json_put_text(t, "comment", comment, ok);
    json_put(t, "status", json_string(failed ? "FAIL" : "PASS"), ok);
    json_put(t, "environment", json_deep_copy(env), ok);
    double duration =
            metadata_parse_time(result_set_meta_known(s, "end_time")) - metadata_parse_time(start);
    if (duration >= 0)
        json_put(t, "duration", json_real(duration), ok);
    json_t *misc = json_put_object(t, "misc", ok);
    for (size_t i = 0; i < s->md->n; i++)
        json_put_text(misc, s->md->entries[i].key, s->md->entries[i].value, ok);
}

int export_kcidb(const struct result_set *s, const struct kcidb_opts *o, FILE *out, char *err,
                 size_t err_len)
{
    const char *origin = o->origin ? o->origin : KCIDB_ORIGIN_DEFAULT;
    if (!kcidb_origin_valid(origin)) {
        snprintf(err, err_len, "origin '%s': KCIDB origins are [a-z0-9_]+", origin);
        return -EINVAL;
    }
    const char *colon = o->build_id ? strchr(o->build_id, ':') : NULL;
    if (o->build_id && (!colon || colon == o->build_id)) {
        snprintf(err, err_len, "build id '%s': KCIDB ids are ORIGIN:ID", o->build_id);
        return -EINVAL;
    }
    if (o->build_id && (o->kernel_tree || o->kernel_commit)) {
        snprintf(err, err_len,
                 "the kernel's tree and commit describe our own checkout: not with "
                 "--build-id (KCIDB has that build's)");
        return -EINVAL;
    }
    char commit[KCIDB_COMMIT_LEN + 1] = "";
    if (o->kernel_commit) {
        size_t n = strlen(o->kernel_commit);
        if (n != KCIDB_COMMIT_LEN || strspn(o->kernel_commit, "0123456789abcdefABCDEF") != n) {
            snprintf(err, err_len, "kernel commit '%s': KCIDB wants the full 40-digit hash",
                     o->kernel_commit);
            return -EINVAL;
        }
        for (size_t i = 0; i < n; i++)
            commit[i] = (char)tolower((unsigned char)o->kernel_commit[i]);
    }
    if (o->kernel_tree && (!*o->kernel_tree || strchr(o->kernel_tree, '\n'))) {
        snprintf(err, err_len, "kernel tree '%s': a name such as mainline or net-next",
                 o->kernel_tree);
        return -EINVAL;
    }
    struct kcidb_opts opts = *o;
    opts.origin = origin;
    opts.kernel_commit = *commit ? commit : NULL;
    struct ids ids;
    make_ids(s, &opts, &ids);
    /* KCIDB takes RFC 3339 times; ours are, when the run recorded one. */
    const char *start = isnan(metadata_parse_time(result_set_meta_known(s, "start_time")))
                                ? NULL
                                : result_set_meta_known(s, "start_time");
    bool ok = true;
    json_t *root = json_new_object(&ok);
    json_t *env = environment(s, &ok), *case_env = case_environment(s, &ok);
    json_t *version = json_put_object(root, "version", &ok);
    json_put(version, "major", json_integer(KCIDB_VERSION_MAJOR), &ok);
    json_put(version, "minor", json_integer(KCIDB_VERSION_MINOR), &ok);
    if (root && !o->build_id)
        add_checkout_and_build(root, s, &ids, &opts, &ok);
    json_t *tests = json_put_array(root, "tests", &ok);
    if (root && tests && env) {
        add_run_test(tests, s, &ids, origin, start, env, &ok);
        for (size_t i = 0; i < s->n_rows; i++)
            add_row_test(tests, s, &s->rows[i], &ids, origin, start, case_env, o->samples, &ok);
    }
    int ret = ok && root && tests && env ? 0 : -ENOMEM;
    if (!ret)
        ret = results_json_dump(root, out);
    if (ret)
        snprintf(err, err_len, "%s", strerror(-ret));
    json_decref(env);
    json_decref(case_env);
    json_decref(root);
    return ret;
}
