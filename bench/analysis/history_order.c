/* bench/analysis/history_order.c - the names of history's run orders (history.h).
 *
 * The one place that spells "time", "kernel" and "git": the option parser, the renderers'
 * headings and the tests all go through these two functions.
 */
#include "history.h"

#include <errno.h>
#include <string.h>

static const char *const order_names[] = {
#define HISTORY_ORDER_NAME(id, name) [HISTORY_ORDER_##id] = name,
        HISTORY_ORDERS(HISTORY_ORDER_NAME)
#undef HISTORY_ORDER_NAME
};

const char *history_order_name(enum history_order o)
{
    return (unsigned)o < N_HISTORY_ORDERS ? order_names[o] : "unknown";
}

int history_order_parse(const char *name, enum history_order *out)
{
    for (int o = 0; o < N_HISTORY_ORDERS; o++)
        if (strcmp(name, order_names[o]) == 0) {
            *out = (enum history_order)o;
            return 0;
        }
    return -EINVAL;
}
