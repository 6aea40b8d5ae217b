/* fieldtext core: the full estimate of a message as one JSON document (CLI, WASM, relay).
 *
 * Options (JSON object, every field optional):
 *   "smart":   bool, apply Twilio's Smart Encoding (default false)
 *   "bundle":  2500 | 10000 | 25000 | 100000, the bundle whose rate prices the message (2500)
 *   "prices":  {"2500": micros, ...} bundle prices overriding the defaults
 *   "balance": integer segments left; when given, a message it cannot cover is refused
 * Reply: {"ok":true,"encoding":"GSM-7","segments":1,"characters":5,"code_points":5,"units":5,
 *   "unit":"septets","capacity":{"single":160,"multi":153},"max_characters":1600,
 *   "cost":{"micros":15000,"display":"$0.015","bundle":2500,"rate_micros":15000},
 *   "segment_ranges":[{"start":0,"end":5,"byte_start":0,"byte_end":5,"units":5}],
 *   "non_gsm":[{"start":..,"end":..,"char":"’","code_point":"U+2019","replacement":"'",
 *               "replacement_source":"twilio-smart-encoding","in_suggestion":true}],
 *   "suggestion":{"segments":1,"encoding":"GSM-7","saves_segments":1,"saves_micros":15000,
 *                 "replacements":3,"text":"..."} or null}
 * A refused text (empty, over 1,600 characters, balance too low) still carries all the counts
 * above, with "ok":false and "error". Invalid UTF-8 carries only the error, with "byte_offset".
 * start/end are UTF-16 offsets into the text (JavaScript string indices).
 */
#ifndef FIELDTEXT_ESTIMATE_H
#define FIELDTEXT_ESTIMATE_H

#include <stddef.h>

#include "fieldtext/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ft_estimate_json: *out receives the reply (free with ft_free); it is set on every return except
 * FT_E_NOMEM and FT_E_INVALID_ARG. Returns the status the reply reports. options may be NULL. */
ft_status ft_estimate_json(const char *utf8, size_t len, const char *options_json, size_t options_len, char **out);

#ifdef __cplusplus
}
#endif
#endif
