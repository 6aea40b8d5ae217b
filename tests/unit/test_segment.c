/* Segment engine: encoding, counts, boundaries, culprits, cheaper spelling, limits. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "fieldtext/gsm7.h"
#include "fieldtext/segment.h"
#include "cluster.h"
#include "smart_map.h"
#include "test.h"
#include "utf8proc.h"

static ft_segment_count count(const char *s, size_t n, unsigned flags) {
    ft_segment_count c;
    memset(&c, 0xAB, sizeof c);
    ft_status st = ft_segment_count_text(s, n, flags, &c, NULL);
    CHECK_EQ_INT(st, FT_OK);
    return c;
}

static char *repeat(const char *unit, size_t times) {
    size_t ul = strlen(unit);
    char *s = malloc(ul * times + 1);
    for (size_t i = 0; i < times; i++) memcpy(s + i * ul, unit, ul);
    s[ul * times] = 0;
    return s;
}

static void segment_counts_plain_gsm_up_to_160_as_one(void) {
    char *s = repeat("a", 160);
    ft_segment_count c = count(s, 160, 0);
    CHECK_EQ_INT(c.encoding, FT_ENCODING_GSM7);
    CHECK_EQ_INT(c.segments, 1);
    CHECK_EQ_INT(c.units, 160);
    c = count(s, 161 - 1, 0);
    free(s);
    s = repeat("a", 161);
    c = count(s, 161, 0);
    CHECK_EQ_INT(c.segments, 2);
    free(s);
    s = repeat("a", 306);
    CHECK_EQ_INT(count(s, 306, 0).segments, 2);
    free(s);
    s = repeat("a", 307);
    CHECK_EQ_INT(count(s, 307, 0).segments, 3);
    free(s);
}

static void segment_keeps_extension_char_whole_at_boundary(void) {
    /* 152 x "a" + euro + 7 x "a": the euro (2 septets) cannot split, so parts of 152 and 9. */
    char buf[200];
    memset(buf, 'a', 152);
    memcpy(buf + 152, "\xe2\x82\xac", 3);
    memset(buf + 155, 'a', 7);
    ft_segment_analysis a;
    CHECK_EQ_INT(ft_segment_analyze(buf, 162, 0, &a, NULL), FT_OK);
    CHECK_EQ_INT(a.count.encoding, FT_ENCODING_GSM7);
    CHECK_EQ_INT(a.count.units, 161);
    CHECK_EQ_INT(a.nsegments, 2);
    CHECK_EQ_INT(a.segments[0].units, 152);
    CHECK_EQ_INT(a.segments[1].units, 9);
    CHECK_EQ_INT(a.segments[1].byte_start, 152);
    CHECK_EQ_INT(a.segments[1].u16_start, 152);
    CHECK_EQ_INT(a.segments[1].u16_end, 160);
    ft_segment_analysis_free(&a);
}

static void segment_counts_extension_chars_as_two_septets(void) {
    ft_segment_count c = count("{}", 2, 0);
    CHECK_EQ_INT(c.encoding, FT_ENCODING_GSM7);
    CHECK_EQ_INT(c.units, 4);
    CHECK_EQ_INT(c.characters, 2);
    /* form feed is an extension character too */
    c = count("\f", 1, 0);
    CHECK_EQ_INT(c.encoding, FT_ENCODING_GSM7);
    CHECK_EQ_INT(c.units, 2);
}

static void segment_uses_ucs2_for_one_non_gsm_char(void) {
    ft_segment_count c = count("Hi \xe2\x80\x99", 6, 0); /* right single quote */
    CHECK_EQ_INT(c.encoding, FT_ENCODING_UCS2);
    CHECK_EQ_INT(c.units, 4);
    CHECK_EQ_INT(c.characters, 4);
    CHECK_EQ_INT(count("`", 1, 0).encoding, FT_ENCODING_UCS2);
    CHECK_EQ_INT(count("\xc3\xa7", 2, 0).encoding, FT_ENCODING_UCS2);  /* c cedilla (small) is not GSM */
    CHECK_EQ_INT(count("\xc3\x87", 2, 0).encoding, FT_ENCODING_GSM7);  /* C cedilla is */
    CHECK_EQ_INT(count("\t", 1, 0).encoding, FT_ENCODING_UCS2);
}

static void segment_counts_ucs2_70_single_67_multi(void) {
    char *s = repeat("\xd0\x96", 70); /* Cyrillic Zhe */
    CHECK_EQ_INT(count(s, 140, 0).segments, 1);
    free(s);
    s = repeat("\xd0\x96", 71);
    CHECK_EQ_INT(count(s, 142, 0).segments, 2);
    free(s);
    s = repeat("\xd0\x96", 134);
    CHECK_EQ_INT(count(s, 268, 0).segments, 2);
    free(s);
    s = repeat("\xd0\x96", 135);
    CHECK_EQ_INT(count(s, 270, 0).segments, 3);
    free(s);
}

static void segment_moves_surrogate_pair_whole_to_next_part(void) {
    /* 66 x "Zhe" + thumbs up (2 units) + 5: the emoji does not fit in 67 with 66 used. */
    char buf[400];
    size_t n = 0;
    for (int i = 0; i < 66; i++) memcpy(buf + n, "\xd0\x96", 2), n += 2;
    memcpy(buf + n, "\xf0\x9f\x91\x8d", 4), n += 4;
    for (int i = 0; i < 5; i++) buf[n++] = 'x';
    ft_segment_analysis a;
    CHECK_EQ_INT(ft_segment_analyze(buf, n, 0, &a, NULL), FT_OK);
    CHECK_EQ_INT(a.count.units, 73);
    CHECK_EQ_INT(a.nsegments, 2);
    CHECK_EQ_INT(a.segments[0].units, 66);
    CHECK_EQ_INT(a.segments[1].units, 7);
    ft_segment_analysis_free(&a);
}

static void segment_treats_multi_unit_cluster_as_non_gsm(void) {
    /* keycap #: "#" + U+FE0F + U+20E3 is one cluster of 3 units, non-GSM though "#" is GSM */
    ft_segment_count c = count("#\xef\xb8\x8f\xe2\x83\xa3", 7, 0);
    CHECK_EQ_INT(c.encoding, FT_ENCODING_UCS2);
    CHECK_EQ_INT(c.units, 3);
    /* "e" + combining acute is not GSM although NFC "é" would be */
    CHECK_EQ_INT(count("e\xcc\x81", 3, 0).encoding, FT_ENCODING_UCS2);
}

static void segment_never_reports_an_overfull_part(void) {
    /* "a" + U+0301, 150 times: Twilio's calculator under-counts this; we must not. */
    char *s = repeat("a\xcc\x81", 150);
    ft_segment_analysis a;
    CHECK_EQ_INT(ft_segment_analyze(s, strlen(s), 0, &a, NULL), FT_OK);
    CHECK_EQ_INT(a.count.units, 300);
    for (uint32_t i = 0; i < a.nsegments; i++) CHECK(a.segments[i].units <= FT_UCS2_MULTI);
    CHECK_EQ_INT(a.nsegments, 5); /* 33 clusters of 2 units per part: 150/33 -> 5 */
    ft_segment_analysis_free(&a);
    free(s);
}

static void segment_splits_crlf_into_two_septets(void) {
    ft_segment_count c = count("a\r\nb", 4, 0);
    CHECK_EQ_INT(c.encoding, FT_ENCODING_GSM7);
    CHECK_EQ_INT(c.units, 4);
}

static void segment_reports_empty_text_as_one_segment(void) {
    ft_segment_count c = count("", 0, 0);
    CHECK_EQ_INT(c.segments, 1);
    CHECK_EQ_INT(c.characters, 0);
    CHECK_EQ_INT(ft_segment_check_sendable(&c), FT_E_MSG_EMPTY);
    c = count(NULL, 0, 0);
    CHECK_EQ_INT(c.segments, 1);
}

static void segment_treats_nul_as_data(void) {
    ft_segment_count c = count("a\0b", 3, 0);
    CHECK_EQ_INT(c.characters, 3);
    CHECK_EQ_INT(c.encoding, FT_ENCODING_UCS2); /* U+0000 is not in the GSM table */
    c = count("a\0b", 3, FT_SEG_SMART);        /* Smart Encoding deletes it */
    CHECK_EQ_INT(c.encoding, FT_ENCODING_GSM7);
    CHECK_EQ_INT(c.units, 2);
    CHECK_EQ_INT(c.characters, 3);
}

static void segment_refuses_invalid_utf8_with_byte_offset(void) {
    ft_segment_count c;
    size_t off = 99;
    CHECK_EQ_INT(ft_segment_count_text("ok \xc3\x28", 5, 0, &c, &off), FT_E_UTF8);
    CHECK_EQ_INT(off, 3);
    off = 99;
    CHECK_EQ_INT(ft_segment_count_text("\xed\xa0\x80", 3, 0, &c, &off), FT_E_UTF8); /* a surrogate */
    CHECK_EQ_INT(off, 0);
    CHECK_EQ_INT(ft_segment_count_text("ab\xe2\x82", 4, 0, &c, &off), FT_E_UTF8); /* truncated */
    CHECK_EQ_INT(off, 2);
    CHECK_EQ_INT(ft_segment_count_text("\xc0\xaf", 2, 0, &c, &off), FT_E_UTF8); /* overlong */
    ft_segment_analysis a;
    CHECK_EQ_INT(ft_segment_analyze("x\xff", 2, 0, &a, &off), FT_E_UTF8);
    CHECK_EQ_INT(off, 1);
    CHECK_EQ_INT(a.segments == NULL, 1);
}

static void segment_refuses_over_1600_characters_and_oversized_input(void) {
    char *s = repeat("a", 1601);
    ft_segment_count c = count(s, 1601, 0);
    CHECK_EQ_INT(ft_segment_check_sendable(&c), FT_E_MSG_TOO_LONG);
    c = count(s, 1600, 0);
    CHECK_EQ_INT(ft_segment_check_sendable(&c), FT_OK);
    CHECK_EQ_INT(c.segments, 11);
    free(s);
    /* characters are UTF-16 units: 800 emoji are 1,600 units, 801 are over */
    s = repeat("\xf0\x9f\x98\x80", 801);
    c = count(s, strlen(s), 0);
    CHECK_EQ_INT(c.characters, 1602);
    CHECK_EQ_INT(c.code_points, 801);
    CHECK_EQ_INT(ft_segment_check_sendable(&c), FT_E_MSG_TOO_LONG);
    free(s);
    char *big = calloc(FT_TEXT_MAX_BYTES + 1, 1);
    CHECK_EQ_INT(ft_segment_count_text(big, FT_TEXT_MAX_BYTES + 1, 0, &c, NULL), FT_E_TOO_LARGE);
    free(big);
}

static void smart_encoding_replaces_curly_quotes_and_deletes_zero_width(void) {
    const char *t = "\xe2\x80\x9cHi\xe2\x80\x9d\xe2\x80\x8b"; /* “Hi”ZWSP */
    ft_segment_count c = count(t, strlen(t), FT_SEG_SMART);
    CHECK_EQ_INT(c.encoding, FT_ENCODING_GSM7);
    CHECK_EQ_INT(c.units, 4);
    CHECK_EQ_INT(c.characters, 5);
    c = count(t, strlen(t), 0);
    CHECK_EQ_INT(c.encoding, FT_ENCODING_UCS2);
}

static void smart_map_has_no_printable_ascii_but_grave(void) {
    /* cluster.c skips the table search for printable ASCII on this premise */
    for (uint32_t cp = 0x20; cp < 0x7F; cp++) CHECK((ft_smart_lookup(cp) != NULL) == (cp == 0x60));
    for (size_t i = 1; i < ft_smart_map_len; i++) CHECK(ft_smart_map[i - 1].cp < ft_smart_map[i].cp);
}

static void other_blocks_match_utf8proc_for_every_bmp_code_point(void) {
    /* cluster.c answers boundclass OTHER from this table without asking utf8proc: it must be
     * exactly the blocks of 32 code points that utf8proc classes OTHER throughout (all of U+0000..U+FFFF) */
    for (uint32_t b = 0; b < 2048; b++) {
        int all = 1;
        for (uint32_t cp = b * 32; cp < b * 32 + 32; cp++)
            all &= utf8proc_get_property((utf8proc_int32_t)cp)->boundclass == UTF8PROC_BOUNDCLASS_OTHER;
        CHECK_EQ_INT((ft_other_blocks[b >> 5] >> (b & 31)) & 1u, all);
    }
    /* the printable ASCII shortcut */
    for (uint32_t cp = 0x20; cp < 0x7F; cp++)
        CHECK_EQ_INT(utf8proc_get_property((utf8proc_int32_t)cp)->boundclass, UTF8PROC_BOUNDCLASS_OTHER);
}

/* ft_ascii8_septets (eight ASCII bytes at once) against ft_gsm7_ascii_septets byte by byte: the sum,
 * or 0 when a byte is a control, the grave accent or DEL. Every byte at every position among fillers,
 * then random words. */
static uint32_t septets8_ref(const unsigned char *b) {
    uint32_t sum = 0;
    for (int i = 0; i < 8; i++) {
        if (b[i] < 0x20 || b[i] == 0x60 || b[i] == 0x7F) return 0;
        sum += (uint32_t)(unsigned char)ft_gsm7_ascii_septets[b[i]];
    }
    return sum;
}

static void ascii8_septets_matches_table(void) {
    static const unsigned char fill[] = {'a', '{', ' ', '~', '@', '_', 0x0A};
    unsigned char b[8];
    uint64_t w;
    for (size_t f = 0; f < sizeof fill; f++)
        for (int p = 0; p < 8; p++)
            for (unsigned v = 0; v < 0x80; v++) {
                memset(b, fill[f], 8);
                b[p] = (unsigned char)v;
                memcpy(&w, b, 8);
                CHECK_EQ_INT(ft_ascii8_septets(w), septets8_ref(b));
            }
    uint64_t x = 0x2545F4914F6CDD1Dull;
    for (int round = 0; round < 200000; round++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        w = x & FT_BYTES(0x7F);
        memcpy(b, &w, 8);
        CHECK_EQ_INT(ft_ascii8_septets(w), septets8_ref(b));
    }
}

/* The clusters of the whole text from the cluster iterator, tallied one by one: the reference for the
 * fast count (which takes ASCII runs and runs of OTHER code points in blocks). */
static ft_segment_count iterator_count(const char *s, size_t n, unsigned flags) {
    ft_cluster_iter it;
    ft_cluster_iter_init(&it, s, (uint32_t)n, flags);
    ft_tally t;
    ft_tally_init(&t);
    ft_cluster c;
    while (ft_cluster_next(&it, &c) > 0) ft_tally_add(&t, &c);
    ft_segment_count r = {0};
    uint32_t enc;
    ft_tally_result(&t, &enc, &r.segments, &r.units);
    r.encoding = (ft_encoding)enc;
    r.characters = it.pos16;
    r.code_points = it.src_cps;
    return r;
}

static size_t put_utf8(char *o, uint32_t cp) {
    if (cp < 0x80) return (size_t)(o[0] = (char)cp, 1);
    if (cp < 0x800) return o[0] = (char)(0xC0 | (cp >> 6)), o[1] = (char)(0x80 | (cp & 0x3F)), 2;
    if (cp < 0x10000)
        return o[0] = (char)(0xE0 | (cp >> 12)), o[1] = (char)(0x80 | ((cp >> 6) & 0x3F)),
               o[2] = (char)(0x80 | (cp & 0x3F)), 3;
    return o[0] = (char)(0xF0 | (cp >> 18)), o[1] = (char)(0x80 | ((cp >> 12) & 0x3F)),
           o[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), o[3] = (char)(0x80 | (cp & 0x3F)), 4;
}

static void fast_count_equals_cluster_iterator_on_random_texts(void) {
    /* ASCII (controls, CR, LF, GSM and not), Latin-1, Greek, Cyrillic, Arabic with Prepend and marks,
     * Devanagari with spacing marks, Thai, combining marks, ZWJ, VS16, emoji and modifiers,
     * regional indicators, Hangul jamo and syllables, CJK, private use, U+FFFD, extension chars */
    static const uint32_t palette[] = {
        'a', 'Z', ' ', '0', '.', '\r', '\n', '\t', 0x0C, '`', '{', '^', 0x7F, 0x00E9, 0x00E7, 0x00A3, 0x00AD,
        0x0394, 0x03B1, 0x0416, 0x0436, 0x0483, 0x0600, 0x0605, 0x0627, 0x064B, 0x06DD, 0x0915, 0x093E, 0x094D,
        0x0E01, 0x0E31, 0x0E33, 0x0301, 0x0308, 0x200D, 0xFE0F, 0x1F600, 0x1F3FB, 0x2764, 0x1F1FA, 0x1F1F8,
        0x1100, 0x1161, 0x11A8, 0xAC00, 0xAC01, 0x4E2D, 0xE000, 0xFFFD, 0x20AC, 0x2019, 0x200B, 0x10FFFD, 0x1D11E};
    const size_t np = sizeof palette / sizeof palette[0];
    uint64_t x = 0x9E3779B97F4A7C15ull;
    char *buf = malloc(4 * 400);
    for (int round = 0; round < 20000; round++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        size_t ncp = (size_t)(x % 400), n = 0;
        /* mostly one script with spaces, like a message; sometimes anything */
        uint32_t bias = (uint32_t)((x >> 20) % np);
        for (size_t i = 0; i < ncp; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            uint32_t r = (uint32_t)(x >> 33) % 16;
            uint32_t cp = r < 6 ? palette[bias] : r < 9 ? (uint32_t)'a' + (uint32_t)(x % 26) : r < 10 ? ' ' : palette[(x >> 40) % np];
            n += put_utf8(buf + n, cp);
        }
        for (unsigned flags = 0; flags <= FT_SEG_SMART; flags++) {
            ft_segment_count a = count(buf, n, flags), b = iterator_count(buf, n, flags);
            CHECK(memcmp(&a, &b, sizeof a) == 0);
        }
    }
    free(buf);
}

/* Long UCS-2 texts built from pieces that make cluster decisions depend on what came before (flag
 * pairs, ZWJ sequences, emoji with many modifiers, runs of combining marks longer than a part, a
 * Prepend before a letter, Hangul syllables, CR LF), placed so that they straddle the 67-unit part
 * boundaries: the fast count, which resolves clusters only near those boundaries, must equal the
 * cluster iterator run over the whole text. */
static void fast_count_equals_cluster_iterator_at_part_boundaries(void) {
    static const uint32_t flag[] = {0x1F1FA, 0x1F1F8}, family[] = {0x1F469, 0x200D, 0x1F469, 0x200D, 0x1F467},
                          heart_fire[] = {0x2764, 0xFE0F, 0x200D, 0x1F525}, toned[] = {0x1F44D, 0x1F3FD},
                          prepend[] = {0x0600, 0x0661}, hangul[] = {0x1100, 0x1161, 0x11A8}, crlf[] = {'\r', '\n'},
                          virama[] = {0x0915, 0x094D, 0x0937}, keycap[] = {'#', 0xFE0F, 0x20E3};
    static const struct { const uint32_t *cp; size_t n; } pieces[] = {
        {flag, 2}, {flag, 1}, {family, 5}, {heart_fire, 4}, {toned, 2}, {prepend, 2}, {prepend, 1},
        {hangul, 3}, {crlf, 2}, {virama, 3}, {keycap, 3}, {NULL, 0} /* letters */, {NULL, 1} /* marks run */,
        {NULL, 2} /* emoji + Extend run + ZWJ + emoji */, {NULL, 3} /* CJK */, {NULL, 4} /* space */};
    const size_t np = sizeof pieces / sizeof pieces[0];
    uint64_t x = 0xD1B54A32D192ED03ull;
    char *buf = malloc(4 * 3000);
    for (int round = 0; round < 20000; round++) {
        size_t n = 0, ncp = 0;
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        const size_t target = 71 + (size_t)(x % 600);
        /* mostly one or two kinds of piece per text, like a real message */
        const size_t k1 = (size_t)((x >> 20) % np), k2 = (size_t)((x >> 30) % np);
        while (ncp < target) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            const size_t k = (x >> 40) % 4 == 0 ? (size_t)((x >> 45) % np) : (x & 1) ? k1 : k2;
            if (pieces[k].cp) {
                for (size_t i = 0; i < pieces[k].n; i++) n += put_utf8(buf + n, pieces[k].cp[i]);
                ncp += pieces[k].n;
            } else if (pieces[k].n == 0) {
                n += put_utf8(buf + n, 'a' + (uint32_t)(x % 26));
                ncp++;
            } else if (pieces[k].n == 1) {
                const size_t marks = 1 + (size_t)((x >> 8) % 90); /* over 67: the cap cuts it */
                n += put_utf8(buf + n, 'e');
                for (size_t i = 0; i < marks; i++) n += put_utf8(buf + n, 0x0301);
                ncp += 1 + marks;
            } else if (pieces[k].n == 2) {
                const size_t ext = (size_t)((x >> 8) % 40);
                n += put_utf8(buf + n, 0x1F600);
                for (size_t i = 0; i < ext; i++) n += put_utf8(buf + n, 0x1F3FB);
                n += put_utf8(buf + n, 0x200D);
                n += put_utf8(buf + n, 0x1F600);
                ncp += 3 + ext;
            } else if (pieces[k].n == 3) {
                n += put_utf8(buf + n, 0x4E2D);
                ncp++;
            } else {
                n += put_utf8(buf + n, ' ');
                ncp++;
            }
            if (n > 4 * 3000 - 64) break;
        }
        ft_segment_count a = count(buf, n, 0), b = iterator_count(buf, n, 0);
        CHECK(memcmp(&a, &b, sizeof a) == 0);
        if (memcmp(&a, &b, sizeof a) != 0) {
            fprintf(stderr, "# round %d: fast %u segments, iterator %u (%u units)\n", round, a.segments, b.segments,
                    b.units);
            break;
        }
    }
    free(buf);
}

/* Byte soup biased towards UTF-8's edges (leads, continuations, E0/ED/F0/F4 second bytes, bytes that
 * are never valid): the fast count, whose automaton validates without decoding, must refuse exactly
 * what the cluster iterator's decoder refuses, at the same offset, and count the rest the same. */
/* The GSM scan judges eight bytes at a time: a letter, euro sign or extension character whose bytes
 * straddle two blocks, at every position, is counted like any other; a lead whose continuation is
 * missing, misplaced or extra at a block edge is refused (its bytes are then not GSM, or not UTF-8). */
static void gsm_scan_judges_characters_across_block_edges(void) {
    static const char *chars[] = {"\xC3\xA9", "\xCE\x94", "\xE2\x82\xAC", "{", "\n", "\x0C", "\xC2\xA3"};
    static const char *bad[] = {"\xC3i\xA9", "\xE2\x82i\xAC", "\xC3\xA9\xA9", "\xE2\x82\xAC\xAC", "\xA9", "\xC3", "`"};
    char buf[64];
    for (size_t off = 0; off < 24; off++) {
        for (size_t tail = 0; tail < 12; tail += 3) {
            for (size_t k = 0; k < sizeof chars / sizeof chars[0] + sizeof bad / sizeof bad[0]; k++) {
                const int ok = k < sizeof chars / sizeof chars[0];
                const char *c = ok ? chars[k] : bad[k - sizeof chars / sizeof chars[0]];
                size_t n = 0, cl = strlen(c);
                memset(buf, 'a', off);
                n = off;
                memcpy(buf + n, c, cl);
                n += cl;
                memset(buf + n, 'b', tail);
                n += tail;
                ft_segment_count a;
                size_t err = 0;
                ft_status st = ft_segment_count_text(buf, n, 0, &a, &err);
                if (ok) {
                    CHECK_EQ_INT(st, FT_OK);
                    ft_segment_count b = iterator_count(buf, n, 0);
                    CHECK(memcmp(&a, &b, sizeof a) == 0);
                    CHECK_EQ_INT(a.encoding, FT_ENCODING_GSM7);
                } else {
                    /* not GSM: either refused as UTF-8 or counted as UCS-2 (the grave accent) */
                    CHECK(st == FT_E_UTF8 || (st == FT_OK && a.encoding == FT_ENCODING_UCS2));
                }
            }
        }
    }
}

static void fast_count_refuses_exactly_what_the_decoder_refuses(void) {
    static const unsigned char edge[] = {0x00, 'a', 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2,
                                         0xC3, 0xCE, 0xDF, 0xE0, 0xE2, 0x82, 0xAC, 0xED, 0xEF, 0xF0, 0xF3, 0xF4,
                                         0xF5, 0xFF};
    /* valid sequences at the edges of each range: U+0080, U+00E9, U+07FF, U+0800, U+20AC, U+D7FF, U+E000,
     * U+FFFF, U+10000, U+1F600, U+10FFFF, and GSM ASCII */
    static const char *valid[] = {"\xC2\x80", "\xC3\xA9", "\xDF\xBF", "\xE0\xA0\x80", "\xE2\x82\xAC",
                                  "\xED\x9F\xBF", "\xEE\x80\x80", "\xEF\xBF\xBF", "\xF0\x90\x80\x80",
                                  "\xF0\x9F\x98\x80", "\xF4\x8F\xBF\xBF", "a", " ", "{"};
    uint64_t x = 0x853C49E6748FEA9Bull;
    unsigned char buf[256];
    int refused = 0;
    for (int round = 0; round < 200000; round++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        const size_t pieces = (size_t)(x % 48);
        const unsigned corrupt = (unsigned)((x >> 50) % 4); /* 0: no stray byte in this text */
        size_t n = 0;
        for (size_t i = 0; i < pieces; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            if (corrupt && (x >> 58) < corrupt) {
                /* one to four bytes from the edges (or anything), so that near-miss sequences such as
                 * ED A0 80 (a surrogate) or F4 90 80 80 (past U+10FFFF) occur */
                for (unsigned k = 0; k <= (unsigned)(x & 3); k++) {
                    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                    buf[n++] = (x >> 56) < 3 ? (unsigned char)(x >> 8) : edge[(x >> 20) % sizeof edge];
                }
            } else {
                const char *v = valid[(x >> 24) % (sizeof valid / sizeof valid[0])];
                size_t k = strlen(v);
                memcpy(buf + n, v, k);
                n += k;
            }
        }
        ft_segment_count a, b;
        size_t ea = 0, eb = 0;
        ft_status sa = ft_segment_count_text((const char *)buf, n, 0, &a, &ea);
        ft_cluster_iter it;
        ft_cluster_iter_init(&it, (const char *)buf, (uint32_t)n, 0);
        ft_cluster c;
        int r;
        while ((r = ft_cluster_next(&it, &c)) > 0) continue;
        eb = it.err_offset;
        CHECK_EQ_INT(sa == FT_E_UTF8, r < 0);
        if (sa == FT_E_UTF8 && r < 0) CHECK_EQ_INT(ea, eb);
        if (sa == FT_OK) {
            b = iterator_count((const char *)buf, n, 0);
            CHECK(memcmp(&a, &b, sizeof a) == 0);
        }
        refused += sa == FT_E_UTF8;
    }
    CHECK(refused > 40000 && refused < 160000); /* both kinds were exercised */
}

/* The fast count takes a text whose code points are all GSM characters as one cluster per code
 * point: that holds only if UAX #29 (utf8proc) never joins two of them, i.e. each is Other, CR, LF or
 * Control. */
static void gsm_characters_are_never_joined_by_grapheme_rules(void) {
    int checked = 0;
    for (uint32_t cp = 0; cp < 0x10000; cp++) {
        if (ft_gsm7_classify(cp) == FT_GSM7_NONE) continue;
        int bc = utf8proc_get_property((utf8proc_int32_t)cp)->boundclass;
        CHECK(bc == UTF8PROC_BOUNDCLASS_OTHER || bc == UTF8PROC_BOUNDCLASS_CR || bc == UTF8PROC_BOUNDCLASS_LF ||
              bc == UTF8PROC_BOUNDCLASS_CONTROL);
        checked++;
    }
    CHECK_EQ_INT(checked, 137);
}

static void analysis_lists_each_ucs2_culprit_with_position_and_replacement(void) {
    const char *t = "It\xe2\x80\x99s 5\xe2\x80\x93" "6pm \xf0\x9f\x98\x80";
    ft_segment_analysis a;
    CHECK_EQ_INT(ft_segment_analyze(t, strlen(t), 0, &a, NULL), FT_OK);
    CHECK_EQ_INT(a.nnongsm, 3);
    CHECK_EQ_INT(a.nongsm[0].code_point, 0x2019);
    CHECK_EQ_INT(a.nongsm[0].u16_start, 2);
    CHECK_EQ_INT(a.nongsm[0].byte_start, 2);
    CHECK_EQ_INT(a.nongsm[0].repl_source, FT_REPL_TWILIO_SMART);
    CHECK_EQ_INT(a.nongsm[0].repl_len, 1);
    CHECK(a.nongsm[0].repl[0] == '\'');
    CHECK_EQ_INT(a.nongsm[1].code_point, 0x2013);
    CHECK_EQ_INT(a.nongsm[1].u16_start, 6);
    CHECK_EQ_INT(a.nongsm[2].code_point, 0x1F600);
    CHECK_EQ_INT(a.nongsm[2].repl_source, FT_REPL_NONE);
    CHECK_EQ_INT(a.nongsm[2].u16_end - a.nongsm[2].u16_start, 2);
    /* the emoji has no replacement, so swapping the others saves nothing: no suggestion */
    CHECK_EQ_INT(a.suggestion.available, 0);
    ft_segment_analysis_free(&a);
}

static void suggestion_offers_cheaper_spelling_that_saves_segments(void) {
    /* 100 chars with curly quotes: UCS-2 -> 2 segments; straight quotes -> GSM-7, 1 segment */
    char buf[256];
    strcpy(buf, "\xe2\x80\x9c");
    for (int i = 0; i < 96; i++) strcat(buf, "x");
    strcat(buf, "\xe2\x80\x9d\xc3\xa1"); /* and an a-acute: base letter a */
    ft_segment_analysis a;
    CHECK_EQ_INT(ft_segment_analyze(buf, strlen(buf), 0, &a, NULL), FT_OK);
    CHECK_EQ_INT(a.count.segments, 2);
    CHECK_EQ_INT(a.suggestion.available, 1);
    CHECK_EQ_INT(a.suggestion.segments, 1);
    CHECK_EQ_INT(a.suggestion.encoding, FT_ENCODING_GSM7);
    CHECK_EQ_INT(a.suggestion.count, 3);
    CHECK_EQ_INT(a.nongsm[2].repl_source, FT_REPL_BASE_LETTER);
    char *out = NULL;
    size_t n = 0;
    CHECK_EQ_INT(ft_segment_apply_suggestion(buf, strlen(buf), &a, &out, &n), FT_OK);
    CHECK_EQ_INT(n, 99);
    CHECK(out[0] == '"' && out[97] == '"' && out[98] == 'a');
    free(out);
    ft_segment_analysis_free(&a);
}

static void suggestion_never_offers_replacements_that_do_not_save(void) {
    /* A short UCS-2 message stays one segment either way: nothing to suggest. */
    ft_segment_analysis a;
    CHECK_EQ_INT(ft_segment_analyze("\xe2\x80\x9cok\xe2\x80\x9d", 8, 0, &a, NULL), FT_OK);
    CHECK_EQ_INT(a.suggestion.available, 0);
    CHECK_EQ_INT(a.applies[0], 0);
    ft_segment_analysis_free(&a);
}

static void suggestion_deletes_zero_width_chars_while_staying_ucs2(void) {
    /* 68 Zhe + 3 ZWSP = 71 units (2 parts); without the ZWSPs 68 units fit... no: 68 > 67 but <= 70 */
    char buf[400];
    size_t n = 0;
    for (int i = 0; i < 68; i++) memcpy(buf + n, "\xd0\x96", 2), n += 2;
    for (int i = 0; i < 3; i++) memcpy(buf + n, "\xe2\x80\x8b", 3), n += 3;
    ft_segment_analysis a;
    CHECK_EQ_INT(ft_segment_analyze(buf, n, 0, &a, NULL), FT_OK);
    CHECK_EQ_INT(a.count.segments, 2);
    CHECK_EQ_INT(a.suggestion.available, 1);
    CHECK_EQ_INT(a.suggestion.segments, 1);
    CHECK_EQ_INT(a.suggestion.encoding, FT_ENCODING_UCS2);
    CHECK_EQ_INT(a.suggestion.count, 3);
    ft_segment_analysis_free(&a);
}

static void segment_ranges_map_smart_replacements_to_original_text(void) {
    /* an ellipsis becomes "..." under Smart Encoding; ranges stay in the text as written */
    char buf[400];
    memset(buf, 'a', 159);
    memcpy(buf + 159, "\xe2\x80\xa6", 3);
    ft_segment_analysis a;
    CHECK_EQ_INT(ft_segment_analyze(buf, 162, FT_SEG_SMART, &a, NULL), FT_OK);
    CHECK_EQ_INT(a.count.units, 162);
    CHECK_EQ_INT(a.nsegments, 2);
    CHECK_EQ_INT(a.segments[0].u16_end, 153);
    CHECK_EQ_INT(a.segments[1].u16_start, 153);
    CHECK_EQ_INT(a.segments[1].u16_end, 160);
    CHECK_EQ_INT(a.segments[1].byte_end, 162);
    ft_segment_analysis_free(&a);
}

static void gsm7_table_has_127_basic_and_10_extension_code_points(void) {
    int basic = 0, ext = 0;
    for (uint32_t cp = 0; cp < 0x10000; cp++) {
        ft_gsm7_class k = ft_gsm7_classify(cp);
        basic += k == FT_GSM7_BASIC;
        ext += k == FT_GSM7_EXTENSION;
    }
    CHECK_EQ_INT(basic, 127);
    CHECK_EQ_INT(ext, 10);
}

/* tests/vectors/segments.jsonl: shared with the JS tests. */
static void segment_matches_shared_vectors(void) {
    size_t len = 0;
    char *all = ft_test_read_vector("segments.jsonl", &len);
    CHECK(all != NULL);
    if (!all) return;
    int n = 0;
    for (char *line = strtok(all, "\n"); line; line = strtok(NULL, "\n")) {
        cJSON *j = cJSON_Parse(line);
        CHECK(j != NULL);
        if (!j) continue;
        const char *text = cJSON_GetObjectItem(j, "text")->valuestring;
        unsigned flags = cJSON_IsTrue(cJSON_GetObjectItem(j, "smart")) ? FT_SEG_SMART : 0;
        ft_segment_count c = count(text, strlen(text), flags);
        const char *name = cJSON_GetObjectItem(j, "name")->valuestring;
        ft_test_current = name;
        CHECK_EQ_STR(ft_encoding_name(c.encoding), cJSON_GetObjectItem(j, "encoding")->valuestring);
        CHECK_EQ_INT(c.segments, cJSON_GetObjectItem(j, "segments")->valueint);
        CHECK_EQ_INT(c.characters, cJSON_GetObjectItem(j, "characters")->valueint);
        ft_test_current = "segment_matches_shared_vectors";
        cJSON_Delete(j);
        n++;
    }
    CHECK(n >= 20);
    free(all);
}

int main(void) {
    RUN(segment_counts_plain_gsm_up_to_160_as_one);
    RUN(segment_keeps_extension_char_whole_at_boundary);
    RUN(segment_counts_extension_chars_as_two_septets);
    RUN(segment_uses_ucs2_for_one_non_gsm_char);
    RUN(segment_counts_ucs2_70_single_67_multi);
    RUN(segment_moves_surrogate_pair_whole_to_next_part);
    RUN(segment_treats_multi_unit_cluster_as_non_gsm);
    RUN(segment_never_reports_an_overfull_part);
    RUN(segment_splits_crlf_into_two_septets);
    RUN(segment_reports_empty_text_as_one_segment);
    RUN(segment_treats_nul_as_data);
    RUN(segment_refuses_invalid_utf8_with_byte_offset);
    RUN(segment_refuses_over_1600_characters_and_oversized_input);
    RUN(smart_encoding_replaces_curly_quotes_and_deletes_zero_width);
    RUN(ascii8_septets_matches_table);
    RUN(smart_map_has_no_printable_ascii_but_grave);
    RUN(other_blocks_match_utf8proc_for_every_bmp_code_point);
    RUN(fast_count_equals_cluster_iterator_on_random_texts);
    RUN(fast_count_equals_cluster_iterator_at_part_boundaries);
    RUN(gsm_characters_are_never_joined_by_grapheme_rules);
    RUN(gsm_scan_judges_characters_across_block_edges);
    RUN(fast_count_refuses_exactly_what_the_decoder_refuses);
    RUN(analysis_lists_each_ucs2_culprit_with_position_and_replacement);
    RUN(suggestion_offers_cheaper_spelling_that_saves_segments);
    RUN(suggestion_never_offers_replacements_that_do_not_save);
    RUN(suggestion_deletes_zero_width_chars_while_staying_ucs2);
    RUN(segment_ranges_map_smart_replacements_to_original_text);
    RUN(gsm7_table_has_127_basic_and_10_extension_code_points);
    RUN(segment_matches_shared_vectors);
    TEST_MAIN_END();
}
