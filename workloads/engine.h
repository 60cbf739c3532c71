/* workloads/engine.h - DMA engines: something other than the benchmark thread that touches buffers.
 *
 * One interface, an ops table per backend like heaps' struct heap_ops: attach a buffer, submit
 * a copy / fill / read over a region, wait for its completion, detach. `cpu` is a software
 * engine on its own pinned thread (every row it appears in says "CPU engine"), `v4l2` drives a
 * V4L2 mem2mem device through DMABUF import, `vgem` is DRM vgem as an importer (it attaches,
 * maps and fences, but moves no data), `edu` is the lab's DMA device (QEMU's edu, importing
 * and copying by DMA). Backends are the only code that knows V4L2, DRM or edu ioctls; nothing
 * here prints.
 */
#ifndef DMABENCH_ENGINE_H
#define DMABENCH_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frame_format.h"
#include "heap.h"

enum engine_op {
    ENGINE_OP_COPY, /* src region -> dst region */
    ENGINE_OP_FILL, /* dst region <- one byte value */
    ENGINE_OP_READ, /* read src region (a checksum comes back) */
    N_ENGINE_OPS
};

#define ENGINE_CAP_OP(op)   (1u << (op))
#define ENGINE_CAP_IMPORT   (1u << 8)  /* attaches as a dma-buf importer (a kernel attachment) */
#define ENGINE_CAP_FENCE    (1u << 9)  /* can put a fence on a buffer and signal it */
#define ENGINE_CAP_ANY_HEAP (1u << 10) /* also takes host memory (not only dma-bufs) */
/* attach maps the dma-buf for the device and keeps it mapped until detach, as GPU and camera
 * drivers do: the exporter's sync maintains that mapping (an importer `sync` can attach) */
#define ENGINE_CAP_MAPPED_ATTACH (1u << 11)

#define ENGINE_REASON_MAX 192

/* Whether a backend can be used here, and what it found. */
struct engine_probe {
    bool available;
    int err;                        /* -errno when not available */
    char reason[ENGINE_REASON_MAX]; /* why not, in words */
    char detail[ENGINE_REASON_MAX]; /* what was found: "/dev/video3: vim2m (M2M, DMABUF)" */
};

/* How to open an engine for one case. Zero it and set what matters. */
struct engine_config {
    int cpu;            /* cpu: OS index of the CPU its thread runs on; -1 any */
    const char *device; /* the node to open ("/dev/video3", from engine_choose); NULL or "":
                         * the engine's own choice (the first usable one) */
    bool has_format;    /* v4l2: frames of this format (otherwise raw bytes) */
    struct frame_format format;
    unsigned slots; /* jobs in flight at once (pool depth); 0 means 1 */
};

#define ENGINE_DEVICE_MAX 96
#define ENGINE_VALUE_MAX  64

/* One device node an engine can be pointed at, for `dmabench list`. */
struct engine_device {
    char node[48]; /* "video3", "renderD128": the engine is then --engine NAME:NODE */
    bool usable;
    char detail[ENGINE_REASON_MAX]; /* what it is and can do, or why it cannot serve */
};

/* An engine as a sweep value names it: "v4l2", "v4l2:video3", "drm:renderD128". */
struct engine_choice {
    const struct engine_ops *ops;
    char device[ENGINE_DEVICE_MAX]; /* "/dev/video3"; "" for the engine's own choice */
    char value[ENGINE_VALUE_MAX];   /* canonical: "v4l2:video3" (no '/': case ids hold it) */
};

struct engine;

/* A buffer attached to an engine. */
struct engine_buf {
    struct engine *engine;
    struct heap_buf *buf;
    void *priv; /* backend state: the engine's own mapping, a GEM handle ... */
    intptr_t priv_word;
};

struct engine_job {
    enum engine_op op;
    struct engine_buf *src, *dst; /* copy: both; fill: dst; read: src */
    size_t src_off, dst_off, len;
    unsigned char fill;
    uint64_t *checksum; /* read: where the checksum goes (may be NULL) */
};

struct engine_ops {
    const char *name;  /* "cpu", "v4l2", "vgem" */
    const char *label; /* what rows call it: "CPU engine (software thread)" */
    unsigned caps;
    /* Engines that can be pointed at one device node (--engine NAME:/dev/PATH): the folder
     * their nodes live in and those nodes' sysfs class; NULL for the others. */
    const char *device_dir, *device_class;
    /* A default list of engines (sync's importers) leaves this one out where the engine
     * named here is usable: drm imports as vgem does, so vgem stays the default. */
    const char *defers_to;
    /* Look for the device (the one named, or its own choice when device is NULL or "") and
     * fill *out; never fails, an engine that cannot run says why. */
    void (*probe)(const char *device, struct engine_probe *out);
    /* device_dir engines: every node of device_class there, usable or not; returns how many
     * there are (at most max filled in). */
    size_t (*devices)(struct engine_device *out, size_t max);
    /* Fill e->priv. -errno with why. */
    int (*open)(struct engine *e, const struct engine_config *cfg, char *why, size_t why_len);
    void (*close)(struct engine *e);
    int (*attach)(struct engine *e, struct engine_buf *b, char *why, size_t why_len);
    void (*detach)(struct engine_buf *b);
    /* Queue a validated job; *ticket increases by one per job. -errno. */
    int (*submit)(struct engine *e, const struct engine_job *job, uint64_t ticket);
    /* Wait until job ticket has completed; -ETIMEDOUT after timeout_ms, or the job's -errno. */
    int (*wait)(struct engine *e, uint64_t ticket, int timeout_ms);
    /* ENGINE_CAP_FENCE: put an unsignalled (write) fence on b's reservation; signal it. */
    int (*fence_attach)(struct engine_buf *b, bool write, uint32_t *fence);
    int (*fence_signal)(struct engine *e, uint32_t fence);
};

struct engine {
    const struct engine_ops *ops;
    struct engine_config config; /* .device points at device below, or is NULL */
    char device[ENGINE_DEVICE_MAX];
    void *priv;
    uint64_t submitted; /* tickets handed out */
    long attached;      /* buffers attached now: a leak check for the benchmarks */
};

/* --- the backends ---------------------------------------------------------------------------- */

size_t engine_count(void);
const struct engine_ops *engine_at(size_t i);
/* By name, or by a sweep value's name part ("v4l2" of "v4l2:video3"); NULL when there is no
 * such engine. Checks no device: engine_choose does. */
const struct engine_ops *engine_find(const char *name);
/* A sweep value: NAME, or NAME:NODE / NAME:/dev/PATH for an engine with a device_dir (a link
 * is followed; the node must be a character device of its device_class in its device_dir).
 * Fills out, with the canonical value "NAME:NODE". 0; -EINVAL (no such engine, or one that
 * takes no device), or dev_node_resolve's -ENOENT / -ENODEV ...; why names the path and why. */
int engine_choose(const char *text, struct engine_choice *out, char *why, size_t why_len);
/* "cpu, v4l2, vgem", for messages. */
const char *engine_names(void);
bool engine_can(const struct engine_ops *ops, unsigned caps);
const char *engine_op_name(enum engine_op op);

/* --- using one ------------------------------------------------------------------------------- */

/* Probe, then open. -ENODEV (or the probe's errno) with the probe's reason when the engine is
 * not usable here. */
int engine_open(const struct engine_ops *ops, const struct engine_config *cfg, struct engine **out,
                char *why, size_t why_len);
/* Detached buffers only: closing with buffers attached detaches them first is not done;
 * e->attached says whether a caller leaked one. */
void engine_close(struct engine *e);
/* buf must be a dma-buf unless the engine has ENGINE_CAP_ANY_HEAP. */
int engine_attach(struct engine *e, struct heap_buf *buf, struct engine_buf **out, char *why,
                  size_t why_len);
void engine_detach(struct engine_buf *b);
/* Check the job (op supported, regions inside their buffers, buffers of this engine) and queue
 * it. Returns its ticket (> 0) through *ticket, or -EINVAL / -EOPNOTSUPP / the backend's
 * -errno (or a DMABENCH_FAULT submit fault's; the ticket is not used up). */
int engine_submit(struct engine *e, const struct engine_job *job, uint64_t *ticket);
int engine_wait(struct engine *e, uint64_t ticket, int timeout_ms);
int engine_fence_attach(struct engine_buf *b, bool write, uint32_t *fence);
int engine_fence_signal(struct engine *e, uint32_t fence);

#endif
