//! History and tokens: runs list and detail, stored access tokens.

use signet_ipc::{ConnectorArgs, RunArgs, RunRecord, RunSummary, RunsListArgs, TokenSummary};
use signet_store::{ConnectorId, Store};
use tauri::{AppHandle, Runtime};

use super::connectors::connector_id;
use crate::error::{Error, Result};
use crate::runs;
use crate::state::AppExt;

/// How many stored runs per connector the history shows.
const HISTORY_PER_CONNECTOR: usize = 50;

/// A connector's stored access token (its public part).
pub fn token_summary(store: &Store, c: &signet_store::Connector) -> Result<Option<TokenSummary>> {
    let Some(summary) = store.credentials_summary(c.id)? else {
        return Ok(None);
    };
    let Some(token) = summary.token else {
        return Ok(None);
    };
    let secret_len = store
        .credentials(c.id)
        .ok()
        .flatten()
        .and_then(|cr| cr.token.map(|t| t.token_secret.len()))
        .unwrap_or(0);
    Ok(Some(TokenSummary {
        connector_id: c.id.to_string(),
        connector_name: c.spec.name.clone(),
        token: token.token,
        secret_len,
        issued_ms: u64::try_from(token.obtained_at.millis()).unwrap_or(0),
        extra: token.extra,
    }))
}

/// Runs newest first: this session's (live) and the stored ones, of one connector or all.
pub fn runs_of<R: Runtime>(
    app: &AppHandle<R>,
    connector: Option<ConnectorId>,
) -> Result<Vec<RunSummary>> {
    let mut out: Vec<RunSummary> = app
        .flows()
        .all()
        .iter()
        .filter(|e| connector.is_none() || e.connector_id == connector)
        .map(|e| runs::entry_summary(e))
        .collect();
    let store = app.store();
    let connectors = match connector {
        Some(id) => store.connector(id)?.into_iter().collect(),
        None => store.list_connectors()?,
    };
    for c in connectors {
        for record in store.runs(c.id, HISTORY_PER_CONNECTOR)? {
            let id = runs::stored_run_id(c.id, record.id);
            if out.iter().any(|s| s.run_id == id) {
                continue;
            }
            if let Some((summary, _)) = runs::stored_summary(&record, &c.spec.name) {
                out.push(summary);
            }
        }
    }
    out.sort_by_key(|s| std::cmp::Reverse(s.started_ms));
    Ok(out)
}

/// Past runs, newest first, optionally of one connector.
#[tauri::command]
pub async fn runs_list<R: Runtime>(
    app: AppHandle<R>,
    args: RunsListArgs,
) -> Result<Vec<RunSummary>> {
    let connector = args.connector_id.as_deref().map(connector_id).transpose()?;
    runs_of(&app, connector)
}

/// One run with its last snapshot.
#[tauri::command]
pub async fn run_get<R: Runtime>(app: AppHandle<R>, args: RunArgs) -> Result<RunRecord> {
    if let Some(entry) = app.flows().get(&args.run_id) {
        let snapshot = entry.latest().snapshot.clone();
        return Ok(RunRecord {
            summary: runs::entry_summary(&entry),
            snapshot,
        });
    }
    let not_found = || Error::new("no_such_run", format!("no run {}", args.run_id));
    let (cid, rid) = runs::parse_stored_run_id(&args.run_id).ok_or_else(not_found)?;
    let store = app.store();
    let record = store.run(cid, rid)?.ok_or_else(not_found)?;
    let name = store
        .connector(cid)?
        .map(|c| c.spec.name)
        .unwrap_or_default();
    let (summary, snapshot) = runs::stored_summary(&record, &name).ok_or_else(|| {
        Error::new(
            "damaged_record",
            format!("run {} cannot be read back", args.run_id),
        )
    })?;
    Ok(RunRecord { summary, snapshot })
}

/// Stored access tokens.
#[tauri::command]
pub async fn tokens_list<R: Runtime>(app: AppHandle<R>) -> Result<Vec<TokenSummary>> {
    let store = app.store();
    let mut out = Vec::new();
    for c in store.list_connectors()? {
        out.extend(token_summary(store, &c)?);
    }
    Ok(out)
}

/// Forgets a connector's stored access token.
#[tauri::command]
pub async fn token_forget<R: Runtime>(app: AppHandle<R>, args: ConnectorArgs) -> Result<()> {
    let id = connector_id(&args.id)?;
    app.store().clear_token(id)?;
    Ok(())
}
