/* fieldtext core: the compiled-in zone table (tzdata 2026b), POSIX TZ rules, UTC <-> local (schedule.h). */
#include <stdlib.h>
#include <string.h>

#include "fieldtext/schedule.h"

/* IANA zones of the US (with territories) and Canada; links that are common in addresses
 * (America/Montreal...) are listed too. The table follows tzdata FT_TZ_DATA_VERSION (2026b): each
 * zone's last era is the POSIX footer of its tzdata file in that release (checked with `tail -1`
 * of every file under /usr/share/zoneinfo), and earlier eras keep the rules a zone had before a
 * recent change, until the UTC instant of the first transition that differs (`since`: the tzdata
 * release that introduced the change; the system-tzdata unit test needs it). */
typedef struct {
    int64_t until;
    const char *posix, *since;
} zone_era;

static const struct {
    const char *name;
    size_t n;
    zone_era era[FT_TZ_MAX_ERAS];
} zones[] = {
#define Z1(name, posix) {name, 1, {{FT_TZ_FOREVER, posix, NULL}}}
    /* United States */
    Z1("America/New_York", "EST5EDT,M3.2.0,M11.1.0"),
    Z1("America/Detroit", "EST5EDT,M3.2.0,M11.1.0"),
    Z1("America/Kentucky/Louisville", "EST5EDT,M3.2.0,M11.1.0"),
    Z1("America/Kentucky/Monticello", "EST5EDT,M3.2.0,M11.1.0"),
    Z1("America/Indiana/Indianapolis", "EST5EDT,M3.2.0,M11.1.0"),
    Z1("America/Indiana/Vincennes", "EST5EDT,M3.2.0,M11.1.0"),
    Z1("America/Indiana/Winamac", "EST5EDT,M3.2.0,M11.1.0"),
    Z1("America/Indiana/Marengo", "EST5EDT,M3.2.0,M11.1.0"),
    Z1("America/Indiana/Petersburg", "EST5EDT,M3.2.0,M11.1.0"),
    Z1("America/Indiana/Vevay", "EST5EDT,M3.2.0,M11.1.0"),
    Z1("America/Chicago", "CST6CDT,M3.2.0,M11.1.0"),
    Z1("America/Indiana/Tell_City", "CST6CDT,M3.2.0,M11.1.0"),
    Z1("America/Indiana/Knox", "CST6CDT,M3.2.0,M11.1.0"),
    Z1("America/Menominee", "CST6CDT,M3.2.0,M11.1.0"),
    Z1("America/North_Dakota/Center", "CST6CDT,M3.2.0,M11.1.0"),
    Z1("America/North_Dakota/New_Salem", "CST6CDT,M3.2.0,M11.1.0"),
    Z1("America/North_Dakota/Beulah", "CST6CDT,M3.2.0,M11.1.0"),
    Z1("America/Denver", "MST7MDT,M3.2.0,M11.1.0"),
    Z1("America/Boise", "MST7MDT,M3.2.0,M11.1.0"),
    Z1("America/Phoenix", "MST7"),
    Z1("America/Los_Angeles", "PST8PDT,M3.2.0,M11.1.0"),
    Z1("America/Anchorage", "AKST9AKDT,M3.2.0,M11.1.0"),
    Z1("America/Juneau", "AKST9AKDT,M3.2.0,M11.1.0"),
    Z1("America/Sitka", "AKST9AKDT,M3.2.0,M11.1.0"),
    Z1("America/Metlakatla", "AKST9AKDT,M3.2.0,M11.1.0"),
    Z1("America/Yakutat", "AKST9AKDT,M3.2.0,M11.1.0"),
    Z1("America/Nome", "AKST9AKDT,M3.2.0,M11.1.0"),
    Z1("America/Adak", "HST10HDT,M3.2.0,M11.1.0"),
    Z1("Pacific/Honolulu", "HST10"),
    Z1("America/Puerto_Rico", "AST4"),
    Z1("America/St_Thomas", "AST4"),
    Z1("Pacific/Guam", "ChST-10"),
    Z1("Pacific/Saipan", "ChST-10"),
    Z1("Pacific/Pago_Pago", "SST11"),
    /* Canada */
    Z1("America/St_Johns", "NST3:30NDT,M3.2.0,M11.1.0"),
    Z1("America/Halifax", "AST4ADT,M3.2.0,M11.1.0"),
    Z1("America/Glace_Bay", "AST4ADT,M3.2.0,M11.1.0"),
    Z1("America/Moncton", "AST4ADT,M3.2.0,M11.1.0"),
    Z1("America/Goose_Bay", "AST4ADT,M3.2.0,M11.1.0"),
    Z1("America/Blanc-Sablon", "AST4"),
    Z1("America/Toronto", "EST5EDT,M3.2.0,M11.1.0"),
    Z1("America/Montreal", "EST5EDT,M3.2.0,M11.1.0"),
    Z1("America/Iqaluit", "EST5EDT,M3.2.0,M11.1.0"),
    Z1("America/Atikokan", "EST5"),
    Z1("America/Winnipeg", "CST6CDT,M3.2.0,M11.1.0"),
    Z1("America/Rankin_Inlet", "CST6CDT,M3.2.0,M11.1.0"),
    Z1("America/Resolute", "CST6CDT,M3.2.0,M11.1.0"),
    Z1("America/Regina", "CST6"),
    Z1("America/Swift_Current", "CST6"),
    Z1("America/Edmonton", "MST7MDT,M3.2.0,M11.1.0"),
    Z1("America/Yellowknife", "MST7MDT,M3.2.0,M11.1.0"),
    Z1("America/Cambridge_Bay", "MST7MDT,M3.2.0,M11.1.0"),
    Z1("America/Inuvik", "MST7MDT,M3.2.0,M11.1.0"),
    Z1("America/Creston", "MST7"),
    Z1("America/Dawson_Creek", "MST7"),
    Z1("America/Fort_Nelson", "MST7"),
    Z1("America/Whitehorse", "MST7"),
    Z1("America/Dawson", "MST7"),
    /* tzdata 2026b: British Columbia moved to permanent -07 on 2026-03-09, a day after springing
     * forward to PDT; it did not fall back on 2026-11-01 (02:00 PDT = 09:00 UTC), when the zone
     * became "MST" (-07, no DST). 1793523600 = 2026-11-01T09:00:00Z. */
    {"America/Vancouver", 2, {{1793523600, "PST8PDT,M3.2.0,M11.1.0", "2026b"}, {FT_TZ_FOREVER, "MST7", NULL}}},
#undef Z1
};

const char *ft_tz_data_version(void) { return FT_TZ_DATA_VERSION; }

size_t ft_tz_zone_count(void) { return sizeof zones / sizeof zones[0]; }

int ft_tz_zone_at(size_t i, const char **name, const char **posix) {
    if (i >= ft_tz_zone_count()) return 0;
    if (name) *name = zones[i].name;
    if (posix) *posix = zones[i].era[zones[i].n - 1].posix;
    return 1;
}

int ft_tz_zone_era_at(size_t i, size_t era, int64_t *until, const char **posix, const char **since) {
    if (i >= ft_tz_zone_count() || era >= zones[i].n) return 0;
    if (until) *until = zones[i].era[era].until;
    if (posix) *posix = zones[i].era[era].posix;
    if (since) *since = zones[i].era[era].since;
    return 1;
}

/* ---- civil dates (H. Hinnant's algorithms) ---- */

int64_t ft_days_from_civil(int y, int m, int d) {
    int64_t yy = (int64_t)y - (m <= 2);
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void ft_civil_from_days(int64_t z, int *y, int *m, int *d) {
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t dd = doy - (153 * mp + 2) / 5 + 1;
    int64_t mm = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yy + (mm <= 2));
    *m = (int)mm;
    *d = (int)dd;
}

static int leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int ft_days_in_month(int y, int m) {
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12) return 0;
    return m == 2 && leap(y) ? 29 : dim[m - 1];
}

int ft_weekday(int y, int m, int d) {
    int64_t z = ft_days_from_civil(y, m, d);
    return (int)(z >= -4 ? (z + 4) % 7 : (z + 5) % 7 + 6);
}

int ft_civil_valid(const ft_civil *c, int has_time) {
    if (!c || c->year < FT_SCHED_MIN_YEAR || c->year > FT_SCHED_MAX_YEAR || c->month < 1 || c->month > 12 ||
        c->day < 1 || c->day > ft_days_in_month(c->year, c->month))
        return 0;
    if (has_time && (c->hour < 0 || c->hour > 23 || c->minute < 0 || c->minute > 59 || c->second < 0 || c->second > 59))
        return 0;
    return 1;
}

/* ---- POSIX TZ parsing ---- */

typedef struct {
    const char *s;
    size_t i, n;
} cursor;

static int peek(const cursor *c) { return c->i < c->n ? (unsigned char)c->s[c->i] : -1; }

static int parse_name(cursor *c, char *out) {
    size_t k = 0;
    if (peek(c) == '<') {
        c->i++;
        while (peek(c) != '>' && peek(c) != -1) {
            int ch = peek(c);
            if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '+' || ch == '-'))
                return 0;
            if (k + 1 >= FT_TZ_NAME_MAX) return 0;
            out[k++] = (char)ch;
            c->i++;
        }
        if (peek(c) != '>') return 0;
        c->i++;
    } else {
        while ((peek(c) >= 'A' && peek(c) <= 'Z') || (peek(c) >= 'a' && peek(c) <= 'z')) {
            if (k + 1 >= FT_TZ_NAME_MAX) return 0;
            out[k++] = (char)peek(c);
            c->i++;
        }
    }
    out[k] = '\0';
    return k >= 3;
}

static int parse_num(cursor *c, int maxv, int *out) {
    int v = 0, digits = 0;
    while (peek(c) >= '0' && peek(c) <= '9') {
        v = v * 10 + (peek(c) - '0');
        if (v > maxv || ++digits > 3) return 0;
        c->i++;
    }
    *out = v;
    return digits > 0;
}

/* [+-]hh[:mm[:ss]] in seconds; max_h bounds the hours. */
static int parse_hms(cursor *c, int max_h, int32_t *out) {
    int sign = 1, h, m = 0, s = 0;
    if (peek(c) == '+' || peek(c) == '-') {
        if (peek(c) == '-') sign = -1;
        c->i++;
    }
    if (!parse_num(c, max_h, &h)) return 0;
    if (peek(c) == ':') {
        c->i++;
        if (!parse_num(c, 59, &m)) return 0;
        if (peek(c) == ':') {
            c->i++;
            if (!parse_num(c, 59, &s)) return 0;
        }
    }
    *out = sign * (h * 3600 + m * 60 + s);
    return 1;
}

static int parse_rule(cursor *c, ft_tz_rule *r) {
    memset(r, 0, sizeof *r);
    r->time = 7200;
    int v;
    if (peek(c) == 'M') {
        c->i++;
        r->kind = 'M';
        if (!parse_num(c, 12, &r->month) || r->month < 1 || peek(c) != '.') return 0;
        c->i++;
        if (!parse_num(c, 5, &r->week) || r->week < 1 || peek(c) != '.') return 0;
        c->i++;
        if (!parse_num(c, 6, &r->weekday)) return 0;
    } else if (peek(c) == 'J') {
        c->i++;
        r->kind = 'J';
        if (!parse_num(c, 365, &v) || v < 1) return 0;
        r->yday = v;
    } else {
        r->kind = 'N';
        if (!parse_num(c, 365, &v)) return 0;
        r->yday = v;
    }
    if (peek(c) == '/') {
        c->i++;
        if (!parse_hms(c, 167, &r->time)) return 0; /* RFC 8536 extension: -167..167 hours */
    }
    return 1;
}

ft_status ft_tz_parse_posix(const char *s, size_t len, ft_tz_posix *out) {
    if (!out || (!s && len)) return FT_E_INVALID_ARG;
    memset(out, 0, sizeof *out);
    if (len > FT_TZ_RULE_MAX) return FT_E_SCHED_TZ_RULE;
    cursor c = {s, 0, len};
    int32_t off;
    if (!parse_name(&c, out->std_name) || !parse_hms(&c, 24, &off)) return FT_E_SCHED_TZ_RULE;
    out->std_offset = -off; /* POSIX offsets are west-positive */
    if (c.i == c.n) {
        out->dst_offset = out->std_offset;
        return FT_OK;
    }
    if (!parse_name(&c, out->dst_name)) return FT_E_SCHED_TZ_RULE;
    out->has_dst = 1;
    out->dst_offset = out->std_offset + 3600;
    if (peek(&c) != ',' && c.i < c.n) {
        if (!parse_hms(&c, 24, &off)) return FT_E_SCHED_TZ_RULE;
        out->dst_offset = -off;
    }
    if (c.i == c.n) {
        /* no rules: the US rules */
        out->start = (ft_tz_rule){'M', 3, 2, 0, 0, 7200};
        out->end = (ft_tz_rule){'M', 11, 1, 0, 0, 7200};
        return FT_OK;
    }
    if (peek(&c) != ',') return FT_E_SCHED_TZ_RULE;
    c.i++;
    if (!parse_rule(&c, &out->start) || peek(&c) != ',') return FT_E_SCHED_TZ_RULE;
    c.i++;
    if (!parse_rule(&c, &out->end) || c.i != c.n) return FT_E_SCHED_TZ_RULE;
    return FT_OK;
}

ft_status ft_tz_from_posix(const char *s, size_t len, ft_tz *out) {
    if (!out) return FT_E_INVALID_ARG;
    memset(out, 0, sizeof *out);
    out->n_eras = 1;
    out->era[0].until = FT_TZ_FOREVER;
    return ft_tz_parse_posix(s, len, &out->era[0].rule);
}

ft_status ft_tz_lookup(const char *name, size_t len, ft_tz *out, const char **posix) {
    if (!name || !out) return FT_E_INVALID_ARG;
    for (size_t i = 0; i < ft_tz_zone_count(); i++) {
        if (strlen(zones[i].name) == len && memcmp(zones[i].name, name, len) == 0) {
            memset(out, 0, sizeof *out);
            out->n_eras = zones[i].n;
            for (size_t k = 0; k < zones[i].n; k++) {
                const char *p = zones[i].era[k].posix;
                out->era[k].until = zones[i].era[k].until;
                ft_status st = ft_tz_parse_posix(p, strlen(p), &out->era[k].rule);
                if (st != FT_OK) return st;
            }
            if (posix) *posix = zones[i].era[zones[i].n - 1].posix;
            return FT_OK;
        }
    }
    return FT_E_SCHED_TZ_UNKNOWN;
}

/* ---- evaluation ---- */

/* Seconds from the start of `year` (local midnight, Jan 1) to the rule's transition (local time). */
static int64_t rule_local_seconds(const ft_tz_rule *r, int year) {
    int64_t yday; /* 0-based */
    if (r->kind == 'M') {
        int first_wd = ft_weekday(year, r->month, 1);
        int day = 1 + (r->weekday - first_wd + 7) % 7 + 7 * (r->week - 1);
        int dim = ft_days_in_month(year, r->month);
        while (day > dim) day -= 7;
        yday = ft_days_from_civil(year, r->month, day) - ft_days_from_civil(year, 1, 1);
    } else if (r->kind == 'J') {
        yday = r->yday - 1;
        if (leap(year) && r->yday >= 60) yday++;
    } else {
        yday = r->yday;
    }
    return yday * 86400 + r->time;
}

/* UTC instants when DST starts and ends in a year. */
static void transitions(const ft_tz_posix *tz, int year, int64_t *start, int64_t *end) {
    int64_t y0 = ft_days_from_civil(year, 1, 1) * 86400;
    *start = y0 + rule_local_seconds(&tz->start, year) - tz->std_offset;
    *end = y0 + rule_local_seconds(&tz->end, year) - tz->dst_offset;
}

static int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* The offset of one POSIX rule at a UTC instant. */
static int32_t posix_offset(const ft_tz_posix *tz, int64_t utc, int *is_dst) {
    if (is_dst) *is_dst = 0;
    if (!tz->has_dst) return tz->std_offset;
    int y, m, d;
    ft_civil_from_days(floor_div(utc + tz->std_offset, 86400), &y, &m, &d);
    int64_t s, e;
    transitions(tz, y, &s, &e);
    int dst = s < e ? (utc >= s && utc < e) : !(utc >= e && utc < s);
    if (is_dst) *is_dst = dst;
    return dst ? tz->dst_offset : tz->std_offset;
}

const ft_tz_posix *ft_tz_rule_at(const ft_tz *tz, int64_t utc) {
    size_t n = tz->n_eras < 1 ? 1 : tz->n_eras > FT_TZ_MAX_ERAS ? FT_TZ_MAX_ERAS : tz->n_eras;
    for (size_t i = 0; i + 1 < n; i++)
        if (utc < tz->era[i].until) return &tz->era[i].rule;
    return &tz->era[n - 1].rule;
}

int32_t ft_tz_offset(const ft_tz *tz, int64_t utc, int *is_dst) {
    return posix_offset(ft_tz_rule_at(tz, utc), utc, is_dst);
}

const char *ft_tz_abbreviation(const ft_tz *tz, int64_t utc) {
    const ft_tz_posix *r = ft_tz_rule_at(tz, utc);
    int dst;
    posix_offset(r, utc, &dst);
    return dst ? r->dst_name : r->std_name;
}

void ft_tz_to_local(const ft_tz *tz, int64_t utc, ft_civil *out, int32_t *offset, int *is_dst) {
    int32_t off = ft_tz_offset(tz, utc, is_dst);
    int64_t t = utc + off;
    int64_t days = floor_div(t, 86400), sod = t - days * 86400;
    ft_civil_from_days(days, &out->year, &out->month, &out->day);
    out->hour = (int)(sod / 3600);
    out->minute = (int)(sod / 60 % 60);
    out->second = (int)(sod % 60);
    if (offset) *offset = off;
}

/* Adds the standard and daylight offsets of a rule to a set of candidate offsets. */
static void add_offsets(const ft_tz_posix *r, int32_t *set, int *n) {
    int32_t o[2] = {r->std_offset, r->dst_offset};
    for (int k = 0; k < (r->has_dst ? 2 : 1); k++) {
        int seen = 0;
        for (int i = 0; i < *n; i++) seen |= set[i] == o[k];
        if (!seen) set[(*n)++] = o[k];
    }
}

ft_status ft_tz_from_local(const ft_tz *tz, const ft_civil *c, ft_tz_choice choice, int64_t *utc, ft_local_kind *kind) {
    if (!tz || !c || !utc) return FT_E_INVALID_ARG;
    if (!ft_civil_valid(c, 1)) return FT_E_SCHED_DATE;
    int64_t local = ft_days_from_civil(c->year, c->month, c->day) * 86400 + c->hour * 3600 + c->minute * 60 + c->second;
    /* The candidate offsets: those of the rules in force 26 hours either side (offsets are within
     * +-25 h, so the instant sought lies between, and an era boundary inside is covered). Each
     * candidate o gives an instant local - o, which is valid when o is in force then. */
    int32_t offs[4];
    int n_offs = 0;
    add_offsets(ft_tz_rule_at(tz, local - 26 * 3600), offs, &n_offs);
    add_offsets(ft_tz_rule_at(tz, local + 26 * 3600), offs, &n_offs);
    int64_t first = 0, last = 0;
    int valid = 0;
    int32_t max_off = offs[0];
    for (int i = 0; i < n_offs; i++) {
        int64_t t = local - offs[i];
        if (offs[i] > max_off) max_off = offs[i];
        if (ft_tz_offset(tz, t, NULL) != offs[i]) continue;
        if (!valid || t < first) first = t;
        if (!valid || t > last) last = t;
        valid++;
    }
    if (valid >= 2) {
        if (kind) *kind = FT_LOCAL_OVERLAP;
        if (choice == FT_TZ_REJECT) return FT_E_SCHED_TIME_AMBIGUOUS;
        *utc = choice == FT_TZ_EARLIER ? first : last;
        return FT_OK;
    }
    if (valid == 1) {
        if (kind) *kind = FT_LOCAL_UNIQUE;
        *utc = first;
        return FT_OK;
    }
    /* a gap: read the time with the offset in force just before the jump */
    if (kind) *kind = FT_LOCAL_GAP;
    if (choice == FT_TZ_REJECT) return FT_E_SCHED_TIME_GAP;
    int32_t before = ft_tz_offset(tz, local - max_off, NULL);
    *utc = local - before;
    return FT_OK;
}

/* ---- regions ---- */

static const ft_region_zone regions[] = {
    {"AL", "US", "America/Chicago", NULL},
    {"AK", "US", "America/Anchorage", "the Aleutian Islands west of 169.5 W use Hawaii-Aleutian time (America/Adak)"},
    {"AZ", "US", "America/Phoenix", "the Navajo Nation observes daylight saving time (America/Denver)"},
    {"AR", "US", "America/Chicago", NULL},
    {"CA", "US", "America/Los_Angeles", NULL},
    {"CO", "US", "America/Denver", NULL},
    {"CT", "US", "America/New_York", NULL},
    {"DE", "US", "America/New_York", NULL},
    {"DC", "US", "America/New_York", NULL},
    {"FL", "US", "America/New_York", "the western Panhandle uses Central time (America/Chicago)"},
    {"GA", "US", "America/New_York", NULL},
    {"HI", "US", "Pacific/Honolulu", NULL},
    {"ID", "US", "America/Boise", "northern Idaho uses Pacific time (America/Los_Angeles)"},
    {"IL", "US", "America/Chicago", NULL},
    {"IN", "US", "America/Indiana/Indianapolis", "northwest and southwest counties use Central time (America/Chicago)"},
    {"IA", "US", "America/Chicago", NULL},
    {"KS", "US", "America/Chicago", "four western counties use Mountain time (America/Denver)"},
    {"KY", "US", "America/New_York", "western Kentucky uses Central time (America/Chicago)"},
    {"LA", "US", "America/Chicago", NULL},
    {"ME", "US", "America/New_York", NULL},
    {"MD", "US", "America/New_York", NULL},
    {"MA", "US", "America/New_York", NULL},
    {"MI", "US", "America/Detroit", "four Upper Peninsula counties bordering Wisconsin use Central time (America/Menominee)"},
    {"MN", "US", "America/Chicago", NULL},
    {"MS", "US", "America/Chicago", NULL},
    {"MO", "US", "America/Chicago", NULL},
    {"MT", "US", "America/Denver", NULL},
    {"NE", "US", "America/Chicago", "western Nebraska uses Mountain time (America/Denver)"},
    {"NV", "US", "America/Los_Angeles", "West Wendover uses Mountain time (America/Denver)"},
    {"NH", "US", "America/New_York", NULL},
    {"NJ", "US", "America/New_York", NULL},
    {"NM", "US", "America/Denver", NULL},
    {"NY", "US", "America/New_York", NULL},
    {"NC", "US", "America/New_York", NULL},
    {"ND", "US", "America/Chicago", "southwestern North Dakota uses Mountain time (America/Denver)"},
    {"OH", "US", "America/New_York", NULL},
    {"OK", "US", "America/Chicago", NULL},
    {"OR", "US", "America/Los_Angeles", "most of Malheur County uses Mountain time (America/Boise)"},
    {"PA", "US", "America/New_York", NULL},
    {"RI", "US", "America/New_York", NULL},
    {"SC", "US", "America/New_York", NULL},
    {"SD", "US", "America/Chicago", "western South Dakota uses Mountain time (America/Denver)"},
    {"TN", "US", "America/Chicago", "East Tennessee uses Eastern time (America/New_York)"},
    {"TX", "US", "America/Chicago", "El Paso and Hudspeth counties use Mountain time (America/Denver)"},
    {"UT", "US", "America/Denver", NULL},
    {"VT", "US", "America/New_York", NULL},
    {"VA", "US", "America/New_York", NULL},
    {"WA", "US", "America/Los_Angeles", NULL},
    {"WV", "US", "America/New_York", NULL},
    {"WI", "US", "America/Chicago", NULL},
    {"WY", "US", "America/Denver", NULL},
    {"AS", "US", "Pacific/Pago_Pago", NULL},
    {"GU", "US", "Pacific/Guam", NULL},
    {"MP", "US", "Pacific/Saipan", NULL},
    {"PR", "US", "America/Puerto_Rico", NULL},
    {"VI", "US", "America/St_Thomas", NULL},
    {"AB", "CA", "America/Edmonton", NULL},
    {"BC", "CA", "America/Vancouver",
     "the northeast and Creston keep Mountain standard time all year (America/Dawson_Creek, America/Creston); the "
     "East Kootenay uses Mountain time (America/Edmonton)"},
    {"MB", "CA", "America/Winnipeg", NULL},
    {"NB", "CA", "America/Moncton", NULL},
    {"NL", "CA", "America/St_Johns", "most of Labrador uses Atlantic time (America/Goose_Bay)"},
    {"NS", "CA", "America/Halifax", NULL},
    {"NT", "CA", "America/Yellowknife", NULL},
    {"NU", "CA", "America/Iqaluit",
     "the Kivalliq region uses Central time (America/Rankin_Inlet) and the western Kitikmeot Mountain time "
     "(America/Cambridge_Bay)"},
    {"ON", "CA", "America/Toronto", "northwestern Ontario uses Central time (America/Winnipeg); Atikokan keeps Eastern standard time (America/Atikokan)"},
    {"PE", "CA", "America/Halifax", NULL},
    {"QC", "CA", "America/Toronto", "the Lower North Shore east of the Natashquan River keeps Atlantic standard time (America/Blanc-Sablon)"},
    {"SK", "CA", "America/Regina", "Lloydminster uses Mountain time with daylight saving time (America/Edmonton)"},
    {"YT", "CA", "America/Whitehorse", NULL},
};

ft_status ft_region_zone_lookup(const char *region, size_t len, const ft_region_zone **out) {
    if (!region || !out) return FT_E_INVALID_ARG;
    if (len != 2) return FT_E_SCHED_REGION;
    char up[3] = {(char)(region[0] >= 'a' && region[0] <= 'z' ? region[0] - 32 : region[0]),
                  (char)(region[1] >= 'a' && region[1] <= 'z' ? region[1] - 32 : region[1]), 0};
    for (size_t i = 0; i < sizeof regions / sizeof regions[0]; i++)
        if (memcmp(regions[i].region, up, 2) == 0) {
            *out = &regions[i];
            return FT_OK;
        }
    return FT_E_SCHED_REGION;
}

/* For listing (schedule.c). */
size_t ft_region_count_internal(void);
const ft_region_zone *ft_region_at_internal(size_t i);
size_t ft_region_count_internal(void) { return sizeof regions / sizeof regions[0]; }
const ft_region_zone *ft_region_at_internal(size_t i) { return i < ft_region_count_internal() ? &regions[i] : NULL; }
