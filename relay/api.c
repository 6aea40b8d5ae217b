/* fieldtext relay: the JSON API for browsers (relay/API.md is the contract). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay.h"

/* Business profile fields kept. Anything else sent (an EIN, a BN) is dropped, never stored. */
static const char *const BUSINESS_FIELDS[] = {"name", "phone", "email", "address", "website", "industry",
                                              "city", "state", "zip", "country"};
#define BUSINESS_FIELD_MAX 300u

void ft_api_business_get(ft_relay *app, cJSON *into) {
    char *s = NULL;
    cJSON *b = NULL;
    if (ft_store_setting_get(app->store, "business", &s) == FT_OK) b = cJSON_Parse(s);
    free(s);
    for (size_t i = 0; i < sizeof BUSINESS_FIELDS / sizeof BUSINESS_FIELDS[0]; i++) {
        const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b, BUSINESS_FIELDS[i]));
        cJSON_AddStringToObject(into, BUSINESS_FIELDS[i], v ? v : "");
    }
    cJSON_Delete(b);
    cJSON_AddStringToObject(into, "sms_number", app->cfg.from ? app->cfg.from : "");
    char *pid = NULL;
    if (ft_store_setting_get(app->store, "policy_id", &pid) == FT_OK) {
        char url[1200];
        snprintf(url, sizeof url, "%s/policies?id=%s", app->cfg.public_url ? app->cfg.public_url : "", pid);
        cJSON_AddStringToObject(into, "policy_id", pid);
        cJSON_AddStringToObject(into, "policy_url", url);
    }
    free(pid);
}

static void business_get(ft_req *r) {
    if (!ft_auth_require(r)) return;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "ok", 1);
    ft_api_business_get(r->app, cJSON_AddObjectToObject(o, "business"));
    ft_http_json(r, 200, o);
}

static void business_set(ft_req *r) {
    if (!ft_auth_require_admin(r)) return;
    cJSON *j = ft_http_body_json(r);
    if (!j) return;
    cJSON *keep = cJSON_CreateObject();
    cJSON *ignored = cJSON_CreateArray();
    const cJSON *it;
    cJSON_ArrayForEach(it, j) {
        int known = 0;
        for (size_t i = 0; i < sizeof BUSINESS_FIELDS / sizeof BUSINESS_FIELDS[0]; i++) {
            if (strcmp(it->string, BUSINESS_FIELDS[i]) == 0) known = 1;
        }
        if (!known) {
            cJSON_AddItemToArray(ignored, cJSON_CreateString(it->string));
            continue;
        }
        if (!cJSON_IsString(it) || strlen(it->valuestring) > BUSINESS_FIELD_MAX) {
            char why[128];
            snprintf(why, sizeof why, "%s: a string of at most 300 bytes", it->string);
            cJSON_Delete(j);
            cJSON_Delete(keep);
            cJSON_Delete(ignored);
            ft_http_error(r, FT_E_JSON_SHAPE, why);
            return;
        }
        cJSON_AddStringToObject(keep, it->string, it->valuestring);
    }
    cJSON_Delete(j);
    /* Fields not sent keep their stored values. */
    char *old = NULL;
    cJSON *merged = NULL;
    if (ft_store_setting_get(r->app->store, "business", &old) == FT_OK) merged = cJSON_Parse(old);
    free(old);
    if (!merged) merged = cJSON_CreateObject();
    cJSON_ArrayForEach(it, keep) {
        cJSON_DeleteItemFromObjectCaseSensitive(merged, it->string);
        cJSON_AddStringToObject(merged, it->string, it->valuestring);
    }
    cJSON_Delete(keep);
    char *s = cJSON_PrintUnformatted(merged);
    cJSON_Delete(merged);
    ft_status st = s ? ft_store_setting_set(r->app->store, "business", s) : FT_E_NOMEM;
    cJSON_free(s);
    if (st != FT_OK) {
        cJSON_Delete(ignored);
        ft_http_error(r, st, NULL);
        return;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "ok", 1);
    ft_api_business_get(r->app, cJSON_AddObjectToObject(o, "business"));
    cJSON_AddItemToObject(o, "ignored", ignored);
    ft_http_json(r, 200, o);
}

static void me(ft_req *r) {
    if (!ft_auth_require(r)) return;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "ok", 1);
    cJSON *u = cJSON_AddObjectToObject(o, "user");
    cJSON_AddStringToObject(u, "id", r->user_id);
    cJSON_AddStringToObject(u, "username", r->username);
    cJSON_AddStringToObject(u, "name", r->user_name);
    cJSON_AddStringToObject(u, "role", r->role);
    cJSON_AddStringToObject(o, "csrf", r->csrf);
    cJSON_AddBoolToObject(o, "sandbox", r->app->cfg.sandbox);
    ft_api_business_get(r->app, cJSON_AddObjectToObject(o, "business"));
    pthread_mutex_lock(&r->app->log_lock);
    int64_t bal = ft_reducer_balance(r->app->reducer), last = ft_reducer_last_seq(r->app->reducer);
    pthread_mutex_unlock(&r->app->log_lock);
    cJSON_AddNumberToObject(cJSON_AddObjectToObject(o, "balance"), "segments", (double)bal);
    cJSON_AddNumberToObject(o, "last_seq", (double)last);
    ft_a2p_status_json(r->app, cJSON_AddObjectToObject(o, "registration"));
    cJSON *tw = cJSON_AddObjectToObject(o, "twilio");
    cJSON_AddBoolToObject(tw, "configured", r->app->cfg.account_sid && r->app->cfg.auth_token &&
                                                (r->app->cfg.from || r->app->cfg.messaging_service_sid));
    cJSON_AddBoolToObject(tw, "webhooks", r->app->cfg.public_url != NULL);
    ft_http_json(r, 200, o);
}

static void health(ft_req *r) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddBoolToObject(o, "ok", 1);
    int64_t n = 0;
    ft_store_user_count(r->app->store, &n);
    cJSON_AddBoolToObject(o, "setup_needed", n == 0);
    ft_http_json(r, 200, o);
}

void ft_api_handle(ft_req *r) {
    const char *p = r->path + 4; /* after "/api" */
    int get = strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0;
    int post = strcmp(r->method, "POST") == 0;
    if (strcmp(p, "/login") == 0 && post) ft_auth_login(r);
    else if (strcmp(p, "/logout") == 0 && post) ft_auth_logout(r);
    else if (strcmp(p, "/setup") == 0 && post) ft_auth_setup(r, 0);
    else if (strcmp(p, "/health") == 0 && get) health(r);
    else if (strcmp(p, "/me") == 0 && get) me(r);
    else if (strcmp(p, "/users") == 0 && get) ft_auth_users_list(r);
    else if (strcmp(p, "/users") == 0 && post) ft_auth_users_create(r);
    else if (strcmp(p, "/events") == 0 && get) ft_events_get(r);
    else if (strcmp(p, "/events") == 0 && post) ft_events_post(r);
    else if (strcmp(p, "/stream") == 0 && get) ft_events_stream(r);
    else if (strcmp(p, "/state") == 0 && get) ft_events_state(r);
    else if (strcmp(p, "/ledger/purchase") == 0 && post) ft_ledger_api_purchase(r);
    else if (strcmp(p, "/customers/consent") == 0 && get) ft_consent_history(r);
    else if (strcmp(p, "/registration") == 0 && post) ft_registration_post(r);
    else if (strcmp(p, "/reminders") == 0 && get) ft_reminders_get(r);
    else if (strcmp(p, "/business") == 0 && get) business_get(r);
    else if (strcmp(p, "/business") == 0 && post) business_set(r);
    else if (strcmp(p, "/sandbox/inbound") == 0 && post && r->app->cfg.sandbox) ft_twilio_sandbox_inbound(r);
    else ft_http_error(r, FT_E_NOT_FOUND, "no such API route");
}
