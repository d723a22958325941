/* Whether an expression needs the flows (trawl/flows.h): readers and the
 * live capture ask before deciding to feed them. */
#include "trawl/expr.h"
#include "trawl/flows.h"

TRAWL_API bool trawl_flows_expr_matters(const trawl_expr *e) {
    if (!e)
        return false;
    for (const char *const *p = trawl_flows_protocols(); *p; p++)
        if (trawl_expr_uses_proto(e, *p))
            return true;
    enum { MAX = 64 };
    const trawl_field *used[MAX];
    size_t nused = trawl_expr_fields(e, used, MAX);
    for (size_t i = 0; i < nused && i < MAX; i++)
        if (trawl_flows_field_matters(used[i]))
            return true;
    return nused > MAX; /* too many to tell: safe */
}
