/* Internal: the grapheme-cluster iterator shared by the fast count and the full analysis.
 * It decodes UTF-8 (validating it), applies Smart Encoding when asked, and yields the clusters of
 * the text as it will be encoded, each with its range in the text as written. */
#ifndef FT_CLUSTER_H
#define FT_CLUSTER_H

#include <stddef.h>
#include <stdint.h>

#include "fieldtext/error.h"
#include "utf8proc.h"

/* A cluster larger than this many UTF-16 units cannot travel in one part of a multi-part UCS-2
 * message; it is cut at a code point boundary (no other choice is physically possible). */
#define FT_CLUSTER_MAX_UNITS 67u

typedef struct ft_cluster {
    uint32_t first_cp;
    uint32_t cps;           /* code points in the cluster */
    uint32_t units16;       /* UTF-16 units of the cluster as encoded */
    uint32_t gsm;           /* ft_gsm7_class of the cluster: NONE unless a single GSM code point */
    uint32_t b0, b1;        /* byte range in the text as written */
    uint32_t u0, u1;        /* UTF-16 range in the text as written */
} ft_cluster;

typedef struct ft_cp_item {
    uint32_t cp;
    uint32_t b0, b1, u0, u1; /* the source range the code point comes from */
} ft_cp_item;

typedef struct ft_cluster_iter {
    const unsigned char *s;
    uint32_t len, pos, pos16;
    unsigned smart;
    const char *rep;         /* pending Smart Encoding replacement */
    uint32_t rep_len, rep_pos;
    ft_cp_item rep_src;
    ft_cp_item next;         /* look-ahead code point */
    int has_next;
    int32_t state;           /* utf8proc grapheme break state */
    int32_t next_bc;         /* boundclass of next.cp, or -1 when not looked up */
    uint32_t src_cps;        /* code points of the text as written, read so far */
    int error;               /* 0, or FT_E_UTF8 */
    uint32_t err_offset;
} ft_cluster_iter;

void ft_cluster_iter_init(ft_cluster_iter *it, const char *utf8, uint32_t len, unsigned smart);

/* 1: a cluster in *out; 0: the end; FT_E_UTF8: invalid input at it->err_offset. */
int ft_cluster_next(ft_cluster_iter *it, ft_cluster *out);

/* Counts clusters into a segment tally; shared by count and analysis. */
typedef struct ft_tally {
    uint32_t gsm_segs, gsm_used, gsm_total;
    uint32_t ucs_segs, ucs_used, ucs_total;
    int all_gsm;
} ft_tally;

#define FT_BYTES(b) (0x0101010101010101ull * (b))
/* GSM-7 septets of eight ASCII bytes (each < 0x80) at once: 8 plus one per extension character
 * ([ \\ ] ^ { | } ~), or 0 when a byte is a control (< 0x20: LF, FF, CR and the ones outside the
 * alphabet), the grave accent or DEL, which the caller then takes one at a time. No byte carries
 * into the next: every sum below stays under 0x100. test_segment checks it against ft_gsm7_ascii_septets. */
static inline uint32_t ft_ascii8_septets(uint64_t w) {
    const uint64_t hi = FT_BYTES(0x80);
    uint64_t odd = ~(w + FT_BYTES(0x60))                  /* < 0x20 */
                   | ~((w ^ FT_BYTES(0x60)) + FT_BYTES(0x7F)) /* == 0x60 */
                   | ~((w ^ FT_BYTES(0x7F)) + FT_BYTES(0x7F)); /* == 0x7F */
    if (odd & hi) return 0;
    uint64_t x = w & FT_BYTES(0xDF); /* 0x7B..0x7E -> 0x5B..0x5E */
    uint64_t ext = (x + FT_BYTES(0x25)) & ~(x + FT_BYTES(0x21)) & hi; /* 0x5B <= x <= 0x5E */
    return 8u + (uint32_t)(((ext >> 7) * FT_BYTES(1)) >> 56);
}

void ft_tally_init(ft_tally *t);
void ft_tally_add(ft_tally *t, const ft_cluster *c);
/* Encoding, segments and units of the valid-or-not UTF-8 text s[0..n) without Smart Encoding, plus
 * its UTF-16 units and code points: what the cluster iterator and a tally give, but clusters are
 * only resolved near the part boundaries of a multi-part UCS-2 message. FT_OK, FT_E_UTF8
 * (*err_offset set) or FT_E_INTERNAL. */
ft_status ft_cluster_count_plain(const unsigned char *s, uint32_t n, uint32_t *encoding, uint32_t *segments,
                                 uint32_t *units, uint32_t *u16, uint32_t *cps, uint32_t *err_offset);
/* Adds n clusters of one ASCII character each (the bytes s[0..n)) to a tally. */
void ft_tally_add_ascii(ft_tally *t, const unsigned char *s, uint32_t n);
/* Final encoding and segment count of a tally. */
void ft_tally_result(const ft_tally *t, uint32_t *encoding, uint32_t *segments, uint32_t *units);

/* Bit per 32-code-point block of the BMP: 1 when utf8proc gives every code point of it the
 * boundclass OTHER (cluster.c; checked against utf8proc by test_segment). */
extern const uint32_t ft_other_blocks[64];

/* The first two words of ft_other_blocks (U+0000..U+03FF, U+0400..U+07FF), for constant tables. */
#define FT_OTHER_BLOCKS_W0 0xF0FFFFC6u
#define FT_OTHER_BLOCKS_W1 0x58328FEFu

/* utf8proc_iterate's exact checks (shortest form, no surrogates, at most U+10FFFF), inlined: this
 * is the hot loop. Returns the sequence length, or 0 when the bytes are not valid UTF-8. */
static inline uint32_t ft_decode_utf8(const unsigned char *s, uint32_t avail, uint32_t *cp) {
    uint32_t c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c - 0xC2 > 0xF4 - 0xC2) return 0;
    if (c < 0xE0) {
        if (avail < 2 || (s[1] & 0xC0) != 0x80) return 0;
        *cp = ((c & 0x1F) << 6) | (s[1] & 0x3Fu);
        return 2;
    }
    if (c < 0xF0) {
        if (avail < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80) return 0;
        if (c == 0xED && s[1] > 0x9F) return 0; /* surrogates */
        uint32_t v = ((c & 0xF) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu);
        if (v < 0x800) return 0;
        *cp = v;
        return 3;
    }
    if (avail < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80) return 0;
    if ((c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] > 0x8F)) return 0;
    *cp = ((c & 7) << 18) | ((s[1] & 0x3Fu) << 12) | ((s[2] & 0x3Fu) << 6) | (s[3] & 0x3Fu);
    return 4;
}

/* 1 when cp is known to have utf8proc's boundclass OTHER without asking utf8proc: printable ASCII
 * (U+0020..U+007E; the block U+0060.. holds DEL) or a code point in an all-OTHER block. */
static inline int ft_simple_other(uint32_t cp) {
    return cp - 0x20u < 0x5Fu || (cp < 0x10000 && ((ft_other_blocks[cp >> 10] >> ((cp >> 5) & 31u)) & 1u));
}

/* utf8proc's boundclass of cp. */
static inline int ft_boundclass(uint32_t cp) {
    if (ft_simple_other(cp)) return UTF8PROC_BOUNDCLASS_OTHER;
    return (int)utf8proc_get_property((utf8proc_int32_t)cp)->boundclass;
}


/* Septets of each ASCII code point (0: not GSM), the table behind ft_gsm7_classify. */
extern const char ft_gsm7_ascii_septets[128];
/* Latin-1 members of the basic table (U+0080..U+00FF), one bit each, by 32 code points (the first
 * word, U+0080..U+009F, is empty): A1 A3 A4 A5 A7 BF C4 C5 C6 C7 C9 D1 D6 D8 DC DF E0 E4 E5 E6 E8 E9 EC
 * F1 F2 F6 F8 F9 FC. Also as macros, for constant tables. */
#define FT_GSM7_LATIN1_W1 0x800000BAu
#define FT_GSM7_LATIN1_W2 0x914202F0u
#define FT_GSM7_LATIN1_W3 0x13461371u
extern const uint32_t ft_gsm7_latin1_bits[4];
/* Greek capitals of the basic table, bit (cp - U+0393). */
#define FT_GSM7_GREEK_BITS 0x692923u

/* Septets of a code point in GSM-7: 1 basic, 2 extension, 0 not in the alphabet (ft_gsm7_classify). */
static inline uint32_t ft_gsm7_septets(uint32_t cp) {
    if (cp < 0x80) return (uint32_t)ft_gsm7_ascii_septets[cp];
    if (cp < 0x100) return (ft_gsm7_latin1_bits[(cp - 0x80) >> 5] >> (cp & 31)) & 1u;
    if (cp - 0x0393u <= 0x03A9u - 0x0393u) return (FT_GSM7_GREEK_BITS >> (cp - 0x0393u)) & 1u;
    return cp == 0x20AC ? 2u : 0u;
}

#endif
