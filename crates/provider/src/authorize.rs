//! Steps 4, 6 and 7: the user signs in, allows or denies, and is sent back to the consumer's
//! callback (or shown a PIN for `oob`).
//!
//! Interactively, `GET /oauth/authorize?oauth_token=…` shows the sign-in form, which posts
//! `username` and `password`; the consent page then posts `ticket` and `decision`. A test or
//! script can do both at once: one `POST /oauth/authorize` with `oauth_token`, `username`,
//! `password` and `decision=allow|deny` answers exactly as the consent page does.

use std::sync::Arc;

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use signet_oauth1::Secret;
use signet_oauth1::encoding::encode;

use crate::pages;
use crate::state::{AppState, Grant, Login, RequestToken, random_pin, random_token};

type Shared = Arc<AppState>;

/// The authorize page's query.
#[derive(Debug, Deserialize)]
pub(crate) struct Show {
    oauth_token: Option<String>,
}

/// What the sign-in and consent forms post.
#[derive(Debug, Deserialize)]
pub(crate) struct Submit {
    oauth_token: Option<String>,
    username: Option<String>,
    password: Option<String>,
    ticket: Option<String>,
    decision: Option<String>,
}

/// Why the authorize page cannot go on: a page to show instead.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Refusal {
    status: StatusCode,
    title: &'static str,
    reason: &'static str,
}

impl Refusal {
    const fn bad(title: &'static str, reason: &'static str) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            title,
            reason,
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        pages::error(self.status, self.title, self.reason)
    }
}

/// Finds a request token that is still waiting for the user's decision.
fn pending(s: &AppState, token: Option<&str>) -> Result<(String, RequestToken), Refusal> {
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return Err(Refusal::bad(
            "Missing request token",
            "This page needs ?oauth_token=… from the request-token step. Start the connection again from the application.",
        ));
    };
    let mem = s.memory();
    let Some(rt) = mem.request_tokens.get(token) else {
        return Err(Refusal::bad(
            "Unknown request token",
            "This provider never issued that request token (or it restarted since). Start the connection again from the application.",
        ));
    };
    if rt.issued.elapsed() > s.config.request_token_ttl {
        return Err(Refusal::bad(
            "This link has expired",
            "The request token is too old. Start the connection again from the application.",
        ));
    }
    if !matches!(rt.grant, Grant::Pending { .. }) {
        return Err(Refusal::bad(
            "Already decided",
            "Access for this request token was already allowed or denied. Start the connection again from the application.",
        ));
    }
    Ok((token.to_owned(), rt.clone()))
}

fn app_name(s: &AppState, consumer_key: &str) -> String {
    s.config
        .consumers
        .iter()
        .find(|c| c.key == consumer_key)
        .map_or_else(|| consumer_key.to_owned(), |c| c.name.clone())
}

/// `GET /oauth/authorize`: the sign-in form.
pub(crate) async fn show(
    State(s): State<Shared>,
    Query(query): Query<Vec<(String, String)>>,
) -> Response {
    let q = Show {
        oauth_token: query
            .iter()
            .find(|(k, _)| k == "oauth_token")
            .map(|(_, v)| v.clone()),
    };
    record_params(&s, q.oauth_token.as_deref(), &query);
    match pending(&s, q.oauth_token.as_deref()) {
        Ok((token, rt)) => pages::login(
            StatusCode::OK,
            &app_name(&s, &rt.consumer_key),
            &token,
            None,
        ),
        Err(refusal) => refusal.into_response(),
    }
}

/// Keeps the authorize URL's query with the request token, for quirk profiles to check.
fn record_params(s: &AppState, token: Option<&str>, query: &[(String, String)]) {
    let (Some(token), false) = (token, query.is_empty()) else {
        return;
    };
    if let Some(rt) = s.memory().request_tokens.get_mut(token) {
        for (k, v) in query {
            if k != "oauth_token" && !rt.authorize_params.iter().any(|(n, _)| n == k) {
                rt.authorize_params.push((k.clone(), v.clone()));
            }
        }
    }
}

/// The first parameter rule `params` break: (name, why).
pub(crate) fn broken_param(
    rules: &[crate::profile::ParamRule],
    params: &[(String, String)],
) -> Option<(String, String)> {
    for r in rules {
        match params
            .iter()
            .find(|(k, _)| *k == r.name)
            .map(|(_, v)| v.as_str())
        {
            None | Some("") if r.required => {
                return Some((r.name.clone(), format!("{} is required", r.name)));
            }
            Some(v)
                if !v.is_empty() && !r.choices.is_empty() && !r.choices.iter().any(|c| c == v) =>
            {
                return Some((
                    r.name.clone(),
                    format!("{}={v} is not one of {}", r.name, r.choices.join(", ")),
                ));
            }
            _ => {}
        }
    }
    None
}

/// Refuses the authorisation: back to the callback with the provider's problem report, or
/// an error page when there is nowhere to send the user.
fn refuse(
    s: &AppState,
    token: &str,
    callback: &str,
    fields: Vec<(String, String)>,
    reason: &str,
) -> Response {
    if let Some(rt) = s.memory().request_tokens.get_mut(token) {
        rt.grant = Grant::Denied;
    }
    if callback == "oob" || callback.is_empty() {
        return pages::error(StatusCode::BAD_REQUEST, "Cannot authorise", reason);
    }
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    redirect(callback, &pairs)
}

fn form_fields(body: &str) -> Vec<(String, String)> {
    signet_oauth1::parameters::split_pairs(body)
        .map(|(k, v)| {
            (
                signet_oauth1::encoding::lossy(&signet_oauth1::encoding::form_decode(k))
                    .into_owned(),
                signet_oauth1::encoding::lossy(&signet_oauth1::encoding::form_decode(v))
                    .into_owned(),
            )
        })
        .collect()
}

/// A quirk profile's authorize rules: where the callback comes from, and the required
/// parameters. `Ok(callback)` or the refusal to answer with.
fn profile_authorize(
    s: &AppState,
    token: &str,
    rt: &RequestToken,
) -> Result<String, Box<Response>> {
    let Some(profile) = &s.config.profile else {
        return Ok(rt.callback.clone());
    };
    let params = s
        .memory()
        .request_tokens
        .get(token)
        .map(|r| r.authorize_params.clone())
        .unwrap_or_default();
    let callback = if profile.callback_on_authorize_url {
        // A callback from the authorize URL is checked like one from the request-token call:
        // the profile's rules, then the consumer's registration.
        let registered = |cb: &str| {
            s.config
                .consumers
                .iter()
                .find(|c| c.key == rt.consumer_key)
                .is_some_and(|c| c.accepts_callback(cb))
        };
        match params.iter().find(|(k, _)| k == "oauth_callback") {
            Some((_, cb))
                if profile
                    .callback
                    .as_ref()
                    .is_none_or(|p| p.check(cb).is_ok())
                    && registered(cb) =>
            {
                cb.clone()
            }
            _ => {
                let reason = match params.iter().find(|(k, _)| k == "oauth_callback") {
                    Some((_, cb)) => format!(
                        "{} does not accept the callback {cb:?} on the authorize URL: it must be one registered for this consumer",
                        profile.name
                    ),
                    None => format!(
                        "{} reads the callback from the authorize URL: add oauth_callback to it",
                        profile.name
                    ),
                };
                let fields = match profile.error(signet_presets::Trigger::CallbackRejected) {
                    Some(b) => form_fields(&b.body),
                    None => vec![
                        ("oauth_problem".into(), "parameter_absent".into()),
                        ("oauth_parameters_absent".into(), "oauth_callback".into()),
                        ("oauth_problem_advice".into(), reason.clone()),
                    ],
                };
                return Err(Box::new(refuse(s, token, &rt.callback, fields, &reason)));
            }
        }
    } else {
        rt.callback.clone()
    };
    if let Some((name, why)) = broken_param(&profile.authorize_params, &params) {
        let reason = format!("{}: {why}", profile.name);
        let fields = match profile.error(signet_presets::Trigger::ParamMissing) {
            Some(b) if !b.body.trim_start().starts_with(['{', '<']) => form_fields(&b.body),
            _ => vec![
                ("oauth_problem".into(), "parameter_absent".into()),
                ("oauth_parameters_absent".into(), name),
                ("oauth_problem_advice".into(), reason.clone()),
            ],
        };
        return Err(Box::new(refuse(s, token, &callback, fields, &reason)));
    }
    Ok(callback)
}

/// `POST /oauth/authorize`: sign-in, consent, or both at once.
pub(crate) async fn submit(
    State(s): State<Shared>,
    Query(query): Query<Vec<(String, String)>>,
    Form(f): Form<Submit>,
) -> Response {
    record_params(&s, f.oauth_token.as_deref(), &query);
    let (token, rt) = match pending(&s, f.oauth_token.as_deref()) {
        Ok(found) => found,
        Err(refusal) => return refusal.into_response(),
    };
    let app = app_name(&s, &rt.consumer_key);

    // Who is deciding: a ticket from the consent page, or a username and password.
    let username = if let Some(ticket) = f.ticket.as_deref() {
        match &rt.grant {
            Grant::Pending { login: Some(l) } if l.ticket == Secret::new(ticket) => {
                l.username.clone()
            }
            _ => {
                return pages::error(
                    StatusCode::FORBIDDEN,
                    "Please sign in again",
                    "The consent form is out of date. Open the authorize link again and sign in.",
                );
            }
        }
    } else {
        let (Some(user), Some(password)) = (f.username.as_deref(), f.password.as_deref()) else {
            return pages::login(
                StatusCode::BAD_REQUEST,
                &app,
                &token,
                Some("Enter your username and password."),
            );
        };
        let known = s
            .config
            .users
            .iter()
            .find(|u| u.username == user && u.password == Secret::new(password));
        let Some(known) = known else {
            return pages::login(
                StatusCode::UNAUTHORIZED,
                &app,
                &token,
                Some("Wrong username or password."),
            );
        };
        if f.decision.is_none() {
            let ticket = random_token(32);
            if let Some(rt) = s.memory().request_tokens.get_mut(&token) {
                rt.grant = Grant::Pending {
                    login: Some(Login {
                        username: known.username.clone(),
                        ticket: ticket.as_str().into(),
                    }),
                };
            }
            return pages::consent(
                &app,
                &rt.consumer_key,
                &known.display_name,
                &token,
                &ticket,
                &rt.callback,
            );
        }
        known.username.clone()
    };

    let callback = match profile_authorize(&s, &token, &rt) {
        Ok(cb) => cb,
        Err(refusal) => return *refusal,
    };
    let allow = match f.decision.as_deref() {
        Some("allow") => true,
        Some("deny") => false,
        other => {
            return pages::error(
                StatusCode::BAD_REQUEST,
                "Unknown decision",
                &format!(
                    "decision must be allow or deny, not {:?}",
                    other.unwrap_or("")
                ),
            );
        }
    };
    let faults = s.faults();
    let allow = allow && !faults.deny;
    let oob = callback == "oob";
    let digits = s
        .config
        .profile
        .as_ref()
        .and_then(|p| p.pin_digits)
        .map_or(8, usize::from);

    let verifier = if oob {
        random_pin(digits)
    } else {
        random_token(24)
    };
    {
        let mut mem = s.memory();
        let Some(entry) = mem.request_tokens.get_mut(&token) else {
            return pages::error(
                StatusCode::BAD_REQUEST,
                "Unknown request token",
                "The request token vanished; start again.",
            );
        };
        if !matches!(entry.grant, Grant::Pending { .. }) {
            return pages::error(
                StatusCode::BAD_REQUEST,
                "Already decided",
                "Access for this request token was already allowed or denied.",
            );
        }
        entry.grant = if allow {
            Grant::Authorized {
                username,
                verifier: verifier.as_str().into(),
            }
        } else {
            Grant::Denied
        };
    }

    match (allow, oob) {
        (true, true) => pages::pin(&app, &verifier),
        (false, true) => pages::denied(&app),
        (true, false) => {
            let sent_token = if faults.wrong_token_in_redirect {
                random_token(32)
            } else {
                token
            };
            redirect(
                &callback,
                &[("oauth_token", &sent_token), ("oauth_verifier", &verifier)],
            )
        }
        (false, false) => redirect(&callback, &[("denied", &token)]),
    }
}

/// Appends parameters to a callback, keeping its own query and fragment.
pub(crate) fn callback_url(callback: &str, params: &[(&str, &str)]) -> String {
    let (before, fragment) = match callback.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (callback, None),
    };
    let mut url = before.to_owned();
    let sep = if !url.contains('?') {
        "?"
    } else if url.ends_with(['?', '&']) {
        ""
    } else {
        "&"
    };
    url.push_str(sep);
    let query = params
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    url.push_str(&query);
    if let Some(f) = fragment {
        url.push('#');
        url.push_str(f);
    }
    url
}

fn redirect(callback: &str, params: &[(&str, &str)]) -> Response {
    let url = callback_url(callback, params);
    let mut resp = StatusCode::FOUND.into_response();
    let h = resp.headers_mut();
    match HeaderValue::from_str(&url) {
        Ok(v) => {
            h.insert(header::LOCATION, v);
        }
        Err(_) => {
            return pages::error(
                StatusCode::BAD_REQUEST,
                "Unusable callback",
                "The registered callback cannot be used in a redirect.",
            );
        }
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callback_keeps_its_query_and_fragment() {
        let p = [("oauth_token", "t"), ("oauth_verifier", "v w")];
        assert_eq!(
            callback_url("signet://callback", &p),
            "signet://callback?oauth_token=t&oauth_verifier=v%20w"
        );
        assert_eq!(
            callback_url("http://127.0.0.1:9/cb?state=1#top", &p),
            "http://127.0.0.1:9/cb?state=1&oauth_token=t&oauth_verifier=v%20w#top"
        );
        assert_eq!(
            callback_url("http://localhost/cb?", &p),
            "http://localhost/cb?oauth_token=t&oauth_verifier=v%20w"
        );
    }
}
