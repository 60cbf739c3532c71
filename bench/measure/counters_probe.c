/* bench/measure/counters_probe.c - libpfm4 event encoding, a perf_event_open probe, and why
 * an event cannot be counted.
 *
 * Encoding goes through libpfm4 (PFM_OS_PERF_EVENT_EXT) so generic perf:: names and raw PMU
 * names work the same way; opening falls back to user-space counting where perf_event_paranoid
 * asks for it, here once for the probe and for every event bench/measure/counters.c opens. The
 * probe opens one hardware and one software event to tell the user whether counters will count;
 * the same facts explain an event that failed (counter_error_reason), so counters.c only calls
 * down into this file, never the other way.
 */
#include "counters_probe.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <perfmon/pfmlib_perf_event.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static pthread_once_t pfm_once = PTHREAD_ONCE_INIT;
static int pfm_state; /* the pfm_initialize() result */

static void pfm_init_once(void)
{
    pfm_state = pfm_initialize();
}

/* Every benchmark thread encodes its own events, and pfm_initialize() must not run in two
 * threads at once. */
static int pfm_ready(void)
{
    pthread_once(&pfm_once, pfm_init_once);
    return pfm_state;
}

int counter_encode(const char *name, struct perf_event_attr *attr)
{
    if (pfm_ready() != PFM_SUCCESS)
        return -ENODEV;
    pfm_perf_encode_arg_t arg;
    memset(&arg, 0, sizeof(arg));
    memset(attr, 0, sizeof(*attr));
    arg.attr = attr;
    arg.size = sizeof(arg);
    int ret = pfm_get_os_event_encoding(name, PFM_PLM0 | PFM_PLM3, PFM_OS_PERF_EVENT_EXT, &arg);
    if (ret != PFM_SUCCESS)
        return -EINVAL;
    attr->size = sizeof(*attr);
    return 0;
}

bool counter_attr_is_hardware(const struct perf_event_attr *attr)
{
    return attr->type == PERF_TYPE_HARDWARE || attr->type == PERF_TYPE_HW_CACHE ||
           attr->type == PERF_TYPE_RAW || attr->type >= PERF_TYPE_MAX;
}

static int perf_open(struct perf_event_attr *attr, int group_fd)
{
    int fd = (int)syscall(SYS_perf_event_open, attr, 0, -1, group_fd, PERF_FLAG_FD_CLOEXEC);
    return fd >= 0 ? fd : -errno;
}

int counter_open_attr(struct perf_event_attr *attr, int group_fd, bool *fell_back)
{
    *fell_back = false;
    int fd = perf_open(attr, group_fd);
    /* perf_event_paranoid >= 2 forbids kernel counting; user-only may still work. An event
     * already excluding user space (":k") would count nothing at all, so it keeps EACCES. */
    if ((fd != -EACCES && fd != -EPERM) || attr->exclude_kernel || attr->exclude_user)
        return fd;
    attr->exclude_kernel = 1;
    attr->exclude_hv = 1;
    fd = perf_open(attr, group_fd);
    *fell_back = fd >= 0;
    return fd;
}

static int try_open(const char *name, bool *fell_back)
{
    struct perf_event_attr attr;
    int ret = counter_encode(name, &attr);
    if (ret)
        return ret;
    attr.disabled = 1;
    int fd = counter_open_attr(&attr, -1, fell_back);
    if (fd < 0)
        return fd;
    close(fd);
    return 0;
}

int counter_try_open(const char *name)
{
    bool fell_back;
    return try_open(name, &fell_back);
}

static void list_core_pmus(struct counters_probe *out)
{
    size_t used = 0;
    pfm_pmu_t pmu;
    out->core_pmus[0] = '\0';
    pfm_for_all_pmus(pmu)
    {
        pfm_pmu_info_t info;
        memset(&info, 0, sizeof(info));
        info.size = sizeof(info);
        if (pfm_get_pmu_info(pmu, &info) != PFM_SUCCESS || !info.is_present ||
            info.type != PFM_PMU_TYPE_CORE)
            continue;
        int n = snprintf(out->core_pmus + used, sizeof(out->core_pmus) - used, "%s%s",
                         used ? "," : "", info.name);
        if (n < 0 || (size_t)n >= sizeof(out->core_pmus) - used)
            break;
        used += (size_t)n;
    }
}

int counters_read_paranoid(void)
{
    FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "re");
    int value = COUNTERS_PARANOID_UNKNOWN;
    if (f) {
        if (fscanf(f, "%d", &value) != 1)
            value = COUNTERS_PARANOID_UNKNOWN;
        fclose(f);
    }
    return value;
}

void counters_probe_run(struct counters_probe *out)
{
    memset(out, 0, sizeof(*out));
    out->paranoid = counters_read_paranoid();
    int ret = pfm_ready();
    out->pfm_ok = ret == PFM_SUCCESS;
    out->pfm_err = ret;
    if (!out->pfm_ok) {
        out->hw_err = out->sw_err = -ENODEV;
        return;
    }
    list_core_pmus(out);
    out->hw_err = counter_try_open("perf::cycles");
    out->sw_err = try_open("perf::task-clock", &out->user_only);
}

const char *counter_error_reason(const char *name, int err, char *out, size_t out_len)
{
    struct perf_event_attr attr;
    int e = err < 0 ? -err : err;
    if (e == 0) {
        snprintf(out, out_len, "no error");
        return out;
    }
    int enc = counter_encode(name, &attr);
    if (enc == -ENODEV) {
        snprintf(out, out_len, "libpfm4 failed to initialise");
        return out;
    }
    if (enc) {
        snprintf(out, out_len, "unknown to libpfm4 (%s)", name);
        return out;
    }
    const char *why = NULL;
    switch (e) {
    case ENOENT:
    case EOPNOTSUPP:
    case ENODEV:
        if (!counter_attr_is_hardware(&attr))
            why = "not supported by this kernel";
        else if (counter_try_open("perf::cycles") == 0)
            why = "not supported by this CPU's PMU";
        else
            why = "no hardware PMU";
        break;
    case EACCES:
    case EPERM: {
        int paranoid = counters_read_paranoid();
        if (paranoid == COUNTERS_PARANOID_UNKNOWN)
            snprintf(out, out_len, "not permitted (perf_event_open(%s): %s)", name, strerror(e));
        else
            snprintf(out, out_len,
                     "not permitted (perf_event_paranoid=%d, perf_event_open(%s): %s)", paranoid,
                     name, strerror(e));
        return out;
    }
    case EINVAL:
        why = "rejected by this PMU or kernel";
        break;
    case EIO: /* from read_group: the kernel's answer did not match the group */
        snprintf(out, out_len, "could not be read back (%s: %s)", name, strerror(e));
        return out;
    }
    if (why)
        snprintf(out, out_len, "%s (perf_event_open(%s): %s)", why, name, strerror(e));
    else
        snprintf(out, out_len, "perf_event_open(%s): %s", name, strerror(e));
    return out;
}

const char *counters_hw_reason(const struct counters_probe *probe, char *out, size_t out_len)
{
    if (!probe->pfm_ok) {
        snprintf(out, out_len, "libpfm4 failed to initialise: %s", pfm_strerror(probe->pfm_err));
        return out;
    }
    if (probe->hw_err == 0) {
        snprintf(out, out_len, "available");
        return out;
    }
    return counter_error_reason("perf::cycles", probe->hw_err, out, out_len);
}
