/* fieldtext WASM glue: templates, registration, scheduling and gateways (JSON in, JSON out).
 *
 * Each export takes (input JSON bytes, length, options bytes, length) as web/js/core.js's callJson
 * passes them; the options are unused (everything is in the input JSON). The reply is malloc'd
 * here and freed by JS with _ft_free. Never NULL unless memory is exhausted. */
#include <emscripten/emscripten.h>
#include <stdint.h>

#include "exports.h"
#include "fieldtext/gateway.h"
#include "fieldtext/json.h"
#include "fieldtext/registration.h"
#include "fieldtext/schedule.h"
#include "fieldtext/template.h"

typedef ft_status (*json_fn)(const char *, size_t, char **);

static char *call(json_fn fn, const char *in, uint32_t len) {
    char *out = NULL;
    ft_status st = fn(in, len, &out);
    if (!out) out = ft_json_error_reply(st, NULL);
    return out;
}

/* {"template","record"?,...} -> rendered text, cost, worst case, missing fields (template.h). */
EMSCRIPTEN_KEEPALIVE char *ft_wasm_template_render(const char *in, uint32_t len, const char *opts, uint32_t opts_len) {
    (void)opts;
    (void)opts_len;
    return call(ft_template_render_json, in, len);
}

/* The documented field codes. */
EMSCRIPTEN_KEEPALIVE char *ft_wasm_template_fields(void) {
    return ft_template_fields_json();
}

/* The business profile form -> per-field errors or campaign + policy page (registration.h). */
EMSCRIPTEN_KEEPALIVE char *ft_wasm_registration(const char *in, uint32_t len, const char *opts, uint32_t opts_len) {
    (void)opts;
    (void)opts_len;
    return call(ft_registration_json, in, len);
}

/* The reminders list (schedule.h). */
EMSCRIPTEN_KEEPALIVE char *ft_wasm_reminders(const char *in, uint32_t len, const char *opts, uint32_t opts_len) {
    (void)opts;
    (void)opts_len;
    return call(ft_reminders_json, in, len);
}

/* Time-zone conversions and the zone / region lists (schedule.h). */
EMSCRIPTEN_KEEPALIVE char *ft_wasm_tz(const char *in, uint32_t len, const char *opts, uint32_t opts_len) {
    (void)opts;
    (void)opts_len;
    return call(ft_tz_convert_json, in, len);
}

/* Carrier gateway table, or the address for a number (gateway.h). */
EMSCRIPTEN_KEEPALIVE char *ft_wasm_gateway(const char *in, uint32_t len, const char *opts, uint32_t opts_len) {
    (void)opts;
    (void)opts_len;
    return call(ft_gateway_json, in, len);
}
