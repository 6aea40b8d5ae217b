/* fieldtext core: message templates with field codes (reminders per job type, quick replies).
 *
 * Syntax. A template is UTF-8 text with field codes written {{group.name}}, for example
 *     "Hi {{customer.first_name}}, {{company.name}} will see you {{job.date}} between
 *      {{job.window_start}} and {{job.window_end}}."
 *   - Spaces inside the braces are allowed ({{ job.date }}); codes are matched case-insensitively.
 *   - A fallback used when the record has no value: {{customer.first_name|there}}. Without a
 *     fallback, a missing value is reported per field (FT_E_TPL_MISSING_VALUE); never a blank.
 *   - Literal braces: a single "{" or "}" is literal; write "\{" and "\}" for literal braces next to
 *     each other ("\{\{" is a literal "{{"), and "\\" for a backslash before a brace. Any other
 *     backslash is literal.
 *   - Errors carry the byte offset and the UTF-16 offset (JavaScript index) of the offending "{{"
 *     or "}}": an unknown code (FT_E_TPL_UNKNOWN_FIELD), "{{" never closed on its line
 *     (FT_E_TPL_UNCLOSED), "}}" never opened (FT_E_TPL_UNOPENED), "{{}}" (FT_E_TPL_EMPTY_CODE).
 *
 * Field codes (ft_template_field_info lists them with labels and maximum lengths):
 *   customer.first_name  customer.last_name  customer.full_name (first + " " + last when absent)
 *   technician.name  technician.first_name  job.date  job.window_start  job.window_end  job.type
 *   job.address  job.gate_code  company.name  company.phone  job.eta (the technician's arrival time,
 *   "10:45 AM": filled by the page's "on the way" notice, not by scheduled reminders)
 *
 * Opt-out language: every message must carry it (RULES.md). Unless the template's own text
 * already has it (the word "STOP" in capitals, or "unsubscribe", "opt out", "opt-out" in any
 * case), FT_TEMPLATE_OPT_OUT is appended after one space.
 *
 * A quick reply (message shortcut) is a plain template: same syntax, same rules.
 */
#ifndef FIELDTEXT_TEMPLATE_H
#define FIELDTEXT_TEMPLATE_H

#include <stddef.h>
#include <stdint.h>

#include "fieldtext/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FT_TEMPLATE_MAX_BYTES 4096u      /* template source size (FT_E_TPL_TOO_LARGE) */
#define FT_TEMPLATE_MAX_FIELDS 64u       /* field-code occurrences in one template */
#define FT_TEMPLATE_MAX_CODE_BYTES 64u   /* bytes between "{{" and "}}" (code + fallback) */
#define FT_TEMPLATE_MAX_DEPTH 4u         /* nesting depth of a record (JSON objects) */
#define FT_TEMPLATE_VALUE_MAX_BYTES 1024u /* one record value, in bytes (FT_E_TPL_RECORD beyond) */
#define FT_TEMPLATE_OPT_OUT "Reply STOP to unsubscribe."

typedef enum ft_field_id {
    FT_FIELD_CUSTOMER_FIRST = 0,
    FT_FIELD_CUSTOMER_LAST,
    FT_FIELD_CUSTOMER_FULL,
    FT_FIELD_TECH_NAME,
    FT_FIELD_TECH_FIRST,
    FT_FIELD_JOB_DATE,
    FT_FIELD_WINDOW_START,
    FT_FIELD_WINDOW_END,
    FT_FIELD_JOB_TYPE,
    FT_FIELD_JOB_ADDRESS,
    FT_FIELD_GATE_CODE,
    FT_FIELD_COMPANY_NAME,
    FT_FIELD_COMPANY_PHONE,
    FT_FIELD_JOB_ETA, /* appended: ids are stable (new fields go here, before FT_FIELD_COUNT) */
    FT_FIELD_COUNT
} ft_field_id;

typedef struct ft_field_info {
    const char *code;       /* "customer.first_name" */
    const char *label;      /* "Customer first name" */
    uint32_t max_chars;     /* the longest value the data allows (worst-case cost), in characters */
    int free_text;          /* 1: people type it, so it may hold non-GSM letters (UCS-2 risk) */
    const char *example;    /* a sample value for previews */
} ft_field_info;

/* The table entry of a field; NULL when id is out of range. Static. */
const ft_field_info *ft_template_field_info(ft_field_id id);

/* The field of a code (case-insensitive, surrounding spaces not allowed here). FT_OK or
 * FT_E_TPL_UNKNOWN_FIELD. */
ft_status ft_template_field_lookup(const char *code, size_t len, ft_field_id *out);

typedef enum ft_tpl_part_kind { FT_TPL_LITERAL = 0, FT_TPL_FIELD = 1 } ft_tpl_part_kind;

typedef struct ft_tpl_part {
    ft_tpl_part_kind kind;
    uint32_t off, len;          /* literal: the unescaped text in ft_template.text */
    ft_field_id field;          /* field: which one */
    int has_fallback;           /* field: 1 when "|fallback" was given (fallback in text[off..off+len]) */
    uint32_t src_byte, src_u16; /* where the part starts in the source (bytes, UTF-16 units) */
    uint32_t src_end_byte, src_end_u16;
} ft_tpl_part;

/* A parsed template. Allocated by ft_template_parse, freed with ft_template_free. */
typedef struct ft_template {
    uint32_t nparts;
    ft_tpl_part *parts;
    char *text;          /* literal text and fallbacks, unescaped (not NUL-terminated) */
    uint32_t used_mask;  /* bit i set when field i occurs */
    int has_opt_out;     /* the literal text already carries opt-out language */
} ft_template;

/* Where and why parsing failed. */
typedef struct ft_template_error {
    uint32_t byte_offset; /* into the source */
    uint32_t u16_offset;  /* the same, in UTF-16 units (a JavaScript string index) */
    uint32_t line, column; /* 1-based; column in UTF-16 units */
    char detail[160];     /* an English sentence naming the problem and its position */
} ft_template_error;

/* ft_template_parse: parses a template.
 *   utf8, len  the source; err may be NULL.
 * On success *out owns heap memory: release with ft_template_free (safe on NULL). On failure
 * *out is NULL and err (if given) says where. Errors: FT_E_INVALID_ARG, FT_E_NOMEM, FT_E_UTF8,
 * FT_E_TPL_EMPTY, FT_E_TPL_TOO_LARGE, FT_E_TPL_UNKNOWN_FIELD, FT_E_TPL_UNCLOSED, FT_E_TPL_UNOPENED,
 * FT_E_TPL_EMPTY_CODE, FT_E_TPL_TOO_MANY_FIELDS. */
ft_status ft_template_parse(const char *utf8, size_t len, ft_template **out, ft_template_error *err);
void ft_template_free(ft_template *t);

/* The record a template renders against: one value per field; NULL (or length 0 after trimming
 * blanks) means the record has no value. The caller owns the strings. */
typedef struct ft_template_values {
    const char *value[FT_FIELD_COUNT];
    size_t len[FT_FIELD_COUNT];
} ft_template_values;

#define FT_TPL_NO_OPT_OUT 1u /* render flag: do not append FT_TEMPLATE_OPT_OUT */

typedef struct ft_template_output {
    char *text;            /* malloc'd, NUL-terminated; free with free() or ft_free */
    size_t len;
    uint32_t missing_mask; /* bit i: field i had no value and no fallback (left as "{{code}}") */
    int opt_out_added;     /* 1 when FT_TEMPLATE_OPT_OUT was appended */
} ft_template_output;

/* ft_template_render: the message for a record. customer.full_name falls back to first + last.
 * A missing field (no value, no fallback) is written back as "{{code}}" so the text shows it, its
 * bit is set in missing_mask, and the status is FT_E_TPL_MISSING_VALUE: out->text is set in that
 * case too. Errors: FT_E_INVALID_ARG, FT_E_NOMEM, FT_E_TPL_MISSING_VALUE. */
ft_status ft_template_render(const ft_template *t, const ft_template_values *v, unsigned flags,
                             ft_template_output *out);

/* ft_template_has_opt_out: whether a text carries opt-out language (see the header comment). */
int ft_template_has_opt_out(const char *utf8, size_t len);

/* ft_template_find_link / ft_template_find_phone: 1 when the text embeds a link (http://, https://,
 * www., or a host name ending in a common top-level domain) / a phone number (10 or 11 digits,
 * optionally separated by spaces, dots, dashes or parentheses). */
int ft_template_find_link(const char *utf8, size_t len);
int ft_template_find_phone(const char *utf8, size_t len);

/* ft_template_render_json: everything the templates screen and `fieldtext render` need.
 * Input: {"template": "...", "record": {...}?, "smart": false, "bundle": 2500, "opt_out": true,
 *         "campaign": {"has_embedded_links": false, "has_embedded_phone": false}}
 *   record: nested ({"customer": {"first_name": "Ann"}}) or flat ({"customer.first_name": "Ann"});
 *   values are strings or integers; null or blank means missing.
 * Reply: {"ok":true,"text":"...","opt_out_added":bool,
 *   "fields":[{"code","label","start","end","max_chars"}],   (occurrences; UTF-16 offsets)
 *   "missing":[{"code","label","message"}],                  (ok:false with FT_E_TPL_MISSING_VALUE)
 *   "cost":{"encoding","segments","characters","micros","display","bundle"},   (when a record is given)
 *   "worst_case":{...same, "assumes"},        (every field at its max length, GSM-7 characters)
 *   "worst_case_unicode":{...} | null,        (free-text fields holding non-GSM letters: UCS-2)
 *   "warnings":[{"type","field"?,"message"}]}
 * Warning types: "field_forces_ucs2", "template_ucs2", "embedded_link", "embedded_phone",
 * "value_too_long", "over_1600". A parse error replies {"ok":false,"error":{...,"byte_offset",
 * "offset","line","column"}}. *out is set on every return except FT_E_NOMEM / FT_E_INVALID_ARG;
 * free it with ft_free. Returns the status of the reply. */
ft_status ft_template_render_json(const char *json, size_t len, char **out);

/* ft_template_fields_json: the documented field codes as JSON
 * {"ok":true,"syntax":"{{code}}","fields":[{"code","label","max_chars","free_text","example"}]}. */
char *ft_template_fields_json(void);

#ifdef __cplusplus
}
#endif
#endif
