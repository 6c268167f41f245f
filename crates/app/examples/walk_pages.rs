//! Walks the demo's 1,234 orders page by page, 50 a page (25 pages), N times (default 20),
//! through the app's use case — every page filled in, signed with HMAC-SHA256 (its own nonce
//! and timestamp), sent over loopback to the demo provider (which verifies it), read by the
//! pager — and prints pages per second, each walk's time and the process's memory. Not a
//! test: figures.
//!
//! ```sh
//! cargo run --release -p signet-app --example walk_pages -- 20
//! ```
//!
//! The demo provider runs in the same process; the database is a throwaway one.

mod support;

use std::collections::BTreeMap;
use std::time::Instant;

use signet_app::PagesOptions;
use signet_app::api::{AuthKind, SignatureMethod};
use support::rss_kib;

#[tokio::main(flavor = "multi_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20)
        .max(1);
    let dir = tempfile::tempdir()?;
    let app = support::open_app(dir.path())?;

    // The demo connector, signing with HMAC-SHA256, connected through the ten steps.
    let demo = app.demo_provider_start().await?;
    let mut doc = demo.connector.document.clone();
    for m in &mut doc.connector.auth_methods {
        if let AuthKind::OAuth1(o) = &mut m.kind {
            o.signature_method = SignatureMethod::HmacSha256;
        }
    }
    let view = app.connector_save(doc)?;
    let instance = view
        .document
        .instance
        .id
        .clone()
        .ok_or("the demo connector has no instance")?;
    support::connect(&app, &instance).await?;

    let inputs = BTreeMap::new();
    let walk = |job: String| {
        let app = app.clone();
        let instance = instance.clone();
        let inputs = inputs.clone();
        async move {
            app.endpoint_send_pages(
                &instance,
                "orders-offset",
                &inputs,
                &job,
                PagesOptions::default(),
            )
            .await
        }
    };
    // One walk first, so the figures do not count the first connection's setup.
    let warm = walk("warm".into()).await?;
    if warm.item_count != 1234 || !warm.complete {
        return Err(format!("the walk did not fetch every order: {}", warm.stop_message).into());
    }
    let before = rss_kib();
    let mut times = Vec::with_capacity(n);
    let mut pages = 0usize;
    for i in 0..n {
        let t = Instant::now();
        let r = walk(format!("walk-{i}")).await?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        pages += r.pages.len();
        if r.item_count != 1234 {
            return Err(format!("walk {i}: {} items: {}", r.item_count, r.stop_message).into());
        }
    }
    let after = rss_kib();
    let total: f64 = times.iter().sum();
    times.sort_by(f64::total_cmp);
    println!(
        "{n} walks of the demo's 1,234 orders (GET /api/paged/offset, 50 a page, {} pages each, HMAC-SHA256, header placement, loopback): {:.0} pages/s; a walk takes {:.1} ms (median), {:.1} ms (fastest), {:.1} ms (slowest)",
        pages / n,
        pages as f64 / (total / 1000.0),
        times[times.len() / 2],
        times[0],
        times[times.len() - 1],
    );
    if let (Some(b), Some(a)) = (before, after) {
        println!(
            "memory (resident, this process with the demo provider in it): {:.1} MiB before, {:.1} MiB after ({:+.1} MiB)",
            b as f64 / 1024.0,
            a as f64 / 1024.0,
            (a as f64 - b as f64) / 1024.0
        );
    }
    Ok(())
}
