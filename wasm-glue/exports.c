/* fieldtext WASM glue: the functions JavaScript calls (listed in exports.txt).
 *
 * Memory: JS allocates input buffers with _malloc and frees them; strings returned by the
 * *_json style exports are malloc'd here and freed by JS with _ft_free, in try/finally
 * (web/js/core.js). The hot path (_ft_wasm_segments) returns plain numbers, no JSON.
 */
#include <emscripten/emscripten.h>
#include <stdint.h>

#include "exports.h"
#include "fieldtext/estimate.h"
#include "fieldtext/json.h"
#include "fieldtext/segment.h"
#include "utf8proc.h"

/* Counts a UTF-8 text already in WASM memory. out[0..3] receive encoding (0 GSM-7, 1 UCS-2),
 * segments, characters (UTF-16 units), code points. Returns 0 or a negative ft_status; on
 * FT_E_UTF8, out[0] is the byte offset of the first invalid byte. */
EMSCRIPTEN_KEEPALIVE int ft_wasm_segments(const char *utf8, uint32_t len, uint32_t flags, uint32_t *out) {
    ft_segment_count c;
    size_t bad = 0;
    ft_status st = ft_segment_count_text(utf8, len, flags, &c, &bad);
    if (st == FT_E_UTF8) out[0] = (uint32_t)bad;
    if (st != FT_OK) return st;
    out[0] = (uint32_t)c.encoding;
    out[1] = c.segments;
    out[2] = c.characters;
    out[3] = c.code_points;
    return FT_OK;
}

/* The full estimate as JSON (see fieldtext/estimate.h); the caller frees the reply with _ft_free.
 * Never NULL unless memory is exhausted. */
EMSCRIPTEN_KEEPALIVE char *ft_wasm_estimate(const char *utf8, uint32_t len, const char *opts, uint32_t opts_len) {
    char *out = NULL;
    ft_status st = ft_estimate_json(utf8, len, opts, opts_len, &out);
    if (!out) out = ft_json_error_reply(st, NULL);
    return out;
}

/* The utf8proc version compiled in (its Unicode tables decide grapheme clusters). Static string. */
EMSCRIPTEN_KEEPALIVE const char *ft_wasm_version(void) {
    return utf8proc_version();
}
