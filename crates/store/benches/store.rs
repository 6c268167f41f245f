//! The store's speed on a realistic database: 1,000 connectors and 10,000 runs.
//!
//! Prints medians for: open + list connectors (target under 50 ms) and a flushed token save
//! (target under 5 ms); then open + list again (the connectors' heads, as the app lists them)
//! and the history's first page as the same database grows to 100,000 runs (target: at
//! 100,000 runs within 1.2x of the same at 1,000). Run with `cargo bench -p signet-store`.

use std::time::{Duration, Instant};

use serde_json::json;
use signet_oauth1::{Secret, TokenResponse};
use signet_store::{
    ClientSecret, ImportOptions, KeyringChoice, NewRun, OpenOptions, RunKind, RunOutcome, Store,
    Timestamp,
};

const CONNECTORS: usize = 1_000;
const RUNS: usize = 10_000;
/// The sizes open + list is measured at as the runs grow (the first is measured before the
/// main figures' runs are all in).
const GROWTH: [usize; 3] = [1_000, 10_000, 100_000];

fn options(dir: &std::path::Path) -> OpenOptions {
    OpenOptions::new(dir)
        .keyring(KeyringChoice::File)
        .without_system_keyring()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// `n` connectors in one import transaction (Signet 0.1's file format, converted as it is
/// read), then their instances' credentials; their instances.
fn add_connectors(store: &Store, n: usize) -> Vec<signet_store::InstanceId> {
    let entries: Vec<_> = (0..n)
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
    list
}

/// A finished dance's snapshot, small (the steps and one exchange).
fn run_snapshot() -> serde_json::Value {
    json!({
        "steps": (1..=10).map(|s| json!({"step": s, "state": "done", "detail": "x".repeat(60)})).collect::<Vec<_>>(),
        "exchanges": [{"request": {"method": "POST", "url": "https://p.example/oauth/request_token",
                        "headers": {"Authorization": "OAuth oauth_consumer_key=\"ck\", oauth_nonce=\"abc\", oauth_signature=\"sig\""}},
                       "response": {"status": 200, "body": "oauth_token=t&oauth_token_secret=<redacted>&oauth_callback_confirmed=true"}}]
    })
}

/// Records runs `range` (their numbers as start times) spread over `instances`, as the app does
/// (each flushed).
fn record_runs(
    store: &Store,
    instances: &[signet_store::InstanceId],
    range: std::ops::Range<usize>,
    snapshot: &serde_json::Value,
) {
    for r in range {
        store
            .record_run(NewRun {
                instance_id: instances[r % instances.len()],
                kind: RunKind::Flow,
                started_at: Timestamp(r as i64),
                finished_at: Some(Timestamp(r as i64 + 1)),
                outcome: RunOutcome::Completed,
                snapshot: snapshot.clone(),
                summary: None,
            })
            .unwrap();
    }
}

/// The medians, over `rounds` openings, of opening the database and listing its connectors
/// (their heads, as the app lists them), and of then reading the history's first page (100
/// runs of every instance, newest first).
fn open_and_list(dir: &std::path::Path, connectors: usize, rounds: usize) -> (Duration, Duration) {
    let mut times = Vec::new();
    let mut pages = Vec::new();
    for _ in 0..rounds {
        let t = Instant::now();
        let store = Store::open(&options(dir)).unwrap();
        let list = store.list_connector_heads().unwrap();
        times.push(t.elapsed());
        assert_eq!(list.len(), connectors);
        let t = Instant::now();
        let instances = store.instances_with_runs().unwrap();
        let page = store.runs_page(&instances, None, None, 100).unwrap();
        pages.push(t.elapsed());
        assert!(!page.runs.is_empty());
    }
    (median(times), median(pages))
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
    let ids = {
        let store = Store::open(&options(dir.path())).unwrap();
        let list = add_connectors(&store, connectors);
        record_runs(&store, &list, 0..runs, &run_snapshot());
        list
    };
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

    // The same database, grown: open + list must not grow with the runs.
    let growth: Vec<usize> = if quick {
        vec![runs, runs * 2]
    } else {
        GROWTH.to_vec()
    };
    let snapshot = run_snapshot();
    let grown = tempfile::tempdir().unwrap();
    let instances = add_connectors(&Store::open(&options(grown.path())).unwrap(), connectors);
    let mut recorded = 0;
    let mut first = None;
    println!(
        "open + list connectors, and the history's first page, as the runs grow ({connectors} connectors):"
    );
    for target in growth {
        let store = Store::open(&options(grown.path())).unwrap();
        let t = Instant::now();
        record_runs(&store, &instances, recorded..target, &snapshot);
        println!(
            "  (recorded {} more runs in {:.1?})",
            target - recorded,
            t.elapsed()
        );
        recorded = target;
        drop(store);
        let (m, page) = open_and_list(grown.path(), connectors, rounds);
        let (base, base_page) = *first.get_or_insert((m, page));
        println!(
            "  at {target:>7} runs  median {m:>10.2?}  {:.2}x the first (target <= 1.2x); \
             the history's first page {page:>9.2?}  {:.2}x the first",
            m.as_secs_f64() / base.as_secs_f64(),
            page.as_secs_f64() / base_page.as_secs_f64()
        );
    }
}
