/* fieldtext relay: automatic reminders.
 *
 * template.saved {template_id, job_type, name?, text, days_before?} (or {template_id, kind:"on_the_way", name?, text}:
 * the business's on-the-way text, kept in the log only), job.saved {job_id, customer_id, phone, start,
 * tz?, job_type, technician, window_end?, days_before?, recurrence?, skip_dates?, canceled?, address?, gate_code?}
 * and job.deleted {job_id} are accepted through POST /api/events (checked here) and, besides the
 * log, kept by key (tables jobs / templates, in the same transaction). A scheduler thread wakes when
 * one is saved, when a bundle is bought and when the next reminder is due: the core (schedule.h,
 * ft_reminders_json) expands each job's occurrences and gives each one's send time (N x 24 h before,
 * moved into the customer's send window, never after the start); a due one is rendered with the job
 * type's template (template.h) and enqueued as a message.send of kind "reminder" through the staff
 * sends' accept path (ft_events_accept_send: registration, consent, opt-out, balance, length, send
 * window).
 *
 * Exactly once: the key (job_id, occurrence) — the occurrence is the job's local date, YYYY-MM-DD —
 * is written in the same transaction as the send, or with the event that says why it was not sent.
 * The key remembers the occurrence's start it was for (start_ms) and a revision (rev): a re-timed
 * occurrence, or a reminder pulled back before it reached Twilio, is taken again under rev + 1 (new
 * message id), so each start of an occurrence gets one reminder. Before the send the scheduler writes
 * the key as "pending" (its intent, with start_ms and rev); the send or the skip takes that row.
 *
 * Pull-back: a job canceled, deleted or re-timed, one visit of it skipped (its date added to the job's
 * skip_dates), a job or template edited, or a customer opting out
 * while the occurrence's reminder still waits in the outbox (Twilio unreachable or asking to retry)
 * takes the outbox row out of the sender's reach in the transaction of that change (the sender's
 * claim and this are serialised by the store), refunds it and records reminder.canceled; one already
 * handed to Twilio is recorded as reminder.cancel_too_late, never as pulled back.
 *
 * A reminder the balance cannot cover is "held" (reminder.skipped reason "balance", retry: true) and
 * tried again after a bundle purchase while the core still finds a send time before the job
 * (reminder.missed once none is left). One skipped (or pulled back) because the customer had not
 * consented or had opted out is taken again, under rev + 1, once the customer is opted in (the staff
 * consent flow, or START) while a send time before the job remains; the scheduler is woken by those
 * consent steps. A send-window refusal is not a skip: the reminder waits for
 * the window's opening, or is skipped (no_send_time) when that opening is not before the start. */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "fieldtext/json.h"
#include "fieldtext/schedule.h"
#include "fieldtext/segment.h"
#include "fieldtext/template.h"
#include "relay.h"

#define SCHED_MAX_SLEEP_MS 60000
#define SCHED_RETRY_MS 5000
#define DEFER_SLOTS 256
#define TEMPLATE_KIND_OTW "on_the_way" /* template.saved kind of the "technician on the way" text */

int64_t ft_reminders_now_ms(const ft_relay *app) { return ft_now_ms() + app->cfg.clock_offset_ms; }

void ft_reminders_kick(ft_relay *app) {
    pthread_mutex_lock(&app->sched_lock);
    app->sched_kick = 1;
    pthread_cond_broadcast(&app->sched_cond);
    pthread_mutex_unlock(&app->sched_lock);
}

/* ---- small helpers ---- */

static const char *sfield(const cJSON *o, const char *name) {
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, name));
}

/* The job as stored (jobs table), parsed; NULL when there is none (or it cannot be read). */
static cJSON *stored_job(ft_relay *app, const char *job_id) {
    char *body = NULL;
    cJSON *j = ft_store_job_get(app->store, job_id, &body) == FT_OK ? cJSON_Parse(body) : NULL;
    free(body);
    return j;
}

static int digits(const char *s, int n, int *v) {
    int x = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        x = x * 10 + (s[i] - '0');
    }
    *v = x;
    return 1;
}

/* ISO 8601 with an offset: YYYY-MM-DDTHH:MM[:SS[.fff]](Z|+hh:mm|-hh:mm|+hhmm). */
static int parse_iso(const char *s, int64_t *ms) {
    size_t n = s ? strlen(s) : 0;
    ft_civil c;
    memset(&c, 0, sizeof c);
    if (n < 17 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':') return 0;
    if (!digits(s, 4, &c.year) || !digits(s + 5, 2, &c.month) || !digits(s + 8, 2, &c.day) ||
        !digits(s + 11, 2, &c.hour) || !digits(s + 14, 2, &c.minute))
        return 0;
    size_t i = 16;
    int frac = 0;
    if (i < n && s[i] == ':') {
        if (n < 19 || !digits(s + 17, 2, &c.second)) return 0;
        i = 19;
        if (i < n && s[i] == '.') {
            i++;
            int k = 0;
            while (i < n && isdigit((unsigned char)s[i])) {
                if (k < 3) frac = frac * 10 + (s[i] - '0');
                k++;
                i++;
            }
            if (k == 0) return 0;
            for (; k < 3; k++) frac *= 10;
        }
    }
    if (!ft_civil_valid(&c, 1)) return 0;
    int64_t local = ft_days_from_civil(c.year, c.month, c.day) * 86400 + c.hour * 3600 + c.minute * 60 + c.second;
    int off = 0;
    if (i + 1 == n && (s[i] == 'Z' || s[i] == 'z')) {
        off = 0;
    } else if (i < n && (s[i] == '+' || s[i] == '-')) {
        int hh, mm;
        const char *o = s + i + 1;
        size_t rest = n - i - 1;
        if (rest == 5 && o[2] == ':' && digits(o, 2, &hh) && digits(o + 3, 2, &mm)) {
        } else if (rest == 4 && digits(o, 2, &hh) && digits(o + 2, 2, &mm)) {
        } else {
            return 0;
        }
        if (hh > 23 || mm > 59) return 0;
        off = (hh * 3600 + mm * 60) * (s[i] == '-' ? -1 : 1);
    } else {
        return 0; /* no offset: which zone was meant is unknown */
    }
    *ms = (local - off) * 1000 + frac;
    return 1;
}

static int64_t iso_ms(const char *s) {
    int64_t ms = 0;
    return parse_iso(s, &ms) ? ms : INT64_MAX;
}

/* A time field: ms since the epoch (number) or ISO 8601 with an offset. */
static int parse_when(const cJSON *v, int64_t *ms) {
    if (cJSON_IsNumber(v)) {
        if (v->valuedouble < 0 || v->valuedouble > 7258118400000.0) return 0; /* up to 2200 */
        *ms = (int64_t)v->valuedouble;
        return 1;
    }
    return cJSON_IsString(v) && parse_iso(v->valuestring, ms);
}

static int64_t fdiv64(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

static void fmt_utc(int64_t ms, char *buf, size_t cap) {
    int64_t s = fdiv64(ms, 1000), days = fdiv64(s, 86400), sod = s - days * 86400;
    int y, m, d;
    ft_civil_from_days(days, &y, &m, &d);
    snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60));
}

static void fmt_day(int64_t ms, char *buf, size_t cap) {
    int y, m, d;
    ft_civil_from_days(fdiv64(fdiv64(ms, 1000), 86400), &y, &m, &d);
    snprintf(buf, cap, "%04d-%02d-%02d", y, m, d);
}

static int id_ok(const char *s) { return s && s[0] && strlen(s) <= 64; }

/* 1 when v is a whole number of days from 0 to FT_SCHED_MAX_DAYS_BEFORE. */
static int days_before_ok(const cJSON *v) {
    return cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble <= FT_SCHED_MAX_DAYS_BEFORE &&
           v->valuedouble == (double)(int)v->valuedouble;
}

static int days_before_default(ft_relay *app) {
    char *v = NULL;
    int n = app->cfg.reminder_days_before;
    if (ft_store_setting_get(app->store, "reminder_days_before", &v) == FT_OK && v) {
        char *end = NULL;
        long x = strtol(v, &end, 10);
        if (end && !*end && x >= 0 && x <= (long)FT_SCHED_MAX_DAYS_BEFORE) n = (int)x;
    }
    free(v);
    return n;
}

/* ---- the core's view of a job (ft_reminders_json input) ---- */

static const char *consent_word(ft_log_consent c) {
    switch (c) {
    case FT_LOG_CONSENT_OPTED_IN: return "opted_in";
    case FT_LOG_CONSENT_OPTED_OUT: return "opted_out";
    case FT_LOG_CONSENT_PENDING: return "pending";
    default: return "none";
    }
}

/* real_consent: the log's consent (the reminders list); else "opted_in", so that the scheduler
 * reaches the accept path, which refuses and records why. */
static cJSON *core_job(ft_relay *app, const cJSON *job, int real_consent) {
    const char *phone = sfield(job, "phone");
    int64_t start = 0;
    if (!parse_when(cJSON_GetObjectItemCaseSensitive(job, "start"), &start)) return NULL;
    char zone[64] = "", region[3] = "";
    const char *tz = sfield(job, "tz");
    ft_tz z;
    char cz[64];
    ft_rules_customer_zone(app, phone ? phone : "", cz, sizeof cz, region);
    if (tz && ft_tz_lookup(tz, strlen(tz), &z, NULL) == FT_OK) snprintf(zone, sizeof zone, "%s", tz);
    else snprintf(zone, sizeof zone, "%s", cz);
    const ft_region_zone *rz = NULL;
    if (region[0] && ft_region_zone_lookup(region, 2, &rz) != FT_OK) region[0] = '\0';
    cJSON *o = cJSON_CreateObject();
    char when[40];
    fmt_utc(start, when, sizeof when);
    cJSON_AddStringToObject(o, "id", sfield(job, "job_id"));
    cJSON_AddStringToObject(o, "start", when);
    cJSON_AddStringToObject(o, "time_zone", zone);
    if (region[0]) cJSON_AddStringToObject(o, "state", region);
    if (sfield(job, "technician")) cJSON_AddStringToObject(o, "technician", sfield(job, "technician"));
    if (sfield(job, "job_type")) cJSON_AddStringToObject(o, "job_type", sfield(job, "job_type"));
    cJSON *c = cJSON_AddObjectToObject(o, "customer");
    if (sfield(job, "customer_id")) cJSON_AddStringToObject(c, "id", sfield(job, "customer_id"));
    char *cb = NULL;
    cJSON *cust = NULL;
    if (phone && ft_store_customer_by_phone(app->store, phone, &cb) == FT_OK) cust = cJSON_Parse(cb);
    free(cb);
    if (sfield(cust, "name")) cJSON_AddStringToObject(c, "name", sfield(cust, "name"));
    cJSON_Delete(cust);
    if (phone) cJSON_AddStringToObject(c, "sms_number", phone);
    const char *consent = "opted_in";
    if (real_consent) {
        pthread_mutex_lock(&app->log_lock);
        consent = consent_word(phone ? ft_reducer_consent_of(app->reducer, phone) : FT_LOG_CONSENT_NONE);
        pthread_mutex_unlock(&app->log_lock);
    }
    cJSON_AddStringToObject(c, "consent", consent);
    const cJSON *rec = cJSON_GetObjectItemCaseSensitive(job, "recurrence");
    if (cJSON_IsObject(rec)) cJSON_AddItemToObject(o, "recurrence", cJSON_Duplicate(rec, 1));
    /* The visits called off one by one: the core lists them as excluded ("skipped"), never due. */
    const cJSON *skips = cJSON_GetObjectItemCaseSensitive(job, "skip_dates");
    if (skips && !cJSON_IsNull(skips)) cJSON_AddItemToObject(o, "skip_dates", cJSON_Duplicate(skips, 1));
    return o;
}

/* 1 when the job's skip_dates name the occurrence occ (YYYY-MM-DD). */
static int job_skips(const cJSON *job, const char *occ) {
    const cJSON *d;
    cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(job, "skip_dates")) {
        if (cJSON_IsString(d) && occ && strcmp(d->valuestring, occ) == 0) return 1;
    }
    return 0;
}

/* How many days before a visit its reminder goes: the job's own days_before, else its job type's
 * template's, else the default (the setting reminder_days_before, else FIELDTEXT_REMINDER_DAYS_BEFORE,
 * else 1). Both were checked on the way in (days_before_ok). */
static int job_days_before(ft_relay *app, const cJSON *job) {
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(job, "days_before");
    if (days_before_ok(d)) return (int)d->valuedouble;
    const char *jt = sfield(job, "job_type");
    char *tb = NULL;
    int n = -1;
    if (jt && ft_store_template_for(app->store, jt, &tb) == FT_OK) {
        cJSON *tpl = cJSON_Parse(tb);
        const cJSON *td = cJSON_GetObjectItemCaseSensitive(tpl, "days_before");
        if (days_before_ok(td)) n = (int)td->valuedouble;
        cJSON_Delete(tpl);
    }
    free(tb);
    return n >= 0 ? n : days_before_default(app);
}

/* Runs the core over jobs grouped by days_before; merges the replies into {reminders, excluded}.
 * from/to: dates (NULL: the core's defaults); now_s: seconds (INT64_MIN: none). */
static cJSON *core_run(cJSON *groups[FT_SCHED_MAX_DAYS_BEFORE + 1], const char *from, const char *to, int64_t now_s) {
    cJSON *all = cJSON_CreateObject();
    cJSON *rems = cJSON_AddArrayToObject(all, "reminders");
    cJSON *excl = cJSON_AddArrayToObject(all, "excluded");
    for (int d = 0; d <= (int)FT_SCHED_MAX_DAYS_BEFORE; d++) {
        if (!groups[d]) continue;
        cJSON *in = cJSON_CreateObject();
        cJSON_AddItemToObject(in, "jobs", groups[d]);
        groups[d] = NULL;
        cJSON_AddNumberToObject(in, "days_before", d);
        if (from && to) {
            cJSON_AddStringToObject(in, "from", from);
            cJSON_AddStringToObject(in, "to", to);
        }
        if (now_s != INT64_MIN) cJSON_AddNumberToObject(in, "now", (double)now_s);
        char *s = cJSON_PrintUnformatted(in);
        cJSON_Delete(in);
        char *out = NULL;
        if (s) ft_reminders_json(s, strlen(s), &out);
        cJSON_free(s);
        cJSON *r = out ? cJSON_Parse(out) : NULL;
        ft_free(out);
        cJSON *it, *nx;
        cJSON *ra = cJSON_GetObjectItemCaseSensitive(r, "reminders");
        for (it = ra ? ra->child : NULL; it; it = nx) {
            nx = it->next;
            cJSON_AddItemToArray(rems, cJSON_DetachItemViaPointer(ra, it));
        }
        cJSON *ea = cJSON_GetObjectItemCaseSensitive(r, "excluded");
        for (it = ea ? ea->child : NULL; it; it = nx) {
            nx = it->next;
            cJSON_AddItemToArray(excl, cJSON_DetachItemViaPointer(ea, it));
        }
        if (r && !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "ok"))) {
            const cJSON *e = cJSON_GetObjectItemCaseSensitive(r, "error");
            fprintf(stderr, "fieldtext-relay: reminders: %s\n", sfield(e, "message") ? sfield(e, "message") : "core error");
        }
        cJSON_Delete(r);
    }
    return all;
}

/* ---- checking job.saved / template.saved ---- */

ft_status ft_reminders_check_event(ft_relay *app, const char *type, cJSON *body, char *why, size_t cap) {
    if (strcmp(type, "template.saved") == 0) {
        if (!id_ok(sfield(body, "template_id"))) {
            snprintf(why, cap, "template_id (a string, 1 to 64 bytes) is required");
            return FT_E_JSON_SHAPE;
        }
        /* kind: "reminder" (absent: the same) is a job type's reminder; "on_the_way" is the business's
         * "technician on the way" text, rendered and sent by staff from the page: it has no job type
         * and no days_before, and the scheduler never reads it (ft_reminders_record keeps it out of
         * the templates table). */
        const cJSON *kv = cJSON_GetObjectItemCaseSensitive(body, "kind");
        const char *kind = sfield(body, "kind");
        int otw = kind && strcmp(kind, TEMPLATE_KIND_OTW) == 0;
        if (kv && !cJSON_IsNull(kv) && !otw && (!kind || strcmp(kind, "reminder") != 0)) {
            snprintf(why, cap, "kind must be \"reminder\" (the default) or \"on_the_way\"");
            return FT_E_JSON_SHAPE;
        }
        if (otw && (cJSON_GetObjectItemCaseSensitive(body, "job_type") ||
                    cJSON_GetObjectItemCaseSensitive(body, "days_before"))) {
            snprintf(why, cap,
                     "an on_the_way template has no job_type or days_before: staff send it, no visit schedules it");
            return FT_E_JSON_SHAPE;
        }
        if (!otw && !id_ok(sfield(body, "job_type"))) {
            snprintf(why, cap, "job_type (a string, 1 to 64 bytes) is required");
            return FT_E_JSON_SHAPE;
        }
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(body, "name");
        if (name && !cJSON_IsString(name)) {
            snprintf(why, cap, "name must be a string");
            return FT_E_JSON_SHAPE;
        }
        const char *text = sfield(body, "text");
        if (!text) {
            snprintf(why, cap, "text (the template) is required");
            return FT_E_TPL_EMPTY;
        }
        const cJSON *tdb = cJSON_GetObjectItemCaseSensitive(body, "days_before");
        if (tdb && !cJSON_IsNull(tdb) && !days_before_ok(tdb)) {
            snprintf(why, cap, "days_before must be a whole number from 0 to 30");
            return FT_E_JSON_SHAPE;
        }
        ft_template *t = NULL;
        ft_template_error err;
        memset(&err, 0, sizeof err);
        ft_status st = ft_template_parse(text, strlen(text), &t, &err);
        if (st != FT_OK) {
            snprintf(why, cap, "the template does not parse: %s", err.detail[0] ? err.detail : ft_strerror(st));
            return st;
        }
        /* The arrival time is known only when staff send an on-the-way notice: a reminder using it
         * without a fallback could never be sent (every visit would be skipped missing_field). */
        for (uint32_t i = 0; !otw && i < t->nparts; i++) {
            const ft_tpl_part *p = &t->parts[i];
            if (p->kind == FT_TPL_FIELD && p->field == FT_FIELD_JOB_ETA && !p->has_fallback) {
                snprintf(why, cap,
                         "{{job.eta}} (the arrival time) has no value in a scheduled reminder: use it in the on-the-way "
                         "template, or give it a fallback like {{job.eta|soon}}");
                st = FT_E_TPL_MISSING_VALUE;
                break;
            }
        }
        ft_template_free(t);
        return st;
    }
    if (strcmp(type, "job.deleted") == 0) {
        if (!id_ok(sfield(body, "job_id"))) {
            snprintf(why, cap, "job_id (a string, 1 to 64 bytes) is required");
            return FT_E_JSON_SHAPE;
        }
        char *old = NULL;
        ft_status st = ft_store_job_get(app->store, sfield(body, "job_id"), &old);
        free(old);
        if (st == FT_E_NOT_FOUND) snprintf(why, cap, "no job with that job_id was saved");
        return st;
    }
    /* job.saved */
    cJSON_DeleteItemFromObjectCaseSensitive(body, "deleted"); /* job.deleted says that */
    static const char *const ids[] = {"job_id", "customer_id", "job_type"};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        if (!id_ok(sfield(body, ids[i]))) {
            snprintf(why, cap, "%s (a string, 1 to 64 bytes) is required", ids[i]);
            return FT_E_JSON_SHAPE;
        }
    }
    if (!ft_rules_phone_ok(sfield(body, "phone"))) {
        snprintf(why, cap, "phone must be an E.164 number such as +15125550123");
        return FT_E_LOG_PHONE;
    }
    const char *tech = sfield(body, "technician");
    if (!tech || strlen(tech) > 200) {
        snprintf(why, cap, "technician (a string, the technician's name) is required");
        return FT_E_JSON_SHAPE;
    }
    int64_t start = 0, end = 0;
    if (!parse_when(cJSON_GetObjectItemCaseSensitive(body, "start"), &start)) {
        snprintf(why, cap, "start must be ISO 8601 with an offset (2025-03-10T09:00:00-05:00) or ms since 1970");
        return FT_E_SCHED_DATE;
    }
    const cJSON *we = cJSON_GetObjectItemCaseSensitive(body, "window_end");
    if (we && !cJSON_IsNull(we)) {
        if (!parse_when(we, &end) || end <= start || end - start > 24LL * 3600 * 1000) {
            snprintf(why, cap, "window_end must be a time after start (same forms), within 24 hours");
            return FT_E_SCHED_DATE;
        }
    }
    const char *tz = sfield(body, "tz");
    const cJSON *tzv = cJSON_GetObjectItemCaseSensitive(body, "tz");
    ft_tz z;
    if ((tzv && !cJSON_IsNull(tzv) && !tz) || (tz && ft_tz_lookup(tz, strlen(tz), &z, NULL) != FT_OK)) {
        snprintf(why, cap, "tz must be an IANA zone of the US or Canada, e.g. America/Chicago");
        return FT_E_SCHED_TZ_UNKNOWN;
    }
    /* Without days_before the job follows its job type's template, else the default (job_days_before),
     * decided when the reminder is planned: editing the template moves the reminders not yet sent. */
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(body, "days_before");
    if (d && cJSON_IsNull(d)) {
        cJSON_DeleteItemFromObjectCaseSensitive(body, "days_before");
    } else if (d && !days_before_ok(d)) {
        snprintf(why, cap, "days_before must be a whole number from 0 to 30");
        return FT_E_JSON_SHAPE;
    }
    const cJSON *cv = cJSON_GetObjectItemCaseSensitive(body, "canceled");
    if (cv && !cJSON_IsBool(cv)) {
        snprintf(why, cap, "canceled must be true or false");
        return FT_E_JSON_SHAPE;
    }
    static const char *const opt[] = {"address", "gate_code"};
    for (size_t i = 0; i < sizeof opt / sizeof opt[0]; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, opt[i]);
        if (v && !cJSON_IsNull(v) && (!cJSON_IsString(v) || strlen(v->valuestring) > 300)) {
            snprintf(why, cap, "%s must be a string of at most 300 bytes", opt[i]);
            return FT_E_JSON_SHAPE;
        }
    }
    const cJSON *rec = cJSON_GetObjectItemCaseSensitive(body, "recurrence");
    if (rec && !cJSON_IsNull(rec) && !cJSON_IsObject(rec)) {
        snprintf(why, cap, "recurrence must be an object {freq, interval?, until?, count?, ...}");
        return FT_E_SCHED_RECURRENCE;
    }
    /* skip_dates: the entries (dates, at most FT_SCHED_MAX_SKIP_DATES) are checked by the core below. */
    const cJSON *skips = cJSON_GetObjectItemCaseSensitive(body, "skip_dates");
    if (skips && cJSON_IsNull(skips)) {
        cJSON_DeleteItemFromObjectCaseSensitive(body, "skip_dates");
    } else if (skips && !cJSON_IsArray(skips)) {
        snprintf(why, cap, "skip_dates must be an array of the skipped visits' dates, like [\"2025-03-17\"]");
        return FT_E_JSON_SHAPE;
    }
    /* The core reads the job as the scheduler will: a refusal there ("invalid") is a refusal here. */
    cJSON *groups[FT_SCHED_MAX_DAYS_BEFORE + 1] = {0};
    cJSON *cj = core_job(app, body, 0);
    if (!cj) return FT_E_NOMEM;
    groups[0] = cJSON_CreateArray();
    cJSON_AddItemToArray(groups[0], cj);
    cJSON *r = core_run(groups, NULL, NULL, INT64_MIN);
    ft_status st = FT_OK;
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(r, "excluded")) {
        if (strcmp(sfield(e, "reason") ? sfield(e, "reason") : "", "invalid") != 0) continue;
        const cJSON *err = cJSON_GetObjectItemCaseSensitive(e, "error");
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(err, "code");
        st = cJSON_IsNumber(code) ? (ft_status)(int)code->valuedouble : FT_E_JSON_SHAPE;
        if (st == FT_OK) st = FT_E_JSON_SHAPE;
        snprintf(why, cap, "%s", sfield(e, "message") ? sfield(e, "message") : "the job cannot be scheduled");
        break;
    }
    cJSON_Delete(r);
    return st;
}

/* ---- rendering ---- */

static const char *const WEEKDAYS[7] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
static const char *const MONTHS[12] = {"January", "February", "March", "April", "May", "June",
                                       "July", "August", "September", "October", "November", "December"};

static void fmt_clock(int minute_of_day, char *buf, size_t cap) {
    minute_of_day = ((minute_of_day % 1440) + 1440) % 1440;
    int h = minute_of_day / 60, m = minute_of_day % 60;
    snprintf(buf, cap, "%d:%02d %s", h % 12 == 0 ? 12 : h % 12, m, h < 12 ? "AM" : "PM");
}

typedef struct rendered {
    char *text;            /* malloc'd when rendered */
    const char *reason;    /* on failure: "no_template", "template_invalid", "missing_field" */
    char message[512];
    cJSON *missing;        /* array of codes (missing_field) */
} rendered;

static void set_val(ft_template_values *v, ft_field_id f, const char *s) {
    if (s && s[0]) {
        v->value[f] = s;
        v->len[f] = strlen(s);
    }
}

/* Renders the job type's template for one occurrence (rem: the core's reminder entry). */
static int render_for(ft_relay *app, const cJSON *job, const cJSON *rem, rendered *out) {
    memset(out, 0, sizeof *out);
    const char *jt = sfield(job, "job_type");
    char *tb = NULL;
    if (ft_store_template_for(app->store, jt ? jt : "", &tb) != FT_OK) {
        out->reason = "no_template";
        snprintf(out->message, sizeof out->message, "no reminder template is saved for the job type \"%.64s\"", jt ? jt : "");
        return 0;
    }
    cJSON *tpl = cJSON_Parse(tb);
    free(tb);
    const char *text = sfield(tpl, "text");
    ft_template *t = NULL;
    ft_template_error err;
    memset(&err, 0, sizeof err);
    if (!text || ft_template_parse(text, strlen(text), &t, &err) != FT_OK) {
        cJSON_Delete(tpl);
        out->reason = "template_invalid";
        snprintf(out->message, sizeof out->message, "the job type's template does not parse: %s", err.detail);
        return 0;
    }
    cJSON_Delete(tpl);
    /* The records: the job, its customer (latest customer.saved), the business. */
    const char *phone = sfield(job, "phone");
    char *cb = NULL;
    cJSON *cust = NULL;
    if (phone && ft_store_customer_by_phone(app->store, phone, &cb) == FT_OK) cust = cJSON_Parse(cb);
    free(cb);
    cJSON *biz = cJSON_CreateObject();
    ft_api_business_get(app, biz);
    ft_template_values v;
    memset(&v, 0, sizeof v);
    char first[128] = "", last[128] = "", tfirst[128] = "", date[64] = "", ws[16] = "", wend[16] = "", addr[400] = "";
    const char *fn = sfield(cust, "first_name"), *ln = sfield(cust, "last_name"), *name = sfield(cust, "name");
    if (fn) snprintf(first, sizeof first, "%s", fn);
    if (ln) snprintf(last, sizeof last, "%s", ln);
    if (name && !fn) {
        while (*name == ' ') name++;
        size_t k = strcspn(name, " ");
        snprintf(first, sizeof first, "%.*s", (int)(k < sizeof first - 1 ? k : sizeof first - 1), name);
        if (!ln && name[k]) {
            const char *rest = name + k;
            while (*rest == ' ') rest++;
            snprintf(last, sizeof last, "%s", rest);
        }
    }
    set_val(&v, FT_FIELD_CUSTOMER_FIRST, first);
    set_val(&v, FT_FIELD_CUSTOMER_LAST, last);
    set_val(&v, FT_FIELD_CUSTOMER_FULL, sfield(cust, "name"));
    const char *tech = sfield(job, "technician");
    if (tech) {
        while (*tech == ' ') tech++;
        size_t k = strcspn(tech, " ");
        snprintf(tfirst, sizeof tfirst, "%.*s", (int)(k < sizeof tfirst - 1 ? k : sizeof tfirst - 1), tech);
    }
    set_val(&v, FT_FIELD_TECH_NAME, sfield(job, "technician"));
    set_val(&v, FT_FIELD_TECH_FIRST, tfirst);
    /* job_start: "2025-03-10T09:00:00-05:00", the occurrence's local time. */
    const char *js = sfield(rem, "job_start");
    int y, mo, d, h, mi;
    if (js && strlen(js) >= 16 && digits(js, 4, &y) && digits(js + 5, 2, &mo) && digits(js + 8, 2, &d) &&
        digits(js + 11, 2, &h) && digits(js + 14, 2, &mi) && mo >= 1 && mo <= 12) {
        snprintf(date, sizeof date, "%s, %s %d", WEEKDAYS[ft_weekday(y, mo, d)], MONTHS[mo - 1], d);
        fmt_clock(h * 60 + mi, ws, sizeof ws);
        int64_t start = 0, end = 0;
        if (parse_when(cJSON_GetObjectItemCaseSensitive(job, "window_end"), &end) &&
            parse_when(cJSON_GetObjectItemCaseSensitive(job, "start"), &start) && end > start)
            fmt_clock(h * 60 + mi + (int)((end - start) / 60000), wend, sizeof wend);
    }
    set_val(&v, FT_FIELD_JOB_DATE, date);
    set_val(&v, FT_FIELD_WINDOW_START, ws);
    set_val(&v, FT_FIELD_WINDOW_END, wend);
    set_val(&v, FT_FIELD_JOB_TYPE, sfield(job, "job_type"));
    const char *a = sfield(job, "address");
    const cJSON *ca = cJSON_GetObjectItemCaseSensitive(cust, "address");
    if (!a && cJSON_IsString(ca)) a = ca->valuestring;
    if (!a && cJSON_IsObject(ca)) {
        static const char *const parts[] = {"street", "city", "state", "zip"};
        for (size_t i = 0; i < 4; i++) {
            const char *p = sfield(ca, parts[i]);
            if (!p || !p[0]) continue;
            size_t n = strlen(addr);
            snprintf(addr + n, sizeof addr - n, "%s%s", n ? (i == 3 ? " " : ", ") : "", p);
        }
        a = addr;
    }
    set_val(&v, FT_FIELD_JOB_ADDRESS, a);
    set_val(&v, FT_FIELD_GATE_CODE, sfield(job, "gate_code") ? sfield(job, "gate_code") : sfield(cust, "gate_code"));
    set_val(&v, FT_FIELD_COMPANY_NAME, sfield(biz, "name"));
    set_val(&v, FT_FIELD_COMPANY_PHONE, sfield(biz, "phone"));
    ft_template_output o;
    memset(&o, 0, sizeof o);
    ft_status st = ft_template_render(t, &v, 0, &o);
    ft_template_free(t);
    cJSON_Delete(cust);
    cJSON_Delete(biz);
    if (st == FT_OK) {
        out->text = o.text;
        return 1;
    }
    out->reason = st == FT_E_TPL_MISSING_VALUE ? "missing_field" : "template_invalid";
    out->missing = cJSON_CreateArray();
    size_t n = (size_t)snprintf(out->message, sizeof out->message, "no value for");
    for (int i = 0; i < FT_FIELD_COUNT; i++) {
        if (!(o.missing_mask & (1u << i))) continue;
        const ft_field_info *fi = ft_template_field_info((ft_field_id)i);
        cJSON_AddItemToArray(out->missing, cJSON_CreateString(fi->code));
        if (n < sizeof out->message) n += (size_t)snprintf(out->message + n, sizeof out->message - n, " {{%s}}", fi->code);
    }
    if (st != FT_E_TPL_MISSING_VALUE) snprintf(out->message, sizeof out->message, "%s", ft_strerror(st));
    free(o.text);
    return 0;
}

/* ---- reminder keys, pull-back ---- */

/* A key row (ft_store_reminder_key) copied out of the store's walk. */
typedef struct rkey {
    char job_id[72], occurrence[16], outcome[16], reason[48], message_id[40], outbox_state[16], sid[64], phone[32];
    int64_t start_ms, rev, segments;
    char *body; /* the outbox row's text (malloc'd), NULL when none */
} rkey;

typedef struct rkeys {
    rkey *v;
    size_t n, cap;
    int one; /* stop after the first */
} rkeys;

static void cpy(char *dst, size_t cap, const char *src) { snprintf(dst, cap, "%s", src ? src : ""); }

static int key_push(void *ctx, const ft_store_reminder_key *k) {
    rkeys *l = ctx;
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 8;
        rkey *p = realloc(l->v, nc * sizeof *p);
        if (!p) return 1;
        l->v = p;
        l->cap = nc;
    }
    rkey *d = &l->v[l->n++];
    memset(d, 0, sizeof *d);
    cpy(d->job_id, sizeof d->job_id, k->job_id);
    cpy(d->occurrence, sizeof d->occurrence, k->occurrence);
    cpy(d->outcome, sizeof d->outcome, k->outcome);
    cpy(d->reason, sizeof d->reason, k->reason);
    cpy(d->message_id, sizeof d->message_id, k->message_id);
    cpy(d->outbox_state, sizeof d->outbox_state, k->outbox_state);
    cpy(d->sid, sizeof d->sid, k->sid);
    cpy(d->phone, sizeof d->phone, k->phone);
    d->start_ms = k->start_ms;
    d->rev = k->rev;
    d->segments = k->segments;
    d->body = k->body ? strdup(k->body) : NULL;
    return l->one;
}

static void rkeys_free(rkeys *l) {
    for (size_t i = 0; i < l->n; i++) free(l->v[i].body);
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* The key of one occurrence: FT_OK (into *out; free out->body), FT_E_NOT_FOUND, or a storage error. */
static ft_status key_get(ft_relay *app, const char *job_id, const char *occ, rkey *out) {
    rkeys l = {.one = 1};
    ft_status st = ft_store_reminder_keys(app->store, job_id, occ, occ, NULL, key_push, &l);
    memset(out, 0, sizeof *out);
    if (st == FT_OK && l.n == 0) st = FT_E_NOT_FOUND;
    if (st == FT_OK) {
        *out = l.v[0];
        l.v[0].body = NULL;
    }
    rkeys_free(&l);
    return st;
}

/* Ids of the events of one occurrence's reminder: "prefix:job:occ", then ":rN" from revision 1. */
static void rem_id(char out[37], const char *prefix, const char *job_id, const char *occ, int64_t rev) {
    char name[200];
    if (rev > 0) snprintf(name, sizeof name, "%s:%s:%s:r%lld", prefix, job_id, occ, (long long)rev);
    else snprintf(name, sizeof name, "%s:%s:%s", prefix, job_id, occ);
    ft_uuid_from_name(name, out);
}

static const char *job_gone(const cJSON *job) {
    if (!job || cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(job, "deleted"))) return "deleted";
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(job, "canceled"))) return "canceled";
    return NULL;
}

/* The core's entry for a job's visit on date occ (no clock: every visit is listed); its start (ms)
 * is returned, 0 when the job has no visit that day. *rem_out (may be NULL) receives the entry. */
static int64_t occ_entry(ft_relay *app, const cJSON *job, const char *occ, cJSON **rem_out) {
    if (rem_out) *rem_out = NULL;
    cJSON *groups[FT_SCHED_MAX_DAYS_BEFORE + 1] = {0};
    cJSON *cj = core_job(app, job, 0);
    if (!cj) return 0;
    int d = job_days_before(app, job);
    groups[d] = cJSON_CreateArray();
    cJSON_AddItemToArray(groups[d], cj);
    cJSON *r = core_run(groups, occ, occ, INT64_MIN);
    int64_t start = 0;
    cJSON *ra = cJSON_GetObjectItemCaseSensitive(r, "reminders");
    for (cJSON *it = ra ? ra->child : NULL; it; it = it->next) {
        const char *date = sfield(it, "date");
        if (!date || strcmp(date, occ) != 0) continue;
        int64_t ms = 0;
        if (parse_iso(sfield(it, "job_start_utc"), &ms)) start = ms;
        if (rem_out) *rem_out = cJSON_DetachItemViaPointer(ra, it);
        break;
    }
    cJSON_Delete(r);
    return start;
}

static const char *why_of(const char *reason) {
    if (strcmp(reason, "canceled") == 0) return "the job was canceled";
    if (strcmp(reason, "deleted") == 0) return "the job was deleted";
    if (strcmp(reason, "rescheduled") == 0) return "the job was moved to another time";
    if (strcmp(reason, "skipped") == 0) return "the visit was skipped";
    if (strcmp(reason, "opted_out") == 0) return "the customer opted out";
    return "the job or its reminder template was changed";
}

static ft_status add_once(ft_events_tx *tx, const char *prefix, const char *mid, const char *type, const cJSON *b) {
    char id[37], name[160];
    snprintf(name, sizeof name, "%s:%s", prefix, mid);
    ft_uuid_from_name(name, id);
    ft_status st = ft_events_tx_add(tx, id, "system", type, b, 0, NULL);
    return st == FT_E_CONFLICT ? FT_OK : st; /* recorded before */
}

/* Inside tx: the key's reminder, when still queued, is taken out of the outbox, refunded and
 * recorded as reminder.canceled (the key becomes "canceled"); when it already went to Twilio and
 * late is set, that is recorded (reminder.cancel_too_late) and the key keeps "sent". */
static ft_status pull_back_key(ft_events_tx *tx, const rkey *k, const char *customer_id, const char *reason, int late,
                               int touch_key) {
    ft_relay *app = tx->app;
    char msg[400];
    ft_status st = FT_OK;
    int queued = strcmp(k->outbox_state, "queued") == 0;
    int gone = strcmp(k->outbox_state, "sending") == 0 || strcmp(k->outbox_state, "sent") == 0 ||
               strcmp(k->outbox_state, "uncertain") == 0;
    if (queued) {
        snprintf(msg, sizeof msg, "%s: the reminder was pulled back before it reached Twilio (not sent, refunded)%s",
                 why_of(reason),
                 strcmp(reason, "rescheduled") == 0 ? "; the new time gets its own reminder"
                 : strcmp(reason, "changed") == 0   ? "; it is sent again with the new text"
                                                    : "");
        st = ft_store_outbox_cancel(app->store, k->message_id, msg);
        if (st != FT_OK) return st == FT_E_CONFLICT ? FT_E_INTERNAL : st; /* the store's lock is ours */
        cJSON *b = cJSON_CreateObject();
        cJSON_AddStringToObject(b, "message_id", k->message_id);
        cJSON_AddStringToObject(b, "phone", k->phone);
        cJSON_AddStringToObject(b, "status", "canceled");
        cJSON_AddStringToObject(b, "reason", reason);
        cJSON_AddStringToObject(b, "message", msg);
        st = add_once(tx, "canceled", k->message_id, "message.status", b);
        cJSON_Delete(b);
        if (st == FT_OK) {
            b = cJSON_CreateObject();
            cJSON_AddNumberToObject(b, "segments", (double)k->segments);
            cJSON_AddStringToObject(b, "message_id", k->message_id);
            st = add_once(tx, "refund", k->message_id, "balance.refunded", b); /* the sender's refund id */
            cJSON_Delete(b);
        }
    } else if (late && gone && !k->reason[0]) {
        if (strcmp(k->outbox_state, "sending") == 0)
            snprintf(msg, sizeof msg, "%s while its reminder was being handed to Twilio: it could not be pulled back "
                     "(the message's message.sent or message.failed says what happened)", why_of(reason));
        else
            snprintf(msg, sizeof msg, "%s after its reminder had gone to Twilio%s%s: it was not pulled back, the "
                     "customer may have received it%s", why_of(reason), k->sid[0] ? " as " : "", k->sid,
                     strcmp(reason, "rescheduled") == 0 ? "; the new time gets its own reminder" : "");
    } else {
        return FT_OK;
    }
    if (st != FT_OK) return st;
    cJSON *b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "job_id", k->job_id);
    cJSON_AddStringToObject(b, "occurrence", k->occurrence);
    cJSON_AddStringToObject(b, "message_id", k->message_id);
    cJSON_AddStringToObject(b, "reason", reason);
    cJSON_AddStringToObject(b, "message", msg);
    cJSON_AddStringToObject(b, "phone", k->phone);
    if (customer_id) cJSON_AddStringToObject(b, "customer_id", customer_id);
    if (!queued) {
        if (k->sid[0]) cJSON_AddStringToObject(b, "sid", k->sid);
        cJSON_AddStringToObject(b, "outbox_state", k->outbox_state);
    }
    st = add_once(tx, queued ? "reminder-canceled" : "reminder-too-late", k->message_id,
                  queued ? "reminder.canceled" : "reminder.cancel_too_late", b);
    cJSON_Delete(b);
    if (st == FT_OK && touch_key)
        st = ft_store_reminder_key_set(app->store, k->job_id, k->occurrence, queued ? "canceled" : "sent", k->message_id,
                                       reason, k->start_ms, k->rev, ft_now_ms());
    return st;
}

static ft_status pull_back(ft_events_tx *tx, const rkey *k, const char *customer_id, const char *reason, int late) {
    return pull_back_key(tx, k, customer_id, reason, late, 1);
}

/* Why a reminder enqueued for key k should not go as it is, given the job as it is now (NULL: keep).
 * rem: the core's entry for the visit (for rendering). */
static const char *stale_reason(ft_relay *app, const rkey *k, const cJSON *job, int check_text) {
    const char *g = job_gone(job);
    if (g) return g;
    if (job_skips(job, k->occurrence)) return "skipped";
    cJSON *rem = NULL;
    int64_t start = occ_entry(app, job, k->occurrence, &rem);
    const char *why = NULL;
    if (!start || (k->start_ms && start != k->start_ms)) why = "rescheduled";
    else if (check_text && strcmp(sfield(job, "phone") ? sfield(job, "phone") : "", k->phone) != 0) why = "changed";
    else if (check_text) {
        rendered rd;
        if (!render_for(app, job, rem, &rd)) why = "changed";
        else if (!k->body || strcmp(rd.text, k->body) != 0) why = "changed";
        free(rd.text);
        cJSON_Delete(rd.missing);
    }
    cJSON_Delete(rem);
    return why;
}

/* A job was saved or deleted (inside its transaction): its queued reminders that no longer fit are
 * pulled back; one that went to Twilio for a visit still ahead is recorded when the job was
 * canceled, deleted or moved. */
static ft_status reconcile_job(ft_events_tx *tx, const char *job_id, const cJSON *job) {
    ft_relay *app = tx->app;
    rkeys l = {0};
    ft_status st = ft_store_reminder_keys(app->store, job_id, NULL, NULL, NULL, key_push, &l);
    int64_t now = ft_reminders_now_ms(app);
    for (size_t i = 0; st == FT_OK && i < l.n; i++) {
        const rkey *k = &l.v[i];
        if (strcmp(k->outcome, "sent") != 0 || !k->outbox_state[0]) continue;
        int queued = strcmp(k->outbox_state, "queued") == 0;
        if (!queued && (k->start_ms <= now || k->reason[0])) continue; /* history, or recorded already */
        const char *why = stale_reason(app, k, job, queued);
        if (!why || (!queued && strcmp(why, "changed") == 0)) continue;
        st = pull_back(tx, k, sfield(job, "customer_id"), why, 1);
    }
    rkeys_free(&l);
    return st;
}

/* A template was saved (inside its transaction): queued reminders of its job type whose text it
 * changes are pulled back (the scheduler sends them again with the new text). */
static ft_status reconcile_template(ft_events_tx *tx, const char *job_type) {
    ft_relay *app = tx->app;
    rkeys l = {0};
    ft_status st = ft_store_reminder_keys(app->store, NULL, NULL, NULL, "", key_push, &l);
    for (size_t i = 0; st == FT_OK && i < l.n; i++) {
        const rkey *k = &l.v[i];
        if (strcmp(k->outcome, "sent") != 0) continue;
        cJSON *job = stored_job(app, k->job_id);
        const char *jt = sfield(job, "job_type");
        if (job && jt && strcasecmp(jt, job_type) == 0) {
            const char *why = stale_reason(app, k, job, 1);
            if (why) st = pull_back(tx, k, sfield(job, "customer_id"), why, 0);
        }
        cJSON_Delete(job);
    }
    rkeys_free(&l);
    return st;
}

ft_status ft_reminders_opted_out(ft_events_tx *tx, const char *phone) {
    ft_relay *app = tx->app;
    rkeys l = {0};
    ft_status st = ft_store_reminder_keys(app->store, NULL, NULL, NULL, phone, key_push, &l);
    for (size_t i = 0; st == FT_OK && i < l.n; i++) {
        if (strcmp(l.v[i].outcome, "sent") != 0) continue;
        cJSON *job = stored_job(app, l.v[i].job_id);
        st = pull_back(tx, &l.v[i], sfield(job, "customer_id"), "opted_out", 0);
        cJSON_Delete(job);
    }
    rkeys_free(&l);
    return st;
}

typedef struct ev_copy {
    char type[48];
    cJSON *body;
} ev_copy;

static int ev_one(void *ctx, const ft_store_event *ev) {
    ev_copy *c = ctx;
    cpy(c->type, sizeof c->type, ev->type);
    c->body = ev->body_json ? cJSON_Parse(ev->body_json) : NULL;
    return 1;
}

void ft_reminders_requeued(ft_relay *app, const char *message_id) {
    int64_t seq = 0;
    ev_copy ev = {{0}, NULL};
    if (ft_store_event_seq(app->store, message_id, &seq) != FT_OK ||
        ft_store_events_after(app->store, seq - 1, 1, ev_one, &ev) != FT_OK || strcmp(ev.type, "message.send") != 0) {
        cJSON_Delete(ev.body);
        return; /* a reminder's event id is its message id: not a reminder */
    }
    const char *kind = sfield(ev.body, "kind"), *job_id = sfield(ev.body, "job_id"), *occ = sfield(ev.body, "occurrence");
    if (!kind || strcmp(kind, "reminder") != 0 || !job_id || !occ) {
        cJSON_Delete(ev.body);
        return;
    }
    ft_events_tx tx;
    if (ft_events_tx_begin(app, &tx) != FT_OK) {
        cJSON_Delete(ev.body);
        return;
    }
    rkey k;
    ft_status st = key_get(app, job_id, occ, &k);
    int superseded = st == FT_E_NOT_FOUND || (st == FT_OK && strcmp(k.message_id, message_id) != 0);
    const char *reason = NULL;
    if (superseded) reason = "rescheduled"; /* a newer reminder of that visit exists */
    else if (st == FT_OK && strcmp(k.outcome, "sent") == 0 && k.reason[0]) reason = k.reason; /* canceled too late */
    ft_status r = FT_E_NOT_FOUND;
    if (reason) {
        rkey m;
        memset(&m, 0, sizeof m);
        cpy(m.job_id, sizeof m.job_id, job_id);
        cpy(m.occurrence, sizeof m.occurrence, occ);
        cpy(m.message_id, sizeof m.message_id, message_id);
        cpy(m.outbox_state, sizeof m.outbox_state, "queued");
        cpy(m.phone, sizeof m.phone, sfield(ev.body, "phone"));
        const cJSON *sg = cJSON_GetObjectItemCaseSensitive(ev.body, "segments");
        m.segments = cJSON_IsNumber(sg) ? (int64_t)sg->valuedouble : 0;
        m.start_ms = superseded ? 0 : k.start_ms;
        m.rev = superseded ? 0 : k.rev;
        r = pull_back_key(&tx, &m, sfield(ev.body, "customer_id"), reason, 0, !superseded);
    }
    if (r == FT_OK) ft_events_tx_commit(&tx);
    else ft_events_tx_abort(&tx);
    free(k.body);
    cJSON_Delete(ev.body);
}

int ft_reminders_wakes(const char *type) {
    return strcmp(type, "job.saved") == 0 || strcmp(type, "job.deleted") == 0 || strcmp(type, "template.saved") == 0 ||
           strcmp(type, "bundle.purchased") == 0;
}

ft_status ft_reminders_record(ft_events_tx *tx, const char *type, const cJSON *body, int64_t seq) {
    ft_relay *app = tx->app;
    int job = strcmp(type, "job.saved") == 0, del = strcmp(type, "job.deleted") == 0;
    if (!job && !del && strcmp(type, "template.saved") != 0) return FT_OK;
    /* The on-the-way template is the log's only: the scheduler and GET /api/reminders read the
     * templates table, which holds the job types' reminders. */
    if (!job && !del && sfield(body, "kind") && strcmp(sfield(body, "kind"), TEMPLATE_KIND_OTW) == 0) return FT_OK;
    const char *id = sfield(body, job || del ? "job_id" : "template_id");
    cJSON *stored = NULL;
    if (del) {
        /* Kept (marked deleted) so that the list can say why its reminders are gone; a later
         * job.saved with the same job_id brings it back. */
        stored = stored_job(app, id);
        if (!stored) stored = cJSON_CreateObject();
        cJSON_DeleteItemFromObjectCaseSensitive(stored, "job_id");
        cJSON_AddStringToObject(stored, "job_id", id);
        cJSON_DeleteItemFromObjectCaseSensitive(stored, "deleted");
        cJSON_AddBoolToObject(stored, "deleted", 1);
    }
    char *s = cJSON_PrintUnformatted(stored ? stored : body);
    ft_status st = s ? FT_OK : FT_E_NOMEM;
    if (st == FT_OK)
        st = job || del ? ft_store_job_put(app->store, id, s, seq)
                        : ft_store_template_put(app->store, id, sfield(body, "job_type"), s, seq);
    cJSON_free(s);
    if (st == FT_OK && (job || del)) st = reconcile_job(tx, id, stored ? stored : body);
    else if (st == FT_OK) st = reconcile_template(tx, sfield(body, "job_type"));
    cJSON_Delete(stored);
    return st;
}

/* ---- the scheduler ---- */

typedef struct defer_slot {
    char key[140];
    int64_t until;
} defer_slot;

static defer_slot g_defer[DEFER_SLOTS]; /* scheduler thread only */

static int64_t defer_get(const char *key) {
    for (int i = 0; i < DEFER_SLOTS; i++) {
        if (g_defer[i].key[0] && strcmp(g_defer[i].key, key) == 0) return g_defer[i].until;
    }
    return 0;
}

static void defer_set(const char *key, int64_t until, int64_t now) {
    int slot = -1;
    for (int i = 0; i < DEFER_SLOTS; i++) {
        if (g_defer[i].key[0] && strcmp(g_defer[i].key, key) == 0) { slot = i; break; }
        if (slot < 0 && (!g_defer[i].key[0] || g_defer[i].until < now - 86400000LL)) slot = i;
    }
    if (slot < 0) slot = 0;
    snprintf(g_defer[slot].key, sizeof g_defer[slot].key, "%s", key);
    g_defer[slot].until = until;
}

static const char *reason_of(ft_status st) {
    switch (st) {
    case FT_E_LOG_OPTED_OUT:
    case FT_E_CONSENT_OPTED_OUT: return "opted_out";
    case FT_E_LOG_NO_CONSENT:
    case FT_E_CONSENT_NO_CONSENT: return "not_opted_in";
    case FT_E_BALANCE: return "balance";
    case FT_E_REG_NOT_APPROVED: return "registration";
    case FT_E_MSG_TOO_LONG: return "too_long";
    case FT_E_MSG_EMPTY: return "empty";
    case FT_E_LOG_PHONE: return "no_sms_number";
    default: return "refused";
    }
}

/* Records a reminder that did not go (reminder.skipped / reminder.missed) with its key, once: the
 * key takes the occurrence's "pending" or "held" row (or a new one); a handled key writes nothing.
 * outcome: "skipped" (final), "held" (reason balance: tried again after a purchase) or "missed". */
static void record_not_sent(ft_relay *app, const cJSON *job, const char *occ, int64_t rev, const char *outcome,
                            const char *reason, const char *message, int code, cJSON *missing) {
    const char *job_id = sfield(job, "job_id");
    int held = strcmp(outcome, "held") == 0, miss = strcmp(outcome, "missed") == 0;
    ft_events_tx tx;
    ft_status st = ft_events_tx_begin(app, &tx);
    if (st == FT_OK) {
        st = ft_store_reminder_key_add(app->store, job_id, occ, outcome, NULL, reason, ft_now_ms());
        if (st == FT_OK) {
            cJSON *b = cJSON_CreateObject();
            cJSON_AddStringToObject(b, "job_id", job_id);
            cJSON_AddStringToObject(b, "occurrence", occ);
            cJSON_AddStringToObject(b, "reason", reason);
            cJSON_AddStringToObject(b, "message", message);
            if (held) cJSON_AddBoolToObject(b, "retry", 1);
            if (sfield(job, "phone")) cJSON_AddStringToObject(b, "phone", sfield(job, "phone"));
            if (sfield(job, "customer_id")) cJSON_AddStringToObject(b, "customer_id", sfield(job, "customer_id"));
            if (missing) cJSON_AddItemToObject(b, "missing", cJSON_Duplicate(missing, 1));
            if (code) {
                cJSON *e = cJSON_AddObjectToObject(b, "error");
                cJSON_AddNumberToObject(e, "code", code);
                cJSON_AddStringToObject(e, "name", ft_strerror_name(code));
            }
            char id[37];
            rem_id(id, held ? "reminder-held" : miss ? "reminder-missed" : "reminder-skipped", job_id, occ, rev);
            st = ft_events_tx_add(&tx, id, "system", miss ? "reminder.missed" : "reminder.skipped", b, 0, NULL);
            cJSON_Delete(b);
        }
        if (st == FT_OK) st = ft_events_tx_commit(&tx);
        else ft_events_tx_abort(&tx);
    }
    if (st != FT_OK && st != FT_E_CONFLICT)
        fprintf(stderr, "fieldtext-relay: cannot record reminder.%s for %s %s: %s\n", miss ? "missed" : "skipped", job_id,
                occ, ft_strerror(st));
}

static void skip(ft_relay *app, const cJSON *job, const char *occ, int64_t rev, const char *reason, const char *message,
                 int code, cJSON *missing) {
    record_not_sent(app, job, occ, rev, "skipped", reason, message, code, missing);
}

/* A pull-back outside a change's transaction (the scheduler found a re-timed visit whose old
 * reminder still waits in the outbox). */
static void pull_back_alone(ft_relay *app, const cJSON *job, const rkey *k, const char *reason) {
    ft_events_tx tx;
    ft_status st = ft_events_tx_begin(app, &tx);
    if (st != FT_OK) return;
    st = pull_back(&tx, k, sfield(job, "customer_id"), reason, 1);
    if (st == FT_OK) ft_events_tx_commit(&tx);
    else ft_events_tx_abort(&tx);
}

/* A job or template saved while this reminder was being rendered and enqueued committed before the
 * send and did not see it: looked at again now, as that save would have (pulled back if still queued). */
static void recheck(ft_relay *app, const cJSON *job, const cJSON *rem, const char *text) {
    const char *job_id = sfield(job, "job_id");
    cJSON *cur = stored_job(app, job_id);
    int changed = !cur || !cJSON_Compare(cur, job, 1);
    if (!changed) {
        rendered rd;
        changed = !render_for(app, cur, rem, &rd) || !text || strcmp(rd.text, text) != 0;
        free(rd.text);
        cJSON_Delete(rd.missing);
    }
    if (changed) {
        ft_events_tx tx;
        if (ft_events_tx_begin(app, &tx) == FT_OK) {
            if (reconcile_job(&tx, job_id, cur) == FT_OK) ft_events_tx_commit(&tx);
            else ft_events_tx_abort(&tx);
        }
    }
    cJSON_Delete(cur);
}

static int64_t balance_now(ft_relay *app) {
    pthread_mutex_lock(&app->log_lock);
    int64_t b = ft_reducer_balance(app->reducer);
    pthread_mutex_unlock(&app->log_lock);
    return b;
}

/* A reminder that did not go because the customer had not consented or had opted out (skipped, or
 * pulled back from the outbox) is taken again once the customer is opted in, while there is still a
 * send time before the visit: the same check the send makes (ft_reducer_check_send), so a refusal
 * cannot repeat without a change of consent in between. */
static int consent_back(ft_relay *app, const cJSON *job, const rkey *k) {
    if (strcmp(k->outcome, "skipped") != 0 && strcmp(k->outcome, "canceled") != 0) return 0;
    if (strcmp(k->reason, "opted_out") != 0 && strcmp(k->reason, "not_opted_in") != 0) return 0;
    const char *phone = sfield(job, "phone");
    if (!phone) return 0;
    pthread_mutex_lock(&app->log_lock);
    ft_log_consent c = ft_reducer_consent_of(app->reducer, phone);
    pthread_mutex_unlock(&app->log_lock);
    return c == FT_LOG_CONSENT_OPTED_IN;
}

/* One due occurrence. Returns the sched-clock time to look again (deferred), or 0. */
static int64_t handle_due(ft_relay *app, const cJSON *job, const cJSON *rem, const char *occ, int64_t now) {
    const char *job_id = sfield(job, "job_id");
    /* The plan was made from the jobs as they were when this run began. A job saved or deleted
     * since (its change may have pulled this visit's reminder back) is left to the run that change
     * woke: taking a pulled-back reminder again from the old plan would enqueue it once more for a
     * job that is gone. (recheck() covers a change that lands between here and the send.) */
    cJSON *cur = stored_job(app, job_id);
    int fresh = cur && cJSON_Compare(cur, job, 1);
    cJSON_Delete(cur);
    if (!fresh) return 0;
    int64_t start = iso_ms(sfield(rem, "job_start_utc"));
    if (start == INT64_MAX) start = 0;
    rkey k;
    ft_status st = key_get(app, job_id, occ, &k);
    if (st != FT_OK && st != FT_E_NOT_FOUND) return now + SCHED_RETRY_MS;
    int found = st == FT_OK, held = 0;
    int same = found && (!k.start_ms || k.start_ms == start); /* 0: a pending row is (re)written below */
    int64_t rev = found ? k.rev : 0;
    if (found) {
        if (strcmp(k.outcome, "pending") == 0) {
            same = 0; /* not handled yet: its start is written again below */
        } else if (strcmp(k.outcome, "held") == 0 && same) {
            held = 1; /* waits for the balance: tried when there is some */
            if (balance_now(app) <= 0) {
                free(k.body);
                return 0;
            }
        } else if (same && (strcmp(k.outcome, "canceled") != 0 || strcmp(k.reason, "opted_out") == 0) &&
                   !consent_back(app, job, &k)) {
            free(k.body);
            return 0; /* handled for this start */
        } else {
            /* The visit was re-timed since, its reminder pulled back before it went, or the customer
             * who had not consented (or had opted out) is opted in now: taken again. */
            if (strcmp(k.outcome, "sent") == 0 && strcmp(k.outbox_state, "queued") == 0)
                pull_back_alone(app, job, &k, "rescheduled");
            rev++;
            same = 0;
        }
    }
    free(k.body);
    if (!held && !same &&
        ft_store_reminder_key_set(app->store, job_id, occ, "pending", NULL, NULL, start, rev, ft_now_ms()) != FT_OK)
        return now + SCHED_RETRY_MS;
    rendered rd;
    if (!render_for(app, job, rem, &rd)) {
        skip(app, job, occ, rev, rd.reason, rd.message, rd.reason[0] == 'm' ? FT_E_TPL_MISSING_VALUE : 0, rd.missing);
        cJSON_Delete(rd.missing);
        return 0;
    }
    char id[37];
    rem_id(id, "reminder", job_id, occ, rev);
    cJSON *b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "message_id", id);
    cJSON_AddStringToObject(b, "phone", sfield(job, "phone"));
    cJSON_AddStringToObject(b, "body", rd.text);
    cJSON_AddStringToObject(b, "kind", "reminder");
    cJSON_AddStringToObject(b, "job_id", job_id);
    cJSON_AddStringToObject(b, "occurrence", occ);
    if (sfield(job, "customer_id")) cJSON_AddStringToObject(b, "customer_id", sfield(job, "customer_id"));
    if (rev) cJSON_AddNumberToObject(b, "revision", (double)rev);
    free(rd.text);
    char why[256] = "";
    int64_t seq = 0, next = 0;
    st = ft_events_accept_send(app, id, "system", b, 0, now, job_id, occ, &seq, &next, why, sizeof why);
    if (st == FT_OK) recheck(app, job, rem, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b, "body")));
    cJSON_Delete(b);
    if (st == FT_OK || st == FT_E_CONFLICT) return 0;
    if (st == FT_E_CONSENT_QUIET_HOURS) {
        if (next > now && (!start || next < start)) return next; /* moved to the window's opening, not skipped */
        char m[400];
        snprintf(m, sizeof m, "%s, and the window opens again only after the job starts", why[0] ? why : "outside the send window");
        skip(app, job, occ, rev, "no_send_time", m, FT_E_SCHED_NO_WINDOW, NULL);
        return 0;
    }
    if (st == FT_E_STORAGE || st == FT_E_NOMEM || st == FT_E_INTERNAL) return now + SCHED_RETRY_MS;
    if (st == FT_E_BALANCE) {
        if (!held)
            record_not_sent(app, job, occ, rev, "held", "balance",
                            "the balance cannot cover this reminder: it goes out when a bundle is bought, if there is "
                            "still time before the job",
                            st, NULL);
        return 0;
    }
    skip(app, job, occ, rev, reason_of(st), why[0] ? why : ft_strerror(st), st, NULL);
    return 0;
}

typedef struct job_list {
    cJSON *jobs; /* array of job bodies */
} job_list;

static int collect_job(void *ctx, const char *key, const char *body) {
    (void)key;
    job_list *l = ctx;
    cJSON *j = body ? cJSON_Parse(body) : NULL;
    if (j) cJSON_AddItemToArray(l->jobs, j);
    return 0;
}

static const cJSON *find_job(const cJSON *jobs, const char *id) {
    const cJSON *j;
    cJSON_ArrayForEach(j, jobs) {
        const char *x = sfield(j, "job_id");
        if (x && id && strcmp(x, id) == 0) return j;
    }
    return NULL;
}

/* Core reply for the stored jobs over [from, to]; *jobs_out receives the job bodies. */
static cJSON *plan(ft_relay *app, const char *from, const char *to, int64_t now_ms, int real_consent,
                   cJSON **jobs_out, cJSON *canceled) {
    job_list l = {cJSON_CreateArray()};
    ft_store_jobs_list(app->store, collect_job, &l);
    cJSON *groups[FT_SCHED_MAX_DAYS_BEFORE + 1] = {0};
    const cJSON *j;
    cJSON_ArrayForEach(j, l.jobs) {
        const char *gone = job_gone(j);
        if (gone) {
            if (canceled) {
                cJSON *e = cJSON_CreateObject();
                cJSON_AddStringToObject(e, "job_id", sfield(j, "job_id"));
                cJSON_AddStringToObject(e, "reason", gone);
                cJSON_AddStringToObject(e, "message", why_of(gone));
                cJSON_AddItemToArray(canceled, e);
            }
            continue;
        }
        cJSON *cj = core_job(app, j, real_consent);
        if (!cj) continue;
        int d = job_days_before(app, j);
        if (!groups[d]) groups[d] = cJSON_CreateArray();
        cJSON_AddItemToArray(groups[d], cj);
    }
    cJSON *r = core_run(groups, from, to, fdiv64(now_ms, 1000));
    *jobs_out = l.jobs;
    return r;
}

/* Handles what is due; returns the sched-clock time of the next due reminder (INT64_MAX: none). */
static int64_t run_due(ft_relay *app, int64_t now) {
    char from[16], to[16];
    fmt_day(now - 2LL * 86400000, from, sizeof from);
    fmt_day(now + (int64_t)(FT_SCHED_MAX_DAYS_BEFORE + 3) * 86400000, to, sizeof to);
    cJSON *jobs = NULL;
    cJSON *r = plan(app, from, to, now, 0, &jobs, NULL);
    int64_t next = INT64_MAX;
    const cJSON *rem;
    cJSON_ArrayForEach(rem, cJSON_GetObjectItemCaseSensitive(r, "reminders")) {
        if (atomic_load(&app->stopping)) break;
        const char *jid = sfield(rem, "job_id"), *occ = sfield(rem, "date");
        const cJSON *job = find_job(jobs, jid);
        if (!job || !occ) continue;
        int64_t at = iso_ms(sfield(rem, "send_at_utc"));
        char key[140];
        snprintf(key, sizeof key, "%s|%s", jid, occ);
        int64_t dz = defer_get(key);
        if (dz > at) at = dz;
        if (at > now) {
            if (at < next) next = at;
            continue;
        }
        int64_t again = handle_due(app, job, rem, occ, now);
        if (again) {
            defer_set(key, again, now);
            if (again < next) next = again;
        }
    }
    /* No time left in the window before the start: recorded once, so the list can say why. A
     * reminder held for the balance whose time ran out (or whose job started) is recorded missed. */
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(r, "excluded")) {
        if (atomic_load(&app->stopping)) break;
        const char *reason = sfield(e, "reason"), *occ = sfield(e, "date");
        if (!reason || !occ) continue;
        int nst = strcmp(reason, "no_send_time") == 0;
        if (!nst && strcmp(reason, "started") != 0) continue;
        const cJSON *job = find_job(jobs, sfield(e, "job_id"));
        if (!job || job_skips(job, occ)) continue; /* a skipped visit has no reminder to miss */
        rkey k;
        ft_status st = key_get(app, sfield(job, "job_id"), occ, &k);
        if (st == FT_OK && strcmp(k.outcome, "held") == 0) {
            record_not_sent(app, job, occ, k.rev, "missed", "balance",
                            nst ? "the balance could not cover the reminder, and no bundle was bought while there was "
                                  "still time in the send window before the job"
                                : "the balance could not cover the reminder, and no bundle was bought before the job started",
                            FT_E_BALANCE, NULL);
        } else if (nst && (st == FT_E_NOT_FOUND || (st == FT_OK && strcmp(k.outcome, "pending") == 0))) {
            skip(app, job, occ, st == FT_OK ? k.rev : 0, "no_send_time",
                 sfield(e, "message") ? sfield(e, "message") : "no send time", FT_E_SCHED_NO_WINDOW, NULL);
        } else if (nst && st == FT_OK && k.start_ms && strcmp(k.reason, "opted_out") != 0) {
            /* Handled for another start of that day (the visit was re-timed), or pulled back to be
             * sent again: no send time is left for it. */
            int64_t start = occ_entry(app, job, occ, NULL);
            if (start && (start != k.start_ms || strcmp(k.outcome, "canceled") == 0) &&
                ft_store_reminder_key_set(app->store, sfield(job, "job_id"), occ, "pending", NULL, NULL, start, k.rev + 1,
                                          ft_now_ms()) == FT_OK)
                skip(app, job, occ, k.rev + 1, "no_send_time",
                     sfield(e, "message") ? sfield(e, "message") : "no send time", FT_E_SCHED_NO_WINDOW, NULL);
        }
        free(k.body);
    }
    cJSON_Delete(r);
    cJSON_Delete(jobs);
    return next;
}

static void *sched_main(void *arg) {
    ft_relay *app = arg;
    while (!atomic_load(&app->stopping)) {
        int64_t now = ft_reminders_now_ms(app);
        int64_t next = run_due(app, now);
        int64_t wait_ms = next == INT64_MAX ? SCHED_MAX_SLEEP_MS : next - now;
        if (wait_ms > SCHED_MAX_SLEEP_MS) wait_ms = SCHED_MAX_SLEEP_MS;
        if (wait_ms < 20) wait_ms = 20;
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += (time_t)(wait_ms / 1000);
        until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_mutex_lock(&app->sched_lock);
        while (!app->sched_kick && !atomic_load(&app->stopping)) {
            if (pthread_cond_timedwait(&app->sched_cond, &app->sched_lock, &until) == ETIMEDOUT) break;
        }
        app->sched_kick = 0;
        pthread_mutex_unlock(&app->sched_lock);
    }
    return NULL;
}

int ft_reminders_start(ft_relay *app) {
    if (pthread_create(&app->sched, NULL, sched_main, app) != 0) return 0;
    app->sched_started = 1;
    return 1;
}

void ft_reminders_stop(ft_relay *app) {
    if (!app->sched_started) return;
    ft_reminders_kick(app);
    pthread_join(app->sched, NULL);
    app->sched_started = 0;
}

/* ---- GET /api/reminders?from=YYYY-MM-DD&to=YYYY-MM-DD ---- */

static int date_ok(const char *s) {
    int y, m, d;
    return s && strlen(s) == 10 && s[4] == '-' && s[7] == '-' && digits(s, 4, &y) && digits(s + 5, 2, &m) &&
           digits(s + 8, 2, &d) && m >= 1 && m <= 12 && d >= 1 && d <= ft_days_in_month(y, m);
}

static int cmp_send_at(const void *a, const void *b) {
    const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
    const char *p = sfield(x, "send_at_utc"), *q = sfield(y, "send_at_utc");
    return strcmp(p ? p : "", q ? q : "");
}

/* The core's "skipped" entry of one visit in excl (the plan's "excluded"), or NULL. */
static cJSON *skipped_entry(cJSON *excl, const char *job_id, const char *occ) {
    cJSON *e;
    cJSON_ArrayForEach(e, excl) {
        const char *why = sfield(e, "reason"), *j = sfield(e, "job_id"), *d = sfield(e, "date");
        if (why && j && d && strcmp(why, "skipped") == 0 && strcmp(j, job_id) == 0 && strcmp(d, occ) == 0) return e;
    }
    return NULL;
}

void ft_reminders_get(ft_req *r) {
    if (!ft_auth_require(r)) return;
    ft_relay *app = r->app;
    int64_t now = ft_reminders_now_ms(app);
    char dfrom[16], dto[16];
    fmt_day(now, dfrom, sizeof dfrom);
    fmt_day(now + 30LL * 86400000, dto, sizeof dto);
    const char *from = ft_http_query(r, "from"), *to = ft_http_query(r, "to");
    if (!from || !from[0]) from = dfrom;
    if (!to || !to[0]) to = dto;
    if (!date_ok(from) || !date_ok(to) || strcmp(to, from) < 0) {
        ft_http_error(r, FT_E_SCHED_DATE, "from and to must be dates like 2025-03-01, from not after to");
        r->status = 400;
        return;
    }
    cJSON *jobs = NULL;
    cJSON *excluded_extra = cJSON_CreateArray();
    cJSON *plan_r = plan(app, from, to, now, 1, &jobs, excluded_extra);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "ok", 1);
    char nowb[40];
    fmt_utc(now, nowb, sizeof nowb);
    cJSON_AddStringToObject(o, "now", nowb);
    cJSON *rems = cJSON_AddArrayToObject(o, "reminders");
    cJSON *excl = cJSON_AddArrayToObject(o, "excluded");
    cJSON *src = cJSON_GetObjectItemCaseSensitive(plan_r, "reminders");
    int n = cJSON_GetArraySize(src);
    cJSON **items = n > 0 ? calloc((size_t)n, sizeof *items) : NULL;
    int k = 0;
    cJSON *seen = cJSON_CreateObject(); /* "job|date" of the visits listed */
    for (cJSON *it = src ? src->child : NULL, *nx; it; it = nx) {
        nx = it->next;
        cJSON *rem = cJSON_DetachItemViaPointer(src, it);
        const char *jid = sfield(rem, "job_id"), *occ = sfield(rem, "date");
        const cJSON *job = find_job(jobs, jid);
        char sk[160];
        snprintf(sk, sizeof sk, "%s|%s", jid ? jid : "", occ ? occ : "");
        if (!cJSON_GetObjectItemCaseSensitive(seen, sk)) cJSON_AddTrueToObject(seen, sk);
        rkey key;
        memset(&key, 0, sizeof key);
        int keyed = job && occ && key_get(app, jid, occ, &key) == FT_OK;
        int64_t start = iso_ms(sfield(rem, "job_start_utc"));
        int same = keyed && (!key.start_ms || key.start_ms == start) && strcmp(key.outcome, "pending") != 0;
        const char *state = "pending";
        if (same && strcmp(key.outcome, "sent") == 0) {
            const char *ob = key.outbox_state;
            state = strcmp(ob, "queued") == 0 ? "queued" : strcmp(ob, "failed") == 0 ? "failed"
                    : strcmp(ob, "uncertain") == 0 ? "uncertain" : "sent";
        } else if (same && strcmp(key.outcome, "held") == 0) {
            state = "held";
        }
        int excluded = same && (strcmp(key.outcome, "skipped") == 0 || strcmp(key.outcome, "missed") == 0 ||
                                (strcmp(key.outcome, "canceled") == 0 && strcmp(key.reason, "opted_out") == 0));
        if (excluded) {
            int canceled = strcmp(key.outcome, "canceled") == 0;
            cJSON *e = cJSON_CreateObject();
            cJSON_AddStringToObject(e, "job_id", jid);
            cJSON_AddStringToObject(e, "date", occ);
            cJSON_AddStringToObject(e, "reason", key.reason[0] ? key.reason : "skipped");
            cJSON_AddStringToObject(e, "message", canceled ? "the customer opted out: the reminder was pulled back before it reached Twilio"
                                                  : strcmp(key.outcome, "missed") == 0 ? "the reminder was missed (see the reminder.missed event)"
                                                  : "the reminder was not sent (see the reminder.skipped event)");
            if (canceled) {
                cJSON_AddStringToObject(e, "message_id", key.message_id);
                cJSON_AddBoolToObject(e, "pulled_back", 1);
            }
            if (strcmp(key.outcome, "missed") == 0) cJSON_AddBoolToObject(e, "missed", 1);
            cJSON_AddItemToArray(excl, e);
            cJSON_Delete(rem);
        } else {
            rendered rd;
            memset(&rd, 0, sizeof rd);
            if (job && render_for(app, job, rem, &rd)) {
                /* Once enqueued, the text is the one that was logged and charged. */
                cJSON_AddStringToObject(rem, "text", same && strcmp(key.outcome, "sent") == 0 && key.body ? key.body : rd.text);
                const char *t = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rem, "text"));
                ft_segment_count c;
                if (ft_segment_count_text(t, strlen(t), 0, &c, NULL) == FT_OK) {
                    cJSON_AddNumberToObject(rem, "segments", c.segments);
                    cJSON_AddStringToObject(rem, "encoding", c.encoding == FT_ENCODING_UCS2 ? "UCS-2" : "GSM-7");
                }
                free(rd.text);
                cJSON_AddStringToObject(rem, "state", state);
                if (same && key.message_id[0]) cJSON_AddStringToObject(rem, "message_id", key.message_id);
                if (strcmp(state, "held") == 0) {
                    cJSON_AddStringToObject(rem, "held_reason", "balance");
                    cJSON_AddStringToObject(rem, "message", "the balance cannot cover it: it goes out when a bundle is "
                                                            "bought, if there is still time before the job");
                }
                if (sfield(job, "customer_id")) {
                    cJSON_DeleteItemFromObjectCaseSensitive(rem, "customer_id");
                    cJSON_AddStringToObject(rem, "customer_id", sfield(job, "customer_id"));
                }
                items[k++] = rem;
            } else {
                cJSON *e = cJSON_CreateObject();
                cJSON_AddStringToObject(e, "job_id", jid ? jid : "");
                if (occ) cJSON_AddStringToObject(e, "date", occ);
                cJSON_AddStringToObject(e, "reason", job ? rd.reason : "invalid");
                cJSON_AddStringToObject(e, "message", job ? rd.message : "the job is gone");
                if (job && rd.missing) cJSON_AddItemToObject(e, "missing", rd.missing);
                else cJSON_Delete(rd.missing);
                cJSON_AddItemToArray(excl, e);
                cJSON_Delete(rem);
            }
        }
        free(key.body);
    }
    /* Reminders pulled back (or canceled too late) for visits no longer listed: canceled, deleted or
     * moved jobs. */
    rkeys pulled = {0};
    ft_store_reminder_keys(app->store, NULL, from, to, NULL, key_push, &pulled);
    for (size_t i = 0; i < pulled.n; i++) {
        const rkey *q = &pulled.v[i];
        char sk[160];
        snprintf(sk, sizeof sk, "%s|%s", q->job_id, q->occurrence);
        int was_pulled = strcmp(q->outcome, "canceled") == 0;
        if (cJSON_GetObjectItemCaseSensitive(seen, sk) || !q->reason[0] || (!was_pulled && strcmp(q->outcome, "sent") != 0))
            continue;
        /* A skipped visit is listed once, by the core ("skipped"): what became of a reminder the skip
         * took is added to that entry; an older pull-back of it (another reason) is not listed. */
        cJSON *e = skipped_entry(cJSON_GetObjectItemCaseSensitive(plan_r, "excluded"), q->job_id, q->occurrence);
        if (e && strcmp(q->reason, "skipped") != 0) continue;
        int fresh = !e;
        if (fresh) {
            e = cJSON_CreateObject();
            cJSON_AddStringToObject(e, "job_id", q->job_id);
            cJSON_AddStringToObject(e, "date", q->occurrence);
            cJSON_AddStringToObject(e, "reason", q->reason);
        } else {
            cJSON_DeleteItemFromObjectCaseSensitive(e, "message");
        }
        char m[300];
        snprintf(m, sizeof m, was_pulled ? "%s: the reminder was pulled back before it reached Twilio"
                                         : "%s after its reminder had gone to Twilio: it was not pulled back",
                 why_of(q->reason));
        cJSON_AddStringToObject(e, "message", m);
        cJSON_AddStringToObject(e, "message_id", q->message_id);
        cJSON_AddBoolToObject(e, "pulled_back", was_pulled);
        if (!was_pulled) cJSON_AddStringToObject(e, "state", "sent");
        if (fresh) cJSON_AddItemToArray(excl, e);
    }
    rkeys_free(&pulled);
    cJSON_Delete(seen);
    if (k > 1) qsort(items, (size_t)k, sizeof *items, cmp_send_at);
    for (int i = 0; i < k; i++) cJSON_AddItemToArray(rems, items[i]);
    free(items);
    cJSON *ex = cJSON_GetObjectItemCaseSensitive(plan_r, "excluded");
    for (cJSON *it = ex ? ex->child : NULL, *nx; it; it = nx) {
        nx = it->next;
        cJSON_AddItemToArray(excl, cJSON_DetachItemViaPointer(ex, it));
    }
    for (cJSON *it = excluded_extra->child, *nx; it; it = nx) {
        nx = it->next;
        cJSON_AddItemToArray(excl, cJSON_DetachItemViaPointer(excluded_extra, it));
    }
    cJSON_Delete(excluded_extra);
    cJSON_Delete(plan_r);
    cJSON_Delete(jobs);
    ft_http_json(r, 200, o);
}
