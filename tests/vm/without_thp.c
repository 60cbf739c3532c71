/* tests/vm/without_thp.c - runs a command with transparent huge pages disabled for it.
 *
 * prctl(PR_SET_THP_DISABLE) is inherited across fork and exec, and the kernel then gives the
 * process no THP at all, MADV_HUGEPAGE or not: a THP request really denied, made from outside
 * dmabench, for the host CLI tests and the VM checks.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: without_thp COMMAND [ARG...]\n");
        return 2;
    }
    if (prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0)) {
        fprintf(stderr, "without_thp: prctl(PR_SET_THP_DISABLE): %s\n", strerror(errno));
        return 1;
    }
    execvp(argv[1], argv + 1);
    fprintf(stderr, "without_thp: %s: %s\n", argv[1], strerror(errno));
    return 127;
}
