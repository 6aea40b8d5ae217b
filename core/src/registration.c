/* fieldtext core: business profile validation, campaign payload, policy page (registration.h). */
#include "fieldtext/registration.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldtext/json.h"
#include "json_util.h"

static const char *const business_types[] = {"Sole Proprietorship", "Partnership", "Limited Liability Corporation",
                                             "Co-operative", "Non-profit Corporation", "Corporation"};

static const char *const industries[] = {
    "AUTOMOTIVE", "AGRICULTURE", "BANKING", "CONSTRUCTION", "CONSUMER", "EDUCATION", "ENGINEERING", "ENERGY",
    "OIL_AND_GAS", "FAST_MOVING_CONSUMER_GOODS", "FINANCIAL", "FINTECH", "FOOD_AND_BEVERAGE", "GOVERNMENT",
    "HEALTHCARE", "HOSPITALITY", "INSURANCE", "LEGAL", "MANUFACTURING", "MEDIA", "ONLINE", "PROFESSIONAL_SERVICES",
    "RAW_MATERIALS", "REAL_ESTATE", "RELIGION", "RETAIL", "JEWELRY", "TECHNOLOGY", "TELECOMMUNICATIONS",
    "TRANSPORTATION", "TRAVEL", "ELECTRONICS", "NOT_FOR_PROFIT"};

static const char *const use_cases[] = {"2FA", "ACCOUNT_NOTIFICATION", "CUSTOMER_CARE", "DELIVERY_NOTIFICATION",
                                        "FRAUD_ALERT", "HIGHER_EDUCATION", "LOW_VOLUME", "MARKETING", "MIXED",
                                        "POLLING_VOTING", "PUBLIC_SERVICE_ANNOUNCEMENT", "SECURITY_ALERT"};

static const char *const us_regions[] = {"AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID",
                                         "IL", "IN", "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO",
                                         "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA",
                                         "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "AS",
                                         "GU", "MP", "PR", "VI"};

/* Provinces with the first letters of their postal codes. */
static const struct {
    const char *code, *letters;
} ca_regions[] = {{"AB", "T"}, {"BC", "V"}, {"MB", "R"}, {"NB", "E"}, {"NL", "A"}, {"NS", "B"}, {"NT", "X"},
                  {"NU", "X"}, {"ON", "KLMNP"}, {"PE", "C"}, {"QC", "GHJ"}, {"SK", "S"}, {"YT", "Y"}};

static const char *const opt_out_keywords[] = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"};
static const char *const opt_in_keywords[] = {"START", "YES", "UNSTOP"};
static const char *const help_keywords[] = {"HELP", "INFO"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int up(int c) { return c >= 'a' && c <= 'z' ? c - 32 : c; }
static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

static int ieq_n(const char *a, size_t an, const char *b) {
    if (strlen(b) != an) return 0;
    for (size_t i = 0; i < an; i++)
        if (up((unsigned char)a[i]) != up((unsigned char)b[i])) return 0;
    return 1;
}

/* Copies the non-space, non-dash characters of s (at most cap-1) into buf; 0 when too long. */
static int compact(const char *s, size_t len, char *buf, size_t cap, const char *drop) {
    size_t k = 0;
    for (size_t i = 0; i < len; i++) {
        if (strchr(drop, s[i]) && s[i]) continue;
        if (k + 1 >= cap) return 0;
        buf[k++] = s[i];
    }
    buf[k] = '\0';
    return 1;
}

ft_status ft_reg_ein_check(const char *s, size_t len) {
    if (!s || len == 0) return FT_E_REG_REQUIRED;
    size_t a = 0, b = len;
    while (a < b && s[a] == ' ') a++;
    while (b > a && s[b - 1] == ' ') b--;
    if (a == b) return FT_E_REG_REQUIRED;
    const char *p = s + a;
    size_t n = b - a;
    char d[10];
    if (n == 10 && p[2] == '-') {
        d[0] = p[0];
        d[1] = p[1];
        memcpy(d + 2, p + 3, 7);
    } else if (n == 9) {
        memcpy(d, p, 9);
    } else {
        return FT_E_REG_FORMAT;
    }
    for (int i = 0; i < 9; i++)
        if (!is_digit((unsigned char)d[i])) return FT_E_REG_FORMAT;
    int pre = (d[0] - '0') * 10 + (d[1] - '0');
    /* valid: 01-06, 10-16, 20-27, 30-39, 40-48, 50-68, 71-77, 80-88, 90-95, 98, 99 */
    int ok = (pre >= 1 && pre <= 6) || (pre >= 10 && pre <= 16) || (pre >= 20 && pre <= 27) || (pre >= 30 && pre <= 39) ||
             (pre >= 40 && pre <= 48) || (pre >= 50 && pre <= 68) || (pre >= 71 && pre <= 77) || (pre >= 80 && pre <= 88) ||
             (pre >= 90 && pre <= 95) || pre == 98 || pre == 99;
    return ok ? FT_OK : FT_E_REG_EIN_PREFIX;
}

static int luhn_ok(const char *d, size_t n) {
    int sum = 0;
    for (size_t i = 0; i < n; i++) {
        int v = d[n - 1 - i] - '0';
        if (i % 2 == 1) {
            v *= 2;
            if (v > 9) v -= 9;
        }
        sum += v;
    }
    return sum % 10 == 0;
}

ft_status ft_reg_bn_check(const char *s, size_t len) {
    if (!s) return FT_E_REG_REQUIRED;
    char c[32];
    if (!compact(s, len, c, sizeof c, " -")) return FT_E_REG_FORMAT;
    size_t n = strlen(c);
    if (n == 0) return FT_E_REG_REQUIRED;
    if (n != 9 && n != 15) return FT_E_REG_FORMAT;
    for (int i = 0; i < 9; i++)
        if (!is_digit((unsigned char)c[i])) return FT_E_REG_FORMAT;
    if (n == 15) {
        if (!is_alpha((unsigned char)c[9]) || !is_alpha((unsigned char)c[10]) || up((unsigned char)c[9]) != 'R') return FT_E_REG_FORMAT;
        for (int i = 11; i < 15; i++)
            if (!is_digit((unsigned char)c[i])) return FT_E_REG_FORMAT;
    }
    return luhn_ok(c, 9) ? FT_OK : FT_E_REG_BN_CHECK;
}

ft_status ft_reg_region_check(const char *country, const char *region, size_t len) {
    if (!country || !region || len != 2) return FT_E_REG_REGION;
    if (ieq_n(country, strlen(country), "US")) {
        for (size_t i = 0; i < COUNT(us_regions); i++)
            if (ieq_n(region, len, us_regions[i])) return FT_OK;
    } else if (ieq_n(country, strlen(country), "CA")) {
        for (size_t i = 0; i < COUNT(ca_regions); i++)
            if (ieq_n(region, len, ca_regions[i].code)) return FT_OK;
    }
    return FT_E_REG_REGION;
}

ft_status ft_reg_postal_check(const char *country, const char *region, const char *s, size_t len) {
    if (!country || !s) return FT_E_REG_POSTAL;
    if (ieq_n(country, strlen(country), "US")) {
        if (len != 5 && len != 10) return FT_E_REG_POSTAL;
        for (size_t i = 0; i < len; i++)
            if (i == 5 ? s[i] != '-' : !is_digit((unsigned char)s[i])) return FT_E_REG_POSTAL;
        return FT_OK;
    }
    if (!ieq_n(country, strlen(country), "CA")) return FT_E_REG_POSTAL;
    char c[8];
    if (len == 7 && s[3] == ' ') {
        memcpy(c, s, 3);
        memcpy(c + 3, s + 4, 3);
    } else if (len == 6) {
        memcpy(c, s, 6);
    } else {
        return FT_E_REG_POSTAL;
    }
    for (int i = 0; i < 6; i++) {
        int ch = up((unsigned char)c[i]);
        if (i % 2 == 0) {
            if (!is_alpha(ch) || strchr("DFIOQU", ch)) return FT_E_REG_POSTAL;
            if (i == 0 && (ch == 'W' || ch == 'Z')) return FT_E_REG_POSTAL;
        } else if (!is_digit(ch)) {
            return FT_E_REG_POSTAL;
        }
    }
    if (region && strlen(region) == 2) {
        for (size_t i = 0; i < COUNT(ca_regions); i++)
            if (ieq_n(region, 2, ca_regions[i].code)) return strchr(ca_regions[i].letters, up((unsigned char)c[0])) ? FT_OK : FT_E_REG_POSTAL;
    }
    return FT_OK;
}

ft_status ft_reg_nanp_normalize(const char *s, size_t len, char e164[13], int *toll_free) {
    if (!s || !e164) return FT_E_REG_PHONE;
    char d[16];
    size_t k = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (is_digit((unsigned char)c)) {
            if (k >= 11) return FT_E_REG_PHONE;
            d[k++] = c;
        } else if (c == '+' && k == 0 && i + 1 < len && s[i + 1] == '1') {
            continue;
        } else if (!(c == ' ' || c == '-' || c == '.' || c == '(' || c == ')')) {
            return FT_E_REG_PHONE;
        }
    }
    const char *p = d;
    if (k == 11) {
        if (d[0] != '1') return FT_E_REG_PHONE;
        p = d + 1;
    } else if (k != 10) {
        return FT_E_REG_PHONE;
    }
    if (p[0] < '2' || p[3] < '2') return FT_E_REG_PHONE;
    if ((p[1] == '1' && p[2] == '1') || (p[4] == '1' && p[5] == '1')) return FT_E_REG_PHONE; /* N11 */
    if (memcmp(p + 3, "555", 3) == 0 && p[6] == '0' && p[7] == '1') return FT_E_REG_PHONE; /* fictional */
    if (toll_free) {
        static const char *const tf[] = {"800", "833", "844", "855", "866", "877", "888"};
        *toll_free = 0;
        for (size_t i = 0; i < COUNT(tf); i++)
            if (memcmp(p, tf[i], 3) == 0) *toll_free = 1;
    }
    e164[0] = '+';
    e164[1] = '1';
    memcpy(e164 + 2, p, 10);
    e164[12] = '\0';
    return FT_OK;
}

/* ---- form checks ---- */

/* 1 when a host name: labels of letters, digits and hyphens, at least two, the last alphabetic. */
static int host_ok(const char *h, size_t n) {
    if (n == 0 || n > 253) return 0;
    size_t label = 0, labels = 0, last_start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || h[i] == '.') {
            if (label == 0 || label > 63 || h[i - 1] == '-' || h[i - label] == '-') return 0;
            labels++;
            last_start = i - label;
            label = 0;
            continue;
        }
        int c = (unsigned char)h[i];
        if (!(is_alpha(c) || is_digit(c) || c == '-')) return 0;
        label++;
    }
    if (labels < 2) return 0;
    for (size_t i = last_start; i < n; i++)
        if (!is_alpha((unsigned char)h[i])) return 0;
    return n - last_start >= 2;
}

/* https (or http when allow_http) URL with a host; no spaces or controls. */
static int url_ok(const char *s, int allow_http) {
    size_t n = strlen(s);
    if (n > FT_REG_URL_MAX) return 0;
    const char *h;
    if (n > 8 && ieq_n(s, 8, "https://")) h = s + 8;
    else if (allow_http && n > 7 && ieq_n(s, 7, "http://")) h = s + 7;
    else return 0;
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == '"' || *p == '<' || *p == '>' || *p == '\\') return 0;
    size_t hl = strcspn(h, ":/?#");
    if (!host_ok(h, hl)) return 0;
    if (h[hl] == ':') {
        size_t k = 1;
        while (is_digit((unsigned char)h[hl + k])) k++;
        if (k == 1 || k > 6 || (h[hl + k] && h[hl + k] != '/' && h[hl + k] != '?' && h[hl + k] != '#')) return 0;
    }
    return 1;
}

static int email_ok(const char *s) {
    size_t n = strlen(s);
    const char *at = strrchr(s, '@');
    if (n > FT_REG_EMAIL_MAX || !at || at == s || at - s > 64) return 0;
    for (const char *p = s; p < at; p++) {
        int c = (unsigned char)*p;
        if (!(is_alpha(c) || is_digit(c) || strchr("!#$%&'*+/=?^_`{|}~.-", c))) return 0;
        if (c == '.' && (p == s || p + 1 == at || p[1] == '.')) return 0;
    }
    return host_ok(at + 1, strlen(at + 1));
}

static int uuid_ok(const char *s) {
    if (strlen(s) != 36) return 0;
    for (int i = 0; i < 36; i++) {
        int c = (unsigned char)s[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-') return 0;
        } else if (!(is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
            return 0;
        }
    }
    return 1;
}

/* UTF-8 characters (code points) of a string. */
static size_t chars(const char *s) {
    size_t n = 0;
    for (; *s; s++) n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

typedef struct {
    cJSON *errors;
    int nomem;
} checker;

static void issue(checker *ck, const char *field, ft_status code, const char *msg) {
    cJSON *e = cJSON_CreateObject();
    if (!e) {
        ck->nomem = 1;
        return;
    }
    cJSON_AddItemToArray(ck->errors, e);
    if (!cJSON_AddStringToObject(e, "field", field) || !cJSON_AddNumberToObject(e, "code", code) ||
        !cJSON_AddStringToObject(e, "name", ft_strerror_name(code)) || !cJSON_AddStringToObject(e, "message", msg ? msg : ft_strerror(code)))
        ck->nomem = 1;
}

/* A string field, trimmed view; NULL + an issue when required and absent/blank, or not a string. */
static const char *field(checker *ck, const cJSON *form, const char *name, const char *label, int required, size_t maxc) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(form, name);
    char msg[200];
    if (v && !cJSON_IsNull(v) && !cJSON_IsString(v)) {
        snprintf(msg, sizeof msg, "%s must be text", label);
        issue(ck, name, FT_E_REG_FORMAT, msg);
        return NULL;
    }
    const char *s = cJSON_IsString(v) ? v->valuestring : NULL;
    int blank = 1;
    for (const char *p = s; p && *p; p++)
        if (*p != ' ' && *p != '\t') blank = 0;
    if (!s || blank) {
        if (required) {
            snprintf(msg, sizeof msg, "%s is required", label);
            issue(ck, name, FT_E_REG_REQUIRED, msg);
        }
        return NULL;
    }
    if (chars(s) > maxc) {
        snprintf(msg, sizeof msg, "%s is longer than %zu characters", label, maxc);
        issue(ck, name, FT_E_REG_LENGTH, msg);
        return NULL;
    }
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p < 0x20) {
            snprintf(msg, sizeof msg, "%s contains a control character (such as a line break)", label);
            issue(ck, name, FT_E_REG_FORMAT, msg);
            return NULL;
        }
    return s;
}

typedef struct {
    const char *country, *legal_name, *company, *btype, *industry, *street, *city, *region, *postal, *website;
    const char *c_first, *c_last, *c_title, *c_email, *use_case, *privacy, *terms, *optin_url;
    char c_phone[13], b_phone[13], sms[13];
    char privacy_buf[FT_REG_URL_MAX + 64], terms_buf[FT_REG_URL_MAX + 64], optin_buf[FT_REG_URL_MAX + 64];
    int has_c_phone, has_b_phone, has_sms;
    int links_declared, phone_declared; /* -1 not given, 0, 1 */
    int id_provided;
} profile;

static const char *canonical(const char *s, const char *const *list, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (ieq_n(s, strlen(s), list[i])) return list[i];
    return NULL;
}

static void check_phone(checker *ck, const cJSON *form, const char *name, const char *label, int required, char out[13],
                        int *has, int sms) {
    const char *s = field(ck, form, name, label, required, 32);
    *has = 0;
    if (!s) return;
    char msg[200];
    int tf = 0;
    if (ft_reg_nanp_normalize(s, strlen(s), out, &tf) != FT_OK) {
        snprintf(msg, sizeof msg, "%s must be a 10-digit North American number (area code and number start with 2-9, "
                                  "not N11, not 555-01XX)", label);
        issue(ck, name, FT_E_REG_PHONE, msg);
        return;
    }
    if (sms && tf) {
        issue(ck, name, FT_E_REG_PHONE, "the SMS number is toll-free: a toll-free number is verified for toll-free messaging, not registered as an A2P 10DLC campaign");
        return;
    }
    *has = 1;
}

static void check_bool(checker *ck, const cJSON *form, const char *name, int *out) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(form, name);
    *out = -1;
    if (!v || cJSON_IsNull(v)) return;
    if (!cJSON_IsBool(v)) {
        issue(ck, name, FT_E_REG_FORMAT, "must be true or false");
        return;
    }
    *out = cJSON_IsTrue(v);
}

static void check_form(checker *ck, const cJSON *form, profile *p) {
    memset(p, 0, sizeof *p);
    char msg[240];
    const char *country = field(ck, form, "country", "Country", 1, 2);
    int us = 0, ca = 0;
    if (country) {
        us = ieq_n(country, strlen(country), "US");
        ca = ieq_n(country, strlen(country), "CA");
        if (!us && !ca) issue(ck, "country", FT_E_REG_UNKNOWN_VALUE, "Country must be US or CA");
        else p->country = us ? "US" : "CA";
    }
    p->legal_name = field(ck, form, "legal_name", "Legal business name", 1, FT_REG_NAME_MAX);
    if (p->legal_name && chars(p->legal_name) < 2) {
        issue(ck, "legal_name", FT_E_REG_LENGTH, "Legal business name must have at least 2 characters");
        p->legal_name = NULL;
    }
    p->company = field(ck, form, "company_name", "Company name", 0, FT_REG_NAME_MAX);
    if (!p->company) p->company = p->legal_name;

    const char *bt = field(ck, form, "business_type", "Business type", 1, 64);
    if (bt && !(p->btype = canonical(bt, business_types, COUNT(business_types))))
        issue(ck, "business_type", FT_E_REG_UNKNOWN_VALUE,
              "Business type must be one of: Sole Proprietorship, Partnership, Limited Liability Corporation, "
              "Co-operative, Non-profit Corporation, Corporation");
    const char *ind = field(ck, form, "industry", "Industry", 1, 64);
    if (ind && !(p->industry = canonical(ind, industries, COUNT(industries))))
        issue(ck, "industry", FT_E_REG_UNKNOWN_VALUE, "Industry must be one of Twilio's industries (e.g. PROFESSIONAL_SERVICES, CONSTRUCTION, REAL_ESTATE)");

    /* the tax number: checked, never repeated */
    const cJSON *ein = cJSON_GetObjectItemCaseSensitive(form, "ein"), *bn = cJSON_GetObjectItemCaseSensitive(form, "bn");
    if (us || (!ca && ein)) {
        if (ein && !cJSON_IsString(ein) && !cJSON_IsNull(ein)) {
            issue(ck, "ein", FT_E_REG_FORMAT, "EIN must be text written NN-NNNNNNN");
        } else {
            const char *s = cJSON_IsString(ein) ? ein->valuestring : "";
            ft_status st = ft_reg_ein_check(s, strlen(s));
            if (st == FT_E_REG_REQUIRED) issue(ck, "ein", st, "EIN is required for a US business");
            else if (st == FT_E_REG_FORMAT) issue(ck, "ein", st, "EIN must be 9 digits written NN-NNNNNNN");
            else if (st == FT_E_REG_EIN_PREFIX) issue(ck, "ein", st, "EIN: the first two digits are not a prefix the IRS assigns; check for a typo");
            else p->id_provided = 1;
        }
    }
    if (ca) {
        if (bn && !cJSON_IsString(bn) && !cJSON_IsNull(bn)) {
            issue(ck, "bn", FT_E_REG_FORMAT, "Business Number must be text");
        } else {
            const char *s = cJSON_IsString(bn) ? bn->valuestring : "";
            ft_status st = ft_reg_bn_check(s, strlen(s));
            if (st == FT_E_REG_REQUIRED) issue(ck, "bn", st, "Business Number is required for a Canadian business");
            else if (st == FT_E_REG_FORMAT) issue(ck, "bn", st, "Business Number must be 9 digits, or the program account form 123456789RT0001");
            else if (st == FT_E_REG_BN_CHECK) issue(ck, "bn", st, "Business Number: the check digit (9th digit) does not match; check for a typo");
            else p->id_provided = 1;
        }
    }

    p->street = field(ck, form, "street", "Street address", 1, FT_REG_FIELD_MAX);
    p->city = field(ck, form, "city", "City", 1, 100);
    const char *region = field(ck, form, "region", us ? "State" : ca ? "Province" : "State or province", 1, 8);
    if (region && p->country && ft_reg_region_check(p->country, region, strlen(region)) != FT_OK) {
        issue(ck, "region", FT_E_REG_REGION, us ? "State must be a two-letter US state or territory code (e.g. TX, DC, PR)"
                                               : "Province must be a two-letter Canadian province or territory code (e.g. ON, QC)");
    } else {
        p->region = region;
    }
    const char *postal = field(ck, form, "postal_code", us ? "ZIP code" : "Postal code", 1, 10);
    if (postal && p->country && ft_reg_postal_check(p->country, p->region, postal, strlen(postal)) != FT_OK) {
        if (us) issue(ck, "postal_code", FT_E_REG_POSTAL, "ZIP code must be NNNNN or NNNNN-NNNN");
        else issue(ck, "postal_code", FT_E_REG_POSTAL, "Postal code must be A9A 9A9 (no D, F, I, O, Q or U; not starting with W or Z) and match the province");
    } else {
        p->postal = postal;
    }
    p->website = field(ck, form, "website", "Website", 1, FT_REG_URL_MAX);
    if (p->website && !url_ok(p->website, 1)) {
        issue(ck, "website", FT_E_REG_URL, "Website must be a web address like https://www.example.com");
        p->website = NULL;
    }
    p->c_first = field(ck, form, "contact_first_name", "Contact first name", 1, 100);
    p->c_last = field(ck, form, "contact_last_name", "Contact last name", 1, 100);
    p->c_title = field(ck, form, "contact_title", "Contact title", 1, 100);
    p->c_email = field(ck, form, "contact_email", "Contact e-mail", 1, FT_REG_EMAIL_MAX);
    if (p->c_email && !email_ok(p->c_email)) {
        issue(ck, "contact_email", FT_E_REG_EMAIL, "Contact e-mail must be an address like name@example.com");
        p->c_email = NULL;
    }
    check_phone(ck, form, "contact_phone", "Contact phone", 1, p->c_phone, &p->has_c_phone, 0);
    check_phone(ck, form, "business_phone", "Business phone", 0, p->b_phone, &p->has_b_phone, 0);
    check_phone(ck, form, "sms_number", "SMS number", 1, p->sms, &p->has_sms, 1);

    /* policy URLs: explicit, else the business's policy page on the relay */
    const char *base = field(ck, form, "policy_base_url", "Policy page address", 0, 512);
    const char *pid = field(ck, form, "policy_id", "Policy page id", 0, 64);
    const char *priv = field(ck, form, "privacy_url", "Privacy policy URL", 0, FT_REG_URL_MAX);
    const char *terms = field(ck, form, "terms_url", "Terms URL", 0, FT_REG_URL_MAX);
    int base_ok = 0;
    if (base) {
        size_t bl = strlen(base);
        while (bl && base[bl - 1] == '/') bl--;
        char tmp[600];
        snprintf(tmp, sizeof tmp, "%.*s", (int)bl, base);
        if (!url_ok(tmp, 0) || strchr(tmp + 8, '?') || strchr(tmp + 8, '#')) {
            issue(ck, "policy_base_url", FT_E_REG_URL, "Policy page address must be the relay's https address, like https://texts.example.com");
        } else {
            base_ok = 1;
            snprintf(p->optin_buf, sizeof p->optin_buf, "%s/policies?id=appoptin", tmp);
            p->optin_url = p->optin_buf;
            if (pid && uuid_ok(pid)) snprintf(p->privacy_buf, sizeof p->privacy_buf, "%s/policies?id=%s", tmp, pid);
        }
    }
    if (pid && !uuid_ok(pid)) issue(ck, "policy_id", FT_E_REG_FORMAT, "Policy page id must be a UUID");
    const char *def = p->privacy_buf[0] ? p->privacy_buf : NULL;
    if (!priv || !terms) {
        if (!def && (!priv || !terms)) {
            if (!base) issue(ck, "policy_base_url", FT_E_REG_REQUIRED, "Policy page address is required (or give both privacy_url and terms_url)");
            else if (base_ok && !pid) issue(ck, "policy_id", FT_E_REG_REQUIRED, "Policy page id is required (or give both privacy_url and terms_url)");
        }
    }
    p->privacy = priv ? priv : def;
    p->terms = terms ? terms : def;
    if (priv && !url_ok(priv, 0)) {
        issue(ck, "privacy_url", FT_E_REG_URL, "Privacy policy URL must be an https address");
        p->privacy = NULL;
    }
    if (terms && !url_ok(terms, 0)) {
        issue(ck, "terms_url", FT_E_REG_URL, "Terms URL must be an https address");
        p->terms = NULL;
    }
    const char *uc = field(ck, form, "use_case", "Use case", 0, 64);
    p->use_case = "CUSTOMER_CARE";
    if (uc && !(p->use_case = canonical(uc, use_cases, COUNT(use_cases)))) {
        snprintf(msg, sizeof msg, "Use case must be one of Twilio's use cases (ACCOUNT_NOTIFICATION, CUSTOMER_CARE, MIXED, ...)");
        issue(ck, "use_case", FT_E_REG_UNKNOWN_VALUE, msg);
    }
    check_bool(ck, form, "has_embedded_links", &p->links_declared);
    check_bool(ck, form, "has_embedded_phone", &p->phone_declared);
}

/* ---- building ---- */

static void phone_display(const char *e164, char out[16]) {
    snprintf(out, 16, "(%.3s) %.3s-%.4s", e164 + 2, e164 + 5, e164 + 8);
}

/* malloc'd printf; NULL on NOMEM. */
static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...) {
    va_list ap;
    va_start(ap, f);
    int n = vsnprintf(NULL, 0, f, ap);
    va_end(ap);
    if (n < 0) return NULL;
    char *s = malloc((size_t)n + 1);
    if (!s) return NULL;
    va_start(ap, f);
    vsnprintf(s, (size_t)n + 1, f, ap);
    va_end(ap);
    return s;
}

static int add_owned(cJSON *o, const char *name, char *s) {
    if (!s) return 0;
    int ok = cJSON_AddStringToObject(o, name, s) != NULL;
    free(s);
    return ok;
}

static int add_list(cJSON *o, const char *name, const char *const *items, size_t n) {
    cJSON *a = cJSON_AddArrayToObject(o, name);
    if (!a) return 0;
    for (size_t i = 0; i < n; i++) {
        cJSON *s = cJSON_CreateString(items[i]);
        if (!s) return 0;
        cJSON_AddItemToArray(a, s);
    }
    return 1;
}

static const char *const DESCRIPTION =
    "Confirm service appointment details including date and time. Notify when the service technician is en route.";

/* Checks a built string against Twilio's limits; adds an issue naming the campaign field. */
static void limit(checker *ck, const char *fieldname, const char *s, size_t lo, size_t hi) {
    size_t n = chars(s);
    if (n < lo || n > hi) {
        char msg[200];
        snprintf(msg, sizeof msg, "the campaign's %s would have %zu characters; Twilio accepts %zu to %zu (shorten the company "
                                  "name or the URLs)", fieldname, n, lo, hi);
        issue(ck, fieldname, FT_E_REG_CAMPAIGN, msg);
    }
}

static int build(cJSON *o, checker *ck, const profile *p, cJSON *warnings) {
    char ph[16], sms[16];
    phone_display(p->has_b_phone ? p->b_phone : p->c_phone, ph);
    phone_display(p->sms, sms);
    const char *co = p->company;
    char *flow = fmt("%s collects consent in person or over the phone when a customer books a service appointment. Staff "
                     "read this script: \"Would you like to receive text message reminders and updates about your "
                     "appointments with %s? Message and data rates may apply. You can opt out at any time by replying "
                     "STOP.\" The staff member then acknowledges an opt-in confirmation screen that shows the disclosure "
                     "language and an example of the messages, and checks the consent box; the software records the staff "
                     "member, the customer and the date and time of each consent action. The opt-in workflow is shown at "
                     "%s. Messages come from %s. Message frequency varies. Reply STOP to opt out, HELP for help. Privacy "
                     "policy and terms: %s",
                     co, co, p->optin_url ? p->optin_url : p->privacy, sms, p->privacy);
    char *s1 = fmt("A technician from %s will be arriving tomorrow between the hours of 8 AM and 5 PM. Please call %s if "
                   "needing to reschedule. Reply STOP to unsubscribe from these messages.", co, ph);
    char *s2 = fmt("Hello. Your technician from %s is on their way. Please call %s if you have any questions. Reply STOP "
                   "to unsubscribe from these messages.", co, ph);
    char *in_msg = fmt("%s: You are now subscribed to appointment reminders and updates. Msg frequency varies. Msg & data "
                       "rates may apply. Reply HELP for help, STOP to unsubscribe.", co);
    char *out_msg = fmt("%s: You are unsubscribed and will receive no more messages. Reply START to resubscribe.", co);
    char *help_msg = fmt("%s appointment reminders and updates. For help call %s or email %s. Msg & data rates may apply. "
                         "Reply STOP to unsubscribe.", co, ph, p->c_email);
    int ok = 0;
    if (!flow || !s1 || !s2 || !in_msg || !out_msg || !help_msg) goto done;
    limit(ck, "Description", DESCRIPTION, FT_CAMPAIGN_DESC_MIN, FT_CAMPAIGN_DESC_MAX);
    limit(ck, "MessageFlow", flow, FT_CAMPAIGN_FLOW_MIN, FT_CAMPAIGN_FLOW_MAX);
    limit(ck, "MessageSamples", s1, FT_CAMPAIGN_SAMPLE_MIN, FT_CAMPAIGN_SAMPLE_MAX);
    limit(ck, "MessageSamples", s2, FT_CAMPAIGN_SAMPLE_MIN, FT_CAMPAIGN_SAMPLE_MAX);
    limit(ck, "OptInMessage", in_msg, FT_CAMPAIGN_REPLY_MIN, FT_CAMPAIGN_REPLY_MAX);
    limit(ck, "OptOutMessage", out_msg, FT_CAMPAIGN_REPLY_MIN, FT_CAMPAIGN_REPLY_MAX);
    limit(ck, "HelpMessage", help_msg, FT_CAMPAIGN_REPLY_MIN, FT_CAMPAIGN_REPLY_MAX);
    if (ck->nomem) goto done;
    if (cJSON_GetArraySize(ck->errors) > 0) {
        ok = 1;
        goto done;
    }
    /* The samples carry the company's phone number, so the campaign must say so: a "No" here
     * contradicts the samples, a common reason for rejection. Links: none in the samples. */
    int links = p->links_declared == 1;
    int phone = 1;
    if (p->phone_declared == 0) {
        cJSON *w = cJSON_CreateString("has_embedded_phone was false, but the sample messages contain the company phone "
                                      "number: HasEmbeddedPhone is submitted as true");
        if (!w) goto done;
        cJSON_AddItemToArray(warnings, w);
    }
    cJSON *c = cJSON_AddObjectToObject(o, "campaign");
    const char *samples[2] = {s1, s2};
    if (!c || !cJSON_AddStringToObject(c, "Description", DESCRIPTION) || !cJSON_AddStringToObject(c, "MessageFlow", flow) ||
        !add_list(c, "MessageSamples", samples, 2) || !cJSON_AddStringToObject(c, "UsAppToPersonUsecase", p->use_case) ||
        !cJSON_AddBoolToObject(c, "HasEmbeddedLinks", links) || !cJSON_AddBoolToObject(c, "HasEmbeddedPhone", phone) ||
        !add_list(c, "OptInKeywords", opt_in_keywords, COUNT(opt_in_keywords)) ||
        !add_list(c, "OptOutKeywords", opt_out_keywords, COUNT(opt_out_keywords)) ||
        !add_list(c, "HelpKeywords", help_keywords, COUNT(help_keywords)) ||
        !cJSON_AddStringToObject(c, "OptInMessage", in_msg) || !cJSON_AddStringToObject(c, "OptOutMessage", out_msg) ||
        !cJSON_AddStringToObject(c, "HelpMessage", help_msg) || !cJSON_AddTrueToObject(c, "SubscriberOptIn") ||
        !cJSON_AddFalseToObject(c, "AgeGated") || !cJSON_AddFalseToObject(c, "DirectLending") ||
        !cJSON_AddStringToObject(c, "PrivacyPolicyUrl", p->privacy) ||
        !cJSON_AddStringToObject(c, "TermsAndConditionsUrl", p->terms))
        goto done;

    /* the policy page, as data */
    cJSON *pg = cJSON_AddObjectToObject(o, "policy_page");
    cJSON *contact = pg ? cJSON_AddObjectToObject(pg, "contact") : NULL;
    cJSON *addr = pg ? cJSON_AddObjectToObject(pg, "address") : NULL;
    cJSON *secs = pg ? cJSON_AddArrayToObject(pg, "sections") : NULL;
    if (!secs || !contact || !addr || !cJSON_AddStringToObject(pg, "company_name", co) ||
        !cJSON_AddStringToObject(pg, "legal_name", p->legal_name) || !cJSON_AddStringToObject(pg, "sms_number", p->sms) ||
        !cJSON_AddStringToObject(pg, "sms_number_display", sms) || !cJSON_AddStringToObject(pg, "url", p->privacy) ||
        (p->optin_url && !cJSON_AddStringToObject(pg, "optin_url", p->optin_url)) ||
        !cJSON_AddStringToObject(pg, "website", p->website) || !add_owned(contact, "name", fmt("%s %s", p->c_first, p->c_last)) ||
        !cJSON_AddStringToObject(contact, "title", p->c_title) || !cJSON_AddStringToObject(contact, "email", p->c_email) ||
        !cJSON_AddStringToObject(contact, "phone", ph) || !cJSON_AddStringToObject(addr, "street", p->street) ||
        !cJSON_AddStringToObject(addr, "city", p->city) || !cJSON_AddStringToObject(addr, "region", p->region) ||
        !cJSON_AddStringToObject(addr, "postal_code", p->postal) || !cJSON_AddStringToObject(addr, "country", p->country))
        goto done;
    struct {
        const char *id, *title;
        char *text;
    } sec[] = {
        {"program", "Text messaging program",
         fmt("%s sends text messages about your service appointments from %s: reminders with the date and time, "
             "notices that your technician is on the way, and replies to your questions.", co, sms)},
        {"consent", "How you opt in",
         fmt("You receive texts only after you agree, in person or by phone, when staff of %s ask whether you would like "
             "text message reminders and updates. Consent is not a condition of purchase.", co)},
        {"frequency", "Message frequency", fmt("Message frequency varies with your appointments.")},
        {"rates", "Costs", fmt("Message and data rates may apply.")},
        {"opt_out", "How to opt out",
         fmt("Reply STOP to %s at any time to stop all messages (STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE and "
             "OPTOUT also work, and so does asking us in your own words). You will receive one confirmation and no "
             "further messages. Reply START to subscribe again.", sms)},
        {"help", "Help",
         fmt("Reply HELP to %s, call %s or email %s.", sms, ph, p->c_email)},
        {"data_sharing", "Data sharing",
         fmt("No mobile information will be shared with third parties or affiliates for marketing or promotional "
             "purposes. Text messaging opt-in data and consent are not shared with any third party; %s keeps them in its "
             "own records. Your number is passed only to our messaging provider to deliver the messages.", co)},
        {"privacy", "Privacy",
         fmt("%s uses your name, phone number and appointment details only to send the messages described here and "
             "keeps a record of your consent as the law requires.", co)},
        {"carriers", "Carriers", fmt("Carriers are not liable for delayed or undelivered messages.")},
        {"contact", "Contact",
         fmt("%s, %s, %s %s %s. %s %s (%s): %s, %s.", p->legal_name, p->street, p->city, p->region, p->postal, p->c_first,
             p->c_last, p->c_title, ph, p->c_email)},
    };
    int sok = 1;
    for (size_t i = 0; i < COUNT(sec); i++) {
        cJSON *s = sok ? cJSON_CreateObject() : NULL;
        if (s) cJSON_AddItemToArray(secs, s);
        sok = sok && s && sec[i].text && cJSON_AddStringToObject(s, "id", sec[i].id) &&
              cJSON_AddStringToObject(s, "title", sec[i].title) && cJSON_AddStringToObject(s, "text", sec[i].text);
        free(sec[i].text);
    }
    ok = sok;
done:
    free(flow);
    free(s1);
    free(s2);
    free(in_msg);
    free(out_msg);
    free(help_msg);
    return ok;
}

static int add_profile(cJSON *o, const profile *p) {
    cJSON *pr = cJSON_AddObjectToObject(o, "profile");
    return pr && cJSON_AddStringToObject(pr, "country", p->country) && cJSON_AddStringToObject(pr, "legal_name", p->legal_name) &&
           cJSON_AddStringToObject(pr, "company_name", p->company) && cJSON_AddStringToObject(pr, "business_type", p->btype) &&
           cJSON_AddStringToObject(pr, "industry", p->industry) &&
           cJSON_AddStringToObject(pr, "registration_id_type", strcmp(p->country, "US") == 0 ? "EIN" : "CBN") &&
           cJSON_AddBoolToObject(pr, "registration_number_checked", p->id_provided) &&
           cJSON_AddStringToObject(pr, "street", p->street) && cJSON_AddStringToObject(pr, "city", p->city) &&
           cJSON_AddStringToObject(pr, "region", p->region) && cJSON_AddStringToObject(pr, "postal_code", p->postal) &&
           cJSON_AddStringToObject(pr, "website", p->website) && cJSON_AddStringToObject(pr, "contact_first_name", p->c_first) &&
           cJSON_AddStringToObject(pr, "contact_last_name", p->c_last) && cJSON_AddStringToObject(pr, "contact_title", p->c_title) &&
           cJSON_AddStringToObject(pr, "contact_email", p->c_email) && cJSON_AddStringToObject(pr, "contact_phone", p->c_phone) &&
           cJSON_AddStringToObject(pr, "business_phone", p->has_b_phone ? p->b_phone : p->c_phone) &&
           cJSON_AddStringToObject(pr, "sms_number", p->sms) && cJSON_AddStringToObject(pr, "privacy_url", p->privacy) &&
           cJSON_AddStringToObject(pr, "terms_url", p->terms);
}

ft_status ft_registration_json(const char *json, size_t len, char **out) {
    if (!out || (!json && len)) return FT_E_INVALID_ARG;
    *out = NULL;
    ft_status st = FT_OK;
    cJSON *form = ft_json_parse(json, len, &st);
    if (!form || !cJSON_IsObject(form)) {
        cJSON_Delete(form);
        if (form) st = FT_E_JSON_SHAPE;
        *out = ft_json_error_reply(st, st == FT_E_JSON_SHAPE ? "the form must be a JSON object" : st == FT_E_JSON ? "the form is not valid JSON" : NULL);
        return *out ? st : FT_E_NOMEM;
    }
    int check_only = 0;
    const cJSON *mode = cJSON_GetObjectItemCaseSensitive(form, "mode");
    if (cJSON_IsString(mode) && strcmp(mode->valuestring, "check") == 0) check_only = 1;
    cJSON *o = cJSON_CreateObject();
    checker ck = {cJSON_CreateArray(), 0};
    cJSON *warnings = cJSON_CreateArray();
    profile p;
    int ok = o && ck.errors && warnings && cJSON_AddTrueToObject(o, "ok");
    if (ok) {
        check_form(&ck, form, &p);
        ok = !ck.nomem;
    }
    if (ok && !check_only && cJSON_GetArraySize(ck.errors) == 0) ok = build(o, &ck, &p, warnings) && !ck.nomem;
    int nerr = ok ? cJSON_GetArraySize(ck.errors) : 0;
    if (ok && nerr == 0) ok = add_profile(o, &p);
    if (ok && nerr > 0) {
        /* only what the page needs to show the errors */
        cJSON_DeleteItemFromObjectCaseSensitive(o, "campaign");
        cJSON_DeleteItemFromObjectCaseSensitive(o, "policy_page");
        char msg[96];
        snprintf(msg, sizeof msg, "the registration form has %d error%s", nerr, nerr == 1 ? "" : "s");
        st = FT_E_REG_INVALID;
        ok = ft_json_set_error(o, st, msg) && cJSON_AddNumberToObject(cJSON_GetObjectItem(o, "error"), "count", nerr);
    }
    if (ok) {
        cJSON_AddItemToObject(o, "errors", ck.errors);
        cJSON_AddItemToObject(o, "warnings", warnings);
        ck.errors = warnings = NULL;
    }
    cJSON_Delete(ck.errors);
    cJSON_Delete(warnings);
    cJSON_Delete(form);
    if (!ok) {
        cJSON_Delete(o);
        return FT_E_NOMEM;
    }
    *out = ft_json_finish(o);
    return *out ? st : FT_E_NOMEM;
}
