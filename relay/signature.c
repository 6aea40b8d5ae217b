/* fieldtext relay: Twilio's webhook signature (X-Twilio-Signature) and form-encoded bodies.
 * Kept apart from webhooks.c so the unit test (tests/relay/unit/) links it alone. */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include <ctype.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay.h"

/* ---- form bodies ---- */

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Decodes s[0..n) into out (at most n bytes and a NUL); returns the end of what it wrote. */
static char *decode_into(char *out, const char *s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') {
            *out++ = ' ';
        } else if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 &&
                   hexval(s[i + 2]) >= 0) {
            *out++ = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else {
            *out++ = s[i];
        }
    }
    *out++ = '\0';
    return out;
}

void ft_form_free(ft_form_param *p, size_t n) {
    (void)n; /* the names and values live in the block after the array */
    free(p);
}

/* One allocation for the whole form (a webhook has a dozen parameters): the parameter array, then
 * every decoded name and value. A pair takes at most its raw bytes plus two NULs. */
int ft_form_parse(const char *body, size_t len, ft_form_param **out, size_t *n) {
    *out = NULL;
    *n = 0;
    size_t count = 0;
    for (size_t i = 0; body && i < len; i++) count += body[i] == '&';
    count++;
    if (count > 10000) return 0;
    size_t head = count * sizeof(ft_form_param);
    ft_form_param *p = malloc(head + len + 2 * count + 1);
    if (!p) return 0;
    char *w = (char *)p + head;
    size_t i = 0, k = 0;
    while (body && i < len) {
        size_t j = i;
        while (j < len && body[j] != '&') j++;
        if (j > i) {
            size_t eq = i;
            while (eq < j && body[eq] != '=') eq++;
            p[k].name = w;
            w = decode_into(w, body + i, eq - i);
            p[k].value = w;
            w = eq < j ? decode_into(w, body + eq + 1, j - eq - 1) : decode_into(w, "", 0);
            k++;
        }
        i = j + 1;
    }
    *out = p;
    *n = k;
    return 1;
}

/* ---- the signature ---- */

static int cmp_param(const void *a, const void *b) {
    const ft_form_param *x = *(const ft_form_param *const *)a, *y = *(const ft_form_param *const *)b;
    int c = strcmp(x->name, y->name);
    return c ? c : strcmp(x->value, y->value);
}

/* HMAC-SHA1 keyed with the auth token, set up once: OpenSSL 3's one-shot HMAC() looks the MAC and
 * the digest up by name and keys them on every call, a third of the signature check's time. Each
 * check copies the keyed context (a new token, e.g. another install's, replaces it). */
static pthread_mutex_t g_mac_lock = PTHREAD_MUTEX_INITIALIZER;
static EVP_MAC_CTX *g_mac_keyed; /* under g_mac_lock, ready for EVP_MAC_update */
static char *g_mac_token;        /* under g_mac_lock: the key of g_mac_keyed */

static EVP_MAC_CTX *mac_keyed(const char *token) {
    EVP_MAC_CTX *ctx = NULL;
    pthread_mutex_lock(&g_mac_lock);
    if (!g_mac_token || strcmp(g_mac_token, token) != 0) {
        EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
        EVP_MAC_CTX *k = mac ? EVP_MAC_CTX_new(mac) : NULL;
        EVP_MAC_free(mac); /* k holds its own reference */
        char digest[] = "SHA1";
        OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0), OSSL_PARAM_construct_end()};
        char *t = strdup(token);
        if (k && t && EVP_MAC_init(k, (const unsigned char *)token, strlen(token), params)) {
            EVP_MAC_CTX_free(g_mac_keyed);
            free(g_mac_token);
            g_mac_keyed = k;
            g_mac_token = t;
        } else {
            EVP_MAC_CTX_free(k);
            free(t);
            pthread_mutex_unlock(&g_mac_lock);
            return NULL;
        }
    }
    ctx = EVP_MAC_CTX_dup(g_mac_keyed);
    pthread_mutex_unlock(&g_mac_lock);
    return ctx;
}

char *ft_twilio_signature(const char *token, const char *url, const ft_form_param *params, size_t n) {
    const ft_form_param **sorted = n ? malloc(n * sizeof *sorted) : NULL;
    if (n && !sorted) return NULL;
    for (size_t i = 0; i < n; i++) sorted[i] = &params[i];
    if (n > 1) qsort(sorted, n, sizeof *sorted, cmp_param);
    ft_buf s = {0};
    ft_buf_adds(&s, url);
    for (size_t i = 0; i < n; i++) {
        /* Values of a repeated name are sorted and deduplicated, as Twilio's libraries do. */
        if (i > 0 && cmp_param(&sorted[i - 1], &sorted[i]) == 0) continue;
        ft_buf_adds(&s, sorted[i]->name);
        ft_buf_adds(&s, sorted[i]->value);
    }
    free(sorted);
    if (!s.p) return NULL;
    unsigned char mac[EVP_MAX_MD_SIZE];
    size_t mac_len = 0;
    EVP_MAC_CTX *ctx = mac_keyed(token);
    int ok = ctx && EVP_MAC_update(ctx, (const unsigned char *)s.p, s.len) && EVP_MAC_final(ctx, mac, &mac_len, sizeof mac);
    EVP_MAC_CTX_free(ctx);
    free(s.p);
    return ok ? ft_base64(mac, mac_len) : NULL;
}

/* The same URL with its port removed, or the scheme's default port added (Twilio's libraries accept
 * both). NULL when the URL has no recognisable scheme://host. malloc'd. */
static char *toggle_port(const char *url) {
    const char *dflt = strncmp(url, "https://", 8) == 0 ? "443" : strncmp(url, "http://", 7) == 0 ? "80" : NULL;
    if (!dflt) return NULL;
    const char *host = strstr(url, "://") + 3;
    const char *end = host + strcspn(host, "/?#");
    const char *colon = memchr(host, ':', (size_t)(end - host));
    ft_buf b = {0};
    if (colon) {
        ft_buf_add(&b, url, (size_t)(colon - url));
        ft_buf_adds(&b, end);
    } else {
        ft_buf_add(&b, url, (size_t)(end - url));
        ft_buf_adds(&b, ":");
        ft_buf_adds(&b, dflt);
        ft_buf_adds(&b, end);
    }
    return b.p;
}

/* The bodySHA256 query parameter of a URL (JSON webhooks), copied into out; 0 if absent. */
static int body_sha_param(const char *url, char out[65]) {
    const char *q = strchr(url, '?');
    while (q) {
        q++;
        if (strncmp(q, "bodySHA256=", 11) == 0) {
            size_t n = strcspn(q + 11, "&#");
            if (n != 64) return -1;
            memcpy(out, q + 11, 64);
            out[64] = '\0';
            return 1;
        }
        q = strchr(q, '&');
    }
    return 0;
}

static int sig_matches(const char *token, const char *url, const ft_form_param *params, size_t n, const char *sig) {
    char *want = ft_twilio_signature(token, url, params, n);
    int ok = want && ft_consttime_eq(want, sig);
    free(want);
    return ok;
}

int ft_twilio_signature_valid(const char *token, const char *url, const ft_form_param *params, size_t n,
                              const char *body, size_t body_len, const char *sig) {
    if (!token || !token[0] || !url || !sig || !sig[0]) return 0;
    char want_sha[65];
    int has_sha = body_sha_param(url, want_sha);
    if (has_sha < 0) return 0;
    if (has_sha) {
        /* JSON webhooks: the URL alone is signed, and the body must hash to bodySHA256. */
        char got[65];
        ft_sha256_hex(body ? body : "", body_len, got);
        for (char *c = want_sha; *c; c++) *c = (char)tolower((unsigned char)*c);
        if (!ft_consttime_eq(got, want_sha)) return 0;
        params = NULL;
        n = 0;
    }
    if (sig_matches(token, url, params, n, sig)) return 1;
    char *other = toggle_port(url);
    int ok = other && sig_matches(token, other, params, n, sig);
    free(other);
    return ok;
}

