/* fieldtext relay: a growing byte buffer, with HTML/XML escaping. */
#include <stdlib.h>
#include <string.h>

#include "relay.h"

int ft_buf_add(ft_buf *b, const char *s, size_t n) {
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1) cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) return 0;
        b->p = p;
        b->cap = cap;
    }
    if (n) memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 1;
}

int ft_buf_adds(ft_buf *b, const char *s) { return ft_buf_add(b, s ? s : "", s ? strlen(s) : 0); }

int ft_buf_html(ft_buf *b, const char *s) {
    for (; s && *s; s++) {
        const char *rep = NULL;
        switch (*s) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: break;
        }
        if (!(rep ? ft_buf_adds(b, rep) : ft_buf_add(b, s, 1))) return 0;
    }
    return 1;
}
