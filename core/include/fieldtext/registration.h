/* fieldtext core: the business profile form, A2P 10DLC campaign registration and the policy page.
 *
 * The form ("Check Entries") is validated as a whole: every error at once, each naming its field
 * and why. From a valid form the core builds the campaign registration (Twilio's Usa2p fields,
 * within Twilio's limits) and the policy page's content as data.
 *
 * The EIN / Business Number is checked and then forgotten: no reply, error or payload of this
 * module ever contains it (RULES.md: passed to Twilio, never stored). The relay sends it to Twilio
 * from the form it received and drops it.
 */
#ifndef FIELDTEXT_REGISTRATION_H
#define FIELDTEXT_REGISTRATION_H

#include <stddef.h>

#include "fieldtext/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FT_REG_NAME_MAX 255u           /* legal / display name, characters */
#define FT_REG_FIELD_MAX 255u          /* any other short field */
#define FT_REG_URL_MAX 2048u
#define FT_REG_EMAIL_MAX 254u
#define FT_CAMPAIGN_DESC_MIN 40u       /* Twilio: Description 40..4096 */
#define FT_CAMPAIGN_DESC_MAX 4096u
#define FT_CAMPAIGN_FLOW_MIN 40u       /* MessageFlow 40..2048 */
#define FT_CAMPAIGN_FLOW_MAX 2048u
#define FT_CAMPAIGN_SAMPLES_MIN 2u     /* MessageSamples: 2..5 of 20..1024 */
#define FT_CAMPAIGN_SAMPLES_MAX 5u
#define FT_CAMPAIGN_SAMPLE_MIN 20u
#define FT_CAMPAIGN_SAMPLE_MAX 1024u
#define FT_CAMPAIGN_REPLY_MIN 20u      /* OptIn / OptOut / Help messages: 20..320 */
#define FT_CAMPAIGN_REPLY_MAX 320u

/* ft_reg_ein_check: a US EIN written NN-NNNNNNN (or 9 digits) with a prefix the IRS assigns.
 * Errors: FT_E_REG_REQUIRED (empty), FT_E_REG_FORMAT, FT_E_REG_EIN_PREFIX. */
ft_status ft_reg_ein_check(const char *s, size_t len);

/* ft_reg_bn_check: a Canadian Business Number: 9 digits whose last is a Luhn check digit, or the
 * program-account form 123456789RT0001 (spaces allowed). Errors: FT_E_REG_REQUIRED,
 * FT_E_REG_FORMAT, FT_E_REG_BN_CHECK. */
ft_status ft_reg_bn_check(const char *s, size_t len);

/* ft_reg_region_check: a state / territory code ("US") or province / territory code ("CA").
 * Errors: FT_E_REG_REGION. */
ft_status ft_reg_region_check(const char *country, const char *region, size_t len);

/* ft_reg_postal_check: a ZIP (NNNNN or NNNNN-NNNN) for "US"; a postal code (A9A 9A9, space
 * optional) for "CA", whose first letter must belong to the province when region is given.
 * Errors: FT_E_REG_POSTAL. */
ft_status ft_reg_postal_check(const char *country, const char *region, const char *s, size_t len);

/* ft_reg_nanp_normalize: a North American number (NPA-NXX-XXXX, optional +1 / 1, spaces, dots,
 * dashes, parentheses) to E.164 in e164 (12 bytes + NUL). NPA and NXX start with 2-9 and are not
 * N11; 555-0100..0199 is fictional. *toll_free (if not NULL) is set for 800/833/844/855/866/877/888.
 * Errors: FT_E_REG_PHONE. */
ft_status ft_reg_nanp_normalize(const char *s, size_t len, char e164[13], int *toll_free);

/* ft_registration_json: checks the form and, when it is valid, builds the campaign and the
 * policy page. Input (JSON object; strings unless said):
 *   country "US"|"CA", legal_name, company_name? (the name customers know; default legal_name),
 *   business_type (Twilio's list), industry (Twilio's list), ein (US) | bn (CA),
 *   street, city, region (state / province code), postal_code, website,
 *   contact_first_name, contact_last_name, contact_title, contact_email, contact_phone,
 *   business_phone? (the number customers call; default contact_phone), sms_number,
 *   policy_base_url (https origin of the relay) + policy_id (UUID), or privacy_url + terms_url,
 *   use_case? (default CUSTOMER_CARE), has_embedded_links? has_embedded_phone? (bools),
 *   mode? "check" (validate only) | "build" (default)
 * Reply, valid: {"ok":true,"errors":[],"warnings":[...],"profile":{...},"campaign":{Description,
 *   MessageFlow, MessageSamples, UsAppToPersonUsecase, HasEmbeddedLinks, HasEmbeddedPhone,
 *   OptInKeywords, OptOutKeywords, HelpKeywords, OptInMessage, OptOutMessage, HelpMessage,
 *   SubscriberOptIn, AgeGated, DirectLending, PrivacyPolicyUrl, TermsAndConditionsUrl},
 *   "policy_page":{...}}  (campaign and policy_page omitted in "check" mode)
 * Reply, invalid: {"ok":false,"error":{FT_E_REG_INVALID,...},"errors":[{"field","code","name",
 *   "message"}],"warnings":[]}. Malformed JSON: {"ok":false,"error":{FT_E_JSON...}}.
 * Neither reply contains the EIN / BN. *out is set except on FT_E_NOMEM / FT_E_INVALID_ARG; free
 * with ft_free. Returns the reply's status. */
ft_status ft_registration_json(const char *json, size_t len, char **out);

#ifdef __cplusplus
}
#endif
#endif
