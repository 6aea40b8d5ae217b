/* fieldtext core: inbound keywords and natural-language opt-out requests (keyword.h). */
#include "fieldtext/keyword.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cJSON.h"
#include "fieldtext/json.h"
#include "json_util.h"
#include "utf8.h"
#include "utf8proc.h"

/* ---------------------------------------------------------------- keywords */

typedef struct {
    const char *word; /* normalised (lower case, no marks) */
    ft_keyword_class cls;
    ft_keyword_lang lang;
    const char *canonical;
} keyword_entry;

static const keyword_entry keywords[] = {
    {"stop", FT_KW_OPT_OUT, FT_LANG_EN, "STOP"},
    {"stopall", FT_KW_OPT_OUT, FT_LANG_EN, "STOPALL"},
    {"unsubscribe", FT_KW_OPT_OUT, FT_LANG_EN, "UNSUBSCRIBE"},
    {"cancel", FT_KW_OPT_OUT, FT_LANG_EN, "CANCEL"},
    {"end", FT_KW_OPT_OUT, FT_LANG_EN, "END"},
    {"quit", FT_KW_OPT_OUT, FT_LANG_EN, "QUIT"},
    {"revoke", FT_KW_OPT_OUT, FT_LANG_EN, "REVOKE"},
    {"optout", FT_KW_OPT_OUT, FT_LANG_EN, "OPTOUT"},
    {"arret", FT_KW_OPT_OUT, FT_LANG_FR, "ARRET"}, /* Quebec; ARRÊT arrives here with its mark stripped */
    {"start", FT_KW_OPT_IN, FT_LANG_EN, "START"},
    {"yes", FT_KW_OPT_IN, FT_LANG_EN, "YES"},
    {"unstop", FT_KW_OPT_IN, FT_LANG_EN, "UNSTOP"},
    {"help", FT_KW_HELP, FT_LANG_EN, "HELP"},
    {"info", FT_KW_HELP, FT_LANG_EN, "INFO"},
    {"aide", FT_KW_HELP, FT_LANG_FR, "AIDE"}, /* Quebec carriers' help keyword */
};

static const keyword_entry *find_keyword(const char *w) {
    for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
        if (strcmp(w, keywords[i].word) == 0) return &keywords[i];
    return NULL;
}

/* ---------------------------------------------------------------- tokens */

typedef struct {
    const char *s;  /* NUL-terminated, normalised */
    size_t clause;  /* tokens of one clause are not separated by . , ! ? ; : or a line break */
} token;

typedef struct {
    token *t;
    size_t n;
    char *words; /* storage of the token strings */
} tokens;

static int is_word_cp(int32_t cp) {
    if (cp < 0x80) return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9');
    utf8proc_category_t c = utf8proc_category(cp);
    return (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO) || (c >= UTF8PROC_CATEGORY_ND && c <= UTF8PROC_CATEGORY_NO);
}

static int is_clause_break(int32_t cp) {
    return cp == '.' || cp == ',' || cp == '!' || cp == '?' || cp == ';' || cp == ':' || cp == '\n' || cp == '\r' ||
           cp == 0x2029 || cp == 0x2028;
}

/* Splits the normalised text into words; "n't" keeps its word whole ("dont"), other apostrophes
 * separate ("m'envoyer" -> "m", "envoyer"). Then "do not" -> "dont" and the like. */
static ft_status tokenize(const char *s, size_t n, tokens *out) {
    out->t = malloc((n / 2 + 2) * sizeof *out->t);
    out->words = malloc(n * 2 + 2);
    out->n = 0;
    if (!out->t || !out->words) return FT_E_NOMEM;
    size_t w = 0, clause = 0, i = 0;
    int in_word = 0;
    while (i < n) {
        int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &cp);
        if (k <= 0) return FT_E_INTERNAL; /* the input was validated */
        int keep_apostrophe = 0;
        if (cp == '\'' && in_word && i > 0 && s[i - 1] == 'n' && i + 1 < n && s[i + 1] == 't' &&
            (i + 2 >= n || !((s[i + 2] >= 'a' && s[i + 2] <= 'z') || (unsigned char)s[i + 2] >= 0x80)))
            keep_apostrophe = 1;
        if (is_word_cp(cp)) {
            if (!in_word) {
                out->t[out->n].s = out->words + w;
                out->t[out->n].clause = clause;
                out->n++;
                in_word = 1;
            }
            memcpy(out->words + w, s + i, (size_t)k);
            w += (size_t)k;
        } else if (!keep_apostrophe) {
            if (in_word) out->words[w++] = '\0';
            in_word = 0;
            if (is_clause_break(cp)) clause++;
        }
        i += (size_t)k;
    }
    if (in_word) out->words[w++] = '\0';
    /* contractions written in full */
    static const char *const pairs[][3] = {{"do", "not", "dont"},    {"does", "not", "doesnt"}, {"did", "not", "didnt"},
                                           {"can", "not", "cant"},   {"cannot", NULL, "cant"},  {"will", "not", "wont"},
                                           {"pls", NULL, "please"},  {"plz", NULL, "please"},   {"u", NULL, "you"}};
    size_t k = 0;
    for (size_t j = 0; j < out->n; j++) {
        token t = out->t[j];
        for (size_t p = 0; p < sizeof pairs / sizeof pairs[0]; p++) {
            if (strcmp(t.s, pairs[p][0]) != 0) continue;
            if (!pairs[p][1]) {
                t.s = pairs[p][2];
            } else if (j + 1 < out->n && out->t[j + 1].clause == t.clause && strcmp(out->t[j + 1].s, pairs[p][1]) == 0) {
                t.s = pairs[p][2];
                j++;
            }
            break;
        }
        out->t[k++] = t;
    }
    out->n = k;
    return FT_OK;
}

/* Is w one of the alternatives "a|b|c*" (a trailing * matches a prefix)? One pass over alts (every
 * rule's slots are tried at every word of every inbound text). Words never hold '|' or '*'. */
static int word_in(const char *w, const char *alts) {
    const char *a = alts;
    for (;;) {
        const char *p = w;
        while (*a && *a != '|' && *a != '*' && *a == *p) {
            a++;
            p++;
        }
        if (*a == '*' && (a[1] == '|' || a[1] == '\0')) return 1; /* the prefix matched */
        if ((*a == '|' || *a == '\0') && *p == '\0') return 1;
        while (*a && *a != '|') a++; /* this alternative failed: the next one */
        if (!*a) return 0;
        a++;
    }
}

/* ---------------------------------------------------------------- request rules */

/* Word sets. */
#define W_STOP "stop|quit|cease|halt|end"
#define W_MSG                                                                                            \
    "text|texts|texting|txt|txts|txting|texted|message|messages|messaging|msg|msgs|msging|sms|textmessage|"     \
    "textmessages|notification|notifications|alert|alerts|spam|spamming|reminders|updates|sending|"      \
    "contacting|bothering|harassing|bugging|pestering|emailing"
#define W_MSG_PLURAL "texts|txts|messages|msgs|sms|textmessages|notifications|alerts|reminders|updates|spam"
#define W_MSG_VERB "text|txt|message|msg|sms|contact|texting|messaging"
#define W_TIMING                                                                                          \
    "before|after|until|till|til|between|early|earlier|late|later|during|while|tonight|morning|mornings|" \
    "evening|evenings|night|nights|weekend|weekends|past|sunday|sundays|saturday|saturdays|today|yet"
#define W_FR_STOP "arret|arrete|arretez|arreter|arretes|cessez|cesser|cesse|stop|stoppez|stopper"
#define W_FR_MSG "messages|message|textos|texto|sms|textes|notifications|rappels|courriels"
#define W_FR_VERB                                                                                          \
    "envoyer|envoyez|envoie|envoies|texter|textez|texte|ecrire|ecrivez|ecris|contacter|contactez|contacte|" \
    "appeler|appelez"

typedef struct {
    const char *name;
    ft_keyword_lang lang;
    const char *slots[7]; /* "a|b" a word; "~N" up to N other words; "?a|b" an optional word */
    const char *not_before;      /* the word before the match must not be one of these */
    const char *not_after_first; /* the word after the first word must not be one of these */
    const char *not_following;   /* none of the 3 words after the match may be one of these */
    const char *not_between;     /* no word a "~N" gap skips may be one of these */
} rule;

static const rule rules[] = {
    /* English */
    {"stop-texting", FT_LANG_EN, {W_STOP, "~3", W_MSG},
     "dont|not|never|cant|wont|doesnt|didnt|didn|t|to|will|would|may|might|should", "by|in|over|at|off|on|for|and|to|near", NULL, NULL},
    {"dont-text", FT_LANG_EN, {"dont|never", "~1", W_MSG_VERB}, NULL,
     NULL, W_TIMING "|the|him|her|them|tech|technician|guy|crew|office|back|when|if",
     W_STOP "|cancel|pause"}, /* "don't stop texting me" asks for more, not less */
    {"dont-want-texts", FT_LANG_EN, {"dont|never|no", "~1", "want|need|wish|like", "~4", W_MSG_PLURAL}, NULL, NULL, NULL, NULL},
    {"dont-send-texts", FT_LANG_EN, {"dont|never", "~1", "send", "~3", W_MSG}, NULL, NULL, W_TIMING, NULL},
    {"no-more-texts", FT_LANG_EN, {"no", "more|longer", "~3", W_MSG}, NULL, NULL, NULL, NULL},
    {"unsubscribe", FT_LANG_EN, {"unsubscribe|unsubscribed|unsubscribing|unsub|unsuscribe|unsubcribe|unsubscibe|unsubscrib*"},
     NULL, NULL, NULL, NULL},
    {"opt-out", FT_LANG_EN, {"opt|opting|opted", "?me|us|myself", "out"}, NULL, NULL, NULL, NULL},
    {"opt-out", FT_LANG_EN, {"optout*|optedout"}, NULL, NULL, NULL, NULL},
    {"take-me-off", FT_LANG_EN, {"take|get|put", "me|us", "off"}, NULL, NULL, NULL, NULL},
    {"take-my-number-off", FT_LANG_EN, {"take|get", "my|our|this", "number|phone|cell|name|info", "off"}, NULL, NULL, NULL, NULL},
    {"remove-me", FT_LANG_EN, {"remove|delete|erase|drop", "me|us"}, NULL, NULL, NULL, NULL},
    {"remove-my-number", FT_LANG_EN,
     {"remove|delete|erase|drop", "my|our|this", "number|phone|cell|name|contact|info|information"}, NULL, NULL, NULL, NULL},
    {"off-your-list", FT_LANG_EN, {"off", "your|the|ur|this", "~1", "list|lists"}, NULL, NULL, NULL, NULL},
    {"leave-me-alone", FT_LANG_EN, {"leave", "me|us", "alone"}, NULL, NULL, NULL, NULL},
    {"wrong-number", FT_LANG_EN, {"wrong", "number|person|phone|guy"}, NULL, NULL, "for|of|on|in|to", NULL},
    {"not-interested", FT_LANG_EN, {"not|no|longer", "interested|intrested|interrested"}, NULL, NULL, NULL, NULL},
    {"revoke-consent", FT_LANG_EN, {"revoke|withdraw|retract|cancel|end", "~2", "consent|permission|subscription"}, NULL, NULL,
     NULL, NULL},
    {"cancel-texts", FT_LANG_EN, {"cancel", "~2", "texts|txts|messages|msgs|sms|textmessages|notifications|alerts|spam"},
     NULL, NULL, NULL, NULL},
    {"texts-must-stop", FT_LANG_EN, {W_MSG_PLURAL, "~3", "stop|end|cease"}, NULL, NULL, NULL, NULL},
    /* French */
    {"arretez-de-texter", FT_LANG_FR, {W_FR_STOP, "~3", W_FR_VERB "|" W_FR_MSG}, "n|ne|pas", "vous|pas", NULL, NULL},
    {"ne-plus-ecrire", FT_LANG_FR, {"n|ne", "me|m|nous", "~1", W_FR_VERB, "plus|jamais"}, NULL, NULL, NULL, NULL},
    {"ne-plus-ecrire", FT_LANG_FR, {"n|ne", "plus|jamais", "me|m|nous", "~1", W_FR_VERB}, NULL, NULL, NULL, NULL},
    {"plus-de-messages", FT_LANG_FR, {"plus", "de|d", "~1", W_FR_MSG}, "ai|a|avons|recu", NULL, NULL, NULL},
    {"desabonner", FT_LANG_FR, {"desabonn*|desinscri*|desabone*"}, NULL, NULL, NULL, NULL},
    {"retirez-moi", FT_LANG_FR,
     {"retirez|retirer|retire|enlevez|enlever|enleve|supprimez|supprimer|supprime|effacez|effacer|rayez|rayer|otez|oter",
      "moi|nous"},
     NULL, NULL, NULL, NULL},
    {"retirez-mon-numero", FT_LANG_FR,
     {"retirez|retirer|retire|enlevez|enlever|enleve|supprimez|supprimer|supprime|effacez|effacer|rayez|rayer|otez|oter",
      "mon|notre|ce|le", "numero|telephone|cellulaire|nom"},
     NULL, NULL, NULL, NULL},
    {"ne-veux-plus", FT_LANG_FR,
     {"n|ne", "veux|veut|voulons|souhaite|souhaitons|desire|desirons", "plus", "~3", "recevoir|" W_FR_MSG}, NULL, NULL, NULL, NULL},
    {"ne-veux-plus", FT_LANG_FR,
     {"n|ne", "veux|veut|voulons|souhaite|souhaitons|desire|desirons", "pas|plus", "de|d", W_FR_MSG}, NULL, NULL, NULL, NULL},
    {"laissez-moi-tranquille", FT_LANG_FR, {"laissez|laisse|laisser", "moi|nous", "tranquille|tranquilles|en"}, NULL, NULL, NULL, NULL},
    {"mauvais-numero", FT_LANG_FR, {"mauvais|faux", "numero"}, NULL, NULL, NULL, NULL},
    {"mauvais-numero", FT_LANG_FR, {"erreur", "de", "numero|personne"}, NULL, NULL, NULL, NULL},
    {"pas-interesse", FT_LANG_FR, {"pas|plus", "interesse|interessee|interesses|interessees"}, NULL, NULL, NULL, NULL},
};

/* A short body made only of stop words and filler ("Stop please", "please STOP IT", "arrêtez
 * svp"): clearly meant as an opt-out, though not Twilio's whole-body keyword. CANCEL and END
 * are left out: "cancel please" is as likely about an appointment. */
#define SHORT_STOP_MAX_WORDS 8
#define W_SHORT_STOP "stop|stopall|unsubscribe|optout|revoke|quit|arret|arrete|arretez|arreter|cessez|stopper|stoppez"
#define W_FILLER                                                                                                       \
    "please|now|it|thanks|thank|you|thx|ty|ok|okay|asap|immediately|already|right|away|this|these|them|all|me|i|said|" \
    "just|again|seriously|omg|texting|texts|messages|sending|svp|stp|merci|s|il|vous|plait|maintenant|tout|de|suite|"  \
    "ca|cela|immediatement|deja|je|ai|dit|bon|ok"
#define W_FRENCH_ONLY "svp|stp|merci|il|vous|plait|maintenant|tout|suite|ca|cela|immediatement|deja|je|ai|dit|arret|arrete|arretez|arreter|cessez"

/* word_in's answers for one text, per set of alternatives: the rules share their word sets (W_MSG,
 * W_STOP...) and try them at every word, so each (word, set) is looked at once. A small open-
 * addressed table keyed by the set's address; a bit per word (the first MEMO_WORDS words; later ones,
 * or a full table, are simply not remembered). */
#define MEMO_SLOTS 64
#define MEMO_WORDS 64
typedef struct {
    const char *alts[MEMO_SLOTS];
    uint64_t known[MEMO_SLOTS], yes[MEMO_SLOTS];
} word_memo;

static int word_is(word_memo *m, const tokens *t, size_t i, const char *alts) {
    if (i >= MEMO_WORDS) return word_in(t->t[i].s, alts);
    size_t k = ((uintptr_t)alts >> 3) % MEMO_SLOTS, probes = 0;
    while (m->alts[k] && m->alts[k] != alts) {
        if (++probes == MEMO_SLOTS) return word_in(t->t[i].s, alts);
        k = (k + 1) % MEMO_SLOTS;
    }
    m->alts[k] = alts;
    uint64_t bit = (uint64_t)1 << i;
    if (!(m->known[k] & bit)) {
        m->known[k] |= bit;
        if (word_in(t->t[i].s, alts)) m->yes[k] |= bit;
    }
    return (m->yes[k] & bit) != 0;
}

typedef struct {
    const tokens *t;
    const rule *r;
    size_t clause;
    word_memo *memo;
} match_ctx;

static int match_at(const match_ctx *c, int slot, size_t pos, size_t *end) {
    const char *s = slot < 7 ? c->r->slots[slot] : NULL;
    if (!s) {
        *end = pos;
        return 1;
    }
    if (s[0] == '~') {
        int gap = s[1] - '0';
        for (int g = 0; g <= gap; g++) {
            if (pos + (size_t)g > c->t->n) break;
            if (g > 0 && c->t->t[pos + (size_t)g - 1].clause != c->clause) break;
            if (g > 0 && c->r->not_between && word_is(c->memo, c->t, pos + (size_t)g - 1, c->r->not_between)) break;
            if (match_at(c, slot + 1, pos + (size_t)g, end)) return 1;
        }
        return 0;
    }
    int optional = s[0] == '?';
    const char *alts = optional ? s + 1 : s;
    if (pos < c->t->n && c->t->t[pos].clause == c->clause && word_is(c->memo, c->t, pos, alts) &&
        match_at(c, slot + 1, pos + 1, end))
        return 1;
    return optional ? match_at(c, slot + 1, pos, end) : 0;
}

static void set_phrase(ft_keyword_result *out, const tokens *t, size_t from, size_t to) {
    size_t w = 0;
    for (size_t i = from; i < to; i++) {
        size_t l = strlen(t->t[i].s);
        if (w == 0 && l + 1 > sizeof out->phrase) {
            /* One word longer than the phrase: its start, cut at a character boundary (a request
             * always says what it matched). */
            l = sizeof out->phrase - 1;
            while (l > 0 && ((unsigned char)t->t[i].s[l] & 0xC0) == 0x80) l--;
            memcpy(out->phrase, t->t[i].s, l);
            w = l;
            break;
        }
        if (w + l + 2 > sizeof out->phrase) break;
        if (w) out->phrase[w++] = ' ';
        memcpy(out->phrase + w, t->t[i].s, l);
        w += l;
    }
    out->phrase[w] = '\0';
}

static int in_same_clause(const tokens *t, size_t i, size_t clause) { return i < t->n && t->t[i].clause == clause; }

static int match_rules(const tokens *t, ft_keyword_result *out) {
    word_memo memo;
    memset(&memo, 0, sizeof memo);
    for (size_t r = 0; r < sizeof rules / sizeof rules[0]; r++) {
        const rule *ru = &rules[r];
        for (size_t s = 0; s < t->n; s++) {
            match_ctx c = {t, ru, t->t[s].clause, &memo};
            size_t end = 0;
            if (!match_at(&c, 0, s, &end)) continue;
            if (ru->not_before && s > 0 && in_same_clause(t, s - 1, c.clause) && word_is(&memo, t, s - 1, ru->not_before))
                continue;
            if (ru->not_after_first && in_same_clause(t, s + 1, c.clause) && word_is(&memo, t, s + 1, ru->not_after_first))
                continue;
            int blocked = 0;
            for (size_t k = end; ru->not_following && k < end + 3 && in_same_clause(t, k, c.clause); k++)
                if (word_is(&memo, t, k, ru->not_following)) blocked = 1;
            if (blocked) continue;
            out->cls = FT_KW_OPT_OUT_REQUEST;
            out->lang = ru->lang;
            snprintf(out->rule, sizeof out->rule, "%s", ru->name);
            /* the phrase reads better with its object: "stop texting me" */
            while (end < t->n && end < s + 12 && in_same_clause(t, end, c.clause) && word_in(t->t[end].s, "me|us|anymore|again"))
                end++;
            set_phrase(out, t, s, end);
            return 1;
        }
    }
    if (t->n > 0 && t->n <= SHORT_STOP_MAX_WORDS) {
        int stops = 0, fr = 0;
        for (size_t i = 0; i < t->n; i++) {
            if (word_in(t->t[i].s, W_SHORT_STOP)) stops++;
            else if (!word_in(t->t[i].s, W_FILLER)) return 0;
            if (word_in(t->t[i].s, W_FRENCH_ONLY)) fr = 1;
        }
        if (stops == 0) return 0;
        out->cls = FT_KW_OPT_OUT_REQUEST;
        out->lang = fr ? FT_LANG_FR : FT_LANG_EN;
        snprintf(out->rule, sizeof out->rule, "%s", "stop-with-filler");
        set_phrase(out, t, 0, t->n);
        return 1;
    }
    return 0;
}

/* ---------------------------------------------------------------- classify */

static int exact_keyword(const tokens *t, ft_keyword_result *out) {
    const keyword_entry *k = NULL;
    if (t->n == 1) {
        k = find_keyword(t->t[0].s);
    } else if (t->n == 2) {
        /* the keywords people write as two words: "opt out", "stop all", "un subscribe" */
        char joined[40];
        size_t a = strlen(t->t[0].s), b = strlen(t->t[1].s);
        if (a + b < sizeof joined) {
            memcpy(joined, t->t[0].s, a);
            memcpy(joined + a, t->t[1].s, b);
            joined[a + b] = '\0';
            if (word_in(joined, "optout|stopall|unsubscribe")) k = find_keyword(joined);
        }
    }
    if (!k && t->n >= 2) {
        /* the same class repeated: "stop stop", "STOP UNSUBSCRIBE" */
        const keyword_entry *first = find_keyword(t->t[0].s);
        for (size_t i = 1; first && i < t->n; i++) {
            const keyword_entry *ki = find_keyword(t->t[i].s);
            if (!ki || ki->cls != first->cls) first = NULL;
        }
        k = first;
    }
    if (!k) return 0;
    out->cls = k->cls;
    out->lang = k->lang;
    snprintf(out->keyword, sizeof out->keyword, "%s", k->canonical);
    return 1;
}

ft_status ft_keyword_classify(const char *utf8, size_t len, ft_keyword_result *out, size_t *err_offset) {
    if (err_offset) *err_offset = 0;
    if (!out || (!utf8 && len)) return FT_E_INVALID_ARG;
    memset(out, 0, sizeof *out);
    if (len > FT_KEYWORD_BODY_MAX_BYTES) return FT_E_TOO_LARGE;
    if (len == 0) return FT_OK;
    size_t bad = ft_utf8_bad_offset(utf8, len);
    if (bad < len) {
        if (err_offset) *err_offset = bad;
        return FT_E_UTF8;
    }
    /* NFKC + case folding + marks stripped + default-ignorables removed + punctuation lumped:
     * "ＳＴＯＰ" -> "stop", "ARRÊT" -> "arret", "don’t" -> "don't", zero-width spaces gone. */
    char *norm = NULL;
    long nl = ft_utf8_map(utf8, len,
                          UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK |
                              UTF8PROC_IGNORE | UTF8PROC_LUMP,
                          &norm);
    if (nl < 0) {
        free(norm);
        return nl == UTF8PROC_ERROR_NOMEM ? FT_E_NOMEM : FT_E_UTF8;
    }
    tokens t = {0};
    ft_status st = tokenize(norm, (size_t)nl, &t);
    if (st == FT_OK && !exact_keyword(&t, out)) match_rules(&t, out);
    free(t.t);
    free(t.words);
    free(norm);
    if (st != FT_OK) memset(out, 0, sizeof *out);
    return st;
}

const char *ft_keyword_class_name(ft_keyword_class cls) {
    switch (cls) {
    case FT_KW_OPT_OUT: return "opt_out";
    case FT_KW_OPT_IN: return "opt_in";
    case FT_KW_HELP: return "help";
    case FT_KW_OPT_OUT_REQUEST: return "opt_out_request";
    default: return "none";
    }
}

/* ---------------------------------------------------------------- replies */

/* A profile field: present, not over FT_PROFILE_FIELD_MAX, valid UTF-8. */
static int field_ok(const char *s) {
    if (!s || !*s) return 0;
    size_t n = strlen(s);
    return n < FT_PROFILE_FIELD_MAX && ft_utf8_valid(s, n);
}

ft_status ft_keyword_reply(ft_keyword_class cls, ft_keyword_lang lang, const ft_business_profile *p, char *buf,
                           size_t cap) {
    if (!buf || cap == 0 || !p) return FT_E_INVALID_ARG;
    buf[0] = '\0';
    if (cls == FT_KW_NONE || cls == FT_KW_OPT_OUT_REQUEST) return FT_OK;
    if (!field_ok(p->company_name)) return FT_E_KEYWORD_PROFILE;
    int has_phone = field_ok(p->phone), has_email = field_ok(p->email);
    int fr = lang == FT_LANG_FR;
    int n;
    if (cls == FT_KW_OPT_OUT) {
        n = fr ? snprintf(buf, cap,
                          "%s : Vous êtes désabonné(e) et ne recevrez plus de messages de notre part. "
                          "Répondez START pour vous réabonner.",
                          p->company_name)
               : snprintf(buf, cap,
                          "%s: You are unsubscribed and will receive no more messages from us. Reply START to resubscribe.",
                          p->company_name);
    } else if (cls == FT_KW_OPT_IN) {
        n = fr ? snprintf(buf, cap,
                          "%s : Vous êtes abonné(e) aux rappels et avis de rendez-vous. Fréquence variable. Des frais de "
                          "messagerie et de données peuvent s'appliquer. Répondez AIDE pour de l'aide, ARRET pour vous "
                          "désabonner.",
                          p->company_name)
               : snprintf(buf, cap,
                          "%s: You are subscribed to appointment reminders and updates. Msg frequency varies. Msg & data "
                          "rates may apply. Reply HELP for help, STOP to opt out.",
                          p->company_name);
    } else if (cls == FT_KW_HELP) {
        if (!has_phone && !has_email) return FT_E_KEYWORD_PROFILE;
        char contact[2 * FT_PROFILE_FIELD_MAX + 16];
        if (has_phone && has_email)
            snprintf(contact, sizeof contact, "%s %s %s", p->phone, fr ? "ou" : "or", p->email);
        else
            snprintf(contact, sizeof contact, "%s", has_phone ? p->phone : p->email);
        n = fr ? snprintf(buf, cap,
                          "%s : rappels et avis de rendez-vous. Aide : %s. Répondez ARRET pour vous désabonner. "
                          "Des frais de messagerie et de données peuvent s'appliquer (Msg & data rates may apply).",
                          p->company_name, contact)
               : snprintf(buf, cap,
                          "%s: appointment reminders and updates. Help: %s. Reply STOP to opt out. Msg & data rates may "
                          "apply.",
                          p->company_name, contact);
    } else {
        return FT_E_INVALID_ARG;
    }
    if (n < 0 || (size_t)n >= cap) {
        buf[0] = '\0';
        return FT_E_BUFFER;
    }
    return FT_OK;
}

/* ---------------------------------------------------------------- JSON */

static const char *action_name(ft_keyword_class c) {
    switch (c) {
    case FT_KW_OPT_OUT: return "opt_out";
    case FT_KW_OPT_IN: return "opt_in";
    case FT_KW_HELP: return "send_help";
    case FT_KW_OPT_OUT_REQUEST: return "pause_automated_pending_review";
    default: return "none";
    }
}

/* Reads {"company_name","phone","email"}; the strings stay owned by j. */
static ft_status read_profile(cJSON *j, ft_business_profile *p, const char **why) {
    memset(p, 0, sizeof *p);
    if (!cJSON_IsObject(j)) {
        *why = "the profile must be a JSON object like {\"company_name\":..,\"phone\":..,\"email\":..}";
        return FT_E_JSON_SHAPE;
    }
    const char *names[3] = {"company_name", "phone", "email"};
    const char **dst[3] = {&p->company_name, &p->phone, &p->email};
    for (int i = 0; i < 3; i++) {
        cJSON *v = cJSON_GetObjectItemCaseSensitive(j, names[i]);
        if (!v || cJSON_IsNull(v)) continue;
        if (!cJSON_IsString(v)) {
            *why = "profile fields must be strings";
            return FT_E_JSON_SHAPE;
        }
        *dst[i] = v->valuestring;
    }
    return FT_OK;
}

ft_status ft_keyword_json(const char *utf8, size_t len, const char *profile_json, size_t profile_len, char **out) {
    if (!out || (!utf8 && len)) return FT_E_INVALID_ARG;
    *out = NULL;
    cJSON *prof = NULL;
    ft_business_profile p;
    const char *why = NULL;
    ft_status st = FT_OK;
    if (profile_json && profile_len) {
        prof = ft_json_parse(profile_json, profile_len, &st);
        if (prof) st = read_profile(prof, &p, &why);
        if (st != FT_OK) {
            cJSON_Delete(prof);
            *out = ft_json_error_reply(st, why);
            return *out ? st : FT_E_NOMEM;
        }
    }
    ft_keyword_result r;
    size_t bad = 0;
    st = ft_keyword_classify(utf8, len, &r, &bad);
    cJSON *o = cJSON_CreateObject();
    int ok = o != NULL;
    if (ok && st != FT_OK) {
        char msg[96];
        const char *detail = NULL;
        if (st == FT_E_UTF8) {
            snprintf(msg, sizeof msg, "the text is not valid UTF-8 at byte %zu", bad);
            detail = msg;
        } else if (st == FT_E_TOO_LARGE) {
            snprintf(msg, sizeof msg, "an inbound body is at most %u bytes", FT_KEYWORD_BODY_MAX_BYTES);
            detail = msg;
        }
        ok = ft_json_set_error(o, st, detail);
        if (ok && st == FT_E_UTF8) ok = cJSON_AddNumberToObject(cJSON_GetObjectItem(o, "error"), "byte_offset", (double)bad) != NULL;
    } else if (ok) {
        ok = cJSON_AddTrueToObject(o, "ok") && cJSON_AddStringToObject(o, "class", ft_keyword_class_name(r.cls)) &&
             (r.keyword[0] ? cJSON_AddStringToObject(o, "keyword", r.keyword) : cJSON_AddNullToObject(o, "keyword")) &&
             (r.phrase[0] ? cJSON_AddStringToObject(o, "phrase", r.phrase) : cJSON_AddNullToObject(o, "phrase")) &&
             (r.rule[0] ? cJSON_AddStringToObject(o, "rule", r.rule) : cJSON_AddNullToObject(o, "rule")) &&
             cJSON_AddStringToObject(o, "language", r.lang == FT_LANG_FR ? "fr" : "en") &&
             cJSON_AddStringToObject(o, "action", action_name(r.cls));
        if (ok) {
            char reply[1024];
            ft_status rs = prof ? ft_keyword_reply(r.cls, r.lang, &p, reply, sizeof reply) : FT_OK;
            if (!prof || rs != FT_OK || !reply[0]) {
                ok = cJSON_AddNullToObject(o, "reply") != NULL;
                if (ok && rs != FT_OK) {
                    cJSON *e = ft_json_error_object(rs, NULL);
                    ok = e != NULL;
                    if (ok) cJSON_AddItemToObject(o, "reply_error", e);
                }
            } else {
                ok = cJSON_AddStringToObject(o, "reply", reply) != NULL;
            }
        }
    }
    cJSON_Delete(prof);
    if (!ok) {
        cJSON_Delete(o);
        return FT_E_NOMEM;
    }
    *out = ft_json_finish(o);
    return *out ? st : FT_E_NOMEM;
}
