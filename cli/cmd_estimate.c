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
            ft_estimate_json(text->valuestring, strlen(text->valuestring), opts, opts ? strlen(opts) : 0, &reply);
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
        if (too_long) status |= ft_cli_print(ft_json_error_reply(FT_E_TOO_LARGE, "the line is longer than 65,535 bytes"));
        else if (n > 0) status |= estimate_line(line, n);
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
