/* fieldtext relay: configuration from the environment, start-up and shutdown.
 *
 *   FIELDTEXT_PORT (8080; 0 picks a free port), FIELDTEXT_DATA (var/), FIELDTEXT_WEB (the source
 *   tree's web/), FIELDTEXT_PUBLIC_URL (what Twilio calls; webhooks are verified against it),
 *   FIELDTEXT_SANDBOX=1 or --sandbox, FIELDTEXT_ADMIN_PASSWORD (tests), FIELDTEXT_RETRY_BASE_MS,
 *   TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID, TWILIO_API_BASE,
 *   FIELDTEXT_REQUIRE_REGISTRATION (0/1; default 1 when TWILIO_ACCOUNT_SID is set: sends wait for the
 *   approved A2P campaign), FIELDTEXT_A2P_POLL_MS (brand / campaign status polling; 60 s against
 *   api.twilio.com, 250 ms against another TWILIO_API_BASE such as the sandbox),
 *   FIELDTEXT_CLOCK_OFFSET_MS (added to the clock of the reminder scheduler and the send window: tests), FIELDTEXT_REMINDER_DAYS_BEFORE
 *   (job.saved's default days_before, 1; the setting "reminder_days_before" wins),
 *   FIELDTEXT_CHECKPOINT_EVERY (events between state checkpoints, 10000; 0: none; events.c).
 * --check-state: folds the log from the state checkpoint and from the start, prints whether both
 * give the same state (JSON), exits 0 when they do; starts nothing, writes nothing.
 * Always binds 127.0.0.1. Prints "fieldtext-relay: listening on http://127.0.0.1:PORT" when ready. */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "relay.h"

#ifndef FT_WEB_DIR
#define FT_WEB_DIR "web"
#endif

static char *env_dup(const char *name, const char *dflt) {
    const char *v = getenv(name);
    if (v && v[0]) return strdup(v);
    return dflt ? strdup(dflt) : NULL;
}

static void usage(void) {
    fprintf(stderr, "usage: fieldtext-relay [--sandbox] [--port N] [--data DIR] [--web DIR] [--check-state]\n"
                    "configuration: see relay/main.c (FIELDTEXT_*, TWILIO_* environment variables)\n");
}

static void set_origins(ft_relay *app) {
    snprintf(app->self_host[0], sizeof app->self_host[0], "127.0.0.1:%d", app->cfg.port);
    snprintf(app->self_host[1], sizeof app->self_host[1], "localhost:%d", app->cfg.port);
    snprintf(app->self_origin[0], sizeof app->self_origin[0], "http://127.0.0.1:%d", app->cfg.port);
    snprintf(app->self_origin[1], sizeof app->self_origin[1], "http://localhost:%d", app->cfg.port);
    const char *pub = app->cfg.public_url;
    if (pub) {
        const char *host = strstr(pub, "://");
        if (host) {
            host += 3;
            size_t hn = strcspn(host, "/?#");
            size_t on = (size_t)(host - pub) + hn;
            if (hn < sizeof app->self_host[2] && on < sizeof app->self_origin[2]) {
                memcpy(app->self_host[2], host, hn);
                memcpy(app->self_origin[2], pub, on);
            }
        }
    }
}

/* glibc's allocator, set for a server of many short-lived connection threads on few cores:
 * - at most two arenas (by default a thread may get its own, up to 8 per core, each keeping its
 *   free pages: about 1.5 MB more resident for the same work here);
 * - fixed mmap and trim thresholds: by default freeing a large block raises both (the 8 MiB of an
 *   scrypt hash would raise them to 8 and 16 MiB), after which large buffers come from the
 *   heap and their pages are never returned. */
static void tune_malloc(void) {
#ifdef __GLIBC__
    mallopt(M_ARENA_MAX, 2);
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
    mallopt(M_TRIM_THRESHOLD, 1024 * 1024);
#endif
}

int main(int argc, char **argv) {
    static ft_relay app;
    tune_malloc();
    ft_relay_config *cfg = &app.cfg;
    const char *port_s = getenv("FIELDTEXT_PORT");
    cfg->port = port_s && port_s[0] ? atoi(port_s) : 8080;
    cfg->data_dir = env_dup("FIELDTEXT_DATA", "var");
    cfg->web_dir = env_dup("FIELDTEXT_WEB", FT_WEB_DIR);
    cfg->account_sid = env_dup("TWILIO_ACCOUNT_SID", NULL);
    cfg->auth_token = env_dup("TWILIO_AUTH_TOKEN", NULL);
    cfg->from = env_dup("TWILIO_FROM", NULL);
    if (!cfg->from) cfg->from = env_dup("TWILIO_FROM_NUMBER", NULL);
    cfg->messaging_service_sid = env_dup("TWILIO_MESSAGING_SERVICE_SID", NULL);
    cfg->api_base = env_dup("TWILIO_API_BASE", FT_RELAY_DEFAULT_TWILIO_BASE);
    cfg->public_url = env_dup("FIELDTEXT_PUBLIC_URL", NULL);
    cfg->admin_password = env_dup("FIELDTEXT_ADMIN_PASSWORD", NULL);
    const char *sb = getenv("FIELDTEXT_SANDBOX");
    cfg->sandbox = sb && sb[0] && strcmp(sb, "0") != 0;
    const char *rb = getenv("FIELDTEXT_RETRY_BASE_MS");
    cfg->retry_base_ms = rb && atoi(rb) > 0 ? atoi(rb) : 1000;
    const char *rr = getenv("FIELDTEXT_REQUIRE_REGISTRATION");
    cfg->require_registration = rr && rr[0] ? strcmp(rr, "0") != 0 : cfg->account_sid != NULL;
    const char *pm = getenv("FIELDTEXT_A2P_POLL_MS");
    cfg->a2p_poll_ms = pm && atoi(pm) > 0 ? atoi(pm)
                       : strcmp(cfg->api_base, FT_RELAY_DEFAULT_TWILIO_BASE) == 0 ? 60000 : 250;
    const char *co = getenv("FIELDTEXT_CLOCK_OFFSET_MS");
    cfg->clock_offset_ms = co && co[0] ? strtoll(co, NULL, 10) : 0;
    const char *rd = getenv("FIELDTEXT_REMINDER_DAYS_BEFORE");
    cfg->reminder_days_before = rd && rd[0] && atoi(rd) >= 0 && atoi(rd) <= 30 ? atoi(rd) : 1;
    const char *ce = getenv("FIELDTEXT_CHECKPOINT_EVERY");
    cfg->checkpoint_every = ce && ce[0] && atoi(ce) >= 0 ? atoi(ce) : 10000;
    int check_state = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--sandbox") == 0) {
            cfg->sandbox = 1;
        } else if (strcmp(argv[i], "--check-state") == 0) {
            check_state = 1;
        } else if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) {
            cfg->port = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--data") == 0 && i + 1 < argc) {
            free(cfg->data_dir);
            cfg->data_dir = strdup(argv[++i]);
        } else if (strcmp(argv[i], "--web") == 0 && i + 1 < argc) {
            free(cfg->web_dir);
            cfg->web_dir = strdup(argv[++i]);
        } else {
            usage();
            return 2;
        }
    }
    if (cfg->port < 0 || cfg->port > 65535) {
        usage();
        return 2;
    }
    /* Trailing slashes would double up when paths are appended. */
    for (char **u = (char *[]){cfg->public_url, cfg->api_base}, **e = u + 2; u < e; u++) {
        size_t n = *u ? strlen(*u) : 0;
        while (n > 0 && (*u)[n - 1] == '/') (*u)[--n] = '\0';
    }
    if (cfg->public_url && cfg->public_url[0] == '\0') {
        free(cfg->public_url);
        cfg->public_url = NULL;
    }

    /* Signals are taken by sigwait below, not by the worker threads. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&app.log_lock, &a);
    pthread_mutexattr_destroy(&a);
    pthread_mutex_init(&app.notify_lock, NULL);
    pthread_cond_init(&app.notify_cond, NULL);
    pthread_cond_init(&app.outbox_cond, NULL);
    pthread_mutex_init(&app.throttle_lock, NULL);
    pthread_mutex_init(&app.a2p_lock, NULL);
    pthread_cond_init(&app.a2p_cond, NULL);
    pthread_mutex_init(&app.sched_lock, NULL);
    pthread_cond_init(&app.sched_cond, NULL);
    pthread_mutex_init(&app.gc_lock, NULL);
    pthread_cond_init(&app.gc_cond, NULL);

    int rc = 1;
    if (ft_store_open(cfg->data_dir, &app.store) != FT_OK) goto out;
    if (check_state) {
        /* Folds the log from the checkpoint and from the start, compares, prints; writes nothing. */
        rc = ft_events_check_state(&app) ? 0 : 1;
        goto out;
    }
    char *pid = NULL;
    if (ft_store_setting_get(app.store, "policy_id", &pid) == FT_E_NOT_FOUND) {
        char id[37];
        ft_uuid_v4(id);
        ft_store_setting_set(app.store, "policy_id", id);
    }
    free(pid);
    if (!ft_events_init(&app)) {
        fprintf(stderr, "fieldtext-relay: cannot read the event log\n");
        goto out;
    }
    if (!ft_http_start(&app)) {
        fprintf(stderr, "fieldtext-relay: cannot listen on 127.0.0.1:%d\n", cfg->port);
        goto out;
    }
    if (cfg->port == 0) {
        /* Port 0: the kernel chose one; tests read it from the "listening" line. */
        cfg->port = ft_http_bound_port();
    }
    set_origins(&app);
    if (!ft_auth_init(&app)) {
        fprintf(stderr, "fieldtext-relay: cannot prepare the accounts\n");
        goto stop_http;
    }
    if (!ft_twilio_start(&app)) {
        fprintf(stderr, "fieldtext-relay: cannot start the sender\n");
        goto stop_http;
    }
    if (!ft_a2p_start(&app)) {
        fprintf(stderr, "fieldtext-relay: cannot start the A2P registration worker\n");
        ft_twilio_stop(&app);
        goto stop_http;
    }
    if (!ft_reminders_start(&app)) {
        fprintf(stderr, "fieldtext-relay: cannot start the reminder scheduler\n");
        ft_a2p_stop(&app);
        ft_twilio_stop(&app);
        goto stop_http;
    }
    printf("fieldtext-relay: listening on http://127.0.0.1:%d%s\n", cfg->port, cfg->sandbox ? " (sandbox)" : "");
    fflush(stdout);
    int sig = 0;
    sigwait(&sigs, &sig);
    printf("fieldtext-relay: stopping\n");
    fflush(stdout);
    rc = 0;
    atomic_store(&app.stopping, 1);
    ft_events_notify(&app, 0, 1);
    ft_reminders_stop(&app);
    ft_a2p_stop(&app);
    ft_twilio_stop(&app);
stop_http:
    atomic_store(&app.stopping, 1);
    ft_events_notify(&app, 0, 1);
    ft_http_stop();
out:
    ft_events_fini(&app);
    ft_store_close(app.store);
    free(cfg->data_dir);
    free(cfg->web_dir);
    free(cfg->account_sid);
    free(cfg->auth_token);
    free(cfg->from);
    free(cfg->messaging_service_sid);
    free(cfg->api_base);
    free(cfg->public_url);
    free(cfg->admin_password);
    return rc;
}
