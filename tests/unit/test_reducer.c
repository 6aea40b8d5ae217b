/* The event reducer: consent, sends, balance and threads folded from events. */
#include <string.h>

#include "cJSON.h"
#include "fieldtext/json.h"
#include "fieldtext/reducer.h"
#include "test.h"

#define PHONE "+15125550123"

static void apply(ft_reducer *r, const char *json) { CHECK_EQ_INT(ft_reducer_apply(r, json, strlen(json)), FT_OK); }

static void reducer_needs_all_three_consent_steps_before_a_send(void) {
    ft_reducer *r = NULL;
    CHECK_EQ_INT(ft_reducer_new(&r), FT_OK);
    apply(r, "{\"id\":\"a\",\"seq\":1,\"at\":1,\"actor\":\"u\",\"type\":\"bundle.purchased\",\"body\":{\"segments\":2500}}");
    CHECK_EQ_INT(ft_reducer_check_send(r, PHONE, "Hi", 2, NULL), FT_E_LOG_NO_CONSENT);
    apply(r, "{\"id\":\"b\",\"seq\":2,\"at\":2,\"actor\":\"u\",\"type\":\"consent.script_read\",\"body\":{\"phone\":\"" PHONE "\"}}");
    apply(r, "{\"id\":\"c\",\"seq\":3,\"at\":3,\"actor\":\"u\",\"type\":\"consent.screen_acknowledged\",\"body\":{\"phone\":\"" PHONE "\"}}");
    CHECK_EQ_INT(ft_reducer_consent_of(r, PHONE), FT_LOG_CONSENT_PENDING);
    CHECK_EQ_INT(ft_reducer_check_send(r, PHONE, "Hi", 2, NULL), FT_E_LOG_NO_CONSENT);
    apply(r, "{\"id\":\"d\",\"seq\":4,\"at\":4,\"actor\":\"u\",\"type\":\"consent.box_checked\",\"body\":{\"phone\":\"" PHONE "\"}}");
    uint32_t segs = 0;
    CHECK_EQ_INT(ft_reducer_check_send(r, PHONE, "Hi", 2, &segs), FT_OK);
    CHECK_EQ_INT(segs, 1);
    CHECK_EQ_INT(ft_reducer_check_send(r, PHONE, "", 0, NULL), FT_E_MSG_EMPTY);
    ft_reducer_free(r);
}

static void reducer_stop_blocks_sends_until_start(void) {
    ft_reducer *r = NULL;
    ft_reducer_new(&r);
    apply(r, "{\"seq\":1,\"type\":\"bundle.purchased\",\"body\":{\"segments\":2500}}");
    apply(r, "{\"seq\":2,\"type\":\"consent.opted_in\",\"body\":{\"phone\":\"" PHONE "\"}}");
    apply(r, "{\"seq\":3,\"type\":\"consent.opted_out\",\"body\":{\"phone\":\"" PHONE "\",\"method\":\"keyword\"}}");
    CHECK_EQ_INT(ft_reducer_check_send(r, PHONE, "Hi", 2, NULL), FT_E_LOG_OPTED_OUT);
    apply(r, "{\"seq\":4,\"type\":\"consent.opted_in\",\"body\":{\"phone\":\"" PHONE "\",\"method\":\"keyword\"}}");
    CHECK_EQ_INT(ft_reducer_check_send(r, PHONE, "Hi", 2, NULL), FT_OK);
    apply(r, "{\"seq\":5,\"type\":\"consent.optout_request\",\"body\":{\"phone\":\"" PHONE "\",\"phrase\":\"stop texting me\"}}");
    CHECK_EQ_INT(ft_reducer_check_send(r, PHONE, "Hi", 2, NULL), FT_E_LOG_OPTED_OUT);
    CHECK_EQ_INT(ft_reducer_last_seq(r), 5);
    ft_reducer_free(r);
}

static void reducer_balance_counts_purchases_debits_and_refunds(void) {
    const char *events = "[{\"seq\":1,\"type\":\"bundle.purchased\",\"body\":{\"segments\":2500}},"
                         "{\"seq\":2,\"type\":\"balance.debited\",\"body\":{\"segments\":3}},"
                         "{\"seq\":3,\"type\":\"balance.refunded\",\"body\":{\"segments\":1}},"
                         "{\"seq\":4,\"type\":\"future.thing\",\"body\":{}}]";
    ft_reducer *r = NULL;
    ft_reducer_new(&r);
    CHECK_EQ_INT(ft_reducer_apply_all(r, events, strlen(events)), FT_OK);
    CHECK_EQ_INT(ft_reducer_balance(r), 2498);
    ft_reducer_free(r);
    CHECK_EQ_INT(ft_reducer_apply(NULL, "{}", 2), FT_E_INVALID_ARG);
}

static void reducer_threads_show_messages_status_and_latest_first(void) {
    const char *events =
        "{\"events\":[{\"id\":\"e1\",\"seq\":1,\"at\":10,\"type\":\"message.send\",\"body\":{\"phone\":\"+15125550001\","
        "\"body\":\"Hi\",\"message_id\":\"m1\"}},"
        "{\"seq\":2,\"at\":11,\"type\":\"message.sent\",\"body\":{\"message_id\":\"m1\",\"sid\":\"SM1\",\"segments\":1}},"
        "{\"seq\":3,\"at\":12,\"type\":\"message.status\",\"body\":{\"sid\":\"SM1\",\"status\":\"delivered\"}},"
        "{\"seq\":4,\"at\":20,\"type\":\"message.received\",\"body\":{\"phone\":\"+15125550002\",\"body\":\"<b>x</b>\",\"sid\":\"SM2\"}}]}";
    char *s = ft_reduce_json(events, strlen(events));
    CHECK(s != NULL);
    CHECK(strstr(s, "\"ok\":true") != NULL);
    CHECK(strstr(s, "\"status\":\"delivered\"") != NULL);
    const char *a = strstr(s, "+15125550002"), *b = strstr(s, "\"phone\":\"+15125550001\"");
    CHECK(a && b && a < b);
    ft_free(s);
    s = ft_reduce_json("[{\"type\":1}]", 12);
    CHECK(s && strstr(s, "FT_E_JSON_SHAPE"));
    ft_free(s);
}

/* The message of a thread (by message_id) in a state folded from events; NULL if absent. The
 * returned item belongs to *root (cJSON_Delete it). */
static const cJSON *folded_message(const char *events, cJSON **root, const char *message_id) {
    char *s = ft_reduce_json(events, strlen(events));
    *root = s ? cJSON_Parse(s) : NULL;
    ft_free(s);
    const cJSON *t, *m;
    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(*root, "threads")) {
        cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(t, "messages")) {
            const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(m, "message_id"));
            if (id && strcmp(id, message_id) == 0) return m;
        }
    }
    return NULL;
}

static const char *field_of(const cJSON *m, const char *name) {
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(m, name));
}

#define SEND(seq, mid, kind_json)                                                                                    \
    "{\"id\":\"e" #seq "\",\"seq\":" #seq ",\"at\":" #seq ",\"actor\":\"u\",\"type\":\"message.send\",\"body\":{\"phone\":\"" PHONE \
    "\",\"body\":\"Hi\",\"message_id\":\"" mid "\"" kind_json "}}"
#define SENT(seq, mid, sid)                                                                                          \
    "{\"id\":\"e" #seq "\",\"seq\":" #seq ",\"at\":" #seq ",\"actor\":\"twilio\",\"type\":\"message.sent\",\"body\":{\"message_id\":\"" mid \
    "\",\"sid\":\"" sid "\",\"segments\":1,\"twilio_status\":\"queued\"}}"
#define STATUS(seq, sid, status)                                                                                     \
    "{\"id\":\"e" #seq "\",\"seq\":" #seq ",\"at\":" #seq ",\"actor\":\"twilio\",\"type\":\"message.status\",\"body\":{\"sid\":\"" sid \
    "\",\"status\":\"" status "\"}}"

/* An outgoing message stays kind "out" (the direction every thread entry has) and keeps the kind
 * its message.send gave it (send_kind: manual, reminder, on_the_way) whatever comes after: its own
 * message.sent and status callbacks, and later sends of other kinds to the same phone. */
/* An unknown thread.* type is ignored as any unknown type is: it makes no thread. */
static void reducer_ignores_unknown_thread_events(void) {
    const char *events = "{\"events\":[{\"seq\":1,\"at\":10,\"type\":\"thread.archived\","
                         "\"body\":{\"phone\":\"+15125550009\"}},"
                         "{\"seq\":2,\"at\":11,\"type\":\"thread.read\",\"body\":{\"phone\":\"+15125550008\"}}]}";
    char *s = ft_reduce_json(events, strlen(events));
    CHECK(s && strstr(s, "\"ok\":true") != NULL);
    CHECK(s && strstr(s, "+15125550009") == NULL);
    CHECK(s && strstr(s, "+15125550008") != NULL); /* a known one still makes its thread */
    ft_free(s);
}

static void reducer_outgoing_message_keeps_out_and_the_kind_it_was_sent_with(void) {
    const char *events = "[" SEND(1, "m1", ",\"kind\":\"reminder\"") "," SEND(2, "m2", ",\"kind\":\"on_the_way\"") ","
                         SEND(3, "m3", "") "," SENT(4, "m1", "SM1") "," STATUS(5, "SM1", "delivered") ","
                         SEND(6, "m4", ",\"kind\":\"manual\"") "," SENT(7, "m2", "SM2") "," STATUS(8, "SM2", "sent") ","
                         "{\"id\":\"e9\",\"seq\":9,\"at\":9,\"actor\":\"customer\",\"type\":\"message.received\",\"body\":{\"phone\":\"" PHONE
                         "\",\"body\":\"thanks\",\"sid\":\"SM9\",\"kind\":\"reminder\"}},"
                         "{\"id\":\"e10\",\"seq\":10,\"at\":10,\"actor\":\"u\",\"type\":\"note.added\",\"body\":{\"phone\":\"" PHONE
                         "\",\"text\":\"gate code 1234\",\"kind\":\"reminder\"}}]";
    static const struct {
        const char *mid, *send_kind, *status;
    } want[] = {{"m1", "reminder", "delivered"}, {"m2", "on_the_way", "sent"}, {"m3", "manual", "queued"}, {"m4", "manual", "queued"}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        cJSON *root = NULL;
        const cJSON *m = folded_message(events, &root, want[i].mid);
        CHECK(m != NULL);
        CHECK_EQ_STR(field_of(m, "kind"), "out");
        CHECK_EQ_STR(field_of(m, "send_kind"), want[i].send_kind);
        CHECK_EQ_STR(field_of(m, "status"), want[i].status);
        cJSON_Delete(root);
    }
    /* the customer's reply and the note keep their own kinds */
    char *s = ft_reduce_json(events, strlen(events));
    CHECK(s && strstr(s, "\"kind\":\"in\"") && strstr(s, "\"kind\":\"note\"") && !strstr(s, "\"kind\":\"reminder\""));
    ft_free(s);
}

/* Twilio's status callbacks can arrive out of order (and message.sent can be written after a
 * callback): a late "sent" or "queued" never moves a delivered or failed message back. */
static void reducer_late_status_does_not_move_a_message_back(void) {
    const struct {
        const char *events, *mid, *status;
    } cases[] = {
        /* delivered, then the "sent" callback that was overtaken */
        {"[" SEND(1, "m1", ",\"kind\":\"reminder\"") "," SENT(2, "m1", "SM1") "," STATUS(3, "SM1", "delivered") ","
         STATUS(4, "SM1", "sent") "," STATUS(5, "SM1", "queued") "]", "m1", "delivered"},
        /* undelivered, then a late "sending" / "sent" */
        {"[" SEND(1, "m1", "") "," SENT(2, "m1", "SM1") "," STATUS(3, "SM1", "undelivered") "," STATUS(4, "SM1", "sending") ","
         STATUS(5, "SM1", "sent") "]", "m1", "undelivered"},
        /* a callback (with the outbox's message_id) before the relay wrote message.sent */
        {"[" SEND(1, "m1", "") ","
         "{\"id\":\"e2\",\"seq\":2,\"at\":2,\"type\":\"message.status\",\"body\":{\"message_id\":\"m1\",\"sid\":\"SM1\",\"status\":\"delivered\"}},"
         SENT(3, "m1", "SM1") "]", "m1", "delivered"},
        /* forward moves still apply: sent -> delivered -> read */
        {"[" SEND(1, "m1", "") "," SENT(2, "m1", "SM1") "," STATUS(3, "SM1", "sent") "," STATUS(4, "SM1", "delivered") ","
         STATUS(5, "SM1", "read") "]", "m1", "read"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cJSON *root = NULL;
        const cJSON *m = folded_message(cases[i].events, &root, cases[i].mid);
        CHECK(m != NULL);
        CHECK_EQ_STR(field_of(m, "status"), cases[i].status);
        CHECK_EQ_STR(field_of(m, "sid"), "SM1");
        CHECK_EQ_STR(field_of(m, "kind"), "out");
        cJSON_Delete(root);
    }
    /* the error code of an overtaken callback does not land on a delivered message */
    const char *ev = "[" SEND(1, "m1", "") "," SENT(2, "m1", "SM1") "," STATUS(3, "SM1", "delivered") ","
                     "{\"id\":\"e4\",\"seq\":4,\"at\":4,\"type\":\"message.status\",\"body\":{\"sid\":\"SM1\",\"status\":\"sent\","
                     "\"error_code\":\"30003\"}}]";
    cJSON *root = NULL;
    const cJSON *m = folded_message(ev, &root, "m1");
    CHECK(m && !cJSON_GetObjectItemCaseSensitive(m, "error_code"));
    cJSON_Delete(root);
}

/* The compact reducer (what a rule-enforcing host keeps resident) answers the rule questions as the
 * full one does for the same events, and keeps no customers, threads or messages. */
static void reducer_compact_answers_the_rules_as_the_full_one(void) {
    static const char *const events[] = {
        "{\"id\":\"a\",\"seq\":1,\"at\":1,\"actor\":\"u\",\"type\":\"bundle.purchased\",\"body\":{\"segments\":2500}}",
        "{\"id\":\"b\",\"seq\":2,\"at\":2,\"actor\":\"u\",\"type\":\"customer.saved\",\"body\":{\"customer_id\":\"c1\","
        "\"name\":\"Ann\",\"phone\":\"" PHONE "\"}}",
        "{\"id\":\"c\",\"seq\":3,\"at\":3,\"actor\":\"u\",\"type\":\"consent.script_read\",\"body\":{\"phone\":\"" PHONE "\"}}",
        "{\"id\":\"d\",\"seq\":4,\"at\":4,\"actor\":\"u\",\"type\":\"consent.screen_acknowledged\",\"body\":{\"phone\":\"" PHONE "\"}}",
        "{\"id\":\"e\",\"seq\":5,\"at\":5,\"actor\":\"u\",\"type\":\"consent.box_checked\",\"body\":{\"phone\":\"" PHONE "\"}}",
        "{\"id\":\"f\",\"seq\":6,\"at\":6,\"actor\":\"u\",\"type\":\"message.send\",\"body\":{\"phone\":\"" PHONE "\",\"body\":\"Hi\"}}",
        "{\"id\":\"g\",\"seq\":7,\"at\":7,\"actor\":\"system\",\"type\":\"balance.debited\",\"body\":{\"segments\":1}}",
        "{\"id\":\"h\",\"seq\":8,\"at\":8,\"actor\":\"customer\",\"type\":\"message.received\",\"body\":{\"phone\":\"" PHONE "\","
        "\"body\":\"STOP\",\"sid\":\"SM1\"}}",
        "{\"id\":\"i\",\"seq\":9,\"at\":9,\"actor\":\"customer\",\"type\":\"consent.opted_out\",\"body\":{\"phone\":\"" PHONE "\","
        "\"method\":\"keyword\"}}",
        "{\"id\":\"j\",\"seq\":10,\"at\":10,\"actor\":\"u\",\"type\":\"consent.script_read\",\"body\":{\"phone\":\"" PHONE "\"}}",
        "{\"id\":\"k\",\"seq\":11,\"at\":11,\"actor\":\"u\",\"type\":\"consent.screen_acknowledged\",\"body\":{\"phone\":\"" PHONE "\"}}",
        "{\"id\":\"l\",\"seq\":12,\"at\":12,\"actor\":\"system\",\"type\":\"balance.refunded\",\"body\":{\"segments\":1}}",
        "{\"id\":\"m\",\"seq\":13,\"at\":13,\"actor\":\"u\",\"type\":\"consent.box_checked\",\"body\":{\"phone\":\"" PHONE "\"}}",
        "{\"id\":\"n\",\"seq\":14,\"at\":14,\"actor\":\"u\",\"type\":\"thread.claimed\",\"body\":{\"phone\":\"" PHONE "\"}}",
    };
    ft_reducer *full = NULL, *compact = NULL;
    CHECK_EQ_INT(ft_reducer_new(&full), FT_OK);
    CHECK_EQ_INT(ft_reducer_new_compact(&compact), FT_OK);
    for (size_t i = 0; i < sizeof events / sizeof events[0]; i++) {
        apply(full, events[i]);
        apply(compact, events[i]);
        CHECK_EQ_INT(ft_reducer_consent_of(compact, PHONE), ft_reducer_consent_of(full, PHONE));
        CHECK_EQ_INT(ft_reducer_check_send(compact, PHONE, "Hi", 2, NULL), ft_reducer_check_send(full, PHONE, "Hi", 2, NULL));
        CHECK_EQ_INT(ft_reducer_balance(compact), ft_reducer_balance(full));
        CHECK_EQ_INT(ft_reducer_last_seq(compact), ft_reducer_last_seq(full));
    }
    CHECK_EQ_INT(ft_reducer_consent_of(compact, PHONE), FT_LOG_CONSENT_OPTED_IN);
    CHECK_EQ_INT(ft_reducer_balance(compact), 2500);
    char *s = ft_reducer_state_json(compact);
    CHECK(s && strstr(s, "\"threads\":[]") && strstr(s, "\"customers\":[]") && !strstr(s, "event_id"));
    ft_free(s);
    s = ft_reducer_state_json(full);
    CHECK(s && strstr(s, "\"claimed_by\":\"u\"") && strstr(s, "\"event_id\":\"m\""));
    ft_free(s);
    ft_reducer_free(full);
    ft_reducer_free(compact);
    CHECK_EQ_INT(ft_reducer_new_compact(NULL), FT_E_INVALID_ARG);
}

static const char *const SNAP_EVENTS[] = {
    "{\"id\":\"a\",\"seq\":1,\"at\":1,\"actor\":\"u\",\"type\":\"bundle.purchased\",\"body\":{\"segments\":2500}}",
    "{\"id\":\"b\",\"seq\":2,\"at\":2,\"actor\":\"u\",\"type\":\"customer.saved\",\"body\":{\"customer_id\":\"c1\","
    "\"name\":\"Ann\",\"phone\":\"" PHONE "\"}}",
    "{\"id\":\"c\",\"seq\":3,\"at\":3,\"actor\":\"u\",\"type\":\"consent.script_read\",\"body\":{\"phone\":\"" PHONE "\"}}",
    "{\"id\":\"d\",\"seq\":4,\"at\":4,\"actor\":\"u\",\"type\":\"consent.screen_acknowledged\",\"body\":{\"phone\":\"" PHONE "\"}}",
    "{\"id\":\"e\",\"seq\":5,\"at\":5,\"actor\":\"u\",\"type\":\"consent.box_checked\",\"body\":{\"phone\":\"" PHONE "\"}}",
    "{\"id\":\"f\",\"seq\":6,\"at\":6,\"actor\":\"u\",\"type\":\"message.send\",\"body\":{\"phone\":\"" PHONE "\","
    "\"body\":\"Hi\",\"message_id\":\"m1\"}}",
    "{\"id\":\"g\",\"seq\":7,\"at\":7,\"actor\":\"system\",\"type\":\"balance.debited\",\"body\":{\"segments\":1}}",
    /* the snapshot is taken here, in the middle */
    "{\"id\":\"h\",\"seq\":8,\"at\":8,\"actor\":\"twilio\",\"type\":\"message.sent\",\"body\":{\"message_id\":\"m1\","
    "\"sid\":\"SM9\"}}",
    "{\"id\":\"i\",\"seq\":9,\"at\":9,\"actor\":\"twilio\",\"type\":\"message.status\",\"body\":{\"sid\":\"SM9\","
    "\"status\":\"delivered\"}}",
    "{\"id\":\"j\",\"seq\":10,\"at\":10,\"actor\":\"customer\",\"type\":\"message.received\",\"body\":{\"phone\":\"" PHONE "\","
    "\"body\":\"STOP\",\"sid\":\"SM1\"}}",
    "{\"id\":\"k\",\"seq\":11,\"at\":11,\"actor\":\"customer\",\"type\":\"consent.opted_out\",\"body\":{\"phone\":\"" PHONE "\"}}",
    "{\"id\":\"l\",\"seq\":12,\"at\":12,\"actor\":\"system\",\"type\":\"balance.refunded\",\"body\":{\"segments\":1}}",
    "{\"id\":\"m\",\"seq\":13,\"at\":13,\"actor\":\"u\",\"type\":\"consent.script_read\",\"body\":{\"phone\":\"+15125550124\"}}",
};
#define SNAP_AT 7

static void snapshot_round_trip(int compact) {
    ft_reducer *whole = NULL, *part = NULL, *back = NULL;
    CHECK_EQ_INT(compact ? ft_reducer_new_compact(&whole) : ft_reducer_new(&whole), FT_OK);
    CHECK_EQ_INT(compact ? ft_reducer_new_compact(&part) : ft_reducer_new(&part), FT_OK);
    size_t n = sizeof SNAP_EVENTS / sizeof SNAP_EVENTS[0];
    for (size_t i = 0; i < n; i++) apply(whole, SNAP_EVENTS[i]);
    for (size_t i = 0; i < SNAP_AT; i++) apply(part, SNAP_EVENTS[i]);
    char *snap = ft_reducer_snapshot_json(part);
    CHECK(snap != NULL);
    CHECK_EQ_INT(ft_reducer_restore(snap, strlen(snap), &back), FT_OK);
    CHECK_EQ_INT(ft_reducer_is_compact(back), compact);
    /* restored, it snapshots to the same text, then folds the rest as the whole fold did */
    char *again = ft_reducer_snapshot_json(back);
    CHECK(again && strcmp(again, snap) == 0);
    ft_free(again);
    for (size_t i = SNAP_AT; i < n; i++) apply(back, SNAP_EVENTS[i]);
    char *a = ft_reducer_snapshot_json(whole), *b = ft_reducer_snapshot_json(back);
    CHECK(a && b && strcmp(a, b) == 0);
    ft_free(a);
    ft_free(b);
    a = ft_reducer_state_json(whole);
    b = ft_reducer_state_json(back);
    CHECK(a && b && strcmp(a, b) == 0);
    ft_free(a);
    ft_free(b);
    CHECK_EQ_INT(ft_reducer_consent_of(back, PHONE), FT_LOG_CONSENT_OPTED_OUT);
    CHECK_EQ_INT(ft_reducer_balance(back), 2500);
    CHECK_EQ_INT(ft_reducer_last_seq(back), 13);
    ft_free(snap);
    ft_reducer_free(whole);
    ft_reducer_free(part);
    ft_reducer_free(back);
}

static void reducer_snapshot_restores_the_same_state(void) {
    snapshot_round_trip(1);
    snapshot_round_trip(0);
}

/* The snapshot version as text, so that each bad snapshot below is refused for what it says. */
#define SNAP_V_(v) #v
#define SNAP_V_OF(v) SNAP_V_(v)
#define SNAP_V SNAP_V_OF(FT_REDUCER_SNAPSHOT_VERSION)

static void reducer_restore_refuses_what_is_not_a_snapshot(void) {
    ft_reducer *r = (ft_reducer *)1;
    const char *bad[] = {
        "", "not json", "[]", "{}",
        "{\"v\":" SNAP_V ",\"compact\":true,\"last_seq\":1,\"balance\":0,\"purchased\":0,\"debited\":0,\"refunded\":0,"
        "\"customers\":{},\"consent\":{},\"threads\":{},\"msg_phone\":{},\"sid_msg\":{}} trailing",
        /* another version */
        "{\"v\":999,\"compact\":true,\"last_seq\":1,\"balance\":0,\"purchased\":0,\"debited\":0,\"refunded\":0,"
        "\"customers\":{},\"consent\":{},\"threads\":{},\"msg_phone\":{},\"sid_msg\":{}}",
        /* a balance that is not an integer */
        "{\"v\":" SNAP_V ",\"compact\":true,\"last_seq\":1,\"balance\":0.5,\"purchased\":0,\"debited\":0,\"refunded\":0,"
        "\"customers\":{},\"consent\":{},\"threads\":{},\"msg_phone\":{},\"sid_msg\":{}}",
        /* an unknown consent state */
        "{\"v\":" SNAP_V ",\"compact\":true,\"last_seq\":1,\"balance\":0,\"purchased\":0,\"debited\":0,\"refunded\":0,"
        "\"customers\":{},\"consent\":{\"+15125550123\":{\"phone\":\"+15125550123\",\"state\":\"maybe\",\"script_read\":null,"
        "\"screen_acknowledged\":null,\"box_checked\":null,\"opted_in\":null,\"opted_out\":null}},\"threads\":{},"
        "\"msg_phone\":{},\"sid_msg\":{}}",
        /* a compact snapshot with threads */
        "{\"v\":" SNAP_V ",\"compact\":true,\"last_seq\":1,\"balance\":0,\"purchased\":0,\"debited\":0,\"refunded\":0,"
        "\"customers\":{},\"consent\":{},\"threads\":{\"+1\":{\"phone\":\"+1\",\"messages\":[]}},\"msg_phone\":{},"
        "\"sid_msg\":{}}",
        /* a map missing */
        "{\"v\":" SNAP_V ",\"compact\":false,\"last_seq\":1,\"balance\":0,\"purchased\":0,\"debited\":0,\"refunded\":0,"
        "\"customers\":{},\"consent\":{},\"threads\":{},\"msg_phone\":{}}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ft_status st = ft_reducer_restore(bad[i], strlen(bad[i]), &r);
        CHECK(st == FT_E_JSON || st == FT_E_JSON_SHAPE);
        CHECK(r == NULL);
    }
    /* the same text with nothing wrong is taken (so each one above is refused for its own flaw) */
    const char *good = "{\"v\":" SNAP_V ",\"compact\":true,\"last_seq\":1,\"balance\":0,\"purchased\":0,\"debited\":0,"
                       "\"refunded\":0,\"customers\":{},\"consent\":{},\"threads\":{},\"msg_phone\":{},\"sid_msg\":{}}";
    CHECK_EQ_INT(ft_reducer_restore(good, strlen(good), &r), FT_OK);
    ft_reducer_free(r);
    CHECK_EQ_INT(ft_reducer_restore("{}", 2, NULL), FT_E_INVALID_ARG);
    CHECK(ft_reducer_snapshot_json(NULL) == NULL);
}

int main(void) {
    RUN(reducer_snapshot_restores_the_same_state);
    RUN(reducer_restore_refuses_what_is_not_a_snapshot);
    RUN(reducer_needs_all_three_consent_steps_before_a_send);
    RUN(reducer_stop_blocks_sends_until_start);
    RUN(reducer_balance_counts_purchases_debits_and_refunds);
    RUN(reducer_threads_show_messages_status_and_latest_first);
    RUN(reducer_compact_answers_the_rules_as_the_full_one);
    RUN(reducer_outgoing_message_keeps_out_and_the_kind_it_was_sent_with);
    RUN(reducer_late_status_does_not_move_a_message_back);
    RUN(reducer_ignores_unknown_thread_events);
    TEST_MAIN_END();
}
