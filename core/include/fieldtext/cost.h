/* fieldtext core: prepaid segment bundles, the cost of a message, and the balance check.
 *
 * Money is integer micro-dollars (int64_t): $0.015 is 15000. The business buys bundles of
 * segments; both sent and received messages draw segments from the balance. A message costs its
 * segments at the per-segment rate of the bundle the business bought, rounded half up to the
 * micro-dollar (exact for the default prices).
 */
#ifndef FIELDTEXT_COST_H
#define FIELDTEXT_COST_H

#include <stddef.h>
#include <stdint.h>

#include "fieldtext/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FT_BUNDLE_COUNT 4
#define FT_PRICE_MAX_MICROS 100000000000LL /* $100,000: a price above it is refused as a typo */
#define FT_MICROS_PER_DOLLAR 1000000LL

/* The bundles offered: 2,500 / 10,000 / 25,000 / 100,000 segments. The 2,500 price is the
 * product's ($37.50); the others are settings, defaulting to a volume discount. */
typedef struct ft_bundle {
    uint32_t segments;
    int64_t price_micros;
} ft_bundle;

typedef struct ft_pricing {
    ft_bundle bundles[FT_BUNDLE_COUNT];
} ft_pricing;

/* Defaults: 2,500 = $37.50 (0.015), 10,000 = $140 (0.014), 25,000 = $325 (0.013),
 * 100,000 = $1,200 (0.012). */
void ft_pricing_default(ft_pricing *p);

/* ft_pricing_set: change the price of the bundle of that size.
 * Errors: FT_E_INVALID_ARG, FT_E_BUNDLE_UNKNOWN, FT_E_PRICE (<= 0 or > FT_PRICE_MAX_MICROS). */
ft_status ft_pricing_set(ft_pricing *p, uint32_t bundle_segments, int64_t price_micros);

/* ft_cost_message: the money cost of `segments` segments at the rate of the given bundle.
 * Errors: FT_E_INVALID_ARG, FT_E_BUNDLE_UNKNOWN. */
ft_status ft_cost_message(const ft_pricing *p, uint32_t bundle_segments, uint32_t segments, int64_t *micros);

/* ft_cost_rate: micro-dollars per segment of a bundle (rounded half up). */
ft_status ft_cost_rate(const ft_pricing *p, uint32_t bundle_segments, int64_t *micros);

/* ft_balance_debit: whether a balance of `balance` segments covers `segments` more; on FT_OK
 * *after is the balance left. Errors: FT_E_INVALID_ARG, FT_E_BALANCE (balance unchanged). */
ft_status ft_balance_debit(int64_t balance, uint32_t segments, int64_t *after);

/* ft_money_format: "$37.50" style (cents; a fraction of a cent as up to 4 more digits: "$0.015").
 * Writes at most cap bytes including the NUL; FT_E_BUFFER if cap is too small (32 always suffices). */
ft_status ft_money_format(int64_t micros, char *buf, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
