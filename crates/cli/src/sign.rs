//! `signet sign`: the trace, the signed request and a curl command; or, with `--json`, one
//! request in the vector format on stdin and its base string, signature and parameters out.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use serde::Serialize;
use signet_engine::Clock;
use signet_engine::nonce::nonce;
use signet_oauth1::vector::VectorRequest;
use signet_oauth1::{
    HttpRequest, OAuthParams, RsaPrivateKeyPem, Secret, SignOptions, SignatureMethod, Signed,
    Signer, sign_traced,
};

use crate::args::{CredentialArgs, RequestArgs, SignArgs};
use crate::exit::{Failure, Outcome};
use crate::output;

/// The consumer key and the signer the flags describe, for a request with `token_secret`.
pub fn signer(c: &CredentialArgs, token_secret: Option<&str>) -> Result<(String, Signer), Failure> {
    let key = c.consumer_key.clone().ok_or_else(|| {
        Failure::usage(
            "no consumer key",
            "pass --consumer-key (or set SIGNET_CONSUMER_KEY)",
        )
    })?;
    let signer = if c.signature_method.is_rsa() {
        let path = c.rsa_key.as_ref().ok_or_else(|| {
            Failure::usage(
                format!("{} needs an RSA private key", c.signature_method),
                "pass --rsa-key FILE with the PEM private key (PKCS#1 or PKCS#8)",
            )
        })?;
        Signer::rsa(c.signature_method, &read_rsa_key(path)?)
            .map_err(usage)?
            .with_blinding(signet_engine::nonce::blinding_seed())
    } else {
        if c.rsa_key.is_some() {
            return Err(Failure::usage(
                format!(
                    "--rsa-key was given but {} uses a consumer secret",
                    c.signature_method
                ),
                "pass --signature-method RSA-SHA1 (or RSA-SHA256/512), or --consumer-secret instead of --rsa-key",
            ));
        }
        let secret = c.consumer_secret.clone().ok_or_else(|| {
            Failure::usage(
                format!("{} needs the consumer secret", c.signature_method),
                "pass --consumer-secret (or set SIGNET_CONSUMER_SECRET)",
            )
        })?;
        let ts = token_secret.map(Secret::new);
        Signer::shared(c.signature_method, &Secret::new(secret), ts.as_ref()).map_err(usage)?
    };
    Ok((key, signer))
}

/// Reads and parses a PEM private key file.
pub fn read_rsa_key(path: &Path) -> Result<RsaPrivateKeyPem, Failure> {
    let pem = std::fs::read_to_string(path).map_err(|e| {
        Failure::usage(
            format!("cannot read the rsa key {}: {e}", path.display()),
            "check the path and that the file is readable",
        )
    })?;
    RsaPrivateKeyPem::parse(&pem).map_err(usage)
}

/// Sign options from the flags.
pub fn options(c: &CredentialArgs) -> SignOptions {
    SignOptions {
        placement: c.placement,
        include_version: !c.no_version,
        include_empty: c.include_empty,
        body_hash: c.body_hash,
    }
}

fn usage(e: signet_oauth1::Error) -> Failure {
    let report = signet_oauth1::ErrorReport::from(&e);
    Failure::usage(
        report.message,
        report
            .hint
            .unwrap_or_else(|| "check the flags and try again".into()),
    )
}

/// The content type to send: the given one, else form when there is a body.
pub fn content_type(r: &RequestArgs) -> Option<String> {
    r.content_type.clone().or_else(|| {
        r.body
            .as_ref()
            .map(|_| signet_oauth1::request::FORM.to_owned())
    })
}

/// The HTTP request the flags describe (`ct`: see [`content_type`]).
pub fn http_request<'a>(r: &'a RequestArgs, url: &'a str, ct: Option<&'a str>) -> HttpRequest<'a> {
    HttpRequest {
        method: &r.method,
        url,
        content_type: ct,
        body: r.body.as_deref().map(str::as_bytes),
    }
}

/// The protocol parameters the flags describe, with this nonce and timestamp.
pub fn oauth_params<'a>(
    r: &'a RequestArgs,
    consumer_key: &'a str,
    nonce: &'a str,
    timestamp: &'a str,
    realm: Option<&'a str>,
) -> OAuthParams<'a> {
    OAuthParams {
        consumer_key,
        token: r.token.as_deref(),
        callback: r.callback.as_deref(),
        verifier: r.verifier.as_deref(),
        nonce,
        timestamp,
        realm,
        extra: &[],
    }
}

/// Runs `signet sign`.
pub fn run(a: SignArgs) -> Outcome {
    if a.json {
        return run_json(&a);
    }
    let r = &a.request;
    let url = r
        .url
        .clone()
        .ok_or_else(|| Failure::usage("no url", "pass --url with the absolute URL to sign"))?;
    let (consumer_key, signer) = signer(&a.credentials, r.token_secret.as_deref())?;
    let nonce = a.nonce.clone().unwrap_or_else(nonce);
    let timestamp = a
        .timestamp
        .clone()
        .unwrap_or_else(|| Clock::default().timestamp().to_string());
    let ct = content_type(r);
    let req = http_request(r, &url, ct.as_deref());
    let oauth = oauth_params(
        r,
        &consumer_key,
        &nonce,
        &timestamp,
        a.credentials.realm.as_deref(),
    );
    let (signed, trace) =
        sign_traced(&req, &oauth, &signer, &options(&a.credentials)).map_err(usage)?;
    out!("{}", output::trace(&trace));
    let reveal = a.show_secrets || a.credentials.signature_method != SignatureMethod::Plaintext;
    out!("{}", output::signed_request(&signed, reveal));
    Ok(())
}

/// What `signet sign --json` prints.
#[derive(Debug, Serialize)]
struct VectorResult {
    base_string: String,
    signature: String,
    oauth_params: BTreeMap<String, String>,
    authorization_header: Option<String>,
    signed_url: String,
    signed_body: Option<String>,
}

fn run_json(a: &SignArgs) -> Outcome {
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input).map_err(|e| {
        Failure::usage(
            format!("cannot read stdin: {e}"),
            "pipe one JSON request into signet sign --json",
        )
    })?;
    let v: VectorRequest = serde_json::from_str(&input).map_err(|e| {
        Failure::usage(
            format!("stdin is not a request in the vector format: {e}"),
            "see crates/oauth1/tests/vectors/README.md for the fields (method, url, consumer_key, signature_method, nonce, timestamp, ...)",
        )
    })?;
    let key = if v.signature_method.is_rsa() {
        Some(match (&a.credentials.rsa_key, &v.rsa_private_key) {
            (Some(path), _) => read_rsa_key(path)?,
            (None, Some(k)) if k.contains("-----BEGIN") => {
                RsaPrivateKeyPem::parse(k).map_err(usage)?
            }
            (None, Some(name)) => read_rsa_key(Path::new(name))?,
            (None, None) => {
                return Err(Failure::usage(
                    "an RSA request needs rsa_private_key",
                    "put the PEM (or a path to it) in rsa_private_key, or pass --rsa-key FILE",
                ));
            }
        })
    } else {
        None
    };
    let signer = v.signer(key.as_ref()).map_err(usage)?;
    let signed = v.sign(&signer).map_err(usage)?;
    let result = vector_result(&signed);
    outln!(
        "{}",
        serde_json::to_string_pretty(&result).expect("plain data serializes")
    );
    Ok(())
}

fn vector_result(s: &Signed<'_>) -> VectorResult {
    VectorResult {
        base_string: s.base_string.clone(),
        signature: s.signature().to_owned(),
        oauth_params: s
            .oauth_params()
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.to_string()))
            .collect(),
        authorization_header: s.authorization.clone(),
        signed_url: s.url.to_string(),
        signed_body: s
            .body
            .as_deref()
            .map(|b| String::from_utf8_lossy(b).into_owned()),
    }
}
