//! Each demo-provider fault, triggered under a real engine run, read by the shared diagnosis:
//! what the app shows on the failing step and the CLI prints.

mod common;

use std::time::Duration;

use common::*;
use signet_engine::{Engine, EngineSettings, Stop};
use signet_oauth1::diagnose::{FailureDiagnosis, diagnose_snapshot};
use signet_presets::Inputs;
use signet_provider::{Faults, ProviderConfig, start};

async fn run_with(faults: Faults) -> (Stop, Option<FailureDiagnosis>) {
    let catalog = catalog();
    let preset = catalog.get("signet-demo").unwrap();
    let p = start(ProviderConfig::demo().with_faults(faults))
        .await
        .unwrap();
    let config = config_for(preset, &Inputs::new(), &p);
    let engine = Engine::new(EngineSettings {
        callback_timeout: Duration::from_secs(5),
        ..Default::default()
    })
    .unwrap();
    let inbox = engine.inbox();
    let engine = engine.with_browser(TestBrowser {
        inbox,
        mode: signet_oauth1::CallbackMode::DeepLink,
        pins: Default::default(),
        opened: Default::default(),
    });
    let (_run, out) = engine.run(config, None, |_| {}).await.unwrap();
    (out.stop, diagnose_snapshot(&out.snapshot))
}

#[track_caller]
fn first(d: &Option<FailureDiagnosis>) -> &str {
    &d.as_ref().expect("a failure").diagnoses[0].id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_fault_gets_its_explanation() {
    let (_, d) = run_with(Faults {
        clock_skew_secs: 900,
        ..Faults::default()
    })
    .await;
    assert_eq!(first(&d), "oauth_problem.timestamp_refused");
    let skew = d
        .as_ref()
        .unwrap()
        .skew
        .clone()
        .expect("the skew is measured");
    assert!((895..=905).contains(&skew.skew_seconds), "{skew:?}");
    assert!(skew.message.contains("ahead of"), "{}", skew.message);

    let (_, d) = run_with(Faults {
        reject_signatures: true,
        ..Faults::default()
    })
    .await;
    assert_eq!(first(&d), "oauth_problem.signature_invalid");

    let (_, d) = run_with(Faults {
        server_error: true,
        ..Faults::default()
    })
    .await;
    assert_eq!(first(&d), "http.5xx");

    let (_, d) = run_with(Faults {
        html_error: true,
        ..Faults::default()
    })
    .await;
    assert_eq!(first(&d), "shape.html");

    let (_, d) = run_with(Faults {
        omit_callback_confirmed: true,
        ..Faults::default()
    })
    .await;
    assert_eq!(first(&d), "flow.callback_not_confirmed");

    let (_, d) = run_with(Faults {
        deny: true,
        ..Faults::default()
    })
    .await;
    assert_eq!(first(&d), "flow.denied");

    let (stop, d) = run_with(Faults {
        wrong_token_in_redirect: true,
        ..Faults::default()
    })
    .await;
    assert_eq!(stop, Stop::CallbackTimeout);
    assert_eq!(first(&d), "flow.callback_token_mismatch");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_signature_is_diffed_against_the_providers_base_string() {
    let catalog = catalog();
    let preset = catalog.get("signet-demo").unwrap();
    let p = start(ProviderConfig::demo()).await.unwrap();
    let mut config = config_for(preset, &Inputs::new(), &p);
    config.key = signet_oauth1::flow::ConsumerKey::Secret(signet_oauth1::Secret::new("wrong"));
    let engine = Engine::new(EngineSettings::default()).unwrap();
    let (_run, out) = engine.run(config, None, |_| {}).await.unwrap();
    let d = diagnose_snapshot(&out.snapshot).unwrap();
    assert_eq!(d.diagnoses[0].id, "oauth_problem.signature_invalid");
    let diff = d.diff.expect("the demo provider sends its base string");
    assert!(diff.identical, "{}", diff.summary);
    assert!(diff.summary.contains("secrets differ"), "{}", diff.summary);
}
