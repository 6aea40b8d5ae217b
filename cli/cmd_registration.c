/* fieldtext registration: the business profile form (JSON on stdin) -> the per-field errors, or
 * the campaign payload and the policy page data. The EIN / BN is never printed. `--check` only
 * validates. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "cli.h"
#include "fieldtext/json.h"
#include "fieldtext/registration.h"

int ft_cmd_registration(int argc, char **argv) {
    int check = argc == 1 && strcmp(argv[0], "--check") == 0;
    if (argc > 1 || (argc == 1 && !check)) {
        fprintf(stderr, "usage: fieldtext registration [--check] < form.json\n");
        return 2;
    }
    size_t len = 0;
    char *in = ft_cli_read_stdin(FT_JSON_MAX_BYTES, &len);
    if (!in) return ft_cli_print(ft_json_error_reply(FT_E_TOO_LARGE, "stdin is larger than 1 MiB or unreadable")), 1;
    char *reply = NULL;
    ft_status st;
    if (check) {
        /* add "mode":"check" to the form */
        cJSON *j = cJSON_ParseWithLength(in, len);
        if (cJSON_IsObject(j)) {
            cJSON_DeleteItemFromObjectCaseSensitive(j, "mode");
            cJSON_AddStringToObject(j, "mode", "check");
            char *s = cJSON_PrintUnformatted(j);
            st = s ? ft_registration_json(s, strlen(s), &reply) : FT_E_NOMEM;
            if (s) {
                memset(s, 0, strlen(s)); /* it held the EIN / BN */
                free(s);
            }
        } else {
            st = ft_registration_json(in, len, &reply);
        }
        cJSON_Delete(j);
    } else {
        st = ft_registration_json(in, len, &reply);
    }
    memset(in, 0, len);
    free(in);
    if (ft_cli_print(reply)) return 1;
    return st == FT_OK ? 0 : 1;
}
