/* fieldtext core: GSM-7 basic and extension tables (../shared/SEGMENTS.md). */
#include "fieldtext/gsm7.h"

#include "cluster.h"

/* Septets of each ASCII code point: 1 basic, 2 extension (FF ^ { } \ [ ~ ] |), 0 not GSM
 * (controls other than LF, FF and CR; the grave accent; DEL). Shared with the fast count. */
const char ft_gsm7_ascii_septets[128] =
    "\0\0\0\0\0\0\0\0\0\0\1\0\2\1\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
    "\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1"
    "\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\2\2\2\2\1"
    "\0\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\1\2\2\2\2\0";

/* Latin-1 members of the basic table (cluster.h). Greek capitals (FT_GSM7_GREEK_BITS): 0393 0394 0398
 * 039B 039E 03A0 03A3 03A6 03A8 03A9. */
const uint32_t ft_gsm7_latin1_bits[4] = {0x0u, FT_GSM7_LATIN1_W1, FT_GSM7_LATIN1_W2, FT_GSM7_LATIN1_W3};

ft_gsm7_class ft_gsm7_classify(uint32_t cp) {
    return (ft_gsm7_class)ft_gsm7_septets(cp);
}
