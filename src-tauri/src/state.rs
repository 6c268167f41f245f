//! What the app keeps while it runs: the store, the runs in progress, the demo provider and
//! the deep links held until the UI listens. Reached through [`AppExt`] (`app.store()`,
//! `app.flows()`), as the plugins' own `…Ext` traits are.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use signet_engine::{Engine, Inbox, Run};
use signet_ipc::{DeepLinkRefusedEvent, FlowMode, RunId, Snapshot};
use signet_provider::RunningProvider;
use signet_store::Store;
use tauri::{Manager, Runtime};

/// The app's state, managed by Tauri.
pub struct AppState {
    store: Arc<Store>,
    flows: Flows,
    /// The built-in demo provider, once started.
    pub demo: tokio::sync::Mutex<Option<RunningProvider>>,
    /// `deep-link-refused` events waiting for the UI to listen.
    pub links: HeldLinks,
}

impl AppState {
    /// State around an open store.
    pub fn new(store: Store) -> Self {
        Self {
            store: Arc::new(store),
            flows: Flows::default(),
            demo: tokio::sync::Mutex::new(None),
            links: HeldLinks::default(),
        }
    }
}

/// `app.store()`, `app.flows()`, `app.signet()` on anything that reaches the app.
pub trait AppExt<R: Runtime> {
    /// The whole state.
    fn signet(&self) -> &AppState;
    /// The database.
    fn store(&self) -> &Store {
        &self.signet().store
    }
    /// The runs this session started.
    fn flows(&self) -> &Flows {
        &self.signet().flows
    }
}

impl<R: Runtime, M: Manager<R>> AppExt<R> for M {
    fn signet(&self) -> &AppState {
        self.state::<AppState>().inner()
    }
}

/// One run started in this session.
pub struct FlowEntry {
    /// The id the UI knows it by.
    pub id: RunId,
    /// The saved connector it runs, `None` for an unsaved draft.
    pub connector_id: Option<signet_store::ConnectorId>,
    /// Its store record, for saved connectors.
    pub record: Mutex<Option<signet_store::RunRecord>>,
    /// The connector's (or draft's) name.
    pub name: String,
    /// The flow mode.
    pub mode: FlowMode,
    /// When it started (ms since the epoch).
    pub started_ms: u64,
    /// Where deep links, PINs and cancellations go while the engine drives it.
    pub inbox: Inbox,
    /// The latest snapshot and when the run ended.
    pub latest: Mutex<Latest>,
    /// The engine and the run; locked while a task drives it.
    pub driver: tokio::sync::Mutex<(Engine, Run)>,
}

/// What the UI last saw of a run.
#[derive(Debug, Clone)]
pub struct Latest {
    /// The snapshot.
    pub snapshot: Snapshot,
    /// When it ended, if it has.
    pub finished_ms: Option<u64>,
}

impl FlowEntry {
    /// The latest state, locked.
    pub fn latest(&self) -> MutexGuard<'_, Latest> {
        self.latest.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether a task is driving the run right now.
    pub fn is_driving(&self) -> bool {
        self.driver.try_lock().is_err()
    }
}

/// The runs of this session, by id.
#[derive(Default)]
pub struct Flows {
    runs: Mutex<HashMap<RunId, Arc<FlowEntry>>>,
    seq: AtomicU64,
}

impl Flows {
    fn map(&self) -> MutexGuard<'_, HashMap<RunId, Arc<FlowEntry>>> {
        self.runs.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A fresh id for an unsaved draft's run.
    pub fn next_draft_id(&self) -> RunId {
        format!("draft-{}", self.seq.fetch_add(1, Ordering::Relaxed) + 1)
    }

    /// Keeps a run.
    pub fn insert(&self, entry: Arc<FlowEntry>) {
        self.map().insert(entry.id.clone(), entry);
    }

    /// The run `id`, if this session started it.
    pub fn get(&self, id: &str) -> Option<Arc<FlowEntry>> {
        self.map().get(id).cloned()
    }

    /// Every run of this session.
    pub fn all(&self) -> Vec<Arc<FlowEntry>> {
        self.map().values().cloned().collect()
    }
}

/// `deep-link-refused` events that arrived before the UI listened (a link the app was started
/// with, say). The UI listens before its first `connectors_list`, so that call releases them.
#[derive(Default)]
pub struct HeldLinks {
    ready: AtomicBool,
    held: Mutex<Vec<DeepLinkRefusedEvent>>,
}

impl HeldLinks {
    /// Holds `event` if the UI is not listening yet; gives it back to emit otherwise.
    pub fn hold_or_pass(&self, event: DeepLinkRefusedEvent) -> Option<DeepLinkRefusedEvent> {
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        if self.ready.load(Ordering::SeqCst) {
            Some(event)
        } else {
            held.push(event);
            None
        }
    }

    /// The UI listens now: every held event, to emit.
    pub fn release(&self) -> Vec<DeepLinkRefusedEvent> {
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        self.ready.store(true, Ordering::SeqCst);
        std::mem::take(&mut *held)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(reason: &str) -> DeepLinkRefusedEvent {
        DeepLinkRefusedEvent {
            url_excerpt: "signet://callback".into(),
            reason: reason.into(),
        }
    }

    #[test]
    fn links_before_the_ui_listens_are_held_then_released_once() {
        let links = HeldLinks::default();
        assert!(links.hold_or_pass(refused("early")).is_none());
        assert_eq!(links.release(), vec![refused("early")]);
        assert!(links.release().is_empty());
        assert_eq!(links.hold_or_pass(refused("late")), Some(refused("late")));
    }
}
