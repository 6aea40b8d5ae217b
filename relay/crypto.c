/* fieldtext relay: random ids, hashes and encodings (OpenSSL). */
#define _POSIX_C_SOURCE 200809L
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "relay.h"

int ft_random_bytes(unsigned char *buf, size_t n) { return RAND_bytes(buf, (int)n) == 1; }

void ft_hex(const unsigned char *in, size_t n, char *out) {
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

int ft_random_hex(char *out, size_t nbytes) {
    unsigned char buf[64];
    if (nbytes > sizeof buf || !ft_random_bytes(buf, nbytes)) return 0;
    ft_hex(buf, nbytes, out);
    return 1;
}

static void uuid_format(unsigned char b[16], char out[37]) {
    char hex[33];
    ft_hex(b, 16, hex);
    memcpy(out, hex, 8);
    out[8] = '-';
    memcpy(out + 9, hex + 8, 4);
    out[13] = '-';
    memcpy(out + 14, hex + 12, 4);
    out[18] = '-';
    memcpy(out + 19, hex + 16, 4);
    out[23] = '-';
    memcpy(out + 24, hex + 20, 12);
    out[36] = '\0';
}

void ft_uuid_v4(char out[37]) {
    unsigned char b[16];
    if (!ft_random_bytes(b, sizeof b)) abort(); /* no randomness: nothing safe to do */
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    uuid_format(b, out);
}

void ft_uuid_from_name(const char *name, char out[37]) {
    unsigned char d[SHA256_DIGEST_LENGTH];
    SHA256((const unsigned char *)name, strlen(name), d);
    d[6] = (unsigned char)((d[6] & 0x0f) | 0x80); /* version 8: custom, name-based */
    d[8] = (unsigned char)((d[8] & 0x3f) | 0x80);
    uuid_format(d, out);
}

int ft_is_uuid(const char *s) {
    if (!s || strlen(s) != 36) return 0;
    for (int i = 0; i < 36; i++) {
        char c = s[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-') return 0;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
            return 0;
        }
    }
    return 1;
}

void ft_sha256_hex(const void *data, size_t n, char out[65]) {
    unsigned char d[SHA256_DIGEST_LENGTH];
    SHA256(data, n, d);
    ft_hex(d, sizeof d, out);
}

char *ft_base64(const unsigned char *in, size_t n) {
    size_t cap = 4 * ((n + 2) / 3) + 1;
    char *out = malloc(cap);
    if (!out) return NULL;
    EVP_EncodeBlock((unsigned char *)out, in, (int)n);
    return out;
}

int64_t ft_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int ft_consttime_eq(const char *a, const char *b) {
    if (!a || !b) return 0;
    size_t la = strlen(a), lb = strlen(b);
    if (la != lb) return 0;
    return CRYPTO_memcmp(a, b, la) == 0;
}
