/* bench/measure/version.h - what build of dmabench produced a result: release, commit, compiler,
 * flags.
 *
 * `dmabench version` prints the release and the run metadata records all four, so a figure
 * can be traced to the code and the flags it was measured with. The Makefile passes the git
 * commit and the compiler flags in; a build outside it says "unknown".
 */
#ifndef DMABENCH_VERSION_H
#define DMABENCH_VERSION_H

#ifndef DMABENCH_VERSION
#define DMABENCH_VERSION "0.1.0"
#endif

#ifndef DMABENCH_GIT_SHA
#define DMABENCH_GIT_SHA "unknown"
#endif

#ifndef DMABENCH_CFLAGS
#define DMABENCH_CFLAGS "unknown"
#endif

#ifdef __clang__
#define DMABENCH_COMPILER "clang " __clang_version__
#else
#define DMABENCH_COMPILER "gcc " __VERSION__
#endif

#endif
