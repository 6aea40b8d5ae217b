/* fieldtext phone / keyword / consent: the compliance core from the command line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "cli.h"
#include "fieldtext/consent.h"
#include "fieldtext/json.h"
#include "fieldtext/keyword.h"
#include "fieldtext/phone.h"

/* fieldtext phone TEXT -> {"ok":true,"valid":true,"e164":"+1...",...} or the error. */
int ft_cmd_phone(int argc, char **argv) {
    if (argc != 1) {
        fprintf(stderr, "usage: fieldtext phone TEXT   (quote it: \"(555) 234-5678\")\n");
        return 2;
    }
    char *reply = NULL;
    ft_status st = ft_phone_json(argv[0], strlen(argv[0]), &reply);
    if (ft_cli_print(reply)) return 1;
    return st == FT_OK ? 0 : 1;
}

/* fieldtext keyword TEXT [PROFILE_JSON] -> class, keyword or phrase, reply. */
int ft_cmd_keyword(int argc, char **argv) {
    if (argc < 1 || argc > 2) {
        fprintf(stderr, "usage: fieldtext keyword TEXT ['{\"company_name\":..,\"phone\":..,\"email\":..}']\n");
        return 2;
    }
    char *reply = NULL;
    const char *prof = argc == 2 ? argv[1] : NULL;
    ft_status st = ft_keyword_json(argv[0], strlen(argv[0]), prof, prof ? strlen(prof) : 0, &reply);
    if (ft_cli_print(reply)) return 1;
    return st == FT_OK ? 0 : 1;
}

/* fieldtext consent verify|export-csv|export-json|step|can-send < JSON
 * (see fieldtext/consent.h for each input). export-csv prints the CSV document itself. */
int ft_cmd_consent(int argc, char **argv) {
    if (argc != 1) {
        fprintf(stderr, "usage: fieldtext consent verify|export-json|export-csv|step|can-send < input.json\n"
                        "  verify, export-*: {\"records\":[...],\"expected_head\":\"..\"} or a bare array of records\n"
                        "  step: {\"customer_id\",\"phone\",\"records\":[...],\"step\":{\"type\":\"consent.script_read\",...}}\n"
                        "  can-send: {\"customer_id\",\"phone\",\"records\":[...],\"kind\":\"reminder\",\"now\":ms,"
                        "\"utc_offset_min\":-300,\"region\":\"FL\"}\n");
        return 2;
    }
    size_t len = 0;
    char *in = ft_cli_read_stdin(FT_JSON_MAX_BYTES, &len);
    if (!in) {
        ft_cli_print(ft_json_error_reply(FT_E_TOO_LARGE, "the input is larger than 1 MiB"));
        return 1;
    }
    char *reply = NULL;
    ft_status st;
    const char *cmd = argv[0];
    if (strcmp(cmd, "verify") == 0) st = ft_consent_verify_json(in, len, &reply);
    else if (strcmp(cmd, "export-json") == 0) st = ft_consent_export(in, len, "json", &reply);
    else if (strcmp(cmd, "export-csv") == 0) st = ft_consent_export(in, len, "csv", &reply);
    else if (strcmp(cmd, "step") == 0) st = ft_consent_step_json(in, len, &reply);
    else if (strcmp(cmd, "can-send") == 0) st = ft_consent_can_send_json(in, len, &reply);
    else {
        free(in);
        fprintf(stderr, "fieldtext consent: unknown subcommand '%s'\n", cmd);
        return 2;
    }
    free(in);
    if (st == FT_OK && strcmp(cmd, "export-csv") == 0 && reply) {
        /* the document itself, ready to save as .csv (the verification is in its first lines) */
        cJSON *j = cJSON_Parse(reply);
        const char *doc = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "document"));
        if (doc) {
            fputs(doc, stdout);
            cJSON_Delete(j);
            free(reply);
            return 0;
        }
        cJSON_Delete(j);
    }
    if (ft_cli_print(reply)) return 1;
    return st == FT_OK ? 0 : 1;
}
