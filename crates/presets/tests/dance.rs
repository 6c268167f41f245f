//! Every preset's dance, with the real engine, against the demo provider in the preset's quirk
//! profile; and each quirk exercised: what the provider refuses, and how Signet explains it.

mod common;

use common::*;
use signet_engine::Stop;
use signet_oauth1::flow::{CallbackConfig, FlowMode, ModeConfig, StepId};
use signet_oauth1::{Placement, SignatureMethod};
use signet_presets::Inputs;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_preset_completes_its_dance_against_its_quirk_profile() {
    let catalog = catalog();
    let mut done = Vec::new();
    for p in catalog.presets() {
        let d = dance(&p.id, &examples(p), |_| {}).await;
        assert_eq!(
            d.outcome.stop,
            Stop::Finished,
            "{}: {:?}",
            p.id,
            d.outcome.snapshot.error
        );
        assert_eq!(
            d.outcome.credentials.is_some(),
            p.mode != FlowMode::OneLegged,
            "{}",
            p.id
        );
        done.push(p.id.clone());
    }
    assert_eq!(done.len(), catalog.presets().len());
}

fn first_diagnosis(id: &str, d: &Danced) -> signet_oauth1::diagnose::Diagnosis {
    let preset = catalog().get(id).unwrap().clone();
    let diag = preset
        .diagnose(&d.outcome.snapshot)
        .unwrap_or_else(|| panic!("{id}: the flow did not fail: {:?}", d.outcome.stop));
    diag.diagnoses[0].clone()
}

fn core_ids(d: &Danced) -> Vec<String> {
    signet_oauth1::diagnose::diagnose_snapshot(&d.outcome.snapshot)
        .unwrap()
        .diagnoses
        .into_iter()
        .map(|x| x.id)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tumblr_refuses_oob_with_the_right_explanation() {
    let d = dance("tumblr", &Inputs::new(), |c| {
        set_callback(c, CallbackConfig::oob())
    })
    .await;
    assert_eq!(d.outcome.stop, Stop::Failed(StepId::UserAuthentication));
    assert_eq!(core_ids(&d)[0], "callback.oob_forbidden");
    let diag = catalog()
        .get("tumblr")
        .unwrap()
        .diagnose(&d.outcome.snapshot)
        .unwrap();
    assert_eq!(diag.diagnoses[0].id, "tumblr.callback_oob_forbidden");
    assert_eq!(
        diag.diagnoses[0].cause,
        "Tumblr does not allow oob (PIN) callbacks"
    );
    assert_eq!(diag.diagnoses[1].id, "tumblr.known_error");
    assert_eq!(
        diag.diagnoses[1].fix,
        "use the deep-link or loopback callback"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flickr_without_perms_fails_with_the_decoded_message() {
    let d = dance("flickr", &Inputs::new(), |c| {
        if let ModeConfig::ThreeLegged(t) = &mut c.mode {
            t.authorize_params.clear();
        }
    })
    .await;
    assert_eq!(d.outcome.stop, Stop::Failed(StepId::UserAuthorisation));
    let err = &d.outcome.snapshot.error.as_ref().unwrap().error;
    assert_eq!(err.kind, "callback_problem");
    assert!(err.message.ends_with("parameter_absent"), "{}", err.message);
    assert_eq!(core_ids(&d)[0], "oauth_problem.parameter_absent");
    let first = first_diagnosis("flickr", &d);
    assert_eq!(first.id, "flickr.param_missing");
    assert!(
        first.cause.starts_with("perms is required"),
        "{}",
        first.cause
    );
    // With perms the authorize URL carries it and the dance completes.
    let d = dance("flickr", &Inputs::new(), |_| {}).await;
    assert_eq!(d.outcome.stop, Stop::Finished);
    assert!(d.opened[0].contains("perms=read"), "{}", d.opened[0]);
    let creds = d.outcome.credentials.unwrap();
    let names: Vec<&str> = creds.extra.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["fullname", "user_nsid", "username"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn netsuite_realm_comes_from_the_account_id_and_a_wrong_one_is_explained() {
    let account = Inputs::from([("account".to_owned(), "1234567-sb1".to_owned())]);
    for id in ["netsuite", "netsuite-token"] {
        let d = dance(id, &account, |_| {}).await;
        assert_eq!(
            d.outcome.stop,
            Stop::Finished,
            "{id}: {:?}",
            d.outcome.snapshot.error
        );
        assert_eq!(
            d.outcome.snapshot.config.realm.as_deref(),
            Some("1234567_SB1")
        );
        let step10 = d.outcome.snapshot.step(StepId::ResourceAccess);
        let auth = &step10.exchanges[0].request.headers[0].1;
        assert!(auth.starts_with("OAuth realm=\"1234567_SB1\""), "{auth}");
        // The account id as typed is not the realm.
        let d = dance(id, &account, |c| c.realm = Some("1234567-sb1".into())).await;
        assert!(matches!(d.outcome.stop, Stop::Failed(_)), "{id}");
        assert_eq!(core_ids(&d)[0], "netsuite.invalid_login", "{id}");
        let first = first_diagnosis(id, &d);
        assert_eq!(first.id, format!("{id}.realm_form"));
        assert_eq!(first.fix, "set the realm to 1234567_SB1");
        // HMAC-SHA1 is refused, and the preset says why first.
        let d = dance(id, &account, |c| {
            c.signature_method = SignatureMethod::HmacSha1
        })
        .await;
        assert_eq!(core_ids(&d)[0], "netsuite.invalid_login", "{id}");
        let first = first_diagnosis(id, &d);
        assert_eq!(first.id, format!("{id}.method_rejected"));
        assert!(
            catalog()
                .get(id)
                .unwrap()
                .diagnose(&d.outcome.snapshot)
                .unwrap()
                .diagnoses
                .iter()
                .any(|x| x.id == format!("{id}.known_error")),
            "{id}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn netsuite_callback_must_match_the_record() {
    let account = Inputs::from([("account".to_owned(), "1234567".to_owned())]);
    let d = dance("netsuite", &account, |c| {
        set_callback(c, CallbackConfig::loopback(0, "/cb"))
    })
    .await;
    assert_eq!(d.outcome.stop, Stop::Failed(StepId::UserAuthentication));
    assert_eq!(core_ids(&d)[0], "netsuite.invalid_callback");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn magento2_refuses_hmac_sha1_as_magento_does() {
    let inputs = Inputs::from([("base_url".to_owned(), "https://shop.example".to_owned())]);
    let d = dance("magento2", &inputs, |c| {
        c.signature_method = SignatureMethod::HmacSha1
    })
    .await;
    assert_eq!(d.outcome.stop, Stop::Failed(StepId::ResourceAccess));
    let ids = core_ids(&d);
    assert_eq!(ids[0], "magento2.method");
    let first = first_diagnosis("magento2", &d);
    assert_eq!(first.fix, "choose HMAC-SHA256");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn magento1_refuses_other_methods_with_its_problem_code() {
    let inputs = Inputs::from([("base_url".to_owned(), "https://shop.example".to_owned())]);
    let d = dance("magento1", &inputs, |c| {
        c.signature_method = SignatureMethod::HmacSha256
    })
    .await;
    assert_eq!(core_ids(&d)[0], "oauth_problem.signature_method_rejected");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tripit_completes_without_callback_confirmed() {
    let d = dance("tripit", &Inputs::new(), |_| {}).await;
    assert_eq!(d.outcome.stop, Stop::Finished);
    let rt = d.outcome.snapshot.request_token.as_ref().unwrap();
    assert_eq!(rt.callback_confirmed, None);
    assert!(d.opened[0].contains("oauth_callback="), "{}", d.opened[0]);
    // Insisting on the confirmation stops at step 5, explained.
    let d = dance("tripit", &Inputs::new(), |c| {
        if let ModeConfig::ThreeLegged(t) = &mut c.mode {
            t.require_callback_confirmed = true;
        }
    })
    .await;
    assert_eq!(d.outcome.stop, Stop::Failed(StepId::RequestTokenIssued));
    assert!(core_ids(&d).contains(&"flow.callback_not_confirmed".to_owned()));
    assert_eq!(
        first_diagnosis("tripit", &d).id,
        "tripit.callback_confirmation_never_sent"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garmin_reads_the_callback_from_the_authorize_url() {
    let d = dance("garmin", &Inputs::new(), |_| {}).await;
    assert_eq!(d.outcome.stop, Stop::Finished);
    assert!(
        d.opened[0].contains("oauth_callback=http"),
        "{}",
        d.opened[0]
    );
    let d = dance("garmin", &Inputs::new(), |c| {
        if let ModeConfig::ThreeLegged(t) = &mut c.mode {
            t.callback_on_authorize_url = false;
        }
    })
    .await;
    assert_eq!(d.outcome.stop, Stop::Failed(StepId::UserAuthorisation));
    assert_eq!(
        first_diagnosis("garmin", &d).id,
        "garmin.callback_not_on_authorize_url"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn woocommerce_is_one_legged_in_the_query() {
    let inputs = Inputs::from([("base_url".to_owned(), "http://shop.example".to_owned())]);
    let d = dance("woocommerce", &inputs, |_| {}).await;
    assert_eq!(d.outcome.stop, Stop::Finished);
    let snap = &d.outcome.snapshot;
    assert_eq!(
        snap.step(StepId::TokenRequest).status,
        signet_oauth1::flow::StepStatus::Skipped
    );
    let req = &snap.step(StepId::ResourceAccess).exchanges[0].request;
    assert!(
        req.url.contains("oauth_signature_method=HMAC-SHA256"),
        "{}",
        req.url
    );
    assert!(
        req.headers
            .iter()
            .all(|(n, _)| !n.eq_ignore_ascii_case("authorization"))
    );
    // In the header WooCommerce does not see them.
    let d = dance("woocommerce", &inputs, |c| {
        c.sign_options.placement = Placement::Header
    })
    .await;
    assert_eq!(d.outcome.stop, Stop::Failed(StepId::ResourceAccess));
    assert_eq!(core_ids(&d)[0], "woocommerce.signature");
    assert_eq!(
        first_diagnosis("woocommerce", &d).id,
        "woocommerce.placement_rejected"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn x_pin_access_type_and_user_fields() {
    let d = dance("x", &Inputs::new(), |_| {}).await;
    assert_eq!(d.outcome.stop, Stop::Finished);
    assert_eq!(d.pins.len(), 1);
    assert_eq!(d.pins[0].len(), 7);
    let creds = d.outcome.credentials.unwrap();
    let names: Vec<&str> = creds.extra.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["user_id", "screen_name"]);
    let step3 = d.outcome.snapshot.step(StepId::TokenRequest);
    assert!(
        step3.exchanges[0]
            .request
            .url
            .ends_with("?x_auth_access_type=read")
    );
    // An access type X does not know is refused.
    let d = dance("x", &Inputs::new(), |c| {
        if let ModeConfig::ThreeLegged(t) = &mut c.mode {
            t.request_token.url = t.request_token.url.replace("=read", "=admin");
        }
    })
    .await;
    assert_eq!(d.outcome.stop, Stop::Failed(StepId::UserAuthentication));
    // A callback that is not registered gets X's 415.
    let d = dance("x", &Inputs::new(), |c| {
        set_callback(c, CallbackConfig::loopback(0, "/cb"))
    })
    .await;
    assert_eq!(core_ids(&d)[0], "x.callback_not_approved");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smugmug_shows_a_six_digit_code() {
    let d = dance("smugmug", &Inputs::new(), |_| {}).await;
    assert_eq!(d.outcome.stop, Stop::Finished);
    assert_eq!(d.pins[0].len(), 6);
    assert!(d.opened[0].contains("Access=Public") && d.opened[0].contains("Permissions=Read"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evernote_issues_an_access_token_without_a_secret() {
    let d = dance("evernote", &Inputs::new(), |_| {}).await;
    assert_eq!(d.outcome.stop, Stop::Finished);
    let creds = d.outcome.credentials.clone().unwrap();
    assert!(creds.secret.is_empty());
    assert!(creds.extra.iter().any(|(k, _)| k == "edam_noteStoreUrl"));
    // Signing a resource call with the empty token secret works.
    let catalog = catalog();
    let preset = catalog.get("evernote").unwrap();
    let profile = signet_provider::QuirkProfile::from_preset(preset, &Inputs::new()).unwrap();
    let p = signet_provider::start(signet_provider::ProviderConfig::demo().with_profile(profile))
        .await
        .unwrap();
    let mut config = config_for(preset, &Inputs::new(), &p);
    config.resource = Some(signet_oauth1::flow::ResourceRequest::get(p.me_url()));
    let engine = signet_engine::Engine::new(Default::default()).unwrap();
    let inbox = engine.inbox();
    let engine = engine.with_browser(TestBrowser {
        inbox,
        mode: signet_oauth1::CallbackMode::DeepLink,
        pins: Default::default(),
        opened: Default::default(),
    });
    let (_run, out) = engine.run(config, None, |_| {}).await.unwrap();
    assert_eq!(out.stop, Stop::Finished, "{:?}", out.snapshot.error);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn xero_uses_the_consumer_key_as_the_token() {
    let d = dance("xero-private", &Inputs::new(), |_| {}).await;
    assert_eq!(d.outcome.stop, Stop::Finished);
    let auth = &d.outcome.snapshot.step(StepId::ResourceAccess).exchanges[0]
        .request
        .headers
        .iter()
        .find(|(k, _)| k == "Authorization")
        .expect("an Authorization header")
        .1;
    assert!(auth.contains("oauth_token=\"signet-demo-rsa\""), "{auth}");
    assert!(auth.contains("RSA-SHA1"), "{auth}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trello_refuses_custom_schemes_and_requires_its_name() {
    let d = dance("trello", &Inputs::new(), |c| {
        set_callback(c, CallbackConfig::deep_link())
    })
    .await;
    assert_eq!(d.outcome.stop, Stop::Failed(StepId::UserAuthentication));
    assert_eq!(
        first_diagnosis("trello", &d).id,
        "trello.callback_scheme_refused"
    );
    let d = dance("trello", &Inputs::new(), |c| {
        if let ModeConfig::ThreeLegged(t) = &mut c.mode {
            t.authorize_params.retain(|(k, _)| k != "name");
        }
    })
    .await;
    assert_eq!(d.outcome.stop, Stop::Failed(StepId::UserAuthorisation));
    assert_eq!(first_diagnosis("trello", &d).id, "trello.param_missing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jira_signs_with_rsa_and_refuses_hmac() {
    let inputs = Inputs::from([("base_url".to_owned(), "https://jira.example".to_owned())]);
    let d = dance("jira", &inputs, |_| {}).await;
    assert_eq!(d.outcome.stop, Stop::Finished);
    let d = dance("jira", &inputs, |c| {
        c.signature_method = SignatureMethod::HmacSha1;
        c.consumer_key = signet_provider::demo::CONSUMER_KEY.into();
        c.key = signet_oauth1::flow::ConsumerKey::Secret(signet_oauth1::Secret::new(
            signet_provider::demo::CONSUMER_SECRET,
        ));
    })
    .await;
    assert_eq!(core_ids(&d)[0], "oauth_problem.signature_method_rejected");
    assert_eq!(first_diagnosis("jira", &d).id, "jira.method_rejected");
}
