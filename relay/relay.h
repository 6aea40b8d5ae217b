/* fieldtext relay: what the relay's modules share (configuration, the running relay, a request).
 * One file per concern: http.c (server, routing), api.c (JSON API), auth.c (accounts, sessions),
 * events.c (the log), rules.c (what the log accepts), ledger.c (segments bought and spent),
 * twilio.c (outbox sender), webhooks.c (Twilio's callbacks), static.c (web/ files),
 * policy.c (public policy pages), crypto.c (random ids, hashes, encodings), store.c (SQLite). */
#ifndef FT_RELAY_H
#define FT_RELAY_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "cJSON.h"
#include "fieldtext/error.h"
#include "fieldtext/reducer.h"
#include "store.h"

#define FT_RELAY_MAX_BODY (1024u * 1024u)   /* request bodies over 1 MiB get 413 */
#define FT_RELAY_MAX_DISCARD (8u * 1024u * 1024u) /* a refused body is read and dropped up to this, then cut */
#define FT_RELAY_CONN_TIMEOUT_S 30u         /* an idle or slow connection is closed after this */
#define FT_RELAY_MAX_CONNECTIONS 256u
/* libmicrohttpd's buffer per connection (request line, headers, read and write buffers; the body
 * is copied out as it comes): 16 KiB instead of its 32 KiB default. Header blocks up to about
 * 12 KiB pass (more gets 431); a browser's are under 2 KiB. */
#define FT_RELAY_CONN_MEMORY (16u * 1024u)
#define FT_RELAY_MAX_PER_IP 64u
#define FT_RELAY_SESSION_TTL_MS (7LL * 24 * 3600 * 1000)
#define FT_RELAY_SSE_HEARTBEAT_MS 15000
#define FT_RELAY_EVENTS_PAGE 500            /* most events one GET /api/events returns */
#define FT_RELAY_MAX_EVENTS_PER_POST 100
#define FT_RELAY_SEND_MAX_ATTEMPTS 8
#define FT_RELAY_DEFAULT_TWILIO_BASE "https://api.twilio.com"

typedef struct ft_relay_config {
    int port;
    char *data_dir, *web_dir;
    char *account_sid, *auth_token, *from, *messaging_service_sid, *api_base, *public_url;
    char *admin_password; /* tests only: creates admin with this password */
    int sandbox;
    int retry_base_ms;    /* first retry delay of a failed send (doubles each attempt) */
    int require_registration; /* FIELDTEXT_REQUIRE_REGISTRATION: sends wait for the approved campaign */
    int a2p_poll_ms;      /* FIELDTEXT_A2P_POLL_MS: how often a pending brand / campaign is checked */
    int64_t clock_offset_ms; /* FIELDTEXT_CLOCK_OFFSET_MS: added to the clock of the reminder scheduler (tests) */
    int reminder_days_before; /* FIELDTEXT_REMINDER_DAYS_BEFORE: job.saved's default days_before (1) */
    int checkpoint_every;     /* FIELDTEXT_CHECKPOINT_EVERY: events between state checkpoints (0: none) */
} ft_relay_config;

typedef struct ft_throttle_entry {
    char key[96];
    int failures;
    int64_t window_start, blocked_until;
} ft_throttle_entry;

#define FT_THROTTLE_SLOTS 512

typedef struct ft_relay {
    ft_relay_config cfg;
    ft_store *store;
    /* The log: the reducer, and the order of appends, are guarded by log_lock (recursive). The
     * reducer is the core's compact one (consent per phone, balance, last seq: what the rules read),
     * folded after each commit; GET /api/state folds a full reducer from the log on demand. */
    pthread_mutex_t log_lock;
    ft_reducer *reducer;
    /* The reducer's checkpoint (events.c), under log_lock: the seq the last one covers, and one
     * taken but not written yet (it is written by the next commit, inside its transaction). */
    int64_t ckpt_seq, ckpt_pending_seq;
    char *ckpt_pending;
    /* Waiters for new events (SSE: notify_cond) and for new outbox rows (the sender: outbox_cond,
     * apart, so that a commit without a send does not wake the sender). */
    pthread_mutex_t notify_lock;
    pthread_cond_t notify_cond, outbox_cond;
    int64_t last_seq;       /* under notify_lock */
    int outbox_kick;        /* under notify_lock */
    /* Live streams (events.c) waiting for new events, their connections suspended (under
     * notify_lock); the heartbeat thread resumes the ones whose heartbeat is due. */
    struct sse_ctx *sse_parked;
    int64_t sse_tick_due;   /* under notify_lock: when the heartbeat thread wakes (ms; 0: when told) */
    pthread_t sse_ticker;
    int sse_ticker_started;
    /* Group commit (events.c): callers queue work; the commit thread commits what is queued at once. */
    pthread_mutex_t gc_lock;
    pthread_cond_t gc_cond;
    struct ft_gc_item *gc_head, *gc_tail;
    int gc_idle;            /* the commit thread waits for work (under gc_lock) */
    int gc_quit;            /* under gc_lock: the commit thread ends once the queue is empty */
    pthread_t gc_thread;
    int gc_started;
    atomic_int stopping;
    pthread_t sender;
    int sender_started;
    /* A2P submission (a2p.c): its worker, and the EIN / BN held in memory only until sent. */
    pthread_t a2p;
    int a2p_started;
    pthread_mutex_t a2p_lock;
    pthread_cond_t a2p_cond;
    int a2p_kick;           /* under a2p_lock */
    unsigned a2p_gen;       /* under a2p_lock: bumped by a new submission (a stale step is not saved) */
    char *a2p_tax_id;       /* under a2p_lock; wiped and freed once Twilio has it */
    char a2p_tax_kind[4];   /* "EIN" or "BN" */
    /* Reminder scheduler (reminders.c): wakes on a kick (job or template saved) or when due. */
    pthread_t sched;
    int sched_started;
    pthread_mutex_t sched_lock;
    pthread_cond_t sched_cond;
    int sched_kick;         /* under sched_lock */
    pthread_mutex_t throttle_lock;
    ft_throttle_entry throttle[FT_THROTTLE_SLOTS];
    char self_origin[3][256]; /* origins allowed on state-changing requests */
    char self_host[3][256];   /* Host header values accepted */
} ft_relay;

struct MHD_Connection;
struct MHD_Response;

/* One HTTP request and its reply. */
typedef struct ft_req {
    ft_relay *app;
    struct MHD_Connection *conn;
    const char *method, *path; /* path: decoded, without the query */
    char *raw_uri;             /* as received: path and query, not decoded */
    char *body;
    size_t body_len;
    int body_too_large;
    size_t discarded;          /* bytes of a refused body read and dropped */
    /* the reply */
    unsigned status;
    struct MHD_Response *resp;
    /* the signed-in user (auth.c) */
    char *user_id, *username, *user_name, *role, *csrf;
    /* Handled off the polling thread (http.c): the connection is suspended while a worker or the
     * commit thread has it. finish (when set) runs on the polling thread after the resume: with
     * reply=1 it sets the reply from async (the work's outcome), with 0 it only frees async. */
    int phase;
    void (*finish)(struct ft_req *r, int reply);
    void *async;
    struct ft_http_job {
        void (*fn)(void *arg);
        void *arg;
        struct ft_http_job *next;
    } job;
} ft_req;

/* ---- http.c ---- */
int ft_http_start(ft_relay *app);
void ft_http_stop(void);
int ft_http_bound_port(void); /* the port really bound (after FIELDTEXT_PORT=0) */
void ft_http_reply(ft_req *r, unsigned status, const char *ctype, const char *body, size_t len);
void ft_http_json(ft_req *r, unsigned status, cJSON *obj); /* prints and deletes obj */
void ft_http_error(ft_req *r, int code, const char *detail); /* status from the code */
void ft_http_header(ft_req *r, const char *name, const char *value); /* after a reply is set */
const char *ft_http_get_header(ft_req *r, const char *name);
const char *ft_http_query(ft_req *r, const char *name);
const char *ft_http_cookie(ft_req *r, const char *name);
void ft_http_client_ip(ft_req *r, char *buf, size_t cap);
unsigned ft_http_status_of(int code);
/* Parses the body as a JSON object; on failure replies 400 and returns NULL. */
cJSON *ft_http_body_json(ft_req *r);
/* Suspension of a connection (the polling threads never block): ft_http_suspend, from the access
 * handler or a content reader on the polling thread, returns 0 (nothing suspended) once the server
 * is stopping; ft_http_resume, from any thread, once the work is done. The server stops only when
 * every suspended connection was resumed. */
int ft_http_suspend(struct MHD_Connection *conn);
void ft_http_resume(struct MHD_Connection *conn);
/* Runs job->fn(job->arg) on a worker thread (blocking allowed there: SQLite, scrypt, libcurl). */
void ft_http_defer(struct ft_http_job *job);

/* ---- crypto.c ---- */
int ft_random_bytes(unsigned char *buf, size_t n);
void ft_hex(const unsigned char *in, size_t n, char *out); /* out: 2n+1 */
int ft_random_hex(char *out, size_t nbytes);               /* out: 2*nbytes+1 */
void ft_uuid_v4(char out[37]);
void ft_uuid_from_name(const char *name, char out[37]); /* deterministic (SHA-256 of name) */
int ft_is_uuid(const char *s);
void ft_sha256_hex(const void *data, size_t n, char out[65]);
char *ft_base64(const unsigned char *in, size_t n); /* malloc'd */
int64_t ft_now_ms(void);
int ft_consttime_eq(const char *a, const char *b);

/* ---- auth.c ---- */
int ft_auth_init(ft_relay *app);
/* Loads the session; replies 401 and returns 0 when not signed in. For a state change (POST, ...)
 * it also checks the Origin and the X-CSRF-Token (403). */
int ft_auth_require(ft_req *r);
int ft_auth_require_admin(ft_req *r);
int ft_auth_origin_ok(ft_req *r);
int ft_auth_host_ok(ft_req *r);
void ft_auth_clear(ft_req *r);
void ft_auth_login(ft_req *r);
void ft_auth_logout(ft_req *r);
void ft_auth_setup(ft_req *r, int form);
void ft_auth_setup_page(ft_req *r);
void ft_auth_users_list(ft_req *r);
void ft_auth_users_create(ft_req *r);
int ft_auth_hash_password(const char *password, char **out);
int ft_auth_verify_password(const char *password, const char *stored);

/* ---- events.c ---- */
/* Folds the log into the resident reducer: from the state checkpoint when there is a usable one
 * (then only the later events), else from the start. */
int ft_events_init(ft_relay *app);
/* Writes a last checkpoint (clean stop: every thread but this one is stopped) and frees the reducer. */
void ft_events_fini(ft_relay *app);
/* --check-state: folds the log from the checkpoint and from the start, compares the two, prints
 * the result as JSON on stdout. 1 when they are the same (or there is no checkpoint), else 0.
 * Writes nothing. */
int ft_events_check_state(ft_relay *app);
typedef struct ft_events_tx {
    ft_relay *app;
    char **pending; /* the events added, as JSON, folded into the reducer after the commit */
    int n, cap;
} ft_events_tx;
ft_status ft_events_tx_begin(ft_relay *app, ft_events_tx *tx);
/* Adds an event to the transaction; FT_E_CONFLICT (with *seq) when the id exists already. */
ft_status ft_events_tx_add(ft_events_tx *tx, const char *id, const char *actor, const char *type,
                           const cJSON *body, int64_t client_at, int64_t *seq);
/* The same with an explicit time (ms; 0 = now): a consent record's time is hashed into its chain. */
ft_status ft_events_tx_add_at(ft_events_tx *tx, const char *id, const char *actor, const char *type,
                              const cJSON *body, int64_t client_at, int64_t at, int64_t *seq);
/* The same with the body as JSON text (an object, as cJSON_PrintUnformatted writes it): callers of the
 * group commit print it before they queue, so that the shared transaction does not. at: 0 = now. */
ft_status ft_events_tx_add_json(ft_events_tx *tx, const char *id, const char *actor, const char *type,
                                const char *body_json, int64_t client_at, int64_t at, int64_t *seq);
ft_status ft_events_tx_commit(ft_events_tx *tx);
void ft_events_tx_abort(ft_events_tx *tx);
/* One event on its own transaction (relay-made events). */
ft_status ft_events_append_one(ft_relay *app, const char *id, const char *actor, const char *type,
                               const cJSON *body, int64_t *seq);
/* Group commit: runs fn(tx, ctx) inside a transaction that may be shared with other threads'
 * calls made at the same time (one fsync for all of them). fn's changes are its own: when it
 * returns an error they are undone (a savepoint) without touching the others. Returns fn's status,
 * or FT_E_STORAGE when the shared commit failed; FT_OK means committed durably and folded.
 * fn must not depend on the reducer seeing events of the same batch (rule checks on state do not
 * belong here: they go through ft_events_tx_begin, which runs alone). */
typedef ft_status (*ft_events_work_fn)(ft_events_tx *tx, void *ctx);
ft_status ft_events_run(ft_relay *app, ft_events_work_fn fn, void *ctx);
/* The same without waiting: the commit thread runs it->fn(tx, it->ctx) in a batch, sets it->st as
 * ft_events_run returns it, then calls it->done(it) (on the commit thread; it must not block). */
typedef struct ft_gc_item {
    ft_events_work_fn fn;
    void *ctx;
    void (*done)(struct ft_gc_item *it);
    void *done_ctx;
    ft_status st;
    struct ft_gc_item *next;
} ft_gc_item;
void ft_events_submit(ft_relay *app, ft_gc_item *it);
void ft_events_post(ft_req *r);
void ft_events_get(ft_req *r);
void ft_events_stream(ft_req *r);
void ft_events_state(ft_req *r);
void ft_events_notify(ft_relay *app, int64_t seq, int outbox);
/* Accepts a message.send as POST /api/events does (registration, consent, opt-out, balance, length,
 * send window at now_ms; event, debit and outbox row in one transaction). rem_job / rem_occ (may be
 * NULL): the reminder's exactly-once key, added in the same transaction (FT_E_CONFLICT when it
 * exists). *next_ms_out (may be NULL): when the send window opens, on FT_E_CONSENT_QUIET_HOURS. */
ft_status ft_events_accept_send(ft_relay *app, const char *id, const char *actor, cJSON *body, int64_t client_at,
                                int64_t now_ms, const char *rem_job, const char *rem_occ, int64_t *seq,
                                int64_t *next_ms_out, char *why, size_t why_cap);

/* ---- reminders.c: job.saved / template.saved, the reminder scheduler, GET /api/reminders ---- */
int ft_reminders_start(ft_relay *app);
void ft_reminders_stop(ft_relay *app);
void ft_reminders_kick(ft_relay *app);
/* Checks a job.saved / job.deleted / template.saved body (fills defaults); why on refusal. */
ft_status ft_reminders_check_event(ft_relay *app, const char *type, cJSON *body, char *why, size_t why_cap);
/* Keeps the latest job / template by key (job.deleted marks it deleted) inside the caller's
 * transaction, and pulls back from the outbox the queued reminders the change makes wrong (records
 * those that had gone to Twilio already); FT_OK for other types. */
ft_status ft_reminders_record(ft_events_tx *tx, const char *type, const cJSON *body, int64_t seq);
/* Whether an accepted event of this type should wake the scheduler (jobs, templates, purchases). */
int ft_reminders_wakes(const char *type);
/* A phone opted out (inside the caller's transaction): its queued reminders are pulled back. */
ft_status ft_reminders_opted_out(ft_events_tx *tx, const char *phone);
/* The sender put a message back in the outbox (Twilio did not take it): a reminder canceled, deleted
 * or superseded while it was being handed to Twilio is pulled back now. */
void ft_reminders_requeued(ft_relay *app, const char *message_id);
void ft_reminders_get(ft_req *r);
/* The scheduler's clock: ft_now_ms() + FIELDTEXT_CLOCK_OFFSET_MS. */
int64_t ft_reminders_now_ms(const ft_relay *app);
/* The customer's zone for the send window (as ft_rules_send_window picks it): IANA name into zone
 * (cap bytes) and the two-letter region ("" when none) into region[3]. 0 when no zone is known. */
int ft_rules_customer_zone(ft_relay *app, const char *phone, char *zone, size_t cap, char region[3]);

/* ---- rules.c: what the log accepts (phone, keywords, consent; the core's modules when present) ---- */
typedef enum ft_relay_kw { FT_RKW_NONE = 0, FT_RKW_STOP, FT_RKW_START, FT_RKW_HELP, FT_RKW_OPTOUT_REQUEST } ft_relay_kw;
int ft_rules_phone_ok(const char *phone);
/* Classifies an inbound body (core keyword.h). reply (cap bytes) receives the automatic reply for
 * it, built from the business profile ("" when none). */
ft_relay_kw ft_rules_inbound_keyword(ft_relay *app, const char *body, size_t len, char *reply, size_t cap);
/* The classification alone: reads nothing stored (FT_RKW_NONE: no reply either). */
ft_relay_kw ft_rules_inbound_class(const char *body, size_t len);
/* May this message go to this phone now (consent, length, balance)? Log lock held. */
ft_status ft_rules_can_send(ft_relay *app, const char *phone, const char *body, uint32_t *segments);
/* The send window for automated kinds ("reminder", "on_the_way"; core consent.h): 8 a.m.-9 p.m.
 * (8 p.m. in FL, OK, MD) in the customer's time zone: its customer.saved "tz" (IANA name), else the
 * zone of its "state", else the business's state, else America/New_York. FT_OK for manual sends
 * and inside the window; else FT_E_CONSENT_QUIET_HOURS, *next_ms the window's next opening and why
 * a sentence naming the zone. */
ft_status ft_rules_send_window(ft_relay *app, const char *phone, const char *kind, int64_t now_ms, int64_t *next_ms,
                               char *why, size_t why_cap);
/* Checks an event a signed-in user submits (type allowed for the role, body fields).
 * why receives a sentence on refusal. */
ft_status ft_rules_check_client_event(ft_relay *app, const char *role, const char *type, cJSON *body, char *why,
                                      size_t why_cap);

/* ---- consent.c: the consent audit chain (core consent.h) ---- */
/* Applies a consent.* event with the core's state machine inside tx (which the caller commits):
 * the stored body is the core's chained record (body.chain) plus the extras the caller sent.
 * staff_id/staff_name: the signed-in user, or NULL with actor "customer" for keyword steps.
 * Refusals: the core's code (FT_E_CONSENT_*) and reason in why; nothing written. */
ft_status ft_consent_accept(ft_events_tx *tx, const char *id, const char *staff_id, const char *staff_name,
                            const char *type, cJSON *body, int64_t client_at, int64_t *seq, char *why, size_t why_cap);
/* GET /api/customers/consent?phone=E164&format=json|csv */
void ft_consent_history(ft_req *r);

/* ---- registration.c: POST /api/registration (admin; the EIN / BN is never stored) ---- */
void ft_registration_post(ft_req *r);

/* ---- a2p.c: submitting the brand and campaign to Twilio (TrustHub, BrandRegistrations, Usa2p) ---- */
int ft_a2p_start(ft_relay *app);
void ft_a2p_stop(ft_relay *app);
/* Starts a new submission of the stored profile (registration.c, after it is saved). tax_id: the
 * EIN / BN, copied into memory only (never stored) and wiped once Twilio has it. Caller holds no lock. */
void ft_a2p_submit(ft_relay *app, const char *tax_kind, const char *tax_id);
/* The submission's state for /api/me: {status, step?, reason?, brand_status?, campaign_status?,
 * required}. */
void ft_a2p_status_json(ft_relay *app, cJSON *into);
/* FT_OK when sends are allowed (registration not required, or the campaign approved); else
 * FT_E_REG_NOT_APPROVED with a sentence in why. */
ft_status ft_a2p_can_send(ft_relay *app, char *why, size_t why_cap);

/* ---- ledger.c ---- */
/* Credits a bundle: event bundle.purchased. ref makes it idempotent (a payment id), may be NULL. */
ft_status ft_ledger_purchase(ft_relay *app, const char *actor, uint32_t bundle_segments, const char *ref,
                             int64_t *seq);
void ft_ledger_api_purchase(ft_req *r);
/* Adds a balance.debited event to a transaction. */
ft_status ft_ledger_debit(ft_events_tx *tx, const char *event_id, int64_t segments, const char *message_id,
                          const char *reason);
/* The body of that event as JSON text (for ft_events_tx_add_json); NULL when out of memory. The
 * caller frees it with cJSON_free. */
char *ft_ledger_debit_json(int64_t segments, const char *message_id, const char *reason);
ft_status ft_ledger_refund(ft_relay *app, int64_t segments, const char *message_id);

/* ---- twilio.c ---- */
int ft_twilio_start(ft_relay *app);
void ft_twilio_stop(ft_relay *app);
/* The configured Twilio auth token, for webhook signatures ("" when none). */
const char *ft_twilio_auth_token(const ft_relay *app);
/* POST /api/sandbox/inbound (sandbox mode only): asks the sandbox to deliver a customer's text. */
void ft_twilio_sandbox_inbound(ft_req *r);

/* ---- webhooks.c ---- */
typedef struct ft_form_param {
    char *name, *value;
} ft_form_param;
/* Parses an application/x-www-form-urlencoded body. *out is malloc'd in one block with the names and
 * values it points to; free with ft_form_free (only for what ft_form_parse made). */
int ft_form_parse(const char *body, size_t len, ft_form_param **out, size_t *n);
void ft_form_free(ft_form_param *p, size_t n);
/* The base64 HMAC-SHA1 Twilio signs: url followed by the sorted params (see RULES.md). malloc'd. */
char *ft_twilio_signature(const char *token, const char *url, const ft_form_param *params, size_t n);
/* Whether sig is valid for this url (also tried with/without the default port), params or body
 * (when the url carries bodySHA256). */
int ft_twilio_signature_valid(const char *token, const char *url, const ft_form_param *params, size_t n,
                              const char *body, size_t body_len, const char *sig);
void ft_webhooks_handle(ft_req *r);

/* ---- static.c / policy.c / api.c ---- */
void ft_static_serve(ft_req *r);
void ft_policy_page(ft_req *r);
void ft_api_handle(ft_req *r);
void ft_api_business_get(ft_relay *app, cJSON *into);
/* Appends HTML-escaped s to a growing buffer; returns 0 on NOMEM. */
typedef struct ft_buf {
    char *p;
    size_t len, cap;
} ft_buf;
int ft_buf_add(ft_buf *b, const char *s, size_t n);
int ft_buf_adds(ft_buf *b, const char *s);
int ft_buf_html(ft_buf *b, const char *s);

/* A Twilio reply read by libcurl (twilio.c, a2p.c): the body, capped at FT_CURL_REPLY_CAP (the
 * transfer fails beyond it), and Retry-After in seconds when Twilio sent one. */
#define FT_CURL_REPLY_CAP (256u * 1024u)
typedef struct ft_curl_reply {
    ft_buf body;
    long retry_after_s;
} ft_curl_reply;
/* CURLOPT_WRITEFUNCTION and CURLOPT_HEADERFUNCTION for an ft_curl_reply (the *DATA pointer). */
size_t ft_curl_reply_body(char *p, size_t size, size_t n, void *ud);
size_t ft_curl_reply_header(char *p, size_t size, size_t n, void *ud);

#endif
