//! What the shell keeps while it runs: Signet's use cases (`signet_app::App`), made once the
//! Tauri runtime exists, and the `deep-link-refused` events held until the UI listens. Reached
//! through [`AppExt`] (`app.signet()`), as the plugins' own `…Ext` traits are.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock};

use signet_app::api::DeepLinkRefusedEvent;
use signet_app::startup::Recovery;
use signet_app::{App, AppError};
use signet_oauth1::ErrorKind;
use tauri::{Manager, Runtime};

/// The shell's state, managed by Tauri.
#[derive(Default)]
pub struct AppState {
    app: OnceLock<App>,
    /// Why the database could not be opened, while the recovery window shows it.
    recovery: Mutex<Option<Recovery>>,
    /// `deep-link-refused` events waiting for the UI to listen.
    pub links: HeldLinks,
    /// Whether the link socket listens once the database is open (not in the mock-runtime
    /// tests).
    pub link_socket: bool,
}

impl AppState {
    /// The state of an app whose database is not open yet.
    pub fn new(link_socket: bool) -> Self {
        Self {
            link_socket,
            ..Self::default()
        }
    }

    /// Keeps the app (once: at start, or when the recovery window opened the database).
    pub fn set(&self, app: App) {
        let _ = self.app.set(app);
        *self.recovery() = None;
    }

    /// Keeps what the recovery window needs (the database could not be opened).
    pub fn set_recovery(&self, recovery: Recovery) {
        *self.recovery() = Some(recovery);
    }

    /// What the recovery window works on; `None` once the database is open.
    pub fn recovery(&self) -> MutexGuard<'_, Option<Recovery>> {
        self.recovery.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The app, once the database is open.
    pub fn app(&self) -> Result<&App, AppError> {
        self.app.get().ok_or_else(|| {
            let why = self
                .recovery()
                .as_ref()
                .map(|r| r.problem().message.clone())
                .unwrap_or_else(|| "Signet is still starting".to_owned());
            AppError::new(
                ErrorKind::DatabaseUnavailable,
                format!("Signet's database is not open: {why}"),
            )
            .hint("choose Retry or Move it aside in the window that says what happened")
        })
    }
}

/// `app.signet()` on anything that reaches the Tauri app.
pub trait AppExt<R: Runtime> {
    /// The shell's state.
    fn shell(&self) -> &AppState;
    /// Signet's use cases, once the database is open.
    fn signet(&self) -> Result<&App, AppError> {
        self.shell().app()
    }
}

impl<R: Runtime, M: Manager<R>> AppExt<R> for M {
    fn shell(&self) -> &AppState {
        self.state::<AppState>().inner()
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
