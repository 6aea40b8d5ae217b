/* fieldtext core: carrier email-to-SMS gateways (gateway.h). */
#include "fieldtext/gateway.h"

#include <stdio.h>
#include <string.h>

#include "fieldtext/json.h"
#include "fieldtext/registration.h"
#include "json_util.h"

static const ft_gateway gateways[] = {
    {"att", "AT&T", "txt.att.net", "mms.att.net", FT_GW_CLOSED, "2025-06-17",
     "AT&T shut down its email-to-text gateway on 17 June 2025: messages are not delivered."},
    {"tmobile", "T-Mobile", "tmomail.net", "tmomail.net", FT_GW_RETIRED, NULL,
     "T-Mobile has retired its email-to-text gateway: messages are not delivered."},
    {"verizon", "Verizon", "vtext.com", "vzwpix.com", FT_GW_UNRELIABLE, NULL,
     "Verizon's email-to-text gateway is unreliable: messages are often delayed or dropped."},
    {"sprint", "Sprint", "messaging.sprintpcs.com", "pm.sprint.com", FT_GW_RETIRED, NULL,
     "Sprint's network was merged into T-Mobile and its gateway retired: messages are not delivered."},
    {"uscellular", "US Cellular", "email.uscc.net", "mms.uscc.net", FT_GW_UNVERIFIED, NULL,
     "Delivery through this gateway is not confirmed; treat it as best effort."},
    {"boost", "Boost Mobile", "sms.myboostmobile.com", "myboostmobile.com", FT_GW_UNVERIFIED, NULL,
     "Delivery through this gateway is not confirmed; treat it as best effort."},
    {"cricket", "Cricket Wireless", "sms.cricketwireless.net", "mms.cricketwireless.net", FT_GW_UNVERIFIED, NULL,
     "Cricket runs on AT&T's network, whose gateway closed in 2025; delivery is not confirmed."},
    {"metro", "Metro by T-Mobile", "mymetropcs.com", "mymetropcs.com", FT_GW_UNVERIFIED, NULL,
     "Metro runs on T-Mobile's network, whose gateway is retired; delivery is not confirmed."},
    {"googlefi", "Google Fi", "msg.fi.google.com", "msg.fi.google.com", FT_GW_UNVERIFIED, NULL,
     "Delivery through this gateway is not confirmed; treat it as best effort."},
};

size_t ft_gateway_count(void) { return sizeof gateways / sizeof gateways[0]; }

const ft_gateway *ft_gateway_at(size_t i) { return i < ft_gateway_count() ? &gateways[i] : NULL; }

/* Compares ignoring case and anything but letters and digits ("T-Mobile" == "tmobile"). */
static int loose_eq(const char *a, size_t an, const char *b) {
    size_t i = 0;
    const char *q = b;
    for (;;) {
        while (i < an && !((a[i] >= '0' && a[i] <= '9') || ((a[i] | 0x20) >= 'a' && (a[i] | 0x20) <= 'z'))) i++;
        while (*q && !((*q >= '0' && *q <= '9') || ((*q | 0x20) >= 'a' && (*q | 0x20) <= 'z'))) q++;
        if (i == an || !*q) return i == an && !*q;
        if ((a[i] | 0x20) != (*q | 0x20)) return 0;
        i++;
        q++;
    }
}

ft_status ft_gateway_find(const char *name, size_t len, const ft_gateway **out) {
    if (!name || !out) return FT_E_INVALID_ARG;
    for (size_t i = 0; i < ft_gateway_count(); i++)
        if (loose_eq(name, len, gateways[i].id) || loose_eq(name, len, gateways[i].carrier)) {
            *out = &gateways[i];
            return FT_OK;
        }
    return FT_E_GW_UNKNOWN_CARRIER;
}

const char *ft_gateway_status_name(ft_gw_status s) {
    switch (s) {
    case FT_GW_ACTIVE: return "active";
    case FT_GW_UNRELIABLE: return "unreliable";
    case FT_GW_RETIRED: return "retired";
    case FT_GW_CLOSED: return "closed";
    default: return "unverified";
    }
}

int ft_gateway_usable(const ft_gateway *g) { return g && g->status == FT_GW_ACTIVE; }

ft_status ft_gateway_address(const ft_gateway *g, const char *number, size_t len, int mms, char *buf, size_t cap) {
    if (!g || !number || !buf) return FT_E_INVALID_ARG;
    char e164[13];
    if (ft_reg_nanp_normalize(number, len, e164, NULL) != FT_OK) return FT_E_GW_NUMBER;
    int n = snprintf(buf, cap, "%s@%s", e164 + 2, mms ? g->mms_domain : g->sms_domain);
    if (n < 0 || (size_t)n >= cap) return FT_E_BUFFER;
    return FT_OK;
}

static int add_entry(cJSON *e, const ft_gateway *g) {
    return cJSON_AddStringToObject(e, "id", g->id) && cJSON_AddStringToObject(e, "carrier", g->carrier) &&
           cJSON_AddStringToObject(e, "sms_domain", g->sms_domain) && cJSON_AddStringToObject(e, "mms_domain", g->mms_domain) &&
           cJSON_AddStringToObject(e, "status", ft_gateway_status_name(g->status)) &&
           (g->since ? cJSON_AddStringToObject(e, "since", g->since) : cJSON_AddNullToObject(e, "since")) &&
           cJSON_AddBoolToObject(e, "usable", ft_gateway_usable(g)) && cJSON_AddStringToObject(e, "note", g->note);
}

ft_status ft_gateway_json(const char *json, size_t len, char **out) {
    if (!out || (!json && len)) return FT_E_INVALID_ARG;
    *out = NULL;
    ft_status st = FT_OK;
    const char *why = NULL;
    cJSON *j = len ? ft_json_parse(json, len, &st) : cJSON_CreateObject();
    cJSON *o = NULL;
    if (!j) goto fail;
    if (!cJSON_IsObject(j)) { st = FT_E_JSON_SHAPE; why = "the input must be a JSON object"; goto fail; }
    const cJSON *carrier = cJSON_GetObjectItemCaseSensitive(j, "carrier");
    o = cJSON_CreateObject();
    if (!o || !cJSON_AddTrueToObject(o, "ok")) goto nomem;
    if (!carrier) {
        cJSON *arr = cJSON_AddArrayToObject(o, "gateways");
        if (!arr) goto nomem;
        for (size_t i = 0; i < ft_gateway_count(); i++) {
            cJSON *e = cJSON_CreateObject();
            if (!e) goto nomem;
            cJSON_AddItemToArray(arr, e);
            if (!add_entry(e, &gateways[i])) goto nomem;
        }
    } else {
        const cJSON *num = cJSON_GetObjectItemCaseSensitive(j, "number"), *mms = cJSON_GetObjectItemCaseSensitive(j, "mms");
        const ft_gateway *g;
        if (!cJSON_IsString(carrier) || !cJSON_IsString(num) || (mms && !cJSON_IsBool(mms))) {
            st = FT_E_JSON_SHAPE;
            why = "give \"carrier\" and \"number\" as text (and \"mms\" as true or false)";
            goto fail;
        }
        if ((st = ft_gateway_find(carrier->valuestring, strlen(carrier->valuestring), &g)) != FT_OK) {
            why = "unknown carrier (see the gateway list)";
            goto fail;
        }
        char addr[FT_GW_ADDRESS_MAX];
        if ((st = ft_gateway_address(g, num->valuestring, strlen(num->valuestring), cJSON_IsTrue(mms), addr, sizeof addr)) != FT_OK) {
            why = "the number must be a 10-digit North American number";
            goto fail;
        }
        if (!cJSON_AddStringToObject(o, "address", addr) || !add_entry(o, g) ||
            !cJSON_AddStringToObject(o, "warning", g->note))
            goto nomem;
    }
    cJSON_Delete(j);
    *out = ft_json_finish(o);
    return *out ? FT_OK : FT_E_NOMEM;
fail:
    cJSON_Delete(j);
    cJSON_Delete(o);
    *out = ft_json_error_reply(st, why);
    return *out ? st : FT_E_NOMEM;
nomem:
    cJSON_Delete(j);
    cJSON_Delete(o);
    return FT_E_NOMEM;
}
