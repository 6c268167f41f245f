//! A quick check of signing speed beside the cryptographic floor, without criterion.
//!
//! Signs the benchmark's canonical request (the Twitter documentation example) from credentials
//! to the finished `Authorization` header with HMAC-SHA1, HMAC-SHA256, PLAINTEXT and RSA-SHA1,
//! and times the floor in the same run: the bare HMAC (new key + MAC + base64) or the RSA
//! library's PKCS#1 v1.5 signature (+ base64) over the already-built base string. Each figure is
//! the minimum over rounds of the mean of a batch, so other work on the machine only adds noise
//! upwards; full and floor rounds alternate, so their ratio is measured under the same load.
//!
//! ```text
//! cargo run --release -p signet-oauth1 --example profile_sign            # the ratio table
//! cargo run --release -p signet-oauth1 --example profile_sign -- 60     # more rounds
//! cargo run --release -p signet-oauth1 --example profile_sign -- loop full/HMAC-SHA1 200000
//! ```
//!
//! The last line splits an HMAC signature into its parts: the floor alone, the pipeline alone
//! (PLAINTEXT with a signer made once) and the two together in one loop.
//!
//! `loop <case> <n>` runs one case `n` times and nothing else, for `perf record` or
//! `valgrind --tool=callgrind` (under valgrind SHA-1 runs without the SHA extensions, so its
//! share of the instruction count is larger than its share of the time). The cases are
//! `full/<method>` and `floor/<method>` for the four methods above.

use std::hint::black_box;
use std::time::Instant;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs1v15::SigningKey;
use rsa::signature::{SignatureEncoding, Signer as _};
use signet_oauth1::{
    HttpRequest, OAuthParams, RsaPrivateKeyPem, Secret, SignOptions, SignatureMethod, Signer, sign,
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

const METHODS: [SignatureMethod; 4] = [
    SignatureMethod::HmacSha1,
    SignatureMethod::HmacSha256,
    SignatureMethod::Plaintext,
    SignatureMethod::RsaSha1,
];

struct Fixture {
    consumer_secret: Secret,
    token_secret: Secret,
    rsa: RsaPrivateKeyPem,
    rsa_floor: SigningKey<sha1::Sha1>,
    base_string: String,
    hmac_key: String,
}

impl Fixture {
    fn new() -> Self {
        let consumer_secret = Secret::new(CONSUMER_SECRET);
        let token_secret = Secret::new(TOKEN_SECRET);
        let signer = Signer::shared(
            SignatureMethod::HmacSha1,
            &consumer_secret,
            Some(&token_secret),
        )
        .expect("hmac signer");
        let base_string = sign(&request(), &oauth(), &signer, &SignOptions::default())
            .expect("the canonical request signs")
            .base_string;
        Self {
            consumer_secret,
            token_secret,
            rsa: RsaPrivateKeyPem::parse(RSA_PEM).expect("test key"),
            rsa_floor: SigningKey::new(rsa::PrivateKey::from_pkcs1_pem(RSA_PEM).expect("test key")),
            base_string,
            // Both secrets are unreserved text, so this is the encoded key.
            hmac_key: format!("{CONSUMER_SECRET}&{TOKEN_SECRET}"),
        }
    }

    /// Credentials → signer → signed request → `Authorization` header; returns its length.
    fn full(&self, method: SignatureMethod) -> usize {
        let signer = if method.is_rsa() {
            Signer::rsa(method, &self.rsa).expect("rsa signer")
        } else {
            Signer::shared(method, &self.consumer_secret, Some(&self.token_secret))
                .expect("shared signer")
        };
        self.pipeline(&signer)
    }

    /// The primitive alone over the finished base string; returns the signature's length.
    fn floor(&self, method: SignatureMethod) -> usize {
        let key = black_box(self.hmac_key.as_bytes());
        let text = black_box(self.base_string.as_bytes());
        match method {
            SignatureMethod::HmacSha1 => {
                let mut m = <Hmac<sha1::Sha1> as KeyInit>::new_from_slice(key).expect("any key");
                m.update(text);
                STANDARD.encode(m.finalize().into_bytes()).len()
            }
            SignatureMethod::HmacSha256 => {
                let mut m = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(key).expect("any key");
                m.update(text);
                STANDARD.encode(m.finalize().into_bytes()).len()
            }
            SignatureMethod::RsaSha1 => STANDARD.encode(self.rsa_floor.sign(text).to_bytes()).len(),
            // PLAINTEXT has no primitive: its floor is nothing.
            _ => 0,
        }
    }

    /// Signed request → `Authorization` header with a signer already made; returns its length.
    /// With a PLAINTEXT signer made once, this is the pipeline without the primitive.
    fn pipeline(&self, signer: &Signer) -> usize {
        let signed = sign(&request(), &oauth(), signer, &SignOptions::default()).expect("signs");
        signed.authorization.map_or(0, |h| h.len())
    }

    /// What an HMAC signature is made of: the floor and the pipeline each timed alone, and the
    /// two run one after the other in the same loop. The last is what a signature costs at
    /// best with this pipeline; it exceeds the sum because a loop of nothing but HMACs lets
    /// the processor overlap one iteration's hash chain with the next.
    fn composition(&self, rounds: u32) {
        let plaintext = Signer::shared(
            SignatureMethod::Plaintext,
            &self.consumer_secret,
            Some(&self.token_secret),
        )
        .expect("plaintext signer");
        let (mut floor, mut pipeline, mut both) = (f64::MAX, f64::MAX, f64::MAX);
        for _ in 0..rounds {
            floor = floor.min(batch(5_000, &|| {
                self.floor(black_box(SignatureMethod::HmacSha1))
            }));
            pipeline = pipeline.min(batch(5_000, &|| self.pipeline(black_box(&plaintext))));
            both = both.min(batch(5_000, &|| {
                self.floor(black_box(SignatureMethod::HmacSha1))
                    + self.pipeline(black_box(&plaintext))
            }));
        }
        println!(
            "composition: HMAC-SHA1 floor {floor:.0} + pipeline alone {pipeline:.0} = {:.0}; \
             both in one loop {both:.0} ({:.2}x the floor)",
            floor + pipeline,
            both / floor
        );
    }

    fn run(&self, case: &str) -> Option<Box<dyn Fn() -> usize + '_>> {
        let (kind, name) = case.split_once('/')?;
        let method: SignatureMethod = name.parse().ok()?;
        match kind {
            "full" => Some(Box::new(move || self.full(black_box(method)))),
            "floor" => Some(Box::new(move || self.floor(black_box(method)))),
            _ => None,
        }
    }
}

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

/// Mean nanoseconds per call over one batch of `n` calls.
fn batch(n: u32, f: &dyn Fn() -> usize) -> f64 {
    let start = Instant::now();
    let mut total = 0usize;
    for _ in 0..n {
        total = total.wrapping_add(f());
    }
    black_box(total);
    start.elapsed().as_nanos() as f64 / f64::from(n)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let fixture = Fixture::new();
    if args.first().map(String::as_str) == Some("loop") {
        let case = args.get(1).map_or("full/HMAC-SHA1", String::as_str);
        let n: u32 = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(100_000);
        let f = fixture
            .run(case)
            .unwrap_or_else(|| panic!("unknown case {case}"));
        println!("{case}: {:.0} ns per call", batch(n, &*f));
        return;
    }
    let rounds: u32 = args.first().and_then(|r| r.parse().ok()).unwrap_or(30);

    println!("min over {rounds} rounds, ns per call (full = credentials to Authorization header)");
    for method in METHODS {
        // About 5 ms per batch: enough calls to hide the clock, few enough for many rounds.
        let n = if method.is_rsa() { 5 } else { 5_000 };
        let (mut full, mut floor) = (f64::MAX, f64::MAX);
        for _ in 0..rounds {
            full = full.min(batch(n, &|| fixture.full(black_box(method))));
            floor = floor.min(batch(n, &|| fixture.floor(black_box(method))));
        }
        let name = method.as_str();
        if method == SignatureMethod::Plaintext {
            println!("  {name:<12} full {full:>9.0}   (no primitive, so no floor)");
        } else {
            let target = if method.is_rsa() { 1.05 } else { 1.5 };
            let ratio = full / floor;
            println!(
                "  {name:<12} full {full:>9.0}   floor {floor:>9.0}   ratio {ratio:.2}x (target {target}x) {}",
                if ratio <= target { "ok" } else { "OVER" }
            );
        }
    }
    fixture.composition(rounds);
}
