/* The relay's X-Twilio-Signature function against the shared vectors
 * (tests/vectors/twilio-signature-vectors.json, a copy of ../shared/). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "relay.h"
#include "test.h"

static cJSON *vectors;

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    if (buf) buf[n] = '\0';
    fclose(f);
    return buf;
}

/* The vector's params as form parameters (arrays become repeated names). */
static ft_form_param *params_of(const cJSON *v, size_t *n) {
    const cJSON *ps = cJSON_GetObjectItemCaseSensitive(v, "params");
    ft_form_param *p = calloc(64, sizeof *p);
    *n = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, ps) {
        if (cJSON_IsArray(it)) {
            const cJSON *x;
            cJSON_ArrayForEach(x, it) {
                p[*n].name = strdup(it->string);
                p[*n].value = strdup(x->valuestring);
                (*n)++;
            }
        } else {
            p[*n].name = strdup(it->string);
            p[*n].value = strdup(it->valuestring);
            (*n)++;
        }
    }
    return p;
}

/* Frees what params_of made (ft_form_free is for ft_form_parse's single block). */
static void params_free(ft_form_param *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        free(p[i].name);
        free(p[i].value);
    }
    free(p);
}

static const char *s_of(const cJSON *v, const char *k) {
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(v, k));
}

static void signature_matches_every_form_vector(void) {
    const cJSON *v;
    int seen = 0;
    cJSON_ArrayForEach(v, vectors) {
        if (s_of(v, "body")) continue;
        size_t n;
        ft_form_param *p = params_of(v, &n);
        char *sig = ft_twilio_signature(s_of(v, "token"), s_of(v, "url"), p, n);
        CHECK_EQ_STR(sig, s_of(v, "signature"));
        CHECK(ft_twilio_signature_valid(s_of(v, "token"), s_of(v, "url"), p, n, NULL, 0, s_of(v, "signature")));
        free(sig);
        params_free(p, n);
        seen++;
    }
    CHECK_EQ_INT(seen, 4);
}

static void signature_refuses_tampered_params_url_and_token(void) {
    const cJSON *v;
    cJSON_ArrayForEach(v, vectors) {
        if (s_of(v, "body")) continue;
        size_t n;
        ft_form_param *p = params_of(v, &n);
        const char *tok = s_of(v, "token"), *url = s_of(v, "url"), *sig = s_of(v, "signature");
        CHECK(!ft_twilio_signature_valid("wrong-token", url, p, n, NULL, 0, sig));
        char url2[1024];
        snprintf(url2, sizeof url2, "%sx", url);
        CHECK(!ft_twilio_signature_valid(tok, url2, p, n, NULL, 0, sig));
        char *old = p[0].value;
        p[0].value = strdup("tampered");
        CHECK(!ft_twilio_signature_valid(tok, url, p, n, NULL, 0, sig));
        free(p[0].value);
        p[0].value = old;
        CHECK(!ft_twilio_signature_valid(tok, url, p, n, NULL, 0, ""));
        CHECK(!ft_twilio_signature_valid(tok, url, p, n > 0 ? n - 1 : 0, NULL, 0, sig) || n == 0);
        params_free(p, n);
    }
}

static void signature_dedupes_repeated_identical_values(void) {
    const cJSON *v = cJSON_GetArrayItem(vectors, 3);
    size_t n;
    ft_form_param *p = params_of(v, &n);
    char *sig = ft_twilio_signature(s_of(v, "token"), s_of(v, "url"), p, n);
    CHECK_EQ_STR(sig, s_of(v, "signature"));
    CHECK(strcmp(sig, s_of(v, "manual_no_dedupe")) != 0);
    free(sig);
    params_free(p, n);
}

static void signature_port_variants_follow_twilio_libraries(void) {
    const cJSON *v = cJSON_GetArrayItem(vectors, 2);
    size_t n;
    ft_form_param *p = params_of(v, &n);
    const char *tok = s_of(v, "token");
    /* A signature made without the port is accepted for the URL with it (Twilio tries both)... */
    CHECK(ft_twilio_signature_valid(tok, s_of(v, "url"), p, n, NULL, 0, s_of(v, "sig_without_port")));
    /* ...but the URL without its non-default port does not match the signature made with it. */
    CHECK(!ft_twilio_signature_valid(tok, "https://relay.example.com/twilio/status?tenant=acme&x=%2Fy", p, n, NULL, 0,
                                     s_of(v, "signature")));
    params_free(p, n);
}

static void signature_json_body_checks_body_sha256(void) {
    const cJSON *v = cJSON_GetArrayItem(vectors, 4);
    const char *body = s_of(v, "body");
    CHECK(ft_twilio_signature_valid(s_of(v, "token"), s_of(v, "url"), NULL, 0, body, strlen(body), s_of(v, "signature")));
    char *t = strdup(body);
    t[5] = 'X';
    CHECK(!ft_twilio_signature_valid(s_of(v, "token"), s_of(v, "url"), NULL, 0, t, strlen(t), s_of(v, "signature")));
    free(t);
}

static void form_parse_decodes_plus_and_percent(void) {
    const char body[] = "Body=Caf%C3%A9+at+5%3F&From=%2B15125550123&Empty=&Bad=%zz&Tag=a&Tag=b";
    ft_form_param *p;
    size_t n;
    CHECK(ft_form_parse(body, strlen(body), &p, &n));
    CHECK_EQ_INT(n, 6);
    CHECK_EQ_STR(p[0].value, "Café at 5?");
    CHECK_EQ_STR(p[1].value, "+15125550123");
    CHECK_EQ_STR(p[2].value, "");
    CHECK_EQ_STR(p[3].value, "%zz");
    CHECK_EQ_STR(p[5].name, "Tag");
    ft_form_free(p, n);
}

/* Names without '=' and empty pairs take the most room per byte of body (the one-block layout). */
static void form_parse_keeps_names_without_values(void) {
    const char body[] = "a&&b=&=c&d";
    ft_form_param *p;
    size_t n;
    CHECK(ft_form_parse(body, strlen(body), &p, &n));
    CHECK_EQ_INT(n, 4);
    CHECK_EQ_STR(p[0].name, "a");
    CHECK_EQ_STR(p[0].value, "");
    CHECK_EQ_STR(p[1].name, "b");
    CHECK_EQ_STR(p[1].value, "");
    CHECK_EQ_STR(p[2].name, "");
    CHECK_EQ_STR(p[2].value, "c");
    CHECK_EQ_STR(p[3].name, "d");
    CHECK_EQ_STR(p[3].value, "");
    ft_form_free(p, n);
    CHECK(ft_form_parse("", 0, &p, &n));
    CHECK_EQ_INT(n, 0);
    ft_form_free(p, n);
}

int main(void) {
    char *text = read_file(FT_SIGNATURE_VECTORS);
    if (!text) {
        fprintf(stderr, "cannot read %s\n", FT_SIGNATURE_VECTORS);
        return 1;
    }
    vectors = cJSON_Parse(text);
    free(text);
    RUN(signature_matches_every_form_vector);
    RUN(signature_refuses_tampered_params_url_and_token);
    RUN(signature_dedupes_repeated_identical_values);
    RUN(signature_port_variants_follow_twilio_libraries);
    RUN(signature_json_body_checks_body_sha256);
    RUN(form_parse_decodes_plus_and_percent);
    RUN(form_parse_keeps_names_without_values);
    cJSON_Delete(vectors);
    TEST_MAIN_END();
}
