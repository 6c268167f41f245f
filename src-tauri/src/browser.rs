//! Opens the provider's consent page (step 6): a command from `$SIGNET_BROWSER` or `$BROWSER`
//! when set (tests point it at a stand-in), else the system browser through the opener
//! plugin, or, with `SIGNET_AUTH_WINDOW=1`, a window inside the app for demos.

use signet_engine::{Browser, CommandBrowser, Error, SystemBrowser};
use tauri::webview::WebviewWindowBuilder;
use tauri::{AppHandle, Manager, Runtime, WebviewUrl};
use tauri_plugin_opener::OpenerExt;

/// The label of the in-app authorization window.
pub const AUTH_WINDOW: &str = "authorize";

/// The app's browser.
pub struct AppBrowser<R: Runtime>(pub AppHandle<R>);

impl<R: Runtime> Browser for AppBrowser<R> {
    fn open(&self, url: &str) -> signet_engine::Result<()> {
        if let Some(cmd) = std::env::var("SIGNET_BROWSER")
            .ok()
            .filter(|c| !c.trim().is_empty())
        {
            return CommandBrowser(cmd).open(url);
        }
        if std::env::var("SIGNET_AUTH_WINDOW").is_ok_and(|v| v == "1") {
            return open_in_app(&self.0, url);
        }
        if std::env::var("BROWSER").is_ok_and(|v| !v.trim().is_empty()) {
            return SystemBrowser.open(url);
        }
        self.0
            .opener()
            .open_url(url, None::<&str>)
            .map_err(|e| Error::Browser {
                command: "the system browser".into(),
                reason: e.to_string(),
            })
    }
}

/// Shows the consent page in a window of the app; the provider's `signet://` redirect is
/// caught before the webview tries to follow it, and handed over like any deep link.
fn open_in_app<R: Runtime>(app: &AppHandle<R>, url: &str) -> signet_engine::Result<()> {
    let err = |reason: String| Error::Browser {
        command: "the in-app window".into(),
        reason,
    };
    let parsed: tauri::Url = url.parse().map_err(|e| err(format!("{e}")))?;
    if let Some(old) = app.get_webview_window(AUTH_WINDOW) {
        let _ = old.close();
    }
    let handle = app.clone();
    WebviewWindowBuilder::new(app, AUTH_WINDOW, WebviewUrl::External(parsed))
        .title("Signet — authorise at the provider")
        .inner_size(720.0, 640.0)
        .on_navigation(move |to| {
            if to.scheme() != "signet" {
                return true;
            }
            crate::deep_link::handle(&handle, to.as_str());
            let h = handle.clone();
            tauri::async_runtime::spawn(async move {
                if let Some(w) = h.get_webview_window(AUTH_WINDOW) {
                    let _ = w.close();
                }
            });
            false
        })
        .build()
        .map(|_| ())
        .map_err(|e| err(e.to_string()))
}
