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
    let body = resp.text().await?;
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
}
