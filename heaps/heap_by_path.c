/* heaps/heap_by_path.c - BACKEND:PATH[:QUEUE], as a user names a device's heap, to its name.
 *
 * The rule every device-per-heap backend follows (drm-dumb-card0, v4l2-video0-capture) in one
 * place, with the checks a path goes through (heaps/dev_node.h). A by-path link may itself hold
 * ':' (/dev/v4l/by-path/pci-0000:00:14.0-...), so a trailing ":QUEUE" is only split off when
 * the whole text is not a path that exists.
 */
#include "heap_by_path.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dev_node.h"
#include "heap_backends.h"

bool heap_by_path_is_path(const char *text)
{
    return strstr(text, ":/") != NULL;
}

static bool is_queue_word(const char *word)
{
    return word[0] && strspn(word, "abcdefghijklmnopqrstuvwxyz0123456789_-") == strlen(word);
}

int heap_by_path_name(const char *text, char *name, size_t name_len, char *why, size_t why_len)
{
    const char *colon = strchr(text, ':');
    char backend_name[64], path[DEV_NODE_PATH_MAX];
    size_t len = colon ? (size_t)(colon - text) : 0;
    if (!colon || colon[1] != '/' || len == 0 || len >= sizeof(backend_name)) {
        snprintf(why, why_len, "'%s': a heap by path is BACKEND:/dev/PATH[:QUEUE]", text);
        return -EINVAL;
    }
    memcpy(backend_name, text, len);
    backend_name[len] = '\0';
    const struct heap_ops *backend = heap_backend_find(backend_name);
    if (!backend) {
        snprintf(why, why_len, "'%s': %s is not a heap backend (%s)", text, backend_name,
                 heap_backend_names());
        return -EINVAL;
    }
    if (snprintf(path, sizeof(path), "%s", colon + 1) >= (int)sizeof(path)) {
        snprintf(why, why_len, "'%.64s...': path too long", text);
        return -ENAMETOOLONG;
    }
    struct dev_node node;
    const char *queue = NULL;
    int ret = dev_node_resolve(path, backend->device_class, &node, why, why_len);
    char *last = strrchr(path, ':');
    if (ret == -ENOENT && last && is_queue_word(last + 1)) {
        *last = '\0';
        queue = last + 1;
        ret = dev_node_resolve(path, backend->device_class, &node, why, why_len);
    }
    if (ret)
        return ret;
    int n = snprintf(name, name_len, "%s-%s%s%s", backend->name, node.name, queue ? "-" : "",
                     queue ? queue : "");
    if (n < 0 || (size_t)n >= name_len) {
        snprintf(why, why_len, "'%s': the heap's name would be too long", text);
        return -ENAMETOOLONG;
    }
    return 0;
}
