/* fieldtext core: SMS encoding and segmentation, exactly as Twilio counts them.
 *
 * The rules (../shared/SEGMENTS.md): the text is split into grapheme clusters (utf8proc, current
 * Unicode; "\r\n" is split back into "\r" and "\n"); a cluster is GSM only if it is a single UTF-16
 * unit found in the GSM-7 basic or extension table; the message is GSM-7 if every cluster is GSM,
 * else UCS-2. GSM-7 costs 7 bits a basic character and 14 an extension character; UCS-2 costs 16
 * bits per UTF-16 unit. One segment carries 1120 bits: 160 septets / 70 units alone, or 153 / 67
 * with the 48-bit concatenation header once there are two or more. A cluster is never split across
 * segments. Unlike Twilio's calculator, no segment is ever reported over 1120 bits.
 *
 * Twilio's Smart Encoding (FT_SEG_SMART) replaces characters from Twilio's table (curly quotes,
 * dashes, odd spaces; zero-width characters deleted) before anything else.
 *
 * "Characters" (the 1,600 limit) are counted in UTF-16 code units of the text as written, before
 * any Smart Encoding. Why: Twilio refuses bodies over 1,600 characters (error 21617) without saying
 * which unit it counts; UTF-16 units are never fewer than code points, so counting them never lets
 * through a message Twilio would refuse, and it is the number a browser's text field counts, so
 * staff see the same figure in every place.
 */
#ifndef FIELDTEXT_SEGMENT_H
#define FIELDTEXT_SEGMENT_H

#include <stddef.h>
#include <stdint.h>

#include "fieldtext/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FT_MSG_MAX_CHARS 1600u        /* Twilio's body limit, in UTF-16 code units (see above) */
#define FT_TEXT_MAX_BYTES 65536u      /* the engine refuses to analyse more than this (FT_E_TOO_LARGE) */
#define FT_SEGMENT_BITS 1120u         /* 140 octets */
#define FT_UDH_BITS 48u               /* concatenation header in each part of a multi-part message */
#define FT_GSM7_SINGLE 160u           /* septets in a one-segment GSM-7 message */
#define FT_GSM7_MULTI 153u            /* septets per part of a multi-part GSM-7 message */
#define FT_UCS2_SINGLE 70u            /* UTF-16 units in a one-segment UCS-2 message */
#define FT_UCS2_MULTI 67u             /* UTF-16 units per part of a multi-part UCS-2 message */

typedef enum ft_encoding { FT_ENCODING_GSM7 = 0, FT_ENCODING_UCS2 = 1 } ft_encoding;

/* Option flags. */
#define FT_SEG_SMART 1u /* apply Twilio's Smart Encoding first */

/* The fast result: no allocation. */
typedef struct ft_segment_count {
    ft_encoding encoding;
    uint32_t segments;    /* 1 for an empty text, as Twilio's calculator reports */
    uint32_t characters;  /* UTF-16 code units of the text as written (before Smart Encoding) */
    uint32_t code_points; /* Unicode scalar values of the text as written */
    uint32_t units;       /* septets (GSM-7) or UTF-16 units (UCS-2) of the text as encoded */
} ft_segment_count;

/* One segment of an analysed message. Offsets are into the text as written (the caller's input),
 * in bytes and in UTF-16 code units (what a JavaScript string index is). With Smart Encoding, a
 * replaced character belongs to the segment that holds the start of its replacement. */
typedef struct ft_segment_range {
    uint32_t byte_start, byte_end;
    uint32_t u16_start, u16_end;
    uint32_t units;       /* septets or UTF-16 units carried */
} ft_segment_range;

/* Where a replacement proposed for a character comes from. */
typedef enum ft_repl_source {
    FT_REPL_NONE = 0,
    FT_REPL_TWILIO_SMART = 1, /* Twilio's Smart Encoding table */
    FT_REPL_NFC = 2,          /* the composed (NFC) form is a GSM character */
    FT_REPL_BASE_LETTER = 3   /* compatibility decomposition without marks (utf8proc) */
} ft_repl_source;

#define FT_REPL_MAX_BYTES 16u

/* A grapheme cluster that forces UCS-2. */
typedef struct ft_nongsm_char {
    uint32_t byte_start, byte_end;
    uint32_t u16_start, u16_end;
    uint32_t code_point;          /* the cluster's first code point */
    ft_repl_source repl_source;   /* FT_REPL_NONE: no GSM replacement is known */
    uint8_t repl_len;             /* bytes in repl */
    char repl[FT_REPL_MAX_BYTES]; /* UTF-8, GSM-7 only, not NUL-terminated; may be empty (deleted) */
} ft_nongsm_char;

/* The cheaper spelling: the set of replacements that lowers the segment count (never raises it). */
typedef struct ft_suggestion {
    int available;         /* 1 when some replacements save segments */
    uint32_t segments;     /* segments after the replacements */
    ft_encoding encoding;  /* encoding after the replacements */
    uint32_t count;        /* how many entries of nongsm[] it applies (marked in applies[]) */
} ft_suggestion;

/* The full analysis. Allocated by ft_segment_analyze, freed with ft_segment_analysis_free. */
typedef struct ft_segment_analysis {
    ft_segment_count count;
    uint32_t nsegments;
    ft_segment_range *segments;   /* nsegments entries */
    uint32_t nnongsm;
    ft_nongsm_char *nongsm;       /* nnongsm entries, in text order */
    uint8_t *applies;             /* nnongsm flags: 1 if the suggestion replaces that character */
    ft_suggestion suggestion;
} ft_segment_analysis;

/* ft_segment_count_text: encoding, segments and counts of a UTF-8 text; the hot path.
 *   utf8, len  the text (NUL is data; utf8 may be NULL when len is 0)
 *   flags      FT_SEG_SMART or 0
 *   out        receives the counts
 *   err_offset if not NULL, receives the byte offset of the first invalid byte on FT_E_UTF8
 * Errors: FT_E_INVALID_ARG, FT_E_UTF8, FT_E_TOO_LARGE (len > FT_TEXT_MAX_BYTES).
 * Does not check the 1,600 limit: see ft_segment_check_sendable. Allocates nothing. */
ft_status ft_segment_count_text(const char *utf8, size_t len, unsigned flags, ft_segment_count *out,
                                size_t *err_offset);

/* ft_segment_analyze: everything ft_segment_count_text says, plus where each segment starts and
 * ends, every character forcing UCS-2 with its position and GSM replacement, and the cheaper
 * spelling. On success *out owns heap memory: release it with ft_segment_analysis_free (also safe
 * on a zeroed struct). On failure *out is left zeroed. Errors as ft_segment_count_text, FT_E_NOMEM. */
ft_status ft_segment_analyze(const char *utf8, size_t len, unsigned flags, ft_segment_analysis *out,
                             size_t *err_offset);

void ft_segment_analysis_free(ft_segment_analysis *a);

/* ft_segment_apply_suggestion: writes the text with the suggested replacements applied into a
 * malloc'd, NUL-terminated buffer (*out, *out_len); the caller frees it with free(). The analysis
 * must be of the same text. Errors: FT_E_INVALID_ARG, FT_E_NOMEM. */
ft_status ft_segment_apply_suggestion(const char *utf8, size_t len, const ft_segment_analysis *a,
                                      char **out, size_t *out_len);

/* ft_segment_check_sendable: FT_OK when a counted text may be sent: not empty, at most
 * FT_MSG_MAX_CHARS characters. Else FT_E_MSG_EMPTY or FT_E_MSG_TOO_LONG. */
ft_status ft_segment_check_sendable(const ft_segment_count *c);

/* The name Twilio uses for an encoding: "GSM-7" or "UCS-2". Static string. */
const char *ft_encoding_name(ft_encoding e);

#ifdef __cplusplus
}
#endif
#endif
