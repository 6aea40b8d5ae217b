/* Fuzz target: the reminders list (ft_reminders_json) and the tz conversion (ft_tz_convert_json),
 * both on the whole input. Invariants: no crash, UB or leak; *out is set except on FT_E_NOMEM /
 * FT_E_INVALID_ARG and always parses as JSON, "ok" true exactly on FT_OK (else "error" carries the
 * status); an FT_OK reminders reply has "reminders" and "excluded" arrays, its reminders sorted by
 * send_at_utc, each sent before its job starts and not before "now" (...Z or Unix seconds); each
 * exclusion has a known reason. A converted UTC instant converts back from its local time. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "fieldtext/json.h"
#include "fieldtext/schedule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Unix seconds of "YYYY-MM-DDTHH:MM:SSZ" (the replies' UTC form); 0 when s is not in that form. */
static int utc_of(const char *s, int64_t *t) {
    int y, mo, d, h, mi, se;
    char z;
    if (!s || strlen(s) != 20 || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &se, &z) != 7 || z != 'Z')
        return 0;
    *t = ft_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
    return 1;
}

/* The reply's "ok" agrees with the status; a failure names it. Returns the parsed reply. */
static cJSON *check_reply(ft_status st, const char *out) {
    if (st == FT_E_NOMEM || st == FT_E_INVALID_ARG) abort(); /* neither can happen here */
    if (!out) abort();
    cJSON *j = cJSON_Parse(out);
    if (!cJSON_IsObject(j)) abort();
    const cJSON *ok = cJSON_GetObjectItemCaseSensitive(j, "ok");
    if (!cJSON_IsBool(ok) || cJSON_IsTrue(ok) != (st == FT_OK)) abort();
    if (st != FT_OK) {
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "error"), "code");
        if (!cJSON_IsNumber(code) || code->valueint != st) abort();
    }
    return j;
}

static void check_reminders(const cJSON *in, const cJSON *j) {
    const cJSON *rs = cJSON_GetObjectItemCaseSensitive(j, "reminders");
    const cJSON *ex = cJSON_GetObjectItemCaseSensitive(j, "excluded");
    if (!cJSON_IsArray(rs) || !cJSON_IsArray(ex)) abort();
    int64_t now = 0;
    const cJSON *now_v = cJSON_GetObjectItemCaseSensitive(in, "now");
    int has_now = utc_of(cJSON_GetStringValue(now_v), &now);
    int64_t prev = INT64_MIN;
    const cJSON *r;
    cJSON_ArrayForEach(r, rs) {
        int64_t send = 0, start = 0;
        if (!utc_of(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "send_at_utc")), &send) ||
            !utc_of(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "job_start_utc")), &start))
            abort();
        if (send >= start) abort(); /* never at or after the job's start */
        if (has_now && send < now) abort();
        if (cJSON_IsNumber(now_v) && (double)(send + 1) <= now_v->valuedouble) abort(); /* now in Unix seconds */
        if (send < prev) abort(); /* sorted by send_at_utc */
        prev = send;
        if (!cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "job_id")) ||
            !cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "send_at")) ||
            !cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "date")))
            abort();
    }
    static const char *const reasons[] = {"technician",    "class",        "customer_type", "job_type",
                                          "outside_range", "not_opted_in", "no_sms_number", "no_send_time",
                                          "started",       "skipped",      "invalid"};
    const cJSON *e;
    cJSON_ArrayForEach(e, ex) {
        const char *reason = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "reason"));
        if (!reason || !cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "message"))) abort();
        int known = 0;
        for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++) known |= strcmp(reason, reasons[i]) == 0;
        if (!known) abort();
    }
}

/* A UTC instant converted to local time converts back to the same instant, the DST flag choosing
 * between the two occurrences of a repeated hour. */
static void check_round_trip(const cJSON *j) {
    const char *zone = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "zone"));
    const char *local = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "local"));
    const cJSON *unix_t = cJSON_GetObjectItemCaseSensitive(j, "unix");
    if (!local) return; /* {"list": true} */
    if (!zone || strlen(local) < 19 || !cJSON_IsNumber(unix_t)) abort();
    char lbuf[20];
    memcpy(lbuf, local, 19);
    lbuf[19] = '\0';
    cJSON *q = cJSON_CreateObject();
    cJSON_AddStringToObject(q, "zone", zone);
    cJSON_AddStringToObject(q, "local", lbuf);
    cJSON_AddStringToObject(q, "choice", cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "dst")) ? "earlier" : "later");
    char *in = cJSON_PrintUnformatted(q);
    cJSON_Delete(q);
    if (!in) abort();
    char *out = NULL;
    ft_status st = ft_tz_convert_json(in, strlen(in), &out);
    cJSON_free(in);
    cJSON *back = check_reply(st, out);
    /* a local time outside the supported years (1970..2200) is refused, not converted */
    if (st != FT_OK && st != FT_E_SCHED_DATE) abort();
    if (st == FT_OK) {
        const cJSON *u = cJSON_GetObjectItemCaseSensitive(back, "unix");
        if (!cJSON_IsNumber(u) || u->valuedouble != unix_t->valuedouble) abort();
    }
    cJSON_Delete(back);
    ft_free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *s = (const char *)data;
    cJSON *in = cJSON_ParseWithLength(s, size);

    char *out = NULL;
    ft_status st = ft_reminders_json(s, size, &out);
    cJSON *j = check_reply(st, out);
    if (st == FT_OK) check_reminders(in, j);
    cJSON_Delete(j);
    ft_free(out);

    out = NULL;
    st = ft_tz_convert_json(s, size, &out);
    j = check_reply(st, out);
    if (st == FT_OK && cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(in, "utc"))) check_round_trip(j);
    cJSON_Delete(j);
    ft_free(out);
    cJSON_Delete(in);
    return 0;
}
