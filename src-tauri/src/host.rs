//! The shell as `signet_app`'s host: events go to the webview (refused links held until the UI
//! listens), consent pages open through [`crate::browser::AppBrowser`].

use std::sync::Arc;

use signet_app::api::{
    EVENT_APP_CRASHED, EVENT_AUDIT_PROGRESS, EVENT_DEEP_LINK_REFUSED, EVENT_FLOW_SNAPSHOT,
    EVENT_PAGES_PROGRESS,
};
use signet_app::{Event, Host};
use signet_engine::Browser;
use tauri::{AppHandle, Emitter, Runtime};
use tauri_plugin_opener::OpenerExt;

use crate::state::AppExt;

/// The Tauri app as a host.
pub struct ShellHost<R: Runtime>(pub AppHandle<R>);

impl<R: Runtime> Host for ShellHost<R> {
    fn emit(&self, event: Event) {
        let sent = match event {
            Event::FlowSnapshot(e) => self.0.emit(EVENT_FLOW_SNAPSHOT, e),
            Event::DeepLinkRefused(e) => {
                eprintln!("signet: refused {}: {}", e.url_excerpt, e.reason);
                match self.0.shell().links.hold_or_pass(e) {
                    Some(e) => self.0.emit(EVENT_DEEP_LINK_REFUSED, e),
                    None => Ok(()),
                }
            }
            Event::Crashed(e) => self.0.emit(EVENT_APP_CRASHED, e),
            Event::PagesProgress(e) => self.0.emit(EVENT_PAGES_PROGRESS, e),
            Event::AuditProgress(e) => self.0.emit(EVENT_AUDIT_PROGRESS, e),
        };
        if let Err(e) = sent {
            eprintln!("signet: cannot emit an event: {e}");
        }
    }

    fn browser(&self) -> Arc<dyn Browser> {
        Arc::new(crate::browser::AppBrowser(self.0.clone()))
    }

    fn show_file(&self, path: &std::path::Path, reveal: bool) -> Result<(), String> {
        let opener = self.0.opener();
        if reveal {
            opener.reveal_item_in_dir(path)
        } else {
            opener.open_path(path.display().to_string(), None::<&str>)
        }
        .map_err(|e| e.to_string())
    }

    /// GTK's clipboard, set on the main thread (WebKitGTK offers the page none).
    #[cfg(target_os = "linux")]
    fn copy_text(&self, text: &str) -> Result<(), String> {
        let text = text.to_owned();
        self.0
            .run_on_main_thread(move || {
                let clipboard = gtk::Clipboard::get(&gtk::gdk::SELECTION_CLIPBOARD);
                clipboard.set_text(&text);
                clipboard.store();
            })
            .map_err(|e| e.to_string())
    }
}

/// The UI listens now: the refused links held until then go out.
pub fn ui_listens<R: Runtime>(app: &AppHandle<R>) {
    for event in app.shell().links.release() {
        let _ = app.emit(EVENT_DEEP_LINK_REFUSED, event);
    }
}
