/* Fuzz target: phone normalisation. Invariants: no crash; a valid number is "+1" and 10 digits
 * whose NPA and NXX start with 2-9 and are not N11; normalising the E.164 or the national form
 * again gives the same number; the JSON reply always parses back as ok or error. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "fieldtext/json.h"
#include "fieldtext/phone.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *text = (const char *)data;
    ft_phone p;
    size_t off = 0;
    ft_status st = ft_phone_normalize(text, size, &p, &off);
    if (off > size) abort();
    if (st == FT_OK) {
        if (strlen(p.e164) != 12 || p.e164[0] != '+' || p.e164[1] != '1') abort();
        for (int i = 2; i < 12; i++)
            if (p.e164[i] < '0' || p.e164[i] > '9') abort();
        if (p.npa[0] < '2' || p.nxx[0] < '2' || (p.npa[1] == '1' && p.npa[2] == '1') || (p.nxx[1] == '1' && p.nxx[2] == '1'))
            abort();
        ft_phone q;
        if (ft_phone_normalize(p.e164, strlen(p.e164), &q, NULL) != FT_OK || strcmp(q.e164, p.e164) != 0) abort();
        if (ft_phone_normalize(p.national, strlen(p.national), &q, NULL) != FT_OK || strcmp(q.e164, p.e164) != 0) abort();
    } else if (p.e164[0]) {
        abort(); /* a refused number leaves nothing behind */
    }
    char *json = NULL;
    ft_status js = ft_phone_json(text, size, &json);
    if (!json || js != st) abort();
    cJSON *j = cJSON_Parse(json);
    if (!j || cJSON_IsTrue(cJSON_GetObjectItem(j, "ok")) != (st == FT_OK)) abort();
    cJSON_Delete(j);
    ft_free(json);
    return 0;
}
