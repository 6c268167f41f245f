//! Every signing vector in `tests/vectors/` (RFC 5849 examples and 500 cases computed
//! by Python oauthlib), plus every `*.json` in the directories named by `SIGNET_VECTOR_DIRS`
//! (colon-separated). Base string and signature must match exactly; the emitted header, URL and
//! body are compared by their decoded parameters. Each signed request is then read back by the
//! provider-side inspector and must verify.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use signet_oauth1::encoding::{form_decode, lossy};
use signet_oauth1::parameters::split_pairs;
use signet_oauth1::vector::VectorRequest;
use signet_oauth1::verify::inspect;
use signet_oauth1::{
    AuthorizationHeader, HttpRequest, RsaPrivateKeyPem, Secret, Verifier, sign_traced,
};

#[derive(Deserialize)]
struct File {
    vectors: Vec<Vector>,
}

#[derive(Deserialize)]
struct Vector {
    id: String,
    #[serde(flatten)]
    request: VectorRequest,
    expected: Expected,
}

#[derive(Deserialize)]
struct Expected {
    base_string: Option<String>,
    signature: Option<String>,
    oauth_params: Option<BTreeMap<String, String>>,
    authorization_header: Option<String>,
    signed_url: Option<String>,
    signed_body: Option<String>,
}

fn vector_dirs() -> Vec<PathBuf> {
    let mut dirs = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors")];
    if let Ok(extra) = std::env::var("SIGNET_VECTOR_DIRS") {
        dirs.extend(
            extra
                .split(':')
                .filter(|s| !s.is_empty())
                .map(PathBuf::from),
        );
    }
    dirs
}

type Multiset = BTreeMap<(String, String), usize>;

fn multiset<'a>(pairs: impl Iterator<Item = (String, String)> + 'a) -> Multiset {
    let mut m = BTreeMap::new();
    for p in pairs {
        *m.entry(p).or_insert(0) += 1;
    }
    m
}

fn form_pairs(s: &str) -> Multiset {
    multiset(split_pairs(s).map(|(k, v)| {
        (
            lossy(&form_decode(k)).into_owned(),
            lossy(&form_decode(v)).into_owned(),
        )
    }))
}

fn split_url(url: &str) -> (String, Multiset) {
    let (before_fragment, _) = url.split_once('#').unwrap_or((url, ""));
    let (base, query) = before_fragment
        .split_once('?')
        .unwrap_or((before_fragment, ""));
    // Scheme and host are case-insensitive (oauthlib lower-cases them when it rebuilds the URL).
    let (scheme, rest) = base.split_once("://").unwrap_or(("", base));
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    (
        format!(
            "{}://{}{path}",
            scheme.to_ascii_lowercase(),
            authority.to_ascii_lowercase()
        ),
        form_pairs(query),
    )
}

fn check(v: &Vector, dir: &Path) -> Result<(), String> {
    let r = &v.request;
    let key = match (r.signature_method.is_rsa(), &r.rsa_private_key) {
        (true, Some(name)) => {
            let pem =
                std::fs::read_to_string(dir.join(name)).map_err(|e| format!("{name}: {e}"))?;
            Some(RsaPrivateKeyPem::parse(&pem).map_err(|e| e.to_string())?)
        }
        (true, None) => return Err("rsa vector without rsa_private_key".into()),
        (false, _) => None,
    };
    let signer = r.signer(key.as_ref()).map_err(|e| e.to_string())?;
    let req = r.http_request();
    let oauth = r.oauth_params();
    let opts = r.options();
    let signed = r.sign(&signer).map_err(|e| e.to_string())?;
    let e = &v.expected;
    if let Some(b) = &e.base_string
        && *b != signed.base_string
    {
        return Err(format!(
            "base string\n  expected {b}\n  got      {}",
            signed.base_string
        ));
    }
    if let Some(s) = &e.signature
        && *s != signed.signature()
    {
        return Err(format!(
            "signature: expected {s}, got {}",
            signed.signature()
        ));
    }
    if let Some(p) = &e.oauth_params {
        let got: BTreeMap<String, String> = signed
            .oauth_params()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        if *p != got {
            return Err(format!("oauth params: expected {p:?}, got {got:?}"));
        }
    }
    match (&e.authorization_header, &signed.authorization) {
        (Some(exp), Some(got)) => {
            let (a, b) = (
                AuthorizationHeader::parse(exp).map_err(|e| e.to_string())?,
                AuthorizationHeader::parse(got).map_err(|e| e.to_string())?,
            );
            if a.realm != b.realm
                || multiset(a.params.into_iter()) != multiset(b.params.into_iter())
            {
                return Err(format!(
                    "authorization header\n  expected {exp}\n  got      {got}"
                ));
            }
        }
        (Some(exp), None) => return Err(format!("expected an authorization header {exp}")),
        (None, Some(got)) if e.signed_url.is_some() => {
            return Err(format!("unexpected authorization header {got}"));
        }
        _ => {}
    }
    if let Some(exp) = &e.signed_url
        && split_url(exp) != split_url(&signed.url)
    {
        return Err(format!(
            "signed url\n  expected {exp}\n  got      {}",
            signed.url
        ));
    }
    match (&e.signed_body, &signed.body) {
        (Some(exp), Some(got)) => {
            let got = String::from_utf8(got.to_vec()).map_err(|e| e.to_string())?;
            if form_pairs(exp) != form_pairs(&got) {
                return Err(format!("signed body\n  expected {exp}\n  got      {got}"));
            }
        }
        (Some(exp), None) => return Err(format!("expected a body {exp}")),
        (None, Some(got)) if e.signed_url.is_some() => {
            return Err(format!("unexpected body {}", String::from_utf8_lossy(got)));
        }
        _ => {}
    }

    // The traced path computes exactly the same request.
    let (traced, trace) = sign_traced(&req, &oauth, &signer, &opts).map_err(|e| e.to_string())?;
    if traced != signed {
        return Err("sign_traced differs from sign".into());
    }
    if trace.base_string != signed.base_string {
        return Err("the trace's base string differs".into());
    }
    let signed_in_trace = trace.parameters.iter().filter(|p| p.signed).count();
    let normalized_count = if trace.normalized_parameters.is_empty() {
        0
    } else {
        trace.normalized_parameters.split('&').count()
    };
    if signed_in_trace != normalized_count {
        return Err(format!(
            "trace marks {signed_in_trace} parameters signed, the normalized string has {normalized_count}"
        ));
    }

    // The provider side reads the signed request back and verifies it.
    let incoming = inspect(
        &HttpRequest {
            method: &signed.method,
            url: &signed.url,
            content_type: signed.content_type,
            body: signed.body.as_deref(),
        },
        signed.authorization.as_deref(),
    )
    .map_err(|e| format!("inspect: {e}"))?;
    if incoming.base_string != signed.base_string {
        return Err(format!(
            "verifier rebuilt a different base string\n  signed  {}\n  rebuilt {}",
            signed.base_string, incoming.base_string
        ));
    }
    let verifier = if let Some(key) = &key {
        Verifier::Rsa(key.public_key())
    } else {
        Verifier::Shared {
            consumer_secret: Secret::new(r.consumer_secret.clone().unwrap_or_default()),
            token_secret: r.token_secret.clone().map(Secret::new),
        }
    };
    if !incoming.verify(&verifier) {
        return Err("the inspector could not verify the signature".into());
    }
    Ok(())
}

#[test]
fn every_vector_signs_exactly_like_the_reference() {
    let mut total = 0;
    let mut failures = Vec::new();
    for dir in vector_dirs() {
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("vector directory {} cannot be read: {e}", dir.display()));
        let mut files: Vec<PathBuf> = entries
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        assert!(!files.is_empty(), "no *.json vectors in {}", dir.display());
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            let file: File = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{}: not in the vector format: {e}", path.display()));
            for v in &file.vectors {
                total += 1;
                if let Err(e) = check(v, &dir) {
                    failures.push(format!(
                        "{} ({}): {e}",
                        v.id,
                        path.file_name().unwrap().to_string_lossy()
                    ));
                }
            }
        }
    }
    eprintln!("checked {total} vectors, {} failed", failures.len());
    assert!(
        total >= 505,
        "expected the 5 RFC and 500 oauthlib vectors at least, found {total}"
    );
    assert!(
        failures.is_empty(),
        "{} of {total} vectors failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
