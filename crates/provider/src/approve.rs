//! Drives the consent page without a browser: sign in and decide in one request, as a test or
//! the CLI's test browser does.

use reqwest::StatusCode;
use reqwest::header::LOCATION;
use serde::Serialize;
use signet_oauth1::encoding::{form_decode, lossy};
use signet_oauth1::parameters::split_pairs;

use crate::error::{Error, Result};

/// What the consent page answered.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ApproveOutcome {
    /// The redirect to the consumer's callback (`Location`), for callback flows.
    pub redirect: Option<String>,
    /// The PIN shown for `oob` flows when the user allowed access.
    pub pin: Option<String>,
    /// Whether the answer was a denial (a `denied=` redirect or the "you denied" page).
    pub denied: bool,
}

/// Signs in as `username` and allows (or denies) the request token in `authorize_url`
/// (`…/oauth/authorize?oauth_token=…`), without following the redirect.
pub async fn approve(
    authorize_url: &str,
    username: &str,
    password: &str,
    allow: bool,
) -> Result<ApproveOutcome> {
    let (_, query) = authorize_url
        .split_once('?')
        .ok_or_else(|| Error::NoTokenInAuthorizeUrl(authorize_url.to_owned()))?;
    let token = split_pairs(query.split('#').next().unwrap_or(""))
        .find(|(k, _)| *k == "oauth_token")
        .map(|(_, v)| lossy(&form_decode(v)).into_owned())
        .filter(|t| !t.is_empty())
        .ok_or_else(|| Error::NoTokenInAuthorizeUrl(authorize_url.to_owned()))?;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(TIMEOUT)
        .build()?;
    // The whole authorize URL (its extra parameters included) reaches the provider, as a
    // browser's would; only the fragment stays behind.
    let target = authorize_url.split('#').next().unwrap_or(authorize_url);
    let resp = client
        .post(target)
        .form(&[
            ("oauth_token", token.as_str()),
            ("username", username),
            ("password", password),
            ("decision", if allow { "allow" } else { "deny" }),
        ])
        .send()
        .await?;
    let status = resp.status();
    if status.is_redirection() {
        let location = resp
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let Some(location) = location else {
            return Err(Error::Approve {
                status: status.as_u16(),
                reason: "a redirect without a Location header".into(),
            });
        };
        let denied = location
            .split_once('?')
            .is_some_and(|(_, q)| split_pairs(q).any(|(k, _)| k == "denied"));
        return Ok(ApproveOutcome {
            redirect: Some(location),
            pin: None,
            denied,
        });
    }
    let body = read_page(resp).await?;
    if status != StatusCode::OK {
        return Err(Error::Approve {
            status: status.as_u16(),
            reason: element_text(&body, "error").unwrap_or_else(|| "no reason given".into()),
        });
    }
    if let Some(pin) = element_text(&body, "pin") {
        return Ok(ApproveOutcome {
            pin: Some(pin),
            ..ApproveOutcome::default()
        });
    }
    if body.contains("id=\"denied\"") {
        return Ok(ApproveOutcome {
            denied: true,
            ..ApproveOutcome::default()
        });
    }
    Err(Error::Approve {
        status: status.as_u16(),
        reason: "the page is neither a redirect, a PIN nor a denial".into(),
    })
}

/// How long the consent page may take to connect, and to answer in all.
const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);
const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// The most of a consent page read (the demo provider's are a few KiB).
pub const MAX_PAGE_BYTES: usize = 1024 * 1024;

/// The page's text, refused past [`MAX_PAGE_BYTES`] (read in chunks, never all at once).
async fn read_page(mut resp: reqwest::Response) -> Result<String> {
    let status = resp.status().as_u16();
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await? {
        if body.len() + chunk.len() > MAX_PAGE_BYTES {
            return Err(Error::Approve {
                status,
                reason: format!(
                    "the page is larger than {} KiB: not the demo provider's consent page",
                    MAX_PAGE_BYTES / 1024
                ),
            });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(String::from_utf8_lossy(&body).into_owned())
}

/// The text of the element with `id` (the provider's own pages only: no nesting, escaped text).
fn element_text(html: &str, id: &str) -> Option<String> {
    let marker = format!("id=\"{id}\"");
    let start = html.find(&marker)?;
    let after = &html[start..];
    let open_end = after.find('>')? + 1;
    let text = &after[open_end..];
    let text = &text[..text.find('<')?];
    Some(
        text.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&")
            .trim()
            .to_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_element_text_by_id() {
        let html = r#"<div class="pin" id="pin">12345678</div><p id="error">a &amp; b</p>"#;
        assert_eq!(element_text(html, "pin").as_deref(), Some("12345678"));
        assert_eq!(element_text(html, "error").as_deref(), Some("a & b"));
        assert_eq!(element_text(html, "none"), None);
    }

    /// A page that never ends is refused once it passes the cap, not read into memory whole.
    #[tokio::test]
    async fn a_page_past_the_cap_is_refused() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (mut sock, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 4096];
            let _ = sock.read(&mut buf).await;
            let _ = sock
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ntransfer-encoding: chunked\r\n\r\n")
                .await;
            let chunk = format!("{:x}\r\n{}\r\n", 64 * 1024, "x".repeat(64 * 1024));
            // Endless: the reader has to stop it.
            while sock.write_all(chunk.as_bytes()).await.is_ok() {}
        });
        let url = format!("http://{addr}/oauth/authorize?oauth_token=t");
        let e = approve(&url, "alice", "wonderland", true)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("larger than 1024 KiB"), "{e}");
    }
}
