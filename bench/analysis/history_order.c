/* bench/analysis/history_order.c - the names of the orders a board's runs can be put in
 * (HISTORY_ORDERS in history.h), both ways.
 */
#include "history.h"

#include <errno.h>
#include <string.h>

static const char *const order_names[] = {
#define HISTORY_ORDER_NAME(id, name) name,
        HISTORY_ORDERS(HISTORY_ORDER_NAME)
#undef HISTORY_ORDER_NAME
};

const char *history_order_name(enum history_order o)
{
    return (unsigned)o < N_HISTORY_ORDERS ? order_names[o] : "unknown";
}

int history_order_parse(const char *name, enum history_order *out)
{
    for (unsigned i = 0; i < N_HISTORY_ORDERS; i++)
        if (!strcmp(name, order_names[i])) {
            *out = (enum history_order)i;
            return 0;
        }
    return -EINVAL;
}
