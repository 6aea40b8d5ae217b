/* Inbound keywords: exact keywords as people write them, natural-language opt-out requests
 * (measured on tests/vectors/keywords.jsonl), replies filled from the business profile. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "fieldtext/json.h"
#include "fieldtext/keyword.h"
#include "test.h"

static ft_keyword_result classify(const char *s) {
    ft_keyword_result r;
    ft_status st = ft_keyword_classify(s, strlen(s), &r, NULL);
    CHECK_EQ_INT(st, FT_OK);
    return r;
}

static void keyword_matches_stop_in_any_case_and_punctuation(void) {
    const char *bodies[] = {"STOP", "stop", " Stop. ", "stop!!!", "**STOP**", "STOP \xf0\x9f\x9b\x91", "(stop)"};
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        ft_keyword_result r = classify(bodies[i]);
        CHECK_EQ_INT(r.cls, FT_KW_OPT_OUT);
        CHECK_EQ_STR(r.keyword, "STOP");
    }
}

static void keyword_folds_fullwidth_and_compatibility_forms(void) {
    ft_keyword_result r = classify("\xef\xbc\xb3\xef\xbc\xb4\xef\xbc\xaf\xef\xbc\xb0"); /* ＳＴＯＰ */
    CHECK_EQ_INT(r.cls, FT_KW_OPT_OUT);
    CHECK_EQ_STR(r.keyword, "STOP");
    r = classify("ST\xc2\xadOP"); /* soft hyphen inside */
    CHECK_EQ_INT(r.cls, FT_KW_OPT_OUT);
    r = classify("STOP\xe2\x80\x8b"); /* zero-width space */
    CHECK_EQ_INT(r.cls, FT_KW_OPT_OUT);
}

static void keyword_knows_every_twilio_default(void) {
    const char *out[] = {"STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"};
    for (size_t i = 0; i < sizeof out / sizeof out[0]; i++) {
        ft_keyword_result r = classify(out[i]);
        CHECK_EQ_INT(r.cls, FT_KW_OPT_OUT);
        CHECK_EQ_STR(r.keyword, out[i]);
    }
    const char *in[] = {"START", "YES", "UNSTOP"};
    for (size_t i = 0; i < 3; i++) CHECK_EQ_INT(classify(in[i]).cls, FT_KW_OPT_IN);
    CHECK_EQ_INT(classify("HELP").cls, FT_KW_HELP);
    CHECK_EQ_INT(classify("info").cls, FT_KW_HELP);
    CHECK_EQ_STR(classify("opt out").keyword, "OPTOUT");
    CHECK_EQ_STR(classify("Stop All").keyword, "STOPALL");
}

static void keyword_takes_arret_with_or_without_accent_as_french_opt_out(void) {
    const char *b[] = {"ARRET", "Arr\xc3\xaat", "ARR\xc3\x8aT!"};
    for (size_t i = 0; i < 3; i++) {
        ft_keyword_result r = classify(b[i]);
        CHECK_EQ_INT(r.cls, FT_KW_OPT_OUT);
        CHECK_EQ_STR(r.keyword, "ARRET");
        CHECK_EQ_INT(r.lang, FT_LANG_FR);
    }
}

static void keyword_sees_stop_please_as_request_not_keyword(void) {
    ft_keyword_result r = classify("Stop please");
    CHECK_EQ_INT(r.cls, FT_KW_OPT_OUT_REQUEST);
    CHECK_EQ_STR(r.keyword, "");
    CHECK_EQ_STR(r.phrase, "stop please");
}

static void keyword_reports_the_phrase_of_a_request(void) {
    ft_keyword_result r = classify("Hi, this is Bob. Please stop texting me, thanks.");
    CHECK_EQ_INT(r.cls, FT_KW_OPT_OUT_REQUEST);
    CHECK_EQ_STR(r.phrase, "stop texting me");
    CHECK_EQ_STR(r.rule, "stop-texting");
    r = classify("Arr\xc3\xaatez de m\xe2\x80\x99""envoyer des textos");
    CHECK_EQ_INT(r.cls, FT_KW_OPT_OUT_REQUEST);
    CHECK_EQ_INT(r.lang, FT_LANG_FR);
}

static void keyword_does_not_take_stop_by_as_opt_out(void) {
    CHECK_EQ_INT(classify("stop by at 5").cls, FT_KW_NONE);
    CHECK_EQ_INT(classify("Can the tech stop by at 5 and text me?").cls, FT_KW_NONE);
    CHECK_EQ_INT(classify("Don't stop the reminders").cls, FT_KW_NONE);
    CHECK_EQ_INT(classify("Don't text me before 9am").cls, FT_KW_NONE);
    CHECK_EQ_INT(classify("Cancel my appointment").cls, FT_KW_NONE);
}

/* A request (and a blocker of one) far into a long text: past the words whose answers the matcher
 * remembers (64), the words are matched directly, with the same result. */
static void keyword_finds_a_request_after_many_words(void) {
    char body[2048] = "";
    for (int i = 0; i < 70; i++) strcat(body, "lawn ");
    ft_keyword_result r = classify(body);
    CHECK_EQ_INT(r.cls, FT_KW_NONE);
    char req[2100];
    snprintf(req, sizeof req, "%splease stop texting me", body);
    r = classify(req);
    CHECK_EQ_INT(r.cls, FT_KW_OPT_OUT_REQUEST);
    CHECK_EQ_STR(r.phrase, "stop texting me");
    snprintf(req, sizeof req, "%sdont stop texting me", body);
    CHECK_EQ_INT(classify(req).cls, FT_KW_NONE); /* not_before, at word 71 */
    snprintf(req, sizeof req, "%scan the tech stop by at 5 and text me", body);
    CHECK_EQ_INT(classify(req).cls, FT_KW_NONE); /* not_after_first */
}

static void keyword_refuses_invalid_utf8_and_huge_bodies(void) {
    ft_keyword_result r;
    size_t off = 0;
    CHECK_EQ_INT(ft_keyword_classify("STOP\xff", 5, &r, &off), FT_E_UTF8);
    CHECK_EQ_INT(off, 4);
    char *big = malloc(FT_KEYWORD_BODY_MAX_BYTES + 1);
    memset(big, 'a', FT_KEYWORD_BODY_MAX_BYTES + 1);
    CHECK_EQ_INT(ft_keyword_classify(big, FT_KEYWORD_BODY_MAX_BYTES + 1, &r, NULL), FT_E_TOO_LARGE);
    /* the largest allowed body is classified (a request at its very end) */
    memcpy(big + FT_KEYWORD_BODY_MAX_BYTES - 16, " stop texting me", 16);
    CHECK_EQ_INT(ft_keyword_classify(big, FT_KEYWORD_BODY_MAX_BYTES, &r, NULL), FT_OK);
    CHECK_EQ_INT(r.cls, FT_KW_OPT_OUT_REQUEST);
    free(big);
    CHECK_EQ_INT(ft_keyword_classify("", 0, &r, NULL), FT_OK); /* an MMS without text */
    CHECK_EQ_INT(r.cls, FT_KW_NONE);
    CHECK_EQ_INT(ft_keyword_classify(NULL, 3, &r, NULL), FT_E_INVALID_ARG);
    CHECK_EQ_INT(ft_keyword_classify("S\0TOP", 5, &r, NULL), FT_OK); /* NUL is data */
    CHECK_EQ_INT(r.cls, FT_KW_NONE);
}

static void keyword_help_reply_names_company_contact_optout_and_rates(void) {
    ft_business_profile p = {"Acme Pest Control", "(555) 234-5678", "help@acme.example"};
    char buf[512];
    CHECK_EQ_INT(ft_keyword_reply(FT_KW_HELP, FT_LANG_EN, &p, buf, sizeof buf), FT_OK);
    CHECK(strstr(buf, "Acme Pest Control") != NULL);
    CHECK(strstr(buf, "(555) 234-5678") != NULL);
    CHECK(strstr(buf, "help@acme.example") != NULL);
    CHECK(strstr(buf, "Reply STOP") != NULL);
    CHECK(strstr(buf, "Msg & data rates may apply") != NULL);
    CHECK_EQ_INT(ft_keyword_reply(FT_KW_OPT_OUT, FT_LANG_EN, &p, buf, sizeof buf), FT_OK);
    CHECK(strstr(buf, "unsubscribed") != NULL && strstr(buf, "START") != NULL);
    CHECK_EQ_INT(ft_keyword_reply(FT_KW_OPT_IN, FT_LANG_EN, &p, buf, sizeof buf), FT_OK);
    CHECK(strstr(buf, "Msg & data rates may apply") != NULL && strstr(buf, "STOP") != NULL);
    CHECK_EQ_INT(ft_keyword_reply(FT_KW_OPT_OUT, FT_LANG_FR, &p, buf, sizeof buf), FT_OK);
    CHECK(strstr(buf, "d\xc3\xa9sabonn") != NULL);
    CHECK_EQ_INT(ft_keyword_reply(FT_KW_OPT_OUT_REQUEST, FT_LANG_EN, &p, buf, sizeof buf), FT_OK);
    CHECK_EQ_STR(buf, "");
    CHECK_EQ_INT(ft_keyword_reply(FT_KW_HELP, FT_LANG_EN, &p, buf, 20), FT_E_BUFFER);
    ft_business_profile none = {"Acme", NULL, NULL};
    CHECK_EQ_INT(ft_keyword_reply(FT_KW_HELP, FT_LANG_EN, &none, buf, sizeof buf), FT_E_KEYWORD_PROFILE);
    ft_business_profile noname = {"", "1", NULL};
    CHECK_EQ_INT(ft_keyword_reply(FT_KW_OPT_OUT, FT_LANG_EN, &noname, buf, sizeof buf), FT_E_KEYWORD_PROFILE);
}

static void keyword_json_carries_class_keyword_and_reply(void) {
    const char *prof = "{\"company_name\":\"Acme\",\"phone\":\"555-234-5678\"}";
    char *out = NULL;
    CHECK_EQ_INT(ft_keyword_json("stop", 4, prof, strlen(prof), &out), FT_OK);
    cJSON *j = cJSON_Parse(out);
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(j, "ok")));
    CHECK_EQ_STR(cJSON_GetStringValue(cJSON_GetObjectItem(j, "class")), "opt_out");
    CHECK_EQ_STR(cJSON_GetStringValue(cJSON_GetObjectItem(j, "keyword")), "STOP");
    CHECK(strstr(cJSON_GetStringValue(cJSON_GetObjectItem(j, "reply")), "Acme:") != NULL);
    cJSON_Delete(j);
    ft_free(out);
    CHECK_EQ_INT(ft_keyword_json("\xc3", 1, NULL, 0, &out), FT_E_UTF8);
    j = cJSON_Parse(out);
    CHECK_EQ_STR(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "error"), "name")), "FT_E_UTF8");
    cJSON_Delete(j);
    ft_free(out);
    CHECK_EQ_INT(ft_keyword_json("help", 4, "[1]", 3, &out), FT_E_JSON_SHAPE);
    ft_free(out);
    /* a profile without contact: classification ok, reply_error says why */
    CHECK_EQ_INT(ft_keyword_json("help", 4, "{\"company_name\":\"A\"}", 20, &out), FT_OK);
    CHECK(strstr(out, "FT_E_KEYWORD_PROFILE") != NULL);
    ft_free(out);
}

/* Precision and recall of the request detector (and exact-keyword accuracy) on the labelled set. */
static void keyword_labelled_set_meets_precision_and_recall(void) {
    size_t len = 0;
    char *data = ft_test_read_vector("keywords.jsonl", &len);
    CHECK(data != NULL);
    if (!data) return;
    int total = 0, correct = 0, tp = 0, fp = 0, fn = 0, exact_total = 0, exact_ok = 0, any_tp = 0, any_fp = 0, any_fn = 0;
    int h_tp = 0, h_fp = 0, h_fn = 0, h_total = 0; /* the held-out lines ("split":"holdout"), written after the rules */
    char *line = data;
    while (line && *line) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = '\0';
        cJSON *j = cJSON_Parse(line);
        if (j) {
            const char *text = cJSON_GetStringValue(cJSON_GetObjectItem(j, "text"));
            const char *want = cJSON_GetStringValue(cJSON_GetObjectItem(j, "class"));
            ft_keyword_result r;
            CHECK(text && want);
            if (text && want && ft_keyword_classify(text, strlen(text), &r, NULL) == FT_OK) {
                const char *got = ft_keyword_class_name(r.cls);
                total++;
                if (strcmp(got, want) == 0) correct++;
                else fprintf(stderr, "  # mismatch: %-60s want %-16s got %s (%s)\n", text, want, got, r.phrase);
                int want_req = strcmp(want, "opt_out_request") == 0, got_req = r.cls == FT_KW_OPT_OUT_REQUEST;
                if (cJSON_GetObjectItem(j, "split")) {
                    h_total++;
                    h_tp += want_req && got_req;
                    h_fp += !want_req && got_req;
                    h_fn += want_req && !got_req;
                }
                tp += want_req && got_req;
                fp += !want_req && got_req;
                fn += want_req && !got_req;
                int want_any = want_req || strcmp(want, "opt_out") == 0;
                int got_any = got_req || r.cls == FT_KW_OPT_OUT;
                any_tp += want_any && got_any;
                any_fp += !want_any && got_any;
                any_fn += want_any && !got_any;
                if (strcmp(want, "opt_out") == 0 || strcmp(want, "opt_in") == 0 || strcmp(want, "help") == 0) {
                    exact_total++;
                    exact_ok += strcmp(got, want) == 0;
                }
            }
            cJSON_Delete(j);
        }
        line = nl ? nl + 1 : NULL;
    }
    free(data);
    double precision = tp + fp ? (double)tp / (tp + fp) : 0, recall = tp + fn ? (double)tp / (tp + fn) : 0;
    double any_p = any_tp + any_fp ? (double)any_tp / (any_tp + any_fp) : 0;
    double any_r = any_tp + any_fn ? (double)any_tp / (any_tp + any_fn) : 0;
    printf("# keywords.jsonl: %d bodies, %d classified as labelled (%.1f%%)\n", total, correct, 100.0 * correct / total);
    printf("# opt-out requests: precision %.3f (%d/%d), recall %.3f (%d/%d)\n", precision, tp, tp + fp, recall, tp, tp + fn);
    printf("# any opt-out (keyword or request): precision %.3f, recall %.3f\n", any_p, any_r);
    printf("# exact keywords: %d/%d\n", exact_ok, exact_total);
    printf("# held-out subset (%d bodies): request precision %.3f (%d/%d), recall %.3f (%d/%d)\n", h_total,
           h_tp + h_fp ? (double)h_tp / (h_tp + h_fp) : 0, h_tp, h_tp + h_fp, h_tp + h_fn ? (double)h_tp / (h_tp + h_fn) : 0,
           h_tp, h_tp + h_fn);
    CHECK(total >= 200);
    CHECK(precision >= 0.95);
    CHECK(recall >= 0.90);
    CHECK(any_r >= 0.95);
    CHECK_EQ_INT(exact_ok, exact_total);
}

int main(void) {
    RUN(keyword_matches_stop_in_any_case_and_punctuation);
    RUN(keyword_folds_fullwidth_and_compatibility_forms);
    RUN(keyword_knows_every_twilio_default);
    RUN(keyword_takes_arret_with_or_without_accent_as_french_opt_out);
    RUN(keyword_sees_stop_please_as_request_not_keyword);
    RUN(keyword_reports_the_phrase_of_a_request);
    RUN(keyword_does_not_take_stop_by_as_opt_out);
    RUN(keyword_finds_a_request_after_many_words);
    RUN(keyword_refuses_invalid_utf8_and_huge_bodies);
    RUN(keyword_help_reply_names_company_contact_optout_and_rates);
    RUN(keyword_json_carries_class_keyword_and_reply);
    RUN(keyword_labelled_set_meets_precision_and_recall);
    TEST_MAIN_END();
}
