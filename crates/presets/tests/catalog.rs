//! The shipped catalog: every preset file parses, validates, applies to its own examples and
//! explains every field it fills; the helpers and lints behave as documented.

use signet_oauth1::diagnose::decode;
use signet_oauth1::flow::{CallbackConfig, ConsumerKey, FlowMode, ModeConfig, TokenCredentials};
use signet_oauth1::{CallbackMode, Placement, Secret, SignatureMethod};
use signet_presets::{Catalog, FILES, Inputs, PresetError, Trigger};

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
        let examples: Inputs = p
            .placeholders
            .iter()
            .map(|ph| (ph.name.clone(), ph.example.clone()))
            .collect();
        let d = p.apply(&examples).unwrap();
        for field in ["signature_method", "sign_options.placement", "mode"] {
            assert!(
                d.why(field).is_some_and(|w| !w.is_empty()),
                "{}: {field}",
                p.id
            );
        }
        if d.mode == FlowMode::ThreeLegged {
            for field in [
                "endpoints.request_token.url",
                "endpoints.authorize_url",
                "endpoints.access_token.url",
                "callback.mode",
            ] {
                assert!(d.why(field).is_some(), "{}: {field}", p.id);
            }
        }
        for e in &d.explanations {
            assert!(
                !e.why.trim().is_empty(),
                "{}: {} has no reason",
                p.id,
                e.field
            );
        }
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
        "https://{site}/oauth/authorize",
    );
    let problems = Catalog::from_files(&[("tumblr", &unknown_hole)]).unwrap_err();
    assert!(
        problems.iter().any(|p| p.field == "endpoints.authorize"),
        "{problems:?}"
    );
}

#[test]
fn netsuite_realm_and_hosts_come_from_the_account_id() {
    let c = catalog();
    let d = c
        .get("netsuite")
        .unwrap()
        .apply(&inputs(&[("account", "1234567-sb1")]))
        .unwrap();
    assert_eq!(d.realm.as_deref(), Some("1234567_SB1"));
    let t = d.three_legged.as_ref().unwrap();
    assert_eq!(
        t.request_token.url,
        "https://1234567-sb1.restlets.api.netsuite.com/rest/requesttoken"
    );
    assert_eq!(
        t.authorize_url,
        "https://1234567-sb1.app.netsuite.com/app/login/secure/authorizetoken.nl"
    );
    assert_eq!(d.signature_method, SignatureMethod::HmacSha256);
    assert!(d.why("realm").unwrap().contains("1234567_SB1"));
    // The realm form typed in gives the same.
    let d = c
        .get("netsuite-token")
        .unwrap()
        .apply(&inputs(&[("account", "1234567_SB1")]))
        .unwrap();
    assert_eq!(d.realm.as_deref(), Some("1234567_SB1"));
    assert!(
        d.resource
            .unwrap()
            .url
            .starts_with("https://1234567-sb1.suitetalk.")
    );
    // Missing and malformed ids are named.
    let e = c
        .get("netsuite")
        .unwrap()
        .apply(&Inputs::new())
        .unwrap_err();
    assert_eq!(
        e[0].to_string(),
        "NetSuite account id is needed (for example 1234567-sb1)"
    );
    let e = c
        .get("netsuite")
        .unwrap()
        .apply(&inputs(&[("account", "12 34")]))
        .unwrap_err();
    assert_eq!(e[0].kind(), "invalid_value");
}

#[test]
fn evernote_picks_sandbox_or_production() {
    let p = catalog().get("evernote").unwrap().clone();
    let d = p.apply(&Inputs::new()).unwrap();
    assert_eq!(
        d.three_legged.unwrap().authorize_url,
        "https://sandbox.evernote.com/OAuth.action"
    );
    let d = p.apply(&inputs(&[("host", "www.evernote.com")])).unwrap();
    assert_eq!(
        d.three_legged.unwrap().request_token.url,
        "https://www.evernote.com/oauth"
    );
    assert!(p.apply(&inputs(&[("host", "evil.example")])).is_err());
}

#[test]
fn presets_fill_their_quirks() {
    let c = catalog();
    let x = c.get("x").unwrap().apply(&Inputs::new()).unwrap();
    let t = x.three_legged.unwrap();
    assert_eq!(t.callback, CallbackConfig::oob());
    assert_eq!(
        t.request_token.url,
        "https://api.x.com/oauth/request_token?x_auth_access_type=read"
    );
    let trello = c.get("trello").unwrap().apply(&Inputs::new()).unwrap();
    let t = trello.three_legged.unwrap();
    assert_eq!(t.callback.mode, CallbackMode::Loopback);
    assert_eq!(
        t.authorize_params,
        [
            ("name".to_owned(), "Signet".to_owned()),
            ("scope".into(), "read".into()),
            ("expiration".into(), "1day".into())
        ]
    );
    let tripit = c
        .get("tripit")
        .unwrap()
        .apply(&Inputs::new())
        .unwrap()
        .three_legged
        .unwrap();
    assert!(!tripit.require_callback_confirmed && tripit.callback_on_authorize_url);
    let garmin = c
        .get("garmin")
        .unwrap()
        .apply(&Inputs::new())
        .unwrap()
        .three_legged
        .unwrap();
    assert!(garmin.callback_on_authorize_url);
    let woo = c
        .get("woocommerce")
        .unwrap()
        .apply(&inputs(&[("base_url", "http://shop.example")]))
        .unwrap();
    assert_eq!(
        (woo.mode, woo.placement),
        (FlowMode::OneLegged, Placement::Query)
    );
    assert_eq!(woo.signature_method, SignatureMethod::HmacSha256);
    let xero = c
        .get("xero-private")
        .unwrap()
        .apply(&Inputs::new())
        .unwrap();
    assert!(xero.token_from_consumer_key);
    let key = ConsumerKey::Rsa(
        signet_oauth1::RsaPrivateKeyPem::parse(signet_provider::demo::RSA_PRIVATE_KEY_PEM).unwrap(),
    );
    let cfg = xero.to_flow_config("XEROKEY", key, None).unwrap();
    let ModeConfig::PreIssuedToken(token) = &cfg.mode else {
        panic!()
    };
    assert_eq!(token.token, "XEROKEY");
    let magento = c
        .get("magento2")
        .unwrap()
        .apply(&inputs(&[("base_url", "https://shop.example")]))
        .unwrap();
    assert!(matches!(
        magento.to_flow_config("k", ConsumerKey::Secret(Secret::new("s")), None),
        Err(PresetError::TokenNeeded)
    ));
    let _ = TokenCredentials {
        token: String::new(),
        secret: Secret::default(),
        extra: vec![],
    };
}

#[test]
fn lints_name_what_the_provider_refuses() {
    let c = catalog();
    let ids = |preset: &str, edit: &dyn Fn(&mut signet_oauth1::flow::FlowConfig)| -> Vec<String> {
        let p = c.get(preset).unwrap();
        let examples: Inputs = p
            .placeholders
            .iter()
            .map(|ph| (ph.name.clone(), ph.example.clone()))
            .collect();
        let d = p.apply(&examples).unwrap();
        let token = (d.mode == FlowMode::PreIssuedToken && !d.token_from_consumer_key).then(|| {
            TokenCredentials {
                token: "t".into(),
                secret: Secret::new("ts"),
                extra: vec![],
            }
        });
        let mut cfg = d
            .to_flow_config("k", ConsumerKey::Secret(Secret::new("s")), token)
            .unwrap();
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
    let set_oob = |c: &mut signet_oauth1::flow::FlowConfig| {
        if let ModeConfig::ThreeLegged(t) = &mut c.mode {
            t.callback = CallbackConfig::oob();
        }
    };
    assert_eq!(ids("tumblr", &set_oob), ["callback_oob_forbidden"]);
    // Flickr without perms.
    let drop_params = |c: &mut signet_oauth1::flow::FlowConfig| {
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
    let require = |c: &mut signet_oauth1::flow::FlowConfig| {
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
