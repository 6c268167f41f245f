//! The paged order collection, walked page by page in every pagination style with a correctly
//! signed client (an access token from the three-legged flow, HMAC-SHA1), and the faults a
//! client must survive. Every walk must see ids 1001..=2234 exactly once, in order, and the
//! provider must have counted (so verified) exactly the pages the walk asked for.

mod common;

use std::collections::HashSet;

use common::*;
use serde_json::{Value, json};
use signet_oauth1::encoding::encode;
use signet_oauth1::{Placement, SignatureMethod};
use signet_provider::RunningProvider;
use signet_provider::api::{FIRST_ORDER, ORDERS};
use signet_provider::paged::{ELSEWHERE_ORIGIN, NEXT_CURSOR_HEADER, Route};

const SHA1: SignatureMethod = SignatureMethod::HmacSha1;
const HEADER: Placement = Placement::Header;

/// Token credentials for alice, by the three-legged flow.
async fn access(p: &RunningProvider) -> (String, String) {
    let temp = request_token(p, SHA1, HEADER, "oob").await;
    let verifier = allow(p, &temp).await;
    let resp = access_token(p, SHA1, HEADER, &temp, &verifier).await;
    assert_eq!(resp.status, 200, "{}", resp.body);
    let creds = resp.token_response().unwrap();
    (creds.token.clone(), creds.token_secret.expose().to_owned())
}

/// A provider and a client holding an access token for it.
struct Connected {
    p: RunningProvider,
    token: String,
    secret: String,
}

async fn connected() -> Connected {
    let p = provider().await;
    let (token, secret) = access(&p).await;
    Connected { p, token, secret }
}

impl Connected {
    fn url(&self, route: Route, query: &str) -> String {
        format!("{}?{query}", self.p.paged_url(route))
    }

    fn spec(&self, method: &'static str, url: &str) -> Spec {
        Spec::new(method, url).token(&self.token, &self.secret)
    }

    async fn get(&self, url: &str) -> Resp {
        send(&self.spec("GET", url)).await
    }

    async fn graphql(&self, variables: Value) -> Resp {
        let body = json!({
            "query": "query($first: Int, $after: String) { orders(first: $first, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }",
            "variables": variables,
        });
        send(
            &self
                .spec("POST", &self.p.paged_url(Route::Graphql))
                .json(&body.to_string()),
        )
        .await
    }
}

#[track_caller]
fn ok(resp: &Resp) -> Value {
    assert_eq!(resp.status, 200, "{}", resp.body);
    resp.json()
}

#[track_caller]
fn ids(items: &Value) -> Vec<u64> {
    items
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {items}"))
        .iter()
        .map(|o| o["id"].as_u64().unwrap())
        .collect()
}

/// Ids 1001..=2234, each once, in id order.
#[track_caller]
fn assert_every_order_once(seen: &[u64]) {
    let all: Vec<u64> = (FIRST_ORDER..FIRST_ORDER + ORDERS).collect();
    assert_eq!(seen.len(), all.len(), "{} orders seen", seen.len());
    assert_eq!(seen, all.as_slice());
}

fn header(resp: &Resp, name: &str) -> Option<String> {
    resp.headers
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
}

/// A query parameter's value, decoded.
fn param(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| {
            String::from_utf8(signet_oauth1::encoding::form_decode(v).into_owned()).unwrap()
        })
    })
}

/// The URL without the query parameter `name`.
fn without(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').unwrap();
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| pair.split('=').next() != Some(name))
        .collect();
    format!("{base}?{}", kept.join("&"))
}

/// An RFC 8288 `Link` header's links, as (rel, target).
fn links(value: &str) -> Vec<(String, String)> {
    value
        .split(',')
        .map(|link| {
            let (target, params) = link.trim().split_once(';').expect("a link has params");
            let target = target
                .trim()
                .strip_prefix('<')
                .and_then(|t| t.strip_suffix('>'))
                .expect("a link's target is in <>");
            let rel = params
                .split(';')
                .find_map(|p| p.trim().strip_prefix("rel="))
                .expect("a link has a rel")
                .trim_matches('"');
            (rel.to_owned(), target.to_owned())
        })
        .collect()
}

fn rel<'a>(links: &'a [(String, String)], name: &str) -> Option<&'a str> {
    links
        .iter()
        .find(|(r, _)| r == name)
        .map(|(_, t)| t.as_str())
}

#[tokio::test]
async fn offset_pages_cover_every_order_once() {
    let c = connected().await;
    let (mut seen, mut pages, mut offset) = (Vec::new(), 0, 0);
    loop {
        let page = ok(&c
            .get(&c.url(Route::Offset, &format!("limit=50&offset={offset}")))
            .await);
        pages += 1;
        assert_eq!(page["total"], ORDERS);
        assert_eq!(page["limit"], 50);
        assert_eq!(page["offset"], offset);
        let got = ids(&page["items"]);
        offset += got.len() as u64;
        seen.extend(got);
        if offset >= page["total"].as_u64().unwrap() {
            break;
        }
    }
    assert_every_order_once(&seen);
    assert_eq!(pages, 25);
    assert_eq!(c.p.pages_served(), pages);

    // Past the end: no items. Sizes are clamped, and the default is 50.
    let past = ok(&c.get(&c.url(Route::Offset, "offset=5000")).await);
    assert_eq!(past["items"], json!([]));
    assert_eq!(past["limit"], 50);
    let big = ok(&c.get(&c.url(Route::Offset, "limit=5000")).await);
    assert_eq!(big["limit"], 200);
    assert_eq!(big["items"].as_array().unwrap().len(), 200);
    let zero = ok(&c.get(&c.url(Route::Offset, "limit=0")).await);
    assert_eq!(ids(&zero["items"]), [FIRST_ORDER]);
    assert_eq!(c.p.pages_served(), pages + 3);
}

#[tokio::test]
async fn numbered_pages_cover_every_order_once() {
    let c = connected().await;
    let (mut seen, mut page, mut total_pages) = (Vec::new(), 1, u64::MAX);
    while page <= total_pages {
        let body = ok(&c
            .get(&c.url(Route::Pages, &format!("page={page}&per_page=100")))
            .await);
        assert_eq!(body["page"], page);
        assert_eq!(body["per_page"], 100);
        total_pages = body["total_pages"].as_u64().unwrap();
        seen.extend(ids(&body["items"]));
        page += 1;
    }
    assert_every_order_once(&seen);
    assert_eq!(total_pages, 13);
    assert_eq!(c.p.pages_served(), 13);
    let past = ok(&c.get(&c.url(Route::Pages, "page=14&per_page=100")).await);
    assert_eq!(past["items"], json!([]));
}

#[tokio::test]
async fn body_cursor_pages_cover_every_order_once_and_cursors_need_encoding() {
    let c = connected().await;
    let (mut seen, mut pages, mut cursor) = (Vec::new(), 0, None::<String>);
    loop {
        let query = match &cursor {
            None => String::new(),
            Some(cur) => format!("cursor={}", encode(cur)),
        };
        let page = ok(&c.get(&c.url(Route::Token, &query)).await);
        pages += 1;
        seen.extend(ids(&page["items"]));
        match page["meta"]["next_cursor"].as_str() {
            None => {
                assert!(page["meta"]["next_cursor"].is_null(), "{page}");
                break;
            }
            Some(next) => {
                assert!(
                    next.contains('+') && next.contains('/') && next.contains('='),
                    "{next} must need percent-encoding"
                );
                cursor = Some(next.to_owned());
            }
        }
    }
    assert_every_order_once(&seen);
    assert_eq!(pages, 25);
    assert_eq!(c.p.pages_served(), 25);

    // The same cursor sent bare: its + reads as a space, and the provider says so.
    let first = ok(&c.get(&c.url(Route::Token, "limit=10")).await);
    let next = first["meta"]["next_cursor"].as_str().unwrap();
    let bare = c.get(&c.url(Route::Token, &format!("cursor={next}"))).await;
    assert_eq!(bare.status, 400, "{}", bare.body);
    let error = &bare.json()["error"];
    assert_eq!(error["code"], "INVALID_CURSOR");
    assert!(
        error["message"].as_str().unwrap().contains("%2B"),
        "{error}"
    );
    // Encoded, it is page two of ten.
    let second = ok(&c
        .get(&c.url(Route::Token, &format!("limit=10&cursor={}", encode(next))))
        .await);
    assert_eq!(ids(&second["items"])[0], FIRST_ORDER + 10);
}

#[tokio::test]
async fn header_cursor_pages_cover_every_order_once() {
    let c = connected().await;
    let (mut seen, mut pages, mut cursor) = (Vec::new(), 0, None::<String>);
    loop {
        let query = match &cursor {
            None => "limit=200".to_owned(),
            Some(cur) => format!("limit=200&cursor={}", encode(cur)),
        };
        let resp = c.get(&c.url(Route::TokenHeader, &query)).await;
        let body = ok(&resp);
        pages += 1;
        seen.extend(ids(&body));
        cursor = header(&resp, NEXT_CURSOR_HEADER);
        if cursor.is_none() {
            break;
        }
    }
    assert_every_order_once(&seen);
    assert_eq!(pages, 7);
    assert_eq!(c.p.pages_served(), 7);
}

#[tokio::test]
async fn next_url_pages_cover_every_order_once_when_the_echoed_key_is_dropped() {
    let c = connected().await;
    let (mut seen, mut pages) = (Vec::new(), 0);
    let mut url = c.url(Route::NextUrl, "limit=100");
    loop {
        let page = ok(&c.get(&url).await);
        pages += 1;
        seen.extend(ids(&page["items"]));
        let Some(next) = page["next"].as_str() else {
            assert!(page["next"].is_null(), "{page}");
            break;
        };
        assert!(next.starts_with(&format!("{}/", c.p.url())), "{next}");
        assert_eq!(
            param(next, "oauth_consumer_key").as_deref(),
            Some(signet_provider::demo::CONSUMER_KEY)
        );
        url = without(next, "oauth_consumer_key");
    }
    assert_every_order_once(&seen);
    assert_eq!(pages, 13);
    assert_eq!(c.p.pages_served(), 13);
}

/// The check refuses a protocol parameter sent twice: in the query and the header (two
/// places), or twice in the query.
#[tokio::test]
async fn next_url_with_its_echoed_consumer_key_signed_twice_is_refused() {
    let c = connected().await;
    let first = ok(&c.get(&c.url(Route::NextUrl, "limit=10")).await);
    let next = first["next"].as_str().unwrap();
    assert!(next.ends_with("&oauth_consumer_key=signet-demo"), "{next}");

    let both = c.get(next).await;
    both.assert_problem(400, "parameter_rejected");
    assert!(
        both.field("oauth_problem_advice")
            .unwrap()
            .contains("one place only"),
        "{}",
        both.body
    );

    let twice = send(&c.spec("GET", next).placement(Placement::Query)).await;
    twice.assert_problem(400, "parameter_rejected");
    assert_eq!(
        twice.field("oauth_parameters_rejected").as_deref(),
        Some("oauth_consumer_key")
    );
    assert!(
        twice
            .field("oauth_problem_advice")
            .unwrap()
            .contains("more than once"),
        "{}",
        twice.body
    );
    assert_eq!(c.p.pages_served(), 1);

    let dropped = ok(&c.get(&without(next, "oauth_consumer_key")).await);
    assert_eq!(ids(&dropped["items"])[0], FIRST_ORDER + 10);
    assert_eq!(c.p.pages_served(), 2);
}

#[tokio::test]
async fn link_header_pages_are_followed_by_rel() {
    let c = connected().await;
    let (mut seen, mut pages) = (Vec::new(), 0u64);
    let mut url = c.url(Route::Link, "per_page=75");
    let mut last: String;
    loop {
        let resp = c.get(&url).await;
        let body = ok(&resp);
        pages += 1;
        seen.extend(ids(&body));
        let value = header(&resp, "link").expect("a Link header on every page");
        let found = links(&value);
        let base = format!("{}{}", c.p.url(), Route::Link.path());
        assert_eq!(
            rel(&found, "first"),
            Some(format!("{base}?page=1&per_page=75").as_str())
        );
        let last_url = rel(&found, "last")
            .expect("rel=last on every page")
            .to_owned();
        assert_eq!(param(&last_url, "page").as_deref(), Some("17"));
        last = last_url;
        assert_eq!(rel(&found, "prev").is_some(), pages > 1, "{value}");
        match rel(&found, "next") {
            Some(next) => {
                // Never the first link: a client picks it by its rel.
                assert_ne!(found[0].0, "next", "{value}");
                assert_eq!(param(next, "page"), Some((pages + 1).to_string()));
                url = next.to_owned();
            }
            None => break,
        }
    }
    assert_every_order_once(&seen);
    assert_eq!(pages, 17);
    assert_eq!(url, last, "the page without rel=next is rel=last");
    assert_eq!(c.p.pages_served(), 17);
}

#[tokio::test]
async fn relative_next_pages_cover_every_order_once() {
    let c = connected().await;
    let (mut seen, mut pages) = (Vec::new(), 0);
    let mut url = c.url(Route::Relative, "limit=60");
    loop {
        let page = ok(&c.get(&url).await);
        pages += 1;
        seen.extend(ids(&page["items"]));
        let paging = page["paging"].as_object().expect("paging on every page");
        let Some(next) = paging.get("next") else {
            break;
        };
        let next = next.as_str().unwrap();
        assert!(
            next.starts_with(&format!("{}?", Route::Relative.path())),
            "{next}"
        );
        url = format!("{}{next}", c.p.url());
    }
    assert_every_order_once(&seen);
    assert_eq!(pages, 21);
    assert_eq!(c.p.pages_served(), 21);
}

#[tokio::test]
async fn graphql_pages_cover_every_order_once() {
    let c = connected().await;
    let (mut seen, mut pages, mut after) = (Vec::new(), 0, Value::Null);
    loop {
        let body = ok(&c.graphql(json!({"first": 150, "after": after})).await);
        pages += 1;
        let orders = &body["data"]["orders"];
        let got = ids(&orders["nodes"]);
        let end = orders["pageInfo"]["endCursor"].as_str().unwrap();
        assert!(!got.is_empty());
        seen.extend(got);
        if orders["pageInfo"]["hasNextPage"] == json!(false) {
            break;
        }
        after = Value::String(end.to_owned());
    }
    assert_every_order_once(&seen);
    assert_eq!(pages, 9);
    assert_eq!(c.p.pages_served(), 9);

    // After the last node: an empty page, no end cursor.
    let last = ok(&c.graphql(json!({"first": 150, "after": after})).await);
    let last_end = last["data"]["orders"]["pageInfo"]["endCursor"].clone();
    let empty = ok(&c.graphql(json!({"after": last_end})).await);
    assert_eq!(
        empty["data"]["orders"],
        json!({"nodes": [], "pageInfo": {"hasNextPage": false, "endCursor": null}})
    );
}

/// Absolute links are built from the `Host` the request came with.
#[tokio::test]
async fn next_links_lead_back_to_the_origin_the_client_called() {
    let c = connected().await;
    let port = c.p.addr().port();
    let via = reqwest::Client::builder()
        .resolve("orders.test", c.p.addr())
        .build()
        .unwrap();
    let origin = format!("http://orders.test:{port}");
    let get = |url: String| {
        let spec = c.spec("GET", &url);
        let via = via.clone();
        async move { send_with(&via, &spec).await }
    };
    let page = ok(&get(format!("{origin}{}?limit=10", Route::NextUrl.path())).await);
    let next = page["next"].as_str().unwrap();
    assert!(
        next.starts_with(&format!("{origin}{}?", Route::NextUrl.path())),
        "{next}"
    );
    let resp = get(format!("{origin}{}?per_page=10", Route::Link.path())).await;
    ok(&resp);
    let found = links(&header(&resp, "link").unwrap());
    assert!(
        rel(&found, "next").unwrap().starts_with(&origin),
        "{found:?}"
    );
}

#[tokio::test]
async fn repeat_loops_back_at_the_third_page() {
    let c = connected().await;
    let mut seen_cursors = HashSet::new();
    let mut cursor: Option<String> = None;
    let mut loop_at = None;
    for page in 1..=10 {
        let query = match &cursor {
            None => "limit=100".to_owned(),
            Some(cur) => format!("limit=100&cursor={}", encode(cur)),
        };
        let body = ok(&c.get(&c.url(Route::Repeat, &query)).await);
        let next = body["meta"]["next_cursor"].as_str().unwrap().to_owned();
        if !seen_cursors.insert(next.clone()) {
            loop_at = Some(page);
            break;
        }
        cursor = Some(next);
    }
    assert_eq!(loop_at, Some(3), "the third page's cursor repeats");
    assert_eq!(c.p.pages_served(), 3);

    // The second page's cursor is the one the third page hands back.
    let first = ok(&c.get(&c.url(Route::Repeat, "limit=100")).await);
    let second_cursor = first["meta"]["next_cursor"].as_str().unwrap();
    let second = ok(&c
        .get(&c.url(
            Route::Repeat,
            &format!("limit=100&cursor={}", encode(second_cursor)),
        ))
        .await);
    let third_cursor = second["meta"]["next_cursor"].as_str().unwrap();
    let third = ok(&c
        .get(&c.url(
            Route::Repeat,
            &format!("limit=100&cursor={}", encode(third_cursor)),
        ))
        .await);
    assert_eq!(ids(&third["items"])[0], FIRST_ORDER + 200);
    assert_eq!(third["meta"]["next_cursor"], second_cursor);
}

#[tokio::test]
async fn flaky_fails_every_time_at_offset_500() {
    let c = connected().await;
    let mut offset = 0;
    let failed = loop {
        let resp = c
            .get(&c.url(Route::Flaky, &format!("limit=50&offset={offset}")))
            .await;
        if resp.status != 200 {
            break resp;
        }
        offset += 50;
    };
    assert_eq!(offset, 500);
    assert_eq!(failed.status, 500, "{}", failed.body);
    assert_eq!(failed.json()["error"]["code"], "PAGE_FAILED");
    for _ in 0..3 {
        let again = c.get(&c.url(Route::Flaky, "limit=50&offset=500")).await;
        assert_eq!(again.status, 500, "{}", again.body);
    }
    // Only the pages served count, not the failures.
    assert_eq!(c.p.pages_served(), 10);
    // Around it, the pages are there.
    ok(&c.get(&c.url(Route::Flaky, "limit=50&offset=550")).await);
    ok(&c.get(&c.url(Route::Flaky, "limit=50&offset=499")).await);
}

#[tokio::test]
async fn flaky_once_fails_once_per_access_token() {
    let c = connected().await;
    let url = c.url(Route::FlakyOnce, "offset=500");
    let first = c.get(&url).await;
    assert_eq!(first.status, 500, "{}", first.body);
    assert_eq!(first.json()["error"]["code"], "PAGE_UNAVAILABLE");
    let retry = ok(&c.get(&url).await);
    assert_eq!(ids(&retry["items"])[0], FIRST_ORDER + 500);
    ok(&c.get(&url).await);
    assert_eq!(c.p.pages_served(), 2);

    // Another access token fails once too.
    let (token, secret) = access(&c.p).await;
    let other = send(&Spec::new("GET", &url).token(&token, &secret)).await;
    assert_eq!(other.status, 500, "{}", other.body);
    let other = send(&Spec::new("GET", &url).token(&token, &secret)).await;
    ok(&other);
}

#[tokio::test]
async fn elsewhere_next_is_on_another_host() {
    let c = connected().await;
    let page = ok(&c.get(&c.url(Route::Elsewhere, "limit=20")).await);
    assert_eq!(ids(&page["items"]).len(), 20);
    let next = page["next"].as_str().unwrap();
    assert_eq!(
        next,
        format!(
            "{ELSEWHERE_ORIGIN}{}?limit=20&offset=20",
            Route::Elsewhere.path()
        )
    );
    assert!(!next.starts_with(c.p.url()));
    // And so on every page; the last has none.
    let last = ok(&c
        .get(&c.url(Route::Elsewhere, "limit=20&offset=1220"))
        .await);
    assert!(last["next"].is_null());
}

#[tokio::test]
async fn bad_parameters_are_400_with_a_way_forward() {
    let c = connected().await;
    for (route, query, code, says) in [
        (
            Route::Offset,
            "limit=ten",
            "INVALID_PARAMETER",
            "limit must be a whole number (1 to 200; 50 when left out), not \"ten\"",
        ),
        (
            Route::Offset,
            "offset=-1",
            "INVALID_PARAMETER",
            "offset must be a whole number (how many orders to skip; 0 for the first page), not \"-1\"",
        ),
        (
            Route::Pages,
            "page=0",
            "INVALID_PARAMETER",
            "page 0 does not exist: pages are numbered from 1 (page=1 is the first)",
        ),
        (
            Route::Link,
            "per_page=x",
            "INVALID_PARAMETER",
            "per_page must be a whole number",
        ),
        (
            Route::Token,
            "cursor=garbage",
            "INVALID_CURSOR",
            "cursor \"garbage\" is not one this provider handed out",
        ),
        (
            Route::TokenHeader,
            "cursor=",
            "INVALID_CURSOR",
            "leave cursor out to start at the first page",
        ),
        (
            Route::Repeat,
            "cursor=b3JkZXI%2FaWQ%2BMTA1MDt2PTI%3D",
            "INVALID_CURSOR",
            "is not one this provider handed out",
        ),
        (
            Route::FlakyOnce,
            "offset=five",
            "INVALID_PARAMETER",
            "offset must be a whole number",
        ),
    ] {
        let resp = c.get(&c.url(route, query)).await;
        assert_eq!(resp.status, 400, "{route:?} {query}: {}", resp.body);
        let error = &resp.json()["error"];
        assert_eq!(error["code"], code, "{route:?} {query}");
        let message = error["message"].as_str().unwrap();
        assert!(message.contains(says), "{route:?} {query}: {message}");
    }

    // GraphQL answers in its own error shape.
    let url = c.p.paged_url(Route::Graphql);
    let not_json = send(&c.spec("POST", &url).json("{\"query\": ")).await;
    assert_eq!(not_json.status, 400, "{}", not_json.body);
    let message = not_json.json()["errors"][0]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(message.starts_with("the body is not JSON"), "{message}");
    let no_query = send(&c.spec("POST", &url).json("{}")).await;
    assert_eq!(no_query.status, 400);
    assert!(
        no_query.json()["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("\"query\", a string")
    );
    let bad_cursor = c.graphql(json!({"after": "nope"})).await;
    assert_eq!(bad_cursor.status, 400);
    assert_eq!(
        bad_cursor.json()["errors"][0]["extensions"]["code"],
        "INVALID_CURSOR"
    );
    let as_form = send(&c.spec("POST", &url).form("query=x")).await;
    assert_eq!(as_form.status, 400);
    assert!(
        as_form.json()["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("application/json")
    );
    assert_eq!(c.p.pages_served(), 0, "no bad request counts as a page");
}

/// RFC 5849 section 3.2: a request without the protocol parameters is a 400
/// (`parameter_absent`); a wrong signature or an unknown token a 401.
#[tokio::test]
async fn unsigned_and_badly_signed_pages_are_refused_and_not_counted() {
    let c = connected().await;
    for route in Route::ALL {
        let url = c.p.paged_url(route);
        let request = if route == Route::Graphql {
            client()
                .post(&url)
                .header("Content-Type", "application/json")
                .body(r#"{"query":"{ orders { nodes { id } } }"}"#)
        } else {
            client().get(&url)
        };
        let unsigned = into_resp(request.send().await.unwrap()).await;
        unsigned.assert_problem(400, "parameter_absent");
        assert!(
            unsigned
                .field("oauth_parameters_absent")
                .unwrap()
                .contains("oauth_signature"),
            "{route:?}"
        );

        let method = if route == Route::Graphql {
            "POST"
        } else {
            "GET"
        };
        let wrong_secret = send(&Spec::new(method, &url).token(&c.token, "not-the-secret")).await;
        wrong_secret.assert_problem(401, "signature_invalid");
        assert!(wrong_secret.www_authenticate.is_some(), "{route:?}");

        let unknown = send(&Spec::new(method, &url).token("no-such-token", "x")).await;
        unknown.assert_problem(401, "token_rejected");
    }
    assert_eq!(c.p.pages_served(), 0);
}
