/* fieldtext core: UTF-8 validation and normalization (utf8.h). */
#include "utf8.h"

#include <stdlib.h>

#include "utf8proc.h"

size_t ft_utf8_bad_offset(const char *s, size_t len) {
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    size_t i = 0;
    while (i < len) {
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &cp);
        if (k <= 0) return i;
        i += (size_t)k;
    }
    return len;
}

long ft_utf8_map(const char *s, size_t len, int options, char **out) {
    *out = NULL;
    /* code points after decomposition: usually about the input's; room for twice that first */
    utf8proc_ssize_t cap = (utf8proc_ssize_t)len * 2 + 16;
    for (int pass = 0; pass < 2; pass++) {
        /* + 1 byte: utf8proc_reencode writes a NUL after the text, in place */
        utf8proc_int32_t *buf = malloc((size_t)cap * sizeof *buf + 1);
        if (!buf) return UTF8PROC_ERROR_NOMEM;
        utf8proc_ssize_t r = utf8proc_decompose((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, buf, cap,
                                                (utf8proc_option_t)options);
        if (r >= 0 && r <= cap) r = utf8proc_reencode(buf, r, (utf8proc_option_t)options);
        else if (r > cap) {
            free(buf);
            cap = r; /* the exact size needed: the second pass fits */
            continue;
        }
        if (r < 0) {
            free(buf);
            return (long)r;
        }
        *out = (char *)buf;
        return (long)r;
    }
    return UTF8PROC_ERROR_NOMEM;
}
