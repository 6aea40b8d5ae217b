/* fieldtext core: time zones, reminder send times, recurring jobs and the reminders list.
 *
 * Time zones. The core reads no files, so it carries a compiled-in table of the IANA zones of the
 * United States (with territories) and Canada (following tzdata FT_TZ_DATA_VERSION). Each zone is a
 * short list of eras, each a POSIX TZ rule string in force until a UTC instant, the last one
 * open-ended and equal to the footer of the zone's tzdata file (e.g. America/New_York =
 * "EST5EDT,M3.2.0,M11.1.0", America/St_Johns = "NST3:30NDT,M3.2.0,M11.1.0", America/Phoenix =
 * "MST7"). A zone whose rules changed recently keeps its former rule as an earlier era (e.g.
 * America/Vancouver: "PST8PDT,M3.2.0,M11.1.0" until 2026-11-01 09:00 UTC, then "MST7"). Conversions
 * are exact from 2007 (when the present US/Canada DST dates began) as long as the table follows the
 * latest tzdata; a unit test compares them with the system's tzdata over 2024-2030. Times are Unix
 * seconds (UTC); offsets are seconds east of UTC.
 *
 * Local -> UTC is explicit about DST changes: a local time inside the spring-forward gap does not
 * exist (FT_LOCAL_GAP) and one inside the fall-back overlap happens twice (FT_LOCAL_OVERLAP); the
 * caller says what to do (ft_tz_choice).
 *
 * Reminders go out N x 24 hours before the job starts, moved into the customer's send window
 * (default 08:00-21:00 local, 08:00-20:00 in FL, OK and MD) rather than skipped, never at or after
 * the job's start. When the planned time falls outside the window, the nearer of "the window's last
 * minute before it" and "the window's opening after it" is taken (ties: the earlier).
 */
#ifndef FIELDTEXT_SCHEDULE_H
#define FIELDTEXT_SCHEDULE_H

#include <stddef.h>
#include <stdint.h>

#include "fieldtext/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FT_SCHED_MAX_DAYS_BEFORE 30u     /* reminders at most 30 days ahead */
#define FT_SCHED_MAX_OCCURRENCES 1000u   /* dates one recurring job may expand to in one call */
#define FT_SCHED_MAX_JOBS 5000u          /* jobs in one reminders-list call */
#define FT_SCHED_MAX_REMINDERS 20000u    /* reminders in one reminders-list reply */
#define FT_SCHED_MAX_SKIP_DATES 366u     /* "skip_dates" of one job (a year of daily visits) */
#define FT_SCHED_MIN_YEAR 1970
#define FT_SCHED_MAX_YEAR 2200
#define FT_TZ_NAME_MAX 16u               /* abbreviation bytes ("AKST", "<-03>" contents) */
#define FT_TZ_RULE_MAX 64u               /* POSIX rule string bytes */
#define FT_TZ_MAX_ERAS 4u                /* eras (rule changes) of one zone */
#define FT_TZ_FOREVER INT64_MAX          /* the `until` of a zone's last, open-ended era */
#define FT_TZ_DATA_VERSION "2026b"       /* the tzdata release the zone table follows */
#define FT_SCHED_WINDOW_START_MIN (8 * 60)   /* 8 a.m. */
#define FT_SCHED_WINDOW_END_MIN (21 * 60)    /* 9 p.m. */
#define FT_SCHED_WINDOW_END_STRICT_MIN (20 * 60) /* 8 p.m. in FL, OK, MD */

/* A civil (wall-clock) date and time; month 1-12, day 1-31, hour 0-23, minute 0-59, second 0-59. */
typedef struct ft_civil {
    int year, month, day, hour, minute, second;
} ft_civil;

/* One POSIX transition rule: Mm.w.d (month, week 1-5 where 5 = last, weekday 0 = Sunday),
 * Jn (1-365, February 29 never counted) or n (0-365, counted), at `time` seconds local time. */
typedef struct ft_tz_rule {
    char kind; /* 'M', 'J' or 'N' */
    int month, week, weekday, yday;
    int32_t time;
} ft_tz_rule;

/* A parsed POSIX TZ rule. */
typedef struct ft_tz_posix {
    char std_name[FT_TZ_NAME_MAX], dst_name[FT_TZ_NAME_MAX];
    int32_t std_offset, dst_offset; /* seconds east of UTC (EST = -18000) */
    int has_dst;
    ft_tz_rule start, end; /* DST starts (in standard time) and ends (in daylight time) */
} ft_tz_posix;

/* One era of a zone: `rule` is in force from the previous era's `until` (or forever before, for
 * the first) up to, not including, the UTC instant `until` (FT_TZ_FOREVER for the last era). */
typedef struct ft_tz_era {
    int64_t until;
    ft_tz_posix rule;
} ft_tz_era;

/* A zone: 1 .. FT_TZ_MAX_ERAS eras in increasing `until` order, the last open-ended. */
typedef struct ft_tz {
    size_t n_eras;
    ft_tz_era era[FT_TZ_MAX_ERAS];
} ft_tz;

/* ft_tz_parse_posix: parses a POSIX TZ string (std offset [dst [offset] [,start[/time],end[/time]]]),
 * with <...> quoted names and hh[:mm[:ss]] offsets. A DST name without rules takes the US rules
 * (M3.2.0,M11.1.0). Errors: FT_E_INVALID_ARG, FT_E_SCHED_TZ_RULE. */
ft_status ft_tz_parse_posix(const char *s, size_t len, ft_tz_posix *out);

/* ft_tz_from_posix: a zone with one open-ended era, the POSIX rule s. Errors as ft_tz_parse_posix. */
ft_status ft_tz_from_posix(const char *s, size_t len, ft_tz *out);

/* ft_tz_lookup: the zone of an IANA name from the compiled-in table (exact spelling), parsed.
 * *posix (if not NULL) receives the rule of its last, open-ended era (the tzdata footer; static).
 * Errors: FT_E_SCHED_TZ_UNKNOWN. */
ft_status ft_tz_lookup(const char *name, size_t len, ft_tz *out, const char **posix);

/* The compiled-in table, for listing and testing: entries 0 .. ft_tz_zone_count()-1. Static.
 * ft_tz_zone_at gives the name and the last era's rule; ft_tz_zone_era_at the eras 0 .. (returns 0
 * past the last): until (UTC, FT_TZ_FOREVER for the last), the rule, and *since (may be NULL) the
 * tzdata release that introduced the era's end (NULL for the last era). ft_tz_data_version() is
 * FT_TZ_DATA_VERSION. */
size_t ft_tz_zone_count(void);
int ft_tz_zone_at(size_t i, const char **name, const char **posix);
int ft_tz_zone_era_at(size_t i, size_t era, int64_t *until, const char **posix, const char **since);
const char *ft_tz_data_version(void);

/* ft_tz_rule_at: the rule (era) in force at a UTC instant. */
const ft_tz_posix *ft_tz_rule_at(const ft_tz *tz, int64_t utc);

/* ft_tz_abbreviation: the abbreviation in force at a UTC instant ("PDT", "MST"; "-03" for <-03>). */
const char *ft_tz_abbreviation(const ft_tz *tz, int64_t utc);

/* ft_tz_offset: the UTC offset in force at a UTC instant; *is_dst (if not NULL) 1 in daylight time. */
int32_t ft_tz_offset(const ft_tz *tz, int64_t utc, int *is_dst);

/* ft_tz_to_local: the wall-clock time at a UTC instant. offset / is_dst may be NULL. */
void ft_tz_to_local(const ft_tz *tz, int64_t utc, ft_civil *out, int32_t *offset, int *is_dst);

typedef enum ft_local_kind {
    FT_LOCAL_UNIQUE = 0,  /* the local time happens once */
    FT_LOCAL_GAP = 1,     /* it does not exist (clocks jumped over it) */
    FT_LOCAL_OVERLAP = 2  /* it happens twice (clocks went back) */
} ft_local_kind;

typedef enum ft_tz_choice {
    FT_TZ_REJECT = 0,  /* FT_E_SCHED_TIME_GAP / FT_E_SCHED_TIME_AMBIGUOUS */
    FT_TZ_EARLIER = 1, /* overlap: the first occurrence; gap: moved forward by the gap's length */
    FT_TZ_LATER = 2    /* overlap: the second occurrence; gap: as FT_TZ_EARLIER */
} ft_tz_choice;

/* ft_tz_from_local: the UTC instant of a wall-clock time. *kind (if not NULL) says which case it
 * was; on FT_TZ_REJECT the gap / overlap is an error, otherwise resolved as the choice says.
 * Errors: FT_E_INVALID_ARG, FT_E_SCHED_DATE (fields out of range), FT_E_SCHED_TIME_GAP,
 * FT_E_SCHED_TIME_AMBIGUOUS. */
ft_status ft_tz_from_local(const ft_tz *tz, const ft_civil *local, ft_tz_choice choice, int64_t *utc,
                           ft_local_kind *kind);

/* Civil-date arithmetic (proleptic Gregorian). */
int64_t ft_days_from_civil(int year, int month, int day);
void ft_civil_from_days(int64_t days, int *year, int *month, int *day);
int ft_days_in_month(int year, int month);
int ft_weekday(int year, int month, int day); /* 0 = Sunday */
/* 1 when the date (and time, if has_time) is valid and within FT_SCHED_MIN_YEAR..MAX_YEAR. */
int ft_civil_valid(const ft_civil *c, int has_time);

/* ---- state / province -> zone ---- */

typedef struct ft_region_zone {
    const char *region;  /* "TX" */
    const char *country; /* "US" or "CA" */
    const char *zone;    /* the zone of most of the region */
    const char *split;   /* NULL, or a sentence naming the parts on other zones (with their zone names) */
} ft_region_zone;

/* ft_region_zone_lookup: the zone of a US state/territory or Canadian province/territory code
 * (two letters, case-insensitive). Errors: FT_E_SCHED_REGION. */
ft_status ft_region_zone_lookup(const char *region, size_t len, const ft_region_zone **out);

/* ---- send window and reminder time ---- */

typedef struct ft_send_window {
    int start_minute, end_minute; /* minutes after local midnight; sending allowed in [start, end) */
} ft_send_window;

/* The default window for a region code: 08:00-21:00, or 08:00-20:00 for FL, OK, MD. region may be
 * NULL (the default). */
void ft_send_window_for_region(const char *region, size_t len, ft_send_window *out);

typedef enum ft_send_adjust {
    FT_SEND_AS_PLANNED = 0,
    FT_SEND_MOVED_LATER = 1,   /* planned before the window opened: moved to its opening */
    FT_SEND_MOVED_EARLIER = 2, /* planned after the window closed: moved to its last minute */
    FT_SEND_LATE = 3           /* the planned time had passed: as soon as allowed */
} ft_send_adjust;

typedef struct ft_reminder_time {
    int64_t planned; /* job start - N x 24 h */
    int64_t send_at;
    ft_send_adjust adjust;
} ft_reminder_time;

#define FT_SCHED_NO_NOW INT64_MIN /* pass as `now` when the current time does not matter */

/* ft_reminder_time_compute: when the reminder of a job starting at job_start (UTC) goes out.
 *   days_before  N (0 .. FT_SCHED_MAX_DAYS_BEFORE); the reminder is planned N x 24 hours before
 *   window       the customer's local send window
 *   now          the current time, or FT_SCHED_NO_NOW; a send time is never before it
 * Errors: FT_E_INVALID_ARG, FT_E_SCHED_WINDOW, FT_E_SCHED_STARTED (job_start <= now),
 * FT_E_SCHED_NO_WINDOW (no allowed minute between now and the start). */
ft_status ft_reminder_time_compute(const ft_tz *tz, int64_t job_start, uint32_t days_before,
                                   const ft_send_window *window, int64_t now, ft_reminder_time *out);

/* ---- recurring jobs ---- */

typedef enum ft_recur_kind {
    FT_RECUR_NONE = 0,
    FT_RECUR_WEEKLY = 1,          /* every `interval` weeks on the first date's weekday */
    FT_RECUR_MONTHLY_DATE = 2,    /* every `interval` months on the first date's day of the month */
    FT_RECUR_MONTHLY_WEEKDAY = 3  /* every `interval` months on the `week`-th `weekday` (-1: last) */
} ft_recur_kind;

typedef enum ft_short_month {
    FT_SHORT_MONTH_LAST_DAY = 0, /* the 31st falls on the 30th, 29th or 28th in shorter months */
    FT_SHORT_MONTH_SKIP = 1      /* months without that day have no visit */
} ft_short_month;

typedef struct ft_recurrence {
    ft_recur_kind kind;
    uint32_t interval;           /* >= 1 (0 is taken as 1) */
    ft_short_month short_month;  /* MONTHLY_DATE only */
    int week;                    /* MONTHLY_WEEKDAY: 1-4, or -1 for the last; 0 = from the first date */
    int weekday;                 /* MONTHLY_WEEKDAY: 0 = Sunday .. 6; -1 = from the first date */
    int has_until;
    int until_year, until_month, until_day; /* last possible date (inclusive) */
    uint32_t count;              /* 0 = no limit; else the series has this many dates from the first */
} ft_recurrence;

typedef struct ft_date {
    int year, month, day;
} ft_date;

/* ft_recurrence_expand: the dates of a series that starts on `first`, within [from, to] (inclusive),
 * in order. The first date is an occurrence even for MONTHLY_WEEKDAY when it does not match (it is
 * the visit that was booked). out has room for cap dates; *n receives how many were written.
 * Errors: FT_E_INVALID_ARG, FT_E_SCHED_DATE, FT_E_SCHED_RECURRENCE, FT_E_SCHED_TOO_MANY (more than
 * cap or FT_SCHED_MAX_OCCURRENCES in range: the first cap are written). */
ft_status ft_recurrence_expand(const ft_recurrence *r, ft_date first, ft_date from, ft_date to, ft_date *out,
                               size_t cap, size_t *n);

/* ---- JSON ---- */

/* ft_reminders_json: the reminders list. Input:
 * {"now": "2025-03-01T12:00:00Z"?, "from": "2025-03-01", "to": "2025-03-31", "days_before": 1,
 *  "window": {"start": "08:00", "end": "21:00"}?,            (else per customer's state)
 *  "filter": {"technician", "class", "customer_type", "job_type", "from", "to"}?  (exact, case-insensitive)
 *  "jobs": [{"id", "start": "2025-03-10T09:00" (customer local time), "duration_minutes"?,
 *            "time_zone": "America/Chicago"? | "state": "TX" (the address's state/province),
 *            "technician", "class", "customer_type", "job_type",
 *            "customer": {"id", "name", "sms_number", "consent": "opted_in"|"opted_out"|"pending"|...},
 *            "recurrence": {"freq": "weekly"|"monthly_date"|"monthly_weekday", "interval": 1,
 *                           "until": "2025-12-31", "count": 10, "short_month": "last_day"|"skip",
 *                           "week": 2 | -1 | "last", "weekday": "tuesday"}?,
 *            "skip_dates": ["2025-03-17", ...]?}]}
 * "skip_dates": visits the office called off one by one (the customer away, a holiday), each the
 * visit's local date YYYY-MM-DD (the "date" of its reminder). Such a visit gets no reminder; it is
 * listed in "excluded" with reason "skipped" (unless it has already started: "started"). A date
 * that is no visit of the job is ignored, so the list can outlive edits of the series. At most
 * FT_SCHED_MAX_SKIP_DATES entries, each a valid date, else the job is "invalid" (error
 * FT_E_SCHED_DATE for a bad entry, FT_E_JSON_SHAPE when not an array, FT_E_TOO_LARGE over the cap).
 * Reply: {"ok":true,"reminders":[{"job_id","date","customer_id","customer_name","sms_number",
 *   "technician","job_type","time_zone","job_start","job_start_utc","send_at","send_at_utc",
 *   "adjusted":"none"|"moved_later"|"moved_earlier"|"late","zone_note"?}],   (sorted by send_at_utc)
 *  "excluded":[{"job_id","date"?,"reason","message"}]}
 * Reasons: "technician", "class", "customer_type", "job_type" (filtered out), "outside_range",
 * "not_opted_in", "no_sms_number", "no_send_time", "started", "skipped" (per visit, "skip_dates"),
 * "invalid" (with "error").
 * *out is set except on FT_E_NOMEM / FT_E_INVALID_ARG; free with ft_free. */
ft_status ft_reminders_json(const char *json, size_t len, char **out);

/* ft_tz_convert_json: {"zone": "America/New_York" | "state": "NY", "utc": "...Z"} -> the local
 * time and offset, or {"zone", "local": "2025-03-09T02:30", "choice": "reject"|"earlier"|"later"}
 * -> the UTC instant and "kind" ("unique"|"gap"|"overlap"). Also lists "zones" and "regions" when
 * the input is {"list": true}. */
ft_status ft_tz_convert_json(const char *json, size_t len, char **out);

#ifdef __cplusplus
}
#endif
#endif
