/* fieldtext core: inbound keywords (STOP / START / HELP) and natural-language opt-out requests.
 *
 * Keywords (Twilio's defaults, plus Quebec's ARRET and AIDE): opt-out STOP STOPALL UNSUBSCRIBE
 * CANCEL END QUIT REVOKE OPTOUT ARRET; opt-in START YES UNSTOP; help HELP INFO AIDE.
 * Twilio matches the whole body; here the body is matched the way a person means it: it is
 * normalised (utf8proc: NFKC, case folding, marks stripped, default-ignorable characters
 * removed, punctuation lumped), surrounding spaces, punctuation and symbols (emoji included) are
 * trimmed, and what remains must be one keyword ("Stop.", "ＳＴＯＰ", "arrêt", "**STOP**"), a
 * keyword written as two words ("opt out", "stop all") or the same keyword repeated ("stop stop").
 * A body that is a keyword is classified so even where Twilio would not act on it: the relay then
 * errs on the side of the customer.
 *
 * Anything else is searched for a revocation in plain words, English or French ("please stop
 * texting me", "take me off your list", "don't text me anymore", "arrêtez de m'envoyer des
 * messages", "Stop please"): class FT_KW_OPT_OUT_REQUEST with the phrase that matched. The FCC
 * (2025) counts any reasonable means of revoking; such a request pauses automated messages until
 * a staff member confirms or dismisses it. Verbs of place ("stop by at 5", "arrêtez-vous au
 * portail"), negations ("don't stop the reminders") and timing preferences ("don't text me
 * before 9") are not requests. Measured on tests/vectors/keywords.jsonl (test_keyword prints
 * precision and recall).
 */
#ifndef FIELDTEXT_KEYWORD_H
#define FIELDTEXT_KEYWORD_H

#include <stddef.h>

#include "fieldtext/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FT_KEYWORD_BODY_MAX_BYTES 65536u /* longer bodies are refused (FT_E_TOO_LARGE) */
#define FT_KEYWORD_PHRASE_MAX 128u       /* bytes of a reported phrase, NUL included */
#define FT_PROFILE_FIELD_MAX 256u        /* bytes of a business-profile field used in replies */

typedef enum ft_keyword_class {
    FT_KW_NONE = 0,
    FT_KW_OPT_OUT = 1,         /* an opt-out keyword: stop all messages now */
    FT_KW_OPT_IN = 2,          /* an opt-in keyword: resume (if consent was given before) */
    FT_KW_HELP = 3,            /* a help keyword: send the HELP reply */
    FT_KW_OPT_OUT_REQUEST = 4  /* revocation in plain words: pause automated sends, staff review */
} ft_keyword_class;

typedef enum ft_keyword_lang { FT_LANG_EN = 0, FT_LANG_FR = 1 } ft_keyword_lang;

typedef struct ft_keyword_result {
    ft_keyword_class cls;
    ft_keyword_lang lang;                 /* the language of the keyword or phrase (replies use it) */
    char keyword[16];                     /* canonical keyword ("STOP", "ARRET"), "" if none */
    char rule[48];                        /* the request rule that matched ("stop-texting"), "" if none */
    char phrase[FT_KEYWORD_PHRASE_MAX];   /* the matched words, normalised ("stop texting me") */
} ft_keyword_result;

/* ft_keyword_classify: classifies an inbound body.
 *   utf8, len   the body (NUL is data; utf8 may be NULL when len is 0); an empty body (an MMS
 *               without text) is FT_KW_NONE, not an error
 *   out         the result (zeroed first)
 *   err_offset  if not NULL, receives the byte offset of the first invalid byte on FT_E_UTF8
 * Errors: FT_E_INVALID_ARG, FT_E_UTF8, FT_E_TOO_LARGE, FT_E_NOMEM (normalisation allocates and
 * frees a temporary copy; nothing is kept). */
ft_status ft_keyword_classify(const char *utf8, size_t len, ft_keyword_result *out, size_t *err_offset);

/* The business profile the replies are filled from (UTF-8, NUL-terminated, not owned).
 * company_name is required; at least one of phone or email for HELP. */
typedef struct ft_business_profile {
    const char *company_name;
    const char *phone; /* customer-care number, as it should be shown */
    const char *email;
} ft_business_profile;

/* ft_keyword_reply: the auto-reply for a class (opt-out confirmation, opt-in confirmation, HELP)
 * in the language given, written into buf (cap bytes, NUL-terminated). FT_KW_NONE and
 * FT_KW_OPT_OUT_REQUEST have no automatic reply: buf receives "" and FT_OK (staff confirm the
 * request; the opt-out confirmation is sent then).
 * Errors: FT_E_INVALID_ARG, FT_E_KEYWORD_PROFILE (missing or over-long fields), FT_E_BUFFER. */
ft_status ft_keyword_reply(ft_keyword_class cls, ft_keyword_lang lang, const ft_business_profile *profile, char *buf,
                           size_t cap);

/* "opt_out", "opt_in", "help", "opt_out_request", "none". Static. */
const char *ft_keyword_class_name(ft_keyword_class cls);

/* ft_keyword_json: classification and reply as JSON (free with ft_free). profile_json is optional
 * ({"company_name":..,"phone":..,"email":..}); without it "reply" is null.
 *   {"ok":true,"class":"opt_out","keyword":"STOP","phrase":null,"rule":null,"language":"en",
 *    "action":"opt_out"|"opt_in"|"send_help"|"pause_automated_pending_review"|"none",
 *    "reply":"..."|null, "reply_error":{...}?}
 * Errors as ft_keyword_classify plus FT_E_JSON / FT_E_JSON_SHAPE for the profile; *out is NULL
 * only on FT_E_NOMEM or FT_E_INVALID_ARG. */
ft_status ft_keyword_json(const char *utf8, size_t len, const char *profile_json, size_t profile_len, char **out);

#ifdef __cplusplus
}
#endif
#endif
