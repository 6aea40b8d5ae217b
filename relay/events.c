/* fieldtext relay: the event log. Idempotent by event id, seq given here, rules checked before an
 * event is accepted, "events after N", and a live stream (Server-Sent Events). */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <microhttpd.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fieldtext/json.h"
#include "relay.h"

/* The event as JSON text: {"id","seq","at","actor","type","body",("client_at")}. malloc'd. */
static char *event_json(const ft_store_event *ev) {
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    cJSON_AddStringToObject(o, "id", ev->id);
    cJSON_AddNumberToObject(o, "seq", (double)ev->seq);
    cJSON_AddNumberToObject(o, "at", (double)ev->at);
    cJSON_AddStringToObject(o, "actor", ev->actor);
    cJSON_AddStringToObject(o, "type", ev->type);
    cJSON_AddItemToObject(o, "body", cJSON_CreateRaw(ev->body_json));
    if (ev->client_at) cJSON_AddNumberToObject(o, "client_at", (double)ev->client_at);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

typedef struct replay {
    ft_reducer *red;
    int64_t n;
} replay;

static int replay_one(void *ctx, const ft_store_event *ev) {
    replay *rp = ctx;
    char *s = event_json(ev);
    if (!s) return 1;
    ft_status st = ft_reducer_apply(rp->red, s, strlen(s));
    if (st != FT_OK) fprintf(stderr, "fieldtext-relay: event %lld not folded: %s\n", (long long)ev->seq, ft_strerror(st));
    cJSON_free(s);
    rp->n++;
    return 0;
}

/* ---- the state checkpoint ----
 * The resident reducer's snapshot (core ft_reducer_snapshot_json) with the seq it covers, in the
 * store's one-row checkpoint table: every checkpoint_every events (FIELDTEXT_CHECKPOINT_EVERY,
 * 10,000 by default) and at a clean stop. A start restores it and folds only the later events.
 * A checkpoint that does not check out (its hash, its version, its seq past the log, a snapshot the
 * core refuses) is ignored, and the whole log folded, as without one. The seq it covers is read
 * from the store under the log lock: every committed event up to it has been folded (commits and
 * folds happen under that lock), whether or not its fold succeeded. The snapshot is taken right after
 * a commit's fold and written by the next commit, inside its transaction (no fsync of its own). */

/* What the row's hash covers: the version, the seq and the snapshot. */
static void ckpt_hash(int64_t version, int64_t seq, const char *state, char out[65]) {
    char head[48];
    int n = snprintf(head, sizeof head, "%lld\n%lld\n", (long long)version, (long long)seq);
    size_t len = strlen(state);
    char *buf = malloc((size_t)n + len + 1);
    if (!buf) {
        out[0] = '\0';
        return;
    }
    memcpy(buf, head, (size_t)n);
    memcpy(buf + n, state, len + 1);
    ft_sha256_hex(buf, (size_t)n + len, out);
    free(buf);
}

static ft_status ckpt_write(ft_relay *app, int64_t seq, const char *state) {
    char sha[65];
    ckpt_hash(FT_REDUCER_SNAPSHOT_VERSION, seq, state, sha);
    if (!sha[0]) return FT_E_NOMEM;
    return ft_store_checkpoint_put(app->store, seq, FT_REDUCER_SNAPSHOT_VERSION, state, sha, ft_now_ms());
}

/* After a commit's fold (log lock held): takes a snapshot when checkpoint_every events went by. */
static void ckpt_maybe(ft_relay *app) {
    int every = app->cfg.checkpoint_every;
    if (every <= 0 || ft_reducer_last_seq(app->reducer) - app->ckpt_seq < every) return;
    int64_t seq = 0;
    if (ft_store_last_seq(app->store, &seq) != FT_OK) return;
    char *snap = ft_reducer_snapshot_json(app->reducer);
    if (!snap) return;
    ft_free(app->ckpt_pending);
    app->ckpt_pending = snap;
    app->ckpt_pending_seq = seq;
    app->ckpt_seq = seq; /* the next one is due checkpoint_every events after this one */
}

/* The checkpoint, restored: the reducer as of *seq. 0 (and why) when there is none to use. */
static int ckpt_load(ft_relay *app, int64_t log_last, ft_reducer **out, int64_t *seq, const char **why) {
    *out = NULL;
    int64_t version = 0;
    char *state = NULL, *sha = NULL;
    ft_status st = ft_store_checkpoint_get(app->store, seq, &version, &state, &sha);
    int ok = 0;
    if (st == FT_E_NOT_FOUND) {
        *why = "none yet";
    } else if (st != FT_OK) {
        *why = "unreadable";
    } else if (version != FT_REDUCER_SNAPSHOT_VERSION) {
        *why = "made by another version";
    } else {
        char want[65];
        ckpt_hash(version, *seq, state, want);
        if (!want[0] || !ft_consttime_eq(want, sha)) {
            *why = "damaged (its hash does not match)";
        } else if (*seq < 0 || *seq > log_last) {
            *why = "ahead of the log";
        } else if (ft_reducer_restore(state, strlen(state), out) != FT_OK || !ft_reducer_is_compact(*out)) {
            ft_reducer_free(*out);
            *out = NULL;
            *why = "not a snapshot this relay can read";
        } else {
            ok = 1;
        }
    }
    free(state);
    free(sha);
    if (!ok) *seq = 0;
    return ok;
}

/* The reducer of the log up to log_last: from the checkpoint when usable, else from the start. */
static ft_status fold_log(ft_relay *app, int64_t log_last, int use_ckpt, ft_reducer **out, int64_t *from,
                          int64_t *replayed, const char **why) {
    replay rp = {0};
    *from = 0;
    *why = NULL;
    if (!use_ckpt || !ckpt_load(app, log_last, &rp.red, from, why)) {
        if (ft_reducer_new_compact(&rp.red) != FT_OK) return FT_E_NOMEM;
    }
    ft_status st = ft_store_events_after(app->store, *from, 0, replay_one, &rp);
    if (st != FT_OK) {
        ft_reducer_free(rp.red);
        return st;
    }
    *out = rp.red;
    *replayed = rp.n;
    return FT_OK;
}

static void *gc_main(void *arg);        /* the commit thread (group commit) */
static void *sse_ticker_main(void *arg); /* the live streams' heartbeats */

int ft_events_init(ft_relay *app) {
    /* Resident: only what the rules read (consent per phone, balance, last seq; the core's compact
     * reducer), so memory does not grow with the log. GET /api/state folds a full one on demand. */
    int64_t last = 0, from = 0, n = 0;
    const char *why = NULL;
    if (ft_store_last_seq(app->store, &last) != FT_OK) return 0;
    if (fold_log(app, last, 1, &app->reducer, &from, &n, &why) != FT_OK) return 0;
    app->last_seq = last;
    app->ckpt_seq = from;
    if (pthread_create(&app->gc_thread, NULL, gc_main, app) != 0) return 0;
    app->gc_started = 1;
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setstacksize(&a, 256u * 1024u); /* it only moves list entries */
    app->sse_ticker_started = pthread_create(&app->sse_ticker, &a, sse_ticker_main, app) == 0;
    pthread_attr_destroy(&a);
    if (!app->sse_ticker_started) return 0;
    if (!why) printf("fieldtext-relay: state: checkpoint at seq %lld, %lld later events folded\n", (long long)from, (long long)n);
    else printf("fieldtext-relay: state: %lld events folded (checkpoint: %s)\n", (long long)n, why);
    fflush(stdout);
    return 1;
}

void ft_events_fini(ft_relay *app) {
    /* The HTTP server is stopped: no more work comes. */
    if (app->sse_ticker_started) {
        atomic_store(&app->stopping, 1);
        ft_events_notify(app, 0, 0);
        pthread_join(app->sse_ticker, NULL);
        app->sse_ticker_started = 0;
    }
    if (app->gc_started) {
        pthread_mutex_lock(&app->gc_lock);
        app->gc_quit = 1;
        pthread_mutex_unlock(&app->gc_lock);
        pthread_cond_signal(&app->gc_cond);
        pthread_join(app->gc_thread, NULL);
        app->gc_started = 0;
    }
    if (app->reducer && app->cfg.checkpoint_every > 0) {
        /* A clean stop: the next start folds nothing (every other thread is stopped). */
        int64_t seq = 0;
        char *snap = NULL;
        if (ft_store_last_seq(app->store, &seq) == FT_OK && (seq > app->ckpt_seq || app->ckpt_pending) &&
            (snap = ft_reducer_snapshot_json(app->reducer)) != NULL) {
            if (ft_store_begin(app->store) == FT_OK) {
                if (ckpt_write(app, seq, snap) == FT_OK) ft_store_commit(app->store);
                else ft_store_rollback(app->store);
            }
        }
        ft_free(snap);
    }
    ft_free(app->ckpt_pending);
    app->ckpt_pending = NULL;
    ft_reducer_free(app->reducer);
    app->reducer = NULL;
}

int ft_events_check_state(ft_relay *app) {
    int64_t last = 0, from = 0, n = 0, n_full = 0, from_full = 0;
    const char *why = NULL, *why_full = NULL;
    ft_reducer *ck = NULL, *full = NULL;
    if (ft_store_last_seq(app->store, &last) != FT_OK || fold_log(app, last, 1, &ck, &from, &n, &why) != FT_OK ||
        fold_log(app, last, 0, &full, &from_full, &n_full, &why_full) != FT_OK) {
        ft_reducer_free(ck);
        fprintf(stderr, "fieldtext-relay: cannot read the event log\n");
        return 0;
    }
    char *a = ft_reducer_snapshot_json(ck), *b = ft_reducer_snapshot_json(full);
    int same = a && b && strcmp(a, b) == 0;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "ok", a && b);
    cJSON_AddNumberToObject(o, "last_seq", (double)last);
    if (why) cJSON_AddNullToObject(o, "checkpoint_seq");
    else cJSON_AddNumberToObject(o, "checkpoint_seq", (double)from);
    if (why) cJSON_AddStringToObject(o, "checkpoint", why);
    cJSON_AddNumberToObject(o, "folded_after_checkpoint", (double)n);
    cJSON_AddNumberToObject(o, "folded_in_full", (double)n_full);
    cJSON_AddBoolToObject(o, "same", same);
    char *out = cJSON_PrintUnformatted(o);
    if (out) printf("%s\n", out);
    fflush(stdout);
    cJSON_free(out);
    cJSON_Delete(o);
    ft_free(a);
    ft_free(b);
    ft_reducer_free(ck);
    ft_reducer_free(full);
    return same;
}

static void sse_unpark(ft_relay *app, int all, int64_t now);

void ft_events_notify(ft_relay *app, int64_t seq, int outbox) {
    int stopping = atomic_load(&app->stopping);
    pthread_mutex_lock(&app->notify_lock);
    if (seq > app->last_seq || stopping) {
        if (seq > app->last_seq) app->last_seq = seq;
        sse_unpark(app, 1, 0); /* the live streams: their next events, or their end */
        if (stopping) pthread_cond_broadcast(&app->notify_cond); /* the heartbeat thread */
    }
    if (outbox || stopping) {
        if (outbox) app->outbox_kick = 1;
        pthread_cond_broadcast(&app->outbox_cond);
    }
    pthread_mutex_unlock(&app->notify_lock);
}

/* ---- transactions ---- */

ft_status ft_events_tx_begin(ft_relay *app, ft_events_tx *tx) {
    memset(tx, 0, sizeof *tx);
    tx->app = app;
    pthread_mutex_lock(&app->log_lock);
    ft_status st = ft_store_begin(app->store);
    if (st != FT_OK) pthread_mutex_unlock(&app->log_lock);
    return st;
}

static int tx_push(ft_events_tx *tx, char *json) {
    if (tx->n == tx->cap) {
        int cap = tx->cap ? tx->cap * 2 : 16;
        char **p = realloc(tx->pending, (size_t)cap * sizeof *p);
        if (!p) return 0;
        tx->pending = p;
        tx->cap = cap;
    }
    tx->pending[tx->n++] = json;
    return 1;
}

ft_status ft_events_tx_add(ft_events_tx *tx, const char *id, const char *actor, const char *type,
                           const cJSON *body, int64_t client_at, int64_t *seq) {
    return ft_events_tx_add_at(tx, id, actor, type, body, client_at, 0, seq);
}

ft_status ft_events_tx_add_at(ft_events_tx *tx, const char *id, const char *actor, const char *type,
                              const cJSON *body, int64_t client_at, int64_t at, int64_t *seq) {
    char *body_s = cJSON_PrintUnformatted(body);
    if (!body_s) return FT_E_NOMEM;
    ft_status st = ft_events_tx_add_json(tx, id, actor, type, body_s, client_at, at, seq);
    cJSON_free(body_s);
    return st;
}

/* s as a JSON string. */
static int buf_json_str(ft_buf *b, const char *s) {
    static const char hex[] = "0123456789abcdef";
    if (!ft_buf_add(b, "\"", 1)) return 0;
    const char *run = s;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        if (!ft_buf_add(b, run, (size_t)(s - run))) return 0;
        char esc[6] = {'\\', (char)c, 0, 0, 0, 0};
        size_t n = 2;
        if (c < 0x20) {
            memcpy(esc, "\\u00", 4);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            n = 6;
        }
        if (!ft_buf_add(b, esc, n)) return 0;
        run = s + 1;
    }
    return ft_buf_add(b, run, (size_t)(s - run)) && ft_buf_add(b, "\"", 1);
}

/* The event as event_json writes it, from its body's JSON text, without building a cJSON tree: this
 * runs inside the group commit, for every event. malloc'd. */
static char *event_json_text(const ft_store_event *ev) {
    ft_buf b = {0};
    char num[48];
    snprintf(num, sizeof num, ",\"seq\":%lld,\"at\":%lld,\"actor\":", (long long)ev->seq, (long long)ev->at);
    int ok = ft_buf_add(&b, "{\"id\":", 6) && buf_json_str(&b, ev->id) && ft_buf_adds(&b, num) &&
             buf_json_str(&b, ev->actor) && ft_buf_add(&b, ",\"type\":", 8) && buf_json_str(&b, ev->type) &&
             ft_buf_add(&b, ",\"body\":", 8) && ft_buf_adds(&b, ev->body_json);
    if (ok && ev->client_at) {
        snprintf(num, sizeof num, ",\"client_at\":%lld", (long long)ev->client_at);
        ok = ft_buf_adds(&b, num);
    }
    if (!ok || !ft_buf_add(&b, "}", 1)) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

ft_status ft_events_tx_add_json(ft_events_tx *tx, const char *id, const char *actor, const char *type,
                                const char *body_json, int64_t client_at, int64_t at, int64_t *seq) {
    ft_store_event ev = {.id = id, .type = type, .actor = actor, .body_json = body_json, .at = at ? at : ft_now_ms(),
                         .client_at = client_at};
    int64_t s = 0;
    ft_status st = ft_store_event_append(tx->app->store, &ev, &s);
    if (seq) *seq = s;
    if (st == FT_OK) {
        ev.seq = s;
        char *j = event_json_text(&ev);
        if (!j) st = FT_E_NOMEM;
        else if (!tx_push(tx, j)) {
            free(j);
            st = FT_E_NOMEM;
        }
    }
    return st;
}

static void tx_drop_pending(ft_events_tx *tx, int from) {
    for (int i = from; i < tx->n; i++) free(tx->pending[i]);
    tx->n = from;
}

static void tx_release(ft_events_tx *tx) {
    tx_drop_pending(tx, 0);
    free(tx->pending);
    tx->pending = NULL;
    tx->cap = 0;
    pthread_mutex_unlock(&tx->app->log_lock);
}

ft_status ft_events_tx_commit(ft_events_tx *tx) {
    ft_relay *app = tx->app;
    /* A checkpoint taken after an earlier commit rides on this one (a failed write only waits for the next). */
    int ckpt = app->ckpt_pending && ckpt_write(app, app->ckpt_pending_seq, app->ckpt_pending) == FT_OK;
    ft_status st = ft_store_commit(app->store);
    int64_t last = 0;
    if (st == FT_OK) {
        if (ckpt) {
            ft_free(app->ckpt_pending);
            app->ckpt_pending = NULL;
        }
        for (int i = 0; i < tx->n; i++) {
            ft_status a = ft_reducer_apply(app->reducer, tx->pending[i], strlen(tx->pending[i]));
            if (a != FT_OK) fprintf(stderr, "fieldtext-relay: accepted event not folded: %s\n", ft_strerror(a));
        }
        last = ft_reducer_last_seq(app->reducer);
        if (tx->n) ckpt_maybe(app);
    }
    tx_release(tx);
    if (st == FT_OK && last) ft_events_notify(tx->app, last, 0);
    return st;
}

void ft_events_tx_abort(ft_events_tx *tx) {
    ft_store_rollback(tx->app->store);
    tx_release(tx);
}

ft_status ft_events_append_one(ft_relay *app, const char *id, const char *actor, const char *type,
                               const cJSON *body, int64_t *seq) {
    ft_events_tx tx;
    ft_status st = ft_events_tx_begin(app, &tx);
    if (st != FT_OK) return st;
    st = ft_events_tx_add(&tx, id, actor, type, body, 0, seq);
    if (st != FT_OK) {
        ft_events_tx_abort(&tx);
        return st;
    }
    return ft_events_tx_commit(&tx);
}

/* ---- group commit ----
 * A webhook's 200 may only go out after its rows are on disk (synchronous=FULL: an fsync per
 * commit). One fsync per request caps the relay at the disk's fsync rate, so concurrent requests
 * share a commit: each queues its work (ft_events_submit) and the commit thread takes the whole
 * queue, runs every item in one transaction (each inside its own savepoint), commits once, then
 * calls each item's done. A lone request commits at once (no waiting for company); under load the
 * batch is whatever queued during the previous fsync. The webhooks' connections are suspended
 * meanwhile (http.c): no thread waits per request, so a batch costs the commit thread one wake-up
 * and each polling thread one, instead of a switch per request. */

#define GC_MAX_BATCH 512

static void gc_run_batch(ft_relay *app, ft_gc_item *batch) {
    ft_events_tx tx;
    ft_status st = ft_events_tx_begin(app, &tx);
    if (st != FT_OK) {
        for (ft_gc_item *it = batch; it; it = it->next) it->st = st;
        return;
    }
    for (ft_gc_item *it = batch; it; it = it->next) {
        int mark = tx.n;
        if (ft_store_savepoint(app->store) != FT_OK) {
            it->st = FT_E_STORAGE;
            continue;
        }
        it->st = it->fn(&tx, it->ctx);
        if (it->st == FT_OK && ft_store_savepoint_release(app->store) != FT_OK) it->st = FT_E_STORAGE;
        if (it->st != FT_OK) {
            ft_store_savepoint_rollback(app->store);
            tx_drop_pending(&tx, mark);
        }
    }
    st = ft_events_tx_commit(&tx);
    if (st != FT_OK) {
        for (ft_gc_item *it = batch; it; it = it->next) {
            if (it->st == FT_OK) it->st = st;
        }
    }
}

static void *gc_main(void *arg) {
    ft_relay *app = arg;
    pthread_mutex_lock(&app->gc_lock);
    for (;;) {
        while (!app->gc_head && !app->gc_quit) {
            app->gc_idle = 1;
            pthread_cond_wait(&app->gc_cond, &app->gc_lock);
        }
        app->gc_idle = 0;
        if (!app->gc_head) break; /* told to quit, and nothing left */
        ft_gc_item *batch = app->gc_head, *last = batch;
        for (int k = 1; k < GC_MAX_BATCH && last->next; k++) last = last->next;
        app->gc_head = last->next;
        if (!app->gc_head) app->gc_tail = NULL;
        last->next = NULL;
        pthread_mutex_unlock(&app->gc_lock);
        gc_run_batch(app, batch);
        for (ft_gc_item *it = batch, *nx; it; it = nx) {
            nx = it->next; /* it may be gone once done */
            it->done(it);
        }
        pthread_mutex_lock(&app->gc_lock);
    }
    pthread_mutex_unlock(&app->gc_lock);
    return NULL;
}

void ft_events_submit(ft_relay *app, ft_gc_item *it) {
    it->next = NULL;
    pthread_mutex_lock(&app->gc_lock);
    if (app->gc_tail) app->gc_tail->next = it;
    else app->gc_head = it;
    app->gc_tail = it;
    int wake = app->gc_idle;
    app->gc_idle = 0; /* one signal is enough */
    pthread_mutex_unlock(&app->gc_lock);
    if (wake) pthread_cond_signal(&app->gc_cond);
}

static void run_done(ft_gc_item *it) { sem_post(it->done_ctx); }

ft_status ft_events_run(ft_relay *app, ft_events_work_fn fn, void *ctx) {
    sem_t wake;
    if (sem_init(&wake, 0, 0) != 0) return FT_E_INTERNAL;
    ft_gc_item me = {.fn = fn, .ctx = ctx, .done = run_done, .done_ctx = &wake};
    ft_events_submit(app, &me);
    while (sem_wait(&wake) != 0) {
        /* EINTR: wait again */
    }
    sem_destroy(&wake);
    return me.st;
}

/* ---- POST /api/events ---- */

static cJSON *result_error(const char *id, int code, const char *why) {
    cJSON *o = cJSON_CreateObject();
    if (id) cJSON_AddStringToObject(o, "id", id);
    else cJSON_AddNullToObject(o, "id");
    cJSON *e = cJSON_AddObjectToObject(o, "error");
    cJSON_AddNumberToObject(e, "code", code);
    cJSON_AddStringToObject(e, "name", ft_strerror_name(code));
    cJSON_AddStringToObject(e, "message", why && why[0] ? why : ft_strerror(code));
    cJSON_AddNumberToObject(e, "status", ft_http_status_of(code)); /* what a lone request would get */
    return o;
}

static cJSON *result_ok(const char *id, int64_t seq, int duplicate) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", id);
    cJSON_AddNumberToObject(o, "seq", (double)seq);
    if (duplicate) cJSON_AddBoolToObject(o, "duplicate", 1);
    return o;
}

/* A message.send: checked, logged with its debit, and queued for Twilio in one transaction. */
static ft_status accept_send(ft_relay *app, const char *id, const char *actor, cJSON *body, int64_t client_at,
                             int64_t *seq, char *why, size_t why_cap) {
    /* The send window is judged on the relay's rule clock: the scheduler's, shifted only by
     * FIELDTEXT_CLOCK_OFFSET_MS in tests so they mean the same at any hour. */
    return ft_events_accept_send(app, id, actor, body, client_at, ft_reminders_now_ms(app), NULL, NULL, seq, NULL, why,
                                 why_cap);
}

ft_status ft_events_accept_send(ft_relay *app, const char *id, const char *actor, cJSON *body, int64_t client_at,
                                int64_t now_ms, const char *rem_job, const char *rem_occ, int64_t *seq,
                                int64_t *next_ms_out, char *why, size_t why_cap) {
    const char *phone = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "phone"));
    const char *text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "body"));
    const char *mid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "message_id"));
    if (!mid) {
        mid = id;
        cJSON_AddStringToObject(body, "message_id", id);
    }
    ft_events_tx tx;
    ft_status st = ft_events_tx_begin(app, &tx);
    if (st != FT_OK) return st;
    uint32_t segments = 0;
    st = ft_a2p_can_send(app, why, why_cap); /* FIELDTEXT_REQUIRE_REGISTRATION: the campaign first */
    if (st != FT_OK) {
        ft_events_tx_abort(&tx);
        return st;
    }
    st = ft_rules_can_send(app, phone, text, &segments);
    if (st != FT_OK) {
        ft_events_tx_abort(&tx);
        if (st == FT_E_BALANCE) snprintf(why, why_cap, "the balance cannot cover this message: buy a bundle");
        return st;
    }
    int64_t next_ms = 0;
    st = ft_rules_send_window(app, phone, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "kind")),
                              now_ms, &next_ms, why, why_cap);
    if (next_ms_out) *next_ms_out = next_ms;
    if (st != FT_OK) {
        ft_events_tx_abort(&tx);
        return st;
    }
    cJSON_DeleteItemFromObjectCaseSensitive(body, "segments");
    cJSON_AddNumberToObject(body, "segments", segments);
    char debit_id[37], name[128];
    snprintf(name, sizeof name, "debit:%s", mid);
    ft_uuid_from_name(name, debit_id);
    st = ft_events_tx_add(&tx, id, actor, "message.send", body, client_at, seq);
    if (st == FT_OK) st = ft_ledger_debit(&tx, debit_id, segments, mid, "sent");
    if (st == FT_OK) st = ft_store_outbox_add(app->store, mid, phone, text, segments, ft_now_ms());
    /* A reminder's exactly-once key commits with its send, or neither does. */
    if (st == FT_OK && rem_job) st = ft_store_reminder_key_add(app->store, rem_job, rem_occ, "sent", mid, NULL, ft_now_ms());
    if (st == FT_E_CONFLICT) snprintf(why, why_cap, "that message_id was used already");
    if (st != FT_OK) {
        ft_events_tx_abort(&tx);
        return st;
    }
    st = ft_events_tx_commit(&tx);
    if (st == FT_OK) ft_events_notify(app, 0, 1);
    return st;
}

static cJSON *accept_one(ft_req *r, cJSON *ev) {
    ft_relay *app = r->app;
    const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ev, "id"));
    const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(ev, "type"));
    cJSON *body = cJSON_GetObjectItemCaseSensitive(ev, "body");
    const cJSON *at = cJSON_GetObjectItemCaseSensitive(ev, "at");
    if (!cJSON_IsObject(ev)) return result_error(NULL, FT_E_JSON_SHAPE, "an event must be an object");
    if (!ft_is_uuid(id)) return result_error(id, FT_E_EVENT_ID, NULL);
    int64_t seq = 0;
    if (ft_store_event_seq(app->store, id, &seq) == FT_OK) return result_ok(id, seq, 1);
    if (!type) return result_error(id, FT_E_JSON_SHAPE, "type (a string) is required");
    if (!cJSON_IsObject(body)) return result_error(id, FT_E_JSON_SHAPE, "body (an object) is required");
    int64_t client_at = cJSON_IsNumber(at) ? (int64_t)at->valuedouble : 0;
    char why[256] = "";
    ft_status st = ft_rules_check_client_event(app, r->role, type, body, why, sizeof why);
    if (st != FT_OK) return result_error(id, st, why);
    if (strcmp(type, "message.send") == 0) {
        st = accept_send(app, id, r->user_id, body, client_at, &seq, why, sizeof why);
    } else if (strncmp(type, "consent.", 8) == 0) {
        /* The core's state machine decides; the chained record is the body (relay/consent.c). */
        ft_events_tx tx;
        st = ft_events_tx_begin(app, &tx);
        if (st == FT_OK) {
            st = ft_consent_accept(&tx, id, r->user_id, r->user_name, type, body, client_at, &seq, why, sizeof why);
            if (st == FT_OK) st = ft_events_tx_commit(&tx);
            else ft_events_tx_abort(&tx);
            /* A customer opted in (again): reminders skipped for want of consent may go now. */
            if (st == FT_OK && strcmp(type, "consent.box_checked") == 0) ft_reminders_kick(app);
        }
    } else {
        ft_events_tx tx;
        st = ft_events_tx_begin(app, &tx);
        if (st == FT_OK) {
            st = ft_events_tx_add(&tx, id, r->user_id, type, body, client_at, &seq);
            /* Jobs and templates are also kept by key for the scheduler, in the same transaction. */
            if (st == FT_OK) st = ft_reminders_record(&tx, type, body, seq);
            if (st == FT_OK) st = ft_events_tx_commit(&tx);
            else ft_events_tx_abort(&tx);
            if (st == FT_OK && ft_reminders_wakes(type))
                ft_reminders_kick(app);
        }
    }
    if (st == FT_E_CONFLICT && ft_store_event_seq(app->store, id, &seq) == FT_OK) return result_ok(id, seq, 1);
    if (st != FT_OK) return result_error(id, st, why);
    return result_ok(id, seq, 0);
}

void ft_events_post(ft_req *r) {
    if (!ft_auth_require(r)) return;
    cJSON *j = ft_http_body_json(r);
    if (!j) return;
    cJSON *events = cJSON_GetObjectItemCaseSensitive(j, "events");
    if (!cJSON_IsArray(events)) {
        cJSON_Delete(j);
        ft_http_error(r, FT_E_JSON_SHAPE, "events (an array) is required");
        return;
    }
    if (cJSON_GetArraySize(events) > FT_RELAY_MAX_EVENTS_PER_POST) {
        cJSON_Delete(j);
        ft_http_error(r, FT_E_TOO_LARGE, "at most 100 events a request");
        r->status = 413;
        return;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "ok", 1);
    cJSON *results = cJSON_AddArrayToObject(o, "results");
    cJSON *ev;
    cJSON_ArrayForEach(ev, events) cJSON_AddItemToArray(results, accept_one(r, ev));
    cJSON_Delete(j);
    ft_http_json(r, 200, o);
}

/* ---- GET /api/events ---- */

static int collect(void *ctx, const ft_store_event *ev) {
    char *s = event_json(ev);
    if (!s) return 1;
    cJSON_AddItemToArray(ctx, cJSON_CreateRaw(s));
    cJSON_free(s);
    return 0;
}

static int64_t parse_int(const char *s, int64_t dflt) {
    if (!s || !*s) return dflt;
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (*end || errno || v < 0) return -1;
    return v;
}

void ft_events_get(ft_req *r) {
    if (!ft_auth_require(r)) return;
    int64_t after = parse_int(ft_http_query(r, "after"), 0);
    int64_t limit = parse_int(ft_http_query(r, "limit"), FT_RELAY_EVENTS_PAGE);
    if (after < 0 || limit < 0) {
        ft_http_error(r, FT_E_INVALID_ARG, "after and limit must be non-negative integers");
        return;
    }
    if (limit == 0 || limit > FT_RELAY_EVENTS_PAGE) limit = FT_RELAY_EVENTS_PAGE;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "ok", 1);
    cJSON *arr = cJSON_AddArrayToObject(o, "events");
    int64_t last = 0;
    ft_store_last_seq(r->app->store, &last);
    if (ft_store_events_after(r->app->store, after, limit, collect, arr) != FT_OK) {
        cJSON_Delete(o);
        ft_http_error(r, FT_E_STORAGE, NULL);
        return;
    }
    cJSON_AddNumberToObject(o, "last_seq", (double)last);
    ft_http_json(r, 200, o);
}

/* GET /api/state: the log folded from SQLite through a full reducer (the core's), on demand, a page
 * of events at a time (the store's lock is held for one page, not the whole walk), up to the last
 * seq committed when the request came: nothing of it stays resident after the reply. */
typedef struct state_fold {
    ft_reducer *red;
    int64_t until, next;
    ft_status st;
} state_fold;

static int state_fold_one(void *ctx, const ft_store_event *ev) {
    state_fold *f = ctx;
    if (ev->seq > f->until) return 1;
    f->next = ev->seq;
    char *s = event_json(ev);
    if (!s) {
        f->st = FT_E_NOMEM;
        return 1;
    }
    ft_status st = ft_reducer_apply(f->red, s, strlen(s));
    cJSON_free(s);
    if (st == FT_E_NOMEM) {
        f->st = st;
        return 1;
    }
    return 0; /* another error: that event is not folded (as when it was accepted) */
}

void ft_events_state(ft_req *r) {
    if (!ft_auth_require(r)) return;
    state_fold f = {0};
    ft_status st = ft_store_last_seq(r->app->store, &f.until);
    if (st == FT_OK) st = ft_reducer_new(&f.red);
    while (st == FT_OK && f.next < f.until) {
        int64_t before = f.next;
        st = ft_store_events_after(r->app->store, before, FT_RELAY_EVENTS_PAGE, state_fold_one, &f);
        if (st == FT_OK) st = f.st;
        if (f.next == before) break; /* nothing after it (cannot happen: seqs only grow) */
    }
    char *s = st == FT_OK ? ft_reducer_state_json(f.red) : NULL;
    ft_reducer_free(f.red);
#ifdef __GLIBC__
    malloc_trim(0); /* the folded state was the size of the log: give those pages back */
#endif
    if (!s) {
        ft_http_error(r, st == FT_OK ? FT_E_NOMEM : st, NULL);
        return;
    }
    ft_http_reply(r, 200, "application/json; charset=utf-8", s, strlen(s));
    free(s);
}

/* ---- GET /api/stream: Server-Sent Events ----
 * No thread waits for a stream's next event: with nothing to send, the content reader suspends its
 * connection and parks it (app->sse_parked); a commit (ft_events_notify) resumes every parked
 * stream, the heartbeat thread those whose heartbeat is due, and a stop all of them. The events are
 * read from SQLite on a worker thread (ft_http_defer), never on the polling thread: the store's
 * lock is held by the commit thread through each fsync. */

typedef struct sse_ctx {
    ft_relay *app;
    struct MHD_Connection *conn;
    int64_t after;
    int64_t heartbeat_at; /* ms (CLOCK_REALTIME, as ft_now_ms): when a heartbeat is due */
    ft_buf out;
    size_t sent;
    int fetching;         /* a worker reads the log: connection suspended */
    int parked;           /* on app->sse_parked: connection suspended */
    ft_status fetch_st;
    struct ft_http_job job;
    struct sse_ctx *next; /* on app->sse_parked */
} sse_ctx;

static int sse_add(void *ctx, const ft_store_event *ev) {
    sse_ctx *c = ctx;
    char *s = event_json(ev);
    if (!s) return 1;
    char head[64];
    snprintf(head, sizeof head, "id: %lld\nevent: ft\ndata: ", (long long)ev->seq);
    ft_buf_adds(&c->out, head);
    ft_buf_adds(&c->out, s); /* compact JSON has no newline */
    ft_buf_adds(&c->out, "\n\n");
    cJSON_free(s);
    c->after = ev->seq;
    return 0;
}

/* On a worker: the next events into c->out, then the connection goes on. */
static void sse_fetch(void *arg) {
    sse_ctx *c = arg;
    c->fetch_st = ft_store_events_after(c->app->store, c->after, 100, sse_add, c);
    ft_http_resume(c->conn);
}

/* Resumes the parked streams (notify_lock held): all of them, or those whose heartbeat is due at now. */
static void sse_unpark(ft_relay *app, int all, int64_t now) {
    for (sse_ctx **pp = &app->sse_parked; *pp;) {
        sse_ctx *c = *pp;
        if (all || c->heartbeat_at <= now) {
            *pp = c->next;
            c->next = NULL;
            c->parked = 0;
            ft_http_resume(c->conn);
        } else {
            pp = &c->next;
        }
    }
}

/* The heartbeat thread: wakes when the first parked stream's heartbeat is due. */
static void *sse_ticker_main(void *arg) {
    ft_relay *app = arg;
    pthread_mutex_lock(&app->notify_lock);
    while (!atomic_load(&app->stopping)) {
        int64_t now = ft_now_ms(), due = 0;
        sse_unpark(app, 0, now);
        for (sse_ctx *c = app->sse_parked; c; c = c->next) {
            if (!due || c->heartbeat_at < due) due = c->heartbeat_at;
        }
        app->sse_tick_due = due;
        if (!due) {
            pthread_cond_wait(&app->notify_cond, &app->notify_lock);
        } else {
            struct timespec until = {.tv_sec = (time_t)(due / 1000), .tv_nsec = (long)(due % 1000) * 1000000L};
            pthread_cond_timedwait(&app->notify_cond, &app->notify_lock, &until);
        }
    }
    sse_unpark(app, 1, 0);
    pthread_mutex_unlock(&app->notify_lock);
    return NULL;
}

static ssize_t sse_read(void *cls, uint64_t pos, char *buf, size_t max) {
    (void)pos;
    sse_ctx *c = cls;
    if (c->sent == c->out.len) {
        ft_relay *app = c->app;
        int fetched = c->fetching;
        c->fetching = 0;
        if (fetched && c->fetch_st != FT_OK) return MHD_CONTENT_READER_END_WITH_ERROR;
        if (c->out.len == 0) {
            c->sent = 0;
            pthread_mutex_lock(&app->notify_lock);
            int stopping = atomic_load(&app->stopping);
            int64_t last = app->last_seq, now = ft_now_ms();
            int fetch = !stopping && last > c->after && !fetched;
            int park = !stopping && !fetch && now < c->heartbeat_at;
            if ((fetch || park) && !ft_http_suspend(c->conn)) stopping = 1, fetch = park = 0;
            if (park) {
                c->parked = 1;
                c->next = app->sse_parked;
                app->sse_parked = c;
                if (!app->sse_tick_due || c->heartbeat_at < app->sse_tick_due) {
                    app->sse_tick_due = c->heartbeat_at;
                    pthread_cond_signal(&app->notify_cond); /* the heartbeat thread: an earlier deadline */
                }
            }
            pthread_mutex_unlock(&app->notify_lock);
            if (stopping) return MHD_CONTENT_READER_END_OF_STREAM;
            if (fetch) {
                c->fetching = 1;
                c->job.fn = sse_fetch;
                c->job.arg = c;
                ft_http_defer(&c->job);
                return 0; /* called again once resumed */
            }
            if (park) return 0;
            ft_buf_adds(&c->out, ": heartbeat\n\n"); /* due, or the fetch found nothing */
            if (c->out.len == 0) return MHD_CONTENT_READER_END_WITH_ERROR;
        }
        c->heartbeat_at = ft_now_ms() + FT_RELAY_SSE_HEARTBEAT_MS;
    }
    size_t n = c->out.len - c->sent;
    if (n > max) n = max;
    memcpy(buf, c->out.p + c->sent, n);
    c->sent += n;
    if (c->sent == c->out.len) c->out.len = c->sent = 0;
    return (ssize_t)n;
}

static void sse_free(void *cls) {
    sse_ctx *c = cls;
    free(c->out.p);
    free(c);
}

void ft_events_stream(ft_req *r) {
    if (!ft_auth_require(r)) return;
    const char *a = ft_http_query(r, "after");
    if (!a) a = ft_http_get_header(r, "Last-Event-ID");
    int64_t after = parse_int(a, 0);
    if (after < 0) {
        ft_http_error(r, FT_E_INVALID_ARG, "after must be a non-negative integer");
        return;
    }
    sse_ctx *c = calloc(1, sizeof *c);
    if (!c) {
        ft_http_error(r, FT_E_NOMEM, NULL);
        return;
    }
    c->app = r->app;
    c->conn = r->conn;
    c->after = after;
    c->heartbeat_at = ft_now_ms() + FT_RELAY_SSE_HEARTBEAT_MS;
    ft_buf_adds(&c->out, "retry: 2000\n: connected\n\n");
    r->resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16384, sse_read, c, sse_free);
    if (!r->resp) {
        sse_free(c);
        ft_http_error(r, FT_E_NOMEM, NULL);
        return;
    }
    r->status = 200;
    ft_http_header(r, "Content-Type", "text/event-stream; charset=utf-8");
    ft_http_header(r, "Cache-Control", "no-store");
    ft_http_header(r, "X-Accel-Buffering", "no");
}
