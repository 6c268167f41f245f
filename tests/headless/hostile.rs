//! The hostile-provider suite: `signet` against a provider that misbehaves in every way one can
//! (`support/hostile.rs`, loopback only), on each leg — the request-token call, the
//! access-token call (after a good request token and a PIN), the pasted callback, and the
//! resource call. Each case asserts: no panic, an end within a bounded time, the exit code the
//! README documents (3 the provider refused or answered unusably, 4 the network failed, 0 an
//! odd answer that still works), and a specific message with a way forward.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use signet_tests::hostile;

/// The `signet` binary (built beside this test by `cargo test --workspace`).
fn signet() -> PathBuf {
    if let Some(p) = std::env::var_os("SIGNET_CLI") {
        return p.into();
    }
    let exe = std::env::current_exe().expect("the test's own path");
    let dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>");
    let bin = dir.join("signet");
    assert!(
        bin.exists(),
        "{} is missing: run `cargo build -p signet-cli` (cargo test --workspace builds it)",
        bin.display()
    );
    bin
}

#[derive(Clone, Copy, Debug)]
enum Leg {
    /// `signet flow`, the request-token URL misbehaving (steps 3-5).
    RequestToken,
    /// `signet flow`, a good request token and a PIN, the access-token URL misbehaving (8-9).
    AccessToken,
    /// `signet flow`, a good request token, a pasted callback that is wrong.
    Callback,
    /// `signet call --url`, the resource misbehaving.
    Resource,
}

struct Case {
    behaviour: &'static str,
    leg: Leg,
    exit: i32,
    /// Words the output must hold (case-insensitive), each a specific part of the message.
    says: &'static [&'static str],
}

const fn case(behaviour: &'static str, leg: Leg, exit: i32, says: &'static [&'static str]) -> Case {
    Case {
        behaviour,
        leg,
        exit,
        says,
    }
}

use Leg::*;

/// Every case. Exit codes: 0 done, 3 the provider refused or answered unusably, 4 the network
/// failed (no connection, timeout, oversized or redirected answer), 5 nobody answered in time
/// (a pasted callback that is not this attempt's changes nothing: the run goes on waiting for
/// the right one, and says why the pasted one was refused).
const CASES: &[Case] = &[
    // The request-token call.
    case(
        "multibyte-401",
        RequestToken,
        3,
        &["401", "signature_invalid"],
    ),
    case("problem-401", RequestToken, 3, &["signature_invalid"]),
    case(
        "parameter-absent",
        RequestToken,
        3,
        &["parameter_absent", "oauth_callback"],
    ),
    case("empty-200", RequestToken, 3, &["empty"]),
    case("html-200", RequestToken, 3, &["html"]),
    case(
        "json-error-200",
        RequestToken,
        3,
        &["no oauth_token", "errors"],
    ),
    case("missing-secret", RequestToken, 3, &["oauth_token_secret"]),
    case("missing-token", RequestToken, 3, &["oauth_token"]),
    case(
        "not-confirmed",
        RequestToken,
        3,
        &["oauth_callback_confirmed"],
    ),
    case(
        "confirmed-false",
        RequestToken,
        3,
        &["oauth_callback_confirmed"],
    ),
    case("latin1", RequestToken, 3, &["401", "signature_invalid"]),
    case(
        "utf16",
        RequestToken,
        3,
        &[
            "5. request token issued",
            "binary data, not a token response",
        ],
    ),
    case(
        "binary-200",
        RequestToken,
        3,
        &[
            "5. request token issued",
            "binary data, not a token response",
        ],
    ),
    case("huge", RequestToken, 4, &["larger than 1 mib"]),
    case("endless", RequestToken, 4, &["larger than 1 mib"]),
    case("truncated", RequestToken, 4, &["step 3"]),
    case("stall", RequestToken, 4, &["timed out"]),
    case("stall-body", RequestToken, 4, &["timed out"]),
    case("reset", RequestToken, 4, &["step 3"]),
    case("redirect-other", RequestToken, 4, &["redirect"]),
    case("redirect-same", RequestToken, 4, &["redirect"]),
    case("no-content-204", RequestToken, 3, &["204"]),
    case("teapot-418", RequestToken, 3, &["418"]),
    case("status-599", RequestToken, 3, &["599"]),
    case("status-999", RequestToken, 3, &["999"]),
    case("server-error-html", RequestToken, 3, &["500"]),
    case("unavailable-503", RequestToken, 3, &["503"]),
    case("www-auth-odd", RequestToken, 3, &["401"]),
    case("www-auth-huge", RequestToken, 3, &["401", "empty response"]),
    case("date-garbage", RequestToken, 3, &["timestamp_refused"]),
    case("date-far-future", RequestToken, 3, &["timestamp_refused"]),
    case("date-1900", RequestToken, 3, &["timestamp_refused"]),
    case(
        "timestamps-extreme",
        RequestToken,
        3,
        &["timestamp_refused"],
    ),
    case(
        "content-type-lies",
        RequestToken,
        0,
        &["request token hostile-request-token issued"],
    ),
    case("enormous-params", RequestToken, 4, &["larger than 1 mib"]),
    case(
        "many-params",
        RequestToken,
        0,
        &["request token hostile-request-token issued"],
    ),
    case("debug-sbs-huge", RequestToken, 3, &["signature_invalid"]),
    case(
        "duplicate-fields",
        RequestToken,
        0,
        &["request token a issued"],
    ),
    case("header-bytes", RequestToken, 3, &["401"]),
    case(
        "gzip-lie",
        RequestToken,
        3,
        &["5. request token issued", "not a token response"],
    ),
    case("garbage-status-line", RequestToken, 4, &["step 3"]),
    case("json-deep", RequestToken, 3, &["500"]),
    case("xml-error", RequestToken, 3, &["invalid_login_attempt"]),
    // The access-token call.
    case(
        "multibyte-401",
        AccessToken,
        3,
        &["8. access token request", "signature_invalid"],
    ),
    case(
        "missing-secret",
        AccessToken,
        3,
        &["9. access token issued", "oauth_token_secret"],
    ),
    case(
        "html-200",
        AccessToken,
        3,
        &["9. access token issued", "html"],
    ),
    case(
        "stall",
        AccessToken,
        4,
        &["8. access token request", "timed out"],
    ),
    case("reset", AccessToken, 4, &["8. access token request"]),
    case(
        "endless",
        AccessToken,
        4,
        &["8. access token request", "larger than 1 mib"],
    ),
    case(
        "redirect-other",
        AccessToken,
        4,
        &["8. access token request", "redirect"],
    ),
    // The callback, pasted.
    case(
        "wrong-token",
        Callback,
        5,
        &["does not match", "no redirect or pin arrived in time"],
    ),
    case(
        "no-verifier",
        Callback,
        5,
        &["no oauth_verifier", "no redirect or pin arrived in time"],
    ),
    case("problem-multibyte", Callback, 3, &["café"]),
    case("denied", Callback, 3, &["denied"]),
    // The resource call.
    case("multibyte-401", Resource, 3, &["401"]),
    case("binary-200", Resource, 0, &["200"]),
    case(
        "endless",
        Resource,
        4,
        &["larger than 10 mib", "far larger"],
    ),
    case("redirect-other", Resource, 4, &["redirect"]),
    case("stall", Resource, 4, &["timed out"]),
    case("json-deep", Resource, 3, &["500"]),
    case("www-auth-odd", Resource, 3, &["401"]),
];

/// The pasted callback for a [`Leg::Callback`] case.
fn pasted(behaviour: &str) -> String {
    let t = hostile::GOOD_TOKEN;
    match behaviour {
        "wrong-token" => "signet://callback?oauth_token=someone-elses&oauth_verifier=v1".into(),
        "no-verifier" => format!("https://app.example/cb?oauth_token={t}"),
        "problem-multibyte" => {
            format!("https://app.example/cb?oauth_token={t}&oauth_problem=caf%C3%A9_refused")
        }
        "denied" => format!("https://app.example/cb?denied={t}"),
        other => panic!("no callback case {other}"),
    }
}

async fn run(base: &str, c: &Case) -> (Option<i32>, String, Duration) {
    let rt = format!("{base}/ok/request_token");
    let authorize = format!("{base}/ok/authorize");
    let (request_token_url, access_token_url, stdin) = match c.leg {
        RequestToken => (
            format!("{base}/{}/request_token", c.behaviour),
            format!("{base}/ok/access_token"),
            String::new(),
        ),
        AccessToken => (
            rt.clone(),
            format!("{base}/{}/access_token", c.behaviour),
            "12345678\n".to_owned(),
        ),
        Callback => (
            rt.clone(),
            format!("{base}/ok/access_token"),
            format!("{}\n", pasted(c.behaviour)),
        ),
        Resource => (String::new(), String::new(), String::new()),
    };
    let mut cmd = tokio::process::Command::new(signet());
    let data = tempfile::tempdir().expect("a data directory");
    cmd.env("SIGNET_DATA_DIR", data.path())
        .env("SIGNET_KEYRING", "file")
        .env_remove("SIGNET_PANIC_FOR_TESTS")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    match c.leg {
        Resource => {
            cmd.args([
                "call",
                "--url",
                &format!("{base}/{}/resource", c.behaviour),
                "--consumer-key",
                "k",
                "--consumer-secret",
                "s",
                "--token",
                "t",
                "--token-secret",
                "ts",
                "--timeout",
                "5",
            ]);
        }
        _ => {
            // A callback Signet does not listen for: the user pastes where the browser went.
            let callback = if matches!(c.leg, Callback) {
                "https://app.example/cb"
            } else {
                "oob"
            };
            cmd.args([
                "flow",
                "--request-token-url",
                &request_token_url,
                "--authorize-url",
                &authorize,
                "--access-token-url",
                &access_token_url,
                "--consumer-key",
                "k",
                "--consumer-secret",
                "s",
                "--callback",
                callback,
                "--browser",
                "true",
                "--timeout",
                "5",
                "--callback-timeout",
                "10",
                "--until",
                if matches!(c.leg, RequestToken) {
                    "5"
                } else {
                    "9"
                },
            ]);
        }
    }
    let started = Instant::now();
    let mut child = cmd.spawn().expect("signet starts");
    if let Some(mut input) = child.stdin.take() {
        use tokio::io::AsyncWriteExt;
        let _ = input.write_all(stdin.as_bytes()).await;
        // Kept open while the run goes on: a closed stdin is not an answer.
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(30)).await;
            drop(input);
        });
    }
    let out = tokio::time::timeout(Duration::from_secs(40), child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("{} on {:?} did not end within 40 s", c.behaviour, c.leg))
        .expect("signet ran");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text, started.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn signet_survives_a_hostile_provider_on_every_leg() {
    let base = hostile::start().await;
    assert!(CASES.len() >= 40, "{} cases", CASES.len());
    let mut failures = Vec::new();
    // A few at a time: each spawns a process (timeouts are 5 s, loopback answers take
    // milliseconds, so a loaded machine still tells a stall from an answer).
    for batch in CASES.chunks(4) {
        let runs = batch.iter().map(|c| {
            let base = base.clone();
            async move { (c, run(&base, c).await) }
        });
        for (c, (code, text, took)) in futures_join_all(runs).await {
            let lower = text.to_lowercase();
            let mut wrong = Vec::new();
            if lower.contains("panicked") || code == Some(101) {
                wrong.push("panicked".to_owned());
            }
            if code != Some(c.exit) {
                wrong.push(format!("exit {code:?}, expected {}", c.exit));
            }
            for w in c.says {
                if !lower.contains(&w.to_lowercase()) {
                    wrong.push(format!("does not say {w:?}"));
                }
            }
            if c.exit != 0
                && !lower.contains("what to do")
                && !lower.contains("fix")
                && !lower.contains("try")
            {
                wrong.push("gives no way forward".to_owned());
            }
            if took > Duration::from_secs(30) {
                wrong.push(format!("took {took:?}"));
            }
            if !wrong.is_empty() {
                failures.push(format!(
                    "{} on {:?}: {}\n--- output ---\n{}\n",
                    c.behaviour,
                    c.leg,
                    wrong.join("; "),
                    text.chars().take(1500).collect::<String>()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}

/// Runs futures together and returns their outputs in order.
async fn futures_join_all<F>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.expect("a case ran"));
    }
    out
}

fn files_under(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// A token kept from a good run is untouched by a failed one, and nothing secret is in the
/// data directory in clear: not the token secret, not the verifier, not the session handle.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_run_leaves_the_stored_token_alone_and_nothing_in_clear() {
    let base = hostile::start().await;
    let data = tempfile::tempdir().unwrap();
    let cli = |args: Vec<String>, stdin: &'static str| {
        let dir = data.path().to_owned();
        async move {
            let mut cmd = tokio::process::Command::new(signet());
            cmd.env("SIGNET_DATA_DIR", &dir)
                .env("SIGNET_KEYRING", "file")
                .args(&args)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .kill_on_drop(true);
            let mut child = cmd.spawn().unwrap();
            let mut input = child.stdin.take().unwrap();
            tokio::io::AsyncWriteExt::write_all(&mut input, stdin.as_bytes())
                .await
                .unwrap();
            let out = tokio::time::timeout(Duration::from_secs(40), child.wait_with_output())
                .await
                .expect("ends in time")
                .unwrap();
            drop(input);
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(!text.contains("panicked"), "{text}");
            (out.status.code(), text)
        }
    };
    let s = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
    let (code, text) = cli(
        s(&[
            "connectors",
            "add",
            "hostile",
            "--request-token-url",
            &format!("{base}/ok/request_token"),
            "--authorize-url",
            &format!("{base}/ok/authorize"),
            "--access-token-url",
            &format!("{base}/once/access_token"),
            "--consumer-key",
            "k",
            "--consumer-secret",
            "consumer-secret-5f2a",
            "--callback",
            "oob",
        ]),
        "",
    )
    .await;
    assert_eq!(code, Some(0), "{text}");
    let flow = s(&[
        "flow",
        "--connector",
        "hostile",
        "--browser",
        "true",
        "--timeout",
        "3",
        "--callback-timeout",
        "10",
    ]);
    let (code, text) = cli(flow.clone(), "5531verifierpin\n").await;
    assert_eq!(code, Some(0), "{text}");
    let (_, tokens) = cli(s(&["tokens", "list"]), "").await;
    assert!(tokens.contains(hostile::GOOD_ACCESS_TOKEN), "{tokens}");

    // The provider now refuses, in multi-byte text: the run fails at step 8.
    let (code, text) = cli(flow, "5531verifierpin\n").await;
    assert_eq!(code, Some(3), "{text}");
    assert!(text.contains("signature_invalid"), "{text}");
    let (_, after) = cli(s(&["tokens", "list"]), "").await;
    assert!(
        after.contains(hostile::GOOD_ACCESS_TOKEN),
        "the stored token was touched: {after}"
    );

    for file in files_under(data.path()) {
        let bytes = std::fs::read(&file).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        for secret in [
            hostile::GOOD_ACCESS_SECRET,
            "5531verifierpin",
            "handle-2b7e",
            "consumer-secret-5f2a",
        ] {
            assert!(
                !text.contains(secret),
                "{secret} is in {} in clear",
                file.display()
            );
        }
    }
}
