//! The provider refuses what a strict real provider refuses, with the right status and
//! `oauth_problem`.

mod common;

use std::time::Duration;

use common::*;
use signet_oauth1::response::parse_problem;
use signet_oauth1::{Placement, SignatureMethod};
use signet_provider::{ProviderConfig, approve, demo, start};

const SHA1: SignatureMethod = SignatureMethod::HmacSha1;
const HEADER: Placement = Placement::Header;

#[tokio::test]
async fn wrong_consumer_secret_is_signature_invalid() {
    let p = provider().await;
    let resp = send(
        &Spec::new("POST", p.request_token_url())
            .callback("oob")
            .consumer(demo::CONSUMER_KEY, "not-the-secret"),
    )
    .await;
    resp.assert_problem(401, "signature_invalid");
    assert!(
        resp.www_authenticate
            .as_deref()
            .unwrap()
            .starts_with("OAuth realm=")
    );
    // The provider's base string comes back to compare with.
    assert!(
        resp.field("debug_base_string")
            .unwrap()
            .starts_with("POST&http%3A%2F%2F127.0.0.1")
    );
}

#[tokio::test]
async fn wrong_rsa_key_is_signature_invalid() {
    let cfg = ProviderConfig::demo().with_consumer(
        signet_provider::Consumer::rsa("other-rsa", "Other", OTHER_PUBLIC_KEY).unwrap(),
    );
    let p = start(cfg).await.unwrap();
    let mut spec = Spec::new("POST", p.request_token_url())
        .sig(SignatureMethod::RsaSha256)
        .callback("oob");
    spec.consumer_key = Some("other-rsa".into());
    send(&spec).await.assert_problem(401, "signature_invalid");
}

#[tokio::test]
async fn replayed_nonce_is_nonce_used() {
    let p = provider().await;
    let spec = Spec::new("POST", p.request_token_url())
        .callback("oob")
        .nonce("only-once");
    assert_eq!(send(&spec).await.status, 200);
    send(&spec).await.assert_problem(401, "nonce_used");
    // A forged request does not burn a nonce.
    let forged = Spec::new("POST", p.request_token_url())
        .callback("oob")
        .nonce("not-burnt")
        .consumer(demo::CONSUMER_KEY, "wrong");
    send(&forged).await.assert_problem(401, "signature_invalid");
    let honest = Spec::new("POST", p.request_token_url())
        .callback("oob")
        .nonce("not-burnt");
    assert_eq!(send(&honest).await.status, 200);
}

#[tokio::test]
async fn old_timestamp_is_timestamp_refused() {
    let p = provider().await;
    let resp = send(
        &Spec::new("POST", p.request_token_url())
            .callback("oob")
            .timestamp(now() - 3600),
    )
    .await;
    resp.assert_problem(401, "timestamp_refused");
    let problem = parse_problem(
        resp.status,
        resp.content_type.as_deref(),
        resp.body.as_bytes(),
    )
    .unwrap();
    let (lo, hi) = problem
        .acceptable_timestamps
        .as_deref()
        .unwrap()
        .split_once('-')
        .unwrap();
    let (lo, hi): (i64, i64) = (lo.parse().unwrap(), hi.parse().unwrap());
    assert_eq!(hi - lo, 600);
    assert!((lo..=hi).contains(&now()));
    // Inside the window is fine, either side.
    for skew in [-290, 290] {
        let ok = send(
            &Spec::new("POST", p.request_token_url())
                .callback("oob")
                .timestamp(now() + skew),
        )
        .await;
        assert_eq!(ok.status, 200, "{skew}: {}", ok.body);
    }
}

#[tokio::test]
async fn absurd_timestamps_are_refused_not_crashed_on() {
    let p = provider().await;
    for ts in [i64::MIN, i64::MAX, 0] {
        send(
            &Spec::new("POST", p.request_token_url())
                .callback("oob")
                .timestamp(ts),
        )
        .await
        .assert_problem(401, "timestamp_refused");
    }
    p.set_faults(signet_provider::Faults {
        clock_skew_secs: i64::MIN,
        ..Default::default()
    });
    let resp = send(&Spec::new("POST", p.request_token_url()).callback("oob")).await;
    resp.assert_problem(401, "timestamp_refused");
    assert!(resp.date.is_some());
}

#[tokio::test]
async fn unknown_consumer_is_consumer_key_unknown() {
    let p = provider().await;
    send(
        &Spec::new("POST", p.request_token_url())
            .callback("oob")
            .consumer("nobody", "x"),
    )
    .await
    .assert_problem(401, "consumer_key_unknown");
}

#[tokio::test]
async fn methods_must_suit_the_registered_key() {
    let p = provider().await;
    // The RSA consumer may not use a shared-secret method...
    let resp = send(
        &Spec::new("POST", p.request_token_url())
            .callback("oob")
            .consumer(demo::RSA_CONSUMER_KEY, "guess"),
    )
    .await;
    resp.assert_problem(400, "signature_method_rejected");
    assert_eq!(
        resp.field("oauth_acceptable_signature_methods").as_deref(),
        Some("RSA-SHA1, RSA-SHA256, RSA-SHA512")
    );
    // ...and the shared-secret consumer may not use RSA.
    let mut spec = Spec::new("POST", p.request_token_url())
        .sig(SignatureMethod::RsaSha1)
        .callback("oob");
    spec.consumer_key = Some(demo::CONSUMER_KEY.into());
    send(&spec)
        .await
        .assert_problem(400, "signature_method_rejected");
}

#[tokio::test]
async fn missing_callback_is_parameter_absent() {
    let p = provider().await;
    let resp = send(&Spec::new("POST", p.request_token_url())).await;
    resp.assert_problem(400, "parameter_absent");
    assert_eq!(
        resp.field("oauth_parameters_absent").as_deref(),
        Some("oauth_callback")
    );
}

#[tokio::test]
async fn unregistered_callback_is_parameter_rejected() {
    let p = provider().await;
    for cb in [
        "https://evil.example/steal",
        "http://127.0.0.1.evil.example/cb",
        "signet://callbackx",
    ] {
        let resp = send(&Spec::new("POST", p.request_token_url()).callback(cb)).await;
        resp.assert_problem(400, "parameter_rejected");
        assert_eq!(
            resp.field("oauth_parameters_rejected").as_deref(),
            Some("oauth_callback")
        );
    }
}

#[tokio::test]
async fn unsigned_request_is_parameter_absent() {
    let p = provider().await;
    let resp = into_resp(client().post(p.request_token_url()).send().await.unwrap()).await;
    resp.assert_problem(400, "parameter_absent");
    assert!(
        resp.field("oauth_parameters_absent")
            .unwrap()
            .contains("oauth_signature")
    );
}

#[tokio::test]
async fn request_token_and_verifier_are_single_use() {
    let p = provider().await;
    let temp = request_token(&p, SHA1, HEADER, "signet://callback").await;
    let verifier = allow(&p, &temp).await;
    assert_eq!(
        access_token(&p, SHA1, HEADER, &temp, &verifier)
            .await
            .status,
        200
    );
    // A second exchange (fresh nonce) is refused.
    access_token(&p, SHA1, HEADER, &temp, &verifier)
        .await
        .assert_problem(401, "token_used");
    // And the consent page will not decide again.
    let again = approve(
        &authorize_link(&p, &temp.token),
        "alice",
        "wonderland",
        true,
    )
    .await;
    assert_eq!(again.unwrap_err().kind(), "approve_refused");
}

#[tokio::test]
async fn wrong_or_missing_verifier_is_refused_then_the_right_one_works() {
    let p = provider().await;
    let temp = request_token(&p, SHA1, HEADER, "oob").await;
    let pin = allow(&p, &temp).await;
    access_token(&p, SHA1, HEADER, &temp, "00000000")
        .await
        .assert_problem(401, "verifier_invalid");
    let resp = send(
        &Spec::new("POST", p.access_token_url()).token(&temp.token, temp.token_secret.expose()),
    )
    .await;
    resp.assert_problem(400, "parameter_absent");
    assert_eq!(
        resp.field("oauth_parameters_absent").as_deref(),
        Some("oauth_verifier")
    );
    assert_eq!(
        access_token(&p, SHA1, HEADER, &temp, &pin).await.status,
        200
    );
}

#[tokio::test]
async fn exchange_before_consent_is_permission_unknown() {
    let p = provider().await;
    let temp = request_token(&p, SHA1, HEADER, "oob").await;
    access_token(&p, SHA1, HEADER, &temp, "12345678")
        .await
        .assert_problem(401, "permission_unknown");
}

#[tokio::test]
async fn denied_consent_redirects_with_denied_and_refuses_the_exchange() {
    let p = provider().await;
    let temp = request_token(&p, SHA1, HEADER, "http://localhost:9999/cb").await;
    let outcome = approve(&authorize_link(&p, &temp.token), "bob", "builder", false)
        .await
        .unwrap();
    assert!(outcome.denied);
    assert_eq!(
        outcome.redirect.as_deref(),
        Some(format!("http://localhost:9999/cb?denied={}", temp.token).as_str())
    );
    access_token(&p, SHA1, HEADER, &temp, "x")
        .await
        .assert_problem(401, "permission_denied");

    // Out of band, the user sees a "you denied" page.
    let temp = request_token(&p, SHA1, HEADER, "oob").await;
    let outcome = approve(&authorize_link(&p, &temp.token), "bob", "builder", false)
        .await
        .unwrap();
    assert!(outcome.denied && outcome.redirect.is_none() && outcome.pin.is_none());
}

#[tokio::test]
async fn tokens_must_be_of_the_right_kind_and_known() {
    let p = provider().await;
    let temp = request_token(&p, SHA1, HEADER, "oob").await;
    // A request token on a protected resource.
    send(&Spec::new("GET", p.me_url()).token(&temp.token, temp.token_secret.expose()))
        .await
        .assert_problem(401, "token_rejected");
    // An unknown token.
    send(&Spec::new("GET", p.me_url()).token("made-up", "x"))
        .await
        .assert_problem(401, "token_rejected");
    // No token at all.
    let resp = send(&Spec::new("GET", p.me_url())).await;
    resp.assert_problem(400, "parameter_absent");
    assert_eq!(
        resp.field("oauth_parameters_absent").as_deref(),
        Some("oauth_token")
    );
    // An access token where the request token belongs.
    let pin = allow(&p, &temp).await;
    let creds = access_token(&p, SHA1, HEADER, &temp, &pin)
        .await
        .token_response()
        .unwrap();
    send(
        &Spec::new("POST", p.access_token_url())
            .token(&creds.token, creds.token_secret.expose())
            .verifier(&pin),
    )
    .await
    .assert_problem(401, "token_rejected");
    // The right token signed with the wrong token secret.
    send(&Spec::new("GET", p.me_url()).token(&creds.token, "wrong"))
        .await
        .assert_problem(401, "signature_invalid");
}

#[tokio::test]
async fn request_tokens_expire() {
    let cfg = ProviderConfig::demo().with_request_token_ttl(Duration::ZERO);
    let p = start(cfg).await.unwrap();
    let temp = request_token(&p, SHA1, HEADER, "oob").await;
    tokio::time::sleep(Duration::from_millis(5)).await;
    access_token(&p, SHA1, HEADER, &temp, "x")
        .await
        .assert_problem(401, "token_expired");
    let page = approve(
        &authorize_link(&p, &temp.token),
        "alice",
        "wonderland",
        true,
    )
    .await;
    assert_eq!(page.unwrap_err().kind(), "approve_refused");
}

#[tokio::test]
async fn wrong_password_is_refused_on_the_consent_page() {
    let p = provider().await;
    let temp = request_token(&p, SHA1, HEADER, "oob").await;
    let err = approve(&authorize_link(&p, &temp.token), "alice", "nope", true)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the consent page answered http 401: Wrong username or password."
    );
    // The token is still pending: the right password works.
    assert!(allow(&p, &temp).await.len() == 8);
}

#[tokio::test]
async fn interactive_sign_in_then_consent_redirects_to_the_callback() {
    let p = provider().await;
    let temp = request_token(&p, SHA1, HEADER, "signet://callback?x=1").await;
    let c = client();
    let page = into_resp(c.get(authorize_link(&p, &temp.token)).send().await.unwrap()).await;
    assert_eq!(page.status, 200);
    assert!(
        page.content_type
            .as_deref()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(page.body.contains("name=\"password\""));
    let csp = c
        .get(authorize_link(&p, &temp.token))
        .send()
        .await
        .unwrap()
        .headers()
        .get("content-security-policy")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("default-src 'none'"), "{csp}");

    let consent = into_resp(
        c.post(p.authorize_url())
            .form(&[
                ("oauth_token", temp.token.as_str()),
                ("username", "alice"),
                ("password", "wonderland"),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(consent.status, 200);
    assert!(
        consent
            .body
            .contains("Allow Signet Demo to use your account?")
    );
    assert!(consent.body.contains("id=\"allow\"") && consent.body.contains("id=\"deny\""));
    let ticket = consent
        .body
        .split("name=\"ticket\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();

    // A made-up ticket does not decide.
    let forged = c
        .post(p.authorize_url())
        .form(&[
            ("oauth_token", temp.token.as_str()),
            ("ticket", "forged"),
            ("decision", "allow"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);

    let done = into_resp(
        c.post(p.authorize_url())
            .form(&[
                ("oauth_token", temp.token.as_str()),
                ("ticket", ticket.as_str()),
                ("decision", "allow"),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(done.status, 302);
    let location = done.location.unwrap();
    let prefix = format!(
        "signet://callback?x=1&oauth_token={}&oauth_verifier=",
        temp.token
    );
    assert!(location.starts_with(&prefix), "{location}");
}

#[tokio::test]
async fn authorize_page_refuses_unknown_tokens() {
    let p = provider().await;
    let resp = into_resp(
        client()
            .get(authorize_link(&p, "nope"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(resp.status, 400);
    assert!(resp.body.contains("Unknown request token"));
}

#[tokio::test]
async fn every_response_carries_a_date() {
    let p = provider().await;
    let resp = send(&Spec::new("POST", p.request_token_url())).await;
    let date = httpdate::parse_http_date(resp.date.as_deref().unwrap()).unwrap();
    let secs = date
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!((secs - now()).abs() <= 2);
}

/// A second throwaway key (not the demo one), so signatures from the demo key fail.
const OTHER_PUBLIC_KEY: &str = "-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA6pBRalzto36obmq6u4Nw
DlCdfNeDTKkwwZ2+J8cVIMqAnlhYjrmzWSAf2oAXIJqltbdkekM8R53SoLYke71o
ybU8tY1jK/cj8WjNZ+1UFpbWbJlUpwbrYq1PWGvxm6Z5tMJUBaQNrhvODUrM5JB6
djUaB40YJuucoNjh5w1LKKODj9lkaI0ltGu+GuyoggPEYVp5dVlHdPeEJwoO+i/8
hvCdb/zOUlzPSlWVaWOSq1k5bMDlzE7hi2olB5Iuwnf2MogmjzyLilYP7AdY+luI
XBPj7mlnCLRfFCjBgMNBGX8knCDJyxNUuIFzJ9VjqWCyFMKRuIHYHb2Jac7d13/+
HQIDAQAB
-----END PUBLIC KEY-----";

/// Issue 18: a profile that reads the callback from the authorize URL (Garmin's) sent the user
/// to any https address given there. It must be one registered for the consumer, compared part
/// by part; user info cannot hide another host.
#[tokio::test]
async fn a_callback_on_the_authorize_url_must_be_registered() {
    let profile =
        signet_provider::QuirkProfile::for_preset("garmin", &signet_presets::Inputs::new())
            .expect("the garmin profile");
    let p = start(ProviderConfig::demo().with_profile(profile))
        .await
        .expect("provider starts");
    for evil in [
        "https://evil.example/steal",
        "http://127.0.0.1:1@evil.example/",
        "http://127.0.0.1.evil.example/cb",
    ] {
        let temp = request_token(&p, SHA1, HEADER, "http://127.0.0.1:9/cb").await;
        let link = format!(
            "{}&oauth_callback={}",
            authorize_link(&p, &temp.token),
            signet_oauth1::encoding::encode(evil)
        );
        let out = approve(&link, "alice", "wonderland", true)
            .await
            .expect("an answer");
        let to = out.redirect.expect("a redirect");
        assert!(
            to.starts_with("http://127.0.0.1:9/cb?"),
            "{evil} sent the user to {to}"
        );
        assert!(to.contains("oauth_problem="), "{to}");
        assert!(!to.contains("oauth_verifier="), "{to}");
    }
    // A registered one is used.
    let temp = request_token(&p, SHA1, HEADER, "http://127.0.0.1:9/cb").await;
    let link = format!(
        "{}&oauth_callback={}",
        authorize_link(&p, &temp.token),
        signet_oauth1::encoding::encode("http://127.0.0.1:7/done")
    );
    let out = approve(&link, "alice", "wonderland", true).await.unwrap();
    let to = out.redirect.expect("a redirect");
    assert!(to.starts_with("http://127.0.0.1:7/done?"), "{to}");
    assert!(to.contains("oauth_verifier="), "{to}");
}
