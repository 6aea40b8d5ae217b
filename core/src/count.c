/* fieldtext core: the fast count of a text without Smart Encoding (ft_cluster_count_plain, see
 * cluster.h): one branch-light validating pass over the bytes, then clusters resolved only near the
 * part boundaries of a multi-part UCS-2 message. test_segment and fuzz_segment compare it with the
 * cluster iterator, which stays the reference. */
#include <string.h>

#include "cluster.h"
#include "fieldtext/gsm7.h"
#include "fieldtext/segment.h"

#define FT_OTHER_BLOCKS_01 (((uint64_t)FT_OTHER_BLOCKS_W1 << 32) | FT_OTHER_BLOCKS_W0)

/* The one-pass scan of a text without Smart Encoding: UTF-8 validity (a table-driven automaton over
 * RFC 3629's well-formed byte sequences: no overlong forms, no surrogates, nothing above U+10FFFF),
 * code points, UTF-16 units and, while the text is GSM, its septets and extension characters, all
 * without a branch per character (mixed scripts make such branches unpredictable). Each byte's
 * properties come from one table entry (scan_props): */
#define SP_SEPT 3u          /* septets of a GSM ASCII byte (0 for every other byte) */
#define SP_EXT 4u           /* an ASCII extension character */
#define SP_LEAD(p) (((p) >> 4) & 3u) /* 1 C2, 2 C3, 3 CE: leads of 2-byte GSM letters */
#define SP_OTHER2 0x300u    /* for a lead C2..DF: bit 8 (9) set when every code point it starts with a
                             * second byte 80..9F (A0..BF) is Other for UAX #29 (ft_other_blocks) */
#define SP_LEAD2 0x400u     /* a lead of a two-byte sequence */
#define SP_LEAD3 0x800u     /* a lead of a three-byte sequence */
#define SP_LEN(p) ((((p) >> 14) & 3u) + 1u) /* bytes of the sequence a lead starts (1 for the rest) */
#define SP_ASTRAL 0x2000u   /* a 4-byte lead: two UTF-16 units */

/* Byte classes: 0 ASCII; 1 80-8F, 2 90-9F, 3 A0-BF (continuations); 4 never valid (C0 C1 F5-FF);
 * 5 C2-DF; 6 E0; 7 E1-EC EE EF; 8 ED; 9 F0; 10 F1-F3; 11 F4. */
#define SP_CLS(b) ((b) < 0x80 ? 0u : (b) < 0x90 ? 1u : (b) < 0xA0 ? 2u : (b) < 0xC0 ? 3u : (b) < 0xC2 ? 4u \
                   : (b) < 0xE0 ? 5u : (b) == 0xE0 ? 6u : (b) == 0xED ? 8u : (b) < 0xF0 ? 7u : (b) == 0xF0 ? 9u \
                   : (b) < 0xF4 ? 10u : (b) == 0xF4 ? 11u : 4u)
#define SP_ASEPT(b) ((b) == 0x0A || (b) == 0x0D || ((b) >= 0x20 && (b) < 0x7F && (b) != 0x60) \
                     ? (((b) >= 0x5B && (b) <= 0x5E) || ((b) >= 0x7B && (b) <= 0x7E) ? 2u : 1u) \
                     : (b) == 0x0C ? 2u : 0u)
#define SP(b) ((b) < 0x80 ? (SP_ASEPT(b) | (SP_ASEPT(b) == 2u ? SP_EXT : 0u)) \
               : (((b) >= 0xF0 ? SP_ASTRAL : 0u) \
                  | ((b) >= 0xC2 && (b) < 0xE0 ? SP_LEAD2 | SP_OTHER2_OF(b) : 0u) | ((b) >= 0xE0 && (b) < 0xF0 ? SP_LEAD3 : 0u) \
                  | ((b) >= 0xF0 ? 3u << 14 : (b) >= 0xE0 ? 2u << 14 : (b) >= 0xC0 ? 1u << 14 : 0u) \
                  | ((b) == 0xC2 ? 0x10u : (b) == 0xC3 ? 0x20u : (b) == 0xCE ? 0x30u : 0u)))
/* the two 32-code-point blocks a two-byte lead b starts (U+(b&1F)<<6 ..+63), from ft_other_blocks */
#define OB_BIT(blk) ((FT_OTHER_BLOCKS_01 >> (blk)) & 1u)
#define SP_OTHER2_OF(b) ((OB_BIT((((b) & 0x1Fu) << 1)) << 8) | (OB_BIT((((b) & 0x1Fu) << 1) + 1u) << 9))
#define SP4(b) SP(b), SP((b) + 1), SP((b) + 2), SP((b) + 3)
#define SP16(b) SP4(b), SP4((b) + 4), SP4((b) + 8), SP4((b) + 12)
#define SP64(b) SP16(b), SP16((b) + 16), SP16((b) + 32), SP16((b) + 48)
static const uint16_t scan_props[256] = {SP64(0u), SP64(64u), SP64(128u), SP64(192u)};

/* For the leads C2, C3 and CE: bit (second byte & 63) set when the letter is in the GSM basic table
 * (FT_GSM7_LATIN1_W1..W3 and FT_GSM7_GREEK_BITS: U+0080..U+00BF, U+00C0..U+00FF, U+0380..U+03BF). */
static const uint64_t scan_pairs[4] = {
    0,
    (uint64_t)FT_GSM7_LATIN1_W1 << 32,
    (uint64_t)FT_GSM7_LATIN1_W2 | ((uint64_t)FT_GSM7_LATIN1_W3 << 32),
    (uint64_t)FT_GSM7_GREEK_BITS << 0x13,
};

/* The automaton, as a "shift DFA": a state is a bit offset (a multiple of 6) into a 64-bit row per
 * byte class, and the row holds, for each state, the offset of the next one: next = (row >> state)
 * & 63. The row does not depend on the state, so the only serial step per byte is one shift.
 * States: 0 ACC (accepts), 1 REJ (rejects for good), 2..4 N1..N3 (that many continuation bytes due),
 * 5 E0, 6 ED, 7 F0, 8 F4 (the second byte of those leads has a narrower range). */
#define NX(s, c) ((s) == 0 ? ((c) == 0 ? 0 : (c) == 5 ? 2 : (c) == 6 ? 5 : (c) == 7 ? 3 : (c) == 8 ? 6 \
                              : (c) == 9 ? 7 : (c) == 10 ? 4 : (c) == 11 ? 8 : 1) \
                  : (s) == 2 ? ((c) >= 1 && (c) <= 3 ? 0 : 1) \
                  : (s) == 3 ? ((c) >= 1 && (c) <= 3 ? 2 : 1) \
                  : (s) == 4 ? ((c) >= 1 && (c) <= 3 ? 3 : 1) \
                  : (s) == 5 ? ((c) == 3 ? 2 : 1) \
                  : (s) == 6 ? ((c) == 1 || (c) == 2 ? 2 : 1) \
                  : (s) == 7 ? ((c) == 2 || (c) == 3 ? 3 : 1) \
                  : (s) == 8 ? ((c) == 1 ? 3 : 1) : 1)
#define NXB(s, c) ((uint64_t)(6 * NX(s, c)) << (6 * (s)))
#define ROW(c) (NXB(0, c) | NXB(1, c) | NXB(2, c) | NXB(3, c) | NXB(4, c) | NXB(5, c) | NXB(6, c) | NXB(7, c) | NXB(8, c))
#define ROWB(b) ROW(SP_CLS(b))
#define ROWB4(b) ROWB(b), ROWB((b) + 1), ROWB((b) + 2), ROWB((b) + 3)
#define ROWB16(b) ROWB4(b), ROWB4((b) + 4), ROWB4((b) + 8), ROWB4((b) + 12)
#define ROWB64(b) ROWB16(b), ROWB16((b) + 16), ROWB16((b) + 32), ROWB16((b) + 48)
static const uint64_t utf8_rows[256] = {ROWB64(0u), ROWB64(64u), ROWB64(128u), ROWB64(192u)};
enum { ACC = 0, REJ = 6 };

/* GSM-7 scan of s[0..n): 1 when every code point is a GSM character (which also makes the bytes well
 * formed), with its code points and extension characters; 0 as soon as a block shows otherwise.
 * Eight ASCII bytes at a time where they are all GSM; elsewhere byte by byte, each byte judged on
 * its own with the two bytes after it (not one code point after the other: the next code point's
 * position would depend on this one's length, a chain of loads per character), so the bytes of a
 * block are judged in parallel. A byte is acceptable when it is
 *   - an ASCII GSM character (the table: one or two septets);
 *   - a lead C2, C3 or CE followed by a continuation byte that completes a GSM letter (it claims 1);
 *   - the lead E2 of E2 82 AC, the euro sign, an extension character (it claims 2);
 *   - or a continuation byte (10xxxxxx).
 * Every continuation byte must also be claimed: the claims of accepted leads are the continuation
 * bytes right after them, distinct for distinct leads, so the text is GSM exactly when every byte
 * is acceptable and the continuation bytes number the claims. */
static inline uint32_t gsm_byte_ok(uint32_t b, uint32_t nx, uint32_t nn, uint32_t *ext, uint32_t *claims,
                                   uint32_t *conts) {
    const uint32_t props = scan_props[b], cont = (b & 0xC0u) == 0x80u;
    const uint32_t pair = (uint32_t)(scan_pairs[SP_LEAD(props)] >> (nx & 63u)) & ((nx & 0xC0u) == 0x80u);
    const uint32_t eur = (b == 0xE2u) & (nx == 0x82u) & (nn == 0xACu);
    *ext += ((props & SP_EXT) != 0) + eur;
    *claims += pair + 2u * eur;
    *conts += cont;
    return (props & SP_SEPT) | pair | eur | cont;
}

/* Bytes of w equal to v, marked by their bit 7 (every other bit clear); exact: nothing carries. */
static inline uint64_t bytes_eq(uint64_t w, uint32_t v) {
    const uint64_t z = w ^ FT_BYTES(v);
    return ~(((z & FT_BYTES(0x7F)) + FT_BYTES(0x7F)) | z) & FT_BYTES(0x80);
}

/* The count of bytes marked in m (bit 7 of each marked byte set, every other bit clear). */
static inline uint32_t bytes_marked(uint64_t m) {
    return (uint32_t)(((m >> 7) * FT_BYTES(1)) >> 56);
}

/* gsm_byte_ok for the eight bytes w = s[0..8), two more bytes readable after them: the ASCII and
 * continuation bytes judged together by masks (no carry crosses a byte: bit 7 is cleared before
 * adding), then each lead on its own. A block with an ASCII control (LF, CR, FF are GSM, the
 * others not) goes byte by byte. 1 when every byte is acceptable. */
static inline uint32_t gsm_block_ok(const unsigned char *s, uint64_t w, uint32_t *ext, uint32_t *claims,
                                    uint32_t *conts) {
    const uint64_t hi = FT_BYTES(0x80), ascii = ~w & hi, low = w & FT_BYTES(0x7F);
    const uint64_t odd = (~(low + FT_BYTES(0x60)) & ascii) | bytes_eq(w, 0x60) | bytes_eq(w, 0x7F);
    if (odd & ~(bytes_eq(w, 0x0A) | bytes_eq(w, 0x0D))) {
        uint32_t ok = 1;
        for (uint32_t k = 0; k < 8; k++) ok &= gsm_byte_ok(s[k], s[k + 1], s[k + 2], ext, claims, conts) != 0;
        return ok;
    }
    const uint64_t x = w & FT_BYTES(0x5F); /* ASCII 0x7B..0x7E -> 0x5B..0x5E */
    *ext += bytes_marked((x + FT_BYTES(0x25)) & ~(x + FT_BYTES(0x21)) & ascii);
    *conts += bytes_marked(w & ~(w << 1) & hi);
    uint32_t ok = 1;
    for (uint64_t leads = w & (w << 1) & hi; leads; leads &= leads - 1) {
        const uint32_t k = (uint32_t)__builtin_ctzll(leads) >> 3, b = s[k], nx = s[k + 1], nn = s[k + 2];
        const uint32_t pair = (uint32_t)(scan_pairs[SP_LEAD(scan_props[b])] >> (nx & 63u)) & ((nx & 0xC0u) == 0x80u);
        const uint32_t eur = (b == 0xE2u) & (nx == 0x82u) & (nn == 0xACu);
        *ext += eur;
        *claims += pair + 2u * eur;
        ok &= pair | eur;
    }
    return ok;
}

/* s[k], or 0 past the end of s[0..n). */
static inline uint32_t byte_or_0(const unsigned char *s, uint32_t n, uint32_t k) {
    return k < n ? s[k] : 0u;
}

static int scan_gsm(const unsigned char *s, uint32_t n, uint32_t *cps_out, uint32_t *ext_out) {
    uint32_t i = 0, ext = 0, claims = 0, conts = 0, bad = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        uint32_t g;
        if (!(w & 0x8080808080808080ull) && (g = ft_ascii8_septets(w)) != 0) {
            ext += g - 8;
            continue;
        }
        if (i + 10 <= n) {
            bad |= !gsm_block_ok(s + i, w, &ext, &claims, &conts);
        } else {
            for (uint32_t k = i; k < i + 8; k++)
                bad |= !gsm_byte_ok(s[k], byte_or_0(s, n, k + 1), byte_or_0(s, n, k + 2), &ext, &claims, &conts);
        }
        if (bad) return 0;
    }
    for (uint32_t k = i; k < n; k++)
        bad |= !gsm_byte_ok(s[k], byte_or_0(s, n, k + 1), byte_or_0(s, n, k + 2), &ext, &claims, &conts);
    if (bad || conts != claims) return 0;
    *cps_out = n - conts;
    *ext_out = ext;
    return 1;
}

/* UCS-2 scan of s[0..n): validates it (the automaton) and counts code points and UTF-16 units.
 * 1 when valid. */
static int scan_ucs(const unsigned char *s, uint32_t n, uint32_t *cps, uint32_t *u16) {
    uint32_t i = 0, state = ACC, conts = 0, astral = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if (!(w & FT_BYTES(0x80))) {
            if (state != ACC) return 0; /* a sequence cut short by ASCII */
            continue;
        }
        /* the counts by masks (continuation bytes 10xxxxxx, leads of four bytes 11110xxx), the
         * automaton byte by byte (its only serial step is one shift) */
        conts += bytes_marked(w & ~(w << 1) & FT_BYTES(0x80));
        astral += bytes_marked(w & (w << 1) & (w << 2) & (w << 3) & FT_BYTES(0x80));
        for (uint32_t k = 0; k < 8; k++) state = (uint32_t)(utf8_rows[s[i + k]] >> state) & 63u;
    }
    for (; i < n; i++) {
        const uint32_t b = s[i];
        state = (uint32_t)(utf8_rows[b] >> state) & 63u;
        conts += (b & 0xC0u) == 0x80u;
        astral += b >= 0xF0u;
    }
    *cps = n - conts;
    *u16 = n - conts + astral;
    return state == ACC;
}

/* The byte offset of the first invalid UTF-8 sequence of s[0..n) (which has one). */
static uint32_t first_invalid(const unsigned char *s, uint32_t n) {
    uint32_t pos = 0, cp;
    while (pos < n) {
        uint32_t k = ft_decode_utf8(s + pos, n - pos, &cp);
        if (k == 0) return pos;
        pos += k;
    }
    return n;
}

/* Segments of a valid GSM-7 text of more than 160 septets with extension characters: parts of 153
 * septets, an extension character never split, packed one character at a time. */
static uint32_t gsm_parts(const unsigned char *s, uint32_t n) {
    uint32_t pos = 0, segs = 1, used = 0;
    while (pos < n) {
        uint32_t g, cp = 0;
        if (s[pos] < 0x80 && used + 16 <= FT_GSM7_MULTI && pos + 8 <= n) {
            uint64_t w;
            memcpy(&w, s + pos, 8);
            if (!(w & 0x8080808080808080ull) && (g = ft_ascii8_septets(w)) != 0) {
                used += g, pos += 8;
                continue;
            }
        }
        pos += ft_decode_utf8(s + pos, n - pos, &cp);
        g = ft_gsm7_septets(cp);
        if (used + g > FT_GSM7_MULTI) segs++, used = g;
        else used += g;
    }
    return segs;
}

/* 1 when every code point of the valid text s[0..n) is ASCII or in a 32-code-point block of the BMP
 * whose code points are all Other for UAX #29 (ft_other_blocks): then every code point is a cluster
 * of its own and one UTF-16 unit (nothing joins an Other to an Other, a CR, LF or Control, and a
 * CR LF pair is split back), so a UCS-2 message is simply cut every 67 units. Conservative: 0 for
 * any astral code point, mark, joiner, Hangul or emoji, which the window search then handles. */
static int all_one_unit_clusters(const unsigned char *s, uint32_t n) {
    uint32_t i = 0, simple = 1;
    /* eight bytes at a time: the ASCII and continuation bytes say nothing, so only the leads are
     * looked at, each with the bytes after it */
    for (; i + 10 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if (w & (w << 1) & (w << 2) & (w << 3) & FT_BYTES(0x80)) return 0; /* an astral code point */
        for (uint64_t leads = w & (w << 1) & FT_BYTES(0x80); leads; leads &= leads - 1) {
            const uint32_t k = i + ((uint32_t)__builtin_ctzll(leads) >> 3);
            const uint32_t b = s[k], p = scan_props[b], b1 = s[k + 1], b2 = s[k + 2];
            const uint32_t ok2 = (p >> (8u + ((b1 >> 5) & 1u))) & 1u;
            const uint32_t blk3 = ((b & 0xFu) << 7) | ((b1 & 0x3Fu) << 1) | ((b2 >> 5) & 1u);
            const uint32_t ok3 = (ft_other_blocks[(blk3 >> 5) & 63u] >> (blk3 & 31u)) & 1u;
            simple &= (p & SP_LEAD2) ? ok2 : ok3;
        }
        if (!simple) return 0;
    }
    for (; i < n; i++) {
        const uint32_t b = s[i], p = scan_props[b];
        const uint32_t b1 = i + 1 < n ? s[i + 1] : 0u, b2 = i + 2 < n ? s[i + 2] : 0u;
        const uint32_t ok2 = (p >> (8u + ((b1 >> 5) & 1u))) & 1u;
        const uint32_t blk3 = ((b & 0xFu) << 7) | ((b1 & 0x3Fu) << 1) | ((b2 >> 5) & 1u);
        const uint32_t ok3 = (ft_other_blocks[(blk3 >> 5) & 63u] >> (blk3 & 31u)) & 1u;
        simple &= !((p & SP_LEAD2) && !ok2) & !((p & SP_LEAD3) && !ok3) & !(p & SP_ASTRAL);
    }
    return (int)simple;
}

/* 1 when a grapheme cluster starts at the code point at s[p] whatever the text before it holds:
 * its class is CR, LF or Control (UAX #29 always breaks before them; CR LF is split back as
 * Twilio does), or Other after anything but Prepend (nothing else joins a following Other). There
 * the cluster iterator started afresh makes exactly the decisions it makes when it comes from the
 * start of the text: both are then in the state "class of this code point", and the 67-unit cap
 * counts from the same cluster start. The text is valid UTF-8. */
static int cluster_anchor(const unsigned char *s, uint32_t n, uint32_t p) {
    if (p == 0) return 1;
    uint32_t cp = 0, pc = 0, q = p - 1;
    ft_decode_utf8(s + p, n - p, &cp);
    int bc = ft_boundclass(cp);
    if (bc >= UTF8PROC_BOUNDCLASS_CR && bc <= UTF8PROC_BOUNDCLASS_CONTROL) return 1;
    if (bc != UTF8PROC_BOUNDCLASS_OTHER) return 0;
    while ((s[q] & 0xC0) == 0x80) q--;
    ft_decode_utf8(s + q, n - q, &pc);
    return ft_boundclass(pc) != UTF8PROC_BOUNDCLASS_PREPEND;
}

/* UTF-16 units of the code points that start in the valid UTF-8 bytes of w: one per byte that is not
 * a continuation (10xxxxxx), plus one per lead of four bytes (11110xxx). No carry between bytes: each
 * byte's bit 7 is tested against its own lower bits only. */
static inline uint32_t utf16_units8(uint64_t w) {
    const uint64_t hi = FT_BYTES(0x80);
    const uint64_t cont = w & ~(w << 1) & hi, astral = w & (w << 1) & (w << 2) & (w << 3) & hi;
    return 8u - bytes_marked(cont) + bytes_marked(astral);
}

/* UCS-2 parts of a valid text of u16 UTF-16 units (> 70) without Smart Encoding: the greedy packing
 * of whole clusters into parts of 67 units, as ft_tally_add does, but clusters are resolved only
 * where they matter: around unit 67 of each part. For each part starting at unit pu, the part ends
 * at the start of the first cluster that crosses unit pu+67. That cluster is found by running the
 * exact cluster iterator from the nearest anchor (cluster_anchor) at or before unit pu+67, or by
 * continuing the iterator of the previous part when no anchor lies between. Every window is at most
 * about two clusters of 67 units long, so the whole count stays linear. 0 on an internal error. */
static uint32_t ucs2_parts(const unsigned char *s, uint32_t n, uint32_t u16) {
    uint32_t parts = 0, pu = 0;   /* current part: its first unit */
    uint32_t wb = 0, wu = 0;      /* walk: a code point start (byte, unit) at or before unit pu+67 */
    uint32_t ib = 0, iu = 0;      /* where the live iterator was started (byte, unit) */
    uint32_t itb = 0;             /* where the live iterator stands: its next cluster's first byte */
    int live = 0;
    ft_cluster_iter it;
    while (u16 - pu > FT_UCS2_MULTI) {
        parts++;
        const uint32_t T = pu + FT_UCS2_MULTI;
        /* the last code point that starts at or before unit T (the text goes on past T): eight bytes
         * at a time while far from T (eight valid bytes hold at most 9 units: 7 ASCII and the lead of
         * an astral character), each code point's units credited at its first byte, then past the
         * rest of the last one counted, then one code point at a time (its length from the table) */
        while (T - wu >= 9 && wb + 8 <= n) {
            uint64_t w;
            memcpy(&w, s + wb, 8);
            wu += utf16_units8(w);
            wb += 8;
        }
        while (wb < n && (s[wb] & 0xC0) == 0x80) wb++;
        for (;;) {
            const uint32_t p = scan_props[s[wb]], du = 1u + ((p & SP_ASTRAL) != 0);
            if (wu + du > T) break;
            wb += SP_LEN(p), wu += du;
        }
        /* the nearest anchor at or before it, unless the live iterator already stands closer */
        uint32_t a = wb, au = wu;
        int found = 0;
        while (!(live && a <= itb)) {
            if (cluster_anchor(s, n, a)) {
                found = 1;
                break;
            }
            do a--;
            while ((s[a] & 0xC0) == 0x80);
            au -= s[a] >= 0xF0 ? 2u : 1u;
        }
        if (found) {
            ft_cluster_iter_init(&it, (const char *)s + a, n - a, 0);
            ib = a, iu = au, live = 1;
        }
        ft_cluster c;
        for (;;) {
            if (ft_cluster_next(&it, &c) <= 0) return 0;
            if (iu + c.u1 > T) break;
        }
        pu = iu + c.u0;
        itb = ib + c.b1;
    }
    return parts + 1;
}

ft_status ft_cluster_count_plain(const unsigned char *s, uint32_t n, uint32_t *encoding, uint32_t *segments,
                                 uint32_t *units, uint32_t *u16_out, uint32_t *cps_out, uint32_t *err_offset) {
    uint32_t cps = 0, ext = 0, u16 = 0;
    if (scan_gsm(s, n, &cps, &ext)) {
        /* every code point a GSM character: each one is a cluster of its own (GSM characters are
         * Other, CR, LF or Control for UAX #29, test_segment checks it), so nothing joins them */
        const uint32_t septets = cps + ext;
        *u16_out = cps;
        *cps_out = cps;
        *encoding = 0; /* FT_ENCODING_GSM7 */
        *units = septets;
        *segments = septets <= FT_GSM7_SINGLE ? 1
                    : ext == 0                 ? (septets + FT_GSM7_MULTI - 1) / FT_GSM7_MULTI
                                               : gsm_parts(s, n);
        return FT_OK;
    }
    if (!scan_ucs(s, n, &cps, &u16)) {
        *err_offset = first_invalid(s, n);
        return FT_E_UTF8;
    }
    *u16_out = u16;
    *cps_out = cps;
    *encoding = 1; /* FT_ENCODING_UCS2 */
    *units = u16;
    if (u16 <= FT_UCS2_SINGLE) {
        *segments = 1;
        return FT_OK;
    }
    *segments = all_one_unit_clusters(s, n) ? (u16 + FT_UCS2_MULTI - 1) / FT_UCS2_MULTI : ucs2_parts(s, n, u16);
    return *segments ? FT_OK : FT_E_INTERNAL;
}
