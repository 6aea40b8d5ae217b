/* Scheduling: POSIX TZ rules, UTC <-> local with gaps and overlaps, regions, send windows,
 * reminder times, recurrences, the reminders list; natively also a comparison with tzdata. */
#ifndef __EMSCRIPTEN__
#define _DEFAULT_SOURCE /* setenv, tzset, localtime_r, tm_gmtoff: only in this native test */
#endif
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cJSON.h"
#include "fieldtext/json.h"
#include "fieldtext/schedule.h"
#include "test.h"

static ft_tz zone(const char *name) {
    ft_tz tz;
    CHECK_EQ_INT(ft_tz_lookup(name, strlen(name), &tz, NULL), FT_OK);
    return tz;
}

static int64_t utc_of(int y, int mo, int d, int h, int mi) {
    return ft_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60;
}

static void tz_parses_posix_rules(void) {
    ft_tz tz;
    CHECK_EQ_INT(ft_tz_parse_posix("NST3:30NDT,M3.2.0,M11.1.0", 25, &tz), FT_OK);
    CHECK_EQ_INT(tz.std_offset, -(3 * 3600 + 1800));
    CHECK_EQ_INT(tz.dst_offset, -(2 * 3600 + 1800));
    CHECK_EQ_STR(tz.dst_name, "NDT");
    CHECK_EQ_INT(ft_tz_parse_posix("ChST-10", 7, &tz), FT_OK);
    CHECK_EQ_INT(tz.std_offset, 36000);
    CHECK_EQ_INT(tz.has_dst, 0);
    CHECK_EQ_INT(ft_tz_parse_posix("<-03>3<-02>,M3.5.0/-2,M10.5.0/-1", 32, &tz), FT_OK);
    CHECK_EQ_INT(tz.start.time, -7200);
    CHECK_EQ_INT(ft_tz_parse_posix("EST5EDT,J60/3,100", 17, &tz), FT_OK);
    CHECK_EQ_INT(ft_tz_parse_posix("EST", 3, &tz), FT_E_SCHED_TZ_RULE);
    CHECK_EQ_INT(ft_tz_parse_posix("EST5EDT,M13.1.0,M11.1.0", 23, &tz), FT_E_SCHED_TZ_RULE);
    CHECK_EQ_INT(ft_tz_parse_posix("EST5EDT,M3.2.0", 14, &tz), FT_E_SCHED_TZ_RULE);
    CHECK_EQ_INT(ft_tz_lookup("Europe/Paris", 12, &tz, NULL), FT_E_SCHED_TZ_UNKNOWN);
    /* every table entry parses */
    for (size_t i = 0; i < ft_tz_zone_count(); i++) {
        const char *n, *p;
        ft_tz_zone_at(i, &n, &p);
        CHECK_EQ_INT(ft_tz_parse_posix(p, strlen(p), &tz), FT_OK);
    }
}

static void tz_converts_across_dst_in_new_york_and_st_johns(void) {
    ft_tz ny = zone("America/New_York");
    ft_civil c;
    int32_t off;
    int dst;
    ft_tz_to_local(&ny, utc_of(2025, 3, 9, 6, 59), &c, &off, &dst); /* 01:59 EST */
    CHECK_EQ_INT(c.hour, 1);
    CHECK_EQ_INT(dst, 0);
    ft_tz_to_local(&ny, utc_of(2025, 3, 9, 7, 0), &c, &off, &dst); /* 03:00 EDT */
    CHECK_EQ_INT(c.hour, 3);
    CHECK_EQ_INT(off, -14400);
    ft_tz nl = zone("America/St_Johns");
    ft_tz_to_local(&nl, utc_of(2025, 7, 1, 12, 0), &c, &off, &dst);
    CHECK_EQ_INT(off, -(2 * 3600 + 1800));
    CHECK_EQ_INT(c.hour, 9);
    CHECK_EQ_INT(c.minute, 30);
    ft_tz az = zone("America/Phoenix");
    CHECK_EQ_INT(ft_tz_offset(&az, utc_of(2025, 7, 1, 0, 0), NULL), -25200);
}

static void tz_reports_gap_and_overlap_explicitly(void) {
    ft_tz ny = zone("America/New_York");
    ft_civil gap = {2025, 3, 9, 2, 30, 0}, overlap = {2025, 11, 2, 1, 30, 0}, plain = {2025, 6, 1, 9, 0, 0};
    int64_t t;
    ft_local_kind k;
    CHECK_EQ_INT(ft_tz_from_local(&ny, &gap, FT_TZ_REJECT, &t, &k), FT_E_SCHED_TIME_GAP);
    CHECK_EQ_INT(k, FT_LOCAL_GAP);
    CHECK_EQ_INT(ft_tz_from_local(&ny, &gap, FT_TZ_EARLIER, &t, &k), FT_OK);
    CHECK_EQ_INT(t, utc_of(2025, 3, 9, 7, 30)); /* = 03:30 EDT: moved forward by the gap */
    CHECK_EQ_INT(ft_tz_from_local(&ny, &overlap, FT_TZ_REJECT, &t, &k), FT_E_SCHED_TIME_AMBIGUOUS);
    CHECK_EQ_INT(ft_tz_from_local(&ny, &overlap, FT_TZ_EARLIER, &t, &k), FT_OK);
    CHECK_EQ_INT(t, utc_of(2025, 11, 2, 5, 30)); /* 01:30 EDT */
    CHECK_EQ_INT(ft_tz_from_local(&ny, &overlap, FT_TZ_LATER, &t, &k), FT_OK);
    CHECK_EQ_INT(t, utc_of(2025, 11, 2, 6, 30)); /* 01:30 EST */
    CHECK_EQ_INT(ft_tz_from_local(&ny, &plain, FT_TZ_REJECT, &t, &k), FT_OK);
    CHECK_EQ_INT(k, FT_LOCAL_UNIQUE);
    ft_civil bad = {2025, 2, 29, 9, 0, 0};
    CHECK_EQ_INT(ft_tz_from_local(&ny, &bad, FT_TZ_EARLIER, &t, &k), FT_E_SCHED_DATE);
}

static void region_maps_states_and_notes_split_ones(void) {
    const ft_region_zone *r;
    CHECK_EQ_INT(ft_region_zone_lookup("tx", 2, &r), FT_OK);
    CHECK_EQ_STR(r->zone, "America/Chicago");
    CHECK(r->split && strstr(r->split, "America/Denver"));
    CHECK_EQ_INT(ft_region_zone_lookup("SK", 2, &r), FT_OK);
    CHECK_EQ_STR(r->zone, "America/Regina");
    CHECK_EQ_INT(ft_region_zone_lookup("NL", 2, &r), FT_OK);
    CHECK_EQ_STR(r->zone, "America/St_Johns");
    CHECK_EQ_INT(ft_region_zone_lookup("ZZ", 2, &r), FT_E_SCHED_REGION);
    ft_tz tz;
    for (const char *s = "ALAKAZARCACOCTDEDCFLGAHIIDILINIAKSKYLAMEMDMAMIMNMSMOMTNENVNHNJNMNYNCNDOHOKORPARISCSDTNTXUTVTVAWAWVWIWYASGUMPPRVIABBCMBNBNLNSNTNUONPEQCSKYT"; *s; s += 2) {
        CHECK_EQ_INT(ft_region_zone_lookup(s, 2, &r), FT_OK);
        CHECK_EQ_INT(ft_tz_lookup(r->zone, strlen(r->zone), &tz, NULL), FT_OK);
    }
    ft_send_window w;
    ft_send_window_for_region("fl", 2, &w);
    CHECK_EQ_INT(w.end_minute, 20 * 60);
    ft_send_window_for_region("TX", 2, &w);
    CHECK_EQ_INT(w.end_minute, 21 * 60);
    CHECK_EQ_INT(w.start_minute, 8 * 60);
}

static void reminder_goes_n_days_before_inside_the_window(void) {
    ft_tz ny = zone("America/New_York");
    ft_send_window w = {8 * 60, 21 * 60};
    ft_reminder_time r;
    /* job 10:00 EDT Jun 10 -> 10:00 Jun 9 as planned */
    CHECK_EQ_INT(ft_reminder_time_compute(&ny, utc_of(2025, 6, 10, 14, 0), 1, &w, FT_SCHED_NO_NOW, &r), FT_OK);
    CHECK_EQ_INT(r.send_at, utc_of(2025, 6, 9, 14, 0));
    CHECK_EQ_INT(r.adjust, FT_SEND_AS_PLANNED);
    /* job 07:00 -> planned 07:00 the day before: moved later to 08:00 */
    CHECK_EQ_INT(ft_reminder_time_compute(&ny, utc_of(2025, 6, 10, 11, 0), 1, &w, FT_SCHED_NO_NOW, &r), FT_OK);
    CHECK_EQ_INT(r.send_at, utc_of(2025, 6, 9, 12, 0));
    CHECK_EQ_INT(r.adjust, FT_SEND_MOVED_LATER);
    /* job 22:30 -> planned 22:30 the day before: moved earlier to 20:59 */
    CHECK_EQ_INT(ft_reminder_time_compute(&ny, utc_of(2025, 6, 11, 2, 30), 1, &w, FT_SCHED_NO_NOW, &r), FT_OK);
    CHECK_EQ_INT(r.send_at, utc_of(2025, 6, 10, 0, 59));
    CHECK_EQ_INT(r.adjust, FT_SEND_MOVED_EARLIER);
    /* across the DST change: N x 24 hours, not "same wall time" */
    CHECK_EQ_INT(ft_reminder_time_compute(&ny, utc_of(2025, 3, 10, 14, 0), 1, &w, FT_SCHED_NO_NOW, &r), FT_OK);
    CHECK_EQ_INT(r.send_at, utc_of(2025, 3, 9, 14, 0)); /* 10:00 EDT job -> 10:00 EDT (09:00 EST + 1 h) */
}

static void reminder_never_after_the_job_starts(void) {
    ft_tz ny = zone("America/New_York");
    ft_send_window w = {8 * 60, 21 * 60};
    ft_reminder_time r;
    /* same-day reminder (N = 0) for a 07:30 job: the window never opens before it: no time */
    CHECK_EQ_INT(ft_reminder_time_compute(&ny, utc_of(2025, 6, 10, 11, 30), 0, &w, utc_of(2025, 6, 10, 10, 0), &r),
                 FT_E_SCHED_NO_WINDOW);
    /* job already started */
    CHECK_EQ_INT(ft_reminder_time_compute(&ny, utc_of(2025, 6, 10, 11, 30), 1, &w, utc_of(2025, 6, 10, 12, 0), &r),
                 FT_E_SCHED_STARTED);
    /* planned time passed, now is inside the window: send now (late) */
    CHECK_EQ_INT(ft_reminder_time_compute(&ny, utc_of(2025, 6, 10, 20, 0), 1, &w, utc_of(2025, 6, 10, 15, 0), &r), FT_OK);
    CHECK_EQ_INT(r.send_at, utc_of(2025, 6, 10, 15, 0));
    CHECK_EQ_INT(r.adjust, FT_SEND_LATE);
    ft_send_window bad = {600, 600};
    CHECK_EQ_INT(ft_reminder_time_compute(&ny, 0, 1, &bad, FT_SCHED_NO_NOW, &r), FT_E_SCHED_WINDOW);
}

static void recurrence_monthly_on_the_31st_takes_last_day_or_skips(void) {
    ft_recurrence r = {0};
    r.kind = FT_RECUR_MONTHLY_DATE;
    r.weekday = -1;
    ft_date out[20];
    size_t n;
    CHECK_EQ_INT(ft_recurrence_expand(&r, (ft_date){2024, 1, 31}, (ft_date){2024, 1, 1}, (ft_date){2024, 5, 31}, out, 20, &n), FT_OK);
    CHECK_EQ_INT(n, 5);
    CHECK_EQ_INT(out[1].day, 29); /* leap February */
    CHECK_EQ_INT(out[2].day, 31);
    CHECK_EQ_INT(out[3].day, 30);
    r.short_month = FT_SHORT_MONTH_SKIP;
    CHECK_EQ_INT(ft_recurrence_expand(&r, (ft_date){2024, 1, 31}, (ft_date){2024, 1, 1}, (ft_date){2024, 5, 31}, out, 20, &n), FT_OK);
    CHECK_EQ_INT(n, 3); /* Jan, Mar, May */
    CHECK_EQ_INT(out[1].month, 3);
}

static void recurrence_weekly_and_nth_or_last_weekday(void) {
    ft_recurrence r = {0};
    r.kind = FT_RECUR_WEEKLY;
    r.interval = 2;
    r.weekday = -1;
    ft_date out[40];
    size_t n;
    CHECK_EQ_INT(ft_recurrence_expand(&r, (ft_date){2025, 3, 3}, (ft_date){2025, 3, 10}, (ft_date){2025, 4, 30}, out, 40, &n), FT_OK);
    CHECK_EQ_INT(n, 4); /* Mar 17, 31, Apr 14, 28 */
    CHECK_EQ_INT(out[0].day, 17);
    CHECK_EQ_INT(out[3].day, 28);
    r = (ft_recurrence){0};
    r.kind = FT_RECUR_MONTHLY_WEEKDAY;
    r.week = 2;
    r.weekday = 2; /* 2nd Tuesday */
    CHECK_EQ_INT(ft_recurrence_expand(&r, (ft_date){2025, 1, 14}, (ft_date){2025, 1, 1}, (ft_date){2025, 4, 30}, out, 40, &n), FT_OK);
    CHECK_EQ_INT(n, 4);
    CHECK_EQ_INT(out[1].day, 11);
    CHECK_EQ_INT(out[2].day, 11);
    CHECK_EQ_INT(out[3].day, 8);
    r.week = -1;
    r.weekday = 5; /* last Friday; booked on a Saturday: the booked day, then the pattern */
    CHECK_EQ_INT(ft_recurrence_expand(&r, (ft_date){2025, 3, 1}, (ft_date){2025, 3, 1}, (ft_date){2025, 5, 31}, out, 40, &n), FT_OK);
    CHECK_EQ_INT(n, 4);
    CHECK_EQ_INT(out[1].day, 28);
    CHECK_EQ_INT(out[2].day, 25);
    CHECK_EQ_INT(out[3].day, 30);
    r.count = 2;
    CHECK_EQ_INT(ft_recurrence_expand(&r, (ft_date){2025, 3, 1}, (ft_date){2025, 3, 1}, (ft_date){2025, 5, 31}, out, 40, &n), FT_OK);
    CHECK_EQ_INT(n, 2);
    r.count = 0;
    CHECK_EQ_INT(ft_recurrence_expand(&r, (ft_date){2025, 3, 1}, (ft_date){2025, 3, 1}, (ft_date){2025, 12, 31}, out, 3, &n),
                 FT_E_SCHED_TOO_MANY);
    CHECK_EQ_INT(ft_recurrence_expand(&r, (ft_date){2025, 2, 30}, (ft_date){2025, 3, 1}, (ft_date){2025, 5, 31}, out, 40, &n),
                 FT_E_SCHED_DATE);
}

static cJSON *reminders(const char *in, ft_status expect) {
    char *out = NULL;
    CHECK_EQ_INT(ft_reminders_json(in, strlen(in), &out), expect);
    cJSON *j = out ? cJSON_Parse(out) : NULL;
    CHECK(j != NULL);
    ft_free(out);
    return j;
}

static const char *reason_of(const cJSON *j, const char *job) {
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItem(j, "excluded")) {
        if (strcmp(cJSON_GetObjectItem(e, "job_id")->valuestring, job) == 0) return cJSON_GetObjectItem(e, "reason")->valuestring;
    }
    return NULL;
}

static void reminders_list_filters_and_says_why(void) {
    cJSON *j = reminders(
        "{\"from\":\"2025-03-01\",\"to\":\"2025-03-31\",\"filter\":{\"technician\":\"sam\"},\"jobs\":["
        "{\"id\":\"a\",\"start\":\"2025-03-10T07:00\",\"state\":\"FL\",\"technician\":\"Sam\",\"customer\":{\"sms_number\":\"2175552148\",\"consent\":\"opted_in\"}},"
        "{\"id\":\"b\",\"start\":\"2025-03-10T09:00\",\"state\":\"FL\",\"technician\":\"Lee\",\"customer\":{\"sms_number\":\"2175552148\",\"consent\":\"opted_in\"}},"
        "{\"id\":\"c\",\"start\":\"2025-03-10T09:00\",\"state\":\"FL\",\"technician\":\"Sam\",\"customer\":{\"sms_number\":\"2175552148\",\"consent\":\"pending\"}},"
        "{\"id\":\"d\",\"start\":\"2025-03-10T09:00\",\"state\":\"FL\",\"technician\":\"Sam\",\"customer\":{\"consent\":\"opted_in\"}},"
        "{\"id\":\"e\",\"start\":\"2025-04-10T09:00\",\"state\":\"FL\",\"technician\":\"Sam\",\"customer\":{\"sms_number\":\"2175552148\",\"consent\":\"opted_in\"}},"
        "{\"id\":\"f\",\"start\":\"2025-03-10T09:00\",\"state\":\"XX\",\"technician\":\"Sam\",\"customer\":{\"sms_number\":\"2175552148\",\"consent\":\"opted_in\"}},"
        "{\"id\":\"g\",\"start\":\"2025-03-10T09:00\",\"time_zone\":\"America/Regina\",\"technician\":\"Sam\",\"recurrence\":{\"freq\":\"weekly\"},\"customer\":{\"sms_number\":\"3065552148\",\"consent\":\"opted_in\"}}"
        "]}",
        FT_OK);
    const cJSON *rs = cJSON_GetObjectItem(j, "reminders");
    CHECK_EQ_INT(cJSON_GetArraySize(rs), 1 + 4); /* a, and g on Mar 10, 17, 24, 31 */
    const cJSON *a = cJSON_GetArrayItem(rs, 0);
    CHECK_EQ_STR(cJSON_GetObjectItem(a, "job_id")->valuestring, "a");
    CHECK_EQ_STR(cJSON_GetObjectItem(a, "send_at")->valuestring, "2025-03-09T08:00:00-04:00");
    CHECK_EQ_STR(cJSON_GetObjectItem(a, "adjusted")->valuestring, "moved_later");
    CHECK(cJSON_GetObjectItem(a, "zone_note") != NULL); /* Florida's panhandle */
    CHECK_EQ_STR(reason_of(j, "b"), "technician");
    CHECK_EQ_STR(reason_of(j, "c"), "not_opted_in");
    CHECK_EQ_STR(reason_of(j, "d"), "no_sms_number");
    CHECK_EQ_STR(reason_of(j, "e"), "outside_range");
    CHECK_EQ_STR(reason_of(j, "f"), "invalid");
    cJSON_Delete(j);
    j = reminders("{\"jobs\":3}", FT_E_JSON_SHAPE);
    cJSON_Delete(j);
    j = reminders("{\"jobs\":[], \"from\":\"2025-02-30\",\"to\":\"2025-03-01\"}", FT_E_SCHED_DATE);
    cJSON_Delete(j);
    j = reminders("{\"jobs\":[], \"window\":{\"start\":\"21:00\",\"end\":\"08:00\"}}", FT_E_SCHED_WINDOW);
    cJSON_Delete(j);
    j = reminders("[", FT_E_JSON);
    cJSON_Delete(j);
}

static void tz_json_converts_and_lists(void) {
    char *out = NULL;
    const char *in = "{\"state\":\"NL\",\"utc\":\"2025-07-01T12:00:00Z\"}";
    CHECK_EQ_INT(ft_tz_convert_json(in, strlen(in), &out), FT_OK);
    CHECK(out && strstr(out, "\"local\":\"2025-07-01T09:30:00-02:30\""));
    ft_free(out);
    in = "{\"zone\":\"America/Chicago\",\"local\":\"2025-03-09T02:30\"}";
    CHECK_EQ_INT(ft_tz_convert_json(in, strlen(in), &out), FT_E_SCHED_TIME_GAP);
    CHECK(out && strstr(out, "\"kind\":\"gap\""));
    ft_free(out);
    in = "{\"list\":true}";
    CHECK_EQ_INT(ft_tz_convert_json(in, strlen(in), &out), FT_OK);
    CHECK(out && strstr(out, "America/Puerto_Rico") && strstr(out, "\"region\":\"QC\""));
    ft_free(out);
}

#ifndef __EMSCRIPTEN__
/* Native only: the system's tzdata (through the C library) is the reference. */
static void tz_matches_system_tzdata_2024_to_2030(void) {
    int zones_checked = 0;
    long instants = 0;
    for (size_t i = 0; i < ft_tz_zone_count(); i++) {
        const char *name, *posix;
        ft_tz_zone_at(i, &name, &posix);
        char path[256];
        snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", name);
        FILE *f = fopen(path, "rb");
        if (!f) continue; /* this machine lacks the zone */
        fclose(f);
        char env[300];
        snprintf(env, sizeof env, ":%s", name);
        setenv("TZ", env, 1);
        tzset();
        ft_tz tz;
        CHECK_EQ_INT(ft_tz_parse_posix(posix, strlen(posix), &tz), FT_OK);
        zones_checked++;
        int64_t t0 = utc_of(2024, 1, 1, 0, 0), t1 = utc_of(2031, 1, 1, 0, 0);
        /* every 3 h 7 min (odd step: lands at all times of day), plus +-1 s around each transition */
        for (int64_t t = t0; t < t1; t += 3 * 3600 + 7 * 60) {
            {
                time_t tt = (time_t)t;
                struct tm lt;
                localtime_r(&tt, &lt);
                ft_civil c;
                int32_t off;
                int dst;
                ft_tz_to_local(&tz, t, &c, &off, &dst);
                instants++;
                if (c.year != lt.tm_year + 1900 || c.month != lt.tm_mon + 1 || c.day != lt.tm_mday || c.hour != lt.tm_hour ||
                    c.minute != lt.tm_min || off != lt.tm_gmtoff || dst != (lt.tm_isdst > 0)) {
                    CHECK(!"utc->local differs from tzdata");
                    fprintf(stderr, "    %s at %lld\n", name, (long long)t);
                    t = t1; /* one report per zone */
                    continue;
                }
                /* local -> utc for unique local times agrees with mktime */
                ft_local_kind kind;
                int64_t back;
                ft_tz_from_local(&tz, &c, FT_TZ_EARLIER, &back, &kind);
                if (kind == FT_LOCAL_UNIQUE) {
                    struct tm m = lt;
                    m.tm_isdst = -1;
                    time_t mk = mktime(&m);
                    if ((int64_t)mk != back || back != t) {
                        CHECK(!"local->utc differs from mktime");
                        fprintf(stderr, "    %s at %lld\n", name, (long long)t);
                        break;
                    }
                } else if (kind == FT_LOCAL_OVERLAP) {
                    int64_t later;
                    ft_tz_from_local(&tz, &c, FT_TZ_LATER, &later, NULL);
                    CHECK(back == t || later == t);
                }
            }
        }
        /* the transitions themselves: one second before and at each */
        for (int y = 2024; y <= 2030 && tz.has_dst; y++) {
            for (int which = 0; which < 2; which++) {
                /* find the transition by scanning the offset at hour steps, then bisect */
                int64_t a = utc_of(y, which ? 10 : 2, 15, 0, 0), b = utc_of(y, which ? 12 : 4, 15, 0, 0);
                int base = ft_tz_offset(&tz, a, NULL);
                while (b - a > 1) {
                    int64_t mid = a + (b - a) / 2;
                    if (ft_tz_offset(&tz, mid, NULL) == base) a = mid; else b = mid;
                }
                for (int64_t t = b - 1; t <= b; t++) {
                    time_t tt = (time_t)t;
                    struct tm lt;
                    localtime_r(&tt, &lt);
                    CHECK_EQ_INT(ft_tz_offset(&tz, t, NULL), lt.tm_gmtoff);
                    instants++;
                }
            }
        }
    }
    unsetenv("TZ");
    tzset();
    printf("# compared %d zones, %ld instants with tzdata\n", zones_checked, instants);
    CHECK(zones_checked >= 50);
}
#endif

int main(void) {
    RUN(tz_parses_posix_rules);
    RUN(tz_converts_across_dst_in_new_york_and_st_johns);
    RUN(tz_reports_gap_and_overlap_explicitly);
    RUN(region_maps_states_and_notes_split_ones);
    RUN(reminder_goes_n_days_before_inside_the_window);
    RUN(reminder_never_after_the_job_starts);
    RUN(recurrence_monthly_on_the_31st_takes_last_day_or_skips);
    RUN(recurrence_weekly_and_nth_or_last_weekday);
    RUN(reminders_list_filters_and_says_why);
    RUN(tz_json_converts_and_lists);
#ifndef __EMSCRIPTEN__
    RUN(tz_matches_system_tzdata_2024_to_2030);
#endif
    TEST_MAIN_END();
}
