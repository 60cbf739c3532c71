/* bench/job/jobfile.h - job files: INI text that lists the jobs of a run, like fio's job files.
 *
 * A [global] section sets defaults for the sections after it; every other section is one job
 * whose keys are those of job_apply_option(). The job files in bench/jobs are built into the
 * binary too, so that `dmabench run -j quick` works on a board with no files at all.
 */
#ifndef DMABENCH_JOBFILE_H
#define DMABENCH_JOBFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "sweep.h"

#define JOBFILE_MAX_JOBS  256
#define JOBFILE_MAX_BYTES (1024 * 1024)

/* A job file built into the binary: name is its file name without ".ini". */
struct embedded_job {
    const char *name;
    const char *text;
};

/* Generated from the files in bench/jobs by scripts/embed-jobs.sh (mk/jobs.mk), by name. */
extern const struct embedded_job embedded_jobs[];
extern const size_t n_embedded_jobs;

/* Parse a job file. On success *jobs is a malloc'd array of *n_jobs (>= 1) jobs, each passing
 * job_check(); free() it. On error returns -errno (-ENOENT, -EACCES ... for the file, -EINVAL
 * for a FIFO or a device, which is never read, -EFBIG over JOBFILE_MAX_BYTES, -EINVAL for its
 * content, -ENOMEM) with one line in err naming the file and line: "quick.ini:7: unknown key
 * 'szie' (did you mean 'size'?)". */
int jobfile_load(const char *path, struct job **jobs, size_t *n_jobs, char *err, size_t err_len);
/* The same for text already in memory; name is what messages and job->file call it (a name of
 * PATH_MAX bytes or more is -ENAMETOOLONG: job->file holds it whole). */
int jobfile_load_text(const char *name, const char *text, struct job **jobs, size_t *n_jobs,
                      char *err, size_t err_len);
/* The text of the built-in job file called name ("quick"), or NULL. */
const char *jobfile_find_embedded(const char *name);
/* Whether `-j ARG` names a file (it has a '/' or ends in ".ini") rather than a built-in. */
bool jobfile_arg_is_path(const char *arg);
/* `-j ARG`: the file, or the built-in job file (called "builtin/NAME.ini" in messages). An
 * unknown built-in is -ENOENT with the list of built-in names in err. */
int jobfile_load_arg(const char *arg, struct job **jobs, size_t *n_jobs, char *err, size_t err_len);

#endif
