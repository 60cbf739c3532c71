/* bench/results/output_dir.h - the run directory: created safely, locked, and never silently
 * reused.
 *
 * Runs land in shared places (/tmp, an NFS results share) and often run as root, so the
 * directory is walked one component at a time with openat(O_NOFOLLOW): a symbolic link that
 * someone else planted is refused instead of followed, and every file is then created
 * relative to the directory's fd. A lock file keeps two dmabench processes out of one run.
 */
#ifndef DMABENCH_OUTPUT_DIR_H
#define DMABENCH_OUTPUT_DIR_H

#include <stdbool.h>
#include <stddef.h>

#define OUTPUT_DIR_LOCK_NAME ".dmabench.lock"

/* Open path as a directory (creating it and its parents, mode 0755, when create). A component
 * that is a symbolic link is followed only when it belongs to root or to this user and is not
 * the last one: the run directory itself is never a link. *dirfd is O_RDONLY|O_DIRECTORY,
 * close-on-exec. 0, or -errno with "PATH: reason" in err: -ELOOP (a refused link), -ENOTDIR,
 * -ENOENT (without create), -EACCES ... */
int output_dir_open(const char *path, bool create, int *dirfd, char *err, size_t err_len);

/* Lock the directory for this process (flock on DIR/.dmabench.lock, which stays behind; the
 * kernel drops the lock when the process dies, kill -9 included). *lockfd stays open for
 * the run. 0, -EBUSY when another process holds it (err names its pid), or -errno: a lock
 * file that is a link, a hard link or not a regular file is refused, never written. */
int output_dir_lock(int dirfd, const char *path, int *lockfd, char *err, size_t err_len);
void output_dir_unlock(int lockfd);

enum output_dir_kind {
    OUTPUT_DIR_EMPTY,   /* no results.csv, samples.csv or metadata.csv */
    OUTPUT_DIR_RUN,     /* a dmabench run (its headers are ours) */
    OUTPUT_DIR_FOREIGN, /* files of those names that dmabench did not write, or links */
};

/* What the directory holds; for a run, its run id ("unknown" when metadata.csv lacks it). */
int output_dir_inspect(int dirfd, enum output_dir_kind *kind, char *run_id, size_t run_id_len);

/* Move a run's files into DIR/previous-RUNID/ (previous-RUNID-2 ... when taken): what --force
 * does, so nothing measured is ever deleted. The subdirectory's name goes to moved_to. */
int output_dir_move_aside(int dirfd, const char *run_id, char *moved_to, size_t moved_to_len);

/* Map DIR/name read-only (an empty file gives len 0 and a non-NULL pointer). 0 or -errno
 * with the reason in why; unmap with output_dir_unmap. Only a regular file is read
 * (bench/results/safe_file.h): a link (-ELOOP) or a FIFO (-EINVAL) is refused at once. */
int output_dir_map(int dirfd, const char *name, const void **data, size_t *len, char *why,
                   size_t why_len);
void output_dir_unmap(const void *data, size_t len);

/* Make the directory's entries (new files, renames) durable. 0 or -errno. */
int output_dir_sync(int dirfd);

#endif
