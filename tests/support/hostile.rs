//! A misbehaving provider for the hostile-provider suite (`headless/hostile.rs`): a raw TCP
//! server on 127.0.0.1 that answers each request by the first segment of its path — the
//! behaviour — with whatever a broken or malicious provider might send: wrong and missing
//! fields, wrong encodings and content types, non-UTF-8 and multi-byte text, huge, truncated,
//! stalled and never-ending bodies, resets, redirects to other origins, odd status codes, odd
//! `Date` and `WWW-Authenticate` headers, enormous parameter lists. `/ok/...` answers a good
//! request-token response (token [`GOOD_TOKEN`]), for the legs after it.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The request token `/ok/...` issues.
pub const GOOD_TOKEN: &str = "hostile-request-token";

/// The access token `/once/...` issues the first time (later calls are refused).
pub const GOOD_ACCESS_TOKEN: &str = "hostile-access-token";

/// Its secret: it must never be found in the data directory in clear.
pub const GOOD_ACCESS_SECRET: &str = "TOPSECRET-hostile-9c1f";

static ONCE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// What the server does with one request.
pub enum Act {
    /// Writes these bytes and closes.
    Raw(Vec<u8>),
    /// Writes the head, then never another byte.
    Stall(Vec<u8>),
    /// Writes the head, then chunks forever.
    Endless(Vec<u8>),
    /// Closes the connection without a byte.
    Reset,
}

/// A response with a status line, headers and a body (Content-Length added).
pub fn response(status: &str, headers: &[(&str, &[u8])], body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\n").into_bytes();
    for (k, v) in headers {
        out.extend_from_slice(k.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(v);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(
        format!(
            "content-length: {}\r\nconnection: close\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(body);
    out
}

fn form(status: &str, body: &str) -> Act {
    Act::Raw(response(
        status,
        &[("content-type", b"application/x-www-form-urlencoded")],
        body.as_bytes(),
    ))
}

fn typed(status: &str, content_type: &str, body: &[u8]) -> Act {
    Act::Raw(response(
        status,
        &[("content-type", content_type.as_bytes())],
        body,
    ))
}

/// A good request-token answer.
pub fn good_request_token() -> String {
    format!(
        "oauth_token={GOOD_TOKEN}&oauth_token_secret=hostile-secret&oauth_callback_confirmed=true"
    )
}

/// The behaviour named `name` (the first path segment), or `None` for an unknown one.
pub fn act(name: &str) -> Option<Act> {
    let big_params: String = (0..100_000).map(|i| format!("a{i}={i}&")).collect();
    Some(match name {
        "ok" => form("200 OK", &good_request_token()),
        // A good access token the first time, a refusal in multi-byte text after.
        "once" if !ONCE.swap(true, std::sync::atomic::Ordering::SeqCst) => form(
            "200 OK",
            &format!(
                "oauth_token={GOOD_ACCESS_TOKEN}&oauth_token_secret={GOOD_ACCESS_SECRET}&user_id=7&oauth_session_handle=handle-2b7e"
            ),
        ),
        "once" => return act("multibyte-401"),
        "multibyte-401" => typed(
            "401 Unauthorized",
            "text/plain; charset=utf-8",
            "signature_invalid: expected base string é&http%3A%2F%2F127.0.0.1 but got something else".as_bytes(),
        ),
        "problem-401" => form(
            "401 Unauthorized",
            "oauth_problem=signature_invalid&oauth_problem_advice=the%20signature%20does%20not%20match",
        ),
        "parameter-absent" => form(
            "400 Bad Request",
            "oauth_problem=parameter_absent&oauth_parameters_absent=oauth_callback",
        ),
        "empty-200" => form("200 OK", ""),
        "html-200" => typed(
            "200 OK",
            "text/html",
            b"<!doctype html><html><body><h1>Sign in to the Wi-Fi</h1></body></html>",
        ),
        "json-error-200" => typed(
            "200 OK",
            "application/json",
            br#"{"errors":[{"code":32,"message":"Could not authenticate you."}]}"#,
        ),
        "missing-secret" => form("200 OK", "oauth_token=t&oauth_callback_confirmed=true"),
        "missing-token" => form("200 OK", "oauth_token_secret=s&oauth_callback_confirmed=true"),
        "not-confirmed" => form("200 OK", "oauth_token=t&oauth_token_secret=s"),
        "confirmed-false" => form(
            "200 OK",
            "oauth_token=t&oauth_token_secret=s&oauth_callback_confirmed=false",
        ),
        "latin1" => typed(
            "401 Unauthorized",
            "text/plain; charset=iso-8859-1",
            b"signature_invalid: caf\xe9 cr\xe8me br\xfbl\xe9e",
        ),
        "utf16" => typed(
            "200 OK",
            "application/x-www-form-urlencoded; charset=utf-16",
            &[0xFF, 0xFE, b'o', 0, b'a', 0, b'u', 0, b't', 0, b'h', 0, b'=', 0, b'x', 0],
        ),
        "binary-200" => typed("200 OK", "application/octet-stream", &[0, 159, 146, 150, 0, 255, 254, 0, 1, 2, 3]),
        "huge" => Act::Raw(response(
            "200 OK",
            &[("content-type", b"text/plain")],
            &vec![b'x'; 12 * 1024 * 1024],
        )),
        "endless" => Act::Endless(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ntransfer-encoding: chunked\r\n\r\n".to_vec(),
        ),
        "truncated" => {
            let mut r = b"HTTP/1.1 200 OK\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: 500\r\n\r\n".to_vec();
            r.extend_from_slice(b"oauth_token=t&oauth_to");
            Act::Raw(r)
        }
        "stall" => Act::Stall(Vec::new()),
        "stall-body" => Act::Stall(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 100\r\n\r\noauth_token=".to_vec(),
        ),
        "reset" => Act::Reset,
        "redirect-other" => Act::Raw(response(
            "302 Found",
            &[("location", b"http://evil.example/steal")],
            b"",
        )),
        "redirect-same" => Act::Raw(response("307 Temporary Redirect", &[("location", b"/ok/x")], b"")),
        "no-content-204" => Act::Raw(b"HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n".to_vec()),
        "teapot-418" => typed("418 I'm a teapot", "text/plain", b"I am a teapot"),
        "status-599" => typed("599 Network Connect Timeout", "text/plain", b"upstream timed out"),
        "status-999" => Act::Raw(b"HTTP/1.1 999 Whatever\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".to_vec()),
        "server-error-html" => typed(
            "500 Internal Server Error",
            "text/html",
            b"<html><body><h1>500</h1><p>NullPointerException at OAuthFilter.java:42</p></body></html>",
        ),
        "unavailable-503" => Act::Raw(response(
            "503 Service Unavailable",
            &[("retry-after", b"120"), ("content-type", b"text/plain")],
            b"maintenance",
        )),
        "www-auth-odd" => Act::Raw(response(
            "401 Unauthorized",
            &[("www-authenticate", "OAuth realm=\"caf\u{e9}\", oauth_problem=\"signature_invalid".as_bytes())],
            b"",
        )),
        "www-auth-huge" => Act::Raw(response(
            "401 Unauthorized",
            &[("www-authenticate", format!("OAuth realm=\"{}\"", "r".repeat(60_000)).as_bytes())],
            b"",
        )),
        "date-garbage" => Act::Raw(response(
            "401 Unauthorized",
            &[("date", b"yesterday, around lunch"), ("content-type", b"application/x-www-form-urlencoded")],
            b"oauth_problem=timestamp_refused",
        )),
        "date-far-future" => Act::Raw(response(
            "401 Unauthorized",
            &[("date", b"Fri, 31 Dec 9999 23:59:59 GMT"), ("content-type", b"application/x-www-form-urlencoded")],
            b"oauth_problem=timestamp_refused",
        )),
        "date-1900" => Act::Raw(response(
            "401 Unauthorized",
            &[("date", b"Mon, 01 Jan 1900 00:00:00 GMT"), ("content-type", b"application/x-www-form-urlencoded")],
            b"oauth_problem=timestamp_refused",
        )),
        "timestamps-extreme" => form(
            "401 Unauthorized",
            "oauth_problem=timestamp_refused&oauth_acceptable_timestamps=-9223372036854775808-9223372036854775807",
        ),
        "content-type-lies" => typed("200 OK", "application/json", good_request_token().as_bytes()),
        "enormous-params" => form("200 OK", &format!("{big_params}{}", good_request_token())),
        "many-params" => form(
            "200 OK",
            &format!(
                "{}{}",
                (0..40_000).map(|i| format!("a{i}={i}&")).collect::<String>(),
                good_request_token()
            ),
        ),
        "debug-sbs-huge" => form(
            "401 Unauthorized",
            &format!(
                "oauth_problem=signature_invalid&debug_sbs=POST%26http%253A%252F%252F127.0.0.1%252Fx%26{}",
                (0..50_000).map(|i| format!("b{i}%253D{i}%2526")).collect::<String>()
            ),
        ),
        "duplicate-fields" => form(
            "200 OK",
            "oauth_token=a&oauth_token=b&oauth_token_secret=s&oauth_callback_confirmed=true",
        ),
        "header-bytes" => Act::Raw(response(
            "401 Unauthorized",
            &[("x-reason", b"\xff\xfe bad \x80 bytes"), ("content-type", b"text/plain")],
            b"nope",
        )),
        "gzip-lie" => Act::Raw(response(
            "200 OK",
            &[("content-encoding", b"gzip"), ("content-type", b"application/x-www-form-urlencoded")],
            b"this is not gzip at all",
        )),
        "garbage-status-line" => Act::Raw(b"HELLO THERE\r\n\r\n".to_vec()),
        "json-deep" => typed(
            "500 Internal Server Error",
            "application/json",
            format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)).as_bytes(),
        ),
        "xml-error" => typed(
            "401 Unauthorized",
            "application/xml",
            "<?xml version=\"1.0\"?><error><code>INVALID_LOGIN_ATTEMPT</code><message>Invalid login attempt — caf\u{e9}</message></error>".as_bytes(),
        ),
        _ => return None,
    })
}

/// Starts the server; returns its base URL (`http://127.0.0.1:PORT`).
pub async fn start() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let addr = listener.local_addr().expect("an address");
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            tokio::spawn(serve(sock));
        }
    });
    format!("http://{addr}")
}

async fn serve(mut sock: TcpStream) {
    let mut head = Vec::new();
    let mut buf = [0u8; 8192];
    // The request head (and whatever body came with it).
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 1 << 20 {
        match tokio::time::timeout(Duration::from_secs(10), sock.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => head.extend_from_slice(&buf[..n]),
            _ => return,
        }
    }
    let text = String::from_utf8_lossy(&head);
    let path = text.split_whitespace().nth(1).unwrap_or("/");
    let name = path
        .trim_start_matches('/')
        .split(['/', '?'])
        .next()
        .unwrap_or("");
    let Some(act) = act(name) else {
        let _ = sock
            .write_all(&response("404 Not Found", &[], b"no such behaviour"))
            .await;
        return;
    };
    match act {
        Act::Raw(bytes) => {
            let _ = sock.write_all(&bytes).await;
            let _ = sock.shutdown().await;
        }
        Act::Stall(bytes) => {
            let _ = sock.write_all(&bytes).await;
            tokio::time::sleep(Duration::from_secs(120)).await;
        }
        Act::Endless(bytes) => {
            let _ = sock.write_all(&bytes).await;
            let chunk = format!("{:x}\r\n{}\r\n", 64 * 1024, "x".repeat(64 * 1024));
            while sock.write_all(chunk.as_bytes()).await.is_ok() {}
        }
        Act::Reset => {
            // Closed at once, without an answer.
            drop(sock);
        }
    }
}
