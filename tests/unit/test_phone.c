/* Phone numbers: what staff type -> E.164 (NANP), with the numbering plan's rules. */
#include <string.h>

#include "cJSON.h"
#include "fieldtext/json.h"
#include "fieldtext/phone.h"
#include "test.h"

static ft_status norm(const char *s, ft_phone *p) { return ft_phone_normalize(s, strlen(s), p, NULL); }

static void phone_normalizes_the_ways_staff_type_a_number(void) {
    const char *forms[] = {"(555) 234-5678", "555.234.5678", "+1 555 234 5678", "1-555-234-5678", "5552345678",
                           "+15552345678",   " 555 234 5678 ", "555\xe2\x80\x91" "234\xe2\x80\x93" "5678", /* Unicode dashes */
                           "\xef\xbc\x95\xef\xbc\x95\xef\xbc\x95 234 5678", /* fullwidth 555 */
                           "555\xc2\xa0" "234\xc2\xa0" "5678"};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        ft_phone p;
        CHECK_EQ_INT(norm(forms[i], &p), FT_OK);
        CHECK_EQ_STR(p.e164, "+15552345678");
    }
    ft_phone p;
    norm("555.234.5678", &p);
    CHECK_EQ_STR(p.national, "(555) 234-5678");
    CHECK_EQ_STR(p.npa, "555");
    CHECK_EQ_STR(p.nxx, "234");
    CHECK_EQ_STR(p.line, "5678");
}

static void phone_refuses_extensions_clearly(void) {
    const char *ext[] = {"555-234-5678 x12", "555-234-5678 ext. 4", "(555) 234-5678 #5", "5552345678,,12", "555 234 5678 Ext 9"};
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        ft_phone p;
        CHECK_EQ_INT(norm(ext[i], &p), FT_E_PHONE_EXTENSION);
        CHECK_EQ_STR(p.e164, "");
    }
}

static void phone_refuses_letters(void) {
    ft_phone p;
    size_t off = 99;
    CHECK_EQ_INT(ft_phone_normalize("1-800-FLOWERS", 13, &p, &off), FT_E_PHONE_LETTERS);
    CHECK_EQ_INT(off, 6);
    CHECK_EQ_INT(norm("Cell: 555-234-5678", &p), FT_E_PHONE_LETTERS);
    CHECK_EQ_INT(norm("555-234-5678+", &p), FT_E_PHONE_LETTERS);
    CHECK_EQ_INT(norm("555*234*5678", &p), FT_E_PHONE_LETTERS);
}

static void phone_checks_digit_count_and_country(void) {
    ft_phone p;
    CHECK_EQ_INT(norm("234-5678", &p), FT_E_PHONE_LENGTH);
    CHECK_EQ_INT(norm("55523456789", &p), FT_E_PHONE_LENGTH);
    CHECK_EQ_INT(norm("+1 555 234 567", &p), FT_E_PHONE_LENGTH);
    CHECK_EQ_INT(norm("+44 20 7946 0958", &p), FT_E_PHONE_COUNTRY);
    CHECK_EQ_INT(norm("011 44 20 7946 0958", &p), FT_E_PHONE_COUNTRY);
    CHECK_EQ_INT(norm("", &p), FT_E_PHONE_EMPTY);
    CHECK_EQ_INT(norm(" () - ", &p), FT_E_PHONE_EMPTY);
}

static void phone_area_code_and_exchange_start_with_2_to_9_and_are_not_n11(void) {
    ft_phone p;
    CHECK_EQ_INT(norm("155-234-5678", &p), FT_E_PHONE_AREA_CODE);
    CHECK_EQ_INT(norm("055-234-5678", &p), FT_E_PHONE_AREA_CODE);
    CHECK_EQ_INT(norm("411-234-5678", &p), FT_E_PHONE_AREA_CODE);
    CHECK_EQ_INT(norm("911-234-5678", &p), FT_E_PHONE_AREA_CODE);
    CHECK_EQ_INT(norm("292-234-5678", &p), FT_E_PHONE_AREA_CODE); /* N9X reserved */
    CHECK_EQ_INT(norm("555-134-5678", &p), FT_E_PHONE_EXCHANGE);
    CHECK_EQ_INT(norm("555-034-5678", &p), FT_E_PHONE_EXCHANGE);
    CHECK_EQ_INT(norm("555-911-5678", &p), FT_E_PHONE_EXCHANGE);
    CHECK_EQ_INT(norm("555-211-5678", &p), FT_E_PHONE_EXCHANGE);
    CHECK_EQ_INT(norm("555-212-5678", &p), FT_OK);
}

static void phone_flags_fictional_555_01xx(void) {
    ft_phone p;
    CHECK_EQ_INT(norm("(312) 555-0100", &p), FT_OK);
    CHECK(p.flags & FT_PHONE_FICTIONAL);
    CHECK_EQ_INT(norm("(312) 555-0199", &p), FT_OK);
    CHECK(p.flags & FT_PHONE_FICTIONAL);
    CHECK_EQ_INT(norm("(312) 555-0200", &p), FT_OK);
    CHECK(!(p.flags & FT_PHONE_FICTIONAL));
}

static void phone_recognises_toll_free_codes(void) {
    const char *tf[] = {"800", "833", "844", "855", "866", "877", "888"};
    for (size_t i = 0; i < 7; i++) {
        char buf[32];
        snprintf(buf, sizeof buf, "%s-234-5678", tf[i]);
        ft_phone p;
        CHECK_EQ_INT(norm(buf, &p), FT_OK);
        CHECK_EQ_INT(p.kind, FT_PHONE_KIND_TOLL_FREE);
        CHECK(p.flags & FT_PHONE_TOLL_FREE);
        CHECK_EQ_STR(p.country, "");
    }
    ft_phone p;
    CHECK_EQ_INT(norm("822-234-5678", &p), FT_OK); /* not (yet) toll-free */
    CHECK(!(p.flags & FT_PHONE_TOLL_FREE));
}

static void phone_tells_canada_from_the_us(void) {
    ft_phone p;
    CHECK_EQ_INT(norm("416-234-5678", &p), FT_OK);
    CHECK_EQ_STR(p.country, "CA");
    CHECK_EQ_INT(norm("(514) 234-5678", &p), FT_OK);
    CHECK_EQ_STR(p.country, "CA");
    CHECK_EQ_INT(norm("212-234-5678", &p), FT_OK);
    CHECK_EQ_STR(p.country, "US");
    CHECK_EQ_INT(norm("787-234-5678", &p), FT_OK); /* Puerto Rico */
    CHECK_EQ_STR(p.country, "US");
    CHECK_EQ_INT(norm("876-234-5678", &p), FT_OK);
    CHECK_EQ_STR(p.country, "JM");
    CHECK(ft_phone_is_canadian_npa("604"));
    CHECK(!ft_phone_is_canadian_npa("206"));
}

static void phone_refuses_invalid_utf8_and_long_input(void) {
    ft_phone p;
    size_t off = 0;
    CHECK_EQ_INT(ft_phone_normalize("555\xff" "2345678", 11, &p, &off), FT_E_UTF8);
    CHECK_EQ_INT(off, 3);
    char big[200];
    memset(big, '5', sizeof big);
    CHECK_EQ_INT(ft_phone_normalize(big, sizeof big, &p, NULL), FT_E_TOO_LARGE);
    CHECK_EQ_INT(ft_phone_normalize("555\0" "2345678", 11, &p, NULL), FT_E_PHONE_LETTERS);
    CHECK_EQ_INT(ft_phone_normalize(NULL, 3, &p, NULL), FT_E_INVALID_ARG);
}

static void phone_json_has_e164_or_the_core_error_shape(void) {
    char *out = NULL;
    CHECK_EQ_INT(ft_phone_json("(555) 234-5678", 14, &out), FT_OK);
    cJSON *j = cJSON_Parse(out);
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(j, "valid")));
    CHECK_EQ_STR(cJSON_GetStringValue(cJSON_GetObjectItem(j, "e164")), "+15552345678");
    cJSON_Delete(j);
    ft_free(out);
    CHECK_EQ_INT(ft_phone_json("555-234-5678 x9", 15, &out), FT_E_PHONE_EXTENSION);
    j = cJSON_Parse(out);
    CHECK(cJSON_IsFalse(cJSON_GetObjectItem(j, "valid")));
    CHECK(cJSON_IsFalse(cJSON_GetObjectItem(j, "ok")));
    cJSON *e = cJSON_GetObjectItem(j, "error");
    CHECK_EQ_STR(cJSON_GetStringValue(cJSON_GetObjectItem(e, "name")), "FT_E_PHONE_EXTENSION");
    CHECK_EQ_INT(cJSON_GetNumberValue(cJSON_GetObjectItem(e, "code")), -202);
    CHECK(strstr(cJSON_GetStringValue(cJSON_GetObjectItem(e, "message")), "extension") != NULL);
    cJSON_Delete(j);
    ft_free(out);
}

int main(void) {
    RUN(phone_normalizes_the_ways_staff_type_a_number);
    RUN(phone_refuses_extensions_clearly);
    RUN(phone_refuses_letters);
    RUN(phone_checks_digit_count_and_country);
    RUN(phone_area_code_and_exchange_start_with_2_to_9_and_are_not_n11);
    RUN(phone_flags_fictional_555_01xx);
    RUN(phone_recognises_toll_free_codes);
    RUN(phone_tells_canada_from_the_us);
    RUN(phone_refuses_invalid_utf8_and_long_input);
    RUN(phone_json_has_e164_or_the_core_error_shape);
    TEST_MAIN_END();
}
