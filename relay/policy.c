/* fieldtext relay: the public policy pages. GET /policies?id=<UUID> is the business's page (Privacy
 * Policy and Terms in one: company, SMS number, contact, opt-out, data sharing), built from the
 * registered profile's policy content (POST /api/registration, core registration.h "policy_page"),
 * else from the business profile (POST /api/business); GET /policies?id=appoptin shows how consent
 * is collected. Everything taken from a profile is HTML-escaped; other ids get 404. */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "relay.h"

static const char *field(const cJSON *b, const char *name, const char *dflt) {
    const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b, name));
    return v && v[0] ? v : dflt;
}

static void head(ft_buf *h, const char *title) {
    ft_buf_adds(h, "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                   "<meta name=\"viewport\" content=\"width=device-width\"><title>");
    ft_buf_html(h, title);
    ft_buf_adds(h, "</title><style>body{font:16px/1.5 system-ui,sans-serif;max-width:44rem;margin:2rem auto;"
                   "padding:0 1rem;color:#222}h1{font-size:1.6rem}h2{font-size:1.15rem;margin-top:1.6rem}</style>"
                   "</head><body>");
}

static void para(ft_buf *h, const char *tag, const char *text) {
    ft_buf_adds(h, "<");
    ft_buf_adds(h, tag);
    ft_buf_adds(h, ">");
    ft_buf_html(h, text);
    ft_buf_adds(h, "</");
    ft_buf_adds(h, tag);
    ft_buf_adds(h, ">");
}

static void business_page(ft_buf *h, const cJSON *b) {
    const char *name = field(b, "name", "This business");
    const char *sms = field(b, "sms_number", "our texting number");
    const char *phone = field(b, "phone", NULL), *email = field(b, "email", NULL), *addr = field(b, "address", NULL),
               *web = field(b, "website", NULL);
    head(h, name);
    ft_buf_adds(h, "<h1>");
    ft_buf_html(h, name);
    ft_buf_adds(h, ": text messaging privacy policy and terms</h1>");
    para(h, "h2", "What we send");
    ft_buf_adds(h, "<p>");
    ft_buf_html(h, name);
    ft_buf_adds(h, " sends text messages from ");
    ft_buf_html(h, sms);
    ft_buf_adds(h, " about your service appointments: reminders with date and time, notices that a technician "
                   "is on the way, and replies to your messages. Message frequency varies. Message and data "
                   "rates may apply.</p>");
    para(h, "h2", "Consent");
    para(h, "p", "We text you only after you agreed to receive texts. Consent is not a condition of purchase.");
    para(h, "h2", "How to stop");
    para(h, "p", "Reply STOP (or UNSUBSCRIBE, CANCEL, END, QUIT) to any message to stop all texts; you will get "
                 "one confirmation and no further messages. You can also tell us in your own words, by text or "
                 "by phone. Reply START to subscribe again, HELP for help.");
    para(h, "h2", "Your information");
    para(h, "p", "We use your name, phone number and appointment details only to send these messages. We do not "
                 "sell, rent or share your phone number or consent with third parties or affiliates for their "
                 "marketing purposes. Text messaging originator opt-in data and consent are not shared with any "
                 "third party, except the carrier and messaging providers that deliver the messages.");
    para(h, "h2", "Contact");
    ft_buf_adds(h, "<p>");
    ft_buf_html(h, name);
    if (addr) {
        ft_buf_adds(h, "<br>");
        ft_buf_html(h, addr);
    }
    if (phone) {
        ft_buf_adds(h, "<br>Phone: ");
        ft_buf_html(h, phone);
    }
    if (email) {
        ft_buf_adds(h, "<br>Email: ");
        ft_buf_html(h, email);
    }
    if (web) {
        ft_buf_adds(h, "<br>Web: ");
        ft_buf_html(h, web);
    }
    ft_buf_adds(h, "</p></body></html>");
}

/* The page from the registered profile (core registration.h "policy_page": company, SMS number,
 * contact, address, sections: program, consent, frequency, rates, opt-out, help, data sharing,
 * privacy, carriers, contact). */
static void registered_page(ft_buf *h, const cJSON *pp) {
    const char *name = field(pp, "company_name", field(pp, "legal_name", "This business"));
    const char *legal = field(pp, "legal_name", NULL);
    const char *sms = field(pp, "sms_number_display", field(pp, "sms_number", NULL));
    head(h, name);
    ft_buf_adds(h, "<h1>");
    ft_buf_html(h, name);
    ft_buf_adds(h, ": text messaging privacy policy and terms</h1>");
    if (legal && strcmp(legal, name) != 0) para(h, "p", legal);
    if (sms) {
        ft_buf_adds(h, "<p>Texts come from <strong>");
        ft_buf_html(h, sms);
        ft_buf_adds(h, "</strong>.</p>");
    }
    const cJSON *sec;
    cJSON_ArrayForEach(sec, cJSON_GetObjectItemCaseSensitive(pp, "sections")) {
        const char *t = field(sec, "title", NULL), *x = field(sec, "text", NULL);
        if (t) para(h, "h2", t);
        if (x) para(h, "p", x);
    }
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(pp, "contact");
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(pp, "address");
    para(h, "h2", "Contact details");
    ft_buf_adds(h, "<p>");
    ft_buf_html(h, legal ? legal : name);
    if (a) {
        ft_buf_adds(h, "<br>");
        ft_buf_html(h, field(a, "street", ""));
        ft_buf_adds(h, ", ");
        ft_buf_html(h, field(a, "city", ""));
        ft_buf_adds(h, " ");
        ft_buf_html(h, field(a, "region", ""));
        ft_buf_adds(h, " ");
        ft_buf_html(h, field(a, "postal_code", ""));
    }
    static const char *const keys[][2] = {{"name", "Contact: "}, {"phone", "Phone: "}, {"email", "Email: "}};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *v = field(c, keys[i][0], NULL);
        if (!v) continue;
        ft_buf_adds(h, "<br>");
        ft_buf_adds(h, keys[i][1]);
        ft_buf_html(h, v);
    }
    const char *web = field(pp, "website", NULL);
    if (web) {
        ft_buf_adds(h, "<br>Web: ");
        ft_buf_html(h, web);
    }
    ft_buf_adds(h, "</p><p><a href=\"/policies?id=appoptin\">How customers opt in</a></p></body></html>");
}

/* company / sms / phone: from the registered profile when there is one ("" otherwise). */
static void optin_page(ft_buf *h, const char *company, const char *sms, const char *phone) {
    head(h, "How customers opt in to text messages");
    ft_buf_adds(h, "<h1>How customers opt in to text messages</h1>");
    if (company && company[0]) {
        ft_buf_adds(h, "<p>");
        ft_buf_html(h, company);
        ft_buf_adds(h, " sends appointment reminders and updates");
        if (sms && sms[0]) {
            ft_buf_adds(h, " from ");
            ft_buf_html(h, sms);
        }
        ft_buf_adds(h, " only to customers who agreed. Message frequency varies. Message and data rates may apply.</p>");
    }
    para(h, "p", "Customers give consent by phone or in person, with a staff member, in three recorded steps:");
    ft_buf_adds(h, "<ol><li>");
    ft_buf_adds(h, "The staff member reads the consent script: &quot;Would you like to receive text message reminders "
                   "and updates about your appointments with ");
    ft_buf_html(h, company && company[0] ? company : "[Your Company Name]");
    ft_buf_adds(h, "? Message and data rates may apply. You can opt out at any time by replying STOP.&quot;");
    ft_buf_adds(h, "</li><li>");
    ft_buf_html(h, "The staff member acknowledges the opt-in confirmation screen, which shows the disclosure "
                   "language and an example of the messages.");
    ft_buf_adds(h, "</li><li>");
    ft_buf_html(h, "The staff member checks the consent box for the customer's mobile number.");
    ft_buf_adds(h, "</li></ol>");
    para(h, "p", "The software records who took each step, for which customer, and when. No message is sent "
                 "before all three steps are recorded. Replying STOP, or asking in any words to stop, ends all "
                 "messages at once.");
    ft_buf_adds(h, "<p>Example message: &quot;Hello. Your technician from ");
    ft_buf_html(h, company && company[0] ? company : "[Your Company]");
    ft_buf_adds(h, " is on their way. Please call ");
    ft_buf_html(h, phone && phone[0] ? phone : "[phone number]");
    ft_buf_adds(h, " if you have any questions. Reply STOP to unsubscribe from these messages.&quot;</p>");
    ft_buf_adds(h, "</body></html>");
}

void ft_policy_page(ft_req *r) {
    if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0) {
        ft_http_error(r, FT_E_NOT_FOUND, NULL);
        r->status = 405;
        return;
    }
    const char *id = ft_http_query(r, "id");
    ft_buf h = {0};
    unsigned status = 200;
    cJSON *b = cJSON_CreateObject();
    ft_api_business_get(r->app, b);
    const char *pid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b, "policy_id"));
    /* The registered profile (POST /api/registration), when there is one. */
    char *rs = NULL;
    cJSON *reg = ft_store_setting_get(r->app->store, "registration", &rs) == FT_OK ? cJSON_Parse(rs) : NULL;
    free(rs);
    const cJSON *pp = cJSON_GetObjectItemCaseSensitive(reg, "policy_page");
    const char *reg_pid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(reg, "policy_id"));
    if (!reg_pid) reg_pid = pid;
    if (id && strcmp(id, "appoptin") == 0) {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(pp, "contact");
        optin_page(&h, field(pp, "company_name", field(b, "name", "")), field(pp, "sms_number_display", ""),
                   field(c, "phone", field(b, "phone", "")));
    } else if (id && cJSON_IsObject(pp) && reg_pid && ft_is_uuid(id) && strcasecmp(id, reg_pid) == 0) {
        registered_page(&h, pp);
    } else if (id && pid && ft_is_uuid(id) && strcasecmp(id, pid) == 0) {
        business_page(&h, b);
    } else {
        status = 404;
        ft_buf_adds(&h, "<!doctype html><title>Not found</title><p>No such policy page.</p>");
    }
    cJSON_Delete(b);
    cJSON_Delete(reg);
    ft_http_reply(r, status, "text/html; charset=utf-8", h.p ? h.p : "", h.len);
    ft_http_header(r, "Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
    free(h.p);
}
