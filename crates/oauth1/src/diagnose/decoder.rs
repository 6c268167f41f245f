//! The error decoder: a provider's refusal (an `oauth_problem` code, a provider's own code or
//! message, an HTTP status, the shape of the body) read as a cause, a plain-language
//! explanation and a fix. The readings are one table, [`ENTRIES`], each with a sample the
//! tests decode, so adding a provider's error is adding a row.

use serde::{Deserialize, Serialize};

use crate::encoding::{form_decode, lossy};
use crate::error::{ErrorKind, ErrorReport};
use crate::parameters::split_pairs;

/// One reading of a failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Diagnosis {
    /// Stable id of the reading: `oauth_problem.signature_invalid`, `magento2.method`,
    /// `netsuite.invalid_login`, `http.401`, ...
    pub id: String,
    /// The provider whose own code or message this is (a preset id), when it is one.
    pub provider: Option<String>,
    /// What went wrong, in one line.
    pub cause: String,
    /// Why, in plain words for someone who is not an OAuth expert.
    pub explanation: String,
    /// What to do about it.
    pub fix: String,
    /// What in the response led to this reading (`oauth_problem=nonce_used`, `http 401`, ...).
    pub evidence: String,
}

/// What an entry looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Matcher {
    /// `oauth_problem` equals this (case-insensitive).
    Problem(&'static str),
    /// `oauth_problem` equals the first, and the response mentions the second.
    ProblemWith(&'static str, &'static str),
    /// The body (raw or form-decoded) contains this (case-insensitive).
    Text(&'static str),
    /// The body contains both (case-insensitive).
    Texts(&'static str, &'static str),
    /// The body has this shape.
    Shape(Shape),
    /// The status is this, and nothing more specific matched.
    Status(u16),
    /// A 5xx status, and nothing more specific matched.
    ServerError,
    /// An [`ErrorReport`] of this kind (failures that are not a response: a redirect without a
    /// confirmed callback, a timeout, ...).
    ReportKind(&'static str),
}

/// Body shapes worth a reading of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A web page where a token response or API answer was expected.
    Html,
    /// Nothing at all.
    Empty,
}

/// One row of the decoder's table.
#[derive(Debug, Clone, Copy)]
pub struct Entry {
    /// Stable id.
    pub id: &'static str,
    /// The provider (preset id) whose code this is; `None` for the standard ones.
    pub provider: Option<&'static str>,
    /// What it looks for.
    pub matcher: Matcher,
    /// One line. Empty for the standard `oauth_problem` codes: their cause and fix are
    /// [`crate::response::explain_problem`]'s.
    pub cause: &'static str,
    /// Plain words.
    pub explanation: &'static str,
    /// What to do. Empty for the standard codes (see `cause`).
    pub fix: &'static str,
    /// A response (status, body) this entry must decode first: the tests check every row.
    pub sample: (u16, &'static str),
}

const fn std_problem(code: &'static str, explanation: &'static str, sample: &'static str) -> Entry {
    Entry {
        id: code,
        provider: None,
        matcher: Matcher::Problem(code),
        cause: "",
        explanation,
        fix: "",
        sample: (401, sample),
    }
}

const fn provider(
    id: &'static str,
    provider: &'static str,
    matcher: Matcher,
    texts: [&'static str; 3],
    sample: (u16, &'static str),
) -> Entry {
    Entry {
        id,
        provider: Some(provider),
        matcher,
        cause: texts[0],
        explanation: texts[1],
        fix: texts[2],
        sample,
    }
}

/// The decoder's table, most specific first: providers' own codes and messages, then the
/// standard `oauth_problem` codes, then body shapes, then bare statuses, then flow failures.
pub const ENTRIES: &[Entry] = &[
    // ---- providers' own codes and messages ----
    provider(
        "magento2.method",
        "magento2",
        Matcher::Texts("signature method", "is not supported"),
        [
            "Magento 2 refuses this signature method",
            "Since Magento 2.4.4 (and Adobe Commerce of the same age) the OAuth server accepts HMAC-SHA256 only; HMAC-SHA1 requests are refused before the signature is even checked.",
            "choose HMAC-SHA256 as the signature method",
        ],
        (
            401,
            r#"{"message":"Signature method %1 is not supported","parameters":["HMAC-SHA1"]}"#,
        ),
    ),
    provider(
        "magento2.signature",
        "magento2",
        Matcher::Text("The signature is invalid. Verify and try again"),
        [
            "Magento computed a different signature",
            "Magento signs over the exact URL including /rest/V1/… and the store code; a different consumer secret or access-token secret, or a URL that differs in any character, gives a different signature.",
            "copy the four values again from System > Extensions > Integrations (Edit > Integration Details), check the URL exactly, and compare the base string in the trace",
        ],
        (
            401,
            r#"{"message":"The signature is invalid. Verify and try again."}"#,
        ),
    ),
    provider(
        "magento2.consumer_expired",
        "magento2",
        Matcher::Text("Consumer key has expired"),
        [
            "the integration's activation window closed",
            "When an integration is activated, Magento posts the consumer key to your endpoint and expects the request-token call within a few minutes (Stores > Configuration > Services > OAuth > Consumer Settings, 300 seconds by default). After that the consumer key is stale.",
            "activate (or reauthorize) the integration again and start the flow right away, or raise the expiration period",
        ],
        (401, "oauth_problem=Consumer+key+has+expired"),
    ),
    provider(
        "magento2.consumer_unknown",
        "magento2",
        Matcher::Text("A consumer having the specified key does not exist"),
        [
            "Magento does not know this consumer key",
            "The integration was deleted, or the key comes from another Magento instance (staging versus production).",
            "copy the consumer key from System > Extensions > Integrations on this very store",
        ],
        (
            401,
            r#"{"message":"A consumer having the specified key does not exist"}"#,
        ),
    ),
    provider(
        "magento2.nonce",
        "magento2",
        Matcher::Text("The nonce is already being used"),
        [
            "Magento saw this nonce before",
            "Magento remembers every nonce per consumer; a retried request with the same signature is refused.",
            "retry: Signet draws a fresh nonce for every attempt",
        ],
        (
            401,
            r#"{"message":"The nonce is already being used by the consumer with ID 3."}"#,
        ),
    ),
    provider(
        "magento2.not_authorized",
        "magento2",
        Matcher::Text("isn't authorized to access"),
        [
            "the integration lacks access to this API resource",
            "Magento integrations list the API resources they may use; the token is valid but this resource is not among them.",
            "edit the integration's API tab, grant the resource (or All), save and reauthorize",
        ],
        (
            401,
            r#"{"message":"The consumer isn't authorized to access %resources.","parameters":{"resources":"Magento_Sales::sales"}}"#,
        ),
    ),
    provider(
        "magento1.method_not_allowed",
        "magento1",
        Matcher::Problem("method_not_allowed"),
        [
            "Magento 1 does not allow this HTTP method on this endpoint",
            "Magento 1's OAuth controller answers method_not_allowed when, for example, the token endpoints are called with GET.",
            "use POST for the request-token and access-token endpoints",
        ],
        (405, "oauth_problem=method_not_allowed"),
    ),
    provider(
        "magento1.consumer_key_invalid",
        "magento1",
        Matcher::Problem("consumer_key_invalid"),
        [
            "Magento 1 finds the consumer key malformed",
            "Magento 1 consumer keys are 32 characters; anything else is refused before lookup.",
            "copy the key again from System > Web Services > REST - OAuth Consumers, without spaces",
        ],
        (401, "oauth_problem=consumer_key_invalid"),
    ),
    provider(
        "netsuite.invalid_login",
        "netsuite",
        Matcher::Text("INVALID_LOGIN"),
        [
            "NetSuite refused the login (INVALID_LOGIN_ATTEMPT)",
            "NetSuite says nothing more on purpose. The usual causes: the realm is not the account id in upper case with _ for - (1234567_SB1), HMAC-SHA1 instead of HMAC-SHA256 (NetSuite accepts HMAC-SHA256 only), a token revoked or made for another role, or a wrong secret. The Login Audit Trail names the real reason.",
            "check the realm and the method, then open Setup > Users/Roles > User Management > View Login Audit Trail (add the Detail column)",
        ],
        (
            401,
            r#"{"error":{"code":"INVALID_LOGIN_ATTEMPT","message":"Invalid login attempt."}}"#,
        ),
    ),
    provider(
        "netsuite.unknown_integration",
        "netsuite",
        Matcher::Text("UnknownIntegration"),
        [
            "NetSuite does not find an integration record for this consumer key",
            "The consumer key belongs to no enabled integration record in this account (or it is another account's).",
            "copy the consumer key shown once when the integration record was saved, or reset the credentials on the record",
        ],
        (401, "error=UnknownIntegration"),
    ),
    provider(
        "netsuite.integration_blocked",
        "netsuite",
        Matcher::Text("IntegrationBlocked"),
        [
            "the integration record is Blocked",
            "An administrator set the integration's State to Blocked.",
            "Setup > Integration > Manage Integrations: set State to Enabled",
        ],
        (401, "error=IntegrationBlocked"),
    ),
    provider(
        "netsuite.authorization_flow_required",
        "netsuite",
        Matcher::Text("AuthorizationFlowRequired"),
        [
            "the integration record does not allow the three-legged flow",
            "The record's TBA: Authorization Flow box is not checked.",
            "check TBA: Authorization Flow on the integration record and set its callback URL",
        ],
        (401, "error=AuthorizationFlowRequired"),
    ),
    provider(
        "netsuite.invalid_callback",
        "netsuite",
        Matcher::Text("InvalidCallback"),
        [
            "the callback does not match the integration record's",
            "NetSuite only redirects to the callback URL entered on the integration record, exactly.",
            "enter the same callback on the record and in Signet",
        ],
        (400, "error=InvalidCallback"),
    ),
    provider(
        "netsuite.invalid_timestamp",
        "netsuite",
        Matcher::Text("InvalidTimestamp"),
        [
            "NetSuite refused the timestamp",
            "NetSuite accepts timestamps within five minutes of its own clock.",
            "set the clock automatically or apply the offset Signet suggests",
        ],
        (401, "error=InvalidTimestamp"),
    ),
    provider(
        "netsuite.invalid_signature",
        "netsuite",
        Matcher::Text("InvalidSignature"),
        [
            "NetSuite computed a different signature",
            "Often the realm or the account id in the host is wrong, or a secret was copied with a missing character.",
            "check the account id, the secrets, and the base string in the trace",
        ],
        (401, "error=InvalidSignature"),
    ),
    provider(
        "netsuite.nonce_rejected",
        "netsuite",
        Matcher::Text("nonce_rejected"),
        [
            "NetSuite refused the nonce",
            "NetSuite wants nonces of at least six characters (Signet's are longer), never reused.",
            "retry with a fresh nonce",
        ],
        (401, "error=nonce_rejected"),
    ),
    provider(
        "x.could_not_authenticate",
        "x",
        Matcher::Text("Could not authenticate you"),
        [
            "X could not authenticate the request (code 32)",
            "X's catch-all for a signature it does not accept: a wrong key or secret, a base string built differently (the URL, the parameter encoding), or a non-ASCII nonce.",
            "check the API key and secret, use https://api.x.com exactly, and compare the base string",
        ],
        (
            401,
            r#"{"errors":[{"code":32,"message":"Could not authenticate you."}]}"#,
        ),
    ),
    provider(
        "x.timestamp",
        "x",
        Matcher::Text("Timestamp out of bounds"),
        [
            "X refused the timestamp (code 135)",
            "The computer's clock differs too much from X's.",
            "set the clock automatically or apply the offset Signet suggests",
        ],
        (
            401,
            r#"{"errors":[{"code":135,"message":"Timestamp out of bounds."}]}"#,
        ),
    ),
    provider(
        "x.invalid_token",
        "x",
        Matcher::Text("Invalid or expired token"),
        [
            "X does not accept the token (code 89)",
            "The access token was revoked, regenerated in the developer portal, or belongs to another app.",
            "connect again, or copy the newest access token and secret",
        ],
        (
            401,
            r#"{"errors":[{"code":89,"message":"Invalid or expired token."}]}"#,
        ),
    ),
    provider(
        "x.callback_not_approved",
        "x",
        Matcher::Text("Callback URL not approved"),
        [
            "X does not know this callback (code 415)",
            "X only redirects to callback URLs listed in the app's User authentication settings.",
            "add the callback exactly (signet://callback or http://127.0.0.1:PORT/callback) to the app, or use oob (PIN)",
        ],
        (
            403,
            r#"<?xml version="1.0" encoding="UTF-8"?><errors><error code="415">Callback URL not approved for this client application.</error></errors>"#,
        ),
    ),
    provider(
        "x.desktop_oob_only",
        "x",
        Matcher::Text("only support the oauth_callback value"),
        [
            "this X app is a desktop app that only allows oob (code 417)",
            "Apps without a registered callback may only use PIN-based authorisation.",
            "choose PIN entry (oob), or register a callback for the app",
        ],
        (
            401,
            r#"{"errors":[{"code":417,"message":"Desktop applications only support the oauth_callback value 'oob'"}]}"#,
        ),
    ),
    provider(
        "flickr.debug_sbs",
        "flickr",
        Matcher::Text("debug_sbs"),
        [
            "Flickr computed a different signature and sent its base string",
            "Flickr puts the signature base string it computed in debug_sbs; Signet compares it with its own, parameter by parameter.",
            "read the first difference below; it is almost always the URL or one parameter's encoding",
        ],
        (
            401,
            "oauth_problem=signature_invalid&debug_sbs=GET%26https%253A%252F%252Fwww.flickr.com%252Fservices%252Foauth%252Frequest_token%26oauth_callback%253Doob",
        ),
    ),
    provider(
        "flickr.perms",
        "flickr",
        Matcher::ProblemWith("parameter_absent", "perms"),
        [
            "Flickr needs the perms parameter on the authorize page",
            "Flickr asks the user for read, write or delete permission and refuses to authorise without perms.",
            "set the authorize parameter perms to read, write or delete",
        ],
        (
            400,
            "oauth_problem=parameter_absent&oauth_parameters_absent=perms",
        ),
    ),
    provider(
        "xero.no_certificate",
        "xero-private",
        Matcher::Text("No certificates have been registered"),
        [
            "Xero has no public certificate for this consumer",
            "A legacy private app signs with RSA-SHA1 and Xero checks against the X.509 certificate uploaded with the app.",
            "upload the certificate made from your private key to the app, and sign with RSA-SHA1",
        ],
        (
            401,
            "oauth_problem=signature_method_rejected&oauth_problem_advice=No%20certificates%20have%20been%20registered%20for%20the%20consumer",
        ),
    ),
    provider(
        "woocommerce.signature",
        "woocommerce",
        Matcher::Text("provided signature does not match"),
        [
            "WooCommerce computed a different signature",
            "WooCommerce over plain HTTP signs the query with the consumer secret and an appended '&'; the site URL must match exactly (www or not, /wp-json or ?rest_route=).",
            "copy the consumer secret again and use the site address exactly as WordPress knows it",
        ],
        (
            401,
            r#"{"code":"woocommerce_rest_authentication_error","message":"Invalid signature - provided signature does not match.","data":{"status":401}}"#,
        ),
    ),
    provider(
        "woocommerce.consumer_key",
        "woocommerce",
        Matcher::Text("Consumer key is invalid"),
        [
            "WooCommerce does not know this consumer key",
            "The REST API key was revoked, or it belongs to another site.",
            "WooCommerce > Settings > Advanced > REST API: create a key and copy its ck_… and cs_… values",
        ],
        (
            401,
            r#"{"code":"woocommerce_rest_authentication_error","message":"Consumer key is invalid.","data":{"status":401}}"#,
        ),
    ),
    provider(
        "callback.oob_forbidden",
        "tumblr",
        Matcher::ProblemWith("parameter_rejected", "oob"),
        [
            "this provider does not allow oob (PIN) callbacks",
            "Some providers, Tumblr among them, always redirect to a web address and never show a PIN.",
            "choose the loopback or deep-link callback and register that address with the provider",
        ],
        (
            400,
            "oauth_problem=parameter_rejected&oauth_parameters_rejected=oauth_callback&oauth_problem_advice=oob+is+not+allowed",
        ),
    ),
    provider(
        "callback.missing",
        "smugmug",
        Matcher::ProblemWith("parameter_absent", "oauth_callback"),
        [
            "the request-token request has no oauth_callback",
            "OAuth 1.0a requires oauth_callback on the request-token step; providers such as SmugMug refuse the request without it.",
            "set a callback, or oob for PIN entry",
        ],
        (
            400,
            "oauth_problem=parameter_absent&oauth_parameters_absent=oauth_callback",
        ),
    ),
    provider(
        "header.user_agent",
        "discogs",
        Matcher::Text("User-Agent"),
        [
            "the provider wants a User-Agent header that names your application",
            "Discogs (and a few other APIs) refuse or throttle requests without a unique User-Agent.",
            "send a User-Agent like YourApp/1.0 +https://your.site",
        ],
        (
            403,
            "oauth_problem=parameter_absent&oauth_problem_advice=a+unique+User-Agent+header+is+required",
        ),
    ),
    // ---- the standard oauth_problem codes (OAuth Problem Reporting) ----
    std_problem(
        "version_rejected",
        "The request said oauth_version is something other than 1.0, or the provider does not want the parameter at all.",
        "oauth_problem=version_rejected",
    ),
    std_problem(
        "parameter_absent",
        "The provider expected a parameter that was not in the request; it names it in oauth_parameters_absent.",
        "oauth_problem=parameter_absent&oauth_parameters_absent=oauth_nonce",
    ),
    std_problem(
        "parameter_rejected",
        "A parameter was present but not acceptable: a callback that is not registered, a duplicate, a malformed value.",
        "oauth_problem=parameter_rejected&oauth_parameters_rejected=oauth_timestamp",
    ),
    std_problem(
        "timestamp_refused",
        "Every request carries the time it was made; providers refuse requests whose time is too far from theirs (usually five minutes), to stop replays.",
        "oauth_problem=timestamp_refused&oauth_acceptable_timestamps=1700000000-1700000600",
    ),
    std_problem(
        "nonce_used",
        "The nonce is a one-time random value; a provider that sees one twice assumes an attacker is replaying a request.",
        "oauth_problem=nonce_used",
    ),
    std_problem(
        "signature_method_rejected",
        "The provider supports only some of the signature methods (HMAC-SHA1, HMAC-SHA256, RSA-SHA1, PLAINTEXT, ...).",
        "oauth_problem=signature_method_rejected",
    ),
    std_problem(
        "signature_invalid",
        "The signature is a hash of the request and the secrets. The provider computed it too and got something else: a secret differs, or the request it saw differs from the one Signet signed (the URL, a parameter, its encoding).",
        "oauth_problem=signature_invalid",
    ),
    std_problem(
        "consumer_key_unknown",
        "The consumer key identifies the application; this provider has none with this key.",
        "oauth_problem=consumer_key_unknown",
    ),
    std_problem(
        "consumer_key_rejected",
        "The provider knows the application but will not let it do this.",
        "oauth_problem=consumer_key_rejected",
    ),
    std_problem(
        "consumer_key_refused",
        "The application is blocked, temporarily or for good.",
        "oauth_problem=consumer_key_refused",
    ),
    std_problem(
        "token_used",
        "Request tokens can be exchanged only once.",
        "oauth_problem=token_used",
    ),
    std_problem(
        "token_expired",
        "Tokens have a lifetime; request tokens often only minutes.",
        "oauth_problem=token_expired",
    ),
    std_problem(
        "token_revoked",
        "The user or the provider withdrew the access.",
        "oauth_problem=token_revoked",
    ),
    std_problem(
        "token_rejected",
        "The token is unknown, of the wrong kind (a request token where an access token belongs), or issued to another application.",
        "oauth_problem=token_rejected",
    ),
    std_problem(
        "verifier_invalid",
        "The verifier (or PIN) proves the user approved this very request token; this one does not match.",
        "oauth_problem=verifier_invalid",
    ),
    std_problem(
        "additional_authorization_required",
        "The access token is valid but was granted fewer rights than this call needs.",
        "oauth_problem=additional_authorization_required",
    ),
    std_problem(
        "permission_unknown",
        "The provider does not know the permission requested, or the user has not decided yet.",
        "oauth_problem=permission_unknown",
    ),
    std_problem(
        "permission_denied",
        "The user (or the provider) said no.",
        "oauth_problem=permission_denied",
    ),
    std_problem(
        "user_refused",
        "The user pressed Deny on the provider's page.",
        "oauth_problem=user_refused",
    ),
    // ---- body shapes ----
    Entry {
        id: "shape.html",
        provider: None,
        matcher: Matcher::Shape(Shape::Html),
        cause: "a web page came back where an API answer was expected",
        explanation: "The address probably points at the provider's web site, a login page or a proxy's maintenance page rather than its API endpoint.",
        fix: "check the endpoint URL against the provider's documentation (the preset has it); if it is right, the provider may be down",
        sample: (
            200,
            "<!DOCTYPE html><html><body>Down for maintenance</body></html>",
        ),
    },
    Entry {
        id: "shape.empty",
        provider: None,
        matcher: Matcher::Shape(Shape::Empty),
        cause: "the provider answered with nothing",
        explanation: "An empty body where credentials or an error report belong usually means a wrong URL or a provider that hides its reasons.",
        fix: "check the endpoint URL; some providers (NetSuite) log the reason on their side",
        sample: (401, ""),
    },
    // ---- bare statuses ----
    Entry {
        id: "http.401",
        provider: None,
        matcher: Matcher::Status(401),
        cause: "the provider refused the credentials or the signature (http 401)",
        explanation: "401 means the provider did not accept who the request says it comes from: the consumer key, the token, or the signature over them.",
        fix: "check the consumer key and secret and the token, then compare the base string",
        sample: (401, "Unauthorized"),
    },
    Entry {
        id: "http.403",
        provider: None,
        matcher: Matcher::Status(403),
        cause: "the provider understood the request and forbids it (http 403)",
        explanation: "The credentials may be fine but lack a permission, the app may be suspended, or a required header (a User-Agent, say) is missing.",
        fix: "check the app's permissions and any headers the preset lists",
        sample: (403, "Forbidden"),
    },
    Entry {
        id: "http.404",
        provider: None,
        matcher: Matcher::Status(404),
        cause: "nothing at this address (http 404)",
        explanation: "The endpoint URL has a typo, the wrong host (sandbox versus production), or a placeholder left unfilled.",
        fix: "check the URL; check every {{variable}} in it has the value you meant (an account id, a host)",
        sample: (404, "Not Found"),
    },
    Entry {
        id: "http.429",
        provider: None,
        matcher: Matcher::Status(429),
        cause: "too many requests (http 429)",
        explanation: "The provider limits how often an application may call it.",
        fix: "wait and retry; the Retry-After header says how long",
        sample: (429, "Too Many Requests"),
    },
    Entry {
        id: "http.5xx",
        provider: None,
        matcher: Matcher::ServerError,
        cause: "the provider had an internal error",
        explanation: "A 5xx status is the provider's fault, not the request's.",
        fix: "wait a moment and retry",
        sample: (500, "Internal Server Error"),
    },
    // ---- failures that are not a response ----
    Entry {
        id: "flow.callback_not_confirmed",
        provider: None,
        matcher: Matcher::ReportKind("callback_not_confirmed"),
        cause: "the request-token response did not confirm the callback",
        explanation: "OAuth 1.0a providers answer oauth_callback_confirmed=true; providers that predate 1.0a (TripIt) never do.",
        fix: "if the provider is one of those, turn off \"require callback confirmation\" (the TripIt preset does)",
        sample: (0, ""),
    },
    Entry {
        id: "flow.callback_token_mismatch",
        provider: None,
        matcher: Matcher::ReportKind("callback_token_mismatch"),
        cause: "the redirect carried another request token",
        explanation: "An old browser tab or a second Connect sent a redirect that belongs to another attempt.",
        fix: "finish the newest attempt, or start again",
        sample: (0, ""),
    },
    Entry {
        id: "flow.denied",
        provider: None,
        matcher: Matcher::ReportKind("callback_denied"),
        cause: "the user denied access",
        explanation: "On the provider's page the user chose Deny (or the provider decided for them).",
        fix: "start again and choose Allow",
        sample: (0, ""),
    },
    Entry {
        id: "flow.redirected",
        provider: None,
        matcher: Matcher::ReportKind("redirected"),
        cause: "the endpoint answered with a redirect",
        explanation: "The signature covers the exact URL, so Signet does not follow redirects to token endpoints.",
        fix: "use the address the provider redirects to (often https, or with a trailing slash)",
        sample: (0, ""),
    },
    Entry {
        id: "flow.timeout",
        provider: None,
        matcher: Matcher::ReportKind("timeout"),
        cause: "the provider did not answer in time",
        explanation: "The network or the provider is slow, or the address points at a host that swallows connections.",
        fix: "check the address and the connection, then retry",
        sample: (0, ""),
    },
    Entry {
        id: "flow.connect_failed",
        provider: None,
        matcher: Matcher::ReportKind("connect_failed"),
        cause: "Signet could not reach the provider",
        explanation: "The host name, the port, http versus https, a proxy or a firewall stands in the way.",
        fix: "check the host name and scheme; with {{variables}} such as {{account}}, check their values",
        sample: (0, ""),
    },
];

/// A parsed response: its `oauth_problem` and the text to search.
struct Parsed {
    problem: Option<String>,
    haystack: String,
    status: u16,
    html: bool,
    empty: bool,
}

fn parse(status: u16, content_type: Option<&str>, body: &[u8]) -> Parsed {
    let raw = String::from_utf8_lossy(body);
    let text = raw.trim();
    let mut haystack = text.to_owned();
    let mut problem = None;
    if !text.starts_with(['<', '{', '[']) && text.contains('=') {
        for (k, v) in split_pairs(text) {
            let v = lossy(&form_decode(v)).into_owned();
            if k == "oauth_problem" && problem.is_none() {
                problem = Some(v.clone());
            }
            haystack.push('\n');
            haystack.push_str(&v);
        }
    } else if text.starts_with('{')
        && let Ok(serde_json::Value::Object(o)) = serde_json::from_str::<serde_json::Value>(text)
        && let Some(serde_json::Value::String(p)) = o.get("oauth_problem")
    {
        problem = Some(p.clone());
    }
    let lower = text.to_ascii_lowercase();
    let html = lower.starts_with("<!doctype html")
        || lower.starts_with("<html")
        || content_type.is_some_and(|c| c.to_ascii_lowercase().contains("html"));
    Parsed {
        problem,
        haystack: haystack.to_ascii_lowercase(),
        status,
        empty: text.is_empty(),
        html,
    }
}

fn matches(m: Matcher, p: &Parsed) -> bool {
    let problem_is = |code: &str| {
        p.problem
            .as_deref()
            .is_some_and(|c| c.eq_ignore_ascii_case(code))
    };
    match m {
        Matcher::Problem(code) => problem_is(code),
        Matcher::ProblemWith(code, text) => {
            problem_is(code) && p.haystack.contains(&text.to_ascii_lowercase())
        }
        Matcher::Text(text) => p.haystack.contains(&text.to_ascii_lowercase()),
        Matcher::Texts(a, b) => {
            p.haystack.contains(&a.to_ascii_lowercase())
                && p.haystack.contains(&b.to_ascii_lowercase())
        }
        Matcher::Shape(Shape::Html) => p.html,
        Matcher::Shape(Shape::Empty) => p.empty,
        Matcher::Status(s) => p.status == s,
        Matcher::ServerError => (500..600).contains(&p.status),
        Matcher::ReportKind(_) => false,
    }
}

fn diagnosis(e: &Entry, evidence: String) -> Diagnosis {
    let (cause, fix) = if e.cause.is_empty() {
        crate::response::explain_problem(e.id)
    } else {
        (e.cause, e.fix)
    };
    Diagnosis {
        id: if e.provider.is_none() && matches!(e.matcher, Matcher::Problem(_)) {
            format!("oauth_problem.{}", e.id)
        } else {
            e.id.to_owned()
        },
        provider: e.provider.map(str::to_owned),
        cause: cause.to_owned(),
        explanation: e.explanation.to_owned(),
        fix: fix.to_owned(),
        evidence,
    }
}

fn evidence(m: Matcher, p: &Parsed) -> String {
    match m {
        Matcher::Problem(_) | Matcher::ProblemWith(..) => {
            format!("oauth_problem={}", p.problem.as_deref().unwrap_or(""))
        }
        Matcher::Text(t) | Matcher::Texts(t, _) => format!("the response mentions {t:?}"),
        Matcher::Shape(Shape::Html) => format!("http {} with an HTML page", p.status),
        Matcher::Shape(Shape::Empty) => format!("http {} with an empty body", p.status),
        Matcher::Status(_) | Matcher::ServerError => format!("http {}", p.status),
        Matcher::ReportKind(k) => k.to_owned(),
    }
}

/// Every reading of a response, most specific first. Bare-status readings are left out when
/// something more specific matched; an `oauth_problem` no entry knows still gets a reading.
/// Empty for a successful, well-formed answer.
pub fn decode(status: u16, content_type: Option<&str>, body: &[u8]) -> Vec<Diagnosis> {
    let p = parse(status, content_type, body);
    let mut out: Vec<Diagnosis> = Vec::new();
    let mut specific = false;
    for e in ENTRIES {
        let bare = matches!(e.matcher, Matcher::Status(_) | Matcher::ServerError);
        if bare && specific {
            continue;
        }
        if matches(e.matcher, &p) {
            let d = diagnosis(e, evidence(e.matcher, &p));
            if !out.iter().any(|x| x.id == d.id) {
                specific |= !bare;
                out.push(d);
            }
        }
    }
    if let Some(code) = &p.problem
        && out.iter().all(|d| d.id.starts_with("http."))
    {
        out.clear();
        let (cause, fix) = crate::response::explain_problem(code);
        out.insert(
            0,
            Diagnosis {
                id: "oauth_problem.unknown".into(),
                provider: None,
                cause: cause.into(),
                explanation: format!(
                    "The provider reported {code:?}, a code Signet has no reading for."
                ),
                fix: fix.into(),
                evidence: format!("oauth_problem={code}"),
            },
        );
    }
    if (200..300).contains(&status) && !p.html && !p.empty && p.problem.is_none() {
        out.clear();
    }
    out
}

/// Readings of a failure report that did not come with a response (or whose kind says more
/// than its response): an unconfirmed callback, a mismatched redirect, a timeout, ...
pub fn decode_report(report: &ErrorReport) -> Vec<Diagnosis> {
    let mut out: Vec<Diagnosis> = ENTRIES
        .iter()
        .filter(|e| matches!(e.matcher, Matcher::ReportKind(k) if k == report.kind.as_str()))
        .map(|e| diagnosis(e, format!("error kind {}", report.kind)))
        .collect();
    if out.is_empty()
        && report.kind == ErrorKind::CallbackProblem
        && let Some(code) = &report.provider_says
    {
        // The code the provider put in the redirect, read like a problem report.
        out = decode(
            400,
            None,
            format!("oauth_problem={}", crate::encoding::encode(code)).as_bytes(),
        );
    }
    out
}

/// The reading of an `oauth_problem` value no standard code covers (a provider's own code, or
/// Magento 2's habit of putting a sentence there): (cause, fix).
pub fn explain_code(code: &str) -> Option<(&'static str, &'static str)> {
    let p = parse(
        400,
        None,
        format!("oauth_problem={}", crate::encoding::encode(code)).as_bytes(),
    );
    ENTRIES
        .iter()
        .filter(|e| e.provider.is_some())
        .find(|e| matches(e.matcher, &p))
        .map(|e| (e.cause, e.fix))
}

/// A last-resort reading that quotes the message.
pub fn unknown(message: &str) -> Diagnosis {
    Diagnosis {
        id: "unknown".into(),
        provider: None,
        cause: "Signet has no specific reading of this failure".into(),
        explanation: message.to_owned(),
        fix: "read the provider's answer in the step's details; the preset's known errors may help"
            .into(),
        evidence: String::new(),
    }
}

/// The decoded value of a form field of a body, when the body is a form.
pub fn form_field(body: &str, name: &str) -> Option<String> {
    let body = body.trim();
    if body.starts_with(['<', '{']) {
        return None;
    }
    split_pairs(body)
        .find(|(k, _)| *k == name)
        .map(|(_, v)| lossy(&form_decode(v)).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_decodes_its_own_sample_first() {
        for e in ENTRIES {
            let found = if let Matcher::ReportKind(kind) = e.matcher {
                decode_report(&ErrorReport {
                    fields: Vec::new(),
                    provider_says: None,
                    kind: ErrorKind::from_name(kind),
                    message: "x".into(),
                    hint: None,
                })
            } else {
                decode(e.sample.0, None, e.sample.1.as_bytes())
            };
            let first = found
                .first()
                .unwrap_or_else(|| panic!("{} decoded nothing", e.id));
            assert!(
                first.id == e.id || first.id == format!("oauth_problem.{}", e.id),
                "{}: first reading is {}",
                e.id,
                first.id
            );
            assert!(!first.cause.is_empty() && !first.fix.is_empty(), "{}", e.id);
            assert!(!first.explanation.is_empty(), "{}", e.id);
        }
    }

    #[test]
    fn entry_ids_are_unique() {
        let mut ids: Vec<&str> = ENTRIES.iter().map(|e| e.id).collect();
        ids.sort_unstable();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n);
    }

    #[test]
    fn standard_codes_read_as_explain_problem_does() {
        let d = &decode(401, None, b"oauth_problem=timestamp_refused")[0];
        assert_eq!(d.id, "oauth_problem.timestamp_refused");
        assert_eq!(
            d.cause,
            crate::response::explain_problem("timestamp_refused").0
        );
        assert_eq!(d.evidence, "oauth_problem=timestamp_refused");
        // The bare 401 reading is dropped once the code explains it.
        assert!(
            decode(401, None, b"oauth_problem=nonce_used")
                .iter()
                .all(|d| d.id != "http.401")
        );
    }

    #[test]
    fn a_problem_code_nobody_knows_still_gets_a_reading() {
        let d = decode(400, None, b"oauth_problem=frobnicated");
        assert_eq!(d[0].id, "oauth_problem.unknown");
        assert!(d[0].explanation.contains("frobnicated"));
    }

    #[test]
    fn magento_sentences_in_oauth_problem_are_read() {
        assert_eq!(
            explain_code("Signature method HMAC-SHA1 is not supported").map(|c| c.0),
            Some("Magento 2 refuses this signature method")
        );
        assert_eq!(explain_code("nonce_used"), None);
        let d = decode(
            401,
            None,
            b"oauth_problem=Signature+method+HMAC-SHA1+is+not+supported",
        );
        assert_eq!(d[0].id, "magento2.method");
        assert_eq!(d[0].provider.as_deref(), Some("magento2"));
    }

    #[test]
    fn a_good_answer_has_no_reading() {
        assert_eq!(decode(200, None, b"oauth_token=a&oauth_token_secret=b"), []);
        assert_eq!(decode(200, Some("application/json"), br#"{"id":1}"#), []);
    }

    #[test]
    fn callback_problems_in_a_report_are_decoded() {
        let d = decode_report(&ErrorReport {
            fields: Vec::new(),
            provider_says: Some("permission_denied".into()),
            kind: ErrorKind::CallbackProblem,
            message: "the provider reported a problem in the redirect: permission_denied".into(),
            hint: None,
        });
        assert_eq!(d[0].id, "oauth_problem.permission_denied");
    }

    #[test]
    fn form_fields_are_read_decoded() {
        assert_eq!(
            form_field(
                "a=1&oauth_acceptable_timestamps=10-20",
                "oauth_acceptable_timestamps"
            ),
            Some("10-20".into())
        );
        assert_eq!(form_field("{\"a\":1}", "a"), None);
    }
}
