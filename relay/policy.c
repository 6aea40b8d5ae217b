/* fieldtext relay: the public policy pages. GET /policies?id=<UUID> is the business's page (Privacy
 * Policy and Terms in one: company, SMS number, contact, opt-out, data sharing), built from the
 * stored business profile; GET /policies?id=appoptin shows how consent is collected. Everything
 * taken from the profile is HTML-escaped. */
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

static void optin_page(ft_buf *h) {
    head(h, "How customers opt in to text messages");
    ft_buf_adds(h, "<h1>How customers opt in to text messages</h1>");
    para(h, "p", "Customers give consent by phone or in person, with a staff member, in three recorded steps:");
    ft_buf_adds(h, "<ol><li>");
    ft_buf_html(h, "The staff member reads the consent script: \"Would you like to receive text message reminders "
                   "and updates about your appointments with [Your Company Name]? Message and data rates may "
                   "apply. You can opt out at any time by replying STOP.\"");
    ft_buf_adds(h, "</li><li>");
    ft_buf_html(h, "The staff member acknowledges the opt-in confirmation screen, which shows the disclosure "
                   "language and an example of the messages.");
    ft_buf_adds(h, "</li><li>");
    ft_buf_html(h, "The staff member checks the consent box for the customer's mobile number.");
    ft_buf_adds(h, "</li></ol>");
    para(h, "p", "The software records who took each step, for which customer, and when. No message is sent "
                 "before all three steps are recorded. Replying STOP, or asking in any words to stop, ends all "
                 "messages at once.");
    para(h, "p", "Example message: \"Hello. Your technician from [Your Company] is on their way. Please call "
                 "[phone number] if you have any questions. Reply STOP to unsubscribe from these messages.\"");
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
    if (id && strcmp(id, "appoptin") == 0) {
        optin_page(&h);
    } else if (id && pid && ft_is_uuid(id) && strcasecmp(id, pid) == 0) {
        business_page(&h, b);
    } else {
        status = 404;
        ft_buf_adds(&h, "<!doctype html><title>Not found</title><p>No such policy page.</p>");
    }
    cJSON_Delete(b);
    ft_http_reply(r, status, "text/html; charset=utf-8", h.p ? h.p : "", h.len);
    ft_http_header(r, "Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
    free(h.p);
}
