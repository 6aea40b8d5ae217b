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
    ft_tz_posix tz;
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
    ft_tz z;
    CHECK_EQ_INT(ft_tz_lookup("Europe/Paris", 12, &z, NULL), FT_E_SCHED_TZ_UNKNOWN);
    CHECK_EQ_INT(ft_tz_from_posix("MST7", 4, &z), FT_OK);
    CHECK_EQ_INT(z.n_eras, 1);
    CHECK_EQ_INT(ft_tz_offset(&z, 0, NULL), -25200);
    /* every table entry: eras parse, in increasing order, the last open-ended; earlier eras say
     * which tzdata release ended them (not newer than the table's) */
    CHECK_EQ_STR(ft_tz_data_version(), FT_TZ_DATA_VERSION);
    for (size_t i = 0; i < ft_tz_zone_count(); i++) {
        const char *n, *p, *last = NULL, *since;
        int64_t until, prev = INT64_MIN;
        size_t k = 0;
        CHECK(ft_tz_zone_at(i, &n, &last));
        for (; ft_tz_zone_era_at(i, k, &until, &p, &since); k++) {
            CHECK_EQ_INT(ft_tz_parse_posix(p, strlen(p), &tz), FT_OK);
            CHECK(until > prev);
            prev = until;
            CHECK((until == FT_TZ_FOREVER) == (since == NULL));
            if (since) CHECK(strcmp(since, FT_TZ_DATA_VERSION) <= 0 && strlen(since) == 5);
        }
        CHECK(k >= 1 && k <= FT_TZ_MAX_ERAS);
        CHECK_EQ_INT(prev, FT_TZ_FOREVER);
        CHECK_EQ_STR(p, last);
        CHECK_EQ_INT(ft_tz_lookup(n, strlen(n), &z, NULL), FT_OK);
        CHECK_EQ_INT(z.n_eras, k);
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

/* tzdata 2026b: British Columbia sprang forward on 2026-03-08 as usual, went to permanent -07 on
 * 2026-03-09, and did not fall back on 2026-11-01: PDT became MST (-07, no DST) at 09:00 UTC. */
static void tz_vancouver_keeps_minus_7_from_2026(void) {
    ft_tz van = zone("America/Vancouver");
    const char *posix;
    CHECK_EQ_INT(ft_tz_lookup("America/Vancouver", 17, &van, &posix), FT_OK);
    CHECK_EQ_STR(posix, "MST7");
    CHECK_EQ_INT(van.n_eras, 2);
    CHECK_EQ_INT(van.era[0].until, utc_of(2026, 11, 1, 9, 0));
    ft_civil c;
    int32_t off;
    int dst;
    int64_t t;
    ft_local_kind k;
    /* 2025 under the former rules: fall back, with its overlap */
    ft_civil ov25 = {2025, 11, 2, 1, 30, 0};
    CHECK_EQ_INT(ft_tz_from_local(&van, &ov25, FT_TZ_REJECT, &t, &k), FT_E_SCHED_TIME_AMBIGUOUS);
    CHECK_EQ_INT(ft_tz_from_local(&van, &ov25, FT_TZ_LATER, &t, &k), FT_OK);
    CHECK_EQ_INT(t, utc_of(2025, 11, 2, 9, 30)); /* 01:30 PST */
    ft_tz_to_local(&van, utc_of(2026, 1, 15, 20, 0), &c, &off, &dst);
    CHECK_EQ_INT(off, -28800);
    CHECK_EQ_STR(ft_tz_abbreviation(&van, utc_of(2026, 1, 15, 20, 0)), "PST");
    /* 2026-03-08: spring forward at 02:00 PST = 10:00 UTC */
    ft_tz_to_local(&van, utc_of(2026, 3, 8, 9, 59) + 59, &c, &off, &dst);
    CHECK_EQ_INT(c.hour, 1);
    CHECK_EQ_INT(c.minute, 59);
    CHECK_EQ_INT(off, -28800);
    CHECK_EQ_INT(dst, 0);
    ft_tz_to_local(&van, utc_of(2026, 3, 8, 10, 0), &c, &off, &dst);
    CHECK_EQ_INT(c.hour, 3);
    CHECK_EQ_INT(off, -25200);
    CHECK_EQ_INT(dst, 1);
    ft_civil gap26 = {2026, 3, 8, 2, 30, 0};
    CHECK_EQ_INT(ft_tz_from_local(&van, &gap26, FT_TZ_REJECT, &t, &k), FT_E_SCHED_TIME_GAP);
    CHECK_EQ_INT(k, FT_LOCAL_GAP);
    CHECK_EQ_INT(ft_tz_from_local(&van, &gap26, FT_TZ_EARLIER, &t, &k), FT_OK);
    CHECK_EQ_INT(t, utc_of(2026, 3, 8, 10, 30)); /* 03:30 PDT */
    /* before, at and after 2026-03-09 (the day of the law): -07, still called PDT */
    int64_t around[] = {utc_of(2026, 3, 9, 6, 59) + 59, utc_of(2026, 3, 9, 7, 0), utc_of(2026, 3, 9, 10, 0),
                        utc_of(2026, 3, 10, 7, 0), utc_of(2026, 7, 1, 19, 0)};
    for (size_t i = 0; i < sizeof around / sizeof around[0]; i++) {
        CHECK_EQ_INT(ft_tz_offset(&van, around[i], &dst), -25200);
        CHECK_EQ_INT(dst, 1);
        CHECK_EQ_STR(ft_tz_abbreviation(&van, around[i]), "PDT");
    }
    ft_civil mar9 = {2026, 3, 9, 2, 30, 0}; /* a year earlier this was the gap */
    CHECK_EQ_INT(ft_tz_from_local(&van, &mar9, FT_TZ_REJECT, &t, &k), FT_OK);
    CHECK_EQ_INT(k, FT_LOCAL_UNIQUE);
    CHECK_EQ_INT(t, utc_of(2026, 3, 9, 9, 30));
    /* 2026-11-01: no fall back; at 09:00 UTC (02:00 local) PDT becomes MST, the clock runs on */
    ft_tz_to_local(&van, utc_of(2026, 11, 1, 8, 59) + 59, &c, &off, &dst);
    CHECK_EQ_INT(c.hour, 1);
    CHECK_EQ_INT(off, -25200);
    CHECK_EQ_INT(dst, 1);
    ft_tz_to_local(&van, utc_of(2026, 11, 1, 9, 0), &c, &off, &dst);
    CHECK_EQ_INT(c.day, 1);
    CHECK_EQ_INT(c.hour, 2);
    CHECK_EQ_INT(c.minute, 0);
    CHECK_EQ_INT(off, -25200);
    CHECK_EQ_INT(dst, 0);
    CHECK_EQ_STR(ft_tz_abbreviation(&van, utc_of(2026, 11, 1, 9, 0)), "MST");
    ft_civil nov1[] = {{2026, 11, 1, 0, 30, 0}, {2026, 11, 1, 1, 0, 0}, {2026, 11, 1, 1, 30, 0},
                       {2026, 11, 1, 1, 59, 59}, {2026, 11, 1, 2, 0, 0}, {2026, 11, 1, 2, 30, 0}};
    for (size_t i = 0; i < sizeof nov1 / sizeof nov1[0]; i++) {
        CHECK_EQ_INT(ft_tz_from_local(&van, &nov1[i], FT_TZ_REJECT, &t, &k), FT_OK);
        CHECK_EQ_INT(k, FT_LOCAL_UNIQUE);
        CHECK_EQ_INT(t, utc_of(2026, 11, 1, nov1[i].hour + 7, nov1[i].minute) + nov1[i].second);
    }
    /* 2027 onwards: MST all year, no gap in March, no overlap in November */
    ft_tz_to_local(&van, utc_of(2027, 1, 15, 20, 0), &c, &off, &dst);
    CHECK_EQ_INT(c.hour, 13);
    CHECK_EQ_INT(off, -25200);
    CHECK_EQ_INT(dst, 0);
    ft_civil gap27 = {2027, 3, 14, 2, 30, 0}, ov27 = {2027, 11, 7, 1, 30, 0};
    CHECK_EQ_INT(ft_tz_from_local(&van, &gap27, FT_TZ_REJECT, &t, &k), FT_OK);
    CHECK_EQ_INT(k, FT_LOCAL_UNIQUE);
    CHECK_EQ_INT(t, utc_of(2027, 3, 14, 9, 30));
    CHECK_EQ_INT(ft_tz_from_local(&van, &ov27, FT_TZ_REJECT, &t, &k), FT_OK);
    CHECK_EQ_INT(k, FT_LOCAL_UNIQUE);
    CHECK_EQ_INT(t, utc_of(2027, 11, 7, 8, 30));
    /* a reminder across the era boundary: 24 h before a 10:00 job on Nov 2 is 10:00 on Nov 1 */
    ft_send_window w = {8 * 60, 21 * 60};
    ft_reminder_time r;
    CHECK_EQ_INT(ft_reminder_time_compute(&van, utc_of(2026, 11, 2, 17, 0), 1, &w, FT_SCHED_NO_NOW, &r), FT_OK);
    CHECK_EQ_INT(r.send_at, utc_of(2026, 11, 1, 17, 0));
    CHECK_EQ_INT(r.adjust, FT_SEND_AS_PLANNED);
    /* JSON */
    char *out = NULL;
    const char *in = "{\"state\":\"BC\",\"utc\":\"2026-11-01T09:00:00Z\"}";
    CHECK_EQ_INT(ft_tz_convert_json(in, strlen(in), &out), FT_OK);
    CHECK(out && strstr(out, "\"local\":\"2026-11-01T02:00:00-07:00\"") && strstr(out, "\"abbreviation\":\"MST\"") &&
          strstr(out, "\"dst\":false") && strstr(out, "\"posix\":\"MST7\""));
    ft_free(out);
    in = "{\"zone\":\"America/Vancouver\",\"local\":\"2026-11-01T01:30\"}";
    CHECK_EQ_INT(ft_tz_convert_json(in, strlen(in), &out), FT_OK);
    CHECK(out && strstr(out, "\"kind\":\"unique\"") && strstr(out, "\"utc\":\"2026-11-01T08:30:00Z\"") &&
          strstr(out, "\"abbreviation\":\"PDT\""));
    ft_free(out);
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

/* The excluded entry of one visit (job and date), or NULL. */
static const cJSON *excluded_visit(const cJSON *j, const char *job, const char *date) {
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItem(j, "excluded")) {
        const cJSON *d = cJSON_GetObjectItem(e, "date");
        if (strcmp(cJSON_GetObjectItem(e, "job_id")->valuestring, job) == 0 && cJSON_IsString(d) &&
            strcmp(d->valuestring, date) == 0)
            return e;
    }
    return NULL;
}

static int has_reminder(const cJSON *j, const char *job, const char *date) {
    const cJSON *r;
    cJSON_ArrayForEach(r, cJSON_GetObjectItem(j, "reminders")) {
        if (strcmp(cJSON_GetObjectItem(r, "job_id")->valuestring, job) == 0 &&
            strcmp(cJSON_GetObjectItem(r, "date")->valuestring, date) == 0)
            return 1;
    }
    return 0;
}

static void reminders_list_leaves_out_skipped_visits_of_a_series(void) {
    /* Weekly on Mondays from March 10; the 17th and the 31st are skipped, the 18th is no visit of
     * the series (ignored); the one-off job b skips its only visit. */
    cJSON *j = reminders(
        "{\"now\":\"2025-03-01T12:00:00Z\",\"from\":\"2025-03-01\",\"to\":\"2025-03-31\",\"jobs\":["
        "{\"id\":\"a\",\"start\":\"2025-03-10T09:00\",\"time_zone\":\"America/Chicago\",\"recurrence\":{\"freq\":\"weekly\"},"
        "\"skip_dates\":[\"2025-03-31\",\"2025-03-18\",\"2025-03-17\"],"
        "\"customer\":{\"sms_number\":\"2175552148\",\"consent\":\"opted_in\"}},"
        "{\"id\":\"b\",\"start\":\"2025-03-12T09:00\",\"time_zone\":\"America/Chicago\",\"skip_dates\":[\"2025-03-12\"],"
        "\"customer\":{\"sms_number\":\"2175552148\",\"consent\":\"opted_in\"}}"
        "]}",
        FT_OK);
    CHECK_EQ_INT(cJSON_GetArraySize(cJSON_GetObjectItem(j, "reminders")), 2); /* a on Mar 10 and 24 */
    CHECK(has_reminder(j, "a", "2025-03-10"));
    CHECK(has_reminder(j, "a", "2025-03-24"));
    CHECK(!has_reminder(j, "a", "2025-03-17"));
    CHECK(!has_reminder(j, "b", "2025-03-12"));
    static const char *const skipped[][2] = {{"a", "2025-03-17"}, {"a", "2025-03-31"}, {"b", "2025-03-12"}};
    for (size_t i = 0; i < 3; i++) {
        const cJSON *e = excluded_visit(j, skipped[i][0], skipped[i][1]);
        CHECK(e != NULL);
        if (!e) continue;
        CHECK_EQ_STR(cJSON_GetObjectItem(e, "reason")->valuestring, "skipped");
        CHECK(strstr(cJSON_GetObjectItem(e, "message")->valuestring, "skipped") != NULL);
        CHECK(cJSON_GetObjectItem(e, "error") == NULL);
    }
    CHECK(excluded_visit(j, "a", "2025-03-18") == NULL);
    CHECK_EQ_INT(cJSON_GetArraySize(cJSON_GetObjectItem(j, "excluded")), 3);
    cJSON_Delete(j);
    /* A skipped visit that has started says so ("started"), as any other. */
    j = reminders(
        "{\"now\":\"2025-03-20T12:00:00Z\",\"from\":\"2025-03-10\",\"to\":\"2025-03-24\",\"jobs\":["
        "{\"id\":\"a\",\"start\":\"2025-03-10T09:00\",\"time_zone\":\"America/Chicago\",\"recurrence\":{\"freq\":\"weekly\"},"
        "\"skip_dates\":[\"2025-03-17\",\"2025-03-24\"],\"customer\":{\"sms_number\":\"2175552148\",\"consent\":\"opted_in\"}}]}",
        FT_OK);
    CHECK_EQ_INT(cJSON_GetArraySize(cJSON_GetObjectItem(j, "reminders")), 0);
    const cJSON *e = excluded_visit(j, "a", "2025-03-17");
    CHECK(e && strcmp(cJSON_GetObjectItem(e, "reason")->valuestring, "started") == 0);
    e = excluded_visit(j, "a", "2025-03-24");
    CHECK(e && strcmp(cJSON_GetObjectItem(e, "reason")->valuestring, "skipped") == 0);
    cJSON_Delete(j);
}

/* The job's single "invalid" exclusion: its error name and message. */
static void check_invalid_job(const char *skip_dates_json, const char *error_name, const char *message_part) {
    char in[8192 + 512];
    snprintf(in, sizeof in,
             "{\"from\":\"2025-03-01\",\"to\":\"2025-03-31\",\"jobs\":[{\"id\":\"a\",\"start\":\"2025-03-10T09:00\","
             "\"time_zone\":\"America/Chicago\",\"recurrence\":{\"freq\":\"weekly\"},\"skip_dates\":%s,"
             "\"customer\":{\"sms_number\":\"2175552148\",\"consent\":\"opted_in\"}}]}",
             skip_dates_json);
    cJSON *j = reminders(in, FT_OK);
    CHECK_EQ_INT(cJSON_GetArraySize(cJSON_GetObjectItem(j, "reminders")), 0);
    const cJSON *e = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "excluded"), 0);
    CHECK_EQ_INT(cJSON_GetArraySize(cJSON_GetObjectItem(j, "excluded")), 1);
    CHECK(e && strcmp(cJSON_GetObjectItem(e, "reason")->valuestring, "invalid") == 0);
    const cJSON *err = e ? cJSON_GetObjectItem(e, "error") : NULL;
    CHECK(err && strcmp(cJSON_GetObjectItem(err, "name")->valuestring, error_name) == 0);
    const cJSON *m = e ? cJSON_GetObjectItem(e, "message") : NULL;
    CHECK(m && strstr(m->valuestring, message_part) != NULL);
    if (m && !strstr(m->valuestring, message_part)) fprintf(stderr, "  message: %s\n", m->valuestring);
    cJSON_Delete(j);
}

static void reminders_list_refuses_a_job_with_invalid_skip_dates(void) {
    check_invalid_job("[\"2025-03-17\",\"2025-02-30\"]", "FT_E_SCHED_DATE", "entry 2 (\"2025-02-30\") is not a valid date");
    check_invalid_job("[\"2025-3-17\"]", "FT_E_SCHED_DATE", "entry 1");
    check_invalid_job("[\"2025-03-17T09:00\"]", "FT_E_SCHED_DATE", "entry 1");
    check_invalid_job("[20250317]", "FT_E_SCHED_DATE", "entry 1 is not a date string");
    check_invalid_job("\"2025-03-17\"", "FT_E_JSON_SHAPE", "must be an array");
    /* At most FT_SCHED_MAX_SKIP_DATES (366): a year of daily dates passes, one more does not. */
    char list[6000];
    size_t n = 0;
    list[n++] = '[';
    for (unsigned i = 0; i <= FT_SCHED_MAX_SKIP_DATES; i++) {
        int y, m, d;
        ft_civil_from_days(ft_days_from_civil(2025, 1, 1) + i, &y, &m, &d);
        n += (size_t)snprintf(list + n, sizeof list - n, "%s\"%04d-%02d-%02d\"", i ? "," : "", y, m, d);
    }
    list[n++] = ']';
    list[n] = '\0';
    check_invalid_job(list, "FT_E_TOO_LARGE", "at most 366");
    char *last = strrchr(list, ',');
    strcpy(last, "]"); /* 366 dates */
    char in[8192 + 512];
    snprintf(in, sizeof in,
             "{\"from\":\"2025-03-01\",\"to\":\"2025-03-31\",\"jobs\":[{\"id\":\"a\",\"start\":\"2025-03-09T09:00\","
             "\"time_zone\":\"America/Chicago\",\"recurrence\":{\"freq\":\"weekly\"},\"skip_dates\":%s,"
             "\"customer\":{\"sms_number\":\"2175552148\",\"consent\":\"opted_in\"}}]}",
             list);
    cJSON *j = reminders(in, FT_OK);
    CHECK_EQ_STR(reason_of(j, "a"), "skipped"); /* every visit skipped, none invalid */
    CHECK_EQ_INT(cJSON_GetArraySize(cJSON_GetObjectItem(j, "excluded")), 4);
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
/* Native only: the system's tzdata (through the C library) is the reference.
 *
 * The table follows tzdata FT_TZ_DATA_VERSION. A system with that release or a newer one must agree
 * with it everywhere in 2024-2030. A system with an older release cannot know the changes made
 * since: for a zone with an era ended by a newer release than the system's (`since`), instants
 * from that era's end on are not compared (and the test says so); everything before still is. The
 * system's release is the first line of /usr/share/zoneinfo/tzdata.zi ("# version 2026b"); when
 * it cannot be read it is unknown and taken as older than every release. */

/* "2026b" -> year and letters; 0 when malformed. */
static int tzver_parse(const char *v, int *year, const char **letters) {
    if (strlen(v) < 5 || strlen(v) > 8) return 0;
    for (int i = 0; i < 4; i++)
        if (v[i] < '0' || v[i] > '9') return 0;
    for (const char *p = v + 4; *p; p++)
        if (*p < 'a' || *p > 'z') return 0;
    *year = atoi(v); /* reads the 4 digits, stops at the letters */
    *letters = v + 4;
    return 1;
}

/* <0, 0, >0 as release a is older, the same, newer than b (both well-formed). */
static int tzver_cmp(const char *a, const char *b) {
    int ya = 0, yb = 0;
    const char *la = "", *lb = "";
    if (!tzver_parse(a, &ya, &la) || !tzver_parse(b, &yb, &lb)) return strcmp(a, b);
    if (ya != yb) return ya < yb ? -1 : 1;
    if (strlen(la) != strlen(lb)) return strlen(la) < strlen(lb) ? -1 : 1; /* "z" < "za" */
    return strcmp(la, lb);
}

static void tzver_cmp_orders_releases(void) {
    CHECK(tzver_cmp("2025b", "2026b") < 0);
    CHECK(tzver_cmp("2026a", "2026b") < 0);
    CHECK(tzver_cmp("2026b", "2026b") == 0);
    CHECK(tzver_cmp("2027a", "2026b") > 0);
    CHECK(tzver_cmp("2026z", "2026za") < 0);
    int y;
    const char *l;
    CHECK(!tzver_parse("26b", &y, &l));
    CHECK(!tzver_parse("2026B", &y, &l));
}

/* The system's tzdata release into out ("" when unknown). */
static void system_tzdata_version(char *out, size_t cap) {
    out[0] = '\0';
    FILE *f = fopen("/usr/share/zoneinfo/tzdata.zi", "r");
    if (!f) return;
    char line[64], v[16];
    int y;
    const char *l;
    if (fgets(line, sizeof line, f) && sscanf(line, "# version %15s", v) == 1 && tzver_parse(v, &y, &l))
        snprintf(out, cap, "%s", v);
    fclose(f);
}

static void fmt_utc(int64_t t, char *buf, size_t cap) {
    ft_civil c;
    ft_tz utc0;
    ft_tz_from_posix("UTC0", 4, &utc0);
    ft_tz_to_local(&utc0, t, &c, NULL, NULL);
    snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year, c.month, c.day, c.hour, c.minute, c.second);
}

/* Compares one instant with the C library (TZ already set); 0 and a report when they differ. */
static int same_as_system(const char *name, const ft_tz *tz, int64_t t, long *instants) {
    time_t tt = (time_t)t;
    struct tm lt;
    localtime_r(&tt, &lt);
    ft_civil c;
    int32_t off;
    int dst;
    ft_tz_to_local(tz, t, &c, &off, &dst);
    ++*instants;
    if (c.year != lt.tm_year + 1900 || c.month != lt.tm_mon + 1 || c.day != lt.tm_mday || c.hour != lt.tm_hour ||
        c.minute != lt.tm_min || c.second != lt.tm_sec || off != lt.tm_gmtoff || dst != (lt.tm_isdst > 0) ||
        strcmp(ft_tz_abbreviation(tz, t), lt.tm_zone ? lt.tm_zone : "") != 0) {
        char when[32];
        fmt_utc(t, when, sizeof when);
        CHECK(!"utc->local differs from tzdata");
        fprintf(stderr, "    %s at %s (%lld): table %04d-%02d-%02d %02d:%02d:%02d off %d dst %d %s; tzdata off %ld dst %d %s\n",
                name, when, (long long)t, c.year, c.month, c.day, c.hour, c.minute, c.second, (int)off, dst,
                ft_tz_abbreviation(tz, t), (long)lt.tm_gmtoff, lt.tm_isdst > 0, lt.tm_zone ? lt.tm_zone : "?");
        return 0;
    }
    /* local -> utc for unique local times agrees with mktime */
    ft_local_kind kind;
    int64_t back;
    ft_tz_from_local(tz, &c, FT_TZ_EARLIER, &back, &kind);
    if (kind == FT_LOCAL_UNIQUE) {
        struct tm m = lt;
        m.tm_isdst = -1;
        time_t mk = mktime(&m);
        if ((int64_t)mk != back || back != t) {
            CHECK(!"local->utc differs from mktime");
            fprintf(stderr, "    %s at %lld: table %lld, mktime %lld\n", name, (long long)t, (long long)back, (long long)mk);
            return 0;
        }
    } else if (kind == FT_LOCAL_OVERLAP) {
        int64_t later;
        ft_tz_from_local(tz, &c, FT_TZ_LATER, &later, NULL);
        if (!(back == t || later == t)) {
            CHECK(!"overlap misses the instant");
            fprintf(stderr, "    %s at %lld\n", name, (long long)t);
            return 0;
        }
    } else {
        CHECK(!"a local time read from an instant falls in a gap");
        fprintf(stderr, "    %s at %lld\n", name, (long long)t);
        return 0;
    }
    return 1;
}

static void tz_matches_system_tzdata_2024_to_2030(void) {
    char sysver[16];
    system_tzdata_version(sysver, sizeof sysver);
    const char *table = ft_tz_data_version();
    int older = !sysver[0] || tzver_cmp(sysver, table) < 0;
    printf("# zone table follows tzdata %s; system tzdata %s%s\n", table, sysver[0] ? sysver : "unknown",
           !sysver[0] ? " (no readable /usr/share/zoneinfo/tzdata.zi: taken as older)"
           : older  ? " (older: changes made since are not compared)"
                    : " (same or newer: every zone compared over 2024-2030)");
    int zones_checked = 0, zones_cut = 0;
    long instants = 0;
    const int64_t t0 = utc_of(2024, 1, 1, 0, 0), t1 = utc_of(2031, 1, 1, 0, 0);
    for (size_t i = 0; i < ft_tz_zone_count(); i++) {
        const char *name;
        ft_tz_zone_at(i, &name, NULL);
        char path[256];
        snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", name);
        FILE *f = fopen(path, "rb");
        if (!f) {
            printf("# %s: not on this system, not compared\n", name);
            continue;
        }
        fclose(f);
        /* the end of the comparable range: the end of the first era the system's release predates */
        int64_t cut = t1, until;
        const char *since, *posix, *next_posix = NULL;
        for (size_t k = 0; ft_tz_zone_era_at(i, k, &until, &posix, &since); k++) {
            if (since && (!sysver[0] || tzver_cmp(sysver, since) < 0)) {
                if (until < cut) {
                    cut = until;
                    ft_tz_zone_era_at(i, k + 1, NULL, &next_posix, NULL);
                    char when[32];
                    fmt_utc(until, when, sizeof when);
                    printf("# %s: SKIPPED from %s to 2030 - tzdata %s changed it (\"%s\" -> \"%s\"), the system has %s\n",
                           name, when, since, posix, next_posix ? next_posix : "?", sysver[0] ? sysver : "an unknown release");
                    zones_cut++;
                }
                break;
            }
        }
        char env[300];
        snprintf(env, sizeof env, ":%s", name);
        setenv("TZ", env, 1);
        tzset();
        ft_tz tz;
        CHECK_EQ_INT(ft_tz_lookup(name, strlen(name), &tz, NULL), FT_OK);
        zones_checked++;
        /* every 3 h 7 min (odd step: lands at all times of day) */
        for (int64_t t = t0; t < cut; t += 3 * 3600 + 7 * 60)
            if (!same_as_system(name, &tz, t, &instants)) break; /* one report per zone */
        /* each change of offset, DST flag or abbreviation in the table: one second before and at it */
        const int64_t step = 6 * 3600;
        for (int64_t a = t0; a + step <= cut; a += step) {
            int d0, d1;
            int32_t o0 = ft_tz_offset(&tz, a, &d0), o1 = ft_tz_offset(&tz, a + step, &d1);
            if (o0 == o1 && d0 == d1 && strcmp(ft_tz_abbreviation(&tz, a), ft_tz_abbreviation(&tz, a + step)) == 0) continue;
            int64_t lo = a, hi = a + step; /* lo: as at a; hi: changed */
            while (hi - lo > 1) {
                int64_t mid = lo + (hi - lo) / 2;
                int dm;
                int32_t om = ft_tz_offset(&tz, mid, &dm);
                if (om == o0 && dm == d0 && strcmp(ft_tz_abbreviation(&tz, mid), ft_tz_abbreviation(&tz, a)) == 0) lo = mid;
                else hi = mid;
            }
            for (int64_t t = hi - 1; t <= hi && t < cut; t++)
                if (!same_as_system(name, &tz, t, &instants)) break;
        }
    }
    unsetenv("TZ");
    tzset();
    printf("# compared %d zones, %ld instants with tzdata %s; %d zone(s) compared only up to a change newer than it\n",
           zones_checked, instants, sysver[0] ? sysver : "(unknown)", zones_cut);
    CHECK(zones_checked >= 50);
    if (!older) CHECK_EQ_INT(zones_cut, 0);
}
#endif

int main(void) {
    RUN(tz_parses_posix_rules);
    RUN(tz_converts_across_dst_in_new_york_and_st_johns);
    RUN(tz_reports_gap_and_overlap_explicitly);
    RUN(tz_vancouver_keeps_minus_7_from_2026);
    RUN(region_maps_states_and_notes_split_ones);
    RUN(reminder_goes_n_days_before_inside_the_window);
    RUN(reminder_never_after_the_job_starts);
    RUN(recurrence_monthly_on_the_31st_takes_last_day_or_skips);
    RUN(recurrence_weekly_and_nth_or_last_weekday);
    RUN(reminders_list_filters_and_says_why);
    RUN(reminders_list_leaves_out_skipped_visits_of_a_series);
    RUN(reminders_list_refuses_a_job_with_invalid_skip_dates);
    RUN(tz_json_converts_and_lists);
#ifndef __EMSCRIPTEN__
    RUN(tzver_cmp_orders_releases);
    RUN(tz_matches_system_tzdata_2024_to_2030);
#endif
    TEST_MAIN_END();
}
