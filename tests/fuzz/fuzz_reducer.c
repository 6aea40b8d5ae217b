/* Fuzz target: the event reducer. Each line of the input is one event, folded by a full and a
 * compact reducer; when the first line is a snapshot that ft_reducer_restore accepts, the full
 * reducer starts from it instead (and the compact one is not used).
 * Invariants: no crash, UB or leak; an event that fails leaves the state unchanged (the same
 * snapshot); the compact reducer answers balance, last_seq, consent and check_send as the full one;
 * state_json gives JSON; snapshot -> restore -> snapshot gives the same text and the same
 * state_json, and a reducer restored half-way folds the rest of the lines to the same snapshot. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "fieldtext/json.h"
#include "fieldtext/reducer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_LINES 128

/* A copy of r restored from its snapshot, checked: the same snapshot text and the same state. */
static ft_reducer *round_trip(const ft_reducer *r) {
    char *snap = ft_reducer_snapshot_json(r);
    if (!snap) abort();
    ft_reducer *back = NULL;
    if (ft_reducer_restore(snap, strlen(snap), &back) != FT_OK || !back) abort();
    char *again = ft_reducer_snapshot_json(back);
    if (!again || strcmp(snap, again) != 0) abort();
    char *s1 = ft_reducer_state_json(r), *s2 = ft_reducer_state_json(back);
    if (!s1 || !s2 || strcmp(s1, s2) != 0) abort();
    cJSON *j = cJSON_Parse(s1);
    if (!cJSON_IsObject(j)) abort();
    cJSON_Delete(j);
    if (ft_reducer_is_compact(back) != ft_reducer_is_compact(r) || ft_reducer_balance(back) != ft_reducer_balance(r) ||
        ft_reducer_last_seq(back) != ft_reducer_last_seq(r))
        abort();
    ft_free(snap);
    ft_free(again);
    ft_free(s1);
    ft_free(s2);
    return back;
}

/* Folds one event; on failure the state must be as before. */
static ft_status apply_checked(ft_reducer *r, const char *line, size_t len) {
    char *before = ft_reducer_snapshot_json(r);
    if (!before) abort();
    ft_status st = ft_reducer_apply(r, line, len);
    if (st != FT_OK) {
        char *after = ft_reducer_snapshot_json(r);
        if (!after || strcmp(before, after) != 0) abort();
        ft_free(after);
    }
    ft_free(before);
    return st;
}

/* The compact reducer answers the send rules as the full one. */
static void same_answers(const ft_reducer *full, const ft_reducer *compact, const char *line, size_t len) {
    if (ft_reducer_balance(full) != ft_reducer_balance(compact) || ft_reducer_last_seq(full) != ft_reducer_last_seq(compact))
        abort();
    cJSON *ev = cJSON_ParseWithLength(line, len);
    const cJSON *body = cJSON_GetObjectItemCaseSensitive(ev, "body");
    const char *phone = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(body, "phone"));
    if (phone) {
        if (ft_reducer_consent_of(full, phone) != ft_reducer_consent_of(compact, phone)) abort();
        uint32_t a = 0, b = 0;
        if (ft_reducer_check_send(full, phone, "Hi", 2, &a) != ft_reducer_check_send(compact, phone, "Hi", 2, &b) || a != b)
            abort();
    }
    cJSON_Delete(ev);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *s = (const char *)data;
    const char *line[MAX_LINES];
    size_t len[MAX_LINES], n = 0;
    for (size_t i = 0; i <= size && n < MAX_LINES;) {
        const char *nl = i < size ? memchr(s + i, '\n', size - i) : NULL;
        size_t end = nl ? (size_t)(nl - s) : size;
        line[n] = s + i;
        len[n++] = end - i;
        i = end + 1;
    }

    ft_reducer *full = NULL, *compact = NULL;
    size_t first = 0;
    if (ft_reducer_restore(line[0], len[0], &full) == FT_OK) {
        first = 1; /* a snapshot to start from: whatever it holds, it must round-trip */
        ft_reducer_free(round_trip(full));
    } else {
        if (full) abort(); /* *out stays NULL on failure */
        if (ft_reducer_new(&full) != FT_OK || ft_reducer_new_compact(&compact) != FT_OK) abort();
    }

    ft_reducer *half = NULL; /* restored from full's snapshot half-way, fed the rest */
    size_t mid = first + (n - first) / 2;
    for (size_t k = first; k < n; k++) {
        if (k == mid) half = round_trip(full);
        apply_checked(full, line[k], len[k]);
        if (half) apply_checked(half, line[k], len[k]);
        if (compact) {
            apply_checked(compact, line[k], len[k]);
            same_answers(full, compact, line[k], len[k]);
        }
    }
    ft_reducer_free(round_trip(full));
    if (compact) ft_reducer_free(round_trip(compact));
    if (half) {
        char *a = ft_reducer_snapshot_json(full), *b = ft_reducer_snapshot_json(half);
        if (!a || !b || strcmp(a, b) != 0) abort();
        ft_free(a);
        ft_free(b);
    }
    ft_reducer_free(half);
    ft_reducer_free(full);
    ft_reducer_free(compact);
    return 0;
}
