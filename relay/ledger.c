/* fieldtext relay: the ledger. Bundles bought credit the balance (an admin action today, shaped so a
 * payment webhook can call ft_ledger_purchase with its payment id later); every sent and received
 * message debits its segments; a send the balance cannot cover is refused before Twilio is called
 * (ft_rules_can_send), and a send Twilio refuses for good is refunded. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>

#include "fieldtext/cost.h"
#include "relay.h"

ft_status ft_ledger_purchase(ft_relay *app, const char *actor, uint32_t bundle_segments, const char *ref,
                             int64_t *seq) {
    ft_pricing p;
    ft_pricing_default(&p);
    int64_t price = -1;
    for (int i = 0; i < FT_BUNDLE_COUNT; i++) {
        if (p.bundles[i].segments == bundle_segments) price = p.bundles[i].price_micros;
    }
    if (price < 0) return FT_E_BUNDLE_UNKNOWN;
    char id[37];
    if (ref) {
        char name[300];
        snprintf(name, sizeof name, "purchase:%s", ref);
        ft_uuid_from_name(name, id); /* the same payment credits once */
    } else {
        ft_uuid_v4(id);
    }
    cJSON *body = cJSON_CreateObject();
    cJSON_AddNumberToObject(body, "segments", bundle_segments);
    cJSON_AddNumberToObject(body, "price_micros", (double)price);
    if (ref) cJSON_AddStringToObject(body, "ref", ref);
    ft_status st = ft_events_append_one(app, id, actor, "bundle.purchased", body, seq);
    cJSON_Delete(body);
    if (st == FT_OK) ft_reminders_kick(app); /* reminders held for the balance may go now */
    return st;
}

void ft_ledger_api_purchase(ft_req *r) {
    if (!ft_auth_require_admin(r)) return;
    cJSON *j = ft_http_body_json(r);
    if (!j) return;
    const cJSON *seg = cJSON_GetObjectItemCaseSensitive(j, "segments");
    const char *ref = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "ref"));
    if (!cJSON_IsNumber(seg) || seg->valuedouble < 1 || seg->valuedouble > 1e9 || (ref && strlen(ref) > 200)) {
        cJSON_Delete(j);
        ft_http_error(r, FT_E_BUNDLE_UNKNOWN, "segments must be one of the bundles: 2500, 10000, 25000, 100000");
        return;
    }
    int64_t seq = 0;
    ft_status st = ft_ledger_purchase(r->app, r->user_id, (uint32_t)seg->valuedouble, ref, &seq);
    cJSON_Delete(j);
    if (st != FT_OK && st != FT_E_CONFLICT) {
        ft_http_error(r, st, NULL);
        return;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "ok", 1);
    cJSON_AddNumberToObject(o, "seq", (double)seq);
    if (st == FT_E_CONFLICT) cJSON_AddBoolToObject(o, "duplicate", 1);
    pthread_mutex_lock(&r->app->log_lock);
    cJSON *bal = cJSON_AddObjectToObject(o, "balance");
    cJSON_AddNumberToObject(bal, "segments", (double)ft_reducer_balance(r->app->reducer));
    pthread_mutex_unlock(&r->app->log_lock);
    ft_http_json(r, 200, o);
}

char *ft_ledger_debit_json(int64_t segments, const char *message_id, const char *reason) {
    cJSON *body = cJSON_CreateObject();
    cJSON_AddNumberToObject(body, "segments", (double)segments);
    cJSON_AddStringToObject(body, "message_id", message_id);
    cJSON_AddStringToObject(body, "reason", reason);
    char *s = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    return s;
}

ft_status ft_ledger_debit(ft_events_tx *tx, const char *event_id, int64_t segments, const char *message_id,
                          const char *reason) {
    char *body = ft_ledger_debit_json(segments, message_id, reason);
    if (!body) return FT_E_NOMEM;
    ft_status st = ft_events_tx_add_json(tx, event_id, "system", "balance.debited", body, 0, 0, NULL);
    cJSON_free(body);
    return st;
}

ft_status ft_ledger_refund(ft_relay *app, int64_t segments, const char *message_id) {
    char id[37], name[128];
    snprintf(name, sizeof name, "refund:%s", message_id);
    ft_uuid_from_name(name, id);
    cJSON *body = cJSON_CreateObject();
    cJSON_AddNumberToObject(body, "segments", (double)segments);
    cJSON_AddStringToObject(body, "message_id", message_id);
    ft_status st = ft_events_append_one(app, id, "system", "balance.refunded", body, NULL);
    cJSON_Delete(body);
    return st == FT_E_CONFLICT ? FT_OK : st;
}
