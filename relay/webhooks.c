/* fieldtext relay: Twilio's webhooks. POST /twilio/inbound and POST /twilio/status (on the polling
 * thread; the writes on the commit thread, the connection suspended meanwhile: relay/http.c).
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

/* One webhook's work, run by the commit thread (ft_events_submit) while its connection is suspended:
 * the signature is checked, and the ids and the bodies of an inbound message's events made, on the
 * polling thread before it is queued; the shared transaction inserts them. What needs the store (a
 * status's message, a keyword's reply from the business profile) is read inside that transaction:
 * the store's lock is the commit thread's, and the polling thread must not wait for it. */
typedef struct wh_work {
    ft_gc_item item;
    ft_req *r;
    ft_form_param *p; /* the form (sid, from, text point into it) */
    size_t n;
    int is_inbound;
    const char *sid, *from, *text;
    /* inbound */
    char *msg_body, *debit_body; /* JSON text (cJSON_free) */
    char id_in[37], id_debit[37];
    ft_relay_kw kw;
    char reply[600]; /* the automatic reply, made in the transaction ("" when none) */
    int duplicate;
    /* status */
    const char *status, *error_code;
    char id_status[37];
    char *message_id; /* from the callback URL's ?m= (our StatusCallback); NULL when absent */
} wh_work;

static ft_status inbound_write(ft_events_tx *tx, void *ctx) {
    wh_work *w = ctx;
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
    /* The reply (the business profile is read from the store; most messages are no keyword). */
    if (kw != FT_RKW_NONE) ft_rules_inbound_keyword(tx->app, w->text, strlen(w->text), w->reply, sizeof w->reply);
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
    if (st == FT_OK && w->reply[0]) {
        event_id("debit-reply", w->sid, NULL, id);
        char mid[64];
        snprintf(mid, sizeof mid, "reply:%s", w->sid);
        st = ft_ledger_debit(tx, id, segments_of(w->reply), mid, "keyword reply");
    }
    return st;
}

static ft_status status_write(ft_events_tx *tx, void *ctx) {
    wh_work *w = ctx;
    char *mid = NULL;
    if (!w->message_id) ft_store_outbox_by_sid(tx->app->store, w->sid, &mid);
    cJSON *b = cJSON_CreateObject();
    if (w->message_id) cJSON_AddStringToObject(b, "message_id", w->message_id);
    else if (mid) cJSON_AddStringToObject(b, "message_id", mid);
    cJSON_AddStringToObject(b, "sid", w->sid);
    cJSON_AddStringToObject(b, "status", w->status);
    if (w->error_code && w->error_code[0]) cJSON_AddStringToObject(b, "error_code", w->error_code);
    char *body = cJSON_PrintUnformatted(b);
    cJSON_Delete(b);
    free(mid);
    if (!body) return FT_E_NOMEM;
    /* Deduplicated by (sid, status): the event's id is made from both. */
    ft_status st = ft_events_tx_add_json(tx, w->id_status, "twilio", "message.status", body, 0, 0, NULL);
    cJSON_free(body);
    return st == FT_E_CONFLICT ? FT_OK : st;
}

static void wh_free(wh_work *w) {
    free(w->message_id);
    cJSON_free(w->msg_body);
    cJSON_free(w->debit_body);
    ft_form_free(w->p, w->n);
    free(w);
}

/* On the polling thread, once resumed: the reply. */
static void wh_finish(ft_req *r, int reply) {
    wh_work *w = r->async;
    r->finish = NULL;
    r->async = NULL;
    if (reply) {
        if (w->item.st != FT_OK) ft_http_error(r, w->item.st, NULL); /* not written: Twilio will deliver it again */
        else if (w->is_inbound && !w->duplicate && w->reply[0]) twiml(r, w->reply);
        else twiml(r, NULL);
    }
    wh_free(w);
}

/* On the commit thread: committed (or not); the connection goes on. */
static void wh_done(ft_gc_item *it) {
    wh_work *w = it->done_ctx;
    ft_req *r = w->r;
    /* START: reminders skipped while the customer had opted out may go now. */
    if (w->is_inbound && w->kw == FT_RKW_START && it->st == FT_OK) ft_reminders_kick(r->app);
    ft_http_resume(r->conn); /* r is the polling thread's from here */
}

/* Queues w (which owns the form) and suspends the connection; the reply comes in wh_finish. */
static void wh_queue(ft_req *r, wh_work *w) {
    if (!ft_http_suspend(r->conn)) {
        wh_free(w);
        ft_http_error(r, FT_E_INTERNAL, "the relay is stopping");
        r->status = 503;
        ft_http_header(r, "Connection", "close");
        return;
    }
    w->r = r;
    w->item.fn = w->is_inbound ? inbound_write : status_write;
    w->item.ctx = w;
    w->item.done = wh_done;
    w->item.done_ctx = w;
    r->async = w;
    r->finish = wh_finish;
    r->phase = 1;
    ft_events_submit(r->app, &w->item);
}

static void inbound(ft_req *r, wh_work *w) {
    ft_form_param *p = w->p;
    size_t n = w->n;
    w->is_inbound = 1;
    w->sid = param(p, n, "MessageSid");
    if (!w->sid) w->sid = param(p, n, "SmsSid");
    w->from = param(p, n, "From");
    w->text = param(p, n, "Body");
    if (!w->text) w->text = "";
    if (!w->sid || !ft_rules_phone_ok(w->from)) {
        wh_free(w);
        twiml(r, NULL); /* nothing a thread can hold: acknowledged, not logged */
        return;
    }
    w->kw = ft_rules_inbound_class(w->text, strlen(w->text));
    const char *ns = param(p, n, "NumSegments");
    long segs = ns ? strtol(ns, NULL, 10) : 0;
    if (segs <= 0) segs = segments_of(w->text);
    const char *to = param(p, n, "To"), *num_media = param(p, n, "NumMedia");
    cJSON *b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "phone", w->from);
    cJSON_AddStringToObject(b, "body", w->text);
    cJSON_AddStringToObject(b, "sid", w->sid);
    cJSON_AddNumberToObject(b, "segments", (double)segs);
    if (to) cJSON_AddStringToObject(b, "to", to);
    if (num_media && strtol(num_media, NULL, 10) > 0)
        cJSON_AddNumberToObject(b, "num_media", (double)strtol(num_media, NULL, 10));
    w->msg_body = cJSON_PrintUnformatted(b);
    cJSON_Delete(b);
    w->debit_body = ft_ledger_debit_json(segs, w->sid, "received");
    event_id("in", w->sid, NULL, w->id_in);
    event_id("debit-in", w->sid, NULL, w->id_debit);
    if (!w->msg_body || !w->debit_body) {
        wh_free(w);
        ft_http_error(r, FT_E_NOMEM, NULL);
        return;
    }
    wh_queue(r, w);
}

static void status_cb(ft_req *r, wh_work *w) {
    ft_form_param *p = w->p;
    size_t n = w->n;
    w->sid = param(p, n, "MessageSid");
    if (!w->sid) w->sid = param(p, n, "SmsSid");
    w->status = param(p, n, "MessageStatus");
    if (!w->status) w->status = param(p, n, "SmsStatus");
    if (!w->sid || !w->status) {
        wh_free(w);
        twiml(r, NULL);
        return;
    }
    w->error_code = param(p, n, "ErrorCode");
    /* Our StatusCallback names the message (?m=): the callback may come before the relay has
     * recorded the sid Twilio gave it. A callback URL without it (one set on a Messaging Service)
     * is matched by sid. */
    const char *m = ft_http_query(r, "m");
    if (m && m[0] && !(w->message_id = strdup(m))) {
        wh_free(w);
        ft_http_error(r, FT_E_NOMEM, NULL);
        return;
    }
    event_id("status", w->sid, w->status, w->id_status);
    wh_queue(r, w);
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
    wh_work *w = calloc(1, sizeof *w);
    if (!w) {
        ft_form_free(p, n);
        ft_http_error(r, FT_E_NOMEM, NULL);
        return;
    }
    w->p = p;
    w->n = n;
    if (is_inbound) inbound(r, w);
    else status_cb(r, w);
}
