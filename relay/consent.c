/* fieldtext relay: the consent audit chain. Every consent.* event the relay accepts (staff steps
 * from POST /api/events, keywords and plain-words opt-out requests from the inbound webhook) is
 * first applied with the core's state machine (core consent.h, through ft_consent_step_json) to
 * the phone's earlier chained records, read from the log in the same transaction; the event body
 * stored is the core's record (body.chain = {index, prev, hash}), so the chain is built when the
 * event is accepted. GET /api/customers/consent exports a phone's history with the core's verdict. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fieldtext/consent.h"
#include "relay.h"

/* ft_free of the core's JSON replies (json.h) */
#include "fieldtext/json.h"

static int collect_record(void *ctx, const ft_store_event *ev) {
    cJSON *arr = ctx;
    cJSON *b = cJSON_Parse(ev->body_json);
    if (!b) return 0;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "type", ev->type);
    cJSON_AddNumberToObject(o, "at", (double)ev->at);
    cJSON_AddStringToObject(o, "actor", ev->actor);
    cJSON_AddNumberToObject(o, "seq", (double)ev->seq);
    cJSON_AddStringToObject(o, "event_id", ev->id);
    cJSON_AddItemToObject(o, "body", b);
    cJSON_AddItemToArray(arr, o);
    return 0;
}

/* The phone's chained records, oldest first (NULL on a storage error). */
static cJSON *load_records(ft_relay *app, const char *phone) {
    cJSON *arr = cJSON_CreateArray();
    if (!arr) return NULL;
    if (ft_store_consent_events(app->store, phone, collect_record, arr) != FT_OK) {
        cJSON_Delete(arr);
        return NULL;
    }
    return arr;
}

static const char *str_of(const cJSON *o, const char *name) {
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, name));
}

/* An opt-out request awaits staff review: the last request came after the last step that settles
 * it (the core's review_pending). */
static int review_pending(const cJSON *records) {
    int pending = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, records) {
        const char *t = str_of(it, "type");
        if (!t) continue;
        if (strcmp(t, "consent.optout_request") == 0) pending = 1;
        else if (strcmp(t, "consent.box_checked") == 0 || strcmp(t, "consent.opted_out") == 0 ||
                 strcmp(t, "consent.opted_in") == 0 || strcmp(t, "consent.optout_confirmed") == 0 ||
                 strcmp(t, "consent.optout_dismissed") == 0)
            pending = 0;
    }
    return pending;
}

/* The page's words for how consent was given, as the core's methods. NULL when unknown. */
static const char *method_of(const char *m, const char *dflt) {
    if (!m || !m[0]) return dflt;
    static const char *const verbal[] = {"verbal", "phone", "phone call", "call", "in person", "in_person",
                                         "at the door", "door", "staff"};
    static const char *const written[] = {"written", "web", "form", "paper", "email", "e-mail", "signed", "text"};
    for (size_t i = 0; i < sizeof verbal / sizeof verbal[0]; i++)
        if (strcasecmp(m, verbal[i]) == 0) return "verbal";
    for (size_t i = 0; i < sizeof written / sizeof written[0]; i++)
        if (strcasecmp(m, written[i]) == 0) return "written";
    return NULL;
}

/* Fields of the core's record body: the relay does not copy the client's values over them. */
static int is_record_field(const char *k) {
    static const char *const f[] = {"customer_id", "phone", "method", "staff_name", "script_text", "script_version",
                                    "disclosure_text", "disclosure_version", "keyword", "phrase", "chain"};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        if (strcmp(k, f[i]) == 0) return 1;
    return 0;
}

static ft_status refuse(char *why, size_t cap, ft_status code, const char *msg) {
    snprintf(why, cap, "%s", msg);
    return code;
}

ft_status ft_consent_accept(ft_events_tx *tx, const char *id, const char *staff_id, const char *staff_name,
                            const char *type, cJSON *body, int64_t client_at, int64_t *seq, char *why, size_t cap) {
    ft_relay *app = tx->app;
    const char *phone = str_of(body, "phone");
    if (!ft_rules_phone_ok(phone)) return refuse(why, cap, FT_E_LOG_PHONE, "phone must be an E.164 number");
    if (strcmp(type, "consent.optout_dismissed") == 0)
        return refuse(why, cap, FT_E_EVENT_FORBIDDEN,
                      "dismissing an opt-out request is not supported: the relay stops sends at the request "
                      "(confirm it with consent.optout_confirmed; consent comes back with the full staff flow)");
    cJSON *records = load_records(app, phone);
    if (!records) return FT_E_STORAGE;
    int customer_step = staff_id == NULL;
    int64_t now = ft_now_ms(), last_at = 0;
    const cJSON *last = cJSON_GetArrayItem(records, cJSON_GetArraySize(records) - 1);
    if (last) last_at = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(last, "at"));
    if (now < last_at) now = last_at; /* the clock stepped back: the chain's times never go backwards */

    /* The customer: the chain's, else the one named, else the customer saved with this phone. */
    char cid[FT_CONSENT_ID_MAX] = "";
    const char *named = str_of(body, "customer_id");
    const cJSON *first = cJSON_GetArrayItem(records, 0);
    const char *chain_cid = first ? str_of(cJSON_GetObjectItemCaseSensitive(first, "body"), "customer_id") : NULL;
    if (named && named[0]) snprintf(cid, sizeof cid, "%s", named);
    else if (chain_cid) snprintf(cid, sizeof cid, "%s", chain_cid);
    else {
        char *cs = NULL;
        cJSON *c = NULL;
        if (ft_store_customer_by_phone(app->store, phone, &cs) == FT_OK) c = cJSON_Parse(cs);
        free(cs);
        const char *v = str_of(c, "customer_id");
        snprintf(cid, sizeof cid, "%s", v && v[0] ? v : phone);
        cJSON_Delete(c);
    }

    cJSON *step = cJSON_CreateObject();
    cJSON_AddStringToObject(step, "type", type);
    cJSON_AddNumberToObject(step, "at", (double)now);
    cJSON *extras = cJSON_CreateObject(); /* client fields kept beside the record, outside the hash */
    ft_status st = FT_OK;
    const char *m = str_of(body, "method");
    if (strcmp(type, "consent.optout_request") == 0) {
        /* The customer's own words (the core's actor "customer", written), whoever typed them in. */
        const char *phrase = str_of(body, "phrase");
        if (!phrase || !phrase[0]) phrase = str_of(body, "keyword");
        if (!phrase || !phrase[0]) st = refuse(why, cap, FT_E_JSON_SHAPE, "phrase (the customer's words) is required");
        else {
            cJSON_AddStringToObject(step, "method", "written");
            cJSON_AddStringToObject(step, "keyword", phrase);
        }
        if (staff_id) cJSON_AddStringToObject(extras, "recorded_by", staff_id);
        customer_step = 1;
    } else if (customer_step) {
        cJSON_AddStringToObject(step, "method", "keyword");
        const char *kw = str_of(body, "keyword");
        if (kw) cJSON_AddStringToObject(step, "keyword", kw);
    } else {
        cJSON_AddStringToObject(step, "staff_id", staff_id);
        cJSON_AddStringToObject(step, "staff_name", staff_name && staff_name[0] ? staff_name : "");
        int flow = strcmp(type, "consent.script_read") == 0 || strcmp(type, "consent.screen_acknowledged") == 0 ||
                   strcmp(type, "consent.box_checked") == 0;
        if (flow && review_pending(records))
            st = refuse(why, cap, FT_E_CONSENT_REVIEW,
                        "an opt-out request awaits review: confirm it (consent.optout_confirmed) before recording "
                        "consent again");
        else if (strcmp(type, "consent.script_read") == 0) {
            const char *mm = method_of(m, "verbal");
            if (!mm) st = refuse(why, cap, FT_E_CONSENT_METHOD, "method: verbal (phone call, in person) or written");
            else cJSON_AddStringToObject(step, "method", mm);
            cJSON *b = cJSON_CreateObject();
            ft_api_business_get(app, b);
            const char *company = str_of(b, "name");
            if (company && company[0]) cJSON_AddStringToObject(step, "company_name", company);
            cJSON_Delete(b);
            const char *text = str_of(body, "script_text");
            if (text) cJSON_AddStringToObject(step, "text", text);
            const char *ver = str_of(body, "script_version");
            if (ver && strcmp(ver, FT_CONSENT_SCRIPT_VERSION) != 0) cJSON_AddStringToObject(extras, "client_script_version", ver);
        } else if (strcmp(type, "consent.screen_acknowledged") == 0) {
            /* The record holds the core's versioned disclosure (the text staff must be shown); a
             * different text the page sent is kept beside it (client_disclosure_text). */
            const char *text = str_of(body, "disclosure_text");
            const char *ver = str_of(body, "disclosure_version");
            if (text && strcmp(text, FT_CONSENT_DISCLOSURE_TEXT) != 0) {
                if (ver && strcmp(ver, FT_CONSENT_DISCLOSURE_VERSION) == 0)
                    st = refuse(why, cap, FT_E_CONSENT_TEXT, "the disclosure text is not the versioned text");
                cJSON_AddStringToObject(extras, "client_disclosure_text", text);
                if (ver) cJSON_AddStringToObject(extras, "client_disclosure_version", ver);
            }
        } else if (strcmp(type, "consent.opted_out") == 0) {
            const char *mm = method_of(m, "verbal");
            if (m && strcasecmp(m, "keyword") == 0)
                st = refuse(why, cap, FT_E_CONSENT_METHOD, "a keyword opt-out is the customer's own (from the webhook)");
            else if (!mm) st = refuse(why, cap, FT_E_CONSENT_METHOD, "method: verbal or written");
            else cJSON_AddStringToObject(step, "method", mm);
        } else if (strcmp(type, "consent.opted_in") == 0) {
            st = refuse(why, cap, FT_E_EVENT_FORBIDDEN, "consent.opted_in is the customer's keyword (START)");
        }
        /* box_checked, optout_confirmed: the method is inherited (core). */
    }
    char *reply = NULL;
    cJSON *rj = NULL;
    if (st == FT_OK) {
        cJSON *in = cJSON_CreateObject();
        cJSON_AddStringToObject(in, "customer_id", cid);
        cJSON_AddStringToObject(in, "phone", phone);
        cJSON_AddItemReferenceToObject(in, "records", records);
        cJSON_AddItemReferenceToObject(in, "step", step);
        char *input = cJSON_PrintUnformatted(in);
        cJSON_Delete(in);
        st = input ? FT_OK : FT_E_NOMEM;
        if (st == FT_OK) {
            ft_status cs = ft_consent_step_json(input, strlen(input), &reply);
            cJSON_free(input);
            rj = reply ? cJSON_Parse(reply) : NULL;
            ft_free(reply);
            if (!rj) st = FT_E_NOMEM;
            else if (cs != FT_OK) {
                const cJSON *e = cJSON_GetObjectItemCaseSensitive(rj, "error");
                const char *msg = str_of(e, "message");
                const cJSON *fb = cJSON_GetObjectItemCaseSensitive(rj, "first_broken");
                if (cJSON_IsNumber(fb))
                    snprintf(why, cap, "%s (the stored consent chain is broken at record %d)", msg ? msg : ft_strerror(cs),
                             (int)fb->valuedouble);
                else snprintf(why, cap, "%s", msg ? msg : ft_strerror(cs));
                st = cs;
            }
        }
    }
    if (st == FT_OK) {
        const cJSON *rec = cJSON_GetObjectItemCaseSensitive(rj, "record");
        cJSON *out = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(rec, "body"), 1);
        const cJSON *it;
        cJSON_ArrayForEach(it, body) {
            if (!is_record_field(it->string) && !cJSON_GetObjectItemCaseSensitive(out, it->string))
                cJSON_AddItemToObject(out, it->string, cJSON_Duplicate(it, 1));
        }
        cJSON_ArrayForEach(it, extras) cJSON_AddItemToObject(out, it->string, cJSON_Duplicate(it, 1));
        const char *actor = str_of(rec, "actor");
        int64_t at = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(rec, "at"));
        st = ft_events_tx_add_at(tx, id, actor ? actor : (customer_step ? "customer" : staff_id), type, out, client_at,
                                 at, seq);
        cJSON_Delete(out);
        /* Reminders still waiting in the outbox for this phone are pulled back in the same transaction. */
        if (st == FT_OK && (strcmp(type, "consent.opted_out") == 0 || strcmp(type, "consent.optout_request") == 0))
            st = ft_reminders_opted_out(tx, phone);
    }
    cJSON_Delete(rj);
    cJSON_Delete(step);
    cJSON_Delete(extras);
    cJSON_Delete(records);
    return st;
}

/* ---- GET /api/customers/consent?phone=E164&format=json|csv ---- */

void ft_consent_history(ft_req *r) {
    if (!ft_auth_require(r)) return;
    const char *phone = ft_http_query(r, "phone");
    const char *format = ft_http_query(r, "format");
    if (!format || !format[0]) format = "json";
    if (!ft_rules_phone_ok(phone)) {
        ft_http_error(r, FT_E_LOG_PHONE, "phone must be an E.164 number such as +15125550123");
        return;
    }
    if (strcmp(format, "json") != 0 && strcmp(format, "csv") != 0) {
        ft_http_error(r, FT_E_INVALID_ARG, "format: json or csv");
        return;
    }
    cJSON *records = load_records(r->app, phone);
    if (!records) {
        ft_http_error(r, FT_E_STORAGE, NULL);
        return;
    }
    cJSON *in = cJSON_CreateObject();
    cJSON_AddItemToObject(in, "records", records);
    cJSON_AddNumberToObject(in, "generated_at", (double)ft_now_ms());
    char *input = cJSON_PrintUnformatted(in);
    cJSON_Delete(in);
    char *reply = NULL;
    ft_status st = input ? ft_consent_export(input, strlen(input), format, &reply) : FT_E_NOMEM;
    cJSON_free(input);
    cJSON *o = reply ? cJSON_Parse(reply) : NULL;
    ft_free(reply);
    if (!o) {
        ft_http_error(r, st == FT_OK ? FT_E_NOMEM : st, NULL);
        return;
    }
    if (st != FT_OK) {
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(o, "error");
        ft_http_error(r, st, str_of(e, "message"));
        cJSON_Delete(o);
        return;
    }
    if (strcmp(format, "csv") == 0) {
        const char *doc = str_of(o, "document");
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "verification");
        const cJSON *fb = cJSON_GetObjectItemCaseSensitive(v, "first_broken");
        ft_http_reply(r, 200, "text/csv; charset=utf-8", doc ? doc : "", doc ? strlen(doc) : 0);
        ft_http_header(r, "Content-Disposition", "attachment; filename=\"consent.csv\"");
        ft_http_header(r, "X-Consent-Valid", cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(v, "valid")) ? "true" : "false");
        if (cJSON_IsNumber(fb)) {
            char n[32];
            snprintf(n, sizeof n, "%d", (int)fb->valuedouble);
            ft_http_header(r, "X-Consent-First-Broken", n);
        }
        cJSON_Delete(o);
        return;
    }
    cJSON_AddStringToObject(o, "phone", phone);
    ft_http_json(r, 200, o);
}
