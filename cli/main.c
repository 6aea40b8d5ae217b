/* fieldtext command-line tool: dispatch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

typedef struct {
    const char *name;
    ft_cli_fn fn;
    const char *usage;
} command;

static const command commands[] = {
    {"estimate", ft_cmd_estimate,
     "estimate [--smart] [--bundle N] TEXT | estimate --jsonl < lines of {\"text\":..,\"smart\":..}"},
    {"smart-map", ft_cmd_smart_map, "smart-map   (Twilio's Smart Encoding table as JSON)"},
    {"phone", ft_cmd_phone, "phone TEXT   (E.164 and NANP checks as JSON)"},
    {"keyword", ft_cmd_keyword, "keyword TEXT [PROFILE_JSON]   (STOP/START/HELP, opt-out requests, the reply)"},
    {"consent", ft_cmd_consent, "consent verify|export-json|export-csv|step|can-send < input.json"},
    {"render", ft_cmd_render, "render < {\"template\":..,\"record\":{..}} | render --fields"},
    {"registration", ft_cmd_registration, "registration [--check] < form.json   (per-field errors or the campaign)"},
    {"reminders", ft_cmd_reminders, "reminders < {\"from\":..,\"to\":..,\"jobs\":[..]}   (when each reminder goes out)"},
    {"tz", ft_cmd_tz, "tz < {\"zone\"|\"state\":..,\"utc\"|\"local\":..} | {\"list\":true}"},
    {"gateway", ft_cmd_gateway, "gateway < {\"carrier\":..,\"number\":..} | gateway --list"},
};

static void usage(FILE *to) {
    fprintf(to, "usage: fieldtext COMMAND [ARGS]\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) fprintf(to, "  fieldtext %s\n", commands[i].usage);
}

char *ft_cli_read_stdin(size_t cap, size_t *len) {
    size_t n = 0, size = 4096;
    char *buf = malloc(size + 1);
    if (!buf) return NULL;
    for (;;) {
        if (n == size) {
            if (size >= cap) {
                free(buf);
                return NULL;
            }
            size = size * 2 > cap ? cap : size * 2;
            char *nb = realloc(buf, size + 1);
            if (!nb) {
                free(buf);
                return NULL;
            }
            buf = nb;
        }
        size_t k = fread(buf + n, 1, size - n, stdin);
        if (k == 0) break;
        n += k;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

int ft_cli_print(char *s) {
    if (!s) {
        fputs("{\"ok\":false,\"error\":{\"code\":-1,\"name\":\"FT_E_NOMEM\",\"message\":\"out of memory\"}}\n", stdout);
        return 1;
    }
    fputs(s, stdout);
    fputc('\n', stdout);
    free(s);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0) return commands[i].fn(argc - 2, argv + 2);
    fprintf(stderr, "fieldtext: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
