//! A writer for the crash test (`tests/crash.rs`): it writes records into the store at the data
//! directory given and prints one acknowledgement line per write, after the write is flushed.
//! The test kills it at random moments and checks that every acknowledged write survived.
//!
//! Usage: `signet-store-crash-writer DATA_DIR PREFIX`
//!
//! Lines: `A <name> <connector id> <instance id>` connector created with its instance, credentials
//! and a first token (one transaction); `T <name>` second token saved; `R <name> <run id>` run recorded; `d <name>`
//! about to remove a connector; `D <name>` connector removed with everything it owned.

use std::io::Write;

use signet_connector::{AuthKind, AuthMethod, AuthOptions, Connector, OAuth1};
use signet_oauth1::{Secret, TokenResponse};
use signet_store::{
    ClientSecret, Credentials, KeyringChoice, NewInstance, NewRun, OpenOptions, RunKind,
    RunOutcome, Store, Timestamp, TokenCredentials,
};

fn connector(name: &str) -> Connector {
    let mut c = Connector::named(name);
    c.auth_methods.push(AuthMethod {
        id: "oauth1".into(),
        name: "OAuth 1.0a".into(),
        kind: AuthKind::OAuth1(Box::new(OAuth1::three_legged(
            &format!("https://{name}.example/initiate"),
            &format!("https://{name}.example/authorize"),
            &format!("https://{name}.example/token"),
        ))),
        options: AuthOptions::default(),
    });
    c
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(dir), Some(prefix)) = (args.next(), args.next()) else {
        eprintln!("usage: signet-store-crash-writer DATA_DIR PREFIX");
        std::process::exit(2);
    };
    let store = match Store::open(
        &OpenOptions::new(dir)
            .keyring(KeyringChoice::File)
            .without_system_keyring(),
    ) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("open failed: {e}");
            std::process::exit(1);
        }
    };
    let out = std::io::stdout();
    let ack = |line: String| {
        let mut o = out.lock();
        writeln!(o, "{line}").unwrap();
        o.flush().unwrap();
    };
    let mut created = Vec::new();
    for i in 0.. {
        let name = format!("{prefix}-{i}");
        let creds = Credentials {
            consumer_key: format!("ck-{name}"),
            client_secret: ClientSecret::Shared(Secret::new(format!("cs-{name}"))),
            token: Some(TokenCredentials {
                token: format!("tok1-{name}"),
                token_secret: Secret::new(format!("ts1-{name}")),
                extra: vec![("user_id".into(), name.clone())],
                obtained_at: Timestamp(i),
            }),
        };
        let (c, instance) = store
            .create_connector(
                connector(&name),
                NewInstance {
                    credentials: Some(creds),
                    ..NewInstance::default()
                },
            )
            .unwrap();
        ack(format!("A {name} {} {}", c.id, instance.id));
        let token = TokenResponse {
            token: format!("tok2-{name}"),
            token_secret: Secret::new(format!("ts2-{name}")),
            callback_confirmed: None,
            extra: vec![("user_id".into(), name.clone())],
        };
        store.save_token(instance.id, &token, None).unwrap();
        ack(format!("T {name}"));
        let run = store
            .record_run(NewRun {
                instance_id: instance.id,
                kind: RunKind::Flow,
                started_at: Timestamp(i),
                finished_at: Some(Timestamp(i + 1)),
                outcome: RunOutcome::Completed,
                snapshot: serde_json::json!({ "name": name, "pad": "x".repeat(512) }),
                summary: None,
            })
            .unwrap();
        ack(format!("R {name} {}", run.id));
        created.push((name, c.id));
        if i % 4 == 3 {
            let (old, id) = created.remove(0);
            // Announced first: a kill between here and `D` may or may not have removed it.
            ack(format!("d {old}"));
            assert!(store.remove_connector(id).unwrap());
            ack(format!("D {old}"));
        }
    }
}
