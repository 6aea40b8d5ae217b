/* fieldtext relay: what the log accepts. Every rule check of the relay goes through this file:
 * phone numbers (core phone.h), inbound keywords and natural-language opt-outs (core keyword.h),
 * consent, length and balance (core reducer.h, which folds the consent.* events). */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <strings.h>

#include "fieldtext/consent.h"
#include "fieldtext/cost.h"
#include "fieldtext/keyword.h"
#include "fieldtext/phone.h"
#include "fieldtext/schedule.h"
#include "relay.h"

int ft_rules_phone_ok(const char *phone) {
    /* E.164 as stored: '+', a non-zero digit, 8 to 15 digits in all. */
    if (!phone || phone[0] != '+' || phone[1] < '1' || phone[1] > '9') return 0;
    size_t n = strlen(phone + 1);
    if (n < 8 || n > 15) return 0;
    for (size_t i = 1; i <= n; i++) {
        if (!isdigit((unsigned char)phone[i])) return 0;
    }
    if (phone[1] != '1') return 1; /* outside the NANP: shape only (Twilio checks the rest) */
    /* A NANP number must be one that can exist (core phone.h), and already normalised. */
    ft_phone p;
    if (ft_phone_normalize(phone, strlen(phone), &p, NULL) != FT_OK) return 0;
    return strcmp(p.e164, phone) == 0;
}

static void fallback_reply(ft_relay_kw kw, const char *who, char *reply, size_t cap) {
    if (kw == FT_RKW_HELP) {
        snprintf(reply, cap,
                 "%s: appointment reminders and updates. Reply to this message for help. Msg & data rates may "
                 "apply. Reply STOP to unsubscribe.",
                 who);
    } else if (kw == FT_RKW_STOP || kw == FT_RKW_OPTOUT_REQUEST) {
        snprintf(reply, cap, "%s: you are unsubscribed and will receive no more texts from us. Reply START to resubscribe.",
                 who);
    } else if (kw == FT_RKW_START) {
        snprintf(reply, cap,
                 "%s: you are resubscribed to appointment texts. Msg & data rates may apply. Reply HELP for help, "
                 "STOP to unsubscribe.",
                 who);
    } else {
        reply[0] = '\0';
    }
}

static ft_relay_kw inbound_class(const char *body, size_t len, ft_keyword_result *out) {
    ft_keyword_result k;
    memset(&k, 0, sizeof k);
    ft_relay_kw kw = FT_RKW_NONE;
    if (body && ft_keyword_classify(body, len, &k, NULL) == FT_OK) {
        switch (k.cls) {
        case FT_KW_OPT_OUT: kw = FT_RKW_STOP; break;
        case FT_KW_OPT_IN: kw = FT_RKW_START; break;
        case FT_KW_HELP: kw = FT_RKW_HELP; break;
        /* A revocation in plain words stops every send at once (FCC 2025: any reasonable means);
         * staff may record consent again if the customer did not mean it. */
        case FT_KW_OPT_OUT_REQUEST: kw = FT_RKW_OPTOUT_REQUEST; break;
        default: kw = FT_RKW_NONE; break;
        }
    }
    if (out) *out = k;
    return kw;
}

ft_relay_kw ft_rules_inbound_class(const char *body, size_t len) { return inbound_class(body, len, NULL); }

ft_relay_kw ft_rules_inbound_keyword(ft_relay *app, const char *body, size_t len, char *reply, size_t cap) {
    reply[0] = '\0';
    ft_keyword_result k;
    ft_relay_kw kw = inbound_class(body, len, &k);
    if (kw == FT_RKW_NONE) return kw;
    /* Twilio answers its own default keywords (Advanced Opt-Out); a TwiML reply as well would text
     * the customer twice (and a reply after STOP is refused). The relay answers what Twilio does
     * not: plain-words requests and keywords outside Twilio's list (ARRET, AIDE).
     * FIELDTEXT_KEYWORD_REPLIES=1 answers every keyword (for numbers without Advanced Opt-Out). */
    static const char *const TWILIO_KEYWORDS[] = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT",
                                                  "REVOKE", "OPTOUT", "START", "YES", "UNSTOP", "HELP", "INFO"};
    const char *all = getenv("FIELDTEXT_KEYWORD_REPLIES");
    if (kw != FT_RKW_OPTOUT_REQUEST && !(all && strcmp(all, "1") == 0)) {
        for (size_t i = 0; i < sizeof TWILIO_KEYWORDS / sizeof TWILIO_KEYWORDS[0]; i++) {
            if (strcasecmp(k.keyword, TWILIO_KEYWORDS[i]) == 0) return kw;
        }
    }
    cJSON *b = cJSON_CreateObject();
    ft_api_business_get(app, b);
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b, "name"));
    const char *phone = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b, "phone"));
    const char *email = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b, "email"));
    ft_business_profile prof = {.company_name = name && name[0] ? name : NULL,
                                .phone = phone && phone[0] ? phone : NULL,
                                .email = email && email[0] ? email : NULL};
    ft_status st = FT_E_INVALID_ARG;
    if (kw != FT_RKW_OPTOUT_REQUEST && prof.company_name) st = ft_keyword_reply(k.cls, k.lang, &prof, reply, cap);
    if (st != FT_OK || !reply[0]) fallback_reply(kw, prof.company_name ? prof.company_name : "fieldtext", reply, cap);
    cJSON_Delete(b);
    return kw;
}

ft_status ft_rules_can_send(ft_relay *app, const char *phone, const char *body, uint32_t *segments) {
    if (!ft_rules_phone_ok(phone)) return FT_E_LOG_PHONE;
    if (!body) return FT_E_MSG_EMPTY;
    pthread_mutex_lock(&app->log_lock);
    ft_status st = ft_reducer_check_send(app->reducer, phone, body, strlen(body), segments);
    pthread_mutex_unlock(&app->log_lock);
    return st;
}

/* A state or province code from a customer or business record ("state", "region", or an address
 * object's "state"), two letters, into out[3]; "" when none. */
static void region_of(const cJSON *rec, char out[3]) {
    out[0] = '\0';
    const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "state"));
    if (!v) v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, "region"));
    const cJSON *addr = cJSON_GetObjectItemCaseSensitive(rec, "address");
    if (!v && cJSON_IsObject(addr)) v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(addr, "state"));
    if (v && strlen(v) == 2 && isalpha((unsigned char)v[0]) && isalpha((unsigned char)v[1])) {
        out[0] = (char)toupper((unsigned char)v[0]);
        out[1] = (char)toupper((unsigned char)v[1]);
        out[2] = '\0';
    }
}

int ft_rules_customer_zone(ft_relay *app, const char *phone, char *zone_out, size_t cap, char region[3]) {
    char *body = NULL;
    cJSON *cust = NULL;
    if (ft_store_customer_by_phone(app->store, phone, &body) == FT_OK) cust = cJSON_Parse(body);
    free(body);
    region_of(cust, region);
    const char *zone = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cust, "tz"));
    ft_tz tz;
    if (!zone || ft_tz_lookup(zone, strlen(zone), &tz, NULL) != FT_OK) {
        zone = NULL;
        if (!region[0]) {
            /* Unknown customer zone: the business's state. */
            cJSON *b = cJSON_CreateObject();
            ft_api_business_get(app, b);
            region_of(b, region);
            cJSON_Delete(b);
        }
        const ft_region_zone *rz = NULL;
        if (region[0] && ft_region_zone_lookup(region, 2, &rz) == FT_OK && rz->zone &&
            ft_tz_lookup(rz->zone, strlen(rz->zone), &tz, NULL) == FT_OK)
            zone = rz->zone;
    }
    if (!zone) zone = "America/New_York";
    int ok = ft_tz_lookup(zone, strlen(zone), &tz, NULL) == FT_OK;
    snprintf(zone_out, cap, "%s", zone);
    cJSON_Delete(cust);
    return ok;
}

ft_status ft_rules_send_window(ft_relay *app, const char *phone, const char *kind, int64_t now_ms, int64_t *next_ms,
                               char *why, size_t why_cap) {
    *next_ms = 0;
    ft_send_kind k;
    if (kind && strcmp(kind, "reminder") == 0) k = FT_SEND_REMINDER;
    else if (kind && strcmp(kind, "on_the_way") == 0) k = FT_SEND_ON_THE_WAY;
    else return FT_OK; /* staff writing by hand: no window (consent.h) */
    char region[3];
    char zone_name[64];
    ft_tz tz;
    if (!ft_rules_customer_zone(app, phone, zone_name, sizeof zone_name, region) ||
        ft_tz_lookup(zone_name, strlen(zone_name), &tz, NULL) != FT_OK)
        return FT_OK;
    ft_consent_state cs;
    if (ft_consent_state_init(&cs, "relay", phone) != FT_OK) return FT_OK;
    cs.status = FT_CONSENT_OPTED_IN; /* consent itself is the log's (ft_rules_can_send): only the window here */
    int32_t off = ft_tz_offset(&tz, now_ms / 1000, NULL);
    ft_send_verdict v;
    ft_status st = ft_consent_can_send(&cs, k, now_ms, off / 60, region[0] ? region : NULL, &v);
    if (st != FT_E_CONSENT_QUIET_HOURS) return FT_OK;
    *next_ms = v.next_allowed_ms;
    snprintf(why, why_cap,
             "outside the customer's send window for automated messages (%02d:%02d-%02d:%02d %s, now %02d:%02d there)",
             v.window_start_min / 60, v.window_start_min % 60, v.window_end_min / 60, v.window_end_min % 60, zone_name,
             v.local_min / 60, v.local_min % 60);
    return FT_E_CONSENT_QUIET_HOURS;
}

/* ---- client events ---- */

static const char *const STAFF_TYPES[] = {
    "customer.saved",     "consent.script_read", "consent.screen_acknowledged", "consent.box_checked",
    "consent.opted_out",  "consent.optout_request", "consent.optout_confirmed",  "consent.optout_dismissed",
    "message.send",
    "note.added",         "thread.claimed",      "thread.resolved",             "thread.transferred",
    "thread.read",        "template.saved",      "job.saved",                   "job.deleted"};
static const char *const ADMIN_TYPES[] = {"bundle.purchased"};
static const char *const RELAY_TYPES[] = {"message.sent",     "message.failed",  "message.status",
                                          "message.received", "balance.debited", "balance.refunded",
                                          "consent.opted_in", "registration.saved", "registration.submitted",
                                          "registration.brand_approved", "registration.campaign_pending",
                                          "registration.approved", "registration.failed", "registration.change_pending",
                                          "reminder.skipped", "reminder.missed", "reminder.canceled",
                                          "reminder.cancel_too_late"};

static int type_in(const char *t, const char *const *list, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (strcmp(t, list[i]) == 0) return 1;
    }
    return 0;
}

#define LIST(l) l, sizeof l / sizeof l[0]

static const char *str_field(const cJSON *body, const char *name) {
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, name));
}

/* Optional string fields must be strings of bounded size when present. */
static int strings_ok(const cJSON *body, char *why, size_t cap) {
    const cJSON *it;
    cJSON_ArrayForEach(it, body) {
        if (cJSON_IsString(it) && strlen(it->valuestring) > 20000) {
            snprintf(why, cap, "%s: too long", it->string);
            return 0;
        }
        if (cJSON_IsObject(it) || cJSON_IsArray(it)) {
            char *s = cJSON_PrintUnformatted(it);
            size_t n = s ? strlen(s) : 0;
            cJSON_free(s);
            if (n > 20000) {
                snprintf(why, cap, "%s: too large", it->string);
                return 0;
            }
        }
    }
    return 1;
}

ft_status ft_rules_check_client_event(ft_relay *app, const char *role, const char *type, cJSON *body, char *why,
                                      size_t cap) {
    if (type_in(type, LIST(RELAY_TYPES))) {
        snprintf(why, cap, "%s events are written by the relay only", type);
        return FT_E_EVENT_FORBIDDEN;
    }
    int admin = role && strcmp(role, "admin") == 0;
    if (type_in(type, LIST(ADMIN_TYPES))) {
        if (!admin) {
            snprintf(why, cap, "only an administrator can record %s", type);
            return FT_E_EVENT_FORBIDDEN;
        }
    } else if (!type_in(type, LIST(STAFF_TYPES))) {
        snprintf(why, cap, "unknown event type");
        return FT_E_EVENT_TYPE;
    }
    if (!strings_ok(body, why, cap)) return FT_E_TOO_LARGE;
    if (strcmp(type, "bundle.purchased") == 0) {
        const cJSON *seg = cJSON_GetObjectItemCaseSensitive(body, "segments");
        ft_pricing p;
        ft_pricing_default(&p);
        int64_t price = 0;
        if (!cJSON_IsNumber(seg) || seg->valuedouble < 0 || seg->valuedouble > 1e9 ||
            ft_cost_message(&p, (uint32_t)seg->valuedouble, 1, &price) != FT_OK) {
            snprintf(why, cap, "segments must be one of the bundles: 2500, 10000, 25000, 100000");
            return FT_E_BUNDLE_UNKNOWN;
        }
        if (!cJSON_GetObjectItemCaseSensitive(body, "price_micros")) {
            for (int i = 0; i < FT_BUNDLE_COUNT; i++) {
                if (p.bundles[i].segments == (uint32_t)seg->valuedouble)
                    cJSON_AddNumberToObject(body, "price_micros", (double)p.bundles[i].price_micros);
            }
        }
        return FT_OK;
    }
    if (strcmp(type, "customer.saved") == 0) {
        const char *id = str_field(body, "customer_id");
        if (!id || !id[0] || strlen(id) > 64) {
            snprintf(why, cap, "customer_id (a string, 1 to 64 bytes) is required");
            return FT_E_JSON_SHAPE;
        }
        const char *name = str_field(body, "name");
        if (!name || !name[0]) {
            snprintf(why, cap, "name is required");
            return FT_E_JSON_SHAPE;
        }
    }
    if (strcmp(type, "template.saved") == 0 || strcmp(type, "job.saved") == 0 || strcmp(type, "job.deleted") == 0)
        return ft_reminders_check_event(app, type, body, why, cap);
    /* Every other event is about one phone number. */
    const char *phone = str_field(body, "phone");
    if (!ft_rules_phone_ok(phone)) {
        snprintf(why, cap, "phone must be an E.164 number such as +15125550123");
        return FT_E_LOG_PHONE;
    }
    if (strcmp(type, "message.send") == 0) {
        static const char *const media[] = {"media", "media_url", "MediaUrl", "mediaUrl", "attachments"};
        for (size_t i = 0; i < sizeof media / sizeof media[0]; i++) {
            if (cJSON_GetObjectItemCaseSensitive(body, media[i])) return FT_E_MSG_MEDIA;
        }
        if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(body, "body"))) {
            snprintf(why, cap, "body (the message text) is required");
            return FT_E_MSG_EMPTY;
        }
        const char *mid = str_field(body, "message_id");
        if (cJSON_GetObjectItemCaseSensitive(body, "message_id") && !ft_is_uuid(mid)) {
            snprintf(why, cap, "message_id must be a UUID");
            return FT_E_EVENT_ID;
        }
        const char *kind = str_field(body, "kind");
        if (kind && strcmp(kind, "manual") != 0 && strcmp(kind, "reminder") != 0 && strcmp(kind, "on_the_way") != 0) {
            snprintf(why, cap, "kind: manual, reminder or on_the_way");
            return FT_E_JSON_SHAPE;
        }
    } else if (strcmp(type, "note.added") == 0) {
        const char *text = str_field(body, "text");
        if (!text || !text[0]) {
            snprintf(why, cap, "text is required");
            return FT_E_MSG_EMPTY;
        }
    } else if (strcmp(type, "thread.transferred") == 0) {
        if (!str_field(body, "to_user_id")) {
            snprintf(why, cap, "to_user_id is required");
            return FT_E_JSON_SHAPE;
        }
    } else if (strcmp(type, "consent.opted_out") == 0) {
        if (!str_field(body, "method")) cJSON_AddStringToObject(body, "method", "staff");
    }
    return FT_OK;
}
