/* Internal: UTF-8 validation shared by the core's modules (utf8proc does the decoding). */
#ifndef FT_UTF8_H
#define FT_UTF8_H

#include <stddef.h>

/* The byte offset of the first byte that does not start a valid UTF-8 sequence (overlongs,
 * surrogates and values past U+10FFFF are invalid), or len when all of s[0..len) is valid.
 * NUL is a valid character. */
size_t ft_utf8_bad_offset(const char *s, size_t len);

/* 1 when s[0..len) is valid UTF-8. */
static inline int ft_utf8_valid(const char *s, size_t len) { return ft_utf8_bad_offset(s, len) == len; }

#endif
