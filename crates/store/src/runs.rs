//! Run history, per instance: one record per run — the ten steps (the engine's snapshot with
//! its HTTP exchanges) or one endpoint call (the app's call record).
//!
//! The engine hands over snapshots that are already free of secrets (it serializes
//! [`signet_oauth1::Secret`]s, which print `<redacted>`). As a second line of defence the store
//! redacts, before writing, the value of every JSON object key that contains `secret`,
//! `private_key`, `password` or `verifier` (any case).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::keys::{self, ConnectorId, InstanceId, RunId};
use crate::schema;
use crate::store::Store;
use crate::time::Timestamp;

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RunOutcome {
    /// Still going (or the app stopped before it ended).
    InProgress,
    /// Reached the step it was asked to reach.
    Completed,
    /// Stopped by an error at a step.
    Failed {
        /// The step (1 to 10) it failed at, when known.
        step: Option<u8>,
        /// What went wrong (already free of secrets).
        message: String,
    },
    /// The user cancelled it.
    Cancelled,
}

impl RunOutcome {
    /// How the run a flow snapshot shows stands: over (completed, failed, cancelled) or not.
    pub fn of(snapshot: &signet_oauth1::flow::Snapshot) -> Self {
        use signet_oauth1::flow::Phase;
        match snapshot.phase {
            Phase::Finished => Self::Completed,
            Phase::Cancelled => Self::Cancelled,
            Phase::Failed => Self::Failed {
                step: snapshot.error.as_ref().map(|e| e.step.number()),
                message: snapshot
                    .error
                    .as_ref()
                    .map_or_else(|| "the step failed".into(), |e| e.error.message.clone()),
            },
            _ => Self::InProgress,
        }
    }
}

/// What a run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunKind {
    /// The ten steps of an OAuth 1.0a method (the snapshot is a flow snapshot).
    #[default]
    Flow,
    /// One endpoint call (the snapshot is the app's call record).
    Call,
}

/// A run to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRun {
    /// The instance it ran.
    pub instance_id: InstanceId,
    /// What it is.
    pub kind: RunKind,
    /// When it started.
    pub started_at: Timestamp,
    /// When it ended, if it has.
    pub finished_at: Option<Timestamp>,
    /// How it ended.
    pub outcome: RunOutcome,
    /// The serialized snapshot or call record, HTTP exchanges included.
    pub snapshot: Value,
}

/// A recorded run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// Its id; later runs have larger ids.
    pub id: RunId,
    /// The connector of its instance.
    pub connector_id: ConnectorId,
    /// The instance it ran.
    pub instance_id: InstanceId,
    /// What it is.
    #[serde(default)]
    pub kind: RunKind,
    /// When it started.
    pub started_at: Timestamp,
    /// When it ended, if it has.
    pub finished_at: Option<Timestamp>,
    /// How it ended.
    pub outcome: RunOutcome,
    /// The snapshot, redacted.
    pub snapshot: Value,
}

pub(crate) fn decode_run(key: &[u8], bytes: &[u8]) -> Result<RunRecord> {
    schema::decode(
        "run",
        || match keys::split_run_key(key) {
            Some((i, r)) => format!("{r} of instance {i}"),
            None => format!("{key:?}"),
        },
        bytes,
        schema::RUN_VERSION,
        schema::upgrade_run,
    )
}

/// Whether a JSON key names something secret.
fn is_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    [
        "secret",
        "private_key",
        "privatekey",
        "password",
        "verifier",
    ]
    .iter()
    .any(|w| k.contains(w))
}

/// Replaces the text of every secret-looking key with `"<redacted>"`, at any depth. Numbers and
/// booleans under such keys (a secret's length, whether one is stored) say nothing secret and
/// stay; objects and lists under them are searched like the rest.
pub fn redact(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                match v {
                    Value::String(text)
                        if is_secret_key(k) && text != signet_oauth1::secret::REDACTED =>
                    {
                        *v = Value::String(signet_oauth1::secret::REDACTED.into());
                    }
                    _ => redact(v),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        _ => {}
    }
}

/// How many runs an instance keeps; recording one more forgets the oldest. A thousand calls in
/// a row would otherwise grow the database (and the cache sled keeps of it) without end.
pub const MAX_RUNS_PER_INSTANCE: usize = 200;

impl Store {
    /// Records a run (redacting its snapshot) and flushes. The instance keeps its newest
    /// [`MAX_RUNS_PER_INSTANCE`] runs.
    pub fn record_run(&self, run: NewRun) -> Result<RunRecord> {
        let instance = self
            .instance(run.instance_id)?
            .ok_or_else(|| crate::instances::not_found(run.instance_id))?;
        let id = RunId(self.db.generate_id().map_err(|e| self.sled_err(e))?);
        let mut snapshot = run.snapshot;
        redact(&mut snapshot);
        let record = RunRecord {
            id,
            connector_id: instance.connector_id,
            instance_id: run.instance_id,
            kind: run.kind,
            started_at: run.started_at,
            finished_at: run.finished_at,
            outcome: run.outcome,
            snapshot,
        };
        self.insert_run(&record)?;
        self.forget_old_runs(run.instance_id)?;
        self.flush()?;
        Ok(record)
    }

    /// Removes an instance's oldest runs beyond [`MAX_RUNS_PER_INSTANCE`] (run keys sort by
    /// instance, then by age).
    fn forget_old_runs(&self, instance_id: InstanceId) -> Result<()> {
        let keys: Vec<sled::IVec> = self
            .runs
            .scan_prefix(instance_id.to_key())
            .keys()
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| self.sled_err(e))?;
        if keys.len() <= MAX_RUNS_PER_INSTANCE {
            return Ok(());
        }
        let mut batch = sled::Batch::default();
        for k in &keys[..keys.len() - MAX_RUNS_PER_INSTANCE] {
            batch.remove(k.clone());
        }
        self.runs.apply_batch(batch).map_err(|e| self.sled_err(e))
    }

    /// Keeps what a flow run produced for an instance: its token credentials, only when the
    /// flow issued them (a failed run never leaves half a token), then the run in the
    /// instance's history with the outcome the snapshot shows. The CLI and the app share this.
    pub fn record_flow(
        &self,
        instance_id: InstanceId,
        started_at: Timestamp,
        snapshot: &signet_oauth1::flow::Snapshot,
        issued: Option<&signet_oauth1::flow::TokenCredentials>,
    ) -> Result<RunRecord> {
        if let Some(t) = issued {
            self.save_issued_token(instance_id, t)?;
        }
        let outcome = RunOutcome::of(snapshot);
        let finished = !matches!(outcome, RunOutcome::InProgress);
        self.record_run(NewRun {
            instance_id,
            kind: RunKind::Flow,
            started_at,
            finished_at: finished.then(Timestamp::now),
            outcome,
            snapshot: serde_json::to_value(snapshot).map_err(|e| Error::Database(e.to_string()))?,
        })
    }

    /// Saves the token credentials a flow issued (obtained now).
    pub fn save_issued_token(
        &self,
        instance_id: InstanceId,
        issued: &signet_oauth1::flow::TokenCredentials,
    ) -> Result<()> {
        let response = signet_oauth1::TokenResponse {
            token: issued.token.clone(),
            token_secret: issued.secret.clone(),
            callback_confirmed: None,
            extra: issued.extra.clone(),
        };
        self.save_token(instance_id, &response, None)
    }

    /// Replaces a recorded run (to finish one that was in progress), redacting again.
    pub fn update_run(&self, run: &RunRecord) -> Result<()> {
        let key = keys::run_key(run.instance_id, run.id);
        if !self.runs.contains_key(key).map_err(|e| self.sled_err(e))? {
            return Err(Error::NotFound {
                what: "run",
                name: format!("{} of instance {}", run.id, run.instance_id),
            });
        }
        let mut run = run.clone();
        redact(&mut run.snapshot);
        self.put_run(&run)
    }

    fn put_run(&self, run: &RunRecord) -> Result<()> {
        self.insert_run(run)?;
        self.flush()
    }

    fn insert_run(&self, run: &RunRecord) -> Result<()> {
        let bytes = schema::encode(schema::RUN_VERSION, run);
        self.runs
            .insert(keys::run_key(run.instance_id, run.id), bytes)
            .map_err(|e| self.sled_err(e))?;
        Ok(())
    }

    /// One run.
    pub fn run(&self, instance_id: InstanceId, id: RunId) -> Result<Option<RunRecord>> {
        let key = keys::run_key(instance_id, id);
        match self.runs.get(key).map_err(|e| self.sled_err(e))? {
            Some(v) => decode_run(&key, &v).map(Some),
            None => Ok(None),
        }
    }

    /// An instance's runs, newest first, at most `limit`. Damaged records are skipped
    /// ([`Store::verify`] names them).
    pub fn runs(&self, instance_id: InstanceId, limit: usize) -> Result<Vec<RunRecord>> {
        let mut out = Vec::new();
        for item in self.runs.scan_prefix(instance_id.to_key()).rev() {
            if out.len() >= limit {
                break;
            }
            let (k, v) = item.map_err(|e| self.sled_err(e))?;
            if let Ok(r) = decode_run(&k, &v) {
                out.push(r);
            }
        }
        Ok(out)
    }

    /// How many runs are recorded in all.
    pub fn run_count(&self) -> usize {
        self.runs.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn redaction_reaches_every_depth_and_keeps_the_rest() {
        let mut v = json!({
            "step": 5,
            "consumer_secret": "kd94hf93k423kf44",
            "exchanges": [{"response": {"oauth_token_secret": "hdhd0244k9j7ao03", "oauth_token": "t"}}],
            "rsa": {"Private_Key_PEM": "-----BEGIN"},
            "oauth_verifier": "hfdp7dh39dks9884",
            "already": {"token_secret": "<redacted>"},
            "empty_secret": null,
            "request_token": {"secret_len": 40, "has_secret": true}
        });
        redact(&mut v);
        assert_eq!(
            v,
            json!({
                "step": 5,
                "consumer_secret": "<redacted>",
                "exchanges": [{"response": {"oauth_token_secret": "<redacted>", "oauth_token": "t"}}],
                "rsa": {"Private_Key_PEM": "<redacted>"},
                "oauth_verifier": "<redacted>",
                "already": {"token_secret": "<redacted>"},
                "empty_secret": null,
                "request_token": {"secret_len": 40, "has_secret": true}
            })
        );
    }
}
