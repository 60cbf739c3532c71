/* bench/run_signals.h - stopping a run cleanly: SIGINT / SIGTERM / SIGHUP and the case timer.
 *
 * Handlers only set flags; the runner looks at them between samples, so no kernel call is
 * ever cut short and every buffer is freed by the benchmark's own teardown. A second signal
 * of the same kind ends the process at once (what is on disk is whole either way).
 */
#ifndef DMABENCH_RUN_SIGNALS_H
#define DMABENCH_RUN_SIGNALS_H

#include <stdbool.h>

/* Install the handlers (SA_RESTART, so an interrupted read or write simply goes on). notice
 * (may be NULL) is written to stderr when the first stop signal arrives. 0 or -errno. */
int run_signals_install(const char *notice);
/* Put the previous handlers back and disarm the case timer. */
void run_signals_restore(void);
/* The signal that asked the run to stop (SIGINT, SIGTERM, SIGHUP), or 0. */
int run_stop_signal(void);
/* Ask the run to stop as that signal would (tests, and the handler itself). */
void run_stop_request(int signo);
void run_stop_clear(void);

/* Arm the per-case timer: after seconds (> 0) SIGALRM sets the timeout flag. Does nothing
 * unless the handlers are installed, so a library user never gets a stray SIGALRM. */
void run_case_timer_arm(double seconds);
/* Disarm it and clear the flag. */
void run_case_timer_disarm(void);
/* Whether the armed timer has expired. */
bool run_case_timer_expired(void);

#endif
