/* fieldtext core: JSON helpers (json.h, json_util.h). */
#include "json_util.h"

#include <stdio.h>
#include <stdlib.h>

#include "fieldtext/json.h"

void ft_free(void *p) { free(p); }

cJSON *ft_json_error_object(int status, const char *detail) {
    cJSON *e = cJSON_CreateObject();
    if (!e) return NULL;
    if (!cJSON_AddNumberToObject(e, "code", status) || !cJSON_AddStringToObject(e, "name", ft_strerror_name(status)) ||
        !cJSON_AddStringToObject(e, "message", detail ? detail : ft_strerror(status))) {
        cJSON_Delete(e);
        return NULL;
    }
    return e;
}

int ft_json_set_error(cJSON *obj, int status, const char *detail) {
    cJSON *e = ft_json_error_object(status, detail);
    if (!e) return 0;
    cJSON_DeleteItemFromObjectCaseSensitive(obj, "ok");
    cJSON_DeleteItemFromObjectCaseSensitive(obj, "error");
    if (!cJSON_AddFalseToObject(obj, "ok")) {
        cJSON_Delete(e);
        return 0;
    }
    cJSON_AddItemToObject(obj, "error", e);
    return 1;
}

char *ft_json_finish(cJSON *obj) {
    if (!obj) return NULL;
    char *s = cJSON_PrintUnformatted(obj);
    cJSON_Delete(obj);
    return s;
}

char *ft_json_error_reply(int status, const char *detail) {
    cJSON *o = cJSON_CreateObject();
    if (!o || !ft_json_set_error(o, status, detail)) {
        cJSON_Delete(o);
        return NULL;
    }
    return ft_json_finish(o);
}

cJSON *ft_json_parse(const char *text, size_t len, ft_status *status) {
    if (len > FT_JSON_MAX_BYTES) {
        *status = FT_E_TOO_LARGE;
        return NULL;
    }
    if (!text) {
        *status = FT_E_JSON;
        return NULL;
    }
    const char *end = NULL;
    cJSON *j = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!j) {
        *status = FT_E_JSON;
        return NULL;
    }
    /* Nothing but whitespace may follow the value. */
    size_t at = (size_t)(end - text);
    while (at < len && (text[at] == ' ' || text[at] == '\t' || text[at] == '\n' || text[at] == '\r')) at++;
    if (at != len) {
        cJSON_Delete(j);
        *status = FT_E_JSON;
        return NULL;
    }
    return j;
}

cJSON *ft_json_add_int(cJSON *obj, const char *name, int64_t v) {
    if (v > 9007199254740991LL || v < -9007199254740991LL) {
        char buf[24];
        snprintf(buf, sizeof buf, "%lld", (long long)v);
        return cJSON_AddStringToObject(obj, name, buf);
    }
    return cJSON_AddNumberToObject(obj, name, (double)v);
}
