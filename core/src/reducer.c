/* fieldtext core: the event reducer (see fieldtext/reducer.h).
 *
 * The state is kept as cJSON trees keyed by customer id, phone and message id, because the state is
 * itself the JSON the hosts show; lookups are linear in the number of keys, which is fine for one
 * business (hundreds to a few thousand customers). */
#include "fieldtext/reducer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "fieldtext/cost.h"
#include "fieldtext/json.h"
#include "fieldtext/segment.h"
#include "json_util.h"

struct ft_reducer {
    cJSON *customers; /* {customer_id: {...}} */
    cJSON *consent;   /* {phone: {...}} */
    cJSON *threads;   /* {phone: {..., "messages":[...]}} */
    cJSON *msg_phone; /* {message_id: phone} */
    cJSON *sid_msg;   /* {sid: message_id} */
    int64_t balance, purchased, debited, refunded;
    int64_t last_seq;
    int compact; /* ft_reducer_new_compact: consent (without stamps), balance and last_seq only */
};

ft_status ft_reducer_new(ft_reducer **out) {
    if (!out) return FT_E_INVALID_ARG;
    *out = NULL;
    ft_reducer *r = calloc(1, sizeof *r);
    if (!r) return FT_E_NOMEM;
    r->customers = cJSON_CreateObject();
    r->consent = cJSON_CreateObject();
    r->threads = cJSON_CreateObject();
    r->msg_phone = cJSON_CreateObject();
    r->sid_msg = cJSON_CreateObject();
    if (!r->customers || !r->consent || !r->threads || !r->msg_phone || !r->sid_msg) {
        ft_reducer_free(r);
        return FT_E_NOMEM;
    }
    *out = r;
    return FT_OK;
}

ft_status ft_reducer_new_compact(ft_reducer **out) {
    ft_status st = ft_reducer_new(out);
    if (st == FT_OK) (*out)->compact = 1;
    return st;
}

void ft_reducer_free(ft_reducer *r) {
    if (!r) return;
    cJSON_Delete(r->customers);
    cJSON_Delete(r->consent);
    cJSON_Delete(r->threads);
    cJSON_Delete(r->msg_phone);
    cJSON_Delete(r->sid_msg);
    free(r);
}

/* ---- small helpers ---- */

static const char *str_of(const cJSON *obj, const char *name) {
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);
    return cJSON_IsString(it) && it->valuestring ? it->valuestring : NULL;
}

static int64_t int_of(const cJSON *obj, const char *name, int64_t dflt) {
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (cJSON_IsNumber(it)) {
        /* Out of int64_t's range (1e300, or 1e999 read as infinity) saturates, as strtoll does for
         * a string: converting such a double is undefined behaviour. */
        double d = it->valuedouble;
        if (d != d) return dflt;
        if (d >= 9223372036854775807.0) return INT64_MAX;
        if (d <= -9223372036854775808.0) return INT64_MIN;
        return (int64_t)d;
    }
    if (cJSON_IsString(it) && it->valuestring) return strtoll(it->valuestring, NULL, 10);
    return dflt;
}

/* *out = a + b, or 0 when the sum leaves int64_t (signed overflow is undefined behaviour). */
static int add_i64(int64_t a, int64_t b, int64_t *out) {
    if (b > 0 ? a > INT64_MAX - b : a < INT64_MIN - b) return 0;
    *out = a + b;
    return 1;
}

/* Replaces (or adds) obj[name] with item; deletes item on failure. Returns 0 on NOMEM. */
static int put(cJSON *obj, const char *name, cJSON *item) {
    if (!item) return 0;
    if (cJSON_GetObjectItemCaseSensitive(obj, name)) {
        return cJSON_ReplaceItemInObjectCaseSensitive(obj, name, item) ? 1 : (cJSON_Delete(item), 0);
    }
    return cJSON_AddItemToObject(obj, name, item) ? 1 : (cJSON_Delete(item), 0);
}

static int put_str(cJSON *obj, const char *name, const char *v) {
    return put(obj, name, v ? cJSON_CreateString(v) : cJSON_CreateNull());
}

static int put_num(cJSON *obj, const char *name, int64_t v) {
    return put(obj, name, cJSON_CreateNumber((double)v));
}

static int put_bool(cJSON *obj, const char *name, int v) {
    return put(obj, name, cJSON_CreateBool(v));
}

/* Copies body[name] (if it is a string) into obj[name]. */
static int copy_str(cJSON *obj, const cJSON *body, const char *name) {
    const char *v = str_of(body, name);
    return v ? put_str(obj, name, v) : 1;
}

/* obj[key], created as an empty object when missing. NULL on NOMEM. */
static cJSON *child(cJSON *obj, const char *key) {
    cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (it) return it;
    it = cJSON_CreateObject();
    if (!it) return NULL;
    if (!cJSON_AddItemToObject(obj, key, it)) {
        cJSON_Delete(it);
        return NULL;
    }
    return it;
}

/* The audit stamp of a consent step: who and when. */
static cJSON *stamp(const cJSON *ev, const cJSON *body) {
    cJSON *s = cJSON_CreateObject();
    if (!s) return NULL;
    const char *actor = str_of(ev, "actor");
    const char *id = str_of(ev, "id");
    if (!put_num(s, "at", int_of(ev, "at", 0)) || !put_str(s, "actor", actor) || !put_str(s, "event_id", id) ||
        !put_num(s, "seq", int_of(ev, "seq", 0))) {
        cJSON_Delete(s);
        return NULL;
    }
    static const char *const extra[] = {"method", "script_version", "disclosure_version", "keyword", "phrase",
                                        "customer_id"};
    for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++) {
        if (!copy_str(s, body, extra[i])) {
            cJSON_Delete(s);
            return NULL;
        }
    }
    return s;
}

/* The stamp a consent step records: the audit stamp, or true in a compact reducer (which keeps
 * only whether the step is recorded). */
static cJSON *stamp_of(const ft_reducer *r, const cJSON *ev, const cJSON *body) {
    return r->compact ? cJSON_CreateTrue() : stamp(ev, body);
}

static cJSON *consent_entry(ft_reducer *r, const char *phone) {
    cJSON *c = cJSON_GetObjectItemCaseSensitive(r->consent, phone);
    if (c) return c;
    c = child(r->consent, phone);
    if (!c) return NULL;
    if (!put_str(c, "phone", phone) || !put_str(c, "state", "none") || !put(c, "script_read", cJSON_CreateNull()) ||
        !put(c, "screen_acknowledged", cJSON_CreateNull()) || !put(c, "box_checked", cJSON_CreateNull()) ||
        !put(c, "opted_in", cJSON_CreateNull()) || !put(c, "opted_out", cJSON_CreateNull()))
        return NULL;
    return c;
}

static int steps_done(const cJSON *c) {
    static const char *const steps[] = {"script_read", "screen_acknowledged", "box_checked"};
    int n = 0;
    for (size_t i = 0; i < 3; i++) {
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(c, steps[i]);
        if (s && !cJSON_IsNull(s)) n++; /* a stamp (or true, compact) when recorded */
    }
    return n;
}

static cJSON *thread_entry(ft_reducer *r, const char *phone) {
    cJSON *t = cJSON_GetObjectItemCaseSensitive(r->threads, phone);
    if (t) return t;
    t = child(r->threads, phone);
    if (!t) return NULL;
    if (!put_str(t, "phone", phone) || !put(t, "customer_id", cJSON_CreateNull()) ||
        !put(t, "claimed_by", cJSON_CreateNull()) || !put_bool(t, "resolved", 0) || !put_num(t, "last_at", 0) ||
        !put_num(t, "unread", 0) || !put(t, "messages", cJSON_CreateArray()))
        return NULL;
    /* Link the thread to a known customer with that phone. */
    cJSON *cu;
    cJSON_ArrayForEach(cu, r->customers) {
        const char *p = str_of(cu, "phone");
        if (p && strcmp(p, phone) == 0) {
            if (!put_str(t, "customer_id", str_of(cu, "customer_id"))) return NULL;
        }
    }
    return t;
}

/* Appends an entry to a thread's messages. Returns the entry, NULL on NOMEM. */
static cJSON *thread_add(ft_reducer *r, const char *phone, const cJSON *ev, const char *kind) {
    cJSON *t = thread_entry(r, phone);
    if (!t) return NULL;
    cJSON *m = cJSON_CreateObject();
    if (!m) return NULL;
    int64_t at = int_of(ev, "at", 0);
    if (!put_str(m, "kind", kind) || !put_str(m, "event_id", str_of(ev, "id")) ||
        !put_num(m, "seq", int_of(ev, "seq", 0)) || !put_num(m, "at", at) || !put_str(m, "actor", str_of(ev, "actor")) ||
        !cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(t, "messages"), m)) {
        cJSON_Delete(m);
        return NULL;
    }
    if (at > int_of(t, "last_at", 0) && !put_num(t, "last_at", at)) return NULL;
    return m;
}

static cJSON *find_message(ft_reducer *r, const char *message_id) {
    const char *phone = str_of(r->msg_phone, message_id);
    if (!phone) return NULL;
    cJSON *t = cJSON_GetObjectItemCaseSensitive(r->threads, phone);
    cJSON *m;
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(t, "messages")) {
        const char *id = str_of(m, "message_id");
        if (id && strcmp(id, message_id) == 0) return m;
    }
    return NULL;
}

/* ---- event kinds ---- */

static ft_status on_customer_saved(ft_reducer *r, const cJSON *ev, const cJSON *body) {
    const char *id = str_of(body, "customer_id");
    if (!id) return FT_E_JSON_SHAPE;
    cJSON *c = child(r->customers, id);
    if (!c) return FT_E_NOMEM;
    static const char *const fields[] = {"customer_id", "name", "phone", "type", "class", "address", "tz"};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        if (!copy_str(c, body, fields[i])) return FT_E_NOMEM;
    }
    if (!put_num(c, "updated_at", int_of(ev, "at", 0))) return FT_E_NOMEM;
    const char *phone = str_of(body, "phone");
    if (phone) {
        cJSON *t = cJSON_GetObjectItemCaseSensitive(r->threads, phone);
        if (t && !put_str(t, "customer_id", id)) return FT_E_NOMEM;
    }
    return FT_OK;
}

static ft_status on_consent_step(ft_reducer *r, const cJSON *ev, const cJSON *body, const char *step) {
    const char *phone = str_of(body, "phone");
    if (!phone) return FT_E_JSON_SHAPE;
    cJSON *c = consent_entry(r, phone);
    if (!c || !put(c, step, stamp_of(r, ev, body))) return FT_E_NOMEM;
    const char *state = str_of(c, "state");
    if (steps_done(c) == 3) {
        if (!put_str(c, "state", "opted_in") || !put(c, "opted_in", stamp_of(r, ev, body))) return FT_E_NOMEM;
    } else if (state && strcmp(state, "none") == 0) {
        if (!put_str(c, "state", "pending")) return FT_E_NOMEM;
    } else if (state && strcmp(state, "opted_out") == 0) {
        /* A new consent round after an opt-out: it counts once all three steps are recorded again. */
        if (!put_str(c, "state", "pending")) return FT_E_NOMEM;
    }
    return FT_OK;
}

static ft_status on_opted_out(ft_reducer *r, const cJSON *ev, const cJSON *body) {
    const char *phone = str_of(body, "phone");
    if (!phone) return FT_E_JSON_SHAPE;
    cJSON *c = consent_entry(r, phone);
    if (!c) return FT_E_NOMEM;
    /* Consent steps recorded before the opt-out no longer count: a new round needs all three. */
    if (!put_str(c, "state", "opted_out") || !put(c, "opted_out", stamp_of(r, ev, body)) ||
        !put(c, "script_read", cJSON_CreateNull()) || !put(c, "screen_acknowledged", cJSON_CreateNull()) ||
        !put(c, "box_checked", cJSON_CreateNull()))
        return FT_E_NOMEM;
    return FT_OK;
}

static ft_status on_opted_in(ft_reducer *r, const cJSON *ev, const cJSON *body) {
    const char *phone = str_of(body, "phone");
    if (!phone) return FT_E_JSON_SHAPE;
    cJSON *c = consent_entry(r, phone);
    if (!c) return FT_E_NOMEM;
    if (!put_str(c, "state", "opted_in") || !put(c, "opted_in", stamp_of(r, ev, body))) return FT_E_NOMEM;
    return FT_OK;
}

static ft_status on_message(ft_reducer *r, const cJSON *ev, const cJSON *body, const char *kind) {
    const char *phone = str_of(body, "phone");
    if (!phone) return FT_E_JSON_SHAPE;
    cJSON *m = thread_add(r, phone, ev, kind);
    if (!m) return FT_E_NOMEM;
    const char *text = str_of(body, strcmp(kind, "note") == 0 ? "text" : "body");
    if (!put_str(m, "body", text ? text : "")) return FT_E_NOMEM;
    cJSON *t = cJSON_GetObjectItemCaseSensitive(r->threads, phone);
    if (strcmp(kind, "out") == 0) {
        const char *mid = str_of(body, "message_id");
        if (!mid) mid = str_of(ev, "id");
        if (!mid) return FT_E_JSON_SHAPE;
        /* "kind" is the entry's direction (out / in / note) and stays "out"; the send's own kind
         * (manual, reminder, on_the_way; none counts as manual) is kept beside it as send_kind. */
        const char *send_kind = str_of(body, "kind");
        if (!put_str(m, "message_id", mid) || !put_str(m, "send_kind", send_kind ? send_kind : "manual") ||
            !put_str(m, "status", "queued") || !put(m, "sid", cJSON_CreateNull()) ||
            !put_num(m, "segments", int_of(body, "segments", 0)))
            return FT_E_NOMEM;
        if (!put_str(r->msg_phone, mid, phone)) return FT_E_NOMEM;
    } else if (strcmp(kind, "in") == 0) {
        if (!copy_str(m, body, "sid") || !put_num(m, "segments", int_of(body, "segments", 1)) ||
            !put_str(m, "status", "received"))
            return FT_E_NOMEM;
        /* The customer wrote again: a resolved thread returns to "All", unclaimed. */
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t, "resolved"))) {
            if (!put_bool(t, "resolved", 0) || !put(t, "claimed_by", cJSON_CreateNull())) return FT_E_NOMEM;
        }
        int64_t unread = int_of(t, "unread", 0); /* a restored snapshot's count may be anything */
        if (!put_num(t, "unread", unread < INT64_MAX ? unread + 1 : unread)) return FT_E_NOMEM;
    }
    return FT_OK;
}

/* How far along a message's status is. Twilio's status callbacks may arrive out of order, and the
 * relay's message.sent may be written after a callback: a status never replaces one further along
 * (a late "sent" does not undo "delivered"). The outcomes (delivered, undelivered, failed, read,
 * canceled...) share the last rank, so a later outcome still replaces an earlier one (delivered ->
 * read; a relay "failed" that Twilio's callback then says was delivered). Unknown statuses rank as
 * outcomes: a newer writer's status is shown rather than dropped. */
static int status_rank(const char *status) {
    static const struct {
        const char *name;
        int rank;
    } order[] = {{"queued", 0}, {"accepted", 1}, {"scheduled", 1}, {"sending", 2}, {"sent", 3}, {"receiving", 3}};
    if (!status) return 0;
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        if (strcmp(status, order[i].name) == 0) return order[i].rank;
    }
    return 4;
}

static ft_status on_message_update(ft_reducer *r, const cJSON *body, const char *status_override) {
    const char *mid = str_of(body, "message_id");
    const char *sid = str_of(body, "sid");
    if (!mid && sid) mid = str_of(r->sid_msg, sid);
    if (!mid) return FT_OK; /* a status for a message this log does not know: nothing to fold */
    cJSON *m = find_message(r, mid);
    if (!m) return FT_OK;
    if (sid) {
        if (!put_str(m, "sid", sid) || !put_str(r->sid_msg, sid, mid)) return FT_E_NOMEM;
    }
    const cJSON *seg = cJSON_GetObjectItemCaseSensitive(body, "segments");
    if (seg && !put_num(m, "segments", int_of(body, "segments", 0))) return FT_E_NOMEM;
    if (!copy_str(m, body, "encoding")) return FT_E_NOMEM;
    const char *status = status_override ? status_override : str_of(body, "status");
    /* An overtaken status (and the error it carries) says nothing new about the message. */
    if (status && status_rank(status) < status_rank(str_of(m, "status"))) return FT_OK;
    if (status && !put_str(m, "status", status)) return FT_E_NOMEM;
    const cJSON *err = cJSON_GetObjectItemCaseSensitive(body, "error");
    if (err && !put(m, "error", cJSON_Duplicate(err, 1))) return FT_E_NOMEM;
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(body, "error_code");
    if (code && !put(m, "error_code", cJSON_Duplicate(code, 1))) return FT_E_NOMEM;
    return FT_OK;
}

static ft_status on_thread(ft_reducer *r, const cJSON *ev, const cJSON *body, const char *type) {
    const char *phone = str_of(body, "phone");
    if (!phone) return FT_E_JSON_SHAPE;
    /* An unknown thread.* type is ignored like any unknown type (no empty thread made for it). */
    if (strcmp(type, "thread.claimed") != 0 && strcmp(type, "thread.transferred") != 0 &&
        strcmp(type, "thread.resolved") != 0 && strcmp(type, "thread.read") != 0)
        return FT_OK;
    cJSON *t = thread_entry(r, phone);
    if (!t) return FT_E_NOMEM;
    if (strcmp(type, "thread.claimed") == 0) {
        const char *who = str_of(body, "user_id");
        if (!who) who = str_of(ev, "actor");
        if (!put_str(t, "claimed_by", who) || !put_bool(t, "resolved", 0)) return FT_E_NOMEM;
    } else if (strcmp(type, "thread.transferred") == 0) {
        if (!put_str(t, "claimed_by", str_of(body, "to_user_id")) || !put_bool(t, "resolved", 0)) return FT_E_NOMEM;
    } else if (strcmp(type, "thread.resolved") == 0) {
        if (!put_bool(t, "resolved", 1) || !put_num(t, "unread", 0)) return FT_E_NOMEM;
    } else if (strcmp(type, "thread.read") == 0) {
        if (!put_num(t, "unread", 0)) return FT_E_NOMEM;
    }
    return FT_OK;
}

/* What the customer, message and thread events need, checked before anything is folded, by the
 * full reducer and the compact one alike: the compact reducer skips these events but must refuse
 * the same ones (its last_seq must not pass an event the full reducer refused), and a refused event
 * must change nothing (a message.send without an id used to leave its entry in the thread). The
 * relay writes no event that fails here, so folds of its logs are unchanged. */
static ft_status check_shape(const char *type, const cJSON *ev, const cJSON *body) {
    if (strcmp(type, "customer.saved") == 0) return str_of(body, "customer_id") ? FT_OK : FT_E_JSON_SHAPE;
    if (strcmp(type, "message.send") == 0)
        return str_of(body, "phone") && (str_of(body, "message_id") || str_of(ev, "id")) ? FT_OK : FT_E_JSON_SHAPE;
    if (strcmp(type, "message.received") == 0 || strcmp(type, "note.added") == 0 || strncmp(type, "thread.", 7) == 0)
        return str_of(body, "phone") ? FT_OK : FT_E_JSON_SHAPE;
    return FT_OK;
}

/* Adds s segments to a ledger total and sign * s to the balance. An amount that would take either
 * out of int64_t (only a corrupt or hostile event: real ones are bundle sizes and message segments)
 * is refused, FT_E_TOO_LARGE with nothing changed, instead of overflowing. */
static ft_status ledger_add(ft_reducer *r, int64_t *total, int64_t s, int sign) {
    int64_t b = 0, t = 0;
    int ok = sign > 0 ? add_i64(r->balance, s, &b) : (s != INT64_MIN && add_i64(r->balance, -s, &b));
    if (!ok || !add_i64(*total, s, &t)) return FT_E_TOO_LARGE;
    r->balance = b;
    *total = t;
    return FT_OK;
}

static ft_status fold(ft_reducer *r, const cJSON *ev) {
    if (!cJSON_IsObject(ev)) return FT_E_JSON_SHAPE;
    const char *type = str_of(ev, "type");
    if (!type) return FT_E_JSON_SHAPE;
    const cJSON *body = cJSON_GetObjectItemCaseSensitive(ev, "body");
    if (!cJSON_IsObject(body)) return FT_E_JSON_SHAPE;
    ft_status st = check_shape(type, ev, body);
    if (st != FT_OK) return st;
    /* Consent and the balance first: a compact reducer keeps these and nothing else. */
    if (strcmp(type, "consent.script_read") == 0) {
        st = on_consent_step(r, ev, body, "script_read");
    } else if (strcmp(type, "consent.screen_acknowledged") == 0) {
        st = on_consent_step(r, ev, body, "screen_acknowledged");
    } else if (strcmp(type, "consent.box_checked") == 0) {
        st = on_consent_step(r, ev, body, "box_checked");
    } else if (strcmp(type, "consent.opted_out") == 0 || strcmp(type, "consent.optout_request") == 0) {
        /* A natural-language request ("please stop texting me") is a revocation (FCC, April 2025). */
        st = on_opted_out(r, ev, body);
    } else if (strcmp(type, "consent.opted_in") == 0) {
        st = on_opted_in(r, ev, body);
    } else if (strcmp(type, "bundle.purchased") == 0) {
        st = ledger_add(r, &r->purchased, int_of(body, "segments", 0), 1);
    } else if (strcmp(type, "balance.debited") == 0) {
        st = ledger_add(r, &r->debited, int_of(body, "segments", 0), -1);
    } else if (strcmp(type, "balance.refunded") == 0) {
        st = ledger_add(r, &r->refunded, int_of(body, "segments", 0), 1);
    } else if (r->compact) {
        /* customers, threads and messages: not kept by a compact reducer */
    } else if (strcmp(type, "customer.saved") == 0) {
        st = on_customer_saved(r, ev, body);
    } else if (strcmp(type, "message.send") == 0) {
        st = on_message(r, ev, body, "out");
    } else if (strcmp(type, "message.received") == 0) {
        st = on_message(r, ev, body, "in");
    } else if (strcmp(type, "note.added") == 0) {
        st = on_message(r, ev, body, "note");
    } else if (strcmp(type, "message.sent") == 0) {
        st = on_message_update(r, body, "sent");
    } else if (strcmp(type, "message.failed") == 0) {
        st = on_message_update(r, body, "failed");
    } else if (strcmp(type, "message.status") == 0) {
        st = on_message_update(r, body, NULL);
    } else if (strncmp(type, "thread.", 7) == 0) {
        st = on_thread(r, ev, body, type);
    }
    if (st != FT_OK) return st;
    int64_t seq = int_of(ev, "seq", 0);
    if (seq > r->last_seq) r->last_seq = seq;
    return FT_OK;
}

ft_status ft_reducer_apply(ft_reducer *r, const char *json, size_t len) {
    if (!r || (!json && len)) return FT_E_INVALID_ARG;
    if (len > FT_REDUCER_MAX_EVENT_BYTES) return FT_E_TOO_LARGE;
    ft_status st = FT_OK;
    cJSON *ev = ft_json_parse(json, len, &st);
    if (!ev) return st;
    st = fold(r, ev);
    cJSON_Delete(ev);
    return st;
}

static ft_status apply_array(ft_reducer *r, const cJSON *root) {
    const cJSON *arr = cJSON_IsArray(root) ? root : cJSON_GetObjectItemCaseSensitive(root, "events");
    if (!cJSON_IsArray(arr)) return FT_E_JSON_SHAPE;
    const cJSON *ev;
    cJSON_ArrayForEach(ev, arr) {
        ft_status st = fold(r, ev);
        if (st != FT_OK) return st;
    }
    return FT_OK;
}

ft_status ft_reducer_apply_all(ft_reducer *r, const char *json, size_t len) {
    if (!r || (!json && len)) return FT_E_INVALID_ARG;
    ft_status st = FT_OK;
    cJSON *root = ft_json_parse(json, len, &st);
    if (!root) return st;
    st = apply_array(r, root);
    cJSON_Delete(root);
    return st;
}

int64_t ft_reducer_balance(const ft_reducer *r) { return r ? r->balance : 0; }

int64_t ft_reducer_last_seq(const ft_reducer *r) { return r ? r->last_seq : 0; }

ft_log_consent ft_reducer_consent_of(const ft_reducer *r, const char *phone) {
    if (!r || !phone) return FT_LOG_CONSENT_NONE;
    const char *state = str_of(cJSON_GetObjectItemCaseSensitive(r->consent, phone), "state");
    if (!state) return FT_LOG_CONSENT_NONE;
    if (strcmp(state, "opted_in") == 0) return FT_LOG_CONSENT_OPTED_IN;
    if (strcmp(state, "opted_out") == 0) return FT_LOG_CONSENT_OPTED_OUT;
    if (strcmp(state, "pending") == 0) return FT_LOG_CONSENT_PENDING;
    return FT_LOG_CONSENT_NONE;
}

ft_status ft_reducer_check_send(const ft_reducer *r, const char *phone, const char *body, size_t len,
                                uint32_t *segments) {
    if (!r || !phone || (!body && len)) return FT_E_INVALID_ARG;
    ft_segment_count c;
    ft_status st = ft_segment_count_text(body, len, 0, &c, NULL);
    if (st != FT_OK) return st;
    st = ft_segment_check_sendable(&c);
    if (st != FT_OK) return st;
    switch (ft_reducer_consent_of(r, phone)) {
    case FT_LOG_CONSENT_OPTED_IN: break;
    case FT_LOG_CONSENT_OPTED_OUT: return FT_E_LOG_OPTED_OUT;
    default: return FT_E_LOG_NO_CONSENT;
    }
    int64_t after = 0;
    st = ft_balance_debit(r->balance, c.segments, &after);
    if (st != FT_OK) return st;
    if (segments) *segments = c.segments;
    return FT_OK;
}

/* ---- output ---- */

static int64_t last_at_of(const cJSON *t) { return int_of(t, "last_at", 0); }

static int cmp_threads(const void *a, const void *b) {
    int64_t x = last_at_of(*(const cJSON *const *)a), y = last_at_of(*(const cJSON *const *)b);
    if (x != y) return x > y ? -1 : 1;
    return strcmp(str_of(*(const cJSON *const *)a, "phone"), str_of(*(const cJSON *const *)b, "phone"));
}

char *ft_reducer_state_json(const ft_reducer *r) {
    if (!r) return NULL;
    cJSON *out = cJSON_CreateObject();
    if (!out) return NULL;
    cJSON *bal = cJSON_CreateObject();
    if (!cJSON_AddBoolToObject(out, "ok", 1) || !ft_json_add_int(out, "last_seq", r->last_seq) || !bal ||
        !cJSON_AddItemToObject(out, "balance", bal) || !ft_json_add_int(bal, "segments", r->balance) ||
        !ft_json_add_int(bal, "purchased", r->purchased) || !ft_json_add_int(bal, "debited", r->debited) ||
        !ft_json_add_int(bal, "refunded", r->refunded))
        goto fail;
    cJSON *customers = cJSON_AddArrayToObject(out, "customers");
    if (!customers) goto fail;
    const cJSON *cu;
    cJSON_ArrayForEach(cu, r->customers) {
        cJSON *copy = cJSON_Duplicate(cu, 1);
        if (!copy || !cJSON_AddItemToArray(customers, copy)) {
            cJSON_Delete(copy);
            goto fail;
        }
        const char *phone = str_of(cu, "phone");
        const char *state = phone ? str_of(cJSON_GetObjectItemCaseSensitive(r->consent, phone), "state") : NULL;
        if (!put_str(copy, "consent", state ? state : "none")) goto fail;
    }
    cJSON *consent = cJSON_Duplicate(r->consent, 1);
    if (!consent || !cJSON_AddItemToObject(out, "consent", consent)) {
        cJSON_Delete(consent);
        goto fail;
    }
    int n = cJSON_GetArraySize(r->threads);
    const cJSON **list = n > 0 ? malloc((size_t)n * sizeof *list) : NULL;
    if (n > 0 && !list) goto fail;
    int i = 0;
    const cJSON *t;
    cJSON_ArrayForEach(t, r->threads) list[i++] = t;
    if (n > 1) qsort(list, (size_t)n, sizeof *list, cmp_threads);
    cJSON *threads = cJSON_AddArrayToObject(out, "threads");
    for (i = 0; threads && i < n; i++) {
        cJSON *copy = cJSON_Duplicate(list[i], 1);
        if (!copy || !cJSON_AddItemToArray(threads, copy)) {
            cJSON_Delete(copy);
            threads = NULL;
        }
    }
    free(list);
    if (!threads) goto fail;
    return ft_json_finish(out);
fail:
    cJSON_Delete(out);
    return NULL;
}

/* ---- snapshots ---- */

char *ft_reducer_snapshot_json(const ft_reducer *r) {
    if (!r) return NULL;
    cJSON *out = cJSON_CreateObject();
    if (!out) return NULL;
    if (!ft_json_add_int(out, "v", FT_REDUCER_SNAPSHOT_VERSION) || !cJSON_AddBoolToObject(out, "compact", r->compact) ||
        !ft_json_add_int(out, "last_seq", r->last_seq) || !ft_json_add_int(out, "balance", r->balance) ||
        !ft_json_add_int(out, "purchased", r->purchased) || !ft_json_add_int(out, "debited", r->debited) ||
        !ft_json_add_int(out, "refunded", r->refunded))
        goto fail;
    /* The maps as they are (insertion order kept): a restored reducer snapshots to the same text. */
    const struct {
        const char *name;
        const cJSON *map;
    } maps[] = {{"customers", r->customers}, {"consent", r->consent}, {"threads", r->threads},
                {"msg_phone", r->msg_phone}, {"sid_msg", r->sid_msg}};
    for (size_t i = 0; i < sizeof maps / sizeof maps[0]; i++) {
        cJSON *copy = cJSON_Duplicate(maps[i].map, 1);
        if (!copy || !cJSON_AddItemToObject(out, maps[i].name, copy)) {
            cJSON_Delete(copy);
            goto fail;
        }
    }
    return ft_json_finish(out);
fail:
    cJSON_Delete(out);
    return NULL;
}

/* An exact integer field, as ft_json_add_int writes it: a number when |v| < 2^53, else a string of
 * decimal digits (a balance or seq that large must restore too, or the snapshot is refused). */
static int snap_int(const cJSON *o, const char *name, int64_t *v) {
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, name);
    if (cJSON_IsString(it) && it->valuestring) {
        const char *p = it->valuestring + (it->valuestring[0] == '-');
        if (!*p || strspn(p, "0123456789") != strlen(p)) return 0;
        errno = 0;
        long long x = strtoll(it->valuestring, NULL, 10);
        /* out of range, or small enough to be written as a number */
        if (errno == ERANGE || (x > -9007199254740992LL && x < 9007199254740992LL)) return 0;
        *v = (int64_t)x;
        return 1;
    }
    if (!cJSON_IsNumber(it)) return 0;
    double d = it->valuedouble;
    if (!(d >= -9007199254740991.0 && d <= 9007199254740991.0) || d != (double)(int64_t)d) return 0;
    *v = (int64_t)d;
    return 1;
}

/* Each value of map is an object (an entry) or, when strings is set, a string. */
static int snap_map_ok(const cJSON *map, int strings) {
    if (!cJSON_IsObject(map)) return 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, map) {
        if (!it->string || !(strings ? cJSON_IsString(it) : cJSON_IsObject(it))) return 0;
    }
    return 1;
}

/* What the rules read of a consent entry: its phone and a known state; the steps stamps or null. */
static int snap_consent_ok(const cJSON *consent) {
    static const char *const states[] = {"none", "pending", "opted_in", "opted_out"};
    static const char *const steps[] = {"script_read", "screen_acknowledged", "box_checked", "opted_in", "opted_out"};
    const cJSON *c;
    cJSON_ArrayForEach(c, consent) {
        const char *phone = str_of(c, "phone"), *state = str_of(c, "state");
        if (!phone || strcmp(phone, c->string) != 0 || !state) return 0;
        int known = 0;
        for (size_t i = 0; i < sizeof states / sizeof states[0]; i++) known |= strcmp(state, states[i]) == 0;
        if (!known) return 0;
        for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
            const cJSON *st = cJSON_GetObjectItemCaseSensitive(c, steps[i]);
            if (!st || !(cJSON_IsNull(st) || cJSON_IsTrue(st) || cJSON_IsObject(st))) return 0;
        }
    }
    return 1;
}

static int snap_threads_ok(const cJSON *threads) {
    const cJSON *t;
    cJSON_ArrayForEach(t, threads) {
        if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(t, "messages")) || !str_of(t, "phone")) return 0;
    }
    return 1;
}

ft_status ft_reducer_restore(const char *json, size_t len, ft_reducer **out) {
    if (!out) return FT_E_INVALID_ARG;
    *out = NULL;
    if (!json && len) return FT_E_INVALID_ARG;
    if (len > FT_REDUCER_MAX_SNAPSHOT_BYTES) return FT_E_TOO_LARGE;
    if (!json) return FT_E_JSON;
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(json, len, &end, 0);
    if (!root) return FT_E_JSON;
    size_t at = (size_t)(end - json);
    while (at < len && (json[at] == ' ' || json[at] == '\n' || json[at] == '\r' || json[at] == '\t')) at++;
    ft_status st = at == len ? FT_OK : FT_E_JSON;
    int64_t v = 0;
    ft_reducer *r = NULL;
    const cJSON *compact = cJSON_GetObjectItemCaseSensitive(root, "compact");
    if (st == FT_OK && (!cJSON_IsObject(root) || !snap_int(root, "v", &v) || v != FT_REDUCER_SNAPSHOT_VERSION ||
                        !cJSON_IsBool(compact)))
        st = FT_E_JSON_SHAPE;
    if (st == FT_OK) st = ft_reducer_new(&r);
    if (st == FT_OK) {
        r->compact = cJSON_IsTrue(compact);
        if (!snap_int(root, "last_seq", &r->last_seq) || !snap_int(root, "balance", &r->balance) ||
            !snap_int(root, "purchased", &r->purchased) || !snap_int(root, "debited", &r->debited) ||
            !snap_int(root, "refunded", &r->refunded))
            st = FT_E_JSON_SHAPE;
    }
    /* The maps are moved out of the parsed tree into the reducer, each checked first. */
    static const char *const names[] = {"customers", "consent", "threads", "msg_phone", "sid_msg"};
    for (size_t i = 0; st == FT_OK && i < sizeof names / sizeof names[0]; i++) {
        cJSON *m = cJSON_DetachItemFromObjectCaseSensitive(root, names[i]);
        int ok = snap_map_ok(m, i >= 3);
        if (ok && i == 1) ok = snap_consent_ok(m);
        if (ok && i == 2) ok = snap_threads_ok(m);
        /* a compact reducer keeps no customers, threads or message indexes */
        if (ok && r->compact && i != 1) ok = cJSON_GetArraySize(m) == 0;
        if (!ok) {
            cJSON_Delete(m);
            st = FT_E_JSON_SHAPE;
            break;
        }
        cJSON **slot = i == 0 ? &r->customers : i == 1 ? &r->consent : i == 2 ? &r->threads : i == 3 ? &r->msg_phone : &r->sid_msg;
        cJSON_Delete(*slot);
        *slot = m;
    }
    cJSON_Delete(root);
    if (st != FT_OK) {
        ft_reducer_free(r);
        return st;
    }
    *out = r;
    return FT_OK;
}

int ft_reducer_is_compact(const ft_reducer *r) { return r ? r->compact : 0; }

char *ft_reduce_json(const char *events_json, size_t len) {
    ft_reducer *r = NULL;
    ft_status st = ft_reducer_new(&r);
    if (st == FT_OK) st = ft_reducer_apply_all(r, events_json, len);
    char *out = st == FT_OK ? ft_reducer_state_json(r) : ft_json_error_reply(st, NULL);
    ft_reducer_free(r);
    return out;
}
