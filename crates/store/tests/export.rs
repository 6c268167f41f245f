//! Export and import of connectors (EXPORT-FORMAT.md).

mod common;

use common::{open, spec, token};
use serde_json::{Value, json};
use signet_oauth1::Secret;
use signet_store::{ClientSecret, Error, ExportOptions, ExportSecrets, ImportOptions, OnConflict};

const CONSUMER_SECRET: &str = "kd94hf93k423kf44-export";
const TOKEN_SECRET: &str = "pfkkdhi9sl3r4s00-export";
const PASSPHRASE: &str = "correct horse battery";

fn seeded() -> (tempfile::TempDir, signet_store::Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let mut s = spec("Photos");
    s.extra_request_token_params = vec![("scope".into(), "read".into())];
    let c = store.create_connector(s).unwrap();
    store
        .set_client_credentials(
            c.id,
            "dpf43f3p2l4k3l03",
            ClientSecret::Shared(CONSUMER_SECRET.into()),
        )
        .unwrap();
    store
        .save_token(c.id, &token("nnch734d00sl2jdk", TOKEN_SECRET), None)
        .unwrap();
    store.create_connector(spec("Printer")).unwrap();
    (dir, store)
}

#[test]
fn default_export_has_no_secrets_and_round_trips() {
    let (_dir, store) = seeded();
    let text = store.export(&ExportOptions::default()).unwrap();
    assert!(!text.contains(CONSUMER_SECRET) && !text.contains(TOKEN_SECRET));
    assert!(
        !text.contains("dpf43f3p2l4k3l03"),
        "no consumer key without secrets"
    );
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["format"], "signet-connectors");
    assert_eq!(doc["version"], 1);
    assert!(doc.get("secrets").is_none());
    assert_eq!(doc["connectors"][0]["name"], "Photos");
    assert_eq!(doc["connectors"][0]["signature_method"], "HMAC-SHA1");
    assert_eq!(
        doc["connectors"][0]["extra_request_token_params"],
        json!([["scope", "read"]])
    );

    let other = tempfile::tempdir().unwrap();
    let target = open(other.path());
    let report = target.import(&text, &ImportOptions::default()).unwrap();
    assert_eq!(report.added, ["Photos", "Printer"]);
    assert!(!report.secrets_imported);
    let a = store.connector_by_name("Photos").unwrap().unwrap();
    let b = target.connector_by_name("Photos").unwrap().unwrap();
    assert_eq!(a.spec, b.spec);
    assert!(target.credentials(b.id).unwrap().is_none());
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
    assert!(!text.contains(CONSUMER_SECRET) && !text.contains(TOKEN_SECRET));
    assert!(
        !text.contains("nnch734d00sl2jdk"),
        "tokens travel inside the encrypted block"
    );
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["connectors"][0]["consumer_key"], "dpf43f3p2l4k3l03");
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
    assert_eq!(
        e.to_string(),
        "the passphrase does not unlock the secrets in this file"
    );
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
    let creds = target.credentials(id).unwrap().unwrap();
    assert_eq!(creds.consumer_key, "dpf43f3p2l4k3l03");
    assert_eq!(creds.client_secret.secret().expose(), CONSUMER_SECRET);
    let t = creds.token.unwrap();
    assert_eq!(t.token, "nnch734d00sl2jdk");
    assert_eq!(t.token_secret.expose(), TOKEN_SECRET);
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
    store.create_connector(spec("Existing")).unwrap();
    let good = |name: &str| {
        json!({
            "name": name,
            "request_token_url": "https://a.example/rt",
            "authorize_url": "https://a.example/auth",
            "access_token_url": "https://a.example/at",
            "signature_method": "HMAC-SHA1"
        })
    };
    let mut bad_method = good("Three");
    bad_method["signature_method"] = json!("MD5");
    let mut bad_fields = good("Four");
    bad_fields["placement"] = json!("url");
    bad_fields["include_version"] = json!("yes");
    bad_fields["authorize_url"] = json!(42);
    bad_fields["colour"] = json!("blue");
    bad_fields["extra_authorize_params"] = json!([["a", "b"], ["c"]]);
    let file = json!({
        "format": "signet-connectors",
        "version": 1,
        "connectors": [good("One"), good("existing"), bad_method, bad_fields, good("one"), "x"]
    });
    let e = store
        .import(&file.to_string(), &ImportOptions::default())
        .unwrap_err();
    assert_eq!(e.kind(), "import");
    let Error::Import { problems } = &e else {
        panic!()
    };
    let got: Vec<String> = problems.0.iter().map(|p| p.to_string()).collect();
    assert_eq!(
        got,
        [
            "connectors[2].signature_method: unknown signature method \"MD5\": use one of HMAC-SHA1, HMAC-SHA256, HMAC-SHA512, RSA-SHA1, RSA-SHA256, RSA-SHA512, PLAINTEXT",
            "connectors[3].colour: is not a connector field",
            "connectors[3].authorize_url: must be a string, not a number",
            "connectors[3].placement: unknown parameter placement \"url\": use header, query or body",
            "connectors[3].include_version: must be true or false, not a string",
            "connectors[3].extra_authorize_params[1]: must be a [name, value] pair of strings",
            "connectors[5]: must be an object, not a string",
            "connectors[4].name: \"one\" is also the name of connectors[0]; names must be unique",
            "connectors[1].name: a connector named \"existing\" already exists (choose skip or replace to import anyway)",
        ]
    );
    assert!(
        e.to_string()
            .starts_with("the file was not imported; 9 problems found:\n")
    );
    assert_eq!(store.connector_count(), 1, "nothing was imported");
}

#[test]
fn conflicts_can_be_skipped_or_replaced() {
    let (_dir, store) = seeded();
    let text = store.export(&ExportOptions::default()).unwrap();
    let mut doc: Value = serde_json::from_str(&text).unwrap();
    doc["connectors"][0]["realm"] = json!("Photos");
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
    assert_eq!(
        store
            .connector_by_name("Photos")
            .unwrap()
            .unwrap()
            .spec
            .realm,
        None
    );

    let before = store.connector_by_name("Photos").unwrap().unwrap();
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
    assert_eq!(after.id, before.id);
    assert_eq!(after.spec.realm.as_deref(), Some("Photos"));
    assert_eq!(store.connector_count(), 2);
    // The credentials of a replaced connector are kept when the file brings none.
    assert!(store.credentials(after.id).unwrap().is_some());
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
        "format: is missing (expected \"signet-connectors\"): this is not a signet connectors file\nversion: must be 1\nconnectors: is missing"
    );
    let e = store
        .import(
            "{\"format\": \"signet-connectors\", \"version\": 2, \"connectors\": []}",
            &ImportOptions::default(),
        )
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "the file was not imported; 1 problem found:\nversion: version 2 was written by a newer version of signet, which this one cannot read; update signet"
    );
    let e = store
        .import("not json", &ImportOptions::default())
        .unwrap_err();
    assert!(e.to_string().contains("(file): is not JSON"), "{e}");
}
