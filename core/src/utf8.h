/* Internal: UTF-8 validation and normalization shared by the core's modules (utf8proc does the work). */
#ifndef FT_UTF8_H
#define FT_UTF8_H

#include <stddef.h>

/* The byte offset of the first byte that does not start a valid UTF-8 sequence (overlongs,
 * surrogates and values past U+10FFFF are invalid), or len when all of s[0..len) is valid.
 * NUL is a valid character. */
size_t ft_utf8_bad_offset(const char *s, size_t len);

/* 1 when s[0..len) is valid UTF-8. */
static inline int ft_utf8_valid(const char *s, size_t len) { return ft_utf8_bad_offset(s, len) == len; }

/* utf8proc_map (decompose with the given utf8proc options, then re-encode), but never with the NULL
 * buffer utf8proc_map measures with: that does arithmetic on a null pointer, which clang's UBSan
 * reports (utf8proc issue #240). Decomposes into a buffer of our own, grown once if too small.
 * Returns the byte length of *out (malloc'd, NUL-terminated, freed by the caller) or a negative
 * utf8proc error (*out NULL). */
long ft_utf8_map(const char *s, size_t len, int options, char **out);

#endif
