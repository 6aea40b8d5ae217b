/* fieldtext core: the JSON conventions shared by every JSON-speaking call of the core.
 *
 * Replies are {"ok":true, ...} or {"ok":false,"error":{"code":-101,"name":"FT_E_MSG_TOO_LONG",
 * "message":"...", ...details}}. Strings returned by ft_*_json functions are malloc'd,
 * NUL-terminated UTF-8; the caller releases them with ft_free (the WASM glue does the same from JS).
 */
#ifndef FIELDTEXT_JSON_H
#define FIELDTEXT_JSON_H

#include <stddef.h>

#include "fieldtext/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FT_JSON_MAX_BYTES (1024u * 1024u) /* the most JSON input any core call reads */

/* Releases a string returned by a ft_*_json function. NULL is fine. */
void ft_free(void *p);

/* A reply of the form {"ok":false,"error":{...}} for a status (and an optional detail sentence,
 * which replaces the default message when not NULL). malloc'd; NULL only when memory is exhausted. */
char *ft_json_error_reply(int status, const char *detail);

#ifdef __cplusplus
}
#endif
#endif
