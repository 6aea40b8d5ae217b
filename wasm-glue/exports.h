/* fieldtext WASM glue: prototypes of the exported functions (the list is exports.txt). */
#ifndef FT_WASM_EXPORTS_H
#define FT_WASM_EXPORTS_H

#include <stdint.h>

int ft_wasm_segments(const char *utf8, uint32_t len, uint32_t flags, uint32_t *out);
char *ft_wasm_estimate(const char *utf8, uint32_t len, const char *opts, uint32_t opts_len);
const char *ft_wasm_version(void);
/* compliance.c: phone numbers, keywords, consent */
char *ft_wasm_phone(const char *utf8, uint32_t len, const char *opts, uint32_t opts_len);
char *ft_wasm_keyword(const char *utf8, uint32_t len, const char *profile, uint32_t profile_len);
char *ft_wasm_consent_step(const char *json, uint32_t len, const char *opts, uint32_t opts_len);
char *ft_wasm_consent_can_send(const char *json, uint32_t len, const char *opts, uint32_t opts_len);
char *ft_wasm_consent_verify(const char *json, uint32_t len, const char *opts, uint32_t opts_len);
char *ft_wasm_consent_export(const char *json, uint32_t len, const char *opts, uint32_t opts_len);
/* rules.c: templates, registration, scheduling, gateways (JSON in and out) */
char *ft_wasm_template_render(const char *in, uint32_t len, const char *opts, uint32_t opts_len);
char *ft_wasm_template_fields(void);
char *ft_wasm_registration(const char *in, uint32_t len, const char *opts, uint32_t opts_len);
char *ft_wasm_reminders(const char *in, uint32_t len, const char *opts, uint32_t opts_len);
char *ft_wasm_tz(const char *in, uint32_t len, const char *opts, uint32_t opts_len);
char *ft_wasm_gateway(const char *in, uint32_t len, const char *opts, uint32_t opts_len);

#endif
