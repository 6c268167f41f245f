//! What the shell keeps while it runs: Signet's use cases (`signet_app::App`), made once the
//! Tauri runtime exists, and the `deep-link-refused` events held until the UI listens. Reached
//! through [`AppExt`] (`app.signet()`), as the plugins' own `…Ext` traits are.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};

use signet_app::App;
use signet_app::api::DeepLinkRefusedEvent;
use tauri::{Manager, Runtime};

/// The shell's state, managed by Tauri.
#[derive(Default)]
pub struct AppState {
    app: OnceLock<App>,
    /// `deep-link-refused` events waiting for the UI to listen.
    pub links: HeldLinks,
}

impl AppState {
    /// Keeps the app (once, in `setup`).
    pub fn set(&self, app: App) {
        let _ = self.app.set(app);
    }

    /// The app; set in `setup`, before any command or link can arrive.
    pub fn app(&self) -> &App {
        self.app
            .get()
            .expect("the app is made in setup, before commands run")
    }
}

/// `app.signet()` on anything that reaches the Tauri app.
pub trait AppExt<R: Runtime> {
    /// The shell's state.
    fn shell(&self) -> &AppState;
    /// Signet's use cases.
    fn signet(&self) -> &App {
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
