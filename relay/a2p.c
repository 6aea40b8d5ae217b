/* fieldtext relay: submitting the A2P 10DLC registration to Twilio (relay/API.md "Relay notes,
 * fourth round").
 *
 * After POST /api/registration stores a valid profile, a worker thread walks these steps, one
 * request each, saving what Twilio returned (settings key "a2p") after every step, so a restart
 * resumes where it stopped:
 *   TrustHub (trusthub.twilio.com): EndUser customer_profile_business_information (the only request
 *   that carries the EIN / BN), EndUser authorized_representative_1, the business address
 *   (api.twilio.com Addresses.json) and its SupportingDocument customer_profile_address
 *   ({"address_sids": AD…}), CustomerProfile (secondary customer profile policy), its three
 *   EntityAssignments (business information, representative, address document), Evaluation
 *   (noncompliant ends the submission as failed, naming the failing fields, before any review is
 *   asked), Status=pending-review; EndUser us_a2p_messaging_profile_information, TrustProduct (A2P
 *   messaging profile policy), its assignments (the EndUser and the CustomerProfile), Evaluation
 *   (same rule), Status=pending-review;
 *   Messaging (messaging.twilio.com): BrandRegistrations, polled until APPROVED, then
 *   Services/{MG}/Compliance/Usa2p with the core's campaign, polled until VERIFIED.
 * Status (settings "registration_status", GET /api/me): submitting -> submitted (brand pending) ->
 * brand_approved -> campaign_pending -> approved, or failed (with a reason). Each change is logged
 * as a registration.* event in the same transaction as the saved state.
 * Network errors, 429 and 5xx are retried with backoff; other refusals fail the submission.
 * The EIN / BN lives only in memory (app->a2p_tax_id) until the EndUser request that needs it
 * succeeded or failed for good; a restart before that fails the submission with a reason asking
 * to submit the form again. It is never written to SQLite, the log, events or stderr. */
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

/* Twilio's TrustHub policies: Secondary Customer Profile, and A2P Messaging Profile. */
#define POLICY_CUSTOMER_PROFILE "RNdfbf3fae0e1107f8aded0e7cead80bf5"
#define POLICY_A2P_PROFILE "RNb0d4771c2c98518d916a3d4cd70a8f8b"
#define MAX_BACKOFF_MS (5LL * 60 * 1000)

static void wipe_free(char *s) {
    if (!s) return;
    volatile char *p = s;
    while (*p) *p++ = '\0';
    free(s);
}

/* ---- state ---- */

static cJSON *load_state(ft_relay *app) {
    char *s = NULL;
    if (ft_store_setting_get(app->store, "a2p", &s) != FT_OK) return NULL;
    cJSON *j = cJSON_Parse(s);
    free(s);
    return j;
}

static const char *sget(const cJSON *o, const char *k) { return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k)); }

static void sset(cJSON *o, const char *k, const char *v) {
    cJSON_DeleteItemFromObjectCaseSensitive(o, k);
    if (v) cJSON_AddStringToObject(o, k, v);
}

static void nset(cJSON *o, const char *k, double v) {
    cJSON_DeleteItemFromObjectCaseSensitive(o, k);
    cJSON_AddNumberToObject(o, k, v);
}

/* Saves the state (and, when type is set, a registration.* event and the new status) in one
 * transaction, unless a newer submission replaced it meanwhile (gen). */
static ft_status save_state(ft_relay *app, unsigned gen, cJSON *state, const char *type, cJSON *ev_body) {
    pthread_mutex_lock(&app->a2p_lock);
    if (gen != app->a2p_gen) {
        pthread_mutex_unlock(&app->a2p_lock);
        cJSON_Delete(ev_body);
        return FT_E_CONFLICT;
    }
    nset(state, "updated_at", (double)ft_now_ms());
    char *s = cJSON_PrintUnformatted(state);
    ft_events_tx tx;
    ft_status st = s ? ft_events_tx_begin(app, &tx) : FT_E_NOMEM;
    if (st == FT_OK) {
        st = ft_store_setting_set(app->store, "a2p", s);
        const char *status = sget(state, "status");
        if (st == FT_OK && status) st = ft_store_setting_set(app->store, "registration_status", status);
        if (st == FT_OK && type) {
            char name[160], id[37];
            snprintf(name, sizeof name, "a2p:%s:%s", sget(state, "id") ? sget(state, "id") : "", type);
            ft_uuid_from_name(name, id);
            st = ft_events_tx_add(&tx, id, "system", type, ev_body, 0, NULL);
            if (st == FT_E_CONFLICT) st = FT_OK;
        }
        if (st == FT_OK) st = ft_events_tx_commit(&tx);
        else ft_events_tx_abort(&tx);
    }
    cJSON_free(s);
    pthread_mutex_unlock(&app->a2p_lock);
    cJSON_Delete(ev_body);
    if (st != FT_OK) fprintf(stderr, "fieldtext-relay: cannot save the A2P registration state: %s\n", ft_strerror(st));
    return st;
}

static cJSON *ev_body(const cJSON *state, const char *sid_key) {
    cJSON *b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "status", sget(state, "status") ? sget(state, "status") : "");
    const char *keys[] = {"brand_sid", "campaign_sid", "customer_profile_sid", "trust_product_sid", sid_key};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        if (keys[i] && sget(state, keys[i]) && !cJSON_GetObjectItemCaseSensitive(b, keys[i]))
            cJSON_AddStringToObject(b, keys[i], sget(state, keys[i]));
    }
    return b;
}

static void drop_tax_id(ft_relay *app) {
    pthread_mutex_lock(&app->a2p_lock);
    wipe_free(app->a2p_tax_id);
    app->a2p_tax_id = NULL;
    pthread_mutex_unlock(&app->a2p_lock);
}

static int alnum(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

/* Copies a reason with every run of 9 or more digits (optionally split by '-' or ' ') that does not
 * follow a letter or digit replaced, so that Twilio's words can never carry an EIN / BN (also
 * 123456789RT0001) into the state, an event or the log; digits inside a sid (after its letters) are kept. */
static void scrub_numbers(const char *in, char *out, size_t cap) {
    size_t o = 0;
    for (size_t i = 0; in[i] && o + 1 < cap;) {
        size_t j = i, digits = 0, last = i;
        while (in[j] && ((in[j] >= '0' && in[j] <= '9') || ((in[j] == '-' || in[j] == ' ') && digits > 0))) {
            if (in[j] >= '0' && in[j] <= '9') {
                digits++;
                last = j + 1;
            }
            j++;
        }
        if (digits >= 9 && (i == 0 || !alnum(in[i - 1]))) {
            const char *mask = "[number removed]";
            for (size_t k = 0; mask[k] && o + 1 < cap; k++) out[o++] = mask[k];
            i = last;
        } else if (digits > 0) {
            for (; i < last && o + 1 < cap; i++) out[o++] = in[i];
        } else {
            out[o++] = in[i++];
        }
    }
    out[o] = '\0';
}

static void fail_state(ft_relay *app, unsigned gen, cJSON *state, const char *step, const char *reason_in) {
    char reason[1200];
    scrub_numbers(reason_in ? reason_in : "", reason, sizeof reason);
    drop_tax_id(app);
    sset(state, "status", "failed");
    sset(state, "reason", reason);
    sset(state, "failed_step", step);
    cJSON *b = ev_body(state, NULL);
    cJSON_AddStringToObject(b, "reason", reason);
    if (step) cJSON_AddStringToObject(b, "step", step);
    const cJSON *ff = cJSON_GetObjectItemCaseSensitive(state, "failed_fields");
    if (cJSON_IsArray(ff)) cJSON_AddItemToObject(b, "failed_fields", cJSON_Duplicate(ff, 1));
    save_state(app, gen, state, "registration.failed", b);
}

/* ---- HTTP ---- */


static void param(ft_buf *b, const char *name, const char *value) {
    char *v = curl_easy_escape(NULL, value ? value : "", 0);
    if (b->len) ft_buf_adds(b, "&");
    ft_buf_adds(b, name);
    ft_buf_adds(b, "=");
    ft_buf_adds(b, v ? v : "");
    curl_free(v);
}

typedef enum { CALL_OK, CALL_RETRY, CALL_REFUSED } call_result;

/* Twilio serves TrustHub and Messaging v1 from their own hosts; another TWILIO_API_BASE (the
 * sandbox, a proxy) serves every path from one origin. */
static const char *base_for(const ft_relay *app, const char *path) {
    if (strcmp(app->cfg.api_base, FT_RELAY_DEFAULT_TWILIO_BASE) != 0 || strncmp(path, "/v1/", 4) != 0)
        return app->cfg.api_base;
    if (strncmp(path, "/v1/a2p/", 8) == 0 || strncmp(path, "/v1/Services", 12) == 0) return "https://messaging.twilio.com";
    return "https://trusthub.twilio.com";
}

/* One request (form is NULL for a GET). *out: the parsed JSON reply (2xx) ; why: the reason. */
static call_result call(ft_relay *app, const char *path, const ft_buf *form, cJSON **out, long *retry_after_s,
                        char *why, size_t why_cap) {
    *out = NULL;
    CURL *c = curl_easy_init();
    if (!c) {
        snprintf(why, why_cap, "curl init failed");
        return CALL_RETRY;
    }
    char url[1024];
    snprintf(url, sizeof url, "%s%s", base_for(app, path), path);
    struct curl_slist *hdrs = curl_slist_append(NULL, "Accept: application/json");
    ft_curl_reply rep = {0};
    curl_easy_setopt(c, CURLOPT_URL, url);
    if (form) {
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, form->p ? form->p : "");
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)form->len);
    }
    curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
    curl_easy_setopt(c, CURLOPT_USERNAME, app->cfg.account_sid);
    curl_easy_setopt(c, CURLOPT_PASSWORD, app->cfg.auth_token);
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
    *retry_after_s = rep.retry_after_s;
    call_result res;
    if (rc != CURLE_OK) {
        snprintf(why, why_cap, "Twilio could not be reached (%s)", curl_easy_strerror(rc));
        res = CALL_RETRY;
    } else {
        cJSON *j = rep.body.p ? cJSON_ParseWithLength(rep.body.p, rep.body.len) : NULL;
        if (http >= 200 && http < 300 && cJSON_IsObject(j)) {
            *out = j;
            j = NULL;
            res = CALL_OK;
        } else if (http == 429 || http >= 500 || (http >= 200 && http < 300)) {
            snprintf(why, why_cap, "Twilio HTTP %ld", http);
            res = CALL_RETRY;
        } else {
            const char *msg = sget(j, "message");
            const cJSON *code = cJSON_GetObjectItemCaseSensitive(j, "code");
            snprintf(why, why_cap, "HTTP %ld%s%s%s%.0f%s", http, msg ? ": " : "", msg ? msg : "",
                     cJSON_IsNumber(code) ? " (Twilio error " : "", cJSON_IsNumber(code) ? code->valuedouble : 0.0,
                     cJSON_IsNumber(code) ? ")" : "");
            res = CALL_REFUSED;
        }
        cJSON_Delete(j);
    }
    free(rep.body.p);
    return res;
}

/* ---- the steps ---- */

typedef struct step {
    const char *key;    /* where the created resource's sid is kept in the state */
    const char *title;  /* for reasons */
} step;

static const step STEPS[] = {
    {"business_info_sid", "TrustHub business information (EndUser)"},
    {"representative_sid", "TrustHub authorized representative (EndUser)"},
    {"address_sid", "business address (Address)"},
    {"address_document_sid", "TrustHub business address document (SupportingDocument)"},
    {"customer_profile_sid", "TrustHub customer profile"},
    {"cp_business_assigned", "customer profile: business information assignment"},
    {"cp_representative_assigned", "customer profile: representative assignment"},
    {"cp_address_assigned", "customer profile: business address assignment"},
    {"cp_evaluated", "customer profile evaluation"},
    {"cp_submitted", "customer profile submission"},
    {"messaging_info_sid", "TrustHub A2P messaging profile information (EndUser)"},
    {"trust_product_sid", "TrustHub A2P messaging profile (TrustProduct)"},
    {"tp_info_assigned", "A2P profile: information assignment"},
    {"tp_profile_assigned", "A2P profile: customer profile assignment"},
    {"tp_evaluated", "A2P profile evaluation"},
    {"tp_submitted", "A2P profile submission"},
    {"brand_sid", "A2P brand registration"},
    {"brand_approved", "A2P brand approval"},
    {"campaign_sid", "A2P campaign (us_app_to_person)"},
    {"campaign_verified", "A2P campaign approval"},
};
#define NSTEPS (sizeof STEPS / sizeof STEPS[0])

static void json_attr(cJSON *a, const char *k, const char *v) { cJSON_AddStringToObject(a, k, v ? v : ""); }

/* Twilio's business_type words from the core's display form. */
static const char *business_type(const char *t) {
    return t ? t : "Limited Liability Corporation";
}

static void campaign_params(ft_buf *f, const cJSON *campaign) {
    const cJSON *it;
    cJSON_ArrayForEach(it, campaign) {
        if (cJSON_IsString(it)) param(f, it->string, it->valuestring);
        else if (cJSON_IsBool(it)) param(f, it->string, cJSON_IsTrue(it) ? "true" : "false");
        else if (cJSON_IsArray(it)) {
            const cJSON *x;
            cJSON_ArrayForEach(x, it) if (cJSON_IsString(x)) param(f, it->string, x->valuestring);
        }
    }
}

/* Twilio's attribute names (TrustHub EndUsers, Address) → the business profile form's fields and labels
 * (core registration.c), so a noncompliant evaluation names what to correct in the form. */
static const struct {
    const char *twilio, *field, *label;
} FIELD_NAMES[] = {
    {"business_name", "legal_name", "Legal business name"},
    {"customer_name", "legal_name", "Legal business name"},
    {"business_type", "business_type", "Business type"},
    {"business_industry", "industry", "Industry"},
    {"business_registration_number", "ein", "EIN / Business Number"},
    {"business_registration_identifier", "ein", "EIN / Business Number"},
    {"website_url", "website", "Website"},
    {"first_name", "contact_first_name", "Contact first name"},
    {"last_name", "contact_last_name", "Contact last name"},
    {"email", "contact_email", "Contact e-mail"},
    {"phone_number", "contact_phone", "Contact phone"},
    {"business_title", "contact_title", "Contact title"},
    {"street", "street", "Street address"},
    {"city", "city", "City"},
    {"region", "region", "State or province"},
    {"postal_code", "postal_code", "ZIP or postal code"},
    {"iso_country", "country", "Country"},
};

static void add_text(char *out, size_t cap, size_t *len, const char *s) {
    if (*len >= cap) return;
    int n = snprintf(out + *len, cap - *len, "%s", s ? s : "");
    *len = n < 0 ? *len : (size_t)n >= cap - *len ? cap - 1 : *len + (size_t)n;
}

/* Twilio's sentence without its final period, then ")". */
static void add_paren(char *out, size_t cap, size_t *len, const char *s) {
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '.' || s[n - 1] == ' ')) n--;
    char tmp[400];
    snprintf(tmp, sizeof tmp, "%.*s)", (int)(n < sizeof tmp - 2 ? n : sizeof tmp - 2), s);
    add_text(out, cap, len, tmp);
}

/* The reason for a noncompliant (or unreadable) Evaluation: each failed requirement of results[]
 * ({requirement_friendly_name, passed, failure_reason, invalid: [{friendly_name, object_field,
 * failure_reason}]}), the fields in the form's words; the form's field names go into fields. */
static void evaluation_reason(const cJSON *ev, const char *what, const char *status, char *out, size_t cap,
                              cJSON *fields) {
    size_t len = 0;
    out[0] = '\0';
    add_text(out, cap, &len, "Twilio's evaluation of the ");
    add_text(out, cap, &len, what);
    add_text(out, cap, &len, status && strcmp(status, "noncompliant") == 0 ? " found problems"
                                                                          : " did not answer compliant");
    int n = 0;
    const cJSON *r;
    cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(ev, "results")) {
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "passed"))) continue;
        const char *req = sget(r, "requirement_friendly_name");
        if (!req) req = sget(r, "friendly_name");
        if (!req) req = sget(r, "requirement_name");
        const cJSON *inv = cJSON_GetObjectItemCaseSensitive(r, "invalid");
        add_text(out, cap, &len, n++ ? "; " : ": ");
        add_text(out, cap, &len, req ? req : "a requirement");
        if (cJSON_GetArraySize(inv) == 0) {
            const char *fr = sget(r, "failure_reason");
            add_text(out, cap, &len, fr ? " (" : " is missing or incomplete");
            if (fr) add_paren(out, cap, &len, fr);
            continue;
        }
        add_text(out, cap, &len, " — ");
        int m = 0;
        const cJSON *x;
        cJSON_ArrayForEach(x, inv) {
            const char *of = sget(x, "object_field"), *label = NULL, *field = NULL;
            for (size_t k = 0; of && k < sizeof FIELD_NAMES / sizeof FIELD_NAMES[0]; k++) {
                if (strcmp(of, FIELD_NAMES[k].twilio) == 0) {
                    label = FIELD_NAMES[k].label;
                    field = FIELD_NAMES[k].field;
                    break;
                }
            }
            if (!label) label = sget(x, "friendly_name");
            if (!label) label = of ? of : "a field";
            add_text(out, cap, &len, m++ ? ", " : "");
            add_text(out, cap, &len, label);
            const char *fr = sget(x, "failure_reason");
            if (fr) {
                add_text(out, cap, &len, " (");
                add_paren(out, cap, &len, fr);
            }
            if (field) {
                int dup = 0;
                const cJSON *f;
                cJSON_ArrayForEach(f, fields) dup |= cJSON_IsString(f) && strcmp(f->valuestring, field) == 0;
                if (!dup) cJSON_AddItemToArray(fields, cJSON_CreateString(field));
            }
        }
    }
    if (!n) {
        add_text(out, cap, &len, " (status ");
        add_text(out, cap, &len, status ? status : "missing");
        add_text(out, cap, &len, ", no failing requirement listed)");
    }
    add_text(out, cap, &len, ". Nothing was submitted for review: correct the business profile and submit it again");
}

/* Does the next step. Returns the delay before the following one (0: at once). */
static int64_t advance(ft_relay *app, unsigned gen, cJSON *state, const cJSON *reg) {
    const cJSON *prof = cJSON_GetObjectItemCaseSensitive(reg, "profile");
    const cJSON *campaign = cJSON_GetObjectItemCaseSensitive(reg, "campaign");
    /* The step after the last one done (a state saved before steps were added skips them). */
    size_t i = NSTEPS;
    while (i > 0 && !sget(state, STEPS[i - 1].key)) i--;
    if (i == NSTEPS) return -1;
    const char *key = STEPS[i].key;
    const char *cp = sget(state, "customer_profile_sid"), *tp = sget(state, "trust_product_sid");
    const char *brand = sget(state, "brand_sid"), *camp = sget(state, "campaign_sid");
    const char *mg = app->cfg.messaging_service_sid;
    char path[512];
    ft_buf f = {0};
    int get = 0;
    char *tax = NULL;
    path[0] = '\0';
    if (strcmp(key, "business_info_sid") == 0) {
        pthread_mutex_lock(&app->a2p_lock);
        tax = app->a2p_tax_id ? strdup(app->a2p_tax_id) : NULL;
        char kind[4];
        memcpy(kind, app->a2p_tax_kind, sizeof kind);
        pthread_mutex_unlock(&app->a2p_lock);
        if (!tax) {
            fail_state(app, gen, state, STEPS[i].title,
                       "the EIN / Business Number is not kept (it was lost when the relay restarted before Twilio "
                       "received it): submit the business profile again");
            return -1;
        }
        cJSON *a = cJSON_CreateObject();
        json_attr(a, "business_name", sget(prof, "legal_name"));
        json_attr(a, "business_identity", "direct_customer");
        json_attr(a, "business_type", business_type(sget(prof, "business_type")));
        json_attr(a, "business_industry", sget(prof, "industry"));
        json_attr(a, "business_registration_identifier", strcmp(kind, "BN") == 0 ? "CBN" : "EIN");
        json_attr(a, "business_registration_number", tax);
        json_attr(a, "business_regions_of_operation", "USA_AND_CANADA");
        json_attr(a, "website_url", sget(prof, "website"));
        json_attr(a, "social_media_profile_urls", "");
        char *as = cJSON_PrintUnformatted(a);
        cJSON_Delete(a);
        snprintf(path, sizeof path, "/v1/EndUsers");
        param(&f, "FriendlyName", "Business information");
        param(&f, "Type", "customer_profile_business_information");
        param(&f, "Attributes", as);
        if (as) {
            volatile char *p = as;
            while (*p) *p++ = '\0';
        }
        cJSON_free(as);
        wipe_free(tax);
    } else if (strcmp(key, "representative_sid") == 0) {
        cJSON *a = cJSON_CreateObject();
        json_attr(a, "first_name", sget(prof, "contact_first_name"));
        json_attr(a, "last_name", sget(prof, "contact_last_name"));
        json_attr(a, "email", sget(prof, "contact_email"));
        json_attr(a, "phone_number", sget(prof, "contact_phone"));
        json_attr(a, "business_title", sget(prof, "contact_title"));
        json_attr(a, "job_position", "Other");
        char *as = cJSON_PrintUnformatted(a);
        cJSON_Delete(a);
        snprintf(path, sizeof path, "/v1/EndUsers");
        param(&f, "FriendlyName", "Authorized representative");
        param(&f, "Type", "authorized_representative_1");
        param(&f, "Attributes", as);
        cJSON_free(as);
    } else if (strcmp(key, "address_sid") == 0) {
        /* The business address, an api.twilio.com Address the SupportingDocument points at. */
        char *acct = curl_easy_escape(NULL, app->cfg.account_sid, 0);
        snprintf(path, sizeof path, "/2010-04-01/Accounts/%s/Addresses.json", acct ? acct : "");
        curl_free(acct);
        param(&f, "FriendlyName", "Business address");
        param(&f, "CustomerName", sget(prof, "legal_name"));
        param(&f, "Street", sget(prof, "street"));
        param(&f, "City", sget(prof, "city"));
        param(&f, "Region", sget(prof, "region"));
        param(&f, "PostalCode", sget(prof, "postal_code"));
        param(&f, "IsoCountry", sget(prof, "country"));
    } else if (strcmp(key, "address_document_sid") == 0) {
        cJSON *a = cJSON_CreateObject();
        json_attr(a, "address_sids", sget(state, "address_sid"));
        char *as = cJSON_PrintUnformatted(a);
        cJSON_Delete(a);
        snprintf(path, sizeof path, "/v1/SupportingDocuments");
        param(&f, "FriendlyName", "Business address");
        param(&f, "Type", "customer_profile_address");
        param(&f, "Attributes", as);
        cJSON_free(as);
    } else if (strcmp(key, "cp_address_assigned") == 0) {
        if (!sget(state, "address_document_sid")) { /* a submission saved before the address steps existed */
            fail_state(app, gen, state, STEPS[i].title,
                       "this submission started before the relay sent the business address to Twilio: submit the "
                       "business profile again");
            return -1;
        }
        snprintf(path, sizeof path, "/v1/CustomerProfiles/%s/EntityAssignments", cp);
        param(&f, "ObjectSid", sget(state, "address_document_sid"));
    } else if (strcmp(key, "customer_profile_sid") == 0 || strcmp(key, "trust_product_sid") == 0) {
        int is_cp = key[0] == 'c';
        snprintf(path, sizeof path, is_cp ? "/v1/CustomerProfiles" : "/v1/TrustProducts");
        char name[300];
        snprintf(name, sizeof name, "%.200s %s", sget(prof, "legal_name") ? sget(prof, "legal_name") : "fieldtext",
                 is_cp ? "customer profile" : "A2P messaging profile");
        param(&f, "FriendlyName", name);
        param(&f, "Email", sget(prof, "contact_email"));
        param(&f, "PolicySid", is_cp ? POLICY_CUSTOMER_PROFILE : POLICY_A2P_PROFILE);
    } else if (strcmp(key, "cp_business_assigned") == 0 || strcmp(key, "cp_representative_assigned") == 0) {
        snprintf(path, sizeof path, "/v1/CustomerProfiles/%s/EntityAssignments", cp);
        param(&f, "ObjectSid", sget(state, key[3] == 'b' ? "business_info_sid" : "representative_sid"));
    } else if (strcmp(key, "cp_evaluated") == 0 || strcmp(key, "tp_evaluated") == 0) {
        int is_cp = key[0] == 'c';
        snprintf(path, sizeof path, is_cp ? "/v1/CustomerProfiles/%s/Evaluations" : "/v1/TrustProducts/%s/Evaluations",
                 is_cp ? cp : tp);
        param(&f, "PolicySid", is_cp ? POLICY_CUSTOMER_PROFILE : POLICY_A2P_PROFILE);
    } else if (strcmp(key, "cp_submitted") == 0 || strcmp(key, "tp_submitted") == 0) {
        int is_cp = key[0] == 'c';
        snprintf(path, sizeof path, is_cp ? "/v1/CustomerProfiles/%s" : "/v1/TrustProducts/%s", is_cp ? cp : tp);
        param(&f, "Status", "pending-review");
    } else if (strcmp(key, "messaging_info_sid") == 0) {
        snprintf(path, sizeof path, "/v1/EndUsers");
        param(&f, "FriendlyName", "A2P messaging profile information");
        param(&f, "Type", "us_a2p_messaging_profile_information");
        param(&f, "Attributes", "{\"company_type\":\"private\"}");
    } else if (strcmp(key, "tp_info_assigned") == 0 || strcmp(key, "tp_profile_assigned") == 0) {
        snprintf(path, sizeof path, "/v1/TrustProducts/%s/EntityAssignments", tp);
        param(&f, "ObjectSid", sget(state, key[3] == 'i' ? "messaging_info_sid" : "customer_profile_sid"));
    } else if (strcmp(key, "brand_sid") == 0) {
        snprintf(path, sizeof path, "/v1/a2p/BrandRegistrations");
        param(&f, "CustomerProfileBundleSid", cp);
        param(&f, "A2PProfileBundleSid", tp);
    } else if (strcmp(key, "brand_approved") == 0) {
        snprintf(path, sizeof path, "/v1/a2p/BrandRegistrations/%s", brand);
        get = 1;
    } else if (strcmp(key, "campaign_sid") == 0) {
        if (!mg) {
            fail_state(app, gen, state, STEPS[i].title,
                       "TWILIO_MESSAGING_SERVICE_SID is not set: the campaign is registered on a Messaging Service");
            return -1;
        }
        snprintf(path, sizeof path, "/v1/Services/%s/Compliance/Usa2p", mg);
        param(&f, "BrandRegistrationSid", brand);
        campaign_params(&f, campaign);
    } else { /* campaign_verified */
        snprintf(path, sizeof path, "/v1/Services/%s/Compliance/Usa2p/%s", mg ? mg : "", camp);
        get = 1;
    }
    cJSON *out = NULL;
    long retry_after = 0;
    char why[600];
    call_result res = call(app, path, get ? NULL : &f, &out, &retry_after, why, sizeof why);
    if (f.p) {
        memset(f.p, 0, f.len); /* the business information form held the EIN */
        free(f.p);
    }
    if (strcmp(key, "business_info_sid") == 0 && res != CALL_RETRY) drop_tax_id(app); /* Twilio has it, or never will */
    if (res == CALL_REFUSED) {
        char reason[800];
        snprintf(reason, sizeof reason, "Twilio refused the %s: %s", STEPS[i].title, why);
        fail_state(app, gen, state, STEPS[i].title, reason);
        return -1;
    }
    if (res == CALL_RETRY) {
        const cJSON *an = cJSON_GetObjectItemCaseSensitive(state, "attempts");
        int attempts = cJSON_IsNumber(an) ? (int)an->valuedouble + 1 : 1;
        int64_t d = (int64_t)app->cfg.retry_base_ms << (attempts > 12 ? 12 : attempts - 1);
        if (d > MAX_BACKOFF_MS) d = MAX_BACKOFF_MS;
        if (retry_after > 0 && retry_after * 1000 > d) d = retry_after * 1000;
        nset(state, "attempts", attempts);
        nset(state, "next_at", (double)(ft_now_ms() + d));
        sset(state, "last_error", why);
        save_state(app, gen, state, NULL, NULL);
        return d;
    }
    nset(state, "attempts", 0);
    cJSON_DeleteItemFromObjectCaseSensitive(state, "last_error");
    const char *sid = sget(out, "sid");
    int64_t next = 0;
    if (strcmp(key, "brand_approved") == 0) {
        const char *bs = sget(out, "status");
        sset(state, "brand_status", bs);
        if (bs && strcmp(bs, "APPROVED") == 0) {
            sset(state, key, "yes");
            sset(state, "status", "brand_approved");
            save_state(app, gen, state, "registration.brand_approved", ev_body(state, NULL));
        } else if (bs && strcmp(bs, "FAILED") == 0) {
            const char *fr = sget(out, "failure_reason");
            const cJSON *errs = cJSON_GetObjectItemCaseSensitive(out, "errors");
            const char *d0 = sget(cJSON_GetArrayItem(errs, 0), "description");
            char reason[600];
            snprintf(reason, sizeof reason, "the brand registration was rejected: %s",
                     fr ? fr : d0 ? d0 : "no reason given");
            fail_state(app, gen, state, STEPS[i].title, reason);
            next = -1;
        } else {
            save_state(app, gen, state, NULL, NULL);
            next = app->cfg.a2p_poll_ms;
        }
    } else if (strcmp(key, "cp_evaluated") == 0 || strcmp(key, "tp_evaluated") == 0) {
        const char *es = sget(out, "status");
        if (es && strcmp(es, "compliant") == 0) {
            sset(state, key, sid ? sid : "yes");
            save_state(app, gen, state, NULL, NULL);
        } else {
            /* noncompliant: nothing is submitted for review; the reason names what Twilio found. */
            char reason[1200];
            cJSON *fields = cJSON_CreateArray();
            evaluation_reason(out, key[0] == 'c' ? "business profile (TrustHub customer profile)"
                                                 : "A2P messaging profile (TrustHub trust product)",
                              es, reason, sizeof reason, fields);
            cJSON_DeleteItemFromObjectCaseSensitive(state, "failed_fields");
            cJSON_AddItemToObject(state, "failed_fields", fields);
            sset(state, "evaluation_sid", sid);
            fail_state(app, gen, state, STEPS[i].title, reason);
            next = -1;
        }
    } else if (strcmp(key, "campaign_verified") == 0) {
        const char *cs = sget(out, "campaign_status");
        sset(state, "campaign_status", cs);
        if (cs && strcmp(cs, "VERIFIED") == 0) {
            sset(state, key, "yes");
            sset(state, "status", "approved");
            sset(state, "campaign_id", sget(out, "campaign_id"));
            cJSON *b = ev_body(state, NULL);
            if (sget(out, "campaign_id")) cJSON_AddStringToObject(b, "campaign_id", sget(out, "campaign_id"));
            save_state(app, gen, state, "registration.approved", b);
            next = -1;
        } else if (cs && strcmp(cs, "FAILED") == 0) {
            const cJSON *errs = cJSON_GetObjectItemCaseSensitive(out, "errors");
            const char *d0 = sget(cJSON_GetArrayItem(errs, 0), "description");
            char reason[600];
            snprintf(reason, sizeof reason, "the campaign was rejected: %s", d0 ? d0 : "no reason given");
            fail_state(app, gen, state, STEPS[i].title, reason);
            next = -1;
        } else {
            save_state(app, gen, state, NULL, NULL);
            next = app->cfg.a2p_poll_ms;
        }
    } else {
        sset(state, key, sid ? sid : "yes");
        if (strcmp(key, "brand_sid") == 0) {
            sset(state, "status", "submitted");
            sset(state, "brand_status", sget(out, "status"));
            save_state(app, gen, state, "registration.submitted", ev_body(state, NULL));
            next = app->cfg.a2p_poll_ms;
        } else if (strcmp(key, "campaign_sid") == 0) {
            sset(state, "status", "campaign_pending");
            sset(state, "campaign_status", sget(out, "campaign_status"));
            save_state(app, gen, state, "registration.campaign_pending", ev_body(state, NULL));
            next = app->cfg.a2p_poll_ms;
        } else {
            save_state(app, gen, state, NULL, NULL);
        }
    }
    cJSON_Delete(out);
    return next;
}

static int active(const char *status) {
    return status && (strcmp(status, "submitting") == 0 || strcmp(status, "submitted") == 0 ||
                      strcmp(status, "brand_approved") == 0 || strcmp(status, "campaign_pending") == 0);
}

static void *a2p_main(void *arg) {
    ft_relay *app = arg;
    while (!atomic_load(&app->stopping)) {
        int64_t wait_ms = 60000;
        pthread_mutex_lock(&app->a2p_lock);
        unsigned gen = app->a2p_gen;
        pthread_mutex_unlock(&app->a2p_lock);
        cJSON *state = load_state(app);
        if (state && active(sget(state, "status"))) {
            const cJSON *na = cJSON_GetObjectItemCaseSensitive(state, "next_at");
            int64_t due = cJSON_IsNumber(na) ? (int64_t)na->valuedouble : 0, now = ft_now_ms();
            if (due > now) {
                wait_ms = due - now;
            } else {
                char *rs = NULL;
                cJSON *reg = ft_store_setting_get(app->store, "registration", &rs) == FT_OK ? cJSON_Parse(rs) : NULL;
                free(rs);
                if (!reg) {
                    fail_state(app, gen, state, NULL, "the stored business profile cannot be read");
                    wait_ms = 60000;
                } else {
                    int64_t d = advance(app, gen, state, reg);
                    cJSON_Delete(reg);
                    if (d == 0) {
                        cJSON_Delete(state);
                        continue;
                    }
                    if (d > 0) {
                        nset(state, "next_at", (double)(ft_now_ms() + d));
                        wait_ms = d;
                    }
                }
            }
        }
        cJSON_Delete(state);
        if (wait_ms > 60000) wait_ms = 60000;
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += wait_ms / 1000;
        until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_mutex_lock(&app->a2p_lock);
        while (!app->a2p_kick && !atomic_load(&app->stopping)) {
            if (pthread_cond_timedwait(&app->a2p_cond, &app->a2p_lock, &until) == ETIMEDOUT) break;
        }
        app->a2p_kick = 0;
        pthread_mutex_unlock(&app->a2p_lock);
    }
    return NULL;
}

int ft_a2p_start(ft_relay *app) { /* a2p_lock and a2p_cond are initialised by main.c */
    if (pthread_create(&app->a2p, NULL, a2p_main, app) != 0) return 0;
    app->a2p_started = 1;
    return 1;
}

void ft_a2p_stop(ft_relay *app) {
    if (!app->a2p_started) return;
    pthread_mutex_lock(&app->a2p_lock);
    app->a2p_kick = 1;
    pthread_cond_broadcast(&app->a2p_cond);
    pthread_mutex_unlock(&app->a2p_lock);
    pthread_join(app->a2p, NULL);
    app->a2p_started = 0;
    wipe_free(app->a2p_tax_id);
    app->a2p_tax_id = NULL;
}

static int twilio_configured(const ft_relay *app) { return app->cfg.account_sid && app->cfg.auth_token; }

void ft_a2p_submit(ft_relay *app, const char *tax_kind, const char *tax_id) {
    if (!twilio_configured(app) || !app->a2p_started) return; /* stays profile_saved (GET /api/me says why) */
    cJSON *old = load_state(app);
    const char *os = sget(old, "status");
    int keep = os && (active(os) || strcmp(os, "approved") == 0);
    cJSON_Delete(old);
    if (keep) return; /* one brand and one campaign per service: a running / approved one stays */
    pthread_mutex_lock(&app->a2p_lock);
    app->a2p_gen++;
    unsigned gen = app->a2p_gen;
    wipe_free(app->a2p_tax_id);
    app->a2p_tax_id = tax_id ? strdup(tax_id) : NULL;
    snprintf(app->a2p_tax_kind, sizeof app->a2p_tax_kind, "%s", tax_kind && strcmp(tax_kind, "BN") == 0 ? "BN" : "EIN");
    pthread_mutex_unlock(&app->a2p_lock);
    cJSON *state = cJSON_CreateObject();
    char id[37];
    ft_uuid_v4(id);
    cJSON_AddStringToObject(state, "id", id);
    cJSON_AddStringToObject(state, "status", "submitting");
    cJSON_AddNumberToObject(state, "started_at", (double)ft_now_ms());
    save_state(app, gen, state, NULL, NULL);
    cJSON_Delete(state);
    pthread_mutex_lock(&app->a2p_lock);
    app->a2p_kick = 1;
    pthread_cond_broadcast(&app->a2p_cond);
    pthread_mutex_unlock(&app->a2p_lock);
}

void ft_a2p_status_json(ft_relay *app, cJSON *into) {
    char *reg = NULL;
    ft_store_setting_get(app->store, "registration_status", &reg);
    cJSON_AddStringToObject(into, "status", reg ? reg : "not_started");
    cJSON *state = load_state(app);
    if (state) {
        static const char *const keys[] = {"reason", "brand_status", "campaign_status", "brand_sid", "campaign_sid",
                                           "campaign_id", "last_error", "failed_step"};
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
            if (sget(state, keys[i])) cJSON_AddStringToObject(into, keys[i], sget(state, keys[i]));
        }
        const cJSON *ff = cJSON_GetObjectItemCaseSensitive(state, "failed_fields");
        if (cJSON_IsArray(ff) && cJSON_GetArraySize(ff) > 0) cJSON_AddItemToObject(into, "failed_fields", cJSON_Duplicate(ff, 1));
        const cJSON *u = cJSON_GetObjectItemCaseSensitive(state, "updated_at");
        if (cJSON_IsNumber(u)) cJSON_AddNumberToObject(into, "updated_at", u->valuedouble);
    } else if (reg && strcmp(reg, "profile_saved") == 0 && !twilio_configured(app)) {
        cJSON_AddStringToObject(into, "reason", "Twilio is not configured (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN): "
                                                "the profile is submitted when it is saved with Twilio configured");
    }
    cJSON_Delete(state);
    free(reg);
    /* A profile edited while the registration was with Twilio or approved (registration.c): kept
     * aside, not submitted; the registration in force is unchanged. */
    char *ps = NULL;
    cJSON *pending = ft_store_setting_get(app->store, "registration_pending", &ps) == FT_OK ? cJSON_Parse(ps) : NULL;
    free(ps);
    if (pending) {
        cJSON *pc = cJSON_AddObjectToObject(into, "pending_change");
        const cJSON *ch = cJSON_GetObjectItemCaseSensitive(pending, "changed");
        cJSON_AddItemToObject(pc, "changed", cJSON_IsArray(ch) ? cJSON_Duplicate(ch, 1) : cJSON_CreateArray());
        const cJSON *at = cJSON_GetObjectItemCaseSensitive(pending, "saved_at");
        if (cJSON_IsNumber(at)) cJSON_AddNumberToObject(pc, "saved_at", at->valuedouble);
        cJSON_Delete(pending);
    }
    cJSON_AddBoolToObject(into, "required", app->cfg.require_registration);
}

ft_status ft_a2p_can_send(ft_relay *app, char *why, size_t why_cap) {
    if (!app->cfg.require_registration) return FT_OK;
    char *reg = NULL;
    ft_store_setting_get(app->store, "registration_status", &reg);
    int ok = reg && strcmp(reg, "approved") == 0;
    if (!ok)
        snprintf(why, why_cap,
                 "texting is not enabled until the carriers approve the A2P 10DLC campaign (registration status: %s)",
                 reg ? reg : "not_started");
    free(reg);
    return ok ? FT_OK : FT_E_REG_NOT_APPROVED;
}
