/* The event reducer: consent, sends, balance and threads folded from events. */
#include <string.h>

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

int main(void) {
    RUN(reducer_needs_all_three_consent_steps_before_a_send);
    RUN(reducer_stop_blocks_sends_until_start);
    RUN(reducer_balance_counts_purchases_debits_and_refunds);
    RUN(reducer_threads_show_messages_status_and_latest_first);
    RUN(reducer_compact_answers_the_rules_as_the_full_one);
    TEST_MAIN_END();
}
