/* fieldtext core: consent state machine, audit chain, send checks (consent.h). */
#include "fieldtext/consent.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "fieldtext/json.h"
#include "fieldtext/keyword.h"
#include "json_util.h"
#include "utf8.h"
#include "mbedtls/sha256.h"
#include "utf8proc.h"

static const char zero_hash[FT_CONSENT_HASH_HEX] = "0000000000000000000000000000000000000000000000000000000000000000";
static const char customer_actor[] = "customer";

/* ---------------------------------------------------------------- names */

static const char *const event_names[] = {
    "consent.script_read",   "consent.screen_acknowledged", "consent.box_checked",      "consent.opted_out",
    "consent.opted_in",      "consent.optout_request",      "consent.optout_confirmed", "consent.optout_dismissed",
};
#define N_EVENTS (sizeof event_names / sizeof event_names[0])

const char *ft_consent_event_name(ft_consent_event e) {
    return (unsigned)e < N_EVENTS ? event_names[e] : "consent.unknown";
}

const char *ft_consent_method_name(ft_consent_method m) {
    switch (m) {
    case FT_CONSENT_METHOD_VERBAL: return "verbal";
    case FT_CONSENT_METHOD_WRITTEN: return "written";
    case FT_CONSENT_METHOD_KEYWORD: return "keyword";
    default: return "";
    }
}

const char *ft_consent_status_name(ft_consent_status s) {
    switch (s) {
    case FT_CONSENT_SCRIPT_READ: return "script_read";
    case FT_CONSENT_SCREEN_ACKNOWLEDGED: return "screen_acknowledged";
    case FT_CONSENT_OPTED_IN: return "opted_in";
    case FT_CONSENT_OPTED_OUT: return "opted_out";
    default: return "none";
    }
}

static int event_from_name(const char *s, ft_consent_event *e) {
    for (size_t i = 0; i < N_EVENTS; i++)
        if (strcmp(s, event_names[i]) == 0) {
            *e = (ft_consent_event)i;
            return 1;
        }
    return 0;
}

static int method_from_name(const char *s, ft_consent_method *m) {
    static const ft_consent_method all[] = {FT_CONSENT_METHOD_NONE, FT_CONSENT_METHOD_VERBAL, FT_CONSENT_METHOD_WRITTEN,
                                            FT_CONSENT_METHOD_KEYWORD};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (strcmp(s, ft_consent_method_name(all[i])) == 0) {
            *m = all[i];
            return 1;
        }
    return 0;
}

/* ---------------------------------------------------------------- strings */

/* Copies src (NULL = "") into dst[cap]; 0 when too long or not UTF-8. */
static int copy_field(char *dst, size_t cap, const char *src) {
    if (!src) src = "";
    size_t n = strlen(src);
    if (n >= cap || !ft_utf8_valid(src, n)) return 0;
    memcpy(dst, src, n + 1);
    return 1;
}

ft_status ft_consent_script(const char *company_name, char *buf, size_t cap) {
    if (!buf || cap == 0 || !company_name || !*company_name) return FT_E_INVALID_ARG;
    if (strlen(company_name) >= FT_CONSENT_COMPANY_MAX || !ft_utf8_valid(company_name, strlen(company_name)))
        return FT_E_INVALID_ARG;
    int n = snprintf(buf, cap, FT_CONSENT_SCRIPT_TEMPLATE, company_name);
    if (n < 0 || (size_t)n >= cap) {
        buf[0] = '\0';
        return FT_E_BUFFER;
    }
    return FT_OK;
}

/* Is text the script of FT_CONSENT_SCRIPT_VERSION with some company name filled in? */
static int is_script_text(const char *text) {
    static const char tpl[] = FT_CONSENT_SCRIPT_TEMPLATE;
    const char *hole = strstr(tpl, "%s");
    size_t pre = (size_t)(hole - tpl), post = strlen(hole + 2), n = strlen(text);
    return n > pre + post && memcmp(text, tpl, pre) == 0 && memcmp(text + n - post, hole + 2, post) == 0;
}

/* ---------------------------------------------------------------- hashing */

static void hash_field(mbedtls_sha256_context *c, const char *name, const char *value, size_t len) {
    char head[64];
    int n = snprintf(head, sizeof head, "%s=%zu:", name, len);
    mbedtls_sha256_update_ret(c, (const unsigned char *)head, (size_t)n);
    mbedtls_sha256_update_ret(c, (const unsigned char *)value, len);
    mbedtls_sha256_update_ret(c, (const unsigned char *)"\n", 1);
}

static void hash_str(mbedtls_sha256_context *c, const char *name, const char *value) {
    hash_field(c, name, value, strlen(value));
}

ft_status ft_consent_record_hash(const ft_consent_record *r, char hex[FT_CONSENT_HASH_HEX]) {
    if (!r || !hex) return FT_E_INVALID_ARG;
    char num[32];
    unsigned char d[32];
    mbedtls_sha256_context c;
    mbedtls_sha256_init(&c);
    mbedtls_sha256_starts_ret(&c, 0);
    mbedtls_sha256_update_ret(&c, (const unsigned char *)r->prev_hash, strlen(r->prev_hash));
    static const char magic[] = "fieldtext-consent-v1\n";
    mbedtls_sha256_update_ret(&c, (const unsigned char *)magic, sizeof magic - 1);
    snprintf(num, sizeof num, "%u", (unsigned)r->index);
    hash_str(&c, "index", num);
    hash_str(&c, "type", ft_consent_event_name(r->type));
    snprintf(num, sizeof num, "%lld", (long long)r->at_ms);
    hash_str(&c, "at", num);
    hash_str(&c, "actor", r->actor);
    hash_str(&c, "staff_name", r->staff_name);
    hash_str(&c, "customer_id", r->customer_id);
    hash_str(&c, "phone", r->phone);
    hash_str(&c, "method", ft_consent_method_name(r->method));
    hash_str(&c, "text", r->text);
    hash_str(&c, "version", r->version);
    hash_str(&c, "keyword", r->keyword);
    mbedtls_sha256_finish_ret(&c, d);
    mbedtls_sha256_free(&c);
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        hex[2 * i] = digits[d[i] >> 4];
        hex[2 * i + 1] = digits[d[i] & 15];
    }
    hex[64] = '\0';
    return FT_OK;
}

/* ---------------------------------------------------------------- the state machine */

ft_status ft_consent_state_init(ft_consent_state *s, const char *customer_id, const char *phone_e164) {
    if (!s) return FT_E_INVALID_ARG;
    memset(s, 0, sizeof *s);
    memcpy(s->head, zero_hash, sizeof zero_hash);
    if (!customer_id || !*customer_id || !copy_field(s->customer_id, sizeof s->customer_id, customer_id))
        return FT_E_INVALID_ARG;
    if (phone_e164 && *phone_e164) {
        ft_phone p;
        if (ft_phone_normalize(phone_e164, strlen(phone_e164), &p, NULL) != FT_OK || strcmp(p.e164, phone_e164) != 0)
            return FT_E_INVALID_ARG;
        memcpy(s->phone, p.e164, sizeof s->phone);
    }
    return FT_OK;
}

static int is_staff_event(const ft_consent_record *r) {
    switch (r->type) {
    case FT_CONSENT_EV_SCRIPT_READ:
    case FT_CONSENT_EV_SCREEN_ACKNOWLEDGED:
    case FT_CONSENT_EV_BOX_CHECKED:
    case FT_CONSENT_EV_OPTOUT_CONFIRMED:
    case FT_CONSENT_EV_OPTOUT_DISMISSED: return 1;
    case FT_CONSENT_EV_OPTED_OUT: return r->method != FT_CONSENT_METHOD_KEYWORD;
    default: return 0;
    }
}

static int keyword_class_of(const char *w, ft_keyword_class want) {
    ft_keyword_result k;
    return w[0] && ft_keyword_classify(w, strlen(w), &k, NULL) == FT_OK && k.cls == want && k.keyword[0];
}

#define REFUSE(code, why)   \
    do {                    \
        *reason = (why);    \
        return (code);      \
    } while (0)

/* Checks a complete record (without its chain fields) against the state. */
static ft_status check(const ft_consent_state *s, const ft_consent_record *r, const char **reason) {
    if ((unsigned)r->type >= N_EVENTS) REFUSE(FT_E_CONSENT_RECORD, "unknown consent step");
    if (strcmp(r->customer_id, s->customer_id) != 0) REFUSE(FT_E_CONSENT_CUSTOMER, "the step is for another customer");
    if (!s->phone[0]) REFUSE(FT_E_CONSENT_NO_NUMBER, "the customer has no SMS number: consent is given for a number");
    if (strcmp(r->phone, s->phone) != 0) REFUSE(FT_E_CONSENT_CUSTOMER, "the step is for another phone number");
    if (s->count > 0 && r->at_ms < s->last_at_ms)
        REFUSE(FT_E_CONSENT_TIME, "the step is dated before the previous consent record");
    if (r->at_ms < 0) REFUSE(FT_E_CONSENT_TIME, "the time is before 1970");
    if (is_staff_event(r)) {
        if (!r->actor[0] || strcmp(r->actor, customer_actor) == 0 || !r->staff_name[0])
            REFUSE(FT_E_CONSENT_STAFF, "a staff step needs the staff member's id and name");
    } else if (strcmp(r->actor, customer_actor) != 0 || r->staff_name[0]) {
        REFUSE(FT_E_CONSENT_STAFF, "this step is the customer's own (actor \"customer\", no staff name)");
    }
    int has_text = r->type == FT_CONSENT_EV_SCRIPT_READ || r->type == FT_CONSENT_EV_SCREEN_ACKNOWLEDGED;
    if (!has_text && (r->text[0] || r->version[0])) REFUSE(FT_E_CONSENT_RECORD, "only the script and the screen carry a text");
    int has_word = r->type == FT_CONSENT_EV_OPTED_IN || r->type == FT_CONSENT_EV_OPTOUT_REQUEST ||
                   r->type == FT_CONSENT_EV_OPTOUT_CONFIRMED ||
                   (r->type == FT_CONSENT_EV_OPTED_OUT && r->method == FT_CONSENT_METHOD_KEYWORD);
    if (!has_word && r->keyword[0]) REFUSE(FT_E_CONSENT_RECORD, "this step carries no keyword or phrase");

    switch (r->type) {
    case FT_CONSENT_EV_SCRIPT_READ:
        if (r->method != FT_CONSENT_METHOD_VERBAL && r->method != FT_CONSENT_METHOD_WRITTEN)
            REFUSE(FT_E_CONSENT_METHOD, "the script is read verbal or written");
        if (s->status == FT_CONSENT_OPTED_IN) REFUSE(FT_E_CONSENT_ORDER, "the customer has already opted in");
        if (strcmp(r->version, FT_CONSENT_SCRIPT_VERSION) != 0) REFUSE(FT_E_CONSENT_TEXT, "unknown consent script version");
        if (!is_script_text(r->text)) REFUSE(FT_E_CONSENT_TEXT, "the script text is not the consent script");
        return FT_OK;
    case FT_CONSENT_EV_SCREEN_ACKNOWLEDGED:
        if (s->status != FT_CONSENT_SCRIPT_READ)
            REFUSE(FT_E_CONSENT_ORDER, "the confirmation screen comes after the consent script was read");
        if (r->method != s->flow_method) REFUSE(FT_E_CONSENT_METHOD, "the method is the script reading's");
        if (strcmp(r->version, FT_CONSENT_DISCLOSURE_VERSION) != 0)
            REFUSE(FT_E_CONSENT_TEXT, "unknown disclosure version");
        if (strcmp(r->text, FT_CONSENT_DISCLOSURE_TEXT) != 0)
            REFUSE(FT_E_CONSENT_TEXT, "the disclosure text is not the versioned text");
        return FT_OK;
    case FT_CONSENT_EV_BOX_CHECKED:
        if (s->status != FT_CONSENT_SCREEN_ACKNOWLEDGED)
            REFUSE(FT_E_CONSENT_ORDER, "the consent box is checked after the script and the confirmation screen");
        if (r->method != s->flow_method) REFUSE(FT_E_CONSENT_METHOD, "the method is the script reading's");
        return FT_OK;
    case FT_CONSENT_EV_OPTED_OUT:
        if (r->method == FT_CONSENT_METHOD_KEYWORD) {
            if (!keyword_class_of(r->keyword, FT_KW_OPT_OUT)) REFUSE(FT_E_CONSENT_RECORD, "not an opt-out keyword");
            return FT_OK; /* the customer's STOP is always recorded */
        }
        if (r->method != FT_CONSENT_METHOD_VERBAL && r->method != FT_CONSENT_METHOD_WRITTEN)
            REFUSE(FT_E_CONSENT_METHOD, "an opt-out is by keyword, or verbal or written through staff");
        if (s->status == FT_CONSENT_OPTED_OUT) REFUSE(FT_E_CONSENT_ORDER, "the customer has already opted out");
        return FT_OK;
    case FT_CONSENT_EV_OPTED_IN:
        if (r->method != FT_CONSENT_METHOD_KEYWORD) REFUSE(FT_E_CONSENT_METHOD, "a customer opts back in by keyword");
        if (!keyword_class_of(r->keyword, FT_KW_OPT_IN)) REFUSE(FT_E_CONSENT_RECORD, "not an opt-in keyword");
        if (s->status == FT_CONSENT_OPTED_IN) REFUSE(FT_E_CONSENT_ORDER, "the customer has already opted in");
        if (s->status != FT_CONSENT_OPTED_OUT || !s->ever_opted_in)
            REFUSE(FT_E_CONSENT_ORDER, "the customer never completed the consent flow: staff must read the script");
        return FT_OK;
    case FT_CONSENT_EV_OPTOUT_REQUEST:
        if (r->method != FT_CONSENT_METHOD_WRITTEN) REFUSE(FT_E_CONSENT_METHOD, "an opt-out request is written");
        if (!r->keyword[0]) REFUSE(FT_E_CONSENT_RECORD, "an opt-out request needs the phrase that matched");
        if (s->status == FT_CONSENT_OPTED_OUT) REFUSE(FT_E_CONSENT_ORDER, "the customer has already opted out");
        return FT_OK;
    case FT_CONSENT_EV_OPTOUT_CONFIRMED:
    case FT_CONSENT_EV_OPTOUT_DISMISSED:
        if (!s->review_pending) REFUSE(FT_E_CONSENT_ORDER, "no opt-out request awaits review");
        if (r->method != (r->type == FT_CONSENT_EV_OPTOUT_CONFIRMED ? FT_CONSENT_METHOD_WRITTEN : FT_CONSENT_METHOD_NONE))
            REFUSE(FT_E_CONSENT_METHOD, "the review takes the request's method");
        if (r->type == FT_CONSENT_EV_OPTOUT_CONFIRMED && strcmp(r->keyword, s->pending_phrase) != 0)
            REFUSE(FT_E_CONSENT_RECORD, "the confirmation carries the request's phrase");
        return FT_OK;
    }
    REFUSE(FT_E_CONSENT_RECORD, "unknown consent step");
}

static void advance(ft_consent_state *s, const ft_consent_record *r) {
    switch (r->type) {
    case FT_CONSENT_EV_SCRIPT_READ:
        s->status = FT_CONSENT_SCRIPT_READ;
        s->flow_method = r->method;
        break;
    case FT_CONSENT_EV_SCREEN_ACKNOWLEDGED: s->status = FT_CONSENT_SCREEN_ACKNOWLEDGED; break;
    case FT_CONSENT_EV_BOX_CHECKED:
        s->status = FT_CONSENT_OPTED_IN;
        s->ever_opted_in = 1;
        s->review_pending = 0;
        break;
    case FT_CONSENT_EV_OPTED_OUT:
    case FT_CONSENT_EV_OPTOUT_CONFIRMED:
        s->status = FT_CONSENT_OPTED_OUT;
        s->review_pending = 0;
        break;
    case FT_CONSENT_EV_OPTED_IN:
        s->status = FT_CONSENT_OPTED_IN;
        s->review_pending = 0;
        break;
    case FT_CONSENT_EV_OPTOUT_REQUEST:
        s->review_pending = 1;
        memcpy(s->pending_phrase, r->keyword, sizeof s->pending_phrase);
        break;
    case FT_CONSENT_EV_OPTOUT_DISMISSED: s->review_pending = 0; break;
    }
    if (!s->review_pending) s->pending_phrase[0] = '\0';
    s->count++;
    s->last_at_ms = r->at_ms;
    memcpy(s->head, r->hash, sizeof s->head);
}

ft_status ft_consent_apply(ft_consent_state *s, const ft_consent_step *st, ft_consent_record *r, const char **reason) {
    const char *dummy;
    if (!reason) reason = &dummy;
    *reason = NULL;
    if (!s || !st || !r) return FT_E_INVALID_ARG;
    memset(r, 0, sizeof *r);
    if ((unsigned)st->type >= N_EVENTS) REFUSE(FT_E_INVALID_ARG, "unknown consent step");
    if (s->count >= FT_CONSENT_MAX_RECORDS) REFUSE(FT_E_TOO_LARGE, "too many consent records for one customer");
    r->index = s->count;
    r->type = st->type;
    r->at_ms = st->at_ms;
    memcpy(r->customer_id, s->customer_id, sizeof r->customer_id);
    memcpy(r->phone, s->phone, sizeof r->phone);
    r->method = st->method;
    int customer_step = st->type == FT_CONSENT_EV_OPTED_IN || st->type == FT_CONSENT_EV_OPTOUT_REQUEST ||
                        (st->type == FT_CONSENT_EV_OPTED_OUT && st->method == FT_CONSENT_METHOD_KEYWORD);
    ft_status code = FT_OK;
    if (customer_step) {
        memcpy(r->actor, customer_actor, sizeof customer_actor);
    } else if (!copy_field(r->actor, sizeof r->actor, st->staff_id) ||
               !copy_field(r->staff_name, sizeof r->staff_name, st->staff_name)) {
        code = FT_E_CONSENT_RECORD;
        *reason = "the staff id or name is too long or not UTF-8";
        goto refused;
    }
    /* Methods the step inherits. */
    if (r->method == FT_CONSENT_METHOD_NONE) {
        if (st->type == FT_CONSENT_EV_SCREEN_ACKNOWLEDGED || st->type == FT_CONSENT_EV_BOX_CHECKED) r->method = s->flow_method;
        else if (st->type == FT_CONSENT_EV_OPTED_IN) r->method = FT_CONSENT_METHOD_KEYWORD;
        else if (st->type == FT_CONSENT_EV_OPTOUT_REQUEST || st->type == FT_CONSENT_EV_OPTOUT_CONFIRMED)
            r->method = FT_CONSENT_METHOD_WRITTEN;
    }
    if (st->type == FT_CONSENT_EV_SCRIPT_READ) {
        char script[FT_CONSENT_TEXT_MAX];
        if (st->company_name && *st->company_name) {
            if (ft_consent_script(st->company_name, script, sizeof script) != FT_OK) {
                code = FT_E_CONSENT_RECORD;
                *reason = "the company name is too long or not UTF-8";
                goto refused;
            }
            if (st->text && strcmp(st->text, script) != 0) {
                code = FT_E_CONSENT_TEXT;
                *reason = "the script text read is not the consent script for this company";
                goto refused;
            }
        } else if (!st->text) {
            code = FT_E_CONSENT_TEXT;
            *reason = "the script needs the company name (or the exact text read)";
            goto refused;
        }
        copy_field(r->text, sizeof r->text, st->text ? st->text : script);
        if (!copy_field(r->version, sizeof r->version, st->version ? st->version : FT_CONSENT_SCRIPT_VERSION)) {
            code = FT_E_CONSENT_TEXT;
            *reason = "unknown consent script version";
            goto refused;
        }
    } else if (st->type == FT_CONSENT_EV_SCREEN_ACKNOWLEDGED) {
        if (!copy_field(r->text, sizeof r->text, st->text ? st->text : FT_CONSENT_DISCLOSURE_TEXT) ||
            !copy_field(r->version, sizeof r->version, st->version ? st->version : FT_CONSENT_DISCLOSURE_VERSION)) {
            code = FT_E_CONSENT_TEXT;
            *reason = "the disclosure text is not the versioned text";
            goto refused;
        }
    }
    if (st->type == FT_CONSENT_EV_OPTOUT_CONFIRMED) {
        memcpy(r->keyword, s->pending_phrase, sizeof r->keyword);
    } else if (st->keyword && !copy_field(r->keyword, sizeof r->keyword, st->keyword)) {
        code = FT_E_CONSENT_RECORD;
        *reason = "the keyword or phrase is too long or not UTF-8";
        goto refused;
    }
    if (customer_step && st->type != FT_CONSENT_EV_OPTOUT_REQUEST && r->keyword[0]) {
        /* store the canonical keyword ("stop!" -> "STOP") */
        ft_keyword_result k;
        if (ft_keyword_classify(r->keyword, strlen(r->keyword), &k, NULL) == FT_OK && k.keyword[0])
            snprintf(r->keyword, sizeof r->keyword, "%s", k.keyword);
    }
    code = check(s, r, reason);
    if (code != FT_OK) goto refused;
    memcpy(r->prev_hash, s->head, sizeof r->prev_hash);
    ft_consent_record_hash(r, r->hash);
    advance(s, r);
    return FT_OK;
refused:
    memset(r, 0, sizeof *r);
    return code;
}

ft_status ft_consent_replay(ft_consent_state *s, const ft_consent_record *r, const char **reason) {
    const char *dummy;
    if (!reason) reason = &dummy;
    *reason = NULL;
    if (!s || !r) return FT_E_INVALID_ARG;
    if (r->index != s->count) REFUSE(FT_E_CONSENT_CHAIN, "the record's index does not follow the previous record's");
    if (strcmp(r->prev_hash, s->head) != 0)
        REFUSE(FT_E_CONSENT_CHAIN, "the record does not link to the previous record (one was edited, removed or inserted)");
    char h[FT_CONSENT_HASH_HEX];
    ft_consent_record_hash(r, h);
    if (strcmp(h, r->hash) != 0) REFUSE(FT_E_CONSENT_CHAIN, "the record's contents do not match its hash (it was edited)");
    ft_status st = check(s, r, reason);
    if (st != FT_OK) return st;
    advance(s, r);
    return FT_OK;
}

ft_status ft_consent_verify(const ft_consent_record *records, size_t n, const char *expected_head,
                            ft_consent_verification *v) {
    if (!v || (!records && n)) return FT_E_INVALID_ARG;
    memset(v, 0, sizeof *v);
    v->first_broken = -1;
    v->records = (uint32_t)n;
    memcpy(v->head, zero_hash, sizeof zero_hash);
    v->valid = 1;
    v->reason = "the chain is intact";
    if (n > FT_CONSENT_MAX_RECORDS) {
        v->valid = 0;
        v->error = FT_E_TOO_LARGE;
        v->reason = "too many consent records for one customer";
        v->first_broken = FT_CONSENT_MAX_RECORDS;
        return FT_OK;
    }
    ft_consent_state s;
    if (n > 0 && ft_consent_state_init(&s, records[0].customer_id, records[0].phone) != FT_OK) {
        v->valid = 0;
        v->error = FT_E_CONSENT_RECORD;
        v->reason = "the first record has no valid customer id or phone";
        v->first_broken = 0;
        return FT_OK;
    }
    for (size_t i = 0; i < n; i++) {
        const char *why = NULL;
        ft_status st = ft_consent_replay(&s, &records[i], &why);
        if (st != FT_OK) {
            v->valid = 0;
            v->error = st;
            v->reason = why ? why : ft_strerror(st);
            v->first_broken = (int64_t)i;
            return FT_OK;
        }
        memcpy(v->head, s.head, sizeof v->head);
    }
    if (expected_head && *expected_head && strcmp(expected_head, v->head) != 0) {
        v->valid = 0;
        v->error = FT_E_CONSENT_CHAIN;
        v->reason = "the last record is not the expected head: records were removed from the end or the chain rebuilt";
        v->first_broken = (int64_t)n;
    }
    return FT_OK;
}

/* ---------------------------------------------------------------- can send */

static int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

ft_status ft_consent_can_send(const ft_consent_state *s, ft_send_kind kind, int64_t now_ms, int32_t utc_offset_min,
                              const char *region, ft_send_verdict *v) {
    if (!v) return FT_E_INVALID_ARG;
    memset(v, 0, sizeof *v);
    v->reason = FT_E_INVALID_ARG;
    if (!s || (unsigned)kind > FT_SEND_ON_THE_WAY || utc_offset_min < -14 * 60 || utc_offset_min > 14 * 60)
        return FT_E_INVALID_ARG;
    v->automated = kind != FT_SEND_MANUAL;
    v->window_start_min = FT_SEND_WINDOW_START_MIN;
    v->window_end_min = FT_SEND_WINDOW_END_MIN;
    if (region && strlen(region) == 2) {
        char r0 = (char)(region[0] & ~0x20), r1 = (char)(region[1] & ~0x20);
        if ((r0 == 'F' && r1 == 'L') || (r0 == 'O' && r1 == 'K') || (r0 == 'M' && r1 == 'D'))
            v->window_end_min = FT_SEND_WINDOW_END_STRICT_MIN;
    }
    int64_t local_ms = now_ms + (int64_t)utc_offset_min * 60000;
    int64_t minute = floor_div(local_ms, 60000);
    v->local_min = (int)(minute - floor_div(minute, 1440) * 1440);
    ft_status st = FT_OK;
    if (!s->phone[0]) st = FT_E_CONSENT_NO_NUMBER;
    else if (s->status == FT_CONSENT_OPTED_OUT) st = FT_E_CONSENT_OPTED_OUT;
    else if (s->status != FT_CONSENT_OPTED_IN) st = FT_E_CONSENT_NO_CONSENT;
    else if (v->automated && s->review_pending) st = FT_E_CONSENT_REVIEW;
    else if (v->automated && (v->local_min < v->window_start_min || v->local_min >= v->window_end_min)) {
        st = FT_E_CONSENT_QUIET_HOURS;
        int64_t into_minute = local_ms - minute * 60000;
        int64_t wait = v->local_min < v->window_start_min ? v->window_start_min - v->local_min
                                                          : 1440 - v->local_min + v->window_start_min;
        v->next_allowed_ms = now_ms - into_minute + wait * 60000;
    }
    v->reason = st;
    v->allowed = st == FT_OK;
    return st;
}

/* ---------------------------------------------------------------- JSON */

static cJSON *record_to_json(const ft_consent_record *r) {
    cJSON *o = cJSON_CreateObject(), *b = NULL;
    if (!o) return NULL;
    int ok = cJSON_AddStringToObject(o, "type", ft_consent_event_name(r->type)) && ft_json_add_int(o, "at", r->at_ms) &&
             cJSON_AddStringToObject(o, "actor", r->actor) && (b = cJSON_AddObjectToObject(o, "body")) != NULL &&
             cJSON_AddStringToObject(b, "customer_id", r->customer_id) && cJSON_AddStringToObject(b, "phone", r->phone) &&
             cJSON_AddStringToObject(b, "method", ft_consent_method_name(r->method)) &&
             cJSON_AddStringToObject(b, "staff_name", r->staff_name);
    if (ok && r->type == FT_CONSENT_EV_SCRIPT_READ)
        ok = cJSON_AddStringToObject(b, "script_text", r->text) && cJSON_AddStringToObject(b, "script_version", r->version);
    if (ok && r->type == FT_CONSENT_EV_SCREEN_ACKNOWLEDGED)
        ok = cJSON_AddStringToObject(b, "disclosure_text", r->text) &&
             cJSON_AddStringToObject(b, "disclosure_version", r->version);
    if (ok && r->keyword[0])
        ok = cJSON_AddStringToObject(b, r->type == FT_CONSENT_EV_OPTOUT_REQUEST || r->type == FT_CONSENT_EV_OPTOUT_CONFIRMED
                                            ? "phrase" : "keyword",
                                     r->keyword) != NULL;
    cJSON *c = ok ? cJSON_AddObjectToObject(b, "chain") : NULL;
    ok = ok && c && cJSON_AddNumberToObject(c, "index", r->index) && cJSON_AddStringToObject(c, "prev", r->prev_hash) &&
         cJSON_AddStringToObject(c, "hash", r->hash);
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static int get_str(const cJSON *o, const char *name, char *dst, size_t cap, int required) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!v || cJSON_IsNull(v)) {
        dst[0] = '\0';
        return !required;
    }
    return cJSON_IsString(v) && copy_field(dst, cap, v->valuestring);
}

static int get_int(const cJSON *o, const char *name, int64_t *out) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!cJSON_IsNumber(v) || v->valuedouble != v->valuedouble || v->valuedouble < -9007199254740991.0 ||
        v->valuedouble > 9007199254740991.0 || v->valuedouble != (double)(int64_t)v->valuedouble)
        return 0;
    *out = (int64_t)v->valuedouble;
    return 1;
}

static int is_hex64(const char *s) {
    if (strlen(s) != 64) return 0;
    for (int i = 0; i < 64; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) return 0;
    return 1;
}

/* Reads one record; on failure *why names the field. */
static int record_from_json(const cJSON *o, ft_consent_record *r, const char **why) {
    memset(r, 0, sizeof *r);
    char name[48], method[16];
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(o, "body");
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(b, "chain");
    int64_t index = -1;
    *why = "a record must be an object with \"type\", \"at\", \"actor\" and \"body\"";
    if (!cJSON_IsObject(o) || !cJSON_IsObject(b)) return 0;
    *why = "unknown or missing \"type\"";
    if (!get_str(o, "type", name, sizeof name, 1) || !event_from_name(name, &r->type)) return 0;
    *why = "\"at\" must be an integer (ms since the epoch)";
    if (!get_int(o, "at", &r->at_ms)) return 0;
    *why = "\"actor\", \"customer_id\", \"phone\" or \"staff_name\" is missing, too long or not UTF-8";
    if (!get_str(o, "actor", r->actor, sizeof r->actor, 1) || !get_str(b, "customer_id", r->customer_id, sizeof r->customer_id, 1) ||
        !get_str(b, "phone", r->phone, sizeof r->phone, 1) || !get_str(b, "staff_name", r->staff_name, sizeof r->staff_name, 0))
        return 0;
    *why = "unknown \"method\"";
    if (!get_str(b, "method", method, sizeof method, 0) || !method_from_name(method, &r->method)) return 0;
    *why = "the text, version, keyword or phrase is too long or not UTF-8";
    int ok = 1;
    if (r->type == FT_CONSENT_EV_SCRIPT_READ)
        ok = get_str(b, "script_text", r->text, sizeof r->text, 1) && get_str(b, "script_version", r->version, sizeof r->version, 1);
    else if (r->type == FT_CONSENT_EV_SCREEN_ACKNOWLEDGED)
        ok = get_str(b, "disclosure_text", r->text, sizeof r->text, 1) &&
             get_str(b, "disclosure_version", r->version, sizeof r->version, 1);
    if (ok) {
        int phrase = r->type == FT_CONSENT_EV_OPTOUT_REQUEST || r->type == FT_CONSENT_EV_OPTOUT_CONFIRMED;
        ok = get_str(b, phrase ? "phrase" : "keyword", r->keyword, sizeof r->keyword, 0);
    }
    if (!ok) return 0;
    *why = "\"body.chain\" must hold \"index\", \"prev\" and \"hash\" (64 hex digits)";
    if (!cJSON_IsObject(c) || !get_int(c, "index", &index) || index < 0 || index >= (int64_t)FT_CONSENT_MAX_RECORDS ||
        !get_str(c, "prev", r->prev_hash, sizeof r->prev_hash, 1) || !get_str(c, "hash", r->hash, sizeof r->hash, 1) ||
        !is_hex64(r->prev_hash) || !is_hex64(r->hash))
        return 0;
    r->index = (uint32_t)index;
    return 1;
}

typedef struct {
    ft_consent_record *r;
    size_t n;
    int64_t bad_index;   /* the first record that could not be read, -1 */
    const char *why;
} record_list;

/* Reads an array of records; a malformed record stops the reading (bad_index). */
static ft_status read_records(const cJSON *arr, record_list *l) {
    l->r = NULL;
    l->n = 0;
    l->bad_index = -1;
    l->why = NULL;
    if (!arr || cJSON_IsNull(arr)) return FT_OK;
    if (!cJSON_IsArray(arr)) {
        l->why = "\"records\" must be an array";
        return FT_E_JSON_SHAPE;
    }
    int n = cJSON_GetArraySize(arr);
    if ((size_t)n > FT_CONSENT_MAX_RECORDS) {
        l->why = "too many consent records for one customer";
        return FT_E_TOO_LARGE;
    }
    l->r = calloc((size_t)n + 1, sizeof *l->r);
    if (!l->r) return FT_E_NOMEM;
    const cJSON *it;
    cJSON_ArrayForEach(it, arr) {
        if (!record_from_json(it, &l->r[l->n], &l->why)) {
            l->bad_index = (int64_t)l->n;
            return FT_OK;
        }
        l->n++;
    }
    return FT_OK;
}

static cJSON *state_to_json(const ft_consent_state *s) {
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    int ok = cJSON_AddStringToObject(o, "customer_id", s->customer_id) &&
             (s->phone[0] ? cJSON_AddStringToObject(o, "phone", s->phone) : cJSON_AddNullToObject(o, "phone")) &&
             cJSON_AddStringToObject(o, "status", ft_consent_status_name(s->status)) &&
             cJSON_AddBoolToObject(o, "sms_enabled", s->status == FT_CONSENT_OPTED_IN && s->phone[0]) &&
             cJSON_AddBoolToObject(o, "review_pending", s->review_pending) &&
             (s->review_pending ? cJSON_AddStringToObject(o, "pending_phrase", s->pending_phrase)
                                : cJSON_AddNullToObject(o, "pending_phrase")) &&
             cJSON_AddBoolToObject(o, "ever_opted_in", s->ever_opted_in) && cJSON_AddNumberToObject(o, "records", s->count) &&
             cJSON_AddStringToObject(o, "head", s->head);
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* The common input: {"customer_id","phone","records"} -> a verified state. On failure the reply
 * object gets the error (and "first_broken"). Returns the status. */
typedef struct {
    cJSON *root;
    record_list list;
    ft_consent_state state;
    ft_consent_verification ver;
} input;

static void input_free(input *in) {
    cJSON_Delete(in->root);
    free(in->list.r);
}

static ft_status set_err(cJSON *o, ft_status st, const char *why) { return ft_json_set_error(o, st, why) ? st : FT_E_NOMEM; }

static ft_status read_input(const char *json, size_t len, input *in, cJSON *reply, int need_customer) {
    memset(in, 0, sizeof *in);
    ft_status st = FT_OK;
    in->root = ft_json_parse(json, len, &st);
    if (!in->root) return set_err(reply, st, NULL);
    const cJSON *arr = cJSON_IsArray(in->root) ? in->root : cJSON_GetObjectItemCaseSensitive(in->root, "records");
    if (!cJSON_IsArray(in->root) && !cJSON_IsObject(in->root))
        return set_err(reply, FT_E_JSON_SHAPE, "the input must be a JSON object (or an array of records)");
    st = read_records(arr, &in->list);
    if (st != FT_OK) return set_err(reply, st, in->list.why);
    if (in->list.bad_index >= 0) {
        char why[200];
        snprintf(why, sizeof why, "record %lld: %s", (long long)in->list.bad_index, in->list.why);
        st = set_err(reply, FT_E_CONSENT_RECORD, why);
        cJSON_AddNumberToObject(reply, "first_broken", (double)in->list.bad_index);
        cJSON_AddFalseToObject(reply, "valid");
        return st;
    }
    char cid[FT_CONSENT_ID_MAX], phone_in[FT_PHONE_INPUT_MAX_BYTES + 1];
    const cJSON *obj = cJSON_IsObject(in->root) ? in->root : NULL;
    if (!get_str(obj, "customer_id", cid, sizeof cid, 0) || !get_str(obj, "phone", phone_in, sizeof phone_in, 0))
        return set_err(reply, FT_E_JSON_SHAPE, "\"customer_id\" and \"phone\" must be short strings");
    if (!cid[0] && in->list.n) memcpy(cid, in->list.r[0].customer_id, sizeof cid);
    if (!phone_in[0] && in->list.n) snprintf(phone_in, sizeof phone_in, "%s", in->list.r[0].phone);
    if (need_customer && !cid[0]) return set_err(reply, FT_E_JSON_SHAPE, "\"customer_id\" is required");
    char e164[FT_E164_MAX] = "";
    if (phone_in[0]) {
        ft_phone p;
        ft_status ps = ft_phone_normalize(phone_in, strlen(phone_in), &p, NULL);
        if (ps != FT_OK) return set_err(reply, ps, "the customer's phone number is not valid");
        memcpy(e164, p.e164, sizeof e164);
    }
    if (cid[0] && ft_consent_state_init(&in->state, cid, e164) != FT_OK)
        return set_err(reply, FT_E_JSON_SHAPE, "\"customer_id\" is not valid");
    ft_consent_verify(in->list.r, in->list.n, NULL, &in->ver);
    if (!in->ver.valid) {
        st = set_err(reply, in->ver.error == FT_E_CONSENT_CHAIN ? FT_E_CONSENT_CHAIN : in->ver.error, in->ver.reason);
        cJSON_AddNumberToObject(reply, "first_broken", (double)in->ver.first_broken);
        cJSON_AddFalseToObject(reply, "valid");
        return st;
    }
    for (size_t i = 0; i < in->list.n; i++) {
        const char *why = NULL;
        st = ft_consent_replay(&in->state, &in->list.r[i], &why);
        if (st != FT_OK) {
            st = set_err(reply, st, why);
            cJSON_AddNumberToObject(reply, "first_broken", (double)i);
            return st;
        }
    }
    return FT_OK;
}

static ft_status finish(cJSON *o, ft_status st, char **out) {
    *out = ft_json_finish(o);
    return *out ? st : FT_E_NOMEM;
}

ft_status ft_consent_step_json(const char *json, size_t len, char **out) {
    if (!out || (!json && len)) return FT_E_INVALID_ARG;
    *out = NULL;
    cJSON *o = cJSON_CreateObject();
    if (!o) return FT_E_NOMEM;
    input in;
    ft_status st = read_input(json, len, &in, o, 1);
    if (st != FT_OK) goto done;
    const cJSON *sj = cJSON_GetObjectItemCaseSensitive(in.root, "step");
    char type[48], method[16], staff_id[FT_CONSENT_ID_MAX], staff_name[FT_CONSENT_NAME_MAX], version[FT_CONSENT_VERSION_MAX];
    char company[FT_CONSENT_COMPANY_MAX], word[FT_CONSENT_PHRASE_MAX];
    char *text = malloc(FT_CONSENT_TEXT_MAX);
    ft_consent_step step;
    memset(&step, 0, sizeof step);
    if (!text) {
        st = FT_E_NOMEM;
        goto done;
    }
    const char *shape = NULL;
    if (!cJSON_IsObject(sj)) shape = "\"step\" must be an object";
    else if (!get_str(sj, "type", type, sizeof type, 1) || !event_from_name(type, &step.type))
        shape = "\"step.type\" must be a consent event type (\"consent.script_read\", ...)";
    else if (!get_int(sj, "at", &step.at_ms)) shape = "\"step.at\" must be an integer (ms since the epoch)";
    else if (!get_str(sj, "method", method, sizeof method, 0) || !method_from_name(method, &step.method))
        shape = "\"step.method\" must be \"verbal\", \"written\" or \"keyword\"";
    else if (!get_str(sj, "staff_id", staff_id, sizeof staff_id, 0) || !get_str(sj, "staff_name", staff_name, sizeof staff_name, 0) ||
             !get_str(sj, "company_name", company, sizeof company, 0) || !get_str(sj, "text", text, FT_CONSENT_TEXT_MAX, 0) ||
             !get_str(sj, "version", version, sizeof version, 0) || !get_str(sj, "keyword", word, sizeof word, 0))
        shape = "a step field is not a string, too long or not UTF-8";
    if (shape) {
        free(text);
        st = set_err(o, FT_E_JSON_SHAPE, shape);
        goto done;
    }
    if (!word[0]) get_str(sj, "phrase", word, sizeof word, 0);
    step.staff_id = staff_id;
    step.staff_name = staff_name;
    step.company_name = company;
    step.text = text[0] ? text : NULL;
    step.version = version[0] ? version : NULL;
    step.keyword = word[0] ? word : NULL;
    ft_consent_record *rec = malloc(sizeof *rec);
    const char *why = NULL;
    st = rec ? ft_consent_apply(&in.state, &step, rec, &why) : FT_E_NOMEM;
    free(text);
    if (st == FT_OK) {
        cJSON *rj = record_to_json(rec), *sjson = state_to_json(&in.state);
        if (!rj || !sjson || !cJSON_AddTrueToObject(o, "ok")) {
            cJSON_Delete(rj);
            cJSON_Delete(sjson);
            st = FT_E_NOMEM;
        } else {
            cJSON_AddItemToObject(o, "record", rj);
            cJSON_AddItemToObject(o, "state", sjson);
        }
    } else if (st != FT_E_NOMEM) {
        st = set_err(o, st, why);
        cJSON *sjson = state_to_json(&in.state);
        if (sjson) cJSON_AddItemToObject(o, "state", sjson);
    }
    free(rec);
done:
    input_free(&in);
    if (st == FT_E_NOMEM) {
        cJSON_Delete(o);
        return st;
    }
    return finish(o, st, out);
}

static int kind_from_name(const char *s, ft_send_kind *k) {
    if (strcmp(s, "manual") == 0) *k = FT_SEND_MANUAL;
    else if (strcmp(s, "reminder") == 0) *k = FT_SEND_REMINDER;
    else if (strcmp(s, "on_the_way") == 0) *k = FT_SEND_ON_THE_WAY;
    else return 0;
    return 1;
}

ft_status ft_consent_can_send_json(const char *json, size_t len, char **out) {
    if (!out || (!json && len)) return FT_E_INVALID_ARG;
    *out = NULL;
    cJSON *o = cJSON_CreateObject();
    if (!o) return FT_E_NOMEM;
    input in;
    ft_status st = read_input(json, len, &in, o, 1);
    if (st != FT_OK) goto done;
    char kind_s[16], region[8];
    ft_send_kind kind;
    int64_t now = 0, off = 0;
    const cJSON *offj = cJSON_GetObjectItemCaseSensitive(in.root, "utc_offset_min");
    if (!get_str(in.root, "kind", kind_s, sizeof kind_s, 1) || !kind_from_name(kind_s, &kind)) {
        st = set_err(o, FT_E_JSON_SHAPE, "\"kind\" must be \"manual\", \"reminder\" or \"on_the_way\"");
    } else if (!get_int(in.root, "now", &now)) {
        st = set_err(o, FT_E_JSON_SHAPE, "\"now\" must be an integer (ms since the epoch)");
    } else if (offj && (!get_int(in.root, "utc_offset_min", &off) || off < -840 || off > 840)) {
        st = set_err(o, FT_E_JSON_SHAPE, "\"utc_offset_min\" must be an integer between -840 and 840");
    } else if (!get_str(in.root, "region", region, sizeof region, 0)) {
        st = set_err(o, FT_E_JSON_SHAPE, "\"region\" must be a state or province code");
    } else {
        ft_send_verdict v;
        st = ft_consent_can_send(&in.state, kind, now, (int32_t)off, region[0] ? region : NULL, &v);
        int ok = st == FT_OK ? cJSON_AddTrueToObject(o, "ok") != NULL : ft_json_set_error(o, st, NULL);
        cJSON *sj = state_to_json(&in.state);
        ok = ok && sj && cJSON_AddBoolToObject(o, "allowed", v.allowed) && cJSON_AddBoolToObject(o, "automated", v.automated) &&
             cJSON_AddNumberToObject(o, "local_minutes", v.local_min) &&
             cJSON_AddNumberToObject(o, "window_start_min", v.window_start_min) &&
             cJSON_AddNumberToObject(o, "window_end_min", v.window_end_min) &&
             (v.next_allowed_ms ? ft_json_add_int(o, "next_allowed_at", v.next_allowed_ms) != NULL
                                : cJSON_AddNullToObject(o, "next_allowed_at") != NULL);
        if (sj) cJSON_AddItemToObject(o, "state", sj);
        if (!ok) st = FT_E_NOMEM;
    }
done:
    input_free(&in);
    if (st == FT_E_NOMEM) {
        cJSON_Delete(o);
        return st;
    }
    return finish(o, st, out);
}

/* Verifies records (as read) against an optional expected head; fills v and the state. */
static ft_status verify_input(const char *json, size_t len, cJSON *o, input *in, char *expected, size_t cap) {
    memset(in, 0, sizeof *in);
    ft_status st = FT_OK;
    expected[0] = '\0';
    in->root = ft_json_parse(json, len, &st);
    if (!in->root) return set_err(o, st, NULL);
    const cJSON *arr = cJSON_IsArray(in->root) ? in->root : cJSON_GetObjectItemCaseSensitive(in->root, "records");
    if (!cJSON_IsArray(arr)) return set_err(o, FT_E_JSON_SHAPE, "expected {\"records\":[...]} or an array of records");
    if (cJSON_IsObject(in->root) && !get_str(in->root, "expected_head", expected, cap, 0))
        return set_err(o, FT_E_JSON_SHAPE, "\"expected_head\" must be 64 hex digits");
    st = read_records(arr, &in->list);
    if (st != FT_OK) return set_err(o, st, in->list.why);
    ft_consent_verify(in->list.r, in->list.n, expected[0] ? expected : NULL, &in->ver);
    if (in->list.bad_index >= 0) {
        /* a record that cannot even be read breaks the chain there, unless it broke earlier */
        if (in->ver.valid || in->ver.first_broken > in->list.bad_index) {
            in->ver.valid = 0;
            in->ver.first_broken = in->list.bad_index;
            in->ver.error = FT_E_CONSENT_RECORD;
            in->ver.reason = in->list.why;
        }
        in->ver.records = (uint32_t)cJSON_GetArraySize(arr);
    }
    if (in->list.n && ft_consent_state_init(&in->state, in->list.r[0].customer_id, in->list.r[0].phone) == FT_OK) {
        size_t upto = in->ver.valid ? in->list.n : (size_t)in->ver.first_broken;
        for (size_t i = 0; i < upto && i < in->list.n; i++) ft_consent_replay(&in->state, &in->list.r[i], NULL);
    }
    return FT_OK;
}

static int add_verification(cJSON *o, const ft_consent_verification *v) {
    if (!cJSON_AddBoolToObject(o, "valid", v->valid) || !cJSON_AddNumberToObject(o, "records", v->records) ||
        !cJSON_AddStringToObject(o, "head", v->head) || !cJSON_AddStringToObject(o, "reason", v->reason))
        return 0;
    if (v->valid) return cJSON_AddNullToObject(o, "first_broken") != NULL;
    return cJSON_AddNumberToObject(o, "first_broken", (double)v->first_broken) &&
           cJSON_AddStringToObject(o, "error_name", ft_strerror_name(v->error));
}

ft_status ft_consent_verify_json(const char *json, size_t len, char **out) {
    if (!out || (!json && len)) return FT_E_INVALID_ARG;
    *out = NULL;
    cJSON *o = cJSON_CreateObject();
    if (!o) return FT_E_NOMEM;
    input in;
    char expected[FT_CONSENT_HASH_HEX + 8];
    ft_status st = verify_input(json, len, o, &in, expected, sizeof expected);
    if (st == FT_OK) {
        st = in.ver.valid ? FT_OK : (in.ver.error ? in.ver.error : FT_E_CONSENT_CHAIN);
        int ok = st == FT_OK ? cJSON_AddTrueToObject(o, "ok") != NULL : ft_json_set_error(o, st, in.ver.reason);
        cJSON *sj = in.list.n ? state_to_json(&in.state) : cJSON_CreateNull();
        ok = ok && sj && add_verification(o, &in.ver);
        if (sj) cJSON_AddItemToObject(o, "state", sj);
        if (!ok) st = FT_E_NOMEM;
    }
    input_free(&in);
    if (st == FT_E_NOMEM) {
        cJSON_Delete(o);
        return st;
    }
    return finish(o, st, out);
}

/* ---------------------------------------------------------------- export */

/* "2025-03-14T15:09:26.535Z" from ms since the epoch (proleptic Gregorian, UTC). */
static void iso_utc(int64_t ms, char *buf, size_t cap) {
    int64_t days = floor_div(ms, 86400000), rem = ms - days * 86400000;
    int64_t z = days + 719468, era = floor_div(z, 146097);
    int64_t doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
    if (m <= 2) y++;
    snprintf(buf, cap, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%03lldZ", (long long)y, (long long)m, (long long)d,
             (long long)(rem / 3600000), (long long)(rem / 60000 % 60), (long long)(rem / 1000 % 60), (long long)(rem % 1000));
}

/* A growing text with a hard cap (FT_JSON_MAX_BYTES * 2). */
typedef struct {
    char *p;
    size_t n, cap;
    int failed;
} dynbuf;

static void db_add(dynbuf *b, const char *s, size_t n) {
    if (b->failed) return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->n + n + 1) cap *= 2;
        if (cap > 2u * FT_JSON_MAX_BYTES + (FT_CONSENT_MAX_RECORDS * 1024u)) {
            b->failed = 1;
            return;
        }
        char *p = realloc(b->p, cap);
        if (!p) {
            b->failed = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

/* One CSV field (RFC 4180). A field that a spreadsheet would run as a formula (= + - @ first)
 * gets a leading apostrophe, the usual guard: customer-written phrases end up here. */
static void csv_field(dynbuf *b, const char *s, int last) {
    int quote = strpbrk(s, ",\"\r\n") != NULL || (s[0] && strchr("=+-@\t", s[0]));
    if (quote) db_add(b, "\"", 1);
    if (s[0] && strchr("=+-@\t", s[0])) db_add(b, "'", 1);
    for (const char *p = s; *p; p++) {
        if (*p == '"') db_add(b, "\"\"", 2);
        else db_add(b, p, 1);
    }
    if (quote) db_add(b, "\"", 1);
    db_add(b, last ? "\r\n" : ",", last ? 2 : 1);
}

static void csv_pair(dynbuf *b, const char *k, const char *v) {
    csv_field(b, k, 0);
    csv_field(b, v, 1);
}

static char *export_csv(const input *in) {
    dynbuf b = {0};
    char t[80], num[32];
    const ft_consent_verification *v = &in->ver;
    csv_pair(&b, "Consent history (SMS)", in->list.n ? in->list.r[0].customer_id : "");
    csv_pair(&b, "Phone", in->list.n ? in->list.r[0].phone : "");
    const cJSON *g = cJSON_IsObject(in->root) ? cJSON_GetObjectItemCaseSensitive(in->root, "generated_at") : NULL;
    if (cJSON_IsNumber(g)) {
        iso_utc((int64_t)g->valuedouble, t, sizeof t);
        csv_pair(&b, "Generated at (UTC)", t);
    }
    csv_pair(&b, "Current status", ft_consent_status_name(in->state.status));
    char verdict[400];
    if (v->valid)
        snprintf(verdict, sizeof verdict, "VALID: %u records, SHA-256 chain intact", (unsigned)v->records);
    else
        snprintf(verdict, sizeof verdict, "BROKEN at record %lld: %s", (long long)v->first_broken, v->reason);
    csv_pair(&b, "Chain verification", verdict);
    csv_pair(&b, "Head hash", v->head);
    db_add(&b, "\r\n", 2);
    static const char *const cols[] = {"index",   "time_utc", "at_ms",        "event",        "actor",     "staff_name",
                                       "customer_id", "phone", "method", "keyword_or_phrase", "text_version", "text_shown",
                                       "prev_hash", "hash", "chain_ok"};
    size_t ncols = sizeof cols / sizeof cols[0];
    for (size_t i = 0; i < ncols; i++) csv_field(&b, cols[i], i + 1 == ncols);
    for (size_t i = 0; i < in->list.n; i++) {
        const ft_consent_record *r = &in->list.r[i];
        snprintf(num, sizeof num, "%u", (unsigned)r->index);
        csv_field(&b, num, 0);
        iso_utc(r->at_ms, t, sizeof t);
        csv_field(&b, t, 0);
        snprintf(num, sizeof num, "%lld", (long long)r->at_ms);
        csv_field(&b, num, 0);
        csv_field(&b, ft_consent_event_name(r->type), 0);
        csv_field(&b, r->actor, 0);
        csv_field(&b, r->staff_name, 0);
        csv_field(&b, r->customer_id, 0);
        csv_field(&b, r->phone, 0);
        csv_field(&b, ft_consent_method_name(r->method), 0);
        csv_field(&b, r->keyword, 0);
        csv_field(&b, r->version, 0);
        csv_field(&b, r->text, 0);
        csv_field(&b, r->prev_hash, 0);
        csv_field(&b, r->hash, 0);
        csv_field(&b, v->valid || (int64_t)i < v->first_broken ? "yes" : "NO", 1);
    }
    if (b.failed) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

static cJSON *export_json(const input *in) {
    cJSON *d = cJSON_CreateObject(), *ver = NULL, *recs = NULL;
    char t[80];
    if (!d) return NULL;
    const cJSON *g = cJSON_IsObject(in->root) ? cJSON_GetObjectItemCaseSensitive(in->root, "generated_at") : NULL;
    int ok = cJSON_AddStringToObject(d, "title", "Consent history (SMS)") &&
             cJSON_AddStringToObject(d, "customer_id", in->list.n ? in->list.r[0].customer_id : "") &&
             cJSON_AddStringToObject(d, "phone", in->list.n ? in->list.r[0].phone : "") &&
             cJSON_AddStringToObject(d, "status", ft_consent_status_name(in->state.status));
    if (ok && cJSON_IsNumber(g)) {
        iso_utc((int64_t)g->valuedouble, t, sizeof t);
        ok = ft_json_add_int(d, "generated_at", (int64_t)g->valuedouble) && cJSON_AddStringToObject(d, "generated_at_utc", t);
    }
    ok = ok && (ver = cJSON_AddObjectToObject(d, "verification")) && add_verification(ver, &in->ver) &&
         cJSON_AddStringToObject(ver, "method",
                                 "each record's hash is SHA-256 over the previous hash and the record's canonical "
                                 "bytes (fieldtext-consent-v1); every record was re-hashed and the consent steps "
                                 "replayed in order") &&
         (recs = cJSON_AddArrayToObject(d, "records"));
    for (size_t i = 0; ok && i < in->list.n; i++) {
        cJSON *r = record_to_json(&in->list.r[i]);
        ok = r != NULL;
        if (ok) {
            iso_utc(in->list.r[i].at_ms, t, sizeof t);
            cJSON_AddItemToArray(recs, r);
            ok = cJSON_AddStringToObject(r, "time_utc", t) &&
                 cJSON_AddBoolToObject(r, "chain_ok", in->ver.valid || (int64_t)i < in->ver.first_broken);
        }
    }
    if (!ok) {
        cJSON_Delete(d);
        return NULL;
    }
    return d;
}

ft_status ft_consent_export(const char *json, size_t len, const char *format, char **out) {
    if (!out || (!json && len)) return FT_E_INVALID_ARG;
    *out = NULL;
    int csv = format && strcmp(format, "csv") == 0;
    if (format && !csv && strcmp(format, "json") != 0) {
        *out = ft_json_error_reply(FT_E_INVALID_ARG, "the export format is \"json\" or \"csv\"");
        return *out ? FT_E_INVALID_ARG : FT_E_NOMEM;
    }
    cJSON *o = cJSON_CreateObject();
    if (!o) return FT_E_NOMEM;
    input in;
    char expected[FT_CONSENT_HASH_HEX + 8];
    ft_status st = verify_input(json, len, o, &in, expected, sizeof expected);
    if (st == FT_OK) {
        int ok = cJSON_AddTrueToObject(o, "ok") && cJSON_AddStringToObject(o, "format", csv ? "csv" : "json");
        cJSON *vj = cJSON_CreateObject();
        ok = ok && vj && add_verification(vj, &in.ver);
        if (vj) cJSON_AddItemToObject(o, "verification", vj);
        if (ok && csv) {
            char *doc = export_csv(&in);
            ok = doc && cJSON_AddStringToObject(o, "document", doc);
            free(doc);
        } else if (ok) {
            cJSON *doc = export_json(&in);
            ok = doc != NULL;
            if (ok) cJSON_AddItemToObject(o, "document", doc);
        }
        if (!ok) st = FT_E_NOMEM;
    }
    input_free(&in);
    if (st == FT_E_NOMEM) {
        cJSON_Delete(o);
        return st;
    }
    return finish(o, st, out);
}
