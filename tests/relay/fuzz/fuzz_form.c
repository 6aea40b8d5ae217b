/* Fuzz target: the relay's pure parsers — form bodies (ft_form_parse), Twilio's webhook signature
 * (ft_twilio_signature, ft_twilio_signature_valid, with and without bodySHA256) and HTML escaping
 * (ft_buf_html). The input is "token\nurl\nbody"; a missing token or url takes a default.
 * Invariants: no crash, UB or leak; the parsed pairs fit the body and re-encode to the same pairs;
 * a signature made for (token, url, params) validates, and not once a byte of a value changes; a
 * URL carrying the body's bodySHA256 validates with that body only; ft_buf_html leaves no raw
 * < > " ' and no & outside its entities, and unescapes back to its input. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* s[0..n) as a NUL-terminated copy (a NUL inside ends the C string, as for any header value). */
static char *dup_n(const char *s, size_t n) {
    char *p = malloc(n + 1);
    if (!p) abort();
    if (n) memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

static void check_html(const char *s) {
    static const struct {
        const char *entity;
        char c;
    } ents[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}};
    ft_buf b = {0};
    if (!ft_buf_html(&b, s)) abort();
    const char *o = b.p ? b.p : "";
    if (strlen(o) != b.len) abort();
    /* unescape while checking: every & starts one of the entities, nothing else is special */
    size_t k = 0;
    for (size_t i = 0; o[i];) {
        char c = o[i];
        if (c == '<' || c == '>' || c == '"' || c == '\'') abort();
        if (c == '&') {
            size_t e = 0;
            while (e < sizeof ents / sizeof ents[0] && strncmp(o + i, ents[e].entity, strlen(ents[e].entity)) != 0) e++;
            if (e == sizeof ents / sizeof ents[0]) abort();
            c = ents[e].c;
            i += strlen(ents[e].entity);
        } else {
            i++;
        }
        if (s[k++] != c) abort();
    }
    if (s[k] != '\0') abort();
    free(b.p);
}

/* Percent-encodes every byte but unreserved ones. */
static void form_encode(ft_buf *b, const char *s) {
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
            c == '~') {
            ft_buf_add(b, (const char *)s, 1);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            ft_buf_add(b, e, 3);
        }
    }
}

static void check_form(const char *body, size_t len, ft_form_param **out, size_t *n) {
    size_t amps = 0;
    for (size_t i = 0; i < len; i++) amps += body[i] == '&';
    if (!ft_form_parse(body, len, out, n)) {
        if (amps + 1 <= 10000) abort(); /* refused only over the pair cap */
        *out = NULL;
        *n = 0;
        return;
    }
    if (*n > amps + 1) abort();
    size_t total = 0;
    for (size_t i = 0; i < *n; i++) {
        if (!(*out)[i].name || !(*out)[i].value) abort();
        total += strlen((*out)[i].name) + strlen((*out)[i].value);
    }
    if (total > len) abort(); /* decoding never grows */
    /* re-encoded, the pairs parse back the same */
    ft_buf e = {0};
    ft_buf_add(&e, "", 0);
    for (size_t i = 0; i < *n; i++) {
        if (i) ft_buf_adds(&e, "&");
        form_encode(&e, (*out)[i].name);
        ft_buf_adds(&e, "=");
        form_encode(&e, (*out)[i].value);
    }
    ft_form_param *p2 = NULL;
    size_t n2 = 0;
    if (!e.p || !ft_form_parse(e.p, e.len, &p2, &n2)) abort();
    /* an empty pair ("" = "") is written as "=" and comes back; nothing else is lost or added */
    if (n2 != *n) abort();
    for (size_t i = 0; i < *n; i++)
        if (strcmp(p2[i].name, (*out)[i].name) != 0 || strcmp(p2[i].value, (*out)[i].value) != 0) abort();
    ft_form_free(p2, n2);
    free(e.p);
}

static void check_signature(const char *token, const char *url, ft_form_param *p, size_t n, const char *body, size_t len,
                            uint8_t pick) {
    char *sig = ft_twilio_signature(token, url, p, n);
    if (!token[0]) {
        /* no token configured: nothing validates */
        if (sig && ft_twilio_signature_valid(token, url, p, n, NULL, 0, sig)) abort();
        free(sig);
        return;
    }
    if (!sig || strlen(sig) != 28) abort(); /* base64 of a 20-byte HMAC-SHA1 */
    if (strstr(url, "bodySHA256=")) {
        /* the url's own bodySHA256 decides: exercised, not checked */
        (void)ft_twilio_signature_valid(token, url, p, n, body, len, sig);
        free(sig);
        return;
    }
    if (!ft_twilio_signature_valid(token, url, p, n, NULL, 0, sig)) abort();
    /* one byte of one value changed (to a byte that is not NUL): refused */
    size_t k = n ? pick % n : 0;
    size_t vl = n ? strlen(p[k].value) : 0;
    if (vl) {
        size_t at = (size_t)(pick / 7) % vl;
        char old = p[k].value[at];
        p[k].value[at] = (char)(old == 'x' ? 'y' : 'x');
        if (ft_twilio_signature_valid(token, url, p, n, NULL, 0, sig)) abort();
        p[k].value[at] = old;
    }
    free(sig);

    /* JSON webhooks: the url with the body's bodySHA256 is signed alone, and the body must match */
    char sha[65];
    ft_sha256_hex(body, len, sha);
    if (pick & 1)
        for (char *c = sha; *c; c++)
            if (*c >= 'a' && *c <= 'f') *c = (char)(*c - 32); /* the hex's case does not matter */
    ft_buf u = {0};
    ft_buf_adds(&u, url);
    ft_buf_adds(&u, strchr(url, '?') ? "&bodySHA256=" : "?bodySHA256=");
    ft_buf_adds(&u, sha);
    if (!u.p) abort();
    char *jsig = ft_twilio_signature(token, u.p, NULL, 0);
    if (!jsig) abort();
    if (!ft_twilio_signature_valid(token, u.p, p, n, body, len, jsig)) abort();
    if (len) {
        char *t = dup_n(body, len);
        size_t at = (size_t)pick % len;
        t[at] = (char)(t[at] ^ 1);
        if (ft_twilio_signature_valid(token, u.p, p, n, t, len, jsig)) abort();
        free(t);
    }
    free(jsig);
    free(u.p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *s = (const char *)data;
    const char *nl1 = memchr(s, '\n', size);
    const char *nl2 = nl1 ? memchr(nl1 + 1, '\n', size - (size_t)(nl1 + 1 - s)) : NULL;
    char *token, *url;
    const char *body;
    size_t len;
    if (nl2) {
        token = dup_n(s, (size_t)(nl1 - s));
        url = dup_n(nl1 + 1, (size_t)(nl2 - nl1 - 1));
        body = nl2 + 1;
        len = size - (size_t)(body - s);
    } else {
        token = dup_n("12345", 5);
        url = dup_n("https://relay.example.com/twilio/inbound", 40);
        body = s;
        len = size;
    }
    uint8_t pick = size ? data[size - 1] : 0;

    ft_form_param *p = NULL;
    size_t n = 0;
    check_form(body, len, &p, &n);
    check_signature(token, url, p, n, body, len, pick);

    char *b = dup_n(body, len);
    check_html(token);
    check_html(url);
    check_html(b);
    for (size_t i = 0; i < n; i++) {
        check_html(p[i].name);
        check_html(p[i].value);
    }
    free(b);
    if (p) ft_form_free(p, n);
    free(token);
    free(url);
    return 0;
}
