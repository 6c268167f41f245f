//! Pagination: how an endpoint's next page is asked for, and when to stop.
//!
//! An endpoint's [`Pagination`] names one method — limit-offset, page number, next-page token,
//! next-page URL, `Link` header, custom relative URI, GraphQL cursor — where a page's items
//! are, the rules that end the walk and the limits that protect the user. A [`Pager`] turns the
//! endpoint's prepared first call into each page's [`PreparedCall`] and reads each answer: the
//! items, then the next page's call or the reason to stop. Every page's call is a whole
//! prepared call, signed afresh by the caller (its own nonce and timestamp), with the cursor or
//! page parameters in the query or form body exactly as sent, so they are in the signature base
//! string. A next URL the provider hands over keeps its query (and signs it) but never its
//! `oauth_*` parameters, which the signature adds afresh; a next URL on another origin is
//! refused, so the token never travels where the user did not point it.
//!
//! Pure: the caller sends, times, retries and cancels (`signet_app`). Script pagination (the
//! scripts issue) will be one more [`PageMethod`] variant: the setting is a tagged union.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use signet_oauth1::base_string::UrlParts;
use signet_oauth1::encoding::{encode, form_decode, lossy};
use signet_oauth1::flow::FieldProblem;
use signet_oauth1::parameters::split_pairs;

use crate::resolve::{PreparedAuth, PreparedCall, SentParameter};

/// Most pages a walk may be set to fetch.
pub const MAX_PAGES_CEILING: u32 = 10_000;
/// Most items a walk may be set to keep.
pub const MAX_ITEMS_CEILING: u64 = 1_000_000;
/// Longest cursor or next URL remembered for loop detection (longer ones are refused).
pub const MAX_CURSOR_LEN: usize = 8 * 1024;

/// An endpoint's pagination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
pub struct Pagination {
    /// How the next page is asked for.
    pub method: PageMethod,
    /// Where a page's items are: a JSON pointer (`/items`) or a JSONPath (`$.data.items`);
    /// empty: the body itself when it is an array, else the body's only array field.
    #[serde(default)]
    pub items: String,
    /// What ends the walk besides the method's own end (no next cursor).
    #[serde(default)]
    pub stop: StopRules,
    /// Limits that protect the user from a provider that never stops.
    #[serde(default)]
    pub limits: PageLimits,
}

/// How the next page is asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PageMethod {
    /// `?limit=50&offset=0`, then `offset=50`, ...: the offset grows by the items received.
    LimitOffset {
        /// The page-size parameter (`limit`).
        limit_param: String,
        /// The offset parameter (`offset`).
        offset_param: String,
        /// Items per page.
        limit: u32,
        /// The first page's offset (usually 0).
        #[serde(default)]
        start: u64,
    },
    /// `?page=1&per_page=50`, then `page=2`, ...
    PageNumber {
        /// The page parameter (`page`).
        page_param: String,
        /// The first page's number (usually 1, sometimes 0).
        first_page: u64,
        /// The page-size parameter (`per_page`), if the provider takes one.
        #[serde(default)]
        size_param: Option<String>,
        /// Items per page (sent as `size_param`; the short-page rule compares with it).
        #[serde(default)]
        size: Option<u32>,
    },
    /// A cursor read from each answer, sent back as a named parameter.
    NextToken {
        /// Where the cursor is.
        cursor: ValueSource,
        /// The parameter that carries it back (`cursor`, `page_token`).
        param: String,
        /// Where that parameter goes.
        #[serde(default)]
        place: ParamPlace,
    },
    /// An absolute URL of the next page, read from the answer.
    NextUrl {
        /// Where the URL is.
        next: ValueSource,
    },
    /// The `Link` header's `rel="next"` target (RFC 8288), as GitHub and Shopify send.
    LinkHeader,
    /// A path and query relative to the endpoint's origin (`/orders?page_info=abc`).
    RelativeUri {
        /// Where the path is.
        next: ValueSource,
    },
    /// GraphQL's `pageInfo { hasNextPage endCursor }`: the cursor goes into the body's
    /// `variables` object.
    GraphqlCursor {
        /// Where `pageInfo` is (`/data/orders/pageInfo`).
        page_info: String,
        /// The variable that carries the cursor (`after`).
        variable: String,
        /// The page-size variable (`first`), if any.
        #[serde(default)]
        size_variable: Option<String>,
        /// Items per page, sent as `size_variable`.
        #[serde(default)]
        size: Option<u32>,
    },
}

impl PageMethod {
    /// `limit_offset`, `page_number`, ...
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::LimitOffset { .. } => "limit_offset",
            Self::PageNumber { .. } => "page_number",
            Self::NextToken { .. } => "next_token",
            Self::NextUrl { .. } => "next_url",
            Self::LinkHeader => "link_header",
            Self::RelativeUri { .. } => "relative_uri",
            Self::GraphqlCursor { .. } => "graphql_cursor",
        }
    }

    /// The page size the method asks for, when it asks for one.
    pub fn page_size(&self) -> Option<u32> {
        match self {
            Self::LimitOffset { limit, .. } => Some(*limit),
            Self::PageNumber {
                size_param: Some(_),
                size,
                ..
            } => *size,
            Self::GraphqlCursor {
                size_variable: Some(_),
                size,
                ..
            } => *size,
            _ => None,
        }
    }
}

/// Where a value is read from an answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum ValueSource {
    /// The JSON body, at a JSON pointer (`/meta/next_cursor`) or JSONPath (`$.meta.next`).
    Body {
        /// The path.
        path: String,
    },
    /// A response header (`X-Next-Cursor`).
    Header {
        /// Its name.
        name: String,
    },
}

/// Where a parameter the pager sets goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ParamPlace {
    /// The query (signed).
    #[default]
    Query,
    /// The body: a form field (signed) or a top-level field of a JSON body.
    Body,
}

/// What ends the walk besides the method's own end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
pub struct StopRules {
    /// Stop at a page without items.
    #[serde(default = "yes")]
    pub empty_page: bool,
    /// Stop at a page with fewer items than the page size asked for.
    #[serde(default = "yes")]
    pub short_page: bool,
    /// Stop when the items (or pages) reach a total the provider states.
    #[serde(default)]
    pub total: Option<Total>,
}

impl Default for StopRules {
    fn default() -> Self {
        Self {
            empty_page: true,
            short_page: true,
            total: None,
        }
    }
}

fn yes() -> bool {
    true
}

/// A total the provider states.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
pub struct Total {
    /// Where it is (`/total`, `X-Total-Count`).
    pub source: ValueSource,
    /// What it counts.
    #[serde(default)]
    pub counts: TotalOf,
}

/// What a stated total counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum TotalOf {
    /// Items.
    #[default]
    Items,
    /// Pages.
    Pages,
}

/// Limits that protect the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
pub struct PageLimits {
    /// Most pages fetched in one walk.
    #[serde(default = "default_max_pages")]
    pub max_pages: u32,
    /// Most items kept in one walk (the page that passes it is cut).
    #[serde(default = "default_max_items")]
    pub max_items: u64,
}

fn default_max_pages() -> u32 {
    100
}

fn default_max_items() -> u64 {
    10_000
}

impl Default for PageLimits {
    fn default() -> Self {
        Self {
            max_pages: default_max_pages(),
            max_items: default_max_items(),
        }
    }
}

impl Pagination {
    /// `method` with the items found automatically, the default stop rules and limits.
    pub fn new(method: PageMethod) -> Self {
        Self {
            method,
            items: String::new(),
            stop: StopRules::default(),
            limits: PageLimits::default(),
        }
    }

    /// Every problem of the setting, as `(field under the pagination, message)`.
    pub fn problems(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut name = |field: &str, v: &str, what: &str| {
            if v.trim().is_empty() {
                out.push((field.to_owned(), format!("name the {what}")));
            } else if v.trim() != v || v.chars().any(char::is_control) {
                out.push((
                    field.to_owned(),
                    format!("the {what} {v:?} has spaces or control characters at its ends"),
                ));
            }
        };
        match &self.method {
            PageMethod::LimitOffset {
                limit_param,
                offset_param,
                ..
            } => {
                name("method.limit_param", limit_param, "page-size parameter");
                name("method.offset_param", offset_param, "offset parameter");
            }
            PageMethod::PageNumber {
                page_param,
                size_param,
                ..
            } => {
                name("method.page_param", page_param, "page parameter");
                if let Some(s) = size_param {
                    name("method.size_param", s, "page-size parameter");
                }
            }
            PageMethod::NextToken { param, .. } => name("method.param", param, "cursor parameter"),
            PageMethod::GraphqlCursor {
                variable,
                size_variable,
                ..
            } => {
                name("method.variable", variable, "cursor variable");
                if let Some(s) = size_variable {
                    name("method.size_variable", s, "page-size variable");
                }
            }
            _ => {}
        }
        match &self.method {
            PageMethod::LimitOffset { limit: 0, .. } => out.push((
                "method.limit".into(),
                "the page size must be at least 1".into(),
            )),
            PageMethod::PageNumber {
                size_param: Some(_),
                size: None | Some(0),
                ..
            }
            | PageMethod::GraphqlCursor {
                size_variable: Some(_),
                size: None | Some(0),
                ..
            } => out.push((
                "method.size".into(),
                "give the page size to send (at least 1)".into(),
            )),
            _ => {}
        }
        let mut source = |field: &str, s: &ValueSource| match s {
            ValueSource::Body { path } => {
                if let Err(e) = parse_path(path) {
                    out.push((format!("{field}.path"), e));
                }
            }
            ValueSource::Header { name } => {
                if name.trim().is_empty()
                    || !name
                        .trim()
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                {
                    out.push((
                        format!("{field}.name"),
                        format!(
                            "{name:?} is not a header name: use letters, digits and - (X-Next-Cursor)"
                        ),
                    ));
                }
            }
        };
        match &self.method {
            PageMethod::NextToken { cursor, .. } => source("method.cursor", cursor),
            PageMethod::NextUrl { next } | PageMethod::RelativeUri { next } => {
                source("method.next", next);
            }
            _ => {}
        }
        if let Some(t) = &self.stop.total {
            source("stop.total.source", &t.source);
        }
        if let PageMethod::GraphqlCursor { page_info, .. } = &self.method {
            if page_info.trim().is_empty() {
                out.push((
                    "method.page_info".into(),
                    "say where pageInfo is (/data/orders/pageInfo)".into(),
                ));
            } else if let Err(e) = parse_path(page_info) {
                out.push(("method.page_info".into(), e));
            }
        }
        if let Err(e) = parse_path(&self.items) {
            out.push(("items".into(), e));
        }
        if !(1..=MAX_PAGES_CEILING).contains(&self.limits.max_pages) {
            out.push((
                "limits.max_pages".into(),
                format!("the most pages must be from 1 to {MAX_PAGES_CEILING}"),
            ));
        }
        if !(1..=MAX_ITEMS_CEILING).contains(&self.limits.max_items) {
            out.push((
                "limits.max_items".into(),
                format!("the most items must be from 1 to {MAX_ITEMS_CEILING}"),
            ));
        }
        out
    }
}

/// Why a walk ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Stop {
    /// The last page named no next page: every item was fetched.
    NoNext,
    /// A page had no items.
    EmptyPage,
    /// A page had fewer items than the page size.
    ShortPage {
        /// The page size asked for.
        size: u32,
        /// The items it had.
        got: u64,
    },
    /// The items (or pages) reached the total the provider stated.
    TotalReached {
        /// The total.
        total: u64,
    },
    /// The most pages were fetched and the provider named another.
    MaxPages {
        /// The limit.
        max: u32,
    },
    /// The most items were kept (the last page cut).
    MaxItems {
        /// The limit.
        max: u64,
    },
    /// The provider named a page it had named before: following it would never end.
    Loop {
        /// The cursor or URL seen before.
        cursor: String,
        /// The page that first named it.
        first_seen: u32,
    },
    /// The next page is on another origin: the token is not sent there.
    OffOrigin {
        /// The next page's URL.
        url: String,
        /// The endpoint's origin.
        origin: String,
    },
    /// A page could not be read (not JSON, no items where the setting says).
    Unreadable {
        /// What was wrong.
        message: String,
    },
    /// A page failed (an error status or no answer, after one retry when it may pass).
    Failed {
        /// What happened.
        message: String,
    },
    /// The user cancelled.
    Cancelled,
}

impl Stop {
    /// Whether the walk fetched every item (rather than being cut short or failing).
    pub fn complete(&self) -> bool {
        matches!(
            self,
            Self::NoNext | Self::EmptyPage | Self::ShortPage { .. } | Self::TotalReached { .. }
        )
    }

    /// Whether the walk failed (rather than ending or being cut short by a limit or the user).
    pub fn failed(&self) -> bool {
        matches!(
            self,
            Self::Loop { .. }
                | Self::OffOrigin { .. }
                | Self::Unreadable { .. }
                | Self::Failed { .. }
        )
    }

    /// In plain words.
    pub fn message(&self) -> String {
        match self {
            Self::NoNext => "the last page named no next page: every page was fetched".into(),
            Self::EmptyPage => "a page had no items: every page was fetched".into(),
            Self::ShortPage { size, got } => {
                format!("a page had {got} items, fewer than the {size} asked for: it was the last")
            }
            Self::TotalReached { total } => {
                format!("the provider's stated total ({total}) was reached")
            }
            Self::MaxPages { max } => format!(
                "stopped after {max} pages (the most pages set for the endpoint); the provider named more"
            ),
            Self::MaxItems { max } => format!(
                "stopped at {max} items (the most items set for the endpoint); there may be more"
            ),
            Self::Loop { cursor, first_seen } => format!(
                "the provider named a page again ({}), which page {first_seen} had already named: following it would never end",
                shorten(cursor)
            ),
            Self::OffOrigin { url, origin } => format!(
                "the next page is on another site ({}), not {origin}: Signet does not send the token there",
                shorten(url)
            ),
            Self::Unreadable { message } | Self::Failed { message } => message.clone(),
            Self::Cancelled => "cancelled: the pages fetched so far are kept".into(),
        }
    }

    /// What to do, when there is something to do.
    pub fn hint(&self) -> Option<&'static str> {
        Some(match self {
            Self::MaxPages { .. } | Self::MaxItems { .. } => {
                "raise the most pages or items in the endpoint's pagination, or narrow the query"
            }
            Self::Loop { .. } => {
                "the provider's cursor repeats: check that the cursor parameter is the one the provider reads, and report the loop to the provider"
            }
            Self::OffOrigin { .. } => {
                "if the provider really serves pages there, make that address the endpoint's URL"
            }
            Self::Unreadable { .. } => {
                "check where the items (and the cursor) are in the page: open the page's response"
            }
            _ => return None,
        })
    }
}

fn shorten(s: &str) -> String {
    if s.chars().count() <= 120 {
        s.to_owned()
    } else {
        let cut: String = s.chars().take(117).collect();
        format!("{cut}...")
    }
}

/// One page's call, ready to sign.
#[derive(Debug, Clone)]
pub struct PageRequest {
    /// 1 for the first page.
    pub number: u32,
    /// The call: sign it afresh and send it.
    pub call: PreparedCall,
    /// What the pager set for this page, in words (`offset=50 in the query`).
    pub changes: Vec<String>,
}

/// An answer as the pager reads it.
#[derive(Debug, Clone, Copy)]
pub struct PageAnswer<'a> {
    /// The status (the caller only hands over successes).
    pub status: u16,
    /// Every header.
    pub headers: &'a [(String, String)],
    /// The body.
    pub body: &'a [u8],
}

/// What a page held and what comes next.
#[derive(Debug, Clone)]
pub struct PageRead {
    /// The page's items (cut at the most items).
    pub items: Vec<Value>,
    /// Where the items were found (a JSON pointer; empty: the body).
    pub items_at: String,
    /// The next page, or why there is none.
    pub next: Result<PageRequest, Stop>,
}

/// Walks an endpoint's pages (see the module docs).
#[derive(Debug, Clone)]
pub struct Pager {
    cfg: Pagination,
    base: PreparedCall,
    /// The base call's `scheme://host[:port]`, lower-case, default port dropped.
    origin: String,
    /// Query pairs the authentication method adds (an API key, its URL parameters): a next
    /// URL from the provider gets them back when it lacks them.
    method_query: Vec<(String, String)>,
    /// The page being read's URL (relative next pages resolve against it).
    current: String,
    page: u32,
    items: u64,
    offset: u64,
    page_number: u64,
    /// Cursors and URLs named so far, with the page that named each.
    seen: HashSet<String>,
    first_seen: Vec<(String, u32)>,
}

impl Pager {
    /// A pager over `base`, the endpoint's prepared call; a setting with problems is refused
    /// with each named (`endpoints[i].pagination.` + the field).
    pub fn new(
        cfg: &Pagination,
        base: PreparedCall,
        field: &str,
    ) -> Result<Self, Vec<FieldProblem>> {
        let mut problems: Vec<FieldProblem> = cfg
            .problems()
            .into_iter()
            .map(|(f, message)| FieldProblem {
                field: format!("{field}.{f}"),
                message,
            })
            .collect();
        let origin = origin_of(&base.url).unwrap_or_default();
        let json_body = || {
            base.content_type
                .as_deref()
                .is_some_and(|c| essence(c) == "application/json")
                && base
                    .body
                    .as_deref()
                    .and_then(|b| serde_json::from_str::<Value>(b).ok())
                    .is_some_and(|v| v.is_object())
        };
        let form_body = base
            .content_type
            .as_deref()
            .is_some_and(signet_oauth1::request::is_form_content_type);
        match &cfg.method {
            PageMethod::GraphqlCursor { .. } if !json_body() => problems.push(FieldProblem {
                field: format!("{field}.method"),
                message: "a GraphQL cursor goes into the body's variables: give the endpoint a JSON body such as {\"query\": \"...\", \"variables\": {}} and the method POST".into(),
            }),
            PageMethod::NextToken {
                place: ParamPlace::Body,
                ..
            } if !form_body && !json_body() => problems.push(FieldProblem {
                field: format!("{field}.method.place"),
                message: "the cursor is to go in the body, but the endpoint has no form or JSON object body: put it in the query, or give the endpoint a body".into(),
            }),
            _ => {}
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let base_query = query_pairs(&base.url);
        let method_query = base_query
            .into_iter()
            .filter(|(k, _)| {
                base.secret_query.iter().any(|s| s == k)
                    || base
                        .parameters
                        .iter()
                        .any(|p| p.place == "query" && p.from != "endpoint" && &p.name == k)
            })
            .collect();
        let (offset, page_number) = match &cfg.method {
            PageMethod::LimitOffset { start, .. } => (*start, 0),
            PageMethod::PageNumber { first_page, .. } => (0, *first_page),
            _ => (0, 0),
        };
        Ok(Self {
            cfg: cfg.clone(),
            base,
            origin,
            method_query,
            current: String::new(),
            page: 0,
            items: 0,
            offset,
            page_number,
            seen: HashSet::new(),
            first_seen: Vec::new(),
        })
    }

    /// The setting.
    pub fn pagination(&self) -> &Pagination {
        &self.cfg
    }

    /// The endpoint's origin (`https://api.example.com`).
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Items kept so far.
    pub fn items(&self) -> u64 {
        self.items
    }

    /// The first page's call.
    pub fn first(&mut self) -> PageRequest {
        self.page = 1;
        let mut call = self.base.clone();
        let mut changes = Vec::new();
        match &self.cfg.method {
            PageMethod::LimitOffset {
                limit_param,
                offset_param,
                limit,
                ..
            } => {
                set_query(&mut call, limit_param, &limit.to_string(), &mut changes);
                set_query(
                    &mut call,
                    offset_param,
                    &self.offset.to_string(),
                    &mut changes,
                );
            }
            PageMethod::PageNumber {
                page_param,
                size_param,
                size,
                ..
            } => {
                set_query(
                    &mut call,
                    page_param,
                    &self.page_number.to_string(),
                    &mut changes,
                );
                if let (Some(p), Some(s)) = (size_param, size) {
                    set_query(&mut call, p, &s.to_string(), &mut changes);
                }
            }
            PageMethod::GraphqlCursor {
                variable,
                size_variable,
                size,
                ..
            } => {
                set_graphql(&mut call, variable, Value::Null, &mut changes);
                if let (Some(v), Some(s)) = (size_variable, size) {
                    set_graphql(&mut call, v, Value::from(*s), &mut changes);
                }
            }
            _ => {}
        }
        self.current = call.url.clone();
        PageRequest {
            number: 1,
            call,
            changes,
        }
    }

    /// Reads page `self.page`'s answer: its items, then the next page or why there is none.
    pub fn read(&mut self, answer: &PageAnswer<'_>) -> PageRead {
        let body: Option<Value> = serde_json::from_slice(answer.body).ok();
        let found = match &body {
            Some(b) => find_items(b, &self.cfg.items),
            None if answer.body.iter().all(u8::is_ascii_whitespace) => Err(
                "the page's body is empty, so it has no items: check the endpoint's URL and parameters".to_owned(),
            ),
            None => Err(format!(
                "page {} is not JSON ({}), so Signet cannot find its items",
                self.page,
                looks_like(answer.body)
            )),
        };
        let (mut items, items_at) = match found {
            Ok((items, at)) => (items, at),
            Err(message) => {
                return PageRead {
                    items: Vec::new(),
                    items_at: String::new(),
                    next: Err(Stop::Unreadable { message }),
                };
            }
        };
        let got = items.len() as u64;
        let room = self.cfg.limits.max_items.saturating_sub(self.items);
        let cut = got > room;
        if cut {
            items.truncate(usize::try_from(room).unwrap_or(usize::MAX));
        }
        self.items += items.len() as u64;
        let next = self.next(answer, body.as_ref(), got, cut);
        PageRead {
            items,
            items_at,
            next,
        }
    }

    fn next(
        &mut self,
        answer: &PageAnswer<'_>,
        body: Option<&Value>,
        got: u64,
        cut: bool,
    ) -> Result<PageRequest, Stop> {
        if cut {
            return Err(Stop::MaxItems {
                max: self.cfg.limits.max_items,
            });
        }
        if got == 0 && self.cfg.stop.empty_page {
            return Err(Stop::EmptyPage);
        }
        if let Some(t) = &self.cfg.stop.total
            && let Some(total) = read_value(&t.source, answer, body).and_then(|v| number(&v))
        {
            let reached = match t.counts {
                TotalOf::Items => self.items >= total,
                TotalOf::Pages => u64::from(self.page) >= total,
            };
            if reached {
                return Err(Stop::TotalReached { total });
            }
        }
        if self.cfg.stop.short_page
            && let Some(size) = self.cfg.method.page_size()
            && got < u64::from(size)
        {
            return Err(Stop::ShortPage { size, got });
        }
        // Reaching the most items exactly on the last page is not a cut: the rules above, or
        // a method that knows there is no next page, say so first.
        if self.items >= self.cfg.limits.max_items && self.has_next(answer, body) {
            return Err(Stop::MaxItems {
                max: self.cfg.limits.max_items,
            });
        }
        let mut call = self.base.clone();
        let mut changes = Vec::new();
        match self.cfg.method.clone() {
            PageMethod::LimitOffset {
                limit_param,
                offset_param,
                limit,
                ..
            } => {
                // The offset grows by what came: a provider that caps the page size still
                // gets every item asked for once.
                self.offset =
                    self.offset
                        .saturating_add(if got == 0 { u64::from(limit) } else { got });
                set_query(&mut call, &limit_param, &limit.to_string(), &mut changes);
                set_query(
                    &mut call,
                    &offset_param,
                    &self.offset.to_string(),
                    &mut changes,
                );
            }
            PageMethod::PageNumber {
                page_param,
                size_param,
                size,
                ..
            } => {
                self.page_number = self.page_number.saturating_add(1);
                set_query(
                    &mut call,
                    &page_param,
                    &self.page_number.to_string(),
                    &mut changes,
                );
                if let (Some(p), Some(s)) = (size_param, size) {
                    set_query(&mut call, &p, &s.to_string(), &mut changes);
                }
            }
            PageMethod::NextToken {
                cursor,
                param,
                place,
            } => {
                let c = self.cursor(read_value(&cursor, answer, body))?;
                match place {
                    ParamPlace::Query => set_query(&mut call, &param, &c, &mut changes),
                    ParamPlace::Body => set_body_field(&mut call, &param, &c, &mut changes),
                }
            }
            PageMethod::NextUrl { next } | PageMethod::RelativeUri { next } => {
                let url = self.cursor(read_value(&next, answer, body))?;
                self.follow(&mut call, &url, &mut changes)?;
            }
            PageMethod::LinkHeader => {
                let link = answer
                    .headers
                    .iter()
                    .filter(|(k, _)| k.eq_ignore_ascii_case("link"))
                    .find_map(|(_, v)| link_next(v));
                let url = self.cursor(link.map(Value::String))?;
                self.follow(&mut call, &url, &mut changes)?;
            }
            PageMethod::GraphqlCursor {
                page_info,
                variable,
                size_variable,
                size,
            } => {
                let info = body.and_then(|b| lookup(b, &page_info));
                let has_next = info
                    .and_then(|i| i.get("hasNextPage"))
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                if !has_next {
                    return Err(Stop::NoNext);
                }
                let c = self.cursor(info.and_then(|i| i.get("endCursor")).cloned())?;
                set_graphql(&mut call, &variable, Value::String(c), &mut changes);
                if let (Some(v), Some(s)) = (size_variable, size) {
                    set_graphql(&mut call, &v, Value::from(s), &mut changes);
                }
            }
        }
        if self.page >= self.cfg.limits.max_pages {
            return Err(Stop::MaxPages {
                max: self.cfg.limits.max_pages,
            });
        }
        self.page += 1;
        self.current = call.url.clone();
        Ok(PageRequest {
            number: self.page,
            call,
            changes,
        })
    }

    /// Whether the answer names a next page (for the most-items rule).
    fn has_next(&self, answer: &PageAnswer<'_>, body: Option<&Value>) -> bool {
        let named = |v: Option<Value>| v.as_ref().and_then(cursor_text).is_some();
        match &self.cfg.method {
            PageMethod::LimitOffset { .. } | PageMethod::PageNumber { .. } => true,
            PageMethod::NextToken { cursor, .. } => named(read_value(cursor, answer, body)),
            PageMethod::NextUrl { next } | PageMethod::RelativeUri { next } => {
                named(read_value(next, answer, body))
            }
            PageMethod::LinkHeader => answer
                .headers
                .iter()
                .any(|(k, v)| k.eq_ignore_ascii_case("link") && link_next(v).is_some()),
            PageMethod::GraphqlCursor { page_info, .. } => body
                .and_then(|b| lookup(b, page_info))
                .and_then(|i| i.get("hasNextPage"))
                .and_then(Value::as_bool)
                .unwrap_or(false),
        }
    }

    /// A cursor (or next URL) as text, checked against the ones seen before.
    fn cursor(&mut self, v: Option<Value>) -> Result<String, Stop> {
        let Some(c) = v.as_ref().and_then(cursor_text) else {
            return Err(Stop::NoNext);
        };
        if c.len() > MAX_CURSOR_LEN {
            return Err(Stop::Unreadable {
                message: format!(
                    "page {}'s next-page value is {} bytes long, more than the {MAX_CURSOR_LEN} Signet accepts",
                    self.page,
                    c.len()
                ),
            });
        }
        if !self.seen.insert(c.clone()) {
            let first_seen = self
                .first_seen
                .iter()
                .find(|(x, _)| *x == c)
                .map_or(0, |(_, p)| *p);
            return Err(Stop::Loop {
                cursor: c,
                first_seen,
            });
        }
        self.first_seen.push((c.clone(), self.page));
        Ok(c)
    }

    /// Points `call` at `next` (absolute, or relative to the current page), on the endpoint's
    /// origin only, without `oauth_*` parameters, with the method's query pairs.
    fn follow(
        &self,
        call: &mut PreparedCall,
        next: &str,
        changes: &mut Vec<String>,
    ) -> Result<(), Stop> {
        let current = self.current.as_str();
        let absolute = resolve_reference(current, next.trim()).ok_or_else(|| Stop::Unreadable {
            message: format!(
                "page {}'s next-page address {:?} is not a URL Signet can follow",
                self.page,
                shorten(next)
            ),
        })?;
        let origin = origin_of(&absolute);
        if origin.as_deref() != Some(self.origin.as_str()) {
            return Err(Stop::OffOrigin {
                url: absolute,
                origin: self.origin.clone(),
            });
        }
        let (url, dropped) = drop_oauth_params(&absolute);
        let mut url = url;
        let have = query_pairs(&url);
        let missing: Vec<(String, String)> = self
            .method_query
            .iter()
            .filter(|(k, _)| !have.iter().any(|(h, _)| h == k))
            .cloned()
            .collect();
        signet_oauth1::encoding::append_query(&mut url, &missing);
        if UrlParts::parse(&url).is_err() {
            return Err(Stop::Unreadable {
                message: format!(
                    "page {}'s next-page address {:?} is not a URL Signet can sign",
                    self.page,
                    shorten(next)
                ),
            });
        }
        let signed = matches!(call.auth, PreparedAuth::OAuth1(_));
        // The page's own query replaces the endpoint's.
        call.parameters.retain(|p| p.place != "query");
        for (k, v) in query_pairs(&url) {
            let secret = call.secret_query.contains(&k);
            call.parameters.push(SentParameter {
                place: "query".into(),
                name: k,
                value: if secret {
                    signet_oauth1::secret::REDACTED.into()
                } else {
                    v
                },
                from: "pagination".into(),
                signed,
                why: if signed {
                    "the next page's address carries it: query parameters are part of the signature base string".into()
                } else {
                    "the next page's address carries it".into()
                },
            });
        }
        changes.push(format!(
            "the provider's next page {}",
            signet_oauth1::response::redact_secret_values(&url)
        ));
        if !dropped.is_empty() {
            changes.push(format!(
                "left out {} from the provider's address: the signature adds its own",
                dropped.join(", ")
            ));
        }
        call.url = url;
        Ok(())
    }
}

fn essence(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

fn looks_like(body: &[u8]) -> &'static str {
    let start = body
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .copied()
        .unwrap_or(b' ');
    match start {
        b'<' => "it looks like HTML or XML",
        b'{' | b'[' => "it starts like JSON but does not parse",
        _ => "it is text",
    }
}

/// A cursor value as text: a non-empty string, or a number; anything else names no page.
fn cursor_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn number(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn read_value(
    source: &ValueSource,
    answer: &PageAnswer<'_>,
    body: Option<&Value>,
) -> Option<Value> {
    match source {
        ValueSource::Body { path } => body.and_then(|b| lookup(b, path)).cloned(),
        ValueSource::Header { name } => answer
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name.trim()))
            .map(|(_, v)| Value::String(v.trim().to_owned())),
    }
}

/// A path to a value: a JSON pointer or a JSONPath of names and indexes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
}

/// Parses `""` (the body), a JSON pointer (`/data/items`, RFC 6901) or a JSONPath of names and
/// indexes (`$.data.items`, `$['odd name'][0]`). Wildcards and filters are refused: a cursor
/// or the items are one value.
fn parse_path(path: &str) -> Result<Vec<Step>, String> {
    let p = path.trim();
    if p.is_empty() {
        return Ok(Vec::new());
    }
    if let Some(rest) = p.strip_prefix('/') {
        return Ok(rest
            .split('/')
            .map(|t| Step::Key(t.replace("~1", "/").replace("~0", "~")))
            .collect());
    }
    let Some(mut rest) = p.strip_prefix('$') else {
        return Err(format!(
            "{p:?} is not a path: write a JSON pointer (/meta/next_cursor) or a JSONPath ($.meta.next_cursor)"
        ));
    };
    let mut steps = Vec::new();
    let unsupported = |what: &str| {
        format!(
            "{p:?} uses {what}, which Signet does not read here: name one value, like $.data.items or $.data['next page'][0]"
        )
    };
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("..") {
            let _ = r;
            return Err(unsupported("a recursive descent (..)"));
        } else if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            let name = &r[..end];
            if name.is_empty() {
                return Err(format!("{p:?} has an empty name after a dot"));
            }
            if name == "*" {
                return Err(unsupported("a wildcard (*)"));
            }
            steps.push(Step::Key(name.to_owned()));
            rest = &r[end..];
        } else if let Some(r) = rest.strip_prefix('[') {
            let Some(end) = find_bracket_end(r) else {
                return Err(format!("{p:?} has a [ without its ]"));
            };
            let inner = r[..end].trim();
            rest = &r[end + 1..];
            if let Some(q) = inner
                .strip_prefix('\'')
                .and_then(|s| s.strip_suffix('\''))
                .or_else(|| inner.strip_prefix('"').and_then(|s| s.strip_suffix('"')))
            {
                steps.push(Step::Key(q.replace("\\'", "'").replace("\\\"", "\"")));
            } else if let Ok(i) = inner.parse::<usize>() {
                steps.push(Step::Index(i));
            } else if inner == "*" {
                return Err(unsupported("a wildcard ([*])"));
            } else if inner.starts_with('?') {
                return Err(unsupported("a filter ([?...])"));
            } else {
                return Err(format!(
                    "{p:?} has [{inner}]: use a quoted name ['name'] or an index [0]"
                ));
            }
        } else {
            return Err(format!(
                "{p:?} is not a JSONPath Signet reads: after $ come .name, ['name'] or [0]"
            ));
        }
    }
    Ok(steps)
}

fn find_bracket_end(s: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match (quote, c) {
            (Some(_), '\\') => escaped = true,
            (Some(q), c) if c == q => quote = None,
            (None, '\'' | '"') => quote = Some(c),
            (None, ']') => return Some(i),
            _ => {}
        }
    }
    None
}

/// The value at `path` in `v` (see [`parse_path`]); an array index also reads a numeric key.
fn lookup<'v>(v: &'v Value, path: &str) -> Option<&'v Value> {
    let steps = parse_path(path).ok()?;
    let mut at = v;
    for s in &steps {
        at = match (s, at) {
            (Step::Key(k), Value::Object(m)) => m.get(k)?,
            (Step::Key(k), Value::Array(a)) => a.get(k.parse::<usize>().ok()?)?,
            (Step::Index(i), Value::Array(a)) => a.get(*i)?,
            _ => return None,
        };
    }
    Some(at)
}

/// The JSON pointer of a parsed path, for saying where items were found.
fn pointer_of(steps: &[Step]) -> String {
    steps
        .iter()
        .map(|s| match s {
            Step::Key(k) => format!("/{}", k.replace('~', "~0").replace('/', "~1")),
            Step::Index(i) => format!("/{i}"),
        })
        .collect()
}

/// A page's items: at `path`, or found (the body when it is an array, else its only array
/// field).
fn find_items(body: &Value, path: &str) -> Result<(Vec<Value>, String), String> {
    if path.trim().is_empty() {
        return match body {
            Value::Array(a) => Ok((a.clone(), String::new())),
            Value::Object(m) => {
                let arrays: Vec<&String> = m
                    .iter()
                    .filter(|(_, v)| v.is_array())
                    .map(|(k, _)| k)
                    .collect();
                match arrays.as_slice() {
                    [one] => Ok((
                        m[one.as_str()].as_array().cloned().unwrap_or_default(),
                        pointer_of(&[Step::Key((*one).clone())]),
                    )),
                    [] => Err(format!(
                        "the page has no list of items (its fields: {}): say where the items are in the endpoint's pagination",
                        field_names(m)
                    )),
                    many => Err(format!(
                        "the page has several lists ({}): say which holds the items in the endpoint's pagination",
                        many.iter()
                            .map(|k| k.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                }
            }
            _ => Err("the page is a single value, not a list of items".into()),
        };
    }
    let steps = parse_path(path)?;
    match lookup(body, path) {
        Some(Value::Array(a)) => Ok((a.clone(), pointer_of(&steps))),
        Some(Value::Null) => Ok((Vec::new(), pointer_of(&steps))),
        Some(other) => Err(format!(
            "the items path {path} names {} in the page, not a list",
            kind_of(other)
        )),
        None => Err(format!(
            "the page has nothing at the items path {path}{}",
            match body {
                Value::Object(m) => format!(" (its fields: {})", field_names(m)),
                _ => String::new(),
            }
        )),
    }
}

fn field_names(m: &serde_json::Map<String, Value>) -> String {
    let mut names: Vec<&str> = m.keys().map(String::as_str).take(12).collect();
    if m.len() > 12 {
        names.push("...");
    }
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// `scheme://host[:port]` of an absolute URL, lower-case, the default port dropped.
pub fn origin_of(url: &str) -> Option<String> {
    let p = UrlParts::parse(url).ok()?;
    let scheme = p.scheme.to_ascii_lowercase();
    let host = p.host.to_ascii_lowercase();
    let port = p
        .port
        .filter(|port| !matches!((scheme.as_str(), *port), ("http", "80") | ("https", "443")));
    Some(match port {
        Some(port) => format!("{scheme}://{host}:{port}"),
        None => format!("{scheme}://{host}"),
    })
}

/// `reference` resolved against `base` (RFC 3986 section 5.2, for the forms providers send:
/// absolute, `//authority`, `/path`, `?query`, a relative path).
fn resolve_reference(base: &str, reference: &str) -> Option<String> {
    if reference.is_empty() || reference.chars().any(|c| c.is_control() || c == ' ') {
        return None;
    }
    let b = UrlParts::parse(base).ok()?;
    let scheme_end = reference.find(':');
    let has_scheme = scheme_end.is_some_and(|i| {
        i > 0
            && reference[..i]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
            && reference[..i].starts_with(|c: char| c.is_ascii_alphabetic())
    });
    if has_scheme {
        return Some(reference.to_owned());
    }
    let authority = match b.port {
        Some(p) => format!("{}://{}:{p}", b.scheme, b.host),
        None => format!("{}://{}", b.scheme, b.host),
    };
    let reference = reference.split('#').next().unwrap_or("");
    if let Some(rest) = reference.strip_prefix("//") {
        return Some(format!("{}://{rest}", b.scheme));
    }
    if reference.starts_with('/') {
        return Some(format!("{authority}{}", remove_dots(reference)));
    }
    if let Some(q) = reference.strip_prefix('?') {
        return Some(format!("{authority}{}?{q}", b.path));
    }
    let dir = match b.path.rfind('/') {
        Some(i) => &b.path[..=i],
        None => "/",
    };
    Some(format!(
        "{authority}{}",
        remove_dots(&format!("{dir}{reference}"))
    ))
}

/// Removes `.` and `..` segments from a path (with its query kept as is).
fn remove_dots(path_and_query: &str) -> String {
    let (path, query) = match path_and_query.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (path_and_query, None),
    };
    let mut out: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('/').collect();
    for (i, s) in segments.iter().enumerate() {
        match *s {
            "." => {
                if i == segments.len() - 1 {
                    out.push("");
                }
            }
            ".." => {
                if out.len() > 1 {
                    out.pop();
                }
                if i == segments.len() - 1 {
                    out.push("");
                }
            }
            s => out.push(s),
        }
    }
    let mut p = out.join("/");
    if !p.starts_with('/') {
        p.insert(0, '/');
    }
    match query {
        Some(q) => format!("{p}?{q}"),
        None => p,
    }
}

/// `url`'s query pairs, decoded.
fn query_pairs(url: &str) -> Vec<(String, String)> {
    let Some((_, q)) = url.split_once('?') else {
        return Vec::new();
    };
    let q = q.split('#').next().unwrap_or("");
    split_pairs(q)
        .map(|(k, v)| {
            (
                lossy(&form_decode(k)).into_owned(),
                lossy(&form_decode(v)).into_owned(),
            )
        })
        .collect()
}

/// `url` without its `oauth_*` query parameters (the signature adds its own), and their names.
fn drop_oauth_params(url: &str) -> (String, Vec<String>) {
    let Some((base, rest)) = url.split_once('?') else {
        return (url.to_owned(), Vec::new());
    };
    let (query, fragment) = match rest.split_once('#') {
        Some((q, f)) => (q, Some(f)),
        None => (rest, None),
    };
    let mut dropped = Vec::new();
    let kept: Vec<&str> = query
        .split('&')
        .filter(|seg| {
            let name = seg.split_once('=').map_or(*seg, |(k, _)| k);
            let decoded = lossy(&form_decode(name)).into_owned();
            if decoded.starts_with("oauth_") {
                if !dropped.contains(&decoded) {
                    dropped.push(decoded);
                }
                false
            } else {
                !seg.is_empty()
            }
        })
        .collect();
    let mut out = base.to_owned();
    if !kept.is_empty() {
        out.push('?');
        out.push_str(&kept.join("&"));
    }
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    (out, dropped)
}

/// Sets query parameter `name` to `value` (replacing any), encoded as the signature encodes it.
fn set_query(call: &mut PreparedCall, name: &str, value: &str, changes: &mut Vec<String>) {
    let (base, query, fragment) = split_url(&call.url);
    let mut parts: Vec<String> = split_pairs(query)
        .filter(|(k, _)| lossy(&form_decode(k)) != name)
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    parts.push(format!("{}={}", encode(name), encode(value)));
    let mut url = format!("{base}?{}", parts.join("&"));
    if let Some(f) = fragment {
        url.push('#');
        url.push_str(f);
    }
    call.url = url;
    let signed = matches!(call.auth, PreparedAuth::OAuth1(_));
    record(call, "query", name, value, signed);
    changes.push(format!("{name}={value} in the query"));
}

fn split_url(url: &str) -> (&str, &str, Option<&str>) {
    let (rest, fragment) = match url.split_once('#') {
        Some((r, f)) => (r, Some(f)),
        None => (url, None),
    };
    match rest.split_once('?') {
        Some((b, q)) => (b, q, fragment),
        None => (rest, "", fragment),
    }
}

fn record(call: &mut PreparedCall, place: &str, name: &str, value: &str, signed: bool) {
    call.parameters
        .retain(|p| !(p.place == place && p.name == name));
    call.parameters.push(SentParameter {
        place: place.into(),
        name: name.into(),
        value: value.into(),
        from: "pagination".into(),
        signed,
        why: match (place, signed) {
            ("query", true) => {
                "the page's parameter: query parameters are part of the signature base string".into()
            }
            ("form", true) => {
                "the page's parameter: form fields are part of the signature base string".into()
            }
            ("body", _) => {
                "the page's parameter, in a JSON body: not part of the signature (the body hash covers it when turned on)".into()
            }
            _ => "the page's parameter".into(),
        },
    });
}

/// Sets a form field (signed) or a JSON body's top-level field.
fn set_body_field(call: &mut PreparedCall, name: &str, value: &str, changes: &mut Vec<String>) {
    let signed = matches!(call.auth, PreparedAuth::OAuth1(_));
    let form = call
        .content_type
        .as_deref()
        .is_some_and(signet_oauth1::request::is_form_content_type);
    if form {
        let body = call.body.clone().unwrap_or_default();
        let mut parts: Vec<String> = split_pairs(&body)
            .filter(|(k, _)| lossy(&form_decode(k)) != name)
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        parts.push(format!("{}={}", encode(name), encode(value)));
        call.body = Some(parts.join("&"));
        record(call, "form", name, value, signed);
        changes.push(format!("{name}={value} in the form body"));
    } else {
        let mut v: Value = call
            .body
            .as_deref()
            .and_then(|b| serde_json::from_str(b).ok())
            .unwrap_or_else(|| Value::Object(serde_json::Map::new()));
        if let Value::Object(m) = &mut v {
            m.insert(name.to_owned(), Value::String(value.to_owned()));
        }
        call.body = Some(v.to_string());
        record(call, "body", name, value, false);
        changes.push(format!("\"{name}\": {value:?} in the JSON body"));
    }
}

/// Sets `variables.<name>` in a GraphQL (JSON) body.
fn set_graphql(call: &mut PreparedCall, name: &str, value: Value, changes: &mut Vec<String>) {
    let mut v: Value = call
        .body
        .as_deref()
        .and_then(|b| serde_json::from_str(b).ok())
        .unwrap_or_else(|| Value::Object(serde_json::Map::new()));
    if let Value::Object(m) = &mut v {
        let vars = m
            .entry("variables")
            .or_insert_with(|| Value::Object(serde_json::Map::new()));
        if !vars.is_object() {
            *vars = Value::Object(serde_json::Map::new());
        }
        if let Value::Object(vars) = vars {
            vars.insert(name.to_owned(), value.clone());
        }
    }
    call.body = Some(v.to_string());
    let shown = value.to_string();
    record(call, "body", &format!("variables.{name}"), &shown, false);
    changes.push(format!("variables.{name} = {shown} in the GraphQL body"));
}

/// The `rel="next"` target of a `Link` header value (RFC 8288), if any.
pub fn link_next(header: &str) -> Option<String> {
    let mut rest = header;
    loop {
        let open = rest.find('<')?;
        let close = open + rest[open..].find('>')?;
        let target = &rest[open + 1..close];
        let after = &rest[close + 1..];
        // The parameters run to the next link (a `,` outside quotes followed by `<`).
        let mut end = after.len();
        let mut quoted = false;
        for (i, c) in after.char_indices() {
            match c {
                '"' => quoted = !quoted,
                ',' if !quoted => {
                    end = i;
                    break;
                }
                _ => {}
            }
        }
        let params = &after[..end];
        let is_next = params.split(';').any(|p| {
            let Some((k, v)) = p.split_once('=') else {
                return false;
            };
            k.trim().eq_ignore_ascii_case("rel")
                && v.trim()
                    .trim_matches('"')
                    .split_ascii_whitespace()
                    .any(|r| r.eq_ignore_ascii_case("next"))
        });
        if is_next {
            return Some(target.trim().to_owned());
        }
        if end >= after.len() {
            return None;
        }
        rest = &after[end + 1..];
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::json;
    use signet_oauth1::Secret;
    use signet_oauth1::flow::TokenCredentials;

    use super::*;
    use crate::model::*;
    use crate::{Builtins, ClientSecret, Installed, prepare_call, sign_call};

    fn connector(endpoint: Endpoint) -> Connector {
        let mut c = Connector::named("Shop");
        c.auth_methods.push(AuthMethod {
            id: "oauth1".into(),
            name: "OAuth 1.0a".into(),
            kind: AuthKind::OAuth1(Box::new(OAuth1::three_legged(
                "https://api.example.com/rt",
                "https://api.example.com/auth",
                "https://api.example.com/at",
            ))),
            options: AuthOptions {
                query: vec![Param::new("format", "json")],
                ..AuthOptions::default()
            },
        });
        c.endpoints.push(endpoint);
        c
    }

    fn installed() -> Installed {
        Installed {
            values: BTreeMap::new(),
            secrets: BTreeMap::new(),
            consumer_key: "key".into(),
            client_secret: Some(ClientSecret::Shared(Secret::new("secret"))),
            token: Some(TokenCredentials {
                token: "tok".into(),
                secret: Secret::new("ts"),
                extra: Vec::new(),
            }),
        }
    }

    fn base(endpoint: Endpoint) -> PreparedCall {
        let c = connector(endpoint);
        let builtins = Builtins {
            timestamp: 1_700_000_000,
            uuid: "u".into(),
            random_int: 1,
        };
        prepare_call(&c, "orders", &installed(), &BTreeMap::new(), builtins).unwrap()
    }

    fn orders() -> Endpoint {
        Endpoint {
            query: vec![Param::new("status", "open")],
            ..Endpoint::get("orders", "Orders", "https://api.example.com/orders")
        }
    }

    fn pager(method: PageMethod) -> Pager {
        Pager::new(&Pagination::new(method), base(orders()), "p").unwrap()
    }

    fn answer(body: &Value) -> Vec<u8> {
        serde_json::to_vec(body).unwrap()
    }

    fn read(p: &mut Pager, headers: &[(String, String)], body: &Value) -> PageRead {
        let bytes = answer(body);
        p.read(&PageAnswer {
            status: 200,
            headers,
            body: &bytes,
        })
    }

    fn items(n: usize) -> Value {
        Value::Array((0..n).map(|i| json!({"id": i})).collect())
    }

    fn limit_offset(limit: u32) -> PageMethod {
        PageMethod::LimitOffset {
            limit_param: "limit".into(),
            offset_param: "offset".into(),
            limit,
            start: 0,
        }
    }

    #[test]
    fn limit_offset_walks_and_stops_at_a_short_page() {
        let mut p = pager(limit_offset(2));
        let first = p.first();
        assert_eq!(
            first.call.url,
            "https://api.example.com/orders?status=open&format=json&limit=2&offset=0"
        );
        let r = read(&mut p, &[], &json!({"items": items(2), "total": 5}));
        assert_eq!(r.items.len(), 2);
        assert_eq!(r.items_at, "/items");
        let second = r.next.unwrap();
        assert_eq!(second.number, 2);
        assert!(
            second.call.url.ends_with("limit=2&offset=2"),
            "{}",
            second.call.url
        );
        // The page's parameters are signed, with the values sent.
        let signed = sign_call(&second.call, "n2", 1_700_000_001).unwrap();
        let bs = signed.trace.unwrap().base_string;
        assert!(bs.contains("offset%3D2"), "{bs}");
        assert!(bs.contains("status%3Dopen"), "{bs}");
        let r = read(&mut p, &[], &json!({"items": items(1)}));
        assert_eq!(r.next.unwrap_err(), Stop::ShortPage { size: 2, got: 1 });
        assert_eq!(p.items(), 3);
    }

    #[test]
    fn an_empty_page_ends_the_walk_and_the_offset_grows_by_what_came() {
        let mut p = pager(limit_offset(50));
        p.first();
        // The provider capped the page at 20: the next offset is 20, not 50.
        let r = read(&mut p, &[], &items(20));
        // A short page would stop; with the rule off the walk goes on.
        assert!(matches!(r.next, Err(Stop::ShortPage { .. })));
        let mut cfg = Pagination::new(limit_offset(50));
        cfg.stop.short_page = false;
        let mut p = Pager::new(&cfg, base(orders()), "p").unwrap();
        p.first();
        let next = read(&mut p, &[], &items(20)).next.unwrap();
        assert!(next.call.url.ends_with("offset=20"), "{}", next.call.url);
        let r = read(&mut p, &[], &json!([]));
        assert_eq!(r.next.unwrap_err(), Stop::EmptyPage);
    }

    #[test]
    fn page_number_counts_pages_and_a_stated_total_ends_it() {
        let mut cfg = Pagination::new(PageMethod::PageNumber {
            page_param: "page".into(),
            first_page: 1,
            size_param: Some("per_page".into()),
            size: Some(10),
        });
        cfg.stop.total = Some(Total {
            source: ValueSource::Body {
                path: "/total_pages".into(),
            },
            counts: TotalOf::Pages,
        });
        let mut p = Pager::new(&cfg, base(orders()), "p").unwrap();
        let first = p.first();
        assert!(
            first.call.url.ends_with("page=1&per_page=10"),
            "{}",
            first.call.url
        );
        let page = |n| json!({"items": items(10), "total_pages": 2, "page": n});
        let second = read(&mut p, &[], &page(1)).next.unwrap();
        assert!(second.call.url.ends_with("page=2&per_page=10"));
        assert_eq!(
            read(&mut p, &[], &page(2)).next.unwrap_err(),
            Stop::TotalReached { total: 2 }
        );
        // A total of items, from a header.
        let mut cfg = Pagination::new(limit_offset(10));
        cfg.stop.total = Some(Total {
            source: ValueSource::Header {
                name: "X-Total-Count".into(),
            },
            counts: TotalOf::Items,
        });
        let mut p = Pager::new(&cfg, base(orders()), "p").unwrap();
        p.first();
        let h = vec![("x-total-count".to_owned(), "20".to_owned())];
        assert!(read(&mut p, &h, &items(10)).next.is_ok());
        assert_eq!(
            read(&mut p, &h, &items(10)).next.unwrap_err(),
            Stop::TotalReached { total: 20 }
        );
    }

    #[test]
    fn a_body_cursor_is_sent_back_encoded_and_signed() {
        let mut p = pager(PageMethod::NextToken {
            cursor: ValueSource::Body {
                path: "$.meta.next_cursor".into(),
            },
            param: "cursor".into(),
            place: ParamPlace::Query,
        });
        let first = p.first();
        assert_eq!(
            first.call.url,
            "https://api.example.com/orders?status=open&format=json"
        );
        let r = read(
            &mut p,
            &[],
            &json!({"items": items(3), "meta": {"next_cursor": "YWZ0ZXI9Mw+/="}}),
        );
        let next = r.next.unwrap();
        assert!(
            next.call.url.ends_with("cursor=YWZ0ZXI9Mw%2B%2F%3D"),
            "{}",
            next.call.url
        );
        let signed = sign_call(&next.call, "n", 1_700_000_000).unwrap();
        let bs = signed.trace.unwrap().base_string;
        // Encoded once in the URL, twice in the base string.
        assert!(bs.contains("cursor%3DYWZ0ZXI9Mw%252B%252F%253D"), "{bs}");
        assert!(
            next.call
                .parameters
                .iter()
                .any(|x| x.name == "cursor" && x.from == "pagination" && x.signed)
        );
        // No cursor: the end.
        let r = read(
            &mut p,
            &[],
            &json!({"items": items(3), "meta": {"next_cursor": null}}),
        );
        assert_eq!(r.next.unwrap_err(), Stop::NoNext);
    }

    #[test]
    fn a_header_cursor_into_a_form_body() {
        let e = Endpoint {
            method: "POST".into(),
            body: Body::Form {
                fields: vec![Param::new("q", "all")],
            },
            ..orders()
        };
        let cfg = Pagination::new(PageMethod::NextToken {
            cursor: ValueSource::Header {
                name: "X-Next-Cursor".into(),
            },
            param: "page_token".into(),
            place: ParamPlace::Body,
        });
        let mut p = Pager::new(&cfg, base(e), "p").unwrap();
        p.first();
        let h = vec![("X-Next-Cursor".to_owned(), "a b".to_owned())];
        let next = read(&mut p, &h, &items(2)).next.unwrap();
        assert_eq!(next.call.body.as_deref(), Some("q=all&page_token=a%20b"));
        let signed = sign_call(&next.call, "n", 1_700_000_000).unwrap();
        assert!(
            signed
                .trace
                .unwrap()
                .base_string
                .contains("page_token%3Da%2520b")
        );
        // Body placement without a body is refused up front.
        let cfg = Pagination::new(PageMethod::NextToken {
            cursor: ValueSource::Header {
                name: "X-Next-Cursor".into(),
            },
            param: "page_token".into(),
            place: ParamPlace::Body,
        });
        let problems = Pager::new(&cfg, base(orders()), "endpoints[0].pagination").unwrap_err();
        assert_eq!(problems[0].field, "endpoints[0].pagination.method.place");
    }

    #[test]
    fn a_repeated_cursor_is_a_loop() {
        let mut p = pager(PageMethod::NextToken {
            cursor: ValueSource::Body {
                path: "/next".into(),
            },
            param: "cursor".into(),
            place: ParamPlace::Query,
        });
        p.first();
        assert!(
            read(&mut p, &[], &json!({"items": items(1), "next": "a"}))
                .next
                .is_ok()
        );
        assert!(
            read(&mut p, &[], &json!({"items": items(1), "next": "b"}))
                .next
                .is_ok()
        );
        let stop = read(&mut p, &[], &json!({"items": items(1), "next": "a"}))
            .next
            .unwrap_err();
        assert_eq!(
            stop,
            Stop::Loop {
                cursor: "a".into(),
                first_seen: 1
            }
        );
        assert!(stop.failed() && !stop.complete());
        assert!(stop.message().contains("page 1"), "{}", stop.message());
    }

    #[test]
    fn max_pages_and_max_items_protect_the_user() {
        let mut cfg = Pagination::new(limit_offset(10));
        cfg.limits.max_pages = 2;
        let mut p = Pager::new(&cfg, base(orders()), "p").unwrap();
        p.first();
        assert!(read(&mut p, &[], &items(10)).next.is_ok());
        assert_eq!(
            read(&mut p, &[], &items(10)).next.unwrap_err(),
            Stop::MaxPages { max: 2 }
        );
        let mut cfg = Pagination::new(limit_offset(10));
        cfg.limits.max_items = 15;
        let mut p = Pager::new(&cfg, base(orders()), "p").unwrap();
        p.first();
        assert_eq!(read(&mut p, &[], &items(10)).items.len(), 10);
        let r = read(&mut p, &[], &items(10));
        assert_eq!(r.items.len(), 5, "the page that passes the limit is cut");
        assert_eq!(r.next.unwrap_err(), Stop::MaxItems { max: 15 });
        // Reaching the limit exactly on a last page is the end, not a cut.
        let mut cfg = Pagination::new(PageMethod::NextToken {
            cursor: ValueSource::Body {
                path: "/next".into(),
            },
            param: "cursor".into(),
            place: ParamPlace::Query,
        });
        cfg.limits.max_items = 3;
        let mut p = Pager::new(&cfg, base(orders()), "p").unwrap();
        p.first();
        let r = read(&mut p, &[], &json!({"items": items(3), "next": null}));
        assert_eq!(r.next.unwrap_err(), Stop::NoNext);
        // Nor when a stated total says it was the last.
        let mut cfg = Pagination::new(limit_offset(10));
        cfg.limits.max_items = 20;
        cfg.stop.total = Some(Total {
            source: ValueSource::Body {
                path: "/total".into(),
            },
            counts: TotalOf::Items,
        });
        let mut p = Pager::new(&cfg, base(orders()), "p").unwrap();
        p.first();
        let page = json!({"items": items(10), "total": 20});
        assert!(read(&mut p, &[], &page).next.is_ok());
        assert_eq!(
            read(&mut p, &[], &page).next.unwrap_err(),
            Stop::TotalReached { total: 20 }
        );
        // Without one, a limit-offset walk that reaches the most items may have more.
        cfg.stop.total = None;
        let mut p = Pager::new(&cfg, base(orders()), "p").unwrap();
        p.first();
        assert!(read(&mut p, &[], &items(10)).next.is_ok());
        assert_eq!(
            read(&mut p, &[], &items(10)).next.unwrap_err(),
            Stop::MaxItems { max: 20 }
        );
    }

    #[test]
    fn a_next_url_keeps_its_query_drops_oauth_parameters_and_gets_the_methods_back() {
        let mut p = pager(PageMethod::NextUrl {
            next: ValueSource::Body {
                path: "/next".into(),
            },
        });
        p.first();
        let r = read(
            &mut p,
            &[],
            &json!({"items": items(1), "next": "https://API.example.com:443/orders?page_info=x%2By&oauth_consumer_key=key&oauth_nonce=old"}),
        );
        let next = r.next.unwrap();
        assert_eq!(
            next.call.url,
            "https://API.example.com:443/orders?page_info=x%2By&format=json"
        );
        assert!(
            next.changes
                .iter()
                .any(|c| c.contains("oauth_consumer_key, oauth_nonce")),
            "{:?}",
            next.changes
        );
        let signed = sign_call(&next.call, "n", 1_700_000_000).unwrap();
        let trace = signed.trace.unwrap();
        assert_eq!(
            trace.base_string.matches("oauth_consumer_key").count(),
            1,
            "{}",
            trace.base_string
        );
        assert!(trace.base_string.contains("page_info%3Dx%252By"));
        // The endpoint's own query is the provider's now: `status` is not added back.
        assert!(!next.call.url.contains("status="));
    }

    #[test]
    fn a_next_page_on_another_origin_is_refused() {
        for next in [
            "https://elsewhere.example/orders?page=2",
            "http://api.example.com/orders?page=2",
            "https://api.example.com:8443/orders?page=2",
            "//elsewhere.example/orders",
        ] {
            let mut p = pager(PageMethod::NextUrl {
                next: ValueSource::Body {
                    path: "/next".into(),
                },
            });
            p.first();
            let stop = read(&mut p, &[], &json!({"items": items(1), "next": next}))
                .next
                .unwrap_err();
            assert!(matches!(stop, Stop::OffOrigin { .. }), "{next}: {stop:?}");
            assert!(stop.failed());
            assert!(
                stop.message().contains("https://api.example.com"),
                "{}",
                stop.message()
            );
        }
    }

    #[test]
    fn a_relative_uri_resolves_against_the_origin() {
        let mut p = pager(PageMethod::RelativeUri {
            next: ValueSource::Body {
                path: "/paging/next".into(),
            },
        });
        p.first();
        let next = read(
            &mut p,
            &[],
            &json!({"items": items(1), "paging": {"next": "/orders?offset=50&limit=50"}}),
        )
        .next
        .unwrap();
        assert_eq!(
            next.call.url,
            "https://api.example.com/orders?offset=50&limit=50&format=json"
        );
        let r = read(&mut p, &[], &json!({"items": items(1), "paging": {}}));
        assert_eq!(r.next.unwrap_err(), Stop::NoNext);
    }

    #[test]
    fn the_link_header_is_read_by_its_rel() {
        assert_eq!(
            link_next(
                r#"<https://a.example/x?page=1>; rel="first", <https://a.example/x?page=3>; rel="next", <https://a.example/x?page=9>; rel="last""#
            ),
            Some("https://a.example/x?page=3".into())
        );
        assert_eq!(
            link_next(r#"<https://a.example/x?a=1,2>; title="a, b"; rel="prev next""#),
            Some("https://a.example/x?a=1,2".into())
        );
        assert_eq!(link_next(r#"<https://a.example/x>; rel="last""#), None);
        assert_eq!(link_next("garbage"), None);
        assert_eq!(link_next("<unterminated; rel=next"), None);
        let mut p = pager(PageMethod::LinkHeader);
        p.first();
        let h = vec![(
            "Link".to_owned(),
            r#"<https://api.example.com/orders?page=2>; rel="next""#.to_owned(),
        )];
        let next = read(&mut p, &h, &items(1)).next.unwrap();
        assert_eq!(
            next.call.url,
            "https://api.example.com/orders?page=2&format=json"
        );
        let h = vec![(
            "Link".to_owned(),
            r#"<https://api.example.com/orders?page=1>; rel="prev""#.to_owned(),
        )];
        assert_eq!(read(&mut p, &h, &items(1)).next.unwrap_err(), Stop::NoNext);
    }

    #[test]
    fn a_graphql_cursor_goes_into_the_variables() {
        let e = Endpoint {
            method: "POST".into(),
            body: Body::Json {
                text: r#"{"query": "query($first: Int, $after: String) { orders }", "variables": {"status": "open"}}"#.into(),
            },
            ..orders()
        };
        let cfg = Pagination {
            items: "/data/orders/nodes".into(),
            ..Pagination::new(PageMethod::GraphqlCursor {
                page_info: "/data/orders/pageInfo".into(),
                variable: "after".into(),
                size_variable: Some("first".into()),
                size: Some(2),
            })
        };
        let mut p = Pager::new(&cfg, base(e), "p").unwrap();
        let first = p.first();
        let body: Value = serde_json::from_str(first.call.body.as_deref().unwrap()).unwrap();
        assert_eq!(
            body["variables"],
            json!({"status": "open", "after": null, "first": 2})
        );
        let page = |has: bool, c: &str| json!({"data": {"orders": {"nodes": items(2), "pageInfo": {"hasNextPage": has, "endCursor": c}}}});
        let next = read(&mut p, &[], &page(true, "Y3Vyc29yOjI=")).next.unwrap();
        let body: Value = serde_json::from_str(next.call.body.as_deref().unwrap()).unwrap();
        assert_eq!(body["variables"]["after"], "Y3Vyc29yOjI=");
        assert_eq!(
            body["query"],
            "query($first: Int, $after: String) { orders }"
        );
        assert_eq!(
            read(&mut p, &[], &page(false, "x")).next.unwrap_err(),
            Stop::NoNext
        );
        // Without a JSON body the setting is refused up front.
        let problems = Pager::new(&cfg, base(orders()), "p").unwrap_err();
        assert!(problems[0].message.contains("JSON body"), "{problems:?}");
    }

    #[test]
    fn items_are_found_or_the_page_is_unreadable_with_a_reason() {
        let mut p = pager(limit_offset(2));
        p.first();
        let bytes = b"<html>nope</html>";
        let r = p.read(&PageAnswer {
            status: 200,
            headers: &[],
            body: bytes,
        });
        let Err(Stop::Unreadable { message }) = r.next else {
            panic!("{:?}", r.next)
        };
        assert!(message.contains("HTML"), "{message}");
        let mut p = pager(limit_offset(2));
        p.first();
        let r = read(&mut p, &[], &json!({"a": [], "b": []}));
        let Err(Stop::Unreadable { message }) = r.next else {
            panic!()
        };
        assert!(message.contains("a, b"), "{message}");
        let cfg = Pagination {
            items: "$.data['the items']".into(),
            ..Pagination::new(limit_offset(2))
        };
        let mut p = Pager::new(&cfg, base(orders()), "p").unwrap();
        p.first();
        let r = read(&mut p, &[], &json!({"data": {"the items": items(2)}}));
        assert_eq!(r.items.len(), 2);
        assert_eq!(r.items_at, "/data/the items");
        let r = read(&mut p, &[], &json!({"data": {"other": 1}}));
        let Err(Stop::Unreadable { message }) = r.next else {
            panic!()
        };
        assert!(message.contains("the items"), "{message}");
    }

    #[test]
    fn paths_parse_or_say_why() {
        assert_eq!(parse_path("").unwrap(), vec![]);
        assert_eq!(
            parse_path("/a~1b/0").unwrap(),
            vec![Step::Key("a/b".into()), Step::Key("0".into())]
        );
        assert_eq!(
            parse_path("$.data[0]['x.y']").unwrap(),
            vec![
                Step::Key("data".into()),
                Step::Index(0),
                Step::Key("x.y".into())
            ]
        );
        for bad in ["$..a", "$.a[*]", "$.a[?(@.x)]", "data.items", "$.a[", "$a"] {
            assert!(parse_path(bad).is_err(), "{bad}");
        }
        let cfg = Pagination {
            items: "data.items".into(),
            limits: PageLimits {
                max_pages: 0,
                max_items: 0,
            },
            ..Pagination::new(limit_offset(0))
        };
        let fields: Vec<String> = cfg.problems().into_iter().map(|(f, _)| f).collect();
        assert_eq!(
            fields,
            [
                "method.limit",
                "items",
                "limits.max_pages",
                "limits.max_items"
            ]
        );
    }

    #[test]
    fn references_resolve_as_rfc_3986_says() {
        let base = "https://a.example/v1/orders?x=1";
        for (r, want) in [
            ("https://a.example/y", "https://a.example/y"),
            ("/v2/orders?p=2", "https://a.example/v2/orders?p=2"),
            ("?p=2", "https://a.example/v1/orders?p=2"),
            ("next?p=2", "https://a.example/v1/next?p=2"),
            ("../v2/o", "https://a.example/v2/o"),
            ("//b.example/z", "https://b.example/z"),
        ] {
            assert_eq!(resolve_reference(base, r).as_deref(), Some(want), "{r}");
        }
        assert_eq!(resolve_reference(base, "a b"), None);
        assert_eq!(
            origin_of("HTTP://A.example:80/x").as_deref(),
            Some("http://a.example")
        );
    }

    #[test]
    fn the_setting_round_trips_as_json() {
        let cfg = Pagination::new(PageMethod::LinkHeader);
        let text = serde_json::to_string(&cfg).unwrap();
        assert_eq!(
            text,
            r#"{"method":{"type":"link_header"},"items":"","stop":{"empty_page":true,"short_page":true,"total":null},"limits":{"max_pages":100,"max_items":10000}}"#
        );
        let back: Pagination =
            serde_json::from_str(r#"{"method":{"type":"link_header"}}"#).unwrap();
        assert_eq!(back, cfg);
    }
}
