/* fieldtext estimate: the cost of a message, as one JSON object (or one per input line). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "cli.h"
#include "fieldtext/estimate.h"
#include "fieldtext/json.h"
#include "fieldtext/segment.h"
#include "../core/src/smart_map.h"

/* A JSON string may hold U+0000 ("\u0000", or a raw NUL byte, which cJSON copies), but cJSON's
 * valuestring is NUL-terminated, so strlen() would cut the text there. Returns the decoded length
 * of the "text" member: strlen() when the line cannot hold a NUL; otherwise the line is parsed once
 * more with every NUL spelled as U+0001 (same escape length, so the same decoded length), and the
 * length is read from that copy. The bytes themselves come from the first parse, NULs included. */
static size_t text_length(const char *line, size_t len, const char *decoded) {
    int has_nul = memchr(line, 0, len) != NULL;
    for (size_t i = 0; !has_nul && i + 5 < len; i++) {
        if (line[i] != '\\') continue;
        if (memcmp(line + i + 1, "u0000", 5) == 0) has_nul = 1;
        i++; /* skip the escaped character, so "\\u0000" is not taken for an escape */
    }
    if (!has_nul) return strlen(decoded);
    char *copy = malloc(len);
    if (!copy) return strlen(decoded);
    memcpy(copy, line, len);
    for (size_t i = 0; i < len; i++) {
        if (copy[i] == 0) copy[i] = 1;
        else if (copy[i] == '\\' && i + 1 < len) {
            if (i + 5 < len && memcmp(copy + i + 1, "u0000", 5) == 0) copy[i + 5] = '1';
            i++;
        }
    }
    size_t n = strlen(decoded);
    cJSON *j = cJSON_ParseWithLength(copy, len);
    cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "text");
    if (cJSON_IsString(t)) n = strlen(t->valuestring);
    cJSON_Delete(j);
    free(copy);
    return n;
}

/* One JSONL line {"text": "...", "smart": bool, "bundle": N} -> one reply line. */
static int estimate_line(const char *line, size_t len) {
    cJSON *j = cJSON_ParseWithLength(line, len);
    char *reply = NULL;
    if (!j || !cJSON_IsObject(j)) {
        reply = ft_json_error_reply(FT_E_JSON, "each line must be a JSON object like {\"text\": \"...\", \"smart\": false}");
    } else {
        cJSON *text = cJSON_GetObjectItemCaseSensitive(j, "text");
        if (!cJSON_IsString(text)) {
            reply = ft_json_error_reply(FT_E_JSON_SHAPE, "\"text\" must be a string");
        } else {
            /* the remaining fields are the estimate's options */
            cJSON_DetachItemViaPointer(j, text);
            char *opts = cJSON_PrintUnformatted(j);
            size_t text_len = text_length(line, len, text->valuestring);
            ft_estimate_json(text->valuestring, text_len, opts, opts ? strlen(opts) : 0, &reply);
            free(opts);
            cJSON_Delete(text);
        }
    }
    cJSON_Delete(j);
    return ft_cli_print(reply);
}

static int jsonl(void) {
    size_t cap = 1 << 16, n = 0;
    char *line = malloc(cap);
    if (!line) return 1;
    int c, status = 0, too_long = 0;
    while ((c = getchar()) != EOF) {
        if (c != '\n') {
            if (n + 1 < cap) line[n++] = (char)c; else too_long = 1;
            continue;
        }
        /* every line gets its reply, a blank one too (an error), so reply N answers line N */
        if (too_long) status |= ft_cli_print(ft_json_error_reply(FT_E_TOO_LARGE, "the line is longer than 65,535 bytes"));
        else status |= estimate_line(line, n);
        n = 0;
        too_long = 0;
    }
    if (too_long) status |= ft_cli_print(ft_json_error_reply(FT_E_TOO_LARGE, "the line is longer than 65,535 bytes"));
    else if (n > 0) status |= estimate_line(line, n);
    free(line);
    return status;
}

int ft_cmd_estimate(int argc, char **argv) {
    int smart = 0;
    long bundle = 2500;
    const char *text = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--jsonl") == 0) return jsonl();
        if (strcmp(argv[i], "--smart") == 0) smart = 1;
        else if (strcmp(argv[i], "--bundle") == 0 && i + 1 < argc) bundle = strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--") == 0 && i + 1 < argc) { text = argv[++i]; break; }
        else if (!text) text = argv[i];
        else {
            fprintf(stderr, "fieldtext estimate: one TEXT argument (quote it)\n");
            return 2;
        }
    }
    if (!text) {
        fprintf(stderr, "usage: fieldtext estimate [--smart] [--bundle N] TEXT | fieldtext estimate --jsonl\n");
        return 2;
    }
    char opts[64];
    snprintf(opts, sizeof opts, "{\"smart\":%s,\"bundle\":%ld}", smart ? "true" : "false", bundle);
    char *reply = NULL;
    ft_status st = ft_estimate_json(text, strlen(text), opts, strlen(opts), &reply);
    if (ft_cli_print(reply)) return 1;
    return st == FT_OK ? 0 : 1;
}

int ft_cmd_smart_map(int argc, char **argv) {
    (void)argc;
    (void)argv;
    /* {"2019": "'", ...}: keyed by the code point in hex */
    cJSON *o = cJSON_CreateObject();
    for (size_t i = 0; o && i < ft_smart_map_len; i++) {
        char hex[12], val[FT_REPL_MAX_BYTES];
        snprintf(hex, sizeof hex, "%04X", (unsigned)ft_smart_map[i].cp);
        snprintf(val, sizeof val, "%.*s", (int)ft_smart_map[i].len, ft_smart_map[i].repl);
        if (!cJSON_AddStringToObject(o, hex, val)) {
            cJSON_Delete(o);
            o = NULL;
        }
    }
    char *s = o ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    return ft_cli_print(s);
}
