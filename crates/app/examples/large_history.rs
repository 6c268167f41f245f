//! Writes a large, realistic database for measuring the app at a QA team's scale: 500
//! connectors of 50 endpoints each, every one with consumer credentials and an access token,
//! and 100,000 runs — one connector holding a 10,000-run history, the rest spread over the
//! others. Not a test: a fixture for `MEASURE_LARGE=DIR scripts/measure-desktop.sh` and the
//! scale E2E (`tests/e2e/scale.test.mjs`, 5,000 runs).
//!
//! ```sh
//! cargo run --release -p signet-app --example large_history -- DIR [--connectors 500] \
//!     [--endpoints 50] [--runs 100000] [--busiest 10000]
//! ```
//!
//! The runs are real-sized: the demo provider runs in this process, its connector connects
//! through the ten steps, calls an endpoint, fails a call and walks three pages, and what the
//! app recorded of those (each exchange with its headers and body) is what the runs hold —
//! recorded through the store's own `record_run`, redacted and flushed one by one, as the app
//! records them. `DIR` must not hold a database yet; it is opened with a key file (no system
//! keyring): run the app on it with `SIGNET_DATA_DIR=DIR SIGNET_KEYRING=file`.

mod support;

use std::collections::BTreeMap;
use std::time::Instant;

use signet_app::PagesOptions;
use signet_oauth1::{Secret, TokenResponse};
use signet_store::{ClientSecret, Credentials, NewInstance, NewRun, RunKind, RunRecord, Timestamp};

/// What to write.
struct Size {
    connectors: usize,
    endpoints: usize,
    runs: usize,
    busiest: usize,
}

fn parse(args: &[String]) -> Result<(std::path::PathBuf, Size), String> {
    let usage =
        "usage: large_history DIR [--connectors N] [--endpoints N] [--runs N] [--busiest N]";
    let mut dir = None;
    let mut size = Size {
        connectors: 500,
        endpoints: 50,
        runs: 100_000,
        busiest: 10_000,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut number = |what: &str| -> Result<usize, String> {
            it.next()
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| format!("{what} needs a number\n{usage}"))
        };
        match a.as_str() {
            "--connectors" => size.connectors = number("--connectors")?.max(1),
            "--endpoints" => size.endpoints = number("--endpoints")?.max(1),
            "--runs" => size.runs = number("--runs")?,
            "--busiest" => size.busiest = number("--busiest")?,
            "-h" | "--help" => return Err(usage.into()),
            other if dir.is_none() && !other.starts_with('-') => dir = Some(other.into()),
            other => return Err(format!("unknown argument {other:?}\n{usage}")),
        }
    }
    size.busiest = size.busiest.min(size.runs);
    Ok((dir.ok_or(usage)?, size))
}

/// Names that read like a team's connectors.
const SYSTEMS: &[&str] = &[
    "Ledgerly",
    "Shopline",
    "Tripbook",
    "Parcelio",
    "Stockroom",
    "Payroll Hub",
    "Inkwell CRM",
    "Fleetwise",
    "Bookkeep",
    "Harbor ERP",
    "Ticketdesk",
    "Photoshelf",
];

#[tokio::main(flavor = "multi_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (dir, size) = match parse(&args) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    if dir.join("db").exists() {
        eprintln!(
            "{} already holds a database: give an empty directory",
            dir.display()
        );
        std::process::exit(2);
    }
    std::fs::create_dir_all(&dir)?;
    let started = Instant::now();
    let app = support::open_app(&dir)?;
    let store = app.store();

    // Real runs to copy: the ten steps, a call, a failed call and a walk of three pages.
    let instance = support::connected_demo(&app).await?;
    let none = BTreeMap::new();
    app.endpoint_send(&instance, "orders", &none).await?;
    let missing = BTreeMap::from([("order_id".to_owned(), "5".to_owned())]);
    app.endpoint_send(&instance, "order", &missing).await?;
    app.endpoint_send_pages(
        &instance,
        "orders-offset",
        &none,
        "fixture",
        PagesOptions {
            max_pages: Some(3),
            items_in_events: false,
        },
    )
    .await?;
    let demo_instance: signet_store::InstanceId = instance.parse()?;
    let templates: Vec<RunRecord> = store.runs(demo_instance, 10)?;
    let of = |kind: RunKind| templates.iter().filter(move |r| r.kind == kind);
    let (flow, calls, pages) = (
        of(RunKind::Flow)
            .next()
            .ok_or("no flow run to copy")?
            .clone(),
        of(RunKind::Call).cloned().collect::<Vec<_>>(),
        of(RunKind::Pages).next().ok_or("no walk to copy")?.clone(),
    );
    if calls.len() < 2 {
        return Err("no calls to copy".into());
    }
    let mut definition = store
        .connector(
            store
                .instance(demo_instance)?
                .ok_or("the demo instance is gone")?
                .connector_id,
        )?
        .ok_or("the demo connector is gone")?
        .definition;
    let base = definition.endpoints.clone();
    definition.endpoints = (0..size.endpoints)
        .map(|n| {
            let mut e = base[n % base.len()].clone();
            if n >= base.len() {
                e.id = format!("{}-{}", e.id, n / base.len() + 1);
                e.name = format!("{} ({})", e.name, n / base.len() + 1);
            }
            e
        })
        .collect();
    store.remove_connector(store.instance(demo_instance)?.ok_or("gone")?.connector_id)?;

    // The connectors, each with its instance's credentials and an access token.
    let mut instances = Vec::with_capacity(size.connectors);
    for n in 0..size.connectors {
        let mut d = definition.clone();
        let system = SYSTEMS[n % SYSTEMS.len()];
        d.details.name = format!("{system} {:03}", n + 1);
        d.details.system = system.to_owned();
        d.details.description = format!(
            "{system}'s API for team {}, signed with OAuth 1.0a (HMAC-SHA1).",
            n % 17 + 1
        );
        let (_, i) = store.create_connector(
            d,
            NewInstance {
                name: String::new(),
                values: BTreeMap::new(),
                secrets: BTreeMap::new(),
                credentials: Some(Credentials {
                    consumer_key: signet_provider::config::demo::CONSUMER_KEY.to_owned(),
                    client_secret: ClientSecret::Shared(Secret::new(
                        signet_provider::config::demo::CONSUMER_SECRET,
                    )),
                    token: None,
                }),
            },
        )?;
        store.save_token(
            i.id,
            &TokenResponse {
                token: format!("fixture-token-{n:04}-7Qz3mXc2"),
                token_secret: Secret::new(format!("fixture-secret-{n:04}-k4Jd93f")),
                callback_confirmed: None,
                extra: vec![
                    ("user_id".into(), format!("{}", 350_264 + n)),
                    ("screen_name".into(), "alice".into()),
                ],
            },
            None,
        )?;
        instances.push(i.id);
    }
    let made = started.elapsed();

    // The runs: the busiest connector's among the rest, spread over the others; most are
    // calls, one in eight the ten steps, one in forty a walk of pages. Times go back 90 days,
    // in the order the runs are recorded (as the app records them).
    let others = size.runs - size.busiest;
    let per_other = others.div_ceil(size.connectors.saturating_sub(1).max(1));
    store.set_history_limit(size.busiest.max(per_other).clamp(1, 10_000))?;
    let now = Timestamp::now().millis();
    let span = 90 * 24 * 3600 * 1000_i64;
    let step = span / i64::try_from(size.runs.max(1))?;
    let mut other = 0;
    for n in 0..size.runs {
        // The busiest connector's runs come evenly among the others', in time and in order.
        let busy = size.connectors == 1
            || n * size.busiest / size.runs != (n + 1) * size.busiest / size.runs;
        let instance_id = if busy {
            instances[0]
        } else {
            other += 1;
            instances[1 + (other - 1) % (size.connectors - 1)]
        };
        let template = if n % 40 == 7 {
            &pages
        } else if n % 8 == 0 {
            &flow
        } else {
            &calls[n / 3 % calls.len()]
        };
        let at = now - span + step * i64::try_from(n)?;
        store.record_run(NewRun {
            instance_id,
            kind: template.kind,
            started_at: Timestamp(at),
            finished_at: Some(Timestamp(at + 180)),
            outcome: template.outcome.clone(),
            snapshot: template.snapshot.clone(),
            summary: template.summary.clone(),
        })?;
        if (n + 1) % 10_000 == 0 {
            eprintln!("{} runs, {:.0?}", n + 1, started.elapsed());
        }
    }
    let bytes = support::dir_size(&dir.join("db"));
    println!(
        "{} connectors ({} endpoints each) in {made:.1?}; {} runs ({} in the busiest) in {:.1?}; \
         templates: flow {} B, calls {} B, walk {} B; database {:.1} MiB at {}",
        size.connectors,
        size.endpoints,
        store.run_count(),
        store.runs_of(instances[0])?,
        started.elapsed() - made,
        flow.snapshot.to_string().len(),
        calls[0].snapshot.to_string().len(),
        pages.snapshot.to_string().len(),
        bytes as f64 / 1024.0 / 1024.0,
        dir.display()
    );
    Ok(())
}
