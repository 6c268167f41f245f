//! Every endpoint kind of the demo API, through the app's use cases and the engine, for
//! HMAC-SHA1, HMAC-SHA256 and RSA-SHA256, in every placement: a connector made from the demo
//! preset connects through the ten steps and sends each endpoint — a JSON resource, a query
//! parameter, a path parameter, an XML resource, a JSON POST (with and without the body hash), a
//! form POST and a connector variable in a header. The demo provider verifies every signature
//! strictly (it refuses a signature, a body hash or a tenant that does not match).

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use signet_app::api::*;
use signet_app::{App, Event, Host, Settings};
use signet_engine::Browser;
use signet_provider::{ProviderConfig, RunningProvider, approve, demo};
use signet_store::{KeyringChoice, OpenOptions, Store};

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

struct TestHost {
    app: Arc<OnceLock<App>>,
}

impl Host for TestHost {
    fn emit(&self, _: Event) {}

    fn browser(&self) -> Arc<dyn Browser> {
        Arc::new(Alice {
            app: self.app.clone(),
        })
    }
}

fn app() -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(
        &OpenOptions::new(dir.path())
            .keyring(KeyringChoice::File)
            .without_system_keyring(),
    )
    .unwrap();
    let slot = Arc::new(OnceLock::new());
    let host = Arc::new(TestHost { app: slot.clone() });
    let settings = Settings {
        callback_timeout: Duration::from_secs(20),
        ..Settings::default()
    };
    let app = App::new(store, host, tokio::runtime::Handle::current(), settings).unwrap();
    slot.set(app.clone()).ok();
    (dir, app)
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

/// The demo preset's connector for `p`, signing with `method` in `placement` (body hash as
/// asked), with the demo consumer's credentials; saved, connected.
async fn connected(
    app: &App,
    p: &RunningProvider,
    method: SignatureMethod,
    placement: Placement,
    body_hash: bool,
) -> String {
    let mut doc = app.connector_new(Some("signet-demo")).unwrap().document;
    doc.connector.details.name = format!("{method} {placement} {body_hash}");
    for m in &mut doc.connector.auth_methods {
        if let AuthKind::OAuth1(o) = &mut m.kind {
            o.signature_method = method;
            o.placement = placement;
            o.body_hash = body_hash;
        }
    }
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
    assert_eq!(
        snap.phase,
        Phase::Finished,
        "{method} {placement}: {:?}",
        snap.error
    );
    instance
}

async fn send(app: &App, instance: &str, endpoint: &str, inputs: &[(&str, &str)]) -> CallRecord {
    let inputs: BTreeMap<String, String> = inputs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    app.endpoint_send(instance, endpoint, &inputs)
        .await
        .unwrap_or_else(|e| panic!("{endpoint}: {e:?}"))
        .call
}

#[track_caller]
fn ok(call: &CallRecord, what: &str) -> serde_json::Value {
    let r = call
        .response
        .as_ref()
        .unwrap_or_else(|| panic!("{what}: no answer: {:?}", call.error));
    assert!(
        (200..300).contains(&r.status),
        "{what}: http {}: {} ({:?})",
        r.status,
        r.body,
        call.error
    );
    serde_json::from_str(&r.body).unwrap_or(serde_json::Value::Null)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_kind_for_every_method_and_placement() {
    let p = signet_provider::start(ProviderConfig::demo())
        .await
        .unwrap();
    let (_dir, app) = app();
    let mut sent = 0;
    for method in [
        SignatureMethod::HmacSha1,
        SignatureMethod::HmacSha256,
        SignatureMethod::RsaSha256,
    ] {
        for placement in Placement::ALL {
            for body_hash in [false, true] {
                let what = format!("{method} {placement} body_hash={body_hash}");
                let instance = connected(&app, &p, method, placement, body_hash).await;

                // A JSON resource: the provider says how it read the signature.
                let me = ok(&send(&app, &instance, "me", &[]).await, &what);
                assert_eq!(me["username"], "alice", "{what}");
                assert_eq!(me["signature_method"], method.as_str(), "{what}");
                assert_eq!(me["placement"], placement.as_str(), "{what}");

                // A query parameter from an input: signed, so a changed value is refused.
                let orders = send(&app, &instance, "orders", &[("limit", "2")]).await;
                assert_eq!(ok(&orders, &what)["orders"].as_array().unwrap().len(), 2);
                assert!(
                    orders
                        .parameters
                        .iter()
                        .any(|x| x.name == "limit" && x.signed && x.place == "query"),
                    "{what}: {:?}",
                    orders.parameters
                );

                // A path parameter, and the same order as XML.
                let one = ok(
                    &send(&app, &instance, "order", &[("order_id", "1042")]).await,
                    &what,
                );
                assert_eq!(one["id"], 1042, "{what}");
                let xml = send(&app, &instance, "order-xml", &[("order_id", "1042")]).await;
                ok(&xml, &what);
                assert!(
                    xml.response
                        .as_ref()
                        .unwrap()
                        .body
                        .contains("<id>1042</id>"),
                    "{what}"
                );

                // A form POST: its fields are signed in every placement.
                let note = send(&app, &instance, "create-note", &[("title", "Tea & jam")]).await;
                let created = ok(&note, &what);
                assert_eq!(created["title"], "Tea & jam", "{what}");
                assert!(
                    note.parameters
                        .iter()
                        .any(|x| x.name == "title" && x.signed && x.place == "form"),
                    "{what}: {:?}",
                    note.parameters
                );

                // A JSON POST: not signed; covered by oauth_body_hash when asked. The body
                // placement cannot carry the oauth parameters beside a JSON body: refused
                // before sending, by name.
                let order = app
                    .endpoint_send(
                        &instance,
                        "create-order",
                        &BTreeMap::from([
                            ("customer".to_owned(), "Bob \"the builder\"".to_owned()),
                            ("total".to_owned(), "12.5".to_owned()),
                        ]),
                    )
                    .await;
                if placement == Placement::Body {
                    let e = order.expect_err("a JSON body cannot carry the oauth parameters");
                    assert!(
                        e.report().message.contains("form")
                            || e.report().fields.iter().any(|f| f.message.contains("form")),
                        "{what}: {e:?}"
                    );
                } else {
                    let call = order.unwrap().call;
                    let created = ok(&call, &what);
                    assert_eq!(created["customer"], "Bob \"the builder\"", "{what}");
                    assert_eq!(created["body_hash_verified"], body_hash, "{what}");
                }

                // A connector variable in a header; the wrong tenant is refused in the
                // provider's own words.
                let tenant = ok(&send(&app, &instance, "tenant", &[]).await, &what);
                assert_eq!(tenant["tenant"], "wonderland", "{what}");
                let wrong = send(&app, &instance, "tenant", &[("tenant", "workshop")]).await;
                assert_eq!(wrong.response.as_ref().unwrap().status, 403, "{what}");
                let e = wrong.error.as_ref().unwrap();
                assert!(
                    e.provider_says
                        .as_deref()
                        .is_some_and(|s| s.contains("TENANT_MISMATCH")),
                    "{what}: {e:?}"
                );
                sent += 8;
            }
        }
    }
    assert_eq!(sent, 3 * 3 * 2 * 8);
    p.shutdown().await;
}

/// A call whose signature the provider refuses is read with the decoder, pointing at the
/// variable behind the parameter that differs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_call_is_read_in_plain_words() {
    let p = signet_provider::start(ProviderConfig::demo())
        .await
        .unwrap();
    let (_dir, app) = app();
    let instance = connected(
        &app,
        &p,
        SignatureMethod::HmacSha1,
        Placement::Header,
        false,
    )
    .await;
    p.set_faults(signet_provider::Faults {
        reject_signatures: true,
        ..Default::default()
    });
    let call = send(&app, &instance, "orders", &[("limit", "5")]).await;
    assert_eq!(call.response.as_ref().unwrap().status, 401);
    let d = call.diagnosis.expect("a diagnosis");
    assert!(!d.diagnoses.is_empty());
    assert!(call.trace.is_some(), "the signing trace is kept");
    let runs = app.runs_list(&RunsListArgs::default()).unwrap().runs;
    assert!(
        runs.iter()
            .any(|r| r.kind == RunKind::Call && r.status == Some(401))
    );
    p.shutdown().await;
}
