//! The provider's HTML: the sign-in form, the consent page, the PIN page and friendly error
//! pages. Self-contained (inline CSS, no scripts, no external assets) and served with a strict
//! Content-Security-Policy.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// No scripts, no external loads, no framing; inline styles only. `form-action` is left open
/// on purpose: the consent form's answer is a redirect to the consumer's callback
/// (`signet://`, a loopback port), which browsers check against `form-action`.
pub(crate) const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; frame-ancestors 'none'";

const STYLE: &str = r#"
:root { color-scheme: light dark; --fg:#1d2330; --muted:#5b6475; --bg:#eef1f6; --card:#fff; --line:#d6dbe4; --accent:#2456c8; --accent-fg:#fff; --bad:#b3261e; }
@media (prefers-color-scheme: dark) { :root { --fg:#e6e9ef; --muted:#a3abbb; --bg:#151922; --card:#1f2430; --line:#343b4a; --accent:#6d9bff; --accent-fg:#0b1020; --bad:#ff8a80; } }
* { box-sizing: border-box; }
body { margin:0; min-height:100vh; display:flex; align-items:center; justify-content:center; background:var(--bg); color:var(--fg); font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif; padding:1.5rem; }
main { background:var(--card); border:1px solid var(--line); border-radius:14px; padding:2rem; width:100%; max-width:30rem; box-shadow:0 8px 30px rgba(0,0,0,.08); }
.brand { font-size:.8rem; letter-spacing:.08em; text-transform:uppercase; color:var(--muted); margin:0 0 .75rem; }
h1 { font-size:1.4rem; margin:0 0 .75rem; line-height:1.25; }
p { margin:.5rem 0; } .muted { color:var(--muted); font-size:.9rem; }
label { display:block; font-weight:600; margin:1rem 0 .3rem; }
input[type=text],input[type=password] { width:100%; padding:.65rem .75rem; font:inherit; color:inherit; background:transparent; border:1px solid var(--line); border-radius:8px; }
input:focus,button:focus { outline:3px solid var(--accent); outline-offset:2px; }
.actions { display:flex; gap:.75rem; margin-top:1.5rem; }
button { flex:1; padding:.7rem 1rem; font:inherit; font-weight:600; border-radius:8px; border:1px solid var(--line); background:transparent; color:inherit; cursor:pointer; }
button.primary { background:var(--accent); border-color:var(--accent); color:var(--accent-fg); }
ul { padding-left:1.2rem; margin:.5rem 0; } code { font-family:ui-monospace,"DejaVu Sans Mono",monospace; font-size:.9em; }
.error { color:var(--bad); font-weight:600; }
.pin { font:700 2.6rem/1.2 ui-monospace,"DejaVu Sans Mono",monospace; letter-spacing:.2em; text-align:center; padding:1rem; margin:1rem 0; border:2px dashed var(--line); border-radius:10px; user-select:all; }
table { border-collapse:collapse; width:100%; font-size:.9rem; } td { padding:.3rem .4rem; border-top:1px solid var(--line); vertical-align:top; }
"#;

/// Escapes text for HTML element content and attribute values.
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A whole page around `body` (already HTML), with the security headers.
pub(crate) fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"referrer\" content=\"no-referrer\">\
         <title>{title} · Signet Demo Provider</title><style>{STYLE}</style></head>\
         <body><main><p class=\"brand\">Signet Demo Provider</p>{body}</main></body></html>\n",
        title = esc(title),
    );
    let mut resp = (status, html).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    resp
}

/// The sign-in form (first half of the interactive consent).
pub(crate) fn login(status: StatusCode, app: &str, token: &str, error: Option<&str>) -> Response {
    let error = error
        .map(|e| {
            format!(
                "<p class=\"error\" role=\"alert\" id=\"error\">{}</p>",
                esc(e)
            )
        })
        .unwrap_or_default();
    page(
        status,
        "Sign in",
        &format!(
            "<h1>Sign in to continue to {app}</h1>\
             <p class=\"muted\"><strong>{app}</strong> wants to connect to your account. \
             Sign in first; you will then be asked to allow or deny it.</p>{error}\
             <form method=\"post\" action=\"/oauth/authorize\">\
             <input type=\"hidden\" name=\"oauth_token\" value=\"{token}\">\
             <label for=\"username\">Username</label>\
             <input type=\"text\" id=\"username\" name=\"username\" autocomplete=\"username\" autofocus required>\
             <label for=\"password\">Password</label>\
             <input type=\"password\" id=\"password\" name=\"password\" autocomplete=\"current-password\" required>\
             <div class=\"actions\"><button class=\"primary\" type=\"submit\" id=\"sign-in\">Sign in</button></div>\
             </form>\
             <p class=\"muted\">Demo users: <code>alice</code> / <code>wonderland</code>, \
             <code>bob</code> / <code>builder</code>.</p>",
            app = esc(app),
            token = esc(token),
        ),
    )
}

/// The consent page: who asks, for what, and Allow / Deny.
pub(crate) fn consent(
    app: &str,
    consumer_key: &str,
    display_name: &str,
    token: &str,
    ticket: &str,
    callback: &str,
) -> Response {
    let destination = if callback == "oob" {
        "You will be shown a PIN to copy into the application.".to_owned()
    } else {
        format!(
            "You will then be sent back to <code>{}</code>.",
            esc(callback)
        )
    };
    page(
        StatusCode::OK,
        "Allow access?",
        &format!(
            "<h1>Allow {app} to use your account?</h1>\
             <p>Signed in as <strong>{user}</strong>.</p>\
             <p><strong>{app}</strong> <span class=\"muted\">(consumer key <code>{key}</code>)</span> \
             is asking to:</p>\
             <ul><li>read your profile (name and username)</li>\
             <li>make requests to the demo API on your behalf</li></ul>\
             <p class=\"muted\">It will not see your password. {destination}</p>\
             <form method=\"post\" action=\"/oauth/authorize\">\
             <input type=\"hidden\" name=\"oauth_token\" value=\"{token}\">\
             <input type=\"hidden\" name=\"ticket\" value=\"{ticket}\">\
             <div class=\"actions\">\
             <button type=\"submit\" name=\"decision\" value=\"deny\" id=\"deny\">Deny</button>\
             <button class=\"primary\" type=\"submit\" name=\"decision\" value=\"allow\" id=\"allow\">Allow</button>\
             </div></form>",
            app = esc(app),
            user = esc(display_name),
            key = esc(consumer_key),
            token = esc(token),
            ticket = esc(ticket),
        ),
    )
}

/// The out-of-band result: the verifier as a PIN, in `#pin`.
pub(crate) fn pin(app: &str, pin: &str) -> Response {
    page(
        StatusCode::OK,
        "Your PIN",
        &format!(
            "<h1>Access allowed</h1>\
             <p>Copy this PIN into <strong>{app}</strong> to finish connecting:</p>\
             <div class=\"pin\" id=\"pin\">{pin}</div>\
             <p class=\"muted\">The PIN works once, for this connection only. You can close this page afterwards.</p>",
            app = esc(app),
            pin = esc(pin),
        ),
    )
}

/// The out-of-band denial.
pub(crate) fn denied(app: &str) -> Response {
    page(
        StatusCode::OK,
        "Access denied",
        &format!(
            "<h1 id=\"denied\">You denied access</h1>\
             <p><strong>{app}</strong> was not connected to your account. You can close this page \
             and tell the application you declined.</p>",
            app = esc(app),
        ),
    )
}

/// A human-readable error page (`#error` holds the reason).
pub(crate) fn error(status: StatusCode, title: &str, reason: &str) -> Response {
    page(
        status,
        title,
        &format!(
            "<h1>{title}</h1><p class=\"error\" id=\"error\">{reason}</p>",
            title = esc(title),
            reason = esc(reason),
        ),
    )
}

/// The `html_error` fault: a maintenance page where a token response was expected.
pub(crate) fn maintenance() -> Response {
    page(
        StatusCode::OK,
        "Down for maintenance",
        "<h1>We'll be right back</h1>\
         <p>The service is down for scheduled maintenance. Please try again later.</p>\
         <p class=\"muted\">(This is the demo provider's <code>html_error</code> fault: a web page \
         where a token response belongs, as a captive portal or a misconfigured proxy sends.)</p>",
    )
}

/// The start page: endpoints and demo credentials.
pub(crate) fn index(base: &str) -> Response {
    let row = |name: &str, value: &str| {
        format!(
            "<tr><td>{}</td><td><code>{}</code></td></tr>",
            esc(name),
            esc(value)
        )
    };
    let mut rows = String::new();
    for (n, p) in [
        ("Request token", "/oauth/request_token"),
        ("Authorize", "/oauth/authorize"),
        ("Access token", "/oauth/access_token"),
        ("Profile (GET)", "/api/me"),
        ("Echo (GET, POST, PUT)", "/api/echo"),
        (
            "Orders, paged (GET; every style under /api/paged/)",
            "/api/paged/offset",
        ),
        ("Faults (GET, PUT JSON)", "/_signet/faults"),
    ] {
        rows.push_str(&row(n, &format!("{base}{p}")));
    }
    let mut creds = String::new();
    creds.push_str(&row(
        "HMAC-* / PLAINTEXT",
        &format!(
            "{} / {}",
            crate::config::demo::CONSUMER_KEY,
            crate::config::demo::CONSUMER_SECRET
        ),
    ));
    creds.push_str(&row(
        "RSA-*",
        &format!(
            "{} (private key: crates/provider/keys/rsa-private.pem)",
            crate::config::demo::RSA_CONSUMER_KEY
        ),
    ));
    for (u, p, _) in crate::config::demo::USERS {
        creds.push_str(&row("user", &format!("{u} / {p}")));
    }
    page(
        StatusCode::OK,
        "Demo provider",
        &format!(
            "<h1>A strict OAuth 1.0a provider, on your machine</h1>\
             <p class=\"muted\">Every request is verified: signature, timestamp window, nonce, \
             token kind and verifier.</p><table>{rows}</table>\
             <p><strong>Demo credentials</strong> (throwaway values, safe to show)</p><table>{creds}</table>"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
