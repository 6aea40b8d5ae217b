/* fieldtext relay: the Twilio Messages API client and the outbox sender.
 *
 * A message.send is persisted (event + outbox row) before Twilio is called. One sender thread drains
 * the outbox: form-encoded POST with Basic auth to TWILIO_API_BASE/2010-04-01/Accounts/{Sid}/
 * Messages.json. 429 and 5xx are retried with exponential backoff, honouring Retry-After. When the
 * connection cannot even be made (Twilio unreachable) the message stays queued. When a request may
 * have reached Twilio without an answer (timeout mid-request, or a crash while sending) the message
 * is never sent again automatically: it is reported as uncertain, because a duplicate text to a
 * customer is worse than asking staff to check. Consent is checked again just before each call, so a
 * STOP that arrives while a message waits in the outbox still stops it. */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "relay.h"

#define MAX_BACKOFF_MS (5LL * 60 * 1000)

const char *ft_twilio_auth_token(const ft_relay *app) { return app->cfg.auth_token ? app->cfg.auth_token : ""; }

size_t ft_curl_reply_body(char *p, size_t size, size_t n, void *ud) {
    ft_curl_reply *r = ud;
    size_t len = size * n;
    if (r->body.len + len > FT_CURL_REPLY_CAP) return 0;
    return ft_buf_add(&r->body, p, len) ? len : 0;
}

size_t ft_curl_reply_header(char *p, size_t size, size_t n, void *ud) {
    ft_curl_reply *r = ud;
    size_t len = size * n;
    if (len > 12 && strncasecmp(p, "Retry-After:", 12) == 0) r->retry_after_s = strtol(p + 12, NULL, 10);
    return len;
}

static void add_param(ft_buf *b, CURL *c, const char *name, const char *value) {
    char *v = curl_easy_escape(c, value, 0);
    if (b->len) ft_buf_adds(b, "&");
    ft_buf_adds(b, name);
    ft_buf_adds(b, "=");
    ft_buf_adds(b, v ? v : "");
    curl_free(v);
}

static ft_status add_event(ft_events_tx *tx, const char *prefix, const char *message_id, const char *actor,
                           const char *type, const cJSON *body) {
    char id[37], name[160];
    snprintf(name, sizeof name, "%s:%s", prefix, message_id);
    ft_uuid_from_name(name, id);
    ft_status st = ft_events_tx_add(tx, id, actor, type, body, 0, NULL);
    return st == FT_E_CONFLICT ? FT_OK : st; /* recorded before (a replayed recovery) */
}

/* Records the outcome of a send in one transaction: the outbox row's new state, the event saying
 * it (message.sent / message.failed), and the refund or opt-out that goes with it. A crash leaves
 * all of them or none (then the row is still 'sending', and reported uncertain at the restart). */
static void outcome(ft_relay *app, const ft_store_outbox *o, const char *state, const char *sid, const char *why,
                    const char *prefix, const char *type, cJSON *body, int refund, cJSON *optout) {
    ft_events_tx tx;
    ft_status st = ft_events_tx_begin(app, &tx);
    if (st == FT_OK) {
        if (optout) st = add_event(&tx, "optout21610", o->message_id, "twilio", "consent.opted_out", optout);
        if (st == FT_OK) st = add_event(&tx, prefix, o->message_id, "twilio", type, body);
        if (st == FT_OK && refund) {
            cJSON *rb = cJSON_CreateObject();
            cJSON_AddNumberToObject(rb, "segments", (double)o->segments);
            cJSON_AddStringToObject(rb, "message_id", o->message_id);
            st = add_event(&tx, "refund", o->message_id, "system", "balance.refunded", rb);
            cJSON_Delete(rb);
        }
        if (st == FT_OK) st = ft_store_outbox_mark(app->store, o->message_id, state, sid, why, 0);
        if (st == FT_OK) st = ft_events_tx_commit(&tx);
        else ft_events_tx_abort(&tx);
    }
    if (st != FT_OK)
        fprintf(stderr, "fieldtext-relay: cannot record %s for %s: %s\n", type, o->message_id, ft_strerror(st));
    cJSON_Delete(body);
    cJSON_Delete(optout);
}

static void fail_with(ft_relay *app, const ft_store_outbox *o, int code, long twilio_code, const char *msg, int refund,
                      int uncertain, cJSON *optout) {
    cJSON *b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "message_id", o->message_id);
    cJSON *e = cJSON_AddObjectToObject(b, "error");
    cJSON_AddNumberToObject(e, "code", code);
    cJSON_AddStringToObject(e, "name", ft_strerror_name(code));
    cJSON_AddStringToObject(e, "message", msg);
    if (twilio_code) cJSON_AddNumberToObject(e, "twilio_code", (double)twilio_code);
    if (uncertain) cJSON_AddBoolToObject(e, "uncertain", 1);
    outcome(app, o, uncertain ? "uncertain" : "failed", NULL, msg, "failed", "message.failed", b, refund, optout);
}

static void fail(ft_relay *app, const ft_store_outbox *o, int code, long twilio_code, const char *msg, int refund,
                 int uncertain) {
    fail_with(app, o, code, twilio_code, msg, refund, uncertain, NULL);
}

static void requeue(ft_relay *app, const ft_store_outbox *o, long retry_after_s, const char *why) {
    int64_t d = (int64_t)app->cfg.retry_base_ms << (o->attempts > 12 ? 12 : o->attempts - 1);
    if (d > MAX_BACKOFF_MS) d = MAX_BACKOFF_MS;
    if (retry_after_s > 0 && retry_after_s * 1000 > d) d = retry_after_s * 1000;
    if (d > 3600LL * 1000) d = 3600LL * 1000;
    ft_store_outbox_mark(app->store, o->message_id, "queued", NULL, why, ft_now_ms() + d);
    ft_reminders_requeued(app, o->message_id); /* a reminder canceled meanwhile does not go on the retry */
}

static void send_one(ft_relay *app, const ft_store_outbox *o) {
    const ft_relay_config *cfg = &app->cfg;
    /* The last word on consent, just before Twilio is called. */
    pthread_mutex_lock(&app->log_lock);
    ft_log_consent consent = ft_reducer_consent_of(app->reducer, o->phone);
    pthread_mutex_unlock(&app->log_lock);
    if (consent != FT_LOG_CONSENT_OPTED_IN) {
        int code = consent == FT_LOG_CONSENT_OPTED_OUT ? FT_E_LOG_OPTED_OUT : FT_E_LOG_NO_CONSENT;
        fail(app, o, code, 0, ft_strerror(code), 1, 0);
        return;
    }
    if (!cfg->account_sid || !cfg->auth_token || (!cfg->from && !cfg->messaging_service_sid)) {
        fail(app, o, FT_E_TWILIO, 0, "Twilio is not configured (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM)", 1, 0);
        return;
    }
    CURL *c = curl_easy_init();
    if (!c) {
        requeue(app, o, 0, "curl init failed");
        return;
    }
    char url[1024];
    char *sid_esc = curl_easy_escape(c, cfg->account_sid, 0);
    snprintf(url, sizeof url, "%s/2010-04-01/Accounts/%s/Messages.json", cfg->api_base, sid_esc ? sid_esc : "");
    curl_free(sid_esc);
    ft_buf form = {0};
    add_param(&form, c, "To", o->phone);
    add_param(&form, c, "Body", o->body);
    if (cfg->messaging_service_sid) add_param(&form, c, "MessagingServiceSid", cfg->messaging_service_sid);
    else add_param(&form, c, "From", cfg->from);
    if (cfg->public_url) {
        /* The message's own id rides in the callback's URL (which the signature covers): a callback
         * that overtakes the reply giving its sid still finds its message. */
        char cb[1024];
        char *mid_esc = curl_easy_escape(c, o->message_id, 0);
        int n = snprintf(cb, sizeof cb, "%s/twilio/status?m=%s", cfg->public_url, mid_esc ? mid_esc : "");
        if (n < 0 || (size_t)n >= sizeof cb) snprintf(cb, sizeof cb, "%s/twilio/status", cfg->public_url);
        curl_free(mid_esc);
        add_param(&form, c, "StatusCallback", cb);
    }
    char idem[128];
    snprintf(idem, sizeof idem, "I-Twilio-Idempotency-Token: %s", o->message_id);
    struct curl_slist *hdrs = curl_slist_append(NULL, idem);
    hdrs = curl_slist_append(hdrs, "Accept: application/json");
    ft_curl_reply rep = {0};
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, form.p ? form.p : "");
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)form.len);
    curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
    curl_easy_setopt(c, CURLOPT_USERNAME, cfg->account_sid);
    curl_easy_setopt(c, CURLOPT_PASSWORD, cfg->auth_token);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, ft_curl_reply_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &rep);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, ft_curl_reply_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &rep);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 30000L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "fieldtext-relay/0.1");
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    CURLcode rc = curl_easy_perform(c);
    long http = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &http);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(c);
    free(form.p);

    if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST || rc == CURLE_COULDNT_RESOLVE_PROXY) {
        requeue(app, o, 0, curl_easy_strerror(rc)); /* nothing reached Twilio: it stays queued */
    } else if (rc != CURLE_OK) {
        fail(app, o, FT_E_TWILIO, 0, "no answer from Twilio: the message may or may not have been sent (not retried, to avoid a duplicate)", 0, 1);
    } else {
        cJSON *j = rep.body.p ? cJSON_ParseWithLength(rep.body.p, rep.body.len) : NULL;
        const char *sid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "sid"));
        if (http >= 200 && http < 300 && sid) {
            cJSON *b = cJSON_CreateObject();
            cJSON_AddStringToObject(b, "message_id", o->message_id);
            cJSON_AddStringToObject(b, "sid", sid);
            const cJSON *ns = cJSON_GetObjectItemCaseSensitive(j, "num_segments");
            int64_t segs = cJSON_IsString(ns) ? strtoll(ns->valuestring, NULL, 10) : cJSON_IsNumber(ns) ? (int64_t)ns->valuedouble : o->segments;
            cJSON_AddNumberToObject(b, "segments", (double)(segs > 0 ? segs : o->segments));
            const char *status = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "status"));
            cJSON_AddStringToObject(b, "twilio_status", status ? status : "queued");
            outcome(app, o, "sent", sid, NULL, "sent", "message.sent", b, 0, NULL);
        } else if (http == 429 || http >= 500) {
            char why[64];
            snprintf(why, sizeof why, "Twilio HTTP %ld", http);
            if (o->attempts >= FT_RELAY_SEND_MAX_ATTEMPTS) fail(app, o, FT_E_TWILIO, 0, why, 1, 0);
            else requeue(app, o, rep.retry_after_s, why);
        } else {
            const cJSON *code = cJSON_GetObjectItemCaseSensitive(j, "code");
            const char *msg = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "message"));
            long tcode = cJSON_IsNumber(code) ? (long)code->valuedouble : 0;
            char why[512];
            snprintf(why, sizeof why, "Twilio refused the message (HTTP %ld%s%s)", http, msg ? ": " : "",
                     msg ? msg : "");
            cJSON *optout = NULL;
            if (tcode == 21610) {
                /* Twilio says the number replied STOP: make the log agree at once. */
                optout = cJSON_CreateObject();
                cJSON_AddStringToObject(optout, "phone", o->phone);
                cJSON_AddStringToObject(optout, "method", "twilio_21610");
            }
            fail_with(app, o, tcode == 21610 ? FT_E_LOG_OPTED_OUT : FT_E_TWILIO, tcode, why, 1, 0, optout);
        }
        cJSON_Delete(j);
    }
    free(rep.body.p);
}

static void report_uncertain(void *ctx, const ft_store_outbox *o) {
    fail((ft_relay *)ctx, o, FT_E_TWILIO,
         0, "the relay stopped while sending: the message may or may not have been sent (not retried, to avoid a duplicate)",
         0, 1);
}

static void *sender_main(void *arg) {
    ft_relay *app = arg;
    while (!atomic_load(&app->stopping)) {
        ft_store_outbox o;
        int64_t wait_ms = -1;
        ft_status st = ft_store_outbox_claim(app->store, ft_now_ms(), &o, &wait_ms);
        if (st == FT_OK) {
            send_one(app, &o);
            ft_store_outbox_clear(&o);
            continue;
        }
        if (wait_ms < 0 || wait_ms > 5000) wait_ms = 5000;
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += wait_ms / 1000;
        until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_mutex_lock(&app->notify_lock);
        while (!app->outbox_kick && !atomic_load(&app->stopping)) {
            if (pthread_cond_timedwait(&app->outbox_cond, &app->notify_lock, &until) == ETIMEDOUT) break;
        }
        app->outbox_kick = 0;
        pthread_mutex_unlock(&app->notify_lock);
    }
    return NULL;
}

int ft_twilio_start(ft_relay *app) {
    /* libcurl is loaded and initialised at its first use (relay/curl_lazy.c), not here. */
    ft_store_outbox_recover(app->store, report_uncertain, app);
    if (pthread_create(&app->sender, NULL, sender_main, app) != 0) return 0;
    app->sender_started = 1;
    return 1;
}

void ft_twilio_stop(ft_relay *app) {
    if (app->sender_started) {
        ft_events_notify(app, 0, 1);
        pthread_join(app->sender, NULL);
        app->sender_started = 0;
    }
    curl_global_cleanup(); /* only if libcurl was loaded */
}

void ft_twilio_sandbox_inbound(ft_req *r) {
    if (!ft_auth_require(r)) return;
    cJSON *j = ft_http_body_json(r);
    if (!j) return;
    const char *from = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "from"));
    const char *body = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "body"));
    if (!from || !body) {
        cJSON_Delete(j);
        ft_http_error(r, FT_E_JSON_SHAPE, "from and body (strings) are required");
        return;
    }
    cJSON *req = cJSON_CreateObject();
    cJSON_AddStringToObject(req, "from", from);
    if (r->app->cfg.from) cJSON_AddStringToObject(req, "to", r->app->cfg.from);
    cJSON_AddStringToObject(req, "body", body);
    cJSON_Delete(j);
    char *payload = cJSON_PrintUnformatted(req);
    cJSON_Delete(req);
    char url[1024];
    snprintf(url, sizeof url, "%s/sandbox/inbound", r->app->cfg.api_base);
    CURL *c = curl_easy_init();
    ft_curl_reply rep = {0};
    struct curl_slist *hdrs = curl_slist_append(NULL, "Content-Type: application/json");
    CURLcode rc = CURLE_FAILED_INIT;
    long http = 0;
    if (c && payload) {
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, payload);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, ft_curl_reply_body);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &rep);
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 30000L);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        rc = curl_easy_perform(c);
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &http);
    }
    curl_slist_free_all(hdrs);
    if (c) curl_easy_cleanup(c);
    cJSON_free(payload);
    cJSON *resp = rc == CURLE_OK && rep.body.p ? cJSON_ParseWithLength(rep.body.p, rep.body.len) : NULL;
    free(rep.body.p);
    if (rc != CURLE_OK || !resp) {
        cJSON_Delete(resp);
        ft_http_error(r, FT_E_TWILIO, "the sandbox could not be reached");
        return;
    }
    if (http < 200 || http >= 300) {
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(resp, "error");
        const char *msg = cJSON_IsString(e) ? e->valuestring : cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "message"));
        ft_http_error(r, FT_E_TWILIO, msg ? msg : "the sandbox refused the message");
        r->status = http >= 400 && http < 500 ? (unsigned)http : 502;
        cJSON_Delete(resp);
        return;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "ok", 1);
    const char *sid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(resp, "sid"));
    if (!sid) {
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(resp, "message");
        sid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(m, "sid"));
    }
    if (sid) cJSON_AddStringToObject(o, "sid", sid);
    cJSON_Delete(resp);
    ft_http_json(r, 200, o);
}
