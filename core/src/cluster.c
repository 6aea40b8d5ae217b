/* fieldtext core: grapheme clusters of a message as it will be encoded (see cluster.h). */
#include "cluster.h"

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
            utf8proc_int32_t v;
            utf8proc_ssize_t n = utf8proc_iterate(it->s + it->pos, (utf8proc_ssize_t)(it->len - it->pos), &v);
            if (n <= 0) {
                it->error = FT_E_UTF8;
                it->err_offset = it->pos;
                return FT_E_UTF8;
            }
            cp = (uint32_t)v;
            it->pos += (uint32_t)n;
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
    if (it->has_next) {
        cur = it->next;
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
        int brk;
        if (prev == '\r' || (prev < 0x80 && nx.cp < 0x80)) {
            /* Always a break after CR: Twilio's calculator splits a "\r\n" cluster back into two.
             * Between two ASCII characters UAX #29 always breaks (no ASCII character is Extend,
             * ZWJ, SpacingMark, Prepend, Regional Indicator or Hangul), so utf8proc is skipped;
             * START makes its next call read the class of the previous code point afresh. */
            brk = 1;
            it->state = UTF8PROC_BOUNDCLASS_START;
        } else {
            brk = utf8proc_grapheme_break_stateful((utf8proc_int32_t)prev, (utf8proc_int32_t)nx.cp, &it->state);
        }
        uint32_t nu = nx.cp >= 0x10000 ? 2u : 1u;
        if (!brk && out->units16 + nu > FT_CLUSTER_MAX_UNITS) brk = 1;
        if (brk) {
            it->next = nx;
            it->has_next = 1;
            break;
        }
        out->cps++;
        out->units16 += nu;
        out->b1 = nx.b1;
        out->u1 = nx.u1;
        prev = nx.cp;
    }
    if (out->cps == 1 && out->units16 == 1) out->gsm = ft_gsm7_classify(out->first_cp);
    return 1;
}

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
