/* coherency/stale_probe.h - does a device see what the CPU wrote, and the CPU what it wrote?
 *
 * The stale-line probe of igt's prime_mmap_coherency, over any heap, sync strategy and DMA
 * engine. CPU to device: the CPU writes a fresh pattern into src inside a write window, the
 * engine copies src to dst, the CPU reads dst inside a read window and counts the lines that
 * differ. Device to CPU: the CPU reads dst (its lines are now cached), the engine copies a
 * known pattern over dst, the CPU reads dst inside a read window and counts stale lines. With
 * strategy none the windows do nothing, which is what tells a coherent heap from one that
 * needs sync.
 */
#ifndef DMABENCH_STALE_PROBE_H
#define DMABENCH_STALE_PROBE_H

#include <stddef.h>

#include "engine.h"
#include "heap.h"
#include "sync_strategy.h"

/* How long one engine job may take before the round is an error. */
#define STALE_PROBE_TIMEOUT_MS 5000

struct stale_probe_config {
    struct heap *heap;
    struct heap_alloc_req req; /* each of the probe's buffers */
    struct sync_strategy strategy;
    struct engine_choice engine; /* engine_choose's: the engine and the node it opens */
    int engine_cpu;              /* the cpu engine's CPU (OS index), -1 any */
};

/* Stale lines of one round, per direction. */
struct stale_counts {
    size_t cpu_to_dev, dev_to_cpu;
    size_t lines; /* lines per buffer: the most either count can be */
};

struct stale_probe;

/* The frame a device engine copies for a buffer of size bytes: RGB565, exactly size bytes, as
 * nearly square as a landscape frame with a width in multiples of 16 can be (4 KiB: 64x32,
 * 256 KiB: 512x256). 0, or -EOPNOTSUPP with why when there is no such frame. */
int stale_frame_of_size(size_t size, struct frame_format *f, char *why, size_t why_len);

/* Allocate and map the buffers, open the engine and attach them, resolve the strategy. 0;
 * -EOPNOTSUPP with why when the case does not apply here (an engine that moves no data or is
 * not present, memory the engine cannot import, a size that is no frame or a frame the device
 * refuses, a strategy that does not apply to this heap or CPU); or -errno with why. */
int stale_probe_open(const struct stale_probe_config *cfg, struct stale_probe **out, char *why,
                     size_t why_len);
/* One round in both directions, with a pattern no earlier round used. 0, or -errno with why
 * (a sync or engine job failed). */
int stale_probe_round(struct stale_probe *p, struct stale_counts *out, char *why, size_t why_len);
/* The sync code the probe's windows run (sync_window_describe of its read window, whose begin
 * and end use every method the write window uses too): "none", "full-user:clflushopt+clwb". */
void stale_probe_sync_describe(const struct stale_probe *p, char *out, size_t out_len);
void stale_probe_close(struct stale_probe *p);

#endif
