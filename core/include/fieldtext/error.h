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
    FT_E_PHONE_EMPTY = -200,      /* no digits were typed */
    FT_E_PHONE_LETTERS = -201,    /* letters or symbols that are not part of a phone number */
    FT_E_PHONE_EXTENSION = -202,  /* an extension (x123, ext. 4, #5): extensions cannot receive texts */
    FT_E_PHONE_LENGTH = -203,     /* not 10 digits (or 11 starting with 1) */
    FT_E_PHONE_COUNTRY = -204,    /* a country code other than +1 (outside the NANP) */
    FT_E_PHONE_AREA_CODE = -205,  /* the area code cannot exist (0/1 first, N11, reserved) */
    FT_E_PHONE_EXCHANGE = -206,   /* the exchange cannot exist (0/1 first, N11) */
    /* inbound keywords: -300 .. -399 */
    FT_E_KEYWORD_PROFILE = -300,  /* the business profile lacks what the reply needs */
    /* consent: -400 .. -499 */
    FT_E_CONSENT_ORDER = -400,        /* a consent step out of order (the reason says which) */
    FT_E_CONSENT_STAFF = -401,        /* a staff step without a named staff member */
    FT_E_CONSENT_METHOD = -402,       /* a method that this step does not allow */
    FT_E_CONSENT_TEXT = -403,         /* the script or disclosure text is not the versioned text */
    FT_E_CONSENT_TIME = -404,         /* a step dated before the previous one */
    FT_E_CONSENT_CUSTOMER = -405,     /* the step names another customer or phone */
    FT_E_CONSENT_NO_CONSENT = -410,   /* cannot send: the customer has not consented */
    FT_E_CONSENT_OPTED_OUT = -411,    /* cannot send: the customer opted out */
    FT_E_CONSENT_REVIEW = -412,       /* cannot send automated messages: opt-out request awaits review */
    FT_E_CONSENT_NO_NUMBER = -413,    /* cannot send: no SMS number */
    FT_E_CONSENT_QUIET_HOURS = -414,  /* cannot send automated messages now: outside the send window */
    FT_E_CONSENT_CHAIN = -420,        /* the audit chain is broken (a record edited, removed or added) */
    FT_E_CONSENT_RECORD = -421,       /* a consent record is malformed */
    /* templates: -500 .. -599 */
    FT_E_TPL_UNKNOWN_FIELD = -500,   /* a field code that is not in the documented list */
    FT_E_TPL_UNCLOSED = -501,        /* "{{" without its closing "}}" */
    FT_E_TPL_UNOPENED = -502,        /* "}}" without an opening "{{" */
    FT_E_TPL_EMPTY_CODE = -503,      /* "{{}}" or a malformed field code */
    FT_E_TPL_TOO_MANY_FIELDS = -504, /* more than FT_TEMPLATE_MAX_FIELDS field codes */
    FT_E_TPL_TOO_LARGE = -505,       /* a template over FT_TEMPLATE_MAX_BYTES */
    FT_E_TPL_MISSING_VALUE = -506,   /* the record has no value for a field the template uses */
    FT_E_TPL_RECORD = -507,          /* the record is not an object, too deep, or a value has the wrong type */
    FT_E_TPL_EMPTY = -508,           /* the template is empty */
    FT_E_TPL_VALUE_TOO_LONG = -509,  /* a record value is longer than its field's declared maximum */
    /* registration: -600 .. -699 */
    FT_E_REG_INVALID = -600,       /* the form has errors (each listed with its field) */
    FT_E_REG_REQUIRED = -601,      /* a required field is empty */
    FT_E_REG_FORMAT = -602,        /* a field does not have the required shape */
    FT_E_REG_EIN_PREFIX = -603,    /* the EIN's two-digit prefix is not one the IRS assigns */
    FT_E_REG_BN_CHECK = -604,      /* the Business Number's check digit is wrong */
    FT_E_REG_UNKNOWN_VALUE = -605, /* not one of the values Twilio accepts */
    FT_E_REG_LENGTH = -606,        /* too short or too long */
    FT_E_REG_URL = -607,           /* not an https URL with a host name */
    FT_E_REG_PHONE = -608,         /* not a valid NANP phone number */
    FT_E_REG_EMAIL = -609,         /* not an e-mail address */
    FT_E_REG_POSTAL = -610,        /* not a ZIP / postal code of that country (or region) */
    FT_E_REG_REGION = -611,        /* not a state / province code of that country */
    FT_E_REG_CAMPAIGN = -612,      /* the built campaign breaks one of Twilio's limits */
    /* scheduling and time: -700 .. -799 */
    FT_E_SCHED_TZ_UNKNOWN = -700,   /* a time-zone name not in the compiled-in table */
    FT_E_SCHED_TZ_RULE = -701,      /* a malformed POSIX TZ rule string */
    FT_E_SCHED_DATE = -702,         /* an invalid date or time */
    FT_E_SCHED_TIME_GAP = -703,     /* the local time does not exist (skipped by a DST change) */
    FT_E_SCHED_TIME_AMBIGUOUS = -704, /* the local time happens twice (DST ends) */
    FT_E_SCHED_NO_WINDOW = -705,    /* no moment inside the send window before the job starts */
    FT_E_SCHED_RECURRENCE = -706,   /* an invalid recurrence rule */
    FT_E_SCHED_TOO_MANY = -707,     /* the expansion exceeds FT_SCHED_MAX_OCCURRENCES */
    FT_E_SCHED_REGION = -708,       /* a state / province code with no known time zone */
    FT_E_SCHED_WINDOW = -709,       /* an invalid send window */
    FT_E_SCHED_STARTED = -710,      /* the job has already started */
    /* carrier gateways: -800 .. -899 */
    FT_E_GW_UNKNOWN_CARRIER = -800, /* no gateway for that carrier */
    FT_E_GW_NUMBER = -801,          /* not a 10-digit NANP number */
    /* event log and reducer: -900 .. -999 */
    FT_E_EVENT_TYPE = -900,       /* unknown event type */
    FT_E_EVENT_ID = -901,         /* an event id is missing or is not a UUID */
    FT_E_EVENT_FORBIDDEN = -902,  /* this kind of event cannot be written by this actor */
    FT_E_LOG_NO_CONSENT = -910,   /* the customer has not given SMS consent */
    FT_E_LOG_OPTED_OUT = -911,    /* the customer opted out (replied STOP) */
    FT_E_LOG_PHONE = -912,        /* the phone number is not in E.164 form */

    /* relay (accounts, HTTP, Twilio): -1000 .. -1099 */
    FT_E_AUTH_REQUIRED = -1000,   /* not signed in */
    FT_E_AUTH_FAILED = -1001,     /* wrong username or password */
    FT_E_FORBIDDEN = -1002,       /* not allowed (role, CSRF token, origin, signature) */
    FT_E_THROTTLED = -1003,       /* too many attempts: retry later */
    FT_E_NOT_FOUND = -1004,       /* no such resource */
    FT_E_CONFLICT = -1005,        /* already exists or already done */
    FT_E_STORAGE = -1006,         /* the database failed */
    FT_E_TWILIO = -1007,          /* Twilio refused or could not be reached */
    FT_E_REG_NOT_APPROVED = -1008, /* texting waits for the A2P 10DLC campaign's approval */

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
