/* mbedtls configuration for fieldtext: only SHA-256 (the consent audit chain), the same in the
 * native and the WebAssembly builds. No platform layer, no self-test, no threading, no time:
 * the core does no I/O. Selected with -DMBEDTLS_CONFIG_FILE (CMakeLists.txt). */
#ifndef FT_MBEDTLS_CONFIG_H
#define FT_MBEDTLS_CONFIG_H

#define MBEDTLS_SHA256_C

#endif
