/* fieldtext core: the estimate as JSON (estimate.h). */
#include "fieldtext/estimate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldtext/cost.h"
#include "fieldtext/json.h"
#include "fieldtext/segment.h"
#include "json_util.h"

typedef struct {
    unsigned flags;
    uint32_t bundle;
    ft_pricing pricing;
    int has_balance;
    int64_t balance;
} options;

static ft_status read_options(const char *json, size_t len, options *o, const char **why) {
    o->flags = 0;
    o->bundle = 2500;
    ft_pricing_default(&o->pricing);
    o->has_balance = 0;
    if (!json || len == 0) return FT_OK;
    ft_status st = FT_OK;
    cJSON *j = ft_json_parse(json, len, &st);
    if (!j) return st;
    if (!cJSON_IsObject(j)) {
        *why = "options must be a JSON object";
        st = FT_E_JSON_SHAPE;
        goto done;
    }
    cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "smart");
    if (v) {
        if (!cJSON_IsBool(v)) { *why = "\"smart\" must be true or false"; st = FT_E_JSON_SHAPE; goto done; }
        if (cJSON_IsTrue(v)) o->flags |= FT_SEG_SMART;
    }
    cJSON *prices = cJSON_GetObjectItemCaseSensitive(j, "prices");
    if (prices) {
        if (!cJSON_IsObject(prices)) { *why = "\"prices\" must be an object"; st = FT_E_JSON_SHAPE; goto done; }
        cJSON *p;
        cJSON_ArrayForEach(p, prices) {
            char *endp;
            unsigned long size = strtoul(p->string, &endp, 10);
            if (*endp || !cJSON_IsNumber(p) || p->valuedouble != (double)(int64_t)p->valuedouble) {
                *why = "each price must be an integer number of micro-dollars keyed by bundle size";
                st = FT_E_JSON_SHAPE;
                goto done;
            }
            if ((st = ft_pricing_set(&o->pricing, (uint32_t)size, (int64_t)p->valuedouble)) != FT_OK) goto done;
        }
    }
    v = cJSON_GetObjectItemCaseSensitive(j, "bundle");
    if (v) {
        if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 4e9) {
            *why = "\"bundle\" must be a bundle size";
            st = FT_E_JSON_SHAPE;
            goto done;
        }
        o->bundle = (uint32_t)v->valuedouble;
        int64_t r;
        if ((st = ft_cost_rate(&o->pricing, o->bundle, &r)) != FT_OK) goto done;
    }
    v = cJSON_GetObjectItemCaseSensitive(j, "balance");
    if (v && !cJSON_IsNull(v)) {
        if (!cJSON_IsNumber(v) || v->valuedouble != (double)(int64_t)v->valuedouble) {
            *why = "\"balance\" must be an integer number of segments";
            st = FT_E_JSON_SHAPE;
            goto done;
        }
        o->has_balance = 1;
        o->balance = (int64_t)v->valuedouble;
    }
done:
    cJSON_Delete(j);
    return st;
}

static int add_money(cJSON *obj, const char *name, int64_t micros) {
    char buf[32];
    if (ft_money_format(micros, buf, sizeof buf) != FT_OK) return 0;
    return ft_json_add_int(obj, name, micros) != NULL &&
           cJSON_AddStringToObject(obj, strcmp(name, "micros") == 0 ? "display" : "saves_display", buf) != NULL;
}

static int add_range(cJSON *arr, uint32_t u0, uint32_t u1, uint32_t b0, uint32_t b1, cJSON **out) {
    cJSON *r = cJSON_CreateObject();
    if (!r) return 0;
    cJSON_AddItemToArray(arr, r);
    *out = r;
    return cJSON_AddNumberToObject(r, "start", u0) && cJSON_AddNumberToObject(r, "end", u1) &&
           cJSON_AddNumberToObject(r, "byte_start", b0) && cJSON_AddNumberToObject(r, "byte_end", b1);
}

static const char *repl_source_name(ft_repl_source s) {
    switch (s) {
    case FT_REPL_TWILIO_SMART: return "twilio-smart-encoding";
    case FT_REPL_NFC: return "composed-form";
    case FT_REPL_BASE_LETTER: return "base-letter";
    default: return NULL;
    }
}

/* Fills obj from a successful analysis; 0 on NOMEM. */
static int fill(cJSON *o, const char *utf8, size_t len, const ft_segment_analysis *a, const options *op,
                ft_status *verdict) {
    const ft_segment_count *c = &a->count;
    int gsm = c->encoding == FT_ENCODING_GSM7;
    if (!cJSON_AddTrueToObject(o, "ok") || !cJSON_AddStringToObject(o, "encoding", ft_encoding_name(c->encoding)) ||
        !cJSON_AddNumberToObject(o, "segments", c->segments) || !cJSON_AddNumberToObject(o, "characters", c->characters) ||
        !cJSON_AddNumberToObject(o, "code_points", c->code_points) || !cJSON_AddNumberToObject(o, "units", c->units) ||
        !cJSON_AddStringToObject(o, "unit", gsm ? "septets" : "UTF-16 units") ||
        !cJSON_AddNumberToObject(o, "max_characters", FT_MSG_MAX_CHARS) || !cJSON_AddBoolToObject(o, "smart", op->flags & FT_SEG_SMART))
        return 0;
    cJSON *cap = cJSON_AddObjectToObject(o, "capacity");
    if (!cap || !cJSON_AddNumberToObject(cap, "single", gsm ? FT_GSM7_SINGLE : FT_UCS2_SINGLE) ||
        !cJSON_AddNumberToObject(cap, "multi", gsm ? FT_GSM7_MULTI : FT_UCS2_MULTI))
        return 0;

    int64_t micros = 0, rate = 0;
    ft_cost_message(&op->pricing, op->bundle, c->segments, &micros);
    ft_cost_rate(&op->pricing, op->bundle, &rate);
    cJSON *cost = cJSON_AddObjectToObject(o, "cost");
    if (!cost || !add_money(cost, "micros", micros) || !cJSON_AddNumberToObject(cost, "bundle", op->bundle) ||
        !ft_json_add_int(cost, "rate_micros", rate))
        return 0;

    cJSON *segs = cJSON_AddArrayToObject(o, "segment_ranges"), *r;
    if (!segs) return 0;
    for (uint32_t i = 0; i < a->nsegments; i++) {
        const ft_segment_range *s = &a->segments[i];
        if (!add_range(segs, s->u16_start, s->u16_end, s->byte_start, s->byte_end, &r) ||
            !cJSON_AddNumberToObject(r, "units", s->units))
            return 0;
    }

    cJSON *ng = cJSON_AddArrayToObject(o, "non_gsm");
    if (!ng) return 0;
    for (uint32_t i = 0; i < a->nnongsm; i++) {
        const ft_nongsm_char *g = &a->nongsm[i];
        char cp[16];
        snprintf(cp, sizeof cp, "U+%04X", (unsigned)g->code_point);
        char *ch = malloc(g->byte_end - g->byte_start + 1u);
        if (!ch) return 0;
        memcpy(ch, utf8 + g->byte_start, g->byte_end - g->byte_start);
        ch[g->byte_end - g->byte_start] = '\0';
        int ok = add_range(ng, g->u16_start, g->u16_end, g->byte_start, g->byte_end, &r) &&
                 cJSON_AddStringToObject(r, "char", ch) && cJSON_AddStringToObject(r, "code_point", cp);
        free(ch);
        if (!ok) return 0;
        if (g->repl_source != FT_REPL_NONE) {
            char rep[FT_REPL_MAX_BYTES + 1];
            memcpy(rep, g->repl, g->repl_len);
            rep[g->repl_len] = '\0';
            if (!cJSON_AddStringToObject(r, "replacement", rep) ||
                !cJSON_AddStringToObject(r, "replacement_source", repl_source_name(g->repl_source)))
                return 0;
        } else if (!cJSON_AddNullToObject(r, "replacement")) {
            return 0;
        }
        if (!cJSON_AddBoolToObject(r, "in_suggestion", a->applies[i])) return 0;
    }

    if (a->suggestion.available) {
        cJSON *s = cJSON_AddObjectToObject(o, "suggestion");
        char *text = NULL;
        size_t tl = 0;
        int64_t after = 0;
        ft_cost_message(&op->pricing, op->bundle, a->suggestion.segments, &after);
        if (!s || ft_segment_apply_suggestion(utf8, len, a, &text, &tl) != FT_OK) return 0;
        int ok = cJSON_AddNumberToObject(s, "segments", a->suggestion.segments) &&
                 cJSON_AddStringToObject(s, "encoding", ft_encoding_name(a->suggestion.encoding)) &&
                 cJSON_AddNumberToObject(s, "saves_segments", c->segments - a->suggestion.segments) &&
                 add_money(s, "saves_micros", micros - after) && cJSON_AddNumberToObject(s, "replacements", a->suggestion.count) &&
                 cJSON_AddStringToObject(s, "text", text);
        free(text);
        if (!ok) return 0;
    } else if (!cJSON_AddNullToObject(o, "suggestion")) {
        return 0;
    }

    ft_status st = ft_segment_check_sendable(c);
    if (st == FT_OK && op->has_balance) {
        int64_t left;
        st = ft_balance_debit(op->balance, c->segments, &left);
    }
    *verdict = st;
    if (st != FT_OK) {
        char why[160];
        const char *detail = NULL;
        if (st == FT_E_MSG_TOO_LONG) {
            snprintf(why, sizeof why, "the message has %u characters; the limit is %u", (unsigned)c->characters,
                     FT_MSG_MAX_CHARS);
            detail = why;
        } else if (st == FT_E_BALANCE) {
            snprintf(why, sizeof why, "the message needs %u segments; the balance has %lld", (unsigned)c->segments,
                     (long long)op->balance);
            detail = why;
        }
        if (!ft_json_set_error(o, st, detail)) return 0;
    }
    return 1;
}

ft_status ft_estimate_json(const char *utf8, size_t len, const char *options_json, size_t options_len, char **out) {
    if (!out || (!utf8 && len)) return FT_E_INVALID_ARG;
    *out = NULL;
    options op;
    const char *why = NULL;
    ft_status st = read_options(options_json, options_len, &op, &why);
    if (st != FT_OK) {
        *out = ft_json_error_reply(st, why);
        return *out ? st : FT_E_NOMEM;
    }
    ft_segment_analysis a;
    size_t bad = 0;
    st = ft_segment_analyze(utf8, len, op.flags, &a, &bad);
    if (st == FT_E_NOMEM) return st;
    cJSON *o = cJSON_CreateObject();
    if (!o) {
        ft_segment_analysis_free(&a);
        return FT_E_NOMEM;
    }
    int ok;
    if (st == FT_E_UTF8) {
        char why2[96];
        snprintf(why2, sizeof why2, "the text is not valid UTF-8 at byte %zu", bad);
        ok = ft_json_set_error(o, st, why2) && cJSON_AddNumberToObject(cJSON_GetObjectItem(o, "error"), "byte_offset", (double)bad);
    } else if (st != FT_OK) {
        ok = ft_json_set_error(o, st, NULL);
    } else {
        ok = fill(o, utf8, len, &a, &op, &st);
    }
    ft_segment_analysis_free(&a);
    if (!ok) {
        cJSON_Delete(o);
        return FT_E_NOMEM;
    }
    *out = ft_json_finish(o);
    return *out ? st : FT_E_NOMEM;
}
