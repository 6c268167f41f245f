//! `signet presets` and `signet flow --preset`: the presets listed for people and machines, a
//! preset's quirks exercised against the in-process demo provider in its quirk profile, lints
//! printed before sending and failures explained after.

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

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn approve() -> String {
    format!("{SIGNET} approve")
}

#[test]
fn presets_are_listed_for_people_and_machines() {
    let o = signet(&["presets"]);
    assert!(o.status.success(), "{}", text(&o));
    let out = text(&o);
    for id in [
        "x",
        "trello",
        "netsuite",
        "magento2",
        "woocommerce",
        "xero-private",
        "tripit",
    ] {
        assert!(out.contains(id), "{id} missing:\n{out}");
    }
    let o = signet(&["presets", "--json"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let ids: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 18);
    assert!(ids.contains(&"netsuite-token"));
    let o = signet(&["presets", "netsuite", "--json"]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        v["signature"]["allowed"],
        serde_json::json!(["HMAC-SHA256"])
    );
    let o = signet(&["presets", "nope"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

#[test]
fn a_preset_fills_the_flow_and_explains_each_choice() {
    let o = signet(&[
        "flow",
        "--demo",
        "--preset",
        "woocommerce",
        "--browser",
        &approve(),
    ]);
    let out = text(&o);
    assert!(o.status.success(), "{out}");
    assert!(
        out.contains("WooCommerce reads the oauth_* parameters from the query string only"),
        "{out}"
    );
    assert!(out.contains("Resource answered 200"), "{out}");
    assert!(
        out.contains("plain_http") || !out.contains("error ["),
        "{out}"
    );
}

#[test]
fn the_netsuite_realm_comes_from_the_account() {
    let o = signet(&[
        "flow",
        "--demo",
        "--preset",
        "netsuite-token",
        "--account",
        "1234567-sb1",
        "--json",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["outcome"], "finished");
    assert_eq!(v["snapshot"]["config"]["realm"], "1234567_SB1");
}

#[test]
fn a_refused_method_is_linted_before_and_explained_after() {
    let o = signet(&[
        "flow",
        "--demo",
        "--preset",
        "netsuite-token",
        "--account",
        "1234567-sb1",
        "--signature-method",
        "HMAC-SHA1",
    ]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(3), "{out}");
    assert!(out.contains("error [method_rejected]"), "{out}");
    assert!(out.contains("What went wrong (step 10)"), "{out}");
    assert!(out.contains("fix: choose HMAC-SHA256"), "{out}");
}

#[test]
fn tumblr_refuses_oob_and_the_cli_says_why() {
    let o = signet(&[
        "flow",
        "--demo",
        "--preset",
        "tumblr",
        "--callback",
        "oob",
        "--browser",
        &approve(),
    ]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(3), "{out}");
    assert!(
        out.contains("Tumblr does not allow oob (PIN) callbacks"),
        "{out}"
    );
    assert!(out.contains("Tumblr does not support oob"), "{out}");
}

#[test]
fn a_wrong_clock_is_measured_and_an_offset_offered() {
    let o = signet(&["flow", "--demo", "--clock-offset", "900", "--json"]);
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        v["diagnosis"]["diagnoses"][0]["id"],
        "oauth_problem.timestamp_refused"
    );
    let skew = v["diagnosis"]["skew"]["skew_seconds"].as_i64().unwrap();
    assert!((-905..=-895).contains(&skew), "{skew}");
    let o = signet(&["flow", "--demo", "--clock-offset", "900"]);
    let out = text(&o);
    assert!(
        out.contains("behind this computer's; run again with --clock-offset 0"),
        "{out}"
    );
}
