/* The info column of RPC messages: per message what tshark's says
 * ("V3 GETATTR Call", "V4 Call SEQUENCE PUTFH GETATTR", "V2 GETPORT Reply
 * Status: ...") without the references to other frames, messages of one
 * segment joined by " ; ". */
#include <inttypes.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/print.h"

/* What one message's layers say, gathered from their values. */
struct rpc_info {
    bool have_type, have_prog;
    uint64_t xid, type, prog, vers, proc;
    char proc_name[32];
    /* NFS v4: the operations, and the status of the compound. */
    uint64_t ops[16];
    size_t nops;
    bool have_status;
    uint64_t status;
    const trawl_field *status_f;
};

static bool named(const trawl_field *f, const char *name) {
    return strcmp(trawl_field_name(f), name) == 0;
}

static bool gather(void *ctx, const trawl_field *f,
                   const struct trawl_value *val, unsigned depth) {
    (void)depth;
    struct rpc_info *r = ctx;
    const char *name = trawl_field_name(f);
    if (named(f, "rpc.xid")) {
        r->xid = val->u;
    } else if (named(f, "rpc.msgtyp")) {
        r->type = val->u;
        r->have_type = true;
    } else if (named(f, "rpc.program")) {
        r->prog = val->u;
        r->have_prog = true;
    } else if (named(f, "rpc.programversion")) {
        r->vers = val->u;
    } else if (named(f, "rpc.procedure")) {
        r->proc = val->u;
    } else if (strncmp(name, "rpc.", 4) != 0 &&
               strstr(name, ".procedure_v") && !r->proc_name[0]) {
        if (!print_value_name(f, val, r->proc_name, sizeof r->proc_name))
            snprintf(r->proc_name, sizeof r->proc_name, "Procedure %" PRIu64,
                     val->u);
    } else if (named(f, "nfs.opcode")) {
        if (r->nops < CLI_ARRAY_LEN(r->ops))
            r->ops[r->nops] = val->u;
        r->nops++;
    } else if (!r->have_status &&
               (named(f, "nfs.nfsstat4") || named(f, "nfs.status3") ||
                named(f, "nfs.status2") || named(f, "mount.status") ||
                named(f, "nlm.stat") || named(f, "nlm.test_stat.stat"))) {
        r->have_status = true;
        r->status = val->u;
        r->status_f = f;
    }
    return true;
}

static const char *column_of(const char *layer) {
    if (strcmp(layer, "nfs") == 0)
        return "NFS";
    if (strcmp(layer, "portmap") == 0)
        return "Portmap";
    if (strcmp(layer, "mount") == 0)
        return "MOUNT";
    if (strcmp(layer, "nlm") == 0)
        return "NLM";
    return "RPC";
}

static void one_message(struct pbuf *info, const struct rpc_info *r,
                        const char *layer) {
    const char *type = r->type == 0 ? "Call" : r->type == 1 ? "Reply" : "?";
    if (!r->have_prog) {
        /* A reply whose call is not known, or a malformed message. */
        pbuf_printf(info, "%s XID 0x%08" PRIx64, type, r->xid);
        return;
    }
    if (strcmp(layer, "rpc") == 0) {
        /* A program trawl does not decode. */
        pbuf_printf(info, "Program %" PRIu64 " V%" PRIu64 " Procedure %" PRIu64
                          " %s",
                    r->prog, r->vers, r->proc, type);
        return;
    }
    if (r->nops || (strcmp(layer, "nfs") == 0 && r->vers == 4 && r->proc)) {
        pbuf_printf(info, "V4 %s", type);
        for (size_t i = 0; i < r->nops && i < CLI_ARRAY_LEN(r->ops); i++) {
            const trawl_field *op = trawl_field_lookup("nfs.opcode");
            struct trawl_value val = {.type = TRAWL_FT_UINT, .u = r->ops[i]};
            char name[40];
            if (op && print_value_name(op, &val, name, sizeof name))
                pbuf_printf(info, " %s", name);
            else
                pbuf_printf(info, " OP%" PRIu64, r->ops[i]);
        }
        if (r->nops > CLI_ARRAY_LEN(r->ops))
            pbuf_puts(info, " …");
    } else {
        pbuf_printf(info, "V%" PRIu64 " %s %s", r->vers,
                    r->proc_name[0] ? r->proc_name : "?", type);
    }
    if (r->type == 1 && r->have_status && r->status != 0) {
        char name[48];
        struct trawl_value val = {.type = TRAWL_FT_UINT, .u = r->status};
        if (print_value_name(r->status_f, &val, name, sizeof name))
            pbuf_printf(info, " Status: %s", name);
        else
            pbuf_printf(info, " Status: %" PRIu64, r->status);
    }
}

void print_summary_rpc(trawl_view *v, size_t first, size_t n,
                       struct pbuf *info, char *proto, size_t protolen) {
    const char *column = "RPC";
    size_t messages = 0;
    for (size_t i = first; i < n;) {
        struct trawl_layer_info li;
        if (!trawl_view_layer(v, i, &li) || strcmp(li.name, "rpc") != 0)
            break;
        struct rpc_info r = {0};
        trawl_view_layer_tree(v, i, gather, &r);
        const char *layer = "rpc";
        size_t next = i + 1;
        struct trawl_layer_info pl;
        if (next < n && trawl_view_layer(v, next, &pl) &&
            strcmp(pl.name, "rpc") != 0 && strcmp(pl.name, "data") != 0) {
            layer = pl.name;
            trawl_view_layer_tree(v, next, gather, &r);
            next++;
        }
        if (messages++)
            pbuf_puts(info, " ; ");
        one_message(info, &r, layer);
        column = column_of(layer);
        i = next;
    }
    snprintf(proto, protolen, "%s", column);
}
