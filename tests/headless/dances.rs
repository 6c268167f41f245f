//! Real dances across the engine and the demo provider (`signet-provider`): every signature
//! method × every callback mode × every placement, and the failures a real provider produces,
//! each landing on the right step with a specific message.

use std::time::Duration;

use signet_engine::{Browser, Clock, Engine, EngineSettings, HttpSettings, Inbox, Stop};
use signet_oauth1::flow::*;
use signet_oauth1::{CallbackMode, Placement, Secret, SignOptions, SignatureMethod};
use signet_provider::{Faults, ProviderConfig, RunningProvider, demo, start};
use signet_tests::{Deliver, callback_for, config, engine_with, quick};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_method_callback_mode_and_placement_completes_the_dance() {
    let p = start(ProviderConfig::demo()).await.unwrap();
    let mut ran = 0;
    for method in SignatureMethod::ALL {
        for deliver in [Deliver::Follow, Deliver::DeepLink, Deliver::Pin] {
            for placement in Placement::ALL {
                let (engine, opened) = engine_with(quick(), deliver, true, false);
                let mut snapshots = 0;
                let (_run, out) = engine
                    .run(
                        config(&p, method, callback_for(deliver), placement),
                        None,
                        |_| snapshots += 1,
                    )
                    .await
                    .unwrap();
                let what = format!("{method} {deliver:?} {placement}");
                assert_eq!(
                    out.stop,
                    Stop::Finished,
                    "{what}: {:#?}",
                    out.snapshot.error
                );
                assert!(
                    out.snapshot
                        .steps
                        .iter()
                        .all(|s| s.status == StepStatus::Done),
                    "{what}"
                );
                assert_eq!(opened.lock().unwrap().len(), 1);
                assert_eq!(snapshots, 5, "{what}: start, 3 responses and the callback");
                let creds = out.credentials.unwrap();
                assert!(!creds.token.is_empty() && !creds.secret.is_empty());
                assert_eq!(out.snapshot.resource.as_ref().unwrap().status, 200);
                // Three requests, three nonces, three signatures.
                let nonces: Vec<String> = [
                    StepId::TokenRequest,
                    StepId::AccessTokenRequest,
                    StepId::ResourceAccess,
                ]
                .into_iter()
                .map(|s| {
                    let t = &out.snapshot.step(s).exchanges[0].trace;
                    let n = t
                        .parameters
                        .iter()
                        .find(|p| p.name == "oauth_nonce")
                        .unwrap();
                    assert_eq!(
                        t.parameters
                            .iter()
                            .find(|p| p.name == "oauth_timestamp")
                            .unwrap()
                            .value
                            .len(),
                        10
                    );
                    n.value.clone()
                })
                .collect();
                assert!(
                    nonces[0] != nonces[1] && nonces[1] != nonces[2],
                    "{nonces:?}"
                );
                assert!(nonces.iter().all(|n| (20..=30).contains(&n.len())));
                let json = serde_json::to_string(&out.snapshot).unwrap();
                assert!(!json.contains(demo::CONSUMER_SECRET), "{what}");
                assert!(!json.contains(creds.secret.expose()), "{what}");
                ran += 1;
            }
        }
    }
    assert_eq!(ran, 63);
    p.shutdown().await;
}

#[tokio::test]
async fn runs_stop_at_a_chosen_step() {
    let p = start(ProviderConfig::demo()).await.unwrap();
    let (engine, opened) = engine_with(quick(), Deliver::DeepLink, true, false);
    let cfg = config(
        &p,
        SignatureMethod::HmacSha256,
        CallbackConfig::deep_link(),
        Placement::Header,
    );
    let (_run, out) = engine
        .run(cfg, Some(StepId::RequestTokenIssued), |_| {})
        .await
        .unwrap();
    assert_eq!(out.stop, Stop::Reached(StepId::RequestTokenIssued));
    assert_eq!(out.snapshot.phase, Phase::AwaitingAuthorization);
    assert!(out.snapshot.authorization_url.is_some());
    assert!(opened.lock().unwrap().is_empty());
}

/// Stopped once the redirect is in (step 7, as an audit's dance is): the flow builds the
/// access-token request as it reads the redirect, but no snapshot, live or final, shows it —
/// it is never sent.
#[tokio::test]
async fn a_run_stopped_after_step_7_never_shows_step_8() {
    let p = start(ProviderConfig::demo()).await.unwrap();
    let (engine, _) = engine_with(quick(), Deliver::DeepLink, true, false);
    let cfg = config(
        &p,
        SignatureMethod::HmacSha1,
        CallbackConfig::deep_link(),
        Placement::Header,
    );
    let mut seen = Vec::new();
    let (_run, out) = engine
        .run(cfg, Some(StepId::RedirectToConsumer), |s| {
            seen.push(s.clone())
        })
        .await
        .unwrap();
    assert_eq!(out.stop, Stop::Reached(StepId::RedirectToConsumer));
    assert!(seen.len() >= 2, "{}", seen.len());
    let last = seen.last().unwrap();
    assert_eq!(last, &out.snapshot);
    assert_eq!(
        last.step(StepId::RedirectToConsumer).status,
        StepStatus::Done
    );
    assert_eq!(last.current_step, Some(StepId::RedirectToConsumer));
    for s in seen.iter().chain([&out.snapshot]) {
        for later in [
            StepId::AccessTokenRequest,
            StepId::AccessTokenIssued,
            StepId::ResourceAccess,
        ] {
            let step = s.step(later);
            assert_eq!(step.status, StepStatus::Pending, "{later}");
            assert!(
                step.exchanges.is_empty(),
                "{later}: a request never sent is shown"
            );
        }
    }
}

async fn failing_run(
    p: &RunningProvider,
    settings: EngineSettings,
    deliver: Deliver,
    allow: bool,
    edit: impl FnOnce(&mut FlowConfig),
) -> signet_engine::RunOutcome {
    let (engine, _) = engine_with(settings, deliver, allow, false);
    let mut cfg = config(
        p,
        SignatureMethod::HmacSha1,
        callback_for(deliver),
        Placement::Header,
    );
    edit(&mut cfg);
    engine.run(cfg, None, |_| {}).await.unwrap().1
}

#[track_caller]
fn assert_failed(out: &signet_engine::RunOutcome, step: StepId, kind: &str) {
    assert_eq!(out.stop, Stop::Failed(step), "{:#?}", out.snapshot.error);
    let e = out.snapshot.error.as_ref().unwrap();
    assert_eq!((e.step, e.error.kind.as_str()), (step, kind), "{e:#?}");
}

#[tokio::test]
async fn denial_fails_step_6() {
    let p = start(ProviderConfig::demo()).await.unwrap();
    let out = failing_run(&p, quick(), Deliver::DeepLink, false, |_| {}).await;
    assert_failed(&out, StepId::UserAuthorisation, "callback_denied");
}

#[tokio::test]
async fn a_wrong_secret_fails_step_4_with_the_providers_problem() {
    let p = start(ProviderConfig::demo()).await.unwrap();
    let out = failing_run(&p, quick(), Deliver::DeepLink, true, |c| {
        c.key = ConsumerKey::Secret(Secret::new("not-the-secret"));
    })
    .await;
    assert_failed(&out, StepId::UserAuthentication, "provider_problem");
    assert!(
        out.snapshot
            .error
            .unwrap()
            .error
            .message
            .contains("signature_invalid")
    );
}

#[tokio::test]
async fn a_token_mismatch_fails_step_7_and_the_right_redirect_still_completes() {
    let p = start(ProviderConfig::demo().with_faults(Faults {
        wrong_token_in_redirect: true,
        ..Default::default()
    }))
    .await
    .unwrap();
    for deliver in [Deliver::DeepLink, Deliver::Follow] {
        let (engine, _) = engine_with(quick(), deliver, true, true);
        let mut kinds = Vec::new();
        let cfg = config(
            &p,
            SignatureMethod::HmacSha1,
            callback_for(deliver),
            Placement::Header,
        );
        let (_run, out) = engine
            .run(cfg, None, |s| {
                if let Some(e) = &s.error {
                    kinds.push((e.step, e.error.kind));
                }
            })
            .await
            .unwrap();
        assert_eq!(
            kinds,
            [(
                StepId::RedirectToConsumer,
                signet_oauth1::ErrorKind::CallbackTokenMismatch
            )],
            "{deliver:?}"
        );
        assert_eq!(
            out.stop,
            Stop::Finished,
            "{deliver:?}: {:#?}",
            out.snapshot.error
        );
        assert_eq!(out.snapshot.step(StepId::RedirectToConsumer).notes.len(), 2);
    }
}

#[tokio::test]
async fn a_slow_provider_times_out_in_step_3_and_a_retry_succeeds() {
    let p = start(ProviderConfig::demo().with_faults(Faults {
        slow_ms: 1_500,
        ..Default::default()
    }))
    .await
    .unwrap();
    let settings = EngineSettings {
        http: HttpSettings {
            timeout: Duration::from_millis(300),
            ..Default::default()
        },
        ..quick()
    };
    let (engine, _) = engine_with(settings, Deliver::DeepLink, true, false);
    let cfg = config(
        &p,
        SignatureMethod::HmacSha1,
        CallbackConfig::deep_link(),
        Placement::Header,
    );
    let (mut run, out) = engine.run(cfg, None, |_| {}).await.unwrap();
    assert_failed(&out, StepId::TokenRequest, "timeout");
    p.set_faults(Faults::default());
    let out = engine
        .drive(&mut run, Event::Retry, None, |_| {})
        .await
        .unwrap();
    assert_eq!(out.stop, Stop::Finished, "{:#?}", out.snapshot.error);
    assert_eq!(out.snapshot.step(StepId::TokenRequest).exchanges.len(), 2);
}

#[tokio::test]
async fn an_oversized_response_is_refused() {
    let p = start(ProviderConfig::demo()).await.unwrap();
    let settings = EngineSettings {
        http: HttpSettings {
            max_response_bytes: 32,
            ..Default::default()
        },
        ..quick()
    };
    let out = failing_run(&p, settings, Deliver::DeepLink, true, |_| {}).await;
    assert_failed(&out, StepId::TokenRequest, "response_too_large");
}

#[tokio::test]
async fn an_html_error_page_fails_step_5() {
    let p = start(ProviderConfig::demo().with_faults(Faults {
        html_error: true,
        ..Default::default()
    }))
    .await
    .unwrap();
    let out = failing_run(&p, quick(), Deliver::DeepLink, true, |_| {}).await;
    assert_failed(&out, StepId::RequestTokenIssued, "not_token_response");
}

#[tokio::test]
async fn a_missing_callback_confirmation_fails_step_5_unless_allowed() {
    let p = start(ProviderConfig::demo().with_faults(Faults {
        omit_callback_confirmed: true,
        ..Default::default()
    }))
    .await
    .unwrap();
    let out = failing_run(&p, quick(), Deliver::DeepLink, true, |_| {}).await;
    assert_failed(&out, StepId::RequestTokenIssued, "callback_not_confirmed");
    let out = failing_run(&p, quick(), Deliver::DeepLink, true, |c| {
        let ModeConfig::ThreeLegged(t) = &mut c.mode else {
            unreachable!()
        };
        t.require_callback_confirmed = false;
    })
    .await;
    assert_eq!(out.stop, Stop::Finished);
}

#[tokio::test]
async fn a_skewed_clock_is_detected_reported_and_fixed_by_an_offset() {
    let p = start(ProviderConfig::demo().with_faults(Faults {
        clock_skew_secs: 3_600,
        ..Default::default()
    }))
    .await
    .unwrap();
    let out = failing_run(&p, quick(), Deliver::DeepLink, true, |_| {}).await;
    assert_failed(&out, StepId::UserAuthentication, "provider_problem");
    let skew = out.snapshot.clock_skew_seconds.unwrap();
    assert!((3_598..=3_602).contains(&skew), "{skew}");
    let e = out.snapshot.error.unwrap().error;
    assert!(e.message.contains("timestamp_refused"), "{e:?}");
    assert!(e.hint.unwrap().contains("seconds ahead of this computer's"));

    let settings = EngineSettings {
        clock: Clock::with_offset(skew),
        ..quick()
    };
    let out = failing_run(&p, settings, Deliver::DeepLink, true, |_| {}).await;
    assert_eq!(out.stop, Stop::Finished, "{:#?}", out.snapshot.error);
    assert!(out.snapshot.clock_skew_seconds.unwrap().abs() <= 2);
}

#[tokio::test]
async fn a_server_error_fails_step_4_and_an_unreachable_provider_step_3() {
    let p = start(ProviderConfig::demo().with_faults(Faults {
        server_error: true,
        ..Default::default()
    }))
    .await
    .unwrap();
    let out = failing_run(&p, quick(), Deliver::DeepLink, true, |_| {}).await;
    assert_failed(&out, StepId::UserAuthentication, "http_status");

    let out = failing_run(&p, quick(), Deliver::DeepLink, true, |c| {
        let ModeConfig::ThreeLegged(t) = &mut c.mode else {
            unreachable!()
        };
        t.request_token.url = "http://127.0.0.1:9/oauth/request_token".into();
    })
    .await;
    assert_failed(&out, StepId::TokenRequest, "connect_failed");
}

#[tokio::test]
async fn cancel_while_waiting_for_the_callback_ends_the_run() {
    let p = start(ProviderConfig::demo()).await.unwrap();
    let engine = Engine::new(quick()).unwrap().with_browser(Cancelling(None));
    let inbox = engine.inbox();
    let engine = engine.with_browser(Cancelling(Some(inbox)));
    let cfg = config(
        &p,
        SignatureMethod::HmacSha1,
        CallbackConfig::loopback(0, "cb"),
        Placement::Header,
    );
    let (run, out) = engine.run(cfg, None, |_| {}).await.unwrap();
    assert_eq!(out.stop, Stop::Cancelled);
    assert_eq!(
        out.snapshot.step(StepId::RedirectToConsumer).status,
        StepStatus::Skipped
    );
    assert_eq!(run.flow().phase(), Phase::Cancelled);
}

/// A browser that makes the user give up.
struct Cancelling(Option<Inbox>);

impl Browser for Cancelling {
    fn open(&self, _url: &str) -> signet_engine::Result<()> {
        if let Some(inbox) = &self.0 {
            inbox.cancel();
        }
        Ok(())
    }
}

#[tokio::test]
async fn no_callback_in_time_stops_the_run_still_waiting() {
    let p = start(ProviderConfig::demo()).await.unwrap();
    let engine = Engine::new(EngineSettings {
        callback_timeout: Duration::from_millis(200),
        ..Default::default()
    })
    .unwrap()
    .with_browser(Cancelling(None));
    let cfg = config(
        &p,
        SignatureMethod::HmacSha1,
        CallbackConfig::loopback(0, "cb"),
        Placement::Header,
    );
    let (run, out) = engine.run(cfg, None, |_| {}).await.unwrap();
    assert_eq!(out.stop, Stop::CallbackTimeout);
    assert_eq!(out.snapshot.phase, Phase::AwaitingAuthorization);
    assert!(run.loopback_port().is_some_and(|p| p != 0));
    let Some(CallbackConfig { mode, url, .. }) = out.snapshot.config.callback().cloned() else {
        panic!()
    };
    assert_eq!(mode, CallbackMode::Loopback);
    assert_eq!(
        url,
        format!("http://127.0.0.1:{}/cb", run.loopback_port().unwrap())
    );
}

// ---- a canned server for what the demo provider never does ----

/// Serves `response` (a whole HTTP response) to every connection.
async fn canned(response: Vec<u8>) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = l.accept().await else {
                return;
            };
            let response = response.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 8192];
                let _ = s.read(&mut buf).await;
                let _ = s.write_all(&response).await;
                let _ = s.shutdown().await;
            });
        }
    });
    url
}

fn canned_config(url: &str) -> FlowConfig {
    FlowConfig {
        extras: Default::default(),
        consumer_key: "k".into(),
        key: ConsumerKey::Secret(Secret::new("s")),
        signature_method: SignatureMethod::HmacSha1,
        sign_options: SignOptions::default(),
        realm: None,
        mode: ModeConfig::ThreeLegged(ThreeLeggedConfig {
            request_token: Endpoint::post(format!("{url}/rt")),
            authorize_url: format!("{url}/authorize"),
            access_token: Endpoint::post(format!("{url}/at")),
            callback: CallbackConfig::oob(),
            authorize_params: vec![],
            callback_on_authorize_url: false,
            require_callback_confirmed: true,
        }),
        resource: None,
    }
}

#[tokio::test]
async fn canned_answers_land_on_the_right_steps() {
    let cases: [(&str, StepId, &str); 4] = [
        (
            "HTTP/1.1 200 OK\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 50\r\n\r\noauth_token=abc&oauth_callback_confirmed=true&x=12",
            StepId::RequestTokenIssued,
            "missing_field",
        ),
        (
            "HTTP/1.1 302 Found\r\nLocation: https://elsewhere.example/rt\r\nContent-Length: 0\r\n\r\n",
            StepId::TokenRequest,
            "redirected",
        ),
        (
            // Truncated: the connection closes before the promised 500 bytes arrive.
            "HTTP/1.1 200 OK\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 500\r\n\r\noauth_token=abc&oauth_token_secret=d",
            StepId::TokenRequest,
            "transport_failed",
        ),
        (
            // No Content-Length: the cap is enforced while reading.
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n",
            StepId::TokenRequest,
            "response_too_large",
        ),
    ];
    for (i, (head, step, kind)) in cases.into_iter().enumerate() {
        let mut response = head.as_bytes().to_vec();
        if i == 3 {
            response.extend(std::iter::repeat_n(b'x', 64 * 1024));
        }
        let url = canned(response).await;
        let settings = EngineSettings {
            http: HttpSettings {
                max_response_bytes: 16 * 1024,
                ..Default::default()
            },
            ..quick()
        };
        let engine = Engine::new(settings)
            .unwrap()
            .with_browser(Cancelling(None));
        let (_run, out) = engine.run(canned_config(&url), None, |_| {}).await.unwrap();
        assert_failed(&out, step, kind);
    }
}
