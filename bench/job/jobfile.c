/* bench/job/jobfile.c - reads job files with inih and turns their sections into jobs.
 *
 * inih (as Debian builds it) does not tell the handler which line it is on, so the text is fed
 * to it line by line through our own reader: the reader knows the line number for error
 * messages, sees section headers (inih does not report a section without keys), and refuses
 * indented lines, which inih would silently glue onto the value above.
 */
#include "jobfile.h"

#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "job_options.h"
#include "safe_file.h"

/* Keys set in the current section, for "already set on line N" and for telling a job's own
 * axes from the ones it inherited from [global]. */
struct key_line {
    char key[16];
    int line;
};

enum section_kind { SECTION_NONE, SECTION_GLOBAL, SECTION_JOB };

static const char syntax_error[] = "syntax error (expected [job], key = value or a ; comment)";

struct parse {
    const char *name; /* in messages and job->file */
    const char *pos;  /* the next line for inih */
    int line;         /* the line inih is working on */
    bool seen_content;
    enum section_kind section;
    struct key_line keys[N_SWEEP_AXES + 8]; /* every key once: the axes and the job-level keys */
    size_t n_keys;
    struct job global; /* [global] so far: what the next job starts from */
    struct job *jobs;
    size_t n_jobs, cap;
    int ret; /* first error, or 0 */
    int err_line;
    char err[384];
};

static void fail_at(struct parse *p, int line, int ret, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static void fail_at(struct parse *p, int line, int ret, const char *fmt, ...)
{
    if (p->ret)
        return; /* the first error is the one worth reading */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err, sizeof(p->err), fmt, ap);
    va_end(ap);
    p->ret = ret;
    p->err_line = line;
}

static const struct key_line *key_set_at(const struct parse *p, const char *key)
{
    for (size_t i = 0; i < p->n_keys; i++)
        if (!strcmp(p->keys[i].key, key))
            return &p->keys[i];
    return NULL;
}

/* A job is complete when its section ends: now its bench is known, so axes it inherited but
 * does not use fall back to their defaults, while those it set itself are a mistake. */
static void finish_job(struct parse *p, struct job *job)
{
    if (!job->bench[0]) {
        fail_at(p, job->line, -EINVAL, "job '%s' has no bench (set it here or in [global])",
                job->name);
        return;
    }
    unsigned axes = sweep_bench_axes(job->bench);
    for (int a = 0; a < N_SWEEP_AXES; a++)
        if (!(axes & (1u << a)) && !key_set_at(p, sweep_axis_key(a))) {
            sweep_parse_axis(a, sweep_axis_default(a), &job->axes[a], NULL, 0);
            job->axes_set &= ~(1u << a);
        }
    char reason[192];
    if (job_check(job, reason, sizeof(reason))) {
        int axis = job_unused_axis(job);
        const struct key_line *set = axis >= 0 ? key_set_at(p, sweep_axis_key(axis)) : NULL;
        fail_at(p, set ? set->line : job->line, -EINVAL, "%s", reason);
    }
}

static void close_section(struct parse *p)
{
    if (p->section == SECTION_JOB)
        finish_job(p, &p->jobs[p->n_jobs - 1]);
    p->section = SECTION_NONE;
    p->n_keys = 0;
}

static bool is_job_name(const char *name)
{
    if (!name[0] || strlen(name) >= JOB_NAME_MAX)
        return false;
    for (const char *c = name; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              strchr("_.-", *c)))
            return false;
    return true;
}

static void open_section(struct parse *p, const char *name)
{
    close_section(p);
    if (p->ret)
        return;
    if (!strcmp(name, "global")) {
        p->section = SECTION_GLOBAL; /* may come back: later values count for later jobs */
        return;
    }
    if (!is_job_name(name)) {
        fail_at(p, p->line, -EINVAL, "job name '%s': use 1 to %d letters, digits, '_', '.' or '-'",
                name, JOB_NAME_MAX - 1);
        return;
    }
    for (size_t i = 0; i < p->n_jobs; i++) {
        if (!strcmp(p->jobs[i].name, name)) {
            fail_at(p, p->line, -EINVAL, "job '%s' already defined on line %d", name,
                    p->jobs[i].line);
            return;
        }
    }
    if (p->n_jobs == JOBFILE_MAX_JOBS) {
        fail_at(p, p->line, -E2BIG, "more than %d jobs", JOBFILE_MAX_JOBS);
        return;
    }
    if (p->n_jobs == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 8;
        struct job *jobs = realloc(p->jobs, cap * sizeof(*jobs));
        if (!jobs) {
            fail_at(p, 0, -ENOMEM, "out of memory");
            return;
        }
        p->jobs = jobs;
        p->cap = cap;
    }
    struct job *job = &p->jobs[p->n_jobs++];
    *job = p->global;
    memcpy(job->name, name, strlen(name) + 1);       /* is_job_name() checked the length */
    memcpy(job->file, p->name, strlen(p->name) + 1); /* jobfile_load_text checked it fits */
    job->line = p->line;
    p->section = SECTION_JOB;
}

/* Looks at a line before inih does: a section starts here, or an indented line that inih
 * would read as the continuation of the previous value. */
static void look_at_line(struct parse *p, char *text)
{
    if (p->line == 1 && !strncmp(text, "\xEF\xBB\xBF", 3))
        text += 3; /* inih skips a UTF-8 byte order mark too */
    const char *start = text + strspn(text, " \t");
    if (!strchr(";#\r\n", *start))
        p->seen_content = true;
    if (start != text && !strchr(";#\r\n", *start)) {
        fail_at(p, p->line, -EINVAL,
                "indented line: start keys and sections in the first column (inih would "
                "read this as more of the value above)");
        return;
    }
    char *close = strchr(text, ']');
    if (text[0] == '[' && close) {
        /* The same name inih will see: from '[' to the first ']', nothing trimmed. */
        char name[JOB_NAME_MAX * 2];
        snprintf(name, sizeof(name), "%.*s", (int)(close - text - 1), text + 1);
        open_section(p, name);
    }
}

/* inih's fgets-like reader over the text: one line per call, counted. */
static char *read_line(char *str, int num, void *stream)
{
    struct parse *p = stream;
    if (p->ret || !*p->pos)
        return NULL; /* after an error nothing more is worth reading */
    size_t len = strcspn(p->pos, "\n");
    size_t content = len && p->pos[len - 1] == '\r' ? len - 1 : len;
    p->line++;
    /* inih needs room for "\r\n\0" after the longest line; a longer one would be split. */
    if (content + 3 > (size_t)num) {
        fail_at(p, p->line, -EINVAL, "line longer than %d characters", num - 3);
        return NULL;
    }
    if (p->pos[len] == '\n')
        len++;
    memcpy(str, p->pos, len);
    str[len] = '\0';
    p->pos += len;
    look_at_line(p, str);
    return p->ret ? NULL : str;
}

static int on_key(void *user, const char *section, const char *key, const char *value)
{
    struct parse *p = user;
    (void)section; /* we track sections ourselves, see look_at_line() */
    if (p->ret)
        return 1;
    if (!key[0]) { /* inih takes "= 4K" for a key with no name */
        fail_at(p, p->line, -EINVAL, "%s", syntax_error);
        return 0;
    }
    if (p->section == SECTION_NONE) {
        fail_at(p, p->line, -EINVAL,
                "key '%s' is outside any section (put it under [global] or a [job])", key);
        return 0;
    }
    /* An axis's old and new names are one key: "frame" and "format" cannot both be set. */
    int axis = sweep_axis_from_key(key);
    if (axis >= 0)
        key = sweep_axis_key(axis);
    const struct key_line *before = key_set_at(p, key);
    if (before) {
        fail_at(p, p->line, -EINVAL, "%s already set on line %d",
                axis >= 0 ? sweep_axis_option(axis) : key, before->line);
        return 0;
    }
    struct job *job = p->section == SECTION_GLOBAL ? &p->global : &p->jobs[p->n_jobs - 1];
    char reason[320];
    int ret = job_apply_option(job, key, value, reason, sizeof(reason));
    if (ret) {
        fail_at(p, p->line, ret == -E2BIG ? -E2BIG : -EINVAL, "%s", reason);
        return 0;
    }
    /* Known keys are short and number fewer than keys[]: every one is recorded. */
    if (p->n_keys < sizeof(p->keys) / sizeof(p->keys[0])) {
        snprintf(p->keys[p->n_keys].key, sizeof(p->keys[0].key), "%s", key);
        p->keys[p->n_keys++].line = p->line;
    }
    return 1;
}

int jobfile_load_text(const char *name, const char *text, struct job **jobs, size_t *n_jobs,
                      char *err, size_t err_len)
{
    if (strlen(name) >= sizeof(((struct job *)0)->file)) {
        snprintf(err, err_len, "%.64s...: %s", name, strerror(ENAMETOOLONG));
        return -ENAMETOOLONG;
    }
    struct parse *p = calloc(1, sizeof(*p));
    if (!p) {
        snprintf(err, err_len, "%s: out of memory", name);
        return -ENOMEM;
    }
    p->name = name;
    p->pos = text;
    job_init(&p->global, "global");
    int syntax = ini_parse_stream(read_line, p, on_key, p);
    if (!p->ret)
        close_section(p);
    /* inih's error line is a syntax error unless it is where our handler refused a key. */
    if (syntax > 0 && (!p->ret || syntax < p->err_line)) {
        p->ret = 0;
        fail_at(p, syntax, -EINVAL, "%s", syntax_error);
    } else if (syntax < 0) {
        fail_at(p, 0, -ENOMEM, "out of memory");
    }
    if (!p->n_jobs)
        fail_at(p, 0, -EINVAL, "%s",
                p->seen_content ? "no jobs (a job is a [section] other than [global])"
                                : "empty job file");
    int ret = p->ret;
    if (ret) {
        if (p->err_line > 0)
            snprintf(err, err_len, "%s:%d: %s", name, p->err_line, p->err);
        else
            snprintf(err, err_len, "%s: %s", name, p->err);
        free(p->jobs);
    } else {
        *jobs = p->jobs;
        *n_jobs = p->n_jobs;
    }
    free(p);
    return ret;
}

int jobfile_load(const char *path, struct job **jobs, size_t *n_jobs, char *err, size_t err_len)
{
    /* A regular file (a link to one is fine): a FIFO nobody writes would hang the run. */
    FILE *f;
    char why[128];
    int open_ret = safe_file_fopen_read(AT_FDCWD, path, true, &f, why, sizeof(why));
    if (open_ret) {
        snprintf(err, err_len, "%s: %s", path, why);
        return open_ret;
    }
    char *text = malloc(JOBFILE_MAX_BYTES + 1);
    if (!text) {
        fclose(f);
        snprintf(err, err_len, "%s: out of memory", path);
        return -ENOMEM;
    }
    size_t len = fread(text, 1, JOBFILE_MAX_BYTES + 1, f);
    int read_errno = ferror(f) ? (errno ? errno : EIO) : 0;
    fclose(f);
    int ret;
    if (read_errno) {
        ret = -read_errno;
        snprintf(err, err_len, "%s: %s", path, strerror(read_errno));
    } else if (len > JOBFILE_MAX_BYTES) {
        ret = -EFBIG;
        snprintf(err, err_len, "%s: larger than %d bytes, not a job file", path, JOBFILE_MAX_BYTES);
    } else if (memchr(text, '\0', len)) {
        ret = -EINVAL; /* the parser would stop at it and miss the rest */
        snprintf(err, err_len, "%s: holds a NUL byte, not a text file", path);
    } else {
        text[len] = '\0';
        ret = jobfile_load_text(path, text, jobs, n_jobs, err, err_len);
    }
    free(text);
    return ret;
}

const char *jobfile_find_embedded(const char *name)
{
    for (size_t i = 0; i < n_embedded_jobs; i++)
        if (!strcmp(embedded_jobs[i].name, name))
            return embedded_jobs[i].text;
    return NULL;
}

bool jobfile_arg_is_path(const char *arg)
{
    size_t len = strlen(arg);
    return strchr(arg, '/') || (len >= 4 && !strcmp(arg + len - 4, ".ini"));
}

int jobfile_load_arg(const char *arg, struct job **jobs, size_t *n_jobs, char *err, size_t err_len)
{
    if (jobfile_arg_is_path(arg))
        return jobfile_load(arg, jobs, n_jobs, err, err_len);
    const char *text = jobfile_find_embedded(arg);
    if (text) {
        char name[JOB_NAME_MAX + 16];
        snprintf(name, sizeof(name), "builtin/%s.ini", arg);
        return jobfile_load_text(name, text, jobs, n_jobs, err, err_len);
    }
    const char *names[32];
    size_t n = 0;
    char list[256] = "";
    for (size_t i = 0, used = 0; i < n_embedded_jobs && used < sizeof(list); i++) {
        if (n < sizeof(names) / sizeof(names[0]))
            names[n++] = embedded_jobs[i].name;
        int k = snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "",
                         embedded_jobs[i].name);
        used += k > 0 ? (size_t)k : 0;
    }
    const char *near = job_suggest(arg, names, n);
    snprintf(err, err_len,
             "no built-in job file '%s'%s%s%s (built in: %s; a file needs a '/' or '.ini' in its "
             "name)",
             arg, near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "", list);
    return -ENOENT;
}
