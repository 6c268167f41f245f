//! `signet://callback?...` links, however they arrive (the OS starting the app with one, a
//! second launch handing its arguments over D-Bus or the local socket, the in-app window):
//! each is handed to the run whose request token it names, or refused with a plain reason in a
//! `deep-link-refused` event. Nothing here panics on what a link contains.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

use tauri::{AppHandle, Manager, Runtime};

use crate::state::AppExt;

/// The scheme Signet registers.
pub const SCHEME: &str = "signet";

/// The socket a running Signet listens on for links from a second launch that could not use
/// the session bus; it lives in the data directory, beside the database it guards.
pub const SOCKET_NAME: &str = "signet.sock";

/// Whether `arg` is a link for Signet.
pub fn is_signet_link(arg: &str) -> bool {
    arg.get(..SCHEME.len() + 1)
        .is_some_and(|s| s.eq_ignore_ascii_case("signet:"))
}

pub use signet_app::Routed;

/// Hands `url` to the run waiting for it, or refuses it (the app emits `deep-link-refused`).
pub fn handle<R: Runtime>(app: &AppHandle<R>, url: &str) -> Routed {
    focus_main(app);
    app.signet().route_link(url)
}

/// Brings the wizard to the front.
pub fn focus_main<R: Runtime>(app: &AppHandle<R>) {
    if let Some(w) = app.get_webview_window("main") {
        let _ = w.unminimize();
        let _ = w.show();
        let _ = w.set_focus();
    }
}

/// The socket's path in `data_dir`.
pub fn socket_path(data_dir: &Path) -> PathBuf {
    data_dir.join(SOCKET_NAME)
}

/// Listens on the data directory's socket for links from second launches (one line each; an
/// empty line just brings the window forward).
pub fn listen<R: Runtime>(app: AppHandle<R>, data_dir: &Path) -> std::io::Result<()> {
    let path = socket_path(data_dir);
    // We hold the database lock, so a socket left here is a dead instance's.
    let _ = std::fs::remove_file(&path);
    let listener = UnixListener::bind(&path)?;
    std::thread::Builder::new()
        .name("signet-link-socket".into())
        .spawn(move || {
            for stream in listener.incoming().flatten() {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                let mut line = String::new();
                let mut reader = BufReader::new(&stream);
                if reader.read_line(&mut line).is_err() {
                    continue;
                }
                let url = line.trim();
                let answer = if url.is_empty() {
                    focus_main(&app);
                    "ok\n".to_owned()
                } else {
                    match handle(&app, url) {
                        Routed::Delivered(run) => format!("delivered {run}\n"),
                        Routed::Refused(reason) => format!("refused {reason}\n"),
                    }
                };
                let _ = (&stream).write_all(answer.as_bytes());
            }
        })?;
    Ok(())
}

/// From a second launch: hands `url` (or nothing, to focus) to the running instance over the
/// socket; its answer line.
pub fn forward(data_dir: &Path, url: Option<&str>) -> std::io::Result<String> {
    let mut stream = UnixStream::connect(socket_path(data_dir))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.write_all(format!("{}\n", url.unwrap_or("")).as_bytes())?;
    let mut answer = String::new();
    BufReader::new(&stream).read_line(&mut answer)?;
    Ok(answer.trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifiers_are_left_out_of_excerpts() {
        assert_eq!(
            signet_app::link_excerpt("signet://callback?oauth_token=abc&oauth_verifier=s3cret"),
            "signet://callback?oauth_token=abc&oauth_verifier=<redacted>"
        );
    }

    #[test]
    fn only_signet_links_are_ours() {
        assert!(is_signet_link("signet://callback?x=1"));
        assert!(is_signet_link("SIGNET://callback"));
        assert!(!is_signet_link("https://example.com"));
        assert!(!is_signet_link("sig"));
    }
}
