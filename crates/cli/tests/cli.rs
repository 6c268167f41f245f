//! The `signet` binary as a QA script or a person runs it: real dances against the demo
//! provider, exit codes, and the vector-format signing interface.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const SIGNET: &str = env!("CARGO_BIN_EXE_signet");

fn signet(args: &[&str]) -> Output {
    Command::new(SIGNET)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("signet runs")
}

/// Writes `input` to a running `signet`'s stdin, closes it, and waits for the output.
fn answer(mut child: std::process::Child, input: &str) -> Output {
    child
        .stdin
        .take()
        .expect("a piped stdin")
        .write_all(input.as_bytes())
        .expect("stdin takes the input");
    child.wait_with_output().expect("signet ends")
}

fn approve() -> String {
    format!("{SIGNET} approve")
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn demo_dance_runs_all_ten_steps_and_reaches_the_resource() {
    let o = signet(&["flow", "--demo", "--browser", &approve()]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    for n in 1..=10 {
        assert!(
            out.contains(&format!("{n:>3}. ")),
            "step {n} missing:\n{out}"
        );
    }
    assert!(
        out.contains(" 10. Resource access            done"),
        "{out}"
    );
    assert!(out.contains("Resource answered 200"), "{out}");
    assert!(out.contains("Token secret   <redacted>"), "{out}");
}

#[test]
fn oob_pin_from_stdin_with_rsa_and_query_placement_and_json_output() {
    let dir = tempfile::tempdir().unwrap();
    let pin_file = dir.path().join("pin");
    let browser = format!("{SIGNET} approve --pin-file {}", pin_file.display());
    let mut child = Command::new(SIGNET)
        .args([
            "flow",
            "--demo",
            "--callback",
            "oob",
            "--signature-method",
            "RSA-SHA256",
            "--placement",
            "query",
            "--json",
            "--show-secrets",
        ])
        .args(["--browser", &browser])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Type the PIN the provider showed, as a person would.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let pin = loop {
        if let Ok(p) = std::fs::read_to_string(&pin_file)
            && !p.trim().is_empty()
        {
            break p;
        }
        assert!(std::time::Instant::now() < deadline, "no PIN appeared");
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    child
        .stdin
        .as_mut()
        .unwrap()
        .write_all(pin.as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["outcome"], "finished");
    assert_eq!(doc["steps"].as_array().unwrap().len(), 10);
    assert!(
        doc["steps"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["status"] == "done"),
        "{doc:#}"
    );
    assert_eq!(
        doc["token"]["secret"].as_str().unwrap().len(),
        40,
        "--show-secrets prints the secret"
    );
    assert_eq!(doc["snapshot"]["config"]["signature_method"], "RSA-SHA256");
}

#[test]
fn the_json_leaves_the_token_secret_out_unless_asked() {
    // `--no-secrets` is what older scripts pass; it is the default now.
    for extra in [None, Some("--no-secrets")] {
        let mut args = vec!["flow", "--demo", "--json"];
        args.extend(extra);
        let browser = approve();
        args.extend(["--browser", &browser]);
        let o = signet(&args);
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
        let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert!(doc["token"]["token"].is_string());
        assert!(doc["token"].get("secret").is_none(), "{doc:#}");
        assert!(!String::from_utf8_lossy(&o.stdout).contains("signet-demo-secret"));
    }
}

#[test]
fn denial_fails_step_6_with_exit_code_3() {
    let o = signet(&[
        "flow",
        "--demo",
        "--browser",
        &format!("{SIGNET} approve --deny"),
    ]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(3), "{out}");
    assert!(
        out.contains("step 6 (User authorisation) failed: the user denied access at the provider"),
        "{out}"
    );
}

#[test]
fn wrong_secret_is_a_provider_rejection_at_step_4() {
    let o = signet(&[
        "flow",
        "--demo",
        "--consumer-secret",
        "not-the-secret",
        "--browser",
        &approve(),
    ]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(3), "{out}");
    assert!(out.contains("step 4"), "{out}");
    assert!(out.contains("signature_invalid"), "{out}");
}

#[test]
fn a_run_is_written_as_a_report_page_or_json() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("run.html");
    let o = signet(&[
        "flow",
        "--demo",
        "--browser",
        &approve(),
        "--report",
        page.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("Connected: access token issued; the API answered 200"));
    assert_eq!(
        html.matches("<section class=\"card check enforced\" id=\"")
            .count(),
        10
    );
    assert!(!html.contains("signet-demo-secret"));
    // A failure as JSON, with its diagnosis.
    let data = dir.path().join("run.json");
    let o = signet(&[
        "flow",
        "--demo",
        "--consumer-secret",
        "not-the-secret",
        "--browser",
        &approve(),
        "--report",
        data.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&data).unwrap()).unwrap();
    assert_eq!(report["format"], "signet-connection-report");
    assert_eq!(report["snapshot"]["phase"], "failed");
    assert_eq!(report["diagnosis"]["step"], "user_authentication");
    let json = report.to_string();
    assert!(
        !json.contains("not-the-secret"),
        "the secret typed is in the report"
    );
    // A folder that does not exist is refused before anything runs.
    let o = signet(&["flow", "--demo", "--report", "/no/such/folder/r.html"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("its folder does not exist"),
        "{}",
        text(&o)
    );
}

#[test]
fn unreachable_provider_is_a_network_failure_with_exit_code_4() {
    let o = signet(&[
        "flow",
        "--consumer-key",
        "k",
        "--consumer-secret",
        "s",
        "--request-token-url",
        "http://127.0.0.1:9/oauth/request_token",
        "--authorize-url",
        "http://127.0.0.1:9/oauth/authorize",
        "--access-token-url",
        "http://127.0.0.1:9/oauth/access_token",
        "--timeout",
        "5",
    ]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(4), "{out}");
    assert!(out.contains("step 3"), "{out}");
}

#[test]
fn missing_flags_are_usage_errors_with_a_way_forward() {
    let o = signet(&["flow", "--consumer-key", "k", "--consumer-secret", "s"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}");
    assert!(
        out.contains("signet: the connector is not complete"),
        "{out}"
    );
    for flag in [
        "--request-token-url",
        "--authorize-url",
        "--access-token-url",
    ] {
        assert!(
            out.contains(&format!("\n  {flag}: ")),
            "{flag} not named:\n{out}"
        );
    }
    assert!(
        out.contains("what to do: fix the flags named above"),
        "{out}"
    );
    let o = signet(&[
        "sign",
        "--consumer-key",
        "k",
        "--url",
        "https://x/",
        "--signature-method",
        "RSA-SHA1",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains("RSA-SHA1 needs an RSA private key"),
        "{}",
        text(&o)
    );
    let o = signet(&["sign", "--signature-method", "MD5"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o).contains("unknown signature method \"MD5\""),
        "{}",
        text(&o)
    );
}

/// `signet sign` starts light: while it waits for its request on stdin it is one thread (no
/// async runtime and its workers), and it never makes (or opens) the database.
#[test]
#[cfg(target_os = "linux")]
fn sign_starts_light_one_thread_and_no_database() {
    let data = std::env::temp_dir().join(format!("signet-light-{}", std::process::id()));
    let child = Command::new(SIGNET)
        .args(["sign", "--json"])
        .env("SIGNET_DATA_DIR", &data)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let proc = format!("/proc/{}", child.id());
    // Blocked on stdin: asleep for a few reads in a row.
    let state = || {
        std::fs::read_to_string(format!("{proc}/stat"))
            .ok()
            .and_then(|s| Some(s.rsplit_once(')')?.1.split_whitespace().next()?.to_owned()))
    };
    let mut asleep = 0;
    for _ in 0..200 {
        asleep = if state().as_deref() == Some("S") {
            asleep + 1
        } else {
            0
        };
        if asleep == 5 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert_eq!(asleep, 5, "signet sign never waited for its input");
    let threads = std::fs::read_dir(format!("{proc}/task")).unwrap().count();
    let vector = r#"{"method": "GET", "url": "https://x.example/", "body": null,
        "consumer_key": "k", "consumer_secret": "s", "token": null, "token_secret": null,
        "callback": null, "verifier": null, "realm": null, "include_version": false,
        "signature_method": "HMAC-SHA1", "nonce": "n", "timestamp": "1"}"#;
    let o = answer(child, vector);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(threads, 1, "signet sign started threads it does not need");
    assert!(!data.exists(), "signet sign made the data directory");
}

#[test]
fn sign_json_reads_the_vector_format_and_matches_rfc_5849() {
    let vector = r#"{"method": "POST", "url": "https://photos.example.net/initiate", "body": null,
        "consumer_key": "dpf43f3p2l4k3l03", "consumer_secret": "kd94hf93k423kf44", "token": null, "token_secret": null,
        "callback": "http://printer.example.com/ready", "verifier": null, "realm": "Photos", "include_version": false,
        "signature_method": "HMAC-SHA1", "nonce": "wIjqoS", "timestamp": "137131200"}"#;
    let child = Command::new(SIGNET)
        .args(["sign", "--json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let o = answer(child, vector);
    assert!(o.status.success());
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["signature"], "74KNZJeDHnMBp0EMJ9ZHt/XKycU=");
    assert_eq!(
        doc["oauth_params"]["oauth_signature"],
        "74KNZJeDHnMBp0EMJ9ZHt/XKycU="
    );
    assert!(
        doc["base_string"]
            .as_str()
            .unwrap()
            .starts_with("POST&https%3A%2F%2Fphotos.example.net%2Finitiate&oauth_callback")
    );
    assert!(
        doc["authorization_header"]
            .as_str()
            .unwrap()
            .starts_with("OAuth realm=\"Photos\"")
    );
}

#[test]
fn sign_prints_the_trace_the_request_and_curl_and_hides_plaintext_secrets() {
    let o = signet(&[
        "sign",
        "--consumer-key",
        "ck",
        "--consumer-secret",
        "s3cr3t!",
        "-X",
        "POST",
        "--url",
        "https://api.example.com/1.1/statuses/update.json?include_entities=true",
        "--body",
        "status=Hello+Ladies",
        "--nonce",
        "n0nce",
        "--timestamp",
        "1318622958",
    ]);
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    for part in [
        "Parameters",
        "`+` in a form body means a space",
        "Normalized parameters",
        "Base string URI",
        "Signature base string",
        "Signing key",
        "curl 'https://api.example.com/1.1/statuses/update.json?include_entities=true' \\\n    -H 'Authorization: OAuth ",
        "-H 'Content-Type: application/x-www-form-urlencoded' \\\n    --data-binary 'status=Hello+Ladies'",
    ] {
        assert!(out.contains(part), "missing {part:?}:\n{out}");
    }
    assert!(
        !out.contains("s3cr3t"),
        "the consumer secret leaked:\n{out}"
    );
    let o = signet(&[
        "sign",
        "--consumer-key",
        "ck",
        "--consumer-secret",
        "s3cr3t!",
        "--url",
        "https://x.example/",
        "--signature-method",
        "PLAINTEXT",
    ]);
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(
        !out.contains("s3cr3t"),
        "PLAINTEXT printed its secret:\n{out}"
    );
    assert!(out.contains("--show-secrets"), "{out}");
    let o = signet(&[
        "sign",
        "--consumer-key",
        "ck",
        "--consumer-secret",
        "s3cr3t!",
        "--url",
        "https://x.example/",
        "--signature-method",
        "PLAINTEXT",
        "--show-secrets",
    ]);
    assert!(text(&o).contains("s3cr3t%2521%26"), "{}", text(&o));
}

#[tokio::test(flavor = "multi_thread")]
async fn call_uses_token_credentials_and_reports_refusals() {
    let provider = signet_provider::start(signet_provider::ProviderConfig::demo())
        .await
        .unwrap();
    let url = provider.url().to_owned();
    let flow = tokio::task::spawn_blocking(move || {
        signet(&[
            "flow",
            "--consumer-key",
            "signet-demo",
            "--consumer-secret",
            "signet-demo-secret",
            "--request-token-url",
            &format!("{url}/oauth/request_token"),
            "--authorize-url",
            &format!("{url}/oauth/authorize"),
            "--access-token-url",
            &format!("{url}/oauth/access_token"),
            "--browser",
            &approve(),
            "--json",
            "--show-secrets",
        ])
    })
    .await
    .unwrap();
    assert!(flow.status.success(), "{}", text(&flow));
    let doc: Value = serde_json::from_slice(&flow.stdout).unwrap();
    let token = doc["token"]["token"].as_str().unwrap().to_owned();
    let secret = doc["token"]["secret"].as_str().unwrap().to_owned();
    let echo = provider.echo_url();
    let (t, s, e) = (token.clone(), secret.clone(), echo.clone());
    let ok = tokio::task::spawn_blocking(move || {
        signet(&[
            "call",
            "--consumer-key",
            "signet-demo",
            "--consumer-secret",
            "signet-demo-secret",
            "--token",
            &t,
            "--token-secret",
            &s,
            "-X",
            "POST",
            "--url",
            &e,
            "--body",
            "a=1+2",
            "--json",
        ])
    })
    .await
    .unwrap();
    assert!(ok.status.success(), "{}", text(&ok));
    let r: Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert_eq!(r["call"]["response"]["status"], 200);
    assert!(
        r["call"]["response"]["body"]
            .as_str()
            .unwrap()
            .contains("\"a\""),
        "{r:#}"
    );
    // The form field was signed, and the record masks the token secret.
    assert!(
        r["call"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "a" && p["value"] == "1 2" && p["signed"] == true),
        "{r:#}"
    );
    assert!(!String::from_utf8_lossy(&ok.stdout).contains(&secret));
    let refused = tokio::task::spawn_blocking(move || {
        signet(&[
            "call",
            "--consumer-key",
            "signet-demo",
            "--consumer-secret",
            "signet-demo-secret",
            "--token",
            &token,
            "--token-secret",
            "wrong",
            "--url",
            &echo,
        ])
    })
    .await
    .unwrap();
    assert_eq!(refused.status.code(), Some(3), "{}", text(&refused));
    assert!(
        text(&refused).contains("signature_invalid"),
        "{}",
        text(&refused)
    );
    provider.shutdown().await;
}

/// `signet flow` saving the demo provider at `u` as connector "demo", allowed automatically.
fn save_demo_args(u: &str) -> Vec<String> {
    [
        "flow",
        "--save-as",
        "demo",
        "--consumer-key",
        "signet-demo",
        "--consumer-secret",
        "signet-demo-secret",
        "--request-token-url",
        &format!("{u}/oauth/request_token"),
        "--authorize-url",
        &format!("{u}/oauth/authorize"),
        "--access-token-url",
        &format!("{u}/oauth/access_token"),
        "--browser",
        &approve(),
    ]
    .map(str::to_owned)
    .to_vec()
}

fn signet_in(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(SIGNET)
        .args(args)
        .env("SIGNET_DATA_DIR", dir)
        .env("SIGNET_KEYRING", "file")
        .stdin(Stdio::null())
        .output()
        .expect("signet runs")
}

/// [`signet_in`] off the test's runtime (a demo provider runs on it).
async fn signet_in_async(dir: &std::path::Path, args: Vec<String>) -> Output {
    let d = dir.to_owned();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        signet_in(&d, &args)
    })
    .await
    .unwrap()
}

/// The demo provider, a data directory, and the connector "demo" saved there with a token.
async fn demo_saved() -> (
    signet_provider::RunningProvider,
    tempfile::TempDir,
    std::path::PathBuf,
    String,
    Output,
) {
    let provider = signet_provider::start(signet_provider::ProviderConfig::demo())
        .await
        .unwrap();
    let url = provider.url().to_owned();
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_owned();
    let flow = signet_in_async(&dir, save_demo_args(&url)).await;
    assert!(flow.status.success(), "{}", text(&flow));
    (provider, data, dir, url, flow)
}

#[tokio::test(flavor = "multi_thread")]
async fn flow_saves_the_token_and_call_uses_it_by_connector_name() {
    let (provider, _data, dir, url, flow) = demo_saved().await;
    assert!(
        text(&flow).contains("Saved the token to connector \"demo\""),
        "{}",
        text(&flow)
    );

    let (d, u) = (dir.clone(), url.clone());
    let call = tokio::task::spawn_blocking(move || {
        signet_in(&d, &["call", "demo", "--url", &format!("{u}/api/me")])
    })
    .await
    .unwrap();
    assert!(call.status.success(), "{}", text(&call));
    assert!(
        text(&call).contains("\"username\":\"alice\""),
        "{}",
        text(&call)
    );

    // A denied second run fails at step 6 and leaves the stored token as it was.
    let d = dir.clone();
    let listed_before =
        tokio::task::spawn_blocking(move || signet_in(&d, &["tokens", "list", "--json"]))
            .await
            .unwrap();
    let d = dir.clone();
    let denied = tokio::task::spawn_blocking(move || {
        signet_in(
            &d,
            &[
                "flow",
                "--connector",
                "demo",
                "--browser",
                &format!("{SIGNET} approve --deny"),
            ],
        )
    })
    .await
    .unwrap();
    assert_eq!(denied.status.code(), Some(3), "{}", text(&denied));
    let d = dir.clone();
    let listed_after =
        tokio::task::spawn_blocking(move || signet_in(&d, &["tokens", "list", "--json"]))
            .await
            .unwrap();
    assert_eq!(
        listed_before.stdout, listed_after.stdout,
        "a failed run must not touch the stored token"
    );

    // Both runs are in the connector's history; no secret is in any file of the database.
    let store = signet_store::Store::open(
        &signet_store::OpenOptions::new(&dir).keyring(signet_store::KeyringChoice::File),
    )
    .unwrap();
    let c = store.connector_by_name("demo").unwrap().unwrap();
    let instance = store.instances_of(c.id).unwrap()[0].id;
    let runs = store.runs(instance, 10).unwrap();
    let kinds: Vec<_> = runs.iter().map(|r| r.kind).collect();
    assert_eq!(
        kinds,
        [
            signet_store::RunKind::Flow,
            signet_store::RunKind::Call,
            signet_store::RunKind::Flow
        ]
    );
    assert!(
        matches!(
            runs[0].outcome,
            signet_store::RunOutcome::Failed { step: Some(6), .. }
        ),
        "{:?}",
        runs[0].outcome
    );
    assert_eq!(runs[1].outcome, signet_store::RunOutcome::Completed);
    assert_eq!(runs[2].outcome, signet_store::RunOutcome::Completed);
    drop(store);
    for entry in walk(&dir) {
        let bytes = std::fs::read(&entry).unwrap();
        assert!(
            !bytes.windows(18).any(|w| w == b"signet-demo-secret"),
            "plaintext secret in {}",
            entry.display()
        );
    }

    // Forget the token: a call by name now says what to do.
    let d = dir.clone();
    assert!(
        tokio::task::spawn_blocking(move || signet_in(&d, &["tokens", "forget", "demo"]))
            .await
            .unwrap()
            .status
            .success()
    );
    let (d, u) = (dir.clone(), url.clone());
    let call = tokio::task::spawn_blocking(move || {
        signet_in(
            &d,
            &[
                "call",
                "--connector",
                "demo",
                "--url",
                &format!("{u}/api/me"),
            ],
        )
    })
    .await
    .unwrap();
    assert_eq!(call.status.code(), Some(2), "{}", text(&call));
    assert!(
        text(&call).contains("connect the instance (the ten steps), then send again"),
        "{}",
        text(&call)
    );
    provider.shutdown().await;
}

#[test]
fn connectors_add_list_export_import_remove() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path();
    let add = signet_in(
        dir,
        &[
            "connectors",
            "add",
            "photos",
            "--consumer-key",
            "dpf43f3p2l4k3l03",
            "--consumer-secret",
            "kd94hf93k423kf44",
            "--request-token-url",
            "https://photos.example.net/initiate",
            "--authorize-url",
            "https://photos.example.net/authorize",
            "--access-token-url",
            "https://photos.example.net/token",
            "--signature-method",
            "HMAC-SHA256",
            "--callback",
            "oob",
        ],
    );
    assert!(add.status.success(), "{}", text(&add));
    let dup = signet_in(
        dir,
        &[
            "connectors",
            "add",
            "photos",
            "--consumer-key",
            "k",
            "--consumer-secret",
            "s",
            "--request-token-url",
            "https://x/a",
            "--authorize-url",
            "https://x/b",
            "--access-token-url",
            "https://x/c",
        ],
    );
    assert_eq!(dup.status.code(), Some(2), "{}", text(&dup));
    let list = signet_in(dir, &["connectors", "list"]);
    assert!(
        text(&list).contains("photos")
            && text(&list).contains("HMAC-SHA256")
            && text(&list).contains("no token yet"),
        "{}",
        text(&list)
    );
    let export = signet_in(dir, &["connectors", "export"]);
    assert!(export.status.success(), "{}", text(&export));
    assert!(
        !text(&export).contains("kd94hf93k423kf44"),
        "an export without --include-secrets leaked the secret"
    );
    let file = dir.join("export.json");
    std::fs::write(&file, &export.stdout).unwrap();
    let other = tempfile::tempdir().unwrap();
    let import = signet_in(
        other.path(),
        &["connectors", "import", file.to_str().unwrap()],
    );
    assert!(import.status.success(), "{}", text(&import));
    assert!(text(&signet_in(other.path(), &["connectors", "list"])).contains("photos"));
    let remove = signet_in(dir, &["connectors", "remove", "photos"]);
    assert!(remove.status.success());
    let missing = signet_in(dir, &["connectors", "show", "photos"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        text(&missing).contains("no connector called \"photos\""),
        "{}",
        text(&missing)
    );
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p))
        } else {
            out.push(p)
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn flow_runs_a_connector_file_with_credentials_from_the_flags() {
    let provider = signet_provider::start(signet_provider::ProviderConfig::demo())
        .await
        .unwrap();
    let url = provider.url().to_owned();
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_owned();
    let file = dir.join("connectors.json");
    let (d, u, f) = (dir.clone(), url.clone(), file.clone());
    let out = tokio::task::spawn_blocking(move || {
        let add = signet_in(
            &d,
            &[
                "connectors",
                "add",
                "demo",
                "--consumer-key",
                "signet-demo",
                "--consumer-secret",
                "signet-demo-secret",
                "--request-token-url",
                &format!("{u}/oauth/request_token"),
                "--authorize-url",
                &format!("{u}/oauth/authorize"),
                "--access-token-url",
                &format!("{u}/oauth/access_token"),
                "--resource-url",
                &format!("{u}/api/me"),
            ],
        );
        assert!(add.status.success(), "{}", text(&add));
        let export = signet_in(&d, &["connectors", "export", "--out", f.to_str().unwrap()]);
        assert!(export.status.success(), "{}", text(&export));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&f).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "an export is the user's alone");
        }
        // Without credentials the file cannot run, and says what to pass.
        let bare = signet_in(&d, &["flow", "--connector-file", f.to_str().unwrap()]);
        assert_eq!(bare.status.code(), Some(2), "{}", text(&bare));
        assert!(
            text(&bare).contains("pass --consumer-key and --consumer-secret"),
            "{}",
            text(&bare)
        );
        signet_in(
            &d,
            &[
                "flow",
                "--connector-file",
                f.to_str().unwrap(),
                "--consumer-key",
                "signet-demo",
                "--consumer-secret",
                "signet-demo-secret",
                "--browser",
                &approve(),
                "--json",
                "--no-secrets",
            ],
        )
    })
    .await
    .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["outcome"], "finished");
    assert_eq!(doc["snapshot"]["resource"]["status"], 200);
    provider.shutdown().await;
}

/// A bug that panics ends in a plain message, exit code 1 and a report in the data directory
/// that names what and where, with no secret in it.
#[test]
fn a_bug_ends_in_a_message_and_a_report_without_secrets() {
    let data = tempfile::tempdir().unwrap();
    let o = Command::new(SIGNET)
        .args(["connectors", "list"])
        .env("SIGNET_DATA_DIR", data.path())
        .env("SIGNET_PANIC_FOR_TESTS", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("Signet hit a bug"), "{out}");
    assert!(out.contains("A report is in"), "{out}");
    assert!(!out.contains("planted-secret"), "{out}");
    let reports: Vec<_> = std::fs::read_dir(data.path().join("crash-reports"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(reports.len(), 1, "{reports:?}");
    let report = std::fs::read_to_string(&reports[0]).unwrap();
    assert!(
        report.contains("(cli) stopped because of a bug"),
        "{report}"
    );
    assert!(report.contains("Where: crates/cli/src/lib.rs:"), "{report}");
    assert!(report.contains("oauth_token_secret=<redacted>"), "{report}");
    assert!(!report.contains("planted-secret"), "{report}");
    assert!(report.contains("Backtrace:"), "{report}");
}

/// `signet history`: how much is kept (refusing what is out of range), and forgetting it.
#[test]
fn history_keeps_what_it_is_told_and_forgets_on_request() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path();
    let o = signet_in(dir, &["history", "keep"]);
    assert!(
        text(&o).contains("keeps the newest 200 runs"),
        "{}",
        text(&o)
    );
    let o = signet_in(dir, &["history", "keep", "0"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("between 1 and 10000"), "{}", text(&o));
    for name in ["demo", "demo2"] {
        let o = signet_in(
            dir,
            &["flow", "--demo", "--browser", &approve(), "--save-as", name],
        );
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    }
    let o = signet_in(dir, &["history", "keep", "1"]);
    assert!(text(&o).contains("newest 1 runs"), "{}", text(&o));
    let o = signet_in(dir, &["history", "clear", "--connector", "demo"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains("Forgot 1 run of \"demo\""),
        "{}",
        text(&o)
    );
    let o = signet_in(dir, &["history", "clear"]);
    assert!(text(&o).contains("Forgot 1 run."), "{}", text(&o));
    let o = signet_in(dir, &["history", "clear"]);
    assert!(text(&o).contains("Forgot 0 runs."), "{}", text(&o));
}

// ---- signet audit ----

#[test]
fn an_audit_of_the_demo_provider_finds_every_check_enforced_and_writes_junit() {
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("audit.xml");
    let html = dir.path().join("audit.html");
    let browser = approve();
    let o = signet(&[
        "audit",
        "--demo",
        "--browser",
        &browser,
        "--yes",
        "--json",
        "--rate-limit",
        "100",
        "--junit",
        junit.to_str().unwrap(),
        "--html",
        html.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["score"]["not_enforced"], 0, "{report:#}");
    assert_eq!(report["score"]["enforced"], 16);
    assert_eq!(report["checks"].as_array().unwrap().len(), 17);
    assert_eq!(report["token"]["state"], "reissued");
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert_eq!(xml.matches("<testcase ").count(), 17, "{xml}");
    assert!(xml.contains("failures=\"0\" skipped=\"1\""), "{xml}");
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("16 of 16 checks enforced"), "{page}");
    assert_eq!(page.matches("<section class=\"card check ").count(), 17);
    // No secret of the demo consumer, no verifier value.
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(!out.contains("signet-demo-secret"));
    assert!(!page.contains("signet-demo-secret"));
}

#[test]
fn an_audit_sends_nothing_until_confirmed() {
    let o = signet(&["audit", "--demo"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let out = text(&o);
    assert!(out.contains("add --yes"), "{out}");
    assert!(out.contains("18 requests"), "{out}");
    // What the audit cannot do is refused before anything is sent.
    let o = signet(&["audit", "--demo", "--one-legged", "--yes"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("leave out --one-legged"));
    // So is a report that could not be written.
    let o = signet(&[
        "audit",
        "--demo",
        "--yes",
        "--html",
        "/no/such/folder/a.html",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("--html /no/such/folder/a.html: its folder does not exist"),
        "{}",
        text(&o)
    );
}

/// A free port on 127.0.0.1 (bound, then let go).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn an_audit_of_a_lax_provider_exits_6_and_names_what_it_lets_through() {
    let port = free_port();
    let mut provider = Command::new(SIGNET)
        .args([
            "provider",
            "--port",
            &port.to_string(),
            "--accept-replayed-nonces",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "the provider never listened"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let browser = approve();
    let o = Command::new(SIGNET)
        .args([
            "audit",
            "--consumer-key",
            "signet-demo",
            "--callback",
            "loopback",
            "--yes",
        ])
        .args([
            "--request-token-url",
            &format!("{base}/oauth/request_token"),
        ])
        .args(["--authorize-url", &format!("{base}/oauth/authorize")])
        .args(["--access-token-url", &format!("{base}/oauth/access_token")])
        .args(["--resource-url", &format!("{base}/api/me")])
        .args(["--browser", &browser, "--rate-limit", "100"])
        .env("SIGNET_CONSUMER_SECRET", "signet-demo-secret")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let _ = provider.kill();
    let _ = provider.wait();
    let out = text(&o);
    assert_eq!(o.status.code(), Some(6), "{out}");
    assert!(out.contains("15 of 16 checks enforced"), "{out}");
    assert!(
        out.contains("NOT ENFORCED (required): A replayed request is refused"),
        "{out}"
    );
    assert!(
        out.contains("what it means: a request seen on the wire can be sent again"),
        "{out}"
    );
    assert!(out.contains("1 required check is not enforced"), "{out}");
}

#[test]
fn an_audit_with_pins_takes_both_from_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let pin_file = dir.path().join("pin");
    let browser = format!("{SIGNET} approve --pin-file {}", pin_file.display());
    let mut child = Command::new(SIGNET)
        .args([
            "audit",
            "--demo",
            "--callback",
            "oob",
            "--yes",
            "--rate-limit",
            "100",
        ])
        .args(["--browser", &browser])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Each dance shows a PIN; type each one as it appears.
    let mut typed = Vec::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while typed.len() < 2 {
        if let Ok(p) = std::fs::read_to_string(&pin_file)
            && !p.trim().is_empty()
            && !typed.contains(&p)
        {
            child
                .stdin
                .as_mut()
                .unwrap()
                .write_all(format!("{}\n", p.trim()).as_bytes())
                .unwrap();
            typed.push(p);
        }
        assert!(
            std::time::Instant::now() < deadline,
            "PINs typed: {}",
            typed.len()
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let o = child.wait_with_output().unwrap();
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(out.contains("Dance 2 of 2"), "{out}");
    assert!(
        out.contains("does not apply  The redirect goes to the callback given"),
        "{out}"
    );
    assert!(out.contains("15 of 15 checks enforced"), "{out}");
}

/// `signet … | head`: the reader goes before the command has said everything. The command
/// still finishes its work (the token is saved), exits as it would, and reports no bug.
#[tokio::test(flavor = "multi_thread")]
async fn a_reader_that_goes_away_stops_nothing_and_is_no_bug() {
    let provider = signet_provider::start(signet_provider::ProviderConfig::demo())
        .await
        .unwrap();
    let u = provider.url().to_owned();
    let data = tempfile::tempdir().unwrap();
    let d = data.path().to_owned();
    let flow = tokio::task::spawn_blocking(move || {
        // A pipe whose reading end is closed before anything is written: every write fails
        // with a broken pipe, as after `head` has read its lines.
        let (reader, writer) = std::io::pipe().expect("a pipe");
        drop(reader);
        Command::new(SIGNET)
            .args(save_demo_args(&u))
            .env("SIGNET_DATA_DIR", &d)
            .env("SIGNET_KEYRING", "file")
            .stdin(Stdio::null())
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .expect("signet runs")
    })
    .await
    .unwrap();
    let err = String::from_utf8_lossy(&flow.stderr);
    assert_eq!(flow.status.code(), Some(0), "{err}");
    assert!(!err.contains("bug") && !err.contains("panicked"), "{err}");
    assert!(
        !data.path().join("crash-reports").exists(),
        "a closed pipe left a crash report"
    );
    let d = data.path().to_owned();
    let listed = tokio::task::spawn_blocking(move || signet_in(&d, &["tokens", "list"]))
        .await
        .unwrap();
    assert!(listed.status.success(), "{}", text(&listed));
    assert!(text(&listed).contains("demo"), "{}", text(&listed));

    // Listing into a closed pipe ends as quietly.
    let d = data.path().to_owned();
    let listed = tokio::task::spawn_blocking(move || {
        let (reader, writer) = std::io::pipe().expect("a pipe");
        drop(reader);
        Command::new(SIGNET)
            .args(["tokens", "list"])
            .env("SIGNET_DATA_DIR", &d)
            .env("SIGNET_KEYRING", "file")
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .expect("signet runs")
    })
    .await
    .unwrap();
    assert_eq!(
        listed.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    assert!(
        listed.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    provider.shutdown().await;
}

/// Runs a printed curl command in `sh`, with `-sS -w` after it: the body, then the status.
fn run_curl(command: &str) -> (String, u16) {
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("{command} -sS -w '\\n%{{http_code}}'"))
        .output()
        .expect("sh and curl run");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, status) = text.rsplit_once('\n').unwrap_or(("", &text));
    (
        body.to_owned(),
        status.trim().parse().unwrap_or_else(|_| {
            panic!(
                "no status from curl: {text} {}",
                String::from_utf8_lossy(&out.stderr)
            )
        }),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn call_curl_signs_afresh_sends_nothing_and_real_curl_is_accepted_once() {
    let (provider, _data, dir, url, _) = demo_saved().await;

    // A GET with a query, and a POST with a form body whose fields are signed.
    let get = vec![
        "call".to_owned(),
        "demo".into(),
        "--url".into(),
        format!("{url}/api/orders?limit=2&offset=1"),
        "--curl".into(),
    ];
    let post = vec![
        "call".to_owned(),
        "demo".into(),
        "-X".into(),
        "POST".into(),
        "--url".into(),
        format!("{url}/api/notes"),
        "--body".into(),
        "title=It%27s+a+note&text=caf%C3%A9+%26+more".into(),
        "--curl".into(),
    ];
    for (args, expect) in [
        (get, "\"offset\":1"),
        (post, "\"text\":\"café & more\",\"title\":\"It's a note\""),
    ] {
        let out = signet_in_async(&dir, args).await;
        assert!(out.status.success(), "{}", text(&out));
        let command = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        assert!(command.starts_with("curl "), "{command}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("works once"),
            "{}",
            text(&out)
        );
        // Signet sent nothing: the provider accepts the nonce the first time...
        let (body, status) = run_curl(&command);
        assert!((200..300).contains(&status), "{status} {body}\n{command}");
        assert!(body.contains(expect), "{body}");
        // ... and refuses the same request sent again.
        let (body, status) = run_curl(&command);
        assert_eq!(status, 401, "a replayed nonce was accepted: {body}");
        assert!(body.contains("nonce"), "{body}");
    }
    provider.shutdown().await;
}

#[test]
fn call_curl_masks_secrets_unless_asked() {
    let base = [
        "call",
        "--url",
        "http://127.0.0.1:9/api/orders?x=1",
        "--consumer-key",
        "ck",
        "--consumer-secret",
        "c0nsumer-s3cret",
        "--token",
        "tok",
        "--token-secret",
        "t0ken-s3cret",
        "--signature-method",
        "PLAINTEXT",
        "--curl",
    ];
    let o = signet(&base);
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(!out.contains("s3cret"), "a secret leaked:\n{out}");
    assert!(out.contains("oauth_signature=\"<redacted>\""), "{out}");
    assert!(out.contains("the PLAINTEXT signature"), "{out}");
    assert!(out.contains("--show-secrets"), "{out}");
    let mut shown = base.to_vec();
    shown.push("--show-secrets");
    let o = signet(&shown);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("oauth_signature=\"c0nsumer-s3cret%26t0ken-s3cret\""),
        "{out}"
    );
}

fn postman_fixture(name: &str) -> String {
    format!(
        "{}/../interchange/tests/postman/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_postman_collection_for_the_demo_provider_imports_connects_and_calls_with_no_edits() {
    let provider = signet_provider::start(signet_provider::ProviderConfig::demo())
        .await
        .unwrap();
    let url = provider.url().to_owned();
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_owned();
    // The environment says where the provider runs (as a Postman user's would).
    let env = dir.join("demo.postman_environment.json");
    std::fs::write(
        &env,
        serde_json::json!({
            "name": "Demo provider on this machine",
            "values": [{ "key": "base_url", "value": url, "type": "default", "enabled": true }]
        })
        .to_string(),
    )
    .unwrap();
    let run = |args: Vec<String>| signet_in_async(&dir, args);
    let name = "Signet demo shop (from Postman)";
    let out = run(vec![
        "import".into(),
        "postman".into(),
        postman_fixture("demo.postman_collection.json"),
        "--environment".into(),
        env.display().to_string(),
    ])
    .await;
    let printed = text(&out);
    assert!(out.status.success(), "{printed}");
    assert!(
        printed.contains(&format!("Imported {name:?}: 4 endpoints")),
        "{printed}"
    );
    assert!(
        printed.contains("request-token request (step 3)"),
        "{printed}"
    );
    assert!(
        !printed.contains("signet-demo-secret"),
        "a secret printed:\n{printed}"
    );

    // The ten steps, as imported (the callback a loopback on a free port).
    let out = run(vec![
        "flow".into(),
        "--connector".into(),
        name.into(),
        "--browser".into(),
        approve(),
    ])
    .await;
    assert!(out.status.success(), "{}", text(&out));
    for (endpoint, expect) in [
        ("shop-me", "\"username\":\"alice\""),
        ("shop-orders", "\"offset\":1"),
        ("shop-order", "1002"),
        ("shop-new-note", "\"title\":\"From Postman\""),
    ] {
        let out = run(vec!["call".into(), name.into(), endpoint.into()]).await;
        assert!(out.status.success(), "{endpoint}: {}", text(&out));
        assert!(text(&out).contains(expect), "{endpoint}: {}", text(&out));
    }

    // Out again as a collection: no secret in it; in again as a second connector.
    let exported = dir.join("out.postman_collection.json");
    let out = run(vec![
        "export".into(),
        "postman".into(),
        name.into(),
        "-o".into(),
        exported.display().to_string(),
    ])
    .await;
    assert!(out.status.success(), "{}", text(&out));
    let collection = std::fs::read_to_string(&exported).unwrap();
    assert!(!collection.contains("signet-demo-secret"));
    assert!(collection.contains(
        "\"schema\": \"https://schema.getpostman.com/json/collection/v2.1.0/collection.json\""
    ));
    let out = run(vec![
        "import".into(),
        "postman".into(),
        exported.display().to_string(),
        "--json".into(),
    ])
    .await;
    assert!(out.status.success(), "{}", text(&out));
    let again: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        again["view"]["document"]["connector"]["details"]["name"],
        format!("{name} (2)")
    );

    // A file too large is refused before it is read, and changes nothing.
    let big = dir.join("big.json");
    std::fs::write(&big, vec![b' '; 21 * 1024 * 1024]).unwrap();
    let before = run(vec!["connectors".into(), "list".into(), "--json".into()]).await;
    let out = run(vec![
        "import".into(),
        "postman".into(),
        big.display().to_string(),
    ])
    .await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("at most 20 MB"), "{}", text(&out));
    let broken = dir.join("broken.json");
    std::fs::write(&broken, r#"{"info": {"schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"}, "item": [{"name": "x", "request": {"url": "ftp://x/"}}]}"#).unwrap();
    let out = run(vec![
        "import".into(),
        "postman".into(),
        broken.display().to_string(),
    ])
    .await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("the request \"x\".url"),
        "{}",
        text(&out)
    );
    let after = run(vec!["connectors".into(), "list".into(), "--json".into()]).await;
    assert_eq!(
        before.stdout, after.stdout,
        "a refused import changed nothing"
    );
    provider.shutdown().await;
}
