/* fieldtext core: grapheme clusters of a message as it will be encoded (see cluster.h). */
#include "cluster.h"

#include <string.h>

#include "fieldtext/error.h"
#include "fieldtext/gsm7.h"
#include "fieldtext/segment.h"
#include "smart_map.h"
#include "utf8proc.h"

void ft_cluster_iter_init(ft_cluster_iter *it, const char *utf8, uint32_t len, unsigned smart) {
    *it = (ft_cluster_iter){0};
    it->s = (const unsigned char *)utf8;
    it->len = len;
    it->smart = smart;
    it->state = UTF8PROC_BOUNDCLASS_START;
    it->next_bc = -1;
}

/* Blocks of 32 code points of the BMP (bit b of word w: U+(w*32+b)*32 ..+31) in which every code
 * point has utf8proc's boundclass OTHER: Latin, Greek, Cyrillic and Arabic letters, CJK, kana... but
 * not Hangul syllables (LV/LVT), marks, Prepend, controls or pictographs. Derived from utf8proc 2.8;
 * test_segment checks it equals what utf8proc says for every block (all 65,536 code points). */
const uint32_t ft_other_blocks[64] = {
    FT_OTHER_BLOCKS_W0, FT_OTHER_BLOCKS_W1, 0x80000028u, 0x84992000u, 0xFBFF00E1u, 0x90FFFFFFu, 0x4092FDCEu, 0xFFFF3F3Du,
    0x2CFFCD30u, 0xC0001FBFu, 0xFAFFFDFFu, 0xFFFF777Fu, 0xFFEFFFEDu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu,
    0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu,
    0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu,
    0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu,
    0xFFFFFFFFu, 0xFF67FFFFu, 0x7F11010Cu, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u,
    0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0xFFFFFFFFu, 0xFFFFFFFFu,
    0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFEFFFFFFu, 0x6F7CFFFFu,
};

/* utf8proc 2.8's grapheme_break_simple, unchanged (UAX #29 as utf8proc implements it). */
static inline int break_simple(int lbc, int tbc) {
    return (lbc == UTF8PROC_BOUNDCLASS_START) ? 1 :
           (lbc == UTF8PROC_BOUNDCLASS_CR && tbc == UTF8PROC_BOUNDCLASS_LF) ? 0 :
           (lbc >= UTF8PROC_BOUNDCLASS_CR && lbc <= UTF8PROC_BOUNDCLASS_CONTROL) ? 1 :
           (tbc >= UTF8PROC_BOUNDCLASS_CR && tbc <= UTF8PROC_BOUNDCLASS_CONTROL) ? 1 :
           (lbc == UTF8PROC_BOUNDCLASS_L &&
            (tbc == UTF8PROC_BOUNDCLASS_L || tbc == UTF8PROC_BOUNDCLASS_V || tbc == UTF8PROC_BOUNDCLASS_LV ||
             tbc == UTF8PROC_BOUNDCLASS_LVT)) ? 0 :
           ((lbc == UTF8PROC_BOUNDCLASS_LV || lbc == UTF8PROC_BOUNDCLASS_V) &&
            (tbc == UTF8PROC_BOUNDCLASS_V || tbc == UTF8PROC_BOUNDCLASS_T)) ? 0 :
           ((lbc == UTF8PROC_BOUNDCLASS_LVT || lbc == UTF8PROC_BOUNDCLASS_T) && tbc == UTF8PROC_BOUNDCLASS_T) ? 0 :
           (tbc == UTF8PROC_BOUNDCLASS_EXTEND || tbc == UTF8PROC_BOUNDCLASS_ZWJ ||
            tbc == UTF8PROC_BOUNDCLASS_SPACINGMARK || lbc == UTF8PROC_BOUNDCLASS_PREPEND) ? 0 :
           (lbc == UTF8PROC_BOUNDCLASS_E_ZWG && tbc == UTF8PROC_BOUNDCLASS_EXTENDED_PICTOGRAPHIC) ? 0 :
           (lbc == UTF8PROC_BOUNDCLASS_REGIONAL_INDICATOR && tbc == UTF8PROC_BOUNDCLASS_REGIONAL_INDICATOR) ? 0 :
           1;
}

/* utf8proc_grapheme_break_stateful(prev, next, state) given the classes: the same state machine as
 * utf8proc 2.8's grapheme_break_extended, but each code point's class is looked up once (lbc is
 * only read when the state is START, as utf8proc does). */
static inline int break_stateful(int lbc, int tbc, int32_t *state) {
    int l;
    if (*state == UTF8PROC_BOUNDCLASS_START) *state = l = lbc;
    else l = *state;
    int brk = break_simple(l, tbc);
    if (*state == tbc && tbc == UTF8PROC_BOUNDCLASS_REGIONAL_INDICATOR) {
        *state = UTF8PROC_BOUNDCLASS_OTHER;
    } else if (*state == UTF8PROC_BOUNDCLASS_EXTENDED_PICTOGRAPHIC) {
        if (tbc == UTF8PROC_BOUNDCLASS_EXTEND) *state = UTF8PROC_BOUNDCLASS_EXTENDED_PICTOGRAPHIC;
        else if (tbc == UTF8PROC_BOUNDCLASS_ZWJ) *state = UTF8PROC_BOUNDCLASS_E_ZWG;
        else *state = tbc;
    } else {
        *state = tbc;
    }
    return brk;
}

/* The next code point of the text as encoded, with the range of the text as written it comes from.
 * 1: got one; 0: end; FT_E_UTF8: invalid input. */
static int next_cp(ft_cluster_iter *it, ft_cp_item *o) {
    for (;;) {
        if (it->rep) {
            if (it->rep_pos < it->rep_len) {
                *o = it->rep_src;
                o->cp = (unsigned char)it->rep[it->rep_pos++];
                return 1;
            }
            it->rep = NULL;
        }
        if (it->pos >= it->len) return 0;
        uint32_t b0 = it->pos, u0 = it->pos16, cp = it->s[it->pos];
        if (cp < 0x80) {
            it->pos++;
        } else {
            uint32_t n = ft_decode_utf8(it->s + it->pos, it->len - it->pos, &cp);
            if (n == 0) {
                it->error = FT_E_UTF8;
                it->err_offset = it->pos;
                return FT_E_UTF8;
            }
            it->pos += n;
        }
        it->pos16 += cp >= 0x10000 ? 2u : 1u;
        it->src_cps++;
        /* Printable ASCII other than the grave accent is never in Twilio's table (a unit test
         * checks this), so the common case skips the search. */
        if (it->smart && !(cp >= 0x20 && cp < 0x7F && cp != 0x60)) {
            const ft_smart_entry *e = ft_smart_lookup(cp);
            if (e) {
                if (e->len == 0) continue; /* deleted */
                it->rep = e->repl;
                it->rep_len = e->len;
                it->rep_pos = 0;
                it->rep_src = (ft_cp_item){cp, b0, it->pos, u0, it->pos16};
                continue;
            }
        }
        *o = (ft_cp_item){cp, b0, it->pos, u0, it->pos16};
        return 1;
    }
}

int ft_cluster_next(ft_cluster_iter *it, ft_cluster *out) {
    ft_cp_item cur;
    int pbc = -1; /* boundclass of prev, when known */
    if (it->has_next) {
        cur = it->next;
        pbc = it->next_bc;
        it->has_next = 0;
    } else {
        int r = next_cp(it, &cur);
        if (r <= 0) return r;
    }
    *out = (ft_cluster){cur.cp, 1, cur.cp >= 0x10000 ? 2u : 1u, FT_GSM7_NONE, cur.b0, cur.b1, cur.u0, cur.u1};
    uint32_t prev = cur.cp;
    for (;;) {
        ft_cp_item nx;
        int r = next_cp(it, &nx);
        if (r < 0) return r;
        if (r == 0) break;
        int brk, nbc = -1;
        if (prev == '\r' || (prev < 0x80 && nx.cp < 0x80)) {
            /* Always a break after CR: Twilio's calculator splits a "\r\n" cluster back into two.
             * Between two ASCII characters UAX #29 always breaks (no ASCII character is Extend,
             * ZWJ, SpacingMark, Prepend, Regional Indicator or Hangul), so utf8proc is skipped;
             * START makes its next call read the class of the previous code point afresh. */
            brk = 1;
            it->state = UTF8PROC_BOUNDCLASS_START;
        } else {
            int lbc = it->state == UTF8PROC_BOUNDCLASS_START ? (pbc >= 0 ? pbc : ft_boundclass(prev)) : 0;
            nbc = ft_boundclass(nx.cp);
            brk = break_stateful(lbc, nbc, &it->state);
        }
        uint32_t nu = nx.cp >= 0x10000 ? 2u : 1u;
        if (!brk && out->units16 + nu > FT_CLUSTER_MAX_UNITS) brk = 1;
        if (brk) {
            it->next = nx;
            it->next_bc = nbc;
            it->has_next = 1;
            break;
        }
        pbc = nbc;
        out->cps++;
        out->units16 += nu;
        out->b1 = nx.b1;
        out->u1 = nx.u1;
        prev = nx.cp;
    }
    if (out->cps == 1 && out->units16 == 1) out->gsm = ft_gsm7_classify(out->first_cp);
    return 1;
}

/* UCS-2 side of the tally for n one-unit clusters: fill the current part, then whole parts (the
 * same packing as n calls of ft_tally_add with units16 1). */
static inline void ucs_add_units(ft_tally *t, uint32_t n) {
    t->ucs_total += n;
    for (uint32_t m = n;;) {
        uint32_t room = FT_UCS2_MULTI - t->ucs_used;
        if (m <= room) {
            t->ucs_used += m;
            break;
        }
        m -= room;
        t->ucs_segs++;
        t->ucs_used = 0;
    }
}

/* GSM-7 side of the tally for the one-character clusters of the ASCII bytes s[0..n). */
static void gsm_add_ascii(ft_tally *t, const unsigned char *s, uint32_t n);

void ft_tally_init(ft_tally *t) {
    *t = (ft_tally){1, 0, 0, 1, 0, 0, 1};
}

void ft_tally_add(ft_tally *t, const ft_cluster *c) {
    if (t->all_gsm) {
        if (c->gsm == FT_GSM7_NONE) {
            t->all_gsm = 0;
        } else {
            if (t->gsm_used + c->gsm > FT_GSM7_MULTI) {
                t->gsm_segs++;
                t->gsm_used = c->gsm;
            } else {
                t->gsm_used += c->gsm;
            }
            t->gsm_total += c->gsm;
        }
    }
    if (t->ucs_used + c->units16 > FT_UCS2_MULTI) {
        t->ucs_segs++;
        t->ucs_used = c->units16;
    } else {
        t->ucs_used += c->units16;
    }
    t->ucs_total += c->units16;
}

void ft_tally_add_ascii(ft_tally *t, const unsigned char *s, uint32_t n) {
    ucs_add_units(t, n);
    gsm_add_ascii(t, s, n);
}

static void gsm_add_ascii(ft_tally *t, const unsigned char *s, uint32_t n) {
    /* GSM-7: 1 or 2 septets each. While even n two-septet characters would fit the current part,
     * add a block without boundary checks; near the boundary, one at a time. */
    uint32_t i = 0;
    while (t->all_gsm && i < n) {
        uint32_t k = (FT_GSM7_MULTI - t->gsm_used) / 2;
        if (k > n - i) k = n - i;
        if (k > 0) {
            uint32_t sum = 0, none = 0, x = 0;
            for (; x + 8 <= k; x += 8) {
                uint64_t w;
                memcpy(&w, s + i + x, 8);
                uint32_t g = ft_ascii8_septets(w);
                if (g == 0) { /* a byte that is not simply 1 or 2 septets: these eight one at a time */
                    for (uint32_t y = x; y < x + 8; y++) {
                        uint32_t g1 = (uint32_t)ft_gsm7_ascii_septets[s[i + y]];
                        g += g1;
                        none |= g1 == 0;
                    }
                }
                sum += g;
            }
            for (; x < k; x++) {
                uint32_t g = (uint32_t)ft_gsm7_ascii_septets[s[i + x]];
                sum += g;
                none |= g == 0;
            }
            if (none) t->all_gsm = 0;
            t->gsm_used += sum;
            t->gsm_total += sum;
            i += k;
            continue;
        }
        uint32_t g = (uint32_t)ft_gsm7_ascii_septets[s[i++]];
        if (g == 0) {
            t->all_gsm = 0;
        } else if (t->gsm_used + g > FT_GSM7_MULTI) {
            t->gsm_segs++;
            t->gsm_used = g;
            t->gsm_total += g;
        } else {
            t->gsm_used += g;
            t->gsm_total += g;
        }
    }
}

void ft_tally_result(const ft_tally *t, uint32_t *encoding, uint32_t *segments, uint32_t *units) {
    if (t->all_gsm) {
        *encoding = FT_ENCODING_GSM7;
        *units = t->gsm_total;
        *segments = t->gsm_total <= FT_GSM7_SINGLE ? 1 : t->gsm_segs;
    } else {
        *encoding = FT_ENCODING_UCS2;
        *units = t->ucs_total;
        *segments = t->ucs_total <= FT_UCS2_SINGLE ? 1 : t->ucs_segs;
    }
}
