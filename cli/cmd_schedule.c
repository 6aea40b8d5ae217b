/* fieldtext reminders / tz / gateway: scheduling and carrier gateways, JSON on stdin.
 *   fieldtext reminders < {"from","to","days_before","filter",{...},"jobs":[...]}
 *   fieldtext tz < {"zone"|"state", "utc"|"local", "choice"}   (or {"list": true})
 *   fieldtext gateway < {"carrier","number","mms"} | fieldtext gateway --list   (the table) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fieldtext/gateway.h"
#include "fieldtext/json.h"
#include "fieldtext/schedule.h"

typedef ft_status (*json_fn)(const char *, size_t, char **);

static int run(json_fn fn, const char *name, int argc) {
    if (argc != 0) {
        fprintf(stderr, "usage: fieldtext %s < input.json\n", name);
        return 2;
    }
    size_t len = 0;
    char *in = ft_cli_read_stdin(FT_JSON_MAX_BYTES, &len);
    if (!in) return ft_cli_print(ft_json_error_reply(FT_E_TOO_LARGE, "stdin is larger than 1 MiB or unreadable")), 1;
    char *reply = NULL;
    ft_status st = fn(in, len, &reply);
    free(in);
    if (ft_cli_print(reply)) return 1;
    return st == FT_OK ? 0 : 1;
}

int ft_cmd_reminders(int argc, char **argv) {
    (void)argv;
    return run(ft_reminders_json, "reminders", argc);
}

int ft_cmd_tz(int argc, char **argv) {
    (void)argv;
    return run(ft_tz_convert_json, "tz", argc);
}

int ft_cmd_gateway(int argc, char **argv) {
    if (argc == 1 && strcmp(argv[0], "--list") == 0) {
        char *reply = NULL;
        ft_gateway_json("", 0, &reply);
        return ft_cli_print(reply);
    }
    return run(ft_gateway_json, "gateway", argc);
}
