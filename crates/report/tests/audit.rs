//! An audit report as HTML and JSON: every check is there with its verdict, holes first; a
//! hostile answer stays text; nothing secret is written; the page calls nowhere.

use signet_audit::{
    Answer, AuditReport, Change, CheckId, CheckResult, SentRequest, TokenOutcome, Verdict,
};
use signet_oauth1::flow::{RecordedRequest, RecordedResponse};
use signet_oauth1::{
    HttpRequest, OAuthParams, Secret, SignOptions, SignatureMethod, Signer, sign_traced,
};
use signet_report::About;

const CONSUMER_SECRET: &str = "kd94hf93k423kf44";
const TOKEN_SECRET: &str = "pfkkdhi9sl3r4s00";

fn sent(signature_changed: bool) -> SentRequest {
    let signer = Signer::shared(
        SignatureMethod::HmacSha1,
        &Secret::new(CONSUMER_SECRET),
        Some(&Secret::new(TOKEN_SECRET)),
    )
    .unwrap();
    let req = HttpRequest {
        method: "GET",
        url: "http://photos.example.net/photos?file=vacation.jpg&size=original",
        content_type: None,
        body: None,
    };
    let oauth = OAuthParams {
        consumer_key: "dpf43f3p2l4k3l03",
        token: Some("nnch734d00sl2jdk"),
        callback: None,
        verifier: None,
        nonce: "kllo9940pd9333jh",
        timestamp: "1191242096",
        realm: None,
        extra: &[],
    };
    let (signed, trace) = sign_traced(&req, &oauth, &signer, &SignOptions::default()).unwrap();
    let changes = if signature_changed {
        vec![Change {
            part: "oauth_signature".into(),
            valid: signed.signature().into(),
            sent: "B".to_owned() + &signed.signature()[1..],
            note: "its first character changed".into(),
        }]
    } else {
        vec![]
    };
    SentRequest {
        request: RecordedRequest {
            method: "GET".into(),
            url: signed.url.to_string(),
            headers: vec![(
                "Authorization".into(),
                signed.authorization.clone().unwrap_or_default(),
            )],
            content_type: None,
            body: None,
        },
        trace,
        changes,
    }
}

fn answer(status: u16, body: &str) -> Answer {
    Answer {
        response: Some(RecordedResponse {
            status,
            headers: vec![("Content-Type".into(), "text/html".into())],
            body: body.into(),
            body_bytes: body.len(),
            truncated: false,
        }),
        transport_error: None,
        problem: (status == 401).then(|| "signature_invalid".into()),
        advice: None,
    }
}

fn report() -> AuditReport {
    let mut wrong = CheckResult::new(
        CheckId::ResourceSignature,
        Verdict::NotEnforced,
        "the provider answered 200 to a request whose signature was wrong".into(),
    );
    wrong.sent = Some(sent(true));
    wrong.answer = Some(answer(
        200,
        "<script>alert('owned')</script><img src=x onerror=alert(1)>",
    ));
    let mut refused = CheckResult::new(
        CheckId::RequestTokenSignature,
        Verdict::Enforced,
        "refused with 401".into(),
    );
    refused.sent = Some(sent(true));
    refused.answer = Some(answer(401, "oauth_problem=signature_invalid"));
    let checks = vec![
        refused,
        CheckResult::new(
            CheckId::PlaintextOverHttp,
            Verdict::DoesNotApply,
            "the connector signs with HMAC-SHA1".into(),
        ),
        wrong,
        CheckResult::new(
            CheckId::StatusCodes,
            Verdict::CouldNotTell,
            "no refusal came back to read".into(),
        ),
    ];
    AuditReport {
        provider: "photos.example.net".into(),
        signature_method: "HMAC-SHA1".into(),
        placement: "header".into(),
        started_ms: 1_796_000_000_000,
        finished_ms: 1_796_000_004_200,
        score: AuditReport::score_of(&checks),
        checks,
        requests_sent: 19,
        token: TokenOutcome::Reissued {
            token: "nnch734d00sl2jdk".into(),
        },
        warnings: vec!["the provider's clock is <5 minutes> ahead".into()],
    }
}

fn about() -> About {
    About {
        connector: "Photos <demo>".into(),
        instance: "Default".into(),
        written_ms: 1_796_000_060_000,
        version: "0.1.0".into(),
    }
}

#[test]
fn the_page_has_the_scorecard_and_every_check_holes_first() {
    let h = signet_report::audit::html(&report(), &about());
    assert!(h.contains("<h1>photos.example.net</h1>"), "{h}");
    assert!(
        h.contains("<title>Signet audit of photos.example.net: 1 of 2 checks enforced</title>")
    );
    assert!(h.contains("1 required not enforced"));
    assert!(h.contains("<dt>Connector</dt><dd>Photos &lt;demo&gt;</dd>"));
    assert!(h.contains("<dt>Started</dt><dd>Mon, 30 Nov 2026 00:53:20 GMT</dd>"));
    assert!(h.contains("<dt>Took</dt><dd>4.2 s</dd>"));
    assert!(h.contains("<dt>Requests sent</dt><dd>19</dd>"));
    assert!(h.contains("a new access token (<code>nnch734d00sl2jdk</code>)"));
    assert!(h.contains("the provider&#39;s clock is &lt;5 minutes&gt; ahead"));
    // One summary row and one section per check, in the order: not enforced, could not
    // tell, enforced, does not apply.
    let order: Vec<usize> = [
        "id=\"resource_signature\"",
        "id=\"status_codes\"",
        "id=\"request_token_signature\"",
        "id=\"plaintext_over_http\"",
    ]
    .iter()
    .map(|id| h.find(id).unwrap_or_else(|| panic!("{id} missing")))
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    assert_eq!(h.matches("<section class=\"card check ").count(), 4);
    assert_eq!(h.matches("<a href=\"#").count(), 4);
    // The hole says what it means; the others why they matter.
    assert!(h.contains("<strong>What it means:</strong>"));
    assert_eq!(h.matches("Why it matters: when not enforced,").count(), 3);
    assert!(h.contains("<p>The provider answered 200 to a request whose signature was wrong</p>"));
    // The diff, the request, the answer, the signing trace.
    assert!(h.contains("<td>its first character changed</td>"));
    assert!(h.contains("<pre class=\"wire\">GET http://photos.example.net/photos?file=vacation.jpg&amp;size=original\nAuthorization: OAuth "));
    assert!(h.contains("<h4>What came back: <code>signature_invalid</code></h4>"));
    assert!(h.contains("<dt>Signature base string</dt><dd><code class=\"value\">GET&amp;http%3A%2F%2Fphotos.example.net%2Fphotos&amp;file%3Dvacation.jpg"));
}

#[test]
fn a_hostile_answer_stays_text_and_the_page_calls_nowhere() {
    let h = signet_report::audit::html(&report(), &about());
    assert!(h.contains(
        "&lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"
    ));
    assert!(!h.contains("<script"), "a script element in the page");
    assert!(!h.contains("<img"), "an image element in the page");
    assert!(!h.contains(" src=\""), "a source attribute in the page");
    assert!(h.contains("default-src 'none'"));
    // Links stay inside the page.
    for link in h.split("href=\"").skip(1) {
        assert!(
            link.starts_with('#'),
            "a link out of the page: {}",
            &link[..40.min(link.len())]
        );
    }
}

#[test]
fn no_secret_is_written() {
    let r = report();
    let h = signet_report::audit::html(&r, &about());
    let j = signet_report::audit::json(&r);
    for text in [&h, &j] {
        assert!(
            !text.contains(CONSUMER_SECRET),
            "the consumer secret is in a report"
        );
        assert!(
            !text.contains(TOKEN_SECRET),
            "the token secret is in a report"
        );
    }
}

#[test]
fn the_json_is_the_report_itself() {
    let r = report();
    let j = signet_report::audit::json(&r);
    let back: AuditReport = serde_json::from_str(&j).unwrap();
    assert_eq!(back, r);
    assert!(j.ends_with("}\n"));
}
