/* Internal helpers for building and reading JSON with cJSON. */
#ifndef FT_JSON_UTIL_H
#define FT_JSON_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "cJSON.h"
#include "fieldtext/error.h"

/* {"code":..,"name":..,"message":..}: message is detail when not NULL. NULL on NOMEM. */
cJSON *ft_json_error_object(int status, const char *detail);

/* Adds "ok":false and "error" to obj. Returns 0 on NOMEM. */
int ft_json_set_error(cJSON *obj, int status, const char *detail);

/* Prints obj (unformatted) and deletes it. NULL on NOMEM. */
char *ft_json_finish(cJSON *obj);

/* Parses at most FT_JSON_MAX_BYTES of text that need not be NUL-terminated. On failure returns
 * NULL and sets *status (FT_E_JSON, FT_E_TOO_LARGE or FT_E_NOMEM). */
cJSON *ft_json_parse(const char *text, size_t len, ft_status *status);

/* Adds a number that must be exact in JSON (|v| < 2^53); larger values are added as strings. */
cJSON *ft_json_add_int(cJSON *obj, const char *name, int64_t v);

#endif
