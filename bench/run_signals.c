/* bench/run_signals.c - signal handlers that only set flags, and the per-case interval timer.
 *
 * Nothing here longjmps or frees: a handler interrupting a DMA_BUF_IOCTL_SYNC or a malloc
 * cannot do anything safe but note that it came. The flags are sig_atomic_t, read by the
 * runner between samples and by long loops inside benchmarks.
 */
#include "run_signals.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t timer_expired;
static const char *stop_notice;
static bool installed;
static struct sigaction saved[3], saved_alarm;
static const int stop_signals[3] = {SIGINT, SIGTERM, SIGHUP};

static void on_stop(int signo)
{
    if (stop_signal) {
        /* Asked twice: the user wants out now. Files are whole up to the last case. */
        signal(signo, SIG_DFL);
        raise(signo);
        return;
    }
    stop_signal = signo;
    if (stop_notice) {
        int saved_errno = errno;
        ssize_t ignored = write(STDERR_FILENO, stop_notice, strlen(stop_notice));
        (void)ignored;
        errno = saved_errno;
    }
}

static void on_alarm(int signo)
{
    (void)signo;
    timer_expired = 1;
}

int run_signals_install(const char *notice)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    stop_notice = notice;
    stop_signal = 0;
    timer_expired = 0;
    sa.sa_handler = on_stop;
    for (int i = 0; i < 3; i++)
        if (sigaction(stop_signals[i], &sa, &saved[i]) != 0)
            return -errno;
    sa.sa_handler = on_alarm;
    if (sigaction(SIGALRM, &sa, &saved_alarm) != 0)
        return -errno;
    installed = true;
    return 0;
}

void run_signals_restore(void)
{
    if (!installed)
        return;
    run_case_timer_disarm();
    for (int i = 0; i < 3; i++)
        sigaction(stop_signals[i], &saved[i], NULL);
    sigaction(SIGALRM, &saved_alarm, NULL);
    installed = false;
}

int run_stop_signal(void)
{
    return stop_signal;
}

void run_stop_request(int signo)
{
    stop_signal = signo;
}

void run_stop_clear(void)
{
    stop_signal = 0;
}

void run_case_timer_arm(double seconds)
{
    timer_expired = 0;
    if (!installed || !(seconds > 0))
        return;
    struct itimerval it = {{0, 0}, {0, 0}};
    it.it_value.tv_sec = (time_t)seconds;
    it.it_value.tv_usec = (suseconds_t)((seconds - (double)it.it_value.tv_sec) * 1e6);
    if (!it.it_value.tv_sec && !it.it_value.tv_usec)
        it.it_value.tv_usec = 1;
    setitimer(ITIMER_REAL, &it, NULL);
}

void run_case_timer_disarm(void)
{
    if (installed) {
        struct itimerval off = {{0, 0}, {0, 0}};
        setitimer(ITIMER_REAL, &off, NULL);
    }
    timer_expired = 0;
}

bool run_case_timer_expired(void)
{
    return timer_expired;
}
