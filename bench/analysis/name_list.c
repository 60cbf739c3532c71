/* bench/analysis/name_list.c - find a name in a fixed list, or join the list for a message. */
#include "name_list.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int name_list_find(const char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (names[i] && !strcmp(name, names[i]))
            return (int)i;
    return -EINVAL;
}

const char *name_list_join(const char *const *names, size_t n, char *out, size_t out_len)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && used < out_len; i++) {
        const char *sep = i == 0 ? "" : i + 1 == n ? " or " : ", ";
        int k = snprintf(out + used, out_len - used, "%s%s", sep, names[i]);
        if (k < 0)
            break;
        used += (size_t)k;
    }
    return out;
}
