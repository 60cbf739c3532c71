/* coherency/fence_probe.h - how long a dma-buf fence takes from signal to a waiter waking.
 *
 * A fence engine (vgem as the buffer's importer, or a sw_sync timeline through
 * DMA_BUF_IOCTL_IMPORT_SYNC_FILE) puts an unsignalled write fence on it; the buffer's fences
 * are exported as a sync_file (DMA_BUF_IOCTL_EXPORT_SYNC_FILE), one thread blocks in poll()
 * on it, the other signals the fence: the time between the signal and the wake-up is what a
 * consumer waiting for a producer's frame pays on top of the work itself.
 */
#ifndef DMABENCH_FENCE_PROBE_H
#define DMABENCH_FENCE_PROBE_H

#include <stddef.h>

#include "engine.h"
#include "heap.h"
#include "thread_pair.h"

/* How long the waiter's poll() waits before the measurement is an error (vgem itself fails
 * an unsignalled fence after 10 s). */
#define FENCE_PROBE_TIMEOUT_MS 5000

struct fence_probe;

/* Allocate a buffer of req on heap and attach it to engine (ENGINE_CAP_FENCE: vgem, sw_sync).
 * 0; -EOPNOTSUPP with why when the probe does not apply here (an engine without fences, host
 * memory, an engine not usable here, a kernel without DMA_BUF_IOCTL_EXPORT_SYNC_FILE); or
 * -errno with why. */
int fence_probe_open(struct heap *heap, const struct heap_alloc_req *req,
                     const struct engine_choice *engine, struct fence_probe **out, char *why,
                     size_t why_len);
/* One fence: side 1 of pair waits in poll(), side 0 signals once it is waiting. 0 and the ns
 * from just before the signal ioctl to the waiter's return from poll(), or -errno with why. */
int fence_probe_measure(struct fence_probe *p, const struct thread_pair *pair,
                        double *signal_to_wake_ns, char *why, size_t why_len);
void fence_probe_close(struct fence_probe *p);

#endif
