/* fieldtext core: send windows, reminder times, recurring jobs, the reminders list (schedule.h). */
#include "fieldtext/schedule.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldtext/json.h"
#include "json_util.h"

size_t ft_region_count_internal(void);
const ft_region_zone *ft_region_at_internal(size_t i);

void ft_send_window_for_region(const char *region, size_t len, ft_send_window *out) {
    out->start_minute = FT_SCHED_WINDOW_START_MIN;
    out->end_minute = FT_SCHED_WINDOW_END_MIN;
    if (!region || len != 2) return;
    char a = (char)(region[0] & ~0x20), b = (char)(region[1] & ~0x20);
    if ((a == 'F' && b == 'L') || (a == 'O' && b == 'K') || (a == 'M' && b == 'D'))
        out->end_minute = FT_SCHED_WINDOW_END_STRICT_MIN;
}

/* ---- reminder time ---- */

/* The UTC instant of minute `minute` after local midnight of the local day `days` (days since
 * 1970-01-01); a time inside a DST gap moves forward. */
static int64_t local_minute(const ft_tz *tz, int64_t days, int minute) {
    ft_civil c;
    ft_civil_from_days(days, &c.year, &c.month, &c.day);
    c.hour = minute / 60;
    c.minute = minute % 60;
    c.second = 0;
    int64_t utc = 0;
    if (ft_tz_from_local(tz, &c, FT_TZ_EARLIER, &utc, NULL) != FT_OK) {
        /* out of the supported years: fall back to standard time */
        utc = days * 86400 + minute * 60 - ft_tz_rule_at(tz, days * 86400 + minute * 60)->std_offset;
    }
    return utc;
}

static int64_t local_days(const ft_tz *tz, int64_t utc, int *minute_of_day) {
    ft_civil c;
    ft_tz_to_local(tz, utc, &c, NULL, NULL);
    if (minute_of_day) *minute_of_day = c.hour * 60 + c.minute;
    return ft_days_from_civil(c.year, c.month, c.day);
}

static int in_window(const ft_tz *tz, const ft_send_window *w, int64_t t) {
    int mod;
    local_days(tz, t, &mod);
    return mod >= w->start_minute && mod < w->end_minute;
}

/* The first allowed instant at or after t (the window's opening, or t itself). */
static int64_t next_allowed(const ft_tz *tz, const ft_send_window *w, int64_t t) {
    if (in_window(tz, w, t)) return t;
    int mod;
    int64_t day = local_days(tz, t, &mod);
    for (int k = 0; k < 3; k++) {
        int64_t open = local_minute(tz, day + (mod < w->start_minute ? k : k + 1), w->start_minute);
        if (open >= t && in_window(tz, w, open)) return open;
    }
    return INT64_MAX;
}

/* The last allowed minute at or before t. */
static int64_t prev_allowed(const ft_tz *tz, const ft_send_window *w, int64_t t) {
    if (in_window(tz, w, t)) return t;
    int mod;
    int64_t day = local_days(tz, t, &mod);
    for (int k = 0; k < 3; k++) {
        int64_t last = local_minute(tz, day - (mod >= w->end_minute ? k : k + 1), w->end_minute - 1);
        if (last <= t && in_window(tz, w, last)) return last;
    }
    return INT64_MIN;
}

ft_status ft_reminder_time_compute(const ft_tz *tz, int64_t job_start, uint32_t days_before, const ft_send_window *w,
                                   int64_t now, ft_reminder_time *out) {
    if (!tz || !w || !out) return FT_E_INVALID_ARG;
    if (days_before > FT_SCHED_MAX_DAYS_BEFORE) return FT_E_INVALID_ARG;
    if (w->start_minute < 0 || w->end_minute > 24 * 60 || w->end_minute - w->start_minute < 1) return FT_E_SCHED_WINDOW;
    if (job_start < -((int64_t)1 << 40) || job_start > ((int64_t)1 << 40)) return FT_E_INVALID_ARG;
    memset(out, 0, sizeof *out);
    out->planned = job_start - (int64_t)days_before * 86400;
    if (now != FT_SCHED_NO_NOW && job_start <= now) return FT_E_SCHED_STARTED;
    int64_t base = out->planned;
    int late = 0;
    if (now != FT_SCHED_NO_NOW && base < now) {
        base = now;
        late = 1;
    }
    int64_t lower = now != FT_SCHED_NO_NOW ? now : INT64_MIN;
    if (base < job_start && in_window(tz, w, base)) {
        out->send_at = base;
        out->adjust = late ? FT_SEND_LATE : FT_SEND_AS_PLANNED;
        return FT_OK;
    }
    int64_t nx = next_allowed(tz, w, base), pv = late ? INT64_MIN : prev_allowed(tz, w, base);
    int nx_ok = nx < job_start, pv_ok = pv != INT64_MIN && pv >= lower && pv < job_start;
    if (!nx_ok && !pv_ok) return FT_E_SCHED_NO_WINDOW;
    if (nx_ok && (!pv_ok || nx - base < base - pv)) {
        out->send_at = nx;
        out->adjust = late ? FT_SEND_LATE : FT_SEND_MOVED_LATER;
    } else {
        out->send_at = pv;
        out->adjust = FT_SEND_MOVED_EARLIER;
    }
    return FT_OK;
}

/* ---- recurrence ---- */

static int date_valid(ft_date d) {
    ft_civil c = {d.year, d.month, d.day, 0, 0, 0};
    return ft_civil_valid(&c, 0);
}

static int64_t dnum(ft_date d) { return ft_days_from_civil(d.year, d.month, d.day); }

/* The day of the `week`-th (or last, -1) `weekday` of a month; 0 when there is none (a 5th). */
static int nth_weekday(int y, int m, int week, int weekday) {
    int dim = ft_days_in_month(y, m);
    if (week == -1) {
        int wd_last = ft_weekday(y, m, dim);
        return dim - (wd_last - weekday + 7) % 7;
    }
    int day = 1 + (weekday - ft_weekday(y, m, 1) + 7) % 7 + 7 * (week - 1);
    return day <= dim ? day : 0;
}

ft_status ft_recurrence_expand(const ft_recurrence *r, ft_date first, ft_date from, ft_date to, ft_date *out, size_t cap,
                               size_t *n) {
    if (!r || !n || (!out && cap)) return FT_E_INVALID_ARG;
    *n = 0;
    if (!date_valid(first) || !date_valid(from) || !date_valid(to)) return FT_E_SCHED_DATE;
    ft_date until = {FT_SCHED_MAX_YEAR, 12, 31};
    if (r->has_until) {
        until = (ft_date){r->until_year, r->until_month, r->until_day};
        if (!date_valid(until)) return FT_E_SCHED_DATE;
    }
    if (dnum(to) < dnum(from)) return FT_E_SCHED_DATE;
    uint32_t interval = r->interval ? r->interval : 1;
    if (interval > 520) return FT_E_SCHED_RECURRENCE;
    int week = r->week, weekday = r->weekday;
    if (r->kind == FT_RECUR_MONTHLY_WEEKDAY) {
        if (weekday < 0) weekday = ft_weekday(first.year, first.month, first.day);
        if (week == 0) week = (first.day - 1) / 7 + 1;
        if (weekday > 6 || week < -1 || week == 0 || week > 5) return FT_E_SCHED_RECURRENCE;
    } else if (r->kind != FT_RECUR_NONE && r->kind != FT_RECUR_WEEKLY && r->kind != FT_RECUR_MONTHLY_DATE) {
        return FT_E_SCHED_RECURRENCE;
    }
    int64_t last = dnum(to) < dnum(until) ? dnum(to) : dnum(until), lo = dnum(from);
    size_t limit = cap < FT_SCHED_MAX_OCCURRENCES ? cap : FT_SCHED_MAX_OCCURRENCES;
    uint32_t produced = 0; /* occurrences of the series so far (for count) */
    /* k = 0 is the booked first date; monthly kinds then walk months from the first date's own
     * month (index m), keeping only dates after the first one */
    uint64_t m = 0;
    for (uint64_t k = 0;; k++) {
        ft_date d;
        if (k == 0) {
            d = first;
        } else if (r->kind == FT_RECUR_NONE) {
            break;
        } else if (r->kind == FT_RECUR_WEEKLY) {
            int64_t z = dnum(first) + (int64_t)k * 7 * interval;
            if (z > last) break;
            ft_civil_from_days(z, &d.year, &d.month, &d.day);
        } else {
            int64_t mi = (int64_t)first.year * 12 + (first.month - 1) + (int64_t)(m++) * interval;
            d.year = (int)(mi / 12);
            d.month = (int)(mi % 12) + 1;
            if (d.year > FT_SCHED_MAX_YEAR) break;
            if (ft_days_from_civil(d.year, d.month, 1) > last) break;
            if (r->kind == FT_RECUR_MONTHLY_DATE) {
                int dim = ft_days_in_month(d.year, d.month);
                if (first.day > dim) {
                    if (r->short_month == FT_SHORT_MONTH_SKIP) continue;
                    d.day = dim;
                } else {
                    d.day = first.day;
                }
            } else {
                d.day = nth_weekday(d.year, d.month, week, weekday);
                if (d.day == 0) continue; /* no 5th such weekday this month */
            }
            if (dnum(d) <= dnum(first)) continue; /* the first month: only after the booked date */
        }
        int64_t z = dnum(d);
        if (z > last) break;
        if (r->count && produced >= r->count) break;
        produced++;
        if (z < lo) continue;
        if (*n >= limit) return FT_E_SCHED_TOO_MANY;
        out[(*n)++] = d;
    }
    return FT_OK;
}

/* ---- JSON helpers ---- */

static int digits(const char *s, int n, int *v) {
    int x = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        x = x * 10 + (s[i] - '0');
    }
    *v = x;
    return 1;
}

static int parse_date(const char *s, ft_date *d) {
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-') return 0;
    if (!digits(s, 4, &d->year) || !digits(s + 5, 2, &d->month) || !digits(s + 8, 2, &d->day)) return 0;
    return date_valid(*d);
}

/* "YYYY-MM-DDTHH:MM[:SS]" local, or with "Z" / "+hh:mm" for an absolute instant (*abs = 1). */
static int parse_datetime(const char *s, ft_civil *c, int *abs, int64_t *utc) {
    size_t n = s ? strlen(s) : 0;
    *abs = 0;
    if (n < 16 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':') return 0;
    memset(c, 0, sizeof *c);
    if (!digits(s, 4, &c->year) || !digits(s + 5, 2, &c->month) || !digits(s + 8, 2, &c->day) ||
        !digits(s + 11, 2, &c->hour) || !digits(s + 14, 2, &c->minute))
        return 0;
    size_t i = 16;
    if (i < n && s[i] == ':') {
        if (n < 19 || !digits(s + 17, 2, &c->second)) return 0;
        i = 19;
    }
    if (!ft_civil_valid(c, 1)) return 0;
    int64_t local = ft_days_from_civil(c->year, c->month, c->day) * 86400 + c->hour * 3600 + c->minute * 60 + c->second;
    if (i == n) return 1;
    if (s[i] == 'Z' && i + 1 == n) {
        *abs = 1;
        *utc = local;
        return 1;
    }
    if ((s[i] == '+' || s[i] == '-') && n == i + 6 && s[i + 3] == ':') {
        int hh, mm;
        if (!digits(s + i + 1, 2, &hh) || !digits(s + i + 4, 2, &mm) || hh > 23 || mm > 59) return 0;
        int off = (hh * 3600 + mm * 60) * (s[i] == '-' ? -1 : 1);
        *abs = 1;
        *utc = local - off;
        return 1;
    }
    return 0;
}

static int parse_hhmm(const char *s, int *minute) {
    int h, m;
    if (!s) return 0;
    size_t n = strlen(s);
    if (n == 5 && s[2] == ':' && digits(s, 2, &h) && digits(s + 3, 2, &m) && h <= 24 && m <= 59 && (h < 24 || m == 0)) {
        *minute = h * 60 + m;
        return 1;
    }
    return 0;
}

static int64_t fdiv(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* "2025-03-10T09:00:00-05:00" (offset given) or "2025-03-10T14:00:00Z" (utc_form). */
static void fmt_time(int64_t utc, int32_t off, int utc_form, char *buf, size_t cap) {
    int64_t t = utc + (utc_form ? 0 : off);
    int64_t days = fdiv(t, 86400), sod = t - days * 86400;
    int y, m, d;
    ft_civil_from_days(days, &y, &m, &d);
    int n = snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d", y, m, d, (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60));
    if (n < 0 || (size_t)n >= cap) return;
    if (utc_form) {
        snprintf(buf + n, cap - (size_t)n, "Z");
    } else {
        int32_t a = off < 0 ? -off : off;
        snprintf(buf + n, cap - (size_t)n, "%c%02d:%02d", off < 0 ? '-' : '+', (int)(a / 3600), (int)(a / 60 % 60));
    }
}

static void fmt_date(ft_date d, char *buf, size_t cap) { snprintf(buf, cap, "%04d-%02d-%02d", d.year, d.month, d.day); }

static const char *str_item(const cJSON *o, const char *name) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int ieq_str(const char *a, const char *b) {
    if (!a || !b) return 0;
    for (; *a && *b; a++, b++) {
        int x = (unsigned char)*a, y = (unsigned char)*b;
        if (x >= 'A' && x <= 'Z') x += 32;
        if (y >= 'A' && y <= 'Z') y += 32;
        if (x != y) return 0;
    }
    return *a == *b;
}

static const char *const weekday_names[7] = {"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"};

/* Reads "recurrence"; NULL item = not recurring. *why on error. */
static ft_status read_recurrence(const cJSON *j, ft_recurrence *r, const char **why) {
    memset(r, 0, sizeof *r);
    r->weekday = -1;
    if (!j || cJSON_IsNull(j)) return FT_OK;
    if (!cJSON_IsObject(j)) { *why = "\"recurrence\" must be an object"; return FT_E_SCHED_RECURRENCE; }
    const char *freq = str_item(j, "freq");
    if (!freq) { *why = "recurrence needs \"freq\": weekly, monthly_date or monthly_weekday"; return FT_E_SCHED_RECURRENCE; }
    if (ieq_str(freq, "weekly")) r->kind = FT_RECUR_WEEKLY;
    else if (ieq_str(freq, "monthly_date") || ieq_str(freq, "monthly")) r->kind = FT_RECUR_MONTHLY_DATE;
    else if (ieq_str(freq, "monthly_weekday")) r->kind = FT_RECUR_MONTHLY_WEEKDAY;
    else if (ieq_str(freq, "none")) r->kind = FT_RECUR_NONE;
    else { *why = "recurrence \"freq\" must be weekly, monthly_date or monthly_weekday"; return FT_E_SCHED_RECURRENCE; }
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "interval");
    if (v) {
        if (!cJSON_IsNumber(v) || v->valuedouble < 1 || v->valuedouble > 520 || v->valuedouble != (double)(int)v->valuedouble) {
            *why = "recurrence \"interval\" must be a whole number from 1 to 520";
            return FT_E_SCHED_RECURRENCE;
        }
        r->interval = (uint32_t)v->valuedouble;
    }
    v = cJSON_GetObjectItemCaseSensitive(j, "count");
    if (v) {
        if (!cJSON_IsNumber(v) || v->valuedouble < 1 || v->valuedouble > 100000 || v->valuedouble != (double)(int)v->valuedouble) {
            *why = "recurrence \"count\" must be a whole number from 1";
            return FT_E_SCHED_RECURRENCE;
        }
        r->count = (uint32_t)v->valuedouble;
    }
    v = cJSON_GetObjectItemCaseSensitive(j, "until");
    if (v && !cJSON_IsNull(v)) {
        ft_date u;
        if (!cJSON_IsString(v) || !parse_date(v->valuestring, &u)) { *why = "recurrence \"until\" must be a date YYYY-MM-DD"; return FT_E_SCHED_DATE; }
        r->has_until = 1;
        r->until_year = u.year;
        r->until_month = u.month;
        r->until_day = u.day;
    }
    const char *sm = str_item(j, "short_month");
    if (sm) {
        if (ieq_str(sm, "last_day")) r->short_month = FT_SHORT_MONTH_LAST_DAY;
        else if (ieq_str(sm, "skip")) r->short_month = FT_SHORT_MONTH_SKIP;
        else { *why = "recurrence \"short_month\" must be last_day or skip"; return FT_E_SCHED_RECURRENCE; }
    }
    v = cJSON_GetObjectItemCaseSensitive(j, "week");
    if (v) {
        if (cJSON_IsString(v) && ieq_str(v->valuestring, "last")) r->week = -1;
        else if (cJSON_IsNumber(v) && (v->valuedouble == -1 || (v->valuedouble >= 1 && v->valuedouble <= 5)) &&
                 v->valuedouble == (double)(int)v->valuedouble)
            r->week = (int)v->valuedouble;
        else { *why = "recurrence \"week\" must be 1-5, -1 or \"last\""; return FT_E_SCHED_RECURRENCE; }
    }
    v = cJSON_GetObjectItemCaseSensitive(j, "weekday");
    if (v) {
        int found = -1;
        for (int i = 0; i < 7 && cJSON_IsString(v); i++)
            if (ieq_str(v->valuestring, weekday_names[i]) ||
                (strlen(v->valuestring) == 3 && strncmp(weekday_names[i], v->valuestring, 3) == 0))
                found = i;
        if (cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble <= 6) found = (int)v->valuedouble;
        if (found < 0) { *why = "recurrence \"weekday\" must be a day name (\"tuesday\") or 0-6 (Sunday = 0)"; return FT_E_SCHED_RECURRENCE; }
        r->weekday = found;
    }
    return FT_OK;
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Reads "skip_dates" (NULL item: none) into days[] as sorted day numbers (room for
 * FT_SCHED_MAX_SKIP_DATES), *n how many. On error msg says which entry is wrong. */
static ft_status read_skip_dates(const cJSON *j, int64_t *days, size_t *n, char *msg, size_t cap) {
    *n = 0;
    if (!j || cJSON_IsNull(j)) return FT_OK;
    if (!cJSON_IsArray(j)) {
        snprintf(msg, cap, "\"skip_dates\" must be an array of dates like 2025-03-17");
        return FT_E_JSON_SHAPE;
    }
    int count = cJSON_GetArraySize(j);
    if (count > (int)FT_SCHED_MAX_SKIP_DATES) {
        snprintf(msg, cap, "\"skip_dates\" has %d dates: at most %u visits of a job can be skipped", count,
                 FT_SCHED_MAX_SKIP_DATES);
        return FT_E_TOO_LARGE;
    }
    const cJSON *v;
    cJSON_ArrayForEach(v, j) {
        ft_date d;
        if (!cJSON_IsString(v)) {
            snprintf(msg, cap, "\"skip_dates\" entry %zu is not a date string like 2025-03-17", *n + 1);
            return FT_E_SCHED_DATE;
        }
        if (!parse_date(v->valuestring, &d)) {
            snprintf(msg, cap, "\"skip_dates\" entry %zu (\"%.16s\") is not a valid date like 2025-03-17", *n + 1,
                     v->valuestring);
            return FT_E_SCHED_DATE;
        }
        days[(*n)++] = dnum(d);
    }
    if (*n > 1) qsort(days, *n, sizeof *days, cmp_i64);
    return FT_OK;
}

typedef struct {
    int64_t key;
    size_t seq;
    cJSON *item;
} rem_entry;

static int rem_cmp(const void *a, const void *b) {
    const rem_entry *x = a, *y = b;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int exclude(cJSON *arr, const char *job_id, const char *date, const char *reason, const char *msg, int code) {
    cJSON *e = cJSON_CreateObject();
    if (!e) return 0;
    cJSON_AddItemToArray(arr, e);
    if ((job_id && !cJSON_AddStringToObject(e, "job_id", job_id)) || (date && !cJSON_AddStringToObject(e, "date", date)) ||
        !cJSON_AddStringToObject(e, "reason", reason) || !cJSON_AddStringToObject(e, "message", msg))
        return 0;
    if (code) {
        cJSON *err = ft_json_error_object(code, NULL);
        if (!err) return 0;
        cJSON_AddItemToObject(e, "error", err);
    }
    return 1;
}

typedef struct {
    int has_now;
    int64_t now;
    int has_range;
    ft_date from, to;
    uint32_t days_before;
    int has_window;
    ft_send_window window;
    const char *f_tech, *f_class, *f_ctype, *f_jtype;
} rem_opts;

static const char *adjust_name(ft_send_adjust a) {
    switch (a) {
    case FT_SEND_MOVED_LATER: return "moved_later";
    case FT_SEND_MOVED_EARLIER: return "moved_earlier";
    case FT_SEND_LATE: return "late";
    default: return "none";
    }
}

/* One job: appends reminders to *ents and exclusions to excl. 0 on NOMEM, -1 over the cap. */
static int do_job(const cJSON *job, const rem_opts *op, rem_entry **ents, size_t *nents, size_t *cap, cJSON *excl) {
    char idbuf[32];
    const cJSON *idv = cJSON_GetObjectItemCaseSensitive(job, "id");
    const char *id = cJSON_IsString(idv) ? idv->valuestring : NULL;
    if (cJSON_IsNumber(idv)) {
        snprintf(idbuf, sizeof idbuf, "%.0f", idv->valuedouble);
        id = idbuf;
    }
    if (!cJSON_IsObject(job)) return exclude(excl, NULL, NULL, "invalid", "each job must be a JSON object", FT_E_JSON_SHAPE);
    if (!id) return exclude(excl, NULL, NULL, "invalid", "the job has no \"id\"", FT_E_JSON_SHAPE);
    static const struct { const char *field, *reason; } filters[4] = {
        {"technician", "technician"}, {"class", "class"}, {"customer_type", "customer_type"}, {"job_type", "job_type"}};
    const char *fv[4] = {op->f_tech, op->f_class, op->f_ctype, op->f_jtype};
    for (int i = 0; i < 4; i++) {
        if (!fv[i]) continue;
        const char *jv = str_item(job, filters[i].field);
        if (!ieq_str(jv, fv[i])) {
            char msg[200];
            snprintf(msg, sizeof msg, "left out by the %s filter (the job's %s is %s)", filters[i].field, filters[i].field,
                     jv ? "different" : "not set");
            return exclude(excl, id, NULL, filters[i].reason, msg, 0);
        }
    }
    const cJSON *cust = cJSON_GetObjectItemCaseSensitive(job, "customer");
    const char *consent = cJSON_IsObject(cust) ? str_item(cust, "consent") : NULL;
    if (!consent || strcmp(consent, "opted_in") != 0) {
        char msg[160];
        snprintf(msg, sizeof msg, "the customer has not opted in to text messages (consent: %.40s)", consent ? consent : "none recorded");
        return exclude(excl, id, NULL, "not_opted_in", msg, 0);
    }
    const char *sms = str_item(cust, "sms_number");
    int nd = 0;
    for (const char *p = sms; p && *p; p++) nd += *p >= '0' && *p <= '9';
    if (!sms || nd < 10) return exclude(excl, id, NULL, "no_sms_number", "the customer has no SMS number", 0);

    /* the zone: explicit, else from the address's state / province */
    ft_tz tz;
    const char *zone = str_item(job, "time_zone"), *state = str_item(job, "state"), *note = NULL;
    if (zone) {
        if (ft_tz_lookup(zone, strlen(zone), &tz, NULL) != FT_OK)
            return exclude(excl, id, NULL, "invalid", "unknown time zone (use an IANA name of the US or Canada, e.g. America/Chicago)",
                           FT_E_SCHED_TZ_UNKNOWN);
    } else if (state) {
        const ft_region_zone *rz;
        if (ft_region_zone_lookup(state, strlen(state), &rz) != FT_OK)
            return exclude(excl, id, NULL, "invalid", "unknown state or province code", FT_E_SCHED_REGION);
        zone = rz->zone;
        note = rz->split;
        ft_tz_lookup(zone, strlen(zone), &tz, NULL);
    } else {
        return exclude(excl, id, NULL, "invalid", "the job has neither \"time_zone\" nor \"state\"", FT_E_SCHED_TZ_UNKNOWN);
    }
    ft_send_window w;
    if (op->has_window) w = op->window;
    else ft_send_window_for_region(state, state ? strlen(state) : 0, &w);

    ft_civil start;
    int abs = 0;
    int64_t abs_utc = 0;
    if (!parse_datetime(str_item(job, "start"), &start, &abs, &abs_utc))
        return exclude(excl, id, NULL, "invalid", "\"start\" must be a date and time like 2025-03-10T09:00", FT_E_SCHED_DATE);
    if (abs) ft_tz_to_local(&tz, abs_utc, &start, NULL, NULL);

    ft_recurrence rec;
    const char *why = NULL;
    ft_status st = read_recurrence(cJSON_GetObjectItemCaseSensitive(job, "recurrence"), &rec, &why);
    if (st != FT_OK) return exclude(excl, id, NULL, "invalid", why, st);
    int64_t skips[FT_SCHED_MAX_SKIP_DATES];
    size_t nskips = 0;
    char skip_why[120];
    st = read_skip_dates(cJSON_GetObjectItemCaseSensitive(job, "skip_dates"), skips, &nskips, skip_why, sizeof skip_why);
    if (st != FT_OK) return exclude(excl, id, NULL, "invalid", skip_why, st);
    ft_date first = {start.year, start.month, start.day};
    ft_date from = first, to = first;
    if (op->has_range) {
        from = op->from;
        to = op->to;
    } else if (rec.kind != FT_RECUR_NONE) {
        ft_civil_from_days(dnum(first) + 31, &to.year, &to.month, &to.day); /* default: a month ahead */
    }
    ft_date *dates = malloc(FT_SCHED_MAX_OCCURRENCES * sizeof *dates);
    if (!dates) return 0;
    size_t nd2 = 0;
    st = ft_recurrence_expand(&rec, first, from, to, dates, FT_SCHED_MAX_OCCURRENCES, &nd2);
    /* st is reused for each visit below. (The two-year cap on the range keeps a series under 1,000
     * visits today: this only speaks if that cap is raised.) */
    int too_many = st == FT_E_SCHED_TOO_MANY;
    if (st != FT_OK && !too_many) {
        free(dates);
        return exclude(excl, id, NULL, "invalid", "the recurrence cannot be expanded over that range", st);
    }
    if (nd2 == 0) {
        free(dates);
        return exclude(excl, id, NULL, "outside_range", rec.kind == FT_RECUR_NONE ? "the job is outside the date range" : "no visit of the series falls in the date range", 0);
    }
    const char *cname = str_item(cust, "name"), *cid = str_item(cust, "id");
    int ok = 1;
    for (size_t k = 0; k < nd2 && ok; k++) {
        char date[16], b1[40], b2[40], b3[40], b4[40];
        fmt_date(dates[k], date, sizeof date);
        ft_civil c = start;
        c.year = dates[k].year;
        c.month = dates[k].month;
        c.day = dates[k].day;
        int64_t job_utc;
        if (abs && k == 0) job_utc = abs_utc;
        else if (ft_tz_from_local(&tz, &c, FT_TZ_EARLIER, &job_utc, NULL) != FT_OK) {
            ok = exclude(excl, id, date, "invalid", "invalid job date", FT_E_SCHED_DATE);
            continue;
        }
        ft_reminder_time rt;
        st = ft_reminder_time_compute(&tz, job_utc, op->days_before, &w, op->has_now ? op->now : FT_SCHED_NO_NOW, &rt);
        if (st == FT_E_SCHED_STARTED) {
            ok = exclude(excl, id, date, "started", "the job has already started", 0);
            continue;
        }
        int64_t z = dnum(dates[k]);
        if (nskips && bsearch(&z, skips, nskips, sizeof *skips, cmp_i64)) {
            ok = exclude(excl, id, date, "skipped", "this visit was skipped: no reminder is sent for it", 0);
            continue;
        }
        if (st != FT_OK) {
            ok = exclude(excl, id, date, "no_send_time",
                         "no time inside the customer's send window is left before the job starts", st);
            continue;
        }
        if (*nents >= FT_SCHED_MAX_REMINDERS) {
            free(dates);
            return -1;
        }
        if (*nents == *cap) {
            size_t nc = *cap ? *cap * 2 : 64;
            rem_entry *ne = realloc(*ents, nc * sizeof *ne);
            if (!ne) { ok = 0; break; }
            *ents = ne;
            *cap = nc;
        }
        cJSON *r = cJSON_CreateObject();
        if (!r) { ok = 0; break; }
        (*ents)[*nents] = (rem_entry){rt.send_at, *nents, r};
        (*nents)++;
        fmt_time(job_utc, ft_tz_offset(&tz, job_utc, NULL), 0, b1, sizeof b1);
        fmt_time(job_utc, 0, 1, b2, sizeof b2);
        fmt_time(rt.send_at, ft_tz_offset(&tz, rt.send_at, NULL), 0, b3, sizeof b3);
        fmt_time(rt.send_at, 0, 1, b4, sizeof b4);
        ok = cJSON_AddStringToObject(r, "job_id", id) && cJSON_AddStringToObject(r, "date", date) &&
             (!cid || cJSON_AddStringToObject(r, "customer_id", cid)) && (!cname || cJSON_AddStringToObject(r, "customer_name", cname)) &&
             cJSON_AddStringToObject(r, "sms_number", sms) &&
             (!str_item(job, "technician") || cJSON_AddStringToObject(r, "technician", str_item(job, "technician"))) &&
             (!str_item(job, "job_type") || cJSON_AddStringToObject(r, "job_type", str_item(job, "job_type"))) &&
             cJSON_AddStringToObject(r, "time_zone", zone) && cJSON_AddStringToObject(r, "job_start", b1) &&
             cJSON_AddStringToObject(r, "job_start_utc", b2) && cJSON_AddStringToObject(r, "send_at", b3) &&
             cJSON_AddStringToObject(r, "send_at_utc", b4) && cJSON_AddStringToObject(r, "adjusted", adjust_name(rt.adjust)) &&
             (!note || cJSON_AddStringToObject(r, "zone_note", note)) &&
             cJSON_AddBoolToObject(r, "recurring", rec.kind != FT_RECUR_NONE);
    }
    if (ok && too_many) ok = exclude(excl, id, NULL, "invalid", "the series has more than 1,000 visits in the range; only the first 1,000 are listed", FT_E_SCHED_TOO_MANY);
    free(dates);
    return ok;
}

static ft_status read_rem_opts(const cJSON *j, rem_opts *o, const char **why) {
    memset(o, 0, sizeof *o);
    o->days_before = 1;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "now");
    if (v && !cJSON_IsNull(v)) {
        ft_civil c;
        int abs = 0;
        if (cJSON_IsNumber(v)) {
            /* Unix seconds within the years a date may have (as the string form): converting a
             * double out of int64_t's range (1e300) is undefined behaviour. */
            double lo = (double)ft_days_from_civil(FT_SCHED_MIN_YEAR, 1, 1) * 86400.0;
            double hi = (double)ft_days_from_civil(FT_SCHED_MAX_YEAR + 1, 1, 1) * 86400.0;
            if (!(v->valuedouble >= lo && v->valuedouble < hi)) {
                *why = "\"now\" must be a UTC time like 2025-03-01T12:00:00Z (or Unix seconds)";
                return FT_E_SCHED_DATE;
            }
            o->now = (int64_t)v->valuedouble;
        } else if (!cJSON_IsString(v) || !parse_datetime(v->valuestring, &c, &abs, &o->now) || !abs) {
            *why = "\"now\" must be a UTC time like 2025-03-01T12:00:00Z (or Unix seconds)";
            return FT_E_SCHED_DATE;
        }
        o->has_now = 1;
    }
    const cJSON *filter = cJSON_GetObjectItemCaseSensitive(j, "filter");
    if (filter && !cJSON_IsObject(filter)) { *why = "\"filter\" must be an object"; return FT_E_JSON_SHAPE; }
    const char *fs = str_item(j, "from"), *ts = str_item(j, "to");
    if (filter) {
        if (!fs) fs = str_item(filter, "from");
        if (!ts) ts = str_item(filter, "to");
        o->f_tech = str_item(filter, "technician");
        o->f_class = str_item(filter, "class");
        o->f_ctype = str_item(filter, "customer_type");
        o->f_jtype = str_item(filter, "job_type");
    }
    if (fs || ts) {
        if (!fs || !ts || !parse_date(fs, &o->from) || !parse_date(ts, &o->to)) {
            *why = "\"from\" and \"to\" must both be dates like 2025-03-01";
            return FT_E_SCHED_DATE;
        }
        if (dnum(o->to) < dnum(o->from)) { *why = "\"to\" is before \"from\""; return FT_E_SCHED_DATE; }
        if (dnum(o->to) - dnum(o->from) > 366 * 2) { *why = "the date range is longer than two years"; return FT_E_SCHED_DATE; }
        o->has_range = 1;
    }
    v = cJSON_GetObjectItemCaseSensitive(j, "days_before");
    if (v) {
        if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > FT_SCHED_MAX_DAYS_BEFORE ||
            v->valuedouble != (double)(int)v->valuedouble) {
            *why = "\"days_before\" must be a whole number from 0 to 30";
            return FT_E_JSON_SHAPE;
        }
        o->days_before = (uint32_t)v->valuedouble;
    }
    v = cJSON_GetObjectItemCaseSensitive(j, "window");
    if (v && !cJSON_IsNull(v)) {
        if (!cJSON_IsObject(v) || !parse_hhmm(str_item(v, "start"), &o->window.start_minute) ||
            !parse_hhmm(str_item(v, "end"), &o->window.end_minute) || o->window.end_minute <= o->window.start_minute) {
            *why = "\"window\" must be {\"start\": \"08:00\", \"end\": \"21:00\"} with start before end";
            return FT_E_SCHED_WINDOW;
        }
        o->has_window = 1;
    }
    return FT_OK;
}

ft_status ft_reminders_json(const char *json, size_t len, char **out) {
    if (!out || (!json && len)) return FT_E_INVALID_ARG;
    *out = NULL;
    ft_status st = FT_OK;
    const char *why = NULL;
    cJSON *j = ft_json_parse(json, len, &st);
    rem_opts op;
    const cJSON *jobs = NULL;
    if (j) {
        jobs = cJSON_IsObject(j) ? cJSON_GetObjectItemCaseSensitive(j, "jobs") : NULL;
        if (!cJSON_IsArray(jobs)) {
            st = FT_E_JSON_SHAPE;
            why = "the input must be an object with \"jobs\": [...]";
        } else if (cJSON_GetArraySize(jobs) > (int)FT_SCHED_MAX_JOBS) {
            st = FT_E_TOO_LARGE;
            why = "more than 5,000 jobs";
        } else {
            st = read_rem_opts(j, &op, &why);
        }
    }
    if (st != FT_OK) {
        cJSON_Delete(j);
        *out = ft_json_error_reply(st, why);
        return *out ? st : FT_E_NOMEM;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON *excl = cJSON_CreateArray();
    rem_entry *ents = NULL;
    size_t n = 0, cap = 0;
    int ok = o && excl;
    const cJSON *job;
    cJSON_ArrayForEach(job, jobs) {
        if (!ok) break;
        int r = do_job(job, &op, &ents, &n, &cap, excl);
        if (r < 0) {
            st = FT_E_SCHED_TOO_MANY;
            break;
        }
        ok = r;
    }
    if (ok && st == FT_OK) {
        if (n > 1) qsort(ents, n, sizeof *ents, rem_cmp); /* ents is NULL when n is 0 */
        cJSON *arr = cJSON_AddTrueToObject(o, "ok") ? cJSON_AddArrayToObject(o, "reminders") : NULL;
        ok = arr != NULL;
        for (size_t i = 0; i < n; i++) {
            if (ok) cJSON_AddItemToArray(arr, ents[i].item);
            else cJSON_Delete(ents[i].item);
        }
        if (ok) cJSON_AddItemToObject(o, "excluded", excl);
        else cJSON_Delete(excl);
        excl = NULL;
    } else {
        for (size_t i = 0; i < n; i++) cJSON_Delete(ents[i].item);
        if (ok) ok = ft_json_set_error(o, st, "more than 20,000 reminders: narrow the date range or the filter");
    }
    free(ents);
    cJSON_Delete(excl);
    cJSON_Delete(j);
    if (!ok) {
        cJSON_Delete(o);
        return FT_E_NOMEM;
    }
    *out = ft_json_finish(o);
    return *out ? st : FT_E_NOMEM;
}

/* ---- conversions as JSON ---- */

static int list_zones(cJSON *o) {
    if (!cJSON_AddStringToObject(o, "tzdata", ft_tz_data_version())) return 0;
    cJSON *z = cJSON_AddArrayToObject(o, "zones");
    if (!z) return 0;
    for (size_t i = 0; i < ft_tz_zone_count(); i++) {
        const char *name, *posix;
        ft_tz_zone_at(i, &name, &posix);
        cJSON *e = cJSON_CreateObject();
        if (!e) return 0;
        cJSON_AddItemToArray(z, e);
        if (!cJSON_AddStringToObject(e, "name", name) || !cJSON_AddStringToObject(e, "posix", posix)) return 0;
    }
    cJSON *r = cJSON_AddArrayToObject(o, "regions");
    if (!r) return 0;
    for (size_t i = 0; i < ft_region_count_internal(); i++) {
        const ft_region_zone *rz = ft_region_at_internal(i);
        ft_send_window w;
        ft_send_window_for_region(rz->region, 2, &w);
        char end[24];
        snprintf(end, sizeof end, "%02d:%02d", w.end_minute / 60, w.end_minute % 60);
        cJSON *e = cJSON_CreateObject();
        if (!e) return 0;
        cJSON_AddItemToArray(r, e);
        if (!cJSON_AddStringToObject(e, "region", rz->region) || !cJSON_AddStringToObject(e, "country", rz->country) ||
            !cJSON_AddStringToObject(e, "zone", rz->zone) ||
            !(rz->split ? cJSON_AddStringToObject(e, "split", rz->split) : cJSON_AddNullToObject(e, "split")) ||
            !cJSON_AddStringToObject(e, "window_start", "08:00") || !cJSON_AddStringToObject(e, "window_end", end))
            return 0;
    }
    return 1;
}

ft_status ft_tz_convert_json(const char *json, size_t len, char **out) {
    if (!out || (!json && len)) return FT_E_INVALID_ARG;
    *out = NULL;
    ft_status st = FT_OK;
    const char *why = NULL;
    cJSON *j = ft_json_parse(json, len, &st);
    cJSON *o = NULL;
    ft_tz tz;
    const char *zone = NULL, *note = NULL;
    if (!j) goto fail;
    if (!cJSON_IsObject(j)) { st = FT_E_JSON_SHAPE; why = "the input must be a JSON object"; goto fail; }
    o = cJSON_CreateObject();
    if (!o || !cJSON_AddTrueToObject(o, "ok")) goto nomem;
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "list"))) {
        if (!list_zones(o)) goto nomem;
        goto finish;
    }
    zone = str_item(j, "zone");
    const char *state = str_item(j, "state");
    if (!zone && state) {
        const ft_region_zone *rz;
        if ((st = ft_region_zone_lookup(state, strlen(state), &rz)) != FT_OK) { why = "unknown state or province code"; goto fail; }
        zone = rz->zone;
        note = rz->split;
    }
    if (!zone) { st = FT_E_JSON_SHAPE; why = "give \"zone\" (IANA name) or \"state\""; goto fail; }
    const char *posix = NULL;
    if ((st = ft_tz_lookup(zone, strlen(zone), &tz, &posix)) != FT_OK) { why = "unknown time zone"; goto fail; }
    if (!cJSON_AddStringToObject(o, "zone", zone) || !cJSON_AddStringToObject(o, "posix", posix) ||
        (note && !cJSON_AddStringToObject(o, "zone_note", note)))
        goto nomem;
    const char *utc_s = str_item(j, "utc"), *local_s = str_item(j, "local");
    ft_civil c;
    int abs = 0;
    int64_t t = 0;
    char b1[40], b2[40];
    if (utc_s) {
        if (!parse_datetime(utc_s, &c, &abs, &t) || !abs) { st = FT_E_SCHED_DATE; why = "\"utc\" must be like 2025-03-09T07:30:00Z"; goto fail; }
    } else if (local_s) {
        if (!parse_datetime(local_s, &c, &abs, &t) || abs) { st = FT_E_SCHED_DATE; why = "\"local\" must be like 2025-03-09T02:30 (no offset)"; goto fail; }
        const char *ch = str_item(j, "choice");
        ft_tz_choice choice = FT_TZ_REJECT;
        if (ch && ieq_str(ch, "earlier")) choice = FT_TZ_EARLIER;
        else if (ch && ieq_str(ch, "later")) choice = FT_TZ_LATER;
        else if (ch && !ieq_str(ch, "reject")) { st = FT_E_JSON_SHAPE; why = "\"choice\" must be reject, earlier or later"; goto fail; }
        ft_local_kind kind;
        st = ft_tz_from_local(&tz, &c, choice, &t, &kind);
        const char *kn = kind == FT_LOCAL_GAP ? "gap" : kind == FT_LOCAL_OVERLAP ? "overlap" : "unique";
        if (!cJSON_AddStringToObject(o, "kind", kn)) goto nomem;
        if (st != FT_OK) {
            if (!ft_json_set_error(o, st, NULL)) goto nomem;
            goto finish;
        }
    } else {
        st = FT_E_JSON_SHAPE;
        why = "give \"utc\" or \"local\"";
        goto fail;
    }
    int dst;
    int32_t off = ft_tz_offset(&tz, t, &dst);
    fmt_time(t, off, 0, b1, sizeof b1);
    fmt_time(t, 0, 1, b2, sizeof b2);
    if (!cJSON_AddStringToObject(o, "local", b1) || !cJSON_AddStringToObject(o, "utc", b2) ||
        !cJSON_AddNumberToObject(o, "offset_seconds", off) || !cJSON_AddBoolToObject(o, "dst", dst) ||
        !cJSON_AddStringToObject(o, "abbreviation", ft_tz_abbreviation(&tz, t)) ||
        !cJSON_AddNumberToObject(o, "unix", (double)t))
        goto nomem;
finish:
    cJSON_Delete(j);
    *out = ft_json_finish(o);
    return *out ? st : FT_E_NOMEM;
fail:
    cJSON_Delete(j);
    cJSON_Delete(o);
    *out = ft_json_error_reply(st, why);
    return *out ? st : FT_E_NOMEM;
nomem:
    cJSON_Delete(j);
    cJSON_Delete(o);
    return FT_E_NOMEM;
}
