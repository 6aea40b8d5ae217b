/* fieldtext core: error codes.
 *
 * One append-only enum for the whole core, as curl's CURLcode: FT_OK is 0, every failure is a
 * negative number that is never renumbered or reused, so a code logged today means the same
 * thing in every later build, in C, in WASM and in the relay's JSON replies.
 * Codes are grouped in blocks of 100 per module; add new codes at the end of a module's block.
 */
#ifndef FIELDTEXT_ERROR_H
#define FIELDTEXT_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ft_status {
    FT_OK = 0,

    /* general: -1 .. -99 */
    FT_E_NOMEM = -1,          /* an allocation failed */
    FT_E_INVALID_ARG = -2,    /* a NULL pointer or an out-of-range argument */
    FT_E_UTF8 = -3,           /* the input is not valid UTF-8 (the offset is reported) */
    FT_E_TOO_LARGE = -4,      /* the input exceeds a hard size cap */
    FT_E_JSON = -5,           /* malformed JSON */
    FT_E_JSON_SHAPE = -6,     /* valid JSON, but a field is missing or has the wrong type */
    FT_E_BUFFER = -7,         /* a caller's buffer is too small */
    FT_E_INTERNAL = -8,       /* a broken invariant: a bug, please report it */

    /* messages, segments and cost: -100 .. -199 */
    FT_E_MSG_EMPTY = -100,        /* the message body is empty */
    FT_E_MSG_TOO_LONG = -101,     /* over FT_MSG_MAX_CHARS characters (Twilio error 21617) */
    FT_E_MSG_MEDIA = -102,        /* picture messages (MMS) are not offered */
    FT_E_BALANCE = -110,          /* the prepaid balance cannot cover the message */
    FT_E_BUNDLE_UNKNOWN = -111,   /* no bundle of that size is offered */
    FT_E_PRICE = -112,            /* a bundle price is missing, negative or out of range */

    /* phone numbers: -200 .. -299 */
    /* inbound keywords: -300 .. -399 */
    /* consent: -400 .. -499 */
    /* templates: -500 .. -599 */
    /* registration: -600 .. -699 */
    /* scheduling and time: -700 .. -799 */
    /* carrier gateways: -800 .. -899 */
    /* event log and reducer: -900 .. -999 */

    FT_E__PLACEHOLDER_END = -100000 /* not a code; keeps the enum signed */
} ft_status;

/* ft_strerror: a short English sentence for a status code; never NULL. For an unknown code it
 * returns "unknown error". The string is static: do not free it. */
const char *ft_strerror(int status);

/* ft_strerror_name: the code's stable symbolic name ("FT_E_UTF8"), for logs and JSON. Static. */
const char *ft_strerror_name(int status);

#ifdef __cplusplus
}
#endif
#endif
