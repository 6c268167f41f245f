//! The demo provider's protected API: what a connector's endpoints call in the demo and in the
//! tests. Every resource checks the OAuth 1.0a signature like the token endpoints do (an access
//! token, or consumer credentials for a one-legged consumer), so each endpoint kind Signet
//! builds has a strict counterpart:
//!
//! | resource | what it exercises |
//! | --- | --- |
//! | `GET /api/orders?limit=&offset=` | query parameters (signed), a JSON list of a fixed collection |
//! | `GET /api/orders/{id}` | a path parameter; an unknown id answers 404 with a JSON error |
//! | `GET /api/orders/{id}.xml` | an XML resource |
//! | `POST /api/orders` | a JSON body (with `oauth_body_hash` verified when sent) |
//! | `POST /api/notes` | a form body (its fields signed) |
//! | `GET /api/tenant` | a header from a connector variable: `X-Tenant` must name the user's tenant |
//! | `GET /api/large?bytes=N` | a large answer (for size limits) |
//! | `GET /api/paged/offset?limit=&offset=` | limit-offset pages: `items`, `total`, `limit`, `offset` |
//! | `GET /api/paged/pages?page=&per_page=` | numbered pages: `items`, `page`, `per_page`, `total_pages` |
//! | `GET /api/paged/token?limit=&cursor=` | an opaque cursor in the body (`meta.next_cursor`), needing percent-encoding |
//! | `GET /api/paged/token-header?limit=&cursor=` | the cursor in the `X-Next-Cursor` header; a bare array body |
//! | `GET /api/paged/next-url?limit=&offset=` | an absolute `next` URL in the body that echoes `oauth_consumer_key` |
//! | `GET /api/paged/link?page=&per_page=` | an RFC 8288 `Link` header (`first`, `prev`, `next`, `last`) |
//! | `GET /api/paged/relative?limit=&offset=` | a relative `paging.next` (path and query) |
//! | `POST /api/paged/graphql` | a GraphQL-style cursor connection (`first`, `after`; `pageInfo`) in a JSON body |
//! | `GET /api/paged/repeat?limit=&cursor=` | a fault: the third page's cursor points back at the second page |
//! | `GET /api/paged/flaky?limit=&offset=` | a fault: the page at `offset=500` always answers 500 |
//! | `GET /api/paged/flaky-once?limit=&offset=` | a fault: the page at `offset=500` answers 500 once per access token |
//! | `GET /api/paged/elsewhere?limit=&offset=` | a fault: every `next` URL is on another host |
//! | `GET /api/paged/many?limit=&offset=` | limit and offset over 10,000 orders (for many items) |
//!
//! The paged routes' contract in full is in [`crate::paged`].

use std::fmt::Write as _;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use signet_oauth1::encoding::{form_decode, lossy};
use signet_oauth1::parameters::split_pairs;

use crate::check::{Expect, Problem, Received, Token, check};
use crate::routes::Shared;

/// Path of the orders collection.
pub const ORDERS_PATH: &str = "/api/orders";
/// Path of the notes resource.
pub const NOTES_PATH: &str = "/api/notes";
/// Path of the tenant resource.
pub const TENANT_PATH: &str = "/api/tenant";
/// Path of the large answer.
pub const LARGE_PATH: &str = "/api/large";

/// How many orders the collection holds.
pub const ORDERS: u64 = 1234;
/// The first order's id.
pub const FIRST_ORDER: u64 = 1001;
/// The largest answer `/api/large` gives.
pub const MAX_LARGE: u64 = 64 * 1024 * 1024;

/// A user's tenant (`X-Tenant`): alice's is `wonderland`, bob's `workshop`; a consumer acting
/// for itself (one-legged) is in `wonderland`.
pub fn tenant_of(username: &str) -> &'static str {
    match username {
        "bob" => "workshop",
        _ => "wonderland",
    }
}

/// Order `id` of the collection, the same every time.
pub fn order(id: u64) -> Value {
    let n = id.saturating_sub(FIRST_ORDER);
    let customers = [
        "Alice Liddell",
        "Bob the Builder",
        "Cheshire Cat",
        "Mad Hatter",
        "White Rabbit",
    ];
    let customer = customers[(n % customers.len() as u64) as usize];
    let cents = 1999 + (n * 7919) % 50_000;
    let day = 1 + n % 28;
    let month = 1 + (n / 28) % 12;
    let status = ["paid", "shipped", "open"][(n % 3) as usize];
    json!({
        "id": id,
        "number": format!("SO-{id:06}"),
        "customer": customer,
        "email": format!("{}@example.com", customer.to_ascii_lowercase().replace(' ', ".")),
        "total": cents as f64 / 100.0,
        "currency": "EUR",
        "status": status,
        "created_at": format!("2026-{month:02}-{day:02}T10:{:02}:00Z", n % 60),
    })
}

pub(crate) fn json_error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({"error": {"code": code, "message": message}})),
    )
        .into_response()
}

fn username(checked: &crate::check::Checked) -> String {
    match &checked.token {
        Token::Access(at) => at.username.clone(),
        _ => checked.consumer.key.clone(),
    }
}

/// The query's pairs, form-decoded (`+` is a space, `%2B` a plus).
pub(crate) fn query_pairs(rx: &Received) -> Vec<(String, String)> {
    split_pairs(rx.uri.query().unwrap_or(""))
        .map(|(k, v)| {
            (
                lossy(&form_decode(k)).into_owned(),
                lossy(&form_decode(v)).into_owned(),
            )
        })
        .collect()
}

fn number(pairs: &[(String, String)], name: &str, default: u64) -> Result<u64, Box<Response>> {
    match pairs.iter().find(|(k, _)| k == name) {
        None => Ok(default),
        Some((_, v)) => v.parse().map_err(|_| {
            Box::new(json_error(
                StatusCode::BAD_REQUEST,
                "INVALID_PARAMETER",
                &format!("{name} must be a whole number, not {v:?}"),
            ))
        }),
    }
}

/// `GET /api/orders`: a page of the collection.
pub(crate) async fn orders(State(s): State<Shared>, rx: Received) -> Result<Response, Problem> {
    check(&s, &rx, Expect::Access)?;
    let q = query_pairs(&rx);
    let (limit, offset) = match (number(&q, "limit", 10), number(&q, "offset", 0)) {
        (Ok(l), Ok(o)) => (l.clamp(1, 200), o),
        (Err(e), _) | (_, Err(e)) => return Ok(*e),
    };
    let orders: Vec<Value> = (offset..ORDERS.min(offset.saturating_add(limit)))
        .map(|n| order(FIRST_ORDER + n))
        .collect();
    Ok(Json(json!({
        "orders": orders,
        "total": ORDERS,
        "limit": limit,
        "offset": offset,
    }))
    .into_response())
}

fn order_id(raw: &str) -> Result<u64, Box<Response>> {
    let not_found = || {
        Box::new(json_error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            &format!(
                "there is no order {raw:?}: ids run from {FIRST_ORDER} to {}",
                FIRST_ORDER + ORDERS - 1
            ),
        ))
    };
    let id: u64 = raw.parse().map_err(|_| not_found())?;
    if (FIRST_ORDER..FIRST_ORDER + ORDERS).contains(&id) {
        Ok(id)
    } else {
        Err(not_found())
    }
}

/// `GET /api/orders/{id}` (JSON) and `GET /api/orders/{id}.xml` (XML).
pub(crate) async fn order_by_id(
    State(s): State<Shared>,
    Path(raw): Path<String>,
    rx: Received,
) -> Result<Response, Problem> {
    check(&s, &rx, Expect::Access)?;
    if let Some(raw) = raw.strip_suffix(".xml") {
        let id = match order_id(raw) {
            Ok(id) => id,
            Err(e) => return Ok(*e),
        };
        let o = order(id);
        let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<order>\n");
        for key in [
            "id",
            "number",
            "customer",
            "email",
            "total",
            "currency",
            "status",
            "created_at",
        ] {
            let v = &o[key];
            let text = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
            let _ = writeln!(xml, "  <{key}>{}</{key}>", xml_escape(&text));
        }
        xml.push_str("</order>\n");
        return Ok((
            [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
            xml,
        )
            .into_response());
    }
    Ok(match order_id(&raw) {
        Ok(id) => Json(order(id)).into_response(),
        Err(e) => *e,
    })
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// `POST /api/orders`: creates an order from a JSON body; `oauth_body_hash`, when sent, was
/// checked against the body by the signature check.
pub(crate) async fn create_order(
    State(s): State<Shared>,
    rx: Received,
) -> Result<Response, Problem> {
    let checked = check(&s, &rx, Expect::Access)?;
    let is_json = rx.content_type().is_some_and(|c| {
        c.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .eq_ignore_ascii_case("application/json")
    });
    if !is_json {
        return Ok(json_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "send the order as application/json",
        ));
    }
    let body: Value = match serde_json::from_slice(&rx.body) {
        Ok(v) => v,
        Err(e) => {
            return Ok(json_error(
                StatusCode::BAD_REQUEST,
                "INVALID_JSON",
                &format!("the body is not JSON: {e}"),
            ));
        }
    };
    let customer = body.get("customer").and_then(Value::as_str);
    let total = body.get("total").and_then(Value::as_f64);
    let (Some(customer), Some(total)) = (customer, total) else {
        return Ok(json_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "MISSING_FIELD",
            "an order needs \"customer\" (text) and \"total\" (a number)",
        ));
    };
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "id": FIRST_ORDER + ORDERS,
            "customer": customer,
            "total": total,
            "currency": body.get("currency").and_then(Value::as_str).unwrap_or("EUR"),
            "created_by": username(&checked),
            "body_hash_verified": checked.incoming.body_hash.is_some(),
        })),
    )
        .into_response())
}

/// `POST /api/notes`: a note from a form body, whose fields the signature covers.
pub(crate) async fn create_note(
    State(s): State<Shared>,
    rx: Received,
) -> Result<Response, Problem> {
    let checked = check(&s, &rx, Expect::Access)?;
    let is_form = rx
        .content_type()
        .is_some_and(signet_oauth1::request::is_form_content_type);
    let text = std::str::from_utf8(&rx.body).unwrap_or("");
    if !is_form {
        return Ok(json_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "send the note as a form (application/x-www-form-urlencoded)",
        ));
    }
    let fields: Vec<(String, String)> = split_pairs(text)
        .filter(|(k, _)| !k.starts_with("oauth_"))
        .map(|(k, v)| {
            (
                lossy(&form_decode(k)).into_owned(),
                lossy(&form_decode(v)).into_owned(),
            )
        })
        .collect();
    let get = |n: &str| fields.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    let Some(title) = get("title").filter(|t| !t.trim().is_empty()) else {
        return Ok(json_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "MISSING_FIELD",
            "a note needs a title",
        ));
    };
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "title": title,
            "text": get("text").unwrap_or_default(),
            "author": username(&checked),
        })),
    )
        .into_response())
}

/// `GET /api/tenant`: the user's tenant, when `X-Tenant` names it; a provider-style error when
/// it is missing or names another.
pub(crate) async fn tenant(State(s): State<Shared>, rx: Received) -> Result<Response, Problem> {
    let checked = check(&s, &rx, Expect::Access)?;
    let user = username(&checked);
    let expected = tenant_of(&user);
    Ok(
        match rx.headers.get("x-tenant").and_then(|v| v.to_str().ok()) {
            None => json_error(
                StatusCode::BAD_REQUEST,
                "TENANT_REQUIRED",
                "send the X-Tenant header with your tenant",
            ),
            Some(t) if t.trim() == expected => Json(json!({
                "tenant": expected,
                "user": user,
                "plan": "demo",
            }))
            .into_response(),
            Some(t) => json_error(
                StatusCode::FORBIDDEN,
                "TENANT_MISMATCH",
                &format!("the tenant {t:?} is not yours: you belong to another tenant"),
            ),
        },
    )
}

/// `GET /api/large?bytes=N`: N bytes of JSON (at most 64 MiB), for size limits.
pub(crate) async fn large(State(s): State<Shared>, rx: Received) -> Result<Response, Problem> {
    check(&s, &rx, Expect::Access)?;
    let q = query_pairs(&rx);
    let bytes = match number(&q, "bytes", 1024) {
        Ok(b) => b.min(MAX_LARGE) as usize,
        Err(e) => return Ok(*e),
    };
    let filler = bytes.saturating_sub(12);
    let mut body = String::with_capacity(bytes);
    body.push_str("{\"data\":\"");
    body.extend(std::iter::repeat_n('x', filler));
    body.push_str("\"}");
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_are_the_same_every_time() {
        assert_eq!(order(1001), order(1001));
        assert_eq!(order(1001)["number"], "SO-001001");
        assert_ne!(order(1002)["customer"], order(1001)["customer"]);
        assert_eq!(tenant_of("alice"), "wonderland");
        assert_eq!(tenant_of("bob"), "workshop");
    }
}
