/* fieldtext relay: Twilio's webhooks. POST /twilio/inbound and POST /twilio/status.
 * X-Twilio-Signature (base64 HMAC-SHA1 with the auth token of FIELDTEXT_PUBLIC_URL + path + query,
 * then each POST parameter name and value, sorted) is checked before anything is written: a forged
 * or missing signature gets 403. Redeliveries are recognised by (MessageSid, status). Keywords
 * (STOP/START/HELP, and natural-language opt-out requests) change consent in the same transaction
 * as the message is logged, so no later send reaches a customer who opted out. */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include <ctype.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldtext/segment.h"
#include "relay.h"

static const char *param(const ft_form_param *p, size_t n, const char *name) {
    for (size_t i = 0; i < n; i++) {
        if (strcmp(p[i].name, name) == 0) return p[i].value;
    }
    return NULL;
}

/* ---- handling ---- */

static void twiml(ft_req *r, const char *message) {
    ft_buf b = {0};
    ft_buf_adds(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response>");
    if (message) {
        ft_buf_adds(&b, "<Message>");
        ft_buf_html(&b, message);
        ft_buf_adds(&b, "</Message>");
    }
    ft_buf_adds(&b, "</Response>");
    ft_http_reply(r, 200, "text/xml; charset=utf-8", b.p ? b.p : "", b.len);
    free(b.p);
}

static void event_id(const char *kind, const char *sid, const char *extra, char out[37]) {
    char name[400];
    snprintf(name, sizeof name, "%s:%s:%s", kind, sid, extra ? extra : "");
    ft_uuid_from_name(name, out);
}

static uint32_t segments_of(const char *text) {
    ft_segment_count c;
    if (ft_segment_count_text(text, strlen(text), 0, &c, NULL) != FT_OK) return 1;
    return c.segments;
}

/* What one inbound webhook writes; run by ft_events_run (group commit). The ids and the bodies of
 * its two events are made before it is queued: the shared transaction only inserts them. */
typedef struct inbound_work {
    const char *sid, *from, *text, *reply_text;
    char *msg_body, *debit_body; /* JSON text (cJSON_free) */
    char id_in[37], id_debit[37];
    ft_relay_kw kw;
    int duplicate;
} inbound_work;

static ft_status inbound_write(ft_events_tx *tx, void *ctx) {
    inbound_work *w = ctx;
    /* The message's id is made from its sid: a redelivery is refused by the log's UNIQUE id. */
    ft_status st = ft_events_tx_add_json(tx, w->id_in, "customer", "message.received", w->msg_body, 0, 0, NULL);
    if (st == FT_E_CONFLICT) {
        w->duplicate = 1; /* a redelivery: logged already */
        return FT_OK;
    }
    if (st != FT_OK) return st;
    /* Received messages draw on the balance too. */
    st = ft_events_tx_add_json(tx, w->id_debit, "system", "balance.debited", w->debit_body, 0, 0, NULL);
    char id[37];
    ft_relay_kw kw = w->kw;
    if (st == FT_OK && (kw == FT_RKW_STOP || kw == FT_RKW_OPTOUT_REQUEST || kw == FT_RKW_START)) {
        /* The customer's step goes through the core's consent state machine and into the chain
         * (relay/consent.c), in this same transaction. */
        cJSON *b = cJSON_CreateObject();
        cJSON_AddStringToObject(b, "phone", w->from);
        const char *type;
        if (kw == FT_RKW_START) {
            type = "consent.opted_in";
            cJSON_AddStringToObject(b, "keyword", w->text);
        } else if (kw == FT_RKW_STOP) {
            type = "consent.opted_out";
            cJSON_AddStringToObject(b, "keyword", w->text);
        } else {
            type = "consent.optout_request";
            cJSON_AddStringToObject(b, "phrase", w->text);
        }
        cJSON_AddStringToObject(b, "sid", w->sid);
        event_id("kw", w->sid, NULL, id);
        char why[256] = "";
        st = ft_consent_accept(tx, id, NULL, NULL, type, b, 0, NULL, why, sizeof why);
        if (st != FT_OK && st != FT_E_STORAGE && st != FT_E_NOMEM && st != FT_E_CONFLICT) {
            if (kw == FT_RKW_STOP) {
                /* A STOP always stops sends, even when the stored chain cannot take it (broken):
                 * logged without a chain record, and said so. */
                fprintf(stderr, "fieldtext-relay: STOP from a customer logged outside the consent chain: %s\n", why);
                cJSON_AddStringToObject(b, "method", "keyword");
                cJSON_AddStringToObject(b, "chain_error", why);
                st = ft_events_tx_add(tx, id, "customer", type, b, 0, NULL);
            } else {
                /* START without a completed staff flow, a request after an opt-out: the core
                 * refuses the step; the message itself is logged, consent is unchanged. */
                st = FT_OK;
            }
        }
        cJSON_Delete(b);
    }
    if (st == FT_OK && w->reply_text) {
        event_id("debit-reply", w->sid, NULL, id);
        char mid[64];
        snprintf(mid, sizeof mid, "reply:%s", w->sid);
        st = ft_ledger_debit(tx, id, segments_of(w->reply_text), mid, "keyword reply");
    }
    return st;
}

static void inbound(ft_req *r, ft_form_param *p, size_t n) {
    ft_relay *app = r->app;
    inbound_work w = {0};
    w.sid = param(p, n, "MessageSid");
    if (!w.sid) w.sid = param(p, n, "SmsSid");
    w.from = param(p, n, "From");
    w.text = param(p, n, "Body");
    if (!w.text) w.text = "";
    if (!w.sid || !ft_rules_phone_ok(w.from)) {
        twiml(r, NULL); /* nothing a thread can hold: acknowledged, not logged */
        return;
    }
    char reply[600];
    w.kw = ft_rules_inbound_keyword(app, w.text, strlen(w.text), reply, sizeof reply);
    const char *ns = param(p, n, "NumSegments");
    long segs = ns ? strtol(ns, NULL, 10) : 0;
    if (segs <= 0) segs = segments_of(w.text);
    w.reply_text = reply[0] ? reply : NULL;
    const char *to = param(p, n, "To"), *num_media = param(p, n, "NumMedia");
    cJSON *b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "phone", w.from);
    cJSON_AddStringToObject(b, "body", w.text);
    cJSON_AddStringToObject(b, "sid", w.sid);
    cJSON_AddNumberToObject(b, "segments", (double)segs);
    if (to) cJSON_AddStringToObject(b, "to", to);
    if (num_media && strtol(num_media, NULL, 10) > 0)
        cJSON_AddNumberToObject(b, "num_media", (double)strtol(num_media, NULL, 10));
    w.msg_body = cJSON_PrintUnformatted(b);
    cJSON_Delete(b);
    w.debit_body = ft_ledger_debit_json(segs, w.sid, "received");
    event_id("in", w.sid, NULL, w.id_in);
    event_id("debit-in", w.sid, NULL, w.id_debit);
    ft_status st = w.msg_body && w.debit_body ? ft_events_run(app, inbound_write, &w) : FT_E_NOMEM;
    cJSON_free(w.msg_body);
    cJSON_free(w.debit_body);
    if (st != FT_OK) {
        ft_http_error(r, st, NULL); /* not written: Twilio will deliver it again */
        return;
    }
    twiml(r, w.duplicate ? NULL : w.reply_text);
}

typedef struct status_work {
    char *body; /* JSON text (cJSON_free) */
    char id[37];
} status_work;

static ft_status status_write(ft_events_tx *tx, void *ctx) {
    status_work *w = ctx;
    /* Deduplicated by (sid, status): the event's id is made from both. */
    ft_status st = ft_events_tx_add_json(tx, w->id, "twilio", "message.status", w->body, 0, 0, NULL);
    return st == FT_E_CONFLICT ? FT_OK : st;
}

static void status_cb(ft_req *r, ft_form_param *p, size_t n) {
    ft_relay *app = r->app;
    const char *sid = param(p, n, "MessageSid");
    if (!sid) sid = param(p, n, "SmsSid");
    const char *status = param(p, n, "MessageStatus");
    if (!status) status = param(p, n, "SmsStatus");
    if (!sid || !status) {
        twiml(r, NULL);
        return;
    }
    const char *error_code = param(p, n, "ErrorCode");
    char *mid = NULL;
    ft_store_outbox_by_sid(app->store, sid, &mid);
    cJSON *b = cJSON_CreateObject();
    if (mid) cJSON_AddStringToObject(b, "message_id", mid);
    cJSON_AddStringToObject(b, "sid", sid);
    cJSON_AddStringToObject(b, "status", status);
    if (error_code && error_code[0]) cJSON_AddStringToObject(b, "error_code", error_code);
    status_work w = {.body = cJSON_PrintUnformatted(b)};
    cJSON_Delete(b);
    free(mid);
    event_id("status", sid, status, w.id);
    ft_status st = w.body ? ft_events_run(app, status_write, &w) : FT_E_NOMEM;
    cJSON_free(w.body);
    if (st != FT_OK) {
        ft_http_error(r, st, NULL);
        return;
    }
    twiml(r, NULL);
}

void ft_webhooks_handle(ft_req *r) {
    int is_inbound = strcmp(r->path, "/twilio/inbound") == 0;
    if (!is_inbound && strcmp(r->path, "/twilio/status") != 0) {
        ft_http_error(r, FT_E_NOT_FOUND, NULL);
        return;
    }
    if (strcmp(r->method, "POST") != 0) {
        ft_http_error(r, FT_E_NOT_FOUND, "POST only");
        r->status = 405;
        return;
    }
    const char *sig = ft_http_get_header(r, "X-Twilio-Signature");
    const char *token = ft_twilio_auth_token(r->app);
    if (!r->app->cfg.public_url || !token[0]) {
        ft_http_error(r, FT_E_FORBIDDEN, "webhooks need FIELDTEXT_PUBLIC_URL and TWILIO_AUTH_TOKEN");
        return;
    }
    ft_form_param *p = NULL;
    size_t n = 0;
    const char *ct = ft_http_get_header(r, "Content-Type");
    int is_form = ct && strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0;
    if (is_form && !ft_form_parse(r->body, r->body_len, &p, &n)) {
        ft_http_error(r, FT_E_NOMEM, NULL);
        return;
    }
    ft_buf url = {0};
    ft_buf_adds(&url, r->app->cfg.public_url);
    ft_buf_adds(&url, r->raw_uri);
    int ok = sig && url.p && ft_twilio_signature_valid(token, url.p, p, n, r->body, r->body_len, sig);
    free(url.p);
    if (!ok) {
        ft_form_free(p, n);
        ft_http_error(r, FT_E_FORBIDDEN, "missing or invalid X-Twilio-Signature");
        return;
    }
    if (!is_form) {
        ft_form_free(p, n);
        ft_http_error(r, FT_E_JSON_SHAPE, "expected a form-encoded body");
        r->status = 415;
        return;
    }
    if (is_inbound) inbound(r, p, n);
    else status_cb(r, p, n);
    ft_form_free(p, n);
}
