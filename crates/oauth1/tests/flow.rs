//! The ten-step flow driven by hand with canned provider answers: RFC 5849 section 1.2's
//! values, so with the RFC's nonces and timestamps every signature is the RFC's.

use signet_oauth1::flow::*;
use signet_oauth1::{
    CallbackMode, Placement, RsaPrivateKeyPem, Secret, SignOptions, SignatureMethod,
};

const CONSUMER_KEY: &str = "dpf43f3p2l4k3l03";
const CONSUMER_SECRET: &str = "kd94hf93k423kf44";
const REQUEST_TOKEN: &str = "hh5s93j4hdidpola";
const REQUEST_SECRET: &str = "hdhd0244k9j7ao03";
const VERIFIER: &str = "hfdp7dh39dks9884";
const ACCESS_TOKEN: &str = "nnch734d00sl2jdk";
const ACCESS_SECRET: &str = "pfkkdhi9sl3r4s00";
const RESOURCE: &str = "http://photos.example.net/photos?file=vacation.jpg&size=original";
const RFC_CALLBACK: &str = "http://printer.example.com/ready";

// The RFC's three requests: (timestamp, nonce, signature).
const INITIATE: (u64, &str, &str) = (137131200, "wIjqoS", "74KNZJeDHnMBp0EMJ9ZHt/XKycU=");
const TOKEN: (u64, &str, &str) = (137131201, "walatlh", "gKgrFCywp7rO0OXSjdot/IHF7IU=");
const PHOTOS: (u64, &str, &str) = (137131202, "chapoH", "MdpQcU8iPSUjWoN/UDMsK2sui9I=");

fn three_legged(callback: CallbackConfig) -> FlowConfig {
    FlowConfig {
        extras: Default::default(),
        consumer_key: CONSUMER_KEY.into(),
        key: ConsumerKey::Secret(Secret::new(CONSUMER_SECRET)),
        signature_method: SignatureMethod::HmacSha1,
        sign_options: SignOptions {
            include_version: false,
            ..Default::default()
        },
        realm: Some("Photos".into()),
        mode: ModeConfig::ThreeLegged(ThreeLeggedConfig {
            request_token: Endpoint::post("https://photos.example.net/initiate"),
            authorize_url: "https://photos.example.net/authorize".into(),
            access_token: Endpoint::post("https://photos.example.net/token"),
            callback,
            authorize_params: vec![],
            callback_on_authorize_url: false,
            require_callback_confirmed: true,
        }),
        resource: Some(ResourceRequest::get(RESOURCE)),
    }
}

fn rfc_callback() -> CallbackConfig {
    CallbackConfig::new(CallbackMode::Oob, RFC_CALLBACK)
}

fn rfc_flow() -> Flow {
    Flow::new(three_legged(rfc_callback())).unwrap()
}

fn at(now_ms: u64, (ts, nonce, _): (u64, &str, &str)) -> Inputs {
    Inputs::new(now_ms, ts, nonce)
}

fn form(status: u16, body: &str) -> HttpResponse {
    HttpResponse {
        status,
        headers: vec![(
            "Content-Type".into(),
            "application/x-www-form-urlencoded".into(),
        )],
        body: body.as_bytes().to_vec(),
    }
}

fn temporary_ok() -> HttpResponse {
    form(
        200,
        &format!(
            "oauth_token={REQUEST_TOKEN}&oauth_token_secret={REQUEST_SECRET}&oauth_callback_confirmed=true"
        ),
    )
}

fn access_ok() -> HttpResponse {
    form(
        200,
        &format!("oauth_token={ACCESS_TOKEN}&oauth_token_secret={ACCESS_SECRET}&user_id=42"),
    )
}

fn photo_ok() -> HttpResponse {
    HttpResponse {
        status: 200,
        headers: vec![("Content-Type".into(), "image/jpeg".into())],
        body: b"JPEG...".to_vec(),
    }
}

fn redirect() -> String {
    format!("{RFC_CALLBACK}?oauth_token={REQUEST_TOKEN}&oauth_verifier={VERIFIER}")
}

#[track_caller]
fn send(commands: &[Command]) -> &OutgoingRequest {
    match commands {
        [Command::Send(req)] => req,
        other => panic!("expected one Send, got {other:?}"),
    }
}

#[track_caller]
fn failed(commands: &[Command]) -> (StepId, &signet_oauth1::ErrorReport) {
    match commands {
        [Command::Failed { step, error }, ..] => (*step, error),
        other => panic!("expected Failed, got {other:?}"),
    }
}

#[track_caller]
fn authorization(req: &OutgoingRequest) -> &str {
    req.headers
        .iter()
        .find(|(n, _)| n == "Authorization")
        .map(|(_, v)| v.as_str())
        .expect("an Authorization header")
}

#[track_caller]
fn statuses(flow: &Flow) -> Vec<StepStatus> {
    StepId::ALL.into_iter().map(|s| flow.status(s)).collect()
}

use StepStatus::{Active as A, Done as D, Failed as F, Pending as P, Skipped as S};

/// Runs the RFC's dance up to the request token: the flow waits for the redirect.
fn to_authorization(flow: &mut Flow) {
    send(&flow.handle(Event::Start, &at(1_000, INITIATE)).unwrap());
    let c = flow
        .handle(Event::Response(temporary_ok()), &at(1_100, INITIATE))
        .unwrap();
    assert!(matches!(c[0], Command::OpenUrl { .. }), "{c:?}");
}

/// Runs the RFC's dance up to the access-token request in flight.
fn to_access_request(flow: &mut Flow) {
    to_authorization(flow);
    send(
        &flow
            .handle(Event::Callback(redirect()), &at(2_000, TOKEN))
            .unwrap(),
    );
}

/// Runs the RFC's dance up to the resource call in flight.
fn to_resource_request(flow: &mut Flow) {
    to_access_request(flow);
    send(
        &flow
            .handle(Event::Response(access_ok()), &at(2_100, PHOTOS))
            .unwrap(),
    );
}

#[test]
fn three_legged_dance_signs_every_request_like_the_rfc() {
    let mut flow = rfc_flow();
    assert_eq!(statuses(&flow), [D, P, P, P, P, P, P, P, P, P]);

    let c = flow.handle(Event::Start, &at(1_000, INITIATE)).unwrap();
    let req = send(&c);
    assert_eq!(req.step, StepId::TokenRequest);
    assert_eq!(
        (req.method.as_str(), req.url.as_str()),
        ("POST", "https://photos.example.net/initiate")
    );
    assert_eq!(
        authorization(req),
        "OAuth realm=\"Photos\", oauth_consumer_key=\"dpf43f3p2l4k3l03\", oauth_signature_method=\"HMAC-SHA1\", oauth_timestamp=\"137131200\", oauth_nonce=\"wIjqoS\", oauth_callback=\"http%3A%2F%2Fprinter.example.com%2Fready\", oauth_signature=\"74KNZJeDHnMBp0EMJ9ZHt%2FXKycU%3D\""
    );
    assert_eq!(statuses(&flow), [D, D, A, P, P, P, P, P, P, P]);
    assert_eq!(flow.phase(), Phase::RequestingTemporaryCredentials);

    let c = flow
        .handle(Event::Response(temporary_ok()), &at(1_100, INITIATE))
        .unwrap();
    assert_eq!(
        c,
        [
            Command::OpenUrl {
                url: "https://photos.example.net/authorize?oauth_token=hh5s93j4hdidpola".into()
            },
            Command::AwaitPin
        ]
    );
    assert_eq!(statuses(&flow), [D, D, D, D, D, A, P, P, P, P]);

    let c = flow
        .handle(Event::Callback(redirect()), &at(2_000, TOKEN))
        .unwrap();
    let req = send(&c);
    assert_eq!(req.step, StepId::AccessTokenRequest);
    assert!(authorization(req).contains("oauth_token=\"hh5s93j4hdidpola\""));
    assert!(authorization(req).contains("oauth_verifier=\"hfdp7dh39dks9884\""));
    assert!(authorization(req).ends_with("oauth_signature=\"gKgrFCywp7rO0OXSjdot%2FIHF7IU%3D\""));
    assert_eq!(statuses(&flow), [D, D, D, D, D, D, D, A, P, P]);

    let c = flow
        .handle(Event::Response(access_ok()), &at(2_100, PHOTOS))
        .unwrap();
    let req = send(&c);
    assert_eq!((req.method.as_str(), req.url.as_str()), ("GET", RESOURCE));
    assert!(authorization(req).contains("oauth_token=\"nnch734d00sl2jdk\""));
    assert!(authorization(req).ends_with("oauth_signature=\"MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D\""));

    let c = flow
        .handle(Event::Response(photo_ok()), &at(2_300, PHOTOS))
        .unwrap();
    assert_eq!(c, [Command::Finished]);
    assert_eq!(flow.phase(), Phase::Finished);
    assert_eq!(statuses(&flow), [D; 10]);

    let creds = flow.token_credentials().unwrap();
    assert_eq!(creds.token, ACCESS_TOKEN);
    assert_eq!(creds.secret.expose(), ACCESS_SECRET);
    assert_eq!(creds.extra, [("user_id".to_owned(), "42".to_owned())]);

    let snap = flow.snapshot();
    let sigs: Vec<&str> = [
        StepId::TokenRequest,
        StepId::AccessTokenRequest,
        StepId::ResourceAccess,
    ]
    .into_iter()
    .map(|s| snap.step(s).exchanges[0].trace.signature.as_str())
    .collect();
    assert_eq!(sigs, [INITIATE.2, TOKEN.2, PHOTOS.2]);
    let x = &snap.step(StepId::ResourceAccess).exchanges[0];
    assert_eq!(
        (x.sent_ms, x.finished_ms, x.duration_ms),
        (2_100, Some(2_300), Some(200))
    );
    assert_eq!(x.response.as_ref().unwrap().status, 200);
    assert_eq!(snap.step(StepId::TokenRequest).started_ms, Some(1_000));
    assert_eq!(
        snap.step(StepId::RequestTokenIssued).finished_ms,
        Some(1_100)
    );
    assert_eq!(snap.request_token.as_ref().unwrap().token, REQUEST_TOKEN);
    assert_eq!(
        snap.request_token.as_ref().unwrap().callback_confirmed,
        Some(true)
    );
    let access = snap.access_token.as_ref().unwrap();
    assert_eq!(
        (access.token.as_str(), access.secret_len),
        (ACCESS_TOKEN, 16)
    );
    assert_eq!(snap.resource.as_ref().unwrap().status, 200);
    assert_eq!(snap.current_step, None);
    assert_eq!(snap.error, None);
    assert_eq!(
        snap.step(StepId::RedirectToConsumer).notes,
        ["verifier typed in; it belongs to request token hh5s93j4hdidpola"]
    );
}

#[test]
fn deep_link_and_loopback_wait_for_a_callback() {
    for cb in [
        CallbackConfig::deep_link(),
        CallbackConfig::loopback(8765, "/callback"),
    ] {
        let mut flow = Flow::new(three_legged(cb.clone())).unwrap();
        flow.handle(Event::Start, &at(1, INITIATE)).unwrap();
        let c = flow
            .handle(Event::Response(temporary_ok()), &at(2, INITIATE))
            .unwrap();
        assert_eq!(
            c[1],
            Command::AwaitCallback {
                mode: cb.mode,
                callback_url: cb.url.clone()
            }
        );
        assert_eq!(
            flow.snapshot().waiting_for,
            Some(Waiting::Callback {
                mode: cb.mode,
                callback_url: cb.url.clone()
            })
        );
        let link = format!(
            "{}?oauth_token={REQUEST_TOKEN}&oauth_verifier={VERIFIER}",
            cb.url
        );
        let c = flow.handle(Event::Callback(link), &at(3, TOKEN)).unwrap();
        assert!(
            authorization(send(&c))
                .ends_with("oauth_signature=\"gKgrFCywp7rO0OXSjdot%2FIHF7IU%3D\"")
        );
    }
}

#[test]
fn pin_entry_sends_the_pin_as_verifier() {
    let mut flow = Flow::new(three_legged(CallbackConfig::oob())).unwrap();
    let c = flow.handle(Event::Start, &at(1, INITIATE)).unwrap();
    assert!(authorization(send(&c)).contains("oauth_callback=\"oob\""));
    let c = flow
        .handle(Event::Response(temporary_ok()), &at(2, INITIATE))
        .unwrap();
    assert_eq!(c[1], Command::AwaitPin);
    assert_eq!(flow.snapshot().waiting_for, Some(Waiting::Pin));
    let c = flow
        .handle(Event::Pin(format!(" {VERIFIER} ")), &at(3, TOKEN))
        .unwrap();
    let req = send(&c);
    assert!(authorization(req).contains("oauth_verifier=\"hfdp7dh39dks9884\""));
    assert!(authorization(req).ends_with("oauth_signature=\"gKgrFCywp7rO0OXSjdot%2FIHF7IU%3D\""));
}

#[test]
fn one_legged_skips_the_dance_and_signs_with_consumer_credentials_only() {
    let mut config = three_legged(rfc_callback());
    config.mode = ModeConfig::OneLegged;
    let mut flow = Flow::new(config).unwrap();
    let c = flow.handle(Event::Start, &at(5, PHOTOS)).unwrap();
    let req = send(&c);
    assert_eq!(req.step, StepId::ResourceAccess);
    assert!(
        !authorization(req).contains("oauth_token"),
        "{}",
        authorization(req)
    );
    assert_eq!(statuses(&flow), [D, D, S, S, S, S, S, S, S, A]);
    let snap = flow.snapshot();
    assert!(snap.step(StepId::UserAuthorisation).notes[0].starts_with("skipped: one-legged"));
    assert_eq!(
        flow.handle(Event::Response(photo_ok()), &at(6, PHOTOS))
            .unwrap(),
        [Command::Finished]
    );
    assert_eq!(flow.token_credentials(), None);
    assert_eq!(flow.snapshot().mode, FlowMode::OneLegged);
}

#[test]
fn pre_issued_token_skips_steps_3_to_9_and_explains_why() {
    let mut config = three_legged(rfc_callback());
    config.mode = ModeConfig::PreIssuedToken(TokenCredentials {
        token: ACCESS_TOKEN.into(),
        secret: Secret::new(ACCESS_SECRET),
        extra: vec![],
    });
    let mut flow = Flow::new(config).unwrap();
    assert_eq!(flow.snapshot().access_token.unwrap().token, ACCESS_TOKEN);
    let c = flow.handle(Event::Start, &at(5, PHOTOS)).unwrap();
    assert!(
        authorization(send(&c)).ends_with("oauth_signature=\"MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D\"")
    );
    let snap = flow.snapshot();
    for step in StepId::ALL
        .into_iter()
        .filter(|s| (3..=9).contains(&s.number()))
    {
        assert_eq!(snap.step(step).status, StepStatus::Skipped);
        assert_eq!(
            snap.step(step).notes,
            [
                "skipped: pre-issued token (NetSuite token-based auth) — the provider issued the access token ahead of time"
            ]
        );
    }
    assert_eq!(
        flow.handle(Event::Response(photo_ok()), &at(6, PHOTOS))
            .unwrap(),
        [Command::Finished]
    );
    assert_eq!(
        flow.token_credentials().unwrap().secret.expose(),
        ACCESS_SECRET
    );
}

#[test]
fn without_a_resource_call_step_10_is_skipped() {
    let mut config = three_legged(rfc_callback());
    config.resource = None;
    let mut flow = Flow::new(config).unwrap();
    to_access_request(&mut flow);
    let c = flow
        .handle(Event::Response(access_ok()), &at(9, PHOTOS))
        .unwrap();
    assert_eq!(c, [Command::Finished]);
    assert_eq!(statuses(&flow), [D, D, D, D, D, D, D, D, D, S]);
}

#[test]
fn rsa_flows_sign_every_request_with_the_private_key() {
    let mut config = three_legged(CallbackConfig::deep_link());
    config.signature_method = SignatureMethod::RsaSha256;
    config.key = ConsumerKey::Rsa(RsaPrivateKeyPem::parse(TEST_RSA_KEY).unwrap());
    let mut flow = Flow::new(config).unwrap();
    to_resource_request(&mut flow);
    let snap = flow.snapshot();
    let x = &snap.step(StepId::AccessTokenRequest).exchanges[0];
    assert_eq!(x.trace.signature_method, SignatureMethod::RsaSha256);
    assert_eq!(
        x.trace.signature.len(),
        344,
        "a 2048-bit signature in base64"
    );
}

// ---- where failures land ----

#[test]
fn transport_failure_of_the_request_token_request_fails_step_3() {
    let mut flow = rfc_flow();
    flow.handle(Event::Start, &at(1, INITIATE)).unwrap();
    let c = flow
        .handle(
            Event::TransportFailed {
                kind: TransportKind::Timeout,
                message: "no answer within 30 s".into(),
            },
            &at(2, INITIATE),
        )
        .unwrap();
    let (step, e) = failed(&c);
    assert_eq!(
        (step, e.kind.as_str(), e.message.as_str()),
        (StepId::TokenRequest, "timeout", "no answer within 30 s")
    );
    assert_eq!(statuses(&flow), [D, D, F, P, P, P, P, P, P, P]);
    let snap = flow.snapshot();
    assert_eq!(snap.phase, Phase::Failed);
    assert_eq!(snap.current_step, Some(StepId::TokenRequest));
    assert_eq!(snap.waiting_for, Some(Waiting::Decision));
    assert!(snap.retry.as_ref().unwrap().contains("new request token"));
    let x = &snap.step(StepId::TokenRequest).exchanges[0];
    assert_eq!(x.transport_error.as_ref().unwrap().kind, "timeout");
    assert_eq!(x.response, None);
}

#[test]
fn a_redirect_from_a_token_endpoint_fails_the_request_step() {
    let mut flow = rfc_flow();
    flow.handle(Event::Start, &at(1, INITIATE)).unwrap();
    let resp = HttpResponse {
        status: 301,
        headers: vec![(
            "Location".into(),
            "https://photos.example.net/initiate/".into(),
        )],
        body: vec![],
    };
    let c = flow
        .handle(Event::Response(resp), &at(2, INITIATE))
        .unwrap();
    let (step, e) = failed(&c);
    assert_eq!(
        (step, e.kind.as_str()),
        (StepId::TokenRequest, "redirected")
    );
    assert!(
        e.message
            .contains("to https://photos.example.net/initiate/"),
        "{}",
        e.message
    );
}

#[test]
fn provider_refusals_at_the_request_token_fail_step_4() {
    for (resp, kind) in [
        (
            form(401, "oauth_problem=signature_invalid"),
            "provider_problem",
        ),
        (
            form(200, "oauth_problem=consumer_key_unknown"),
            "provider_problem",
        ),
        (form(403, "forbidden=1"), "http_status"),
        (
            HttpResponse {
                status: 401,
                headers: vec![("Content-Type".into(), "text/html".into())],
                body: b"<html>Unauthorized</html>".to_vec(),
            },
            "http_status",
        ),
    ] {
        let mut flow = rfc_flow();
        flow.handle(Event::Start, &at(1, INITIATE)).unwrap();
        let c = flow
            .handle(Event::Response(resp), &at(2, INITIATE))
            .unwrap();
        let (step, e) = failed(&c);
        assert_eq!(
            (step, e.kind.as_str()),
            (StepId::UserAuthentication, kind),
            "{e:?}"
        );
        assert!(e.hint.is_some());
        assert_eq!(statuses(&flow), [D, D, D, F, P, P, P, P, P, P]);
    }
}

#[test]
fn unusable_request_token_responses_fail_step_5() {
    for (body, kind) in [
        ("<!DOCTYPE html><html>Sign in</html>", "not_token_response"),
        (
            "oauth_token=hh5s93j4hdidpola&oauth_callback_confirmed=true",
            "missing_field",
        ),
        (
            "oauth_token=hh5s93j4hdidpola&oauth_token_secret=hdhd0244k9j7ao03",
            "callback_not_confirmed",
        ),
        (
            "oauth_token=hh5s93j4hdidpola&oauth_token_secret=hdhd0244k9j7ao03&oauth_callback_confirmed=false",
            "callback_not_confirmed",
        ),
        ("", "empty_response"),
    ] {
        let mut flow = rfc_flow();
        flow.handle(Event::Start, &at(1, INITIATE)).unwrap();
        let c = flow
            .handle(Event::Response(form(200, body)), &at(2, INITIATE))
            .unwrap();
        let (step, e) = failed(&c);
        assert_eq!(
            (step, e.kind.as_str()),
            (StepId::RequestTokenIssued, kind),
            "{body}"
        );
        assert_eq!(statuses(&flow), [D, D, D, D, F, P, P, P, P, P]);
        assert!(!e.message.contains(REQUEST_SECRET));
    }
}

#[test]
fn providers_that_never_confirm_the_callback_can_be_allowed() {
    let mut config = three_legged(rfc_callback());
    let ModeConfig::ThreeLegged(t) = &mut config.mode else {
        unreachable!()
    };
    t.require_callback_confirmed = false;
    let mut flow = Flow::new(config).unwrap();
    flow.handle(Event::Start, &at(1, INITIATE)).unwrap();
    let body = format!("oauth_token={REQUEST_TOKEN}&oauth_token_secret={REQUEST_SECRET}");
    let c = flow
        .handle(Event::Response(form(200, &body)), &at(2, INITIATE))
        .unwrap();
    assert!(matches!(c[0], Command::OpenUrl { .. }));
    assert_eq!(
        flow.snapshot().step(StepId::RequestTokenIssued).notes,
        ["request token hh5s93j4hdidpola issued, without oauth_callback_confirmed"]
    );
}

#[test]
fn denial_and_redirect_problems_fail_step_6() {
    for (link, kind) in [
        (
            format!("{RFC_CALLBACK}?denied={REQUEST_TOKEN}"),
            "callback_denied",
        ),
        (
            format!("{RFC_CALLBACK}?oauth_token={REQUEST_TOKEN}&oauth_problem=user_refused"),
            "callback_denied",
        ),
        (
            format!("{RFC_CALLBACK}?oauth_token={REQUEST_TOKEN}&oauth_problem=token_expired"),
            "callback_problem",
        ),
    ] {
        let mut flow = rfc_flow();
        to_authorization(&mut flow);
        let c = flow.handle(Event::Callback(link), &at(3, TOKEN)).unwrap();
        assert_eq!(c.len(), 1, "{c:?}");
        let (step, e) = failed(&c);
        assert_eq!((step, e.kind.as_str()), (StepId::UserAuthorisation, kind));
        assert_eq!(flow.phase(), Phase::Failed);
        assert_eq!(statuses(&flow), [D, D, D, D, D, F, P, P, P, P]);
    }
}

#[test]
fn a_refusal_that_names_no_request_token_changes_nothing() {
    // Any page that can open a signet:// link could send these: they do not end the attempt.
    for forged in [
        "signet://callback?oauth_problem=user_refused".to_owned(),
        "signet://callback?denied=someone-else".to_owned(),
        format!("signet://callback?oauth_verifier={VERIFIER}"),
    ] {
        let mut flow = Flow::new(three_legged(CallbackConfig::deep_link())).unwrap();
        to_authorization(&mut flow);
        let c = flow
            .handle(Event::Callback(forged.clone()), &at(3, TOKEN))
            .unwrap();
        let (step, _) = failed(&c);
        assert_eq!(step, StepId::RedirectToConsumer, "{forged}");
        assert!(
            matches!(c[1], Command::AwaitCallback { .. }),
            "{forged}: {c:?}"
        );
        assert_eq!(flow.phase(), Phase::AwaitingAuthorization, "{forged}");
        // The real redirect still gets through.
        let real =
            format!("signet://callback?oauth_token={REQUEST_TOKEN}&oauth_verifier={VERIFIER}");
        flow.handle(Event::Callback(real), &at(4, TOKEN)).unwrap();
        assert_eq!(flow.phase(), Phase::RequestingTokenCredentials, "{forged}");
    }
}

#[test]
fn a_callback_carrying_the_runs_code_needs_no_request_token() {
    let mut cb = CallbackConfig::deep_link().bound();
    cb.url = "signet://callback/run-code".into();
    cb.binding = Some("run-code".into());
    let mut flow = Flow::new(three_legged(cb)).unwrap();
    to_authorization(&mut flow);
    // Another run's code: not this one's.
    let other = format!("signet://callback/other-code?oauth_verifier={VERIFIER}");
    flow.handle(Event::Callback(other), &at(3, TOKEN)).unwrap();
    assert_eq!(flow.phase(), Phase::AwaitingAuthorization);
    let ours = format!("signet://callback/run-code?oauth_verifier={VERIFIER}");
    flow.handle(Event::Callback(ours.clone()), &at(4, TOKEN))
        .unwrap();
    assert_eq!(flow.phase(), Phase::RequestingTokenCredentials);
    // Replayed once the run has moved on: refused, nothing changes.
    assert!(flow.handle(Event::Callback(ours), &at(5, TOKEN)).is_err());
    assert_eq!(flow.phase(), Phase::RequestingTokenCredentials);
}

#[test]
fn a_mismatched_callback_fails_step_7_and_the_right_one_still_gets_through() {
    let mut flow = Flow::new(three_legged(CallbackConfig::deep_link())).unwrap();
    to_authorization(&mut flow);
    let stray = format!("signet://callback?oauth_token=other&oauth_verifier={VERIFIER}");
    let c = flow.handle(Event::Callback(stray), &at(3, TOKEN)).unwrap();
    let (step, e) = failed(&c);
    assert_eq!(
        (step, e.kind.as_str()),
        (StepId::RedirectToConsumer, "callback_token_mismatch")
    );
    assert_eq!(
        e.message,
        "callback token does not match the pending request token"
    );
    assert!(
        matches!(c[1], Command::AwaitCallback { .. }),
        "still waiting: {c:?}"
    );
    assert_eq!(flow.phase(), Phase::AwaitingAuthorization);
    let snap = flow.snapshot();
    assert_eq!(
        snap.error.as_ref().unwrap().step,
        StepId::RedirectToConsumer
    );
    assert_eq!(
        snap.step(StepId::RedirectToConsumer).status,
        StepStatus::Failed
    );

    // Garbage, then a redirect without a verifier: still step 7, still waiting.
    let c = flow
        .handle(Event::Callback("what is this".into()), &at(4, TOKEN))
        .unwrap();
    assert_eq!(failed(&c).1.kind, "callback_unreadable");
    let c = flow
        .handle(
            Event::Callback(format!("signet://callback?oauth_token={REQUEST_TOKEN}")),
            &at(4, TOKEN),
        )
        .unwrap();
    assert_eq!(failed(&c).1.kind, "callback_missing_verifier");

    let link = format!("signet://callback?oauth_token={REQUEST_TOKEN}&oauth_verifier={VERIFIER}");
    let c = flow.handle(Event::Callback(link), &at(5, TOKEN)).unwrap();
    assert!(
        authorization(send(&c)).ends_with("oauth_signature=\"gKgrFCywp7rO0OXSjdot%2FIHF7IU%3D\"")
    );
    assert_eq!(flow.status(StepId::RedirectToConsumer), StepStatus::Done);
    assert_eq!(flow.snapshot().error, None);
    assert_eq!(
        flow.snapshot().step(StepId::RedirectToConsumer).notes.len(),
        4
    );
}

#[test]
fn transport_failure_of_the_access_token_request_fails_step_8() {
    let mut flow = rfc_flow();
    to_access_request(&mut flow);
    let c = flow
        .handle(
            Event::TransportFailed {
                kind: TransportKind::Connect,
                message: "connection refused".into(),
            },
            &at(3, TOKEN),
        )
        .unwrap();
    let (step, e) = failed(&c);
    assert_eq!(
        (step, e.kind.as_str()),
        (StepId::AccessTokenRequest, "connect_failed")
    );
    assert_eq!(statuses(&flow), [D, D, D, D, D, D, D, F, P, P]);
}

#[test]
fn refusals_and_bad_answers_at_the_access_token_fail_step_9() {
    for (resp, kind) in [
        (
            form(401, "oauth_problem=verifier_invalid"),
            "provider_problem",
        ),
        (form(500, "oops"), "http_status"),
        (form(200, "oauth_token=nnch734d00sl2jdk"), "missing_field"),
        (form(200, "<html>Welcome</html>"), "not_token_response"),
    ] {
        let mut flow = rfc_flow();
        to_access_request(&mut flow);
        let c = flow.handle(Event::Response(resp), &at(3, TOKEN)).unwrap();
        let (step, e) = failed(&c);
        assert_eq!((step, e.kind.as_str()), (StepId::AccessTokenIssued, kind));
        assert_eq!(statuses(&flow), [D, D, D, D, D, D, D, D, F, P]);
        assert_eq!(flow.token_credentials(), None);
    }
}

#[test]
fn resource_failures_fail_step_10() {
    for (event, kind) in [
        (
            Event::Response(form(401, "oauth_problem=token_revoked")),
            "provider_problem",
        ),
        (
            Event::Response(HttpResponse {
                status: 404,
                headers: vec![],
                body: b"not found".to_vec(),
            }),
            "http_status",
        ),
        (
            Event::TransportFailed {
                kind: TransportKind::TooLarge,
                message: "the response is larger than 1 MiB".into(),
            },
            "response_too_large",
        ),
    ] {
        let mut flow = rfc_flow();
        to_resource_request(&mut flow);
        let c = flow.handle(event, &at(4, PHOTOS)).unwrap();
        let (step, e) = failed(&c);
        assert_eq!((step, e.kind.as_str()), (StepId::ResourceAccess, kind));
        assert_eq!(statuses(&flow), [D, D, D, D, D, D, D, D, D, F]);
        // The access token was issued all the same: the engine can store it.
        assert_eq!(flow.token_credentials().unwrap().token, ACCESS_TOKEN);
    }
}

#[test]
fn signing_errors_fail_the_step_that_signs() {
    let mut config = three_legged(rfc_callback());
    config.sign_options.placement = Placement::Body;
    config.resource = Some(ResourceRequest {
        headers: Vec::new(),
        masked_headers: Vec::new(),
        method: "POST".into(),
        url: "https://photos.example.net/photos".into(),
        content_type: Some("application/json".into()),
        body: Some("{}".into()),
    });
    assert_eq!(config.validate()[0].field, "sign_options.placement");
}

// ---- retries ----

#[test]
fn retry_after_steps_3_4_5_asks_for_a_new_request_token_with_a_fresh_nonce() {
    let mut flow = rfc_flow();
    flow.handle(Event::Start, &at(1, INITIATE)).unwrap();
    flow.handle(
        Event::Response(form(401, "oauth_problem=nonce_used")),
        &at(2, INITIATE),
    )
    .unwrap();
    let c = flow
        .handle(Event::Retry, &Inputs::new(3, 137131260, "fresh1"))
        .unwrap();
    let req = send(&c);
    assert_eq!(req.step, StepId::TokenRequest);
    assert!(authorization(req).contains("oauth_nonce=\"fresh1\""));
    assert!(authorization(req).contains("oauth_timestamp=\"137131260\""));
    assert_eq!(statuses(&flow), [D, D, A, P, P, P, P, P, P, P]);
    let snap = flow.snapshot();
    let xs = &snap.step(StepId::TokenRequest).exchanges;
    assert_eq!(xs.iter().map(|x| x.attempt).collect::<Vec<_>>(), [1, 2]);
    assert_ne!(xs[0].trace.signature, xs[1].trace.signature);
    assert_eq!(snap.error, None);
    // ... and the dance goes on from there.
    flow.handle(Event::Response(temporary_ok()), &at(4, INITIATE))
        .unwrap();
    assert_eq!(flow.phase(), Phase::AwaitingAuthorization);
}

#[test]
fn retry_after_a_denial_starts_again_at_step_3() {
    let mut flow = rfc_flow();
    to_authorization(&mut flow);
    flow.handle(
        Event::Callback(format!("{RFC_CALLBACK}?denied={REQUEST_TOKEN}")),
        &at(3, TOKEN),
    )
    .unwrap();
    let c = flow
        .handle(Event::Retry, &Inputs::new(4, 137131300, "again"))
        .unwrap();
    assert_eq!(send(&c).step, StepId::TokenRequest);
    let snap = flow.snapshot();
    assert_eq!(snap.request_token, None);
    assert_eq!(snap.authorization_url, None);
    assert_eq!(
        snap.step(StepId::UserAuthorisation).status,
        StepStatus::Pending
    );
}

#[test]
fn retry_while_waiting_waits_again() {
    let mut flow = Flow::new(three_legged(CallbackConfig::loopback(8765, "/cb"))).unwrap();
    to_authorization(&mut flow);
    flow.handle(
        Event::Callback("http://127.0.0.1:8765/cb?oauth_token=x&oauth_verifier=y".into()),
        &at(3, TOKEN),
    )
    .unwrap();
    let c = flow.handle(Event::Retry, &at(4, TOKEN)).unwrap();
    assert_eq!(
        c,
        [Command::AwaitCallback {
            mode: CallbackMode::Loopback,
            callback_url: "http://127.0.0.1:8765/cb".into()
        }]
    );
    assert_eq!(flow.status(StepId::RedirectToConsumer), StepStatus::Pending);
    assert_eq!(flow.snapshot().error, None);
}

#[test]
fn retry_after_steps_8_and_9_resends_the_access_token_request() {
    let mut flow = rfc_flow();
    to_access_request(&mut flow);
    flow.handle(Event::Response(form(503, "busy")), &at(3, TOKEN))
        .unwrap();
    assert!(
        flow.snapshot()
            .retry
            .unwrap()
            .contains("access-token request")
    );
    let c = flow
        .handle(Event::Retry, &Inputs::new(4, 137131300, "fresh2"))
        .unwrap();
    let req = send(&c);
    assert_eq!(req.step, StepId::AccessTokenRequest);
    assert!(authorization(req).contains("oauth_verifier=\"hfdp7dh39dks9884\""));
    assert!(authorization(req).contains("oauth_nonce=\"fresh2\""));
    assert!(!authorization(req).contains(TOKEN.2));
    let c = flow
        .handle(
            Event::TransportFailed {
                kind: TransportKind::Timeout,
                message: "no answer".into(),
            },
            &at(5, TOKEN),
        )
        .unwrap();
    assert_eq!(failed(&c).0, StepId::AccessTokenRequest);
    let c = flow
        .handle(Event::Retry, &Inputs::new(6, 137131301, "fresh3"))
        .unwrap();
    assert_eq!(send(&c).step, StepId::AccessTokenRequest);
    flow.handle(Event::Response(access_ok()), &at(7, PHOTOS))
        .unwrap();
    assert_eq!(
        flow.snapshot()
            .step(StepId::AccessTokenRequest)
            .exchanges
            .len(),
        3
    );
}

#[test]
fn retry_after_a_dead_request_token_starts_again_at_step_3() {
    let mut flow = rfc_flow();
    to_access_request(&mut flow);
    flow.handle(
        Event::Response(form(401, "oauth_problem=token_expired")),
        &at(3, TOKEN),
    )
    .unwrap();
    assert!(flow.snapshot().retry.unwrap().contains("new request token"));
    let c = flow
        .handle(Event::Retry, &Inputs::new(4, 137131300, "fresh"))
        .unwrap();
    assert_eq!(send(&c).step, StepId::TokenRequest);
}

#[test]
fn retry_after_step_10_resends_the_resource_call() {
    let mut flow = rfc_flow();
    to_resource_request(&mut flow);
    flow.handle(Event::Response(form(500, "down")), &at(4, PHOTOS))
        .unwrap();
    let c = flow
        .handle(Event::Retry, &Inputs::new(5, 137131400, "fresh"))
        .unwrap();
    let req = send(&c);
    assert_eq!(req.step, StepId::ResourceAccess);
    assert!(authorization(req).contains("oauth_token=\"nnch734d00sl2jdk\""));
    assert_eq!(
        flow.handle(Event::Response(photo_ok()), &at(6, PHOTOS))
            .unwrap(),
        [Command::Finished]
    );
}

// ---- cancel and misuse ----

#[test]
fn cancel_skips_what_remains_and_ends_the_flow() {
    let mut flow = rfc_flow();
    to_authorization(&mut flow);
    assert_eq!(
        flow.handle(Event::Cancel, &at(9, TOKEN)).unwrap(),
        [Command::Cancelled]
    );
    assert_eq!(flow.phase(), Phase::Cancelled);
    assert_eq!(statuses(&flow), [D, D, D, D, D, S, S, S, S, S]);
    assert_eq!(
        flow.snapshot().step(StepId::AccessTokenIssued).notes,
        ["skipped: cancelled"]
    );
    let e = flow
        .handle(Event::Callback(redirect()), &at(10, TOKEN))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "callback does not apply while the flow is cancelled: the flow was cancelled; start a new flow to connect again"
    );
    assert_eq!(e.kind(), "unexpected_event");
    assert!(flow.handle(Event::Cancel, &at(10, TOKEN)).is_err());
}

#[test]
fn cancel_after_a_failure_keeps_the_failed_step() {
    let mut flow = rfc_flow();
    flow.handle(Event::Start, &at(1, INITIATE)).unwrap();
    flow.handle(
        Event::Response(form(401, "oauth_problem=signature_invalid")),
        &at(2, INITIATE),
    )
    .unwrap();
    flow.handle(Event::Cancel, &at(3, INITIATE)).unwrap();
    assert_eq!(statuses(&flow), [D, D, D, F, S, S, S, S, S, S]);
}

#[test]
fn events_out_of_place_are_errors_and_change_nothing() {
    let mut flow = rfc_flow();
    let e = flow
        .handle(Event::Response(temporary_ok()), &at(1, INITIATE))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "response does not apply while the flow is ready: press Connect first (start) or cancel"
    );
    assert!(flow.handle(Event::Retry, &at(1, INITIATE)).is_err());
    flow.handle(Event::Start, &at(1, INITIATE)).unwrap();
    let e = flow.handle(Event::Start, &at(1, INITIATE)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "start does not apply while the flow is requesting temporary credentials: a request is in flight (step 3 (Token request)); only its response, a transport failure or cancel apply"
    );
    assert!(
        flow.handle(Event::Callback(redirect()), &at(1, INITIATE))
            .is_err()
    );
    assert!(flow.handle(Event::Retry, &at(1, INITIATE)).is_err());
    assert_eq!(flow.phase(), Phase::RequestingTemporaryCredentials);
    // The request is still in flight, and its answer still counts.
    flow.handle(Event::Response(temporary_ok()), &at(2, INITIATE))
        .unwrap();
    assert!(
        flow.handle(Event::Response(temporary_ok()), &at(2, INITIATE))
            .is_err()
    );
    assert_eq!(flow.phase(), Phase::AwaitingAuthorization);
}

#[test]
fn inputs_that_cannot_sign_are_refused() {
    let mut flow = rfc_flow();
    let e = flow
        .handle(Event::Start, &Inputs::new(1, 137131200, ""))
        .unwrap_err();
    assert_eq!(e.to_string(), "invalid inputs: the nonce is empty");
    assert_eq!(flow.phase(), Phase::Ready);
    assert!(flow.handle(Event::Start, &Inputs::new(1, 0, "n")).is_err());
}

#[test]
fn invalid_configs_do_not_make_a_flow() {
    let mut config = three_legged(CallbackConfig::loopback(0, "/cb"));
    config.consumer_key = String::new();
    let e = Flow::new(config).unwrap_err();
    let FlowError::InvalidConfig(problems) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(
        problems
            .iter()
            .map(|p| p.field.as_str())
            .collect::<Vec<_>>(),
        ["consumer_key", "callback.url"]
    );
    assert_eq!(e.kind(), "invalid_config");
    assert!(e.to_string().starts_with(
        "the connector settings have 2 problem(s): consumer_key: the consumer key is empty"
    ));
}

// ---- the authorize URL ----

#[test]
fn the_authorize_url_carries_the_token_extra_parameters_and_optionally_the_callback() {
    let mut config = three_legged(CallbackConfig::deep_link());
    let ModeConfig::ThreeLegged(t) = &mut config.mode else {
        unreachable!()
    };
    t.authorize_url = "https://trello.com/1/OAuthAuthorizeToken?x=1#frag".into();
    t.authorize_params = vec![
        ("name".into(), "My App".into()),
        ("scope".into(), "read,write".into()),
    ];
    t.callback_on_authorize_url = true;
    let mut flow = Flow::new(config).unwrap();
    flow.handle(Event::Start, &at(1, INITIATE)).unwrap();
    let c = flow
        .handle(Event::Response(temporary_ok()), &at(2, INITIATE))
        .unwrap();
    assert_eq!(
        c[0],
        Command::OpenUrl {
            url: "https://trello.com/1/OAuthAuthorizeToken?x=1&oauth_token=hh5s93j4hdidpola&name=My%20App&scope=read%2Cwrite&oauth_callback=signet%3A%2F%2Fcallback#frag".into()
        }
    );
}

// ---- the snapshot ----

#[test]
fn snapshot_round_trips_through_json() {
    let mut flow = Flow::new(three_legged(CallbackConfig::deep_link())).unwrap();
    to_authorization(&mut flow);
    flow.handle(
        Event::Callback("signet://callback?oauth_token=zzz&oauth_verifier=v".into()),
        &at(3, TOKEN),
    )
    .unwrap();
    flow.observe_clock_skew(-7);
    let snap = flow.snapshot();
    let json = serde_json::to_string_pretty(&snap).unwrap();
    let back: Snapshot = serde_json::from_str(&json).unwrap();
    assert_eq!(back, snap);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["phase"], "awaiting_authorization");
    assert_eq!(v["mode"], "three_legged");
    assert_eq!(v["current_step"], "user_authorisation");
    assert_eq!(v["steps"].as_array().unwrap().len(), 10);
    assert_eq!(v["steps"][6]["status"], "failed");
    assert_eq!(v["steps"][6]["actor"], "provider");
    assert_eq!(v["steps"][6]["error"]["kind"], "callback_token_mismatch");
    assert_eq!(v["waiting_for"]["kind"], "callback");
    assert_eq!(v["clock_skew_seconds"], -7);

    // A finished flow round-trips too.
    let mut flow = rfc_flow();
    to_resource_request(&mut flow);
    flow.handle(Event::Response(photo_ok()), &at(4, PHOTOS))
        .unwrap();
    let snap = flow.snapshot();
    let back: Snapshot = serde_json::from_str(&serde_json::to_string(&snap).unwrap()).unwrap();
    assert_eq!(back, snap);
}

#[track_caller]
fn assert_secret_free(text: &str, secrets: &[&str]) {
    for s in secrets {
        assert!(!text.contains(s), "{s} leaked into: {text}");
    }
}

#[test]
fn snapshots_never_hold_secrets_even_with_plaintext_signatures() {
    for method in [SignatureMethod::HmacSha1, SignatureMethod::Plaintext] {
        for placement in Placement::ALL {
            let mut config = three_legged(rfc_callback());
            config.signature_method = method;
            config.sign_options.placement = placement;
            config.resource = Some(ResourceRequest::get(
                "https://photos.example.net/photos?file=vacation.jpg",
            ));
            let mut flow = Flow::new(config).unwrap();
            to_resource_request(&mut flow);
            // Echoing providers: the resource answer quotes a secret.
            let echo = form(200, &format!("oauth_token_secret={ACCESS_SECRET}&ok=1"));
            flow.handle(Event::Response(echo), &at(5, PHOTOS)).unwrap();
            assert_eq!(flow.phase(), Phase::Finished);
            let json = serde_json::to_string(&flow.snapshot()).unwrap();
            assert_secret_free(&json, &[CONSUMER_SECRET, REQUEST_SECRET, ACCESS_SECRET]);
            assert!(json.contains("<redacted>"));
            assert_secret_free(
                &format!("{flow:?}"),
                &[CONSUMER_SECRET, REQUEST_SECRET, ACCESS_SECRET],
            );
        }
    }
    // The token response bodies in the exchanges are redacted too.
    let mut flow = rfc_flow();
    to_resource_request(&mut flow);
    let snap = flow.snapshot();
    let body = &snap.step(StepId::TokenRequest).exchanges[0]
        .response
        .as_ref()
        .unwrap()
        .body;
    assert_eq!(
        body,
        "oauth_token=hh5s93j4hdidpola&oauth_token_secret=<redacted>&oauth_callback_confirmed=true"
    );
}

#[test]
fn outgoing_requests_keep_secrets_out_of_debug() {
    let mut config = three_legged(rfc_callback());
    config.signature_method = SignatureMethod::Plaintext;
    config.resource = None;
    let mut flow = Flow::new(config).unwrap();
    let c = flow.handle(Event::Start, &at(1, INITIATE)).unwrap();
    assert!(authorization(send(&c)).contains("kd94hf93k423kf44%26"));
    assert_secret_free(&format!("{c:?}"), &[CONSUMER_SECRET]);
}

#[test]
fn a_known_clock_skew_is_added_to_timestamp_refusals() {
    let mut flow = rfc_flow();
    flow.observe_clock_skew(3600);
    flow.handle(Event::Start, &at(1, INITIATE)).unwrap();
    let c = flow
        .handle(
            Event::Response(form(401, "oauth_problem=timestamp_refused")),
            &at(2, INITIATE),
        )
        .unwrap();
    let (_, e) = failed(&c);
    assert!(
        e.hint
            .as_deref()
            .unwrap()
            .ends_with("(the provider's clock is 3600 seconds ahead of this computer's)"),
        "{e:?}"
    );
}

#[test]
fn the_steps_table_is_complete() {
    assert_eq!(STEPS.len(), 10);
    assert_eq!(STEPS[5].title, "User authorisation");
    assert_eq!(STEPS[5].actor, Actor::User);
    assert_eq!(STEPS[3].actor, Actor::Provider);
    assert_eq!(STEPS[2].actor, Actor::Signet);
    assert!(STEPS.iter().all(|s| !s.explanation.is_empty()));
}
/// A 2048-bit key made for these tests only.
const TEST_RSA_KEY: &str = "-----BEGIN RSA PRIVATE KEY-----
MIIEpAIBAAKCAQEArGVmbjvkDerZnEaX08cQpqGN4h5gBTIRllBgVf6P+4YhsaMo
FzgXRgyaApuaV11/zl5V8jXrTUd+wPkQKF88GWFHvffNyw5nAN/OskQ1ZmMNwnz7
aKeY01Yr/u/mX20hHXA4uE/dBOEFqllrrnkAHugbrxqghgiKfcFJ4Ga3JzHqdZy8
uOkv4NsmDttpEWPpF6UktOaMtmeXuZAO3kNT3d/KZZ1fMNX7Is2gVLWO1eRdZIoL
62sYBLNHMdxdXoioedGc35lYqtNleK0OBxwZLHtS32YhC70pX+yA5vsULTUgtf/4
v3CbD8t+X+O5xGXmaCJRrXnhAB4Cryianu/HCQIDAQABAoIBAB3hHkF9Vl+2JFzC
XHa7Yg6rYgK+poBIBwXRLP1Cl3Rt8UGPSHfLxDbjIL9Sdkvtm+Tp80X9Y+i7O0QZ
dtw0c19nva42eJ/YwXAEmlfJ3CKAiQY8MLvZDnMUlKAFNt2ztaFbTa1eRC2gDaIS
iQgOlz+EFaZB/G/2o4A7w8DltJlRc9xOnAI56irp2ayEm+Pj6l3APWcddj2GdDJP
zQ0303oOlY7BEnEDZjOBL2faV05hE4MJPBE6zMoYTWnetgG6uLA3om9i6BkH8KRd
7pHXFrnWXxKZDkgGBIsOrAUY/m2tsKpH4qW12tjOuBeWiHmRpwh9P534V+LWL1px
254nVf0CgYEA1zv1PmLpz4w7H2l3cpRY5PWW/xD4ivMBAjlfILufqTzwikFAsUNS
fgwGCg2fJh2+yx4ZGyHLxDa2f0b3/t6tVTumRIOC+HmcN09x0Tfrv0qFj6Cllufn
ONJkjHkFU7h7DRaxFEY3cOVfaP+uNjC7xrEUan+MgD5IlUFGaqUtSHUCgYEAzQxa
rBupFPUGg57akzz0srNadjolf3kieFeeIlC1iNYFToZUmGE8q51VC/8vzjIpr91X
pTPeN+ZTeNLBzJG5VxY/bx9P/PLtGFOONiM+yPYZ0zPXSdrloUk+Hp0v+MBQy5wB
WPf8iuwH3zX4eB6m0G4N09CJn62nvUE7S11CUcUCgYEAyRAjy4HPdalEWdXGVe0r
FcgupFwQMo1Lde5uZT+gqRJaimzmqDGB0GofAikzcQH8h/a38Vai6ctKtJ9xcFBI
kATHD93i7Yd9XVYDtzSMMAjHuCKUTeKZZ8VzVJ6BUXJW0SVPiucFR5ueg5HGBq2D
3NrzfYFlmS+V0ohF5b4kDTkCgYEAs3SFgq1urH3JprYHm+c0TZW0rVY0bT0KEwKz
zlqOlmShHllofjhTzeqTfT1ojHDQlS8FvvsHGCtHkK37mNtMt1AsUke4TKwbHzg5
dV4hW+YvMe3kFKo0YJTmfgqZ6n39+ETf1QqshrUOKqdkf1RsMGyxQ1j2qb5k2LjX
eRz0pvUCgYAqUknrNEyabjY5LDAtggmAd3BYfAN06IId/gZxESpPBSdE6hkPk/Iy
slF3FmTfgMsMWzoWTPOyicG/vKfiNnS/wQbXTBMuLBbx9pjRJN3qWclvxYhV+h53
Z5Ga8ycbT2a9aVZ4LJUjXAGJUUJyCB1Jy4V5BBDEAEEXoIWAiTIFXw==
-----END RSA PRIVATE KEY-----";

#[test]
fn token_requests_carry_the_extras_and_the_resource_its_headers() {
    let mut config = three_legged(rfc_callback());
    config.extras = RequestExtras {
        query: vec![("scope".into(), "read write".into())],
        headers: vec![
            ("User-Agent".into(), "Signet-test/1".into()),
            ("X-Api-Key".into(), "k3y".into()),
        ],
        form: vec![("x_auth_mode".into(), "client".into())],
        masked_headers: vec!["x-api-key".into()],
    };
    config.resource = Some(ResourceRequest {
        headers: vec![("X-Tenant".into(), "acme".into())],
        ..ResourceRequest::get(RESOURCE)
    });
    let mut flow = Flow::new(config).unwrap();
    let c = flow.handle(Event::Start, &at(1_000, INITIATE)).unwrap();
    let req = send(&c);
    assert_eq!(
        req.url,
        "https://photos.example.net/initiate?scope=read%20write"
    );
    assert_eq!(
        req.content_type.as_deref(),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(req.body.as_deref(), Some(&b"x_auth_mode=client"[..]));
    assert_eq!(
        req.headers[0],
        ("User-Agent".into(), "Signet-test/1".into())
    );
    assert_eq!(req.headers[1], ("X-Api-Key".into(), "k3y".into()));
    assert!(authorization(req).starts_with("OAuth "));
    // Both the URL parameter and the form field are signed; the headers are not.
    let snap = flow.snapshot();
    let step3 = &snap.steps[2].exchanges[0];
    assert!(step3.trace.base_string.contains("scope%3Dread%2520write"));
    assert!(step3.trace.base_string.contains("x_auth_mode%3Dclient"));
    assert!(!step3.trace.base_string.contains("Signet-test"));
    // The secret header is recorded masked, the rest as sent.
    assert_eq!(
        step3.request.headers[..2],
        [
            ("User-Agent".to_owned(), "Signet-test/1".to_owned()),
            ("X-Api-Key".to_owned(), "<redacted>".to_owned())
        ]
    );
    // Step 8 carries them too, with the verifier.
    flow.handle(Event::Response(temporary_ok()), &at(1_100, INITIATE))
        .unwrap();
    let c = flow
        .handle(Event::Callback(redirect()), &at(1_200, TOKEN))
        .unwrap();
    let req = send(&c);
    assert_eq!(
        req.url,
        "https://photos.example.net/token?scope=read%20write"
    );
    assert_eq!(req.body.as_deref(), Some(&b"x_auth_mode=client"[..]));
    // Step 10 sends the resource's own headers, not the token requests' extras.
    let c = flow
        .handle(Event::Response(access_ok()), &at(1_300, PHOTOS))
        .unwrap();
    let req = send(&c);
    assert_eq!(req.headers[0], ("X-Tenant".into(), "acme".into()));
    assert!(!req.headers.iter().any(|(k, _)| k == "X-Api-Key"));
}

#[test]
fn a_get_token_request_puts_the_form_extras_on_the_url() {
    let mut config = three_legged(rfc_callback());
    let ModeConfig::ThreeLegged(t) = &mut config.mode else {
        unreachable!()
    };
    t.request_token.method = "GET".into();
    config.extras.form = vec![("x_auth_mode".into(), "client".into())];
    config.extras.query = vec![("oauth_foo".into(), "x".into())];
    let fields: Vec<String> = config.validate().into_iter().map(|p| p.field).collect();
    assert_eq!(fields, ["extras.query"]);
    config.extras.query.clear();
    let mut flow = Flow::new(config).unwrap();
    let c = flow.handle(Event::Start, &at(1_000, INITIATE)).unwrap();
    let req = send(&c);
    assert_eq!(
        req.url,
        "https://photos.example.net/initiate?x_auth_mode=client"
    );
    assert_eq!(req.body, None);
}
