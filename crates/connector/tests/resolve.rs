//! A connector resolved for an instance: the flow configuration of its OAuth 1.0a method, and
//! endpoint calls signed and read back by the provider-side inspector.

use std::collections::BTreeMap;

use signet_connector::model::*;
use signet_connector::variables::Origin;
use signet_connector::{Builtins, ClientSecret, Installed, prepare_call, sign_call};
use signet_oauth1::flow::{FlowMode, ModeConfig, TokenCredentials};
use signet_oauth1::verify::inspect;
use signet_oauth1::{HttpRequest, Placement, Secret, SignatureMethod, Verifier};

const CONSUMER_SECRET: &str = "kd94hf93k423kf44";
const TOKEN_SECRET: &str = "pfkkdhi9sl3r4s00";

fn builtins() -> Builtins {
    Builtins {
        timestamp: 1_700_000_000,
        uuid: "3b241101-e2bb-4255-8caf-4136c566a962".into(),
        random_int: 7,
    }
}

/// A NetSuite-like shop: the account id in host and realm, a tenant header, three endpoints.
fn shop() -> Connector {
    let mut c = Connector::named("Shop");
    c.variables = vec![
        Variable {
            kind: VariableKind::NetsuiteAccount,
            ..Variable::text("account_id", "Account id")
        },
        Variable {
            default: Some("acme".into()),
            required: false,
            ..Variable::text("tenant", "Tenant")
        },
        Variable {
            kind: VariableKind::Secret,
            required: false,
            ..Variable::text("api_key", "API key")
        },
    ];
    let mut o = OAuth1::three_legged(
        "https://{{account_id}}.example.com/oauth/request_token",
        "https://{{account_id}}.example.com/oauth/authorize",
        "https://{{account_id}}.example.com/oauth/access_token",
    );
    o.realm = Some("{{account_id.realm}}".into());
    o.token_fields = vec!["user_id".into()];
    o.test_endpoint = Some("me".into());
    c.auth_methods.push(AuthMethod {
        id: "oauth1".into(),
        name: "OAuth 1.0a".into(),
        kind: AuthKind::OAuth1(Box::new(o)),
        options: AuthOptions {
            query: vec![Param::new("format", "json")],
            headers: vec![Param::new("X-Tenant", "{{tenant}}")],
            body: vec![],
        },
    });
    let mut order = Endpoint::get(
        "order",
        "An order",
        "https://{{account_id}}.example.com/orders/{{order_id}}",
    );
    order.variables = vec![Variable::text("order_id", "Order id")];
    order.query = vec![Param::new("expand", "{{expand}}")];
    order.variables.push(Variable {
        default: Some("lines items".into()),
        required: false,
        ..Variable::text("expand", "Expand")
    });
    let mut create = Endpoint::get(
        "create-order",
        "Create an order",
        "https://{{account_id}}.example.com/orders",
    );
    create.method = "POST".into();
    create.body = Body::Json {
        text: r#"{"customer": "{{customer}}", "user": "{{user_id}}", "total": {{total}}}"#.into(),
    };
    create.variables = vec![
        Variable {
            default: Some("Alice \"Al\" Liddell".into()),
            ..Variable::text("customer", "Customer")
        },
        Variable {
            kind: VariableKind::Number,
            default: Some("42.5".into()),
            ..Variable::text("total", "Total")
        },
    ];
    c.endpoints = vec![
        Endpoint::get(
            "me",
            "Who am I",
            "https://{{account_id}}.example.com/api/me",
        ),
        order,
        create,
    ];
    c
}

fn installed() -> Installed {
    Installed {
        values: BTreeMap::from([("account_id".into(), "1234567_SB1".into())]),
        secrets: BTreeMap::from([("api_key".into(), Secret::new("sk_live_123"))]),
        consumer_key: "dpf43f3p2l4k3l03".into(),
        client_secret: Some(ClientSecret::Shared(Secret::new(CONSUMER_SECRET))),
        token: Some(TokenCredentials {
            token: "nnch734d00sl2jdk".into(),
            secret: Secret::new(TOKEN_SECRET),
            extra: vec![("user_id".into(), "42".into())],
        }),
    }
}

fn verifier() -> Verifier {
    Verifier::Shared {
        consumer_secret: Secret::new(CONSUMER_SECRET),
        token_secret: Some(Secret::new(TOKEN_SECRET)),
    }
}

fn fields(problems: &[signet_oauth1::flow::FieldProblem]) -> Vec<&str> {
    problems.iter().map(|p| p.field.as_str()).collect()
}

#[test]
fn the_flow_config_fills_in_every_template() {
    let (c, i) = (shop(), installed());
    let config = signet_connector::flow_config(&c, &i, builtins()).unwrap();
    assert_eq!(config.realm.as_deref(), Some("1234567_SB1"));
    let ModeConfig::ThreeLegged(t) = &config.mode else {
        panic!("three-legged expected")
    };
    assert_eq!(
        t.request_token.url,
        "https://1234567-sb1.example.com/oauth/request_token"
    );
    assert_eq!(
        t.authorize_url,
        "https://1234567-sb1.example.com/oauth/authorize"
    );
    // The method's options travel with the token requests...
    assert_eq!(config.extras.query, [("format".into(), "json".into())]);
    assert_eq!(config.extras.headers, [("X-Tenant".into(), "acme".into())]);
    // ...and with step 10's call of the test endpoint.
    let r = config.resource.as_ref().unwrap();
    assert_eq!(r.url, "https://1234567-sb1.example.com/api/me?format=json");
    assert_eq!(r.headers, [("X-Tenant".into(), "acme".into())]);
    assert!(config.validate().is_empty());
}

#[test]
fn flow_problems_are_named_by_the_connectors_fields() {
    let c = shop();
    let mut i = installed();
    i.values.clear();
    i.client_secret = None;
    let problems = signet_connector::flow_config(&c, &i, builtins()).unwrap_err();
    // The missing value is named once, where it is set, not in every field that uses it.
    assert_eq!(
        fields(&problems),
        ["values.account_id", "instance.client_secret"]
    );
    assert_eq!(
        problems[0].message,
        "Account id ({{account_id}}) needs a value"
    );
    assert_eq!(
        problems[1].message,
        "HMAC-SHA1 signs with the consumer secret: type the secret the provider gave you"
    );
    // A misspelt reference is named in its field, with a suggestion.
    let mut misspelt = shop();
    let Some(AuthKind::OAuth1(o)) = misspelt.auth_methods.first_mut().map(|m| &mut m.kind) else {
        unreachable!()
    };
    o.realm = Some("{{acount_id.realm}}".into());
    let problems = signet_connector::flow_config(&misspelt, &installed(), builtins()).unwrap_err();
    assert_eq!(fields(&problems), ["auth_methods[0].realm"]);
    assert_eq!(
        problems[0].message,
        "{{acount_id.realm}} is not defined; did you mean {{account_id.realm}}?"
    );
    // A value that does not fit its kind says why.
    i.values.insert("account_id".into(), "12 34".into());
    let problems = signet_connector::flow_config(&c, &i, builtins()).unwrap_err();
    assert_eq!(problems[0].field, "values.account_id");
    assert!(
        problems[0]
            .message
            .starts_with("Account id ({{account_id}}): \"12 34\" is not a NetSuite account id"),
        "{}",
        problems[0].message
    );
}

#[test]
fn step_10_may_not_need_what_the_dance_issues() {
    let mut c = shop();
    let Some(AuthKind::OAuth1(o)) = c.auth_methods.first_mut().map(|m| &mut m.kind) else {
        unreachable!()
    };
    o.test_endpoint = Some("create-order".into());
    let problems = signet_connector::flow_config(&c, &installed(), builtins()).unwrap_err();
    assert_eq!(fields(&problems), ["auth_methods[0].test_endpoint"]);
    assert!(
        problems[0]
            .message
            .contains("uses {{user_id}} from the access-token response"),
        "{}",
        problems[0].message
    );
}

#[test]
fn a_call_is_filled_in_encoded_once_and_signed_over_what_is_sent() {
    let (c, i) = (shop(), installed());
    let inputs = BTreeMap::from([("order_id".into(), "A/7 b".into())]);
    let call = prepare_call(&c, "order", &i, &inputs, builtins()).unwrap();
    assert_eq!(
        call.url,
        "https://1234567-sb1.example.com/orders/A/7%20b?expand=lines%20items&format=json"
    );
    assert_eq!(call.headers, [("X-Tenant".into(), "acme".into())]);
    let origins: Vec<(&str, Origin)> = call
        .variables
        .iter()
        .map(|u| (u.name.as_str(), u.origin))
        .collect();
    assert_eq!(
        origins,
        [
            ("account_id", Origin::Instance),
            ("order_id", Origin::Input),
            ("expand", Origin::Endpoint),
            ("tenant", Origin::Connector),
            // The method's realm, which the Authorization header carries.
            ("account_id.realm", Origin::Instance),
        ]
    );
    let signed = sign_call(&call, "wIjqoS", 1_700_000_000).unwrap();
    let auth = signed
        .headers
        .iter()
        .find(|(k, _)| k == "Authorization")
        .map(|(_, v)| v.as_str());
    let got = inspect(
        &HttpRequest {
            method: &signed.method,
            url: &signed.url,
            content_type: signed.content_type.as_deref(),
            body: signed.body.as_deref(),
        },
        auth,
    )
    .unwrap();
    assert!(
        got.verify(&verifier()),
        "the provider-side check accepts it"
    );
    assert_eq!(got.token.as_deref(), Some("nnch734d00sl2jdk"));
    // The query parameters, from the endpoint and the method, are in the base string.
    let trace = signed.trace.unwrap();
    assert!(trace.base_string.contains("expand%3Dlines%2520items"));
    assert!(trace.base_string.contains("format%3Djson"));
    assert!(
        call.parameters
            .iter()
            .any(|p| p.name == "X-Tenant" && !p.signed && p.from == "OAuth 1.0a")
    );
}

#[test]
fn json_bodies_are_escaped_and_covered_by_the_body_hash_when_asked() {
    let mut c = shop();
    let Some(AuthKind::OAuth1(o)) = c.auth_methods.first_mut().map(|m| &mut m.kind) else {
        unreachable!()
    };
    o.body_hash = true;
    o.signature_method = SignatureMethod::HmacSha256;
    let call = prepare_call(
        &c,
        "create-order",
        &installed(),
        &BTreeMap::new(),
        builtins(),
    )
    .unwrap();
    let body = call.body.clone().unwrap();
    assert_eq!(
        body,
        r#"{"customer": "Alice \"Al\" Liddell", "user": "42", "total": 42.5}"#
    );
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["total"], 42.5);
    assert_eq!(call.content_type.as_deref(), Some("application/json"));
    let signed = sign_call(&call, "n0nce", 1_700_000_000).unwrap();
    let auth = signed
        .headers
        .iter()
        .find(|(k, _)| k == "Authorization")
        .map(|(_, v)| v.clone());
    let got = inspect(
        &HttpRequest {
            method: "POST",
            url: &signed.url,
            content_type: signed.content_type.as_deref(),
            body: signed.body.as_deref(),
        },
        auth.as_deref(),
    )
    .unwrap();
    assert!(got.verify(&verifier()));
    assert_eq!(got.body_hash_matches(body.as_bytes()), Some(true));
    let note = call.parameters.iter().find(|p| p.place == "body").unwrap();
    assert!(note.signed, "{note:?}");
}

#[test]
fn bad_calls_are_refused_before_sending_with_the_field_named() {
    let (c, i) = (shop(), installed());
    let e = prepare_call(&c, "orders", &i, &BTreeMap::new(), builtins()).unwrap_err();
    assert_eq!(
        e[0].message,
        "the connector has no endpoint \"orders\": it has me, order, create-order"
    );
    let e = prepare_call(&c, "order", &i, &BTreeMap::new(), builtins()).unwrap_err();
    assert_eq!(fields(&e), ["endpoints[1].url"]);
    assert_eq!(
        e[0].message,
        "{{order_id}} has no value: give it one for this call (or a default in the endpoint's variables)"
    );
    let inputs = BTreeMap::from([("ordr_id".into(), "1".into())]);
    let e = prepare_call(&c, "order", &i, &inputs, builtins()).unwrap_err();
    assert_eq!(
        e[0].message,
        "there is no variable {{ordr_id}} to give a value to; did you mean {{order_id}}?"
    );
    let inputs = BTreeMap::from([("total".into(), "lots".into())]);
    let e = prepare_call(&c, "create-order", &i, &inputs, builtins()).unwrap_err();
    assert_eq!(e[0].field, "inputs.total");
    // Without a token, a three-legged call says to connect first.
    let mut no_token = installed();
    no_token.token = None;
    let inputs = BTreeMap::from([("order_id".into(), "1".into())]);
    let e = prepare_call(&c, "order", &no_token, &inputs, builtins()).unwrap_err();
    assert_eq!(fields(&e), ["instance.token"]);
}

#[test]
fn basic_and_api_key_methods_add_their_secret_and_mask_it() {
    let mut c = shop();
    c.auth_methods.push(AuthMethod {
        id: "key".into(),
        name: "API key".into(),
        kind: AuthKind::ApiKey {
            name: "X-Api-Key".into(),
            value: "{{api_key}}".into(),
            placement: KeyPlacement::Header,
        },
        options: AuthOptions::default(),
    });
    c.auth_methods.push(AuthMethod {
        id: "basic".into(),
        name: "Basic".into(),
        kind: AuthKind::Basic {
            username: "alice".into(),
            password: "{{api_key}}".into(),
        },
        options: AuthOptions::default(),
    });
    c.auth_methods.push(AuthMethod {
        id: "public".into(),
        name: "No auth".into(),
        kind: AuthKind::None,
        options: AuthOptions::default(),
    });
    assert_eq!(signet_connector::validate(&c), vec![]);
    for (method, header) in [
        ("key", Some("sk_live_123".to_owned())),
        (
            "basic",
            Some(format!("Basic {}", base64_of("alice:sk_live_123"))),
        ),
        ("public", None),
    ] {
        c.endpoints[0].auth = Some(method.into());
        let call = prepare_call(&c, "me", &installed(), &BTreeMap::new(), builtins()).unwrap();
        let sent = call
            .headers
            .iter()
            .find(|(k, _)| k == "X-Api-Key" || k == "Authorization")
            .map(|(_, v)| v.clone());
        assert_eq!(sent, header, "{method}");
        if header.is_some() {
            assert_eq!(call.secret_headers.len(), 1, "{method}");
            assert!(
                call.variables
                    .iter()
                    .any(|u| u.secret && u.value == "<redacted>"),
                "{method}: {:?}",
                call.variables
            );
            assert!(
                call.parameters
                    .iter()
                    .all(|p| !p.value.contains("sk_live_123")),
                "{method}"
            );
        }
        let signed = sign_call(&call, "n", 1).unwrap();
        assert!(signed.trace.is_none(), "{method} is not signed");
        // No OAuth: the method's URL parameters are not these methods'.
        assert_eq!(call.url, "https://1234567-sb1.example.com/api/me");
    }
}

fn base64_of(s: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(s)
}

#[test]
fn query_placement_and_one_legged_calls() {
    let mut c = shop();
    let Some(AuthKind::OAuth1(o)) = c.auth_methods.first_mut().map(|m| &mut m.kind) else {
        unreachable!()
    };
    o.placement = Placement::Query;
    o.mode = FlowMode::OneLegged;
    let mut i = installed();
    i.token = None;
    let call = prepare_call(&c, "me", &i, &BTreeMap::new(), builtins()).unwrap();
    let signed = sign_call(&call, "abc", 1_700_000_000).unwrap();
    assert!(signed.url.contains("oauth_signature="));
    assert!(!signed.url.contains("oauth_token="));
    let got = inspect(
        &HttpRequest {
            method: "GET",
            url: &signed.url,
            ..Default::default()
        },
        None,
    )
    .unwrap();
    assert!(got.verify(&Verifier::Shared {
        consumer_secret: Secret::new(CONSUMER_SECRET),
        token_secret: None,
    }));
}
