//! What the app's first screens cost on a database made by `large_history`: opening it, the
//! connectors list (and what it is made of), the history's first page (every run, and the
//! busiest connector's), a page deep in the busiest history, a page of one kind, and one run
//! read whole. Medians of 7; not a test: figures.
//!
//! ```sh
//! cargo run --release -p signet-app --example large_history -- /tmp/large
//! cargo run --release -p signet-app --example scale_figures -- /tmp/large
//! ```

mod support;

use std::time::{Duration, Instant};

use signet_app::api::RunsListArgs;

const ROUNDS: usize = 7;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time<T>(
    what: &str,
    mut f: impl FnMut() -> Result<T, Box<dyn std::error::Error>>,
    says: impl Fn(&T) -> String,
) -> Result<T, Box<dyn std::error::Error>> {
    let mut times = Vec::with_capacity(ROUNDS);
    let mut last = None;
    for _ in 0..ROUNDS {
        let t = Instant::now();
        last = Some(f()?);
        times.push(t.elapsed());
    }
    let last = last.ok_or("no rounds")?;
    println!(
        "{what:<44} median {:>9.2?}  ({})",
        median(times),
        says(&last)
    );
    Ok(last)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir: std::path::PathBuf = std::env::args()
        .nth(1)
        .ok_or("usage: scale_figures DIR (a database large_history wrote)")?
        .into();
    if !dir.join("db").exists() {
        return Err(format!(
            "{} holds no database: run large_history first",
            dir.display()
        )
        .into());
    }
    let t = Instant::now();
    let app = support::open_app(&dir)?;
    println!(
        "{:<44} {:>16.2?}",
        "open the database and the app (once)",
        t.elapsed()
    );
    let rss = support::rss_kib().unwrap_or(0);

    // What the connectors list is made of: the heads (and, for comparison, the whole
    // definitions it no longer reads), each connector's instances and token, its last run.
    let store = app.store();
    time(
        "  store: whole connectors (not read)",
        || Ok(store.list_connectors()?),
        |l| format!("{} connectors", l.len()),
    )?;
    let heads = time(
        "  store: connector heads",
        || Ok(store.list_connector_heads()?),
        |l| format!("{} heads", l.len()),
    )?;
    let instances = time(
        "  store: each one's instances",
        || {
            heads
                .iter()
                .map(|c| Ok(store.instances_of(c.id)?))
                .collect::<Result<Vec<_>, Box<dyn std::error::Error>>>()
        },
        |v| format!("{} connectors", v.len()),
    )?;
    time(
        "  store: each one's last run",
        || {
            let mut n = 0;
            for i in &instances {
                let ids: Vec<_> = i.iter().map(|i| i.id).collect();
                n += store.runs_page(&ids, None, None, 1)?.runs.len();
            }
            Ok(n)
        },
        |n| format!("{n} runs"),
    )?;
    let connectors = time(
        "connectors_list",
        || Ok(app.connectors_list()?),
        |l| format!("{} connectors", l.len()),
    )?;
    let busiest = connectors
        .iter()
        .max_by_key(|c| c.last_run.as_ref().map(|r| r.started_ms))
        .map(|c| c.id.clone());
    let all = time(
        "runs_list: first page of every run",
        || Ok(app.runs_list(&RunsListArgs::default())?),
        |p| format!("{} of {}", p.runs.len(), p.total),
    )?;
    // The busiest connector: the one whose runs make up the most of the first page.
    let mut counts = std::collections::BTreeMap::<&str, usize>::new();
    for r in &all.runs {
        *counts.entry(r.connector_id.as_str()).or_default() += 1;
    }
    let busiest = counts
        .into_iter()
        .max_by_key(|(_, n)| *n)
        .map(|(id, _)| id.to_owned())
        .or(busiest)
        .ok_or("no runs")?;
    let first = time(
        "runs_list: the busiest connector's first page",
        || {
            Ok(app.runs_list(&RunsListArgs {
                connector_id: Some(busiest.clone()),
                ..RunsListArgs::default()
            })?)
        },
        |p| format!("{} of {}", p.runs.len(), p.total),
    )?;
    // Fifty pages down, by following the pages (then timing the fiftieth).
    let mut before = first.runs.last().map(|r| r.run_id.clone());
    for _ in 0..48 {
        let p = app.runs_list(&RunsListArgs {
            connector_id: Some(busiest.clone()),
            before: before.clone(),
            ..RunsListArgs::default()
        })?;
        before = p.runs.last().map(|r| r.run_id.clone());
    }
    time(
        "runs_list: its 50th page",
        || {
            Ok(app.runs_list(&RunsListArgs {
                connector_id: Some(busiest.clone()),
                before: before.clone(),
                ..RunsListArgs::default()
            })?)
        },
        |p| format!("{} runs, more: {}", p.runs.len(), p.more),
    )?;
    time(
        "runs_list: only walks of pages, first page",
        || {
            Ok(app.runs_list(&RunsListArgs {
                kind: Some(signet_app::api::RunKind::Pages),
                ..RunsListArgs::default()
            })?)
        },
        |p| format!("{} runs", p.runs.len()),
    )?;
    let id = all
        .runs
        .first()
        .map(|r| r.run_id.clone())
        .ok_or("no runs")?;
    time(
        "run_get: the newest run whole",
        || Ok(app.run_get(&id)?),
        |_| "read".into(),
    )?;
    println!(
        "memory (RSS) after opening {} MiB, after these {} MiB",
        rss / 1024,
        support::rss_kib().unwrap_or(0) / 1024
    );
    Ok(())
}
