/* fieldtext core: the event reducer — folds the event log into the state both hosts show.
 *
 * An event is a JSON object {"id","seq","at","actor","type","body":{...}} (relay/API.md). The state
 * is: customers (by customer_id), consent per phone number, threads per customer phone (messages,
 * notes, claimed_by, resolved), and the prepaid balance in segments. The same code runs in the relay
 * (enforcement, GET /api/state) and in the browser (WASM), so both see the same state.
 *
 * Events of unknown types are ignored (a newer writer must not break an older reader). Applying an
 * event never reads the clock: times come from the events.
 *
 * Memory: a reducer is created with ft_reducer_new and released with ft_reducer_free. Strings
 * returned by *_json functions are malloc'd; release them with ft_free (fieldtext/json.h).
 * A reducer is not thread-safe: the caller serialises access.
 */
#ifndef FIELDTEXT_REDUCER_H
#define FIELDTEXT_REDUCER_H

#include <stddef.h>
#include <stdint.h>

#include "fieldtext/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FT_REDUCER_MAX_PHONE 32u      /* bytes of an E.164 number, with room */
#define FT_REDUCER_MAX_EVENT_BYTES (1024u * 1024u)

typedef struct ft_reducer ft_reducer;

/* Consent of one phone number, as folded from consent.* events. */
typedef enum ft_log_consent {
    FT_LOG_CONSENT_NONE = 0,     /* no consent step recorded */
    FT_LOG_CONSENT_PENDING = 1,  /* some of the three steps (script, screen, box) recorded */
    FT_LOG_CONSENT_OPTED_IN = 2, /* all three steps, or the customer replied START */
    FT_LOG_CONSENT_OPTED_OUT = 3 /* STOP, a natural-language request, or staff recorded it */
} ft_log_consent;

/* ft_reducer_new: an empty state (balance 0). Errors: FT_E_INVALID_ARG, FT_E_NOMEM. */
ft_status ft_reducer_new(ft_reducer **out);

/* ft_reducer_new_compact: a reducer that keeps only what the send rules read: consent per phone
 * (its state and which of the three staff steps are recorded, without their audit stamps), the
 * balance and the last seq. Customers, threads and messages are not kept (those events are skipped,
 * unchecked), so its memory grows with the phones that have consent records, not with the log: a
 * host that enforces the rules keeps this one resident and folds a full reducer on demand for the
 * state it shows. ft_reducer_check_send, _consent_of, _balance and _last_seq answer exactly as a
 * full reducer fed the same events would (the same fold, in this file); its ft_reducer_state_json
 * has no customers or threads, and its consent entries hold true in place of each stamp.
 * Errors: FT_E_INVALID_ARG, FT_E_NOMEM. */
ft_status ft_reducer_new_compact(ft_reducer **out);

/* ft_reducer_free: releases the reducer; NULL is fine. */
void ft_reducer_free(ft_reducer *r);

/* ft_reducer_apply: folds one event (a JSON object, len bytes, need not be NUL-terminated).
 * Errors: FT_E_INVALID_ARG, FT_E_JSON, FT_E_JSON_SHAPE (not an object, no "type"), FT_E_TOO_LARGE,
 * FT_E_NOMEM. On error the state is unchanged. */
ft_status ft_reducer_apply(ft_reducer *r, const char *json, size_t len);

/* ft_reducer_apply_all: folds a JSON array of events, or an object {"events":[...]}, in order.
 * Stops at the first failing event and returns its error. */
ft_status ft_reducer_apply_all(ft_reducer *r, const char *json, size_t len);

/* ft_reducer_state_json: {"ok":true,"last_seq":N,"balance":{"segments":N,...},"customers":[...],
 * "consent":{phone:{...}},"threads":[...latest first]}. malloc'd; NULL on NOMEM. */
char *ft_reducer_state_json(const ft_reducer *r);

/* ft_reducer_balance: segments left (may be negative: received messages are always charged). */
int64_t ft_reducer_balance(const ft_reducer *r);

/* ft_reducer_last_seq: the highest seq folded so far (0 for none). */
int64_t ft_reducer_last_seq(const ft_reducer *r);

/* ft_reducer_consent_of: consent of a phone number (NUL-terminated E.164 string). */
ft_log_consent ft_reducer_consent_of(const ft_reducer *r, const char *phone);

/* ft_reducer_check_send: whether a message with this body may go to this phone now: consent given
 * and not withdrawn, the body not empty and at most 1,600 characters, the balance covering its
 * segments. On FT_OK *segments (if not NULL) receives the message's segments.
 * Errors: FT_E_INVALID_ARG, FT_E_UTF8, FT_E_MSG_EMPTY, FT_E_MSG_TOO_LONG, FT_E_LOG_NO_CONSENT,
 * FT_E_LOG_OPTED_OUT, FT_E_BALANCE. */
ft_status ft_reducer_check_send(const ft_reducer *r, const char *phone, const char *body, size_t len,
                                uint32_t *segments);

/* Snapshots: a host that keeps a reducer resident (the relay) saves one now and then, so that a
 * restart folds only the events after it instead of the whole log.
 * FT_REDUCER_SNAPSHOT_VERSION names what a snapshot holds and what the fold made of it: bump it
 * whenever the fold changes (a new event type kept, a field folded otherwise), so that a snapshot
 * made by an older fold is refused and the log folded again from the start. */
#define FT_REDUCER_SNAPSHOT_VERSION 2 /* 2: send_kind; a status never moves back */
#define FT_REDUCER_MAX_SNAPSHOT_BYTES (256u * 1024u * 1024u)

/* ft_reducer_snapshot_json: the reducer's whole state (compact or full), as JSON text from which
 * ft_reducer_restore rebuilds a reducer that answers, folds later events, and snapshots, exactly as
 * this one. malloc'd (ft_free); NULL on NOMEM. */
char *ft_reducer_snapshot_json(const ft_reducer *r);

/* ft_reducer_restore: a reducer from a snapshot (len bytes, need not be NUL-terminated).
 * Errors: FT_E_INVALID_ARG, FT_E_TOO_LARGE, FT_E_JSON (not JSON), FT_E_JSON_SHAPE (not a snapshot of
 * this FT_REDUCER_SNAPSHOT_VERSION, or a part of it is malformed), FT_E_NOMEM. */
ft_status ft_reducer_restore(const char *json, size_t len, ft_reducer **out);

/* ft_reducer_is_compact: whether r was made by ft_reducer_new_compact (or restored from one). */
int ft_reducer_is_compact(const ft_reducer *r);

/* ft_reduce_json: one call for the browser: folds an array of events (or {"events":[...]}) from an
 * empty state and returns the state JSON, or {"ok":false,"error":{...}}. malloc'd (ft_free). */
char *ft_reduce_json(const char *events_json, size_t len);

#ifdef __cplusplus
}
#endif
#endif
