/* fieldtext relay: the SQLite implementation of store.h (WAL, one connection behind a lock). */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include "store.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Statements of the hot path: transaction control and the log's append run for every event, so they are prepared once and kept (their use is serialised by the store's lock) and
 * reset after each use, rather than compiled each time as the others are. */
enum { HOT_BEGIN, HOT_COMMIT, HOT_ROLLBACK, HOT_SAVEPOINT, HOT_RELEASE, HOT_ROLLBACK_TO, HOT_EVENT_SEQ, HOT_EVENT_INSERT,
       HOT_N };
static const char *const HOT_SQL[HOT_N] = {
    "BEGIN IMMEDIATE", "COMMIT", "ROLLBACK", "SAVEPOINT ft_item", "RELEASE ft_item", "ROLLBACK TO ft_item",
    "SELECT seq FROM events WHERE id=?", "INSERT INTO events(id,at,actor,type,body,client_at) VALUES(?,?,?,?,?,?)"};

struct ft_store {
    sqlite3 *db;
    pthread_mutex_t lock; /* recursive: begin/commit hold it across calls */
    sqlite3_stmt *hot[HOT_N]; /* prepared at first use, finalized at close */
    /* WAL checkpoints run on a thread of their own with its own connection (wal_main), never in
     * a commit: the commit path only appends to the WAL and fsyncs it. */
    char *path;
    pthread_t wal_thread;
    int wal_started;
    pthread_mutex_t wal_lock;
    pthread_cond_t wal_cond;
    int wal_frames;         /* frames in the WAL at the last commit (under wal_lock) */
    int wal_done;           /* of them, copied into the database by the last checkpoint (under wal_lock) */
    unsigned wal_gen;       /* bumped each time the WAL starts over (under wal_lock) */
    int wal_quit;           /* under wal_lock */
};

/* A checkpoint starts once the WAL holds this many frames (pages), in the background. A
 * checkpoint's writes and fsync delay the commits' own fsyncs on the same disk for as long as it
 * runs: SQLite's default of 1,000 frames put the p99 of webhooks at 1,000/s at 3.8-5.6 ms; 500
 * frames, 3.1 ms at the same throughput at full speed (200: 1.5 ms, but 15% fewer webhooks a
 * second: each hot index page is then copied more often; scripts/bench-relay). When the writers
 * keep adding frames during a checkpoint, the WAL cannot start over from its beginning (SQLite
 * restarts it only once every frame is copied): past WAL_RESTART_FRAMES the last few frames are
 * copied with commits held off for that short moment, so the WAL file is reused (overwriting a
 * file is a cheaper fsync than growing one) and stays around 16 MiB at most. */
#define WAL_CHECKPOINT_FRAMES 500
#define WAL_RESTART_FRAMES 4000

static const char *const SCHEMA =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=FULL;"
    /* 512 KiB of page cache (SQLite's default is 2 MiB): the log is appended to, and what a
     * request reads is a few index pages; the rest comes from the OS's file cache. */
    "PRAGMA cache_size=-512;"
    "PRAGMA foreign_keys=ON;"
    "CREATE TABLE IF NOT EXISTS settings(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS events(seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,"
    " at INTEGER NOT NULL, actor TEXT NOT NULL, type TEXT NOT NULL, body TEXT NOT NULL, client_at INTEGER);"
    /* Partial indexes: the consent records and customer saves that accept-time checks read, found
     * without scanning every message of the log (rows of other types are not in them). */
    "CREATE INDEX IF NOT EXISTS events_consent ON events(seq) WHERE type >= 'consent.' AND type < 'consent/';"
    "CREATE INDEX IF NOT EXISTS events_customer ON events(seq) WHERE type = 'customer.saved';"
    "CREATE TABLE IF NOT EXISTS users(id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE, name TEXT NOT NULL,"
    " role TEXT NOT NULL CHECK(role IN ('admin','staff')), pw_hash TEXT NOT NULL, created_at INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS sessions(token_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id),"
    " csrf TEXT NOT NULL, expires_at INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS outbox(message_id TEXT PRIMARY KEY, phone TEXT NOT NULL, body TEXT NOT NULL,"
    " segments INTEGER NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,"
    " next_attempt_at INTEGER NOT NULL, sid TEXT, last_error TEXT, created_at INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS outbox_due ON outbox(state, next_attempt_at);"
    "CREATE INDEX IF NOT EXISTS outbox_sid ON outbox(sid);"
    /* No longer written: webhooks are deduplicated by their event's id (relay/webhooks.c), which the
     * log's UNIQUE index checks anyway. Kept so that databases made before open alike. */
    "CREATE TABLE IF NOT EXISTS webhook_seen(sid TEXT NOT NULL, status TEXT NOT NULL, at INTEGER NOT NULL,"
    " PRIMARY KEY(sid, status));"
    /* The state checkpoint (relay/events.c): the resident reducer as of seq, so a start folds only
     * the events after it. One row. */
    "CREATE TABLE IF NOT EXISTS checkpoint(id INTEGER PRIMARY KEY CHECK(id = 1), seq INTEGER NOT NULL,"
    " version INTEGER NOT NULL, state TEXT NOT NULL, sha256 TEXT NOT NULL, at INTEGER NOT NULL);"
    /* Reminders (relay/reminders.c): the latest job.saved per job and template.saved per template,
     * and one row per (job, occurrence) once its reminder was enqueued or skipped (exactly once). */
    "CREATE TABLE IF NOT EXISTS jobs(job_id TEXT PRIMARY KEY, body TEXT NOT NULL, seq INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS templates(template_id TEXT PRIMARY KEY, job_type TEXT NOT NULL COLLATE NOCASE,"
    " body TEXT NOT NULL, seq INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS templates_type ON templates(job_type, seq);"
    "CREATE TABLE IF NOT EXISTS reminder_keys(job_id TEXT NOT NULL, occurrence TEXT NOT NULL, outcome TEXT NOT NULL,"
    " message_id TEXT, reason TEXT, at INTEGER NOT NULL, PRIMARY KEY(job_id, occurrence));"
    "CREATE INDEX IF NOT EXISTS reminder_keys_msg ON reminder_keys(message_id);"
    "CREATE INDEX IF NOT EXISTS reminder_keys_occ ON reminder_keys(occurrence);";

static int reminder_keys_upgrade(sqlite3 *db); /* columns added later (reminders section) */

#define LOCK(s) pthread_mutex_lock(&(s)->lock)
#define UNLOCK(s) pthread_mutex_unlock(&(s)->lock)

/* ---- WAL checkpoints, off the commit path ---- */

/* After each commit (store lock held): wakes the checkpointer each WAL_CHECKPOINT_FRAMES new frames. */
static int wal_hook(void *ud, sqlite3 *db, const char *name, int frames) {
    (void)db;
    (void)name;
    ft_store *s = ud;
    pthread_mutex_lock(&s->wal_lock);
    if (frames < s->wal_frames) { /* the WAL started over */
        s->wal_done = 0;
        s->wal_gen++;
    }
    s->wal_frames = frames;
    if (frames >= s->wal_done + WAL_CHECKPOINT_FRAMES) pthread_cond_signal(&s->wal_cond);
    pthread_mutex_unlock(&s->wal_lock);
    return SQLITE_OK;
}

static void *wal_main(void *arg) {
    ft_store *s = arg;
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(s->path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
        sqlite3_exec(db, "PRAGMA synchronous=FULL; PRAGMA cache_size=8;", NULL, NULL, NULL) != SQLITE_OK) {
        /* Without it the WAL would only grow: checkpoint in the commit path, as SQLite does. */
        fprintf(stderr, "fieldtext-relay: WAL checkpointer: %s; checkpoints stay in the commit path\n",
                db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        LOCK(s);
        sqlite3_wal_autocheckpoint(s->db, WAL_CHECKPOINT_FRAMES);
        UNLOCK(s);
        return NULL;
    }
    pthread_mutex_lock(&s->wal_lock);
    for (;;) {
        while (!s->wal_quit && s->wal_frames < s->wal_done + WAL_CHECKPOINT_FRAMES)
            pthread_cond_wait(&s->wal_cond, &s->wal_lock);
        if (s->wal_quit) break;
        unsigned gen = s->wal_gen;
        pthread_mutex_unlock(&s->wal_lock);
        /* PASSIVE: copies what no reader still needs, never waits, never blocks a writer. */
        int log = 0, done = 0;
        int rc = sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
        if (rc == SQLITE_OK && log >= WAL_RESTART_FRAMES) {
            /* Commits went on meanwhile: the frames they added are copied with commits held off
             * (a few pages), so that the next commit starts the WAL over. */
            LOCK(s);
            rc = sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done);
            UNLOCK(s);
        }
        pthread_mutex_lock(&s->wal_lock);
        if (gen != s->wal_gen) {
            /* the WAL started over meanwhile: wal_done is already right */
        } else if (rc == SQLITE_OK) {
            if (done > s->wal_done) s->wal_done = done;
        } else {
            s->wal_done = s->wal_frames; /* busy or failed: try again WAL_CHECKPOINT_FRAMES later */
        }
    }
    pthread_mutex_unlock(&s->wal_lock);
    sqlite3_close(db);
    return NULL;
}

static int wal_start(ft_store *s, const char *path) {
    s->path = strdup(path);
    if (!s->path) return 0;
    pthread_mutex_init(&s->wal_lock, NULL);
    pthread_cond_init(&s->wal_cond, NULL);
    /* The hook replaces SQLite's automatic checkpoint (which would run inside a commit). */
    sqlite3_wal_hook(s->db, wal_hook, s);
    /* A small stack: the thread only runs sqlite3_wal_checkpoint_v2. */
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setstacksize(&a, 256u * 1024u);
    s->wal_started = pthread_create(&s->wal_thread, &a, wal_main, s) == 0;
    pthread_attr_destroy(&a);
    if (!s->wal_started) sqlite3_wal_autocheckpoint(s->db, WAL_CHECKPOINT_FRAMES);
    return 1;
}

static void wal_stop(ft_store *s) {
    if (s->wal_started) {
        pthread_mutex_lock(&s->wal_lock);
        s->wal_quit = 1;
        pthread_cond_signal(&s->wal_cond);
        pthread_mutex_unlock(&s->wal_lock);
        pthread_join(s->wal_thread, NULL);
        s->wal_started = 0;
    }
    if (s->path) {
        pthread_mutex_destroy(&s->wal_lock);
        pthread_cond_destroy(&s->wal_cond);
        free(s->path);
        s->path = NULL;
    }
}

ft_status ft_store_open(const char *dir, ft_store **out) {
    *out = NULL;
    mkdir(dir, 0700); /* may exist */
    char path[4096];
    if (snprintf(path, sizeof path, "%s/fieldtext.db", dir) >= (int)sizeof path) return FT_E_INVALID_ARG;
    ft_store *s = calloc(1, sizeof *s);
    if (!s) return FT_E_NOMEM;
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&s->lock, &a);
    pthread_mutexattr_destroy(&a);
    if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL) !=
        SQLITE_OK) {
        fprintf(stderr, "fieldtext-relay: cannot open %s: %s\n", path, sqlite3_errmsg(s->db));
        ft_store_close(s);
        return FT_E_STORAGE;
    }
    chmod(path, 0600);
    sqlite3_busy_timeout(s->db, 5000);
    char *err = NULL;
    if (sqlite3_exec(s->db, SCHEMA, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "fieldtext-relay: schema: %s\n", err ? err : "?");
        sqlite3_free(err);
        ft_store_close(s);
        return FT_E_STORAGE;
    }
    if (!reminder_keys_upgrade(s->db)) {
        fprintf(stderr, "fieldtext-relay: schema: cannot add the reminder_keys columns: %s\n", sqlite3_errmsg(s->db));
        ft_store_close(s);
        return FT_E_STORAGE;
    }
    if (!wal_start(s, path)) {
        fprintf(stderr, "fieldtext-relay: cannot start the WAL checkpointer\n");
        ft_store_close(s);
        return FT_E_STORAGE;
    }
    *out = s;
    return FT_OK;
}

void ft_store_close(ft_store *s) {
    if (!s) return;
    wal_stop(s);
    for (int k = 0; k < HOT_N; k++) sqlite3_finalize(s->hot[k]);
    sqlite3_close(s->db); /* the last connection: checkpoints the WAL and removes it */
    pthread_mutex_destroy(&s->lock);
    free(s);
}

/* A kept statement (store lock held); NULL when it cannot be prepared. */
static sqlite3_stmt *hot(ft_store *s, int k) {
    if (!s->hot[k] && sqlite3_prepare_v3(s->db, HOT_SQL[k], -1, SQLITE_PREPARE_PERSISTENT, &s->hot[k], NULL) != SQLITE_OK) {
        fprintf(stderr, "fieldtext-relay: sql: %s\n", sqlite3_errmsg(s->db));
        sqlite3_finalize(s->hot[k]);
        s->hot[k] = NULL;
    }
    return s->hot[k];
}

/* Makes a kept statement ready for its next use. */
static void hot_reset(sqlite3_stmt *st) {
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

/* Runs a kept statement that returns no rows, and resets it. */
static ft_status hot_done(sqlite3_stmt *st) {
    int rc = sqlite3_step(st);
    hot_reset(st);
    if (rc == SQLITE_DONE) return FT_OK;
    if (rc == SQLITE_CONSTRAINT) return FT_E_CONFLICT;
    return FT_E_STORAGE;
}

static ft_status exec_simple(ft_store *s, int k) {
    sqlite3_stmt *st = hot(s, k);
    return st ? hot_done(st) : FT_E_STORAGE;
}

ft_status ft_store_begin(ft_store *s) {
    LOCK(s);
    ft_status st = exec_simple(s, HOT_BEGIN);
    if (st != FT_OK) UNLOCK(s);
    return st;
}

ft_status ft_store_commit(ft_store *s) {
    ft_status st = exec_simple(s, HOT_COMMIT);
    if (st != FT_OK) exec_simple(s, HOT_ROLLBACK);
    UNLOCK(s);
    return st;
}

void ft_store_rollback(ft_store *s) {
    exec_simple(s, HOT_ROLLBACK);
    UNLOCK(s);
}

ft_status ft_store_savepoint(ft_store *s) { return exec_simple(s, HOT_SAVEPOINT); }

ft_status ft_store_savepoint_release(ft_store *s) { return exec_simple(s, HOT_RELEASE); }

void ft_store_savepoint_rollback(ft_store *s) {
    exec_simple(s, HOT_ROLLBACK_TO);
    exec_simple(s, HOT_RELEASE);
}

/* ---- statement helpers ---- */

static sqlite3_stmt *prep(ft_store *s, const char *sql) {
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "fieldtext-relay: sql: %s\n", sqlite3_errmsg(s->db));
        return NULL;
    }
    return st;
}

static void bind_text(sqlite3_stmt *st, int i, const char *v) {
    if (v) sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
    else sqlite3_bind_null(st, i);
}

/* For a kept statement, reset (and its bindings cleared) before v goes: SQLite does not copy v. */
static void bind_static(sqlite3_stmt *st, int i, const char *v) {
    if (v) sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
    else sqlite3_bind_null(st, i);
}

static char *col_dup(sqlite3_stmt *st, int i) {
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? strdup((const char *)t) : NULL;
}

/* Runs a statement that returns no rows. */
static ft_status step_done(sqlite3_stmt *st) {
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE) return FT_OK;
    if (rc == SQLITE_CONSTRAINT) return FT_E_CONFLICT;
    return FT_E_STORAGE;
}

/* ---- settings ---- */

ft_status ft_store_setting_get(ft_store *s, const char *key, char **value) {
    *value = NULL;
    LOCK(s);
    sqlite3_stmt *st = prep(s, "SELECT value FROM settings WHERE key=?");
    ft_status r = FT_E_STORAGE;
    if (st) {
        bind_text(st, 1, key);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            *value = col_dup(st, 0);
            r = *value ? FT_OK : FT_E_NOMEM;
        } else {
            r = rc == SQLITE_DONE ? FT_E_NOT_FOUND : FT_E_STORAGE;
        }
        sqlite3_finalize(st);
    }
    UNLOCK(s);
    return r;
}

ft_status ft_store_setting_set(ft_store *s, const char *key, const char *value) {
    LOCK(s);
    sqlite3_stmt *st = prep(s, "INSERT INTO settings(key,value) VALUES(?,?) ON CONFLICT(key) DO UPDATE SET value=excluded.value");
    ft_status r = FT_E_STORAGE;
    if (st) {
        bind_text(st, 1, key);
        bind_text(st, 2, value);
        r = step_done(st);
    }
    UNLOCK(s);
    return r;
}

ft_status ft_store_setting_delete(ft_store *s, const char *key) {
    LOCK(s);
    sqlite3_stmt *st = prep(s, "DELETE FROM settings WHERE key=?");
    ft_status r = FT_E_STORAGE;
    if (st) {
        bind_text(st, 1, key);
        r = step_done(st);
    }
    UNLOCK(s);
    return r;
}

/* ---- events ---- */

ft_status ft_store_event_seq(ft_store *s, const char *id, int64_t *seq) {
    LOCK(s);
    sqlite3_stmt *st = hot(s, HOT_EVENT_SEQ);
    ft_status r = FT_E_STORAGE;
    if (st) {
        bind_text(st, 1, id);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            *seq = sqlite3_column_int64(st, 0);
            r = FT_OK;
        } else {
            r = rc == SQLITE_DONE ? FT_E_NOT_FOUND : FT_E_STORAGE;
        }
        hot_reset(st);
    }
    UNLOCK(s);
    return r;
}

ft_status ft_store_event_append(ft_store *s, const ft_store_event *ev, int64_t *seq) {
    LOCK(s);
    /* Inserted straight away: the id's UNIQUE index is the existence check (a separate look-up first
     * would walk the same index twice for every new event). A refused insert is undone as a
     * statement (no seq is used up), and only then is the existing seq looked up. */
    ft_status r = FT_E_STORAGE;
    sqlite3_stmt *st = hot(s, HOT_EVENT_INSERT);
    if (st) {
        bind_static(st, 1, ev->id);
        sqlite3_bind_int64(st, 2, ev->at);
        bind_static(st, 3, ev->actor);
        bind_static(st, 4, ev->type);
        bind_static(st, 5, ev->body_json);
        if (ev->client_at) sqlite3_bind_int64(st, 6, ev->client_at);
        else sqlite3_bind_null(st, 6);
        r = hot_done(st);
        if (r == FT_OK) *seq = sqlite3_last_insert_rowid(s->db);
        else if (r == FT_E_CONFLICT) ft_store_event_seq(s, ev->id, seq);
    }
    UNLOCK(s);
    return r;
}

ft_status ft_store_events_after(ft_store *s, int64_t after, int64_t limit, ft_store_event_fn fn, void *ctx) {
    LOCK(s);
    sqlite3_stmt *st =
        prep(s, "SELECT seq,id,at,actor,type,body,client_at FROM events WHERE seq>? ORDER BY seq LIMIT ?");
    ft_status r = FT_E_STORAGE;
    if (st) {
        sqlite3_bind_int64(st, 1, after);
        sqlite3_bind_int64(st, 2, limit > 0 ? limit : -1);
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            ft_store_event ev = {
                .seq = sqlite3_column_int64(st, 0),
                .id = (const char *)sqlite3_column_text(st, 1),
                .at = sqlite3_column_int64(st, 2),
                .actor = (const char *)sqlite3_column_text(st, 3),
                .type = (const char *)sqlite3_column_text(st, 4),
                .body_json = (const char *)sqlite3_column_text(st, 5),
                .client_at = sqlite3_column_int64(st, 6),
            };
            if (fn(ctx, &ev)) {
                rc = SQLITE_DONE;
                break;
            }
        }
        r = rc == SQLITE_DONE ? FT_OK : FT_E_STORAGE;
        sqlite3_finalize(st);
    }
    UNLOCK(s);
    return r;
}

ft_status ft_store_consent_events(ft_store *s, const char *phone, ft_store_event_fn fn, void *ctx) {
    LOCK(s);
    /* Rows whose body is not JSON any more (edited by hand) are skipped: the chain then breaks at
     * the next record, which no longer links. */
    /* (the type range is the partial index's own condition, so the index is used) */
    sqlite3_stmt *st = prep(s, "SELECT seq,id,at,actor,type,body,client_at FROM events WHERE type >= 'consent.'"
                               " AND type < 'consent/'"
                               " AND json_valid(body) AND json_extract(body,'$.phone')=?"
                               " AND json_type(body,'$.chain')='object' ORDER BY seq");
    ft_status r = FT_E_STORAGE;
    if (st) {
        bind_text(st, 1, phone);
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            ft_store_event ev = {
                .seq = sqlite3_column_int64(st, 0),
                .id = (const char *)sqlite3_column_text(st, 1),
                .at = sqlite3_column_int64(st, 2),
                .actor = (const char *)sqlite3_column_text(st, 3),
                .type = (const char *)sqlite3_column_text(st, 4),
                .body_json = (const char *)sqlite3_column_text(st, 5),
                .client_at = sqlite3_column_int64(st, 6),
            };
            if (fn(ctx, &ev)) {
                rc = SQLITE_DONE;
                break;
            }
        }
        r = rc == SQLITE_DONE ? FT_OK : FT_E_STORAGE;
        sqlite3_finalize(st);
    }
    UNLOCK(s);
    return r;
}

ft_status ft_store_last_seq(ft_store *s, int64_t *seq) {
    LOCK(s);
    sqlite3_stmt *st = prep(s, "SELECT COALESCE(MAX(seq),0) FROM events");
    ft_status r = FT_E_STORAGE;
    if (st) {
        if (sqlite3_step(st) == SQLITE_ROW) {
            *seq = sqlite3_column_int64(st, 0);
            r = FT_OK;
        }
        sqlite3_finalize(st);
    }
    UNLOCK(s);
    return r;
}

ft_status ft_store_customer_by_phone(ft_store *s, const char *phone, char **body_json) {
    *body_json = NULL;
    LOCK(s);
    sqlite3_stmt *st = prep(s, "SELECT body FROM events WHERE type = 'customer.saved' AND json_extract(body,'$.phone')=?"
                               " ORDER BY seq DESC LIMIT 1");
    ft_status r = FT_E_STORAGE;
    if (st) {
        bind_text(st, 1, phone);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            *body_json = col_dup(st, 0);
            r = *body_json ? FT_OK : FT_E_NOMEM;
        } else {
            r = rc == SQLITE_DONE ? FT_E_NOT_FOUND : FT_E_STORAGE;
        }
        sqlite3_finalize(st);
    }
    UNLOCK(s);
    return r;
}

/* ---- users ---- */

void ft_store_user_clear(ft_store_user *u) {
    free(u->id);
    free(u->username);
    free(u->name);
    free(u->role);
    free(u->pw_hash);
    memset(u, 0, sizeof *u);
}

ft_status ft_store_user_count(ft_store *s, int64_t *n) {
    LOCK(s);
    sqlite3_stmt *st = prep(s, "SELECT COUNT(*) FROM users");
    ft_status r = FT_E_STORAGE;
    if (st) {
        if (sqlite3_step(st) == SQLITE_ROW) {
            *n = sqlite3_column_int64(st, 0);
            r = FT_OK;
        }
        sqlite3_finalize(st);
    }
    UNLOCK(s);
    return r;
}

ft_status ft_store_user_create(ft_store *s, const ft_store_user *u) {
    LOCK(s);
    sqlite3_stmt *st = prep(s, "INSERT INTO users(id,username,name,role,pw_hash,created_at) VALUES(?,?,?,?,?,?)");
    ft_status r = FT_E_STORAGE;
    if (st) {
        bind_text(st, 1, u->id);
        bind_text(st, 2, u->username);
        bind_text(st, 3, u->name);
        bind_text(st, 4, u->role);
        bind_text(st, 5, u->pw_hash);
        sqlite3_bind_int64(st, 6, u->created_at);
        r = step_done(st);
    }
    UNLOCK(s);
    return r;
}

static void user_from_row(sqlite3_stmt *st, ft_store_user *u) {
    u->id = col_dup(st, 0);
    u->username = col_dup(st, 1);
    u->name = col_dup(st, 2);
    u->role = col_dup(st, 3);
    u->pw_hash = col_dup(st, 4);
    u->created_at = sqlite3_column_int64(st, 5);
}

static ft_status user_by(ft_store *s, const char *sql, const char *key, ft_store_user *out) {
    memset(out, 0, sizeof *out);
    LOCK(s);
    sqlite3_stmt *st = prep(s, sql);
    ft_status r = FT_E_STORAGE;
    if (st) {
        bind_text(st, 1, key);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            user_from_row(st, out);
            r = out->id && out->pw_hash ? FT_OK : FT_E_NOMEM;
        } else {
            r = rc == SQLITE_DONE ? FT_E_NOT_FOUND : FT_E_STORAGE;
        }
        sqlite3_finalize(st);
    }
    UNLOCK(s);
    return r;
}

ft_status ft_store_user_by_name(ft_store *s, const char *username, ft_store_user *out) {
    return user_by(s, "SELECT id,username,name,role,pw_hash,created_at FROM users WHERE username=?", username, out);
}

ft_status ft_store_user_by_id(ft_store *s, const char *id, ft_store_user *out) {
    return user_by(s, "SELECT id,username,name,role,pw_hash,created_at FROM users WHERE id=?", id, out);
}

ft_status ft_store_users_list(ft_store *s, ft_store_user_fn fn, void *ctx) {
    LOCK(s);
    sqlite3_stmt *st = prep(s, "SELECT id,username,name,role,pw_hash,created_at FROM users ORDER BY created_at, username");
    ft_status r = FT_E_STORAGE;
    if (st) {
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            ft_store_user u;
            user_from_row(st, &u);
            int stop = fn(ctx, &u);
            ft_store_user_clear(&u);
            if (stop) {
                rc = SQLITE_DONE;
                break;
            }
        }
        r = rc == SQLITE_DONE ? FT_OK : FT_E_STORAGE;
        sqlite3_finalize(st);
    }
    UNLOCK(s);
    return r;
}

/* ---- sessions ---- */

ft_status ft_store_session_create(ft_store *s, const char *token_hash, const char *user_id, const char *csrf,
                                  int64_t expires_at) {
    LOCK(s);
    sqlite3_stmt *st = prep(s, "INSERT INTO sessions(token_hash,user_id,csrf,expires_at) VALUES(?,?,?,?)");
    ft_status r = FT_E_STORAGE;
    if (st) {
        bind_text(st, 1, token_hash);
        bind_text(st, 2, user_id);
        bind_text(st, 3, csrf);
        sqlite3_bind_int64(st, 4, expires_at);
        r = step_done(st);
    }
    UNLOCK(s);
    return r;
}

ft_status ft_store_session_get(ft_store *s, const char *token_hash, int64_t now, char **user_id, char **csrf) {
    *user_id = *csrf = NULL;
    LOCK(s);
    sqlite3_stmt *st = prep(s, "SELECT user_id,csrf FROM sessions WHERE token_hash=? AND expires_at>?");
    ft_status r = FT_E_STORAGE;
    if (st) {
        bind_text(st, 1, token_hash);
        sqlite3_bind_int64(st, 2, now);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            *user_id = col_dup(st, 0);
            *csrf = col_dup(st, 1);
            r = *user_id && *csrf ? FT_OK : FT_E_NOMEM;
        } else {
            r = rc == SQLITE_DONE ? FT_E_NOT_FOUND : FT_E_STORAGE;
        }
        sqlite3_finalize(st);
    }
    UNLOCK(s);
    return r;
}

ft_status ft_store_session_delete(ft_store *s, const char *token_hash) {
    LOCK(s);
    sqlite3_stmt *st = prep(s, "DELETE FROM sessions WHERE token_hash=?");
    ft_status r = FT_E_STORAGE;
    if (st) {
        bind_text(st, 1, token_hash);
        r = step_done(st);
    }
    UNLOCK(s);
    return r;
}

/* ---- outbox ---- */

void ft_store_outbox_clear(ft_store_outbox *o) {
    free(o->message_id);
    free(o->phone);
    free(o->body);
    free(o->state);
    free(o->sid);
    free(o->last_error);
    memset(o, 0, sizeof *o);
}

ft_status ft_store_outbox_add(ft_store *s, const char *message_id, const char *phone, const char *body,
                              int64_t segments, int64_t now) {
    LOCK(s);
    sqlite3_stmt *st = prep(s, "INSERT INTO outbox(message_id,phone,body,segments,state,next_attempt_at,created_at)"
                               " VALUES(?,?,?,?,'queued',?,?)");
    ft_status r = FT_E_STORAGE;
    if (st) {
        bind_text(st, 1, message_id);
        bind_text(st, 2, phone);
        bind_text(st, 3, body);
        sqlite3_bind_int64(st, 4, segments);
        sqlite3_bind_int64(st, 5, now);
        sqlite3_bind_int64(st, 6, now);
        r = step_done(st);
    }
    UNLOCK(s);
    return r;
}

static void outbox_from_row(sqlite3_stmt *st, ft_store_outbox *o) {
    o->message_id = col_dup(st, 0);
    o->phone = col_dup(st, 1);
    o->body = col_dup(st, 2);
    o->segments = sqlite3_column_int64(st, 3);
    o->state = col_dup(st, 4);
    o->attempts = sqlite3_column_int64(st, 5);
    o->next_attempt_at = sqlite3_column_int64(st, 6);
    o->sid = col_dup(st, 7);
    o->last_error = col_dup(st, 8);
}

#define OUTBOX_COLS "message_id,phone,body,segments,state,attempts,next_attempt_at,sid,last_error"

ft_status ft_store_outbox_claim(ft_store *s, int64_t now, ft_store_outbox *out, int64_t *wait_ms) {
    memset(out, 0, sizeof *out);
    if (wait_ms) *wait_ms = -1;
    ft_status r = ft_store_begin(s);
    if (r != FT_OK) return r;
    sqlite3_stmt *st = prep(s, "SELECT " OUTBOX_COLS " FROM outbox WHERE state='queued'"
                               " ORDER BY next_attempt_at, created_at LIMIT 1");
    r = FT_E_STORAGE;
    if (st) {
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            outbox_from_row(st, out);
            r = out->message_id ? FT_OK : FT_E_NOMEM;
        } else {
            r = rc == SQLITE_DONE ? FT_E_NOT_FOUND : FT_E_STORAGE;
        }
        sqlite3_finalize(st);
    }
    if (r == FT_OK && out->next_attempt_at > now) {
        if (wait_ms) *wait_ms = out->next_attempt_at - now;
        ft_store_outbox_clear(out);
        r = FT_E_NOT_FOUND;
    }
    if (r == FT_OK) {
        st = prep(s, "UPDATE outbox SET state='sending', attempts=attempts+1 WHERE message_id=?");
        r = FT_E_STORAGE;
        if (st) {
            bind_text(st, 1, out->message_id);
            r = step_done(st);
        }
        out->attempts++;
    }
    if (r == FT_OK || r == FT_E_NOT_FOUND) {
        ft_status c = ft_store_commit(s);
        if (c != FT_OK) r = c;
    } else {
        ft_store_rollback(s);
    }
    if (r != FT_OK) ft_store_outbox_clear(out);
    return r;
}

ft_status ft_store_outbox_mark(ft_store *s, const char *message_id, const char *state, const char *sid,
                               const char *error, int64_t next_attempt_at) {
    LOCK(s);
    sqlite3_stmt *st = prep(s, "UPDATE outbox SET state=?, sid=COALESCE(?,sid), last_error=?, next_attempt_at=?"
                               " WHERE message_id=?");
    ft_status r = FT_E_STORAGE;
    if (st) {
        bind_text(st, 1, state);
        bind_text(st, 2, sid);
        bind_text(st, 3, error);
        sqlite3_bind_int64(st, 4, next_attempt_at);
        bind_text(st, 5, message_id);
        r = step_done(st);
    }
    UNLOCK(s);
    return r;
}

ft_status ft_store_outbox_by_sid(ft_store *s, const char *sid, char **message_id) {
    *message_id = NULL;
    LOCK(s);
    sqlite3_stmt *st = prep(s, "SELECT message_id FROM outbox WHERE sid=?");
    ft_status r = FT_E_STORAGE;
    if (st) {
        bind_text(st, 1, sid);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            *message_id = col_dup(st, 0);
            r = *message_id ? FT_OK : FT_E_NOMEM;
        } else {
            r = rc == SQLITE_DONE ? FT_E_NOT_FOUND : FT_E_STORAGE;
        }
        sqlite3_finalize(st);
    }
    UNLOCK(s);
    return r;
}

ft_status ft_store_outbox_recover(ft_store *s, ft_store_outbox_fn fn, void *ctx) {
    /* Rows are read first and reported after the read, without the lock: fn writes (it records
     * the row's outcome in its own transaction, which takes the log lock before this one). */
    ft_store_outbox *rows = NULL;
    size_t n = 0, cap = 0;
    LOCK(s);
    sqlite3_stmt *st = prep(s, "SELECT " OUTBOX_COLS " FROM outbox WHERE state='sending' ORDER BY created_at");
    ft_status r = FT_E_STORAGE;
    if (st) {
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            if (n == cap) {
                size_t nc = cap ? cap * 2 : 16;
                ft_store_outbox *p = realloc(rows, nc * sizeof *p);
                if (!p) break;
                rows = p;
                cap = nc;
            }
            outbox_from_row(st, &rows[n++]);
        }
        sqlite3_finalize(st);
        r = rc == SQLITE_DONE ? FT_OK : FT_E_STORAGE;
    }
    UNLOCK(s);
    for (size_t i = 0; i < n; i++) {
        if (r == FT_OK) fn(ctx, &rows[i]);
        ft_store_outbox_clear(&rows[i]);
    }
    free(rows);
    return r;
}

/* ---- the state checkpoint ---- */

ft_status ft_store_checkpoint_put(ft_store *s, int64_t seq, int64_t version, const char *state, const char *sha256,
                                  int64_t at) {
    LOCK(s);
    sqlite3_stmt *st = prep(s, "INSERT OR REPLACE INTO checkpoint(id,seq,version,state,sha256,at) VALUES(1,?,?,?,?,?)");
    ft_status r = FT_E_STORAGE;
    if (st) {
        sqlite3_bind_int64(st, 1, seq);
        sqlite3_bind_int64(st, 2, version);
        bind_text(st, 3, state);
        bind_text(st, 4, sha256);
        sqlite3_bind_int64(st, 5, at);
        r = step_done(st);
    }
    UNLOCK(s);
    return r;
}

ft_status ft_store_checkpoint_get(ft_store *s, int64_t *seq, int64_t *version, char **state, char **sha256) {
    *state = *sha256 = NULL;
    LOCK(s);
    sqlite3_stmt *st = prep(s, "SELECT seq,version,state,sha256 FROM checkpoint WHERE id=1");
    ft_status r = FT_E_STORAGE;
    if (st) {
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            *seq = sqlite3_column_int64(st, 0);
            *version = sqlite3_column_int64(st, 1);
            *state = col_dup(st, 2);
            *sha256 = col_dup(st, 3);
            r = *state && *sha256 ? FT_OK : FT_E_STORAGE; /* NULLs are refused by the schema */
            if (r != FT_OK) {
                free(*state);
                free(*sha256);
                *state = *sha256 = NULL;
            }
        } else {
            r = rc == SQLITE_DONE ? FT_E_NOT_FOUND : FT_E_STORAGE;
        }
        sqlite3_finalize(st);
    }
    UNLOCK(s);
    return r;
}

/* ---- reminders ---- */

ft_status ft_store_job_put(ft_store *s, const char *job_id, const char *body_json, int64_t seq) {
    LOCK(s);
    sqlite3_stmt *st = prep(s, "INSERT INTO jobs(job_id,body,seq) VALUES(?,?,?) ON CONFLICT(job_id) DO UPDATE SET"
                               " body=excluded.body, seq=excluded.seq WHERE excluded.seq > jobs.seq");
    ft_status r = FT_E_STORAGE;
    if (st) {
        bind_text(st, 1, job_id);
        bind_text(st, 2, body_json);
        sqlite3_bind_int64(st, 3, seq);
        r = step_done(st);
    }
    UNLOCK(s);
    return r;
}

ft_status ft_store_jobs_list(ft_store *s, ft_store_row_fn fn, void *ctx) {
    LOCK(s);
    sqlite3_stmt *st = prep(s, "SELECT job_id, body FROM jobs ORDER BY seq");
    ft_status r = FT_E_STORAGE;
    if (st) {
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            if (fn(ctx, (const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1))) break;
        }
        r = rc == SQLITE_ROW || rc == SQLITE_DONE ? FT_OK : FT_E_STORAGE;
        sqlite3_finalize(st);
    }
    UNLOCK(s);
    return r;
}

ft_status ft_store_template_put(ft_store *s, const char *template_id, const char *job_type, const char *body_json,
                                int64_t seq) {
    LOCK(s);
    sqlite3_stmt *st = prep(s, "INSERT INTO templates(template_id,job_type,body,seq) VALUES(?,?,?,?) ON CONFLICT(template_id)"
                               " DO UPDATE SET job_type=excluded.job_type, body=excluded.body, seq=excluded.seq");
    ft_status r = FT_E_STORAGE;
    if (st) {
        bind_text(st, 1, template_id);
        bind_text(st, 2, job_type);
        bind_text(st, 3, body_json);
        sqlite3_bind_int64(st, 4, seq);
        r = step_done(st);
    }
    UNLOCK(s);
    return r;
}

static ft_status one_text(ft_store *s, const char *sql, const char *a, const char *b, char **out) {
    *out = NULL;
    LOCK(s);
    sqlite3_stmt *st = prep(s, sql);
    ft_status r = FT_E_STORAGE;
    if (st) {
        bind_text(st, 1, a);
        if (b) bind_text(st, 2, b);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            *out = col_dup(st, 0);
            r = *out ? FT_OK : FT_E_NOMEM;
        } else {
            r = rc == SQLITE_DONE ? FT_E_NOT_FOUND : FT_E_STORAGE;
        }
        sqlite3_finalize(st);
    }
    UNLOCK(s);
    return r;
}

ft_status ft_store_template_for(ft_store *s, const char *job_type, char **body_json) {
    return one_text(s, "SELECT body FROM templates WHERE job_type=? ORDER BY seq DESC LIMIT 1", job_type, NULL, body_json);
}

ft_status ft_store_reminder_key_add(ft_store *s, const char *job_id, const char *occurrence, const char *outcome,
                                    const char *message_id, const char *reason, int64_t at) {
    LOCK(s);
    /* A row the scheduler left 'pending' (its intent, with start_ms and rev) or 'held' is taken. */
    sqlite3_stmt *st = prep(s, "INSERT INTO reminder_keys(job_id,occurrence,outcome,message_id,reason,at) VALUES(?,?,?,?,?,?)"
                               " ON CONFLICT(job_id,occurrence) DO UPDATE SET outcome=excluded.outcome,"
                               " message_id=excluded.message_id, reason=excluded.reason, at=excluded.at"
                               " WHERE reminder_keys.outcome IN ('pending','held')");
    ft_status r = FT_E_STORAGE;
    if (st) {
        bind_text(st, 1, job_id);
        bind_text(st, 2, occurrence);
        bind_text(st, 3, outcome);
        bind_text(st, 4, message_id);
        bind_text(st, 5, reason);
        sqlite3_bind_int64(st, 6, at);
        r = step_done(st);
        if (r == FT_OK && sqlite3_changes(s->db) == 0) r = FT_E_CONFLICT; /* handled already */
    }
    UNLOCK(s);
    return r;
}

ft_status ft_store_reminder_key_set(ft_store *s, const char *job_id, const char *occurrence, const char *outcome,
                                    const char *message_id, const char *reason, int64_t start_ms, int64_t rev,
                                    int64_t at) {
    LOCK(s);
    sqlite3_stmt *st = prep(s, "INSERT OR REPLACE INTO reminder_keys(job_id,occurrence,outcome,message_id,reason,at,"
                               "start_ms,rev) VALUES(?,?,?,?,?,?,?,?)");
    ft_status r = FT_E_STORAGE;
    if (st) {
        bind_text(st, 1, job_id);
        bind_text(st, 2, occurrence);
        bind_text(st, 3, outcome);
        bind_text(st, 4, message_id);
        bind_text(st, 5, reason);
        sqlite3_bind_int64(st, 6, at);
        if (start_ms) sqlite3_bind_int64(st, 7, start_ms);
        else sqlite3_bind_null(st, 7);
        sqlite3_bind_int64(st, 8, rev);
        r = step_done(st);
    }
    UNLOCK(s);
    return r;
}

ft_status ft_store_reminder_keys(ft_store *s, const char *job_id, const char *from, const char *to,
                                 const char *queued_phone, ft_store_reminder_key_fn fn, void *ctx) {
    char sql[768];
    snprintf(sql, sizeof sql,
             "SELECT k.job_id,k.occurrence,k.outcome,k.message_id,k.reason,COALESCE(k.start_ms,0),k.rev,"
             "o.state,o.phone,o.body,o.sid,COALESCE(o.segments,0) FROM %s WHERE 1%s%s%s%s ORDER BY k.job_id,k.occurrence",
             queued_phone ? "outbox o JOIN reminder_keys k ON k.message_id=o.message_id"
                          : "reminder_keys k LEFT JOIN outbox o ON o.message_id=k.message_id",
             job_id ? " AND k.job_id=?1" : "", from ? " AND k.occurrence>=?2" : "", to ? " AND k.occurrence<=?3" : "",
             !queued_phone ? "" : queued_phone[0] ? " AND o.state='queued' AND o.phone=?4" : " AND o.state='queued'");
    LOCK(s);
    sqlite3_stmt *st = prep(s, sql);
    ft_status r = FT_E_STORAGE;
    if (st) {
        if (job_id) bind_text(st, 1, job_id);
        if (from) bind_text(st, 2, from);
        if (to) bind_text(st, 3, to);
        if (queued_phone && queued_phone[0]) bind_text(st, 4, queued_phone);
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            ft_store_reminder_key k = {
                .job_id = (const char *)sqlite3_column_text(st, 0),
                .occurrence = (const char *)sqlite3_column_text(st, 1),
                .outcome = (const char *)sqlite3_column_text(st, 2),
                .message_id = (const char *)sqlite3_column_text(st, 3),
                .reason = (const char *)sqlite3_column_text(st, 4),
                .start_ms = sqlite3_column_int64(st, 5),
                .rev = sqlite3_column_int64(st, 6),
                .outbox_state = (const char *)sqlite3_column_text(st, 7),
                .phone = (const char *)sqlite3_column_text(st, 8),
                .body = (const char *)sqlite3_column_text(st, 9),
                .sid = (const char *)sqlite3_column_text(st, 10),
                .segments = sqlite3_column_int64(st, 11),
            };
            if (fn(ctx, &k)) break;
        }
        r = rc == SQLITE_ROW || rc == SQLITE_DONE ? FT_OK : FT_E_STORAGE;
        sqlite3_finalize(st);
    }
    UNLOCK(s);
    return r;
}

ft_status ft_store_outbox_cancel(ft_store *s, const char *message_id, const char *why) {
    LOCK(s);
    sqlite3_stmt *st = prep(s, "UPDATE outbox SET state='canceled', last_error=? WHERE message_id=? AND state='queued'");
    ft_status r = FT_E_STORAGE;
    if (st) {
        bind_text(st, 1, why);
        bind_text(st, 2, message_id);
        r = step_done(st);
        if (r == FT_OK && sqlite3_changes(s->db) == 0) r = FT_E_CONFLICT; /* claimed by the sender already */
    }
    UNLOCK(s);
    return r;
}

ft_status ft_store_job_get(ft_store *s, const char *job_id, char **body_json) {
    return one_text(s, "SELECT body FROM jobs WHERE job_id=?", job_id, NULL, body_json);
}

/* reminder_keys gained start_ms (the occurrence's start its outcome was for) and rev (how many times
 * the occurrence's reminder was taken again after a pull-back or a re-timing): added to an older file. */
static int reminder_keys_upgrade(sqlite3 *db) {
    static const char *const cols[][2] = {{"start_ms", "INTEGER"}, {"rev", "INTEGER NOT NULL DEFAULT 0"}};
    for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM pragma_table_info('reminder_keys') WHERE name=?", -1, &st,
                               NULL) != SQLITE_OK)
            return 0;
        sqlite3_bind_text(st, 1, cols[i][0], -1, SQLITE_STATIC);
        int have = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
        sqlite3_finalize(st);
        if (have < 0) return 0;
        if (have) continue;
        char sql[160];
        snprintf(sql, sizeof sql, "ALTER TABLE reminder_keys ADD COLUMN %s %s", cols[i][0], cols[i][1]);
        if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) return 0;
    }
    return 1;
}

ft_status ft_store_reminder_key_get(ft_store *s, const char *job_id, const char *occurrence, char **outcome,
                                    char **reason) {
    if (reason) *reason = NULL;
    ft_status r = one_text(s, "SELECT outcome FROM reminder_keys WHERE job_id=? AND occurrence=?", job_id, occurrence, outcome);
    if (r == FT_OK && reason &&
        one_text(s, "SELECT COALESCE(reason,'') FROM reminder_keys WHERE job_id=? AND occurrence=?", job_id, occurrence,
                 reason) != FT_OK)
        *reason = NULL;
    return r;
}
