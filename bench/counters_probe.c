/* bench/counters_probe.c - libpfm4 event encoding and a perf_event_open probe.
 *
 * Encoding goes through libpfm4 (PFM_OS_PERF_EVENT_EXT) so generic perf:: names and raw PMU
 * names work the same way; the probe opens one hardware and one software event to tell the
 * user plainly whether counters will have values in this run.
 */
#include "counters_probe.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <perfmon/pfmlib_perf_event.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int pfm_state = 1; /* 1: not tried yet, else the pfm_initialize() result */

static int pfm_ready(void)
{
    if (pfm_state == 1)
        pfm_state = pfm_initialize();
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

int counter_try_open(const char *name)
{
    struct perf_event_attr attr;
    int ret = counter_encode(name, &attr);
    if (ret)
        return ret;
    attr.disabled = 1;
    attr.exclude_kernel = 0;
    int fd = (int)syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
    if (fd < 0 && (errno == EACCES || errno == EPERM)) {
        /* perf_event_paranoid >= 2 forbids kernel counting; user-only may still work. */
        attr.exclude_kernel = 1;
        attr.exclude_hv = 1;
        fd = (int)syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
    }
    if (fd < 0)
        return -errno;
    close(fd);
    return 0;
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

static int read_paranoid(void)
{
    FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "re");
    int value = -100;
    if (f) {
        if (fscanf(f, "%d", &value) != 1)
            value = -100;
        fclose(f);
    }
    return value;
}

void counters_probe_run(struct counters_probe *out)
{
    memset(out, 0, sizeof(*out));
    out->paranoid = read_paranoid();
    int ret = pfm_ready();
    out->pfm_ok = ret == PFM_SUCCESS;
    out->pfm_err = ret;
    if (!out->pfm_ok) {
        out->hw_err = out->sw_err = -ENODEV;
        return;
    }
    list_core_pmus(out);
    out->hw_err = counter_try_open("perf::cycles");
    out->sw_err = counter_try_open("perf::task-clock");
}

const char *counters_hw_reason(const struct counters_probe *probe, char *out, size_t out_len)
{
    if (!probe->pfm_ok) {
        snprintf(out, out_len, "libpfm4 failed to initialise: %s", pfm_strerror(probe->pfm_err));
        return out;
    }
    int err = -probe->hw_err;
    const char *why;
    switch (err) {
    case 0:
        why = "available";
        break;
    case ENOENT:
    case EOPNOTSUPP:
    case ENODEV:
        why = "no hardware PMU";
        break;
    case EACCES:
    case EPERM:
        why = "not permitted (see /proc/sys/kernel/perf_event_paranoid)";
        break;
    default:
        why = "cannot be opened";
    }
    if (err == 0)
        snprintf(out, out_len, "%s", why);
    else
        snprintf(out, out_len, "%s (perf_event_open(perf::cycles): %s)", why, strerror(err));
    return out;
}
