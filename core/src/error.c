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
    /* inbound keywords */
    /* consent */
    /* templates */
    /* registration */
    /* scheduling and time */
    /* carrier gateways */
    /* event log and reducer */
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
