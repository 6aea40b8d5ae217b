/* fieldtext relay: storage. The one narrow interface between the relay and its database.
 *
 * store.c implements it with SQLite (WAL); a PostgreSQL backend would be another file implementing
 * the same functions. Nothing outside store.c knows SQL.
 *
 * Threading: one ft_store is shared by every thread; each call takes the store's lock, and
 * ft_store_begin/ft_store_commit hold it across a transaction (recursive lock), so a caller that
 * needs several calls to be atomic wraps them in begin/commit on the same thread.
 * Strings returned in out-parameters are malloc'd: the caller frees them with free().
 * Every function returns FT_OK, FT_E_NOT_FOUND, FT_E_CONFLICT (a unique key exists) or FT_E_STORAGE.
 */
#ifndef FT_RELAY_STORE_H
#define FT_RELAY_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "fieldtext/error.h"

typedef struct ft_store ft_store;

ft_status ft_store_open(const char *dir, ft_store **out);
void ft_store_close(ft_store *s);

ft_status ft_store_begin(ft_store *s);
ft_status ft_store_commit(ft_store *s);
void ft_store_rollback(ft_store *s);
/* Savepoints inside a transaction: one caller's part of a group commit can be undone alone. */
ft_status ft_store_savepoint(ft_store *s);
ft_status ft_store_savepoint_release(ft_store *s);
void ft_store_savepoint_rollback(ft_store *s); /* undoes and releases it */

/* ---- settings: a small key/value table (business profile, policy id, setup token hash) ---- */
ft_status ft_store_setting_get(ft_store *s, const char *key, char **value);
ft_status ft_store_setting_set(ft_store *s, const char *key, const char *value);
ft_status ft_store_setting_delete(ft_store *s, const char *key);

/* ---- the event log ---- */
typedef struct ft_store_event {
    int64_t seq;
    const char *id, *type, *actor, *body_json; /* body_json: the body object as JSON text */
    int64_t at;
    int64_t client_at; /* 0 when absent */
} ft_store_event;

/* Appends an event; on FT_OK *seq is its new seq. FT_E_CONFLICT when the id exists (then *seq is
 * the existing event's seq). */
ft_status ft_store_event_append(ft_store *s, const ft_store_event *ev, int64_t *seq);
/* The seq of an event id, FT_E_NOT_FOUND if none. */
ft_status ft_store_event_seq(ft_store *s, const char *id, int64_t *seq);
/* Calls fn for each event with seq > after, in order, at most limit (0: no limit). fn returning
 * non-zero stops the walk. */
typedef int (*ft_store_event_fn)(void *ctx, const ft_store_event *ev);
ft_status ft_store_events_after(ft_store *s, int64_t after, int64_t limit, ft_store_event_fn fn, void *ctx);
ft_status ft_store_last_seq(ft_store *s, int64_t *seq);
/* The chained consent.* events of a phone (body.chain present), oldest first. */
ft_status ft_store_consent_events(ft_store *s, const char *phone, ft_store_event_fn fn, void *ctx);
/* The body (JSON text, malloc'd) of the latest customer.saved event for a phone number.
 * FT_E_NOT_FOUND when none. */
ft_status ft_store_customer_by_phone(ft_store *s, const char *phone, char **body_json);

/* ---- staff accounts ---- */
typedef struct ft_store_user {
    char *id, *username, *name, *role, *pw_hash;
    int64_t created_at;
} ft_store_user;
void ft_store_user_clear(ft_store_user *u);
ft_status ft_store_user_count(ft_store *s, int64_t *n);
ft_status ft_store_user_create(ft_store *s, const ft_store_user *u);
ft_status ft_store_user_by_name(ft_store *s, const char *username, ft_store_user *out);
ft_status ft_store_user_by_id(ft_store *s, const char *id, ft_store_user *out);
typedef int (*ft_store_user_fn)(void *ctx, const ft_store_user *u);
ft_status ft_store_users_list(ft_store *s, ft_store_user_fn fn, void *ctx);

/* ---- sessions (stored by the SHA-256 of the cookie value, never the value itself) ---- */
ft_status ft_store_session_create(ft_store *s, const char *token_hash, const char *user_id, const char *csrf,
                                  int64_t expires_at);
ft_status ft_store_session_get(ft_store *s, const char *token_hash, int64_t now, char **user_id, char **csrf);
ft_status ft_store_session_delete(ft_store *s, const char *token_hash);

/* ---- the Twilio outbox: persisted before Twilio is called ---- */
typedef struct ft_store_outbox {
    char *message_id, *phone, *body, *state, *sid, *last_error;
    int64_t attempts, next_attempt_at, segments;
} ft_store_outbox;
void ft_store_outbox_clear(ft_store_outbox *o);
ft_status ft_store_outbox_add(ft_store *s, const char *message_id, const char *phone, const char *body,
                              int64_t segments, int64_t now);
/* The next queued message due at `now` (state 'queued', next_attempt_at <= now); marks it 'sending'
 * and counts the attempt before returning it. FT_E_NOT_FOUND when none. *wait_ms (if not NULL)
 * receives the time until the next one is due (-1 if none is queued). */
ft_status ft_store_outbox_claim(ft_store *s, int64_t now, ft_store_outbox *out, int64_t *wait_ms);
ft_status ft_store_outbox_mark(ft_store *s, const char *message_id, const char *state, const char *sid,
                               const char *error, int64_t next_attempt_at);
ft_status ft_store_outbox_by_sid(ft_store *s, const char *sid, char **message_id);
/* Rows left 'sending' by a crash (Twilio may or may not have sent them): calls fn for each (oldest
 * first, without the store's lock held), which reports it and marks it 'uncertain', so it is not
 * sent blindly a second time. */
typedef void (*ft_store_outbox_fn)(void *ctx, const ft_store_outbox *o);
ft_status ft_store_outbox_recover(ft_store *s, ft_store_outbox_fn fn, void *ctx);

/* ---- the state checkpoint (relay/events.c): one row, replaced each time ---- */
/* The resident reducer's snapshot covering the log up to seq; version: the snapshot's format;
 * sha256: of what events.c hashes (to tell a damaged row). */
ft_status ft_store_checkpoint_put(ft_store *s, int64_t seq, int64_t version, const char *state, const char *sha256,
                                  int64_t at);
/* FT_E_NOT_FOUND when none was written. */
ft_status ft_store_checkpoint_get(ft_store *s, int64_t *seq, int64_t *version, char **state, char **sha256);

/* ---- reminders (relay/reminders.c) ---- */
/* The latest job.saved body of a job (an older seq does not replace a newer one). */
ft_status ft_store_job_put(ft_store *s, const char *job_id, const char *body_json, int64_t seq);
/* Calls fn(ctx, job_id, body_json) for every job (oldest save first); non-zero stops. */
typedef int (*ft_store_row_fn)(void *ctx, const char *key, const char *body_json);
ft_status ft_store_jobs_list(ft_store *s, ft_store_row_fn fn, void *ctx);
ft_status ft_store_template_put(ft_store *s, const char *template_id, const char *job_type, const char *body_json,
                                int64_t seq);
/* The latest saved template of a job type (case-insensitive). FT_E_NOT_FOUND when none. */
ft_status ft_store_template_for(ft_store *s, const char *job_type, char **body_json);
/* The exactly-once key of a reminder: one row per (job_id, occurrence). Outcomes: "pending" (the
 * scheduler's intent: not handled yet), "sent" (enqueued), "skipped", "held" (waits for the balance),
 * "missed", "canceled" (pulled back from the outbox). A "pending" or "held" row is taken (its
 * start_ms and rev kept); FT_E_CONFLICT when the key was handled already. */
ft_status ft_store_reminder_key_add(ft_store *s, const char *job_id, const char *occurrence, const char *outcome,
                                    const char *message_id, const char *reason, int64_t at);
/* FT_E_NOT_FOUND when there is no row; *reason (may be NULL) "" when none. */
ft_status ft_store_reminder_key_get(ft_store *s, const char *job_id, const char *occurrence, char **outcome,
                                    char **reason);
/* Writes a key row as given (insert or replace). start_ms 0: unknown. */
ft_status ft_store_reminder_key_set(ft_store *s, const char *job_id, const char *occurrence, const char *outcome,
                                    const char *message_id, const char *reason, int64_t start_ms, int64_t rev,
                                    int64_t at);
/* A key row with its outbox row (outbox_state etc. NULL when it has none). */
typedef struct ft_store_reminder_key {
    const char *job_id, *occurrence, *outcome, *message_id, *reason;
    int64_t start_ms; /* the occurrence's start (ms) the outcome was for; 0 when unknown (older rows) */
    int64_t rev;      /* 0 for the occurrence's first reminder, +1 each time it is taken again */
    const char *outbox_state, *phone, *body, *sid;
    int64_t segments;
} ft_store_reminder_key;
typedef int (*ft_store_reminder_key_fn)(void *ctx, const ft_store_reminder_key *k);
/* Calls fn for the keys of job_id (NULL: every job) with occurrence in [from, to] (NULL: open);
 * queued_phone non-NULL: only keys whose outbox row is still 'queued' ("": any phone, else that
 * phone). The store's lock is held during the walk: fn must not write. */
ft_status ft_store_reminder_keys(ft_store *s, const char *job_id, const char *from, const char *to,
                                 const char *queued_phone, ft_store_reminder_key_fn fn, void *ctx);
/* Takes a 'queued' outbox row out of the sender's reach (state 'canceled'). FT_E_CONFLICT when it
 * is not queued any more (the sender claimed it: it went, or is going, to Twilio). */
ft_status ft_store_outbox_cancel(ft_store *s, const char *message_id, const char *why);
/* The stored job.saved body of one job. FT_E_NOT_FOUND when none. */
ft_status ft_store_job_get(ft_store *s, const char *job_id, char **body_json);

#endif
