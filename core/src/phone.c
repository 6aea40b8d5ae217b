/* fieldtext core: NANP phone numbers (phone.h). */
#include "fieldtext/phone.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cJSON.h"
#include "fieldtext/json.h"
#include "json_util.h"
#include "utf8proc.h"

#define MAX_DIGITS 20u /* more are counted, not kept */

/* Canadian area codes (CNAC: assigned, including overlays announced to 2025, and the Canadian
 * non-geographic 600 and 622). Sorted for bsearch-like lookup; kept as strings for reading. */
static const char *const canadian_npas[] = {
    "204", "226", "236", "249", "250", "257", "263", "289", "306", "343", "354", "365", "367", "368",
    "382", "387", "403", "416", "418", "428", "431", "437", "438", "450", "460", "468", "474", "506",
    "514", "519", "537", "548", "579", "581", "584", "587", "600", "604", "613", "622", "639", "647",
    "672", "683", "705", "709", "742", "753", "778", "780", "782", "807", "819", "825", "867", "873",
    "879", "902", "905", "942",
};

/* NANP members other than the US and Canada (US territories count as the US). */
static const struct {
    char npa[4];
    char country[3];
} other_nanp[] = {
    {"242", "BS"}, {"246", "BB"}, {"264", "AI"}, {"268", "AG"}, {"284", "VG"}, {"345", "KY"},
    {"441", "BM"}, {"473", "GD"}, {"649", "TC"}, {"658", "JM"}, {"664", "MS"}, {"721", "SX"},
    {"758", "LC"}, {"767", "DM"}, {"784", "VC"}, {"809", "DO"}, {"829", "DO"}, {"849", "DO"},
    {"868", "TT"}, {"869", "KN"}, {"876", "JM"},
};

static const char *const toll_free_npas[] = {"800", "833", "844", "855", "866", "877", "888"};
static const char *const non_geographic_npas[] = {"500", "521", "522", "523", "524", "525", "526", "527",
                                                  "528", "529", "533", "544", "566", "577", "588", "600",
                                                  "622", "700", "710"};

static int in_list(const char *npa, const char *const *list, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (memcmp(npa, list[i], 3) == 0) return 1;
    return 0;
}

int ft_phone_is_canadian_npa(const char *npa) {
    if (!npa || strlen(npa) != 3) return 0;
    return in_list(npa, canadian_npas, sizeof canadian_npas / sizeof canadian_npas[0]);
}

/* What a code point is to a phone number. */
typedef enum { CP_SEPARATOR, CP_DIGIT, CP_PLUS, CP_EXT_MARK, CP_LETTER, CP_OTHER } cp_class;

static cp_class classify(int32_t cp, int *digit) {
    if (cp >= '0' && cp <= '9') { *digit = cp - '0'; return CP_DIGIT; }
    if (cp >= 0xFF10 && cp <= 0xFF19) { *digit = cp - 0xFF10; return CP_DIGIT; } /* fullwidth */
    switch (cp) {
    case ' ': case '\t': case '-': case '.': case '(': case ')': case '/':
    case 0x00A0: case 0x2007: case 0x202F: case 0x205F: case 0x3000: /* no-break and wide spaces */
    case 0x200B: case 0x200C: case 0x200D: case 0x2060: case 0xFEFF: /* zero-width */
    case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014: case 0x2015: case 0x2212:
    case 0xFE58: case 0xFE63: case 0xFF0D: case 0xFF08: case 0xFF09: case 0xFF0E: case 0xFF0F:
        return CP_SEPARATOR;
    case '+': case 0xFF0B: return CP_PLUS;
    case '#': case ',': case ';': case 0xFF03: return CP_EXT_MARK; /* extension, dial pause/wait */
    default: break;
    }
    if (cp >= 0x2000 && cp <= 0x200A) return CP_SEPARATOR;
    utf8proc_category_t c = utf8proc_category(cp);
    if (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO) return CP_LETTER;
    return CP_OTHER;
}

/* Lower-case ASCII word starting at s (letters only); returns its length in bytes. */
static size_t ascii_word(const char *s, size_t n, char *w, size_t cap) {
    size_t k = 0, i = 0;
    for (; i < n; i++) {
        char ch = s[i];
        if (ch >= 'A' && ch <= 'Z') ch = (char)(ch - 'A' + 'a');
        if (ch < 'a' || ch > 'z') break;
        if (k + 1 < cap) w[k++] = ch;
    }
    w[k] = '\0';
    return i;
}

static int is_extension_word(const char *w) {
    return strcmp(w, "x") == 0 || strcmp(w, "ex") == 0 || strcmp(w, "ext") == 0 || strcmp(w, "extn") == 0 ||
           strcmp(w, "extension") == 0 || strcmp(w, "poste") == 0 /* French (Quebec) */;
}

/* The normaliser; why (cap bytes) receives the precise reason on failure. */
static ft_status normalize(const char *utf8, size_t len, ft_phone *out, size_t *err_offset, char *why, size_t cap) {
    why[0] = '\0';
    if (err_offset) *err_offset = 0;
    if (!out || (!utf8 && len)) return FT_E_INVALID_ARG;
    memset(out, 0, sizeof *out);
    if (len > FT_PHONE_INPUT_MAX_BYTES) {
        snprintf(why, cap, "a phone number is at most %u bytes of text", FT_PHONE_INPUT_MAX_BYTES);
        return FT_E_TOO_LARGE;
    }
    char digits[MAX_DIGITS];
    size_t nd = 0, at = 0;
    int plus = 0;
    while (at < len) {
        int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)utf8 + at, (utf8proc_ssize_t)(len - at), &cp);
        if (k <= 0 || cp == 0) {
            if (err_offset) *err_offset = at;
            if (k <= 0) {
                snprintf(why, cap, "the text is not valid UTF-8 at byte %zu", at);
                return FT_E_UTF8;
            }
            snprintf(why, cap, "a NUL character at byte %zu", at);
            return FT_E_PHONE_LETTERS;
        }
        int d = 0;
        cp_class c = classify(cp, &d);
        if (c == CP_DIGIT) {
            if (nd < MAX_DIGITS) digits[nd] = (char)('0' + d);
            nd++;
        } else if (c == CP_PLUS) {
            if (plus || nd > 0) {
                if (err_offset) *err_offset = at;
                snprintf(why, cap, "a + may only come first (byte %zu)", at);
                return FT_E_PHONE_LETTERS;
            }
            plus = 1;
        } else if (c == CP_EXT_MARK) {
            if (err_offset) *err_offset = at;
            snprintf(why, cap, "'%c' starts an extension or a dialling pause (byte %zu): extensions cannot receive texts",
                     cp < 0x80 ? (char)cp : '#', at);
            return FT_E_PHONE_EXTENSION;
        } else if (c == CP_LETTER) {
            char w[16];
            ascii_word(utf8 + at, len - at, w, sizeof w);
            if (err_offset) *err_offset = at;
            if (nd > 0 && is_extension_word(w)) {
                snprintf(why, cap, "\"%s\" marks an extension (byte %zu): extensions cannot receive texts", w, at);
                return FT_E_PHONE_EXTENSION;
            }
            snprintf(why, cap, "letters are not allowed (byte %zu): type the number's digits", at);
            return FT_E_PHONE_LETTERS;
        } else if (c == CP_OTHER) {
            if (err_offset) *err_offset = at;
            snprintf(why, cap, "the character at byte %zu is not part of a phone number", at);
            return FT_E_PHONE_LETTERS;
        }
        at += (size_t)k;
    }
    if (nd == 0) return FT_E_PHONE_EMPTY;
    size_t first = 0;
    if (plus) {
        if (digits[0] != '1') {
            snprintf(why, cap, "+%c... is not a US or Canadian number: only +1 numbers can be texted", digits[0]);
            return FT_E_PHONE_COUNTRY;
        }
        if (nd != 11) {
            snprintf(why, cap, "+1 must be followed by 10 digits (found %zu)", nd - 1);
            return FT_E_PHONE_LENGTH;
        }
        first = 1;
    } else if (nd >= 3 && memcmp(digits, "011", 3) == 0) {
        snprintf(why, cap, "011 dials another country: only US and Canadian numbers can be texted");
        return FT_E_PHONE_COUNTRY;
    } else if (nd == 11 && digits[0] == '1') {
        first = 1;
    } else if (nd != 10) {
        snprintf(why, cap, "a US or Canadian number has 10 digits, or 11 starting with 1 (found %zu)", nd);
        return FT_E_PHONE_LENGTH;
    }
    const char *n = digits + first;
    memcpy(out->npa, n, 3);
    memcpy(out->nxx, n + 3, 3);
    memcpy(out->line, n + 6, 4);
    if (n[0] < '2') {
        snprintf(why, cap, "area code %s cannot start with %c", out->npa, n[0]);
        goto bad_npa;
    }
    if (n[1] == '1' && n[2] == '1') {
        snprintf(why, cap, "%s is a service code (like 411 and 911), not an area code", out->npa);
        goto bad_npa;
    }
    if (n[1] == '9' || (n[0] == '3' && n[1] == '7') || (n[0] == '9' && n[1] == '6')) {
        snprintf(why, cap, "area code %s is reserved and not in use", out->npa);
        goto bad_npa;
    }
    if (n[3] < '2') {
        snprintf(why, cap, "the exchange %s cannot start with %c", out->nxx, n[3]);
        goto bad_nxx;
    }
    if (n[4] == '1' && n[5] == '1') {
        snprintf(why, cap, "the exchange %s is a service code (N11)", out->nxx);
        goto bad_nxx;
    }
    snprintf(out->e164, sizeof out->e164, "+1%.10s", n);
    snprintf(out->national, sizeof out->national, "(%s) %s-%s", out->npa, out->nxx, out->line);
    if (memcmp(out->nxx, "555", 3) == 0 && memcmp(out->line, "01", 2) == 0) out->flags |= FT_PHONE_FICTIONAL;
    if (in_list(out->npa, toll_free_npas, sizeof toll_free_npas / sizeof toll_free_npas[0])) {
        out->kind = FT_PHONE_KIND_TOLL_FREE;
        out->flags |= FT_PHONE_TOLL_FREE;
    } else if (memcmp(out->npa, "900", 3) == 0) {
        out->kind = FT_PHONE_KIND_PREMIUM;
        out->flags |= FT_PHONE_PREMIUM;
    } else if (in_list(out->npa, non_geographic_npas, sizeof non_geographic_npas / sizeof non_geographic_npas[0])) {
        out->kind = FT_PHONE_KIND_NON_GEOGRAPHIC;
        out->flags |= FT_PHONE_NON_GEOGRAPHIC;
    } else if (ft_phone_is_canadian_npa(out->npa)) {
        memcpy(out->country, "CA", 3);
    } else {
        memcpy(out->country, "US", 3);
        for (size_t i = 0; i < sizeof other_nanp / sizeof other_nanp[0]; i++)
            if (memcmp(out->npa, other_nanp[i].npa, 3) == 0) memcpy(out->country, other_nanp[i].country, 3);
    }
    return FT_OK;
bad_npa:
    memset(out, 0, sizeof *out);
    return FT_E_PHONE_AREA_CODE;
bad_nxx:
    memset(out, 0, sizeof *out);
    return FT_E_PHONE_EXCHANGE;
}

ft_status ft_phone_normalize(const char *utf8, size_t len, ft_phone *out, size_t *err_offset) {
    char why[160];
    return normalize(utf8, len, out, err_offset, why, sizeof why);
}

static const char *kind_name(ft_phone_kind k) {
    switch (k) {
    case FT_PHONE_KIND_TOLL_FREE: return "toll_free";
    case FT_PHONE_KIND_PREMIUM: return "premium";
    case FT_PHONE_KIND_NON_GEOGRAPHIC: return "non_geographic";
    default: return "geographic";
    }
}

static int fill_valid(cJSON *o, const ft_phone *p) {
    if (!cJSON_AddTrueToObject(o, "ok") || !cJSON_AddTrueToObject(o, "valid") ||
        !cJSON_AddStringToObject(o, "e164", p->e164) || !cJSON_AddStringToObject(o, "national", p->national) ||
        !cJSON_AddStringToObject(o, "area_code", p->npa) || !cJSON_AddStringToObject(o, "exchange", p->nxx) ||
        !cJSON_AddStringToObject(o, "line", p->line) ||
        !(p->country[0] ? cJSON_AddStringToObject(o, "country", p->country) : cJSON_AddNullToObject(o, "country")) ||
        !cJSON_AddStringToObject(o, "kind", kind_name(p->kind)) ||
        !cJSON_AddBoolToObject(o, "toll_free", (p->flags & FT_PHONE_TOLL_FREE) != 0) ||
        !cJSON_AddBoolToObject(o, "fictional", (p->flags & FT_PHONE_FICTIONAL) != 0))
        return 0;
    cJSON *w = cJSON_AddArrayToObject(o, "warnings");
    if (!w) return 0;
    const char *msgs[4];
    size_t n = 0;
    if (p->flags & FT_PHONE_FICTIONAL) msgs[n++] = "555-0100 to 555-0199 are fictional numbers: no one will receive a text";
    if (p->flags & FT_PHONE_TOLL_FREE) msgs[n++] = "a toll-free number receives texts only if its owner enabled toll-free texting";
    if (p->flags & FT_PHONE_PREMIUM) msgs[n++] = "900 numbers are premium-rate lines, not mobile phones";
    if (p->flags & FT_PHONE_NON_GEOGRAPHIC) msgs[n++] = "a non-geographic (service) number, not a mobile phone";
    for (size_t i = 0; i < n; i++) {
        cJSON *s = cJSON_CreateString(msgs[i]);
        if (!s) return 0;
        cJSON_AddItemToArray(w, s);
    }
    if (p->country[0] && strcmp(p->country, "US") != 0 && strcmp(p->country, "CA") != 0) {
        cJSON *s = cJSON_CreateString("a number in another NANP country: international rates may apply");
        if (!s) return 0;
        cJSON_AddItemToArray(w, s);
    }
    return 1;
}

ft_status ft_phone_json(const char *utf8, size_t len, char **out) {
    if (!out || (!utf8 && len)) return FT_E_INVALID_ARG;
    *out = NULL;
    ft_phone p;
    size_t off = 0;
    char why[160];
    ft_status st = normalize(utf8, len, &p, &off, why, sizeof why);
    cJSON *o = cJSON_CreateObject();
    if (!o) return FT_E_NOMEM;
    int ok;
    if (st == FT_OK) {
        ok = fill_valid(o, &p);
    } else {
        ok = ft_json_set_error(o, st, why[0] ? why : NULL) && cJSON_AddFalseToObject(o, "valid");
        if (ok && (st == FT_E_UTF8 || st == FT_E_PHONE_LETTERS || st == FT_E_PHONE_EXTENSION))
            ok = cJSON_AddNumberToObject(cJSON_GetObjectItem(o, "error"), "byte_offset", (double)off) != NULL;
    }
    if (!ok) {
        cJSON_Delete(o);
        return FT_E_NOMEM;
    }
    *out = ft_json_finish(o);
    return *out ? st : FT_E_NOMEM;
}
