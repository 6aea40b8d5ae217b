/* fieldtext core: templates, field codes, rendering and template cost (template.h). */
#include "fieldtext/template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldtext/cost.h"
#include "fieldtext/json.h"
#include "fieldtext/segment.h"
#include "json_util.h"
#include "utf8.h"

static const ft_field_info fields[FT_FIELD_COUNT] = {
    {"customer.first_name", "Customer first name", 40, 1, "Maria"},
    {"customer.last_name", "Customer last name", 40, 1, "Lopez"},
    {"customer.full_name", "Customer full name", 81, 1, "Maria Lopez"},
    {"technician.name", "Technician name", 60, 1, "Sam Carter"},
    {"technician.first_name", "Technician first name", 30, 1, "Sam"},
    {"job.date", "Job date", 30, 0, "Tuesday, March 4"},
    {"job.window_start", "Time window start", 8, 0, "8:00 AM"},
    {"job.window_end", "Time window end", 8, 0, "12:00 PM"},
    {"job.type", "Job type", 40, 1, "Quarterly pest control"},
    {"job.address", "Service address", 100, 1, "120 Oak Street, Springfield"},
    {"job.gate_code", "Gate code", 20, 0, "#4821"},
    {"company.name", "Company name", 60, 1, "Acme Pest Control"},
    {"company.phone", "Company phone", 14, 0, "(217) 555-0148"},
    /* Appended (ids are stable): the technician's expected arrival, a clock time as "10:45 AM". */
    {"job.eta", "Arrival time", 8, 0, "10:45 AM"},
};

const ft_field_info *ft_template_field_info(ft_field_id id) {
    if ((int)id < 0 || id >= FT_FIELD_COUNT) return NULL;
    return &fields[id];
}

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

static int ieq(const char *a, size_t an, const char *b) {
    size_t bn = strlen(b);
    if (an != bn) return 0;
    for (size_t i = 0; i < an; i++)
        if (lower((unsigned char)a[i]) != lower((unsigned char)b[i])) return 0;
    return 1;
}

ft_status ft_template_field_lookup(const char *code, size_t len, ft_field_id *out) {
    if (!code || !out) return FT_E_INVALID_ARG;
    for (int i = 0; i < FT_FIELD_COUNT; i++)
        if (ieq(code, len, fields[i].code)) {
            *out = (ft_field_id)i;
            return FT_OK;
        }
    return FT_E_TPL_UNKNOWN_FIELD;
}

/* ---- parsing ---------------------------------------------------------------------------------- */

typedef struct {
    ft_template *t;
    uint32_t cap_parts, text_len, text_cap;
} builder;

static int b_text(builder *b, const char *s, size_t n) {
    if (b->text_len + n > b->text_cap) {
        uint32_t cap = b->text_cap ? b->text_cap : 64;
        while (cap < b->text_len + n) cap *= 2;
        char *p = realloc(b->t->text, cap);
        if (!p) return 0;
        b->t->text = p;
        b->text_cap = cap;
    }
    if (n) memcpy(b->t->text + b->text_len, s, n);
    b->text_len += (uint32_t)n;
    return 1;
}

static ft_tpl_part *b_part(builder *b) {
    ft_template *t = b->t;
    if (t->nparts == b->cap_parts) {
        uint32_t cap = b->cap_parts ? b->cap_parts * 2 : 8;
        ft_tpl_part *p = realloc(t->parts, cap * sizeof *p);
        if (!p) return NULL;
        t->parts = p;
        b->cap_parts = cap;
    }
    ft_tpl_part *p = &t->parts[t->nparts++];
    memset(p, 0, sizeof *p);
    return p;
}

/* Appends literal bytes, extending the previous literal part when possible. */
static int b_literal(builder *b, const char *s, size_t n, uint32_t src_byte, uint32_t src_u16) {
    ft_template *t = b->t;
    ft_tpl_part *last = t->nparts ? &t->parts[t->nparts - 1] : NULL;
    if (!last || last->kind != FT_TPL_LITERAL || last->off + last->len != b->text_len) {
        last = b_part(b);
        if (!last) return 0;
        last->kind = FT_TPL_LITERAL;
        last->off = b->text_len;
        last->src_byte = src_byte;
        last->src_u16 = src_u16;
    }
    if (!b_text(b, s, n)) return 0;
    last->len += (uint32_t)n;
    return 1;
}

/* UTF-16 units of a UTF-8 lead byte (0 for continuation bytes). */
static uint32_t u16_of(unsigned char c) {
    if ((c & 0xC0) == 0x80) return 0;
    return c >= 0xF0 ? 2 : 1;
}

static void locate(const char *s, size_t at, ft_template_error *err) {
    uint32_t u16 = 0, line = 1, col = 1;
    for (size_t i = 0; i < at; i++) {
        unsigned char c = (unsigned char)s[i];
        u16 += u16_of(c);
        if (c == '\n') {
            line++;
            col = 1;
        } else {
            col += u16_of(c);
        }
    }
    err->byte_offset = (uint32_t)at;
    err->u16_offset = u16;
    err->line = line;
    err->column = col;
}

static ft_status fail(const char *s, size_t at, ft_template_error *err, ft_status st, const char *what,
                      const char *code, size_t code_len) {
    if (!err) return st;
    locate(s, at, err);
    if (code)
        snprintf(err->detail, sizeof err->detail, "%s \"%.*s\" at line %u, column %u", what,
                 (int)(code_len > 48 ? 48 : code_len), code, (unsigned)err->line, (unsigned)err->column);
    else
        snprintf(err->detail, sizeof err->detail, "%s at line %u, column %u", what, (unsigned)err->line,
                 (unsigned)err->column);
    return st;
}

static int is_space(char c) { return c == ' ' || c == '\t'; }

ft_status ft_template_parse(const char *s, size_t len, ft_template **out, ft_template_error *err) {
    if (!out || (!s && len)) return FT_E_INVALID_ARG;
    *out = NULL;
    if (err) memset(err, 0, sizeof *err);
    if (len > FT_TEMPLATE_MAX_BYTES) {
        if (err) snprintf(err->detail, sizeof err->detail, "the template has %zu bytes; the limit is %u", len,
                          FT_TEMPLATE_MAX_BYTES);
        return FT_E_TPL_TOO_LARGE;
    }
    size_t bad = ft_utf8_bad_offset(s, len);
    if (bad < len) return fail(s, bad, err, FT_E_UTF8, "invalid UTF-8", NULL, 0);
    size_t k = 0;
    while (k < len && (s[k] == ' ' || s[k] == '\t' || s[k] == '\n' || s[k] == '\r')) k++;
    if (k == len) {
        if (err) snprintf(err->detail, sizeof err->detail, "the template is empty");
        return FT_E_TPL_EMPTY;
    }

    builder b = {0};
    b.t = calloc(1, sizeof *b.t);
    if (!b.t) return FT_E_NOMEM;
    ft_status st = FT_OK;
    uint32_t u16 = 0, nfields = 0;
    size_t i = 0;
    while (i < len) {
        char c = s[i];
        if (c == '\\' && i + 1 < len && (s[i + 1] == '{' || s[i + 1] == '}' || s[i + 1] == '\\')) {
            if (!b_literal(&b, s + i + 1, 1, (uint32_t)i, u16)) goto nomem;
            i += 2;
            u16 += 2;
            continue;
        }
        if (c == '}' && i + 1 < len && s[i + 1] == '}') {
            st = fail(s, i, err, FT_E_TPL_UNOPENED, "\"}}\" without an opening \"{{\"", NULL, 0);
            goto done;
        }
        if (c == '{' && i + 1 < len && s[i + 1] == '{') {
            /* find the closing "}}" on the same line, before any other "{{" */
            size_t j = i + 2, close = 0;
            int found = 0;
            while (j < len && s[j] != '\n') {
                if (s[j] == '}' && j + 1 < len && s[j + 1] == '}') {
                    close = j;
                    found = 1;
                    break;
                }
                if (s[j] == '{' && j + 1 < len && s[j + 1] == '{') break;
                j++;
            }
            if (!found) {
                st = fail(s, i, err, FT_E_TPL_UNCLOSED, "\"{{\" is not closed by \"}}\"", NULL, 0);
                goto done;
            }
            const char *inner = s + i + 2;
            size_t ilen = close - (i + 2);
            if (ilen > FT_TEMPLATE_MAX_CODE_BYTES) {
                st = fail(s, i, err, FT_E_TPL_EMPTY_CODE, "field code too long", NULL, 0);
                goto done;
            }
            const char *bar = memchr(inner, '|', ilen);
            size_t clen = bar ? (size_t)(bar - inner) : ilen;
            const char *code = inner;
            while (clen && is_space(*code)) { code++; clen--; }
            while (clen && is_space(code[clen - 1])) clen--;
            if (clen == 0) {
                st = fail(s, i, err, FT_E_TPL_EMPTY_CODE, "empty field code", NULL, 0);
                goto done;
            }
            ft_field_id id;
            if (ft_template_field_lookup(code, clen, &id) != FT_OK) {
                st = fail(s, i, err, FT_E_TPL_UNKNOWN_FIELD, "unknown field code", code, clen);
                goto done;
            }
            if (++nfields > FT_TEMPLATE_MAX_FIELDS) {
                st = fail(s, i, err, FT_E_TPL_TOO_MANY_FIELDS, "too many field codes (the limit is 64)", NULL, 0);
                goto done;
            }
            ft_tpl_part *p = b_part(&b);
            if (!p) goto nomem;
            p->kind = FT_TPL_FIELD;
            p->field = id;
            p->src_byte = (uint32_t)i;
            p->src_u16 = u16;
            p->off = b.text_len;
            if (bar) {
                p->has_fallback = 1;
                const char *fb = bar + 1;
                size_t fl = ilen - (size_t)(fb - inner);
                while (fl && is_space(*fb)) { fb++; fl--; }
                while (fl && is_space(fb[fl - 1])) fl--;
                if (!b_text(&b, fb, fl)) goto nomem;
                p = &b.t->parts[b.t->nparts - 1];
                p->len = (uint32_t)fl;
            }
            b.t->used_mask |= 1u << id;
            for (size_t q = i; q < close + 2; q++) u16 += u16_of((unsigned char)s[q]);
            i = close + 2;
            p->src_end_byte = (uint32_t)i;
            p->src_end_u16 = u16;
            continue;
        }
        if (!b_literal(&b, s + i, 1, (uint32_t)i, u16)) goto nomem;
        u16 += u16_of((unsigned char)c);
        i++;
    }
    /* literal parts: where each ends in the source */
    for (uint32_t p = 0; p < b.t->nparts; p++) {
        ft_tpl_part *pt = &b.t->parts[p];
        if (pt->kind != FT_TPL_LITERAL) continue;
        if (p + 1 < b.t->nparts) {
            pt->src_end_byte = b.t->parts[p + 1].src_byte;
            pt->src_end_u16 = b.t->parts[p + 1].src_u16;
        } else {
            pt->src_end_byte = (uint32_t)len;
            pt->src_end_u16 = u16;
        }
        if (ft_template_has_opt_out(b.t->text + pt->off, pt->len)) b.t->has_opt_out = 1;
    }
    *out = b.t;
    return FT_OK;
nomem:
    st = FT_E_NOMEM;
done:
    ft_template_free(b.t);
    return st;
}

void ft_template_free(ft_template *t) {
    if (!t) return;
    free(t->parts);
    free(t->text);
    free(t);
}

/* ---- detection ------------------------------------------------------------------------------- */

static int word_char(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

/* 1 when needle (ASCII) occurs at s[i] as a whole word; case-insensitive unless exact. */
static int word_at(const char *s, size_t len, size_t i, const char *needle, int exact) {
    size_t n = strlen(needle);
    if (i + n > len) return 0;
    for (size_t k = 0; k < n; k++) {
        int a = (unsigned char)s[i + k], b = (unsigned char)needle[k];
        if (exact ? a != b : lower(a) != lower(b)) return 0;
    }
    if (i > 0 && word_char((unsigned char)s[i - 1])) return 0;
    if (i + n < len && word_char((unsigned char)s[i + n])) return 0;
    return 1;
}

int ft_template_has_opt_out(const char *s, size_t len) {
    if (!s) return 0;
    for (size_t i = 0; i < len; i++) {
        if (word_at(s, len, i, "STOP", 1) || word_at(s, len, i, "unsubscribe", 0) ||
            word_at(s, len, i, "opt out", 0) || word_at(s, len, i, "opt-out", 0))
            return 1;
    }
    return 0;
}

int ft_template_find_link(const char *s, size_t len) {
    static const char *tlds[] = {"com", "net", "org", "io", "co", "us", "ca", "ly", "info", "biz", "me", "app", "link"};
    if (!s) return 0;
    for (size_t i = 0; i < len; i++) {
        if (word_at(s, len, i, "http", 0) && i + 7 <= len && (memcmp(s + i + 4, "://", 3) == 0)) return 1;
        if (i + 8 <= len && word_at(s, len, i, "https", 0) && memcmp(s + i + 5, "://", 3) == 0) return 1;
        if (word_at(s, len, i, "www", 0) && i + 3 < len && s[i + 3] == '.') return 1;
        /* "name.tld" where name is alphanumeric and tld is known, followed by a non-letter */
        if (s[i] == '.' && i > 0 && word_char((unsigned char)s[i - 1]) && (unsigned char)s[i - 1] < 0x80) {
            for (size_t t = 0; t < sizeof tlds / sizeof tlds[0]; t++) {
                size_t n = strlen(tlds[t]);
                if (i + 1 + n > len) continue;
                int ok = 1;
                for (size_t k = 0; k < n && ok; k++) ok = lower((unsigned char)s[i + 1 + k]) == tlds[t][k];
                if (ok && (i + 1 + n == len || !word_char((unsigned char)s[i + 1 + n]))) return 1;
            }
        }
    }
    return 0;
}

int ft_template_find_phone(const char *s, size_t len) {
    if (!s) return 0;
    size_t i = 0;
    while (i < len) {
        if (s[i] < '0' || s[i] > '9') {
            i++;
            continue;
        }
        /* a run of digits and separators */
        unsigned digits = 0;
        size_t j = i;
        while (j < len) {
            char c = s[j];
            if (c >= '0' && c <= '9') digits++;
            else if (!(c == ' ' || c == '-' || c == '.' || c == '(' || c == ')')) break;
            j++;
        }
        if (digits == 10 || digits == 11) return 1;
        i = j;
    }
    /* "(555) 234-5678" starts with "(": covered, the run starts at the first digit */
    return 0;
}

/* ---- rendering -------------------------------------------------------------------------------- */

typedef struct {
    char *p;
    size_t len, cap;
} dbuf;

static int d_add(dbuf *d, const char *s, size_t n) {
    if (d->len + n + 1 > d->cap) {
        size_t cap = d->cap ? d->cap : 256;
        while (cap < d->len + n + 1) cap *= 2;
        char *p = realloc(d->p, cap);
        if (!p) return 0;
        d->p = p;
        d->cap = cap;
    }
    if (n) memcpy(d->p + d->len, s, n);
    d->len += n;
    d->p[d->len] = '\0';
    return 1;
}

/* The value with blanks trimmed; NULL when absent or blank. */
static const char *trimmed(const ft_template_values *v, unsigned id, size_t *n) {
    if (!v || !v->value[id]) return NULL;
    const char *s = v->value[id];
    size_t l = v->len[id];
    while (l && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')) { s++; l--; }
    while (l && (s[l - 1] == ' ' || s[l - 1] == '\t' || s[l - 1] == '\n' || s[l - 1] == '\r')) l--;
    if (!l) return NULL;
    *n = l;
    return s;
}

ft_status ft_template_render(const ft_template *t, const ft_template_values *v, unsigned flags,
                             ft_template_output *out) {
    if (!t || !out) return FT_E_INVALID_ARG;
    memset(out, 0, sizeof *out);
    dbuf d = {0};
    if (!d_add(&d, "", 0)) return FT_E_NOMEM;
    for (uint32_t i = 0; i < t->nparts; i++) {
        const ft_tpl_part *p = &t->parts[i];
        if (p->kind == FT_TPL_LITERAL) {
            if (!d_add(&d, t->text + p->off, p->len)) goto nomem;
            continue;
        }
        size_t n = 0;
        const char *val = trimmed(v, (unsigned)p->field, &n);
        if (val) {
            if (!d_add(&d, val, n)) goto nomem;
            continue;
        }
        if (p->field == FT_FIELD_CUSTOMER_FULL) {
            size_t fn = 0, ln = 0;
            const char *f = trimmed(v, FT_FIELD_CUSTOMER_FIRST, &fn), *l = trimmed(v, FT_FIELD_CUSTOMER_LAST, &ln);
            if (f || l) {
                if ((f && !d_add(&d, f, fn)) || (f && l && !d_add(&d, " ", 1)) || (l && !d_add(&d, l, ln))) goto nomem;
                continue;
            }
        }
        if (p->has_fallback) {
            if (!d_add(&d, t->text + p->off, p->len)) goto nomem;
            continue;
        }
        out->missing_mask |= 1u << p->field;
        if (!d_add(&d, "{{", 2) || !d_add(&d, fields[p->field].code, strlen(fields[p->field].code)) || !d_add(&d, "}}", 2))
            goto nomem;
    }
    if (!(flags & FT_TPL_NO_OPT_OUT) && !t->has_opt_out) {
        while (d.len && (d.p[d.len - 1] == ' ' || d.p[d.len - 1] == '\t' || d.p[d.len - 1] == '\n' || d.p[d.len - 1] == '\r'))
            d.p[--d.len] = '\0';
        if ((d.len && !d_add(&d, " ", 1)) || !d_add(&d, FT_TEMPLATE_OPT_OUT, strlen(FT_TEMPLATE_OPT_OUT))) goto nomem;
        out->opt_out_added = 1;
    }
    out->text = d.p;
    out->len = d.len;
    return out->missing_mask ? FT_E_TPL_MISSING_VALUE : FT_OK;
nomem:
    free(d.p);
    return FT_E_NOMEM;
}

/* ---- JSON ------------------------------------------------------------------------------------- */

typedef struct {
    unsigned seg_flags;
    uint32_t bundle;
    ft_pricing pricing;
    int opt_out;
    int links_ok, phone_ok; /* what the campaign declared */
} tpl_opts;

/* Reads record values: nested or flat. Integer numbers are formatted; bools/arrays refused. */
static ft_status read_record(const cJSON *rec, ft_template_values *v, char nums[FT_FIELD_COUNT][24], const char **why) {
    memset(v, 0, sizeof *v);
    if (!cJSON_IsObject(rec)) {
        *why = "\"record\" must be a JSON object";
        return FT_E_TPL_RECORD;
    }
    /* depth check: objects within objects */
    const cJSON *stack[FT_TEMPLATE_MAX_DEPTH + 1];
    const cJSON *cur = rec->child;
    unsigned depth = 1;
    stack[0] = rec;
    while (depth > 0) {
        if (!cur) {
            cur = stack[--depth];
            if (depth == 0) break;
            cur = cur->next;
            continue;
        }
        if (cJSON_IsArray(cur) || cJSON_IsObject(cur)) {
            if (depth >= FT_TEMPLATE_MAX_DEPTH) {
                *why = "the record is nested too deeply (the limit is 4 levels)";
                return FT_E_TPL_RECORD;
            }
            stack[depth++] = cur;
            cur = cur->child;
            continue;
        }
        cur = cur->next;
    }
    for (int i = 0; i < FT_FIELD_COUNT; i++) {
        const char *code = fields[i].code, *dot = strchr(code, '.');
        const cJSON *val = cJSON_GetObjectItemCaseSensitive(rec, code);
        if (!val) {
            char group[32];
            size_t gl = (size_t)(dot - code);
            memcpy(group, code, gl);
            group[gl] = '\0';
            const cJSON *g = cJSON_GetObjectItemCaseSensitive(rec, group);
            if (g && cJSON_IsObject(g)) val = cJSON_GetObjectItemCaseSensitive(g, dot + 1);
        }
        if (!val || cJSON_IsNull(val)) continue;
        if (cJSON_IsString(val)) {
            size_t n = strlen(val->valuestring);
            if (n > FT_TEMPLATE_VALUE_MAX_BYTES) {
                *why = "a record value is longer than 1,024 bytes";
                return FT_E_TPL_RECORD;
            }
            v->value[i] = val->valuestring;
            v->len[i] = n;
        } else if (cJSON_IsNumber(val) && val->valuedouble == (double)(long long)val->valuedouble &&
                   val->valuedouble > -1e15 && val->valuedouble < 1e15) {
            snprintf(nums[i], 24, "%lld", (long long)val->valuedouble);
            v->value[i] = nums[i];
            v->len[i] = strlen(nums[i]);
        } else {
            *why = "record values must be text (or whole numbers)";
            return FT_E_TPL_RECORD;
        }
    }
    return FT_OK;
}

static ft_status read_opts(const cJSON *j, tpl_opts *o, const char **why) {
    o->seg_flags = 0;
    o->bundle = 2500;
    ft_pricing_default(&o->pricing);
    o->opt_out = 1;
    o->links_ok = 0;
    o->phone_ok = 0;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "smart");
    if (v) {
        if (!cJSON_IsBool(v)) { *why = "\"smart\" must be true or false"; return FT_E_JSON_SHAPE; }
        if (cJSON_IsTrue(v)) o->seg_flags |= FT_SEG_SMART;
    }
    v = cJSON_GetObjectItemCaseSensitive(j, "opt_out");
    if (v) {
        if (!cJSON_IsBool(v)) { *why = "\"opt_out\" must be true or false"; return FT_E_JSON_SHAPE; }
        o->opt_out = cJSON_IsTrue(v);
    }
    v = cJSON_GetObjectItemCaseSensitive(j, "bundle");
    if (v) {
        int64_t r;
        if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 4e9) { *why = "\"bundle\" must be a bundle size"; return FT_E_JSON_SHAPE; }
        o->bundle = (uint32_t)v->valuedouble;
        ft_status st = ft_cost_rate(&o->pricing, o->bundle, &r);
        if (st != FT_OK) return st;
    }
    v = cJSON_GetObjectItemCaseSensitive(j, "campaign");
    if (v) {
        if (!cJSON_IsObject(v)) { *why = "\"campaign\" must be an object"; return FT_E_JSON_SHAPE; }
        const cJSON *l = cJSON_GetObjectItemCaseSensitive(v, "has_embedded_links");
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(v, "has_embedded_phone");
        if ((l && !cJSON_IsBool(l)) || (p && !cJSON_IsBool(p))) {
            *why = "campaign flags must be true or false";
            return FT_E_JSON_SHAPE;
        }
        o->links_ok = l && cJSON_IsTrue(l);
        o->phone_ok = p && cJSON_IsTrue(p);
    }
    return FT_OK;
}

/* Adds {"encoding","segments","characters","micros","display","bundle"} for a text. 0 on NOMEM,
 * -1 when the text cannot be counted (too large; cannot happen below the template limits). */
static int add_cost(cJSON *parent, const char *name, const char *text, size_t len, const tpl_opts *o,
                    ft_segment_count *c_out) {
    ft_segment_count c;
    if (ft_segment_count_text(text, len, o->seg_flags, &c, NULL) != FT_OK) return -1;
    if (c_out) *c_out = c;
    int64_t micros = 0;
    ft_cost_message(&o->pricing, o->bundle, c.segments, &micros);
    char disp[32];
    ft_money_format(micros, disp, sizeof disp);
    cJSON *x = cJSON_AddObjectToObject(parent, name);
    return x && cJSON_AddStringToObject(x, "encoding", ft_encoding_name(c.encoding)) &&
           cJSON_AddNumberToObject(x, "segments", c.segments) && cJSON_AddNumberToObject(x, "characters", c.characters) &&
           ft_json_add_int(x, "micros", micros) && cJSON_AddStringToObject(x, "display", disp) &&
           cJSON_AddNumberToObject(x, "bundle", o->bundle);
}

static int add_warning(cJSON *arr, const char *type, const char *field, const char *msg) {
    cJSON *w = cJSON_CreateObject();
    if (!w) return 0;
    cJSON_AddItemToArray(arr, w);
    return cJSON_AddStringToObject(w, "type", type) && (!field || cJSON_AddStringToObject(w, "field", field)) &&
           cJSON_AddStringToObject(w, "message", msg);
}

/* Fills values with synthetic worst-case text: max_chars of "x" (GSM) or of "Ж" (UCS-2, free-text
 * fields only). buf must hold 2 * 128 bytes. */
static void worst_values(ft_template_values *v, const char *xs, const char *zhe, int unicode) {
    for (int i = 0; i < FT_FIELD_COUNT; i++) {
        if (unicode && fields[i].free_text) {
            v->value[i] = zhe;
            v->len[i] = 2u * fields[i].max_chars;
        } else {
            v->value[i] = xs;
            v->len[i] = fields[i].max_chars;
        }
    }
}

/* The worst case of one variant; a fallback longer than the field's maximum counts as written. */
static int add_worst(cJSON *o, const char *name, const ft_template *t, const tpl_opts *op, int unicode, ft_segment_count *c) {
    char xs[128], zhe[256];
    memset(xs, 'x', sizeof xs);
    for (size_t i = 0; i < sizeof zhe; i += 2) {
        zhe[i] = (char)0xD0;
        zhe[i + 1] = (char)0x96;
    }
    ft_template_values v;
    worst_values(&v, xs, zhe, unicode);
    ft_template_output r;
    ft_status st = ft_template_render(t, &v, op->opt_out ? 0 : FT_TPL_NO_OPT_OUT, &r);
    if (st == FT_E_NOMEM) return 0;
    int ok = add_cost(o, name, r.text, r.len, op, c);
    free(r.text);
    if (ok <= 0) return ok == 0 ? 0 : 1;
    cJSON *w = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_AddStringToObject(w, "assumes", unicode ? "every field at its maximum length; names and other typed text "
                                                           "holding non-GSM letters (UCS-2)"
                                                         : "every field at its maximum length in GSM-7 characters") != NULL;
}

static int build_reply(cJSON *o, const ft_template *t, const cJSON *record, const tpl_opts *op, ft_status *verdict) {
    *verdict = FT_OK;
    cJSON *fl = cJSON_AddArrayToObject(o, "fields");
    if (!fl) return 0;
    for (uint32_t i = 0; i < t->nparts; i++) {
        const ft_tpl_part *p = &t->parts[i];
        if (p->kind != FT_TPL_FIELD) continue;
        cJSON *f = cJSON_CreateObject();
        if (!f) return 0;
        cJSON_AddItemToArray(fl, f);
        if (!cJSON_AddStringToObject(f, "code", fields[p->field].code) || !cJSON_AddStringToObject(f, "label", fields[p->field].label) ||
            !cJSON_AddNumberToObject(f, "start", p->src_u16) || !cJSON_AddNumberToObject(f, "end", p->src_end_u16) ||
            !cJSON_AddNumberToObject(f, "max_chars", fields[p->field].max_chars) ||
            !cJSON_AddBoolToObject(f, "has_fallback", p->has_fallback))
            return 0;
    }
    cJSON *warn = cJSON_AddArrayToObject(o, "warnings");
    if (!warn) return 0;

    /* the template's own text: its encoding, links and phone numbers */
    ft_segment_count wc, wu, lit;
    int uses_free_text = 0;
    for (int i = 0; i < FT_FIELD_COUNT; i++)
        if ((t->used_mask & (1u << i)) && fields[i].free_text) uses_free_text = 1;
    if (!add_worst(o, "worst_case", t, op, 0, &wc)) return 0;
    if (uses_free_text) {
        if (!add_worst(o, "worst_case_unicode", t, op, 1, &wu)) return 0;
    } else if (!cJSON_AddNullToObject(o, "worst_case_unicode")) {
        return 0;
    }
    lit = wc;
    if (lit.encoding == FT_ENCODING_UCS2 &&
        !add_warning(warn, "template_ucs2", NULL, "the template's own text has characters outside GSM-7, so every message is sent as UCS-2 (70 characters a segment)"))
        return 0;
    if (wc.characters > FT_MSG_MAX_CHARS &&
        !add_warning(warn, "over_1600", NULL, "with every field at its maximum length the message would exceed 1,600 characters"))
        return 0;

    dbuf lits = {0};
    for (uint32_t i = 0; i < t->nparts; i++)
        if (t->parts[i].kind == FT_TPL_LITERAL && !d_add(&lits, t->text + t->parts[i].off, t->parts[i].len)) {
            free(lits.p);
            return 0;
        } else if (t->parts[i].kind == FT_TPL_LITERAL && !d_add(&lits, "\n", 1)) {
            free(lits.p);
            return 0;
        }
    int link = ft_template_find_link(lits.p, lits.len);
    int phone = ft_template_find_phone(lits.p, lits.len) || (t->used_mask & (1u << FT_FIELD_COMPANY_PHONE));
    free(lits.p);

    ft_template_values v;
    char nums[FT_FIELD_COUNT][24];
    const char *why = NULL;
    ft_template_output r = {0};
    if (record) {
        ft_status st = read_record(record, &v, nums, &why);
        if (st != FT_OK) {
            *verdict = st;
            return ft_json_set_error(o, st, why);
        }
        st = ft_template_render(t, &v, op->opt_out ? 0 : FT_TPL_NO_OPT_OUT, &r);
        if (st == FT_E_NOMEM) return 0;
        *verdict = st;
        int ok = cJSON_AddStringToObject(o, "text", r.text) && cJSON_AddBoolToObject(o, "opt_out_added", r.opt_out_added);
        ft_segment_count rc;
        int cr = ok ? add_cost(o, "cost", r.text, r.len, op, &rc) : 0;
        if (!ok || cr == 0) goto nomem;
        if (ft_template_find_link(r.text, r.len)) link = 1;
        if (ft_template_find_phone(r.text, r.len)) phone = 1;
        cJSON *miss = cJSON_AddArrayToObject(o, "missing");
        if (!miss) goto nomem;
        for (int i = 0; i < FT_FIELD_COUNT; i++) {
            size_t n = 0;
            const char *val = trimmed(&v, (unsigned)i, &n);
            if (r.missing_mask & (1u << i)) {
                char msg[160];
                snprintf(msg, sizeof msg, "the record has no %s (%s): add it or give the field a fallback like {{%s|...}}",
                         fields[i].label, fields[i].code, fields[i].code);
                cJSON *m = cJSON_CreateObject();
                if (!m) goto nomem;
                cJSON_AddItemToArray(miss, m);
                if (!cJSON_AddStringToObject(m, "code", fields[i].code) || !cJSON_AddStringToObject(m, "label", fields[i].label) ||
                    !cJSON_AddStringToObject(m, "message", msg))
                    goto nomem;
                continue;
            }
            if (!val || !(t->used_mask & (1u << i))) continue;
            ft_segment_count vc;
            if (ft_segment_count_text(val, n, op->seg_flags, &vc, NULL) != FT_OK) continue;
            char msg[200];
            if (vc.characters > fields[i].max_chars) {
                snprintf(msg, sizeof msg, "%s has %u characters, more than the %u the worst-case cost assumes",
                         fields[i].label, (unsigned)vc.characters, (unsigned)fields[i].max_chars);
                if (!add_warning(warn, "value_too_long", fields[i].code, msg)) goto nomem;
            }
            if (vc.encoding == FT_ENCODING_UCS2 && lit.encoding == FT_ENCODING_GSM7 && rc.encoding == FT_ENCODING_UCS2) {
                snprintf(msg, sizeof msg, "%s has characters outside GSM-7, so this message goes as UCS-2 (%u segments)",
                         fields[i].label, (unsigned)rc.segments);
                if (!add_warning(warn, "field_forces_ucs2", fields[i].code, msg)) goto nomem;
            }
        }
        if (rc.characters > FT_MSG_MAX_CHARS && *verdict == FT_OK) *verdict = FT_E_MSG_TOO_LONG;
    } else if (!cJSON_AddNullToObject(o, "text")) {
        return 0;
    }
    if (link && !op->links_ok &&
        !add_warning(warn, "embedded_link", NULL, "the message contains a link, but the campaign was registered without embedded links (HasEmbeddedLinks false)"))
        goto nomem;
    if (phone && !op->phone_ok &&
        !add_warning(warn, "embedded_phone", NULL, "the message contains a phone number, but the campaign was registered without embedded phone numbers (HasEmbeddedPhone false)"))
        goto nomem;
    free(r.text);
    if (*verdict == FT_E_TPL_MISSING_VALUE) {
        char msg[96];
        int n = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(o, "missing"));
        snprintf(msg, sizeof msg, "the record has no value for %d field%s the template uses", n, n == 1 ? "" : "s");
        return ft_json_set_error(o, *verdict, msg);
    }
    if (*verdict != FT_OK) return ft_json_set_error(o, *verdict, NULL);
    return 1;
nomem:
    free(r.text);
    return 0;
}

ft_status ft_template_render_json(const char *json, size_t len, char **out) {
    if (!out || (!json && len)) return FT_E_INVALID_ARG;
    *out = NULL;
    ft_status st = FT_OK;
    cJSON *j = ft_json_parse(json, len, &st);
    if (!j) {
        *out = ft_json_error_reply(st, st == FT_E_JSON ? "the input is not valid JSON" : NULL);
        return *out ? st : FT_E_NOMEM;
    }
    const char *why = NULL;
    const cJSON *src = cJSON_IsObject(j) ? cJSON_GetObjectItemCaseSensitive(j, "template") : NULL;
    const cJSON *rec = cJSON_IsObject(j) ? cJSON_GetObjectItemCaseSensitive(j, "record") : NULL;
    if (rec && cJSON_IsNull(rec)) rec = NULL;
    tpl_opts op;
    if (!cJSON_IsString(src)) {
        st = FT_E_JSON_SHAPE;
        why = "the input must be an object with \"template\": a string";
    } else {
        st = read_opts(j, &op, &why);
    }
    if (st != FT_OK) {
        cJSON_Delete(j);
        *out = ft_json_error_reply(st, why);
        return *out ? st : FT_E_NOMEM;
    }
    ft_template *t = NULL;
    ft_template_error err;
    st = ft_template_parse(src->valuestring, strlen(src->valuestring), &t, &err);
    cJSON *o = cJSON_CreateObject();
    int ok = o != NULL;
    if (ok && st == FT_E_NOMEM) ok = 0;
    else if (ok && st != FT_OK) {
        ok = ft_json_set_error(o, st, err.detail[0] ? err.detail : NULL);
        if (ok && st != FT_E_TPL_TOO_LARGE && st != FT_E_TPL_EMPTY) {
            cJSON *e = cJSON_GetObjectItemCaseSensitive(o, "error");
            ok = cJSON_AddNumberToObject(e, "byte_offset", err.byte_offset) && cJSON_AddNumberToObject(e, "offset", err.u16_offset) &&
                 cJSON_AddNumberToObject(e, "line", err.line) && cJSON_AddNumberToObject(e, "column", err.column);
        }
    } else if (ok) {
        ok = cJSON_AddTrueToObject(o, "ok") && build_reply(o, t, rec, &op, &st);
    }
    ft_template_free(t);
    cJSON_Delete(j);
    if (!ok) {
        cJSON_Delete(o);
        return FT_E_NOMEM;
    }
    *out = ft_json_finish(o);
    return *out ? st : FT_E_NOMEM;
}

char *ft_template_fields_json(void) {
    cJSON *o = cJSON_CreateObject();
    cJSON *arr = o && cJSON_AddTrueToObject(o, "ok") && cJSON_AddStringToObject(o, "syntax", "{{group.name}} or {{group.name|fallback}}; \\{ and \\} for literal braces")
                     ? cJSON_AddArrayToObject(o, "fields")
                     : NULL;
    if (!arr || !cJSON_AddStringToObject(o, "opt_out", FT_TEMPLATE_OPT_OUT)) goto fail;
    for (int i = 0; i < FT_FIELD_COUNT; i++) {
        cJSON *f = cJSON_CreateObject();
        if (!f) goto fail;
        cJSON_AddItemToArray(arr, f);
        if (!cJSON_AddStringToObject(f, "code", fields[i].code) || !cJSON_AddStringToObject(f, "label", fields[i].label) ||
            !cJSON_AddNumberToObject(f, "max_chars", fields[i].max_chars) || !cJSON_AddBoolToObject(f, "free_text", fields[i].free_text) ||
            !cJSON_AddStringToObject(f, "example", fields[i].example))
            goto fail;
    }
    return ft_json_finish(o);
fail:
    cJSON_Delete(o);
    return NULL;
}
