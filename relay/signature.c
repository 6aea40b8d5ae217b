/* fieldtext relay: Twilio's webhook signature (X-Twilio-Signature) and form-encoded bodies.
 * Kept apart from webhooks.c so the unit test (tests/relay/unit/) links it alone. */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include <ctype.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
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

static char *decode(const char *s, size_t n) {
    char *out = malloc(n + 1);
    if (!out) return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') {
            out[k++] = ' ';
        } else if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 &&
                   hexval(s[i + 2]) >= 0) {
            out[k++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else {
            out[k++] = s[i];
        }
    }
    out[k] = '\0';
    return out;
}

void ft_form_free(ft_form_param *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        free(p[i].name);
        free(p[i].value);
    }
    free(p);
}

int ft_form_parse(const char *body, size_t len, ft_form_param **out, size_t *n) {
    *out = NULL;
    *n = 0;
    size_t cap = 0;
    ft_form_param *p = NULL;
    size_t i = 0;
    while (body && i < len) {
        size_t j = i;
        while (j < len && body[j] != '&') j++;
        if (j > i) {
            size_t eq = i;
            while (eq < j && body[eq] != '=') eq++;
            if (*n == cap) {
                cap = cap ? cap * 2 : 16;
                if (cap > 10000) {
                    ft_form_free(p, *n);
                    *n = 0;
                    return 0;
                }
                ft_form_param *np = realloc(p, cap * sizeof *p);
                if (!np) {
                    ft_form_free(p, *n);
                    *n = 0;
                    return 0;
                }
                p = np;
            }
            p[*n].name = decode(body + i, eq - i);
            p[*n].value = eq < j ? decode(body + eq + 1, j - eq - 1) : strdup("");
            if (!p[*n].name || !p[*n].value) {
                free(p[*n].name);
                free(p[*n].value);
                ft_form_free(p, *n);
                *n = 0;
                return 0;
            }
            (*n)++;
        }
        i = j + 1;
    }
    *out = p;
    return 1;
}

/* ---- the signature ---- */

static int cmp_param(const void *a, const void *b) {
    const ft_form_param *x = *(const ft_form_param *const *)a, *y = *(const ft_form_param *const *)b;
    int c = strcmp(x->name, y->name);
    return c ? c : strcmp(x->value, y->value);
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
    unsigned int mac_len = 0;
    if (!HMAC(EVP_sha1(), token, (int)strlen(token), (const unsigned char *)s.p, s.len, mac, &mac_len)) {
        free(s.p);
        return NULL;
    }
    free(s.p);
    return ft_base64(mac, mac_len);
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

