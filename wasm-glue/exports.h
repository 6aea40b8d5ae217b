/* fieldtext WASM glue: prototypes of the exported functions (the list is exports.txt). */
#ifndef FT_WASM_EXPORTS_H
#define FT_WASM_EXPORTS_H

#include <stdint.h>

int ft_wasm_segments(const char *utf8, uint32_t len, uint32_t flags, uint32_t *out);
char *ft_wasm_estimate(const char *utf8, uint32_t len, const char *opts, uint32_t opts_len);
const char *ft_wasm_version(void);

#endif
