//! The HTTP surface: token endpoints, protected resources, the admin endpoint for faults, and
//! the middleware every response passes (the `Date` header, the `slow_ms` fault).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};
use signet_oauth1::encoding::{encode, form_decode, lossy};
use signet_oauth1::parameters::split_pairs;

use crate::authorize;
use crate::check::{Checked, Expect, Problem, Received, Token, check};
use crate::faults::Faults;
use crate::pages;
use crate::state::{AccessToken, AppState, Grant, RequestToken, random_token};

pub(crate) type Shared = Arc<AppState>;

/// Path of the request-token endpoint.
pub const REQUEST_TOKEN_PATH: &str = "/oauth/request_token";
/// Path of the authorize (consent) page.
pub const AUTHORIZE_PATH: &str = "/oauth/authorize";
/// Path of the access-token endpoint.
pub const ACCESS_TOKEN_PATH: &str = "/oauth/access_token";
/// Path of the profile resource.
pub const ME_PATH: &str = "/api/me";
/// Path of the echo resource.
pub const ECHO_PATH: &str = "/api/echo";
/// Path of the fault switches (loopback only).
pub const FAULTS_PATH: &str = "/_signet/faults";

pub(crate) fn router(state: Shared) -> Router {
    let signed = Router::new()
        .route(REQUEST_TOKEN_PATH, get(request_token).post(request_token))
        .route(ACCESS_TOKEN_PATH, get(access_token).post(access_token))
        .route(ME_PATH, get(me))
        .route(ECHO_PATH, get(echo).post(echo).put(echo))
        .route(
            crate::api::ORDERS_PATH,
            get(crate::api::orders).post(crate::api::create_order),
        )
        .route("/api/orders/{id}", get(crate::api::order_by_id))
        .route(
            crate::api::NOTES_PATH,
            axum::routing::post(crate::api::create_note),
        )
        .route(crate::api::TENANT_PATH, get(crate::api::tenant))
        .route(crate::api::LARGE_PATH, get(crate::api::large))
        .merge(crate::paged::routes(state.clone()))
        .layer(middleware::from_fn_with_state(state.clone(), failing));
    let pages = Router::new()
        .route("/", get(index))
        .route(AUTHORIZE_PATH, get(authorize::show).post(authorize::submit))
        .merge(signed)
        .layer(middleware::from_fn_with_state(state.clone(), slow));
    Router::new()
        .route(
            FAULTS_PATH,
            get(get_faults).put(put_faults).patch(patch_faults),
        )
        .merge(pages)
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state.clone(), date))
        .with_state(state)
}

/// Every response says what time the provider thinks it is, so a client can detect skew.
async fn date(State(s): State<Shared>, req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    if let Ok(v) = HeaderValue::from_str(&httpdate::fmt_http_date(s.now_system())) {
        resp.headers_mut().insert(header::DATE, v);
    }
    resp
}

/// The `slow_ms` fault.
async fn slow(State(s): State<Shared>, req: Request, next: Next) -> Response {
    let ms = s.faults().slow_ms;
    if ms > 0 {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    next.run(req).await
}

/// The `server_error` and `html_error` faults, on token endpoints and resources.
async fn failing(State(s): State<Shared>, req: Request, next: Next) -> Response {
    let f = s.faults();
    if f.server_error {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "500 Internal Server Error\n\nThe demo provider's server_error fault is on.\n",
        )
            .into_response();
    }
    if f.html_error {
        return pages::maintenance();
    }
    next.run(req).await
}

async fn not_found() -> Response {
    pages::error(
        StatusCode::NOT_FOUND,
        "Not found",
        "There is nothing at this address. The endpoints are listed on the start page (/).",
    )
}

async fn index(rx: Received) -> Response {
    let host = rx.header(header::HOST).unwrap_or("127.0.0.1").to_owned();
    pages::index(&format!("http://{host}"))
}

/// A form-encoded token response.
fn form(pairs: &[(&str, &str)]) -> Response {
    let body = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/x-www-form-urlencoded"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

/// Step 3 to 5: temporary credentials.
async fn request_token(State(s): State<Shared>, rx: Received) -> Result<Response, Problem> {
    let Checked {
        incoming, consumer, ..
    } = check(&s, &rx, Expect::Nothing)?;
    let callback = incoming
        .callback
        .clone()
        .filter(|c| !c.is_empty())
        .ok_or_else(|| {
            Problem::bad_request(
            "parameter_absent",
            "the request-token request must carry oauth_callback (oob when there is no callback)",
        )
        .with("oauth_parameters_absent", "oauth_callback")
        })?;
    if let Some(profile) = &s.config.profile {
        profile_request_token(profile, &rx, &callback)?;
    }
    if !consumer.accepts_callback(&callback) {
        return Err(Problem::bad_request(
            "parameter_rejected",
            &format!(
                "oauth_callback {callback:?} is not registered for this consumer; registered: {}",
                consumer.callback_prefixes.join(", ")
            ),
        )
        .with("oauth_parameters_rejected", "oauth_callback"));
    }
    let token = random_token(32);
    let secret = random_token(40);
    s.memory().add_request_token(
        token.clone(),
        RequestToken {
            secret: secret.as_str().into(),
            consumer_key: consumer.key.clone(),
            callback,
            issued: std::time::Instant::now(),
            grant: Grant::Pending { login: None },
            authorize_params: Vec::new(),
        },
    );
    let mut pairs = vec![
        ("oauth_token", token.as_str()),
        ("oauth_token_secret", secret.as_str()),
    ];
    let profile_omits = s
        .config
        .profile
        .as_ref()
        .is_some_and(|p| p.omit_callback_confirmed);
    if !s.faults().omit_callback_confirmed && !profile_omits {
        pairs.push(("oauth_callback_confirmed", "true"));
    }
    Ok(form(&pairs))
}

/// Step 8 and 9: token credentials for an authorized request token and its verifier.
async fn access_token(State(s): State<Shared>, rx: Received) -> Result<Response, Problem> {
    let Checked {
        incoming, token, ..
    } = check(&s, &rx, Expect::Request)?;
    let Token::Request(token, _) = token else {
        unreachable!("check returns a request token for Expect::Request")
    };
    let ttl = s.config.request_token_ttl;
    let mut mem = s.memory();
    let rt = mem
        .request_tokens
        .get_mut(&token)
        .ok_or_else(|| Problem::unauthorized("token_rejected", "the request token is unknown"))?;
    let username = match &rt.grant {
        Grant::Used => {
            return Err(Problem::unauthorized(
                "token_used",
                "this request token was already exchanged for an access token; start again",
            ));
        }
        _ if rt.issued.elapsed() > ttl => {
            return Err(Problem::unauthorized(
                "token_expired",
                &format!(
                    "the request token expired: it must be exchanged within {} seconds; start again",
                    ttl.as_secs()
                ),
            ));
        }
        Grant::Denied => {
            return Err(Problem::unauthorized(
                "permission_denied",
                "the user denied access to this request token",
            ));
        }
        Grant::Pending { .. } => {
            return Err(Problem::unauthorized(
                "permission_unknown",
                "the user has not allowed this request token yet: open the authorize page first",
            ));
        }
        Grant::Authorized { username, verifier } => {
            let sent = incoming.verifier.as_deref().filter(|v| !v.is_empty());
            let Some(sent) = sent else {
                return Err(Problem::bad_request(
                    "parameter_absent",
                    "the access-token request must carry oauth_verifier",
                )
                .with("oauth_parameters_absent", "oauth_verifier"));
            };
            if signet_oauth1::Secret::new(sent) != *verifier {
                return Err(Problem::unauthorized(
                    "verifier_invalid",
                    "oauth_verifier does not match the one issued for this request token",
                ));
            }
            username.clone()
        }
    };
    // Single use: the request token and its verifier die here (unless the lax
    // allow_token_reuse switch keeps them).
    if !s.faults().allow_token_reuse {
        rt.grant = Grant::Used;
    }
    let consumer_key = rt.consumer_key.clone();
    let access = random_token(32);
    let profile = s.config.profile.as_ref();
    let secret = if profile.is_some_and(|p| p.empty_access_secret) {
        String::new()
    } else {
        random_token(40)
    };
    drop(mem);
    s.issue_access_token(
        access.clone(),
        AccessToken {
            secret: secret.as_str().into(),
            consumer_key,
            username: username.clone(),
        },
    );
    let Some(profile) = profile else {
        return Ok(form(&[
            ("oauth_token", &access),
            ("oauth_token_secret", &secret),
            ("user_id", &user_id(&username)),
            ("screen_name", &username),
        ]));
    };
    let display = s
        .config
        .users
        .iter()
        .find(|u| u.username == username)
        .map_or_else(|| username.clone(), |u| u.display_name.clone());
    let extra: Vec<(String, String)> = profile
        .access_extra
        .iter()
        .map(|name| {
            let value = match name.as_str() {
                "user_id" | "user_nsid" | "edam_userId" => user_id(&username),
                "screen_name" | "username" => username.clone(),
                "fullname" => display.clone(),
                "edam_expires" => format!("{}000", s.now() + 365 * 86_400),
                other => format!("demo-{other}"),
            };
            (name.clone(), value)
        })
        .collect();
    let mut pairs = vec![
        ("oauth_token", access.as_str()),
        ("oauth_token_secret", secret.as_str()),
    ];
    pairs.extend(extra.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    Ok(form(&pairs))
}

/// A quirk profile's request-token rules: its callback policy and request-token parameters.
fn profile_request_token(
    profile: &crate::profile::QuirkProfile,
    rx: &Received,
    callback: &str,
) -> Result<(), Problem> {
    use signet_presets::Trigger;
    if let Some(policy) = &profile.callback
        && let Err(trigger) = policy.check(callback)
    {
        let advice = match trigger {
            Trigger::OobForbidden => {
                format!("{} does not support oob: give a callback URL", profile.name)
            }
            _ => format!("{} does not accept the callback {callback:?}", profile.name),
        };
        return Err(Problem::quirk(
            profile,
            trigger,
            Problem::bad_request("parameter_rejected", &advice)
                .with("oauth_parameters_rejected", "oauth_callback"),
        ));
    }
    let query = pairs(rx.uri.query().unwrap_or(""));
    if let Some((name, why)) = crate::authorize::broken_param(&profile.request_token_params, &query)
    {
        return Err(Problem::quirk(
            profile,
            Trigger::ParamMissing,
            Problem::bad_request("parameter_absent", &why).with("oauth_parameters_absent", &name),
        ));
    }
    Ok(())
}

fn user_id(username: &str) -> String {
    // Stable and readable: the user's position in the demo list would change with config.
    let n = username.bytes().fold(1_000_u32, |acc, b| {
        acc.wrapping_mul(31).wrapping_add(u32::from(b))
    });
    format!("{}", n % 900_000 + 100_000)
}

fn user_of(s: &AppState, checked: &Checked) -> (String, String) {
    let Token::Access(at) = &checked.token else {
        // One-legged: the consumer acts for itself.
        return (checked.consumer.key.clone(), checked.consumer.name.clone());
    };
    let display = s
        .config
        .users
        .iter()
        .find(|u| u.username == at.username)
        .map_or_else(|| at.username.clone(), |u| u.display_name.clone());
    (at.username.clone(), display)
}

/// Step 10: the signed-in user's profile.
async fn me(State(s): State<Shared>, rx: Received) -> Result<Json<Value>, Problem> {
    let checked = check(&s, &rx, Expect::Access)?;
    let (username, display_name) = user_of(&s, &checked);
    Ok(Json(json!({
        "user_id": user_id(&username),
        "username": username,
        "display_name": display_name,
        "consumer_key": checked.consumer.key,
        "consumer_name": checked.consumer.name,
        "signature_method": checked.incoming.signature_method,
        "placement": checked.incoming.placement,
    })))
}

fn pairs(component: &str) -> Vec<(String, String)> {
    split_pairs(component)
        .filter(|(k, _)| !k.starts_with("oauth_"))
        .map(|(k, v)| {
            (
                lossy(&form_decode(k)).into_owned(),
                lossy(&form_decode(v)).into_owned(),
            )
        })
        .collect()
}

/// Step 10: what the provider received, as it understood it (never a secret or the signature).
async fn echo(State(s): State<Shared>, rx: Received) -> Result<Json<Value>, Problem> {
    let checked = check(&s, &rx, Expect::Access)?;
    let (username, _) = user_of(&s, &checked);
    let is_form = rx
        .content_type()
        .is_some_and(signet_oauth1::request::is_form_content_type);
    let body_text = std::str::from_utf8(&rx.body).ok();
    let form = match (is_form, body_text) {
        (true, Some(b)) => pairs(b),
        _ => Vec::new(),
    };
    let body = match (is_form, body_text) {
        (false, Some(b)) if !b.is_empty() => Some(b.chars().take(4096).collect::<String>()),
        _ => None,
    };
    Ok(Json(json!({
        "method": rx.method.as_str(),
        "path": rx.uri.path(),
        "query": pairs(rx.uri.query().unwrap_or("")),
        "form": form,
        "content_type": rx.content_type(),
        "body": body,
        "oauth": checked.incoming,
        "user": username,
    })))
}

type Forbidden = (StatusCode, &'static str);

fn loopback_only(peer: SocketAddr) -> Result<(), Forbidden> {
    if peer.ip().is_loopback() {
        Ok(())
    } else {
        Err((
            StatusCode::FORBIDDEN,
            "the fault switches answer loopback clients only\n",
        ))
    }
}

async fn get_faults(
    State(s): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
) -> Result<Json<Faults>, Forbidden> {
    loopback_only(peer)?;
    Ok(Json(s.faults()))
}

async fn put_faults(
    State(s): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Json(faults): Json<Faults>,
) -> Result<Json<Faults>, Forbidden> {
    loopback_only(peer)?;
    s.set_faults(faults);
    Ok(Json(s.faults()))
}

/// Changes only the switches named in the JSON object, leaving the others as they are.
async fn patch_faults(
    State(s): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Json(changes): Json<serde_json::Map<String, Value>>,
) -> Result<Json<Faults>, (StatusCode, String)> {
    loopback_only(peer).map_err(|(status, msg)| (status, msg.to_owned()))?;
    let mut current = match serde_json::to_value(s.faults()) {
        Ok(Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    };
    for (name, value) in changes {
        if !current.contains_key(&name) {
            return Err((
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("unknown fault switch {name:?}\n"),
            ));
        }
        current.insert(name, value);
    }
    let faults: Faults = serde_json::from_value(Value::Object(current))
        .map_err(|e| (StatusCode::UNPROCESSABLE_ENTITY, format!("{e}\n")))?;
    s.set_faults(faults);
    Ok(Json(s.faults()))
}
