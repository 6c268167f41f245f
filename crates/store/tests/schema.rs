//! The published JSON Schema of Signet's connectors file (`crates/store/connectors.schema.json`,
//! EXPORT-FORMAT.md): generated from the Rust types — the connector model itself
//! (`signet_connector`, feature `json-schema`) inside the file's envelope below — so it cannot
//! drift from what Signet reads. This test fails when the committed schema differs from the
//! generated one (`SIGNET_WRITE_SCHEMA=1 cargo test -p signet-store --test schema` rewrites it),
//! and validates real exports (every preset, with and without secrets) against it.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use common::{create, open};
use schemars::JsonSchema;
use serde_json::{Value, json};
use signet_oauth1::Secret;
use signet_store::{ExportOptions, ExportSecrets};

/// Always `signet-connectors`.
#[derive(JsonSchema)]
#[allow(dead_code)]
enum Format {
    #[serde(rename = "signet-connectors")]
    SignetConnectors,
}

/// Signet connectors file, version 2: connector definitions with their instances' names and
/// plain values; secrets only when the user asked, encrypted under a passphrase.
#[derive(JsonSchema)]
#[schemars(title = "Signet connectors file")]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct ConnectorsFile {
    /// Always `signet-connectors`.
    format: Format,
    /// The file format's version: 2 (1 is still read).
    #[schemars(range(min = 1, max = 2))]
    version: u32,
    /// When it was written (RFC 3339, UTC); informational.
    exported_at: Option<String>,
    /// The connectors.
    connectors: Vec<Entry>,
    /// The secrets, encrypted; only in an export that includes them.
    secrets: Option<Secrets>,
}

/// One connector: its definition and its instances.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Entry {
    /// The connector model (`signet_connector::Connector`); every text may hold `{{variables}}`.
    definition: signet_connector::Connector,
    /// Its instances; none: one called "Default".
    #[serde(default)]
    instances: Vec<Instance>,
}

/// An instance: its name and the values of its variables that are not secret.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Instance {
    /// Unique in the connector.
    name: String,
    /// Values by variable name.
    #[serde(default)]
    values: BTreeMap<String, String>,
}

/// The secrets block: XChaCha20-Poly1305 under an Argon2id key of the passphrase.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Secrets {
    /// How the key is derived from the passphrase.
    kdf: Kdf,
    /// `xchacha20poly1305`.
    cipher: String,
    /// Base64 of the 24-byte nonce, the ciphertext and the 16-byte tag.
    data: String,
}

/// Argon2id's parameters.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Kdf {
    /// `argon2id`.
    algorithm: String,
    /// Memory in KiB.
    memory_kib: u32,
    /// Passes.
    iterations: u32,
    /// Lanes.
    parallelism: u32,
    /// Base64 of 16 random bytes.
    salt: String,
}

fn schema_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("connectors.schema.json")
}

fn generated() -> Value {
    let mut schema = serde_json::to_value(schemars::schema_for!(ConnectorsFile)).unwrap();
    schema["$id"] = json!("https://signet.invalid/schema/connectors-2.schema.json");
    schema
}

#[test]
fn the_committed_schema_is_the_one_the_types_make() {
    let text = format!("{}\n", serde_json::to_string_pretty(&generated()).unwrap());
    if std::env::var_os("SIGNET_WRITE_SCHEMA").is_some() {
        std::fs::write(schema_path(), &text).unwrap();
    }
    let committed = std::fs::read_to_string(schema_path()).unwrap_or_default();
    assert!(
        committed == text,
        "crates/store/connectors.schema.json differs from the Rust types: run SIGNET_WRITE_SCHEMA=1 cargo test -p signet-store --test schema, and review the change (a connector file changed shape: EXPORT-FORMAT.md too)"
    );
}

fn validator() -> jsonschema::Validator {
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(schema_path()).unwrap()).unwrap();
    jsonschema::draft202012::new(&schema).expect("the schema compiles")
}

#[track_caller]
fn assert_valid(v: &jsonschema::Validator, doc: &Value, what: &str) {
    let errors: Vec<String> = v
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}:\n{}", errors.join("\n"));
}

#[test]
fn every_export_validates_and_what_is_no_connector_file_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let mut photos = common::spec("Photos");
    photos.endpoints = vec![signet_connector::Endpoint::get(
        "photos",
        "Photos",
        "https://photos.example.net/photos?size={{size}}",
    )];
    photos.endpoints[0].variables = vec![signet_connector::Variable::text("size", "Size")];
    create(&store, photos);
    for p in signet_presets::Catalog::load().unwrap().presets() {
        create(&store, p.connector().connector);
    }
    let v = validator();
    for secrets in [
        ExportSecrets::Exclude,
        ExportSecrets::EncryptWith(Secret::new("correct horse battery")),
    ] {
        let text = store
            .export(&ExportOptions {
                only: None,
                secrets,
            })
            .unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap();
        assert!(doc["connectors"].as_array().unwrap().len() > 5);
        assert_valid(&v, &doc, "an export");
    }
    let text = store
        .export(&ExportOptions {
            only: None,
            secrets: ExportSecrets::Exclude,
        })
        .unwrap();
    let mut good: Value = serde_json::from_str(&text).unwrap();
    // Only "Photos" from here on (it has an endpoint to break).
    let photos = good["connectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["definition"]["details"]["name"] == "Photos")
        .cloned()
        .unwrap();
    good["connectors"] = json!([photos]);
    let fresh_dir = tempfile::tempdir().unwrap();
    let fresh = open(fresh_dir.path());
    assert_valid(&v, &good, "Photos alone");
    fresh
        .import(&good.to_string(), &Default::default())
        .expect("the unbroken file imports");
    let fresh_dir = tempfile::tempdir().unwrap();
    let fresh = open(fresh_dir.path());
    let broken = |f: &dyn Fn(&mut Value)| {
        let mut d = good.clone();
        f(&mut d);
        d
    };
    for (what, doc) in [
        (
            "another format",
            broken(&|d| d["format"] = json!("postman")),
        ),
        ("a newer version", broken(&|d| d["version"] = json!(3))),
        (
            "a field no entry has",
            broken(&|d| d["connectors"][0]["extra"] = json!(1)),
        ),
        (
            "an unknown signature method",
            broken(&|d| {
                d["connectors"][0]["definition"]["auth_methods"][0]["kind"]["signature_method"] =
                    json!("HMAC-MD5")
            }),
        ),
        (
            "an unknown body type",
            broken(&|d| {
                d["connectors"][0]["definition"]["endpoints"][0]["body"] = json!({ "type": "yaml" })
            }),
        ),
        (
            "a connector without a name",
            broken(&|d| {
                d["connectors"][0]["definition"]["details"]
                    .as_object_mut()
                    .unwrap()
                    .remove("name");
            }),
        ),
    ] {
        assert!(!v.is_valid(&doc), "{what} passed the schema");
        // And Signet refuses it too, saying where.
        assert!(
            fresh.import(&doc.to_string(), &Default::default()).is_err(),
            "{what} was imported"
        );
    }
}
