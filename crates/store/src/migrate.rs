//! Schema 2 → 3: a connector record of Signet 0.1 (one OAuth 1.0a registration with a resource
//! URL) and, when the desktop app saved it, its `desktop.draft.<id>` side record (the flow
//! mode, the endpoints' methods, the resource call's method and body, the PIN mode's web
//! address) become one connector of the model in `signet-connector`: its details, one OAuth
//! 1.0a method, and the resource as an endpoint that step 10 calls. Nothing is dropped: every
//! field of both records has a place.
//!
//! Pure: JSON in, a connector out. `Store::open` runs it for every record in one transaction and
//! gives each connector an instance with the connector's own id, so its credentials, token and
//! runs (keyed by that id) stay where they are.

use serde_json::Value;
use signet_connector::model::{
    AuthKind, AuthMethod, AuthOptions, Body, CallbackSettings, Connector, Details, Endpoint,
    OAuth1, Param,
};
use signet_oauth1::flow::{Endpoint as HttpEndpoint, FlowMode};
use signet_oauth1::{CallbackMode, Placement, SignatureMethod};

/// The callback and token rules the 0.1 app took from a connector's preset at run time, which
/// the model now keeps on the connector: (preset, callback on the authorize URL, callback
/// confirmation required, consumer key is the token). Presets not listed use OAuth 1.0a's
/// defaults (`false`, `true`, `false`). A test in `signet-presets` checks this table against the
/// catalog.
pub const PRESET_RULES: &[(&str, bool, bool, bool)] = &[
    ("garmin", true, false, false),
    ("tripit", true, false, false),
    ("xero-private", false, true, true),
];

fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn pairs(v: Option<&Value>) -> Vec<Param> {
    v.and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|p| {
                    let p = p.as_array()?;
                    Some(Param::new(p.first()?.as_str()?, p.get(1)?.as_str()?))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn with_query(url: &str, params: &[Param]) -> String {
    if params.is_empty() {
        return url.to_owned();
    }
    let q: Vec<String> = params
        .iter()
        .map(|p| {
            format!(
                "{}={}",
                signet_oauth1::encoding::encode(&p.name),
                signet_oauth1::encoding::encode(&p.value)
            )
        })
        .collect();
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{}", q.join("&"))
}

fn parse<T: serde::de::DeserializeOwned>(
    v: Option<&Value>,
    what: &str,
) -> Result<Option<T>, String> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(v) => serde_json::from_value(v.clone())
            .map(Some)
            .map_err(|e| format!("{what}: {e}")),
    }
}

/// The body of a 0.1 resource call as an endpoint body.
fn body_of(content_type: Option<&str>, body: Option<&str>) -> Body {
    let Some(text) = body.filter(|b| !b.is_empty()) else {
        return Body::None;
    };
    let ct = content_type.unwrap_or("text/plain");
    let media = ct
        .split(';')
        .next()
        .unwrap_or(ct)
        .trim()
        .to_ascii_lowercase();
    if media == signet_oauth1::request::FORM {
        let fields = signet_oauth1::parameters::split_pairs(text)
            .map(|(k, v)| {
                let d = |s: &str| {
                    signet_oauth1::encoding::lossy(&signet_oauth1::encoding::form_decode(s))
                        .into_owned()
                };
                Param::new(d(k), d(v))
            })
            .collect();
        return Body::Form { fields };
    }
    // Literal braces in an old body stay literal under the new templating.
    let text = text.replace("{{", "\\{{");
    match media.as_str() {
        "application/json" => Body::Json { text },
        "application/xml" | "text/xml" => Body::Xml { text },
        _ => Body::Text {
            content_type: ct.to_owned(),
            text,
        },
    }
}

/// Literal `{{` in an old URL or value stays literal under the new templating.
fn literal(s: &str) -> String {
    s.replace("{{", "\\{{")
}

/// A schema-2 connector record (`spec`, the record's JSON) with its side record, as a
/// connector of the model.
pub fn connector_from_v2(spec: &Value, side: Option<&Value>) -> Result<Connector, String> {
    let name = text(spec, "name").ok_or("the record has no name")?;
    let preset = text(spec, "preset").map(str::to_owned);
    let method: SignatureMethod =
        parse(spec.get("signature_method"), "signature_method")?.ok_or("no signature_method")?;
    let placement: Placement = parse(spec.get("placement"), "placement")?.unwrap_or_default();
    let include_version = spec
        .get("include_version")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    let callback_mode: CallbackMode =
        parse(spec.get("callback_mode"), "callback_mode")?.unwrap_or_default();
    let callback_url = text(spec, "callback_url");

    let side_text = |path: &[&str]| -> Option<&str> {
        let mut v = side?;
        for p in path {
            v = v.get(*p)?;
        }
        v.as_str()
    };
    let mode: FlowMode = parse(side.and_then(|s| s.get("mode")), "mode")?.unwrap_or_default();
    let method_of = |path: &[&str]| side_text(path).unwrap_or("POST").to_owned();

    let mut callback = CallbackSettings {
        mode: callback_mode,
        // Signet 0.1 sent the callback as registered: keep sending it so.
        bind_to_run: false,
        ..CallbackSettings::default()
    };
    match callback_mode {
        CallbackMode::Loopback => {
            let url = callback_url.unwrap_or("http://127.0.0.1:0/callback");
            let cfg =
                signet_oauth1::flow::CallbackConfig::new(CallbackMode::Loopback, url.to_owned());
            if let Some((_, port, path)) = cfg.loopback_parts() {
                callback.loopback_port = port;
                callback.loopback_path = if path.is_empty() {
                    "/".into()
                } else {
                    path.to_owned()
                };
            }
        }
        CallbackMode::Oob => {
            callback.oob_url = side_text(&["callback", "oob_url"])
                .filter(|u| !u.trim().is_empty())
                .map(literal);
        }
        CallbackMode::DeepLink => {}
    }
    let (on_authorize_url, require_confirmed, key_as_token) = preset
        .as_deref()
        .and_then(|p| PRESET_RULES.iter().find(|r| r.0 == p))
        .map_or((false, true, false), |r| (r.1, r.2, r.3));

    let request_token_url = with_query(
        &literal(text(spec, "request_token_url").unwrap_or("")),
        &pairs(spec.get("extra_request_token_params")),
    );
    let access_token_url = with_query(
        &literal(text(spec, "access_token_url").unwrap_or("")),
        &pairs(spec.get("extra_access_token_params")),
    );

    // The resource: the side record's call (method, body) when the app saved it, else a GET of
    // the record's URL.
    let resource = side
        .and_then(|s| s.get("resource"))
        .filter(|r| !r.is_null());
    let endpoint = match (resource, text(spec, "resource_url")) {
        (Some(r), _) if text(r, "url").is_some_and(|u| !u.trim().is_empty()) => Some(Endpoint {
            method: text(r, "method").unwrap_or("GET").to_ascii_uppercase(),
            url: literal(text(r, "url").unwrap_or("")),
            body: body_of(text(r, "content_type"), text(r, "body")),
            ..Endpoint::get("resource", "Resource", "")
        }),
        (_, Some(url)) if !url.trim().is_empty() => {
            Some(Endpoint::get("resource", "Resource", &literal(url)))
        }
        _ => None,
    };
    let oauth1 = OAuth1 {
        mode,
        signature_method: method,
        placement,
        include_version,
        body_hash: false,
        include_empty: false,
        realm: text(spec, "realm").filter(|r| !r.is_empty()).map(literal),
        request_token: HttpEndpoint {
            url: request_token_url,
            method: method_of(&["endpoints", "request_token", "method"]),
        },
        authorize_url: literal(text(spec, "authorize_url").unwrap_or("")),
        access_token: HttpEndpoint {
            url: access_token_url,
            method: method_of(&["endpoints", "access_token", "method"]),
        },
        callback,
        authorize_params: pairs(spec.get("extra_authorize_params"))
            .into_iter()
            .map(|p| Param::new(p.name, literal(&p.value)))
            .collect(),
        callback_on_authorize_url: on_authorize_url,
        require_callback_confirmed: require_confirmed,
        consumer_key_as_token: key_as_token,
        token_fields: Vec::new(),
        test_endpoint: endpoint.as_ref().map(|e| e.id.clone()),
    };
    Ok(Connector {
        details: Details {
            name: name.to_owned(),
            preset,
            ..Details::default()
        },
        variables: Vec::new(),
        auth_methods: vec![AuthMethod {
            id: "oauth1".into(),
            name: "OAuth 1.0a".into(),
            kind: AuthKind::OAuth1(Box::new(oauth1)),
            options: AuthOptions::default(),
        }],
        endpoints: endpoint.into_iter().collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_cli_record_becomes_one_oauth_method_and_its_resource() {
        let spec = json!({
            "name": "Demo", "preset": null,
            "request_token_url": "http://127.0.0.1:8000/oauth/request_token",
            "authorize_url": "http://127.0.0.1:8000/oauth/authorize",
            "access_token_url": "http://127.0.0.1:8000/oauth/access_token",
            "resource_url": "http://127.0.0.1:8000/api/me?x={{y}}",
            "signature_method": "HMAC-SHA1", "placement": "query", "realm": null,
            "callback_mode": "loopback", "callback_url": "http://127.0.0.1:53682/cb",
            "include_version": false,
            "extra_request_token_params": [["scope", "a b"]],
            "extra_authorize_params": [["name", "Signet"]],
            "extra_access_token_params": []
        });
        let c = connector_from_v2(&spec, None).unwrap();
        assert_eq!(signet_connector::validate(&c), vec![]);
        let (_, m, o) = c.oauth1().unwrap();
        assert_eq!(m.id, "oauth1");
        assert_eq!(o.mode, FlowMode::ThreeLegged);
        assert_eq!(o.placement, Placement::Query);
        assert!(!o.include_version);
        assert_eq!(
            o.request_token.url,
            "http://127.0.0.1:8000/oauth/request_token?scope=a%20b"
        );
        assert_eq!(
            (o.callback.loopback_port, o.callback.loopback_path.as_str()),
            (53682, "/cb")
        );
        assert_eq!(o.authorize_params, [Param::new("name", "Signet")]);
        assert_eq!(o.test_endpoint.as_deref(), Some("resource"));
        // Braces that were literal stay literal.
        assert_eq!(c.endpoints[0].url, "http://127.0.0.1:8000/api/me?x=\\{{y}}");
    }

    #[test]
    fn the_side_record_brings_mode_methods_body_and_pin_address() {
        let spec = json!({
            "name": "NS", "preset": "tripit",
            "request_token_url": "https://x.example/rt", "authorize_url": "https://x.example/a",
            "access_token_url": "https://x.example/at", "resource_url": "https://x.example/r",
            "signature_method": "HMAC-SHA256", "placement": "header", "realm": "R_1",
            "callback_mode": "oob", "callback_url": null, "include_version": true,
            "extra_request_token_params": [], "extra_authorize_params": [],
            "extra_access_token_params": []
        });
        let side = json!({
            "mode": "pre_issued_token",
            "endpoints": {"request_token": {"url": "", "method": "GET"}, "authorize_url": "",
                          "access_token": {"url": "", "method": "GET"}},
            "callback": {"mode": "oob", "loopback_port": 0, "loopback_path": "/callback",
                         "oob_url": "https://example.com/cb"},
            "resource": {"method": "post", "url": "https://x.example/r?page=2",
                         "content_type": "application/x-www-form-urlencoded",
                         "body": "status=hello%20world&n=1"}
        });
        let c = connector_from_v2(&spec, Some(&side)).unwrap();
        let (_, _, o) = c.oauth1().unwrap();
        assert_eq!(o.mode, FlowMode::PreIssuedToken);
        assert_eq!(o.request_token.method, "GET");
        assert_eq!(
            o.callback.oob_url.as_deref(),
            Some("https://example.com/cb")
        );
        assert_eq!(o.realm.as_deref(), Some("R_1"));
        // TripIt's rules, which the app used to take from the preset at run time.
        assert!(o.callback_on_authorize_url && !o.require_callback_confirmed);
        let e = &c.endpoints[0];
        assert_eq!(
            (e.method.as_str(), e.url.as_str()),
            ("POST", "https://x.example/r?page=2")
        );
        assert_eq!(
            e.body,
            Body::Form {
                fields: vec![Param::new("status", "hello world"), Param::new("n", "1")]
            }
        );
        let json_side = json!({"resource": {"method": "POST", "url": "https://x.example/r",
            "content_type": "application/json", "body": "{\"a\":{\"b\":1}}"}});
        let c = connector_from_v2(&spec, Some(&json_side)).unwrap();
        assert_eq!(
            c.endpoints[0].body,
            Body::Json {
                text: "{\"a\":{\"b\":1}}".into()
            }
        );
    }
}
