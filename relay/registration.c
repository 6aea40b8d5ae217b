/* fieldtext relay: the A2P 10DLC business profile (core registration.h).
 * POST /api/registration (admin) validates the whole form with ft_registration_json (every field
 * error at once, 422) and stores the profile and the campaign the core built. The EIN / BN is read
 * from the request only: it is never written to SQLite, the log, or stderr (RULES.md), and the
 * request's JSON is wiped from memory before it is freed.
 * A saved profile is then submitted to Twilio by relay/a2p.c (the EIN / BN handed over in memory).
 * Once a submission is under way or approved, a new form does not replace the registered profile
 * nor touch the status (the registration gate stays open after approval): it is kept as a pending
 * change, named field by field (relay/API.md "Editing the profile after it went to Twilio"). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fieldtext/json.h"
#include "fieldtext/registration.h"
#include "relay.h"

/* Overwrites a string the request held (the EIN / BN) before it is freed. */
static void wipe(char *s) {
    if (!s) return;
    volatile char *p = s;
    while (*p) *p++ = '\0';
}

static void wipe_ids(cJSON *form) {
    static const char *const ids[] = {"ein", "bn"};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        cJSON *v = cJSON_GetObjectItemCaseSensitive(form, ids[i]);
        if (cJSON_IsString(v)) wipe(v->valuestring);
    }
}

/* Statuses in which a brand (and maybe a campaign) is with Twilio or registered: a new profile must
 * not replace the one Twilio has, nor put the status back to profile_saved (which closes the
 * registration gate). One brand and one campaign per service: the edit is kept as a pending change. */
static int in_force(const char *status) {
    static const char *const held[] = {"submitting", "submitted", "brand_approved", "campaign_pending", "approved"};
    for (size_t i = 0; status && i < sizeof held / sizeof held[0]; i++) {
        if (strcmp(status, held[i]) == 0) return 1;
    }
    return 0;
}

/* Appends to changed the keys of a and b (objects) whose values differ, each prefixed. */
static void diff_keys(const cJSON *a, const cJSON *b, const char *prefix, cJSON *changed) {
    const cJSON *it;
    cJSON_ArrayForEach(it, b) {
        if (!it->string) continue;
        const cJSON *old = cJSON_GetObjectItemCaseSensitive(a, it->string);
        if (old && cJSON_Compare(old, it, 1)) continue;
        char name[160];
        snprintf(name, sizeof name, "%s%s", prefix, it->string);
        cJSON_AddItemToArray(changed, cJSON_CreateString(name));
    }
    cJSON_ArrayForEach(it, a) {
        if (it->string && !cJSON_GetObjectItemCaseSensitive(b, it->string)) {
            char name[160];
            snprintf(name, sizeof name, "%s%s", prefix, it->string);
            cJSON_AddItemToArray(changed, cJSON_CreateString(name));
        }
    }
}

/* The profile saved while the registration is in force (status): stored as settings
 * "registration_pending" (or dropped when it equals the registered one), logged as
 * registration.change_pending {status, legal_name, changed}; the registered profile, the status and
 * the submission are left alone. Replies 200 with pending_change (null when nothing differs). */
static void save_pending(ft_req *r, cJSON *reply, const char *status) {
    ft_relay *app = r->app;
    char *rs = NULL;
    cJSON *reg = ft_store_setting_get(app->store, "registration", &rs) == FT_OK ? cJSON_Parse(rs) : NULL;
    free(rs);
    char *ps = NULL;
    int had_pending = ft_store_setting_get(app->store, "registration_pending", &ps) == FT_OK;
    free(ps);
    const cJSON *prof = cJSON_GetObjectItemCaseSensitive(reply, "profile");
    cJSON *changed = cJSON_CreateArray();
    diff_keys(cJSON_GetObjectItemCaseSensitive(reg, "profile"), prof, "", changed);
    diff_keys(cJSON_GetObjectItemCaseSensitive(reg, "campaign"), cJSON_GetObjectItemCaseSensitive(reply, "campaign"),
              "campaign.", changed);
    cJSON_Delete(reg);
    int n = cJSON_GetArraySize(changed);
    int approved = strcmp(status, "approved") == 0;
    const char *message =
        n == 0 ? "Nothing differs from the registered profile: no change is pending."
        : approved
            ? "Your A2P 10DLC registration stays in force and texting continues with the registered profile. These "
              "changes were saved as a pending change and were not sent to Twilio: Twilio does not let a brand that has "
              "a registered campaign be edited, and deleting the campaign to register again would stop texting until a "
              "new review. To have them registered, ask Twilio support to update the brand and campaign (a new legal "
              "name or EIN / BN means a new brand)."
            : "A submission to Twilio is under way with the profile saved before, and it continues unchanged. These "
              "changes were saved as a pending change: if the review fails, correct the form and submit it again (with "
              "the EIN / BN); once it is approved, ask Twilio support to update the registration.";
    int64_t now = ft_now_ms();
    ft_status st = FT_OK;
    if (n > 0 || had_pending) {
        ft_events_tx tx;
        st = ft_events_tx_begin(app, &tx);
        if (st == FT_OK) {
            if (n > 0) {
                cJSON *keep = cJSON_CreateObject();
                cJSON_AddItemToObject(keep, "profile", cJSON_Duplicate(prof, 1));
                cJSON_AddItemToObject(keep, "campaign", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(reply, "campaign"), 1));
                cJSON_AddItemToObject(keep, "policy_page",
                                      cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(reply, "policy_page"), 1));
                cJSON_AddItemToObject(keep, "changed", cJSON_Duplicate(changed, 1));
                cJSON_AddNumberToObject(keep, "saved_at", (double)now);
                cJSON_AddStringToObject(keep, "status_when_saved", status);
                char *ks = cJSON_PrintUnformatted(keep);
                cJSON_Delete(keep);
                st = ks ? ft_store_setting_set(app->store, "registration_pending", ks) : FT_E_NOMEM;
                cJSON_free(ks);
            } else {
                st = ft_store_setting_delete(app->store, "registration_pending");
                if (st == FT_E_NOT_FOUND) st = FT_OK;
            }
            char id[37];
            ft_uuid_v4(id);
            cJSON *b = cJSON_CreateObject();
            cJSON_AddStringToObject(b, "status", status);
            const char *legal = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(prof, "legal_name"));
            if (legal) cJSON_AddStringToObject(b, "legal_name", legal);
            cJSON_AddItemToObject(b, "changed", cJSON_Duplicate(changed, 1));
            if (st == FT_OK) st = ft_events_tx_add(&tx, id, r->user_id, "registration.change_pending", b, 0, NULL);
            cJSON_Delete(b);
            if (st == FT_OK) st = ft_events_tx_commit(&tx);
            else ft_events_tx_abort(&tx);
        }
    }
    if (st != FT_OK) {
        cJSON_Delete(changed);
        cJSON_Delete(reply);
        ft_http_error(r, st, NULL);
        return;
    }
    if (n > 0) {
        cJSON *pc = cJSON_AddObjectToObject(reply, "pending_change");
        cJSON_AddItemToObject(pc, "changed", changed);
        cJSON_AddNumberToObject(pc, "saved_at", (double)now);
        cJSON_AddStringToObject(pc, "message", message);
    } else {
        cJSON_Delete(changed);
        cJSON_AddNullToObject(reply, "pending_change");
        cJSON_AddStringToObject(reply, "message", message);
    }
    ft_a2p_status_json(app, cJSON_AddObjectToObject(reply, "registration"));
    ft_http_json(r, 200, reply);
}

void ft_registration_post(ft_req *r) {
    if (!ft_auth_require_admin(r)) return;
    cJSON *form = ft_http_body_json(r);
    if (!form) {
        if (r->body) memset(r->body, 0, r->body_len);
        return;
    }
    if (r->body) memset(r->body, 0, r->body_len); /* the raw request held the EIN too */
    ft_relay *app = r->app;
    /* The relay's own values unless the form gives them. */
    char *pid = NULL;
    if (!cJSON_GetObjectItemCaseSensitive(form, "policy_id") && ft_store_setting_get(app->store, "policy_id", &pid) == FT_OK)
        cJSON_AddStringToObject(form, "policy_id", pid);
    free(pid);
    if (!cJSON_GetObjectItemCaseSensitive(form, "policy_base_url") && app->cfg.public_url &&
        strncmp(app->cfg.public_url, "https://", 8) == 0)
        cJSON_AddStringToObject(form, "policy_base_url", app->cfg.public_url);
    if (!cJSON_GetObjectItemCaseSensitive(form, "sms_number") && app->cfg.from)
        cJSON_AddStringToObject(form, "sms_number", app->cfg.from);
    cJSON_DeleteItemFromObjectCaseSensitive(form, "mode");
    /* The EIN / BN, kept in memory only for the submission to Twilio (a2p.c), then wiped. */
    const char *tax_kind = "EIN";
    char *tax_id = NULL;
    for (int k = 0; k < 2 && !tax_id; k++) {
        const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(form, k ? "bn" : "ein"));
        if (v && v[0]) {
            tax_id = strdup(v);
            tax_kind = k ? "BN" : "EIN";
        }
    }
    char *policy_id = NULL;
    const char *fpid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(form, "policy_id"));
    if (fpid) policy_id = strdup(fpid);
    char *in = cJSON_PrintUnformatted(form);
    wipe_ids(form);
    cJSON_Delete(form);
    if (!in) {
        wipe(tax_id);
        free(tax_id);
        free(policy_id);
        ft_http_error(r, FT_E_NOMEM, NULL);
        return;
    }
    char *out = NULL;
    ft_status st = ft_registration_json(in, strlen(in), &out);
    wipe(in);
    cJSON_free(in);
    cJSON *reply = out ? cJSON_Parse(out) : NULL;
    ft_free(out);
    if (!reply || st != FT_OK) {
        wipe(tax_id);
        free(tax_id);
        tax_id = NULL;
    }
    if (!reply) {
        free(policy_id);
        ft_http_error(r, FT_E_NOMEM, NULL);
        return;
    }
    if (st != FT_OK) {
        free(policy_id);
        /* The core's reply: {"ok":false,"error":{...},"errors":[{field,code,name,message}],...} (no EIN). */
        ft_http_json(r, ft_http_status_of(st), reply);
        return;
    }
    /* A registration with Twilio or approved stays as it is: the edit becomes a pending change. */
    char *cur = NULL;
    ft_store_setting_get(app->store, "registration_status", &cur);
    if (in_force(cur)) {
        wipe(tax_id); /* nothing is submitted: Twilio keeps the EIN / BN it was given */
        free(tax_id);
        free(policy_id);
        save_pending(r, reply, cur);
        free(cur);
        return;
    }
    free(cur);
    /* Stored: the profile and the campaign (neither holds the EIN / BN: registration.h). */
    cJSON *keep = cJSON_CreateObject();
    cJSON_AddItemToObject(keep, "profile", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(reply, "profile"), 1));
    cJSON_AddItemToObject(keep, "campaign", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(reply, "campaign"), 1));
    cJSON_AddItemToObject(keep, "policy_page", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(reply, "policy_page"), 1));
    cJSON_AddNumberToObject(keep, "saved_at", (double)ft_now_ms());
    if (policy_id) cJSON_AddStringToObject(keep, "policy_id", policy_id); /* the id its policy page answers to */
    free(policy_id);
    char *ks = cJSON_PrintUnformatted(keep);
    cJSON_Delete(keep);
    ft_events_tx tx;
    st = ks ? ft_events_tx_begin(app, &tx) : FT_E_NOMEM;
    if (st == FT_OK) {
        st = ft_store_setting_set(app->store, "registration", ks);
        if (st == FT_OK) st = ft_store_setting_set(app->store, "registration_status", "profile_saved");
        if (st == FT_OK) { /* a new submission from scratch: an edit kept pending is now the profile */
            st = ft_store_setting_delete(app->store, "registration_pending");
            if (st == FT_E_NOT_FOUND) st = FT_OK;
        }
        char id[37];
        ft_uuid_v4(id);
        cJSON *b = cJSON_CreateObject();
        cJSON_AddStringToObject(b, "status", "profile_saved");
        const cJSON *prof = cJSON_GetObjectItemCaseSensitive(reply, "profile");
        const char *legal = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(prof, "legal_name"));
        if (legal) cJSON_AddStringToObject(b, "legal_name", legal);
        if (st == FT_OK) st = ft_events_tx_add(&tx, id, r->user_id, "registration.saved", b, 0, NULL);
        cJSON_Delete(b);
        if (st == FT_OK) st = ft_events_tx_commit(&tx);
        else ft_events_tx_abort(&tx);
    }
    cJSON_free(ks);
    if (st == FT_OK) ft_a2p_submit(app, tax_kind, tax_id); /* a background step (a2p.c) */
    wipe(tax_id);
    free(tax_id);
    if (st != FT_OK) {
        cJSON_Delete(reply);
        ft_http_error(r, st, NULL);
        return;
    }
    ft_a2p_status_json(app, cJSON_AddObjectToObject(reply, "registration"));
    ft_http_json(r, 200, reply);
}
