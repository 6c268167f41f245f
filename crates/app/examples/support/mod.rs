//! What the figures examples share: an app on a throwaway database whose browser signs in as
//! alice at the demo provider, the ten steps run to the end, and the process's memory.

use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use signet_app::api::{Phase, RunDetail};
use signet_app::{App, Event, Host, Settings};
use signet_engine::Browser;
use signet_store::{KeyringChoice, OpenOptions, Store};

/// Signs in as alice at the demo provider and hands the redirect back like the OS would.
struct Alice(Arc<OnceLock<App>>);

impl Browser for Alice {
    fn open(&self, url: &str) -> signet_engine::Result<()> {
        let (url, app) = (url.to_owned(), self.0.clone());
        tokio::spawn(async move {
            if let Ok(out) = signet_provider::approve(&url, "alice", "wonderland", true).await
                && let (Some(app), Some(redirect)) = (app.get(), out.redirect)
            {
                app.route_link(&redirect);
            }
        });
        Ok(())
    }
}

struct Quiet(Arc<OnceLock<App>>);

impl Host for Quiet {
    fn emit(&self, _: Event) {}
    fn browser(&self) -> Arc<dyn Browser> {
        Arc::new(Alice(self.0.clone()))
    }
}

/// An app on a database in `dir` (a file key, no system keyring), its consent given by alice.
pub fn open_app(dir: &std::path::Path) -> Result<App, Box<dyn std::error::Error>> {
    let store = Store::open(
        &OpenOptions::new(dir)
            .keyring(KeyringChoice::File)
            .without_system_keyring(),
    )?;
    let slot = Arc::new(OnceLock::new());
    let app = App::new(
        store,
        Arc::new(Quiet(slot.clone())),
        tokio::runtime::Handle::current(),
        Settings::default(),
    )?;
    slot.set(app.clone()).ok();
    Ok(app)
}

/// Runs the ten steps for `instance` and waits (at most 20 s) until it is connected.
#[allow(dead_code)] // not every example connects
pub async fn connect(app: &App, instance: &str) -> Result<(), Box<dyn std::error::Error>> {
    let started = app.flow_start(instance).await?;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let RunDetail::Flow { snapshot, .. } = app.run_get(&started.run_id)?.detail {
            match snapshot.phase {
                Phase::Finished => return Ok(()),
                Phase::Failed | Phase::Cancelled => return Err("the demo did not connect".into()),
                _ => {}
            }
        }
        if Instant::now() > deadline {
            return Err("the demo did not connect in time".into());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Starts the demo provider from the app and connects its connector through the ten steps:
/// the connected instance's id.
#[allow(dead_code)] // not every example uses the demo connector as it is
pub async fn connected_demo(app: &App) -> Result<String, Box<dyn std::error::Error>> {
    let demo = app.demo_provider_start().await?;
    let instance = demo
        .connector
        .document
        .instance
        .id
        .clone()
        .ok_or("the demo connector has no instance")?;
    connect(app, &instance).await?;
    Ok(instance)
}

/// The resident set size in KiB, from /proc (Linux).
#[allow(dead_code)] // not every example prints it
pub fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
}

/// The bytes of the files under `path`, at any depth.
#[allow(dead_code)] // not every example prints it
pub fn dir_size(path: &std::path::Path) -> u64 {
    std::fs::read_dir(path)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| match e.metadata() {
                    Ok(m) if m.is_dir() => dir_size(&e.path()),
                    Ok(m) => m.len(),
                    Err(_) => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}
