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

/* What one inbound webhook writes; run by ft_events_run (group commit). */
typedef struct inbound_work {
    const char *sid, *from, *text, *to, *num_media, *reply_text;
    long segs;
    ft_relay_kw kw;
    int duplicate;
} inbound_work;

static ft_status inbound_write(ft_events_tx *tx, void *ctx) {
    inbound_work *w = ctx;
    int is_new = 0;
    ft_status st = ft_store_webhook_seen(tx->app->store, w->sid, "received", ft_now_ms(), &is_new);
    if (st != FT_OK) return st;
    if (!is_new) {
        w->duplicate = 1; /* a redelivery: logged already */
        return FT_OK;
    }
    char id[37];
    cJSON *b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "phone", w->from);
    cJSON_AddStringToObject(b, "body", w->text);
    cJSON_AddStringToObject(b, "sid", w->sid);
    cJSON_AddNumberToObject(b, "segments", (double)w->segs);
    if (w->to) cJSON_AddStringToObject(b, "to", w->to);
    if (w->num_media && strtol(w->num_media, NULL, 10) > 0)
        cJSON_AddNumberToObject(b, "num_media", (double)strtol(w->num_media, NULL, 10));
    event_id("in", w->sid, NULL, id);
    st = ft_events_tx_add(tx, id, "customer", "message.received", b, 0, NULL);
    cJSON_Delete(b);
    /* Received messages draw on the balance too. */
    event_id("debit-in", w->sid, NULL, id);
    if (st == FT_OK) st = ft_ledger_debit(tx, id, w->segs, w->sid, "received");
    ft_relay_kw kw = w->kw;
    if (st == FT_OK && (kw == FT_RKW_STOP || kw == FT_RKW_OPTOUT_REQUEST || kw == FT_RKW_START)) {
        /* The customer's step goes through the core's consent state machine and into the chain
         * (relay/consent.c), in this same transaction. */
        b = cJSON_CreateObject();
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
    w.segs = ns ? strtol(ns, NULL, 10) : 0;
    if (w.segs <= 0) w.segs = segments_of(w.text);
    w.reply_text = reply[0] ? reply : NULL;
    w.to = param(p, n, "To");
    w.num_media = param(p, n, "NumMedia");
    ft_status st = ft_events_run(app, inbound_write, &w);
    if (st != FT_OK) {
        ft_http_error(r, st, NULL); /* not written: Twilio will deliver it again */
        return;
    }
    twiml(r, w.duplicate ? NULL : w.reply_text);
}

typedef struct status_work {
    const char *sid, *status, *error_code, *message_id;
} status_work;

static ft_status status_write(ft_events_tx *tx, void *ctx) {
    status_work *w = ctx;
    int is_new = 0;
    ft_status st = ft_store_webhook_seen(tx->app->store, w->sid, w->status, ft_now_ms(), &is_new);
    if (st != FT_OK || !is_new) return st;
    cJSON *b = cJSON_CreateObject();
    if (w->message_id) cJSON_AddStringToObject(b, "message_id", w->message_id);
    cJSON_AddStringToObject(b, "sid", w->sid);
    cJSON_AddStringToObject(b, "status", w->status);
    if (w->error_code && w->error_code[0]) cJSON_AddStringToObject(b, "error_code", w->error_code);
    char id[37];
    event_id("status", w->sid, w->status, id);
    st = ft_events_tx_add(tx, id, "twilio", "message.status", b, 0, NULL);
    cJSON_Delete(b);
    return st;
}

static void status_cb(ft_req *r, ft_form_param *p, size_t n) {
    ft_relay *app = r->app;
    status_work w = {0};
    w.sid = param(p, n, "MessageSid");
    if (!w.sid) w.sid = param(p, n, "SmsSid");
    w.status = param(p, n, "MessageStatus");
    if (!w.status) w.status = param(p, n, "SmsStatus");
    if (!w.sid || !w.status) {
        twiml(r, NULL);
        return;
    }
    w.error_code = param(p, n, "ErrorCode");
    char *mid = NULL;
    ft_store_outbox_by_sid(app->store, w.sid, &mid);
    w.message_id = mid;
    ft_status st = ft_events_run(app, status_write, &w);
    free(mid);
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
