//! Paged reads of the demo's order collection (the 1,234 orders of [`crate::api`], ids 1001 to
//! 2234, always in id order) in every pagination style a connector meets, and the faults a
//! careful client must survive: a cursor that loops, a page that fails, a next link on another
//! host.
//!
//! Every route is a protected resource, checked like `/api/orders` (an access token, or a
//! one-legged consumer's own credentials): each page's signature, timestamp and nonce are
//! verified, and [`RunningProvider::pages_served`](crate::RunningProvider::pages_served) counts
//! the pages answered with success, so a test can tell that every page was verified.
//!
//! In the table, `L` is the page size (`limit`, `per_page` or `first`): 50 when left out,
//! clamped to 1..=200, and repeated in next links as served. `O` is how many orders to skip (0
//! when left out), `P` a page number from 1. `HOST` is the `Host` header the request came with:
//! absolute links lead back to the origin the client called. Query values are read decoded.
//!
//! | route | parameters | answer |
//! | --- | --- | --- |
//! | `GET /api/paged/offset` | `limit`, `offset` | `{"items": [..], "total": 1234, "limit": L, "offset": O}`; past the end, `items` is `[]` |
//! | `GET /api/paged/pages` | `page` (1 when left out), `per_page` | `{"items": [..], "page": P, "per_page": L, "total_pages": N}`; past the last page, `items` is `[]` |
//! | `GET /api/paged/token` | `limit`, `cursor` | `{"items": [..], "meta": {"next_cursor": C or null}}` |
//! | `GET /api/paged/token-header` | `limit`, `cursor` | a bare JSON array of items; the header `X-Next-Cursor: C`, absent on the last page |
//! | `GET /api/paged/next-url` | `limit`, `offset` | `{"items": [..], "next": "http://HOST/api/paged/next-url?limit=L&offset=O2&oauth_consumer_key=KEY" or null}` |
//! | `GET /api/paged/link` | `page`, `per_page` | a bare JSON array of items; `Link: <http://HOST/api/paged/link?page=1&per_page=L>; rel="first", <..>; rel="prev", <..>; rel="next", <..>; rel="last"` (RFC 8288), `prev` from page 2 on, `next` before the last page only |
//! | `GET /api/paged/relative` | `limit`, `offset` | `{"items": [..], "paging": {"next": "/api/paged/relative?limit=L&offset=O2"}}`; `next` absent on the last page |
//! | `POST /api/paged/graphql` | the JSON body `{"query": "..", "variables": {"first": L, "after": null or C}}` | `{"data": {"orders": {"nodes": [..], "pageInfo": {"hasNextPage": bool, "endCursor": C or null}}}}` |
//! | `GET /api/paged/repeat` | `limit`, `cursor` | as `token`, but the third page's `next_cursor` is the second page's cursor again: a loop |
//! | `GET /api/paged/flaky` | `limit`, `offset` | as `offset`, but `offset=500` always answers 500 with the JSON error `PAGE_FAILED` |
//! | `GET /api/paged/flaky-once` | `limit`, `offset` | as `offset`, but `offset=500` answers 500 with `PAGE_UNAVAILABLE` the first time each access token (or one-legged consumer) asks |
//! | `GET /api/paged/elsewhere` | `limit`, `offset` | as `next-url`, but every `next` is `https://elsewhere.example/api/paged/elsewhere?limit=L&offset=O2` (no key echoed): a client must not send its token there |
//! | `GET /api/paged/many` | `limit`, `offset` | as `offset`, over a larger collection of 10,000 orders (`total` 10000): for showing many items |
//!
//! A cursor `C` names the last order already handed out: the standard, padded base64 of
//! `order?id>{id};v=1` (`b3JkZXI/aWQ+MTA1MDt2PTE=` for 1050). The text is laid out so that every
//! cursor holds a `/`, a `+` and a `=`: a client must percent-encode it in a query (a bare `+`
//! reads as a space). No cursor starts at the first order. `endCursor` is the cursor of the page's last node, as Relay's is
//! (null on an empty page); after the last order comes an empty page.
//!
//! `next-url` echoes the request's `oauth_consumer_key` into its link, as some providers do: a
//! client that keeps it in the query and signs again sends the protocol parameter twice, which
//! the signature check refuses (`400 parameter_rejected`). A client drops it before signing.
//!
//! A bad parameter answers `400` with `{"error": {"code": .., "message": ..}}`:
//! `INVALID_PARAMETER` (a size, offset or page that is not a whole number, or `page=0`) or
//! `INVALID_CURSOR`. The GraphQL route answers `400` with
//! `{"errors": [{"message": .., "extensions": {"code": ..}}]}` instead (`INVALID_REQUEST`,
//! `INVALID_CURSOR`).

use std::sync::atomic::Ordering;

use axum::Json;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Map, Value, json};
use signet_oauth1::encoding::encode;

use crate::api::{FIRST_ORDER, ORDERS, json_error, order, query_pairs};
use crate::check::{Checked, Expect, Problem, Received, check};
use crate::routes::Shared;

/// The page size when none is asked for.
pub const DEFAULT_LIMIT: u64 = 50;
/// The largest page size; larger asks are served this many.
pub const MAX_LIMIT: u64 = 200;
/// The offset at which the `flaky` routes fail.
pub const FLAKY_OFFSET: u64 = 500;
/// Where the `elsewhere` route's next links lead.
pub const ELSEWHERE_ORIGIN: &str = "https://elsewhere.example";
/// The header that carries the `token-header` route's next cursor.
pub const NEXT_CURSOR_HEADER: &str = "x-next-cursor";

/// The last order's id.
const LAST_ORDER: u64 = FIRST_ORDER + ORDERS - 1;

/// The paged routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Route {
    /// `GET /api/paged/offset`: limit and offset.
    Offset,
    /// `GET /api/paged/pages`: page numbers.
    Pages,
    /// `GET /api/paged/token`: a cursor in the body.
    Token,
    /// `GET /api/paged/token-header`: a cursor in the `X-Next-Cursor` header.
    TokenHeader,
    /// `GET /api/paged/next-url`: an absolute next URL in the body.
    NextUrl,
    /// `GET /api/paged/link`: the `Link` header.
    Link,
    /// `GET /api/paged/relative`: a relative next URI in the body.
    Relative,
    /// `POST /api/paged/graphql`: a GraphQL-style cursor connection.
    Graphql,
    /// `GET /api/paged/repeat`: a cursor that loops back (a fault).
    Repeat,
    /// `GET /api/paged/flaky`: a page that always fails (a fault).
    Flaky,
    /// `GET /api/paged/flaky-once`: a page that fails once per access token (a fault).
    FlakyOnce,
    /// `GET /api/paged/elsewhere`: next links on another host (a fault).
    Elsewhere,
    /// `GET /api/paged/many`: a larger collection of [`MANY`] orders, limit and offset (for
    /// showing many items).
    Many,
}

/// How many orders `/api/paged/many` holds.
pub const MANY: u64 = 10_000;

impl Route {
    /// Every paged route.
    pub const ALL: [Self; 13] = [
        Self::Offset,
        Self::Pages,
        Self::Token,
        Self::TokenHeader,
        Self::NextUrl,
        Self::Link,
        Self::Relative,
        Self::Graphql,
        Self::Repeat,
        Self::Flaky,
        Self::FlakyOnce,
        Self::Elsewhere,
        Self::Many,
    ];

    /// The route's path.
    pub fn path(self) -> &'static str {
        match self {
            Self::Offset => "/api/paged/offset",
            Self::Pages => "/api/paged/pages",
            Self::Token => "/api/paged/token",
            Self::TokenHeader => "/api/paged/token-header",
            Self::NextUrl => "/api/paged/next-url",
            Self::Link => "/api/paged/link",
            Self::Relative => "/api/paged/relative",
            Self::Graphql => "/api/paged/graphql",
            Self::Repeat => "/api/paged/repeat",
            Self::Flaky => "/api/paged/flaky",
            Self::FlakyOnce => "/api/paged/flaky-once",
            Self::Elsewhere => "/api/paged/elsewhere",
            Self::Many => "/api/paged/many",
        }
    }
}

pub(crate) fn routes(state: Shared) -> Router<Shared> {
    Router::new()
        .route(Route::Offset.path(), get(offset))
        .route(Route::Pages.path(), get(pages))
        .route(Route::Token.path(), get(token))
        .route(Route::TokenHeader.path(), get(token_header))
        .route(Route::NextUrl.path(), get(next_url))
        .route(Route::Link.path(), get(link))
        .route(Route::Relative.path(), get(relative))
        .route(Route::Graphql.path(), post(graphql))
        .route(Route::Repeat.path(), get(repeat))
        .route(Route::Flaky.path(), get(flaky))
        .route(Route::FlakyOnce.path(), get(flaky_once))
        .route(Route::Elsewhere.path(), get(elsewhere))
        .route(Route::Many.path(), get(many))
        .route_layer(middleware::from_fn_with_state(state, count_pages))
}

/// Counts the pages served with success: each passed the signature check first.
async fn count_pages(State(s): State<Shared>, req: Request, next: Next) -> Response {
    let resp = next.run(req).await;
    if resp.status().is_success() {
        s.pages_served.fetch_add(1, Ordering::Relaxed);
    }
    resp
}

// The core: windows on the collection, cursors, parameters. Values in, values out.

/// A window on the collection: `offset` orders skipped, at most `limit` taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Window {
    offset: u64,
    limit: u64,
}

impl Window {
    fn end(self) -> u64 {
        ORDERS.min(self.offset.saturating_add(self.limit))
    }

    fn items(self) -> Vec<Value> {
        (self.offset..self.end())
            .map(|n| order(FIRST_ORDER + n))
            .collect()
    }

    /// The next window's offset, while orders remain.
    fn next_offset(self) -> Option<u64> {
        let end = self.offset.saturating_add(self.limit);
        (end < ORDERS).then_some(end)
    }

    /// The cursor of the next page, while orders remain.
    fn next_cursor(self) -> Option<String> {
        self.next_offset()
            .map(|next| encode_cursor(FIRST_ORDER + next - 1))
    }

    /// The cursor of this window's last order; none when the window is empty.
    fn end_cursor(self) -> Option<String> {
        (self.end() > self.offset).then(|| encode_cursor(FIRST_ORDER + self.end() - 1))
    }
}

/// How many pages of `per_page` the collection fills.
fn total_pages(per_page: u64) -> u64 {
    ORDERS.div_ceil(per_page)
}

/// The cursor after order `after`: `order?id>{id};v=1` in standard, padded base64. Every id
/// has four digits, so the text is 17 bytes with `?` and `>` where their low six bits make a
/// whole base64 digit: every cursor holds `/`, `+` and one `=` of padding.
fn encode_cursor(after: u64) -> String {
    base64(format!("order?id>{after};v=1").as_bytes())
}

/// The order a cursor names; none unless it is exactly a cursor this provider hands out.
fn decode_cursor(cursor: &str) -> Option<u64> {
    let bytes = unbase64(cursor)?;
    let text = std::str::from_utf8(&bytes).ok()?;
    let after: u64 = text
        .strip_prefix("order?id>")?
        .strip_suffix(";v=1")?
        .parse()
        .ok()?;
    // Encoding again refuses every other spelling (`+1050`, `01050`, stray padding bits).
    ((FIRST_ORDER..=LAST_ORDER).contains(&after) && encode_cursor(after) == cursor).then_some(after)
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding (RFC 4648 section 4).
fn base64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .chain(std::iter::repeat(&0))
            .take(3)
            .fold(0u32, |n, &b| n << 8 | u32::from(b));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(BASE64[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decodes standard, padded base64; none when it is not.
fn unbase64(text: &str) -> Option<Vec<u8>> {
    if text.is_empty() || !text.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    for quad in text.as_bytes().chunks(4) {
        let pad = quad.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 {
            return None;
        }
        let mut n = 0u32;
        for &c in &quad[..4 - pad] {
            let v = BASE64.iter().position(|&a| a == c)?;
            n = n << 6 | v as u32;
        }
        n <<= 6 * pad;
        out.extend_from_slice(&n.to_be_bytes()[1..4 - pad]);
    }
    Some(out)
}

/// A request parameter the route cannot use: a `400`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Bad {
    code: &'static str,
    message: String,
}

impl Bad {
    fn parameter(message: String) -> Self {
        Self {
            code: "INVALID_PARAMETER",
            message,
        }
    }

    fn cursor(cursor: &str) -> Self {
        let hint = if cursor.is_empty() {
            "an empty cursor is not a cursor: leave cursor out to start at the first page"
                .to_owned()
        } else if cursor.contains(' ') {
            format!(
                "cursor {cursor:?} holds a space: a + in the cursor was sent unencoded and read \
                 as a space; percent-encode the cursor (+ as %2B, / as %2F, = as %3D)"
            )
        } else {
            format!(
                "cursor {cursor:?} is not one this provider handed out: send the previous \
                 page's cursor unchanged (percent-encoded), or leave cursor out to start at the \
                 first page"
            )
        };
        Self {
            code: "INVALID_CURSOR",
            message: hint,
        }
    }
}

/// The decoded query of a request.
struct Params(Vec<(String, String)>);

impl Params {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn whole(&self, name: &str, what: &str) -> Result<Option<u64>, Bad> {
        self.get(name)
            .map(|v| {
                v.parse().map_err(|_| {
                    Bad::parameter(format!("{name} must be a whole number ({what}), not {v:?}"))
                })
            })
            .transpose()
    }

    /// The page size: [`DEFAULT_LIMIT`] when left out, clamped to 1..=[`MAX_LIMIT`].
    fn size(&self, name: &str) -> Result<u64, Bad> {
        let what = format!("1 to {MAX_LIMIT}; {DEFAULT_LIMIT} when left out");
        Ok(self
            .whole(name, &what)?
            .unwrap_or(DEFAULT_LIMIT)
            .clamp(1, MAX_LIMIT))
    }

    /// `limit` and `offset`.
    fn window(&self) -> Result<Window, Bad> {
        let limit = self.size("limit")?;
        let offset = self
            .whole("offset", "how many orders to skip; 0 for the first page")?
            .unwrap_or(0);
        Ok(Window { offset, limit })
    }

    /// `page` and `per_page`.
    fn page(&self) -> Result<(u64, Window), Bad> {
        let per_page = self.size("per_page")?;
        let page = self
            .whole("page", "from 1; 1 for the first page")?
            .unwrap_or(1);
        if page == 0 {
            return Err(Bad::parameter(
                "page 0 does not exist: pages are numbered from 1 (page=1 is the first)".into(),
            ));
        }
        let offset = (page - 1).saturating_mul(per_page);
        Ok((
            page,
            Window {
                offset,
                limit: per_page,
            },
        ))
    }

    /// `limit` and `cursor`.
    fn cursor_window(&self) -> Result<Window, Bad> {
        let limit = self.size("limit")?;
        let offset = match self.get("cursor") {
            None => 0,
            Some(c) => after_offset(c)?,
        };
        Ok(Window { offset, limit })
    }
}

/// The offset of the order after the one `cursor` names.
fn after_offset(cursor: &str) -> Result<u64, Bad> {
    decode_cursor(cursor)
        .map(|after| after - FIRST_ORDER + 1)
        .ok_or_else(|| Bad::cursor(cursor))
}

/// The GraphQL route's request: `{"query": "..", "variables": {"first": L, "after": C}}`.
fn graphql_window(content_type: Option<&str>, body: &[u8]) -> Result<Window, Bad> {
    let invalid = |message: String| Bad {
        code: "INVALID_REQUEST",
        message,
    };
    let shape = r#"{"query": "...", "variables": {"first": 50, "after": null}}"#;
    let is_json = content_type.is_some_and(|c| {
        c.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .eq_ignore_ascii_case("application/json")
    });
    if !is_json {
        return Err(invalid(format!(
            "send the query as application/json, not {}: {shape}",
            content_type.unwrap_or("a body without a Content-Type")
        )));
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(invalid(format!("the body is empty: send {shape}")));
    }
    let request: Value = serde_json::from_slice(body)
        .map_err(|e| invalid(format!("the body is not JSON ({e}): send {shape}")))?;
    let Some(request) = request.as_object() else {
        return Err(invalid(format!("the body must be a JSON object: {shape}")));
    };
    if !request.get("query").is_some_and(Value::is_string) {
        return Err(invalid(format!(
            "the body must carry \"query\", a string: {shape}"
        )));
    }
    let empty = Map::new();
    let variables = match request.get("variables") {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(v)) => v,
        Some(other) => {
            return Err(invalid(format!(
                "\"variables\" must be an object, not {other}"
            )));
        }
    };
    let limit = match variables.get("first") {
        None | Some(Value::Null) => DEFAULT_LIMIT,
        Some(v) => match v.as_i64() {
            Some(n) => n.clamp(1, MAX_LIMIT as i64) as u64,
            None => {
                return Err(invalid(format!(
                    "variables.first must be a whole number (1 to {MAX_LIMIT}), not {v}"
                )));
            }
        },
    };
    let offset = match variables.get("after") {
        None | Some(Value::Null) => 0,
        Some(Value::String(c)) => after_offset(c)?,
        Some(other) => {
            return Err(invalid(format!(
                "variables.after must be the previous page's endCursor (a string) or null, not {other}"
            )));
        }
    };
    Ok(Window { offset, limit })
}

// The shell: check, read, answer.

/// Why a paged request is refused.
enum Refused {
    /// The OAuth check refused it.
    Oauth(Problem),
    /// A parameter is unusable.
    Param(Bad),
}

impl From<Problem> for Refused {
    fn from(p: Problem) -> Self {
        Self::Oauth(p)
    }
}

impl From<Bad> for Refused {
    fn from(b: Bad) -> Self {
        Self::Param(b)
    }
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        match self {
            Self::Oauth(p) => p.into_response(),
            Self::Param(b) => json_error(StatusCode::BAD_REQUEST, b.code, &b.message),
        }
    }
}

type Answer = Result<Response, Refused>;

/// Checks the request as a protected resource and reads its query.
fn checked(s: &Shared, rx: &Received) -> Result<(Checked, Params), Problem> {
    let checked = check(s, rx, Expect::Access)?;
    Ok((checked, Params(query_pairs(rx))))
}

/// `http://{Host}`: the origin the client called, as [`Received::url`] builds it.
fn origin(rx: &Received) -> String {
    format!("http://{}", rx.header(header::HOST).unwrap_or("127.0.0.1"))
}

fn offset_page(w: Window) -> Response {
    Json(json!({
        "items": w.items(),
        "total": ORDERS,
        "limit": w.limit,
        "offset": w.offset,
    }))
    .into_response()
}

/// `/api/paged/many`: the same orders, [`MANY`] of them (ids from `FIRST_ORDER` on).
async fn many(State(s): State<Shared>, rx: Received) -> Answer {
    let (_, q) = checked(&s, &rx)?;
    let w = q.window()?;
    let end = MANY.min(w.offset.saturating_add(w.limit));
    let items: Vec<Value> = (w.offset..end).map(|n| order(FIRST_ORDER + n)).collect();
    Ok(Json(json!({
        "items": items,
        "total": MANY,
        "limit": w.limit,
        "offset": w.offset,
    }))
    .into_response())
}

async fn offset(State(s): State<Shared>, rx: Received) -> Answer {
    let (_, q) = checked(&s, &rx)?;
    Ok(offset_page(q.window()?))
}

async fn pages(State(s): State<Shared>, rx: Received) -> Answer {
    let (_, q) = checked(&s, &rx)?;
    let (page, w) = q.page()?;
    Ok(Json(json!({
        "items": w.items(),
        "page": page,
        "per_page": w.limit,
        "total_pages": total_pages(w.limit),
    }))
    .into_response())
}

async fn token(State(s): State<Shared>, rx: Received) -> Answer {
    let (_, q) = checked(&s, &rx)?;
    let w = q.cursor_window()?;
    Ok(Json(json!({
        "items": w.items(),
        "meta": {"next_cursor": w.next_cursor()},
    }))
    .into_response())
}

async fn token_header(State(s): State<Shared>, rx: Received) -> Answer {
    let (_, q) = checked(&s, &rx)?;
    let w = q.cursor_window()?;
    let mut resp = Json(w.items()).into_response();
    if let Some(next) = w.next_cursor().and_then(|c| HeaderValue::from_str(&c).ok()) {
        resp.headers_mut().insert(NEXT_CURSOR_HEADER, next);
    }
    Ok(resp)
}

async fn next_url(State(s): State<Shared>, rx: Received) -> Answer {
    let (checked, q) = checked(&s, &rx)?;
    let w = q.window()?;
    let next = w.next_offset().map(|next| {
        format!(
            "{}{}?limit={}&offset={next}&oauth_consumer_key={}",
            origin(&rx),
            Route::NextUrl.path(),
            w.limit,
            encode(&checked.incoming.consumer_key)
        )
    });
    Ok(Json(json!({"items": w.items(), "next": next})).into_response())
}

async fn link(State(s): State<Shared>, rx: Received) -> Answer {
    let (_, q) = checked(&s, &rx)?;
    let (page, w) = q.page()?;
    let last = total_pages(w.limit);
    let mut rels = vec![("first", 1)];
    if page > 1 {
        rels.push(("prev", (page - 1).min(last)));
    }
    if page < last {
        rels.push(("next", page + 1));
    }
    rels.push(("last", last));
    let base = format!("{}{}", origin(&rx), Route::Link.path());
    let value = rels
        .iter()
        .map(|(rel, p)| format!("<{base}?page={p}&per_page={}>; rel=\"{rel}\"", w.limit))
        .collect::<Vec<_>>()
        .join(", ");
    let mut resp = Json(w.items()).into_response();
    if let Ok(v) = HeaderValue::from_str(&value) {
        resp.headers_mut().insert(header::LINK, v);
    }
    Ok(resp)
}

async fn relative(State(s): State<Shared>, rx: Received) -> Answer {
    let (_, q) = checked(&s, &rx)?;
    let w = q.window()?;
    let mut paging = Map::new();
    if let Some(next) = w.next_offset() {
        let next = format!("{}?limit={}&offset={next}", Route::Relative.path(), w.limit);
        paging.insert("next".into(), next.into());
    }
    Ok(Json(json!({"items": w.items(), "paging": paging})).into_response())
}

async fn graphql(State(s): State<Shared>, rx: Received) -> Result<Response, Problem> {
    check(&s, &rx, Expect::Access)?;
    Ok(match graphql_window(rx.content_type(), &rx.body) {
        Ok(w) => Json(json!({
            "data": {"orders": {
                "nodes": w.items(),
                "pageInfo": {
                    "hasNextPage": w.next_offset().is_some(),
                    "endCursor": w.end_cursor(),
                },
            }},
        }))
        .into_response(),
        Err(bad) => (
            StatusCode::BAD_REQUEST,
            Json(json!({
                "errors": [{"message": bad.message, "extensions": {"code": bad.code}}],
            })),
        )
            .into_response(),
    })
}

async fn repeat(State(s): State<Shared>, rx: Received) -> Answer {
    let (_, q) = checked(&s, &rx)?;
    let w = q.cursor_window()?;
    // The third page (two pages in) leads back to the second: a loop.
    let next = if w.offset == 2 * w.limit {
        Some(encode_cursor(FIRST_ORDER + w.limit - 1))
    } else {
        w.next_cursor()
    };
    Ok(Json(json!({"items": w.items(), "meta": {"next_cursor": next}})).into_response())
}

async fn flaky(State(s): State<Shared>, rx: Received) -> Answer {
    let (_, q) = checked(&s, &rx)?;
    let w = q.window()?;
    if w.offset == FLAKY_OFFSET {
        return Ok(json_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "PAGE_FAILED",
            &format!(
                "the page at offset {FLAKY_OFFSET} always fails on this route (a demo fault): \
                 stop and report it rather than skip it"
            ),
        ));
    }
    Ok(offset_page(w))
}

async fn flaky_once(State(s): State<Shared>, rx: Received) -> Answer {
    let (checked, q) = checked(&s, &rx)?;
    let w = q.window()?;
    // Once per access token; a one-legged consumer is its own client.
    let client = match checked.incoming.token.as_deref().filter(|t| !t.is_empty()) {
        Some(token) => format!("token:{token}"),
        None => format!("consumer:{}", checked.consumer.key),
    };
    if w.offset == FLAKY_OFFSET && s.fails_once(&client) {
        return Ok(json_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "PAGE_UNAVAILABLE",
            &format!(
                "the page at offset {FLAKY_OFFSET} fails the first time each access token asks \
                 for it (a demo fault): ask again"
            ),
        ));
    }
    Ok(offset_page(w))
}

async fn elsewhere(State(s): State<Shared>, rx: Received) -> Answer {
    let (_, q) = checked(&s, &rx)?;
    let w = q.window()?;
    let next = w.next_offset().map(|next| {
        format!(
            "{ELSEWHERE_ORIGIN}{}?limit={}&offset={next}",
            Route::Elsewhere.path(),
            w.limit
        )
    });
    Ok(Json(json!({"items": w.items(), "next": next})).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Params {
        Params(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn base64_matches_rfc_4648_test_vectors() {
        let vectors = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in vectors {
            assert_eq!(base64(plain.as_bytes()), encoded);
            if !plain.is_empty() {
                assert_eq!(unbase64(encoded).as_deref(), Some(plain.as_bytes()));
            }
        }
        assert_eq!(base64(&[0xfb, 0xff]), "+/8=");
        assert_eq!(unbase64("+/8="), Some(vec![0xfb, 0xff]));
    }

    #[test]
    fn cursors_round_trip_for_every_order() {
        for id in FIRST_ORDER..=LAST_ORDER {
            let c = encode_cursor(id);
            assert_eq!(decode_cursor(&c), Some(id), "{c}");
            assert!(
                c.contains('+') && c.contains('/') && c.ends_with('='),
                "{c} must need percent-encoding"
            );
        }
        assert_eq!(encode_cursor(1050), "b3JkZXI/aWQ+MTA1MDt2PTE=");
    }

    #[test]
    fn garbage_cursors_are_refused() {
        let good = encode_cursor(1050);
        let garbage = [
            String::new(),
            "garbage".into(),
            "!!!!".into(),
            "====".into(),
            good.trim_end_matches('=').to_owned(),
            good.replace('=', "%3D"),
            good.replace('=', " "),
            format!("{good}===="),
            // Read from a query with its + unencoded: a space.
            good.replace('+', " "),
            base64(b"order?id>1050;v=2"),
            base64(b"order?id>+1050;v=1"),
            base64(b"order?id>01050;v=1"),
            base64(b"order?id>1000;v=1"),
            base64(b"order?id>2235;v=1"),
            base64(b"order?id>99999999999999999999999;v=1"),
            base64(b"after=1050;v=1"),
            base64(&[0xff, 0xfe, 0xfd]),
            // The right text with padding bits set: not the canonical spelling.
            "b3JkZXI/aWQ+MTA1MDt2PTF=".into(),
        ];
        for c in garbage {
            assert_eq!(decode_cursor(&c), None, "{c:?}");
        }
    }

    #[test]
    fn a_cursor_with_its_plus_read_as_a_space_says_so() {
        let bad = Bad::cursor("ab c=");
        assert_eq!(bad.code, "INVALID_CURSOR");
        assert!(bad.message.contains("%2B"), "{}", bad.message);
        assert!(Bad::cursor("").message.contains("leave cursor out"));
    }

    #[test]
    fn windows_stop_at_the_end() {
        let w = Window {
            offset: 1200,
            limit: 50,
        };
        assert_eq!(w.items().len(), 34);
        assert_eq!(w.next_offset(), None);
        assert_eq!(w.next_cursor(), None);
        assert_eq!(w.end_cursor(), Some(encode_cursor(LAST_ORDER)));
        let past = Window {
            offset: 5000,
            limit: 50,
        };
        assert!(past.items().is_empty());
        assert_eq!(past.end_cursor(), None);
        let first = Window {
            offset: 0,
            limit: 50,
        };
        assert_eq!(first.next_cursor(), Some(encode_cursor(1050)));
        assert_eq!(after_offset(&encode_cursor(1050)), Ok(50));
        assert_eq!(total_pages(50), 25);
        assert_eq!(total_pages(200), 7);
    }

    #[test]
    fn parameters_default_clamp_and_refuse() {
        assert_eq!(
            params(&[]).window(),
            Ok(Window {
                offset: 0,
                limit: DEFAULT_LIMIT
            })
        );
        assert_eq!(params(&[("limit", "0")]).window().unwrap().limit, 1);
        assert_eq!(params(&[("limit", "5000")]).window().unwrap().limit, 200);
        let bad = params(&[("offset", "-1")]).window().unwrap_err();
        assert_eq!(bad.code, "INVALID_PARAMETER");
        assert_eq!(
            bad.message,
            "offset must be a whole number (how many orders to skip; 0 for the first page), not \"-1\""
        );
        let bad = params(&[("page", "0")]).page().unwrap_err();
        assert!(
            bad.message.starts_with("page 0 does not exist"),
            "{}",
            bad.message
        );
        assert_eq!(
            params(&[("page", "3"), ("per_page", "10")]).page(),
            Ok((
                3,
                Window {
                    offset: 20,
                    limit: 10
                }
            ))
        );
        assert_eq!(
            params(&[("cursor", "nope")])
                .cursor_window()
                .unwrap_err()
                .code,
            "INVALID_CURSOR"
        );
    }

    #[test]
    fn graphql_requests_are_read_strictly() {
        let json = Some("application/json; charset=utf-8");
        let w = graphql_window(json, br#"{"query":"{ orders }"}"#).unwrap();
        assert_eq!(
            w,
            Window {
                offset: 0,
                limit: 50
            }
        );
        let body = format!(
            r#"{{"query":"q","variables":{{"first":10,"after":"{}"}}}}"#,
            encode_cursor(1010)
        );
        assert_eq!(
            graphql_window(json, body.as_bytes()),
            Ok(Window {
                offset: 10,
                limit: 10
            })
        );
        for (ct, body, code) in [
            (None, &br#"{"query":"q"}"#[..], "INVALID_REQUEST"),
            (json, b"", "INVALID_REQUEST"),
            (json, b"{nope", "INVALID_REQUEST"),
            (json, b"[]", "INVALID_REQUEST"),
            (json, br#"{"variables":{}}"#, "INVALID_REQUEST"),
            (
                json,
                br#"{"query":"q","variables":{"first":"ten"}}"#,
                "INVALID_REQUEST",
            ),
            (
                json,
                br#"{"query":"q","variables":{"after":"xyz"}}"#,
                "INVALID_CURSOR",
            ),
            (
                json,
                br#"{"query":"q","variables":{"after":5}}"#,
                "INVALID_REQUEST",
            ),
        ] {
            let bad = graphql_window(ct, body).unwrap_err();
            assert_eq!(bad.code, code, "{}", bad.message);
        }
    }
}
