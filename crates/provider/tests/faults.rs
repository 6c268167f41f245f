//! Each fault switch is observable from the client's side, through the library and through the
//! admin endpoint.

mod common;

use std::time::{Duration, Instant};

use common::*;
use signet_oauth1::callback::CallbackError;
use signet_oauth1::{Callback, Placement, ResponseError, SignatureMethod};
use signet_provider::{Faults, ProviderConfig, approve, start};

const SHA1: SignatureMethod = SignatureMethod::HmacSha1;
const HEADER: Placement = Placement::Header;

fn date_secs(resp: &Resp) -> i64 {
    httpdate::parse_http_date(resp.date.as_deref().unwrap())
        .unwrap()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[tokio::test]
async fn clock_skew_moves_the_date_header_and_the_window() {
    let p = provider().await;
    p.set_faults(Faults {
        clock_skew_secs: 3600,
        ..Faults::default()
    });
    let resp = send(&Spec::new("POST", p.request_token_url()).callback("oob")).await;
    resp.assert_problem(401, "timestamp_refused");
    assert!((date_secs(&resp) - (now() + 3600)).abs() <= 2);
    // A client that corrects by the Date header's offset gets through.
    let ok = send(
        &Spec::new("POST", p.request_token_url())
            .callback("oob")
            .timestamp(now() + 3600),
    )
    .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
}

#[tokio::test]
async fn reject_signatures_refuses_good_signatures() {
    let p = start(ProviderConfig::demo().with_faults(Faults {
        reject_signatures: true,
        ..Faults::default()
    }))
    .await
    .unwrap();
    send(&Spec::new("POST", p.request_token_url()).callback("oob"))
        .await
        .assert_problem(401, "signature_invalid");
    p.set_faults(Faults::default());
    assert_eq!(
        send(&Spec::new("POST", p.request_token_url()).callback("oob"))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn slow_ms_delays_responses() {
    let p = provider().await;
    p.set_faults(Faults {
        slow_ms: 300,
        ..Faults::default()
    });
    let t = Instant::now();
    let resp = send(&Spec::new("POST", p.request_token_url()).callback("oob")).await;
    assert_eq!(resp.status, 200);
    assert!(t.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn server_error_answers_500_without_a_token_response() {
    let p = provider().await;
    p.set_faults(Faults {
        server_error: true,
        ..Faults::default()
    });
    let resp = send(&Spec::new("POST", p.request_token_url()).callback("oob")).await;
    assert_eq!(resp.status, 500);
    assert!(matches!(
        resp.token_response(),
        Err(ResponseError::HttpStatus { status: 500, .. })
    ));
}

#[tokio::test]
async fn html_error_answers_a_web_page() {
    let p = provider().await;
    p.set_faults(Faults {
        html_error: true,
        ..Faults::default()
    });
    let resp = send(&Spec::new("POST", p.request_token_url()).callback("oob")).await;
    assert_eq!(resp.status, 200);
    assert!(
        resp.content_type
            .as_deref()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(matches!(
        resp.token_response(),
        Err(ResponseError::NotTokenResponse { .. })
    ));
}

#[tokio::test]
async fn omit_callback_confirmed_leaves_it_out() {
    let p = provider().await;
    p.set_faults(Faults {
        omit_callback_confirmed: true,
        ..Faults::default()
    });
    let temp = request_token(&p, SHA1, HEADER, "oob").await;
    assert_eq!(temp.callback_confirmed, None);
}

#[tokio::test]
async fn wrong_token_in_redirect_fails_the_callback_check() {
    let p = provider().await;
    p.set_faults(Faults {
        wrong_token_in_redirect: true,
        ..Faults::default()
    });
    let temp = request_token(&p, SHA1, HEADER, "signet://callback").await;
    let outcome = approve(
        &authorize_link(&p, &temp.token),
        "alice",
        "wonderland",
        true,
    )
    .await
    .unwrap();
    let err = Callback::parse(&outcome.redirect.unwrap())
        .unwrap()
        .check(&temp.token, false)
        .unwrap_err();
    assert!(matches!(err, CallbackError::TokenMismatch { .. }), "{err}");
}

#[tokio::test]
async fn deny_overrides_the_users_allow() {
    let p = provider().await;
    p.set_faults(Faults {
        deny: true,
        ..Faults::default()
    });
    let temp = request_token(&p, SHA1, HEADER, "signet://callback").await;
    let outcome = approve(
        &authorize_link(&p, &temp.token),
        "alice",
        "wonderland",
        true,
    )
    .await
    .unwrap();
    assert!(outcome.denied);
    let err = Callback::parse(&outcome.redirect.unwrap())
        .unwrap()
        .check(&temp.token, false)
        .unwrap_err();
    assert!(matches!(err, CallbackError::Denied));
}

#[tokio::test]
async fn admin_endpoint_reads_and_writes_the_switches() {
    let p = provider().await;
    let c = client();
    let got: Faults = c
        .get(p.faults_url())
        .send()
        .await
        .unwrap()
        .json_body()
        .await;
    assert_eq!(got, Faults::default());
    let put = c
        .put(p.faults_url())
        .header("content-type", "application/json")
        .body(r#"{"deny": true, "slow_ms": 5}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 200);
    let want = Faults {
        deny: true,
        slow_ms: 5,
        ..Faults::default()
    };
    assert_eq!(p.faults(), want);
    let got: Faults = c
        .get(p.faults_url())
        .send()
        .await
        .unwrap()
        .json_body()
        .await;
    assert_eq!(got, want);

    // PATCH changes only the named switches; unknown names are refused.
    let patched: Faults = c
        .patch(p.faults_url())
        .header("content-type", "application/json")
        .body(r#"{"html_error": true}"#)
        .send()
        .await
        .unwrap()
        .json_body()
        .await;
    assert_eq!(
        patched,
        Faults {
            html_error: true,
            ..want
        }
    );
    let bad = c
        .patch(p.faults_url())
        .header("content-type", "application/json")
        .body(r#"{"explode": true}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
}

trait JsonBody {
    async fn json_body<T: serde::de::DeserializeOwned>(self) -> T;
}

impl JsonBody for reqwest::Response {
    async fn json_body<T: serde::de::DeserializeOwned>(self) -> T {
        serde_json::from_str(&self.text().await.unwrap()).unwrap()
    }
}

// ---- the lax switches: each lets through exactly what a strict provider refuses ----

fn lax(faults: Faults) -> ProviderConfig {
    ProviderConfig::demo().with_faults(faults)
}

#[tokio::test]
async fn accept_any_signature_takes_a_wrong_signature_and_still_checks_the_rest() {
    let p = start(lax(Faults {
        accept_any_signature: true,
        ..Faults::default()
    }))
    .await
    .unwrap();
    let forged = Spec::new("POST", p.request_token_url())
        .callback("oob")
        .consumer(signet_provider::demo::CONSUMER_KEY, "not-the-secret");
    let resp = send(&forged).await;
    assert_eq!(resp.status, 200, "{}", resp.body);
    // What it does not switch off: the consumer key, the timestamp, the nonce.
    send(
        &Spec::new("POST", p.request_token_url())
            .callback("oob")
            .consumer("nobody", "x"),
    )
    .await
    .assert_problem(401, "consumer_key_unknown");
    send(
        &Spec::new("POST", p.request_token_url())
            .callback("oob")
            .timestamp(now() - 3600),
    )
    .await
    .assert_problem(401, "timestamp_refused");
    let once = Spec::new("POST", p.request_token_url())
        .callback("oob")
        .nonce("lax-signature-once");
    assert_eq!(send(&once).await.status, 200);
    send(&once).await.assert_problem(401, "nonce_used");
    // Strict again once it is off.
    p.set_faults(Faults::default());
    send(&forged).await.assert_problem(401, "signature_invalid");
}

#[tokio::test]
async fn accept_replayed_nonces_lets_the_same_request_through_twice() {
    let p = start(lax(Faults {
        accept_replayed_nonces: true,
        ..Faults::default()
    }))
    .await
    .unwrap();
    let spec = Spec::new("POST", p.request_token_url())
        .callback("oob")
        .nonce("replayed");
    assert_eq!(send(&spec).await.status, 200);
    assert_eq!(send(&spec).await.status, 200);
    p.set_faults(Faults::default());
    let strict = Spec::new("POST", p.request_token_url())
        .callback("oob")
        .nonce("strict-once");
    assert_eq!(send(&strict).await.status, 200);
    send(&strict).await.assert_problem(401, "nonce_used");
}

#[tokio::test]
async fn ignore_timestamps_takes_an_hour_old_and_an_hour_ahead() {
    let p = start(lax(Faults {
        ignore_timestamps: true,
        ..Faults::default()
    }))
    .await
    .unwrap();
    for skew in [-3600, 3600] {
        let resp = send(
            &Spec::new("POST", p.request_token_url())
                .callback("oob")
                .timestamp(now() + skew),
        )
        .await;
        assert_eq!(resp.status, 200, "{skew}: {}", resp.body);
    }
    p.set_faults(Faults::default());
    send(
        &Spec::new("POST", p.request_token_url())
            .callback("oob")
            .timestamp(now() + 3600),
    )
    .await
    .assert_problem(401, "timestamp_refused");
}

#[tokio::test]
async fn allow_token_reuse_exchanges_a_request_token_twice_but_still_checks_the_verifier() {
    use signet_oauth1::Placement::Header;
    use signet_oauth1::SignatureMethod::HmacSha1;
    let p = start(lax(Faults {
        allow_token_reuse: true,
        ..Faults::default()
    }))
    .await
    .unwrap();
    let temp = request_token(&p, HmacSha1, Header, "signet://callback").await;
    let verifier = allow(&p, &temp).await;
    let first = access_token(&p, HmacSha1, Header, &temp, &verifier).await;
    let second = access_token(&p, HmacSha1, Header, &temp, &verifier).await;
    assert_eq!((first.status, second.status), (200, 200), "{}", second.body);
    assert_ne!(first.field("oauth_token"), second.field("oauth_token"));
    access_token(&p, HmacSha1, Header, &temp, "00000000")
        .await
        .assert_problem(401, "verifier_invalid");
    // Strict again: the token the lax provider never retired works one last time.
    p.set_faults(Faults::default());
    let last = access_token(&p, HmacSha1, Header, &temp, &verifier).await;
    assert_eq!(last.status, 200, "{}", last.body);
    access_token(&p, HmacSha1, Header, &temp, &verifier)
        .await
        .assert_problem(401, "token_used");
}
