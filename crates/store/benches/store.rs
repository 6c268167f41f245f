//! The store's speed on a realistic database: 1,000 connectors and 10,000 runs.
//!
//! Prints medians for: open + list connectors (target under 50 ms) and a flushed token save
//! (target under 5 ms). Run with `cargo bench -p signet-store`.

use std::time::{Duration, Instant};

use serde_json::json;
use signet_oauth1::{Secret, TokenResponse};
use signet_store::{
    ClientSecret, ImportOptions, KeyringChoice, NewRun, OpenOptions, RunKind, RunOutcome, Store,
    Timestamp,
};

const CONNECTORS: usize = 1_000;
const RUNS: usize = 10_000;

fn options(dir: &std::path::Path) -> OpenOptions {
    OpenOptions::new(dir)
        .keyring(KeyringChoice::File)
        .without_system_keyring()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` runs this as a quick smoke test.
    let quick = !std::env::args().any(|a| a == "--bench");
    let (connectors, runs, rounds, saves) = if quick {
        (20, 50, 3, 5)
    } else {
        (CONNECTORS, RUNS, 21, 201)
    };
    let dir = tempfile::tempdir().unwrap();
    let setup = Instant::now();
    {
        let store = Store::open(&options(dir.path())).unwrap();
        // One import transaction for the connectors (Signet 0.1's file format, converted as it
        // is read), then their instances' credentials.
        let entries: Vec<_> = (0..connectors)
            .map(|i| {
                json!({
                    "name": format!("Connector {i:04}"),
                    "request_token_url": format!("https://p{i}.example/oauth/request_token"),
                    "authorize_url": format!("https://p{i}.example/oauth/authorize"),
                    "access_token_url": format!("https://p{i}.example/oauth/access_token"),
                    "resource_url": format!("https://p{i}.example/api/me"),
                    "signature_method": "HMAC-SHA1",
                    "extra_request_token_params": [["scope", "read write"]],
                })
            })
            .collect();
        let file = json!({"format": "signet-connectors", "version": 1, "connectors": entries});
        store
            .import(&file.to_string(), &ImportOptions::default())
            .unwrap();
        let list: Vec<_> = store
            .list_connectors()
            .unwrap()
            .iter()
            .map(|c| store.instances_of(c.id).unwrap()[0].id)
            .collect();
        for id in &list {
            store
                .set_client_credentials(*id, "ck", ClientSecret::Shared(Secret::new("cs")))
                .unwrap();
        }
        let snapshot = json!({
            "steps": (1..=10).map(|s| json!({"step": s, "state": "done", "detail": "x".repeat(60)})).collect::<Vec<_>>(),
            "exchanges": [{"request": {"method": "POST", "url": "https://p.example/oauth/request_token",
                            "headers": {"Authorization": "OAuth oauth_consumer_key=\"ck\", oauth_nonce=\"abc\", oauth_signature=\"sig\""}},
                           "response": {"status": 200, "body": "oauth_token=t&oauth_token_secret=<redacted>&oauth_callback_confirmed=true"}}]
        });
        for r in 0..runs {
            store
                .record_run(NewRun {
                    instance_id: list[r % list.len()],
                    kind: RunKind::Flow,
                    started_at: Timestamp(r as i64),
                    finished_at: Some(Timestamp(r as i64 + 1)),
                    outcome: RunOutcome::Completed,
                    snapshot: snapshot.clone(),
                })
                .unwrap();
        }
    }
    println!(
        "setup: {connectors} connectors, {runs} runs in {:.1?}",
        setup.elapsed()
    );

    let mut open_list = Vec::new();
    let mut open_only = Vec::new();
    for _ in 0..rounds {
        let t = Instant::now();
        let store = Store::open(&options(dir.path())).unwrap();
        let opened = t.elapsed();
        let list = store.list_connectors().unwrap();
        open_list.push(t.elapsed());
        open_only.push(opened);
        assert_eq!(list.len(), connectors);
    }

    let store = Store::open(&options(dir.path())).unwrap();
    let ids: Vec<_> = store
        .list_connectors()
        .unwrap()
        .iter()
        .map(|c| store.instances_of(c.id).unwrap()[0].id)
        .collect();
    let mut list_only = Vec::new();
    for _ in 0..rounds {
        let t = Instant::now();
        let list = store.list_connectors().unwrap();
        list_only.push(t.elapsed());
        assert_eq!(list.len(), connectors);
    }
    let mut token_saves = Vec::new();
    for i in 0..saves {
        let response = TokenResponse {
            token: format!("token-{i}"),
            token_secret: Secret::new(format!("secret-{i}")),
            callback_confirmed: None,
            extra: vec![("user_id".into(), i.to_string())],
        };
        let t = Instant::now();
        store
            .save_token(ids[i % ids.len()], &response, None)
            .unwrap();
        token_saves.push(t.elapsed());
    }
    println!("open alone            median {:>10.2?}", median(open_only));
    println!("list alone            median {:>10.2?}", median(list_only));
    println!(
        "open + list (target < 50 ms)  median {:>10.2?}",
        median(open_list)
    );
    println!(
        "flushed token save (target < 5 ms)  median {:>10.2?}",
        median(token_saves)
    );
}
