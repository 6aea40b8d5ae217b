/* Internal: Twilio's Smart Encoding table (sorted by code point), see smart_map.c. */
#ifndef FT_SMART_MAP_H
#define FT_SMART_MAP_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t cp;             /* the code point replaced */
    uint8_t len;             /* bytes in repl (0: the character is deleted) */
    const char *repl;        /* replacement, ASCII */
} ft_smart_entry;

extern const ft_smart_entry ft_smart_map[];
extern const size_t ft_smart_map_len;

/* Binary search; NULL when cp has no replacement. */
const ft_smart_entry *ft_smart_lookup(uint32_t cp);
#endif
