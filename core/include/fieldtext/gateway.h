/* fieldtext core: carrier email-to-SMS gateways (the table the product documents, with status).
 *
 * These gateways are being shut down: AT&T's closed on 17 June 2025, T-Mobile's and Sprint's are
 * retired, Verizon's is unreliable. The table is kept so the page can show the address a customer
 * asks about and warn that it will not (or may not) deliver. fieldtext itself sends through
 * Twilio, never through these gateways.
 */
#ifndef FIELDTEXT_GATEWAY_H
#define FIELDTEXT_GATEWAY_H

#include <stddef.h>

#include "fieldtext/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FT_GW_ADDRESS_MAX 64u /* "5552345678@messaging.sprintpcs.com" fits with room */

typedef enum ft_gw_status {
    FT_GW_ACTIVE = 0,     /* reported working (still best effort) */
    FT_GW_UNRELIABLE = 1, /* up, but messages are often delayed or dropped */
    FT_GW_RETIRED = 2,    /* the carrier retired it */
    FT_GW_CLOSED = 3,     /* shut down on a known date */
    FT_GW_UNVERIFIED = 4  /* listed by the product; current status not confirmed */
} ft_gw_status;

typedef struct ft_gateway {
    const char *id;          /* "att", "tmobile", "verizon", ... */
    const char *carrier;     /* "AT&T" */
    const char *sms_domain;  /* "txt.att.net" */
    const char *mms_domain;  /* "mms.att.net" (may equal sms_domain) */
    ft_gw_status status;
    const char *since;       /* "2025-06-17" when known, else NULL */
    const char *note;        /* the warning to show */
} ft_gateway;

size_t ft_gateway_count(void);
/* Entry i of the table (static), NULL past the end. */
const ft_gateway *ft_gateway_at(size_t i);
/* By id or carrier name, case-insensitive ("AT&T", "att", "T-Mobile", "tmobile"). Errors:
 * FT_E_GW_UNKNOWN_CARRIER. */
ft_status ft_gateway_find(const char *name, size_t len, const ft_gateway **out);
/* "active", "unreliable", "retired", "closed", "unverified". Static. */
const char *ft_gateway_status_name(ft_gw_status s);
/* 1 when mail to the gateway can be expected to arrive (active only). */
int ft_gateway_usable(const ft_gateway *g);

/* ft_gateway_address: "<10 digits>@<domain>" for a NANP number (any usual spelling, +1 optional).
 * mms selects the MMS domain. buf receives at most cap bytes with the NUL.
 * Errors: FT_E_INVALID_ARG, FT_E_GW_NUMBER, FT_E_BUFFER. */
ft_status ft_gateway_address(const ft_gateway *g, const char *number, size_t len, int mms, char *buf, size_t cap);

/* ft_gateway_json: input {"carrier": "verizon", "number": "...", "mms": false} -> {"ok":true,
 * "address","carrier","status","usable","warning"}; input {} or {"list": true} -> the table
 * {"ok":true,"gateways":[{"id","carrier","sms_domain","mms_domain","status","since","usable","note"}]}.
 * *out set except on FT_E_NOMEM / FT_E_INVALID_ARG; free with ft_free. */
ft_status ft_gateway_json(const char *json, size_t len, char **out);

#ifdef __cplusplus
}
#endif
#endif
