//! An endpoint call with 10 variables and 20 parameters, filled in and signed (HMAC-SHA1,
//! header placement), beside the same call written with its values in place (no variables), and
//! the bare core signature of the request it produces. The target: templating + signing
//! within 1.5x of signing the same call without variables.
//!
//! `cargo bench -p signet-connector` prints criterion's figures and then the ratios.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, criterion_group};
use signet_connector::model::*;
use signet_connector::{Builtins, ClientSecret, Installed, prepare_call, sign_call};
use signet_oauth1::flow::TokenCredentials;
use signet_oauth1::{HttpRequest, OAuthParams, Secret, SignOptions, SignatureMethod, Signer, sign};

const NONCE: &str = "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg";
const TIMESTAMP: u64 = 1_318_622_958;

fn builtins() -> Builtins {
    Builtins {
        timestamp: TIMESTAMP,
        uuid: "3b241101-e2bb-4255-8caf-4136c566a962".into(),
        random_int: 7,
    }
}

/// The values the ten variables hold.
fn values() -> Vec<(String, String)> {
    (0..10)
        .map(|i| (format!("var_{i}"), format!("value {i}/é&{}", "x".repeat(i))))
        .collect()
}

/// The connector: `with_variables` writes `{{var_i}}` where the other writes the value.
fn connector(with_variables: bool) -> Connector {
    let vals = values();
    let v = |i: usize| {
        if with_variables {
            format!("{{{{var_{i}}}}}")
        } else {
            vals[i].1.clone()
        }
    };
    let mut c = Connector::named("Bench");
    if with_variables {
        c.variables = vals
            .iter()
            .map(|(name, _)| Variable::text(name, name))
            .collect();
    }
    c.auth_methods.push(AuthMethod {
        id: "oauth1".into(),
        name: "OAuth 1.0a".into(),
        kind: AuthKind::OAuth1(Box::new(OAuth1::three_legged(
            "https://api.example.com/oauth/request_token",
            "https://api.example.com/oauth/authorize",
            "https://api.example.com/oauth/access_token",
        ))),
        options: AuthOptions::default(),
    });
    // 20 query parameters: the first ten take the variables (one each), the rest are literal.
    let query = (0..20)
        .map(|i| {
            Param::new(
                format!("param_{i}"),
                if i < 10 { v(i) } else { format!("literal-{i}") },
            )
        })
        .collect();
    c.endpoints.push(Endpoint {
        query,
        ..Endpoint::get(
            "search",
            "Search",
            "https://api.example.com/1.1/search.json",
        )
    });
    c
}

fn installed(with_variables: bool) -> Installed {
    Installed {
        values: if with_variables {
            values().into_iter().collect()
        } else {
            BTreeMap::new()
        },
        secrets: BTreeMap::new(),
        consumer_key: "xvz1evFS4wEEPTGEFPHBog".into(),
        client_secret: Some(ClientSecret::Shared(Secret::new(
            "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
        ))),
        token: Some(TokenCredentials {
            token: "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb".into(),
            secret: Secret::new("LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE"),
            extra: Vec::new(),
        }),
    }
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("call");
    let inputs = BTreeMap::new();
    for (id, with) in [("variables", true), ("literal", false)] {
        let conn = connector(with);
        let inst = installed(with);
        // Both produce the same request: checked once, outside the timing.
        let signed = sign_call(
            &prepare_call(&conn, "search", &inst, &inputs, builtins()).unwrap(),
            NONCE,
            TIMESTAMP,
        )
        .unwrap();
        assert!(
            signed
                .url
                .contains("param_9=value%209%2F%C3%A9%26xxxxxxxxx")
        );
        g.bench_function(id, |b| {
            b.iter(|| {
                let call =
                    prepare_call(black_box(&conn), "search", &inst, &inputs, builtins()).unwrap();
                sign_call(&call, NONCE, TIMESTAMP).unwrap()
            })
        });
    }
    // The two halves of the variables case: filling in, and signing what was filled in.
    let conn = connector(true);
    let inst = installed(true);
    g.bench_function("prepare", |b| {
        b.iter(|| prepare_call(black_box(&conn), "search", &inst, &inputs, builtins()).unwrap())
    });
    let prepared = prepare_call(&conn, "search", &inst, &inputs, builtins()).unwrap();
    g.bench_function("sign", |b| {
        b.iter(|| sign_call(black_box(&prepared), NONCE, TIMESTAMP).unwrap())
    });
    // The core alone: the finished URL signed, with nothing to fill in or trace.
    let url = sign_call(
        &prepare_call(
            &connector(false),
            "search",
            &installed(false),
            &inputs,
            builtins(),
        )
        .unwrap(),
        NONCE,
        TIMESTAMP,
    )
    .unwrap()
    .url;
    let secret = Secret::new("kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw");
    let token_secret = Secret::new("LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE");
    g.bench_function("core", |b| {
        b.iter(|| {
            let signer =
                Signer::shared(SignatureMethod::HmacSha1, &secret, Some(&token_secret)).unwrap();
            let req = HttpRequest {
                method: "GET",
                url: black_box(&url),
                content_type: None,
                body: None,
            };
            let oauth = OAuthParams {
                consumer_key: "xvz1evFS4wEEPTGEFPHBog",
                token: Some("370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb"),
                nonce: NONCE,
                timestamp: "1318622958",
                callback: None,
                verifier: None,
                realm: None,
                extra: &[],
            };
            sign(&req, &oauth, &signer, &SignOptions::default())
                .unwrap()
                .authorization
        })
    });
    g.finish();
}

criterion_group!(benches, bench);

fn median_ns(id: &str) -> Option<f64> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../target")));
    let path = target
        .join("criterion/call")
        .join(id)
        .join("new/estimates.json");
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    v["median"]["point_estimate"].as_f64()
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    match (
        median_ns("variables"),
        median_ns("literal"),
        median_ns("core"),
    ) {
        (Some(with), Some(without), core) => {
            let ratio = with / without;
            println!(
                "\n10 variables, 20 parameters: {with:.0} ns filled in and signed, {without:.0} ns with the values in place = {ratio:.2}x (target 1.5x) {}",
                if ratio <= 1.5 { "ok" } else { "OVER TARGET" }
            );
            if let (Some(p), Some(s)) = (median_ns("prepare"), median_ns("sign")) {
                println!("  of which filling in {p:.0} ns, signing with its trace {s:.0} ns");
            }
            if let Some(core) = core {
                println!("the core signature of the finished request alone: {core:.0} ns");
            }
        }
        _ => println!("no estimates (run without a filter to measure both)"),
    }
}
