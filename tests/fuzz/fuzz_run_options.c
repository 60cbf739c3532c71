/* tests/fuzz/fuzz_run_options.c - libFuzzer target for `dmabench run`'s option parser and the
 * checks behind it: options come from users, scripts and CI jobs, and --resume parses the ones
 * a run's metadata.csv kept.
 *
 * The input is the arguments after `run`, separated by NUL bytes. Whatever they are, the parser
 * either refuses them (a message and a usage exit) or makes jobs; the jobs' cases are counted
 * before any is made, and a run within the case limit expands to no more than that many, each
 * of whose memory the guard computes without wrapping. Never a crash, a leak or undefined
 * behaviour. Arguments naming a path ('/') are left out: the target never opens files.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mem_guard.h"
#include "run_options.h"
#include "sweep.h"

#define FUZZ_MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Count, then (within the limit) make the cases and hold them to a small machine. */
static void check_jobs(const struct run_opts *o, const struct job *jobs, size_t n_jobs)
{
    static const char *const heaps[] = {"host", "system"};
    size_t total = 0;
    for (size_t i = 0; i < n_jobs; i++) {
        size_t n;
        if (!run_opts_selects(o, jobs[i].bench))
            continue;
        if (sweep_count(&jobs[i], 2, &n))
            abort(); /* a job that passed its checks can always be counted */
        total = n > SIZE_MAX - total ? SIZE_MAX : total + n;
    }
    if (total > SWEEP_MAX_CASES)
        return; /* the run refuses it, having made nothing */
    struct mem_guard guard;
    memset(&guard, 0, sizeof(guard));
    for (size_t i = 0; i < n_jobs; i++) {
        struct bench_case *cases;
        size_t n, counted;
        if (!run_opts_selects(o, jobs[i].bench))
            continue;
        if (sweep_count(&jobs[i], 2, &counted) || sweep_expand(&jobs[i], heaps, 2, &cases, &n))
            abort();
        if (n > counted)
            abort(); /* idle axes may fold combinations into one case, never add any */
        for (size_t k = 0; k < n; k++)
            mem_guard_add(&guard, &cases[k], NULL);
        free(cases);
    }
    struct mem_info info = {.mem_total = 1ull << 30, .mem_available = 512u << 20};
    char err[CLI_MESSAGE_MAX];
    err[0] = '\0';
    if (mem_guard_check(&guard, &info, &o->mem_limit, err, sizeof(err)) &&
        (!err[0] || strchr(err, '\n')))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    struct run_opts *o = calloc(1, sizeof(*o));
    char *argv[FUZZ_MAX_ARGS + 2] = {"run"};
    int argc = 1;
    if (!text || !o)
        goto out;
    memcpy(text, data, size);
    text[size] = '\0';
    for (char *arg = text; arg < text + size && argc <= FUZZ_MAX_ARGS; arg += strlen(arg) + 1) {
        if (strchr(arg, '/'))
            goto out;
        argv[argc++] = arg;
    }
    argv[argc] = NULL;
    struct job *jobs = NULL;
    size_t n_jobs = 0;
    if (run_opts_parse(argc, argv, o) == CLI_EXIT_OK && !o->resume_dir &&
        run_opts_prepare_jobs(o, &jobs, &n_jobs) == CLI_EXIT_OK)
        check_jobs(o, jobs, n_jobs);
    free(jobs);
out:
    free(o);
    free(text);
    return 0;
}
