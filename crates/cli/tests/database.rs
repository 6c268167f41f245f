//! A database Signet cannot open: a truncated file, garbage bytes, another process holding it,
//! a data folder without access. Every command says what happened and the command to run;
//! `signet database move-aside` keeps the old files and starts fresh; nothing is deleted.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use signet_store::{KeyringChoice, OpenOptions, Store};

const SIGNET: &str = env!("CARGO_BIN_EXE_signet");

fn signet(dir: &Path, args: &[&str]) -> Output {
    Command::new(SIGNET)
        .args(args)
        .env("SIGNET_DATA_DIR", dir)
        .env("SIGNET_KEYRING", "file")
        .stdin(Stdio::null())
        .output()
        .expect("signet runs")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A data folder with one saved connector in it.
fn with_a_connector() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let o = signet(
        dir.path(),
        &[
            "connectors",
            "add",
            "shop",
            "--preset",
            "trello",
            "--consumer-key",
            "key",
            "--consumer-secret",
            "secret",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = signet(dir.path(), &["database", "status"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains("opens and is in good order"),
        "{}",
        text(&o)
    );
    dir
}

/// Every file sled keeps (not the schema marker beside them).
fn sled_files(db: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(db)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.file_name().is_some_and(|n| n != "signet-schema"))
        .collect()
}

fn files_under(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            let name = path.strip_prefix(dir).unwrap().display().to_string();
            out.push((name, std::fs::read(&path).unwrap()));
        }
    }
    out.sort();
    out
}

/// A damaged database: each command says so and names `signet database move-aside`, which
/// keeps every byte of the old files and leaves a working, empty database.
/// `same_bytes`: whether the old files must be byte for byte as they were (sled rewrites a
/// torn tail when it opens a cut file: those bytes were gone already).
fn damaged_then_moved_aside(dir: &Path, detail: &str, same_bytes: bool) {
    let db = dir.join("db");
    let before = files_under(&db);
    for args in [
        &["connectors", "list"][..],
        &["database", "status"],
        &["tokens", "list"],
    ] {
        let o = signet(dir, args);
        let out = text(&o);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {out}");
        assert!(
            out.contains(&format!("the database at {} is damaged", db.display())),
            "{args:?}: {out}"
        );
        assert!(out.contains(detail), "{args:?}: {out}");
        assert!(
            out.contains("run `signet database move-aside`"),
            "{args:?}: {out}"
        );
        assert!(!out.contains("panicked"), "{out}");
    }
    let json = signet(dir, &["database", "status", "--json"]);
    let problem: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(problem["kind"], "database_corrupt", "{problem}");
    assert_eq!(problem["can_move_aside"], true, "{problem}");

    let o = signet(dir, &["database", "move-aside"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    let moved: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("db.damaged-"))
        })
        .collect();
    assert_eq!(moved.len(), 1, "{moved:?}");
    assert!(
        out.contains(&format!(
            "Moved the damaged database to {}",
            moved[0].display()
        )),
        "{out}"
    );
    let after = files_under(&moved[0]);
    let names = |files: &[(String, Vec<u8>)]| -> Vec<String> {
        files.iter().map(|(n, _)| n.clone()).collect()
    };
    assert_eq!(
        names(&after),
        names(&before),
        "the old files are not all kept"
    );
    if same_bytes {
        assert!(after == before, "the old files changed");
    }

    let o = signet(dir, &["connectors", "list"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("No connectors yet"), "{}", text(&o));
    let o = signet(dir, &["database", "move-aside"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("opens and is in good order: nothing was moved"),
        "{}",
        text(&o)
    );
}

#[test]
fn garbage_bytes_are_a_damaged_database_that_moves_aside() {
    let dir = with_a_connector();
    for file in sled_files(&dir.path().join("db")) {
        std::fs::write(&file, vec![0xA5u8; 4096]).unwrap();
    }
    damaged_then_moved_aside(dir.path(), "is damaged (", true);
}

#[test]
fn a_truncated_file_is_a_damaged_database_not_an_empty_one() {
    // Cut inside the first records: sled finds a torn record ("corrupt data found"), or opens
    // what is left as a whole, empty database, which Signet's marker beside it (written once
    // the first records were on disk) tells apart from a new one. Either way it is reported,
    // never started afresh. (A cut further in loses only the writes after it: sled recovers
    // to the last whole one.)
    for cut in [512, 1000] {
        let dir = with_a_connector();
        let main = dir.path().join("db").join("db");
        let file = std::fs::OpenOptions::new().write(true).open(&main).unwrap();
        file.set_len(cut).unwrap();
        drop(file);
        damaged_then_moved_aside(dir.path(), "is damaged (", false);
    }
}

#[test]
fn a_database_held_by_another_process_is_refused_with_what_to_close() {
    let dir = with_a_connector();
    let held = Store::open(&OpenOptions::new(dir.path()).keyring(KeyringChoice::File)).unwrap();
    for args in [&["connectors", "list"][..], &["database", "status"]] {
        let o = signet(dir.path(), args);
        let out = text(&o);
        assert_eq!(o.status.code(), Some(1), "{out}");
        assert!(out.contains("is in use by another running Signet"), "{out}");
        assert!(
            out.contains("close the other Signet (its window, or a signet command still running), then run the command again"),
            "{out}"
        );
    }
    let o = signet(dir.path(), &["database", "move-aside"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("is in use by another running Signet"), "{out}");
    assert!(dir.path().join("db").exists(), "a held database was moved");
    drop(held);
    let o = signet(dir.path(), &["connectors", "list"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("shop"), "{}", text(&o));
}

/// Runs signet as a user who cannot read `dir`: as `nobody` when the tests run as root (root
/// reads everything), else as this user after taking the folder's permissions away.
fn signet_without_access(dir: &Path, args: &[&str]) -> Output {
    use std::os::unix::fs::PermissionsExt;
    let root = std::fs::metadata("/proc/self")
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
        .unwrap_or(false);
    if root {
        // Another user's folder, 0700: nobody may not enter it.
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).unwrap();
        Command::new("setpriv")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups", SIGNET])
            .args(args)
            .env("SIGNET_DATA_DIR", dir)
            .env("SIGNET_KEYRING", "file")
            .env("HOME", "/nonexistent")
            .stdin(Stdio::null())
            .output()
            .expect("setpriv runs signet")
    } else {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o000)).unwrap();
        let o = signet(dir, args);
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).unwrap();
        o
    }
}

#[test]
fn a_data_folder_without_access_says_whose_folder_to_fix() {
    let dir = with_a_connector();
    // The binary must be reachable by the other user (target/ under a 0755 tree).
    for args in [&["connectors", "list"][..], &["database", "status"]] {
        let o = signet_without_access(dir.path(), args);
        let out = text(&o);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {out}");
        assert!(
            out.contains("permission denied") || out.contains("Permission denied"),
            "{out}"
        );
        assert!(
            out.contains(&format!(
                "give your user access to {}",
                dir.path().display()
            )),
            "{out}"
        );
        assert!(out.contains("--data-dir /path/to/folder"), "{out}");
        assert!(!out.contains("panicked"), "{out}");
    }
    let o = signet_without_access(dir.path(), &["database", "move-aside"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        dir.path().join("db").exists(),
        "a folder without access was moved"
    );
    // Nothing was lost.
    let o = signet(dir.path(), &["connectors", "list"]);
    assert!(text(&o).contains("shop"), "{}", text(&o));
}
