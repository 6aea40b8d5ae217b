/* fieldtext relay: the static files of web/ (GET/HEAD only), with correct MIME types
 * (application/wasm included) and no way out of the web root. */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "relay.h"

static const struct {
    const char *ext, *type;
} MIME[] = {
    {".html", "text/html; charset=utf-8"},   {".htm", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"}, {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},     {".json", "application/json; charset=utf-8"},
    {".wasm", "application/wasm"},           {".svg", "image/svg+xml"},
    {".png", "image/png"},                   {".jpg", "image/jpeg"},
    {".jpeg", "image/jpeg"},                 {".gif", "image/gif"},
    {".ico", "image/x-icon"},                {".webp", "image/webp"},
    {".txt", "text/plain; charset=utf-8"},   {".map", "application/json; charset=utf-8"},
    {".webmanifest", "application/manifest+json"}, {".woff2", "font/woff2"},
    {".woff", "font/woff"},
};

static const char *mime_of(const char *path) {
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (dot && (!slash || dot > slash)) {
        for (size_t i = 0; i < sizeof MIME / sizeof MIME[0]; i++) {
            if (strcasecmp(dot, MIME[i].ext) == 0) return MIME[i].type;
        }
    }
    return "application/octet-stream";
}

/* A request path is served only if every segment is a plain name: no "..", no hidden files, no
 * backslashes or control characters. */
static int path_ok(const char *p) {
    if (p[0] != '/') return 0;
    for (const char *s = p; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == '\\' || c == 0x7f) return 0;
        if (c == '/' && s[1] == '.') return 0; /* "..", ".git", "./" */
        if (c == '/' && s[1] == '/') return 0;
    }
    return strlen(p) < 1024;
}

static void not_found(ft_req *r) {
    static const char body[] = "<!doctype html><title>Not found</title><p>Not found.</p>";
    ft_http_reply(r, 404, "text/html; charset=utf-8", body, sizeof body - 1);
}

void ft_static_serve(ft_req *r) {
    if (!path_ok(r->path)) {
        not_found(r);
        return;
    }
    char rel[1100];
    size_t n = strlen(r->path);
    snprintf(rel, sizeof rel, "%s%s", r->path, r->path[n - 1] == '/' ? "index.html" : "");
    char root[PATH_MAX], full[PATH_MAX * 2], real[PATH_MAX];
    if (!realpath(r->app->cfg.web_dir, root)) {
        not_found(r);
        return;
    }
    snprintf(full, sizeof full, "%s%s", root, rel);
    /* Symbolic links must not lead out of the web root either. */
    size_t rl = strlen(root);
    if (!realpath(full, real) || strncmp(real, root, rl) != 0 || (real[rl] != '/' && real[rl] != '\0')) {
        not_found(r);
        return;
    }
    int fd = open(real, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0) close(fd);
        not_found(r);
        return;
    }
    r->resp = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
    if (!r->resp) {
        close(fd);
        ft_http_error(r, FT_E_NOMEM, NULL);
        return;
    }
    r->status = 200;
    const char *type = mime_of(real);
    ft_http_header(r, "Content-Type", type);
    ft_http_header(r, "Cache-Control", "no-cache");
    if (strncmp(type, "text/html", 9) == 0) {
        ft_http_header(r, "Content-Security-Policy",
                       "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; "
                       "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
                       "frame-ancestors 'none'; form-action 'self'");
    }
}
