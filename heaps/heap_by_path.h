/* heaps/heap_by_path.h - a heap named by its device's path: drm-dumb:/dev/dri/card0 ->
 * drm-dumb-card0.
 *
 * Backends that make one heap per device node name it BACKEND-NODE[-QUEUE]; users may name it
 * as BACKEND:PATH[:QUEUE] instead (--heap v4l2:/dev/video0:capture). The sweep turns that into
 * the heap's name, so case ids and CSV cells never hold a path; a path that is not there, or is
 * not the backend's kind of device, is an error naming it.
 */
#ifndef DMABENCH_HEAP_BY_PATH_H
#define DMABENCH_HEAP_BY_PATH_H

#include <stdbool.h>
#include <stddef.h>

/* Whether text is written as a path (BACKEND:/PATH...): heap names hold no '/'. */
bool heap_by_path_is_path(const char *text);
/* text BACKEND:PATH[:QUEUE] -> "BACKEND-NODE[-QUEUE]" in name, NODE the last component of the
 * path the link resolves to, QUEUE a word (a-z, 0-9, '_', '-'). 0; -EINVAL (no such backend,
 * not BACKEND:/PATH, a bad queue word), -ENOENT / -ENODEV ... (dev_node_resolve's: the path is
 * not there or not the backend's device_class), -ENAMETOOLONG; why names the path and why. */
int heap_by_path_name(const char *text, char *name, size_t name_len, char *why, size_t why_len);

#endif
