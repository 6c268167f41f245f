//! The loopback listener (RFC 8252-style, for OAuth 1.0a): the address the callback names
//! (`127.0.0.1`, `[::1]`, or both for `localhost`), a chosen or random port, one path. It
//! answers the browser's redirect with a short page telling the user to go back to Signet,
//! answers anything else (a favicon, a stray tab, a guessed path) with 404, and hands the
//! redirect's full URL to the flow. It lives for one run and is closed when dropped.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::error::{Error, Result};

/// The page the browser shows after the redirect.
pub const DONE_PAGE: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Signet</title>\
<style>body{font-family:system-ui,sans-serif;margin:4rem auto;max-width:32rem;text-align:center;color:#222}</style>\
</head><body><h1>You can return to Signet</h1><p>Signet received the provider's answer. You can close this tab.</p></body></html>";

const NOT_FOUND_PAGE: &str = "<!doctype html><title>Not found</title><p>Signet is waiting for the provider's redirect on another path.</p>";

/// How long one browser connection may take to send its request.
const REQUEST_READ_TIMEOUT: Duration = Duration::from_secs(5);
/// The largest request head read.
const MAX_HEAD: usize = 16 * 1024;

/// A listener on the loopback address for one callback path.
#[derive(Debug)]
pub struct LoopbackListener {
    listeners: Vec<TcpListener>,
    host: String,
    port: u16,
    path: String,
}

impl LoopbackListener {
    /// Binds `host:port` (0: a free port) for `path` (`/callback`): `127.0.0.1` binds IPv4,
    /// `[::1]` IPv6, `localhost` both (the browser may resolve it to either; IPv6 is skipped
    /// where the system has none).
    pub async fn bind(host: &str, port: u16, path: &str) -> Result<Self> {
        let v4 = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let v6 = SocketAddr::from((Ipv6Addr::LOCALHOST, port));
        let bind = |addr: SocketAddr| async move {
            TcpListener::bind(addr)
                .await
                .map_err(|source| Error::LoopbackBind { addr, source })
        };
        let mut listeners = Vec::new();
        match host {
            "[::1]" => listeners.push(bind(v6).await?),
            "localhost" => {
                let first = bind(v4).await?;
                let port = first
                    .local_addr()
                    .map_err(|source| Error::LoopbackBind { addr: v4, source })?
                    .port();
                listeners.push(first);
                // The same port on IPv6, when the system has it.
                if let Ok(l) =
                    TcpListener::bind(SocketAddr::from((Ipv6Addr::LOCALHOST, port))).await
                {
                    listeners.push(l);
                }
            }
            _ => listeners.push(bind(v4).await?),
        }
        let port = listeners[0]
            .local_addr()
            .map_err(|source| Error::LoopbackBind { addr: v4, source })?
            .port();
        let path = if path.is_empty() {
            "/".to_owned()
        } else if path.starts_with('/') {
            path.to_owned()
        } else {
            format!("/{path}")
        };
        Ok(Self {
            listeners,
            host: host.to_owned(),
            port,
            path,
        })
    }

    /// The port bound.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://HOST:PORT/PATH`, the `oauth_callback` value.
    pub fn callback_url(&self) -> String {
        format!("http://{}:{}{}", self.host, self.port, self.path)
    }

    /// Waits for the browser to request the callback path, answers it, and returns the full
    /// URL it requested. Other paths get a 404 and the wait goes on. `None` on timeout.
    pub async fn next_callback(&self, timeout: Duration) -> Result<Option<String>> {
        match tokio::time::timeout(timeout, self.accept_callback()).await {
            Ok(r) => r.map(Some),
            Err(_) => Ok(None),
        }
    }

    async fn accept_callback(&self) -> Result<String> {
        loop {
            let accepted = match self.listeners.as_slice() {
                [a, b, ..] => tokio::select! {
                    r = a.accept() => r,
                    r = b.accept() => r,
                },
                [one] => one.accept().await,
                [] => return Err(Error::Loopback(std::io::ErrorKind::NotConnected.into())),
            };
            let (stream, _) = accepted.map_err(Error::Loopback)?;
            // A broken or slow connection is the browser's problem, not the run's.
            if let Ok(Some(url)) = self.serve(stream).await {
                return Ok(url);
            }
        }
    }

    async fn serve(&self, mut stream: TcpStream) -> std::io::Result<Option<String>> {
        let head = match tokio::time::timeout(REQUEST_READ_TIMEOUT, read_head(&mut stream)).await {
            Ok(head) => head?,
            Err(_) => return Ok(None),
        };
        let mut parts = head.lines().next().unwrap_or("").split_whitespace();
        let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        let path = target.split(['?', '#']).next().unwrap_or("");
        if method == "GET" && path == self.path {
            respond(&mut stream, "200 OK", DONE_PAGE).await?;
            return Ok(Some(format!("http://{}:{}{target}", self.host, self.port)));
        }
        respond(&mut stream, "404 Not Found", NOT_FOUND_PAGE).await?;
        Ok(None)
    }
}

async fn read_head(stream: &mut TcpStream) -> std::io::Result<String> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
        if buf.windows(4).any(|w| w == b"\r\n\r\n") || buf.len() >= MAX_HEAD {
            break;
        }
    }
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

async fn respond(stream: &mut TcpStream, status: &str, body: &str) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await?;
    stream.write_all(body.as_bytes()).await?;
    stream.shutdown().await
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn get(port: u16, target: &str) -> (String, String) {
        let mut s = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        s.write_all(format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").as_bytes())
            .await
            .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).await.unwrap();
        let (head, body) = out.split_once("\r\n\r\n").unwrap();
        (head.lines().next().unwrap().to_owned(), body.to_owned())
    }

    #[tokio::test]
    async fn catches_the_callback_and_ignores_other_paths() {
        let l = LoopbackListener::bind("127.0.0.1", 0, "callback")
            .await
            .unwrap();
        let port = l.port();
        assert_eq!(
            l.callback_url(),
            format!("http://127.0.0.1:{port}/callback")
        );
        let browser = tokio::spawn(async move {
            let favicon = get(port, "/favicon.ico").await;
            let cb = get(port, "/callback?oauth_token=t&oauth_verifier=v").await;
            (favicon, cb)
        });
        let url = l.next_callback(Duration::from_secs(5)).await.unwrap();
        assert_eq!(
            url.as_deref(),
            Some(
                format!("http://127.0.0.1:{port}/callback?oauth_token=t&oauth_verifier=v").as_str()
            )
        );
        let (favicon, cb) = browser.await.unwrap();
        assert_eq!(favicon.0, "HTTP/1.1 404 Not Found");
        assert_eq!(cb.0, "HTTP/1.1 200 OK");
        assert!(cb.1.contains("You can return to Signet"));
    }

    #[tokio::test]
    async fn localhost_listens_on_both_families_and_names_itself_as_advertised() {
        let l = LoopbackListener::bind("localhost", 0, "/cb/code")
            .await
            .unwrap();
        let port = l.port();
        assert_eq!(l.callback_url(), format!("http://localhost:{port}/cb/code"));
        let v6 = std::net::TcpStream::connect(("::1", port)).is_ok();
        let browser = tokio::spawn(async move { get(port, "/cb/code?oauth_verifier=v").await });
        let url = l.next_callback(Duration::from_secs(5)).await.unwrap();
        assert_eq!(
            url.as_deref(),
            Some(format!("http://localhost:{port}/cb/code?oauth_verifier=v").as_str())
        );
        assert_eq!(browser.await.unwrap().0, "HTTP/1.1 200 OK");
        // Where the system has IPv6, [::1] reaches the same listener.
        if let Ok(v6l) = LoopbackListener::bind("[::1]", 0, "/x").await {
            assert!(v6l.callback_url().starts_with("http://[::1]:"));
            assert!(v6, "localhost listens on [::1] too where the system has it");
        }
    }

    #[tokio::test]
    async fn times_out_without_a_callback() {
        let l = LoopbackListener::bind("127.0.0.1", 0, "/cb").await.unwrap();
        assert_eq!(
            l.next_callback(Duration::from_millis(50)).await.unwrap(),
            None
        );
    }

    #[tokio::test]
    async fn a_taken_port_is_a_clear_error() {
        let l = LoopbackListener::bind("127.0.0.1", 0, "/cb").await.unwrap();
        let e = LoopbackListener::bind("127.0.0.1", l.port(), "/cb")
            .await
            .unwrap_err();
        assert_eq!(e.kind(), "loopback_bind");
        assert!(e.to_string().starts_with(&format!(
            "could not listen for the callback on 127.0.0.1:{}",
            l.port()
        )));
    }
}
