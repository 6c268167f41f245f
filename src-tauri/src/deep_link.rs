//! `signet://callback?...` links, however they arrive (the OS starting the app with one, a
//! second launch handing its arguments over D-Bus or the local socket, the in-app window):
//! each is handed to the run whose request token it names, or refused with a plain reason in a
//! `deep-link-refused` event. Nothing here panics on what a link contains.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

use signet_ipc::{CallbackMode, DeepLinkRefusedEvent, EVENT_DEEP_LINK_REFUSED, Waiting};
use signet_oauth1::callback::Callback;
use signet_oauth1::flow::Event;
use tauri::{AppHandle, Emitter, Manager, Runtime};

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

/// What happened to a link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Routed {
    /// Handed to this run.
    Delivered(String),
    /// Refused for this reason.
    Refused(String),
}

/// Hands `url` to the run waiting for it, or refuses it (emitting `deep-link-refused`).
pub fn handle<R: Runtime>(app: &AppHandle<R>, url: &str) -> Routed {
    focus_main(app);
    let routed = route(app, url);
    if let Routed::Refused(reason) = &routed {
        let event = DeepLinkRefusedEvent {
            url_excerpt: excerpt(url),
            reason: reason.clone(),
        };
        eprintln!("signet: refused {}: {reason}", event.url_excerpt);
        if let Some(event) = app.signet().links.hold_or_pass(event) {
            let _ = app.emit(EVENT_DEEP_LINK_REFUSED, event);
        }
    }
    routed
}

fn route<R: Runtime>(app: &AppHandle<R>, url: &str) -> Routed {
    if !is_signet_link(url) {
        return Routed::Refused("this is not a signet:// link".into());
    }
    let cb = match Callback::parse(url) {
        Ok(cb) => cb,
        Err(e) => {
            return Routed::Refused(format!(
                "Signet cannot read this link ({e}); nothing was changed"
            ));
        }
    };
    let named = cb.token.clone().or_else(|| cb.denied.clone());
    let waiting: Vec<_> = app
        .flows()
        .all()
        .into_iter()
        .filter(|e| {
            let l = e.latest();
            matches!(
                l.snapshot.waiting_for,
                Some(Waiting::Callback {
                    mode: CallbackMode::DeepLink,
                    ..
                })
            )
        })
        .collect();
    if waiting.is_empty() {
        return Routed::Refused(
            "no connection is waiting for a provider's answer right now (the attempt it belongs to was finished, cancelled, or started before Signet was restarted); start the flow again in Signet".into(),
        );
    }
    let found = match &named {
        Some(token) => waiting.into_iter().find(|e| {
            e.latest()
                .snapshot
                .request_token
                .as_ref()
                .is_some_and(|t| &t.token == token)
        }),
        // A provider problem without a token: only unambiguous with one run waiting.
        None if waiting.len() == 1 => waiting.into_iter().next(),
        None => None,
    };
    let Some(entry) = found else {
        return Routed::Refused(
            "this link belongs to another attempt: its request token does not match the one Signet is waiting for (an old browser tab, or a second Connect); finish the newest attempt in the browser, or start again".into(),
        );
    };
    if entry.is_driving() {
        entry.inbox.deep_link(url);
    } else {
        // Waiting again after a timeout: this link moves it on.
        crate::runs::spawn_drive(app.clone(), entry.clone(), Event::Callback(url.to_owned()));
    }
    Routed::Delivered(entry.id.clone())
}

/// The start of the link, with the verifier's value left out.
pub fn excerpt(url: &str) -> String {
    let mut out = String::new();
    for (i, part) in url.split('&').enumerate() {
        if i > 0 {
            out.push('&');
        }
        match part.split_once('=') {
            Some((k, _)) if k.ends_with("oauth_verifier") => {
                out.push_str(k);
                out.push_str("=<redacted>");
            }
            _ => out.push_str(part),
        }
    }
    if out.chars().count() > 120 {
        out = out.chars().take(117).collect::<String>() + "...";
    }
    out
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
            excerpt("signet://callback?oauth_token=abc&oauth_verifier=s3cret"),
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
