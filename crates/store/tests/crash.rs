//! Crash safety: a writer process is SIGKILLed at random moments, at least 200 times. After each
//! kill the database must open, every acknowledged write must be there and intact, and no
//! multi-record change may be half-applied.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use signet_store::{ClientSecret, ConnectorId, InstanceId, RunId};

const KILLS: usize = 200;

#[derive(Default)]
struct Acked {
    created: BTreeMap<String, (ConnectorId, InstanceId)>,
    token2: BTreeSet<String>,
    runs: BTreeMap<String, RunId>,
    deleted: BTreeSet<String>,
    removing: BTreeSet<String>,
}

#[test]
fn acknowledged_writes_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = fastrand::Rng::with_seed(0x5167_4e37);
    let mut acked = Acked::default();
    let started = Instant::now();
    let mut killed_mid_write = 0;
    let mut pending = Vec::new();
    for round in 0..KILLS {
        let mut child = Command::new(env!("CARGO_BIN_EXE_signet-store-crash-writer"))
            .arg(dir.path())
            .arg(format!("r{round}"))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        // Every third round dies at a random moment from its start (opening, recovery, key
        // creation); the others at a random moment after their first acknowledged write.
        if round % 3 == 0 {
            std::thread::sleep(Duration::from_millis(rng.u64(0..=60)));
        } else {
            let first = rx.recv_timeout(Duration::from_secs(20));
            assert!(
                first.is_ok(),
                "round {round}: the writer wrote nothing in 20 s"
            );
            pending.push(first.unwrap());
            std::thread::sleep(Duration::from_millis(rng.u64(0..=40)));
        }
        child.kill().unwrap(); // SIGKILL
        let status = child.wait().unwrap();
        reader.join().unwrap();
        let lines: Vec<String> = pending.drain(..).chain(rx.try_iter()).collect();
        if status.code().is_some() {
            let mut err = String::new();
            std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
            panic!("round {round}: the writer exited by itself ({status}): {err}");
        }
        if !lines.is_empty() {
            killed_mid_write += 1;
        }
        for line in lines {
            let parts: Vec<&str> = line.split(' ').collect();
            match parts.as_slice() {
                ["A", name, id, instance] => {
                    acked.created.insert(
                        name.to_string(),
                        (id.parse().unwrap(), instance.parse().unwrap()),
                    );
                }
                ["T", name] => {
                    acked.token2.insert(name.to_string());
                }
                ["R", name, id] => {
                    acked.runs.insert(name.to_string(), id.parse().unwrap());
                }
                ["d", name] => {
                    acked.removing.insert(name.to_string());
                }
                ["D", name] => {
                    acked.deleted.insert(name.to_string());
                }
                _ => panic!("round {round}: unexpected line {line:?}"),
            }
        }
        // This round's and the previous round's writes every time; everything every 25 rounds
        // and at the end (checking all of it every round would be quadratic).
        let full = round % 25 == 24 || round + 1 == KILLS;
        check(dir.path(), &acked, round, full);
    }
    assert!(
        killed_mid_write >= KILLS / 2,
        "the writer was mostly killed before writing ({killed_mid_write})"
    );
    assert!(
        acked.deleted.len() > 10,
        "too few removals to test ({})",
        acked.deleted.len()
    );
    eprintln!(
        "{KILLS} kills in {:?}: {} connectors, {} removals acknowledged",
        started.elapsed(),
        acked.created.len(),
        acked.deleted.len()
    );
}

#[track_caller]
fn check(dir: &std::path::Path, acked: &Acked, round: usize, full: bool) {
    let recent = [
        format!("r{round}-"),
        format!("r{}-", round.saturating_sub(1)),
    ];
    let store = match signet_store::Store::open(
        &signet_store::OpenOptions::new(dir)
            .keyring(signet_store::KeyringChoice::File)
            .without_system_keyring(),
    ) {
        Ok(s) => s,
        Err(e) => panic!("round {round}: the database does not open: {e}"),
    };
    assert!(
        store.key_status().is_ready(),
        "round {round}: {:?}",
        store.key_status()
    );
    assert_eq!(
        store.verify().unwrap().len(),
        0,
        "round {round}: damaged records"
    );
    for (name, (id, instance)) in &acked.created {
        if !full && !recent.iter().any(|p| name.starts_with(p.as_str())) {
            continue;
        }
        let c = store.connector(*id).unwrap();
        // A removal announced but not acknowledged may or may not have happened; if it did, it
        // happened whole.
        if acked.deleted.contains(name) || (acked.removing.contains(name) && c.is_none()) {
            assert!(c.is_none(), "round {round}: {name} was removed but is back");
            assert!(
                store.credentials(*instance).unwrap().is_none(),
                "round {round}: {name}'s credentials outlived it"
            );
            assert!(store.connector_by_name(name).unwrap().is_none());
            continue;
        }
        let c = c.unwrap_or_else(|| {
            panic!(
                "round {round}: acknowledged connector {name} ({id}) is missing (by name: {:?}, credentials: {:?}, count {})",
                store.connector_by_name(name).unwrap().map(|c| c.id),
                store.credentials_summary(*instance).unwrap().map(|c| c.consumer_key),
                store.connector_count()
            )
        });
        assert_eq!(c.name(), name);
        let (_, _, o) = c.definition.oauth1().unwrap();
        assert_eq!(
            o.request_token.url,
            format!("https://{name}.example/initiate")
        );
        assert_eq!(
            store.connector_by_name(name).unwrap().map(|c| c.id),
            Some(*id)
        );
        let creds = store
            .credentials(*instance)
            .unwrap()
            .unwrap_or_else(|| panic!("round {round}: {name} has no credentials"));
        assert_eq!(creds.consumer_key, format!("ck-{name}"));
        assert_eq!(
            creds.client_secret,
            ClientSecret::Shared(format!("cs-{name}").into())
        );
        let t = creds.token.unwrap();
        let (tok, ts) = if acked.token2.contains(name) || t.token.starts_with("tok2") {
            (format!("tok2-{name}"), format!("ts2-{name}"))
        } else {
            (format!("tok1-{name}"), format!("ts1-{name}"))
        };
        assert_eq!(t.token, tok, "round {round}");
        assert_eq!(t.token_secret.expose(), ts, "round {round}");
        if let Some(run) = acked.runs.get(name) {
            let r = store
                .run(*instance, *run)
                .unwrap()
                .unwrap_or_else(|| panic!("round {round}: run of {name} missing"));
            assert_eq!(r.snapshot["name"], name.as_str());
        }
    }
    // Nothing half-written: every connector in the database has its name, its instance and its
    // credentials (they are created in one transaction), acknowledged or not.
    for c in store.list_connectors().unwrap() {
        if !full && !recent.iter().any(|p| c.name().starts_with(p.as_str())) {
            continue;
        }
        assert_eq!(
            store.connector_by_name(c.name()).unwrap().map(|x| x.id),
            Some(c.id)
        );
        let instances = store.instances_of(c.id).unwrap();
        assert_eq!(
            instances.len(),
            1,
            "round {round}: {} has no instance",
            c.name()
        );
        let creds = store.credentials(instances[0].id).unwrap();
        assert!(
            creds.is_some(),
            "round {round}: {} exists without credentials",
            c.name()
        );
    }
}
