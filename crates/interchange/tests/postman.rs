//! Postman import and export: collections in the shapes Postman writes (v2.0 and v2.1, auth at
//! each level, variables in auth fields, every signature method) imported field by field; the
//! round trip export → import is identity, for these collections and every preset; exports
//! validate against Postman's published v2.1 schema; hostile files are refused cleanly.

use std::path::PathBuf;

use proptest::prelude::*;
use serde_json::{Value, json};
use signet_connector::{AuthKind, Body, Connector, KeyPlacement, OAuth1, Param, VariableKind};
use signet_interchange::postman::{ExportOptions, ImportNote, Imported, NoteKind, export, import};
use signet_oauth1::flow::FlowMode;
use signet_oauth1::{CallbackMode, Placement, SignatureMethod};

fn fixture(name: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/postman")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn imported(name: &str, env: Option<&str>) -> Imported {
    let env = env.map(fixture);
    import(&fixture(name), env.as_deref()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn oauth(c: &Connector) -> &OAuth1 {
    c.oauth1().expect("an OAuth 1.0a method").2
}

fn endpoint<'a>(c: &'a Connector, name: &str) -> &'a signet_connector::Endpoint {
    c.endpoints
        .iter()
        .find(|e| e.name == name)
        .unwrap_or_else(|| panic!("no endpoint {name:?} in {:?}", names(c)))
}

fn names(c: &Connector) -> Vec<&str> {
    c.endpoints.iter().map(|e| e.name.as_str()).collect()
}

fn noted(notes: &[ImportNote], kind: NoteKind, text: &str) -> bool {
    notes
        .iter()
        .any(|n| n.kind == kind && n.message.contains(text))
}

fn params(pairs: &[(&str, &str)]) -> Vec<Param> {
    pairs.iter().map(|(k, v)| Param::new(*k, *v)).collect()
}

#[test]
fn a_v21_collection_with_auth_at_the_collection_level() {
    let im = imported("twitter.postman_collection.json", None);
    let c = &im.connector;
    assert_eq!(c.details.name, "Twitter API v1.1");
    assert!(c.details.description.starts_with("Statuses and users"));
    assert!(
        c.details.description.contains("pm.variables.set('started'"),
        "collection scripts kept"
    );

    // The method: every field Postman set.
    let o = oauth(c);
    assert_eq!(o.signature_method, SignatureMethod::HmacSha1);
    assert_eq!(o.placement, Placement::Header);
    assert!(o.include_version);
    assert!(!o.body_hash);
    assert!(!o.include_empty);
    assert_eq!(o.realm, None);
    assert_eq!(
        o.mode,
        FlowMode::PreIssuedToken,
        "a token is given: pre-issued"
    );
    assert_eq!(c.auth_methods[0].id, "oauth1");
    assert_eq!(c.auth_methods.len(), 2, "{:?}", c.auth_methods);
    assert!(matches!(c.auth_methods[1].kind, AuthKind::None));

    // The credentials went to the instance, through their variables.
    let i = &im.instance;
    assert_eq!(i.consumer_key, "xvz1evFS4wEEPTGEFPHBog");
    assert_eq!(
        i.consumer_secret.as_ref().unwrap().expose(),
        "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw"
    );
    let (token, secret) = i.token.as_ref().unwrap();
    assert_eq!(token, "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb");
    assert_eq!(secret.expose(), "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE");

    // Variables: only what requests use; credentials are not variables; names fixed.
    let vars: Vec<(&str, VariableKind, Option<&str>)> = c
        .variables
        .iter()
        .map(|v| (v.name.as_str(), v.kind, v.default.as_deref()))
        .collect();
    assert_eq!(
        vars,
        vec![
            (
                "base_url",
                VariableKind::Text,
                Some("https://api.twitter.com/1.1")
            ),
            ("screen_name", VariableKind::Text, Some("twitterapi")),
        ]
    );

    // Requests, in their folders.
    assert_eq!(
        names(c),
        vec![
            "Statuses / Update status",
            "Statuses / Home timeline",
            "Users / Show user",
            "Users / Rate limit status (public)"
        ]
    );
    let e = endpoint(c, "Statuses / Update status");
    assert_eq!(e.id, "statuses-update-status");
    assert_eq!(e.method, "POST");
    assert_eq!(e.url, "{{base_url}}/statuses/update.json");
    assert_eq!(e.query, params(&[("include_entities", "true")]));
    assert_eq!(e.headers, vec![], "the content type is the body's");
    assert_eq!(
        e.body,
        Body::Form {
            fields: params(&[(
                "status",
                "Hello Ladies + Gentlemen, a signed OAuth request!"
            )])
        }
    );
    assert_eq!(
        e.auth, None,
        "inherited from the collection: the first method"
    );
    assert!(e.description.starts_with("Posts a status"));
    assert!(
        e.description.contains("pm.test('created'"),
        "{}",
        e.description
    );
    let e = endpoint(c, "Statuses / Home timeline");
    assert_eq!(
        e.query,
        params(&[("count", "20"), ("since_id", "{since}")]),
        "decoded once"
    );
    assert_eq!(e.headers, params(&[("Accept", "application/json")]));
    let e = endpoint(c, "Users / Show user");
    assert_eq!(e.url, "{{base_url}}/users/show.json");
    assert_eq!(e.query, params(&[("screen_name", "{{screen_name}}")]));
    let e = endpoint(c, "Users / Rate limit status (public)");
    assert_eq!(e.auth.as_deref(), Some("none"));

    // The report: nothing left out silently.
    let n = &im.notes;
    assert!(
        noted(n, NoteKind::Dropped, "old_host is disabled"),
        "{n:#?}"
    );
    assert!(noted(n, NoteKind::Dropped, "form field lat is disabled"));
    assert!(noted(
        n,
        NoteKind::Dropped,
        "query parameter trim_user is disabled"
    ));
    assert!(noted(n, NoteKind::NotRun, "scripts"));
    assert!(noted(
        n,
        NoteKind::Changed,
        "\"screen name\" is called screen_name"
    ));
    assert!(noted(n, NoteKind::Info, "went into the instance"));
}

#[test]
fn a_v20_collection_with_auth_on_each_request() {
    let im = imported("trello.postman_collection.json", None);
    let c = &im.connector;
    assert_eq!(c.details.description, "Boards and cards.");
    assert_eq!(c.details.version, "2.1.0");
    assert_eq!(
        c.auth_methods.len(),
        1,
        "the same OAuth 1.0 settings on each request: one method"
    );
    let o = oauth(c);
    assert_eq!(o.signature_method, SignatureMethod::HmacSha512);
    assert_eq!(o.mode, FlowMode::PreIssuedToken);
    assert_eq!(im.instance.consumer_key, "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6");
    assert_eq!(
        im.instance.token.as_ref().unwrap().0,
        "ATTA0123456789abcdef"
    );
    for e in &c.endpoints {
        assert_eq!(e.auth.as_deref(), Some("oauth1"), "{}", e.name);
    }
    let e = endpoint(c, "My boards");
    assert_eq!(e.url, "https://api.trello.com/1/members/me/boards");
    assert_eq!(
        e.query,
        params(&[("fields", "name,url"), ("filter", "open")])
    );
    // A path variable, and headers written as text.
    let e = endpoint(c, "Card");
    assert_eq!(e.url, "https://api.trello.com/1/cards/{{card_id}}");
    assert_eq!(e.variables.len(), 1);
    assert_eq!(e.variables[0].name, "card_id");
    assert_eq!(
        e.variables[0].default.as_deref(),
        Some("5abbe4b7ddc1b351ef961414")
    );
    assert_eq!(
        e.headers,
        params(&[("Accept", "application/json"), ("X-Trace", "{{$uuid}}")])
    );
    // A raw JSON body (its type from the header), Postman's dynamic variables.
    let e = endpoint(c, "New card");
    assert_eq!(
        e.body,
        Body::Json {
            text: "{\"idList\": \"{{list_id}}\", \"name\": \"Made at {{$timestamp}} by {{postman_randomFirstName}}\"}".into()
        }
    );
    assert!(
        e.variables
            .iter()
            .any(|v| v.name == "postman_randomFirstName")
    );
    assert!(noted(
        &im.notes,
        NoteKind::Changed,
        "{{$randomFirstName}} has no Signet built-in"
    ));
    // A variable no file gives a value: a connector variable to fill in.
    let list = c
        .variables
        .iter()
        .find(|v| v.name == "list_id")
        .expect("list_id");
    assert_eq!(list.default, None);
    assert!(noted(&im.notes, NoteKind::Info, "{{list_id}} has no value"));
}

#[test]
fn folder_level_auth_with_a_realm_and_an_environment() {
    let im = imported(
        "netsuite.postman_collection.json",
        Some("netsuite.postman_environment.json"),
    );
    let c = &im.connector;
    // The folder's auth for the folder's requests; none for the one outside it.
    assert_eq!(c.auth_methods[0].id, "none");
    assert_eq!(endpoint(c, "Ping (no auth)").auth.as_deref(), Some("none"));
    for name in [
        "Records / Customer",
        "Records / New customer",
        "Records / SOAP search",
    ] {
        assert_eq!(endpoint(c, name).auth.as_deref(), Some("oauth1"), "{name}");
    }
    let o = oauth(c);
    assert_eq!(o.signature_method, SignatureMethod::HmacSha256);
    assert_eq!(o.realm.as_deref(), Some("{{account_realm}}"));
    assert!(o.body_hash);
    assert_eq!(o.mode, FlowMode::PreIssuedToken);
    // Credentials from the environment, secrets kept as secrets.
    let i = &im.instance;
    assert!(i.consumer_key.starts_with("ef40afdd"));
    assert!(
        i.consumer_secret
            .as_ref()
            .unwrap()
            .expose()
            .starts_with("d26ad321")
    );
    assert!(i.token.as_ref().unwrap().1.expose().starts_with("c29a677d"));
    // The environment's values are the instance's; the collection's stay defaults.
    let account = c.variables.iter().find(|v| v.name == "account").unwrap();
    assert_eq!(account.default.as_deref(), Some("1234567-sb1"));
    assert_eq!(
        i.values.get("account").map(String::as_str),
        Some("7654321-sb2")
    );
    assert_eq!(
        i.values.get("account_realm").map(String::as_str),
        Some("7654321_SB2")
    );
    let e = endpoint(c, "Records / Customer");
    assert_eq!(
        e.url,
        "https://{{account}}.suitetalk.api.netsuite.com/services/rest/record/v1/customer/{{id}}"
    );
    assert_eq!(e.variables[0].default.as_deref(), Some("107"));
    assert_eq!(e.headers, params(&[("Prefer", "transient")]));
    assert!(
        e.description.contains("fresh idempotency key"),
        "folder scripts kept"
    );
    let e = endpoint(c, "Records / Customers page");
    assert_eq!(
        e.query,
        params(&[
            ("limit", "{{page_size}}"),
            ("offset", "0"),
            ("q", "companyName START_WITH \"Acme\"")
        ])
    );
    let e = endpoint(c, "Records / New customer");
    assert!(matches!(&e.body, Body::Json { text } if text.contains("Acme & Sons")));
    assert_eq!(
        e.headers,
        params(&[("X-NetSuite-Idempotency-Key", "{{idem}}")])
    );
    let e = endpoint(c, "Records / SOAP search");
    assert_eq!(
        e.body,
        Body::Xml {
            text: "<search><criteria>{{account}}</criteria></search>".into()
        }
    );
    assert!(noted(&im.notes, NoteKind::Dropped, "unused is disabled"));
}

#[test]
fn token_requests_make_a_three_legged_method_and_every_auth_type_is_placed() {
    let im = imported("magento.postman_collection.json", None);
    let c = &im.connector;
    let o = oauth(c);
    assert_eq!(o.mode, FlowMode::ThreeLegged);
    assert_eq!(o.request_token.url, "{{store}}/oauth/initiate");
    assert_eq!(o.request_token.method, "POST");
    assert_eq!(o.authorize_url, "{{store}}/admin/oauth_authorize");
    assert_eq!(o.authorize_params, params(&[("store", "default")]));
    assert_eq!(o.access_token.url, "{{store}}/oauth/token");
    assert_eq!(
        o.callback.mode,
        CallbackMode::Oob,
        "the request-token request's callback"
    );
    assert_eq!(o.signature_method, SignatureMethod::Plaintext);
    assert_eq!(o.placement, Placement::Query);
    assert!(!o.include_version);
    assert!(o.include_empty);
    assert!(!o.body_hash, "no body hash with PLAINTEXT");
    // The token requests are steps, not endpoints.
    assert_eq!(
        names(c),
        vec![
            "Products",
            "Admin (basic)",
            "Stock (API key)",
            "Search (bearer)",
            "Reports (OAuth 2)",
            "Upload image"
        ]
    );
    // Basic, API key and Bearer methods, their secrets as secret variables.
    let method = |id: &str| {
        c.auth_method(id)
            .unwrap_or_else(|| panic!("no method {id}"))
    };
    assert_eq!(endpoint(c, "Admin (basic)").auth.as_deref(), Some("basic"));
    assert_eq!(
        method("basic").kind,
        AuthKind::Basic {
            username: "admin".into(),
            password: "{{admin_password}}".into()
        }
    );
    assert_eq!(
        method("api-key").kind,
        AuthKind::ApiKey {
            name: "X-Api-Key".into(),
            value: "{{api_key}}".into(),
            placement: KeyPlacement::Header
        }
    );
    assert_eq!(
        method("bearer").kind,
        AuthKind::ApiKey {
            name: "Authorization".into(),
            value: "Bearer {{bearer_token}}".into(),
            placement: KeyPlacement::Header
        }
    );
    for secret in ["admin_password", "api_key", "bearer_token"] {
        let v = c.variables.iter().find(|v| v.name == secret).unwrap();
        assert_eq!(v.kind, VariableKind::Secret, "{secret}");
        assert!(im.instance.secrets.contains_key(secret), "{secret}");
        assert!(v.default.is_none(), "a secret is never a default");
    }
    assert_eq!(im.instance.secrets["bearer_token"].expose(), "b34r3r-t0k3n");
    // OAuth 2: no Signet method; said so.
    assert_eq!(
        endpoint(c, "Reports (OAuth 2)").auth.as_deref(),
        Some("none")
    );
    assert!(noted(
        &im.notes,
        NoteKind::Dropped,
        "no method for oauth2 auth"
    ));
    // Form-data: its text fields; the file left out, said so.
    assert_eq!(
        endpoint(c, "Upload image").body,
        Body::Form {
            fields: params(&[("label", "front")])
        }
    );
    let n = &im.notes;
    assert!(noted(n, NoteKind::Dropped, "file field file"));
    assert!(noted(n, NoteKind::Changed, "multipart form"));
    assert!(noted(n, NoteKind::Changed, "fixed oauth_nonce"));
    assert!(noted(n, NoteKind::Changed, "fixed oauth_timestamp"));
    assert!(noted(n, NoteKind::Changed, "Encode OAuth signature"));
    assert!(noted(n, NoteKind::Changed, "Disable header encoding"));
    assert!(noted(n, NoteKind::Changed, "in the query"));
    assert!(noted(n, NoteKind::Info, "request-token request (step 3)"));
}

/// A one-request collection signed with `method` (v2.1, or v2.0 with `v20`).
fn with_method(method: SignatureMethod, v20: bool) -> String {
    let key = if method.is_rsa() {
        "privateKey"
    } else {
        "consumerSecret"
    };
    let pairs = [
        ("consumerKey", json!("ck")),
        (key, json!("{{signing_secret}}")),
        ("signatureMethod", json!(method.as_str())),
        ("addParamsToHeader", json!(true)),
    ];
    let (schema, auth) = if v20 {
        let obj: serde_json::Map<String, Value> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect();
        ("v2.0.0", Value::Object(obj))
    } else {
        (
            "v2.1.0",
            Value::Array(
                pairs
                    .iter()
                    .map(|(k, v)| json!({ "key": k, "value": v }))
                    .collect(),
            ),
        )
    };
    json!({
        "info": { "name": format!("{method}"), "schema": format!("https://schema.getpostman.com/json/collection/{schema}/collection.json") },
        "auth": { "type": "oauth1", "oauth1": auth },
        "variable": [{ "key": "signing_secret", "value": "the-secret-or-pem" }],
        "item": [{ "name": "x", "request": { "method": "GET", "url": "https://api.example.com/x" } }]
    })
    .to_string()
}

#[test]
fn every_signature_method_in_both_versions() {
    for method in SignatureMethod::ALL {
        for v20 in [false, true] {
            let im = import(&with_method(method, v20), None).unwrap();
            let o = oauth(&im.connector);
            assert_eq!(o.signature_method, method);
            assert_eq!(
                o.mode,
                FlowMode::OneLegged,
                "no token: consumer credentials only"
            );
            let i = &im.instance;
            if method.is_rsa() {
                assert_eq!(
                    i.rsa_private_key_pem.as_ref().unwrap().expose(),
                    "the-secret-or-pem"
                );
                assert!(i.consumer_secret.is_none());
            } else {
                assert_eq!(
                    i.consumer_secret.as_ref().unwrap().expose(),
                    "the-secret-or-pem"
                );
            }
            assert!(
                im.connector.variables.is_empty(),
                "a credential is no variable"
            );
        }
    }
    let odd = with_method(SignatureMethod::HmacSha1, false).replace("HMAC-SHA1", "HMAC-MD5");
    let im = import(&odd, None).unwrap();
    assert!(noted(
        &im.notes,
        NoteKind::Changed,
        "\"HMAC-MD5\" is not one of OAuth 1.0a's"
    ));
}

fn postman_schema() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(&fixture("schema/collection-v2.1.0.json")).unwrap();
    jsonschema::draft7::new(&schema).expect("Postman's schema compiles")
}

#[track_caller]
fn assert_valid(validator: &jsonschema::Validator, doc: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} is not a valid v2.1 collection:\n{}",
        errors.join("\n")
    );
}

#[test]
fn export_then_import_is_identity_and_postman_s_schema_validates_the_export() {
    let validator = postman_schema();
    let mut connectors: Vec<(String, Imported)> = [
        ("twitter.postman_collection.json", None),
        ("trello.postman_collection.json", None),
        (
            "netsuite.postman_collection.json",
            Some("netsuite.postman_environment.json"),
        ),
        ("magento.postman_collection.json", None),
        (
            "demo.postman_collection.json",
            Some("demo.postman_environment.json"),
        ),
    ]
    .into_iter()
    .map(|(f, e)| (f.to_owned(), imported(f, e)))
    .collect();
    // Every preset, as Signet makes it (callbacks, options and ids Postman has no field for).
    for p in signet_presets::Catalog::load().unwrap().presets() {
        let connector = p.connector().connector;
        connectors.push((
            format!("preset {}", p.id),
            Imported {
                connector,
                instance: Default::default(),
                notes: Vec::new(),
            },
        ));
    }
    assert!(connectors.len() > 8);
    for (what, im) in &connectors {
        for include_secrets in [false, true] {
            let doc = export(
                &im.connector,
                &im.instance,
                &ExportOptions { include_secrets },
            );
            assert_valid(&validator, &doc, what);
            let again = import(&doc.to_string(), None)
                .unwrap_or_else(|e| panic!("{what}: the export does not import: {e}\n{doc:#}"));
            assert_eq!(
                again.connector, im.connector,
                "{what}: the round trip changed the connector"
            );
            let i = &again.instance;
            assert_eq!(i.consumer_key, im.instance.consumer_key, "{what}");
            if include_secrets {
                assert_eq!(
                    i.consumer_secret.as_ref().map(|s| s.expose().to_owned()),
                    im.instance
                        .consumer_secret
                        .as_ref()
                        .map(|s| s.expose().to_owned()),
                    "{what}"
                );
                assert_eq!(
                    i.token.as_ref().map(|t| t.0.clone()),
                    im.instance.token.as_ref().map(|t| t.0.clone()),
                    "{what}"
                );
            }
        }
    }
}

#[test]
fn the_demo_collection_maps_its_token_requests_callback_and_path_variables() {
    let im = imported(
        "demo.postman_collection.json",
        Some("demo.postman_environment.json"),
    );
    let c = &im.connector;
    let o = oauth(c);
    assert_eq!(o.mode, FlowMode::ThreeLegged);
    assert_eq!(o.request_token.url, "{{base_url}}/oauth/request_token");
    assert_eq!(o.authorize_url, "{{base_url}}/oauth/authorize");
    assert!(
        o.authorize_params.is_empty(),
        "oauth_token is Signet's to add"
    );
    assert_eq!(o.access_token.url, "{{base_url}}/oauth/access_token");
    assert_eq!(o.callback.mode, CallbackMode::Loopback);
    assert_eq!(
        (o.callback.loopback_port, o.callback.loopback_path.as_str()),
        (0, "/callback")
    );
    let e = endpoint(c, "Shop / Order");
    assert_eq!(e.url, "{{base_url}}/api/orders/{{order_id}}");
    assert_eq!(e.variables[0].default.as_deref(), Some("1002"));
    assert_eq!(
        endpoint(c, "Shop / New note").body,
        Body::Form {
            fields: params(&[("title", "From Postman"), ("text", "café & more")])
        }
    );
    // The token variables are the instance's; empty ones give no token.
    assert!(im.instance.token.is_none());
    assert_eq!(c.variables.len(), 1, "{:?}", c.variables);
}

#[test]
fn postman_s_schema_refuses_what_is_no_collection() {
    let v = postman_schema();
    assert!(!v.is_valid(&json!({ "info": { "name": "x", "schema": "s" }, "item": 5 })));
    assert!(!v.is_valid(&json!({ "item": [] })), "info is required");
    assert!(!v.is_valid(&json!({ "info": { "name": "x", "schema": "s" }, "item": [], "auth": { "type": "kerberos" } })));
}

#[test]
fn an_export_without_secrets_holds_none() {
    let im = imported(
        "netsuite.postman_collection.json",
        Some("netsuite.postman_environment.json"),
    );
    let text = export(&im.connector, &im.instance, &ExportOptions::default()).to_string();
    for secret in [
        im.instance.consumer_secret.as_ref().unwrap().expose(),
        im.instance.token.as_ref().unwrap().1.expose(),
        im.instance.token.as_ref().unwrap().0.as_str(),
    ] {
        assert!(!text.contains(secret), "a secret in the export");
    }
    assert!(text.contains("{{consumer_secret}}"));
    let shown = export(
        &im.connector,
        &im.instance,
        &ExportOptions {
            include_secrets: true,
        },
    )
    .to_string();
    assert!(shown.contains(im.instance.consumer_secret.as_ref().unwrap().expose()));
}

#[test]
fn hostile_and_malformed_files_are_refused_with_where_and_why() {
    let refused = |text: &str| {
        import(text, None)
            .expect_err(text.get(..80).unwrap_or(text))
            .to_string()
    };
    assert!(refused("not json").contains("is not JSON"));
    assert!(refused("[1, 2]").contains("not a JSON object"));
    assert!(refused("{}").contains("info.schema: is missing"));
    assert!(
        refused(r#"{"info": {"schema": "https://schema.getpostman.com/json/collection/v1.0.0/collection.json"}}"#)
            .contains("v1 collection")
    );
    assert!(
        refused(r#"{"info": {"schema": "https://schema.getpostman.com/json/collection/v9/collection.json"}}"#)
            .contains("not a collection format Signet reads")
    );
    assert!(refused(r#"{"name": "env", "values": []}"#).contains("a Postman environment"));
    let v21 = |items: &str| {
        format!(
            r#"{{"info": {{"name": "x", "schema": "{}"}}, "item": {items}}}"#,
            signet_interchange::postman::SCHEMA_V21
        )
    };
    assert!(refused(&v21("7")).contains("item: is not a list"));
    assert!(refused(&v21("[7]")).contains("item[0]: is not a request or a folder"));
    // 50 MB.
    let big = format!("{{\"pad\": \"{}\"}}", "x".repeat(50 * 1024 * 1024));
    assert!(refused(&big).contains("at most 20 MB"));
    // Deeply nested JSON, and folders nested deeper than any real collection.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(refused(&deep).contains("nested more than 128 levels"));
    let mut folders = r#"{"name": "r", "request": {"url": "https://x.example/"}}"#.to_owned();
    for _ in 0..40 {
        folders = format!(r#"{{"name": "f", "item": [{folders}]}}"#);
    }
    assert!(refused(&v21(&format!("[{folders}]"))).contains("nested more than 32 deep"));
    // A huge text.
    let huge = v21(&format!(
        r#"[{{"name": "r", "request": {{"url": "https://x.example/{}"}}}}]"#,
        "a".repeat(3 * 1024 * 1024)
    ));
    let e = refused(&huge);
    assert!(
        e.contains("item[0].request.url: is a text of 3.0 MB"),
        "{e}"
    );
    // An auth type Postman does not have, or no type at all: refused, where it is.
    let e = refused(&v21(
        r#"[{"name": "K", "request": {"url": "https://x.example/", "auth": {"type": "kerberos"}}}]"#,
    ));
    assert!(
        e.contains("item[0].request.auth.type: \"kerberos\" is not an auth type Postman has"),
        "{e}"
    );
    let e = refused(&format!(
        r#"{{"info": {{"name": "x", "schema": "{}"}}, "auth": {{"oauth1": []}}, "item": []}}"#,
        signet_interchange::postman::SCHEMA_V21
    ));
    assert!(e.contains("auth.type: is missing"), "{e}");
    // A request whose URL cannot be signed: named by the request.
    let e = refused(&v21(
        r#"[{"name": "Bad", "request": {"url": "ftp://x.example/a"}}]"#,
    ));
    assert!(e.contains("the request \"Bad\".url"), "{e}");
}

#[test]
fn a_request_with_unknown_auth_or_odd_parts_still_imports_and_says_what_changed() {
    let text = json!({
        "info": { "name": "Odd", "schema": signet_interchange::postman::SCHEMA_V21 },
        "item": [
            { "name": "Hawk", "request": { "auth": { "type": "hawk", "hawk": [] }, "url": "api.example.com/a b/c#frag" } },
            { "name": "No request" },
            { "name": "As text", "request": "https://api.example.com/plain" }
        ]
    })
    .to_string();
    let im = import(&text, None).unwrap();
    let c = &im.connector;
    let e = endpoint(c, "Hawk");
    assert_eq!(e.url, "http://api.example.com/a%20b/c");
    assert_eq!(endpoint(c, "As text").url, "https://api.example.com/plain");
    let n = &im.notes;
    assert!(noted(n, NoteKind::Dropped, "no method for hawk auth"));
    assert!(noted(n, NoteKind::Changed, "no scheme"));
    assert!(noted(n, NoteKind::Changed, "spaces in the URL's path"));
    assert!(noted(n, NoteKind::Dropped, "#fragment"));
    assert!(noted(n, NoteKind::Dropped, "has no request"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Any JSON in the places a collection has: an answer, never a panic.
    #[test]
    fn the_importer_never_panics(
        value in any_json(4),
        place in 0usize..8,
    ) {
        let mut doc: Value = serde_json::from_str(&fixture("twitter.postman_collection.json")).unwrap();
        let target = match place {
            0 => &mut doc["auth"],
            1 => &mut doc["variable"],
            2 => &mut doc["item"][0]["item"][0]["request"],
            3 => &mut doc["item"][0]["item"][0]["request"]["url"],
            4 => &mut doc["item"][0]["item"][0]["request"]["body"],
            5 => &mut doc["item"][1],
            6 => &mut doc["auth"]["oauth1"][0]["value"],
            _ => &mut doc["item"][0]["item"][1]["request"]["header"],
        };
        *target = value;
        let _ = import(&doc.to_string(), None);
    }

    /// Any text: an answer, never a panic.
    #[test]
    fn any_text_is_answered(text in ".{0,400}") {
        let _ = import(&text, None);
        let _ = import(&fixture("demo.postman_collection.json"), Some(&text));
    }
}

fn any_json(depth: u32) -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        "[{}a-z:/?&=%$ ]{0,30}".prop_map(Value::String),
        Just(json!("oauth1")),
        Just(json!("{{x}}")),
    ];
    leaf.prop_recursive(depth, 40, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("type".to_owned()),
                    Just("key".to_owned()),
                    Just("value".to_owned()),
                    Just("url".to_owned()),
                    Just("raw".to_owned()),
                    Just("mode".to_owned()),
                    Just("oauth1".to_owned()),
                    Just("item".to_owned()),
                    "[a-z]{1,8}",
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

#[test]
fn braces_that_are_no_reference_survive_the_round_trip() {
    // Found by the fuzzer: a `{{` that is no reference is text in Postman; Signet escapes it
    // and the export writes it back as Postman text.
    let text = json!({
        "info": { "name": "Braces", "schema": signet_interchange::postman::SCHEMA_V21 },
        "item": [{
            "name": "r",
            "request": {
                "method": "POST",
                "url": "{{sto}i/rae}p/reports",
                "header": [{ "key": "X-T", "value": "a {{ b" }],
                "body": { "mode": "raw", "raw": "{\"t\": \"{{}}\", \"u\": \"{{$randomUUID}}\"}", "options": { "raw": { "language": "json" } } }
            }
        }]
    })
    .to_string();
    let first = import(&text, None).unwrap();
    let out = export(&first.connector, &first.instance, &ExportOptions::default());
    let raw = out["item"][0]["request"]["url"]["raw"].as_str().unwrap();
    assert_eq!(raw, "{{sto}i/rae}p/reports", "Postman text, unescaped");
    assert_eq!(out["item"][0]["request"]["header"][0]["value"], "a {{ b");
    assert!(
        out["item"][0]["request"]["body"]["raw"]
            .as_str()
            .unwrap()
            .contains("{{$guid}}")
    );
    let back = import(&out.to_string(), None).unwrap();
    assert_eq!(back.connector, first.connector);
}

#[test]
fn a_query_after_a_brace_that_opens_nothing_is_still_the_query() {
    // Found by the fuzzer: `{{` that never closes must not hide the `?` after it.
    let text = json!({
        "info": { "name": "Q", "schema": signet_interchange::postman::SCHEMA_V21 },
        "item": [{ "name": "r", "request": { "url": "https://x{{a}b.example/c/:id?e=1", "method": "GET" } }]
    })
    .to_string();
    let first = import(&text, None).unwrap();
    let e = &first.connector.endpoints[0];
    assert_eq!(e.url, "https://x\\{{a}b.example/c/{{id}}");
    assert_eq!(e.query, params(&[("e", "1")]));
    let out = export(&first.connector, &first.instance, &ExportOptions::default());
    assert_eq!(
        import(&out.to_string(), None).unwrap().connector,
        first.connector
    );
}
