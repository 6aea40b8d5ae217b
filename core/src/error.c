/* fieldtext core: messages for the error codes of error.h. */
#include "fieldtext/error.h"

#include <stddef.h>

typedef struct {
    int code;
    const char *name;
    const char *message;
} ft_error_entry;

#define E(code, msg) {code, #code, msg}

/* Keep in the order of error.h; each module adds its rows inside its own block. */
static const ft_error_entry ft_errors[] = {
    E(FT_OK, "success"),
    /* general */
    E(FT_E_NOMEM, "out of memory"),
    E(FT_E_INVALID_ARG, "invalid argument"),
    E(FT_E_UTF8, "the text is not valid UTF-8"),
    E(FT_E_TOO_LARGE, "the input is larger than the limit"),
    E(FT_E_JSON, "malformed JSON"),
    E(FT_E_JSON_SHAPE, "a JSON field is missing or has the wrong type"),
    E(FT_E_BUFFER, "the output buffer is too small"),
    E(FT_E_INTERNAL, "internal error"),
    /* messages, segments and cost */
    E(FT_E_MSG_EMPTY, "the message is empty"),
    E(FT_E_MSG_TOO_LONG, "the message is longer than 1,600 characters"),
    E(FT_E_MSG_MEDIA, "picture messages are not supported"),
    E(FT_E_BALANCE, "the prepaid balance is too low for this message"),
    E(FT_E_BUNDLE_UNKNOWN, "no such bundle"),
    E(FT_E_PRICE, "the bundle price is invalid"),
    /* phone numbers */
    E(FT_E_PHONE_EMPTY, "no phone number was given"),
    E(FT_E_PHONE_LETTERS, "a phone number may only contain digits, spaces, ( ) - . and a leading +"),
    E(FT_E_PHONE_EXTENSION, "extensions cannot receive text messages: enter a mobile number without one"),
    E(FT_E_PHONE_LENGTH, "a US or Canadian number has 10 digits (or 11 starting with 1)"),
    E(FT_E_PHONE_COUNTRY, "only US and Canadian (+1) numbers can be texted"),
    E(FT_E_PHONE_AREA_CODE, "the area code does not exist"),
    E(FT_E_PHONE_EXCHANGE, "the exchange (the 3 digits after the area code) does not exist"),
    /* inbound keywords */
    E(FT_E_KEYWORD_PROFILE, "the business profile needs a company name and a contact for this reply"),
    /* consent */
    E(FT_E_CONSENT_ORDER, "this consent step is out of order"),
    E(FT_E_CONSENT_STAFF, "this consent step needs the staff member's id and name"),
    E(FT_E_CONSENT_METHOD, "this consent step does not allow that method"),
    E(FT_E_CONSENT_TEXT, "the script or disclosure text is not the versioned text"),
    E(FT_E_CONSENT_TIME, "a consent step cannot be dated before the previous one"),
    E(FT_E_CONSENT_CUSTOMER, "the consent step is for another customer or phone number"),
    E(FT_E_CONSENT_NO_CONSENT, "the customer has not consented to text messages"),
    E(FT_E_CONSENT_OPTED_OUT, "the customer opted out of text messages"),
    E(FT_E_CONSENT_REVIEW, "an opt-out request awaits staff review: automated messages are paused"),
    E(FT_E_CONSENT_NO_NUMBER, "the customer has no SMS number"),
    E(FT_E_CONSENT_QUIET_HOURS, "outside the send window for automated messages"),
    E(FT_E_CONSENT_CHAIN, "the consent audit chain is broken"),
    E(FT_E_CONSENT_RECORD, "a consent record is malformed"),
    /* templates */
    E(FT_E_TPL_UNKNOWN_FIELD, "unknown field code"),
    E(FT_E_TPL_UNCLOSED, "a field code opened with {{ is not closed with }}"),
    E(FT_E_TPL_UNOPENED, "}} without an opening {{"),
    E(FT_E_TPL_EMPTY_CODE, "empty or malformed field code"),
    E(FT_E_TPL_TOO_MANY_FIELDS, "the template has too many field codes"),
    E(FT_E_TPL_TOO_LARGE, "the template is too large"),
    E(FT_E_TPL_MISSING_VALUE, "the record has no value for a field the template uses"),
    E(FT_E_TPL_RECORD, "the record must be a JSON object of text values"),
    E(FT_E_TPL_EMPTY, "the template is empty"),
    E(FT_E_TPL_VALUE_TOO_LONG, "a value is longer than its field allows"),
    /* registration */
    E(FT_E_REG_INVALID, "the registration form has errors"),
    E(FT_E_REG_REQUIRED, "this field is required"),
    E(FT_E_REG_FORMAT, "this field does not have the required format"),
    E(FT_E_REG_EIN_PREFIX, "the EIN prefix is not one the IRS assigns"),
    E(FT_E_REG_BN_CHECK, "the Business Number check digit is wrong"),
    E(FT_E_REG_UNKNOWN_VALUE, "not one of the accepted values"),
    E(FT_E_REG_LENGTH, "the length is outside the allowed range"),
    E(FT_E_REG_URL, "not a valid https URL"),
    E(FT_E_REG_PHONE, "not a valid North American phone number"),
    E(FT_E_REG_EMAIL, "not a valid e-mail address"),
    E(FT_E_REG_POSTAL, "not a valid ZIP or postal code"),
    E(FT_E_REG_REGION, "not a valid state or province code"),
    E(FT_E_REG_CAMPAIGN, "the campaign breaks a Twilio limit"),
    /* scheduling and time */
    E(FT_E_SCHED_TZ_UNKNOWN, "unknown time zone"),
    E(FT_E_SCHED_TZ_RULE, "malformed POSIX TZ rule"),
    E(FT_E_SCHED_DATE, "invalid date or time"),
    E(FT_E_SCHED_TIME_GAP, "that local time does not exist (daylight saving time starts)"),
    E(FT_E_SCHED_TIME_AMBIGUOUS, "that local time happens twice (daylight saving time ends)"),
    E(FT_E_SCHED_NO_WINDOW, "no time inside the send window before the job starts"),
    E(FT_E_SCHED_RECURRENCE, "invalid recurrence rule"),
    E(FT_E_SCHED_TOO_MANY, "too many occurrences"),
    E(FT_E_SCHED_REGION, "no time zone known for that state or province"),
    E(FT_E_SCHED_WINDOW, "invalid send window"),
    E(FT_E_SCHED_STARTED, "the job has already started"),
    /* carrier gateways */
    E(FT_E_GW_UNKNOWN_CARRIER, "unknown carrier"),
    E(FT_E_GW_NUMBER, "not a 10-digit North American number"),
    /* event log and reducer */
    E(FT_E_EVENT_TYPE, "unknown event type"),
    E(FT_E_EVENT_ID, "the event id is missing or is not a UUID"),
    E(FT_E_EVENT_FORBIDDEN, "this event cannot be written by this user"),
    E(FT_E_LOG_NO_CONSENT, "the customer has not given SMS consent"),
    E(FT_E_LOG_OPTED_OUT, "the customer opted out of texts (replied STOP)"),
    E(FT_E_LOG_PHONE, "the phone number is not in E.164 form (+15125550123)"),
    /* relay */
    E(FT_E_AUTH_REQUIRED, "sign in first"),
    E(FT_E_AUTH_FAILED, "wrong username or password"),
    E(FT_E_FORBIDDEN, "not allowed"),
    E(FT_E_THROTTLED, "too many attempts: try again later"),
    E(FT_E_NOT_FOUND, "not found"),
    E(FT_E_CONFLICT, "already exists"),
    E(FT_E_STORAGE, "the database failed"),
    E(FT_E_TWILIO, "Twilio refused the request or could not be reached"),
    E(FT_E_REG_NOT_APPROVED, "texting is not enabled until the A2P 10DLC campaign is approved"),
};

#undef E

static const ft_error_entry *find(int status) {
    for (size_t i = 0; i < sizeof ft_errors / sizeof ft_errors[0]; i++) {
        if (ft_errors[i].code == status) return &ft_errors[i];
    }
    return NULL;
}

const char *ft_strerror(int status) {
    const ft_error_entry *e = find(status);
    return e ? e->message : "unknown error";
}

const char *ft_strerror_name(int status) {
    const ft_error_entry *e = find(status);
    return e ? e->name : "FT_E_UNKNOWN";
}
