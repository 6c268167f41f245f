//! The CLI as `signet_app`'s host: flow snapshots go to the printer over a channel, consent
//! pages open with `--browser CMD`, `$BROWSER` or the system opener. The app runs over the real
//! database, or over a throwaway one for a run that saves nothing.

use std::path::Path;
use std::sync::Arc;

use signet_app::{App, Event, Host, Settings};
use signet_engine::{Browser, CommandBrowser, SystemBrowser};
use signet_store::{KeyringChoice, OpenOptions, Store};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use crate::exit::{Exit, Failure};

/// Where the CLI's events go, and how it opens the consent page.
pub struct CliHost {
    events: UnboundedSender<Event>,
    browser: Option<String>,
}

impl Host for CliHost {
    fn emit(&self, event: Event) {
        let _ = self.events.send(event);
    }

    fn browser(&self) -> Arc<dyn Browser> {
        match &self.browser {
            Some(cmd) => Arc::new(CommandBrowser(cmd.clone())),
            None => Arc::new(SystemBrowser),
        }
    }
}

/// An app and the events it emits. Keep `_scratch` alive while the app is used.
pub struct CliApp {
    /// The use cases.
    pub app: App,
    /// What the app emitted.
    pub events: UnboundedReceiver<Event>,
    /// The throwaway data directory, for a run that saves nothing.
    pub _scratch: Option<tempfile::TempDir>,
}

/// A store error as a failure with its exit code.
pub fn store_failure(e: signet_store::Error) -> Failure {
    Failure::report(&e.report())
}

/// Opens the database (`--data-dir`, else `$SIGNET_DATA_DIR`, else the XDG data directory).
/// One that cannot be opened is told as the desktop app's recovery window tells it, with the
/// command to run (`signet database move-aside`, say).
pub fn open_store(data_dir: Option<&Path>) -> Result<Store, Failure> {
    let options = OpenOptions::from_env(data_dir).map_err(store_failure)?;
    signet_app::startup::open_store(&options)
        .map_err(|r| crate::database::problem_failure(r.problem()))
}

fn make(
    store: Store,
    browser: Option<String>,
    settings: Settings,
) -> Result<(App, UnboundedReceiver<Event>), Failure> {
    let (tx, rx) = unbounded_channel();
    let host = Arc::new(CliHost {
        events: tx,
        browser,
    });
    let app = App::new(store, host, tokio::runtime::Handle::current(), settings)?;
    Ok((app, rx))
}

/// The app over the user's database.
pub fn open(
    data_dir: Option<&Path>,
    browser: Option<String>,
    settings: Settings,
) -> Result<CliApp, Failure> {
    let (app, events) = make(open_store(data_dir)?, browser, settings)?;
    Ok(CliApp {
        app,
        events,
        _scratch: None,
    })
}

/// The app over a throwaway database: a run that saves nothing.
pub fn scratch(browser: Option<String>, settings: Settings) -> Result<CliApp, Failure> {
    let dir = tempfile::tempdir().map_err(|e| Failure {
        exit: Exit::Internal,
        message: format!("cannot make a temporary directory: {e}"),
        hint: None,
    })?;
    let store = Store::open(
        &OpenOptions::new(dir.path())
            .keyring(KeyringChoice::File)
            .without_system_keyring(),
    )
    .map_err(store_failure)?;
    let (app, events) = make(store, browser, settings)?;
    Ok(CliApp {
        app,
        events,
        _scratch: Some(dir),
    })
}

/// The connector called `name` (or a usage failure listing what exists), with the instance
/// called `instance` (its first when `None`).
pub fn find(
    app: &App,
    name: &str,
    instance: Option<&str>,
) -> Result<signet_app::api::ConnectorView, Failure> {
    let store = app.store();
    let Some(c) = store.connector_by_name(name).map_err(store_failure)? else {
        let names: Vec<String> = store
            .list_connectors()
            .unwrap_or_default()
            .into_iter()
            .map(|c| c.name().to_owned())
            .collect();
        return Err(Failure::usage(
            format!("no connector called {name:?}"),
            if names.is_empty() {
                "save one first with `signet connectors add` or `signet flow --save-as NAME`"
                    .to_owned()
            } else {
                format!("saved connectors: {}", names.join(", "))
            },
        ));
    };
    let instance_id = match instance {
        None => None,
        Some(want) => {
            let all = store.instances_of(c.id).map_err(store_failure)?;
            match all
                .iter()
                .find(|i| i.name.eq_ignore_ascii_case(want.trim()))
            {
                Some(i) => Some(i.id.to_string()),
                None => {
                    let names: Vec<&str> = all.iter().map(|i| i.name.as_str()).collect();
                    return Err(Failure::usage(
                        format!("connector {name:?} has no instance (token) called {want:?}"),
                        format!("its instances: {}", names.join(", ")),
                    ));
                }
            }
        }
    };
    Ok(app.connector_get(&c.id.to_string(), instance_id.as_deref())?)
}
