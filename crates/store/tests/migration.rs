//! A database written by Signet 0.1 (schema 2; `tests/fixtures/v2`, made by its own CLI and
//! desktop save paths with real dances) opens as schema 3 with nothing lost: each connector
//! becomes a connector of the model plus an instance with its id, the desktop app's side records
//! fold in, and every secret, token and run reads back.

use std::path::Path;

use signet_connector::{Body, Builtins};
use signet_oauth1::flow::{FlowMode, Phase, Snapshot};
use signet_oauth1::{CallbackMode, Placement, SignatureMethod};
use signet_store::{
    ClientSecret, KeyringChoice, OpenOptions, RunKind, RunOutcome, SCHEMA_VERSION, Store,
};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

fn open_fixture() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/v2");
    copy_dir(&fixture.join("db"), &dir.path().join("db"));
    let key = dir.path().join("data-key");
    std::fs::copy(fixture.join("data-key"), &key).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let store = Store::open(
        &OpenOptions::new(dir.path())
            .keyring(KeyringChoice::File)
            .without_system_keyring(),
    )
    .expect("the schema-2 database opens");
    (dir, store)
}

#[test]
fn every_record_of_a_schema_2_database_survives_the_upgrade() {
    let (dir, store) = open_fixture();
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    assert!(store.key_status().is_ready(), "{:?}", store.key_status());
    assert_eq!(store.verify().unwrap().len(), 0, "no damaged records");
    let names: Vec<String> = store
        .list_connectors()
        .unwrap()
        .iter()
        .map(|c| c.name().to_owned())
        .collect();
    assert_eq!(names, ["Demo CLI", "Demo RSA (app)", "NetSuite sandbox"]);

    // Each connector has one instance with its own id, holding its credentials and runs.
    for c in store.list_connectors().unwrap() {
        let instances = store.instances_of(c.id).unwrap();
        assert_eq!(instances.len(), 1, "{}", c.name());
        assert_eq!(instances[0].id.0, c.id.0, "{}", c.name());
        assert_eq!(instances[0].name, "Default");
        assert_eq!(
            signet_connector::validate(&c.definition),
            vec![],
            "{}",
            c.name()
        );
    }

    // 1. The CLI's connector: HMAC-SHA1 in the header, a loopback callback, its resource.
    let cli = store.connector_by_name("Demo CLI").unwrap().unwrap();
    let (_, method, o) = cli.definition.oauth1().unwrap();
    assert_eq!(method.id, "oauth1");
    assert_eq!(
        (o.mode, o.signature_method, o.placement),
        (
            FlowMode::ThreeLegged,
            SignatureMethod::HmacSha1,
            Placement::Header
        )
    );
    assert_eq!(o.callback.mode, CallbackMode::Loopback);
    assert_eq!(
        (o.callback.loopback_port, o.callback.loopback_path.as_str()),
        (0, "/callback")
    );
    assert!(o.request_token.url.ends_with("/oauth/request_token"));
    assert_eq!(o.test_endpoint.as_deref(), Some("resource"));
    let e = &cli.definition.endpoints[0];
    assert_eq!(e.method, "GET");
    assert!(e.url.starts_with("http://127.0.0.1:") && e.url.ends_with("/api/me"));
    let cli_instance = store.instances_of(cli.id).unwrap()[0].id;
    let creds = store.credentials(cli_instance).unwrap().unwrap();
    assert_eq!(creds.consumer_key, "signet-demo");
    assert_eq!(
        creds.client_secret,
        ClientSecret::Shared("signet-demo-secret".into())
    );
    let token = creds.token.expect("the token its dance issued");
    assert!(!token.token.is_empty() && !token.token_secret.is_empty());
    let runs = store.runs(cli_instance, 10).unwrap();
    assert_eq!(runs.len(), 2);
    assert!(
        runs.iter()
            .all(|r| r.kind == RunKind::Flow && r.instance_id == cli_instance)
    );
    assert!(matches!(runs[0].outcome, RunOutcome::Failed { .. }));
    assert_eq!(runs[1].outcome, RunOutcome::Completed);
    for r in &runs {
        let snap: Snapshot = serde_json::from_value(r.snapshot.clone()).expect("a flow snapshot");
        assert!(matches!(snap.phase, Phase::Finished | Phase::Failed));
    }
    // It still resolves into a flow that can run.
    let installed = store.installed(cli_instance).unwrap();
    let config = signet_connector::flow_config(&cli.definition, &installed, Builtins::default())
        .expect("the migrated connector runs");
    assert!(config.resource.unwrap().url.ends_with("/api/me"));

    // 2. The desktop app's RSA connector: the side record's access-token method and JSON
    //    resource call, the realm, the authorize parameter.
    let rsa = store.connector_by_name("Demo RSA (app)").unwrap().unwrap();
    assert_eq!(rsa.definition.details.preset.as_deref(), Some("demo"));
    let (_, _, o) = rsa.definition.oauth1().unwrap();
    assert_eq!(o.signature_method, SignatureMethod::RsaSha256);
    assert_eq!(o.placement, Placement::Query);
    assert_eq!(o.realm.as_deref(), Some("Demo"));
    assert_eq!(o.access_token.method, "GET");
    assert_eq!(o.callback.mode, CallbackMode::DeepLink);
    assert_eq!(o.authorize_params[0].name, "scope");
    assert_eq!(o.authorize_params[0].value, "read,write");
    let e = &rsa.definition.endpoints[0];
    assert_eq!(e.method, "POST");
    assert!(e.url.ends_with("/api/echo?page=2"), "{}", e.url);
    assert_eq!(
        e.body,
        Body::Json {
            text: "{\"hello\":\"world\"}".into()
        }
    );
    let rsa_instance = store.instances_of(rsa.id).unwrap()[0].id;
    let creds = store.credentials(rsa_instance).unwrap().unwrap();
    assert_eq!(creds.consumer_key, "signet-demo-rsa");
    assert!(
        matches!(creds.client_secret, ClientSecret::RsaPrivateKey(ref pem) if pem.expose().contains("PRIVATE KEY"))
    );
    assert!(creds.token.is_some());
    assert_eq!(store.runs(rsa_instance, 10).unwrap().len(), 1);

    // 3. The pre-issued-token connector: the mode and the PIN mode's web address from the side
    //    record, the token typed in, a run left in progress.
    let ns = store
        .connector_by_name("NetSuite sandbox")
        .unwrap()
        .unwrap();
    let (_, _, o) = ns.definition.oauth1().unwrap();
    assert_eq!(o.mode, FlowMode::PreIssuedToken);
    assert_eq!(o.signature_method, SignatureMethod::HmacSha256);
    assert_eq!(o.realm.as_deref(), Some("1234567_SB1"));
    assert_eq!(o.callback.mode, CallbackMode::Oob);
    assert_eq!(
        o.callback.oob_url.as_deref(),
        Some("https://example.com/ns/callback")
    );
    assert!(
        ns.definition.endpoints[0]
            .url
            .ends_with("/record/v1/customer/42")
    );
    let ns_instance = store.instances_of(ns.id).unwrap()[0].id;
    let creds = store.credentials(ns_instance).unwrap().unwrap();
    assert_eq!(creds.consumer_key, "ns-consumer-key");
    assert_eq!(
        creds.client_secret,
        ClientSecret::Shared("ns-consumer-secret".into())
    );
    let t = creds.token.unwrap();
    assert_eq!(
        (t.token.as_str(), t.token_secret.expose()),
        ("ns-token-id", "ns-token-secret")
    );
    let runs = store.runs(ns_instance, 10).unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].outcome, RunOutcome::InProgress);
    let installed = store.installed(ns_instance).unwrap();
    let config = signet_connector::flow_config(&ns.definition, &installed, Builtins::default())
        .expect("the pre-issued connector runs");
    assert_eq!(config.flow_mode(), FlowMode::PreIssuedToken);

    // The side records were folded in and removed; other settings stay.
    let settings = store.settings().unwrap();
    assert!(
        settings
            .iter()
            .all(|(n, _)| !n.starts_with("desktop.draft.")),
        "{settings:?}"
    );
    assert_eq!(
        store.setting("desktop.theme").unwrap(),
        Some(serde_json::json!("dark"))
    );

    // And it all reads the same after another open.
    drop(store);
    let again = Store::open(
        &OpenOptions::new(dir.path())
            .keyring(KeyringChoice::File)
            .without_system_keyring(),
    )
    .unwrap();
    assert_eq!(again.connector_count(), 3);
    assert_eq!(again.run_count(), 4);
    assert_eq!(again.verify().unwrap().len(), 0);
}

/// The migration keeps, on each connector, the callback and token rules Signet 0.1 took from
/// the connector's preset at run time: its table must say what the catalog says.
#[test]
fn the_migrations_preset_rules_match_the_catalog() {
    let catalog = signet_presets::Catalog::load().unwrap();
    for p in catalog.presets() {
        let (on_authorize_url, confirmed) = p
            .callback
            .as_ref()
            .map_or((false, true), |c| (c.on_authorize_url, c.sends_confirmed));
        let rules = (on_authorize_url, confirmed, p.demo.consumer_key_as_token);
        let table = signet_store::migrate::PRESET_RULES
            .iter()
            .find(|r| r.0 == p.id)
            .map_or((false, true, false), |r| (r.1, r.2, r.3));
        assert_eq!(table, rules, "{}", p.id);
    }
}
