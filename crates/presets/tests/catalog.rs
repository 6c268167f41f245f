//! The shipped catalog: every preset file parses, validates, makes a sound connector whose flow
//! runs with its own examples, and explains every field it fills; the lints behave as
//! documented.

use signet_connector::{AuthKind, Builtins, ClientSecret, Connector, Installed, OAuth1};
use signet_oauth1::diagnose::decode;
use signet_oauth1::flow::{
    CallbackConfig, FieldProblem, FlowConfig, FlowMode, ModeConfig, TokenCredentials,
};
use signet_oauth1::{CallbackMode, Placement, Secret, SignatureMethod};
use signet_presets::{Catalog, FILES, Inputs, Trigger};

fn catalog() -> Catalog {
    match Catalog::load() {
        Ok(c) => c,
        Err(problems) => panic!(
            "the shipped presets have problems:\n{}",
            problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}

fn inputs(pairs: &[(&str, &str)]) -> Inputs {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn oauth1(c: &Connector) -> &OAuth1 {
    c.oauth1().expect("an OAuth 1.0a method").2
}

/// The preset's connector resolved for an instance with these values (the examples fill the
/// rest unless `examples` is false), a shared consumer secret and, for pre-issued-token presets,
/// a token.
fn resolve(
    id: &str,
    values: &[(&str, &str)],
    examples: bool,
) -> Result<FlowConfig, Vec<FieldProblem>> {
    let c = catalog();
    let p = c.get(id).unwrap();
    let mut all = if examples {
        p.example_values()
    } else {
        Inputs::new()
    };
    all.extend(inputs(values));
    let installed = Installed {
        values: all,
        consumer_key: "k".into(),
        client_secret: Some(if p.signature.default.is_rsa() {
            ClientSecret::RsaPrivateKey(Secret::new(signet_provider::demo::RSA_PRIVATE_KEY_PEM))
        } else {
            ClientSecret::Shared(Secret::new("s"))
        }),
        token: (p.mode == FlowMode::PreIssuedToken && !p.demo.consumer_key_as_token).then(|| {
            TokenCredentials {
                token: "t".into(),
                secret: Secret::new("ts"),
                extra: vec![],
            }
        }),
        ..Installed::default()
    };
    signet_connector::flow_config(&p.connector().connector, &installed, Builtins::default())
}

#[test]
fn every_preset_file_loads_and_validates() {
    let c = catalog();
    assert_eq!(c.presets().len(), FILES.len());
    for id in [
        "generic",
        "signet-demo",
        "x",
        "trello",
        "flickr",
        "tumblr",
        "garmin",
        "discogs",
        "smugmug",
        "evernote",
        "jira",
        "magento1",
        "magento2",
        "woocommerce",
        "netsuite",
        "netsuite-token",
        "xero-private",
        "tripit",
    ] {
        assert!(c.get(id).is_some(), "{id} is missing");
    }
}

#[test]
fn every_preset_explains_the_method_placement_mode_and_endpoints_it_fills() {
    for p in catalog().presets() {
        let d = p.connector();
        for field in ["signature_method", "placement", "mode"] {
            let field = format!("auth_methods[0].{field}");
            assert!(
                d.why(&field).is_some_and(|w| !w.is_empty()),
                "{}: {field}",
                p.id
            );
        }
        if p.mode == FlowMode::ThreeLegged {
            for field in [
                "request_token.url",
                "authorize_url",
                "access_token.url",
                "callback",
            ] {
                let field = format!("auth_methods[0].{field}");
                assert!(d.why(&field).is_some(), "{}: {field}", p.id);
            }
        }
        for (i, _) in p.placeholders.iter().enumerate() {
            assert!(d.why(&format!("variables[{i}]")).is_some(), "{}", p.id);
        }
        for e in &d.explanations {
            assert!(
                !e.why.trim().is_empty(),
                "{}: {} has no reason",
                p.id,
                e.field
            );
        }
        assert_eq!(d.connector.details.preset.as_deref(), Some(p.id.as_str()));
    }
}

#[test]
fn presets_with_a_public_api_bring_at_least_three_endpoints_and_a_test_call() {
    for p in catalog().presets() {
        let c = p.connector().connector;
        if p.id == "evernote" {
            // Evernote's API is Thrift, with the token inside each call: nothing to sign.
            assert!(c.endpoints.is_empty());
            continue;
        }
        assert!(
            c.endpoints.len() >= 3,
            "{}: {} endpoints",
            p.id,
            c.endpoints.len()
        );
        let test = oauth1(&c)
            .test_endpoint
            .as_deref()
            .expect("a test endpoint");
        assert!(c.endpoint(test).is_some(), "{}", p.id);
    }
}

#[test]
fn a_broken_file_is_reported_by_field() {
    let good = FILES.iter().find(|(id, _)| *id == "tumblr").unwrap().1;
    let bad = good.replace("default = \"HMAC-SHA1\"", "default = \"PLAINTEXT\"");
    let problems = Catalog::from_files(&[("tumblr", &bad)]).unwrap_err();
    assert_eq!(problems[0].field, "signature.default");
    assert_eq!(problems[0].file, "tumblr.toml");
    let problems = Catalog::from_files(&[("tumblr", "id = 3")]).unwrap_err();
    assert_eq!(problems[0].field, "toml");
    let renamed = Catalog::from_files(&[("tumblr2", good)]).unwrap_err();
    assert_eq!(renamed[0].field, "id");
    let unknown_hole = good.replace(
        "https://www.tumblr.com/oauth/authorize",
        "https://{{site}}/oauth/authorize",
    );
    let problems = Catalog::from_files(&[("tumblr", &unknown_hole)]).unwrap_err();
    assert!(
        problems
            .iter()
            .any(|p| p.field == "connector.auth_methods[0].authorize_url"
                && p.message == "{{site}} is not defined: add it to the connector's or the endpoint's variables"),
        "{problems:?}"
    );
}

#[test]
fn netsuite_realm_and_hosts_come_from_the_account_id() {
    let c = resolve("netsuite", &[("account", "1234567-sb1")], false).unwrap();
    assert_eq!(c.realm.as_deref(), Some("1234567_SB1"));
    let ModeConfig::ThreeLegged(t) = &c.mode else {
        panic!()
    };
    assert_eq!(
        t.request_token.url,
        "https://1234567-sb1.restlets.api.netsuite.com/rest/requesttoken"
    );
    assert_eq!(
        t.authorize_url,
        "https://1234567-sb1.app.netsuite.com/app/login/secure/authorizetoken.nl"
    );
    assert_eq!(c.signature_method, SignatureMethod::HmacSha256);
    let applied = catalog().get("netsuite").unwrap().connector();
    assert!(
        applied
            .why("auth_methods[0].realm")
            .unwrap()
            .contains("1234567_SB1")
    );
    // The realm form typed in gives the same.
    let c = resolve("netsuite-token", &[("account", "1234567_SB1")], false).unwrap();
    assert_eq!(c.realm.as_deref(), Some("1234567_SB1"));
    assert!(
        c.resource
            .unwrap()
            .url
            .starts_with("https://1234567-sb1.suitetalk.")
    );
    // Missing and malformed ids are named.
    let e = resolve("netsuite", &[], false).unwrap_err();
    assert_eq!(e[0].field, "values.account");
    assert_eq!(
        e[0].message,
        "NetSuite account id ({{account}}) needs a value"
    );
    let e = resolve("netsuite", &[("account", "12 34")], false).unwrap_err();
    assert_eq!(e[0].field, "values.account");
    assert!(
        e[0].message.contains("is not a NetSuite account id"),
        "{}",
        e[0].message
    );
}

#[test]
fn evernote_picks_sandbox_or_production() {
    let c = resolve("evernote", &[], false).unwrap();
    let ModeConfig::ThreeLegged(t) = c.mode else {
        panic!()
    };
    assert_eq!(t.authorize_url, "https://sandbox.evernote.com/OAuth.action");
    let c = resolve("evernote", &[("host", "www.evernote.com")], false).unwrap();
    let ModeConfig::ThreeLegged(t) = c.mode else {
        panic!()
    };
    assert_eq!(t.request_token.url, "https://www.evernote.com/oauth");
    assert!(resolve("evernote", &[("host", "evil.example")], false).is_err());
}

#[test]
fn presets_fill_their_quirks() {
    let three = |id: &str| {
        let ModeConfig::ThreeLegged(t) = resolve(id, &[], true).unwrap().mode else {
            panic!("{id}")
        };
        t
    };
    let t = three("x");
    assert_eq!(t.callback, CallbackConfig::oob());
    assert_eq!(
        t.request_token.url,
        "https://api.x.com/oauth/request_token?x_auth_access_type=read"
    );
    let t = three("trello");
    assert_eq!(t.callback.mode, CallbackMode::Loopback);
    assert_eq!(
        t.authorize_params,
        [
            ("name".to_owned(), "Signet".to_owned()),
            ("scope".into(), "read".into()),
            ("expiration".into(), "1day".into())
        ]
    );
    let tripit = three("tripit");
    assert!(!tripit.require_callback_confirmed && tripit.callback_on_authorize_url);
    assert!(three("garmin").callback_on_authorize_url);
    let woo = resolve("woocommerce", &[("base_url", "http://shop.example")], true).unwrap();
    assert_eq!(
        (woo.flow_mode(), woo.sign_options.placement),
        (FlowMode::OneLegged, Placement::Query)
    );
    assert_eq!(woo.signature_method, SignatureMethod::HmacSha256);
    // Xero private apps: the consumer key is the token.
    let xero = resolve("xero-private", &[], true);
    let ModeConfig::PreIssuedToken(token) = &xero.unwrap().mode else {
        panic!()
    };
    assert_eq!(token.token, "k");
    // Magento 2 integrations have a pre-issued token: without one, the instance is told.
    let c = catalog();
    let magento = c.get("magento2").unwrap().connector().connector;
    assert_eq!(oauth1(&magento).mode, FlowMode::PreIssuedToken);
    let e = signet_connector::flow_config(
        &magento,
        &Installed {
            values: inputs(&[("base_url", "https://shop.example")]),
            consumer_key: "k".into(),
            client_secret: Some(ClientSecret::Shared(Secret::new("s"))),
            ..Installed::default()
        },
        Builtins::default(),
    )
    .unwrap_err();
    assert_eq!(e[0].field, "instance.token");
    let _ = AuthKind::None;
}

#[test]
fn lints_name_what_the_provider_refuses() {
    let c = catalog();
    let ids = |preset: &str, edit: &dyn Fn(&mut FlowConfig)| -> Vec<String> {
        let p = c.get(preset).unwrap();
        let mut cfg = resolve(preset, &[], true).unwrap();
        edit(&mut cfg);
        p.lints(&cfg).into_iter().map(|l| l.id).collect()
    };
    // HMAC-SHA1 on NetSuite and on Magento 2.4.4+.
    assert!(
        ids("netsuite-token", &|c| c.signature_method =
            SignatureMethod::HmacSha1)
        .contains(&"method_rejected".to_owned())
    );
    assert!(
        ids("magento2", &|c| c.signature_method =
            SignatureMethod::HmacSha1)
        .contains(&"method_rejected".to_owned())
    );
    assert!(!ids("magento2", &|_| {}).contains(&"method_rejected".to_owned()));
    // Tumblr refuses oob.
    let set_oob = |c: &mut FlowConfig| {
        if let ModeConfig::ThreeLegged(t) = &mut c.mode {
            t.callback = CallbackConfig::oob();
        }
    };
    assert_eq!(ids("tumblr", &set_oob), ["callback_oob_forbidden"]);
    // Flickr without perms.
    let drop_params = |c: &mut FlowConfig| {
        if let ModeConfig::ThreeLegged(t) = &mut c.mode {
            t.authorize_params.clear();
        }
    };
    assert_eq!(ids("flickr", &drop_params), ["param_missing"]);
    // WooCommerce over plain http: a warning, and header placement is refused.
    assert_eq!(ids("woocommerce", &|_| {}), ["plain_http"]);
    assert!(
        ids("woocommerce", &|c| c.sign_options.placement =
            Placement::Header)
        .contains(&"placement_rejected".to_owned())
    );
    // TripIt insists on no confirmation; NetSuite needs its realm.
    let require = |c: &mut FlowConfig| {
        if let ModeConfig::ThreeLegged(t) = &mut c.mode {
            t.require_callback_confirmed = true;
        }
    };
    assert_eq!(
        ids("tripit", &require),
        ["callback_confirmation_never_sent"]
    );
    assert!(ids("netsuite-token", &|c| c.realm = None).contains(&"realm_missing".to_owned()));
    // Discogs: the User-Agent it requires is named.
    assert!(ids("discogs", &|_| {}).contains(&"header_required".to_owned()));
}

#[test]
fn every_known_error_the_demo_sends_is_decoded_by_the_core() {
    for p in catalog().presets() {
        for e in &p.known_errors {
            let (Some(body), Some(_)) = (&e.body, e.trigger) else {
                continue;
            };
            let d = decode(e.status, e.content_type.as_deref(), body.as_bytes());
            let first = d
                .first()
                .unwrap_or_else(|| panic!("{}: {} decodes to nothing", p.id, e.code));
            assert!(
                !first.id.ends_with("unknown") && !first.id.starts_with("http."),
                "{}: {} decodes only as {}",
                p.id,
                e.code,
                first.id
            );
        }
    }
    let _ = Trigger::MethodRejected;
}
