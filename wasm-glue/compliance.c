/* fieldtext WASM glue: phone numbers, inbound keywords, consent (JSON in, JSON out).
 *
 * Each export has the shape of callJson in web/js/core.js: (input bytes, length, options JSON,
 * length) -> a malloc'd JSON reply the caller frees with _ft_free; never NULL unless memory is
 * exhausted. The consent calls take their JSON document as the input (see fieldtext/consent.h).
 */
#include <emscripten/emscripten.h>
#include <stdint.h>
#include <string.h>

#include "cJSON.h"
#include "exports.h"
#include "fieldtext/consent.h"
#include "fieldtext/json.h"
#include "fieldtext/keyword.h"
#include "fieldtext/phone.h"

static char *or_error(char *out, ft_status st) { return out ? out : ft_json_error_reply(st, NULL); }

/* Phone normalisation (fieldtext/phone.h ft_phone_json); options unused. */
EMSCRIPTEN_KEEPALIVE char *ft_wasm_phone(const char *utf8, uint32_t len, const char *opts, uint32_t opts_len) {
    (void)opts;
    (void)opts_len;
    char *out = NULL;
    ft_status st = ft_phone_json(utf8, len, &out);
    return or_error(out, st);
}

/* Keyword classification and reply; options = the business profile (may be empty). */
EMSCRIPTEN_KEEPALIVE char *ft_wasm_keyword(const char *utf8, uint32_t len, const char *profile, uint32_t profile_len) {
    char *out = NULL;
    ft_status st = ft_keyword_json(utf8, len, profile_len ? profile : NULL, profile_len, &out);
    return or_error(out, st);
}

EMSCRIPTEN_KEEPALIVE char *ft_wasm_consent_step(const char *json, uint32_t len, const char *opts, uint32_t opts_len) {
    (void)opts;
    (void)opts_len;
    char *out = NULL;
    ft_status st = ft_consent_step_json(json, len, &out);
    return or_error(out, st);
}

EMSCRIPTEN_KEEPALIVE char *ft_wasm_consent_can_send(const char *json, uint32_t len, const char *opts, uint32_t opts_len) {
    (void)opts;
    (void)opts_len;
    char *out = NULL;
    ft_status st = ft_consent_can_send_json(json, len, &out);
    return or_error(out, st);
}

EMSCRIPTEN_KEEPALIVE char *ft_wasm_consent_verify(const char *json, uint32_t len, const char *opts, uint32_t opts_len) {
    (void)opts;
    (void)opts_len;
    char *out = NULL;
    ft_status st = ft_consent_verify_json(json, len, &out);
    return or_error(out, st);
}

/* Export; options {"format":"csv"|"json"} (default json). */
EMSCRIPTEN_KEEPALIVE char *ft_wasm_consent_export(const char *json, uint32_t len, const char *opts, uint32_t opts_len) {
    char format[8] = "json";
    if (opts && opts_len) {
        cJSON *o = cJSON_ParseWithLength(opts, opts_len);
        const char *f = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "format"));
        if (f && strlen(f) < sizeof format) strcpy(format, f);
        else if (f) strcpy(format, "?");
        cJSON_Delete(o);
    }
    char *out = NULL;
    ft_status st = ft_consent_export(json, len, format, &out);
    return or_error(out, st);
}
