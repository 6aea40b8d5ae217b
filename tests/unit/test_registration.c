/* Registration: identifiers, per-field errors all at once, the campaign within Twilio's limits,
 * the policy page, and the EIN / BN never echoed. */
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "fieldtext/json.h"
#include "fieldtext/registration.h"
#include "test.h"

static ft_status ein(const char *s) { return ft_reg_ein_check(s, strlen(s)); }
static ft_status bn(const char *s) { return ft_reg_bn_check(s, strlen(s)); }

static void ein_checks_format_and_irs_prefixes(void) {
    CHECK_EQ_INT(ein("12-3456789"), FT_OK);
    CHECK_EQ_INT(ein("123456789"), FT_OK);
    CHECK_EQ_INT(ein("98-7654321"), FT_OK);
    static const char *bad_prefix[] = {"00", "07", "08", "09", "17", "18", "19", "28", "29", "49", "69", "70", "78", "79", "89", "96", "97"};
    for (size_t i = 0; i < sizeof bad_prefix / sizeof bad_prefix[0]; i++) {
        char s[16];
        snprintf(s, sizeof s, "%s-1234567", bad_prefix[i]);
        CHECK_EQ_INT(ein(s), FT_E_REG_EIN_PREFIX);
    }
    CHECK_EQ_INT(ein("12-345678"), FT_E_REG_FORMAT);
    CHECK_EQ_INT(ein("1-23456789"), FT_E_REG_FORMAT);
    CHECK_EQ_INT(ein("12-34567a9"), FT_E_REG_FORMAT);
    CHECK_EQ_INT(ein(""), FT_E_REG_REQUIRED);
}

static void bn_checks_luhn_and_program_account_form(void) {
    /* 123456782: Luhn-valid; 123456789: not */
    CHECK_EQ_INT(bn("123456782"), FT_OK);
    CHECK_EQ_INT(bn("123 456 782"), FT_OK);
    CHECK_EQ_INT(bn("123456782RT0001"), FT_OK);
    CHECK_EQ_INT(bn("123456782rp0002"), FT_OK);
    CHECK_EQ_INT(bn("123456789"), FT_E_REG_BN_CHECK);
    CHECK_EQ_INT(bn("123456789RT0001"), FT_E_REG_BN_CHECK);
    CHECK_EQ_INT(bn("12345678"), FT_E_REG_FORMAT);
    CHECK_EQ_INT(bn("123456782XT0001"), FT_E_REG_FORMAT);
    CHECK_EQ_INT(bn("123456782RT001"), FT_E_REG_FORMAT);
}

static void postal_and_region_codes_follow_the_country(void) {
    CHECK_EQ_INT(ft_reg_postal_check("US", "IL", "62701", 5), FT_OK);
    CHECK_EQ_INT(ft_reg_postal_check("US", "IL", "62701-1234", 10), FT_OK);
    CHECK_EQ_INT(ft_reg_postal_check("US", "IL", "6270", 4), FT_E_REG_POSTAL);
    CHECK_EQ_INT(ft_reg_postal_check("CA", "ON", "K1A 0B1", 7), FT_OK);
    CHECK_EQ_INT(ft_reg_postal_check("CA", "ON", "k1a0b1", 6), FT_OK);
    CHECK_EQ_INT(ft_reg_postal_check("CA", "QC", "K1A 0B1", 7), FT_E_REG_POSTAL); /* K is Ontario */
    CHECK_EQ_INT(ft_reg_postal_check("CA", NULL, "W1A 0B1", 7), FT_E_REG_POSTAL);
    CHECK_EQ_INT(ft_reg_postal_check("CA", NULL, "K1D 0B1", 7), FT_E_REG_POSTAL);
    CHECK_EQ_INT(ft_reg_region_check("US", "dc", 2), FT_OK);
    CHECK_EQ_INT(ft_reg_region_check("US", "PR", 2), FT_OK);
    CHECK_EQ_INT(ft_reg_region_check("US", "ON", 2), FT_E_REG_REGION);
    CHECK_EQ_INT(ft_reg_region_check("CA", "YT", 2), FT_OK);
}

static void nanp_numbers_normalize_and_reject_fictional(void) {
    char e[13];
    int tf;
    CHECK_EQ_INT(ft_reg_nanp_normalize("(217) 555-2148", 14, e, &tf), FT_OK);
    CHECK_EQ_STR(e, "+12175552148");
    CHECK_EQ_INT(tf, 0);
    CHECK_EQ_INT(ft_reg_nanp_normalize("+1 800 234 5678", 15, e, &tf), FT_OK);
    CHECK_EQ_INT(tf, 1);
    CHECK_EQ_INT(ft_reg_nanp_normalize("217-555-0150", 12, e, NULL), FT_E_REG_PHONE);
    CHECK_EQ_INT(ft_reg_nanp_normalize("117-555-2148", 12, e, NULL), FT_E_REG_PHONE);
    CHECK_EQ_INT(ft_reg_nanp_normalize("217-411-2148", 12, e, NULL), FT_E_REG_PHONE);
    CHECK_EQ_INT(ft_reg_nanp_normalize("911-555-2148", 12, e, NULL), FT_E_REG_PHONE);
    CHECK_EQ_INT(ft_reg_nanp_normalize("217-555-214", 11, e, NULL), FT_E_REG_PHONE);
    CHECK_EQ_INT(ft_reg_nanp_normalize("217x5552148", 11, e, NULL), FT_E_REG_PHONE);
}

static const char *GOOD =
    "{\"country\":\"US\",\"legal_name\":\"Acme Pest Control LLC\",\"company_name\":\"Acme Pest\","
    "\"business_type\":\"Limited Liability Corporation\",\"industry\":\"PROFESSIONAL_SERVICES\",\"ein\":\"12-3456789\","
    "\"street\":\"120 Oak Street\",\"city\":\"Springfield\",\"region\":\"IL\",\"postal_code\":\"62701\","
    "\"website\":\"https://www.acmepest.com\",\"contact_first_name\":\"Dana\",\"contact_last_name\":\"Smith\","
    "\"contact_title\":\"Owner\",\"contact_email\":\"dana@acmepest.com\",\"contact_phone\":\"(217) 555-2148\","
    "\"sms_number\":\"+1 217 555 2199\",\"policy_base_url\":\"https://texts.acmepest.com\","
    "\"policy_id\":\"3f2b8c1e-4d5a-4b6c-9e7f-0a1b2c3d4e5f\"";

static cJSON *reg(const char *extra, ft_status expect, char **raw) {
    size_t n = strlen(GOOD) + strlen(extra) + 2;
    char *in = malloc(n);
    snprintf(in, n, "%s%s}", GOOD, extra);
    char *out = NULL;
    CHECK_EQ_INT(ft_registration_json(in, strlen(in), &out), expect);
    free(in);
    cJSON *j = out ? cJSON_Parse(out) : NULL;
    CHECK(j != NULL);
    if (raw) *raw = out;
    else ft_free(out);
    return j;
}

static size_t chars(const char *s) {
    size_t n = 0;
    for (; *s; s++) n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static void registration_builds_campaign_within_twilio_limits(void) {
    char *raw = NULL;
    cJSON *j = reg("", FT_OK, &raw);
    CHECK(strstr(raw, "3456789") == NULL); /* the EIN is never echoed */
    ft_free(raw);
    const cJSON *c = cJSON_GetObjectItem(j, "campaign");
    const char *d = cJSON_GetObjectItem(c, "Description")->valuestring, *f = cJSON_GetObjectItem(c, "MessageFlow")->valuestring;
    CHECK(chars(d) >= 40 && chars(d) <= 4096);
    CHECK(chars(f) >= 40 && chars(f) <= 2048);
    CHECK(strstr(f, "https://texts.acmepest.com/policies?id=appoptin") != NULL);
    const cJSON *s = cJSON_GetObjectItem(c, "MessageSamples");
    CHECK_EQ_INT(cJSON_GetArraySize(s), 2);
    CHECK_EQ_STR(cJSON_GetArrayItem(s, 0)->valuestring,
                 "A technician from Acme Pest will be arriving tomorrow between the hours of 8 AM and 5 PM. Please call "
                 "(217) 555-2148 if needing to reschedule. Reply STOP to unsubscribe from these messages.");
    CHECK(strstr(cJSON_GetArrayItem(s, 1)->valuestring, "Your technician from Acme Pest is on their way") != NULL);
    CHECK(cJSON_IsFalse(cJSON_GetObjectItem(c, "HasEmbeddedLinks")));
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(c, "HasEmbeddedPhone")));
    CHECK_EQ_STR(cJSON_GetObjectItem(c, "PrivacyPolicyUrl")->valuestring,
                 "https://texts.acmepest.com/policies?id=3f2b8c1e-4d5a-4b6c-9e7f-0a1b2c3d4e5f");
    CHECK_EQ_STR(cJSON_GetObjectItem(c, "TermsAndConditionsUrl")->valuestring,
                 cJSON_GetObjectItem(c, "PrivacyPolicyUrl")->valuestring);
    CHECK_EQ_INT(cJSON_GetArraySize(cJSON_GetObjectItem(c, "OptOutKeywords")), 8);
    const char *help = cJSON_GetObjectItem(c, "HelpMessage")->valuestring;
    CHECK(strstr(help, "Msg & data rates may apply") && strstr(help, "STOP") && chars(help) <= 320);
    const cJSON *p = cJSON_GetObjectItem(j, "policy_page");
    CHECK_EQ_STR(cJSON_GetObjectItem(p, "sms_number")->valuestring, "+12175552199");
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(p, "sections")) >= 8);
    CHECK_EQ_STR(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "profile"), "registration_id_type")->valuestring, "EIN");
    cJSON_Delete(j);
}

static int has_error(const cJSON *j, const char *field, int code) {
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItem(j, "errors")) {
        if (strcmp(cJSON_GetObjectItem(e, "field")->valuestring, field) == 0 && cJSON_GetObjectItem(e, "code")->valuedouble == code)
            return 1;
    }
    return 0;
}

static void registration_lists_every_error_with_its_field(void) {
    const char *in = "{\"country\":\"US\",\"legal_name\":\"A\",\"business_type\":\"LLC\",\"industry\":\"PESTS\",\"ein\":\"07-1234567\","
                     "\"street\":\"\",\"city\":\"X\",\"region\":\"ON\",\"postal_code\":\"6270\",\"website\":\"acme\","
                     "\"contact_first_name\":\"D\",\"contact_last_name\":\"S\",\"contact_title\":\"O\",\"contact_email\":\"d@\","
                     "\"contact_phone\":\"555-0100\",\"sms_number\":\"(800) 234-5678\",\"privacy_url\":\"http://a.com/p\","
                     "\"terms_url\":\"https://a.com/t\",\"has_embedded_links\":\"no\"}";
    char *out = NULL;
    CHECK_EQ_INT(ft_registration_json(in, strlen(in), &out), FT_E_REG_INVALID);
    CHECK(out && strstr(out, "1234567") == NULL);
    cJSON *j = cJSON_Parse(out);
    ft_free(out);
    CHECK(has_error(j, "legal_name", FT_E_REG_LENGTH));
    CHECK(has_error(j, "business_type", FT_E_REG_UNKNOWN_VALUE));
    CHECK(has_error(j, "industry", FT_E_REG_UNKNOWN_VALUE));
    CHECK(has_error(j, "ein", FT_E_REG_EIN_PREFIX));
    CHECK(has_error(j, "street", FT_E_REG_REQUIRED));
    CHECK(has_error(j, "region", FT_E_REG_REGION));
    CHECK(has_error(j, "postal_code", FT_E_REG_POSTAL));
    CHECK(has_error(j, "website", FT_E_REG_URL));
    CHECK(has_error(j, "contact_email", FT_E_REG_EMAIL));
    CHECK(has_error(j, "contact_phone", FT_E_REG_PHONE));
    CHECK(has_error(j, "sms_number", FT_E_REG_PHONE));
    CHECK(has_error(j, "privacy_url", FT_E_REG_URL));
    CHECK(has_error(j, "has_embedded_links", FT_E_REG_FORMAT));
    CHECK_EQ_INT(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "error"), "count")->valuedouble, 13);
    CHECK(cJSON_GetObjectItem(j, "campaign") == NULL);
    cJSON_Delete(j);
}

static void registration_checks_canadian_bn_without_echoing_it(void) {
    const char *in = "{\"country\":\"CA\",\"bn\":\"987654321RT0001\",\"region\":\"QC\",\"postal_code\":\"H2X 1Y4\"}";
    char *out = NULL;
    CHECK_EQ_INT(ft_registration_json(in, strlen(in), &out), FT_E_REG_INVALID);
    cJSON *j = cJSON_Parse(out);
    CHECK(strstr(out, "987654321") == NULL);
    ft_free(out);
    CHECK(has_error(j, "bn", FT_E_REG_BN_CHECK));
    CHECK(!has_error(j, "postal_code", FT_E_REG_POSTAL));
    CHECK(!has_error(j, "ein", FT_E_REG_REQUIRED));
    cJSON_Delete(j);
}

static void registration_refuses_campaign_over_twilio_limits(void) {
    /* a 255-character company name pushes the help message over 320 characters */
    const char *key = "\"company_name\":\"Acme Pest\"";
    const char *at = strstr(GOOD, key);
    char in[2048];
    size_t pre = (size_t)(at - GOOD);
    memcpy(in, GOOD, pre);
    strcpy(in + pre, "\"company_name\":\"");
    size_t k = strlen(in);
    memset(in + k, 'N', 255);
    in[k + 255] = '"';
    strcpy(in + k + 256, at + strlen(key));
    strcat(in, "}");
    char *out = NULL;
    CHECK_EQ_INT(ft_registration_json(in, strlen(in), &out), FT_E_REG_INVALID);
    cJSON *j = cJSON_Parse(out);
    ft_free(out);
    CHECK(has_error(j, "HelpMessage", FT_E_REG_CAMPAIGN));
    CHECK(!has_error(j, "MessageFlow", FT_E_REG_CAMPAIGN));
    cJSON_Delete(j);
}

static void registration_check_mode_and_bad_json(void) {
    char *raw = NULL;
    cJSON *j = reg(",\"mode\":\"check\"", FT_OK, &raw);
    ft_free(raw);
    CHECK(cJSON_GetObjectItem(j, "campaign") == NULL);
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(j, "ok")));
    cJSON_Delete(j);
    char *out = NULL;
    CHECK_EQ_INT(ft_registration_json("{\"ein\":\"12-3456789\"", 19, &out), FT_E_JSON);
    CHECK(out && strstr(out, "3456789") == NULL);
    ft_free(out);
    CHECK_EQ_INT(ft_registration_json("[]", 2, &out), FT_E_JSON_SHAPE);
    ft_free(out);
}

int main(void) {
    RUN(ein_checks_format_and_irs_prefixes);
    RUN(bn_checks_luhn_and_program_account_form);
    RUN(postal_and_region_codes_follow_the_country);
    RUN(nanp_numbers_normalize_and_reject_fictional);
    RUN(registration_builds_campaign_within_twilio_limits);
    RUN(registration_lists_every_error_with_its_field);
    RUN(registration_checks_canadian_bn_without_echoing_it);
    RUN(registration_refuses_campaign_over_twilio_limits);
    RUN(registration_check_mode_and_bad_json);
    TEST_MAIN_END();
}
