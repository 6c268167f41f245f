//! Writing a connector as a Postman v2.1 collection.

use serde_json::{Value, json};
use signet_connector::{AuthKind, AuthMethod, Body, Connector, Endpoint, KeyPlacement, OAuth1};
use signet_oauth1::flow::FlowMode;
use signet_oauth1::{CallbackMode, Placement, Secret};

use super::{InstanceValues, SCHEMA_V21};

/// What to put in the collection besides the connector.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExportOptions {
    /// Put the secrets' values in the collection's variables (the user asked); otherwise each
    /// secret is a `{{variable}}` with an empty value.
    pub include_secrets: bool,
}

/// The names the credentials take as collection variables (clear of the connector's own).
struct CredentialNames {
    consumer_key: String,
    consumer_secret: String,
    private_key: String,
    token: String,
    token_secret: String,
}

impl CredentialNames {
    fn for_connector(c: &Connector) -> Self {
        let free = |name: &str| {
            let mut n = name.to_owned();
            while c.variables.iter().any(|v| v.name == n) {
                n = format!("oauth_{n}");
            }
            n
        };
        Self {
            consumer_key: free("consumer_key"),
            consumer_secret: free("consumer_secret"),
            private_key: free("private_key"),
            token: free("token"),
            token_secret: free("token_secret"),
        }
    }
}

/// `connector` as a Postman v2.1 collection: its first authentication method at the collection
/// level, every endpoint a request (those naming another method carry it), the OAuth 1.0a
/// token requests in a folder of their own, connector variables and credentials as collection
/// variables — secrets empty unless `options.include_secrets` — and a `_signet` object with
/// what Postman has no field for, so that [`super::import`] reads it back to the same
/// connector.
pub fn export(c: &Connector, instance: &InstanceValues, options: &ExportOptions) -> Value {
    let names = CredentialNames::for_connector(c);
    let secret = |s: Option<&Secret>| -> String {
        if options.include_secrets {
            s.map(|s| s.expose().to_owned()).unwrap_or_default()
        } else {
            String::new()
        }
    };

    let mut info = json!({
        "name": c.details.name,
        "schema": SCHEMA_V21,
    });
    if !c.details.description.is_empty() {
        info["description"] = json!(c.details.description);
    }
    if !c.details.version.is_empty() {
        info["version"] = json!(c.details.version);
    }

    // Variables: the connector's, then the credentials the OAuth 1.0a method needs.
    let mut variables: Vec<Value> = c
        .variables
        .iter()
        .map(|v| {
            let value = if v.kind == signet_connector::VariableKind::Secret {
                secret(instance.secrets.get(&v.name))
            } else {
                instance
                    .values
                    .get(&v.name)
                    .cloned()
                    .or_else(|| v.default.clone())
                    .unwrap_or_default()
            };
            let mut out = json!({ "key": v.name, "value": value, "type": "string" });
            if !v.label.is_empty() && v.label != v.name {
                out["name"] = json!(v.label);
            }
            out
        })
        .collect();
    if let Some((_, _, o)) = c.oauth1() {
        variables.push(
            json!({ "key": names.consumer_key, "value": instance.consumer_key, "type": "string" }),
        );
        if o.signature_method.is_rsa() {
            variables.push(json!({ "key": names.private_key, "value": secret(instance.rsa_private_key_pem.as_ref()), "type": "string" }));
        } else {
            variables.push(json!({ "key": names.consumer_secret, "value": secret(instance.consumer_secret.as_ref()), "type": "string" }));
        }
        if o.mode != FlowMode::OneLegged {
            let (token, token_secret) = match &instance.token {
                Some((t, s)) if options.include_secrets => (t.clone(), s.expose().to_owned()),
                _ => (String::new(), String::new()),
            };
            variables.push(json!({ "key": names.token, "value": token, "type": "string" }));
            variables.push(
                json!({ "key": names.token_secret, "value": token_secret, "type": "string" }),
            );
        }
    }

    let auth_of = |m: &AuthMethod| postman_auth(m, &names, None);
    let mut items: Vec<Value> = Vec::new();
    if let Some((_, m, o)) = c.oauth1()
        && o.mode == FlowMode::ThreeLegged
    {
        items.push(token_folder(m, o, &names));
    }
    for e in &c.endpoints {
        let method_auth = e
            .auth
            .as_ref()
            .and_then(|id| c.auth_method(id))
            .map(auth_of);
        items.push(item(e, method_auth));
    }

    let mut collection = json!({
        "info": info,
        "item": items,
        "variable": variables,
    });
    if let Some(first) = c.auth_methods.first() {
        collection["auth"] = auth_of(first);
    }
    postman_texts(&mut collection);
    collection["_signet"] = json!({
            "version": 1,
            "details": {
                "system": c.details.system,
                "documentation_url": c.details.documentation_url,
                "preset": c.details.preset,
            },
            "variables": c.variables,
            "auth_methods": c.auth_methods,
    });
    collection
}

/// A v2.1 auth attribute list.
fn attrs(pairs: &[(&str, Value)]) -> Value {
    Value::Array(
        pairs
            .iter()
            .map(|(k, v)| {
                let ty = if v.is_boolean() { "boolean" } else { "string" };
                json!({ "key": k, "value": v, "type": ty })
            })
            .collect(),
    )
}

/// A method as Postman's auth. `token`: the token fields of a token request (request token:
/// none; access token: the request token and the verifier).
fn postman_auth(m: &AuthMethod, names: &CredentialNames, token: Option<TokenStep>) -> Value {
    match &m.kind {
        AuthKind::None => json!({ "type": "noauth" }),
        AuthKind::Basic { username, password } => json!({
            "type": "basic",
            "basic": attrs(&[("username", json!(username)), ("password", json!(password))]),
        }),
        AuthKind::ApiKey {
            name,
            value,
            placement,
        } => match value.strip_prefix("Bearer ") {
            Some(t)
                if name.eq_ignore_ascii_case("authorization")
                    && *placement == KeyPlacement::Header =>
            {
                json!({ "type": "bearer", "bearer": attrs(&[("token", json!(t))]) })
            }
            _ => json!({
                "type": "apikey",
                "apikey": attrs(&[
                    ("key", json!(name)),
                    ("value", json!(value)),
                    ("in", json!(if *placement == KeyPlacement::Query { "query" } else { "header" })),
                ]),
            }),
        },
        AuthKind::OAuth1(o) => {
            let var = |n: &str| format!("{{{{{n}}}}}");
            let mut pairs: Vec<(&str, Value)> = vec![
                ("signatureMethod", json!(o.signature_method.as_str())),
                ("consumerKey", json!(var(&names.consumer_key))),
            ];
            if o.signature_method.is_rsa() {
                pairs.push(("privateKey", json!(var(&names.private_key))));
            } else {
                pairs.push(("consumerSecret", json!(var(&names.consumer_secret))));
            }
            match token {
                Some(TokenStep::RequestToken) => {
                    pairs.push(("callback", json!(callback_url(o))));
                }
                Some(TokenStep::AccessToken) => {
                    pairs.push(("token", json!("{{request_token}}")));
                    pairs.push(("tokenSecret", json!("{{request_token_secret}}")));
                    pairs.push(("verifier", json!("{{oauth_verifier}}")));
                }
                None if o.mode != FlowMode::OneLegged => {
                    pairs.push(("token", json!(var(&names.token))));
                    pairs.push(("tokenSecret", json!(var(&names.token_secret))));
                }
                None => {}
            }
            pairs.extend([
                ("version", json!(if o.include_version { "1.0" } else { "" })),
                ("realm", json!(o.realm.clone().unwrap_or_default())),
                ("addParamsToHeader", json!(o.placement == Placement::Header)),
                ("addEmptyParamsToSign", json!(o.include_empty)),
                ("includeBodyHash", json!(o.body_hash)),
            ]);
            json!({ "type": "oauth1", "oauth1": attrs(&pairs) })
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum TokenStep {
    RequestToken,
    AccessToken,
}

/// Step 7's callback as Postman's callback field.
fn callback_url(o: &OAuth1) -> String {
    let c = &o.callback;
    match c.mode {
        CallbackMode::DeepLink => "signet://callback".into(),
        CallbackMode::Loopback if c.loopback_port == 0 => {
            format!("http://127.0.0.1{}", c.loopback_path)
        }
        CallbackMode::Loopback => {
            format!("http://127.0.0.1:{}{}", c.loopback_port, c.loopback_path)
        }
        CallbackMode::Oob => c.oob_url.clone().unwrap_or_else(|| "oob".into()),
    }
}

/// Steps 3, 6 and 8 as requests, in a folder, for running the dance by hand in Postman.
fn token_folder(m: &AuthMethod, o: &OAuth1, names: &CredentialNames) -> Value {
    let mut authorize = o.authorize_url.clone();
    let mut query = vec![("oauth_token".to_owned(), "{{request_token}}".to_owned())];
    query.extend(
        o.authorize_params
            .iter()
            .map(|p| (p.name.clone(), p.value.clone())),
    );
    authorize.push('?');
    authorize.push_str(
        &query
            .iter()
            .map(|(k, v)| format!("{}={}", escape_query(k), escape_query(v)))
            .collect::<Vec<_>>()
            .join("&"),
    );
    json!({
        "name": "OAuth 1.0a",
        "description": "The three token steps of OAuth 1.0a, to run by hand: copy the request token and its secret from the first answer into request_token and request_token_secret, open the consent page, put the verifier into oauth_verifier, then ask for the access token. Signet runs these steps itself.",
        "item": [
            {
                "name": "Request token (step 3)",
                "request": {
                    "method": o.request_token.method,
                    "url": { "raw": o.request_token.url },
                    "auth": postman_auth(m, names, Some(TokenStep::RequestToken)),
                },
                "_signet": { "role": "request_token" },
            },
            {
                "name": "Consent page (step 6)",
                "request": {
                    "method": "GET",
                    "url": { "raw": authorize },
                    "auth": { "type": "noauth" },
                },
                "_signet": { "role": "authorize" },
            },
            {
                "name": "Access token (step 8)",
                "request": {
                    "method": o.access_token.method,
                    "url": { "raw": o.access_token.url },
                    "auth": postman_auth(m, names, Some(TokenStep::AccessToken)),
                },
                "_signet": { "role": "access_token" },
            },
        ],
    })
}

/// A query key or value as Postman shows it: `%`, `&`, `=` and `#` escaped, so that reading it
/// back (which decodes) gives the same text.
fn escape_query(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    // `{{references}}` are left whole.
    while let Some(start) = rest.find("{{") {
        let end = rest[start..]
            .find("}}")
            .map_or(rest.len(), |e| start + e + 2);
        out.push_str(&escape_plain(&rest[..start]));
        out.push_str(&rest[start..end]);
        rest = &rest[end..];
    }
    out.push_str(&escape_plain(rest));
    out
}

fn escape_plain(s: &str) -> String {
    s.replace('%', "%25")
        .replace('&', "%26")
        .replace('=', "%3D")
        .replace('#', "%23")
}

/// An endpoint as a request item.
fn item(e: &Endpoint, auth: Option<Value>) -> Value {
    // Endpoint variables standing as whole path segments are Postman path variables.
    let path_vars: Vec<&str> = e.variables.iter().map(|v| v.name.as_str()).collect();
    let mut url_vars = Vec::new();
    let mut base = String::new();
    let (head, path) = split_head(&e.url);
    base.push_str(head);
    for seg in path.split('/').skip(1) {
        base.push('/');
        match seg
            .strip_prefix("{{")
            .and_then(|s| s.strip_suffix("}}"))
            .map(str::trim)
            .filter(|n| path_vars.contains(n))
        {
            Some(name) => {
                base.push(':');
                base.push_str(name);
                let default = e
                    .variables
                    .iter()
                    .find(|v| v.name == name)
                    .and_then(|v| v.default.clone())
                    .unwrap_or_default();
                url_vars.push(json!({ "key": name, "value": default }));
            }
            None => base.push_str(seg),
        }
    }
    let query: Vec<Value> = e
        .query
        .iter()
        .map(|p| json!({ "key": escape_query(&p.name), "value": escape_query(&p.value) }))
        .collect();
    let mut raw = base.clone();
    if !e.query.is_empty() {
        raw.push('?');
        raw.push_str(
            &e.query
                .iter()
                .map(|p| {
                    pm(&format!(
                        "{}={}",
                        escape_query(&p.name),
                        escape_query(&p.value)
                    ))
                })
                .collect::<Vec<_>>()
                .join("&"),
        );
    }
    let mut url = json!({ "raw": raw });
    if !query.is_empty() {
        url["query"] = Value::Array(query);
    }
    if !url_vars.is_empty() {
        url["variable"] = Value::Array(url_vars);
    }
    let mut headers: Vec<Value> = e
        .headers
        .iter()
        .map(|h| json!({ "key": h.name, "value": h.value }))
        .collect();
    let body = match &e.body {
        Body::None => None,
        Body::Form { fields } => Some(json!({
            "mode": "urlencoded",
            "urlencoded": fields.iter().map(|f| json!({ "key": f.name, "value": f.value })).collect::<Vec<_>>(),
        })),
        Body::Json { text } => Some(
            json!({ "mode": "raw", "raw": pm(text), "options": { "raw": { "language": "json" } } }),
        ),
        Body::Xml { text } => Some(
            json!({ "mode": "raw", "raw": pm(text), "options": { "raw": { "language": "xml" } } }),
        ),
        Body::Text { content_type, text } => {
            headers.push(json!({ "key": "Content-Type", "value": content_type }));
            Some(
                json!({ "mode": "raw", "raw": pm(text), "options": { "raw": { "language": "text" } } }),
            )
        }
    };
    let mut request = json!({
        "method": e.method,
        "header": headers,
        "url": url,
    });
    if let Some(b) = body {
        request["body"] = b;
    }
    if !e.description.is_empty() {
        request["description"] = json!(e.description);
    }
    if let Some(a) = auth {
        request["auth"] = a;
    }
    json!({
        "name": e.name,
        "request": request,
        "_signet": {
            "id": e.id,
            "auth": e.auth,
            "variables": e.variables,
            "pagination": e.pagination,
            "schema": e.schema,
        },
    })
}

/// A template as Postman writes it: Signet's `{{$uuid}}` is Postman's `{{$guid}}`, and a `{{`
/// Signet escapes (`\{{`, not a reference) is plain text in Postman.
fn pm(text: &str) -> String {
    text.replace("{{$uuid}}", "{{$guid}}").replace("\\{{", "{{")
}

/// Every text of a collection written the Postman way ([`pm`]), except in `_signet` objects,
/// which keep Signet's own.
fn postman_texts(v: &mut Value) {
    match v {
        Value::String(s) if s.contains("{{") => *s = pm(s),
        Value::Array(items) => items.iter_mut().for_each(postman_texts),
        Value::Object(map) => {
            for (k, item) in map.iter_mut() {
                if k != "_signet" {
                    postman_texts(item);
                }
            }
        }
        _ => {}
    }
}

/// `scheme://host` (or a leading `{{variable}}`) and the path after it.
fn split_head(url: &str) -> (&str, &str) {
    let after = url.find("://").map_or(0, |i| i + 3);
    match url[after..].find('/') {
        Some(j) => url.split_at(after + j),
        None => (url, ""),
    }
}
