/* fieldtext render: a template against a record ({"template": "...", "record": {...}} on stdin),
 * printed as one JSON object: the text, its cost, the worst case, missing fields and warnings.
 * `fieldtext render --fields` lists the field codes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fieldtext/json.h"
#include "fieldtext/template.h"

int ft_cmd_render(int argc, char **argv) {
    if (argc == 1 && strcmp(argv[0], "--fields") == 0) return ft_cli_print(ft_template_fields_json());
    if (argc != 0) {
        fprintf(stderr, "usage: fieldtext render < {\"template\": \"...\", \"record\": {...}} | fieldtext render --fields\n");
        return 2;
    }
    size_t len = 0;
    char *in = ft_cli_read_stdin(FT_JSON_MAX_BYTES, &len);
    if (!in) return ft_cli_print(ft_json_error_reply(FT_E_TOO_LARGE, "stdin is larger than 1 MiB or unreadable")), 1;
    char *reply = NULL;
    ft_status st = ft_template_render_json(in, len, &reply);
    free(in);
    if (ft_cli_print(reply)) return 1;
    return st == FT_OK ? 0 : 1;
}
