/* Templates: syntax, errors with positions, rendering, missing values, opt-out, cost, warnings. */
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "fieldtext/json.h"
#include "fieldtext/template.h"
#include "test.h"

static ft_template *parse_ok(const char *s) {
    ft_template *t = NULL;
    ft_template_error e;
    CHECK_EQ_INT(ft_template_parse(s, strlen(s), &t, &e), FT_OK);
    return t;
}

static ft_status parse_err(const char *s, ft_template_error *e) {
    ft_template *t = NULL;
    ft_status st = ft_template_parse(s, strlen(s), &t, e);
    CHECK(t == NULL);
    return st;
}

static void set(ft_template_values *v, ft_field_id id, const char *s) {
    v->value[id] = s;
    v->len[id] = strlen(s);
}

static void template_renders_field_codes_from_values(void) {
    ft_template *t = parse_ok("Hi {{customer.first_name}}, {{ Company.Name }} arrives {{job.date}}. Reply STOP to opt out.");
    ft_template_values v = {0};
    set(&v, FT_FIELD_CUSTOMER_FIRST, "Ann");
    set(&v, FT_FIELD_COMPANY_NAME, "Acme");
    set(&v, FT_FIELD_JOB_DATE, "Tue Mar 4");
    ft_template_output o;
    CHECK_EQ_INT(ft_template_render(t, &v, 0, &o), FT_OK);
    CHECK_EQ_STR(o.text, "Hi Ann, Acme arrives Tue Mar 4. Reply STOP to opt out.");
    CHECK_EQ_INT(o.opt_out_added, 0);
    free(o.text);
    ft_template_free(t);
}

static void template_reports_missing_value_per_field_never_blank(void) {
    ft_template *t = parse_ok("Hi {{customer.first_name}}, gate {{job.gate_code}}");
    ft_template_values v = {0};
    set(&v, FT_FIELD_CUSTOMER_FIRST, "   ");
    set(&v, FT_FIELD_GATE_CODE, "#12");
    ft_template_output o;
    CHECK_EQ_INT(ft_template_render(t, &v, FT_TPL_NO_OPT_OUT, &o), FT_E_TPL_MISSING_VALUE);
    CHECK_EQ_INT(o.missing_mask, 1u << FT_FIELD_CUSTOMER_FIRST);
    CHECK_EQ_STR(o.text, "Hi {{customer.first_name}}, gate #12");
    free(o.text);
    ft_template_free(t);
}

static void template_uses_fallback_and_derives_full_name(void) {
    ft_template *t = parse_ok("Hi {{customer.first_name|there}} ({{customer.full_name}})");
    ft_template_values v = {0};
    set(&v, FT_FIELD_CUSTOMER_LAST, "Lopez");
    ft_template_output o;
    CHECK_EQ_INT(ft_template_render(t, &v, FT_TPL_NO_OPT_OUT, &o), FT_OK);
    CHECK_EQ_STR(o.text, "Hi there (Lopez)");
    free(o.text);
    ft_template_free(t);
}

static void template_appends_opt_out_only_when_absent(void) {
    ft_template *t = parse_ok("See you soon!  ");
    ft_template_output o;
    CHECK_EQ_INT(ft_template_render(t, NULL, 0, &o), FT_OK);
    CHECK_EQ_STR(o.text, "See you soon! Reply STOP to unsubscribe.");
    CHECK_EQ_INT(o.opt_out_added, 1);
    free(o.text);
    ft_template_free(t);
    CHECK(ft_template_has_opt_out("Text STOP to end", 16));
    CHECK(ft_template_has_opt_out("to Unsubscribe reply", 20));
    CHECK(!ft_template_has_opt_out("don't stop believing", 20));
    CHECK(!ft_template_has_opt_out("STOPPED", 7));
}

static void template_escapes_literal_braces(void) {
    ft_template *t = parse_ok("a \\{\\{b\\}\\} {c} \\\\ \\x");
    ft_template_output o;
    CHECK_EQ_INT(ft_template_render(t, NULL, FT_TPL_NO_OPT_OUT, &o), FT_OK);
    CHECK_EQ_STR(o.text, "a {{b}} {c} \\ \\x");
    free(o.text);
    ft_template_free(t);
}

static void template_errors_name_the_position(void) {
    ft_template_error e;
    CHECK_EQ_INT(parse_err("Hi\n  {{customer.nam}}", &e), FT_E_TPL_UNKNOWN_FIELD);
    CHECK_EQ_INT(e.byte_offset, 5);
    CHECK_EQ_INT(e.line, 2);
    CHECK_EQ_INT(e.column, 3);
    CHECK(strstr(e.detail, "customer.nam") != NULL);
    CHECK_EQ_INT(parse_err("\xF0\x9F\x98\x80 {{job.date", &e), FT_E_TPL_UNCLOSED);
    CHECK_EQ_INT(e.byte_offset, 5);
    CHECK_EQ_INT(e.u16_offset, 3); /* the emoji is two UTF-16 units */
    CHECK_EQ_INT(parse_err("x }} y", &e), FT_E_TPL_UNOPENED);
    CHECK_EQ_INT(e.byte_offset, 2);
    CHECK_EQ_INT(parse_err("{{ }}", &e), FT_E_TPL_EMPTY_CODE);
    CHECK_EQ_INT(parse_err("{{job.date\n}}", &e), FT_E_TPL_UNCLOSED);
    CHECK_EQ_INT(parse_err("{{job.date {{job.type}}", &e), FT_E_TPL_UNCLOSED);
    CHECK_EQ_INT(parse_err("  \n", &e), FT_E_TPL_EMPTY);
    CHECK_EQ_INT(parse_err("ok \xC3", &e), FT_E_UTF8);
}

static void template_enforces_limits(void) {
    size_t n = FT_TEMPLATE_MAX_BYTES + 1;
    char *big = malloc(n + 1);
    memset(big, 'a', n);
    big[n] = 0;
    ft_template_error e;
    CHECK_EQ_INT(parse_err(big, &e), FT_E_TPL_TOO_LARGE);
    free(big);
    char many[2048] = "";
    for (int i = 0; i < 65; i++) strcat(many, "{{job.date}}");
    CHECK_EQ_INT(parse_err(many, &e), FT_E_TPL_TOO_MANY_FIELDS);
}

static cJSON *render_json(const char *in, ft_status expect) {
    char *out = NULL;
    CHECK_EQ_INT(ft_template_render_json(in, strlen(in), &out), expect);
    cJSON *j = out ? cJSON_Parse(out) : NULL;
    CHECK(j != NULL);
    ft_free(out);
    return j;
}

static int has_warning(const cJSON *j, const char *type) {
    const cJSON *w;
    cJSON_ArrayForEach(w, cJSON_GetObjectItem(j, "warnings")) {
        if (strcmp(cJSON_GetObjectItem(w, "type")->valuestring, type) == 0) return 1;
    }
    return 0;
}

static void template_json_costs_record_and_worst_case(void) {
    cJSON *j = render_json("{\"template\":\"Hi {{customer.first_name}}, see you {{job.date}}.\","
                           "\"record\":{\"customer\":{\"first_name\":\"Ann\"},\"job.date\":\"Tue\"}}",
                           FT_OK);
    CHECK_EQ_STR(cJSON_GetObjectItem(j, "text")->valuestring, "Hi Ann, see you Tue. Reply STOP to unsubscribe.");
    const cJSON *c = cJSON_GetObjectItem(j, "cost");
    CHECK_EQ_STR(cJSON_GetObjectItem(c, "encoding")->valuestring, "GSM-7");
    CHECK_EQ_INT(cJSON_GetObjectItem(c, "segments")->valuedouble, 1);
    CHECK_EQ_INT(cJSON_GetObjectItem(c, "micros")->valuedouble, 15000);
    /* worst case: 40 + 30 characters of fields + 14 of text + 27 of opt-out = 111: 1 GSM segment, 2 UCS-2 */
    const cJSON *w = cJSON_GetObjectItem(j, "worst_case");
    CHECK_EQ_INT(cJSON_GetObjectItem(w, "characters")->valuedouble, 40 + 30 + 14 + 27);
    CHECK_EQ_INT(cJSON_GetObjectItem(w, "segments")->valuedouble, 1);
    CHECK_EQ_INT(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "worst_case_unicode"), "segments")->valuedouble, 2);
    CHECK(!has_warning(j, "field_forces_ucs2"));
    cJSON_Delete(j);
}

static void template_json_warns_when_a_value_forces_ucs2(void) {
    cJSON *j = render_json("{\"template\":\"Hi {{customer.first_name}}\",\"record\":{\"customer.first_name\":\"Łukasz\"}}", FT_OK);
    CHECK(has_warning(j, "field_forces_ucs2"));
    CHECK_EQ_STR(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "cost"), "encoding")->valuestring, "UCS-2");
    cJSON_Delete(j);
}

static void template_json_warns_on_links_and_phones_the_campaign_excludes(void) {
    cJSON *j = render_json("{\"template\":\"Book at acme.com or call {{company.phone}}\"}", FT_OK);
    CHECK(has_warning(j, "embedded_link"));
    CHECK(has_warning(j, "embedded_phone"));
    cJSON_Delete(j);
    j = render_json("{\"template\":\"Book at https://x.io/a or call 217-555-2148\",\"campaign\":{\"has_embedded_links\":true,"
                    "\"has_embedded_phone\":true}}",
                    FT_OK);
    CHECK(!has_warning(j, "embedded_link"));
    CHECK(!has_warning(j, "embedded_phone"));
    cJSON_Delete(j);
    CHECK(!ft_template_find_link("Call me at 3.30 today", 21));
    CHECK(!ft_template_find_phone("Gate 4821, unit 12", 18));
}

static void template_json_lists_missing_fields_and_errors(void) {
    cJSON *j = render_json("{\"template\":\"{{job.date}} {{job.window_end}}\",\"record\":{\"job\":{\"date\":null}}}", FT_E_TPL_MISSING_VALUE);
    CHECK_EQ_INT(cJSON_GetArraySize(cJSON_GetObjectItem(j, "missing")), 2);
    CHECK(cJSON_IsFalse(cJSON_GetObjectItem(j, "ok")));
    cJSON_Delete(j);
    j = render_json("{\"template\":\"x {{nope}}\"}", FT_E_TPL_UNKNOWN_FIELD);
    CHECK_EQ_INT(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "error"), "offset")->valuedouble, 2);
    cJSON_Delete(j);
    j = render_json("{\"template\":1}", FT_E_JSON_SHAPE);
    cJSON_Delete(j);
    j = render_json("{\"template\":\"x\",\"record\":[1]}", FT_E_TPL_RECORD);
    cJSON_Delete(j);
    j = render_json("{\"template\":\"x\",\"record\":{\"a\":{\"b\":{\"c\":{\"d\":{}}}}}}", FT_E_TPL_RECORD);
    cJSON_Delete(j);
    j = render_json("{\"template\":\"{{job.date}}\",\"record\":{\"job\":{\"date\":true}}}", FT_E_TPL_RECORD);
    cJSON_Delete(j);
    char *out = NULL;
    CHECK_EQ_INT(ft_template_render_json("{\"template\":", 12, &out), FT_E_JSON);
    ft_free(out);
}

static void template_field_table_is_documented(void) {
    for (int i = 0; i < FT_FIELD_COUNT; i++) {
        const ft_field_info *f = ft_template_field_info((ft_field_id)i);
        ft_field_id id;
        CHECK(f && f->max_chars > 0 && f->label && strchr(f->code, '.'));
        CHECK_EQ_INT(ft_template_field_lookup(f->code, strlen(f->code), &id), FT_OK);
        CHECK_EQ_INT(id, i);
    }
    CHECK(ft_template_field_info(FT_FIELD_COUNT) == NULL);
    char *s = ft_template_fields_json();
    CHECK(s && strstr(s, "company.phone"));
    ft_free(s);
}

static void template_eta_field_is_appended_short_and_rendered(void) {
    /* Appended after the earlier fields: their ids (stored nowhere, but compiled into callers) stay. */
    CHECK_EQ_INT(FT_FIELD_COMPANY_PHONE, 12);
    CHECK_EQ_INT(FT_FIELD_JOB_ETA, 13);
    CHECK_EQ_INT(FT_FIELD_COUNT, 14);
    const ft_field_info *f = ft_template_field_info(FT_FIELD_JOB_ETA);
    CHECK(f != NULL);
    CHECK_EQ_STR(f->code, "job.eta");
    CHECK_EQ_STR(f->label, "Arrival time");
    CHECK_EQ_INT(f->free_text, 0); /* a clock time, never typed text: no UCS-2 risk */
    CHECK_EQ_INT(f->max_chars, 8); /* "10:45 AM" */
    ft_field_id id;
    CHECK_EQ_INT(ft_template_field_lookup("JOB.ETA", 7, &id), FT_OK);
    CHECK_EQ_INT(id, FT_FIELD_JOB_ETA);

    ft_template *t = parse_ok("{{technician.first_name}} is on the way, arriving around {{ job.eta }}.");
    ft_template_values v = {0};
    set(&v, FT_FIELD_TECH_FIRST, "Sam");
    ft_template_output o;
    CHECK_EQ_INT(ft_template_render(t, &v, FT_TPL_NO_OPT_OUT, &o), FT_E_TPL_MISSING_VALUE);
    CHECK_EQ_INT(o.missing_mask, 1u << FT_FIELD_JOB_ETA);
    CHECK_EQ_STR(o.text, "Sam is on the way, arriving around {{job.eta}}.");
    free(o.text);
    set(&v, FT_FIELD_JOB_ETA, "10:45 AM");
    CHECK_EQ_INT(ft_template_render(t, &v, 0, &o), FT_OK);
    CHECK_EQ_STR(o.text, "Sam is on the way, arriving around 10:45 AM. Reply STOP to unsubscribe.");
    free(o.text);
    ft_template_free(t);

    /* The JSON form (the page's preview) reads it from a nested record and lists it. */
    cJSON *j = render_json("{\"template\":\"Arriving {{job.eta}}\",\"record\":{\"job\":{\"eta\":\"9:05 AM\"}}}", FT_OK);
    CHECK_EQ_STR(cJSON_GetObjectItem(j, "text")->valuestring, "Arriving 9:05 AM Reply STOP to unsubscribe.");
    const cJSON *fl = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "fields"), 0);
    CHECK(fl && strcmp(cJSON_GetObjectItem(fl, "label")->valuestring, "Arrival time") == 0);
    cJSON_Delete(j);
    char *s = ft_template_fields_json();
    CHECK(s && strstr(s, "\"job.eta\""));
    ft_free(s);
}

int main(void) {
    RUN(template_renders_field_codes_from_values);
    RUN(template_eta_field_is_appended_short_and_rendered);
    RUN(template_reports_missing_value_per_field_never_blank);
    RUN(template_uses_fallback_and_derives_full_name);
    RUN(template_appends_opt_out_only_when_absent);
    RUN(template_escapes_literal_braces);
    RUN(template_errors_name_the_position);
    RUN(template_enforces_limits);
    RUN(template_json_costs_record_and_worst_case);
    RUN(template_json_warns_when_a_value_forces_ucs2);
    RUN(template_json_warns_on_links_and_phones_the_campaign_excludes);
    RUN(template_json_lists_missing_fields_and_errors);
    RUN(template_field_table_is_documented);
    TEST_MAIN_END();
}
