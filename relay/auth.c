/* fieldtext relay: staff accounts, passwords (scrypt), sessions, CSRF, origin checks, throttling. */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "relay.h"

/* scrypt parameters: OWASP's N=2^13, r=8, p=10 row, which its cheat sheet lists as equal in defence
 * to N=2^17 p=1 ... N=2^15 p=3 (the same work, p passes of 8 MiB one after the other). 8 MiB a
 * hash instead of 32 keeps a burst of sign-ins on the workers (FIELDTEXT_HTTP_WORKERS at once) to
 * tens of MiB. Stored with each hash, so they can change without breaking existing passwords
 * (hashes made with N=2^15, p=3 still verify). */
#define PW_N 8192
#define PW_R 8
#define PW_P 10
#define PW_STR_(x) #x
#define PW_STR(x) PW_STR_(x)
#define PW_SALT 16u
#define PW_KEY 32u
#define PW_MAXMEM (128u * 1024u * 1024u)
#define PW_MIN_LEN 10u
#define PW_MAX_LEN 1024u

#define THROTTLE_USER_MAX 5
#define THROTTLE_IP_MAX 20
#define THROTTLE_WINDOW_MS (15LL * 60 * 1000)
#define THROTTLE_BASE_MS (30LL * 1000)
#define THROTTLE_CAP_MS (15LL * 60 * 1000)

/* ---- passwords ---- */

static int scrypt_raw(const char *password, const unsigned char *salt, size_t salt_len, uint64_t n, uint64_t r,
                      uint64_t p, unsigned char *key, size_t key_len) {
    return EVP_PBE_scrypt(password, strlen(password), salt, salt_len, n, r, p, PW_MAXMEM, key, key_len) == 1;
}

int ft_auth_hash_password(const char *password, char **out) {
    unsigned char salt[PW_SALT], key[PW_KEY];
    *out = NULL;
    if (!ft_random_bytes(salt, sizeof salt)) return 0;
    if (!scrypt_raw(password, salt, sizeof salt, PW_N, PW_R, PW_P, key, sizeof key)) return 0;
    char salt_hex[2 * PW_SALT + 1], key_hex[2 * PW_KEY + 1];
    ft_hex(salt, sizeof salt, salt_hex);
    ft_hex(key, sizeof key, key_hex);
    OPENSSL_cleanse(key, sizeof key);
    char buf[256];
    snprintf(buf, sizeof buf, "scrypt$%u$%u$%u$%s$%s", (unsigned)PW_N, (unsigned)PW_R, (unsigned)PW_P, salt_hex, key_hex);
    *out = strdup(buf);
    return *out != NULL;
}

static int unhex(const char *s, unsigned char *out, size_t cap, size_t *n) {
    size_t len = strlen(s);
    if (len % 2 || len / 2 > cap) return 0;
    for (size_t i = 0; i < len / 2; i++) {
        unsigned v = 0;
        for (int k = 0; k < 2; k++) {
            char c = s[2 * i + (size_t)k];
            v <<= 4;
            if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
            else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
            else return 0;
        }
        out[i] = (unsigned char)v;
    }
    *n = len / 2;
    return 1;
}

int ft_auth_verify_password(const char *password, const char *stored) {
    char copy[512];
    if (!stored || strlen(stored) >= sizeof copy) return 0;
    strcpy(copy, stored);
    char *save = NULL;
    char *alg = strtok_r(copy, "$", &save), *sn = strtok_r(NULL, "$", &save), *sr = strtok_r(NULL, "$", &save),
         *sp = strtok_r(NULL, "$", &save), *ssalt = strtok_r(NULL, "$", &save), *skey = strtok_r(NULL, "$", &save);
    if (!alg || strcmp(alg, "scrypt") != 0 || !sn || !sr || !sp || !ssalt || !skey) return 0;
    unsigned char salt[64], want[64], got[64];
    size_t salt_len, key_len;
    if (!unhex(ssalt, salt, sizeof salt, &salt_len) || !unhex(skey, want, sizeof want, &key_len)) return 0;
    uint64_t n = strtoull(sn, NULL, 10), r = strtoull(sr, NULL, 10), p = strtoull(sp, NULL, 10);
    if (!scrypt_raw(password, salt, salt_len, n, r, p, got, key_len)) return 0;
    int ok = CRYPTO_memcmp(got, want, key_len) == 0;
    OPENSSL_cleanse(got, sizeof got);
    return ok;
}

/* ---- throttling (in memory: a restart forgets it, which only helps the legitimate user) ---- */

static ft_throttle_entry *throttle_find(ft_relay *app, const char *key, int create, int64_t now) {
    ft_throttle_entry *free_slot = NULL, *oldest = NULL;
    for (size_t i = 0; i < FT_THROTTLE_SLOTS; i++) {
        ft_throttle_entry *e = &app->throttle[i];
        if (e->key[0] && strcmp(e->key, key) == 0) return e;
        if (!e->key[0] && !free_slot) free_slot = e;
        if (e->key[0] && (!oldest || e->window_start < oldest->window_start)) oldest = e;
    }
    if (!create) return NULL;
    ft_throttle_entry *e = free_slot ? free_slot : oldest;
    memset(e, 0, sizeof *e);
    snprintf(e->key, sizeof e->key, "%s", key);
    e->window_start = now;
    return e;
}

/* Milliseconds the key must still wait (0: go ahead). */
static int64_t throttle_wait(ft_relay *app, const char *key, int64_t now) {
    pthread_mutex_lock(&app->throttle_lock);
    ft_throttle_entry *e = throttle_find(app, key, 0, now);
    int64_t w = e && e->blocked_until > now ? e->blocked_until - now : 0;
    pthread_mutex_unlock(&app->throttle_lock);
    return w;
}

static void throttle_fail(ft_relay *app, const char *key, int max, int64_t now) {
    pthread_mutex_lock(&app->throttle_lock);
    ft_throttle_entry *e = throttle_find(app, key, 1, now);
    if (now - e->window_start > THROTTLE_WINDOW_MS && e->blocked_until <= now) {
        e->failures = 0;
        e->window_start = now;
    }
    e->failures++;
    if (e->failures >= max) {
        int extra = e->failures - max;
        int64_t d = THROTTLE_BASE_MS << (extra > 5 ? 5 : extra);
        if (d > THROTTLE_CAP_MS) d = THROTTLE_CAP_MS;
        e->blocked_until = now + d;
    }
    pthread_mutex_unlock(&app->throttle_lock);
}

static void throttle_reset(ft_relay *app, const char *key) {
    pthread_mutex_lock(&app->throttle_lock);
    ft_throttle_entry *e = throttle_find(app, key, 0, 0);
    if (e) memset(e, 0, sizeof *e);
    pthread_mutex_unlock(&app->throttle_lock);
}

static void reply_throttled(ft_req *r, int64_t wait_ms) {
    char secs[32];
    snprintf(secs, sizeof secs, "%lld", (long long)((wait_ms + 999) / 1000));
    ft_http_error(r, FT_E_THROTTLED, "too many failed attempts: try again later");
    ft_http_header(r, "Retry-After", secs);
}

/* ---- host and origin ---- */

int ft_auth_host_ok(ft_req *r) {
    const char *host = ft_http_get_header(r, "Host");
    if (!host) return 0;
    for (int i = 0; i < 3; i++) {
        if (r->app->self_host[i][0] && strcasecmp(host, r->app->self_host[i]) == 0) return 1;
    }
    return 0;
}

int ft_auth_origin_ok(ft_req *r) {
    const char *site = ft_http_get_header(r, "Sec-Fetch-Site");
    if (site && strcmp(site, "same-origin") != 0 && strcmp(site, "none") != 0) return 0;
    const char *origin = ft_http_get_header(r, "Origin");
    if (!origin) return 1; /* not a browser's cross-site request (browsers send Origin on POST) */
    for (int i = 0; i < 3; i++) {
        if (r->app->self_origin[i][0] && strcasecmp(origin, r->app->self_origin[i]) == 0) return 1;
    }
    return 0;
}

/* ---- sessions ---- */

void ft_auth_clear(ft_req *r) {
    free(r->user_id);
    free(r->username);
    free(r->user_name);
    free(r->role);
    free(r->csrf);
    r->user_id = r->username = r->user_name = r->role = r->csrf = NULL;
}

static int load_session(ft_req *r) {
    if (r->user_id) return 1;
    const char *tok = ft_http_cookie(r, "ft_session");
    if (!tok || strlen(tok) != 64) return 0;
    char h[65];
    ft_sha256_hex(tok, strlen(tok), h);
    char *uid = NULL, *csrf = NULL;
    if (ft_store_session_get(r->app->store, h, ft_now_ms(), &uid, &csrf) != FT_OK) return 0;
    ft_store_user u;
    if (ft_store_user_by_id(r->app->store, uid, &u) != FT_OK) {
        free(uid);
        free(csrf);
        return 0;
    }
    free(uid);
    r->user_id = u.id;
    r->username = u.username;
    r->user_name = u.name;
    r->role = u.role;
    r->csrf = csrf;
    free(u.pw_hash);
    return 1;
}

static int is_state_change(const char *m) { return strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0; }

int ft_auth_require(ft_req *r) {
    if (is_state_change(r->method) && !ft_auth_origin_ok(r)) {
        ft_http_error(r, FT_E_FORBIDDEN, "cross-site request refused (Origin)");
        return 0;
    }
    if (!load_session(r)) {
        ft_http_error(r, FT_E_AUTH_REQUIRED, NULL);
        return 0;
    }
    if (is_state_change(r->method)) {
        const char *tok = ft_http_get_header(r, "X-CSRF-Token");
        if (!tok || !ft_consttime_eq(tok, r->csrf)) {
            ft_http_error(r, FT_E_FORBIDDEN, "missing or wrong X-CSRF-Token");
            return 0;
        }
    }
    return 1;
}

int ft_auth_require_admin(ft_req *r) {
    if (!ft_auth_require(r)) return 0;
    if (strcmp(r->role, "admin") != 0) {
        ft_http_error(r, FT_E_FORBIDDEN, "only an administrator can do this");
        return 0;
    }
    return 1;
}

static cJSON *user_json(const char *id, const char *username, const char *name, const char *role) {
    cJSON *u = cJSON_CreateObject();
    cJSON_AddStringToObject(u, "id", id);
    cJSON_AddStringToObject(u, "username", username);
    cJSON_AddStringToObject(u, "name", name);
    cJSON_AddStringToObject(u, "role", role);
    return u;
}

/* Creates a session for the user and replies {"ok":true,"user","csrf"} (or redirects to / for forms). */
static void start_session(ft_req *r, const ft_store_user *u, int redirect) {
    char tok[65], h[65], csrf[65];
    if (!ft_random_hex(tok, 32) || !ft_random_hex(csrf, 32)) {
        ft_http_error(r, FT_E_INTERNAL, "no randomness");
        return;
    }
    ft_sha256_hex(tok, strlen(tok), h);
    if (ft_store_session_create(r->app->store, h, u->id, csrf, ft_now_ms() + FT_RELAY_SESSION_TTL_MS) != FT_OK) {
        ft_http_error(r, FT_E_STORAGE, NULL);
        return;
    }
    if (redirect) {
        ft_http_reply(r, 303, "text/plain", "signed in", 9);
        ft_http_header(r, "Location", "/");
    } else {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddBoolToObject(o, "ok", 1);
        cJSON_AddItemToObject(o, "user", user_json(u->id, u->username, u->name, u->role));
        cJSON_AddStringToObject(o, "csrf", csrf);
        ft_http_json(r, 200, o);
    }
    char cookie[200];
    snprintf(cookie, sizeof cookie, "ft_session=%s; HttpOnly; SameSite=Strict; Path=/; Max-Age=%lld%s", tok,
             (long long)(FT_RELAY_SESSION_TTL_MS / 1000),
             r->app->cfg.public_url && strncmp(r->app->cfg.public_url, "https:", 6) == 0 &&
                     getenv("FIELDTEXT_COOKIE_SECURE")
                 ? "; Secure"
                 : "");
    ft_http_header(r, "Set-Cookie", cookie);
}

void ft_auth_login(ft_req *r) {
    if (!ft_auth_origin_ok(r)) {
        ft_http_error(r, FT_E_FORBIDDEN, "cross-site request refused (Origin)");
        return;
    }
    cJSON *j = ft_http_body_json(r);
    if (!j) return;
    const cJSON *ju = cJSON_GetObjectItemCaseSensitive(j, "username");
    const cJSON *jp = cJSON_GetObjectItemCaseSensitive(j, "password");
    if (!cJSON_IsString(ju) || !cJSON_IsString(jp) || strlen(ju->valuestring) > 64 ||
        strlen(jp->valuestring) > PW_MAX_LEN) {
        cJSON_Delete(j);
        ft_http_error(r, FT_E_JSON_SHAPE, "username and password (strings) are required");
        return;
    }
    char ip[64], kip[96], kuser[96];
    ft_http_client_ip(r, ip, sizeof ip);
    snprintf(kip, sizeof kip, "ip:%s", ip);
    snprintf(kuser, sizeof kuser, "user:%s", ju->valuestring);
    int64_t now = ft_now_ms();
    int64_t w1 = throttle_wait(r->app, kuser, now), w2 = throttle_wait(r->app, kip, now);
    if (w1 || w2) {
        cJSON_Delete(j);
        reply_throttled(r, w1 > w2 ? w1 : w2);
        return;
    }
    ft_store_user u;
    ft_status st = ft_store_user_by_name(r->app->store, ju->valuestring, &u);
    int ok;
    if (st == FT_OK) {
        ok = ft_auth_verify_password(jp->valuestring, u.pw_hash);
    } else {
        /* Same work for an unknown name, so timing does not tell which names exist. */
        static const char dummy[] = "scrypt$" PW_STR(PW_N) "$" PW_STR(PW_R) "$" PW_STR(PW_P)
                                    "$00000000000000000000000000000000$"
                                    "0000000000000000000000000000000000000000000000000000000000000000";
        ft_auth_verify_password(jp->valuestring, dummy);
        ok = 0;
    }
    cJSON_Delete(j);
    if (!ok) {
        if (st == FT_OK) ft_store_user_clear(&u);
        throttle_fail(r->app, kuser, THROTTLE_USER_MAX, now);
        throttle_fail(r->app, kip, THROTTLE_IP_MAX, now);
        ft_http_error(r, FT_E_AUTH_FAILED, NULL);
        return;
    }
    throttle_reset(r->app, kuser);
    start_session(r, &u, 0);
    ft_store_user_clear(&u);
}

void ft_auth_logout(ft_req *r) {
    if (!ft_auth_require(r)) return;
    const char *tok = ft_http_cookie(r, "ft_session");
    char h[65];
    ft_sha256_hex(tok, strlen(tok), h);
    ft_store_session_delete(r->app->store, h);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "ok", 1);
    ft_http_json(r, 200, o);
    ft_http_header(r, "Set-Cookie", "ft_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
}

/* ---- accounts ---- */

static int username_ok(const char *s) {
    size_t n = strlen(s);
    if (n < 1 || n > 64) return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!(islower(c) || isdigit(c) || c == '.' || c == '_' || c == '-')) return 0;
    }
    return 1;
}

/* Creates a user; why receives the reason on failure. */
static ft_status create_user(ft_relay *app, const char *username, const char *name, const char *password,
                             const char *role, ft_store_user *out, const char **why) {
    memset(out, 0, sizeof *out);
    if (!username_ok(username)) {
        *why = "username: 1 to 64 of a-z 0-9 . _ -";
        return FT_E_JSON_SHAPE;
    }
    if (strlen(password) < PW_MIN_LEN || strlen(password) > PW_MAX_LEN) {
        *why = "the password must have at least 10 characters";
        return FT_E_JSON_SHAPE;
    }
    if (strcmp(role, "admin") != 0 && strcmp(role, "staff") != 0) {
        *why = "role: admin or staff";
        return FT_E_JSON_SHAPE;
    }
    if (strlen(name) > 200) {
        *why = "name: at most 200 bytes";
        return FT_E_JSON_SHAPE;
    }
    char id[37];
    ft_uuid_v4(id);
    char *hash = NULL;
    if (!ft_auth_hash_password(password, &hash)) {
        *why = "password hashing failed";
        return FT_E_INTERNAL;
    }
    ft_store_user u = {.id = id, .username = (char *)username, .name = (char *)name, .role = (char *)role,
                       .pw_hash = hash, .created_at = ft_now_ms()};
    ft_status st = ft_store_user_create(app->store, &u);
    free(hash);
    if (st == FT_E_CONFLICT) *why = "that username is taken";
    if (st != FT_OK) return st;
    return ft_store_user_by_id(app->store, id, out);
}

int ft_auth_init(ft_relay *app) {
    int64_t n = 0;
    if (ft_store_user_count(app->store, &n) != FT_OK) return 0;
    if (n > 0) return 1;
    if (app->cfg.admin_password) {
        ft_store_user u;
        const char *why = NULL;
        if (create_user(app, "admin", "Administrator", app->cfg.admin_password, "admin", &u, &why) != FT_OK) {
            fprintf(stderr, "fieldtext-relay: cannot create admin: %s\n", why ? why : "?");
            return 0;
        }
        ft_store_user_clear(&u);
        return 1;
    }
    char tok[65], h[65];
    if (!ft_random_hex(tok, 32)) return 0;
    ft_sha256_hex(tok, strlen(tok), h);
    if (ft_store_setting_set(app->store, "setup_token_sha256", h) != FT_OK) return 0;
    /* Printed once; only its hash is stored. A restart before setup prints a new one. */
    printf("fieldtext-relay: no account yet. Create the administrator at:\n  http://127.0.0.1:%d/setup?token=%s\n",
           app->cfg.port, tok);
    fflush(stdout);
    return 1;
}

void ft_auth_setup_page(ft_req *r) {
    const char *token = ft_http_query(r, "token");
    int64_t n = 1;
    ft_store_user_count(r->app->store, &n);
    ft_buf b = {0};
    ft_buf_adds(&b, "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>fieldtext setup</title>"
                    "<meta name=\"viewport\" content=\"width=device-width\"></head><body><h1>fieldtext: first start</h1>");
    if (n > 0) {
        ft_buf_adds(&b, "<p>The administrator exists already. <a href=\"/\">Sign in</a>.</p>");
    } else {
        ft_buf_adds(&b, "<form method=\"post\" action=\"/setup\"><input type=\"hidden\" name=\"token\" value=\"");
        ft_buf_html(&b, token ? token : "");
        ft_buf_adds(&b, "\"><p><label>Username <input name=\"username\" required pattern=\"[a-z0-9._-]{1,64}\"></label></p>"
                        "<p><label>Your name <input name=\"name\" required></label></p>"
                        "<p><label>Password (10+ characters) <input type=\"password\" name=\"password\" minlength=\"10\" required>"
                        "</label></p><p><button>Create the administrator</button></p></form>");
    }
    ft_buf_adds(&b, "</body></html>");
    ft_http_reply(r, 200, "text/html; charset=utf-8", b.p ? b.p : "", b.len);
    ft_http_header(r, "Content-Security-Policy", "default-src 'none'; form-action 'self'; frame-ancestors 'none'");
    ft_http_header(r, "Cache-Control", "no-store");
    free(b.p);
}

static const char *form_get(ft_form_param *p, size_t n, const char *name) {
    for (size_t i = 0; i < n; i++) {
        if (strcmp(p[i].name, name) == 0) return p[i].value;
    }
    return NULL;
}

void ft_auth_setup(ft_req *r, int form) {
    if (!ft_auth_origin_ok(r)) {
        ft_http_error(r, FT_E_FORBIDDEN, "cross-site request refused (Origin)");
        return;
    }
    char ip[64], kip[96];
    ft_http_client_ip(r, ip, sizeof ip);
    snprintf(kip, sizeof kip, "setup:%s", ip);
    int64_t now = ft_now_ms(), w = throttle_wait(r->app, kip, now);
    if (w) {
        reply_throttled(r, w);
        return;
    }
    cJSON *j = NULL;
    ft_form_param *fp = NULL;
    size_t fn = 0;
    const char *token, *username, *name, *password;
    if (form) {
        if (!ft_form_parse(r->body, r->body_len, &fp, &fn)) {
            ft_http_error(r, FT_E_JSON_SHAPE, "malformed form");
            return;
        }
        token = form_get(fp, fn, "token");
        username = form_get(fp, fn, "username");
        name = form_get(fp, fn, "name");
        password = form_get(fp, fn, "password");
    } else {
        j = ft_http_body_json(r);
        if (!j) return;
        token = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "token"));
        username = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "username"));
        name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "name"));
        password = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "password"));
    }
    char *want = NULL;
    int64_t n = 1;
    ft_store_user_count(r->app->store, &n);
    if (n > 0 || ft_store_setting_get(r->app->store, "setup_token_sha256", &want) != FT_OK) {
        ft_http_error(r, FT_E_CONFLICT, "the administrator exists already");
    } else if (!token || !username || !name || !password) {
        ft_http_error(r, FT_E_JSON_SHAPE, "token, username, name and password are required");
    } else {
        char h[65];
        ft_sha256_hex(token, strlen(token), h);
        if (!ft_consttime_eq(h, want)) {
            throttle_fail(r->app, kip, THROTTLE_USER_MAX, now);
            ft_http_error(r, FT_E_FORBIDDEN, "the setup link is not valid");
        } else {
            ft_store_user u;
            const char *why = NULL;
            ft_status st = create_user(r->app, username, name, password, "admin", &u, &why);
            if (st != FT_OK) {
                ft_http_error(r, st, why);
            } else {
                ft_store_setting_delete(r->app->store, "setup_token_sha256");
                start_session(r, &u, form);
                ft_store_user_clear(&u);
            }
        }
    }
    free(want);
    cJSON_Delete(j);
    ft_form_free(fp, fn);
}

static int list_one(void *ctx, const ft_store_user *u) {
    cJSON_AddItemToArray(ctx, user_json(u->id, u->username, u->name, u->role));
    return 0;
}

void ft_auth_users_list(ft_req *r) {
    if (!ft_auth_require(r)) return;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "ok", 1);
    cJSON *arr = cJSON_AddArrayToObject(o, "users");
    if (ft_store_users_list(r->app->store, list_one, arr) != FT_OK) {
        cJSON_Delete(o);
        ft_http_error(r, FT_E_STORAGE, NULL);
        return;
    }
    ft_http_json(r, 200, o);
}

void ft_auth_users_create(ft_req *r) {
    if (!ft_auth_require_admin(r)) return;
    cJSON *j = ft_http_body_json(r);
    if (!j) return;
    const char *username = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "username"));
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "name"));
    const char *password = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "password"));
    const char *role = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "role"));
    if (!username || !name || !password) {
        cJSON_Delete(j);
        ft_http_error(r, FT_E_JSON_SHAPE, "username, name and password are required");
        return;
    }
    ft_store_user u;
    const char *why = NULL;
    ft_status st = create_user(r->app, username, name, password, role ? role : "staff", &u, &why);
    cJSON_Delete(j);
    if (st != FT_OK) {
        ft_http_error(r, st, why);
        return;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "ok", 1);
    cJSON_AddItemToObject(o, "user", user_json(u.id, u.username, u.name, u.role));
    ft_store_user_clear(&u);
    ft_http_json(r, 201, o);
}
