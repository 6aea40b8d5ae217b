/* fieldtext core: lookup in Twilio's Smart Encoding table (the table itself is generated). */
#include "smart_map.h"

const ft_smart_entry *ft_smart_lookup(uint32_t cp) {
    size_t lo = 0, hi = ft_smart_map_len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ft_smart_map[mid].cp == cp) return &ft_smart_map[mid];
        if (ft_smart_map[mid].cp < cp) lo = mid + 1; else hi = mid;
    }
    return NULL;
}
