/* Consent: the staff flow in order, opt-out and re-opt-in, the SHA-256 audit chain, send checks,
 * the export. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "fieldtext/consent.h"
#include "fieldtext/json.h"
#include "test.h"

#define T0 1718000000000LL /* 2024-06-10T06:13:20Z */
#define PHONE "+15552345678"

static ft_consent_step staff_step(ft_consent_event type, int64_t at) {
    ft_consent_step s;
    memset(&s, 0, sizeof s);
    s.type = type;
    s.at_ms = at;
    s.staff_id = "u_7";
    s.staff_name = "Dana Ortiz";
    return s;
}

static ft_consent_step customer_step(ft_consent_event type, int64_t at, const char *word) {
    ft_consent_step s;
    memset(&s, 0, sizeof s);
    s.type = type;
    s.at_ms = at;
    s.keyword = word;
    s.method = type == FT_CONSENT_EV_OPTED_OUT || type == FT_CONSENT_EV_OPTED_IN ? FT_CONSENT_METHOD_KEYWORD
                                                                                 : FT_CONSENT_METHOD_NONE;
    return s;
}

/* Runs the full staff flow; records go to recs[*n...]. */
static void opt_in(ft_consent_state *s, ft_consent_record *recs, size_t *n, int64_t at) {
    ft_consent_step st = staff_step(FT_CONSENT_EV_SCRIPT_READ, at);
    st.method = FT_CONSENT_METHOD_VERBAL;
    st.company_name = "Acme Pest Control";
    CHECK_EQ_INT(ft_consent_apply(s, &st, &recs[(*n)++], NULL), FT_OK);
    st = staff_step(FT_CONSENT_EV_SCREEN_ACKNOWLEDGED, at + 1000);
    CHECK_EQ_INT(ft_consent_apply(s, &st, &recs[(*n)++], NULL), FT_OK);
    st = staff_step(FT_CONSENT_EV_BOX_CHECKED, at + 2000);
    CHECK_EQ_INT(ft_consent_apply(s, &st, &recs[(*n)++], NULL), FT_OK);
}

static void consent_enables_sms_only_after_script_screen_and_box_in_order(void) {
    ft_consent_state s;
    ft_consent_record r[8];
    size_t n = 0;
    const char *why = NULL;
    CHECK_EQ_INT(ft_consent_state_init(&s, "c_9", PHONE), FT_OK);
    ft_consent_step st = staff_step(FT_CONSENT_EV_BOX_CHECKED, T0);
    CHECK_EQ_INT(ft_consent_apply(&s, &st, &r[0], &why), FT_E_CONSENT_ORDER);
    CHECK(why && strstr(why, "after the script") != NULL);
    st = staff_step(FT_CONSENT_EV_SCREEN_ACKNOWLEDGED, T0);
    CHECK_EQ_INT(ft_consent_apply(&s, &st, &r[0], &why), FT_E_CONSENT_ORDER);
    CHECK_EQ_INT(s.count, 0);
    opt_in(&s, r, &n, T0);
    CHECK_EQ_INT(s.status, FT_CONSENT_OPTED_IN);
    CHECK_EQ_INT(n, 3);
    CHECK_EQ_STR(r[0].version, FT_CONSENT_SCRIPT_VERSION);
    CHECK(strstr(r[0].text, "appointments with Acme Pest Control? Message and data rates may apply.") != NULL);
    CHECK_EQ_STR(r[1].text, FT_CONSENT_DISCLOSURE_TEXT);
    CHECK_EQ_STR(r[1].version, FT_CONSENT_DISCLOSURE_VERSION);
    CHECK_EQ_INT(r[2].method, FT_CONSENT_METHOD_VERBAL); /* the flow's method */
    CHECK_EQ_STR(r[2].actor, "u_7");
    CHECK_EQ_STR(r[2].staff_name, "Dana Ortiz");
    CHECK_EQ_STR(r[2].phone, PHONE);
    CHECK_EQ_STR(r[1].prev_hash, r[0].hash);
    CHECK_EQ_STR(r[2].prev_hash, r[1].hash);
}

static void consent_staff_steps_need_a_named_staff_member(void) {
    ft_consent_state s;
    ft_consent_record r;
    ft_consent_state_init(&s, "c_9", PHONE);
    ft_consent_step st = staff_step(FT_CONSENT_EV_SCRIPT_READ, T0);
    st.method = FT_CONSENT_METHOD_VERBAL;
    st.company_name = "Acme";
    st.staff_name = "";
    CHECK_EQ_INT(ft_consent_apply(&s, &st, &r, NULL), FT_E_CONSENT_STAFF);
    st.staff_name = "Dana";
    st.staff_id = NULL;
    CHECK_EQ_INT(ft_consent_apply(&s, &st, &r, NULL), FT_E_CONSENT_STAFF);
    st.staff_id = "customer";
    CHECK_EQ_INT(ft_consent_apply(&s, &st, &r, NULL), FT_E_CONSENT_STAFF);
    st.staff_id = "u_7";
    st.method = FT_CONSENT_METHOD_KEYWORD;
    CHECK_EQ_INT(ft_consent_apply(&s, &st, &r, NULL), FT_E_CONSENT_METHOD);
}

static void consent_script_and_disclosure_must_be_the_versioned_text(void) {
    ft_consent_state s;
    ft_consent_record r;
    ft_consent_state_init(&s, "c_9", PHONE);
    ft_consent_step st = staff_step(FT_CONSENT_EV_SCRIPT_READ, T0);
    st.method = FT_CONSENT_METHOD_WRITTEN;
    st.company_name = "Acme";
    st.text = "Can we text you?";
    CHECK_EQ_INT(ft_consent_apply(&s, &st, &r, NULL), FT_E_CONSENT_TEXT);
    st.text = NULL;
    st.version = "script-v0";
    CHECK_EQ_INT(ft_consent_apply(&s, &st, &r, NULL), FT_E_CONSENT_TEXT);
    st.version = NULL;
    CHECK_EQ_INT(ft_consent_apply(&s, &st, &r, NULL), FT_OK);
    st = staff_step(FT_CONSENT_EV_SCREEN_ACKNOWLEDGED, T0 + 1);
    st.text = "Some other disclosure";
    CHECK_EQ_INT(ft_consent_apply(&s, &st, &r, NULL), FT_E_CONSENT_TEXT);
    char buf[400];
    CHECK_EQ_INT(ft_consent_script("Acme", buf, sizeof buf), FT_OK);
    CHECK_EQ_STR(buf, "Would you like to receive text message reminders and updates about your appointments with Acme? "
                      "Message and data rates may apply. You can opt out at any time by replying STOP.");
    CHECK_EQ_INT(ft_consent_script("Acme", buf, 10), FT_E_BUFFER);
}

static void consent_refuses_steps_dated_before_the_last(void) {
    ft_consent_state s;
    ft_consent_record r[4];
    size_t n = 0;
    ft_consent_state_init(&s, "c_9", PHONE);
    opt_in(&s, r, &n, T0);
    ft_consent_step st = customer_step(FT_CONSENT_EV_OPTED_OUT, T0 - 1, "STOP");
    CHECK_EQ_INT(ft_consent_apply(&s, &st, &r[3], NULL), FT_E_CONSENT_TIME);
}

static void consent_opt_out_by_keyword_then_start_reopts_in(void) {
    ft_consent_state s;
    ft_consent_record r[8];
    size_t n = 0;
    ft_consent_state_init(&s, "c_9", PHONE);
    opt_in(&s, r, &n, T0);
    ft_consent_step st = customer_step(FT_CONSENT_EV_OPTED_OUT, T0 + 10000, "stop!");
    CHECK_EQ_INT(ft_consent_apply(&s, &st, &r[n++], NULL), FT_OK);
    CHECK_EQ_STR(r[3].keyword, "STOP");
    CHECK_EQ_STR(r[3].actor, "customer");
    CHECK_EQ_INT(s.status, FT_CONSENT_OPTED_OUT);
    st = customer_step(FT_CONSENT_EV_OPTED_OUT, T0 + 11000, "STOP"); /* a second STOP is recorded too */
    CHECK_EQ_INT(ft_consent_apply(&s, &st, &r[n++], NULL), FT_OK);
    st = customer_step(FT_CONSENT_EV_OPTED_IN, T0 + 20000, "HELP");
    CHECK_EQ_INT(ft_consent_apply(&s, &st, &r[n], NULL), FT_E_CONSENT_RECORD);
    st = customer_step(FT_CONSENT_EV_OPTED_IN, T0 + 20000, "START");
    CHECK_EQ_INT(ft_consent_apply(&s, &st, &r[n++], NULL), FT_OK);
    CHECK_EQ_INT(s.status, FT_CONSENT_OPTED_IN);
    CHECK_EQ_INT(ft_consent_apply(&s, &st, &r[n], NULL), FT_E_CONSENT_ORDER); /* already in */
}

static void consent_start_without_prior_consent_is_refused(void) {
    ft_consent_state s;
    ft_consent_record r;
    const char *why = NULL;
    ft_consent_state_init(&s, "c_9", PHONE);
    ft_consent_step st = customer_step(FT_CONSENT_EV_OPTED_IN, T0, "START");
    CHECK_EQ_INT(ft_consent_apply(&s, &st, &r, &why), FT_E_CONSENT_ORDER);
    CHECK(why && strstr(why, "never completed") != NULL);
    /* a STOP from someone never asked is still recorded; START then still needs the staff flow */
    st = customer_step(FT_CONSENT_EV_OPTED_OUT, T0, "STOP");
    CHECK_EQ_INT(ft_consent_apply(&s, &st, &r, NULL), FT_OK);
    st = customer_step(FT_CONSENT_EV_OPTED_IN, T0 + 1, "START");
    CHECK_EQ_INT(ft_consent_apply(&s, &st, &r, NULL), FT_E_CONSENT_ORDER);
}

static void consent_request_pauses_automated_until_staff_review(void) {
    ft_consent_state s;
    ft_consent_record r[12];
    size_t n = 0;
    ft_send_verdict v;
    int64_t noon_est = T0 + (int64_t)(6 * 60 + 47) * 60000 + 11 * 3600000LL; /* 17:00Z = 13:00 EDT */
    ft_consent_state_init(&s, "c_9", PHONE);
    opt_in(&s, r, &n, T0);
    CHECK_EQ_INT(ft_consent_can_send(&s, FT_SEND_REMINDER, noon_est, -240, NULL, &v), FT_OK);
    ft_consent_step st = staff_step(FT_CONSENT_EV_OPTOUT_CONFIRMED, T0 + 5000);
    CHECK_EQ_INT(ft_consent_apply(&s, &st, &r[n], NULL), FT_E_CONSENT_ORDER); /* nothing to review */
    st = customer_step(FT_CONSENT_EV_OPTOUT_REQUEST, T0 + 5000, "stop texting me");
    CHECK_EQ_INT(ft_consent_apply(&s, &st, &r[n++], NULL), FT_OK);
    CHECK_EQ_INT(r[3].method, FT_CONSENT_METHOD_WRITTEN);
    CHECK_EQ_INT(ft_consent_can_send(&s, FT_SEND_REMINDER, noon_est, -240, NULL, &v), FT_E_CONSENT_REVIEW);
    CHECK_EQ_INT(ft_consent_can_send(&s, FT_SEND_ON_THE_WAY, noon_est, -240, NULL, &v), FT_E_CONSENT_REVIEW);
    CHECK_EQ_INT(ft_consent_can_send(&s, FT_SEND_MANUAL, noon_est, -240, NULL, &v), FT_OK);
    st = staff_step(FT_CONSENT_EV_OPTOUT_DISMISSED, T0 + 6000);
    CHECK_EQ_INT(ft_consent_apply(&s, &st, &r[n++], NULL), FT_OK);
    CHECK_EQ_INT(ft_consent_can_send(&s, FT_SEND_REMINDER, noon_est, -240, NULL, &v), FT_OK);
    st = customer_step(FT_CONSENT_EV_OPTOUT_REQUEST, T0 + 7000, "take me off your list");
    CHECK_EQ_INT(ft_consent_apply(&s, &st, &r[n++], NULL), FT_OK);
    st = staff_step(FT_CONSENT_EV_OPTOUT_CONFIRMED, T0 + 8000);
    CHECK_EQ_INT(ft_consent_apply(&s, &st, &r[n++], NULL), FT_OK);
    CHECK_EQ_STR(r[6].keyword, "take me off your list");
    CHECK_EQ_INT(s.status, FT_CONSENT_OPTED_OUT);
    CHECK_EQ_INT(ft_consent_can_send(&s, FT_SEND_MANUAL, noon_est, -240, NULL, &v), FT_E_CONSENT_OPTED_OUT);
    /* staff opt-out of an opted-out customer is out of order */
    st = staff_step(FT_CONSENT_EV_OPTED_OUT, T0 + 9000);
    st.method = FT_CONSENT_METHOD_VERBAL;
    CHECK_EQ_INT(ft_consent_apply(&s, &st, &r[n], NULL), FT_E_CONSENT_ORDER);
    /* the full staff flow again re-opts in */
    opt_in(&s, r, &n, T0 + 10000);
    CHECK_EQ_INT(s.status, FT_CONSENT_OPTED_IN);
    ft_consent_verification ver;
    CHECK_EQ_INT(ft_consent_verify(r, n, s.head, &ver), FT_OK);
    CHECK(ver.valid);
}

static void consent_can_send_gives_each_reason(void) {
    ft_consent_state s;
    ft_send_verdict v;
    ft_consent_state_init(&s, "c_9", "");
    CHECK_EQ_INT(ft_consent_can_send(&s, FT_SEND_MANUAL, T0, 0, NULL, &v), FT_E_CONSENT_NO_NUMBER);
    ft_consent_state_init(&s, "c_9", PHONE);
    CHECK_EQ_INT(ft_consent_can_send(&s, FT_SEND_MANUAL, T0, 0, NULL, &v), FT_E_CONSENT_NO_CONSENT);
    CHECK(!v.allowed);
    CHECK_EQ_INT(ft_consent_state_init(&s, "c_9", "555-234-5678"), FT_E_INVALID_ARG); /* E.164 only */
}

static void consent_send_window_is_8_to_9_and_8_to_8_in_fl_ok_md(void) {
    ft_consent_state s;
    ft_consent_record r[4];
    size_t n = 0;
    ft_send_verdict v;
    ft_consent_state_init(&s, "c_9", PHONE);
    opt_in(&s, r, &n, T0);
    int64_t midnight_utc = 1718064000000LL; /* 2024-06-11T00:00:00Z */
    int64_t at = midnight_utc + 24 * 3600000LL + 20 * 3600000LL + 30 * 60000; /* 20:30Z on the 12th */
    /* at 20:30 local (offset 0): allowed by default, not in Florida */
    CHECK_EQ_INT(ft_consent_can_send(&s, FT_SEND_REMINDER, at, 0, NULL, &v), FT_OK);
    CHECK_EQ_INT(v.local_min, 20 * 60 + 30);
    CHECK_EQ_INT(ft_consent_can_send(&s, FT_SEND_REMINDER, at, 0, "FL", &v), FT_E_CONSENT_QUIET_HOURS);
    CHECK_EQ_INT(ft_consent_can_send(&s, FT_SEND_REMINDER, at, 0, "ok", &v), FT_E_CONSENT_QUIET_HOURS);
    CHECK_EQ_INT(ft_consent_can_send(&s, FT_SEND_REMINDER, at, 0, "MD", &v), FT_E_CONSENT_QUIET_HOURS);
    CHECK_EQ_INT(v.next_allowed_ms, midnight_utc + 2 * 24 * 3600000LL + 8 * 3600000LL);
    CHECK_EQ_INT(ft_consent_can_send(&s, FT_SEND_MANUAL, at, 0, "FL", &v), FT_OK); /* staff typing */
    /* 01:30Z is 21:30 EDT the day before: closed; next window 08:00 EDT = 12:00Z */
    int64_t late = midnight_utc + 90 * 60000;
    CHECK_EQ_INT(ft_consent_can_send(&s, FT_SEND_ON_THE_WAY, late, -240, NULL, &v), FT_E_CONSENT_QUIET_HOURS);
    CHECK_EQ_INT(v.local_min, 21 * 60 + 30);
    CHECK_EQ_INT(v.next_allowed_ms, midnight_utc + 12 * 3600000LL);
    /* 07:59 and 08:00 local */
    int64_t a759 = midnight_utc + 11 * 3600000LL + 59 * 60000;
    CHECK_EQ_INT(ft_consent_can_send(&s, FT_SEND_REMINDER, a759, -240, NULL, &v), FT_E_CONSENT_QUIET_HOURS);
    CHECK_EQ_INT(ft_consent_can_send(&s, FT_SEND_REMINDER, a759 + 60000, -240, NULL, &v), FT_OK);
    /* 20:59 allowed, 21:00 not */
    int64_t a2059 = midnight_utc + 20 * 3600000LL + 59 * 60000;
    CHECK_EQ_INT(ft_consent_can_send(&s, FT_SEND_REMINDER, a2059, 0, NULL, &v), FT_OK);
    CHECK_EQ_INT(ft_consent_can_send(&s, FT_SEND_REMINDER, a2059 + 60000, 0, NULL, &v), FT_E_CONSENT_QUIET_HOURS);
    CHECK_EQ_INT(ft_consent_can_send(&s, FT_SEND_REMINDER, a2059, 15 * 60, NULL, &v), FT_E_INVALID_ARG);
}

static void consent_chain_detects_edit_deletion_insertion_and_truncation(void) {
    ft_consent_state s;
    ft_consent_record r[8], t[8];
    size_t n = 0;
    ft_consent_verification v;
    ft_consent_state_init(&s, "c_9", PHONE);
    opt_in(&s, r, &n, T0);
    ft_consent_step st = customer_step(FT_CONSENT_EV_OPTED_OUT, T0 + 10000, "STOP");
    CHECK_EQ_INT(ft_consent_apply(&s, &st, &r[n++], NULL), FT_OK);
    CHECK_EQ_INT(ft_consent_verify(r, n, s.head, &v), FT_OK);
    CHECK(v.valid);
    CHECK_EQ_INT(v.first_broken, -1);
    /* an edit: the staff name of record 1 */
    memcpy(t, r, sizeof r);
    strcpy(t[1].staff_name, "Someone Else");
    ft_consent_verify(t, n, NULL, &v);
    CHECK(!v.valid);
    CHECK_EQ_INT(v.first_broken, 1);
    CHECK_EQ_INT(v.error, FT_E_CONSENT_CHAIN);
    /* an edit of the time */
    memcpy(t, r, sizeof r);
    t[2].at_ms += 1;
    ft_consent_verify(t, n, NULL, &v);
    CHECK_EQ_INT(v.first_broken, 2);
    /* a deletion: record 3 (the STOP) removed from the middle? remove record 1 */
    memcpy(t, r, sizeof r);
    memmove(&t[1], &t[2], 2 * sizeof t[0]);
    ft_consent_verify(t, n - 1, NULL, &v);
    CHECK(!v.valid);
    CHECK_EQ_INT(v.first_broken, 1);
    /* truncation (the STOP dropped): only the anchored head reveals it */
    ft_consent_verify(r, n - 1, NULL, &v);
    CHECK(v.valid);
    ft_consent_verify(r, n - 1, s.head, &v);
    CHECK(!v.valid);
    CHECK_EQ_INT(v.first_broken, 3);
    /* re-hashing an edited record still breaks the link of the next one */
    memcpy(t, r, sizeof r);
    t[0].method = FT_CONSENT_METHOD_WRITTEN;
    ft_consent_record_hash(&t[0], t[0].hash);
    ft_consent_verify(t, n, NULL, &v);
    CHECK_EQ_INT(v.first_broken, 1);
}

static void consent_records_round_trip_through_json_and_verify(void) {
    const char *in = "{\"customer_id\":\"c_9\",\"phone\":\"(555) 234-5678\",\"records\":[],\"step\":{\"type\":"
                     "\"consent.script_read\",\"at\":1718000000000,\"staff_id\":\"u_7\",\"staff_name\":\"Dana\","
                     "\"method\":\"verbal\",\"company_name\":\"Acme\"}}";
    char *out = NULL;
    CHECK_EQ_INT(ft_consent_step_json(in, strlen(in), &out), FT_OK);
    cJSON *j = cJSON_Parse(out);
    cJSON *rec = cJSON_DetachItemFromObject(j, "record");
    CHECK_EQ_STR(cJSON_GetStringValue(cJSON_GetObjectItem(rec, "type")), "consent.script_read");
    CHECK_EQ_STR(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(rec, "body"), "phone")), PHONE);
    CHECK_EQ_STR(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "state"), "status")), "script_read");
    cJSON_Delete(j);
    ft_free(out);
    /* next step with the record fed back */
    cJSON *req = cJSON_CreateObject();
    cJSON *arr = cJSON_AddArrayToObject(req, "records");
    cJSON_AddItemToArray(arr, rec);
    cJSON *step = cJSON_AddObjectToObject(req, "step");
    cJSON_AddStringToObject(step, "type", "consent.box_checked");
    cJSON_AddNumberToObject(step, "at", 1718000001000.0);
    cJSON_AddStringToObject(step, "staff_id", "u_7");
    cJSON_AddStringToObject(step, "staff_name", "Dana");
    char *reqs = cJSON_PrintUnformatted(req);
    CHECK_EQ_INT(ft_consent_step_json(reqs, strlen(reqs), &out), FT_E_CONSENT_ORDER);
    CHECK(strstr(out, "after the script and the confirmation screen") != NULL);
    ft_free(out);
    free(reqs);
    /* verify: intact, then tampered */
    cJSON_DeleteItemFromObject(req, "step");
    reqs = cJSON_PrintUnformatted(req);
    CHECK_EQ_INT(ft_consent_verify_json(reqs, strlen(reqs), &out), FT_OK);
    CHECK(strstr(out, "\"valid\":true") != NULL);
    ft_free(out);
    free(reqs);
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(rec, "body"), "staff_name", cJSON_CreateString("Mallory"));
    reqs = cJSON_PrintUnformatted(req);
    CHECK_EQ_INT(ft_consent_verify_json(reqs, strlen(reqs), &out), FT_E_CONSENT_CHAIN);
    CHECK(strstr(out, "\"first_broken\":0") != NULL);
    ft_free(out);
    /* the export names the break too */
    CHECK_EQ_INT(ft_consent_export(reqs, strlen(reqs), "csv", &out), FT_OK);
    CHECK(strstr(out, "BROKEN at record 0") != NULL);
    ft_free(out);
    free(reqs);
    cJSON_Delete(req);
    /* malformed input */
    CHECK_EQ_INT(ft_consent_verify_json("{", 1, &out), FT_E_JSON);
    ft_free(out);
    CHECK_EQ_INT(ft_consent_verify_json("[{\"type\":\"consent.nope\"}]", 25, &out), FT_E_CONSENT_RECORD);
    ft_free(out);
    CHECK_EQ_INT(ft_consent_verify_json("[]", 2, &out), FT_OK);
    ft_free(out);
}

static void consent_export_lists_every_record_with_time_and_verdict(void) {
    /* build the JSON array the way a host stores the events */
    char *out = NULL;
    cJSON *req = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(req, "records");
    /* the records as a host stores them: built through the step JSON */
    const char *steps[] = {
        ("{\"type\":\"consent.script_read\",\"at\":1718000000000,\"staff_id\":\"u_7\",\"staff_name\":\"Dana, \\\"D\\\"\","
         "\"method\":\"written\",\"company_name\":\"Acme\"}"),
        "{\"type\":\"consent.screen_acknowledged\",\"at\":1718000001000,\"staff_id\":\"u_7\",\"staff_name\":\"Dana\"}",
        "{\"type\":\"consent.box_checked\",\"at\":1718000002000,\"staff_id\":\"u_7\",\"staff_name\":\"Dana\"}",
        "{\"type\":\"consent.optout_request\",\"at\":1718000003000,\"phrase\":\"=HYPERLINK(evil)\"}"};
    cJSON_AddStringToObject(req, "customer_id", "c_9");
    cJSON_AddStringToObject(req, "phone", PHONE);
    for (size_t i = 0; i < 4; i++) {
        cJSON_DeleteItemFromObject(req, "step");
        cJSON_AddItemToObject(req, "step", cJSON_Parse(steps[i]));
        char *q = cJSON_PrintUnformatted(req);
        CHECK_EQ_INT(ft_consent_step_json(q, strlen(q), &out), FT_OK);
        cJSON *j = cJSON_Parse(out);
        cJSON_AddItemToArray(arr, cJSON_DetachItemFromObject(j, "record"));
        cJSON_Delete(j);
        ft_free(out);
        free(q);
    }
    cJSON_DeleteItemFromObject(req, "step");
    cJSON_AddNumberToObject(req, "generated_at", 1718100000000.0);
    char *q = cJSON_PrintUnformatted(req);
    CHECK_EQ_INT(ft_consent_export(q, strlen(q), "csv", &out), FT_OK);
    cJSON *j = cJSON_Parse(out);
    const char *csv = cJSON_GetStringValue(cJSON_GetObjectItem(j, "document"));
    CHECK(csv && strstr(csv, "VALID: 4 records") != NULL);
    CHECK(csv && strstr(csv, "2024-06-10T06:13:20.000Z") != NULL);
    CHECK(csv && strstr(csv, "\"Dana, \"\"D\"\"\"") != NULL);      /* RFC 4180 quoting */
    CHECK(csv && strstr(csv, "'=HYPERLINK(evil)") != NULL);         /* no formula runs */
    CHECK(csv && strstr(csv, "consent.box_checked") != NULL);
    cJSON_Delete(j);
    ft_free(out);
    CHECK_EQ_INT(ft_consent_export(q, strlen(q), "json", &out), FT_OK);
    j = cJSON_Parse(out);
    cJSON *doc = cJSON_GetObjectItem(j, "document");
    CHECK_EQ_INT(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "records")), 4);
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "verification"), "valid")));
    CHECK_EQ_STR(cJSON_GetStringValue(cJSON_GetObjectItem(doc, "generated_at_utc")), "2024-06-11T10:00:00.000Z");
    cJSON_Delete(j);
    ft_free(out);
    /* can_send from the same records: review pending blocks a reminder */
    cJSON_AddStringToObject(req, "kind", "reminder");
    cJSON_AddNumberToObject(req, "now", 1718035200000.0); /* 16:00Z */
    cJSON_AddNumberToObject(req, "utc_offset_min", -240);
    free(q);
    q = cJSON_PrintUnformatted(req);
    CHECK_EQ_INT(ft_consent_can_send_json(q, strlen(q), &out), FT_E_CONSENT_REVIEW);
    CHECK(strstr(out, "\"allowed\":false") != NULL);
    ft_free(out);
    CHECK_EQ_INT(ft_consent_export(q, strlen(q), "pdf", &out), FT_E_INVALID_ARG);
    ft_free(out);
    free(q);
    cJSON_Delete(req);
}

int main(void) {
    RUN(consent_enables_sms_only_after_script_screen_and_box_in_order);
    RUN(consent_staff_steps_need_a_named_staff_member);
    RUN(consent_script_and_disclosure_must_be_the_versioned_text);
    RUN(consent_refuses_steps_dated_before_the_last);
    RUN(consent_opt_out_by_keyword_then_start_reopts_in);
    RUN(consent_start_without_prior_consent_is_refused);
    RUN(consent_request_pauses_automated_until_staff_review);
    RUN(consent_can_send_gives_each_reason);
    RUN(consent_send_window_is_8_to_9_and_8_to_8_in_fl_ok_md);
    RUN(consent_chain_detects_edit_deletion_insertion_and_truncation);
    RUN(consent_records_round_trip_through_json_and_verify);
    RUN(consent_export_lists_every_record_with_time_and_verdict);
    TEST_MAIN_END();
}
