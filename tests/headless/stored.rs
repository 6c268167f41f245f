//! Whole runs as the app and the CLI keep them: engine + demo provider + store. A completed
//! dance stores its token (encrypted) and its run; every failure lands on its step with a
//! specific message and stores no token at all — nothing half-stored. Also the pre-issued token
//! mode against the provider, and a replayed nonce refused by it.

use std::path::Path;
use std::time::Duration;

use signet_connector::{AuthKind, AuthMethod, AuthOptions, Connector, OAuth1};
use signet_engine::http::{Http, HttpSettings};
use signet_engine::{Clock, Engine, Stop};
use signet_oauth1::flow::*;
use signet_oauth1::{Placement, Secret, SignOptions, SignatureMethod};
use signet_provider::{Faults, ProviderConfig, RunningProvider, demo, start};
use signet_store::{
    ClientSecret, Credentials, InstanceId, KeyringChoice, NewInstance, OpenOptions, RunOutcome,
    Store, Timestamp,
};
use signet_tests::{Deliver, callback_for, config, engine_with, quick};

fn store_in(dir: &Path) -> Store {
    Store::open(&OpenOptions::new(dir).keyring(KeyringChoice::File)).unwrap()
}

/// A saved connector for the demo provider; its default instance (which holds the consumer
/// credentials, the token and the runs).
fn saved_connector(store: &Store, p: &RunningProvider, name: &str) -> InstanceId {
    let mut definition = Connector::named(name);
    definition.auth_methods.push(AuthMethod {
        id: "oauth1".into(),
        name: "OAuth 1.0a".into(),
        kind: AuthKind::OAuth1(Box::new(OAuth1::three_legged(
            &p.request_token_url(),
            &p.authorize_url(),
            &p.access_token_url(),
        ))),
        options: AuthOptions::default(),
    });
    let creds = Credentials {
        consumer_key: demo::CONSUMER_KEY.into(),
        client_secret: ClientSecret::Shared(Secret::new(demo::CONSUMER_SECRET)),
        token: None,
    };
    let (_, instance) = store
        .create_connector(
            definition,
            NewInstance {
                credentials: Some(creds),
                ..NewInstance::default()
            },
        )
        .unwrap();
    instance.id
}

fn files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_completed_dance_stores_its_token_and_run_and_no_plaintext_secret() {
    let p = start(ProviderConfig::demo()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());
    let id = saved_connector(&store, &p, "demo");
    let (engine, _) = engine_with(quick(), Deliver::Follow, true, false);
    let started = Timestamp::now();
    let cfg = config(
        &p,
        SignatureMethod::HmacSha256,
        callback_for(Deliver::Follow),
        Placement::Header,
    );
    let (_run, out) = engine.run(cfg, None, |_| {}).await.unwrap();
    assert_eq!(out.stop, Stop::Finished, "{:?}", out.snapshot.error);
    let issued = out.credentials.clone().expect("token credentials issued");
    let record = store
        .record_flow(id, started, &out.snapshot, Some(&issued))
        .unwrap();
    assert_eq!(record.outcome, RunOutcome::Completed);

    let creds = store.credentials(id).unwrap().unwrap();
    let token = creds.token.expect("the token is stored");
    assert_eq!(token.token, issued.token);
    assert_eq!(token.token_secret, issued.secret);
    assert_eq!(token.extra, issued.extra);
    assert_eq!(store.runs(id, 10).unwrap().len(), 1);

    drop(store);
    for f in files(dir.path()) {
        let bytes = std::fs::read(&f).unwrap();
        for secret in [demo::CONSUMER_SECRET, issued.secret.expose()] {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{secret} in plaintext in {}",
                f.display()
            );
        }
    }
    p.shutdown().await;
}

/// One failure: the faults to switch on, how the browser behaves, where it must land, and a
/// piece of its message.
struct Case {
    name: &'static str,
    faults: Faults,
    allow: bool,
    step: StepId,
    message: &'static str,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_failure_lands_on_its_step_and_stores_no_token() {
    let cases = [
        Case {
            name: "denied",
            faults: Faults::default(),
            allow: false,
            step: StepId::UserAuthorisation,
            message: "the user denied access",
        },
        Case {
            name: "bad signature",
            faults: Faults {
                reject_signatures: true,
                ..Faults::default()
            },
            allow: true,
            step: StepId::UserAuthentication,
            message: "signature_invalid",
        },
        Case {
            name: "skewed clock",
            faults: Faults {
                clock_skew_secs: 3600,
                ..Faults::default()
            },
            allow: true,
            step: StepId::UserAuthentication,
            message: "timestamp_refused",
        },
        Case {
            name: "html page",
            faults: Faults {
                html_error: true,
                ..Faults::default()
            },
            allow: true,
            step: StepId::RequestTokenIssued,
            message: "an HTML page",
        },
        Case {
            name: "server error",
            faults: Faults {
                server_error: true,
                ..Faults::default()
            },
            allow: true,
            step: StepId::UserAuthentication,
            message: "500",
        },
        Case {
            name: "unconfirmed callback",
            faults: Faults {
                omit_callback_confirmed: true,
                ..Faults::default()
            },
            allow: true,
            step: StepId::RequestTokenIssued,
            message: "oauth_callback_confirmed",
        },
    ];
    let p = start(ProviderConfig::demo()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());
    for case in cases {
        p.set_faults(case.faults.clone());
        let id = saved_connector(&store, &p, case.name);
        let (engine, _) = engine_with(quick(), Deliver::DeepLink, case.allow, false);
        let started = Timestamp::now();
        let cfg = config(
            &p,
            SignatureMethod::HmacSha1,
            callback_for(Deliver::DeepLink),
            Placement::Header,
        );
        let (_run, out) = engine.run(cfg, None, |_| {}).await.unwrap();
        assert_eq!(
            out.stop,
            Stop::Failed(case.step),
            "{}: {:?}",
            case.name,
            out.snapshot.error
        );
        let error = out
            .snapshot
            .step(case.step)
            .error
            .clone()
            .expect("the failing step explains itself");
        assert!(
            error.message.contains(case.message)
                || error
                    .hint
                    .as_deref()
                    .is_some_and(|h| h.contains(case.message)),
            "{}: {error:?}",
            case.name
        );
        assert!(out.credentials.is_none(), "{}", case.name);
        let record = store
            .record_flow(id, started, &out.snapshot, out.credentials.as_ref())
            .unwrap();
        assert_eq!(
            record.outcome,
            RunOutcome::Failed {
                step: Some(case.step.number()),
                message: error.message.clone()
            },
            "{}",
            case.name
        );
        assert!(
            store.credentials(id).unwrap().unwrap().token.is_none(),
            "{}: a token was stored",
            case.name
        );
    }
    p.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pre_issued_token_skips_steps_3_to_9_and_reaches_the_resource() {
    let p = start(ProviderConfig::demo()).await.unwrap();
    // A token issued earlier (here by a first dance), entered by hand as NetSuite users do.
    let (engine, _) = engine_with(quick(), Deliver::DeepLink, true, false);
    let cfg = config(
        &p,
        SignatureMethod::HmacSha256,
        callback_for(Deliver::DeepLink),
        Placement::Header,
    );
    let (_run, out) = engine.run(cfg, None, |_| {}).await.unwrap();
    let token = out.credentials.expect("a token");

    let mut pre = config(
        &p,
        SignatureMethod::HmacSha256,
        callback_for(Deliver::DeepLink),
        Placement::Query,
    );
    pre.mode = ModeConfig::PreIssuedToken(token.clone());
    pre.resource = Some(ResourceRequest::get(p.me_url()));
    let engine = Engine::new(quick()).unwrap();
    let (_run, out) = engine.run(pre, None, |_| {}).await.unwrap();
    assert_eq!(out.stop, Stop::Finished, "{:?}", out.snapshot.error);
    for n in 3..=9 {
        let step = out.snapshot.step(StepId::from_number(n).unwrap());
        assert_eq!(step.status, StepStatus::Skipped, "step {n}");
        assert!(
            !step.notes.is_empty(),
            "step {n} explains why it was skipped"
        );
    }
    assert_eq!(out.snapshot.resource.as_ref().map(|r| r.status), Some(200));
    assert!(
        out.snapshot
            .resource
            .as_ref()
            .unwrap()
            .excerpt
            .contains("Alice Liddell")
    );

    // A wrong pre-issued secret is refused at step 10, with the provider's reason.
    let mut wrong = config(
        &p,
        SignatureMethod::HmacSha256,
        callback_for(Deliver::DeepLink),
        Placement::Header,
    );
    wrong.mode = ModeConfig::PreIssuedToken(TokenCredentials {
        secret: Secret::new("not-it"),
        ..token
    });
    wrong.resource = Some(ResourceRequest::get(p.me_url()));
    let (_run, out) = engine.run(wrong, None, |_| {}).await.unwrap();
    assert_eq!(out.stop, Stop::Failed(StepId::ResourceAccess));
    assert!(
        out.snapshot
            .step(StepId::ResourceAccess)
            .error
            .as_ref()
            .unwrap()
            .message
            .contains("signature_invalid")
    );
    p.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_nonce_is_refused_at_step_4() {
    let p = start(ProviderConfig::demo()).await.unwrap();
    let http = Http::new(HttpSettings {
        timeout: Duration::from_secs(10),
        ..HttpSettings::default()
    })
    .unwrap();
    let clock = Clock::default();
    // The same nonce and timestamp twice, as a captured request replayed would have.
    let inputs = Inputs::new(clock.now_ms(), clock.timestamp(), "replayedNonce0123456789");
    let mut outcomes = Vec::new();
    for _ in 0..2 {
        let cfg = FlowConfig {
            sign_options: SignOptions::default(),
            ..config(
                &p,
                SignatureMethod::HmacSha1,
                CallbackConfig::oob(),
                Placement::Header,
            )
        };
        let mut flow = Flow::new(cfg).unwrap();
        let commands = flow.handle(Event::Start, &inputs).unwrap();
        let Some(Command::Send(req)) = commands.into_iter().find(|c| matches!(c, Command::Send(_)))
        else {
            panic!("the flow sends the request-token request first");
        };
        let received = http.send(&req).await.expect("the provider answers");
        flow.handle(Event::Response(received.response), &inputs)
            .unwrap();
        outcomes.push(flow.snapshot());
    }
    assert_eq!(
        outcomes[0].step(StepId::RequestTokenIssued).status,
        StepStatus::Done
    );
    let second = &outcomes[1];
    assert_eq!(
        second.step(StepId::UserAuthentication).status,
        StepStatus::Failed
    );
    let error = second
        .step(StepId::UserAuthentication)
        .error
        .as_ref()
        .unwrap();
    assert!(error.message.contains("nonce_used"), "{error:?}");
    assert!(
        error.hint.as_deref().unwrap_or("").contains("fresh nonce"),
        "{error:?}"
    );
    p.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stored_connector_runs_again_after_its_token_is_forgotten() {
    let p = start(ProviderConfig::demo()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(dir.path());
    let id = saved_connector(&store, &p, "again");
    for round in 0..2 {
        let (engine, _) = engine_with(quick(), Deliver::Pin, true, false);
        let cfg = config(
            &p,
            SignatureMethod::Plaintext,
            callback_for(Deliver::Pin),
            Placement::Body,
        );
        let (_run, out) = engine.run(cfg, None, |_| {}).await.unwrap();
        assert_eq!(
            out.stop,
            Stop::Finished,
            "round {round}: {:?}",
            out.snapshot.error
        );
        store
            .record_flow(
                id,
                Timestamp::now(),
                &out.snapshot,
                out.credentials.as_ref(),
            )
            .unwrap();
        let stored = store.credentials(id).unwrap().unwrap().token.unwrap();
        assert_eq!(stored.token, out.credentials.unwrap().token);
        store.clear_token(id).unwrap();
        assert!(store.credentials(id).unwrap().unwrap().token.is_none());
    }
    assert_eq!(store.runs(id, 10).unwrap().len(), 2);
    p.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_legged_signs_the_resource_call_with_the_consumer_credentials_only() {
    // The provider in WooCommerce's profile: one-legged, parameters in the query, HMAC-SHA256.
    let inputs =
        signet_presets::Inputs::from([("base_url".to_owned(), "http://shop.example".to_owned())]);
    let profile = signet_provider::QuirkProfile::for_preset("woocommerce", &inputs).unwrap();
    let p = start(ProviderConfig::demo().with_profile(profile))
        .await
        .unwrap();
    let mut cfg = config(
        &p,
        SignatureMethod::HmacSha256,
        CallbackConfig::oob(),
        Placement::Query,
    );
    cfg.mode = ModeConfig::OneLegged;
    cfg.resource = Some(ResourceRequest::get(format!("{}?per_page=5", p.echo_url())));
    let engine = Engine::new(quick()).unwrap();
    let (_run, out) = engine.run(cfg, None, |_| {}).await.unwrap();
    assert_eq!(out.stop, Stop::Finished, "{:?}", out.snapshot.error);
    for n in 3..=9 {
        assert_eq!(
            out.snapshot.step(StepId::from_number(n).unwrap()).status,
            StepStatus::Skipped,
            "step {n}"
        );
    }
    let x = &out.snapshot.step(StepId::ResourceAccess).exchanges[0];
    assert!(
        x.request.url.contains("oauth_signature_method=HMAC-SHA256"),
        "{}",
        x.request.url
    );
    assert!(
        !x.request.url.contains("oauth_token="),
        "one-legged sends no token: {}",
        x.request.url
    );
    assert!(out.credentials.is_none(), "one-legged issues no token");
    assert_eq!(out.snapshot.resource.as_ref().map(|r| r.status), Some(200));
    p.shutdown().await;
}
