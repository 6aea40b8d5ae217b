/* fieldtext core: the GSM 03.38 default alphabet as Twilio uses it (no national shift tables). */
#ifndef FIELDTEXT_GSM7_H
#define FIELDTEXT_GSM7_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ft_gsm7_class {
    FT_GSM7_NONE = 0,      /* not in the alphabet: forces UCS-2 */
    FT_GSM7_BASIC = 1,     /* one septet */
    FT_GSM7_EXTENSION = 2  /* escape + character: two septets (FF ^ { } \ [ ~ ] | and the euro sign) */
} ft_gsm7_class;

/* ft_gsm7_classify: the class of one Unicode code point. Never fails. */
ft_gsm7_class ft_gsm7_classify(uint32_t cp);

#ifdef __cplusplus
}
#endif
#endif
