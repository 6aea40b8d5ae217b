/* Fuzz target: inbound keyword classification, the replies and the consent chain reader.
 * Invariants: no crash; a keyword class carries a keyword, a request carries a phrase, "none"
 * carries neither; the JSON reply parses and agrees with the C result; the consent verifier
 * never accepts garbage as a valid non-empty chain. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "fieldtext/consent.h"
#include "fieldtext/json.h"
#include "fieldtext/keyword.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *text = (const char *)data;
    ft_keyword_result r;
    ft_status st = ft_keyword_classify(text, size, &r, NULL);
    if (st == FT_OK) {
        int kw = r.cls == FT_KW_OPT_OUT || r.cls == FT_KW_OPT_IN || r.cls == FT_KW_HELP;
        if (kw != (r.keyword[0] != 0)) abort();
        if ((r.cls == FT_KW_OPT_OUT_REQUEST) != (r.phrase[0] != 0)) abort();
        if (memchr(r.phrase, 0, sizeof r.phrase) == NULL) abort();
        ft_business_profile p = {"Acme", "(555) 234-5678", "help@acme.example"};
        char reply[1024];
        if (ft_keyword_reply(r.cls, r.lang, &p, reply, sizeof reply) != FT_OK) abort();
        /* a keyword classifies the same once canonical */
        if (kw) {
            ft_keyword_result again;
            if (ft_keyword_classify(r.keyword, strlen(r.keyword), &again, NULL) != FT_OK || again.cls != r.cls) abort();
        }
    }
    char *json = NULL;
    const char *prof = "{\"company_name\":\"Acme\",\"email\":\"a@b.c\"}";
    ft_status js = ft_keyword_json(text, size, prof, strlen(prof), &json);
    if (!json || js != st) abort();
    cJSON *j = cJSON_Parse(json);
    if (!j) abort();
    if (st == FT_OK && strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(j, "class")), ft_keyword_class_name(r.cls)) != 0)
        abort();
    cJSON_Delete(j);
    ft_free(json);
    /* the same bytes as a consent document */
    ft_status vs = ft_consent_verify_json(text, size, &json);
    if (!json) abort();
    j = cJSON_Parse(json);
    if (!j) abort();
    if (vs == FT_OK) {
        cJSON *n = cJSON_GetObjectItem(j, "records");
        if (cJSON_GetNumberValue(n) > 0 && size < 200) abort(); /* no valid record is that short */
    }
    cJSON_Delete(j);
    ft_free(json);
    return 0;
}
