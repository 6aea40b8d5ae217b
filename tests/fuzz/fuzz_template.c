/* Fuzz target: template parsing, rendering and the render JSON. Invariants: no crash; a parsed
 * template renders; missing fields are exactly the used fields without a value or fallback; the
 * opt-out text is present after rendering unless suppressed. The first byte picks the mode. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fieldtext/json.h"
#include "fieldtext/template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    const char *s = (const char *)data + 1;
    size_t len = size - 1;
    if (data[0] & 1) {
        /* the whole input is the JSON request */
        char *out = NULL;
        ft_template_render_json(s, len, &out);
        if (!out) abort();
        ft_free(out);
        return 0;
    }
    ft_template *t = NULL;
    ft_template_error err;
    ft_status st = ft_template_parse(s, len, &t, &err);
    if (st != FT_OK) {
        if (t || !err.detail[0]) abort();
        return 0;
    }
    ft_template_values v = {0};
    for (int i = 0; i < FT_FIELD_COUNT; i++)
        if (data[0] & (2u << (i % 7))) {
            v.value[i] = "Zoë";
            v.len[i] = 4;
        }
    ft_template_output o;
    st = ft_template_render(t, &v, 0, &o);
    if (st != FT_OK && st != FT_E_TPL_MISSING_VALUE) abort();
    if (!o.text || o.text[o.len] != '\0') abort(); /* NUL is data: only the terminator is checked */
    if ((o.missing_mask & ~t->used_mask) != 0) abort();
    if ((st == FT_E_TPL_MISSING_VALUE) != (o.missing_mask != 0)) abort();
    if (!ft_template_has_opt_out(o.text, o.len)) abort();
    free(o.text);
    ft_template_free(t);
    return 0;
}
