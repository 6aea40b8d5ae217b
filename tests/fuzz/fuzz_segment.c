/* Fuzz target: the segment engine and the estimate JSON. Checks invariants on every input:
 * no crash, no segment over 1120 bits, counts agree between the fast path and the analysis,
 * ranges cover the text in order, and the suggestion never costs more. The fast count (free ASCII
 * bytes in blocks, stretches tallied directly) must equal the reference: every cluster from the
 * cluster iterator over the whole text, tallied one by one. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fieldtext/estimate.h"
#include "fieldtext/json.h"
#include "fieldtext/segment.h"
#include "cluster.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The reference count: the cluster iterator over the whole text, one cluster at a time. */
static ft_status reference_count(const char *text, size_t len, unsigned flags, ft_segment_count *c, size_t *err) {
    if (len > FT_TEXT_MAX_BYTES) return FT_E_TOO_LARGE;
    ft_cluster_iter it;
    ft_cluster_iter_init(&it, text, (uint32_t)len, flags & FT_SEG_SMART);
    ft_tally t;
    ft_tally_init(&t);
    ft_cluster cl;
    int r;
    while ((r = ft_cluster_next(&it, &cl)) > 0) ft_tally_add(&t, &cl);
    if (r < 0) {
        *err = it.err_offset;
        return FT_E_UTF8;
    }
    uint32_t enc;
    ft_tally_result(&t, &enc, &c->segments, &c->units);
    c->encoding = (ft_encoding)enc;
    c->characters = it.pos16;
    c->code_points = it.src_cps;
    return FT_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    unsigned flags = data[0] & 1u;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    ft_segment_count c;
    size_t bad = 0;
    ft_status st = ft_segment_count_text(text, len, flags, &c, &bad);
    ft_segment_count ref;
    size_t ref_bad = 0;
    if (reference_count(text, len, flags, &ref, &ref_bad) != st) abort();
    if (st == FT_E_UTF8 && bad != ref_bad) abort();
    if (st == FT_OK && memcmp(&c, &ref, sizeof c) != 0) abort();
    ft_segment_analysis a;
    ft_status st2 = ft_segment_analyze(text, len, flags, &a, NULL);
    if (st != st2) abort();
    if (st == FT_OK) {
        if (memcmp(&c, &a.count, sizeof c) != 0 || a.nsegments != c.segments) abort();
        uint32_t bits_per = c.encoding == FT_ENCODING_GSM7 ? 7 : 16, prev_end = 0;
        for (uint32_t i = 0; i < a.nsegments; i++) {
            uint32_t bits = a.segments[i].units * bits_per + (a.nsegments > 1 ? FT_UDH_BITS : 0);
            if (bits > FT_SEGMENT_BITS) abort();
            if (a.segments[i].byte_start != prev_end || a.segments[i].byte_end < a.segments[i].byte_start) abort();
            prev_end = a.segments[i].byte_end;
        }
        if (prev_end != len) abort();
        if (a.suggestion.available && a.suggestion.segments >= c.segments) abort();
        char *s = NULL;
        size_t sl = 0;
        if (ft_segment_apply_suggestion(text, len, &a, &s, &sl) != FT_OK) abort();
        ft_segment_count c2;
        if (a.suggestion.available && sl <= FT_TEXT_MAX_BYTES) {
            if (ft_segment_count_text(s, sl, flags, &c2, NULL) != FT_OK || c2.segments != a.suggestion.segments) abort();
        }
        free(s);
    }
    ft_segment_analysis_free(&a);
    char *json = NULL;
    ft_estimate_json(text, len, "{\"smart\":true}", 14, &json);
    ft_free(json);
    return 0;
}
