/* bench/measure/pinning.h - which CPUs benchmark threads run on, and binding a thread to one
 * (hwloc).
 *
 * Thread i of a case always runs on the i-th CPU of the list (from --cpus, else every CPU this
 * process may use, in hwloc's order: cores before their hyper-threads' siblings), so a run is
 * repeatable and two threads never share a CPU by accident.
 */
#ifndef DMABENCH_PINNING_H
#define DMABENCH_PINNING_H

#include <stddef.h>

struct pinning;

/* cpus: "" (all allowed CPUs) or a list such as "0-3,6". -EINVAL with a reason for a bad list
 * or CPUs this process may not use. */
int pinning_open(struct pinning **out, const char *cpus, char *err, size_t err_len);
size_t pinning_count(const struct pinning *p);
/* OS index of the i-th CPU (i < pinning_count). */
unsigned pinning_cpu(const struct pinning *p, size_t i);
/* Bind the calling thread to the i-th CPU. 0 or -errno. */
int pinning_bind_thread(const struct pinning *p, size_t i);
void pinning_close(struct pinning *p);

#endif
