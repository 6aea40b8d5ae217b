/* fieldtext core: SMS consent per customer phone, its audit trail, and whether a send is allowed.
 *
 * The state machine (one per customer phone; state is folded from the records, as the reducer
 * folds the event log):
 *
 *   none / opted_out --script_read--> script_read --screen_acknowledged--> screen_acknowledged
 *        --box_checked--> opted_in           (each by a named staff member, in that order)
 *   any -- opted_out (keyword, customer) --> opted_out          STOP, ARRET... always recorded
 *   any but opted_out -- opted_out (verbal|written, staff) --> opted_out
 *   opted_in -- optout_request (written, customer) --> opted_in + review pending
 *        -- optout_confirmed (staff) --> opted_out;  -- optout_dismissed (staff) --> opted_in
 *   opted_out -- opted_in (keyword START/YES/UNSTOP, customer) --> opted_in, only if the staff
 *        flow was completed once before; otherwise the full staff flow again
 * Anything else is refused with FT_E_CONSENT_ORDER and a reason.
 *
 * Every step becomes a record: type, time (passed in, ms since the epoch), actor (the staff id,
 * or "customer"), the staff member's name, customer id, phone (E.164), method (verbal, written,
 * keyword), the exact text shown and its version (the consent script, the confirmation screen's
 * disclosure), the keyword or phrase. Records are append-only and chained: each carries the
 * SHA-256 of the previous record's hash and its own canonical bytes (below), so editing,
 * removing, inserting or reordering a record breaks the chain at that record. The chain alone
 * cannot reveal records cut off at the end, or a chain rebuilt from scratch: anchor the head hash
 * (the relay's event log, an export handed over) and pass it to the verifier.
 *
 * Canonical bytes of a record (the hash input; never change them: old chains must verify):
 *   "fieldtext-consent-v1\n" then, for each field in this order, "<name>=<byte length>:<bytes>\n":
 *   index (decimal), type (event name), at (decimal ms), actor, staff_name, customer_id, phone,
 *   method, text, version, keyword; hash = SHA-256(prev_hash hex || canonical bytes), in hex.
 *   The first record's prev_hash is 64 zeros.
 *
 * JSON shape of a record (an event of relay/API.md; body fields as the consent.* event types):
 *   {"type":"consent.script_read","at":1718000000000,"actor":"u_7",
 *    "body":{"customer_id":"c_9","phone":"+15552345678","method":"verbal","staff_name":"Dana Ortiz",
 *            "script_text":"...","script_version":"script-v1",        (script_read)
 *            "disclosure_text":"...","disclosure_version":"disclosure-v1", (screen_acknowledged)
 *            "keyword":"STOP" (opted_out/opted_in by keyword), "phrase":"..." (optout_*),
 *            "chain":{"index":0,"prev":"000...","hash":"9f2c..."}}}
 */
#ifndef FIELDTEXT_CONSENT_H
#define FIELDTEXT_CONSENT_H

#include <stddef.h>
#include <stdint.h>

#include "fieldtext/error.h"
#include "fieldtext/phone.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FT_CONSENT_ID_MAX 64u          /* bytes of a staff or customer id, NUL included */
#define FT_CONSENT_NAME_MAX 128u       /* bytes of a staff member's name, NUL included */
#define FT_CONSENT_TEXT_MAX 4096u      /* bytes of a script or disclosure text, NUL included */
#define FT_CONSENT_VERSION_MAX 32u     /* bytes of a text version, NUL included */
#define FT_CONSENT_PHRASE_MAX 256u     /* bytes of a keyword or phrase, NUL included */
#define FT_CONSENT_MAX_RECORDS 10000u  /* records of one customer a call reads */
#define FT_CONSENT_HASH_HEX 65u        /* 64 hex digits + NUL */
#define FT_CONSENT_COMPANY_MAX 256u    /* bytes of the company name in the script, NUL included */

/* The consent script (RULES.md) and the opt-in confirmation screen's disclosure, versioned. A
 * record keeps the version and the exact text; a new wording gets a new version, never an edit. */
#define FT_CONSENT_SCRIPT_VERSION "script-v1"
#define FT_CONSENT_SCRIPT_TEMPLATE                                                                  \
    "Would you like to receive text message reminders and updates about your appointments with " \
    "%s? Message and data rates may apply. You can opt out at any time by replying STOP."
#define FT_CONSENT_DISCLOSURE_VERSION "disclosure-v1"
#define FT_CONSENT_DISCLOSURE_TEXT                                                                   \
    "Confirm before you check the consent box. You read the consent script to the customer word "   \
    "for word, and the customer said yes: they agree to receive recurring automated text messages " \
    "about their appointments (reminders, technician arrival updates and service notices) at the "  \
    "number shown. They were told that message and data rates may apply, that message frequency "   \
    "varies, that they can reply HELP for help and opt out at any time by replying STOP, and that " \
    "consent is not a condition of purchase. Example of the workflow: you read the script on the "  \
    "phone or at the door; the customer says yes; you acknowledge this screen and check the "        \
    "consent box; the customer then receives messages such as \"A technician from [Your Company] "  \
    "will be arriving tomorrow between the hours of 8 AM and 5 PM. Please call [phone number] if "   \
    "needing to reschedule. Reply STOP to unsubscribe from these messages.\""

typedef enum ft_consent_status {
    FT_CONSENT_NONE = 0,
    FT_CONSENT_SCRIPT_READ = 1,
    FT_CONSENT_SCREEN_ACKNOWLEDGED = 2,
    FT_CONSENT_OPTED_IN = 3,
    FT_CONSENT_OPTED_OUT = 4
} ft_consent_status;

typedef enum ft_consent_event {
    FT_CONSENT_EV_SCRIPT_READ = 0,         /* consent.script_read (staff) */
    FT_CONSENT_EV_SCREEN_ACKNOWLEDGED = 1, /* consent.screen_acknowledged (staff) */
    FT_CONSENT_EV_BOX_CHECKED = 2,         /* consent.box_checked (staff) */
    FT_CONSENT_EV_OPTED_OUT = 3,           /* consent.opted_out (customer keyword, or staff) */
    FT_CONSENT_EV_OPTED_IN = 4,            /* consent.opted_in (customer keyword) */
    FT_CONSENT_EV_OPTOUT_REQUEST = 5,      /* consent.optout_request (customer, plain words) */
    FT_CONSENT_EV_OPTOUT_CONFIRMED = 6,    /* consent.optout_confirmed (staff) */
    FT_CONSENT_EV_OPTOUT_DISMISSED = 7     /* consent.optout_dismissed (staff: not an opt-out) */
} ft_consent_event;

typedef enum ft_consent_method {
    FT_CONSENT_METHOD_NONE = 0, /* steps that carry no method of their own */
    FT_CONSENT_METHOD_VERBAL = 1,
    FT_CONSENT_METHOD_WRITTEN = 2,
    FT_CONSENT_METHOD_KEYWORD = 3
} ft_consent_method;

/* One audit record. All strings NUL-terminated UTF-8. */
typedef struct ft_consent_record {
    uint32_t index;
    ft_consent_event type;
    int64_t at_ms;
    ft_consent_method method;
    char actor[FT_CONSENT_ID_MAX];        /* staff id, or "customer" */
    char staff_name[FT_CONSENT_NAME_MAX]; /* "" for customer steps */
    char customer_id[FT_CONSENT_ID_MAX];
    char phone[FT_E164_MAX];
    char text[FT_CONSENT_TEXT_MAX];       /* the script or disclosure shown, exactly; else "" */
    char version[FT_CONSENT_VERSION_MAX];
    char keyword[FT_CONSENT_PHRASE_MAX];  /* keyword or matched phrase; else "" */
    char prev_hash[FT_CONSENT_HASH_HEX];
    char hash[FT_CONSENT_HASH_HEX];
} ft_consent_record;

/* The state of one customer phone, folded from its records. */
typedef struct ft_consent_state {
    ft_consent_status status;
    int review_pending;                   /* an opt-out request awaits staff review */
    int ever_opted_in;                    /* the staff flow was completed at least once */
    ft_consent_method flow_method;        /* method of the script reading in progress */
    char customer_id[FT_CONSENT_ID_MAX];
    char phone[FT_E164_MAX];              /* "" = no SMS number */
    char pending_phrase[FT_CONSENT_PHRASE_MAX];
    uint32_t count;                       /* records so far */
    int64_t last_at_ms;
    char head[FT_CONSENT_HASH_HEX];       /* hash of the last record (64 zeros when none) */
} ft_consent_state;

/* A step to record. Strings are NUL-terminated UTF-8, not owned; unused ones may be NULL. */
typedef struct ft_consent_step {
    ft_consent_event type;
    int64_t at_ms;
    const char *staff_id;     /* staff steps: required */
    const char *staff_name;   /* staff steps: required */
    ft_consent_method method; /* script_read: verbal|written; opted_out: keyword (customer) or
                                 verbal|written (staff); others: NONE (inherited) */
    const char *company_name; /* script_read: fills the script */
    const char *text;         /* script_read / screen_acknowledged: the text shown; NULL = current */
    const char *version;      /* its version; NULL = current */
    const char *keyword;      /* opted_out/opted_in by keyword: the keyword; optout_request: phrase */
} ft_consent_step;

/* ft_consent_state_init: an empty state for a customer and phone (E.164 or "" for none). */
ft_status ft_consent_state_init(ft_consent_state *s, const char *customer_id, const char *phone_e164);

/* ft_consent_apply: checks a step against the state and, when allowed, writes its record
 * (chained to s->head) into *rec and advances the state. On refusal the state is unchanged,
 * *rec is zeroed and *reason (if not NULL) points to a static sentence saying why.
 * Errors: FT_E_INVALID_ARG, FT_E_CONSENT_ORDER, FT_E_CONSENT_STAFF, FT_E_CONSENT_METHOD,
 * FT_E_CONSENT_TEXT, FT_E_CONSENT_TIME, FT_E_CONSENT_RECORD (a field too long or not UTF-8). */
ft_status ft_consent_apply(ft_consent_state *s, const ft_consent_step *step, ft_consent_record *rec,
                           const char **reason);

/* ft_consent_replay: folds an existing record into the state, checking its index, link, hash,
 * time and transition. Errors: FT_E_CONSENT_CHAIN (the link or hash), FT_E_CONSENT_CUSTOMER,
 * and those of ft_consent_apply. */
ft_status ft_consent_replay(ft_consent_state *s, const ft_consent_record *rec, const char **reason);

/* ft_consent_record_hash: the record's hash (over prev_hash and its canonical bytes) in hex. */
ft_status ft_consent_record_hash(const ft_consent_record *rec, char hex[FT_CONSENT_HASH_HEX]);

/* The result of verifying a chain. */
typedef struct ft_consent_verification {
    int valid;
    uint32_t records;
    int64_t first_broken;           /* index of the first broken record, -1 when valid */
    ft_status error;                /* why it broke */
    const char *reason;             /* static sentence */
    char head[FT_CONSENT_HASH_HEX]; /* the last good record's hash */
} ft_consent_verification;

/* ft_consent_verify: replays records[0..n) from an empty state for customer/phone of the first
 * record, and compares the head with expected_head when not NULL (truncation). Never fails on a
 * broken chain: the verdict is in *v. Errors: FT_E_INVALID_ARG only. */
ft_status ft_consent_verify(const ft_consent_record *records, size_t n, const char *expected_head,
                            ft_consent_verification *v);

/* What a message is: manual (typed by staff), or automated (a reminder, an on-the-way notice:
 * the kinds of relay/API.md message.send). */
typedef enum ft_send_kind { FT_SEND_MANUAL = 0, FT_SEND_REMINDER = 1, FT_SEND_ON_THE_WAY = 2 } ft_send_kind;

#define FT_SEND_WINDOW_START_MIN (8 * 60)      /* 8 a.m. local */
#define FT_SEND_WINDOW_END_MIN (21 * 60)       /* 9 p.m. local (exclusive) */
#define FT_SEND_WINDOW_END_STRICT_MIN (20 * 60) /* 8 p.m. in FL, OK, MD */

typedef struct ft_send_verdict {
    int allowed;
    ft_status reason;           /* FT_OK or the FT_E_CONSENT_* code saying why not */
    int automated;
    int window_start_min, window_end_min;  /* the window that applied (minutes after local midnight) */
    int local_min;              /* the recipient's local time of day, minutes */
    int64_t next_allowed_ms;    /* quiet hours: the next window opening (ms since the epoch); else 0 */
} ft_send_verdict;

/* ft_consent_can_send: may a message of this kind go to this customer now?
 *   s                the customer's state
 *   kind             manual or automated
 *   now_ms           the time (ms since the epoch, UTC)
 *   utc_offset_min   the recipient's UTC offset at now_ms, minutes (-300 for EST)
 *   region           the recipient's state or province ("FL"), or NULL; FL, OK and MD close at 8 p.m.
 *   v                the verdict (always filled)
 * Returns FT_OK when allowed, else the reason: FT_E_CONSENT_NO_NUMBER, FT_E_CONSENT_OPTED_OUT,
 * FT_E_CONSENT_NO_CONSENT, FT_E_CONSENT_REVIEW (automated kinds; staff may still write), and
 * FT_E_CONSENT_QUIET_HOURS (automated kinds outside 8 a.m.-9 p.m. local). */
ft_status ft_consent_can_send(const ft_consent_state *s, ft_send_kind kind, int64_t now_ms, int32_t utc_offset_min,
                              const char *region, ft_send_verdict *v);

/* ft_consent_script: the consent script with the company name filled in (FT_CONSENT_SCRIPT_TEMPLATE)
 * into buf. Errors: FT_E_INVALID_ARG (no name), FT_E_BUFFER. */
ft_status ft_consent_script(const char *company_name, char *buf, size_t cap);

/* Names: "consent.script_read"..., "verbal"/"written"/"keyword"/"", "none"/"script_read"/
 * "screen_acknowledged"/"opted_in"/"opted_out". Static strings. */
const char *ft_consent_event_name(ft_consent_event e);
const char *ft_consent_method_name(ft_consent_method m);
const char *ft_consent_status_name(ft_consent_status s);

/* ---- JSON (CLI, WASM, relay). Replies are malloc'd: free with ft_free. Each returns the status
 * the reply reports; *out is NULL only on FT_E_NOMEM or FT_E_INVALID_ARG. "records" is a JSON
 * array of records in the shape above (oldest first). */

/* ft_consent_step_json: input {"customer_id","phone","records":[...],"step":{"type":
 * "consent.script_read","at":ms,"staff_id","staff_name","method","company_name","text","version",
 * "keyword"}} -> {"ok":true,"record":{...},"state":{...}} or the refusal with its reason.
 * The records are verified first (a broken chain refuses the step). */
ft_status ft_consent_step_json(const char *json, size_t len, char **out);

/* ft_consent_can_send_json: {"customer_id","phone","records":[...],"kind":"manual"|"reminder"|
 * "on_the_way","now":ms,"utc_offset_min":-300,"region":"FL"} -> {"ok":true,"allowed":true,...} or
 * {"ok":false,"allowed":false,"error":{...},"next_allowed_at":ms?,...}. */
ft_status ft_consent_can_send_json(const char *json, size_t len, char **out);

/* ft_consent_verify_json: {"records":[...],"expected_head":"hex"?} or a bare array ->
 * {"ok":true,"valid":true,"records":N,"head":"..","state":{...}} or {"ok":false,"valid":false,
 * "first_broken":i,"error":{...}}. */
ft_status ft_consent_verify_json(const char *json, size_t len, char **out);

/* ft_consent_export: one customer's consent history, fit to hand over: format "json" or "csv".
 * Input as ft_consent_verify_json, plus "generated_at":ms (optional). JSON: {"ok":true,"format":
 * "json","document":{customer_id, phone, generated_at, status, verification:{...}, records:[...]}}.
 * CSV: {"ok":true,"format":"csv","document":"..."} (RFC 4180; the verification result in the
 * first lines). A broken chain is exported too, marked as broken, with "ok":true. */
ft_status ft_consent_export(const char *json, size_t len, const char *format, char **out);

#ifdef __cplusplus
}
#endif
#endif
