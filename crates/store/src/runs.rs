//! Run history, per instance: one record per run — the ten steps (the engine's snapshot with
//! its HTTP exchanges) or one endpoint call (the app's call record).
//!
//! The engine hands over snapshots that are already free of secrets (it serializes
//! [`signet_oauth1::Secret`]s, which print `<redacted>`). Before writing, the store masks what
//! is left ([`redact`]): the value of every JSON object key that contains `secret`,
//! `private_key`, `password` or `verifier` (any case), of every parameter so named, and of every
//! token extra not in [`HISTORY_EXTRAS`] — and each such value wherever else it appears, so the
//! verifier never stays in a stored `Authorization` header or base string.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sled::transaction::{ConflictableTransactionError, Transactional};

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
    /// An endpoint's pages (the snapshot is the app's pages record).
    Pages,
    /// A provider audit (the snapshot is the app's audit record).
    Audit,
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
    /// What a list shows of it, in the app's words (kept in its [`RunHead`], so a list never
    /// reads the snapshot); `None` when the recorder has nothing to say.
    pub summary: Option<Value>,
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
    /// What a list shows of it (see [`NewRun::summary`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<Value>,
}

/// What a list shows of a run: the record without its snapshot. Kept beside every run in the
/// same transaction, so a page of the history reads a few hundred bytes a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunHead {
    /// Its id.
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
    /// What a list shows of it, in the app's words; `None` for a run recorded without (read
    /// the run itself then).
    #[serde(default)]
    pub summary: Option<Value>,
}

impl RunHead {
    /// The head of a recorded run.
    pub fn of(r: &RunRecord) -> Self {
        Self {
            id: r.id,
            connector_id: r.connector_id,
            instance_id: r.instance_id,
            kind: r.kind,
            started_at: r.started_at,
            finished_at: r.finished_at,
            outcome: r.outcome.clone(),
            summary: r.summary.clone(),
        }
    }
}

/// The version of a [`RunHead`] record (one that does not read is read from its run).
const RUN_HEAD_VERSION: u8 = 1;

fn decode_head(bytes: &[u8]) -> Option<RunHead> {
    schema::decode("run head", String::new, bytes, RUN_HEAD_VERSION, |_, _| {
        Err("no older version".into())
    })
    .ok()
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
        "session_handle",
    ]
    .iter()
    .any(|w| k.contains(w))
}

/// The token's extra fields history keeps as they came: who the token is for and when it
/// ends. Any other extra (`oauth_session_handle`, a provider's own grant) is masked, in the
/// token and wherever its value appears (the response body, a later request).
pub const HISTORY_EXTRAS: &[&str] = &[
    "user_id",
    "userid",
    "user_nsid",
    "screen_name",
    "username",
    "user_name",
    "fullname",
    "name",
    "email",
    "account_id",
    "realm",
    "oauth_callback_confirmed",
    "oauth_expires_in",
    "oauth_authorization_expires_in",
    "x_auth_expires",
    "xoauth_yahoo_guid",
    "edam_userId",
    "edam_shard",
    "edam_expires",
    "edam_noteStoreUrl",
    "edam_webApiUrlPrefix",
];

/// Values shorter than this are masked where they are named but not searched for elsewhere
/// (they would match ordinary text).
const MIN_SEARCHED: usize = 6;

/// Makes a snapshot fit for history: the text of every secret-looking key becomes
/// `"<redacted>"` at any depth (numbers and booleans under such keys — a secret's length,
/// whether one is stored — say nothing secret and stay); so does the value of every listed
/// parameter that names one (`{"name": "oauth_verifier", "value": ...}`) and of every token
/// extra not in [`HISTORY_EXTRAS`]. Each value masked this way is then masked wherever else it
/// appears — as is, or encoded once or twice (an `Authorization` header, a base string, a
/// redirect, a provider's echo) — so a verifier or a session handle is never kept.
pub fn redact(value: &mut Value) {
    let mut found = Vec::new();
    mask_named(value, &mut found);
    found.retain(|v| v.chars().count() >= MIN_SEARCHED && v != REDACTED);
    found.sort();
    found.dedup();
    let mut forms: Vec<String> = Vec::new();
    for v in &found {
        let once = signet_oauth1::encoding::encode(v).into_owned();
        let twice = signet_oauth1::encoding::encode(&once).into_owned();
        // A redirect's query may write a space as `+` (form encoding).
        let form = once.replace("%20", "+");
        for f in [v.clone(), once, twice, form] {
            if !forms.contains(&f) {
                forms.push(f);
            }
        }
    }
    // Longest first: a value inside another is replaced after it.
    forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
    mask_everywhere(value, &forms);
}

use signet_oauth1::secret::REDACTED;

fn mask_named(value: &mut Value, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            let names_secret = map
                .get("name")
                .and_then(Value::as_str)
                .is_some_and(is_secret_key);
            for (k, v) in map.iter_mut() {
                let secret = is_secret_key(k)
                    || (names_secret && matches!(k.as_str(), "value" | "encoded_value"));
                match v {
                    Value::String(text) if secret && text != REDACTED => {
                        found.push(std::mem::replace(text, REDACTED.into()));
                    }
                    Value::Array(pairs) if k == "extra" => {
                        for pair in pairs.iter_mut() {
                            if let Some([Value::String(name), Value::String(text)]) =
                                pair.as_array_mut().map(Vec::as_mut_slice)
                                && !HISTORY_EXTRAS.contains(&name.as_str())
                                && text != REDACTED
                            {
                                found.push(std::mem::replace(text, REDACTED.into()));
                            }
                        }
                        mask_named(v, found);
                    }
                    _ => mask_named(v, found),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| mask_named(i, found)),
        _ => {}
    }
}

/// Parameters whose values are masked by name wherever a string names them: in a query or
/// form (`name=value`), an `Authorization` header (`name="value"`) or a base string
/// (`name%3Dvalue`), whatever the value's length or encoding.
const MASKED_BY_NAME: &[&str] = &["oauth_verifier", "oauth_session_handle"];

/// `text` with the value after each `NAME=`, `NAME="` or `NAME%3D` of [`MASKED_BY_NAME`]
/// replaced by `<redacted>`.
fn mask_by_name(text: &str) -> String {
    let mut out = text.to_owned();
    for name in MASKED_BY_NAME {
        for sep in ["=\"", "=", "%3D", "%3d"] {
            let pattern = format!("{name}{sep}");
            let mut from = 0;
            while let Some(at) = out[from..].find(&pattern) {
                let start = from + at + pattern.len();
                let rest = &out[start..];
                let end = if sep == "=\"" {
                    rest.find('"').unwrap_or(rest.len())
                } else if sep == "=" {
                    rest.find(['&', '#', '"', ',', ' ', '\n'])
                        .unwrap_or(rest.len())
                } else {
                    // A base string: the value runs to the next encoded `&`.
                    ["%26", "%2526", "&"]
                        .iter()
                        .filter_map(|d| rest.find(d))
                        .min()
                        .unwrap_or(rest.len())
                };
                if &rest[..end] != REDACTED && end > 0 {
                    out.replace_range(start..start + end, REDACTED);
                    from = start + REDACTED.len();
                } else {
                    from = start + end;
                }
            }
        }
    }
    out
}

fn mask_everywhere(value: &mut Value, forms: &[String]) {
    if let Value::String(text) = value
        && MASKED_BY_NAME.iter().any(|n| text.contains(n))
    {
        *text = mask_by_name(text);
    }
    match value {
        Value::String(text) if forms.iter().any(|f| text.contains(f.as_str())) => {
            let mut out = text.clone();
            for f in forms {
                if out.contains(f.as_str()) {
                    out = out.replace(f.as_str(), REDACTED);
                }
            }
            *text = out;
        }
        Value::Object(map) => map.values_mut().for_each(|v| mask_everywhere(v, forms)),
        Value::Array(items) => items.iter_mut().for_each(|v| mask_everywhere(v, forms)),
        _ => {}
    }
}

/// How many runs an instance keeps unless the user says otherwise ([`Store::set_history_limit`]);
/// recording one more forgets the oldest. A thousand calls in a row would otherwise grow the
/// database (and the cache sled keeps of it) without end.
pub const MAX_RUNS_PER_INSTANCE: usize = 200;

/// The range the history limit may be set in.
pub const HISTORY_LIMIT_RANGE: std::ops::RangeInclusive<usize> = 1..=10_000;

/// The setting that holds the history limit.
const HISTORY_LIMIT_SETTING: &str = "history.keep_runs";

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
            summary: run.summary,
        };
        let keep = self.history_limit()?;
        self.insert_run(&record)?;
        self.forget_old_runs(run.instance_id, keep)?;
        self.flush()?;
        Ok(record)
    }

    /// How many runs each instance keeps (the user's setting, else [`MAX_RUNS_PER_INSTANCE`]).
    pub fn history_limit(&self) -> Result<usize> {
        Ok(self
            .setting(HISTORY_LIMIT_SETTING)?
            .and_then(|v| v.as_u64())
            .and_then(|n| usize::try_from(n).ok())
            .filter(|n| HISTORY_LIMIT_RANGE.contains(n))
            .unwrap_or(MAX_RUNS_PER_INSTANCE))
    }

    /// Sets how many runs each instance keeps, and forgets at once what is beyond it. Returns
    /// how many runs were forgotten.
    pub fn set_history_limit(&self, keep: usize) -> Result<usize> {
        if !HISTORY_LIMIT_RANGE.contains(&keep) {
            return Err(Error::Invalid {
                what: "history limit",
                problems: crate::Problems(vec![crate::Problem::new(
                    "keep_runs",
                    format!(
                        "must be between {} and {} runs per instance (it was {keep})",
                        HISTORY_LIMIT_RANGE.start(),
                        HISTORY_LIMIT_RANGE.end()
                    ),
                )]),
            });
        }
        self.set_setting(HISTORY_LIMIT_SETTING, &Value::from(keep))?;
        let mut forgotten = 0;
        for instance in self.instances_with_runs()? {
            forgotten += self.forget_old_runs(instance, keep)?;
        }
        self.flush()?;
        Ok(forgotten)
    }

    /// Forgets the recorded runs of one instance, or of every instance: how many.
    pub fn clear_runs(&self, instance_id: Option<InstanceId>) -> Result<usize> {
        let keys: Vec<sled::IVec> = match instance_id {
            Some(i) => self
                .runs
                .scan_prefix(i.to_key())
                .keys()
                .collect::<std::result::Result<_, _>>(),
            None => self
                .runs
                .iter()
                .keys()
                .collect::<std::result::Result<_, _>>(),
        }
        .map_err(|e| self.sled_err(e))?;
        let counted: Vec<sled::IVec> = match instance_id {
            Some(i) => vec![sled::IVec::from(&i.to_key())],
            None => self
                .run_counts
                .iter()
                .keys()
                .collect::<std::result::Result<_, _>>()
                .map_err(|e| self.sled_err(e))?,
        };
        (&self.runs, &self.run_counts, &self.run_heads)
            .transaction(|(runs, counts, heads)| {
                for k in &keys {
                    runs.remove(k)?;
                    heads.remove(k)?;
                }
                for k in &counted {
                    counts.remove(k)?;
                }
                Ok::<_, ConflictableTransactionError<Error>>(())
            })
            .map_err(|e| self.tx_err(e))?;
        self.flush()?;
        Ok(keys.len())
    }

    /// Forgets one recorded run (its record, head and place in the count, in one
    /// transaction): whether it was there.
    pub fn forget_run(&self, instance_id: InstanceId, id: RunId) -> Result<bool> {
        let key = keys::run_key(instance_id, id);
        let counter = instance_id.to_key();
        let removed = (&self.runs, &self.run_counts, &self.run_heads)
            .transaction(|(runs, counts, heads)| {
                heads.remove(&key)?;
                let removed = runs.remove(&key)?.is_some();
                if removed {
                    let n = counts
                        .get(counter)?
                        .as_deref()
                        .and_then(decode_count)
                        .unwrap_or(0);
                    if n <= 1 {
                        counts.remove(&counter)?;
                    } else {
                        counts.insert(&counter, &(n - 1).to_be_bytes())?;
                    }
                }
                Ok::<_, ConflictableTransactionError<Error>>(removed)
            })
            .map_err(|e| self.tx_err(e))?;
        self.flush()?;
        Ok(removed)
    }

    /// The instances that have recorded runs (read from their counts).
    pub fn instances_with_runs(&self) -> Result<Vec<InstanceId>> {
        let mut out = Vec::new();
        for k in self.run_counts.iter().keys() {
            let k = k.map_err(|e| self.sled_err(e))?;
            if let Some(i) = InstanceId::from_key(&k) {
                out.push(i);
            }
        }
        Ok(out)
    }

    /// Removes an instance's oldest runs beyond `keep` (run keys sort by instance, then by
    /// age): how many. Reads only the keys it removes.
    fn forget_old_runs(&self, instance_id: InstanceId, keep: usize) -> Result<usize> {
        let count = self.runs_of(instance_id)?;
        if count <= keep {
            return Ok(0);
        }
        let old: Vec<sled::IVec> = self
            .runs
            .scan_prefix(instance_id.to_key())
            .keys()
            .take(count - keep)
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| self.sled_err(e))?;
        let counter = instance_id.to_key();
        (&self.runs, &self.run_counts, &self.run_heads)
            .transaction(|(runs, counts, heads)| {
                let mut removed = 0u64;
                for k in &old {
                    removed += u64::from(runs.remove(k)?.is_some());
                    heads.remove(k)?;
                }
                let left = counts
                    .get(counter)?
                    .as_deref()
                    .and_then(decode_count)
                    .unwrap_or(0)
                    .saturating_sub(removed);
                counts.insert(&counter, &left.to_be_bytes())?;
                Ok::<_, ConflictableTransactionError<Error>>(removed)
            })
            .map_err(|e| self.tx_err(e))
            .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
    }

    /// Counts every instance's runs from the runs themselves, once: a database written before
    /// the counts were kept gets them on its first open.
    pub(crate) fn count_runs_once(&self) -> Result<()> {
        if self.marked(keys::META_RUN_COUNTS)? {
            return Ok(());
        }
        let mut counts: Vec<(InstanceId, u64)> = Vec::new();
        for k in self.runs.iter().keys() {
            let k = k.map_err(|e| self.sled_err(e))?;
            if let Some((i, _)) = keys::split_run_key(&k) {
                match counts.last_mut() {
                    Some((last, n)) if *last == i => *n += 1,
                    _ => counts.push((i, 1)),
                }
            }
        }
        (&self.run_counts, &self.meta)
            .transaction(|(tree, meta)| {
                for (i, n) in &counts {
                    tree.insert(&i.to_key(), &n.to_be_bytes())?;
                }
                meta.insert(keys::META_RUN_COUNTS, &[1u8])?;
                Ok::<_, ConflictableTransactionError<Error>>(())
            })
            .map_err(|e| self.tx_err(e))?;
        self.flush()
    }

    /// Makes every run's head from the run, once: a database written before the heads were
    /// kept gets them on its first open (each run read once, its snapshot skipped).
    pub(crate) fn make_run_heads_once(&self) -> Result<()> {
        if self.marked(keys::META_RUN_HEADS)? {
            return Ok(());
        }
        let mut batch = sled::Batch::default();
        let mut pending = 0;
        for item in self.runs.iter() {
            let (k, v) = item.map_err(|e| self.sled_err(e))?;
            let head =
                head_of_bytes(&v).or_else(|| decode_run(&k, &v).ok().map(|r| RunHead::of(&r)));
            if let Some(head) = head {
                batch.insert(k, schema::encode(RUN_HEAD_VERSION, &head));
                pending += 1;
            }
            if pending == 1_000 {
                self.run_heads
                    .apply_batch(std::mem::take(&mut batch))
                    .map_err(|e| self.sled_err(e))?;
                pending = 0;
            }
        }
        self.run_heads
            .apply_batch(batch)
            .map_err(|e| self.sled_err(e))?;
        self.meta
            .insert(keys::META_RUN_HEADS, &[1u8])
            .map_err(|e| self.sled_err(e))?;
        self.flush()
    }

    /// Whether a made-once record (run counts, heads) carries its `meta` marker.
    pub(crate) fn marked(&self, marker: &[u8]) -> Result<bool> {
        self.meta.contains_key(marker).map_err(|e| self.sled_err(e))
    }

    /// How many runs an instance has recorded (read from its count, not its runs).
    pub fn runs_of(&self, instance_id: InstanceId) -> Result<usize> {
        Ok(self
            .run_counts
            .get(instance_id.to_key())
            .map_err(|e| self.sled_err(e))?
            .as_deref()
            .and_then(decode_count)
            .map_or(0, |n| usize::try_from(n).unwrap_or(usize::MAX)))
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
            // The app lists it from the snapshot (its words are its own).
            summary: None,
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

    /// Writes a run, counting it when it is new (one transaction).
    fn insert_run(&self, run: &RunRecord) -> Result<()> {
        let bytes = schema::encode(schema::RUN_VERSION, run);
        let head = schema::encode(RUN_HEAD_VERSION, &RunHead::of(run));
        let key = keys::run_key(run.instance_id, run.id);
        let counter = run.instance_id.to_key();
        (&self.runs, &self.run_counts, &self.run_heads)
            .transaction(|(runs, counts, heads)| {
                heads.insert(&key, head.as_slice())?;
                if runs.insert(&key, bytes.as_slice())?.is_none() {
                    let n = counts
                        .get(counter)?
                        .as_deref()
                        .and_then(decode_count)
                        .unwrap_or(0);
                    counts.insert(&counter, &(n + 1).to_be_bytes())?;
                }
                Ok::<_, ConflictableTransactionError<Error>>(())
            })
            .map_err(|e| self.tx_err(e))
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

    /// How many runs are recorded in all (read from the instances' counts).
    pub fn run_count(&self) -> usize {
        self.run_counts
            .iter()
            .values()
            .filter_map(|v| v.ok().as_deref().and_then(decode_count))
            .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
            .sum()
    }

    /// A page of the heads of the runs of some instances, newest first (by run id, which grows
    /// with every run recorded): at most `limit` older than `before` (all when `None`), of one
    /// `kind` when given. Reads one position per instance and the page's heads — what it costs
    /// does not grow with the number of runs kept, nor with their size.
    pub fn runs_page(
        &self,
        instances: &[InstanceId],
        before: Option<RunId>,
        kind: Option<RunKind>,
        limit: usize,
    ) -> Result<RunsPage> {
        let mut iters: Vec<_> = instances
            .iter()
            .map(|i| match before {
                None => self.run_heads.scan_prefix(i.to_key()).rev(),
                Some(b) => self
                    .run_heads
                    .range(keys::run_key(*i, RunId(0))..keys::run_key(*i, b))
                    .rev(),
            })
            .collect();
        // Each instance's newest run not yet taken, the newest of all on top.
        let mut heads = std::collections::BinaryHeap::new();
        let next =
            |n: usize, iters: &mut Vec<std::iter::Rev<sled::Iter>>| -> Result<Option<Head>> {
                Ok(match iters[n].next() {
                    Some(item) => {
                        let (k, v) = item.map_err(|e| self.sled_err(e))?;
                        keys::split_run_key(&k).map(|(_, r)| (r, n, v))
                    }
                    None => None,
                })
            };
        for n in 0..iters.len() {
            if let Some(head) = next(n, &mut iters)? {
                heads.push(head);
            }
        }
        let mut runs = Vec::new();
        let mut more = false;
        while let Some((id, n, v)) = heads.pop() {
            if let Some(head) = next(n, &mut iters)? {
                heads.push(head);
            }
            let Some(head) = decode_head(&v).or_else(|| {
                // A head that does not read: made again from its run.
                self.run(instances[n], id)
                    .ok()
                    .flatten()
                    .map(|r| RunHead::of(&r))
            }) else {
                continue;
            };
            if kind.is_some_and(|want| head.kind != want) {
                continue;
            }
            if runs.len() >= limit {
                more = true;
                break;
            }
            runs.push(head);
        }
        Ok(RunsPage { runs, more })
    }
}

/// A page of runs' heads (see [`Store::runs_page`]).
#[derive(Debug, Clone, PartialEq)]
pub struct RunsPage {
    /// The heads, newest first.
    pub runs: Vec<RunHead>,
    /// Whether older runs (of the kind asked for) follow the last one.
    pub more: bool,
}

/// An instance's newest run not yet taken by [`Store::runs_page`]: its id, the instance's place
/// in the list, its head's bytes.
type Head = (RunId, usize, sled::IVec);

fn decode_count(bytes: &[u8]) -> Option<u64> {
    Some(u64::from_be_bytes(bytes.try_into().ok()?))
}

/// A stored run's head, read from its record without building its snapshot (`None` for a
/// record of an older version, or damaged: read it whole then).
fn head_of_bytes(bytes: &[u8]) -> Option<RunHead> {
    let (&version, json) = bytes.split_first()?;
    if version != schema::RUN_VERSION {
        return None;
    }
    // The head's fields are the record's, the snapshot skipped as an unknown field.
    serde_json::from_slice(json).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Issue 18: the verifier stayed in the access-token request's Authorization header, base
    /// string and parameter list; a session handle stayed in the token and the response body.
    #[test]
    fn history_keeps_no_verifier_and_only_allow_listed_token_extras() {
        let mut v = json!({
            "callback": "signet://callback/k7Qz?oauth_token=tok&oauth_verifier=MjGE+ANgq%2B%2FVujz",
            "trace": {
                "parameters": [
                    {"name": "oauth_token", "value": "tok", "encoded_value": "tok"},
                    {"name": "oauth_verifier", "value": "MjGE ANgq+/Vujz", "encoded_value": "MjGE%20ANgq%2B%2FVujz"}
                ],
                "base_string": "POST&http%3A%2F%2Fx%2Fa&oauth_token%3Dtok%26oauth_verifier%3DMjGE%2520ANgq%252B%252FVujz",
                "authorization": "OAuth oauth_token=\"tok\", oauth_verifier=\"MjGE%20ANgq%2B%2FVujz\""
            },
            "access_token": {
                "token": "3qXHLnGnarHjrI88",
                "extra": [["user_id", "350264"], ["screen_name", "alice"], ["oauth_session_handle", "ODIzMDYyNjAw"]]
            },
            "response": {"body": "oauth_token=3qXHLnGnarHjrI88&user_id=350264&screen_name=alice&oauth_session_handle=ODIzMDYyNjAw"}
        });
        let mut second = v.clone();
        redact(&mut v);
        let text = v.to_string();
        for gone in [
            "MjGE+ANgq%2B%2FVujz",
            "MjGE ANgq+/Vujz",
            "MjGE%20ANgq%2B%2FVujz",
            "MjGE%2520ANgq%252B%252FVujz",
            "ODIzMDYyNjAw",
        ] {
            assert!(!text.contains(gone), "{gone} kept: {text}");
        }
        for kept in [
            "350264",
            "alice",
            "3qXHLnGnarHjrI88",
            "oauth_verifier=<redacted>",
            "oauth_session_handle=<redacted>",
        ] {
            assert!(text.contains(kept), "{kept} lost: {text}");
        }
        assert_eq!(
            v["access_token"]["extra"][2],
            json!(["oauth_session_handle", "<redacted>"])
        );
        // A short PIN, and other encodings, are masked by name.
        let mut short = json!({
            "callback": "signet://callback/x?oauth_verifier=ab/cd%2befgh&oauth_token=tok",
            "authorization": "OAuth oauth_token=\"tok\", oauth_verifier=\"4917\"",
            "base_string": "POST&http%3A%2F%2Fx%2Fa&oauth_token%3Dtok%26oauth_verifier%3D4917%26oauth_version%3D1.0",
            "parameters": [{"name": "oauth_session_handle", "value": "h"}]
        });
        redact(&mut short);
        let text = short.to_string();
        for gone in ["ab/cd%2befgh", "4917", "\"h\""] {
            assert!(!text.contains(gone), "{gone} kept: {text}");
        }
        assert!(text.contains("oauth_version%3D1.0"), "{text}");
        assert!(text.contains("oauth_token=tok"), "{text}");
        // Twice is the same as once.
        redact(&mut second);
        redact(&mut second);
        assert_eq!(second, v);
    }

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
