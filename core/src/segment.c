/* fieldtext core: encoding, segments, UCS-2 culprits and the cheaper spelling (segment.h). */
#include "fieldtext/segment.h"

#include <stdlib.h>
#include <string.h>

#include "cluster.h"
#include "fieldtext/gsm7.h"
#include "smart_map.h"
#include "utf8.h"
#include "utf8proc.h"

const char *ft_encoding_name(ft_encoding e) {
    return e == FT_ENCODING_GSM7 ? "GSM-7" : "UCS-2";
}

/* ASCII bytes that Twilio's Smart Encoding table changes (deletes or replaces): NUL, 03, 04, TAB,
 * 10-14, 17, 19 and the grave accent. A unit test checks this against the table. */
static const uint32_t smart_ascii[4] = {0x029F0219u, 0u, 0u, 0x1u};

/* 1 when the byte is an ASCII character that is encoded as itself. */
static inline int plain(const unsigned char c, unsigned smart) {
    return c < 0x80 && !(smart && ((smart_ascii[c >> 5] >> (c & 31)) & 1u));
}

/* The first byte at or after i that is not plain (n if none). Without Smart Encoding, eight bytes
 * at a time: plain is then just "high bit clear". */
static inline uint32_t first_nonplain(const unsigned char *s, uint32_t i, uint32_t n, unsigned smart) {
    if (!smart) {
        for (; i + 8 <= n; i += 8) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (w & 0x8080808080808080ull) break;
        }
    }
    while (i < n && plain(s[i], smart)) i++;
    return i;
}

/* The fast path. Without Smart Encoding: ft_cluster_count_plain (one validating, counting pass;
 * clusters resolved only near the part boundaries of a long UCS-2 message). With it, the text as
 * encoded differs from the text as written, so: between two plain ASCII characters there is always
 * a cluster break (UAX #29 has no rule joining them; CR LF is split back by Twilio's rule), so a
 * plain ASCII byte whose neighbours are plain ASCII (or the ends of the text) is a cluster of its
 * own: such "free" bytes are tallied in blocks. Everything else (a stretch between free bytes, which
 * starts and ends at a cluster break) goes through the cluster iterator, exactly as the analysis
 * does. The fuzz target and the unit tests compare both paths with the iterator. */
ft_status ft_segment_count_text(const char *utf8, size_t len, unsigned flags, ft_segment_count *out,
                                size_t *err_offset) {
    if (!out || (!utf8 && len)) return FT_E_INVALID_ARG;
    if (len > FT_TEXT_MAX_BYTES) return FT_E_TOO_LARGE;
    const unsigned char *s = (const unsigned char *)utf8;
    const uint32_t n = (uint32_t)len;
    const unsigned smart = flags & FT_SEG_SMART;
    uint32_t u16 = 0, cps = 0, i = 0, enc = 0;
    if (!smart) {
        uint32_t bad = 0;
        ft_status st = ft_cluster_count_plain(s, n, &enc, &out->segments, &out->units, &u16, &cps, &bad);
        if (st == FT_E_UTF8 && err_offset) *err_offset = bad;
        if (st != FT_OK) return st;
        out->encoding = (ft_encoding)enc;
        out->characters = u16;
        out->code_points = cps;
        return FT_OK;
    }
    ft_tally t;
    ft_tally_init(&t);
    while (i < n) {
        /* free bytes from i (s[i-1], if any, is plain: i is 0 or the free byte ending a stretch);
         * the plain byte just before a non-plain one is not free: it may join it (e + U+0301) */
        uint32_t p = first_nonplain(s, i, n, smart);
        uint32_t j = p == n ? n : (p > i ? p - 1 : i);
        if (j > i) {
            ft_tally_add_ascii(&t, s + i, j - i);
            u16 += j - i;
            cps += j - i;
        }
        if (j == n) break;
        /* the stretch [j, k): up to the next free byte (plain, between plain bytes or the end) */
        uint32_t k = p + 1;
        for (;;) {
            while (k < n && !plain(s[k], smart)) k++;
            if (k >= n) break;
            if (plain(s[k - 1], smart) && (k + 1 == n || plain(s[k + 1], smart))) break;
            k++;
        }
        ft_cluster_iter it;
        ft_cluster_iter_init(&it, utf8 + j, k - j, smart);
        ft_cluster c;
        int r;
        while ((r = ft_cluster_next(&it, &c)) > 0) ft_tally_add(&t, &c);
        if (r < 0) {
            if (err_offset) *err_offset = j + it.err_offset;
            return FT_E_UTF8;
        }
        u16 += it.pos16;
        cps += it.src_cps;
        i = k;
    }
    ft_tally_result(&t, &enc, &out->segments, &out->units);
    out->encoding = (ft_encoding)enc;
    out->characters = u16;
    out->code_points = cps;
    return FT_OK;
}

ft_status ft_segment_check_sendable(const ft_segment_count *c) {
    if (!c) return FT_E_INVALID_ARG;
    if (c->characters == 0) return FT_E_MSG_EMPTY;
    if (c->characters > FT_MSG_MAX_CHARS) return FT_E_MSG_TOO_LONG;
    return FT_OK;
}

void ft_segment_analysis_free(ft_segment_analysis *a) {
    if (!a) return;
    free(a->segments);
    free(a->nongsm);
    free(a->applies);
    memset(a, 0, sizeof *a);
}

/* 1 when every code point of s is in the GSM-7 alphabet (as single clusters would be). */
static int all_gsm(const unsigned char *s, utf8proc_ssize_t n) {
    utf8proc_ssize_t i = 0;
    while (i < n) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate(s + i, n - i, &cp);
        if (k <= 0 || ft_gsm7_classify((uint32_t)cp) == FT_GSM7_NONE) return 0;
        /* a combining mark would join the previous letter into a non-GSM cluster */
        if (utf8proc_get_property(cp)->combining_class != 0) return 0;
        i += k;
    }
    return 1;
}

static int set_repl(ft_nongsm_char *g, ft_repl_source src, const unsigned char *s, size_t n) {
    if (n > FT_REPL_MAX_BYTES || !all_gsm(s, (utf8proc_ssize_t)n)) return 0;
    memcpy(g->repl, s, n);
    g->repl_len = (uint8_t)n;
    g->repl_source = src;
    return 1;
}

static int try_map(ft_nongsm_char *g, ft_repl_source src, const unsigned char *s, size_t n, int options) {
    char *dst = NULL;
    long k = ft_utf8_map((const char *)s, n, options, &dst);
    int ok = k > 0 && set_repl(g, src, (const unsigned char *)dst, (size_t)k);
    free(dst);
    return ok;
}

/* The GSM replacement for the cluster text s[0..n), if one is known. */
static void find_replacement(ft_nongsm_char *g, const unsigned char *s, size_t n) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t k = utf8proc_iterate(s, (utf8proc_ssize_t)n, &cp);
    if (k == (utf8proc_ssize_t)n) {
        const ft_smart_entry *e = ft_smart_lookup((uint32_t)cp);
        if (e && set_repl(g, FT_REPL_TWILIO_SMART, (const unsigned char *)e->repl, e->len)) return;
    }
    if (try_map(g, FT_REPL_NFC, s, n, UTF8PROC_STABLE | UTF8PROC_COMPOSE)) return;
    try_map(g, FT_REPL_BASE_LETTER, s, n, UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_STRIPMARK);
}

/* The text with the replacements of the flagged characters applied; malloc'd, NUL-terminated. */
static ft_status build_text(const char *src, size_t len, const ft_nongsm_char *g, uint32_t n,
                            const uint8_t *mask, char **out, size_t *out_len) {
    char *buf = malloc(len + (size_t)n * FT_REPL_MAX_BYTES + 1);
    if (!buf) return FT_E_NOMEM;
    size_t o = 0, at = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (!mask[i] || g[i].byte_start < at) continue;
        memcpy(buf + o, src + at, g[i].byte_start - at);
        o += g[i].byte_start - at;
        memcpy(buf + o, g[i].repl, g[i].repl_len);
        o += g[i].repl_len;
        at = g[i].byte_end;
    }
    memcpy(buf + o, src + at, len - at);
    o += len - at;
    buf[o] = '\0';
    *out = buf;
    *out_len = o;
    return FT_OK;
}

/* Segments of the text with the masked replacements applied, under the same flags. */
static ft_status count_with(const char *src, size_t len, const ft_segment_analysis *a, const uint8_t *mask,
                            unsigned flags, ft_segment_count *c) {
    char *t;
    size_t tl;
    ft_status st = build_text(src, len, a->nongsm, a->nnongsm, mask, &t, &tl);
    if (st != FT_OK) return st;
    st = tl > FT_TEXT_MAX_BYTES ? FT_E_TOO_LARGE : ft_segment_count_text(t, tl, flags, c, NULL);
    free(t);
    return st;
}

/* Chooses the cheaper spelling. Two candidates: replace every culprit (pays off only when the
 * whole message then fits GSM-7), or only the replacements that shorten the text (pays off while
 * it stays UCS-2: deleted zero-width characters). The one with fewer segments wins, if it saves any. */
static ft_status suggest(const char *src, size_t len, unsigned flags, ft_segment_analysis *a) {
    uint32_t n = a->nnongsm;
    if (n == 0) return FT_OK;
    uint8_t *all = calloc(n, 1), *shrink = calloc(n, 1);
    ft_status st = FT_OK;
    if (!all || !shrink) {
        st = FT_E_NOMEM;
        goto done;
    }
    int every = 1, nshrink = 0;
    for (uint32_t i = 0; i < n; i++) {
        const ft_nongsm_char *g = &a->nongsm[i];
        if (g->repl_source == FT_REPL_NONE) {
            every = 0;
            continue;
        }
        all[i] = 1;
        uint32_t repl_units = 0;
        for (uint32_t j = 0; j < g->repl_len; j++) repl_units += ((unsigned char)g->repl[j] & 0xC0) != 0x80;
        if (repl_units < g->u16_end - g->u16_start) shrink[i] = 1, nshrink++;
    }
    ft_segment_count best = a->count, c;
    const uint8_t *pick = NULL;
    if (every) {
        if ((st = count_with(src, len, a, all, flags, &c)) != FT_OK) goto done;
        if (c.segments < best.segments) best = c, pick = all;
    }
    if (nshrink) {
        if ((st = count_with(src, len, a, shrink, flags, &c)) != FT_OK) goto done;
        if (c.segments < best.segments) best = c, pick = shrink;
    }
    if (pick) {
        memcpy(a->applies, pick, n);
        a->suggestion.available = 1;
        a->suggestion.segments = best.segments;
        a->suggestion.encoding = best.encoding;
        for (uint32_t i = 0; i < n; i++) a->suggestion.count += pick[i];
    }
done:
    free(all);
    free(shrink);
    return st == FT_E_TOO_LARGE ? FT_OK : st;
}

ft_status ft_segment_analyze(const char *utf8, size_t len, unsigned flags, ft_segment_analysis *out,
                             size_t *err_offset) {
    if (!out) return FT_E_INVALID_ARG;
    memset(out, 0, sizeof *out);
    ft_status st = ft_segment_count_text(utf8, len, flags, &out->count, err_offset);
    if (st != FT_OK) return st;

    /* Second pass: keep the clusters (a valid text now, so no error can occur). */
    uint32_t cap = out->count.code_points + 1, nc = 0;
    ft_cluster *cl = NULL;
    ft_cluster_iter it;
    ft_cluster_iter_init(&it, utf8, (uint32_t)len, flags & FT_SEG_SMART);
    ft_cluster c;
    /* Smart Encoding can turn one code point into up to 7 (TAB): grow as needed. */
    while (ft_cluster_next(&it, &c) > 0) {
        if (nc == cap || !cl) {
            cap = cap * 2;
            ft_cluster *ncl = realloc(cl, (size_t)cap * sizeof *cl);
            if (!ncl) goto nomem;
            cl = ncl;
        }
        cl[nc++] = c;
    }

    int gsm = out->count.encoding == FT_ENCODING_GSM7;
    uint32_t single = gsm ? FT_GSM7_SINGLE : FT_UCS2_SINGLE, multi = gsm ? FT_GSM7_MULTI : FT_UCS2_MULTI;
    out->segments = calloc(out->count.segments, sizeof *out->segments);
    if (!out->segments) goto nomem;
    uint32_t k = 0;
    ft_segment_range *s = &out->segments[0];
    for (uint32_t i = 0; i < nc; i++) {
        uint32_t size = gsm ? cl[i].gsm : cl[i].units16;
        if (out->count.units > single && s->units + size > multi && s->units > 0) {
            if (++k >= out->count.segments) goto internal;
            s = &out->segments[k];
            s->byte_start = out->segments[k - 1].byte_end;
            s->u16_start = out->segments[k - 1].u16_end;
        }
        if (s->units == 0 && k == 0) {
            s->byte_start = cl[i].b0;
            s->u16_start = cl[i].u0;
        }
        s->units += size;
        s->byte_end = cl[i].b1;
        s->u16_end = cl[i].u1;
    }
    if (k + 1 != out->count.segments) goto internal;
    out->nsegments = out->count.segments;
    /* Text deleted by Smart Encoding at the very end still belongs to the last segment. */
    out->segments[k].byte_end = (uint32_t)len;
    out->segments[k].u16_end = out->count.characters;
    out->segments[0].byte_start = 0;
    out->segments[0].u16_start = 0;

    uint32_t ng = 0;
    for (uint32_t i = 0; i < nc; i++) ng += cl[i].gsm == FT_GSM7_NONE;
    if (ng) {
        out->nongsm = calloc(ng, sizeof *out->nongsm);
        out->applies = calloc(ng, 1);
        if (!out->nongsm || !out->applies) goto nomem;
        for (uint32_t i = 0; i < nc; i++) {
            if (cl[i].gsm != FT_GSM7_NONE) continue;
            ft_nongsm_char *g = &out->nongsm[out->nnongsm++];
            g->byte_start = cl[i].b0;
            g->byte_end = cl[i].b1;
            g->u16_start = cl[i].u0;
            g->u16_end = cl[i].u1;
            g->code_point = cl[i].first_cp;
            find_replacement(g, (const unsigned char *)utf8 + g->byte_start, g->byte_end - g->byte_start);
        }
    }
    free(cl);
    st = suggest(utf8, len, flags, out);
    if (st != FT_OK) ft_segment_analysis_free(out);
    return st;
nomem:
    free(cl);
    ft_segment_analysis_free(out);
    return FT_E_NOMEM;
internal:
    free(cl);
    ft_segment_analysis_free(out);
    return FT_E_INTERNAL;
}

ft_status ft_segment_apply_suggestion(const char *utf8, size_t len, const ft_segment_analysis *a, char **out,
                                      size_t *out_len) {
    if (!a || !out || !out_len || (!utf8 && len)) return FT_E_INVALID_ARG;
    if (a->nnongsm == 0) return build_text(utf8, len, NULL, 0, NULL, out, out_len);
    return build_text(utf8, len, a->nongsm, a->nnongsm, a->applies, out, out_len);
}
