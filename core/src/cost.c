/* fieldtext core: bundles, message cost and balance (cost.h). */
#include "fieldtext/cost.h"

#include <stdio.h>

void ft_pricing_default(ft_pricing *p) {
    if (!p) return;
    *p = (ft_pricing){{{2500, 37500000}, {10000, 140000000}, {25000, 325000000}, {100000, 1200000000}}};
}

static const ft_bundle *find_bundle(const ft_pricing *p, uint32_t segments) {
    for (int i = 0; i < FT_BUNDLE_COUNT; i++)
        if (p->bundles[i].segments == segments) return &p->bundles[i];
    return NULL;
}

ft_status ft_pricing_set(ft_pricing *p, uint32_t bundle_segments, int64_t price_micros) {
    if (!p) return FT_E_INVALID_ARG;
    ft_bundle *b = (ft_bundle *)find_bundle(p, bundle_segments);
    if (!b) return FT_E_BUNDLE_UNKNOWN;
    if (price_micros <= 0 || price_micros > FT_PRICE_MAX_MICROS) return FT_E_PRICE;
    b->price_micros = price_micros;
    return FT_OK;
}

ft_status ft_cost_message(const ft_pricing *p, uint32_t bundle_segments, uint32_t segments, int64_t *micros) {
    if (!p || !micros) return FT_E_INVALID_ARG;
    const ft_bundle *b = find_bundle(p, bundle_segments);
    if (!b) return FT_E_BUNDLE_UNKNOWN;
    if (b->price_micros <= 0 || b->price_micros > FT_PRICE_MAX_MICROS) return FT_E_PRICE;
    /* segments < 2^32 and price <= 1e11: the product stays below 2^63. */
    int64_t n = (int64_t)segments * b->price_micros;
    *micros = (n + b->segments / 2) / b->segments;
    return FT_OK;
}

ft_status ft_cost_rate(const ft_pricing *p, uint32_t bundle_segments, int64_t *micros) {
    return ft_cost_message(p, bundle_segments, 1, micros);
}

ft_status ft_balance_debit(int64_t balance, uint32_t segments, int64_t *after) {
    if (!after) return FT_E_INVALID_ARG;
    if (balance < (int64_t)segments) return FT_E_BALANCE;
    *after = balance - segments;
    return FT_OK;
}

ft_status ft_money_format(int64_t micros, char *buf, size_t cap) {
    if (!buf || cap == 0) return FT_E_INVALID_ARG;
    const char *sign = micros < 0 ? "-" : "";
    uint64_t m = micros < 0 ? (uint64_t)(-(micros + 1)) + 1 : (uint64_t)micros;
    uint64_t dollars = m / 1000000u, frac = m % 1000000u;
    /* two decimals always; more only where they carry information */
    int digits = 6;
    while (digits > 2 && frac % 10 == 0) frac /= 10, digits--;
    int n = snprintf(buf, cap, "%s$%llu.%0*llu", sign, (unsigned long long)dollars, digits, (unsigned long long)frac);
    if (n < 0 || (size_t)n >= cap) return FT_E_BUFFER;
    return FT_OK;
}
