//! The store's behaviour across opens: records, secrets at rest, keys, locks, damage, versions.

mod common;

use std::sync::Arc;

use common::{RSA_PEM, contains, create, open, snapshot, spec, spec_with, token};
use serde_json::json;
use signet_oauth1::{Secret, SignatureMethod};
use signet_store::{
    ClientSecret, ClientSecretKind, Error, KeyLocation, KeyStatus, KeyringChoice, MemoryKeyStore,
    NewInstance, NewRun, OpenOptions, RunKind, RunOutcome, SCHEMA_VERSION, Store, Timestamp,
};

const CONSUMER_SECRET: &str = "kd94hf93k423kf44-consumer-secret";
const TOKEN_SECRET: &str = "pfkkdhi9sl3r4s00-token-secret";

#[test]
fn connectors_round_trip_names_are_unique_and_removal_takes_everything() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let (b, b_i) = create(&store, spec("Beta"));
    let (a, a_i) = create(&store, spec("alpha"));
    let e = store
        .create_connector(spec(" BETA "), NewInstance::default())
        .unwrap_err();
    assert_eq!(e.kind(), "duplicate_name");
    assert_eq!(
        e.to_string(),
        "a connector named \"BETA\" already exists; choose another name"
    );
    let names: Vec<_> = store
        .list_connectors()
        .unwrap()
        .into_iter()
        .map(|c| c.name().to_owned())
        .collect();
    assert_eq!(names, ["alpha", "Beta"]);
    assert_eq!(
        store.instances_of(a.id).unwrap(),
        std::slice::from_ref(&a_i)
    );

    // Renaming frees the old name and takes the new one.
    let mut renamed = b.definition.clone();
    renamed.details.name = "Gamma".into();
    store.update_connector(b.id, renamed).unwrap();
    assert!(store.connector_by_name("beta").unwrap().is_none());
    assert_eq!(store.connector_by_name("GAMMA").unwrap().unwrap().id, b.id);
    let mut clash = a.definition.clone();
    clash.details.name = "gamma".into();
    assert_eq!(
        store.update_connector(a.id, clash).unwrap_err().kind(),
        "duplicate_name"
    );

    store
        .set_client_credentials(b_i.id, "key", ClientSecret::Shared(CONSUMER_SECRET.into()))
        .unwrap();
    store
        .save_token(b_i.id, &token("tok", TOKEN_SECRET), None)
        .unwrap();
    store
        .record_run(NewRun {
            instance_id: b_i.id,
            kind: RunKind::Flow,
            started_at: Timestamp(1),
            finished_at: None,
            outcome: RunOutcome::InProgress,
            snapshot: json!({}),
            summary: None,
        })
        .unwrap();
    assert!(store.remove_connector(b.id).unwrap());
    assert!(!store.remove_connector(b.id).unwrap());
    assert!(store.credentials(b_i.id).unwrap().is_none());
    assert!(store.runs(b_i.id, 10).unwrap().is_empty());
    assert!(store.instance(b_i.id).unwrap().is_none());
    assert!(store.connector_by_name("gamma").unwrap().is_none());
    // The name is free again.
    create(&store, spec("Gamma"));
    drop(store);
    let store = open(dir.path());
    assert_eq!(store.connector_count(), 2);
    assert_eq!(store.verify().unwrap().len(), 0);
}

#[test]
fn invalid_connectors_are_refused_with_every_problem() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let mut s = spec("");
    let Some(signet_connector::AuthKind::OAuth1(o)) =
        s.auth_methods.first_mut().map(|m| &mut m.kind)
    else {
        unreachable!()
    };
    o.access_token.url = "photos.example.net/token".into();
    let e = store
        .create_connector(s, NewInstance::default())
        .unwrap_err();
    assert_eq!(e.kind(), "invalid");
    assert_eq!(
        e.to_string(),
        "the connector is not valid:\ndetails.name: the connector needs a name\nauth_methods[0].access_token.url: the access-token URL is not usable: it must be an absolute url starting with http:// or https://"
    );
    assert_eq!(store.connector_count(), 0);
}

#[test]
fn credentials_and_tokens_round_trip_with_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let (_c, c_i) = create(&store, spec("Photos"));
    assert!(store.credentials(c_i.id).unwrap().is_none());
    let e = store
        .save_token(c_i.id, &token("t", TOKEN_SECRET), None)
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "no credentials for instance {}; save the consumer key and secret first",
            c_i.id
        )
    );

    store
        .set_client_credentials(
            c_i.id,
            " key ",
            ClientSecret::Shared(CONSUMER_SECRET.into()),
        )
        .unwrap();
    store
        .save_token(c_i.id, &token("tok", TOKEN_SECRET), Some(Timestamp(1_000)))
        .unwrap();
    drop(store);

    let store = open(dir.path());
    let creds = store.credentials(c_i.id).unwrap().unwrap();
    assert_eq!(creds.consumer_key, "key");
    assert_eq!(
        creds.client_secret,
        ClientSecret::Shared(CONSUMER_SECRET.into())
    );
    let t = creds.token.clone().unwrap();
    assert_eq!(t.token, "tok");
    assert_eq!(t.token_secret.expose(), TOKEN_SECRET);
    assert_eq!(t.extra, vec![("user_id".to_owned(), "42".to_owned())]);
    assert_eq!(t.obtained_at, Timestamp(1_000));
    // Debug output of what the API hands out never shows a secret.
    let dbg = format!("{creds:?}");
    assert!(
        !dbg.contains(CONSUMER_SECRET) && !dbg.contains(TOKEN_SECRET),
        "{dbg}"
    );

    // Same consumer key: the token stays. New consumer key: the old token goes.
    store
        .set_client_credentials(c_i.id, "key", ClientSecret::Shared("other".into()))
        .unwrap();
    assert!(store.credentials(c_i.id).unwrap().unwrap().token.is_some());
    store
        .set_client_credentials(c_i.id, "key2", ClientSecret::Shared("other".into()))
        .unwrap();
    assert!(store.credentials(c_i.id).unwrap().unwrap().token.is_none());

    // An RSA connector wants a PEM key.
    let rsa = spec_with("Jira", SignatureMethod::RsaSha1);
    let (_j, j_i) = create(&store, rsa);
    let e = store
        .set_client_credentials(j_i.id, "k", ClientSecret::Shared("s".into()))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "the credentials is not valid:\nclient_secret: RSA-SHA1 signs with an RSA private key, not a consumer secret"
    );
    let e = store
        .set_client_credentials(j_i.id, "k", ClientSecret::RsaPrivateKey("not a key".into()))
        .unwrap_err();
    assert!(
        e.to_string()
            .ends_with("client_secret: is not a PEM RSA private key (PKCS#1 or PKCS#8)"),
        "{e}"
    );
    store
        .set_client_credentials(j_i.id, "k", ClientSecret::RsaPrivateKey(RSA_PEM.into()))
        .unwrap();
    let s = store.credentials_summary(j_i.id).unwrap().unwrap();
    assert_eq!(s.client_secret_kind, ClientSecretKind::RsaPrivateKey);
    assert!(s.secrets_readable);
}

#[test]
fn no_plaintext_secret_reaches_any_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let mut secrets = Vec::new();
    for i in 0..20 {
        let (_c, c_i) = create(&store, spec(&format!("C{i}")));
        let consumer = format!("consumer-secret-{i:02}-Zq81xLw");
        let token_secret = format!("token-secret-{i:02}-Pm42vRt");
        store
            .set_client_credentials(c_i.id, "ck", ClientSecret::Shared(consumer.clone().into()))
            .unwrap();
        store
            .save_token(c_i.id, &token("tok", &token_secret), None)
            .unwrap();
        // A careless snapshot: the store redacts it anyway.
        store
            .record_run(NewRun {
                instance_id: c_i.id,
                kind: RunKind::Flow,
                started_at: Timestamp::now(),
                finished_at: Some(Timestamp::now()),
                outcome: RunOutcome::Completed,
                snapshot: json!({"response": {"oauth_token_secret": token_secret, "consumer_secret": consumer}}),
                summary: None,
            })
            .unwrap();
        secrets.push(consumer);
        secrets.push(token_secret);
    }
    let rsa = spec_with("Jira", SignatureMethod::RsaSha256);
    let (_j, j_i) = create(&store, rsa);
    store
        .set_client_credentials(j_i.id, "ck", ClientSecret::RsaPrivateKey(RSA_PEM.into()))
        .unwrap();
    // The PEM's base64 body, line by line (a line is 64 characters of key material).
    let pem_lines: Vec<&str> = RSA_PEM
        .lines()
        .filter(|l| !l.starts_with("-----") && l.len() > 20)
        .collect();
    store.flush().unwrap();
    drop(store);

    let files = snapshot(dir.path());
    assert!(files.len() >= 3, "{files:?}");
    for (path, bytes) in &files {
        for s in &secrets {
            assert!(!contains(bytes, s.as_bytes()), "{s} found in {path:?}");
        }
        for l in &pem_lines {
            assert!(
                !contains(bytes, l.as_bytes()),
                "a PEM line found in {path:?}"
            );
        }
    }
    // And the secrets are still there for whoever holds the key.
    let store = open(dir.path());
    let j = store.connector_by_name("Jira").unwrap().unwrap();
    let j_i = store.instances_of(j.id).unwrap().remove(0);
    assert_eq!(
        store
            .credentials(j_i.id)
            .unwrap()
            .unwrap()
            .client_secret
            .secret()
            .expose(),
        RSA_PEM
    );
}

#[cfg(unix)]
#[test]
fn without_a_keyring_the_key_goes_to_a_private_key_file_and_says_so() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let key_file = dir.path().join("data-key");
    assert_eq!(
        store.key_status(),
        &KeyStatus::Ready {
            location: KeyLocation::KeyFile {
                path: key_file.clone()
            },
            created: true
        }
    );
    let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let words = store.key_status().describe();
    assert!(
        words.starts_with("Your secrets are encrypted with a key kept in the file "),
        "{words}"
    );
    assert!(words.contains(&key_file.display().to_string()), "{words}");
    drop(store);
    let store = open(dir.path());
    assert!(matches!(
        store.key_status(),
        KeyStatus::Ready { created: false, .. }
    ));
}

#[test]
fn forced_file_choice_ignores_an_available_keyring() {
    let dir = tempfile::tempdir().unwrap();
    let ring = MemoryKeyStore::new();
    let store = Store::open(
        &OpenOptions::new(dir.path())
            .keyring(KeyringChoice::File)
            .system_keyring(Arc::new(ring.clone())),
    )
    .unwrap();
    assert!(matches!(
        store.key_status().location(),
        KeyLocation::KeyFile { .. }
    ));
    assert!(!ring.has_key());
}

#[test]
fn keyring_is_preferred_and_losing_it_leaves_all_but_secrets_usable() {
    let dir = tempfile::tempdir().unwrap();
    let ring = MemoryKeyStore::new();
    let opts = OpenOptions::new(dir.path()).system_keyring(Arc::new(ring.clone()));
    let store = Store::open(&opts).unwrap();
    assert!(matches!(
        store.key_status(),
        KeyStatus::Ready {
            location: KeyLocation::SystemKeyring { .. },
            created: true
        }
    ));
    assert!(ring.has_key());
    assert!(!dir.path().join("data-key").exists());
    assert!(
        store
            .key_status()
            .describe()
            .starts_with("Your secrets are encrypted with a key kept in your system keyring")
    );
    let (_c, c_i) = create(&store, spec("Photos"));
    store
        .set_client_credentials(c_i.id, "ck", ClientSecret::Shared(CONSUMER_SECRET.into()))
        .unwrap();
    store
        .save_token(c_i.id, &token("tok", TOKEN_SECRET), None)
        .unwrap();
    drop(store);

    // The keyring goes away (no Secret Service this session).
    ring.set_unavailable(true);
    let store = Store::open(&opts).unwrap();
    assert!(!store.key_status().is_ready());
    // No key file was made behind the user's back.
    assert!(!dir.path().join("data-key").exists());
    let e = store.credentials(c_i.id).unwrap_err();
    assert_eq!(e.kind(), "secrets_unreadable");
    assert!(
        e.to_string().starts_with(
            "stored secrets cannot be read: the system keyring (service \"memory\") cannot be read: not available"
        ),
        "{e}"
    );
    // Everything else works.
    assert_eq!(store.list_connectors().unwrap().len(), 1);
    let summary = store.credentials_summary(c_i.id).unwrap().unwrap();
    assert_eq!(summary.consumer_key, "ck");
    assert_eq!(summary.token.unwrap().token, "tok");
    assert!(!summary.secrets_readable);
    create(&store, spec("Another"));
    store.set_setting("theme", &json!("dark")).unwrap();
    // New secrets cannot be saved without the key, and say so.
    assert_eq!(
        store
            .save_token(c_i.id, &token("t2", "x"), None)
            .unwrap_err()
            .kind(),
        "secrets_unreadable"
    );
    drop(store);

    // The keyring comes back: all is well again.
    ring.set_unavailable(false);
    let store = Store::open(&opts).unwrap();
    assert!(store.key_status().is_ready());
    assert_eq!(
        store
            .credentials(c_i.id)
            .unwrap()
            .unwrap()
            .token
            .unwrap()
            .token_secret
            .expose(),
        TOKEN_SECRET
    );
}

#[test]
fn removed_key_file_reports_secrets_unreadable_and_a_reset_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let (_c, c_i) = create(&store, spec("Photos"));
    store
        .set_client_credentials(c_i.id, "ck", ClientSecret::Shared(CONSUMER_SECRET.into()))
        .unwrap();
    drop(store);
    let key_file = dir.path().join("data-key");
    std::fs::remove_file(&key_file).unwrap();

    let mut store = open(dir.path());
    let KeyStatus::Missing { reason, .. } = store.key_status() else {
        panic!("{:?}", store.key_status())
    };
    assert_eq!(
        reason,
        &format!(
            "the data key is missing from the key file {}",
            key_file.display()
        )
    );
    assert!(store.key_status().describe().starts_with(
        "Your saved secrets cannot be read: the data key is missing from the key file"
    ));
    assert_eq!(
        store.credentials(c_i.id).unwrap_err().to_string(),
        format!(
            "stored secrets cannot be read: the data key is missing from the key file {}",
            key_file.display()
        )
    );
    assert_eq!(store.list_connectors().unwrap().len(), 1);
    assert!(
        !key_file.exists(),
        "opening must not silently make a new key"
    );

    // The user chooses to start over with a new key: old secrets stay stored but unreadable.
    store.reset_data_key().unwrap();
    assert!(key_file.exists());
    assert_eq!(
        store.credentials(c_i.id).unwrap_err().to_string(),
        "stored secrets cannot be read: this secret was saved under a data key that is no longer available"
    );
    store
        .set_client_credentials(c_i.id, "ck", ClientSecret::Shared("new".into()))
        .unwrap();
    assert_eq!(
        store
            .credentials(c_i.id)
            .unwrap()
            .unwrap()
            .client_secret
            .secret()
            .expose(),
        "new"
    );
}

#[test]
fn a_different_key_file_is_not_mistaken_for_the_right_one() {
    let dir = tempfile::tempdir().unwrap();
    drop(open(dir.path()));
    let other = tempfile::tempdir().unwrap();
    drop(open(other.path()));
    std::fs::copy(other.path().join("data-key"), dir.path().join("data-key")).unwrap();
    let store = open(dir.path());
    let KeyStatus::Missing { reason, .. } = store.key_status() else {
        panic!("{:?}", store.key_status())
    };
    assert!(
        reason.ends_with("holds a different key than this database's"),
        "{reason}"
    );
}

#[test]
fn a_second_instance_is_told_the_database_is_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let first = open(dir.path());
    let e = Store::open(&OpenOptions::new(dir.path()).without_system_keyring()).unwrap_err();
    assert_eq!(e.kind(), "database_locked");
    assert_eq!(
        e.to_string(),
        format!(
            "the database at {} is in use by another running Signet (the app or the command line); close it or use --data-dir to open another database",
            dir.path().join("db").display()
        )
    );
    // The first one is unharmed.
    create(&first, spec("Still works"));
}

#[test]
fn a_database_this_process_closed_reopens_while_its_lock_lingers() {
    // sled 0.34's background threads can hold the database file, and so its lock, for a
    // moment after the last handle goes. Reopening in the same process waits that out instead
    // of calling the database "in use".
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    create(&store, spec("Photos"));
    drop(store);
    // Stand in for sled's lingering thread: hold the lock for 300 ms.
    let lock = std::fs::File::open(dir.path().join("db").join("db")).unwrap();
    lock.lock().unwrap();
    let release = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(300));
        drop(lock);
    });
    let started = std::time::Instant::now();
    let store = open(dir.path());
    assert!(started.elapsed() >= std::time::Duration::from_millis(250));
    assert_eq!(store.list_connectors().unwrap().len(), 1);
    release.join().unwrap();
    drop(store);

    // A lock that is still held when the grace ends is reported as before.
    let lock = std::fs::File::open(dir.path().join("db").join("db")).unwrap();
    lock.lock().unwrap();
    let e = Store::open(&OpenOptions::new(dir.path()).without_system_keyring()).unwrap_err();
    assert_eq!(e.kind(), "database_locked");
}

#[test]
fn a_damaged_database_is_reported_and_moved_aside_never_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    create(&store, spec("Photos"));
    drop(store);
    let db = dir.path().join("db");
    // Scribble over every file sled wrote (sled's own, not Signet's schema marker).
    for f in common::files(&db) {
        if f.ends_with("signet-schema") {
            continue;
        }
        let len = std::fs::metadata(&f).unwrap().len() as usize;
        std::fs::write(&f, vec![0xA5u8; len.max(64)]).unwrap();
    }
    let before = snapshot(&db);
    let e = Store::open(&OpenOptions::new(dir.path()).without_system_keyring()).unwrap_err();
    assert_eq!(e.kind(), "database_corrupt", "{e}");
    assert!(
        e.to_string().ends_with(
            "it can be moved aside (kept, not deleted) so Signet starts with a fresh one"
        ),
        "{e}"
    );
    assert_eq!(
        e.report().hint.as_deref(),
        Some("choose \"move aside and start fresh\": the damaged files are renamed, never deleted")
    );

    let aside = Store::move_aside(dir.path()).unwrap();
    let name = aside.file_name().unwrap().to_str().unwrap();
    assert!(name.starts_with("db.damaged-"), "{name}");
    // Byte for byte what was there.
    let moved: Vec<_> = snapshot(&aside)
        .into_iter()
        .map(|(p, c)| (db.join(p.strip_prefix(&aside).unwrap()), c))
        .collect();
    assert_eq!(moved, before);

    let store = open(dir.path());
    assert_eq!(store.connector_count(), 0);
    create(&store, spec("Fresh"));
}

#[test]
fn a_newer_database_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    create(&store, spec("Photos"));
    drop(store);
    {
        let db = sled::open(dir.path().join("db")).unwrap();
        db.open_tree("meta")
            .unwrap()
            .insert("schema_version", &99u32.to_be_bytes())
            .unwrap();
        db.flush().unwrap();
    }
    // What a newer Signet writes beside sled's files, so that older ones can refuse untouched.
    std::fs::write(dir.path().join("db").join("signet-schema"), "99\n").unwrap();
    let before = snapshot(dir.path());
    let e = Store::open(&OpenOptions::new(dir.path()).without_system_keyring()).unwrap_err();
    assert_eq!(e.kind(), "newer_schema");
    assert_eq!(
        e.to_string(),
        format!(
            "the database at {} was written by a newer version of Signet (schema version 99; this version understands up to {SCHEMA_VERSION}); update Signet, or use --data-dir to open another database. Nothing was changed",
            dir.path().join("db").display()
        )
    );
    assert!(snapshot(dir.path()) == before, "refusing must not write");
}

#[test]
fn an_older_database_is_upgraded() {
    let dir = tempfile::tempdir().unwrap();
    {
        // Schema 1: connector records of version 1, without include_version and extra lists.
        let db = sled::open(dir.path().join("db")).unwrap();
        db.open_tree("meta")
            .unwrap()
            .insert("schema_version", &1u32.to_be_bytes())
            .unwrap();
        let record = json!({
            "id": 7, "name": "Legacy", "preset": null,
            "request_token_url": "https://legacy.example/rt",
            "authorize_url": "https://legacy.example/auth",
            "access_token_url": "https://legacy.example/at",
            "resource_url": null, "signature_method": "HMAC-SHA1", "placement": "header",
            "realm": null, "callback_mode": "oob", "callback_url": null,
            "created_at": 5, "updated_at": 6
        });
        let mut bytes = vec![1u8];
        bytes.extend(serde_json::to_vec(&record).unwrap());
        db.open_tree("connectors")
            .unwrap()
            .insert(7u64.to_be_bytes(), bytes)
            .unwrap();
        db.open_tree("connector_names")
            .unwrap()
            .insert("legacy", &7u64.to_be_bytes())
            .unwrap();
        db.flush().unwrap();
    }
    let store = open(dir.path());
    assert_eq!(store.schema_version().unwrap(), SCHEMA_VERSION);
    let c = store.connector_by_name("legacy").unwrap().unwrap();
    let (_, _, o) = c.definition.oauth1().unwrap();
    assert!(o.include_version);
    assert_eq!(o.request_token.url, "https://legacy.example/rt");
    assert_eq!(c.created_at, Timestamp(5));
    // Its instance has its id (so credentials and runs keyed by it stay).
    let instances = store.instances_of(c.id).unwrap();
    assert_eq!(instances.len(), 1);
    assert_eq!(instances[0].id.0, 7);
    drop(store);
    let db = sled::open(dir.path().join("db")).unwrap();
    let raw = db
        .open_tree("connectors")
        .unwrap()
        .get(7u64.to_be_bytes())
        .unwrap()
        .unwrap();
    assert_eq!(raw[0], 3, "the record was rewritten in the current version");
}

#[test]
fn runs_list_newest_first_and_are_redacted() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let (_c, c_i) = create(&store, spec("Photos"));
    let (_other, other_i) = create(&store, spec("Other"));
    let mut ids = Vec::new();
    for i in 0..5 {
        let r = store
            .record_run(NewRun {
                instance_id: c_i.id,
                kind: RunKind::Flow,
                started_at: Timestamp(i),
                finished_at: None,
                outcome: RunOutcome::InProgress,
                snapshot: json!({"step": i, "token_secret": "leak"}),
                summary: None,
            })
            .unwrap();
        assert_eq!(r.snapshot, json!({"step": i, "token_secret": "<redacted>"}));
        ids.push(r.id);
    }
    store
        .record_run(NewRun {
            instance_id: other_i.id,
            kind: RunKind::Flow,
            started_at: Timestamp(0),
            finished_at: None,
            outcome: RunOutcome::Cancelled,
            snapshot: json!(null),
            summary: None,
        })
        .unwrap();
    let runs = store.runs(c_i.id, 3).unwrap();
    let got: Vec<_> = runs.iter().map(|r| r.id).collect();
    assert_eq!(got, [ids[4], ids[3], ids[2]]);

    let mut last = runs[0].clone();
    last.outcome = RunOutcome::Failed {
        step: Some(8),
        message: "signature_invalid".into(),
    };
    last.finished_at = Some(Timestamp(99));
    last.snapshot = json!({"consumer_secret": "x"});
    store.update_run(&last).unwrap();
    drop(store);
    let store = open(dir.path());
    let r = store.run(c_i.id, ids[4]).unwrap().unwrap();
    assert_eq!(r.outcome, last.outcome);
    assert_eq!(r.snapshot, json!({"consumer_secret": "<redacted>"}));
    assert_eq!(store.run_count(), 6);
    let e = store
        .record_run(NewRun {
            instance_id: signet_store::InstanceId(123_456),
            kind: RunKind::Flow,
            started_at: Timestamp(0),
            finished_at: None,
            outcome: RunOutcome::Completed,
            snapshot: json!({}),
            summary: None,
        })
        .unwrap_err();
    assert_eq!(e.to_string(), "no instance with id 123456");
}

#[test]
fn settings_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    assert_eq!(store.setting("theme").unwrap(), None);
    store.set_setting("theme", &json!("dark")).unwrap();
    store.set_setting("window", &json!({"w": 800})).unwrap();
    drop(store);
    let store = open(dir.path());
    assert_eq!(store.setting("theme").unwrap(), Some(json!("dark")));
    assert_eq!(store.settings().unwrap().len(), 2);
    assert!(store.remove_setting("theme").unwrap());
    assert_eq!(store.setting("theme").unwrap(), None);
}

#[test]
fn data_dir_flag_beats_environment() {
    let flag = std::path::Path::new("/tmp/flag");
    assert_eq!(
        signet_store::resolve_data_dir(Some(flag)).unwrap(),
        flag.to_owned()
    );
}

#[test]
fn secrets_in_errors_and_reports_stay_hidden() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let (_c, c_i) = create(&store, spec("Photos"));
    store
        .set_client_credentials(
            c_i.id,
            "ck",
            ClientSecret::Shared(Secret::new(CONSUMER_SECRET)),
        )
        .unwrap();
    let summary = serde_json::to_string(&store.credentials_summary(c_i.id).unwrap()).unwrap();
    assert!(!summary.contains(CONSUMER_SECRET), "{summary}");
    let dbg = format!("{store:?}");
    assert!(!dbg.contains(CONSUMER_SECRET));
}

#[test]
fn error_reports_carry_kind_message_and_hint() {
    let e = Error::SecretsUnreadable("the data key is missing".into());
    let r = e.report();
    assert_eq!(r.kind, "secrets_unreadable");
    assert_eq!(
        r.message,
        "stored secrets cannot be read: the data key is missing"
    );
    assert!(
        r.hint
            .unwrap()
            .starts_with("connectors and history still work")
    );
}

#[test]
fn a_fresh_database_reuses_the_key_left_in_its_directory() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let (_c, c_i) = create(&store, spec("Photos"));
    store
        .set_client_credentials(c_i.id, "ck", ClientSecret::Shared(CONSUMER_SECRET.into()))
        .unwrap();
    drop(store);
    let key_before = std::fs::read(dir.path().join("data-key")).unwrap();
    let aside = Store::move_aside(dir.path()).unwrap();
    // A keyring has appeared since; the existing key file is still preferred over a new key.
    let ring = MemoryKeyStore::new();
    let store =
        Store::open(&OpenOptions::new(dir.path()).system_keyring(Arc::new(ring.clone()))).unwrap();
    assert!(matches!(
        store.key_status(),
        KeyStatus::Ready {
            location: KeyLocation::KeyFile { .. },
            created: false
        }
    ));
    assert!(!ring.has_key());
    assert_eq!(
        std::fs::read(dir.path().join("data-key")).unwrap(),
        key_before
    );
    assert!(aside.join("signet-schema").exists());
}

#[test]
fn an_instance_keeps_its_newest_runs_only() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let (_c, a) = create(&store, spec("Busy"));
    let (_o, b) = create(&store, spec("Quiet"));
    let quiet = store
        .record_run(NewRun {
            instance_id: b.id,
            kind: RunKind::Call,
            started_at: Timestamp(0),
            finished_at: None,
            outcome: RunOutcome::Completed,
            snapshot: json!({"n": "quiet"}),
            summary: None,
        })
        .unwrap();
    let mut ids = Vec::new();
    for i in 0..signet_store::MAX_RUNS_PER_INSTANCE + 25 {
        let r = store
            .record_run(NewRun {
                instance_id: a.id,
                kind: RunKind::Call,
                started_at: Timestamp(i as i64),
                finished_at: None,
                outcome: RunOutcome::Completed,
                snapshot: json!({"n": i}),
                summary: None,
            })
            .unwrap();
        ids.push(r.id);
    }
    let kept = store.runs(a.id, usize::MAX).unwrap();
    assert_eq!(kept.len(), signet_store::MAX_RUNS_PER_INSTANCE);
    assert_eq!(kept[0].id, *ids.last().unwrap(), "the newest is kept");
    assert_eq!(
        kept.last().unwrap().id,
        ids[25],
        "the 25 oldest are forgotten"
    );
    assert!(store.run(a.id, ids[0]).unwrap().is_none());
    // Another instance's runs are not touched.
    assert!(store.run(b.id, quiet.id).unwrap().is_some());
    assert_eq!(store.run_count(), signet_store::MAX_RUNS_PER_INSTANCE + 1);

    // The user keeps fewer: the oldest beyond go at once, and every new run keeps to it.
    assert_eq!(store.history_limit().unwrap(), 200);
    assert_eq!(store.set_history_limit(10).unwrap(), 190);
    assert_eq!(store.history_limit().unwrap(), 10);
    let kept = store.runs(a.id, usize::MAX).unwrap();
    assert_eq!(kept.len(), 10);
    assert_eq!(kept[0].id, *ids.last().unwrap());
    assert!(store.run(b.id, quiet.id).unwrap().is_some());
    for bad in [0, 10_001] {
        let e = store.set_history_limit(bad).unwrap_err();
        assert!(e.to_string().contains("between 1 and 10000"), "{e}");
    }
    drop(store);
    let store = open(dir.path());
    assert_eq!(store.history_limit().unwrap(), 10, "the setting is kept");

    // Forgetting one run: its record, its head and its place in the count, once.
    let newest = kept[0].id;
    assert!(store.forget_run(a.id, newest).unwrap());
    assert!(!store.forget_run(a.id, newest).unwrap(), "already gone");
    assert!(store.run(a.id, newest).unwrap().is_none());
    assert_eq!(store.runs_of(a.id).unwrap(), 9);
    assert_eq!(store.run_count(), 10);
    assert!(
        store
            .runs_page(&[a.id], None, None, 100)
            .unwrap()
            .runs
            .iter()
            .all(|h| h.id != newest)
    );
    let quiet_gone = store.forget_run(b.id, quiet.id).unwrap();
    assert!(quiet_gone);
    assert_eq!(store.runs_of(b.id).unwrap(), 0);
    assert!(!store.instances_with_runs().unwrap().contains(&b.id));
    assert!(store.run(b.id, quiet.id).unwrap().is_none());

    // Clearing: one instance, then all.
    assert_eq!(store.clear_runs(Some(a.id)).unwrap(), 9);
    assert_eq!(store.runs(a.id, usize::MAX).unwrap().len(), 0);
    assert_eq!(store.clear_runs(None).unwrap(), 0);
    assert_eq!(store.run_count(), 0);
}

/// Issue 19: history is read a page at a time across instances (newest first, by run id),
/// and every instance's count is kept beside its runs — never counted by reading them.
#[test]
fn runs_are_read_a_page_at_a_time_and_counted_without_reading_them() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let made: Vec<_> = ["A", "B", "C"]
        .into_iter()
        .map(|n| create(&store, spec(n)))
        .collect();
    let instances: Vec<_> = made.iter().map(|(_, i)| i.id).collect();
    let mut all = Vec::new();
    for n in 0..30usize {
        // Uneven: A gets every other run, B and C share the rest.
        let instance = if n % 2 == 0 {
            instances[0]
        } else {
            instances[1 + n % 4 / 2]
        };
        let kind = if n % 3 == 0 {
            RunKind::Call
        } else {
            RunKind::Flow
        };
        let r = store
            .record_run(NewRun {
                instance_id: instance,
                kind,
                started_at: Timestamp(n as i64),
                finished_at: None,
                outcome: RunOutcome::Completed,
                snapshot: json!({"n": n}),
                summary: None,
            })
            .unwrap();
        all.push((r.id, kind));
    }
    all.reverse();
    assert_eq!(store.runs_of(instances[0]).unwrap(), 15);
    assert_eq!(
        store.runs_of(instances[1]).unwrap() + store.runs_of(instances[2]).unwrap(),
        15
    );
    assert_eq!(store.run_count(), 30);

    // Pages of 7, each after the last one's id, give every run once, newest first.
    let mut got = Vec::new();
    let mut before = None;
    loop {
        let page = store.runs_page(&instances, before, None, 7).unwrap();
        assert!(page.runs.len() <= 7);
        got.extend(page.runs.iter().map(|r| r.id));
        before = page.runs.last().map(|r| r.id);
        if !page.more {
            break;
        }
    }
    let want: Vec<_> = all.iter().map(|(id, _)| *id).collect();
    assert_eq!(got, want);
    // One kind only, and one instance only.
    let calls = store
        .runs_page(&instances, None, Some(RunKind::Call), 100)
        .unwrap();
    let want_calls: Vec<_> = all
        .iter()
        .filter(|(_, k)| *k == RunKind::Call)
        .map(|(id, _)| *id)
        .collect();
    assert_eq!(
        calls.runs.iter().map(|r| r.id).collect::<Vec<_>>(),
        want_calls
    );
    assert!(!calls.more);
    let a = store.runs_page(&instances[..1], None, None, 100).unwrap();
    assert_eq!(a.runs.len(), 15);
    assert!(a.runs.iter().all(|r| r.instance_id == instances[0]));
    assert!(
        store
            .runs_page(&[], None, None, 10)
            .unwrap()
            .runs
            .is_empty()
    );

    // Rewriting a run does not count it twice, and its head follows (its summary too);
    // removing an instance's connector and clearing take their counts with them.
    let mut first = store.run(instances[0], a.runs[0].id).unwrap().unwrap();
    assert_eq!(signet_store::RunHead::of(&first), a.runs[0]);
    first.outcome = RunOutcome::Cancelled;
    first.summary = Some(json!({"steps_done": 3}));
    store.update_run(&first).unwrap();
    assert_eq!(store.runs_of(instances[0]).unwrap(), 15);
    let head = &store
        .runs_page(&instances[..1], None, None, 1)
        .unwrap()
        .runs[0];
    assert_eq!(head.outcome, RunOutcome::Cancelled);
    assert_eq!(head.summary, Some(json!({"steps_done": 3})));
    let b_runs = store.runs_of(instances[1]).unwrap();
    assert!(store.remove_connector(made[1].0.id).unwrap());
    assert_eq!(store.runs_of(instances[1]).unwrap(), 0);
    assert_eq!(store.run_count(), 30 - b_runs);
    assert_eq!(store.clear_runs(Some(instances[0])).unwrap(), 15);
    assert_eq!(store.run_count(), 15 - b_runs);

    // A database from before the counts and heads were kept gets them on its next open.
    let c_heads = store.runs_page(&instances[2..], None, None, 100).unwrap();
    drop(store);
    {
        let db = sled::open(dir.path().join("db")).unwrap();
        for tree in ["run_counts", "run_heads"] {
            db.drop_tree(tree).unwrap();
        }
        let meta = db.open_tree("meta").unwrap();
        for marker in ["run_counts_built", "run_heads_built"] {
            meta.remove(marker).unwrap();
        }
        db.flush().unwrap();
    }
    let store = open(dir.path());
    assert_eq!(
        store.runs_page(&instances[2..], None, None, 100).unwrap(),
        c_heads,
        "the heads made again read as they were kept"
    );
    assert_eq!(store.run_count(), 15 - b_runs);
    assert_eq!(store.runs_of(instances[2]).unwrap(), 15 - b_runs);
    assert_eq!(store.runs_of(instances[0]).unwrap(), 0);
}

/// Issue 19: the list of connectors reads their heads — kept with every change to a connector
/// (made, changed, imported, removed) and made once for a database from before them.
#[test]
fn connector_heads_follow_their_connectors() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path());
    let names = |store: &Store| -> Vec<(String, String, u32)> {
        store
            .list_connector_heads()
            .unwrap()
            .into_iter()
            .map(|h| (h.name, h.provider_host, h.endpoint_count))
            .collect()
    };
    let (photos, _) = create(&store, spec("Photos"));
    let head = store.connector_head(photos.id).unwrap().unwrap();
    assert_eq!(head, signet_store::ConnectorHead::of(&photos));
    assert_eq!(head.auth_types, ["oauth1"]);
    assert_eq!(head.signature_method, Some(SignatureMethod::HmacSha1));

    let mut changed = photos.definition.clone();
    changed.details.name = "Albums".into();
    changed.endpoints.push(signet_connector::Endpoint::get(
        "me",
        "Me",
        "https://api.albums.example/me",
    ));
    store.update_connector(photos.id, changed).unwrap();
    let file = json!({"format": "signet-connectors", "version": 1, "connectors": [{
        "name": "Imported",
        "request_token_url": "https://imported.example/oauth/request_token",
        "authorize_url": "https://imported.example/oauth/authorize",
        "access_token_url": "https://imported.example/oauth/access_token",
        "signature_method": "HMAC-SHA1",
    }]});
    store
        .import(&file.to_string(), &signet_store::ImportOptions::default())
        .unwrap();
    let (gone, _) = create(&store, spec("Gone"));
    assert!(store.remove_connector(gone.id).unwrap());
    assert!(store.connector_head(gone.id).unwrap().is_none());
    let want = vec![
        ("Albums".to_owned(), "photos.example.net".to_owned(), 1),
        ("Imported".to_owned(), "imported.example".to_owned(), 0),
    ];
    assert_eq!(names(&store), want);
    drop(store);

    // A database from before the heads: made from the connectors on its next open.
    {
        let db = sled::open(dir.path().join("db")).unwrap();
        db.drop_tree("connector_heads").unwrap();
        db.open_tree("meta")
            .unwrap()
            .remove("connector_heads_built")
            .unwrap();
        db.flush().unwrap();
    }
    assert_eq!(names(&open(dir.path())), want);
}

#[cfg(unix)]
#[test]
fn the_data_directory_and_database_files_are_the_users_alone() {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let root = tempfile::tempdir().unwrap();
    // A data directory Signet makes.
    let made = root.path().join("new");
    let store = open(&made);
    create(&store, spec("Photos"));
    drop(store);
    // One an older version left readable by others is tightened when opened.
    let old = root.path().join("old");
    std::fs::create_dir(&old).unwrap();
    std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o755)).unwrap();
    drop(open(&old));
    for dir in [&made, &old] {
        assert_eq!(mode(dir), 0o700, "{}", dir.display());
        let mut files = 0;
        let mut stack = vec![dir.join("db")];
        while let Some(d) = stack.pop() {
            assert_eq!(mode(&d), 0o700, "{}", d.display());
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                if e.file_type().unwrap().is_dir() {
                    stack.push(e.path());
                } else {
                    assert_eq!(mode(&e.path()) & 0o077, 0, "{}", e.path().display());
                    files += 1;
                }
            }
        }
        assert!(files > 0);
    }
}
