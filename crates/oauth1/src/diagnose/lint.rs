//! Warnings before sending: request shapes that sign correctly yet often fail at the provider,
//! because the provider reads the request differently from the RFC (a `+` in a query, an
//! encoded `/` in a path), or because the provider refuses them (a signature method it dropped,
//! plain HTTP). [`crate::flow::FlowConfig::validate`] says what cannot run; this says what
//! probably will not work.

use serde::{Deserialize, Serialize};

use crate::Placement;
use crate::base_string::UrlParts;
use crate::flow::{FlowConfig, ModeConfig};
use crate::parameters::split_pairs;
use crate::request::is_form_content_type;
use crate::signing::SignatureMethod;

/// How much a lint matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing.
    Info,
    /// Likely to fail.
    Warning,
    /// Will fail.
    Error,
}

/// One warning about one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Lint {
    /// Stable id: `plus_in_query`, `encoded_slash_in_path`, `body_placement_not_form`,
    /// `empty_parameter`, `method_rejected`, `plain_http`.
    pub id: String,
    /// How much it matters.
    pub severity: Severity,
    /// The field, as [`crate::flow::FieldProblem`] names them (`resource.url`, ...).
    pub field: String,
    /// What is wrong, in plain words.
    pub message: String,
    /// What to do.
    pub fix: String,
}

/// What the provider is known to accept (from a preset).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LintOptions {
    /// The provider's name, for messages.
    pub provider: Option<String>,
    /// The signature methods the provider accepts; empty when unknown.
    pub allowed_methods: Vec<SignatureMethod>,
    /// Why it accepts only those ("HMAC-SHA256 only since 2.4.4").
    pub methods_note: Option<String>,
}

fn lint(id: &str, severity: Severity, field: &str, message: String, fix: &str) -> Lint {
    Lint {
        id: id.into(),
        severity,
        field: field.into(),
        message,
        fix: fix.into(),
    }
}

fn is_local(host: &str) -> bool {
    let h = host.to_ascii_lowercase();
    h == "localhost" || h.ends_with(".localhost") || h == "[::1]" || h.starts_with("127.")
}

/// Lints of one URL: a `+` in the query, an encoded `/` in the path, empty query parameters,
/// plain HTTP to a host that is not this computer.
pub fn lint_url(field: &str, url: &str) -> Vec<Lint> {
    let mut out = Vec::new();
    let Ok(parts) = UrlParts::parse(url) else {
        return out; // validate() reports unusable URLs
    };
    if let Some(q) = parts.query {
        if q.contains('+') {
            out.push(lint(
                "plus_in_query",
                Severity::Warning,
                field,
                format!("the query of {url} has a +: form decoders read it as a space, RFC 3986 as a plus, so Signet and the provider may sign different values"),
                "write %20 for a space or %2B for a plus",
            ));
        }
        let empty: Vec<&str> = split_pairs(q)
            .filter(|(k, v)| v.is_empty() && !k.is_empty())
            .map(|(k, _)| k)
            .collect();
        if !empty.is_empty() {
            out.push(lint(
                "empty_parameter",
                Severity::Info,
                field,
                format!("the query has empty parameters ({}): they are signed as name= and some providers drop them before checking the signature", empty.join(", ")),
                "leave out parameters without a value, unless the API needs them",
            ));
        }
    }
    if parts.path.to_ascii_lowercase().contains("%2f") {
        out.push(lint(
            "encoded_slash_in_path",
            Severity::Warning,
            field,
            format!("the path of {url} has an encoded / (%2F): many servers decode it before checking the signature, so the base string changes"),
            "avoid %2F in paths; pass the value as a query parameter if the API allows",
        ));
    }
    if parts.scheme.eq_ignore_ascii_case("http") && !is_local(parts.host) {
        out.push(lint(
            "plain_http",
            Severity::Warning,
            field,
            format!("{url} is plain http to another computer: anyone on the way can read the tokens and replay requests"),
            "use https unless the provider only speaks http (WooCommerce's one-legged mode is for sites without https)",
        ));
    }
    out
}

/// Every lint of a configuration, most severe first.
pub fn lint_config(config: &FlowConfig, options: &LintOptions) -> Vec<Lint> {
    let mut out = Vec::new();
    let method = config.signature_method;
    if !options.allowed_methods.is_empty() && !options.allowed_methods.contains(&method) {
        let who = options.provider.as_deref().unwrap_or("this provider");
        let allowed: Vec<&str> = options.allowed_methods.iter().map(|m| m.as_str()).collect();
        let note = options
            .methods_note
            .as_deref()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default();
        out.push(lint(
            "method_rejected",
            Severity::Error,
            "signature_method",
            format!("{who} rejects {method}{note}"),
            &format!("choose {}", allowed.join(" or ")),
        ));
    }
    if let crate::flow::ConsumerKey::Rsa(key) = &config.key
        && key.bits() < crate::signing::rsa::RECOMMENDED_BITS
    {
        out.push(lint(
            "rsa_key_small",
            Severity::Warning,
            "key",
            format!(
                "the RSA key has {} bits: keys under {} bits can be broken",
                key.bits(),
                crate::signing::rsa::RECOMMENDED_BITS
            ),
            "make a 2048-bit key (openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048) and register its public half with the provider",
        ));
    }
    if let ModeConfig::ThreeLegged(t) = &config.mode {
        out.extend(lint_url(
            "endpoints.request_token.url",
            &t.request_token.url,
        ));
        out.extend(lint_url("endpoints.authorize_url", &t.authorize_url));
        out.extend(lint_url("endpoints.access_token.url", &t.access_token.url));
        let empty: Vec<&str> = t
            .authorize_params
            .iter()
            .filter(|(k, v)| v.is_empty() && !k.is_empty())
            .map(|(k, _)| k.as_str())
            .collect();
        if !empty.is_empty() {
            out.push(lint(
                "empty_parameter",
                Severity::Warning,
                "authorize_params",
                format!("authorize parameters without a value: {}", empty.join(", ")),
                "give them a value (the preset lists the choices) or remove them",
            ));
        }
    }
    if let Some(r) = &config.resource {
        out.extend(lint_url("resource.url", &r.url));
        let has_body = r.body.as_deref().is_some_and(|b| !b.is_empty());
        let is_form = r.content_type.as_deref().is_some_and(is_form_content_type);
        if config.sign_options.placement == Placement::Body && has_body && !is_form {
            out.push(lint(
                "body_placement_not_form",
                Severity::Error,
                "sign_options.placement",
                format!(
                    "body placement needs an application/x-www-form-urlencoded body; this one is {}",
                    r.content_type.as_deref().unwrap_or("untyped")
                ),
                "use header or query placement (add the body hash for a JSON body if the provider wants it)",
            ));
        }
        if has_body && is_form {
            let empty: Vec<&str> = split_pairs(r.body.as_deref().unwrap_or(""))
                .filter(|(k, v)| v.is_empty() && !k.is_empty())
                .map(|(k, _)| k)
                .collect();
            if !empty.is_empty() {
                out.push(lint(
                    "empty_parameter",
                    Severity::Info,
                    "resource.body",
                    format!(
                        "the form body has empty parameters ({}): they are signed as name=",
                        empty.join(", ")
                    ),
                    "leave out parameters without a value, unless the API needs them",
                ));
            }
        }
    }
    if config.sign_options.include_empty {
        out.push(lint(
            "empty_parameter",
            Severity::Info,
            "sign_options.include_empty",
            "empty protocol parameters are sent and signed (oauth_token=, say); most providers expect them left out".into(),
            "turn \"send empty parameters\" off unless the provider asks for them",
        ));
    }
    out.sort_by_key(|l| std::cmp::Reverse(l.severity));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flow::{CallbackConfig, ConsumerKey, Endpoint, ResourceRequest, ThreeLeggedConfig};
    use crate::{Secret, SignOptions};

    fn config() -> FlowConfig {
        FlowConfig {
            extras: Default::default(),
            consumer_key: "k".into(),
            key: ConsumerKey::Secret(Secret::new("s")),
            signature_method: SignatureMethod::HmacSha256,
            sign_options: SignOptions::default(),
            realm: None,
            mode: ModeConfig::ThreeLegged(ThreeLeggedConfig {
                request_token: Endpoint::post("https://api.example.com/oauth/request_token"),
                authorize_url: "https://example.com/oauth/authorize".into(),
                access_token: Endpoint::post("https://api.example.com/oauth/access_token"),
                callback: CallbackConfig::deep_link(),
                authorize_params: vec![],
                callback_on_authorize_url: false,
                require_callback_confirmed: true,
            }),
            resource: Some(ResourceRequest::get("https://api.example.com/me")),
        }
    }

    fn ids(lints: &[Lint]) -> Vec<&str> {
        lints.iter().map(|l| l.id.as_str()).collect()
    }

    #[test]
    fn a_clean_config_has_no_lints() {
        assert_eq!(lint_config(&config(), &LintOptions::default()), []);
    }

    #[test]
    fn an_rsa_key_under_2048_bits_is_a_warning() {
        let small =
            crate::RsaPrivateKeyPem::parse(include_str!("../../tests/keys/rsa-1024-test-only.pem"))
                .unwrap();
        let mut c = config();
        c.signature_method = SignatureMethod::RsaSha256;
        c.key = ConsumerKey::Rsa(small);
        let l = lint_config(&c, &LintOptions::default());
        assert_eq!(ids(&l), ["rsa_key_small"]);
        assert_eq!(l[0].severity, Severity::Warning);
        assert!(l[0].message.contains("1024 bits"), "{}", l[0].message);
        let big =
            crate::RsaPrivateKeyPem::parse(include_str!("../../tests/vectors/rsa-private.pem"))
                .unwrap();
        c.key = ConsumerKey::Rsa(big);
        assert_eq!(lint_config(&c, &LintOptions::default()), []);
    }

    #[test]
    fn plus_in_a_query() {
        let l = lint_url("resource.url", "https://a.example/search?q=a+b");
        assert_eq!(ids(&l), ["plus_in_query"]);
        assert_eq!(l[0].field, "resource.url");
        assert!(lint_url("resource.url", "https://a.example/a+b").is_empty());
    }

    #[test]
    fn encoded_slash_in_a_path() {
        let l = lint_url("resource.url", "https://a.example/files/a%2Fb");
        assert_eq!(ids(&l), ["encoded_slash_in_path"]);
        assert!(lint_url("resource.url", "https://a.example/files?p=a%2Fb").is_empty());
    }

    #[test]
    fn body_placement_with_a_json_body() {
        let mut c = config();
        c.sign_options.placement = Placement::Body;
        c.resource = Some(ResourceRequest {
            headers: Vec::new(),
            masked_headers: Vec::new(),
            method: "POST".into(),
            url: "https://api.example.com/items".into(),
            content_type: Some("application/json".into()),
            body: Some("{}".into()),
        });
        let l = lint_config(&c, &LintOptions::default());
        assert_eq!(ids(&l), ["body_placement_not_form"]);
        assert_eq!(l[0].severity, Severity::Error);
    }

    #[test]
    fn empty_parameters() {
        assert_eq!(
            ids(&lint_url("resource.url", "https://a.example/x?a=&b=1")),
            ["empty_parameter"]
        );
        let mut c = config();
        let ModeConfig::ThreeLegged(t) = &mut c.mode else {
            unreachable!()
        };
        t.authorize_params.push(("perms".into(), String::new()));
        c.resource = Some(ResourceRequest {
            headers: Vec::new(),
            masked_headers: Vec::new(),
            method: "POST".into(),
            url: "https://api.example.com/items".into(),
            content_type: Some("application/x-www-form-urlencoded".into()),
            body: Some("a=&b=2".into()),
        });
        c.sign_options.include_empty = true;
        let l = lint_config(&c, &LintOptions::default());
        assert_eq!(ids(&l), ["empty_parameter"; 3]);
        assert_eq!(
            l.iter().map(|l| l.field.as_str()).collect::<Vec<_>>(),
            [
                "authorize_params",
                "resource.body",
                "sign_options.include_empty"
            ]
        );
    }

    #[test]
    fn a_method_the_provider_rejects() {
        let mut c = config();
        c.signature_method = SignatureMethod::HmacSha1;
        let opts = LintOptions {
            provider: Some("NetSuite".into()),
            allowed_methods: vec![SignatureMethod::HmacSha256],
            methods_note: Some("HMAC-SHA1 was withdrawn".into()),
        };
        let l = lint_config(&c, &opts);
        assert_eq!(ids(&l), ["method_rejected"]);
        assert_eq!(
            l[0].message,
            "NetSuite rejects HMAC-SHA1 (HMAC-SHA1 was withdrawn)"
        );
        assert_eq!(l[0].fix, "choose HMAC-SHA256");
        c.signature_method = SignatureMethod::HmacSha256;
        assert_eq!(lint_config(&c, &opts), []);
    }

    #[test]
    fn plain_http_to_another_host() {
        assert_eq!(
            ids(&lint_url(
                "resource.url",
                "http://shop.example.com/wp-json/wc/v3/orders"
            )),
            ["plain_http"]
        );
        assert!(lint_url("resource.url", "http://127.0.0.1:8080/x").is_empty());
        assert!(lint_url("resource.url", "http://localhost/x").is_empty());
    }
}
