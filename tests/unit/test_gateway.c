/* Carrier gateways: the table, addresses, and the status the page warns about. */
#include <string.h>

#include "fieldtext/gateway.h"
#include "fieldtext/json.h"
#include "test.h"

static void gateway_table_marks_closed_and_retired(void) {
    const ft_gateway *g;
    CHECK_EQ_INT(ft_gateway_find("AT&T", 4, &g), FT_OK);
    CHECK_EQ_STR(g->sms_domain, "txt.att.net");
    CHECK_EQ_STR(g->mms_domain, "mms.att.net");
    CHECK_EQ_INT(g->status, FT_GW_CLOSED);
    CHECK_EQ_STR(g->since, "2025-06-17");
    CHECK_EQ_INT(ft_gateway_find("t-mobile", 8, &g), FT_OK);
    CHECK_EQ_STR(g->sms_domain, "tmomail.net");
    CHECK_EQ_INT(g->status, FT_GW_RETIRED);
    CHECK_EQ_INT(ft_gateway_find("Sprint", 6, &g), FT_OK);
    CHECK_EQ_STR(g->mms_domain, "pm.sprint.com");
    CHECK_EQ_INT(g->status, FT_GW_RETIRED);
    CHECK_EQ_INT(ft_gateway_find("verizon", 7, &g), FT_OK);
    CHECK_EQ_STR(g->mms_domain, "vzwpix.com");
    CHECK_EQ_INT(g->status, FT_GW_UNRELIABLE);
    CHECK(!ft_gateway_usable(g));
    CHECK_EQ_INT(ft_gateway_find("Vodafone", 8, &g), FT_E_GW_UNKNOWN_CARRIER);
    CHECK(ft_gateway_count() >= 9);
    for (size_t i = 0; i < ft_gateway_count(); i++) CHECK(ft_gateway_at(i)->note && strchr(ft_gateway_at(i)->sms_domain, '.'));
    CHECK(ft_gateway_at(ft_gateway_count()) == NULL);
}

static void gateway_address_uses_ten_digits_and_domain(void) {
    const ft_gateway *g;
    char buf[FT_GW_ADDRESS_MAX];
    ft_gateway_find("verizon", 7, &g);
    CHECK_EQ_INT(ft_gateway_address(g, "+1 (217) 555-2148", 17, 0, buf, sizeof buf), FT_OK);
    CHECK_EQ_STR(buf, "2175552148@vtext.com");
    CHECK_EQ_INT(ft_gateway_address(g, "217-555-2148", 12, 1, buf, sizeof buf), FT_OK);
    CHECK_EQ_STR(buf, "2175552148@vzwpix.com");
    CHECK_EQ_INT(ft_gateway_address(g, "555-2148", 8, 0, buf, sizeof buf), FT_E_GW_NUMBER);
    CHECK_EQ_INT(ft_gateway_address(g, "217-555-2148", 12, 0, buf, 8), FT_E_BUFFER);
}

static void gateway_json_lists_and_warns(void) {
    char *out = NULL;
    const char *in = "{\"carrier\":\"att\",\"number\":\"2175552148\"}";
    CHECK_EQ_INT(ft_gateway_json(in, strlen(in), &out), FT_OK);
    CHECK(out && strstr(out, "\"address\":\"2175552148@txt.att.net\"") && strstr(out, "\"usable\":false") &&
          strstr(out, "17 June 2025"));
    ft_free(out);
    CHECK_EQ_INT(ft_gateway_json("{}", 2, &out), FT_OK);
    CHECK(out && strstr(out, "\"gateways\"") && strstr(out, "msg.fi.google.com"));
    ft_free(out);
    in = "{\"carrier\":\"nope\",\"number\":\"2175552148\"}";
    CHECK_EQ_INT(ft_gateway_json(in, strlen(in), &out), FT_E_GW_UNKNOWN_CARRIER);
    ft_free(out);
    CHECK_EQ_INT(ft_gateway_json("{", 1, &out), FT_E_JSON);
    ft_free(out);
}

int main(void) {
    RUN(gateway_table_marks_closed_and_retired);
    RUN(gateway_address_uses_ten_digits_and_domain);
    RUN(gateway_json_lists_and_warns);
    TEST_MAIN_END();
}
