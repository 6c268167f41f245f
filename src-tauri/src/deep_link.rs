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
    match app.signet() {
        Ok(signet) => signet.route_link(url),
        // The recovery window is up: no connection can be waiting for a link.
        Err(e) => {
            let excerpt = signet_app::link_excerpt(url);
            eprintln!("signet: refused {excerpt}: {}", e.report().message);
            Routed::Refused(e.report().message.clone())
        }
    }
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
    let listener = bind_private(&path)?;
    std::thread::Builder::new()
        .name("signet-link-socket".into())
        .spawn(move || {
            for stream in listener.incoming().flatten() {
                if let Some(line) = read_link_line(&stream) {
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
            }
        })?;
    Ok(())
}

/// A socket at `path` only this user can connect to (0600, in the 0700 data directory; the
/// peer is checked too, see [`read_link_line`]).
fn bind_private(path: &Path) -> std::io::Result<UnixListener> {
    use std::os::unix::fs::PermissionsExt as _;
    let listener = UnixListener::bind(path)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    Ok(listener)
}

/// The most a second launch may send: a link is far shorter.
const MAX_LINE: u64 = 16 * 1024;

/// The line a second launch sent, when it runs as this user and sends one in time and within
/// [`MAX_LINE`]; `None` otherwise (the connection is answered with a refusal, or dropped).
fn read_link_line(stream: &UnixStream) -> Option<String> {
    use std::io::Read as _;
    if !signet_app::process::peer_is_this_user(stream) {
        let _ =
            (&*stream).write_all(b"refused the link socket only takes links from your own user\n");
        return None;
    }
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let mut line = String::new();
    let mut reader = BufReader::new(stream.take(MAX_LINE));
    match reader.read_line(&mut line) {
        Ok(_) if line.ends_with('\n') || (line.len() as u64) < MAX_LINE => Some(line),
        Ok(_) => {
            let _ = (&*stream).write_all(b"refused the line is too long for a link\n");
            None
        }
        Err(_) => None,
    }
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
    fn the_link_socket_reads_one_bounded_line_from_this_user() {
        let (ours, theirs) = UnixStream::pair().unwrap();
        (&theirs).write_all(b"signet://callback?a=1\nmore").unwrap();
        assert_eq!(
            read_link_line(&ours).as_deref(),
            Some("signet://callback?a=1\n")
        );
        // A line longer than any link is refused, not read to its end.
        let (ours, theirs) = UnixStream::pair().unwrap();
        let writer = std::thread::spawn(move || {
            let _ = (&theirs).write_all(&vec![b'a'; 64 * 1024]);
            let mut answer = String::new();
            let _ = BufReader::new(&theirs).read_line(&mut answer);
            answer
        });
        assert_eq!(read_link_line(&ours), None);
        drop(ours);
        assert!(writer.join().unwrap().contains("too long"));
    }

    #[test]
    fn the_socket_is_the_users_alone() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = socket_path(dir.path());
        let _listener = bind_private(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

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
