/* bench/results/safe_file_leftovers.c - temporaries a killed dmabench left behind.
 *
 * safe_file names every temporary .STEM.PID.N.tmp (a file being replaced, or gnuplot's private
 * directory); a process killed between making one and renaming or removing it leaves it there.
 * Only leftovers of a process that is gone and of this user are removed: a live writer's
 * temporaries (another command in the same directory) are never touched.
 */
#include "safe_file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The PID in ".STEM.PID.N.tmp", or 0 when name is not a safe_file temporary. */
static long temporary_pid(const char *name)
{
    size_t len = strlen(name);
    if (name[0] != '.' || len < 9 || strcmp(name + len - 4, ".tmp"))
        return 0;
    const char *end = name + len - 4, *p = end;
    while (p > name && p[-1] >= '0' && p[-1] <= '9')
        p--;
    if (p == end || p[-1] != '.') /* N */
        return 0;
    end = --p;
    while (p > name && p[-1] >= '0' && p[-1] <= '9')
        p--;
    if (p == end || p - 1 <= name || p[-1] != '.') /* PID, after a non-empty STEM */
        return 0;
    long pid = strtol(p, NULL, 10);
    return pid > 0 ? pid : 0;
}

static bool process_gone(long pid)
{
    return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

int safe_file_remove_leftovers(int dirfd, unsigned *removed)
{
    *removed = 0;
    int listfd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
    DIR *d = listfd >= 0 ? fdopendir(listfd) : NULL;
    if (!d) {
        int e = errno;
        if (listfd >= 0)
            close(listfd);
        return -e;
    }
    rewinddir(d); /* the dup shares dirfd's offset */
    for (struct dirent *e; (e = readdir(d));) {
        long pid = temporary_pid(e->d_name);
        struct stat st;
        if (!pid || !process_gone(pid) ||
            fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || st.st_uid != geteuid())
            continue;
        if (S_ISREG(st.st_mode) && unlinkat(dirfd, e->d_name, 0) == 0) {
            (*removed)++;
        } else if (S_ISDIR(st.st_mode)) {
            int subfd = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (subfd >= 0) {
                safe_file_private_dir_remove(dirfd, e->d_name, subfd);
                *removed += faccessat(dirfd, e->d_name, F_OK, AT_SYMLINK_NOFOLLOW) != 0;
            }
        }
    }
    closedir(d);
    return 0;
}
