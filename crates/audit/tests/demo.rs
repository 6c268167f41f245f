//! The audit against the demo provider: strict, every check it can make is enforced; with each
//! lax switch on, exactly the checks that switch opens report *not enforced* — for HMAC-SHA1,
//! HMAC-SHA256 and RSA-SHA256.

use std::collections::BTreeSet;
use std::time::Duration;

use signet_audit::{
    AuditReport, AuditSettings, CheckId, EngineConsent, TokenOutcome, Verdict, plan, run,
};
use signet_engine::{Browser, Engine, EngineSettings, Http, HttpSettings};
use signet_oauth1::flow::StepId;
use signet_oauth1::flow::{
    CallbackConfig, ConsumerKey, Endpoint, FlowConfig, ModeConfig, RequestExtras, ResourceRequest,
    ThreeLeggedConfig,
};
use signet_oauth1::{AuthorizationHeader, RsaPrivateKeyPem, Secret, SignOptions, SignatureMethod};
use signet_provider::{Faults, ProviderConfig, RunningProvider, approve, demo, start};

/// Allows access as alice and follows the redirect to the loopback listener.
struct Alice(tokio::runtime::Handle);

impl Browser for Alice {
    fn open(&self, url: &str) -> signet_engine::Result<()> {
        let url = url.to_owned();
        self.0.spawn(async move {
            let out = approve(&url, "alice", "wonderland", true)
                .await
                .expect("consent");
            let redirect = out.redirect.expect("a redirect to the loopback listener");
            let _ = reqwest::get(&redirect).await;
        });
        Ok(())
    }
}

fn config(p: &RunningProvider, method: SignatureMethod) -> FlowConfig {
    let (consumer_key, key) = if method.is_rsa() {
        (
            demo::RSA_CONSUMER_KEY,
            ConsumerKey::Rsa(RsaPrivateKeyPem::parse(demo::RSA_PRIVATE_KEY_PEM).unwrap()),
        )
    } else {
        (
            demo::CONSUMER_KEY,
            ConsumerKey::Secret(Secret::new(demo::CONSUMER_SECRET)),
        )
    };
    FlowConfig {
        consumer_key: consumer_key.into(),
        key,
        signature_method: method,
        sign_options: SignOptions::default(),
        realm: None,
        mode: ModeConfig::ThreeLegged(ThreeLeggedConfig {
            request_token: Endpoint::post(p.request_token_url()),
            authorize_url: p.authorize_url(),
            access_token: Endpoint::post(p.access_token_url()),
            callback: CallbackConfig::loopback(0, "/callback"),
            authorize_params: Vec::new(),
            callback_on_authorize_url: false,
            require_callback_confirmed: true,
        }),
        resource: Some(ResourceRequest::get(p.me_url())),
        extras: RequestExtras::default(),
    }
}

/// The engine's consent, remembering each verifier it hands over (the report must hold none).
struct Remembering<'a> {
    inner: EngineConsent<'a>,
    verifiers: Vec<String>,
}

impl signet_audit::Consent for Remembering<'_> {
    async fn authorise(
        &mut self,
        config: &FlowConfig,
        which: u8,
    ) -> Result<signet_audit::Authorised, signet_oauth1::ErrorReport> {
        let a = self.inner.authorise(config, which).await?;
        self.verifiers.push(a.verifier.expose().to_owned());
        Ok(a)
    }
}

async fn audit(faults: Faults, method: SignatureMethod) -> AuditReport {
    let p = start(ProviderConfig::demo().with_faults(faults))
        .await
        .unwrap();
    let engine = Engine::new(EngineSettings::default())
        .unwrap()
        .with_browser(Alice(tokio::runtime::Handle::current()));
    let http = Http::new(HttpSettings::default()).unwrap();
    let config = config(&p, method);
    let planned = plan(&config).unwrap();
    let mut consent = Remembering {
        inner: EngineConsent { engine: &engine },
        verifiers: Vec::new(),
    };
    let settings = AuditSettings {
        min_interval: Duration::ZERO,
        ..AuditSettings::default()
    };
    let out = run(
        &config,
        None,
        &http,
        engine.clock(),
        &mut consent,
        settings,
        |_| {},
    )
    .await
    .unwrap();
    let report = out.report;
    // No verifier is kept anywhere in it: not in a request, a trace or an answer.
    let json = serde_json::to_string(&report).unwrap();
    assert!(consent.verifiers.len() <= 2, "two dances at most");
    for v in &consent.verifiers {
        assert!(
            !json.contains(v.as_str()),
            "{method}: the verifier {v} is in the report"
        );
    }
    // Bounded: never more requests than the plan listed (the dances' one each included).
    assert!(
        report.requests_sent as usize <= planned.requests.len(),
        "{} sent, {} planned",
        report.requests_sent,
        planned.requests.len()
    );
    assert_eq!(report.checks.len(), CheckId::ALL.len());
    report
}

fn with(verdict: Verdict, r: &AuditReport) -> BTreeSet<CheckId> {
    r.checks
        .iter()
        .filter(|c| c.verdict == verdict)
        .map(|c| c.id)
        .collect()
}

const METHODS: [SignatureMethod; 3] = [
    SignatureMethod::HmacSha1,
    SignatureMethod::HmacSha256,
    SignatureMethod::RsaSha256,
];

/// What cannot apply to the demo provider: it runs on this machine (PLAINTEXT over HTTP), RSA
/// signatures carry no token secret, and a PLAINTEXT signature covers no parameter.
fn not_applicable(method: SignatureMethod) -> BTreeSet<CheckId> {
    let mut out = BTreeSet::from([CheckId::PlaintextOverHttp]);
    if method.is_rsa() {
        out.insert(CheckId::WithoutTokenSecret);
    }
    if method == SignatureMethod::Plaintext {
        // Its signature covers no parameter: one added after signing cannot be seen.
        out.insert(CheckId::AddedParameter);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_strict_demo_provider_enforces_every_check() {
    // PLAINTEXT too: its signature is the secret itself, and no row may keep it.
    for method in METHODS.into_iter().chain([SignatureMethod::Plaintext]) {
        let r = audit(Faults::default(), method).await;
        let enforced = with(Verdict::Enforced, &r);
        let expected: BTreeSet<CheckId> = CheckId::ALL
            .into_iter()
            .filter(|c| !not_applicable(method).contains(c))
            .collect();
        assert_eq!(
            enforced,
            expected,
            "{method}: {:#?}",
            r.checks
                .iter()
                .filter(|c| c.verdict != Verdict::Enforced)
                .map(|c| (c.id, &c.reason))
                .collect::<Vec<_>>()
        );
        assert_eq!(with(Verdict::DoesNotApply, &r), not_applicable(method));
        assert_eq!(r.score.not_enforced, 0);
        assert_eq!(
            r.score.headline(),
            format!("{n} of {n} checks enforced", n = expected.len())
        );
        assert!(matches!(r.token, TokenOutcome::Reissued { .. }));
        // Every wrong request carries its diff against the valid one, and what came back.
        for c in r
            .checks
            .iter()
            .filter(|c| c.id.info().expected_status.is_some())
        {
            if let Some(sent) = &c.sent {
                assert!(!sent.changes.is_empty(), "{}: no diff", c.id);
                let answer = c.answer.as_ref().unwrap();
                assert!(answer.response.as_ref().unwrap().status >= 400, "{}", c.id);
                assert!(answer.problem.is_some(), "{}", c.id);
            }
        }
        // No verifier is kept: every access-token request shows it redacted.
        for c in r
            .checks
            .iter()
            .filter(|c| c.step == StepId::AccessTokenRequest && c.sent.is_some())
        {
            let sent = &c.sent.as_ref().unwrap().request;
            let header = sent
                .headers
                .iter()
                .find(|(n, _)| n == "Authorization")
                .map(|(_, v)| AuthorizationHeader::parse(v).unwrap())
                .unwrap();
            assert_eq!(header.get("oauth_verifier"), Some("<redacted>"), "{}", c.id);
            let trace = serde_json::to_string(&c.sent.as_ref().unwrap().trace).unwrap();
            assert!(trace.contains("oauth_verifier"), "{}", c.id);
        }
        // Nothing secret is kept.
        let json = serde_json::to_string(&r).unwrap();
        for secret in [demo::CONSUMER_SECRET, "MIIE"] {
            assert!(!json.contains(secret), "{method}: {secret} in the report");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_lax_switch_opens_exactly_its_checks() {
    let switches: [(&str, Faults, &[CheckId]); 5] = [
        (
            "accept_any_signature",
            Faults {
                accept_any_signature: true,
                ..Faults::default()
            },
            &[
                CheckId::RequestTokenSignature,
                CheckId::WithoutTokenSecret,
                CheckId::ResourceSignature,
                CheckId::AddedParameter,
            ],
        ),
        (
            "accept_replayed_nonces",
            Faults {
                accept_replayed_nonces: true,
                ..Faults::default()
            },
            &[CheckId::NonceReplay],
        ),
        (
            "ignore_timestamps",
            Faults {
                ignore_timestamps: true,
                ..Faults::default()
            },
            &[CheckId::TimestampOld, CheckId::TimestampAhead],
        ),
        (
            "allow_token_reuse",
            Faults {
                allow_token_reuse: true,
                ..Faults::default()
            },
            &[CheckId::TokenReuse],
        ),
        (
            "omit_callback_confirmed",
            Faults {
                omit_callback_confirmed: true,
                ..Faults::default()
            },
            &[CheckId::CallbackConfirmed],
        ),
    ];
    for method in METHODS {
        for (name, faults, opened) in &switches {
            let r = audit(faults.clone(), method).await;
            let expected: BTreeSet<CheckId> = opened
                .iter()
                .copied()
                .filter(|c| !not_applicable(method).contains(c))
                .collect();
            assert_eq!(
                with(Verdict::NotEnforced, &r),
                expected,
                "{method} with {name}: {:#?}",
                r.checks
                    .iter()
                    .map(|c| (c.id, c.verdict, &c.reason))
                    .collect::<Vec<_>>()
            );
            assert_eq!(
                with(Verdict::CouldNotTell, &r),
                BTreeSet::new(),
                "{method} {name}"
            );
            assert_eq!(r.score.required_not_enforced as usize, expected.len());
            for c in r
                .checks
                .iter()
                .filter(|c| c.verdict == Verdict::NotEnforced)
            {
                assert!(!c.meaning.is_empty());
                if c.sent.is_some() && c.id.info().expected_status.is_some() {
                    assert!(
                        c.side_effect.is_some(),
                        "{method} {name}: {} says what it changed",
                        c.id
                    );
                }
            }
        }
    }
}

#[tokio::test]
async fn the_plan_lists_every_request_and_what_to_know() {
    let p = start(ProviderConfig::demo()).await.unwrap();
    let hmac = plan(&config(&p, SignatureMethod::HmacSha1)).unwrap();
    assert_eq!(hmac.consents, 2);
    let checks: BTreeSet<CheckId> = hmac.requests.iter().filter_map(|r| r.check).collect();
    // PLAINTEXT over HTTP is not tried on this machine; the rest each have their request.
    for id in [
        CheckId::NonceReplay,
        CheckId::RequestTokenSignature,
        CheckId::UnknownConsumer,
        CheckId::TimestampOld,
        CheckId::TimestampAhead,
        CheckId::TwoPlaces,
        CheckId::ForeignVerifier,
        CheckId::WithoutTokenSecret,
        CheckId::TokenReuse,
        CheckId::ResourceSignature,
        CheckId::AddedParameter,
        CheckId::UnknownToken,
    ] {
        assert!(checks.contains(&id), "{id}");
    }
    assert!(!checks.contains(&CheckId::PlaintextOverHttp));
    assert!(hmac.notes.iter().any(|n| n.contains("on this machine")));
    assert!(hmac.notes.iter().any(|n| n.contains("allowed to test")));
    let rsa = plan(&config(&p, SignatureMethod::RsaSha256)).unwrap();
    assert_eq!(
        rsa.requests.len(),
        hmac.requests.len() - 1,
        "no token-secret check for RSA"
    );
    // A provider over plain HTTP elsewhere gets the PLAINTEXT check.
    let mut remote = config(&p, SignatureMethod::HmacSha1);
    if let ModeConfig::ThreeLegged(t) = &mut remote.mode {
        t.request_token = Endpoint::post("http://api.example.com/oauth/request_token");
    }
    assert!(
        plan(&remote)
            .unwrap()
            .requests
            .iter()
            .any(|r| r.check == Some(CheckId::PlaintextOverHttp))
    );
    // One-legged methods cannot be audited, and say why.
    let mut one = config(&p, SignatureMethod::HmacSha1);
    one.mode = ModeConfig::OneLegged;
    let err = plan(&one).unwrap_err();
    assert!(err.message.contains("three-legged"), "{}", err.message);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_that_fails_everything_leaves_the_audit_inconclusive() {
    let r = audit(
        Faults {
            server_error: true,
            ..Faults::default()
        },
        SignatureMethod::HmacSha1,
    )
    .await;
    assert!(r.score.inconclusive(), "{:#?}", r.score);
    assert_eq!(r.score.decided, 0);
    let baseline = r.check(CheckId::NonceReplay).unwrap();
    assert!(
        baseline
            .reason
            .contains("a valid request-token request was refused too"),
        "{}",
        baseline.reason
    );
    // The first dance failed: the second was never started, nothing after it was sent.
    assert!(
        r.check(CheckId::ForeignVerifier)
            .unwrap()
            .reason
            .contains("did not reach step 7"),
        "{:#?}",
        r.check(CheckId::ForeignVerifier)
    );
    assert_eq!(
        r.requests_sent, 2,
        "the baseline and the first dance's request token"
    );
}

/// The user stops the audit in its first dance: nothing more is sent.
struct Stopping;

impl signet_audit::Consent for Stopping {
    async fn authorise(
        &mut self,
        _config: &FlowConfig,
        _which: u8,
    ) -> Result<signet_audit::Authorised, signet_oauth1::ErrorReport> {
        Err(signet_oauth1::ErrorReport::new(
            signet_oauth1::ErrorKind::Cancelled,
            "the dance was cancelled",
        ))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_audit_sends_nothing_more() {
    let p = start(ProviderConfig::demo()).await.unwrap();
    let http = Http::new(HttpSettings::default()).unwrap();
    let saved = signet_oauth1::flow::TokenCredentials {
        token: "saved".into(),
        secret: Secret::new("s"),
        extra: vec![],
    };
    let out = run(
        &config(&p, SignatureMethod::HmacSha1),
        Some(&saved),
        &http,
        signet_engine::Clock::with_offset(0),
        &mut Stopping,
        AuditSettings {
            min_interval: Duration::ZERO,
            ..AuditSettings::default()
        },
        |_| {},
    )
    .await
    .unwrap();
    let r = out.report;
    // The request-token leg (its seven requests), the first dance (counted as its request
    // token's request), then nothing: no access-token request, no resource call, not even the
    // saved token's.
    assert_eq!(r.requests_sent, 8, "{r:#?}");
    assert!(out.issued.is_none());
    assert_eq!(r.token, TokenOutcome::Unchanged);
    for id in [
        CheckId::ForeignVerifier,
        CheckId::TokenReuse,
        CheckId::ResourceSignature,
        CheckId::UnknownToken,
    ] {
        let row = r.check(id).unwrap();
        assert_eq!(row.verdict, Verdict::CouldNotTell, "{id}");
        assert!(row.reason.contains("stopped"), "{id}: {}", row.reason);
    }
    assert_eq!(r.checks.len(), CheckId::ALL.len());
}

/// A consent that counts the dances asked for (and cancels them).
struct Counting(u32);

impl signet_audit::Consent for Counting {
    async fn authorise(
        &mut self,
        _config: &FlowConfig,
        _which: u8,
    ) -> Result<signet_audit::Authorised, signet_oauth1::ErrorReport> {
        self.0 += 1;
        Err(signet_oauth1::ErrorReport::new(
            signet_oauth1::ErrorKind::Cancelled,
            "the dance was cancelled",
        ))
    }
}

/// The user stops the audit while it waits for the rate limit: the wait ends at once, nothing
/// more is sent, no dance is asked for, and every check not made says it was stopped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_is_heard_between_requests_even_while_waiting_for_the_rate_limit() {
    let p = start(ProviderConfig::demo()).await.unwrap();
    let http = Http::new(HttpSettings::default()).unwrap();
    let settings = AuditSettings {
        // A request a minute: the audit would wait a minute before its second request.
        min_interval: Duration::from_secs(60),
        ..AuditSettings::default()
    };
    let stop = settings.stop.clone();
    let mut consent = Counting(0);
    let mut sent = Vec::new();
    let config = config(&p, SignatureMethod::HmacSha1);
    let audit = run(
        &config,
        None,
        &http,
        signet_engine::Clock::with_offset(0),
        &mut consent,
        settings,
        |e| {
            if let signet_audit::AuditEvent::Sending { n, .. } = e {
                sent.push(n);
                // Stopped once the first request has gone.
                let stop = stop.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    stop.stop();
                });
            }
        },
    );
    // Bounded well below the minute the rate limit would make it wait.
    let out = tokio::time::timeout(Duration::from_secs(20), audit)
        .await
        .expect("the stop ended the wait for the rate limit")
        .unwrap();
    let r = out.report;
    assert_eq!(sent, [1]);
    assert_eq!(r.requests_sent, 1, "{r:#?}");
    assert_eq!(consent.0, 0, "a dance was asked for after the stop");
    assert_eq!(r.token, TokenOutcome::Unchanged);
    assert_eq!(r.checks.len(), CheckId::ALL.len());
    // What the one answer received shows is still read; nothing else is decided.
    assert_eq!(
        r.check(CheckId::CallbackConfirmed).unwrap().verdict,
        Verdict::Enforced
    );
    assert_eq!(r.score.decided, 1, "{r:#?}");
    for id in [
        CheckId::RequestTokenSignature,
        CheckId::NonceReplay,
        CheckId::TokenReuse,
        CheckId::ResourceSignature,
    ] {
        let row = r.check(id).unwrap();
        assert_eq!(row.verdict, Verdict::CouldNotTell, "{id}");
        assert!(row.reason.contains("stopped"), "{id}: {}", row.reason);
    }
}
