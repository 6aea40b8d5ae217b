/* Internal: the grapheme-cluster iterator shared by the fast count and the full analysis.
 * It decodes UTF-8 (validating it), applies Smart Encoding when asked, and yields the clusters of
 * the text as it will be encoded, each with its range in the text as written. */
#ifndef FT_CLUSTER_H
#define FT_CLUSTER_H

#include <stddef.h>
#include <stdint.h>

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
/* Tallies the clusters of s[0..n) (no Smart Encoding) and adds its UTF-16 units and code points to
 * *u16 and *cps: what ft_cluster_next would give, faster. 0, or FT_E_UTF8 (*err_offset set). */
int ft_cluster_tally_plain(const unsigned char *s, uint32_t n, ft_tally *t, uint32_t *u16, uint32_t *cps,
                           uint32_t *err_offset);
/* Adds n clusters of one ASCII character each (the bytes s[0..n)) to a tally. */
void ft_tally_add_ascii(ft_tally *t, const unsigned char *s, uint32_t n);
/* Final encoding and segment count of a tally. */
void ft_tally_result(const ft_tally *t, uint32_t *encoding, uint32_t *segments, uint32_t *units);

/* Bit per 32-code-point block of the BMP: 1 when utf8proc gives every code point of it the
 * boundclass OTHER (cluster.c; checked against utf8proc by test_segment). */
extern const uint32_t ft_other_blocks[64];

/* Septets of each ASCII code point (0: not GSM), the table behind ft_gsm7_classify. */
extern const char ft_gsm7_ascii_septets[128];

#endif
