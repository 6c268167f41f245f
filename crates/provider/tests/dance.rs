//! The whole three-legged flow against the demo provider, for every signature method and every
//! parameter placement, with each callback mode.

mod common;

use common::*;
use signet_oauth1::{Placement, SignatureMethod};

/// Header placement uses the deep link, query the loopback listener, body the PIN.
fn callback_for(placement: Placement) -> &'static str {
    match placement {
        Placement::Header => "signet://callback",
        Placement::Query => "http://127.0.0.1:8765/callback?state=abc",
        Placement::Body => "oob",
    }
}

#[track_caller]
fn no_secrets_in(text: &str, secrets: &[&str]) {
    for s in secrets {
        assert!(!text.contains(s), "{s:?} leaked into {text}");
    }
}

async fn dance(sig: SignatureMethod) {
    let p = provider().await;
    for placement in Placement::ALL {
        let callback = callback_for(placement);
        let temp = request_token(&p, sig, placement, callback).await;
        assert_eq!(temp.callback_confirmed, Some(true), "{sig} {placement:?}");

        let verifier = allow(&p, &temp).await;
        if callback == "oob" {
            assert_eq!(verifier.len(), 8, "a PIN of 8 digits: {verifier}");
            assert!(verifier.bytes().all(|b| b.is_ascii_digit()));
        }

        let resp = access_token(&p, sig, placement, &temp, &verifier).await;
        assert_eq!(resp.status, 200, "{sig} {placement:?}: {}", resp.body);
        let creds = resp.token_response().unwrap();
        assert_eq!(creds.get("screen_name"), Some("alice"));
        assert!(creds.get("user_id").is_some());
        let token = creds.token.clone();
        let secret = creds.token_secret.expose().to_owned();

        // Step 10, the profile (GET: the body placement has no body to travel in, so the
        // profile is read with the header there and the echo exercises the body).
        let me_placement = if placement == Placement::Body {
            Placement::Header
        } else {
            placement
        };
        let me = send(
            &Spec::new("GET", p.me_url())
                .sig(sig)
                .placement(me_placement)
                .token(&token, &secret),
        )
        .await;
        assert_eq!(me.status, 200, "{sig} {placement:?}: {}", me.body);
        let json = me.json();
        assert_eq!(json["username"], "alice");
        assert_eq!(json["display_name"], "Alice Liddell");
        assert_eq!(json["signature_method"], sig.as_str());

        // Step 10, the echo, with query and form parameters that must be signed too.
        let echo = send(
            &Spec::new("POST", format!("{}?q=a%20b&n=1", p.echo_url()))
                .sig(sig)
                .placement(placement)
                .token(&token, &secret)
                .form("color=blue&note=caf%C3%A9+au+lait"),
        )
        .await;
        assert_eq!(echo.status, 200, "{sig} {placement:?}: {}", echo.body);
        let json = echo.json();
        assert_eq!(json["method"], "POST");
        assert_eq!(json["query"], serde_json::json!([["q", "a b"], ["n", "1"]]));
        assert_eq!(
            json["form"],
            serde_json::json!([["color", "blue"], ["note", "café au lait"]])
        );
        assert_eq!(json["oauth"]["placement"], placement.as_str());
        assert_eq!(json["oauth"]["token"], token.as_str());
        assert_eq!(json["user"], "alice");
        no_secrets_in(
            &echo.body,
            &[&secret, demo_secret(), temp.token_secret.expose()],
        );
        assert!(json["oauth"].get("signature").is_none());
    }
    p.shutdown().await;
}

fn demo_secret() -> &'static str {
    signet_provider::demo::CONSUMER_SECRET
}

#[tokio::test]
async fn dance_hmac_sha1() {
    dance(SignatureMethod::HmacSha1).await;
}

#[tokio::test]
async fn dance_hmac_sha256() {
    dance(SignatureMethod::HmacSha256).await;
}

#[tokio::test]
async fn dance_hmac_sha512() {
    dance(SignatureMethod::HmacSha512).await;
}

#[tokio::test]
async fn dance_rsa_sha1() {
    dance(SignatureMethod::RsaSha1).await;
}

#[tokio::test]
async fn dance_rsa_sha256() {
    dance(SignatureMethod::RsaSha256).await;
}

#[tokio::test]
async fn dance_rsa_sha512() {
    dance(SignatureMethod::RsaSha512).await;
}

#[tokio::test]
async fn dance_plaintext() {
    dance(SignatureMethod::Plaintext).await;
}

/// With a token store, a provider started again (the next run of the app, or `signet call`)
/// still accepts the access tokens an earlier one issued; the file is the user's alone, and a
/// damaged one is an empty store, not a crash.
#[tokio::test]
async fn access_tokens_outlive_the_provider_with_a_token_store() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tokens.json");
    let config = || signet_provider::ProviderConfig::demo().with_token_store(&file);
    let p = signet_provider::start(config()).await.unwrap();
    let sig = SignatureMethod::HmacSha1;
    let temp = request_token(&p, sig, Placement::Header, "signet://callback").await;
    let verifier = allow(&p, &temp).await;
    let resp = access_token(&p, sig, Placement::Header, &temp, &verifier).await;
    let creds = resp.token_response().unwrap();
    let (token, secret) = (creds.token.clone(), creds.token_secret.expose().to_owned());
    let port = p.addr().port();
    p.shutdown().await;

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o077,
            0,
            "the token store is readable by others: {mode:o}"
        );
    }
    let again = signet_provider::start(config().with_port(port))
        .await
        .unwrap();
    let me = send(
        &Spec::new("GET", again.me_url())
            .sig(sig)
            .token(&token, &secret),
    )
    .await;
    assert_eq!(me.status, 200, "{}", me.body);
    assert_eq!(me.json()["username"], "alice");
    // Without the store, the same token is unknown.
    let forgetful = signet_provider::start(signet_provider::ProviderConfig::demo())
        .await
        .unwrap();
    let refused = send(
        &Spec::new("GET", forgetful.me_url())
            .sig(sig)
            .token(&token, &secret),
    )
    .await;
    assert_eq!(refused.status, 401, "{}", refused.body);
    forgetful.shutdown().await;
    again.shutdown().await;

    std::fs::write(&file, b"{ not json").unwrap();
    let damaged = signet_provider::start(config()).await.unwrap();
    let refused = send(
        &Spec::new("GET", damaged.me_url())
            .sig(sig)
            .token(&token, &secret),
    )
    .await;
    assert_eq!(refused.status, 401, "{}", refused.body);
    damaged.shutdown().await;
}
