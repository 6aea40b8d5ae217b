/* fieldtext relay: libcurl, loaded at its first use.
 *
 * The relay calls libcurl only to talk to Twilio (sends, A2P submission, the sandbox). Linked the
 * usual way, libcurl and the two dozen libraries it pulls in (GnuTLS, Kerberos, LDAP, SSH, RTMP...)
 * are mapped and relocated at start, about 4 MB of resident memory in a relay that may only receive
 * webhooks. So the relay is not linked with libcurl: these functions, with libcurl's own names and
 * prototypes (curl/curl.h), load it with dlopen the first time one of them is called, run
 * curl_global_init once (thread-safely, under pthread_once), and forward. A relay that sends pays
 * for libcurl from its first send on; one that does not, never.
 *
 * Only the functions the relay uses are here: calling another libcurl function from relay/ fails
 * the link until it is added below (one pointer, one line in load(), one forwarder). */
#define _GNU_SOURCE
#define CURL_DISABLE_TYPECHECK /* curl_easy_setopt is defined here, not wrapped in a macro */
#include <curl/curl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>

static struct {
    CURLcode (*global_init)(long);
    void (*global_cleanup)(void);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_perform)(CURL *);
    void (*easy_cleanup)(CURL *);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    const char *(*easy_strerror)(CURLcode);
    char *(*easy_escape)(CURL *, const char *, int);
    void (*free)(void *);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
} L;

static void *lib;
static atomic_int loaded; /* set once, under pthread_once, after L is filled */
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void) {
    /* The SONAME first (what the -dev package's libcurl.so points to). */
    lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!lib) lib = dlopen("libcurl.so", RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        fprintf(stderr, "fieldtext-relay: cannot load libcurl: %s\n", dlerror());
        return;
    }
    int ok = 1;
#define SYM(field, name) ok &= (*(void **)&L.field = dlsym(lib, name)) != NULL
    SYM(global_init, "curl_global_init");
    SYM(global_cleanup, "curl_global_cleanup");
    SYM(easy_init, "curl_easy_init");
    SYM(easy_setopt, "curl_easy_setopt");
    SYM(easy_perform, "curl_easy_perform");
    SYM(easy_cleanup, "curl_easy_cleanup");
    SYM(easy_getinfo, "curl_easy_getinfo");
    SYM(easy_strerror, "curl_easy_strerror");
    SYM(easy_escape, "curl_easy_escape");
    SYM(free, "curl_free");
    SYM(slist_append, "curl_slist_append");
    SYM(slist_free_all, "curl_slist_free_all");
#undef SYM
    if (!ok || L.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "fieldtext-relay: libcurl is not usable (missing symbols or curl_global_init failed)\n");
        dlclose(lib);
        lib = NULL;
        return;
    }
    atomic_store(&loaded, 1);
}

static int ready(void) {
    pthread_once(&once, load);
    return atomic_load(&loaded);
}

/* The relay does not call these two: libcurl is initialised when loaded, and cleaned up at exit
 * (ft_twilio_stop) only if it was loaded. */
CURLcode curl_global_init(long flags) {
    (void)flags;
    return ready() ? CURLE_OK : CURLE_FAILED_INIT;
}

void curl_global_cleanup(void) {
    if (atomic_load(&loaded)) L.global_cleanup(); /* at exit, after every thread that used libcurl is joined */
}

CURL *curl_easy_init(void) { return ready() ? L.easy_init() : NULL; }

CURLcode curl_easy_setopt(CURL *curl, CURLoption option, ...) {
    if (!ready()) return CURLE_FAILED_INIT;
    /* The one argument's type follows from the option's range (as libcurl reads it). */
    va_list ap;
    va_start(ap, option);
    CURLcode rc;
    if (option < CURLOPTTYPE_OBJECTPOINT) {
        rc = L.easy_setopt(curl, option, va_arg(ap, long));
    } else if (option < CURLOPTTYPE_FUNCTIONPOINT) {
        rc = L.easy_setopt(curl, option, va_arg(ap, void *));
    } else if (option < CURLOPTTYPE_OFF_T) {
        void (*fn)(void) = va_arg(ap, void (*)(void));
        rc = L.easy_setopt(curl, option, fn);
    } else if (option < CURLOPTTYPE_BLOB) {
        rc = L.easy_setopt(curl, option, va_arg(ap, curl_off_t));
    } else {
        rc = L.easy_setopt(curl, option, va_arg(ap, void *));
    }
    va_end(ap);
    return rc;
}

CURLcode curl_easy_perform(CURL *curl) { return ready() ? L.easy_perform(curl) : CURLE_FAILED_INIT; }

void curl_easy_cleanup(CURL *curl) {
    if (curl && atomic_load(&loaded)) L.easy_cleanup(curl);
}

CURLcode curl_easy_getinfo(CURL *curl, CURLINFO info, ...) {
    if (!ready()) return CURLE_FAILED_INIT;
    va_list ap;
    va_start(ap, info);
    void *out = va_arg(ap, void *); /* always a pointer to where the answer goes */
    va_end(ap);
    return L.easy_getinfo(curl, info, out);
}

const char *curl_easy_strerror(CURLcode code) {
    return ready() ? L.easy_strerror(code) : "libcurl could not be loaded";
}

char *curl_easy_escape(CURL *curl, const char *string, int length) {
    return ready() ? L.easy_escape(curl, string, length) : NULL;
}

void curl_free(void *p) {
    if (p && atomic_load(&loaded)) L.free(p); /* p came from libcurl, so it is loaded */
}

struct curl_slist *curl_slist_append(struct curl_slist *list, const char *data) {
    return ready() ? L.slist_append(list, data) : NULL;
}

void curl_slist_free_all(struct curl_slist *list) {
    if (list && atomic_load(&loaded)) L.slist_free_all(list);
}
