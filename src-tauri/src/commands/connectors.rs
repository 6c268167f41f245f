//! Step 1's commands: validate, list, get, save, delete, reveal a secret.

use signet_ipc::{
    Connector, ConnectorArgs, ConnectorDraft, ConnectorSummary, DraftArgs, FieldProblem,
    RevealSecretArgs, SecretKind,
};
use signet_oauth1::TokenResponse;
use signet_store::{ConnectorId, Credentials, Store};
use tauri::{AppHandle, Emitter, Runtime};

use crate::draft;
use crate::error::{Error, Result};
use crate::state::AppExt;

/// Reads a connector id the UI sends.
pub fn connector_id(id: &str) -> Result<ConnectorId> {
    id.parse()
        .map_err(|_| Error::new("not_found", format!("no connector {id:?}")))
}

/// The stored connector `id` or a `not_found` error.
fn stored(store: &Store, id: ConnectorId) -> Result<signet_store::Connector> {
    store
        .connector(id)?
        .ok_or_else(|| Error::new("not_found", format!("no connector {id}")))
}

/// Every problem with a draft; empty when it can run.
#[tauri::command]
pub async fn connector_validate<R: Runtime>(
    app: AppHandle<R>,
    args: DraftArgs,
) -> Result<Vec<FieldProblem>> {
    let mut d = args.draft;
    draft::resolve_secrets(&mut d);
    let creds = match d.id.as_deref().map(connector_id).transpose()? {
        Some(id) => app.store().credentials(id).ok().flatten(),
        None => None,
    };
    Ok(draft::problems(&d, creds.as_ref()))
}

/// Saved connectors with their token status.
#[tauri::command]
pub async fn connectors_list<R: Runtime>(app: AppHandle<R>) -> Result<Vec<ConnectorSummary>> {
    // The UI listens to events before its first list: links held until now can be shown.
    let held = app.signet().links.release();
    crate::ready_probe();
    for event in held {
        let _ = app.emit(signet_ipc::EVENT_DEEP_LINK_REFUSED, event);
    }
    let store = app.store();
    let mut out = Vec::new();
    for c in store.list_connectors()? {
        let d = read_draft(store, &c)?;
        let token = super::runs::token_summary(store, &c)?;
        let last_run = super::runs::runs_of(&app, Some(c.id))?.into_iter().next();
        out.push(ConnectorSummary {
            id: c.id.to_string(),
            name: c.spec.name.clone(),
            preset: c.spec.preset.clone(),
            mode: d.mode,
            consumer_key: d.consumer_key.clone(),
            signature_method: c.spec.signature_method,
            callback_mode: c.spec.callback_mode,
            provider_host: host_of(&c.spec.request_token_url)
                .or_else(|| d.resource.as_ref().and_then(|r| host_of(&r.url)))
                .unwrap_or_default(),
            updated_ms: u64::try_from(c.updated_at.millis()).unwrap_or(0),
            token,
            last_run,
        });
    }
    Ok(out)
}

fn host_of(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let host = rest.split(['/', '?', '#']).next()?;
    (!host.is_empty()).then(|| host.to_owned())
}

/// The draft of a stored connector: the side record when the app saved it, else what the
/// store's record says.
fn read_draft(store: &Store, c: &signet_store::Connector) -> Result<ConnectorDraft> {
    let id = c.id.to_string();
    let side = store
        .setting(&draft::side_record_name(&id))?
        .and_then(|v| serde_json::from_value::<ConnectorDraft>(v).ok());
    let consumer_key = store
        .credentials_summary(c.id)?
        .map(|s| s.consumer_key)
        .unwrap_or_default();
    let mut d = match side {
        Some(mut d) => {
            d.name = c.spec.name.clone();
            d.consumer_key = consumer_key;
            d
        }
        None => draft::draft_of_spec(&id, &c.spec, &consumer_key),
    };
    d.id = Some(id);
    Ok(draft::without_secrets(&d))
}

fn connector_dto<R: Runtime>(app: &AppHandle<R>, id: ConnectorId) -> Result<Connector> {
    let store = app.store();
    let c = stored(store, id)?;
    let summary = store.credentials_summary(id)?;
    Ok(Connector {
        id: id.to_string(),
        draft: read_draft(store, &c)?,
        secrets: draft::stored_secrets(summary.as_ref()),
        created_ms: u64::try_from(c.created_at.millis()).unwrap_or(0),
        updated_ms: u64::try_from(c.updated_at.millis()).unwrap_or(0),
        token: super::runs::token_summary(store, &c)?,
    })
}

/// One saved connector (secrets as null).
#[tauri::command]
pub async fn connector_get<R: Runtime>(
    app: AppHandle<R>,
    args: ConnectorArgs,
) -> Result<Connector> {
    connector_dto(&app, connector_id(&args.id)?)
}

/// Creates (id null) or updates a connector; null secrets keep the stored ones.
#[tauri::command]
pub async fn connector_save<R: Runtime>(app: AppHandle<R>, args: DraftArgs) -> Result<Connector> {
    let mut d = args.draft;
    draft::resolve_secrets(&mut d);
    let store = app.store();
    let existing = d.id.as_deref().map(connector_id).transpose()?;
    let stored_creds = match existing {
        Some(id) => store.credentials(id)?,
        None => None,
    };
    let problems = draft::problems(&d, stored_creds.as_ref());
    if let Some(first) = problems.first() {
        return Err(Error::new(
            "invalid_connector",
            format!(
                "{} field(s) need attention: {}",
                problems.len(),
                first.message
            ),
        )
        .hint("fix the highlighted fields in step 1"));
    }
    let spec = draft::spec_of(&d);
    let secret = draft::client_secret_of(&d)
        .or_else(|| stored_creds.as_ref().map(|c| c.client_secret.clone()))
        .ok_or_else(|| {
            Error::new(
                "secret_missing",
                "the consumer secret (or RSA key) is missing",
            )
            .hint("type the secret the provider gave you in step 1")
        })?;
    let id = match existing {
        None => {
            let c = store.create_connector_with_credentials(
                spec,
                Credentials {
                    consumer_key: d.consumer_key.trim().to_owned(),
                    client_secret: secret,
                    token: None,
                },
            )?;
            c.id
        }
        Some(id) => {
            store.update_connector(id, spec)?;
            store.set_client_credentials(id, d.consumer_key.trim(), secret)?;
            id
        }
    };
    if let Some(t) = &d.token
        && let Some(secret) = &t.secret
        && !t.token.trim().is_empty()
    {
        let response = TokenResponse {
            token: t.token.trim().to_owned(),
            token_secret: secret.clone(),
            callback_confirmed: None,
            extra: Vec::new(),
        };
        store.save_token(id, &response, None)?;
    }
    let mut kept = draft::without_secrets(&d);
    kept.id = Some(id.to_string());
    let value = serde_json::to_value(&kept)
        .map_err(|e| Error::new("internal", format!("cannot keep the draft: {e}")))?;
    store.set_setting(&draft::side_record_name(&id.to_string()), &value)?;
    connector_dto(&app, id)
}

/// Deletes a connector, its secrets and its token.
#[tauri::command]
pub async fn connector_delete<R: Runtime>(app: AppHandle<R>, args: ConnectorArgs) -> Result<()> {
    let id = connector_id(&args.id)?;
    let store = app.store();
    if !store.remove_connector(id)? {
        return Err(Error::new("not_found", format!("no connector {id}")));
    }
    store.remove_setting(&draft::side_record_name(&args.id))?;
    Ok(())
}

/// A stored secret's value: only on the user's explicit request.
#[tauri::command]
pub async fn connector_reveal_secret<R: Runtime>(
    app: AppHandle<R>,
    args: RevealSecretArgs,
) -> Result<String> {
    let id = connector_id(&args.id)?;
    let creds = app.store().credentials(id)?.ok_or_else(|| {
        Error::new(
            "secret_not_stored",
            format!("connector {id} has no secrets stored"),
        )
    })?;
    let value = match (args.which, &creds.client_secret) {
        (SecretKind::ConsumerSecret, signet_store::ClientSecret::Shared(s))
        | (SecretKind::RsaPrivateKey, signet_store::ClientSecret::RsaPrivateKey(s)) => {
            Some(s.expose().to_owned())
        }
        (SecretKind::TokenSecret, _) => creds
            .token
            .as_ref()
            .map(|t| t.token_secret.expose().to_owned()),
        _ => None,
    };
    value.ok_or_else(|| {
        let what = match args.which {
            SecretKind::ConsumerSecret => "consumer secret",
            SecretKind::RsaPrivateKey => "RSA private key",
            SecretKind::TokenSecret => "token secret",
        };
        Error::new(
            "secret_not_stored",
            format!("this connector has no {what} stored"),
        )
    })
}
