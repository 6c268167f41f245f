//! Every pagination method against the demo provider, through the app's use case: a connector
//! made from the demo preset connects through the ten steps and walks each of its paginated
//! endpoints — limit-offset, page number, a cursor in the body and in a header, a next-page
//! URL, the Link header, a relative next address, a GraphQL cursor — for HMAC-SHA1 and
//! RSA-SHA256 in the header and the query. Each walk must yield exactly the demo's 1,234
//! orders once each, every page signed afresh and verified by the provider. Then the faults: a
//! cursor that repeats, a page that fails once (retried) or always (the pages before kept), a
//! next page on another host (refused, nothing sent there), and a cancel.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use signet_app::api::*;
use signet_app::{App, Event, Host, PagesOptions, Settings};
use signet_engine::Browser;
use signet_provider::{ProviderConfig, RunningProvider, approve, demo};
use signet_store::{KeyringChoice, OpenOptions, Store};

const ORDERS: u64 = 1234;
const FIRST: u64 = 1001;

/// Signs in as alice, allows, and hands the redirect back as the OS would a deep link.
struct Alice {
    app: Arc<OnceLock<App>>,
}

impl Browser for Alice {
    fn open(&self, url: &str) -> signet_engine::Result<()> {
        let (url, app) = (url.to_owned(), self.app.clone());
        tokio::spawn(async move {
            let out = approve(&url, "alice", "wonderland", true)
                .await
                .expect("the consent page answers");
            if let (Some(app), Some(redirect)) = (app.get(), out.redirect) {
                app.route_link(&redirect);
            }
        });
        Ok(())
    }
}

/// Keeps the `pages-progress` events; cancels the walk named `cancel_at.0` when its page
/// `cancel_at.1` arrives.
struct TestHost {
    app: Arc<OnceLock<App>>,
    progress: Mutex<Vec<PagesProgressEvent>>,
    cancel_at: Mutex<Option<(String, u32)>>,
}

impl Host for TestHost {
    fn emit(&self, e: Event) {
        if let Event::PagesProgress(p) = e {
            let cancel = self
                .cancel_at
                .lock()
                .unwrap()
                .as_ref()
                .is_some_and(|(job, n)| *job == p.job && *n == p.number);
            if cancel && let Some(app) = self.app.get() {
                app.endpoint_pages_cancel(&p.job).unwrap();
            }
            self.progress.lock().unwrap().push(p);
        }
    }

    fn browser(&self) -> Arc<dyn Browser> {
        Arc::new(Alice {
            app: self.app.clone(),
        })
    }
}

fn app() -> (tempfile::TempDir, App, Arc<TestHost>) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(
        &OpenOptions::new(dir.path())
            .keyring(KeyringChoice::File)
            .without_system_keyring(),
    )
    .unwrap();
    let slot = Arc::new(OnceLock::new());
    let host = Arc::new(TestHost {
        app: slot.clone(),
        progress: Mutex::new(Vec::new()),
        cancel_at: Mutex::new(None),
    });
    let settings = Settings {
        callback_timeout: Duration::from_secs(20),
        exports_dir: Some(dir.path().join("Downloads")),
        ..Settings::default()
    };
    let app = App::new(
        store,
        host.clone(),
        tokio::runtime::Handle::current(),
        settings,
    )
    .unwrap();
    slot.set(app.clone()).ok();
    (dir, app, host)
}

async fn settle(app: &App, run_id: &str) -> Snapshot {
    for _ in 0..400 {
        if let RunDetail::Flow { snapshot, .. } = app.run_get(run_id).unwrap().detail
            && matches!(
                snapshot.phase,
                Phase::Finished | Phase::Failed | Phase::Cancelled
            )
        {
            return *snapshot;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the run did not end")
}

/// An endpoint of the demo's faulty collections, paged like `orders-offset` or
/// `orders-cursor`.
fn fault(id: &str, path: &str, method: PageMethod, items: &str) -> Endpoint {
    Endpoint {
        query: vec![Param::new("limit", "50")],
        pagination: Some(Pagination {
            items: items.into(),
            ..Pagination::new(method)
        }),
        ..Endpoint::get(id, id, &format!("http://127.0.0.1:{{{{port}}}}{path}"))
    }
}

fn offset() -> PageMethod {
    PageMethod::LimitOffset {
        limit_param: "limit".into(),
        offset_param: "offset".into(),
        limit: 50,
        start: 0,
    }
}

/// The demo preset's connector (with the fault endpoints added) signing with `method` in
/// `placement`; saved and connected.
async fn connected(
    app: &App,
    p: &RunningProvider,
    method: SignatureMethod,
    placement: Placement,
) -> String {
    let mut doc = app.connector_new(Some("signet-demo")).unwrap().document;
    doc.connector.details.name = format!("{method} {placement}");
    for m in &mut doc.connector.auth_methods {
        if let AuthKind::OAuth1(o) = &mut m.kind {
            o.signature_method = method;
            o.placement = placement;
        }
    }
    let cursor = PageMethod::NextToken {
        cursor: ValueSource::Body {
            path: "/meta/next_cursor".into(),
        },
        param: "cursor".into(),
        place: ParamPlace::Query,
    };
    let next_url = PageMethod::NextUrl {
        next: ValueSource::Body {
            path: "/next".into(),
        },
    };
    doc.connector.endpoints.extend([
        fault("repeat", "/api/paged/repeat", cursor, "/items"),
        fault("flaky", "/api/paged/flaky", offset(), "/items"),
        fault("flaky-once", "/api/paged/flaky-once", offset(), "/items"),
        fault("elsewhere", "/api/paged/elsewhere", next_url, "/items"),
    ]);
    let i = &mut doc.instance;
    i.values.insert("port".into(), p.addr().port().to_string());
    i.values.insert("tenant".into(), "wonderland".into());
    if method.is_rsa() {
        i.consumer_key = demo::RSA_CONSUMER_KEY.into();
        i.rsa_private_key_pem = Some(Secret::new(demo::RSA_PRIVATE_KEY_PEM));
    } else {
        i.consumer_key = demo::CONSUMER_KEY.into();
        i.consumer_secret = Some(Secret::new(demo::CONSUMER_SECRET));
    }
    assert_eq!(app.connector_validate(&doc).unwrap(), vec![]);
    let view = app.connector_save(doc).unwrap();
    let instance = view.document.instance.id.unwrap();
    let started = app.flow_start(&instance).await.unwrap();
    let snap = settle(app, &started.run_id).await;
    assert_eq!(snap.phase, Phase::Finished, "{:?}", snap.error);
    instance
}

async fn walk(app: &App, instance: &str, endpoint: &str, job: &str) -> PagesResult {
    app.endpoint_send_pages(
        instance,
        endpoint,
        &BTreeMap::new(),
        job,
        PagesOptions::default(),
    )
    .await
    .unwrap_or_else(|e| panic!("{endpoint}: {e:?}"))
}

/// The ids of a walk's items, checked to be the whole collection once each.
#[track_caller]
fn assert_every_order_once(r: &PagesResult, what: &str) {
    let ids: Vec<u64> = r
        .items
        .iter()
        .map(|o| o["id"].as_u64().unwrap_or_else(|| panic!("{what}: {o}")))
        .collect();
    let distinct: BTreeSet<u64> = ids.iter().copied().collect();
    assert_eq!(ids.len() as u64, ORDERS, "{what}: {} items", ids.len());
    assert_eq!(distinct.len() as u64, ORDERS, "{what}: repeated items");
    assert_eq!(
        distinct,
        (FIRST..FIRST + ORDERS).collect::<BTreeSet<_>>(),
        "{what}"
    );
    assert_eq!(r.item_count, ORDERS, "{what}");
    assert!(r.complete && !r.failed, "{what}: {:?}", r.stop);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_pagination_method_yields_every_order_once() {
    let p = signet_provider::start(ProviderConfig::demo())
        .await
        .unwrap();
    let (_dir, app, host) = app();
    let methods = [
        ("orders-offset", "limit_offset"),
        ("orders-pages", "page_number"),
        ("orders-cursor", "next_token"),
        ("orders-cursor-header", "next_token"),
        ("orders-next-url", "next_url"),
        ("orders-link", "link_header"),
        ("orders-relative", "relative_uri"),
        ("orders-graphql", "graphql_cursor"),
    ];
    for method in [SignatureMethod::HmacSha1, SignatureMethod::RsaSha256] {
        for placement in [Placement::Header, Placement::Query] {
            let instance = connected(&app, &p, method, placement).await;
            for (endpoint, kind) in methods {
                let what = format!("{endpoint} {method} {placement}");
                let served = p.pages_served();
                let job = format!("{endpoint}-{}", method.as_str());
                let r = walk(&app, &instance, endpoint, &job).await;
                assert_eq!(r.method, kind, "{what}");
                assert_every_order_once(&r, &what);
                // Every page was verified by the provider (a page it refused would have failed
                // the walk), and each was signed afresh: its own nonce and signature.
                assert_eq!(
                    p.pages_served() - served,
                    r.pages.len() as u64,
                    "{what}: pages the provider served"
                );
                let traces: Vec<&SigningTrace> = r
                    .pages
                    .iter()
                    .filter_map(|x| x.call.trace.as_ref())
                    .collect();
                assert_eq!(traces.len(), r.pages.len(), "{what}");
                let nonces: BTreeSet<&str> = traces
                    .iter()
                    .map(|t| {
                        t.parameters
                            .iter()
                            .find(|x| x.name == "oauth_nonce")
                            .map(|x| x.value.as_str())
                            .unwrap_or_default()
                    })
                    .collect();
                assert_eq!(nonces.len(), r.pages.len(), "{what}: a nonce per page");
                let bases: BTreeSet<&str> = traces.iter().map(|t| t.base_string.as_str()).collect();
                assert_eq!(bases.len(), r.pages.len(), "{what}: a base string per page");
                // The pages went out as events while the walk went on.
                let seen = host
                    .progress
                    .lock()
                    .unwrap()
                    .iter()
                    .filter(|e| e.job == job)
                    .count();
                assert_eq!(seen, r.pages.len(), "{what}: progress events");
                host.progress.lock().unwrap().clear();
            }
            // A cursor needs encoding (base64 with + / =) and is in the base string as sent.
            let r = walk(&app, &instance, "orders-cursor", "cursor-check").await;
            let second = &r.pages[1];
            let cursor = second
                .call
                .parameters
                .iter()
                .find(|x| x.name == "cursor")
                .expect("the cursor parameter");
            assert!(cursor.signed && cursor.from == "pagination", "{cursor:?}");
            let base = &second.call.trace.as_ref().unwrap().base_string;
            let twice =
                signet_oauth1::encoding::encode(&signet_oauth1::encoding::encode(&cursor.value))
                    .into_owned();
            assert!(
                cursor.value.contains(['+', '/', '=']),
                "the demo's cursors need encoding: {}",
                cursor.value
            );
            assert!(base.contains(&format!("cursor%3D{twice}")), "{base}");
            // The walk as a report: a section per page, each with its parameters and trace.
            if method == SignatureMethod::HmacSha1 && placement == Placement::Header {
                let saved = app
                    .run_export(&r.run_id, signet_app::api::ReportFormat::Html)
                    .unwrap();
                assert!(saved.file_name.starts_with("signet-pages-"), "{saved:?}");
                let page = std::fs::read_to_string(&saved.path).unwrap();
                assert_eq!(
                    page.matches("<section class=\"card check enforced\" id=\"call-")
                        .count(),
                    r.pages.len(),
                    "a section per page"
                );
                assert!(page.contains(&format!("{} items.", r.item_count)));
                assert!(page.contains("<td><code>cursor</code></td>"));
                let data: serde_json::Value = serde_json::from_str(
                    &std::fs::read_to_string(
                        app.run_export(&r.run_id, signet_app::api::ReportFormat::Json)
                            .unwrap()
                            .path,
                    )
                    .unwrap(),
                )
                .unwrap();
                assert_eq!(data["format"], "signet-pages-report");
                assert_eq!(
                    data["pages"]["pages"].as_array().unwrap().len(),
                    r.pages.len()
                );
            }
            // The next URL's echoed oauth_consumer_key is left out and signed once.
            let r = walk(&app, &instance, "orders-next-url", "next-url-check").await;
            assert!(
                r.pages[1]
                    .changes
                    .iter()
                    .any(|c| c.contains("oauth_consumer_key")),
                "{:?}",
                r.pages[1].changes
            );
        }
    }
    p.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_fault_has_its_own_outcome() {
    let p = signet_provider::start(ProviderConfig::demo())
        .await
        .unwrap();
    let (_dir, app, host) = app();
    let instance = connected(&app, &p, SignatureMethod::HmacSha1, Placement::Header).await;

    // A cursor that repeats: stopped at the loop, the pages before kept, explained.
    let r = walk(&app, &instance, "repeat", "repeat").await;
    assert!(
        matches!(&r.stop, Stop::Loop { first_seen: 1, .. }),
        "{:?}",
        r.stop
    );
    assert!(r.failed && !r.complete);
    assert_eq!(r.pages.len(), 3, "{:?}", r.stop);
    assert_eq!(r.item_count, 150);
    assert!(r.stop_message.contains("page 1"), "{}", r.stop_message);
    assert!(r.stop_hint.is_some());

    // A page that fails once is sent again (a new signature) and the walk completes.
    let r = walk(&app, &instance, "flaky-once", "flaky-once").await;
    assert_every_order_once(&r, "flaky-once");
    let retried: Vec<&PageRecord> = r.pages.iter().filter(|x| x.attempts == 2).collect();
    assert_eq!(retried.len(), 1, "one page was sent twice");
    assert!(
        retried[0]
            .retried_because
            .as_deref()
            .is_some_and(|w| w.contains("500")),
        "{:?}",
        retried[0].retried_because
    );

    // A page that always fails: sent twice, then the walk stops with the pages before kept.
    let r = walk(&app, &instance, "flaky", "flaky").await;
    assert!(r.failed, "{:?}", r.stop);
    assert!(matches!(&r.stop, Stop::Failed { .. }), "{:?}", r.stop);
    assert_eq!(r.item_count, 500, "the pages before offset 500 are kept");
    let last = r.pages.last().unwrap();
    assert_eq!(last.attempts, 2);
    assert_eq!(last.call.response.as_ref().map(|x| x.status), Some(500));
    assert!(last.call.error.is_some());
    assert!(
        r.stop_message.contains("page 11") && r.stop_message.contains("twice"),
        "{}",
        r.stop_message
    );
    // Kept in the history, read in plain words there too.
    let stored = app.run_get(&r.run_id).unwrap();
    assert_eq!(stored.summary.kind, RunKind::Pages);
    assert_eq!(stored.summary.phase, Phase::Failed);
    let RunDetail::Pages { pages } = stored.detail else {
        panic!("a pages run")
    };
    assert_eq!(pages.pages.len(), r.pages.len());
    assert_eq!(pages.item_count, 500);
    assert!(pages.items.is_empty(), "the history keeps no items");

    // A next page on another host: refused before anything is sent there.
    let served = p.pages_served();
    let r = walk(&app, &instance, "elsewhere", "elsewhere").await;
    let Stop::OffOrigin { url, origin } = &r.stop else {
        panic!("{:?}", r.stop)
    };
    assert!(url.starts_with("https://elsewhere.example/"), "{url}");
    assert_eq!(*origin, format!("http://127.0.0.1:{}", p.addr().port()));
    assert_eq!(r.pages.len(), 1, "only the first page was sent");
    assert_eq!(p.pages_served() - served, 1);
    assert_eq!(r.item_count, 50);

    // Cancelled after page 3: the three pages are kept.
    *host.cancel_at.lock().unwrap() = Some(("cancelled".into(), 3));
    let r = walk(&app, &instance, "orders-offset", "cancelled").await;
    assert_eq!(r.stop, Stop::Cancelled);
    assert_eq!(r.pages.len(), 3);
    assert_eq!(r.item_count, 150);
    assert!(!r.failed && !r.complete);

    // Most pages, for this walk.
    let r = app
        .endpoint_send_pages(
            &instance,
            "orders-link",
            &BTreeMap::new(),
            "few",
            PagesOptions {
                max_pages: Some(2),
                items_in_events: false,
            },
        )
        .await
        .unwrap();
    assert_eq!(r.stop, Stop::MaxPages { max: 2 });
    assert_eq!(r.item_count, 400, "two pages of 200");

    // Items delivered page by page in the events (as the app's screen asks): the result holds
    // the count, the events hold every item once.
    host.progress.lock().unwrap().clear();
    let r = app
        .endpoint_send_pages(
            &instance,
            "orders-relative",
            &BTreeMap::new(),
            "in-events",
            PagesOptions {
                max_pages: None,
                items_in_events: true,
            },
        )
        .await
        .unwrap();
    assert!(r.items.is_empty());
    assert_eq!(r.item_count, ORDERS);
    let events = host.progress.lock().unwrap().clone();
    let ids: BTreeSet<u64> = events
        .iter()
        .flat_map(|e| e.page_items.iter().filter_map(|o| o["id"].as_u64()))
        .collect();
    assert_eq!(ids, (FIRST..FIRST + ORDERS).collect::<BTreeSet<_>>());
    assert_eq!(
        events.iter().map(|e| e.page_items.len()).sum::<usize>() as u64,
        ORDERS
    );

    // An endpoint without pagination, and a walk name that cannot be one.
    let e = app
        .endpoint_send_pages(
            &instance,
            "me",
            &BTreeMap::new(),
            "me",
            PagesOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), signet_oauth1::ErrorKind::NotPaginated);
    let e = app
        .endpoint_send_pages(
            &instance,
            "orders-offset",
            &BTreeMap::new(),
            "a b",
            PagesOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), signet_oauth1::ErrorKind::InvalidInputs);
    p.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_walk_learns_the_items_schema_and_shows_drift() {
    let p = signet_provider::start(ProviderConfig::demo())
        .await
        .unwrap();
    let (_dir, app, _host) = app();
    let instance = connected(&app, &p, SignatureMethod::HmacSha1, Placement::Header).await;

    // Learnt from every item of every page: one order.
    let r = walk(&app, &instance, "orders-cursor", "schema-1").await;
    let schema = r.schema.clone().expect("a schema learnt from the items");
    assert_eq!(schema.samples, ORDERS);
    assert!(r.drift.is_empty(), "nothing saved yet: {:?}", r.drift);
    let field = |s: &Schema, name: &str| s.node(name).cloned().unwrap_or_else(|| panic!("{name}"));
    assert_eq!(field(&schema, "id").types, vec![JsonType::Integer]);
    assert_eq!(field(&schema, "total").types, vec![JsonType::Number]);
    assert_eq!(field(&schema, "email").format, Some(StringFormat::Email));
    assert_eq!(
        field(&schema, "created_at").format,
        Some(StringFormat::DateTime)
    );
    assert!(field(&schema, "customer").example.is_some());

    // Saved with a tag; sent again: the tag is carried and nothing drifted.
    let mut saved = schema.clone();
    saved
        .set_tag("email", Some("order.customer_email"))
        .unwrap();
    let mut doc = document_of(&app, &instance);
    set_schema(&mut doc, Some(saved.clone()));
    app.connector_save(doc.clone()).unwrap();
    // The tags are exported with the connector (and nothing secret is).
    let exported = app
        .store()
        .export(&signet_store::ExportOptions {
            only: None,
            secrets: signet_store::ExportSecrets::Exclude,
        })
        .unwrap();
    assert!(exported.contains("order.customer_email"), "{exported}");
    assert!(!exported.contains(demo::CONSUMER_SECRET));
    let again = walk(&app, &instance, "orders-cursor", "schema-2").await;
    assert!(again.drift.is_empty(), "{:?}", again.drift);
    let fresh = again.schema.unwrap();
    assert_eq!(
        fresh.node("email").unwrap().tag.as_deref(),
        Some("order.customer_email")
    );

    // A saved schema that differs from what comes: the drift names each field.
    let mut old = saved.clone();
    old.root.fields.retain(|f| f.name != "status");
    let mut legacy = old.root.fields[0].clone();
    legacy.name = "legacy_code".into();
    old.root.fields.push(legacy);
    set_schema(&mut doc, Some(old));
    app.connector_save(doc.clone()).unwrap();
    let drifted = walk(&app, &instance, "orders-cursor", "schema-3").await;
    let changes: Vec<(String, &str)> = drifted
        .drift
        .iter()
        .map(|d| {
            (
                d.path.clone(),
                match d.change {
                    DriftKind::Added { .. } => "added",
                    DriftKind::Missing => "missing",
                    _ => "other",
                },
            )
        })
        .collect();
    assert!(changes.contains(&("status".into(), "added")), "{changes:?}");
    assert!(
        changes.contains(&("legacy_code".into(), "missing")),
        "{changes:?}"
    );

    // An unknown tag is refused by field.
    let mut bad = saved.clone();
    bad.root.fields[0].node.tag = Some("order.nonsense".into());
    set_schema(&mut doc, Some(bad));
    let problems = app.connector_validate(&doc).unwrap();
    assert!(
        problems
            .iter()
            .any(|x| x.field.ends_with(".schema") && x.message.contains("order.nonsense")),
        "{problems:?}"
    );

    // One call learns the whole body; the JSON Schema export carries the tag.
    let one = app
        .endpoint_send(&instance, "me", &BTreeMap::new())
        .await
        .unwrap();
    assert!(one.schema.is_some_and(|s| s.node("username").is_some()));
    let exported = app.schema_export(&saved, "Orders").unwrap();
    let json: serde_json::Value = serde_json::from_str(&exported).unwrap();
    assert_eq!(
        json["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert_eq!(json["properties"]["email"]["format"], "email");
    assert_eq!(
        json["properties"]["email"]["x-signet-tag"],
        "order.customer_email"
    );
    p.shutdown().await;
}

/// The saved document of an instance's connector.
fn document_of(app: &App, instance: &str) -> ConnectorDocument {
    for c in app.connectors_list().unwrap() {
        let view = app.connector_get(&c.id, None).unwrap();
        if view.instances.iter().any(|i| i.id == instance) {
            return app.connector_get(&c.id, Some(instance)).unwrap().document;
        }
    }
    panic!("no connector has the instance {instance}")
}

fn set_schema(doc: &mut ConnectorDocument, schema: Option<Schema>) {
    doc.connector
        .endpoints
        .iter_mut()
        .find(|e| e.id == "orders-cursor")
        .expect("the endpoint")
        .schema = schema;
}
