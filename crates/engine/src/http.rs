//! The only place that sends: a reqwest client (rustls) with connect and total timeouts, no
//! redirects followed (a signature covers the exact URL; the flow reports a 3xx as such), and
//! a cap on the response size, read chunk by chunk.

use std::time::{Duration, SystemTime};

use reqwest::redirect::Policy;
use signet_oauth1::flow::{HttpResponse, OutgoingRequest, TransportKind};

use crate::error::{Error, Result};

/// Limits for every request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpSettings {
    /// Time to establish the connection (TCP and TLS).
    pub connect_timeout: Duration,
    /// Time for the whole exchange, body included.
    pub timeout: Duration,
    /// The largest response body accepted, in bytes.
    pub max_response_bytes: usize,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            max_response_bytes: 1024 * 1024,
        }
    }
}

/// A response, or why there is none: what the flow's events need.
pub type Outcome = std::result::Result<Received, Failure>;

/// A response and when it arrived.
#[derive(Debug, Clone)]
pub struct Received {
    /// The response.
    pub response: HttpResponse,
    /// When its headers arrived (for the clock skew).
    pub at: SystemTime,
}

/// Why no response came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// Timeout, connect, too large, redirect, other.
    pub kind: TransportKind,
    /// What happened, without the URL (a query may carry a PLAINTEXT signature).
    pub message: String,
}

/// The HTTP client.
#[derive(Debug, Clone)]
pub struct Http {
    client: reqwest::Client,
    settings: HttpSettings,
}

impl Http {
    /// A client with these limits.
    pub fn new(settings: HttpSettings) -> Result<Self> {
        let client = reqwest::Client::builder()
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.timeout)
            .redirect(Policy::none())
            .user_agent(concat!("Signet/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::HttpClient(e.without_url().to_string()))?;
        Ok(Self { client, settings })
    }

    /// The limits in force.
    pub fn settings(&self) -> HttpSettings {
        self.settings
    }

    /// Sends `req` exactly as signed.
    pub async fn send(&self, req: &OutgoingRequest) -> Outcome {
        let method = reqwest::Method::from_bytes(req.method.as_bytes()).map_err(|_| Failure {
            kind: TransportKind::Other,
            message: format!("{:?} is not a valid http method", req.method),
        })?;
        let mut builder = self.client.request(method.clone(), &req.url);
        for (name, value) in &req.headers {
            builder = builder.header(name, value);
        }
        if let Some(ct) = &req.content_type {
            builder = builder.header(reqwest::header::CONTENT_TYPE, ct);
        }
        match &req.body {
            Some(body) => builder = builder.body(body.clone()),
            // Servers may answer 411 to a bodiless POST without Content-Length: 0.
            None if method != reqwest::Method::GET && method != reqwest::Method::HEAD => {
                builder = builder.body(Vec::new());
            }
            None => {}
        }
        let mut resp = builder.send().await.map_err(failure)?;
        let at = SystemTime::now();
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let max = self.settings.max_response_bytes;
        let too_large = |n: u64| Failure {
            kind: TransportKind::TooLarge,
            message: format!(
                "the response is larger than {} (at least {n} bytes); Signet stopped reading it",
                human_size(max)
            ),
        };
        if let Some(len) = resp.content_length()
            && len > max as u64
        {
            return Err(too_large(len));
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(failure)? {
            if body.len() + chunk.len() > max {
                return Err(too_large((body.len() + chunk.len()) as u64));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Received {
            response: HttpResponse {
                status,
                headers,
                body,
            },
            at,
        })
    }
}

fn failure(e: reqwest::Error) -> Failure {
    let kind = if e.is_timeout() {
        TransportKind::Timeout
    } else if e.is_connect() {
        TransportKind::Connect
    } else if e.is_redirect() {
        TransportKind::Redirect
    } else {
        TransportKind::Other
    };
    let e = e.without_url();
    let mut message = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    Failure { kind, message }
}

fn human_size(bytes: usize) -> String {
    if bytes >= 1024 * 1024 && bytes.is_multiple_of(1024 * 1024) {
        format!("{} MiB", bytes / (1024 * 1024))
    } else if bytes >= 1024 && bytes.is_multiple_of(1024) {
        format!("{} KiB", bytes / 1024)
    } else {
        format!("{bytes} bytes")
    }
}
