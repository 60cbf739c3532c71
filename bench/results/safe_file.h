/* bench/results/safe_file.h - the one way dmabench creates, replaces and reads back its files.
 *
 * dmabench runs as root in directories others can write to, and on result sets unpacked from a
 * board's tarball (which keeps links), so every command follows one rule:
 *  - a file is created only with openat(O_CREAT|O_EXCL|O_NOFOLLOW) in a directory opened by
 *    output_dir_open (bench/results/output_dir.h): nothing planted there is written through;
 *  - a file is replaced by writing a fresh temporary (.NAME.PID.N.tmp, made the same way),
 *    syncing it and renameat()ing it over NAME, which replaces a planted link or hard link
 *    instead of writing its target, and never leaves a half-written NAME;
 *  - a program that writes by path (gnuplot) runs in a private directory dmabench made (0700,
 *    a fresh name), and dmabench checks and moves what it left;
 *  - a file read back is opened with O_NOFOLLOW|O_NONBLOCK and must be a regular file, so a
 *    link, a FIFO or a device in its place fails at once instead of being read or blocking.
 * Nothing else in dmabench opens a file it writes by path, or renames one.
 */
#ifndef DMABENCH_SAFE_FILE_H
#define DMABENCH_SAFE_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Create name in dirfd, which must not exist yet (-EEXIST: nothing is ever overwritten), mode
 * 0644, for writing ("w", close-on-exec). 0 or -errno. */
int safe_file_create(int dirfd, const char *name, FILE **f);

/* Everything written to f reaches the disk (fflush, then fdatasync where the filesystem has
 * it): 0, or the first error (-EIO for a failed write whose errno stdio did not keep). */
int safe_file_flush(FILE *f);

/* A file being replaced: written under tmp, renamed over name by safe_file_commit. */
struct safe_file_update {
    int dirfd; /* not owned */
    FILE *f;   /* the temporary, open for writing */
    char name[256];
    char tmp[300];
};

/* Start replacing name in dirfd (it may exist or not): u->f writes a fresh temporary beside it.
 * 0 or -errno (u->f NULL). */
int safe_file_begin(struct safe_file_update *u, int dirfd, const char *name);
/* Flush and fdatasync the temporary, rename it over name and sync the directory. keep leaves
 * u->f open (at its end, now the file called name) for the caller to close; else it is closed.
 * 0 or -errno; on failure the temporary is closed and removed, and name is as it was. */
int safe_file_commit(struct safe_file_update *u, bool keep);
/* Give up: close and remove the temporary (name is untouched). */
void safe_file_abort(struct safe_file_update *u);
/* Make the directory's entries (new files, renames) durable: a filesystem that cannot fsync a
 * directory (vfat) is no error. 0 or -errno. */
int safe_file_sync_dir(int dirfd);

/* A private directory (mode 0700) under a fresh name .STEM.PID.N.tmp in dirfd, for a program
 * that writes by path: run it there (its working directory). *subfd is O_DIRECTORY,
 * close-on-exec; name gets its name. 0 or -errno. */
int safe_file_private_dir(int dirfd, const char *stem, char *name, size_t name_len, int *subfd);
/* Remove the private directory and every file left in it; closes subfd. */
void safe_file_private_dir_remove(int dirfd, const char *name, int subfd);
/* Move from (a regular file with one name, in subfd) over to in dirfd, synced first. 0 or
 * -errno (-EINVAL: not a regular file of its own). */
int safe_file_move(int subfd, const char *from, int dirfd, const char *to);

/* Remove the temporaries (.STEM.PID.N.tmp files and private directories) that a dmabench
 * process of this user left in dirfd when it was killed: only those whose PID is gone.
 * *removed counts them. 0 or -errno (the directory cannot be listed). */
int safe_file_remove_leftovers(int dirfd, unsigned *removed);

/* Open path (relative to dirfd, or AT_FDCWD) for reading: a regular file only, checked before
 * it is opened (a device is never opened) and after (nothing swapped in between), never
 * blocking. follow: a symbolic link as the last component is followed (a job file); else it is
 * refused. *fd is O_RDONLY, blocking, close-on-exec. 0, or -errno with the reason in why:
 * -ELOOP a link, -EISDIR a directory, -EINVAL a FIFO, socket or device, or the open's error. */
int safe_file_open_read(int dirfd, const char *path, bool follow, int *fd, char *why,
                        size_t why_len);
/* The same as a stdio stream ("re"). */
int safe_file_fopen_read(int dirfd, const char *path, bool follow, FILE **f, char *why,
                         size_t why_len);

/* Open name in dirfd for reading and writing, creating it (0644) when missing: a file that is
 * kept and shared between runs, as the directory's lock. It must be a regular file with one
 * name: a link, a hard link (fs.protected_hardlinks=0 lets anyone make one to any file) or a
 * FIFO is refused (-ELOOP, -EMLINK, -EINVAL) with the reason in why. *owned: it belongs to
 * this user, so writing into it is ours to do. */
int safe_file_open_shared(int dirfd, const char *name, int *fd, bool *owned, char *why,
                          size_t why_len);

#endif
