/* bench/analysis/history_order.c - the names of history's run orders (history.h).
 *
 * The one list that spells "time", "kernel" and "git" (history.h's X-macro): the option parser,
 * its error message, the renderers' headings and the tests all go through it.
 */
#include "history.h"

#include "name_list.h"

const char *const history_order_names[N_HISTORY_ORDERS] = {
#define HISTORY_ORDER_NAME(id, name) [HISTORY_ORDER_##id] = name,
        HISTORY_ORDERS(HISTORY_ORDER_NAME)
#undef HISTORY_ORDER_NAME
};

const char *history_order_name(enum history_order o)
{
    return (unsigned)o < N_HISTORY_ORDERS ? history_order_names[o] : "unknown";
}

int history_order_parse(const char *name, enum history_order *out)
{
    int o = name_list_find(history_order_names, N_HISTORY_ORDERS, name);
    if (o < 0)
        return o;
    *out = (enum history_order)o;
    return 0;
}
