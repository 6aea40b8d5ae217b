/* fieldtext core: GSM-7 basic and extension tables (../shared/SEGMENTS.md). */
#include "fieldtext/gsm7.h"

#include <stddef.h>

/* Latin-1 and Greek members of the basic table, beyond printable ASCII. */
static const uint16_t basic_extra[] = {
    0x00A1, 0x00A3, 0x00A4, 0x00A5, 0x00A7, 0x00BF, 0x00C4, 0x00C5, 0x00C6, 0x00C7, 0x00C9,
    0x00D1, 0x00D6, 0x00D8, 0x00DC, 0x00DF, 0x00E0, 0x00E4, 0x00E5, 0x00E6, 0x00E8, 0x00E9,
    0x00EC, 0x00F1, 0x00F2, 0x00F6, 0x00F8, 0x00F9, 0x00FC, 0x0393, 0x0394, 0x0398, 0x039B,
    0x039E, 0x03A0, 0x03A3, 0x03A6, 0x03A8, 0x03A9,
};

ft_gsm7_class ft_gsm7_classify(uint32_t cp) {
    if (cp < 0x80) {
        switch (cp) {
        case '\n': case '\r': return FT_GSM7_BASIC;
        case 0x0C: case '^': case '{': case '}': case '\\': case '[': case '~': case ']': case '|':
            return FT_GSM7_EXTENSION;
        case '`': return FT_GSM7_NONE;
        default: return (cp >= 0x20 && cp <= 0x7E) ? FT_GSM7_BASIC : FT_GSM7_NONE;
        }
    }
    if (cp == 0x20AC) return FT_GSM7_EXTENSION;
    if (cp > 0x03A9) return FT_GSM7_NONE;
    size_t lo = 0, hi = sizeof basic_extra / sizeof basic_extra[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (basic_extra[mid] == cp) return FT_GSM7_BASIC;
        if (basic_extra[mid] < cp) lo = mid + 1; else hi = mid;
    }
    return FT_GSM7_NONE;
}
