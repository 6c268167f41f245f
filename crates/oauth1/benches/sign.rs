//! The canonical request (the Twitter documentation example) signed from credentials to the
//! finished `Authorization` header, for HMAC-SHA1, HMAC-SHA256, PLAINTEXT and RSA-SHA1, beside
//! the floor in the same run: the bare primitive (new HMAC key + MAC + base64, or the RSA
//! library's PKCS#1 v1.5 signature + base64) over the already-built base string.
//!
//! `cargo bench -p signet-oauth1` prints criterion's figures and then the ratios.

use std::hint::black_box;
use std::path::PathBuf;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use criterion::{Criterion, criterion_group};
use hmac::{Hmac, KeyInit, Mac};
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs1v15::SigningKey;
use rsa::signature::{SignatureEncoding, Signer as _};
use signet_oauth1::{
    HttpRequest, OAuthParams, RsaPrivateKeyPem, Secret, SignOptions, SignatureMethod, Signer, sign,
    sign_traced,
};

const URL: &str = "https://api.example.com/1.1/statuses/update.json?include_entities=true";
const BODY: &[u8] = b"status=Hello%20Ladies%20%2B%20Gentlemen%2C%20a%20signed%20OAuth%20request%21";
const CONSUMER_KEY: &str = "xvz1evFS4wEEPTGEFPHBog";
const CONSUMER_SECRET: &str = "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw";
const TOKEN: &str = "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb";
const TOKEN_SECRET: &str = "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE";
const NONCE: &str = "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg";
const TIMESTAMP: &str = "1318622958";
const RSA_PEM: &str = include_str!("../tests/vectors/rsa-private.pem");

fn request() -> HttpRequest<'static> {
    HttpRequest {
        method: "POST",
        url: URL,
        content_type: Some("application/x-www-form-urlencoded"),
        body: Some(BODY),
    }
}

fn oauth() -> OAuthParams<'static> {
    OAuthParams {
        consumer_key: CONSUMER_KEY,
        token: Some(TOKEN),
        nonce: NONCE,
        timestamp: TIMESTAMP,
        ..Default::default()
    }
}

/// Credentials → signer → signed request with its `Authorization` header.
fn full(method: SignatureMethod, cs: &Secret, ts: &Secret, key: &RsaPrivateKeyPem) -> String {
    let signer = if method.is_rsa() {
        Signer::rsa(method, key).unwrap()
    } else {
        Signer::shared(method, cs, Some(ts)).unwrap()
    };
    let signed = sign(&request(), &oauth(), &signer, &SignOptions::default()).unwrap();
    signed.authorization.unwrap()
}

fn base_string() -> String {
    let signer = Signer::shared(
        SignatureMethod::HmacSha1,
        &Secret::new(CONSUMER_SECRET),
        Some(&Secret::new(TOKEN_SECRET)),
    )
    .unwrap();
    sign(&request(), &oauth(), &signer, &SignOptions::default())
        .unwrap()
        .base_string
}

fn bench(c: &mut Criterion) {
    let cs = Secret::new(CONSUMER_SECRET);
    let ts = Secret::new(TOKEN_SECRET);
    let key = RsaPrivateKeyPem::parse(RSA_PEM).unwrap();
    let base = base_string();
    let hmac_key = format!("{CONSUMER_SECRET}&{TOKEN_SECRET}");
    // Sanity: on the documentation's own host the request signs to the documented signature.
    let signer = Signer::shared(SignatureMethod::HmacSha1, &cs, Some(&ts)).unwrap();
    let twitter = HttpRequest {
        url: &URL.replace("api.example.com", "api.twitter.com"),
        ..request()
    };
    let documented = sign(&twitter, &oauth(), &signer, &SignOptions::default()).unwrap();
    assert_eq!(documented.signature(), "hCtSmYh+iHYCEqBWrE7C7hYmtUk=");

    let mut g = c.benchmark_group("sign");
    for method in [
        SignatureMethod::HmacSha1,
        SignatureMethod::HmacSha256,
        SignatureMethod::Plaintext,
        SignatureMethod::RsaSha1,
    ] {
        if method.is_rsa() {
            g.sample_size(30);
        }
        g.bench_function(format!("full/{method}"), |b| {
            b.iter(|| full(black_box(method), &cs, &ts, &key))
        });
    }
    g.sample_size(100);
    g.bench_function("floor/HMAC-SHA1", |b| {
        b.iter(|| {
            let mut m =
                <Hmac<sha1::Sha1> as KeyInit>::new_from_slice(black_box(hmac_key.as_bytes()))
                    .unwrap();
            m.update(black_box(base.as_bytes()));
            STANDARD.encode(m.finalize().into_bytes())
        })
    });
    g.bench_function("floor/HMAC-SHA256", |b| {
        b.iter(|| {
            let mut m =
                <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(black_box(hmac_key.as_bytes()))
                    .unwrap();
            m.update(black_box(base.as_bytes()));
            STANDARD.encode(m.finalize().into_bytes())
        })
    });
    let rsa_key = rsa::PrivateKey::from_pkcs1_pem(RSA_PEM).unwrap();
    let signing_key = SigningKey::<sha1::Sha1>::new(rsa_key);
    g.sample_size(30);
    g.bench_function("floor/RSA-SHA1", |b| {
        b.iter(|| STANDARD.encode(signing_key.sign(black_box(base.as_bytes())).to_bytes()))
    });
    g.sample_size(100);
    g.bench_function("traced/HMAC-SHA1", |b| {
        b.iter(|| {
            let signer = Signer::shared(SignatureMethod::HmacSha1, &cs, Some(&ts)).unwrap();
            sign_traced(&request(), &oauth(), &signer, &SignOptions::default())
                .unwrap()
                .1
        })
    });
    g.finish();
}

criterion_group!(benches, bench);

fn criterion_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../target")));
    target.join("criterion").join("sign")
}

fn median_ns(id: &str) -> Option<f64> {
    let path = criterion_dir().join(id).join("new/estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v["median"]["point_estimate"].as_f64()
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    println!("\nratios (median full signature / median floor):");
    for (full, floor, target) in [
        ("full_HMAC-SHA1", "floor_HMAC-SHA1", 1.5),
        ("full_HMAC-SHA256", "floor_HMAC-SHA256", 1.5),
        ("full_RSA-SHA1", "floor_RSA-SHA1", 1.05),
    ] {
        match (median_ns(full), median_ns(floor)) {
            (Some(a), Some(b)) => println!(
                "  {:<18} {:>10.0} ns vs floor {:>10.0} ns = {:.2}x (target {target}x) {}",
                full.trim_start_matches("full_"),
                a,
                b,
                a / b,
                if a / b <= target { "ok" } else { "OVER TARGET" }
            ),
            _ => println!("  {full}: no estimate (run without a filter to measure both)"),
        }
    }
    for id in ["full_PLAINTEXT", "traced_HMAC-SHA1"] {
        if let Some(ns) = median_ns(id) {
            println!("  {id:<18} {ns:>10.0} ns");
        }
    }
}
