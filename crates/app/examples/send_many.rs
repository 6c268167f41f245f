//! Sends N endpoint calls in a row (default 1,000) through the app's use case — fill in, sign
//! with a fresh nonce, send to the local demo provider, read, diagnose, keep in the history —
//! and prints calls per second and the process's memory before and after. Not a test: figures.
//!
//! ```sh
//! cargo run --release -p signet-app --example send_many -- 1000
//! ```
//!
//! The demo provider runs in the same process (its memory is counted too); the database is a
//! throwaway one in a temporary directory.

mod support;

use std::collections::BTreeMap;
use std::time::Instant;

use support::rss_kib;

#[tokio::main(flavor = "multi_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1000);
    let dir = tempfile::tempdir()?;
    let app = support::open_app(dir.path())?;

    let instance = support::connected_demo(&app).await?;

    let inputs = BTreeMap::from([("limit".to_owned(), "5".to_owned())]);
    // One call first, so the figures below do not count the first connection's setup.
    app.endpoint_send(&instance, "orders", &inputs).await?;
    let before = rss_kib();
    let t = Instant::now();
    let mut failed = 0;
    for _ in 0..n {
        let r = app.endpoint_send(&instance, "orders", &inputs).await?;
        if r.call.error.is_some() {
            failed += 1;
        }
    }
    let elapsed = t.elapsed();
    let after = rss_kib();
    println!(
        "{n} endpoint calls (GET /api/orders?limit=5, HMAC-SHA1, header placement) in {:.2} s: {:.0} calls/s, {:.2} ms each; {failed} failed",
        elapsed.as_secs_f64(),
        n as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64() * 1000.0 / n as f64
    );
    match (before, after) {
        (Some(b), Some(a)) => println!(
            "memory (resident, this process with the demo provider in it): {:.1} MiB before, {:.1} MiB after ({:+.1} MiB)",
            b as f64 / 1024.0,
            a as f64 / 1024.0,
            (a as f64 - b as f64) / 1024.0
        ),
        _ => println!("memory: /proc/self/status is not readable here"),
    }
    let runs = app.runs_list(&signet_app::api::RunsListArgs {
        instance_id: Some(instance.clone()),
        ..Default::default()
    })?;
    println!(
        "history: {} runs kept for the instance (the newest kept, older forgotten); database {:.1} MiB on disk",
        runs.total,
        support::dir_size(dir.path()) as f64 / 1024.0 / 1024.0
    );
    Ok(())
}
