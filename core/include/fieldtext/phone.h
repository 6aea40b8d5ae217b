/* fieldtext core: phone numbers of the North American Numbering Plan (US, Canada), as staff type
 * them, normalised to E.164 ("+15552345678").
 *
 * Accepted: "(555) 234-5678", "555.234.5678", "+1 555 234 5678", "1-555-234-5678", "5552345678",
 * with spaces, ( ) - . / and their typographic look-alikes (no-break spaces, Unicode dashes,
 * fullwidth forms) as separators, and a + only in front. Refused with a reason: letters
 * ("1-800-FLOWERS": type the digits), extensions ("x12", "ext. 4", "#5": an extension cannot
 * receive a text), other country codes, the wrong number of digits, and numbers that cannot
 * exist: NPA (area code) and NXX (exchange) must start with 2-9 and not be N11; NPAs N9X, 37X
 * and 96X are reserved. Flagged but valid: 555-0100..0199 (fictional, reserved for films and
 * examples), toll-free (800 833 844 855 866 877 888), premium (900) and non-geographic codes.
 * The country comes from the area code: Canadian NPAs (a table, CNAC assignments to 2025),
 * other NANP countries (Caribbean, Bermuda), the US (its territories included) otherwise; a
 * toll-free or non-geographic number has no country.
 */
#ifndef FIELDTEXT_PHONE_H
#define FIELDTEXT_PHONE_H

#include <stddef.h>

#include "fieldtext/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FT_PHONE_INPUT_MAX_BYTES 64u /* longer typed text is refused (FT_E_TOO_LARGE) */
#define FT_E164_MAX 16u              /* bytes of an E.164 string with its NUL ("+1" + 10 digits + NUL = 13) */

/* Flags of a valid number. */
#define FT_PHONE_FICTIONAL 1u      /* 555-0100..0199: reserved for fiction; no one answers */
#define FT_PHONE_TOLL_FREE 2u      /* 800 833 844 855 866 877 888 */
#define FT_PHONE_PREMIUM 4u        /* 900: premium-rate */
#define FT_PHONE_NON_GEOGRAPHIC 8u /* 500/52X/533/544/566/577/588 personal, 600/622 Canada, 700, 710 */

typedef enum ft_phone_kind {
    FT_PHONE_KIND_GEOGRAPHIC = 0,
    FT_PHONE_KIND_TOLL_FREE = 1,
    FT_PHONE_KIND_PREMIUM = 2,
    FT_PHONE_KIND_NON_GEOGRAPHIC = 3
} ft_phone_kind;

/* A valid NANP number. Strings are NUL-terminated ASCII. */
typedef struct ft_phone {
    char e164[FT_E164_MAX]; /* "+15552345678" */
    char national[16];      /* "(555) 234-5678" */
    char npa[4], nxx[4], line[5];
    ft_phone_kind kind;
    unsigned flags;         /* FT_PHONE_* */
    char country[3];        /* ISO 3166 "US", "CA", "JM"...; "" when the number has no country */
} ft_phone;

/* ft_phone_normalize: reads what staff typed and, when it is a valid NANP number, fills *out.
 *   utf8, len   the typed text (NUL is data; utf8 may be NULL when len is 0)
 *   out         receives the number; zeroed on failure
 *   err_offset  if not NULL, receives the byte offset of the offending character (letters,
 *               extension, invalid UTF-8) or 0
 * Errors: FT_E_INVALID_ARG, FT_E_UTF8, FT_E_TOO_LARGE, FT_E_PHONE_* (ft_phone_json says more
 * precisely what is wrong with the number at hand). Allocates nothing. */
ft_status ft_phone_normalize(const char *utf8, size_t len, ft_phone *out, size_t *err_offset);

/* ft_phone_is_canadian_npa: 1 when the 3-digit area code (e.g. "416") is Canadian. */
int ft_phone_is_canadian_npa(const char *npa);

/* ft_phone_json: normalises and answers in JSON (free with ft_free):
 *   {"ok":true,"valid":true,"e164":"+15552345678","national":"(555) 234-5678","area_code":"555",
 *    "exchange":"234","line":"5678","country":"US"|"CA"|...|null,"kind":"geographic"|"toll_free"|
 *    "premium"|"non_geographic","toll_free":false,"fictional":false,"warnings":["..."]}
 *   {"ok":false,"valid":false,"error":{"code":-205,"name":"FT_E_PHONE_AREA_CODE","message":"...",
 *    "byte_offset":N?}}
 * Returns the status the reply reports; *out is NULL only on FT_E_NOMEM or FT_E_INVALID_ARG. */
ft_status ft_phone_json(const char *utf8, size_t len, char **out);

#ifdef __cplusplus
}
#endif
#endif
