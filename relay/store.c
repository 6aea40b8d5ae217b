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

struct ft_store {
    sqlite3 *db;
    pthread_mutex_t lock; /* recursive: begin/commit hold it across calls */
};

static const char *const SCHEMA =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=FULL;"
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
    "CREATE TABLE IF NOT EXISTS webhook_seen(sid TEXT NOT NULL, status TEXT NOT NULL, at INTEGER NOT NULL,"
    " PRIMARY KEY(sid, status));"
    /* Reminders (relay/reminders.c): the latest job.saved per job and template.saved per template,
     * and one row per (job, occurrence) once its reminder was enqueued or skipped (exactly once). */
    "CREATE TABLE IF NOT EXISTS jobs(job_id TEXT PRIMARY KEY, body TEXT NOT NULL, seq INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS templates(template_id TEXT PRIMARY KEY, job_type TEXT NOT NULL COLLATE NOCASE,"
    " body TEXT NOT NULL, seq INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS templates_type ON templates(job_type, seq);"
    "CREATE TABLE IF NOT EXISTS reminder_keys(job_id TEXT NOT NULL, occurrence TEXT NOT NULL, outcome TEXT NOT NULL,"
    " message_id TEXT, reason TEXT, at INTEGER NOT NULL, PRIMARY KEY(job_id, occurrence));";

#define LOCK(s) pthread_mutex_lock(&(s)->lock)
#define UNLOCK(s) pthread_mutex_unlock(&(s)->lock)

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
    *out = s;
    return FT_OK;
}

void ft_store_close(ft_store *s) {
    if (!s) return;
    sqlite3_close(s->db);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

static ft_status exec_simple(ft_store *s, const char *sql) {
    return sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK ? FT_OK : FT_E_STORAGE;
}

ft_status ft_store_begin(ft_store *s) {
    LOCK(s);
    ft_status st = exec_simple(s, "BEGIN IMMEDIATE");
    if (st != FT_OK) UNLOCK(s);
    return st;
}

ft_status ft_store_commit(ft_store *s) {
    ft_status st = exec_simple(s, "COMMIT");
    if (st != FT_OK) exec_simple(s, "ROLLBACK");
    UNLOCK(s);
    return st;
}

void ft_store_rollback(ft_store *s) {
    exec_simple(s, "ROLLBACK");
    UNLOCK(s);
}

ft_status ft_store_savepoint(ft_store *s) { return exec_simple(s, "SAVEPOINT ft_item"); }

ft_status ft_store_savepoint_release(ft_store *s) { return exec_simple(s, "RELEASE ft_item"); }

void ft_store_savepoint_rollback(ft_store *s) {
    exec_simple(s, "ROLLBACK TO ft_item");
    exec_simple(s, "RELEASE ft_item");
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
    sqlite3_stmt *st = prep(s, "SELECT seq FROM events WHERE id=?");
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
        sqlite3_finalize(st);
    }
    UNLOCK(s);
    return r;
}

ft_status ft_store_event_append(ft_store *s, const ft_store_event *ev, int64_t *seq) {
    LOCK(s);
    ft_status r = ft_store_event_seq(s, ev->id, seq);
    if (r == FT_OK) {
        UNLOCK(s);
        return FT_E_CONFLICT;
    }
    r = FT_E_STORAGE;
    sqlite3_stmt *st = prep(s, "INSERT INTO events(id,at,actor,type,body,client_at) VALUES(?,?,?,?,?,?)");
    if (st) {
        bind_text(st, 1, ev->id);
        sqlite3_bind_int64(st, 2, ev->at);
        bind_text(st, 3, ev->actor);
        bind_text(st, 4, ev->type);
        bind_text(st, 5, ev->body_json);
        if (ev->client_at) sqlite3_bind_int64(st, 6, ev->client_at);
        else sqlite3_bind_null(st, 6);
        r = step_done(st);
        if (r == FT_OK) *seq = sqlite3_last_insert_rowid(s->db);
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

/* ---- webhook redelivery ---- */

ft_status ft_store_webhook_seen(ft_store *s, const char *sid, const char *status, int64_t now, int *is_new) {
    *is_new = 0;
    LOCK(s);
    sqlite3_stmt *st = prep(s, "INSERT INTO webhook_seen(sid,status,at) VALUES(?,?,?) ON CONFLICT DO NOTHING");
    ft_status r = FT_E_STORAGE;
    if (st) {
        bind_text(st, 1, sid);
        bind_text(st, 2, status);
        sqlite3_bind_int64(st, 3, now);
        r = step_done(st);
        if (r == FT_OK) *is_new = sqlite3_changes(s->db) > 0;
    }
    UNLOCK(s);
    return r;
}

ft_status ft_store_webhook_forget(ft_store *s, const char *sid, const char *status) {
    LOCK(s);
    sqlite3_stmt *st = prep(s, "DELETE FROM webhook_seen WHERE sid=? AND status=?");
    ft_status r = FT_E_STORAGE;
    if (st) {
        bind_text(st, 1, sid);
        bind_text(st, 2, status);
        r = step_done(st);
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
    sqlite3_stmt *st = prep(s, "INSERT INTO reminder_keys(job_id,occurrence,outcome,message_id,reason,at) VALUES(?,?,?,?,?,?)");
    ft_status r = FT_E_STORAGE;
    if (st) {
        bind_text(st, 1, job_id);
        bind_text(st, 2, occurrence);
        bind_text(st, 3, outcome);
        bind_text(st, 4, message_id);
        bind_text(st, 5, reason);
        sqlite3_bind_int64(st, 6, at);
        r = step_done(st);
    }
    UNLOCK(s);
    return r;
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
