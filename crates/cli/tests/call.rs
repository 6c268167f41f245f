//! `signet call CONNECTOR ENDPOINT`: a connector made from the demo preset, connected once, then
//! its endpoints sent from the command line — path parameters, connector variables, JSON and
//! form bodies — and every way a call goes wrong, each with its exit code and a way forward.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const SIGNET: &str = env!("CARGO_BIN_EXE_signet");

fn signet_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(SIGNET)
        .args(args)
        .env("SIGNET_DATA_DIR", dir)
        .env("SIGNET_KEYRING", "file")
        .env_remove("SIGNET_CONSUMER_SECRET")
        .env_remove("SIGNET_TOKEN_SECRET")
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

/// Runs `signet` off the async runtime (the provider answers on it meanwhile).
async fn run(dir: &Path, args: &[&str]) -> Output {
    let dir: PathBuf = dir.to_owned();
    let args: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        signet_in(&dir, &args)
    })
    .await
    .unwrap()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(o)))
}

/// The demo provider and a data directory holding the connector "shop" on it
/// ([`add_demo_shop`]); the provider's port.
async fn demo_shop() -> (signet_provider::RunningProvider, tempfile::TempDir, String) {
    let provider = signet_provider::start(signet_provider::ProviderConfig::demo())
        .await
        .unwrap();
    let port = provider.addr().port().to_string();
    let data = tempfile::tempdir().unwrap();
    add_demo_shop(data.path(), &port).await;
    (provider, data, port)
}

/// Saves a connector "shop" from the demo preset on the demo provider at `port`, with the
/// shared-secret consumer's credentials (not connected yet).
async fn add_demo_shop(dir: &Path, port: &str) {
    let port_value = format!("port={port}");
    let add = run(
        dir,
        &[
            "connectors",
            "add",
            "shop",
            "--preset",
            "signet-demo",
            "--value",
            &port_value,
            "--consumer-key",
            "signet-demo",
            "--consumer-secret",
            "signet-demo-secret",
        ],
    )
    .await;
    assert!(add.status.success(), "{}", text(&add));
}

#[tokio::test(flavor = "multi_thread")]
async fn endpoints_of_a_connector_are_sent_by_name_and_explain_their_failures() {
    // A connector from the demo preset, saved with its consumer credentials, then connected.
    let (provider, data, port) = demo_shop().await;
    let dir = data.path();
    let not_yet = run(dir, &["call", "shop", "me"]).await;
    assert_eq!(not_yet.status.code(), Some(2), "{}", text(&not_yet));
    assert!(
        text(&not_yet).contains("connect the instance"),
        "{}",
        text(&not_yet)
    );
    let browser = format!("{SIGNET} approve");
    let flow = run(dir, &["flow", "--connector", "shop", "--browser", &browser]).await;
    assert!(flow.status.success(), "{}", text(&flow));
    assert!(
        text(&flow).contains("signet call \"shop\" ENDPOINT"),
        "{}",
        text(&flow)
    );

    // The endpoints and what each takes.
    let list = run(dir, &["endpoints", "list", "shop"]).await;
    assert!(list.status.success(), "{}", text(&list));
    for part in [
        "orders",
        "order-xml",
        "create-order",
        "--var order_id=…",
        "tenant",
    ] {
        assert!(
            text(&list).contains(part),
            "{part} missing:\n{}",
            text(&list)
        );
    }

    // A query parameter from a variable: signed, and the page has that many orders.
    let orders = run(
        dir,
        &["call", "shop", "orders", "--var", "limit=2", "--json"],
    )
    .await;
    assert!(orders.status.success(), "{}", text(&orders));
    let r = json(&orders);
    let call = &r["call"];
    assert_eq!(call["response"]["status"], 200, "{r:#}");
    let body: Value = serde_json::from_str(call["response"]["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["orders"].as_array().unwrap().len(), 2);
    assert!(
        call["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "limit" && p["value"] == "2" && p["signed"] == true),
        "{r:#}"
    );
    assert!(
        call["variables"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["name"] == "limit" && v["origin"] == "input"),
        "{r:#}"
    );
    assert!(
        call["trace"]["base_string"]
            .as_str()
            .unwrap()
            .contains("limit%3D2"),
        "{r:#}"
    );

    // A path parameter, by the endpoint's name as well as its id; the text output.
    let one = run(
        dir,
        &["call", "shop", "One order", "--var", "order_id=1002"],
    )
    .await;
    assert!(one.status.success(), "{}", text(&one));
    let out = String::from_utf8_lossy(&one.stdout);
    assert!(out.starts_with("HTTP 200"), "{out}");
    assert!(out.contains("\"id\":1002"), "{out}");
    let xml = run(
        dir,
        &["call", "shop", "order-xml", "--var", "order_id=1003"],
    )
    .await;
    assert!(xml.status.success(), "{}", text(&xml));
    assert!(
        String::from_utf8_lossy(&xml.stdout).contains("<id>1003</id>"),
        "{}",
        text(&xml)
    );

    // A JSON body with a value that needs escaping, and a form body (whose fields are signed).
    let created = run(
        dir,
        &[
            "call",
            "shop",
            "create-order",
            "--var",
            "customer=Bob \"the builder\"",
            "--var",
            "total=3.5",
            "--json",
        ],
    )
    .await;
    assert!(created.status.success(), "{}", text(&created));
    let r = json(&created);
    assert_eq!(r["call"]["response"]["status"], 201, "{r:#}");
    let body: Value =
        serde_json::from_str(r["call"]["response"]["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["customer"], "Bob \"the builder\"", "{body:#}");
    let note = run(
        dir,
        &[
            "call",
            "shop",
            "create-note",
            "--var",
            "title=Tea & cake",
            "--json",
        ],
    )
    .await;
    assert!(note.status.success(), "{}", text(&note));
    let r = json(&note);
    assert!(
        r["call"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "title" && p["value"] == "Tea & cake" && p["signed"] == true),
        "{r:#}"
    );

    // A connector variable in a header: the default tenant is alice's; another one is refused
    // in the provider's own words.
    let tenant = run(dir, &["call", "shop", "tenant"]).await;
    assert!(tenant.status.success(), "{}", text(&tenant));
    assert!(text(&tenant).contains("wonderland"), "{}", text(&tenant));
    let set = run(dir, &["connectors", "set", "shop", "tenant=workshop"]).await;
    assert!(set.status.success(), "{}", text(&set));
    let refused = run(dir, &["call", "shop", "tenant"]).await;
    assert_eq!(refused.status.code(), Some(3), "{}", text(&refused));
    assert!(text(&refused).contains("HTTP 403"), "{}", text(&refused));
    assert!(
        text(&refused).contains("the provider says") && text(&refused).contains("TENANT_MISMATCH"),
        "{}",
        text(&refused)
    );
    let unknown_var = run(dir, &["connectors", "set", "shop", "tennant=x"]).await;
    assert_eq!(unknown_var.status.code(), Some(2), "{}", text(&unknown_var));
    assert!(
        text(&unknown_var).contains("has no variable \"tennant\""),
        "{}",
        text(&unknown_var)
    );

    // Mistakes in the command: an endpoint that does not exist, a value nobody takes, a
    // variable with no value. Nothing is sent; exit code 2; what to do instead.
    let unknown = run(dir, &["call", "shop", "ordrs"]).await;
    assert_eq!(unknown.status.code(), Some(2), "{}", text(&unknown));
    assert!(
        text(&unknown).contains("connector \"shop\" has no endpoint \"ordrs\"")
            && text(&unknown).contains("its endpoints: me, orders"),
        "{}",
        text(&unknown)
    );
    let typo = run(dir, &["call", "shop", "orders", "--var", "limt=2"]).await;
    assert_eq!(typo.status.code(), Some(2), "{}", text(&typo));
    assert!(
        text(&typo).contains("did you mean {{limit}}?"),
        "{}",
        text(&typo)
    );
    let url = format!("http://127.0.0.1:{port}/api/orders/{{{{id}}}}");
    let missing = run(dir, &["call", "shop", "--url", &url]).await;
    assert_eq!(missing.status.code(), Some(2), "{}", text(&missing));
    assert!(text(&missing).contains("{{id}}"), "{}", text(&missing));
    let with_id = run(dir, &["call", "shop", "--url", &url, "--var", "id=1001"]).await;
    assert!(with_id.status.success(), "{}", text(&with_id));

    // The provider's answers: an error status with a JSON problem, an HTML page, a body past
    // the size limit.
    let gone = run(dir, &["call", "shop", "order", "--var", "order_id=5"]).await;
    assert_eq!(gone.status.code(), Some(3), "{}", text(&gone));
    assert!(
        text(&gone).contains("there is no order \"5\""),
        "{}",
        text(&gone)
    );
    let page = format!("http://127.0.0.1:{port}/oauth/authorize");
    let html = run(dir, &["call", "shop", "--url", &page]).await;
    assert_eq!(html.status.code(), Some(3), "{}", text(&html));
    let message = String::from_utf8_lossy(&html.stderr);
    assert!(message.contains("signet: "), "{message}");
    assert!(
        !message.contains("<html"),
        "raw HTML in the message: {message}"
    );
    let large = format!("http://127.0.0.1:{port}/api/large?bytes=20000000");
    let big = run(dir, &["call", "shop", "--url", &large]).await;
    assert_eq!(big.status.code(), Some(4), "{}", text(&big));
    assert!(text(&big).contains("MiB"), "{}", text(&big));

    // Every call is in the instance's history; no secret in the database files.
    let store = signet_store::Store::open(
        &signet_store::OpenOptions::new(dir).keyring(signet_store::KeyringChoice::File),
    )
    .unwrap();
    let c = store.connector_by_name("shop").unwrap().unwrap();
    let instance = store.instances_of(c.id).unwrap()[0].id;
    let calls = store
        .runs(instance, 100)
        .unwrap()
        .into_iter()
        .filter(|r| r.kind == signet_store::RunKind::Call)
        .count();
    assert_eq!(calls, 11);
    drop(store);
    provider.shutdown().await;
}

/// `signet flow --demo --save NAME` connects against an in-process demo provider that is gone
/// when the command ends; `signet call NAME ENDPOINT` afterwards starts the demo provider again
/// on the saved port with the tokens it issued (kept in the data directory), so the token works.
#[tokio::test(flavor = "multi_thread")]
async fn a_demo_connector_saved_by_flow_is_called_later() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path();
    let browser = format!("{SIGNET} approve");
    let flow = run(
        dir,
        &["flow", "--demo", "--save", "demo", "--browser", &browser],
    )
    .await;
    assert!(flow.status.success(), "{}", text(&flow));
    let me = run(dir, &["call", "demo", "me", "--json"]).await;
    assert!(me.status.success(), "{}", text(&me));
    let r = json(&me);
    assert_eq!(r["call"]["response"]["status"], 200, "{r:#}");
    assert!(
        r["call"]["response"]["body"]
            .as_str()
            .unwrap()
            .contains("\"username\":\"alice\""),
        "{r:#}"
    );
    let order = run(dir, &["call", "demo", "order", "--var", "order_id=1007"]).await;
    assert!(order.status.success(), "{}", text(&order));
    assert!(text(&order).contains("\"id\":1007"), "{}", text(&order));
    // The saved token is named by its instance, `--token NAME` too.
    let by_token = run(dir, &["call", "demo", "me", "--token", "Default"]).await;
    assert!(by_token.status.success(), "{}", text(&by_token));
    let no_such = run(dir, &["call", "demo", "me", "--token", "Sandbox"]).await;
    assert_eq!(no_such.status.code(), Some(2), "{}", text(&no_such));
    assert!(
        text(&no_such).contains("has no instance (token) called \"Sandbox\""),
        "{}",
        text(&no_such)
    );
}

/// A connector saved by Signet 0.1 (schema 2, the committed fixture) opens migrated: its
/// resource URL is an endpoint `signet call` sends once the connector is connected again.
#[tokio::test(flavor = "multi_thread")]
async fn a_migrated_connector_is_connected_and_called() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path();
    let fixture =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../store/tests/fixtures/v2");
    copy_dir(&fixture, dir);
    let shown = run(dir, &["connectors", "show", "Demo CLI", "--json"]).await;
    assert!(shown.status.success(), "{}", text(&shown));
    let view = json(&shown);
    let url = view["document"]["connector"]["endpoints"][0]["url"]
        .as_str()
        .unwrap()
        .to_owned();
    let port: u16 = url
        .trim_start_matches("http://127.0.0.1:")
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    // The provider the fixture was recorded against, on its port again.
    let provider = signet_provider::start(signet_provider::ProviderConfig::demo().with_port(port))
        .await
        .unwrap_or_else(|e| panic!("port {port} of the fixture is taken: {e}"));
    let browser = format!("{SIGNET} approve");
    let flow = run(
        dir,
        &["flow", "--connector", "Demo CLI", "--browser", &browser],
    )
    .await;
    assert!(flow.status.success(), "{}", text(&flow));
    let list = run(dir, &["endpoints", "list", "Demo CLI"]).await;
    assert!(text(&list).contains("resource"), "{}", text(&list));
    let me = run(dir, &["call", "Demo CLI", "resource"]).await;
    assert!(me.status.success(), "{}", text(&me));
    assert!(
        text(&me).contains("\"username\":\"alice\""),
        "{}",
        text(&me)
    );
    provider.shutdown().await;
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// The same endpoints from the command line for HMAC-SHA1, HMAC-SHA256 and RSA-SHA256 in every
/// placement: `connectors add --preset`, `flow --connector`, then `call` of each body kind.
#[tokio::test(flavor = "multi_thread")]
async fn every_endpoint_kind_from_the_command_line() {
    let provider = signet_provider::start(signet_provider::ProviderConfig::demo())
        .await
        .unwrap();
    let port_value = format!("port={}", provider.addr().port());
    let rsa_key = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../provider/keys/rsa-private.pem")
        .display()
        .to_string();
    let data = tempfile::tempdir().unwrap();
    let dir = data.path();
    let browser = format!("{SIGNET} approve");
    for method in ["HMAC-SHA1", "HMAC-SHA256", "RSA-SHA256"] {
        for placement in ["header", "query", "body"] {
            let name = format!("{method}-{placement}");
            let mut add = vec![
                "connectors",
                "add",
                &name,
                "--preset",
                "signet-demo",
                "--value",
                &port_value,
                "--signature-method",
                method,
                "--placement",
                placement,
            ];
            if method.starts_with("RSA") {
                add.extend(["--consumer-key", "signet-demo-rsa", "--rsa-key", &rsa_key]);
            } else {
                add.extend([
                    "--consumer-key",
                    "signet-demo",
                    "--consumer-secret",
                    "signet-demo-secret",
                ]);
            }
            let added = run(dir, &add).await;
            assert!(added.status.success(), "{name}: {}", text(&added));
            let flow = run(dir, &["flow", "--connector", &name, "--browser", &browser]).await;
            assert!(flow.status.success(), "{name}: {}", text(&flow));
            for (endpoint, vars, expect) in [
                ("me", vec![], "\"username\":\"alice\""),
                ("orders", vec!["--var", "limit=1"], "\"limit\":1"),
                ("order", vec!["--var", "order_id=1100"], "\"id\":1100"),
                ("order-xml", vec!["--var", "order_id=1101"], "<id>1101</id>"),
                (
                    "create-note",
                    vec!["--var", "title=Plan"],
                    "\"title\":\"Plan\"",
                ),
                ("tenant", vec![], "wonderland"),
            ] {
                let mut args = vec!["call", name.as_str(), endpoint];
                args.extend(vars);
                let out = run(dir, &args).await;
                assert!(out.status.success(), "{name} {endpoint}: {}", text(&out));
                assert!(
                    text(&out).contains(expect),
                    "{name} {endpoint}: {}",
                    text(&out)
                );
            }
            let json = run(dir, &["call", &name, "create-order", "--var", "total=2"]).await;
            if placement == "body" {
                // The oauth parameters cannot travel in a JSON body: refused before sending.
                assert_eq!(json.status.code(), Some(2), "{name}: {}", text(&json));
                assert!(text(&json).contains("form"), "{name}: {}", text(&json));
            } else {
                assert!(json.status.success(), "{name}: {}", text(&json));
                assert!(
                    text(&json).contains("\"total\":2"),
                    "{name}: {}",
                    text(&json)
                );
            }
        }
    }
    provider.shutdown().await;
}

/// `signet call CONNECTOR ENDPOINT --all-pages`: every page signed and sent; with `--json` the
/// combined items are one JSON array on stdout (`| jq length` prints 1234) and each page's line
/// goes to stderr; `--max-pages` cuts the walk; a walk that fails exits like a failed call.
#[tokio::test(flavor = "multi_thread")]
async fn all_pages_print_the_combined_items() {
    let (provider, data, _port) = demo_shop().await;
    let dir = data.path();
    let browser = format!("{SIGNET} approve");
    let flow = run(dir, &["flow", "--connector", "shop", "--browser", &browser]).await;
    assert!(flow.status.success(), "{}", text(&flow));

    let all = run(
        dir,
        &["call", "shop", "orders-cursor", "--all-pages", "--json"],
    )
    .await;
    assert!(all.status.success(), "{}", text(&all));
    let items = json(&all);
    let items = items.as_array().expect("one JSON array on stdout");
    assert_eq!(items.len(), 1234);
    assert_eq!(items[0]["id"], 1001);
    assert_eq!(items[1233]["id"], 2234);
    let err = String::from_utf8_lossy(&all.stderr);
    assert!(err.contains("page 25: HTTP 200"), "{err}");
    assert!(err.contains("1234 items in 25 pages"), "{err}");

    // Without --json: the pages and the end, on stdout.
    let few = run(
        dir,
        &[
            "call",
            "shop",
            "orders-offset",
            "--all-pages",
            "--max-pages",
            "3",
        ],
    )
    .await;
    assert!(few.status.success(), "{}", text(&few));
    let out = String::from_utf8_lossy(&few.stdout);
    assert!(out.contains("page 3: GET"), "{out}");
    assert!(out.contains("150 items in 3 pages"), "{out}");
    assert!(out.contains("stopped after 3 pages"), "{out}");

    // An endpoint that does not page, and --max-pages without --all-pages.
    let one = run(dir, &["call", "shop", "me", "--all-pages"]).await;
    assert_eq!(one.status.code(), Some(2), "{}", text(&one));
    assert!(text(&one).contains("does not page"), "{}", text(&one));
    let usage = run(dir, &["call", "shop", "me", "--max-pages", "2"]).await;
    assert_eq!(usage.status.code(), Some(2), "{}", text(&usage));
    provider.shutdown().await;
}

/// Issue 15 (QA runs): `signet check` sends every readable endpoint of a connector, one test
/// case each, and writes JUnit XML a JUnit reader takes: with one endpoint made to fail (an
/// order that does not exist), exactly that case fails, with the decoded reason, and the exit
/// code says so; endpoints that could change data, or need a value, are skipped and say why.
#[tokio::test(flavor = "multi_thread")]
async fn check_runs_every_endpoint_as_a_test_case_and_writes_junit() {
    let (provider, data, _port) = demo_shop().await;
    let dir = data.path();
    let browser = format!("{SIGNET} approve");
    let flow = run(dir, &["flow", "--connector", "shop", "--browser", &browser]).await;
    assert!(flow.status.success(), "{}", text(&flow));

    // Every GET passes; the POSTs and the endpoint that needs an order id are skipped.
    let junit = dir.join("check.xml");
    let ok = run(
        dir,
        &[
            "check",
            "shop",
            "--junit",
            junit.to_str().unwrap(),
            "--json",
        ],
    )
    .await;
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok));
    let report = json(&ok);
    let cases = report["cases"].as_array().unwrap();
    assert!(report["passed"].as_u64().unwrap() >= 5, "{report:#}");
    assert_eq!(report["failed"], 0, "{report:#}");
    for c in cases {
        if c["verdict"] == "skipped" {
            let why = c["message"].as_str().unwrap();
            assert!(
                why.contains("may change data") || why.contains("order_id"),
                "{c}"
            );
        }
    }
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.starts_with(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"signet check\""
    ));
    let skipped = cases.iter().filter(|c| c["verdict"] == "skipped").count();
    assert_eq!(read_junit(&xml), (cases.len(), 0, skipped), "{xml}");
    assert!(xml.contains("<testsuite name=\"shop\""), "{xml}");
    assert!(xml.contains("failures=\"0\""), "{xml}");

    // One endpoint made to fail: an order that does not exist. Listed in a file.
    let list = dir.join("endpoints.txt");
    std::fs::write(
        &list,
        "# what QA checks\nshop / me\nshop / order\n\nshop / orders\n",
    )
    .unwrap();
    let failing = run(
        dir,
        &[
            "check",
            "--file",
            list.to_str().unwrap(),
            "--var",
            "order_id=999999",
            "--junit",
            junit.to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(failing.status.code(), Some(3), "{}", text(&failing));
    let out = text(&failing);
    assert!(out.contains("2 passed, 1 failed, 0 skipped"), "{out}");
    assert!(out.contains("1 of 3 endpoints failed"), "{out}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert_eq!(read_junit(&xml), (3, 1, 0), "{xml}");
    assert!(
        xml.contains("tests=\"3\" failures=\"1\" skipped=\"0\""),
        "{xml}"
    );
    let failure = &xml[xml.find("<failure ").unwrap()..];
    assert!(failure.contains("404"), "{failure}");
    assert!(!xml.contains("signet-demo-secret"));

    // Mistakes are said before anything is sent: an endpoint that does not exist, after one
    // that does, sends neither.
    std::fs::write(&list, "shop / me\nshop / no-such-endpoint\n").unwrap();
    let unknown = run(dir, &["check", "--file", list.to_str().unwrap()]).await;
    assert_eq!(unknown.status.code(), Some(2), "{}", text(&unknown));
    assert!(
        text(&unknown).contains("has no endpoint \"no-such-endpoint\""),
        "{}",
        text(&unknown)
    );
    // Each endpoint sent prints its line as it goes: none did.
    assert!(!text(&unknown).contains("pass "), "{}", text(&unknown));
    let none = run(dir, &["check"]).await;
    assert_eq!(none.status.code(), Some(2), "{}", text(&none));
    std::fs::write(&list, "shop / \n").unwrap();
    let bad = run(dir, &["check", "--file", list.to_str().unwrap()]).await;
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad));
    assert!(text(&bad).contains("line 1"), "{}", text(&bad));
    provider.shutdown().await;
}

/// Reads JUnit XML as a CI's JUnit reader does: every element, to the end; the counts of test
/// cases, failures and skipped cases.
fn read_junit(xml: &str) -> (usize, usize, usize) {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let (mut cases, mut failures, mut skipped) = (0, 0, 0);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) => match e.name().into_inner() {
                "testcase" => cases += 1,
                "failure" => failures += 1,
                "skipped" => skipped += 1,
                _ => {}
            },
            Ok(Event::Eof) => return (cases, failures, skipped),
            Ok(_) => {}
            Err(e) => panic!("the JUnit XML does not read: {e}\n{xml}"),
        }
    }
}
