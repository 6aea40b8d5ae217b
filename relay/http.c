/* fieldtext relay: the HTTP server (libmicrohttpd): bodies capped at 1 MiB, slow clients timed out,
 * routing to the API, the Twilio webhooks, the policy pages and the static files. */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fieldtext/json.h"
#include "relay.h"

static struct MHD_Daemon *g_daemon;

/* ---- the threads ----
 * libmicrohttpd runs its polling thread(s) with epoll; they never block: a webhook is checked there
 * and its writes queued to the commit thread (events.c), any other request runs on a worker thread
 * (blocking allowed: SQLite, scrypt, libcurl), and the connection is suspended meanwhile, then
 * resumed; its access handler is called again and queues the reply. A thread per connection cost
 * two thread switches per webhook (the connection's, and its wake-up after the group commit). */

#define FT_HTTP_WORKERS_MAX 64
static pthread_mutex_t g_gate = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_gate_cond = PTHREAD_COND_INITIALIZER;
static int g_closing;          /* under g_gate: no more suspensions */
static unsigned g_suspended;   /* under g_gate: suspended, not resumed yet */

static pthread_mutex_t g_jobs_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_jobs_cond = PTHREAD_COND_INITIALIZER;
static struct ft_http_job *g_jobs_head, *g_jobs_tail;
static int g_jobs_quit, g_idle_workers;
static pthread_t g_workers[FT_HTTP_WORKERS_MAX];
static int g_nworkers;

int ft_http_suspend(struct MHD_Connection *conn) {
    pthread_mutex_lock(&g_gate);
    int ok = !g_closing;
    if (ok) g_suspended++;
    pthread_mutex_unlock(&g_gate);
    if (ok) MHD_suspend_connection(conn);
    return ok;
}

void ft_http_resume(struct MHD_Connection *conn) {
    MHD_resume_connection(conn);
    pthread_mutex_lock(&g_gate);
    if (--g_suspended == 0 && g_closing) pthread_cond_broadcast(&g_gate_cond);
    pthread_mutex_unlock(&g_gate);
}

void ft_http_defer(struct ft_http_job *job) {
    job->next = NULL;
    pthread_mutex_lock(&g_jobs_lock);
    if (g_jobs_tail) g_jobs_tail->next = job;
    else g_jobs_head = job;
    g_jobs_tail = job;
    int wake = g_idle_workers > 0;
    pthread_mutex_unlock(&g_jobs_lock);
    if (wake) pthread_cond_signal(&g_jobs_cond);
}

static void *worker_main(void *arg) {
    (void)arg;
    pthread_mutex_lock(&g_jobs_lock);
    for (;;) {
        while (!g_jobs_head && !g_jobs_quit) {
            g_idle_workers++;
            pthread_cond_wait(&g_jobs_cond, &g_jobs_lock);
            g_idle_workers--;
        }
        struct ft_http_job *job = g_jobs_head;
        if (!job) break;
        g_jobs_head = job->next;
        if (!g_jobs_head) g_jobs_tail = NULL;
        pthread_mutex_unlock(&g_jobs_lock);
        job->fn(job->arg);
        pthread_mutex_lock(&g_jobs_lock);
    }
    pthread_mutex_unlock(&g_jobs_lock);
    return NULL;
}

unsigned ft_http_status_of(int code) {
    switch (code) {
    case FT_OK: return 200;
    case FT_E_JSON:
    case FT_E_JSON_SHAPE:
    case FT_E_INVALID_ARG:
    case FT_E_UTF8:
    case FT_E_EVENT_TYPE:
    case FT_E_EVENT_ID:
    case FT_E_LOG_PHONE: return 400;
    case FT_E_TOO_LARGE: return 413;
    case FT_E_AUTH_REQUIRED:
    case FT_E_AUTH_FAILED: return 401;
    case FT_E_FORBIDDEN:
    case FT_E_EVENT_FORBIDDEN: return 403;
    case FT_E_NOT_FOUND: return 404;
    case FT_E_CONFLICT: return 409;
    case FT_E_THROTTLED: return 429;
    case FT_E_MSG_EMPTY:
    case FT_E_MSG_TOO_LONG:
    case FT_E_MSG_MEDIA:
    case FT_E_BALANCE:
    case FT_E_BUNDLE_UNKNOWN:
    case FT_E_PRICE:
    case FT_E_LOG_NO_CONSENT:
    case FT_E_LOG_OPTED_OUT:
    case FT_E_REG_NOT_APPROVED:
    case FT_E_CONSENT_QUIET_HOURS:
    case FT_E_CONSENT_NO_CONSENT:
    case FT_E_CONSENT_OPTED_OUT:
    case FT_E_CONSENT_REVIEW:
    case FT_E_CONSENT_NO_NUMBER:
    case FT_E_CONSENT_ORDER:
    case FT_E_CONSENT_STAFF:
    case FT_E_CONSENT_METHOD:
    case FT_E_CONSENT_TEXT:
    case FT_E_CONSENT_TIME:
    case FT_E_CONSENT_CUSTOMER:
    case FT_E_CONSENT_RECORD:
    case FT_E_REG_INVALID:
    case FT_E_REG_REQUIRED:
    case FT_E_REG_FORMAT:
    case FT_E_REG_EIN_PREFIX:
    case FT_E_REG_BN_CHECK:
    case FT_E_REG_UNKNOWN_VALUE:
    case FT_E_REG_LENGTH:
    case FT_E_REG_URL:
    case FT_E_REG_PHONE:
    case FT_E_REG_EMAIL:
    case FT_E_REG_POSTAL:
    case FT_E_REG_REGION:
    case FT_E_REG_CAMPAIGN:
    case FT_E_TPL_UNKNOWN_FIELD:
    case FT_E_TPL_UNCLOSED:
    case FT_E_TPL_UNOPENED:
    case FT_E_TPL_EMPTY_CODE:
    case FT_E_TPL_TOO_MANY_FIELDS:
    case FT_E_TPL_TOO_LARGE:
    case FT_E_TPL_MISSING_VALUE:
    case FT_E_TPL_RECORD:
    case FT_E_TPL_EMPTY:
    case FT_E_TPL_VALUE_TOO_LONG:
    case FT_E_SCHED_TZ_UNKNOWN:
    case FT_E_SCHED_TZ_RULE:
    case FT_E_SCHED_DATE:
    case FT_E_SCHED_TIME_GAP:
    case FT_E_SCHED_TIME_AMBIGUOUS:
    case FT_E_SCHED_NO_WINDOW:
    case FT_E_SCHED_RECURRENCE:
    case FT_E_SCHED_TOO_MANY:
    case FT_E_SCHED_REGION:
    case FT_E_SCHED_WINDOW:
    case FT_E_SCHED_STARTED: return 422;
    case FT_E_CONSENT_CHAIN: return 409; /* the stored chain is broken: no step can follow it */
    case FT_E_TWILIO: return 502;
    default: return 500;
    }
}

void ft_http_reply(ft_req *r, unsigned status, const char *ctype, const char *body, size_t len) {
    if (r->resp) MHD_destroy_response(r->resp);
    r->resp = MHD_create_response_from_buffer(len, (void *)(uintptr_t)body, MHD_RESPMEM_MUST_COPY);
    r->status = status;
    if (r->resp && ctype) MHD_add_response_header(r->resp, "Content-Type", ctype);
}

void ft_http_header(ft_req *r, const char *name, const char *value) {
    if (r->resp) MHD_add_response_header(r->resp, name, value);
}

void ft_http_json(ft_req *r, unsigned status, cJSON *obj) {
    char *s = obj ? cJSON_PrintUnformatted(obj) : NULL;
    cJSON_Delete(obj);
    if (!s) {
        ft_http_error(r, FT_E_NOMEM, NULL);
        return;
    }
    ft_http_reply(r, status, "application/json; charset=utf-8", s, strlen(s));
    cJSON_free(s);
}

void ft_http_error(ft_req *r, int code, const char *detail) {
    char *s = ft_json_error_reply(code, detail);
    static const char fallback[] = "{\"ok\":false,\"error\":{\"code\":-1,\"name\":\"FT_E_NOMEM\",\"message\":\"out of memory\"}}";
    ft_http_reply(r, ft_http_status_of(code), "application/json; charset=utf-8", s ? s : fallback,
                  s ? strlen(s) : sizeof fallback - 1);
    ft_free(s);
}

const char *ft_http_get_header(ft_req *r, const char *name) {
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *ft_http_query(ft_req *r, const char *name) {
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *ft_http_cookie(ft_req *r, const char *name) {
    return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

void ft_http_client_ip(ft_req *r, char *buf, size_t cap) {
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    buf[0] = '\0';
    if (!ci || !ci->client_addr) return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET) {
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, buf, (socklen_t)cap);
    } else if (sa->sa_family == AF_INET6) {
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, buf, (socklen_t)cap);
    }
}

cJSON *ft_http_body_json(ft_req *r) {
    const char *ct = ft_http_get_header(r, "Content-Type");
    if (!ct || strncasecmp(ct, "application/json", 16) != 0) {
        ft_http_error(r, FT_E_JSON, "send Content-Type: application/json");
        r->status = 415;
        return NULL;
    }
    const char *end = NULL;
    cJSON *j = r->body_len ? cJSON_ParseWithLengthOpts(r->body, r->body_len, &end, 0) : NULL;
    if (!j) {
        ft_http_error(r, FT_E_JSON, "the request body is not valid JSON");
        return NULL;
    }
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        ft_http_error(r, FT_E_JSON_SHAPE, "the request body must be a JSON object");
        return NULL;
    }
    return j;
}

/* ---- the per-request context ---- */

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn) {
    ft_req *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->app = cls;
    r->conn = conn;
    r->raw_uri = strdup(uri ? uri : "/");
    return r;
}

static void req_free(ft_req *r) {
    if (!r) return;
    if (r->finish) r->finish(r, 0);
    if (r->resp) MHD_destroy_response(r->resp);
    ft_auth_clear(r);
    free(r->raw_uri);
    free(r->body);
    free(r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
    (void)cls;
    (void)conn;
    (void)toe;
    req_free(*con_cls);
    *con_cls = NULL;
}

/* On a worker thread: every route but the webhooks. */
static void dispatch(ft_req *r) {
    const char *p = r->path;
    if (!ft_auth_host_ok(r)) {
        ft_http_error(r, FT_E_FORBIDDEN, "unexpected Host header");
        return;
    }
    if (strncmp(p, "/api/", 5) == 0) {
        ft_api_handle(r);
    } else if (strcmp(p, "/policies") == 0) {
        ft_policy_page(r);
    } else if (strcmp(p, "/setup") == 0) {
        if (strcmp(r->method, "POST") == 0) {
            ft_auth_setup(r, 1);
        } else {
            /* The app shows the setup form itself (web/index.html); a built-in form otherwise. */
            r->path = "/index.html";
            ft_static_serve(r);
            if (r->status != 200) ft_auth_setup_page(r);
        }
    } else if (strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0) {
        ft_static_serve(r);
    } else {
        ft_http_error(r, FT_E_NOT_FOUND, "no such route");
        r->status = 405;
    }
}

static void run_dispatch(void *arg) {
    ft_req *r = arg;
    dispatch(r);
    ft_http_resume(r->conn); /* r is the polling thread's from here */
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls) {
    (void)version;
    ft_req *r = *con_cls;
    if (!r) {
        r = on_uri(cls, url, conn);
        if (!r) return MHD_NO;
        *con_cls = r;
    }
    if (!r->method) {
        r->method = method;
        r->path = url;
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        unsigned long long cl_n = cl ? strtoull(cl, NULL, 10) : 0;
        if (cl && cl_n > FT_RELAY_MAX_BODY) {
            r->body_too_large = 1;
            const char *expect = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Expect");
            if ((expect && strcasecmp(expect, "100-continue") == 0) || cl_n > FT_RELAY_MAX_DISCARD) {
                /* Refused before the body: a client waiting for "100 Continue" never sends it (libmicrohttpd
                 * sends no 100 once a response is queued, and closes after it). A body over the discard
                 * bound is not worth receiving either: that client may see a reset instead of the 413. */
                ft_http_error(r, FT_E_TOO_LARGE, "the request body is over 1 MiB");
                ft_http_header(r, "Connection", "close");
                return MHD_queue_response(conn, 413, r->resp);
            }
            /* Otherwise the body is read and dropped (up to FT_RELAY_MAX_DISCARD, within the connection
             * timeout), and the 413 answered at its end, as nginx and Apache do: closing with unread
             * data makes the kernel reset the connection, which often destroys the 413 before the
             * client reads it. (libmicrohttpd 0.9.75 queues responses only before the body or after
             * all of it.) */
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (r->body_too_large) {
            /* Dropped; a chunked body past the discard bound closes the connection. */
            r->discarded += *upload_data_size;
            if (r->discarded > FT_RELAY_MAX_DISCARD) return MHD_NO;
        } else {
            if (r->body_len + *upload_data_size > FT_RELAY_MAX_BODY) {
                r->body_too_large = 1;
                free(r->body);
                r->body = NULL;
                r->body_len = 0;
            } else {
                char *nb = realloc(r->body, r->body_len + *upload_data_size + 1);
                if (!nb) return MHD_NO;
                memcpy(nb + r->body_len, upload_data, *upload_data_size);
                r->body = nb;
                r->body_len += *upload_data_size;
                r->body[r->body_len] = '\0';
            }
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (r->resp && r->status == 413) return MHD_YES; /* already answered */
    if (r->phase == 1) {
        /* Resumed: the worker's reply, or the webhook's outcome. */
        r->phase = 2;
        if (r->finish) r->finish(r, 1);
    } else if (r->phase == 0) {
        if (r->body_too_large) {
            ft_http_error(r, FT_E_TOO_LARGE, "the request body is over 1 MiB");
        } else if (strncmp(r->path, "/twilio/", 8) == 0) {
            ft_webhooks_handle(r); /* the signature authenticates it, whatever the Host */
            if (r->phase == 1) return MHD_YES; /* queued to the commit thread, suspended */
        } else if (ft_http_suspend(conn)) {
            r->phase = 1;
            r->job.fn = run_dispatch;
            r->job.arg = r;
            ft_http_defer(&r->job);
            return MHD_YES;
        } else {
            ft_http_error(r, FT_E_INTERNAL, "the relay is stopping");
            r->status = 503;
            ft_http_header(r, "Connection", "close");
        }
    }
    if (!r->resp) ft_http_error(r, FT_E_INTERNAL, "no reply");
    if (!r->resp) return MHD_NO;
    MHD_add_response_header(r->resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r->resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r->resp, "X-Frame-Options", "DENY");
    if (strncmp(r->path, "/api/", 5) == 0) MHD_add_response_header(r->resp, "Cache-Control", "no-store");
    enum MHD_Result ok = MHD_queue_response(conn, r->status ? r->status : 200, r->resp);
    MHD_destroy_response(r->resp);
    r->resp = NULL;
    return ok;
}

static void stop_workers(void) {
    pthread_mutex_lock(&g_jobs_lock);
    g_jobs_quit = 1;
    pthread_cond_broadcast(&g_jobs_cond);
    pthread_mutex_unlock(&g_jobs_lock);
    for (int i = 0; i < g_nworkers; i++) pthread_join(g_workers[i], NULL);
    g_nworkers = 0;
}

int ft_http_start(ft_relay *app) {
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)app->cfg.port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    /* FIELDTEXT_HTTP_THREADS polling threads (1 by default), FIELDTEXT_HTTP_WORKERS workers (4). */
    const char *e = getenv("FIELDTEXT_HTTP_THREADS");
    unsigned polling = e && atoi(e) > 0 && atoi(e) <= 16 ? (unsigned)atoi(e) : 1;
    e = getenv("FIELDTEXT_HTTP_WORKERS");
    int workers = e && atoi(e) > 0 && atoi(e) <= FT_HTTP_WORKERS_MAX ? atoi(e) : 4;
    g_closing = 0;
    g_jobs_quit = 0;
    for (g_nworkers = 0; g_nworkers < workers; g_nworkers++) {
        if (pthread_create(&g_workers[g_nworkers], NULL, worker_main, NULL) != 0) break;
    }
    if (g_nworkers == 0) return 0;
    /* A pool only for more than one thread (libmicrohttpd warns about a pool of 0 or 1). */
    struct MHD_OptionItem pool[] = {{polling > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END, polling, NULL},
                                    {MHD_OPTION_END, 0, NULL}};
    g_daemon = MHD_start_daemon(
        MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG,
        (uint16_t)app->cfg.port, NULL, NULL, on_request, app, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_ARRAY, pool,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, app, MHD_OPTION_NOTIFY_COMPLETED, on_completed, app,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)FT_RELAY_CONN_MEMORY,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)FT_RELAY_CONN_TIMEOUT_S, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned int)FT_RELAY_MAX_CONNECTIONS, MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)FT_RELAY_MAX_PER_IP,
        MHD_OPTION_END);
    if (!g_daemon) stop_workers();
    return g_daemon != NULL;
}

void ft_http_stop(void) {
    /* No more suspensions (new requests get 503); the suspended ones finish and are resumed (the
     * live streams end at the stop's notify: main.c), as libmicrohttpd stops only without any. */
    pthread_mutex_lock(&g_gate);
    g_closing = 1;
    while (g_suspended > 0) pthread_cond_wait(&g_gate_cond, &g_gate);
    pthread_mutex_unlock(&g_gate);
    if (g_daemon) MHD_stop_daemon(g_daemon);
    g_daemon = NULL;
    stop_workers();
}

int ft_http_bound_port(void) {
    const union MHD_DaemonInfo *i = g_daemon ? MHD_get_daemon_info(g_daemon, MHD_DAEMON_INFO_BIND_PORT) : NULL;
    return i ? (int)i->port : 0;
}
