//! Export and import of connectors (EXPORT-FORMAT.md): format 2 with the connector model and
//! its instances, and Signet 0.1's format 1, read and converted.

mod common;

use std::collections::BTreeMap;

use common::{create, open, spec, token};
use serde_json::{Value, json};
use signet_connector::{Variable, VariableKind};
use signet_oauth1::Secret;
use signet_store::{
    ClientSecret, Credentials, Error, ExportOptions, ExportSecrets, ImportOptions, InstanceChanges,
    NewInstance, OnConflict,
};

const CONSUMER_SECRET: &str = "kd94hf93k423kf44-export";
const TOKEN_SECRET: &str = "pfkkdhi9sl3r4s00-export";
const API_KEY: &str = "sk_live_export_9f2c";
const PASSPHRASE: &str = "correct horse battery";

/// "Photos" with an account variable, a secret variable, credentials, a token and a second
/// instance; "Printer" bare.
fn seeded() -> (tempfile::TempDir, signet_store::Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let mut photos = spec("Photos");
    photos.variables = vec![
        Variable::text("account", "Account"),
        Variable {
            kind: VariableKind::Secret,
            required: false,
            ..Variable::text("api_key", "API key")
        },
    ];
    let (c, i) = store
        .create_connector(
            photos,
            NewInstance {
                values: BTreeMap::from([("account".into(), "acme".into())]),
                secrets: BTreeMap::from([("api_key".into(), Secret::new(API_KEY))]),
                credentials: Some(Credentials {
                    consumer_key: "dpf43f3p2l4k3l03".into(),
                    client_secret: ClientSecret::Shared(CONSUMER_SECRET.into()),
                    token: None,
                }),
                ..NewInstance::default()
            },
        )
        .unwrap();
    store
        .save_token(i.id, &token("nnch734d00sl2jdk", TOKEN_SECRET), None)
        .unwrap();
    store
        .create_instance(
            c.id,
            NewInstance {
                name: "Sandbox".into(),
                values: BTreeMap::from([("account".into(), "acme-sb".into())]),
                ..NewInstance::default()
            },
        )
        .unwrap();
    create(&store, spec("Printer"));
    (dir, store)
}

#[test]
fn default_export_has_no_secrets_and_round_trips() {
    let (_dir, store) = seeded();
    let text = store.export(&ExportOptions::default()).unwrap();
    for s in [CONSUMER_SECRET, TOKEN_SECRET, API_KEY, "dpf43f3p2l4k3l03"] {
        assert!(!text.contains(s), "{s} is in a default export");
    }
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["format"], "signet-connectors");
    assert_eq!(doc["version"], 2);
    assert!(doc.get("secrets").is_none());
    assert_eq!(
        doc["connectors"][0]["definition"]["details"]["name"],
        "Photos"
    );
    assert_eq!(
        doc["connectors"][0]["instances"],
        json!([
            {"name": "Default", "values": {"account": "acme"}},
            {"name": "Sandbox", "values": {"account": "acme-sb"}}
        ])
    );

    let other = tempfile::tempdir().unwrap();
    let target = open(other.path());
    let report = target.import(&text, &ImportOptions::default()).unwrap();
    assert_eq!(report.added, ["Photos", "Printer"]);
    assert!(!report.secrets_imported);
    let a = store.connector_by_name("Photos").unwrap().unwrap();
    let b = target.connector_by_name("Photos").unwrap().unwrap();
    assert_eq!(a.definition, b.definition);
    let instances = target.instances_of(b.id).unwrap();
    assert_eq!(instances.len(), 2);
    assert_eq!(instances[1].values["account"], "acme-sb");
    assert!(target.credentials(instances[0].id).unwrap().is_none());
}

#[test]
fn secrets_travel_only_encrypted_under_the_passphrase() {
    let (_dir, store) = seeded();
    let text = store
        .export(&ExportOptions {
            secrets: ExportSecrets::EncryptWith(Secret::new(PASSPHRASE)),
            ..Default::default()
        })
        .unwrap();
    for s in [CONSUMER_SECRET, TOKEN_SECRET, API_KEY, "nnch734d00sl2jdk"] {
        assert!(
            !text.contains(s),
            "{s} travels only inside the encrypted block"
        );
    }
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["secrets"]["kdf"]["algorithm"], "argon2id");
    assert_eq!(doc["secrets"]["cipher"], "xchacha20poly1305");

    // Wrong passphrase: refused, nothing imported.
    let other = tempfile::tempdir().unwrap();
    let target = open(other.path());
    let e = target
        .import(
            &text,
            &ImportOptions {
                passphrase: Some(Secret::new("wrong passphrase")),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert!(matches!(e, Error::WrongPassphrase));
    assert_eq!(target.connector_count(), 0);

    // No passphrase: connectors only, and the user is told.
    let report = target.import(&text, &ImportOptions::default()).unwrap();
    assert_eq!(
        report.notes,
        [
            "the file holds encrypted secrets; they were not imported because no passphrase was given"
        ]
    );
    drop(target);

    let again = tempfile::tempdir().unwrap();
    let target = open(again.path());
    let report = target
        .import(
            &text,
            &ImportOptions {
                passphrase: Some(Secret::new(PASSPHRASE)),
                ..Default::default()
            },
        )
        .unwrap();
    assert!(report.secrets_imported);
    let id = target.connector_by_name("Photos").unwrap().unwrap().id;
    let default = target.instances_of(id).unwrap()[0].id;
    let creds = target.credentials(default).unwrap().unwrap();
    assert_eq!(creds.consumer_key, "dpf43f3p2l4k3l03");
    assert_eq!(creds.client_secret.secret().expose(), CONSUMER_SECRET);
    let t = creds.token.unwrap();
    assert_eq!(t.token, "nnch734d00sl2jdk");
    assert_eq!(t.token_secret.expose(), TOKEN_SECRET);
    assert_eq!(
        target.instance_secrets(default).unwrap()["api_key"].expose(),
        API_KEY
    );
}

#[test]
fn a_short_passphrase_is_refused() {
    let (_dir, store) = seeded();
    let e = store
        .export(&ExportOptions {
            secrets: ExportSecrets::EncryptWith(Secret::new("short")),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "exporting secrets needs a passphrase of at least 8 characters"
    );
}

#[test]
fn import_reports_every_problem_with_its_path_and_imports_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    create(&store, spec("Existing"));
    let mut bad = serde_json::to_value(spec("")).unwrap();
    bad["auth_methods"][0]["kind"]["request_token"]["url"] = json!("ftp://x");
    let file = json!({
        "format": "signet-connectors",
        "version": 2,
        "connectors": [
            {"definition": bad},
            {"definition": serde_json::to_value(spec("Twice")).unwrap()},
            {"definition": serde_json::to_value(spec("twice")).unwrap(), "extra": 1},
            {"definition": {"details": 3}},
            {"definition": serde_json::to_value(spec("Existing")).unwrap(),
             "instances": [{"name": "A"}, {"name": "a"}]},
            "not an object"
        ]
    });
    let e = store
        .import(&file.to_string(), &ImportOptions::default())
        .unwrap_err();
    let Error::Import { problems } = &e else {
        panic!("{e}")
    };
    let paths: Vec<&str> = problems.0.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "connectors[0].definition.details.name",
            "connectors[0].definition.auth_methods[0].request_token.url",
            "connectors[2].extra",
            "connectors[3].definition",
            "connectors[4].instances[1].name",
            "connectors[5]",
            "connectors[2].name",
            "connectors[4].definition.details.name",
        ]
    );
    assert_eq!(
        problems.0.last().unwrap().message,
        "a connector named \"Existing\" already exists (choose skip or replace to import anyway)"
    );
    assert_eq!(store.connector_count(), 1, "nothing was imported");
}

#[test]
fn conflicts_can_be_skipped_or_replaced_keeping_ids_and_runs() {
    let (_dir, store) = seeded();
    let text = store.export(&ExportOptions::default()).unwrap();
    let mut doc: Value = serde_json::from_str(&text).unwrap();
    doc["connectors"][0]["definition"]["details"]["description"] = json!("changed");
    doc["connectors"][0]["instances"][1]["values"]["account"] = json!("acme-new");
    let text = doc.to_string();

    let skip = store
        .import(
            &text,
            &ImportOptions {
                on_conflict: OnConflict::Skip,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(skip.skipped, ["Photos", "Printer"]);
    let photos = store.connector_by_name("Photos").unwrap().unwrap();
    assert_eq!(photos.definition.details.description, "");

    let before = store.instances_of(photos.id).unwrap();
    let replace = store
        .import(
            &text,
            &ImportOptions {
                on_conflict: OnConflict::Replace,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(replace.replaced, ["Photos", "Printer"]);
    let after = store.connector_by_name("Photos").unwrap().unwrap();
    assert_eq!(after.id, photos.id);
    assert_eq!(after.definition.details.description, "changed");
    let instances = store.instances_of(after.id).unwrap();
    assert_eq!(
        instances.iter().map(|i| i.id).collect::<Vec<_>>(),
        before.iter().map(|i| i.id).collect::<Vec<_>>(),
        "same-named instances keep their ids"
    );
    assert_eq!(instances[1].values["account"], "acme-new");
    assert_eq!(store.connector_count(), 2);
    // Credentials the file does not bring stay.
    assert!(store.credentials(instances[0].id).unwrap().is_some());
    let _ = InstanceChanges::default();
}

#[test]
fn a_version_1_file_is_read_and_converted() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let file = json!({
        "format": "signet-connectors",
        "version": 1,
        "connectors": [{
            "name": "Legacy",
            "request_token_url": "https://legacy.example/rt",
            "authorize_url": "https://legacy.example/auth",
            "access_token_url": "https://legacy.example/at",
            "resource_url": "https://legacy.example/me",
            "signature_method": "hmac-sha256",
            "placement": "query",
            "callback_mode": "oob",
            "extra_authorize_params": [["scope", "read"]]
        }]
    });
    store
        .import(&file.to_string(), &ImportOptions::default())
        .unwrap();
    let c = store.connector_by_name("legacy").unwrap().unwrap();
    let (_, _, o) = c.definition.oauth1().unwrap();
    assert_eq!(
        o.signature_method,
        signet_oauth1::SignatureMethod::HmacSha256
    );
    assert_eq!(o.placement, signet_oauth1::Placement::Query);
    assert_eq!(o.authorize_params[0].name, "scope");
    assert_eq!(c.definition.endpoints[0].url, "https://legacy.example/me");
    assert_eq!(store.instances_of(c.id).unwrap()[0].name, "Default");
    let bad = json!({
        "format": "signet-connectors", "version": 1,
        "connectors": [{"name": "X", "signature_method": "MD5", "colour": "blue"}]
    });
    let e = store
        .import(&bad.to_string(), &ImportOptions::default())
        .unwrap_err();
    let Error::Import { problems } = &e else {
        panic!()
    };
    let paths: Vec<&str> = problems.0.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "connectors[0].colour",
            "connectors[0].request_token_url",
            "connectors[0].authorize_url",
            "connectors[0].access_token_url",
            "connectors[0].signature_method",
        ]
    );
}

#[test]
fn foreign_and_newer_files_are_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let e = store
        .import("{\"hello\": 1}", &ImportOptions::default())
        .unwrap_err();
    let Error::Import { problems } = &e else {
        panic!()
    };
    assert_eq!(
        problems.to_string(),
        "format: is missing (expected \"signet-connectors\"): this is not a signet connectors file\nversion: must be 1 or 2\nconnectors: is missing"
    );
    let e = store
        .import(
            "{\"format\": \"signet-connectors\", \"version\": 3, \"connectors\": []}",
            &ImportOptions::default(),
        )
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "the file was not imported; 1 problem found:\nversion: version 3 was written by a newer version of signet, which this one cannot read; update signet"
    );
    let e = store
        .import("not json", &ImportOptions::default())
        .unwrap_err();
    assert!(e.to_string().contains("(file): is not JSON"), "{e}");
}
