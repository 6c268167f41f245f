//! The use cases end to end against the demo provider: the demo connector connects and calls
//! every endpoint of the demo API; a connector built from nothing (a variable, three endpoints)
//! connects and calls; bad input is refused by field; secrets never come back; the history
//! keeps flows and calls and reads failures in plain words.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use signet_app::api::*;
use signet_app::{App, Event, Host, Settings};
use signet_engine::Browser;
use signet_provider::{Faults, ProviderConfig, RunningProvider, approve, demo};
use signet_store::{KeyringChoice, OpenOptions, Store};

/// Signs in as alice, allows, and hands the redirect back as the OS would a deep link.
struct DemoBrowser {
    app: Arc<OnceLock<App>>,
}

impl Browser for DemoBrowser {
    fn open(&self, url: &str) -> signet_engine::Result<()> {
        let (url, app) = (url.to_owned(), self.app.clone());
        tokio::spawn(async move {
            let out = approve(&url, "alice", "wonderland", true).await.unwrap();
            let app = app.get().unwrap();
            if let Some(redirect) = out.redirect {
                app.route_link(&redirect);
            }
        });
        Ok(())
    }
}

struct TestHost {
    app: Arc<OnceLock<App>>,
    events: Mutex<Vec<Event>>,
    /// The files the app asked to open (false) or show in their folder (true).
    shown: Mutex<Vec<(std::path::PathBuf, bool)>>,
}

impl Host for TestHost {
    fn emit(&self, event: Event) {
        self.events.lock().unwrap().push(event);
    }

    fn browser(&self) -> Arc<dyn Browser> {
        Arc::new(DemoBrowser {
            app: self.app.clone(),
        })
    }

    fn show_file(&self, path: &std::path::Path, reveal: bool) -> Result<(), String> {
        self.shown.lock().unwrap().push((path.to_owned(), reveal));
        Ok(())
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
        events: Mutex::new(Vec::new()),
        shown: Mutex::new(Vec::new()),
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

/// Waits until the run is over (or failed) and returns its last snapshot.
async fn settle(app: &App, run_id: &str) -> Snapshot {
    for _ in 0..400 {
        let r = app.run_get(run_id).unwrap();
        let RunDetail::Flow { snapshot, .. } = r.detail else {
            panic!("a flow")
        };
        if matches!(
            snapshot.phase,
            Phase::Finished | Phase::Failed | Phase::Cancelled
        ) {
            return *snapshot;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the run did not end")
}

async fn send(app: &App, instance: &str, endpoint: &str, inputs: &[(&str, &str)]) -> CallResult {
    let inputs: BTreeMap<String, String> = inputs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    app.endpoint_send(instance, endpoint, &inputs)
        .await
        .unwrap_or_else(|e| panic!("{endpoint}: {e:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_connects_and_calls_every_endpoint_of_its_api() {
    let (_dir, app, host) = app();
    let demo = app.demo_provider_start().await.unwrap();
    let view = demo.connector;
    assert_eq!(view.document.connector.details.name, "Signet demo provider");
    assert!(view.stored.consumer_secret);
    let instance = view.document.instance.id.clone().unwrap();
    assert_eq!(app.connector_validate(&view.document).unwrap(), vec![]);

    let started = app.flow_start(&instance).await.unwrap();
    let snap = settle(&app, &started.run_id).await;
    assert_eq!(snap.phase, Phase::Finished, "{:?}", snap.error);
    assert!(
        host.events
            .lock()
            .unwrap()
            .iter()
            .any(|e| matches!(e, Event::FlowSnapshot(s) if s.run_id == started.run_id)),
        "progress went out as events"
    );
    let view = app.connector_get(&view.id, Some(&instance)).unwrap();
    assert!(view.token.is_some(), "the token is kept");

    // Every endpoint of the demo API, with its own body kind.
    let me = send(&app, &instance, "me", &[]).await.call;
    assert_eq!(me.response.as_ref().unwrap().status, 200);
    assert!(me.trace.is_some());
    let orders = send(&app, &instance, "orders", &[("limit", "3")])
        .await
        .call;
    let body: serde_json::Value = serde_json::from_str(&orders.response.unwrap().body).unwrap();
    assert_eq!(body["orders"].as_array().unwrap().len(), 3);
    assert_eq!(body["total"], 1234);
    let order = send(&app, &instance, "order", &[("order_id", "1005")])
        .await
        .call;
    assert!(
        order.request.url.ends_with("/api/orders/1005"),
        "{}",
        order.request.url
    );
    assert!(order.response.unwrap().body.contains("SO-001005"));
    let xml = send(&app, &instance, "order-xml", &[]).await.call;
    assert!(xml.response.unwrap().body.starts_with("<?xml"));
    let created = send(&app, &instance, "create-order", &[]).await.call;
    let r = created.response.unwrap();
    assert_eq!(r.status, 201, "{}", r.body);
    let note = send(&app, &instance, "create-note", &[("title", "From a test")])
        .await
        .call;
    assert_eq!(note.response.unwrap().status, 201);
    let note_fields: Vec<&str> = note
        .parameters
        .iter()
        .filter(|p| p.place == "form")
        .map(|p| p.name.as_str())
        .collect();
    assert!(note_fields.contains(&"title"));
    assert!(
        note.parameters
            .iter()
            .filter(|p| p.place == "form")
            .all(|p| p.signed)
    );
    let tenant = send(&app, &instance, "tenant", &[]).await.call;
    assert_eq!(tenant.response.unwrap().status, 200);

    // The history holds the flow and the seven calls.
    let runs = app
        .runs_list(&RunsListArgs {
            connector_id: Some(view.id.clone()),
            ..RunsListArgs::default()
        })
        .unwrap()
        .runs;
    assert_eq!(runs.iter().filter(|r| r.kind == RunKind::Flow).count(), 1);
    assert_eq!(runs.iter().filter(|r| r.kind == RunKind::Call).count(), 7);
    let call_run = runs
        .iter()
        .find(|r| r.endpoint.as_deref() == Some("Tenant"))
        .unwrap();
    let RunDetail::Call { call } = app.run_get(&call_run.run_id).unwrap().detail else {
        panic!("a call")
    };
    assert_eq!(call.endpoint_id, "tenant");

    // What the history keeps of the dance: no verifier anywhere (the live run showed it), the
    // token's allow-listed extras as they came.
    let verifier = snap
        .step(StepId::AccessTokenRequest)
        .exchanges
        .iter()
        .flat_map(|x| x.trace.parameters.iter())
        .find(|p| p.name == "oauth_verifier")
        .map(|p| p.value.clone())
        .expect("the access-token request carried the verifier");
    let iid: signet_store::InstanceId = instance.parse().expect("an instance id");
    let stored = app.store().runs(iid, 100).unwrap();
    let flow = stored
        .iter()
        .find(|r| r.kind == signet_store::RunKind::Flow)
        .expect("the flow is stored");
    let text = flow.snapshot.to_string();
    assert!(!text.contains(&verifier), "the verifier was kept");
    assert!(text.contains("oauth_verifier"), "{text}");
    assert!(text.contains("alice"), "the screen name is kept: {text}");
}

fn built_from_nothing(p: &RunningProvider) -> ConnectorDocument {
    let mut c = Connector::named("Shop");
    c.details.system = "Demo shop".into();
    c.variables = vec![Variable {
        help: "alice's tenant is wonderland".into(),
        ..Variable::text("tenant", "Tenant")
    }];
    let mut o = OAuth1::three_legged(
        &p.request_token_url(),
        &p.authorize_url(),
        &p.access_token_url(),
    );
    o.signature_method = SignatureMethod::HmacSha256;
    o.body_hash = true;
    c.auth_methods.push(AuthMethod {
        id: "oauth1".into(),
        name: "OAuth 1.0a".into(),
        kind: AuthKind::OAuth1(Box::new(o)),
        options: AuthOptions {
            headers: vec![Param::new("X-Tenant", "{{tenant}}")],
            ..AuthOptions::default()
        },
    });
    let base = p.url().to_owned();
    let mut order = Endpoint::get(
        "order",
        "An order",
        &format!("{base}/api/orders/{{{{order_id}}}}"),
    );
    order.variables = vec![Variable {
        default: Some("1001".into()),
        ..Variable::text("order_id", "Order id")
    }];
    let tenant = Endpoint::get("tenant", "Tenant", &format!("{base}/api/tenant"));
    let mut create = Endpoint::get("create", "Create an order", &format!("{base}/api/orders"));
    create.method = "POST".into();
    create.body = Body::Json {
        text: r#"{"customer": "{{customer}}", "total": 12.5}"#.into(),
    };
    create.variables = vec![Variable::text("customer", "Customer")];
    c.endpoints = vec![order, tenant, create];
    ConnectorDocument {
        id: None,
        connector: c,
        instance: InstanceDraft {
            id: None,
            name: "Default".into(),
            values: BTreeMap::from([("tenant".into(), "wonderland".into())]),
            secrets: BTreeMap::new(),
            consumer_key: demo::CONSUMER_KEY.into(),
            consumer_secret: Some(Secret::new(demo::CONSUMER_SECRET)),
            rsa_private_key_pem: None,
            token: None,
        },
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connector_built_from_nothing_connects_and_calls() {
    let (_dir, app, _host) = app();
    let p = signet_provider::start(ProviderConfig::demo())
        .await
        .unwrap();
    let doc = built_from_nothing(&p);
    assert_eq!(app.connector_validate(&doc).unwrap(), vec![]);
    let view = app.connector_save(doc).unwrap();
    // Secrets never come back.
    assert_eq!(view.document.instance.consumer_secret, None);
    assert!(view.stored.consumer_secret);
    let json = serde_json::to_string(&view).unwrap();
    assert!(!json.contains(demo::CONSUMER_SECRET));
    let instance = view.document.instance.id.clone().unwrap();
    assert_eq!(
        app.secret_reveal(&instance, &SecretRef::ConsumerSecret)
            .unwrap(),
        demo::CONSUMER_SECRET
    );

    // Before connecting, a call says to connect first.
    let e = app
        .endpoint_send(&instance, "tenant", &BTreeMap::new())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotConnected);

    let started = app.flow_start(&instance).await.unwrap();
    let snap = settle(&app, &started.run_id).await;
    assert_eq!(snap.phase, Phase::Finished, "{:?}", snap.error);
    // Step 10 is skipped: the connector names no test endpoint.
    assert_eq!(snap.steps[9].status, StepStatus::Skipped);

    // A path parameter with its default, then given.
    let r = send(&app, &instance, "order", &[]).await.call;
    assert_eq!(r.response.unwrap().status, 200);
    let r = send(&app, &instance, "order", &[("order_id", "1100")])
        .await
        .call;
    assert!(r.response.unwrap().body.contains("SO-001100"));
    assert_eq!(
        r.variables
            .iter()
            .find(|u| u.name == "order_id")
            .unwrap()
            .origin,
        Origin::Input
    );
    // The connector variable in the method's header.
    let r = send(&app, &instance, "tenant", &[]).await.call;
    assert_eq!(r.response.unwrap().status, 200);
    assert_eq!(
        r.variables
            .iter()
            .find(|u| u.name == "tenant")
            .unwrap()
            .origin,
        Origin::Instance
    );
    // A JSON POST whose body hash the provider checked.
    let r = send(
        &app,
        &instance,
        "create",
        &[("customer", "Alice \"Al\" Liddell")],
    )
    .await
    .call;
    let resp = r.response.unwrap();
    assert_eq!(resp.status, 201, "{}", resp.body);
    let created: serde_json::Value = serde_json::from_str(&resp.body).unwrap();
    assert_eq!(created["customer"], "Alice \"Al\" Liddell");
    assert_eq!(created["body_hash_verified"], true);

    // Copy as curl: the same JSON POST signed afresh (its body hash too), sent by real curl.
    let inputs = BTreeMap::from([("customer".to_owned(), "Bob's \"shop\"".to_owned())]);
    let curl = app
        .endpoint_curl(&instance, None, "create", &inputs, false)
        .await
        .unwrap();
    assert!(curl.masked.is_empty(), "{:?}", curl.masked);
    assert!(
        curl.command.contains("oauth_body_hash="),
        "{}",
        curl.command
    );
    let (body, status) = run_curl(&curl.command);
    assert_eq!(status, 201, "{body}\n{}", curl.command);
    let created: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(created["customer"], "Bob's \"shop\"");
    assert_eq!(created["body_hash_verified"], true);
    // The header from the connector variable went too.
    let curl = app
        .endpoint_curl(&instance, None, "tenant", &BTreeMap::new(), false)
        .await
        .unwrap();
    assert!(
        curl.command.contains("-H 'X-Tenant: wonderland'"),
        "{}",
        curl.command
    );
    assert_eq!(run_curl(&curl.command).1, 200);

    // The wrong tenant: the provider's own error, in its own words.
    let mut doc = app
        .connector_get(&view.id, Some(&instance))
        .unwrap()
        .document;
    doc.instance
        .values
        .insert("tenant".into(), "workshop".into());
    app.connector_save(doc).unwrap();
    let r = send(&app, &instance, "tenant", &[]).await.call;
    assert_eq!(r.response.as_ref().unwrap().status, 403);
    let e = r.error.unwrap();
    assert_eq!(e.kind, ErrorKind::CallFailed);
    assert!(
        e.provider_says
            .as_deref()
            .unwrap_or("")
            .contains("TENANT_MISMATCH"),
        "{e:?}"
    );
    assert!(r.diagnosis.is_some());
    p.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_by_field_before_anything_is_sent() {
    let (_dir, app, _host) = app();
    let p = signet_provider::start(ProviderConfig::demo())
        .await
        .unwrap();
    let mut doc = built_from_nothing(&p);
    // A misspelt variable is named with a suggestion while editing, and saving refuses it.
    doc.connector.endpoints[1].url = format!("{}/api/tenant?t={{{{tenent}}}}", p.url());
    let problems = app.connector_validate(&doc).unwrap();
    assert_eq!(problems[0].field, "endpoints[1].url");
    assert_eq!(
        problems[0].message,
        "{{tenent}} is not defined; did you mean {{tenant}}?"
    );
    let e = app.connector_save(doc.clone()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidConnector);
    assert_eq!(e.report().fields[0].field, "endpoints[1].url");
    doc.connector.endpoints[1].url = format!("{}/api/tenant", p.url());
    // A required variable without a value is named where it is set.
    doc.instance.values.clear();
    let problems = app.connector_validate(&doc).unwrap();
    assert_eq!(problems[0].field, "values.tenant");
    let view = app.connector_save(doc).unwrap();
    let instance = view.document.instance.id.clone().unwrap();
    let started = app.flow_start(&instance).await.unwrap_err();
    assert_eq!(started.kind(), ErrorKind::InvalidConnector);
    assert_eq!(started.report().fields[0].field, "values.tenant");

    let e = app
        .endpoint_send(&instance, "orderz", &BTreeMap::new())
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "the connector has no endpoint \"orderz\": it has order, tenant, create"
    );
    let e = app
        .endpoint_send(&instance, "create", &BTreeMap::new())
        .await
        .unwrap_err();
    let fields: Vec<&str> = e.report().fields.iter().map(|f| f.field.as_str()).collect();
    assert!(fields.contains(&"values.tenant"), "{fields:?}");
    assert!(fields.contains(&"endpoints[2].body.text"), "{fields:?}");
    // Refused before sending: nothing went out, nothing is in the history.
    let none = app.runs_list(&RunsListArgs::default()).unwrap();
    assert_eq!((none.runs, none.total, none.more), (vec![], 0, false));
    p.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_come_back_read_and_kept() {
    let (_dir, app, _host) = app();
    let demo = app.demo_provider_start().await.unwrap();
    let instance = demo.connector.document.instance.id.clone().unwrap();
    let started = app.flow_start(&instance).await.unwrap();
    assert_eq!(settle(&app, &started.run_id).await.phase, Phase::Finished);

    // An answer over the size limit.
    let r = send(&app, &instance, "me", &[]).await;
    assert_eq!(r.call.response.unwrap().status, 200);
    let mut doc = app
        .connector_get(&demo.connector.id, None)
        .unwrap()
        .document;
    let mut large = Endpoint::get("large", "Large", &format!("{}/api/large", demo.url));
    large.query = vec![Param::new("bytes", "20971520")];
    doc.connector.endpoints.push(large);
    app.connector_save(doc).unwrap();
    let r = send(&app, &instance, "large", &[]).await.call;
    let e = r.error.unwrap();
    assert_eq!(e.kind, ErrorKind::ResponseTooLarge);
    assert!(e.message.contains("larger than 10 MiB"), "{}", e.message);

    // Signatures refused: the call is kept and read in plain words.
    let faults = reqwest::Client::new()
        .patch(format!("{}/_signet/faults", demo.url))
        .header("content-type", "application/json")
        .body(r#"{"reject_signatures": true}"#)
        .send()
        .await
        .unwrap();
    assert!(faults.status().is_success());
    let r = send(&app, &instance, "me", &[]).await;
    assert_eq!(r.call.response.as_ref().unwrap().status, 401);
    let d = app.run_diagnose(&r.run_id).unwrap();
    assert!(
        d.diagnoses
            .iter()
            .any(|x| x.id.contains("signature_invalid")),
        "{:?}",
        d.diagnoses
    );
    let listed = app
        .runs_list(&RunsListArgs {
            instance_id: Some(instance.clone()),
            ..RunsListArgs::default()
        })
        .unwrap()
        .runs;
    assert_eq!(listed[0].run_id, r.run_id);
    assert_eq!(listed[0].phase, Phase::Failed);
    assert_eq!(listed[0].status, Some(401));
    let _ = Faults::default();
}

/// Issue 19: the history is read a page at a time, newest first, each page after the last
/// run of the one before; a kind or a connector narrows it; the total comes with every page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_is_read_a_page_at_a_time() {
    let (_dir, app, _host) = app();
    let demo = app.demo_provider_start().await.unwrap();
    let instance = demo.connector.document.instance.id.clone().unwrap();
    let started = app.flow_start(&instance).await.unwrap();
    assert_eq!(settle(&app, &started.run_id).await.phase, Phase::Finished);
    let mut sent = vec![started.run_id.clone()];
    for _ in 0..11 {
        sent.push(send(&app, &instance, "me", &[]).await.run_id);
    }
    sent.reverse();

    let mut got = Vec::new();
    let mut before = None;
    loop {
        let page = app
            .runs_list(&RunsListArgs {
                before: before.clone(),
                limit: Some(5),
                ..RunsListArgs::default()
            })
            .unwrap();
        assert_eq!(page.total, 12);
        assert!(page.runs.len() <= 5);
        got.extend(page.runs.iter().map(|r| r.run_id.clone()));
        before = page.runs.last().map(|r| r.run_id.clone());
        if !page.more {
            break;
        }
    }
    assert_eq!(got, sent, "every run once, newest first");

    // A run recorded without the app's words (the CLI records flows so) is listed as its
    // record reads: the same row as the run it copies.
    let newest = app.runs_list(&RunsListArgs::default()).unwrap().runs[0].clone();
    let (iid, rid) = newest.run_id.split_once('-').unwrap();
    let store = app.store();
    let copied = store
        .run(
            iid.parse().unwrap(),
            signet_store::RunId(rid.parse().unwrap()),
        )
        .unwrap()
        .unwrap();
    let bare = store
        .record_run(signet_store::NewRun {
            instance_id: copied.instance_id,
            kind: copied.kind,
            started_at: copied.started_at,
            finished_at: copied.finished_at,
            outcome: copied.outcome.clone(),
            snapshot: copied.snapshot.clone(),
            summary: None,
        })
        .unwrap();
    let listed = app.runs_list(&RunsListArgs::default()).unwrap();
    assert_eq!(listed.total, 13);
    assert_eq!(listed.runs[0].run_id, format!("{iid}-{}", bare.id));
    assert_eq!(
        RunSummary {
            run_id: newest.run_id.clone(),
            ..listed.runs[0].clone()
        },
        newest
    );

    let flows = app
        .runs_list(&RunsListArgs {
            connector_id: Some(demo.connector.id.clone()),
            kind: Some(RunKind::Flow),
            ..RunsListArgs::default()
        })
        .unwrap();
    assert_eq!(flows.runs.len(), 1);
    assert_eq!(flows.runs[0].run_id, started.run_id);
    assert_eq!(flows.runs[0].steps_done, 10);
    assert_eq!(flows.total, 13, "the total counts every kind");

    // A page is never empty-handed for a limit of 0, nor larger than the most allowed.
    let one = app
        .runs_list(&RunsListArgs {
            limit: Some(0),
            ..RunsListArgs::default()
        })
        .unwrap();
    assert_eq!((one.runs.len(), one.more), (1, true));

    let e = app
        .runs_list(&RunsListArgs {
            before: Some("yesterday".into()),
            ..RunsListArgs::default()
        })
        .unwrap_err();
    assert_eq!(e.report().message, "\"yesterday\" is not a run's id");
    assert!(
        e.report()
            .hint
            .as_deref()
            .unwrap_or("")
            .contains("last run")
    );
}

/// A browser that only notes the consent page's address: the test decides what comes back.
struct Holding(Arc<Mutex<Option<String>>>);

impl Browser for Holding {
    fn open(&self, url: &str) -> signet_engine::Result<()> {
        *self.0.lock().unwrap() = Some(url.to_owned());
        Ok(())
    }
}

struct HoldingHost(Arc<Mutex<Option<String>>>);

impl Host for HoldingHost {
    fn emit(&self, _: Event) {}
    fn browser(&self) -> Arc<dyn Browser> {
        Arc::new(Holding(self.0.clone()))
    }
}

/// Any page can open a `signet://` link: a link that does not name the waiting attempt — by
/// the code in its path or by its request token — changes nothing, whatever it says; the real
/// redirect then finishes the run, and replaying it afterwards is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_deep_links_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(
        &OpenOptions::new(dir.path())
            .keyring(KeyringChoice::File)
            .without_system_keyring(),
    )
    .unwrap();
    let consent = Arc::new(Mutex::new(None));
    let app = App::new(
        store,
        Arc::new(HoldingHost(consent.clone())),
        tokio::runtime::Handle::current(),
        Settings {
            callback_timeout: Duration::from_secs(20),
            ..Settings::default()
        },
    )
    .unwrap();
    let demo = app.demo_provider_start().await.unwrap();
    let instance = demo.connector.document.instance.id.clone().unwrap();
    let started = app.flow_start(&instance).await.unwrap();
    let waiting = async {
        for _ in 0..200 {
            let r = app.run_get(&started.run_id).unwrap();
            if let RunDetail::Flow { snapshot, .. } = r.detail
                && snapshot.phase == Phase::AwaitingAuthorization
            {
                return *snapshot;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("the run never waited for the consent")
    }
    .await;
    let Some(Waiting::Callback { callback_url, .. }) = waiting.waiting_for.clone() else {
        panic!("waiting for a deep link: {:?}", waiting.waiting_for)
    };
    assert!(
        callback_url.starts_with("signet://callback/") && callback_url.len() > 30,
        "the callback carries the run's code: {callback_url}"
    );
    for forged in [
        "signet://callback?denied=whatever".to_owned(),
        "signet://callback?oauth_problem=user_refused".to_owned(),
        "signet://callback?oauth_verifier=guess".to_owned(),
        "signet://callback/not-the-code?oauth_verifier=guess".to_owned(),
        format!("{callback_url}x?oauth_verifier=guess"),
    ] {
        let routed = app.route_link(&forged);
        assert!(
            matches!(routed, signet_app::Routed::Refused(_)),
            "{forged}: {routed:?}"
        );
    }
    // A link with the run's code but a refusal naming another token: delivered, refused by
    // the run, which keeps waiting.
    let wrong = format!("{callback_url}?denied=another-token");
    assert!(matches!(
        app.route_link(&wrong),
        signet_app::Routed::Delivered(_)
    ));
    tokio::time::sleep(Duration::from_millis(200)).await;
    let r = app.run_get(&started.run_id).unwrap();
    let RunDetail::Flow { snapshot, .. } = r.detail else {
        panic!("a flow")
    };
    assert_eq!(
        snapshot.phase,
        Phase::AwaitingAuthorization,
        "{:?}",
        snapshot.error
    );

    // The provider's real redirect.
    let url = consent
        .lock()
        .unwrap()
        .clone()
        .expect("the consent page was opened");
    let out = approve(&url, "alice", "wonderland", true).await.unwrap();
    let redirect = out.redirect.expect("a redirect");
    assert!(redirect.starts_with(&callback_url), "{redirect}");
    assert!(matches!(
        app.route_link(&redirect),
        signet_app::Routed::Delivered(_)
    ));
    let snap = settle(&app, &started.run_id).await;
    assert_eq!(snap.phase, Phase::Finished, "{:?}", snap.error);
    // Replayed: no attempt waits for it.
    assert!(matches!(
        app.route_link(&redirect),
        signet_app::Routed::Refused(_)
    ));
}

/// Panics the first time it is given a snapshot: a bug in the middle of a run.
struct PanickingHost {
    panicked: std::sync::atomic::AtomicBool,
    consent: Arc<Mutex<Option<String>>>,
}

impl Host for PanickingHost {
    fn emit(&self, event: Event) {
        if matches!(event, Event::FlowSnapshot(_))
            && !self
                .panicked
                .swap(true, std::sync::atomic::Ordering::SeqCst)
        {
            panic!("a bug planted in the middle of a run");
        }
    }
    fn browser(&self) -> Arc<dyn Browser> {
        Arc::new(Holding(self.consent.clone()))
    }
}

/// A bug that panics while a run is driven fails that run on its step with an `internal`
/// error (never leaves it running for ever), and Signet goes on: the next run connects.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bug_in_a_run_fails_that_run_and_signet_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(
        &OpenOptions::new(dir.path())
            .keyring(KeyringChoice::File)
            .without_system_keyring(),
    )
    .unwrap();
    let consent = Arc::new(Mutex::new(None));
    let app = App::new(
        store,
        Arc::new(PanickingHost {
            panicked: false.into(),
            consent: consent.clone(),
        }),
        tokio::runtime::Handle::current(),
        Settings::default(),
    )
    .unwrap();
    let demo = app.demo_provider_start().await.unwrap();
    let instance = demo.connector.document.instance.id.clone().unwrap();
    let first = app.flow_start(&instance).await.unwrap();
    let snap = settle(&app, &first.run_id).await;
    assert_eq!(snap.phase, Phase::Failed);
    let failure = snap.error.expect("the failure is on a step");
    assert_eq!(failure.error.kind, signet_oauth1::ErrorKind::Internal);
    assert!(
        failure.error.message.contains("a bug in Signet stopped"),
        "{}",
        failure.error.message
    );
    assert!(failure.error.hint.is_some());

    // Signet goes on: the next run reaches the consent page.
    let second = app.flow_start(&instance).await.unwrap();
    for _ in 0..200 {
        if consent.lock().unwrap().is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(consent.lock().unwrap().is_some(), "the second run went on");
    app.flow_cancel(&second.run_id).unwrap();
}

/// Issue 20: an audit runs its two dances as the instance's flows, keeps one run of kind
/// `audit` (the dances' snapshots inside it, not beside it), saves a working token, and keeps
/// no verifier.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_audit_is_kept_as_one_run_with_its_dances_and_leaves_a_working_token() {
    let (dir, app, host) = app();
    let demo = app.demo_provider_start().await.unwrap();
    let instance = demo.connector.document.instance.id.clone().unwrap();
    let lax = reqwest::Client::new()
        .patch(format!("{}/_signet/faults", demo.url))
        .header("content-type", "application/json")
        .body(r#"{"allow_token_reuse": true}"#)
        .send()
        .await
        .unwrap();
    assert!(lax.status().is_success());

    let plan = app.audit_plan(&instance).await.unwrap();
    let done = app
        .audit_run(&instance, "audit-1", Some(100.0))
        .await
        .unwrap();
    let r = &done.report;
    let not_enforced: Vec<_> = r
        .checks
        .iter()
        .filter(|c| c.verdict == signet_audit::Verdict::NotEnforced)
        .map(|c| c.id)
        .collect();
    assert_eq!(not_enforced, [signet_audit::CheckId::TokenReuse], "{r:#?}");
    assert!(r.requests_sent as usize <= plan.requests.len());
    assert!(matches!(
        r.token,
        signet_audit::TokenOutcome::Reissued { .. }
    ));

    // The events: both dances named before their first snapshot, a verdict per check.
    let events = host.events.lock().unwrap().clone();
    let mut dances = Vec::new();
    let mut checked = 0;
    for e in &events {
        match e {
            Event::AuditProgress(p) => {
                assert_eq!(p.job, "audit-1");
                match &p.step {
                    AuditStep::Dance { run_id, .. } => dances.push(run_id.clone()),
                    AuditStep::Checked { .. } => checked += 1,
                    AuditStep::Sending { .. } => {}
                }
            }
            Event::FlowSnapshot(s) => assert!(
                dances.contains(&s.run_id),
                "a dance's snapshot before it was named"
            ),
            _ => {}
        }
    }
    assert_eq!(dances.len(), 2);
    assert_eq!(checked, r.checks.len());

    // One run in the history, of kind audit, with its scorecard; the dances are inside it.
    let listed = app
        .runs_list(&RunsListArgs {
            instance_id: Some(instance.clone()),
            ..RunsListArgs::default()
        })
        .unwrap();
    assert_eq!(listed.total, 1, "{:?}", listed.runs);
    let row = &listed.runs[0];
    assert_eq!(
        (row.kind, row.run_id.as_str()),
        (RunKind::Audit, done.run_id.as_str())
    );
    assert_eq!(row.score, Some(r.score));
    assert_eq!(row.phase, Phase::Failed, "a required check is not enforced");
    for d in &dances {
        assert!(
            app.run_get(d).is_err(),
            "the dance {d} is not a run of its own"
        );
    }
    let got = app.run_get(&done.run_id).unwrap();
    let RunDetail::Audit { audit } = got.detail else {
        panic!("an audit")
    };
    assert_eq!(audit.report.checks.len(), r.checks.len());
    assert_eq!(audit.dances.len(), 2);
    for d in &audit.dances {
        assert_eq!(d.step(StepId::RedirectToConsumer).status, StepStatus::Done);
        assert_eq!(
            d.step(StepId::AccessTokenRequest).status,
            StepStatus::Pending
        );
        assert!(d.step(StepId::AccessTokenRequest).exchanges.is_empty());
    }
    let stored = serde_json::to_string(&audit).unwrap();
    assert!(!stored.contains(demo::CONSUMER_SECRET));
    assert!(stored.contains("oauth_verifier"));
    for verifier in stored
        .match_indices("oauth_verifier=")
        .map(|(i, _)| &stored[i + 15..])
    {
        assert!(
            verifier.starts_with("<redacted>") || verifier.starts_with("\\\"<redacted>"),
            "{}",
            &verifier[..verifier.len().min(40)]
        );
    }
    assert_eq!(
        app.run_diagnose(&done.run_id).unwrap_err().report().kind,
        ErrorKind::RunNotFailed
    );

    // The token the audit left works.
    let me = send(&app, &instance, "me", &[]).await;
    assert_eq!(me.call.response.as_ref().unwrap().status, 200);

    // Exported: JSON is the report itself; HTML is a page with the scorecard and every check.
    let json = app.run_export(&done.run_id, ReportFormat::Json).unwrap();
    assert!(json.folder.ends_with("Downloads"), "{json:?}");
    assert!(
        json.file_name.starts_with("signet-audit-127.0.0.1-"),
        "{json:?}"
    );
    assert!(json.file_name.ends_with(".json"), "{json:?}");
    let text = std::fs::read_to_string(&json.path).unwrap();
    assert_eq!(json.bytes, text.len() as u64);
    let back: signet_audit::AuditReport = serde_json::from_str(&text).unwrap();
    assert_eq!(&back, r);
    let html = app.run_export(&done.run_id, ReportFormat::Html).unwrap();
    let page = std::fs::read_to_string(&html.path).unwrap();
    assert!(page.contains(&r.score.headline()), "no scorecard");
    assert!(
        page.contains("<dt>Connector</dt><dd>Signet demo provider</dd>"),
        "{page}"
    );
    for c in &r.checks {
        assert!(
            page.contains(&format!("id=\"{}\"", c.id)),
            "{} missing",
            c.id
        );
    }
    // No secret in either: the consumer secret, nor any token secret the provider issued
    // (its token store has them all; the verifiers are redacted in the run, as checked above).
    assert_no_secret(&dir, 2, &[&text, &page]);
    // A second export never replaces the first.
    let again = app.run_export(&done.run_id, ReportFormat::Html).unwrap();
    assert_ne!(again.path, html.path);
    assert!(again.file_name.contains(" (2).html"), "{again:?}");

    // Only saved reports are opened.
    app.report_show(&html.path, true).unwrap();
    app.report_show(&json.path, false).unwrap();
    assert_eq!(
        *host.shown.lock().unwrap(),
        [
            (std::path::PathBuf::from(&html.path), true),
            (std::path::PathBuf::from(&json.path), false)
        ]
    );
    let elsewhere = app.report_show("/etc/passwd", false).unwrap_err();
    assert_eq!(elsewhere.report().kind, ErrorKind::InvalidInputs);
    std::fs::remove_file(&again.path).unwrap();
    let gone = app.report_show(&again.path, false).unwrap_err();
    assert!(
        gone.report().message.contains("no longer there"),
        "{gone:?}"
    );
    assert_eq!(host.shown.lock().unwrap().len(), 2);
}

/// Issue 20: an audit is stopped by its job name between two requests: nothing more is sent,
/// the checks not made say so, and it is kept in the history like any audit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_audit_stops_when_asked_and_is_kept() {
    let (_dir, app, host) = app();
    let demo = app.demo_provider_start().await.unwrap();
    let instance = demo.connector.document.instance.id.clone().unwrap();
    // Stopping an audit that is not going does nothing.
    app.audit_stop("audit-9").unwrap();
    let running = {
        let (app, instance) = (app.clone(), instance.clone());
        // One request every two seconds: time to stop it after its second.
        tokio::spawn(async move { app.audit_run(&instance, "audit-9", Some(0.5)).await })
    };
    let sending = |n: u32| {
        host.events.lock().unwrap().iter().any(|e| {
            matches!(e, Event::AuditProgress(p) if matches!(p.step, AuditStep::Sending { n: m, .. } if m >= n))
        })
    };
    for _ in 0..400 {
        if sending(2) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(sending(2), "the audit never sent its second request");
    // The same name cannot start a second audit while this one runs.
    let twice = app
        .audit_run(&instance, "audit-9", Some(0.5))
        .await
        .unwrap_err();
    assert!(
        twice.report().message.contains("is running already"),
        "{twice:?}"
    );
    app.audit_stop("audit-9").unwrap();
    let done = tokio::time::timeout(Duration::from_secs(10), running)
        .await
        .expect("the stopped audit ended at once")
        .unwrap()
        .unwrap();
    let r = &done.report;
    assert_eq!(r.requests_sent, 2, "{r:#?}");
    assert!(!sending(3), "a request went after the stop");
    let stopped = r
        .checks
        .iter()
        .filter(|c| c.reason.contains("stopped"))
        .count();
    assert!(stopped >= 10, "{r:#?}");
    let listed = app
        .runs_list(&RunsListArgs {
            instance_id: Some(instance.clone()),
            ..RunsListArgs::default()
        })
        .unwrap();
    assert_eq!(listed.runs[0].run_id, done.run_id);
    // Its name is free again.
    app.audit_stop("audit-9").unwrap();
}

/// Issue 15 (run reports): a connection is saved as a report — a page with every step, the
/// sequence diagram and, for a failure, the diagnosis; and as JSON — with no secret in either.
/// An endpoint call is saved as a report too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_is_saved_as_a_report_without_secrets() {
    let (dir, app, _host) = app();
    let demo = app.demo_provider_start().await.unwrap();
    let instance = demo.connector.document.instance.id.clone().unwrap();
    let started = app.flow_start(&instance).await.unwrap();
    assert_eq!(settle(&app, &started.run_id).await.phase, Phase::Finished);
    let page = app.run_export(&started.run_id, ReportFormat::Html).unwrap();
    assert!(
        page.file_name
            .starts_with("signet-connection-signet-demo-provider-"),
        "{page:?}"
    );
    let html = std::fs::read_to_string(&page.path).unwrap();
    assert!(
        html.contains("Connected: access token issued; the API answered 200"),
        "{html}"
    );
    for step in signet_oauth1::flow::STEPS {
        assert!(
            html.contains(&format!("id=\"{}\"", step.key)),
            "step {} missing",
            step.number
        );
        assert!(html.contains(step.message.label.replace('&', "&amp;").as_str()));
    }
    assert!(html.contains("<svg viewBox="));
    assert!(
        !html.contains("id=\"diagnosis\""),
        "a diagnosis of a success"
    );
    let json = app.run_export(&started.run_id, ReportFormat::Json).unwrap();
    let data: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json.path).unwrap()).unwrap();
    assert_eq!(data["format"], "signet-connection-report");
    assert_eq!(data["snapshot"]["phase"], "finished");
    assert_eq!(data["snapshot"]["steps"].as_array().unwrap().len(), 10);

    // A failure: the diagnosis is in the page.
    let faults = reqwest::Client::new()
        .patch(format!("{}/_signet/faults", demo.url))
        .header("content-type", "application/json")
        .body(r#"{"reject_signatures": true}"#)
        .send()
        .await
        .unwrap();
    assert!(faults.status().is_success());
    let failed = app.flow_start(&instance).await.unwrap();
    assert_eq!(settle(&app, &failed.run_id).await.phase, Phase::Failed);
    let page = app.run_export(&failed.run_id, ReportFormat::Html).unwrap();
    let failed_html = std::fs::read_to_string(&page.path).unwrap();
    assert!(
        failed_html.contains("Failed at step 4 (User authentication): the provider refused the request: signature_invalid"),
        "{failed_html}"
    );
    assert!(failed_html.contains("id=\"diagnosis\""));
    assert!(failed_html.contains("<strong>Fix:</strong>"));
    let failed_json = std::fs::read_to_string(
        app.run_export(&failed.run_id, ReportFormat::Json)
            .unwrap()
            .path,
    )
    .unwrap();
    assert!(failed_json.contains("\"diagnosis\": {"), "{failed_json}");

    // No secret: the consumer secret, nor any token secret the provider issued.
    let json_text = std::fs::read_to_string(&json.path).unwrap();
    assert_no_secret(&dir, 1, &[&html, &json_text, &failed_html, &failed_json]);

    // An endpoint call (refused, with its diagnosis) is a report too.
    let call = send(&app, &instance, "me", &[]).await;
    assert_eq!(call.call.response.as_ref().unwrap().status, 401);
    let page = app.run_export(&call.run_id, ReportFormat::Html).unwrap();
    assert!(page.file_name.starts_with("signet-call-"), "{page:?}");
    let call_html = std::fs::read_to_string(&page.path).unwrap();
    assert!(call_html.contains("one call"), "{call_html}");
    assert!(call_html.contains("answered 401"));
    assert!(call_html.contains("<strong>Fix:</strong>"));
    assert!(call_html.contains("How it was signed"));
    let call_json = std::fs::read_to_string(
        app.run_export(&call.run_id, ReportFormat::Json)
            .unwrap()
            .path,
    )
    .unwrap();
    let data: serde_json::Value = serde_json::from_str(&call_json).unwrap();
    assert_eq!(data["format"], "signet-call-report");
    assert_eq!(data["call"]["response"]["status"], 401);
    assert_no_secret(&dir, 1, &[&call_html, &call_json]);
}

/// Neither the demo's consumer secret nor any token secret its provider issued (at least
/// `tokens` of them, from its token store) is in `texts`.
fn assert_no_secret(dir: &tempfile::TempDir, tokens: usize, texts: &[&str]) {
    let issued: Vec<serde_json::Value> = serde_json::from_slice(
        &std::fs::read(dir.path().join(signet_app::DEMO_TOKEN_STORE)).unwrap(),
    )
    .unwrap();
    assert!(issued.len() >= tokens, "{issued:?}");
    let secrets = issued
        .iter()
        .map(|t| t["secret"].as_str().unwrap())
        .chain([demo::CONSUMER_SECRET]);
    for s in secrets {
        for text in texts {
            assert!(
                !text.contains(s),
                "a secret ({} chars) in a report",
                s.len()
            );
        }
    }
}

/// Runs a curl command in `sh` with `-sS -w` after it: the body, then the status.
fn run_curl(command: &str) -> (String, u16) {
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{command} -sS -w '\\n%{{http_code}}'"))
        .output()
        .expect("sh and curl run");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, status) = text.rsplit_once('\n').unwrap_or(("", &text));
    let status = status.trim().parse().unwrap_or_else(|_| {
        panic!(
            "no status from curl: {text} {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (body.to_owned(), status)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_as_curl_masks_an_api_key_unless_revealed() {
    let (_dir, app, _host) = app();
    let mut c = Connector::named("Keyed");
    c.variables = vec![Variable {
        kind: VariableKind::Secret,
        ..Variable::text("api_key", "API key")
    }];
    c.auth_methods.push(AuthMethod {
        id: "key".into(),
        name: "API key".into(),
        kind: AuthKind::ApiKey {
            name: "X-Api-Key".into(),
            value: "Key {{api_key}}".into(),
            placement: KeyPlacement::Header,
        },
        options: AuthOptions::default(),
    });
    let mut e = Endpoint::get("items", "Items", "https://api.example.com/items?q=a%20b");
    e.method = "PUT".into();
    e.body = Body::Form {
        fields: vec![Param::new("name", "it's")],
    };
    c.endpoints = vec![e];
    let doc = ConnectorDocument {
        id: None,
        connector: c,
        instance: InstanceDraft {
            id: None,
            name: "Default".into(),
            values: BTreeMap::new(),
            secrets: BTreeMap::from([("api_key".into(), Secret::new("k3y-s3cret"))]),
            consumer_key: String::new(),
            consumer_secret: None,
            rsa_private_key_pem: None,
            token: None,
        },
    };
    let view = app.connector_save(doc).unwrap();
    let instance = view.document.instance.id.unwrap();
    let masked = app
        .endpoint_curl(&instance, None, "items", &BTreeMap::new(), false)
        .await
        .unwrap();
    assert!(!masked.command.contains("k3y-s3cret"), "{}", masked.command);
    assert!(
        masked.command.contains("-H 'X-Api-Key: <redacted>'"),
        "{}",
        masked.command
    );
    assert_eq!(masked.masked, vec!["the header X-Api-Key".to_owned()]);
    assert!(
        masked
            .command
            .starts_with("curl -X PUT 'https://api.example.com/items?q=a%20b'"),
        "{}",
        masked.command
    );
    assert!(
        masked.command.ends_with("--data-binary 'name=it%27s'"),
        "{}",
        masked.command
    );
    let shown = app
        .endpoint_curl(&instance, None, "items", &BTreeMap::new(), true)
        .await
        .unwrap();
    assert!(
        shown.command.contains("-H 'X-Api-Key: Key k3y-s3cret'"),
        "{}",
        shown.command
    );
    assert!(shown.masked.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postman_files_are_told_apart_and_a_refused_import_changes_nothing() {
    let (_dir, app, _host) = app();
    let fixture = |name: &str| {
        std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../interchange/tests/postman")
                .join(name),
        )
        .unwrap()
    };
    let file = |name: &str| PostmanFile {
        name: name.into(),
        text: fixture(name),
    };
    let collection = file("netsuite.postman_collection.json");
    let environment = file("netsuite.postman_environment.json");
    // The environment first: still told apart; its values are the instance's.
    let done = app
        .postman_import_files(&[environment.clone(), collection.clone()])
        .unwrap();
    assert_eq!(
        done.view
            .document
            .instance
            .values
            .get("account")
            .map(String::as_str),
        Some("7654321-sb2")
    );
    assert!(
        done.view.stored.consumer_secret,
        "the secret is stored (encrypted)"
    );
    assert!(done.notes.iter().any(|n| n.kind == NoteKind::NotRun));
    let json = serde_json::to_string(&done).unwrap();
    assert!(!json.contains("d26ad321a4b2"), "a secret came back");
    // The same again: a name of its own.
    let again = app
        .postman_import_files(std::slice::from_ref(&collection))
        .unwrap();
    assert_eq!(
        again.view.document.connector.details.name,
        "NetSuite REST (token-based auth) (2)"
    );
    let count = app.connectors_list().unwrap().len();
    for (files, says) in [
        (vec![environment.clone()], "is a Postman environment, not a collection"),
        (vec![collection.clone(), collection.clone()], "2 collections were given"),
        (vec![], "no file was given"),
        (
            vec![PostmanFile {
                name: "x.json".into(),
                text: "{\"info\": {\"schema\": \"https://schema.getpostman.com/json/collection/v1.0.0/collection.json\"}}".into(),
            }],
            "v1 collection",
        ),
    ] {
        let e = app.postman_import_files(&files).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInputs);
        assert!(e.report().message.contains(says), "{:?}", e.report());
    }
    assert_eq!(
        app.connectors_list().unwrap().len(),
        count,
        "nothing was saved"
    );
    // Out as a collection, without its secrets unless asked.
    let (_, text) = app.postman_collection(&done.view.id, None, false).unwrap();
    assert!(!text.contains("d26ad321a4b2"));
    let (_, text) = app.postman_collection(&done.view.id, None, true).unwrap();
    assert!(text.contains("d26ad321a4b2"));
}
