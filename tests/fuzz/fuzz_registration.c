/* Fuzz target: the registration form, the reminders list, tz conversion and gateways (all JSON
 * in). Invariants: no crash, a reply is always produced, and the registration reply never
 * contains the EIN / BN value given (when it is at least 9 characters long). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "fieldtext/gateway.h"
#include "fieldtext/json.h"
#include "fieldtext/registration.h"
#include "fieldtext/schedule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    const char *s = (const char *)data + 1;
    size_t len = size - 1;
    char *out = NULL;
    switch (data[0] % 4) {
    case 0: {
        ft_registration_json(s, len, &out);
        if (!out) abort();
        cJSON *j = cJSON_ParseWithLength(s, len);
        const char *keys[2] = {"ein", "bn"};
        for (int k = 0; k < 2; k++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, keys[k]);
            if (cJSON_IsString(v) && strlen(v->valuestring) >= 9 && strstr(out, v->valuestring)) {
                /* a value also given in another field may appear legitimately */
                int elsewhere = 0;
                const cJSON *o;
                cJSON_ArrayForEach(o, j) {
                    if (o != v && cJSON_IsString(o) && strstr(o->valuestring, v->valuestring)) elsewhere = 1;
                }
                if (!elsewhere) abort();
            }
        }
        cJSON_Delete(j);
        break;
    }
    case 1: ft_reminders_json(s, len, &out); break;
    case 2: ft_tz_convert_json(s, len, &out); break;
    default: ft_gateway_json(s, len, &out); break;
    }
    if (!out) abort();
    ft_free(out);
    return 0;
}
