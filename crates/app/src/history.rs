//! The run history: the ten steps and endpoint calls of every instance, newest first; one run
//! in full; a failed run read in plain words; the user's paste compared with a run's base string.

use serde::{Deserialize, Serialize};
use signet_oauth1::diagnose::{
    BaseStringDiff, FailureDiagnosis, diagnose_snapshot, diff_base_strings, extract_base_string,
};
use signet_oauth1::flow::{Exchange, FlowMode, Phase, Snapshot, StepId, StepStatus};
use signet_oauth1::{ErrorKind, ErrorReport};
use signet_store::{ConnectorHead, Instance, RunKind as StoredKind};

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use crate::api::{
    CallRecord, HistoryCleared, HistorySettings, PagesResult, RUNS_PAGE, RUNS_PAGE_MAX, RunDetail,
    RunKind, RunRecord, RunSummary, RunsListArgs, RunsPage,
};
use crate::error::{AppError, Result};
use crate::{App, ids};

/// The exchange a diagnosis of a flow reads: the failing step's last, else the nearest earlier
/// one (step 5 fails on step 3's answer); the run's latest when it has not failed.
fn exchange_behind(snapshot: &Snapshot) -> Option<&Exchange> {
    let last = snapshot.error.as_ref().map_or(u8::MAX, |f| f.step.number());
    snapshot
        .steps
        .iter()
        .filter(|s| s.number <= last)
        .rev()
        .find_map(|s| s.exchanges.last())
}

/// What the history lists of a run that only the run itself knows. The app hands it to the
/// store with every run it records (the run's head keeps it), so a page of the history and the
/// connectors' last runs are read without reading a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Listed {
    endpoint: Option<String>,
    status: Option<u16>,
    mode: Option<FlowMode>,
    phase: Phase,
    failed_step: Option<StepId>,
    error_kind: Option<ErrorKind>,
    steps_done: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    score: Option<signet_audit::Score>,
}

impl Listed {
    /// A provider audit: its scorecard; failed when a required check is not enforced, or when it
    /// could tell nothing.
    pub(crate) fn audit(report: &signet_audit::AuditReport) -> Self {
        Self {
            endpoint: None,
            status: None,
            mode: None,
            phase: if report.score.required_not_enforced > 0 || report.score.inconclusive() {
                Phase::Failed
            } else {
                Phase::Finished
            },
            failed_step: None,
            error_kind: None,
            steps_done: 0,
            score: Some(report.score),
        }
    }

    /// The ten steps as they stand.
    pub(crate) fn flow(snap: &Snapshot) -> Self {
        let failed = snap.error.as_ref().filter(|_| snap.phase == Phase::Failed);
        Self {
            endpoint: None,
            status: snap.resource.as_ref().map(|r| r.status),
            mode: Some(snap.mode),
            phase: snap.phase,
            failed_step: failed.map(|f| f.step),
            error_kind: failed.map(|f| f.error.kind),
            steps_done: u8::try_from(
                snap.steps
                    .iter()
                    .filter(|s| s.status == StepStatus::Done)
                    .count(),
            )
            .unwrap_or(u8::MAX),
            score: None,
        }
    }

    /// One endpoint call.
    pub(crate) fn call(call: &CallRecord) -> Self {
        Self {
            endpoint: Some(call.endpoint_name.clone()),
            status: call.response.as_ref().map(|r| r.status),
            mode: None,
            phase: if call.error.is_some() {
                Phase::Failed
            } else {
                Phase::Finished
            },
            failed_step: None,
            error_kind: call.error.as_ref().map(|e| e.kind),
            steps_done: 0,
            score: None,
        }
    }

    /// A walk of pages: its endpoint, how it ended (failed, cancelled or finished) and the last
    /// page's status and error.
    pub(crate) fn pages(pages: &PagesResult) -> Self {
        let last = pages.pages.last().map(|p| &p.call);
        Self::walk(
            pages.endpoint_name.clone(),
            (pages.failed, &pages.stop),
            last.and_then(|c| c.response.as_ref()).map(|r| r.status),
            last.and_then(|c| c.error.as_ref()).map(|e| e.kind),
        )
    }

    /// A stored walk of pages, read from the few fields a list shows (its record holds every
    /// page); `None` when the record is not a walk Signet wrote.
    fn stored_pages(v: &serde_json::Value) -> Option<Self> {
        let endpoint_name = v.get("endpoint_name")?.as_str()?.to_owned();
        let failed = v.get("failed")?.as_bool()?;
        let stop = signet_connector::pagination::Stop::deserialize(v.get("stop")?).ok()?;
        let last = v
            .get("pages")?
            .as_array()?
            .last()
            .and_then(|p| p.get("call"));
        let status = last
            .and_then(|c| c.get("response"))
            .and_then(|r| r.get("status"))
            .and_then(serde_json::Value::as_u64)
            .and_then(|s| u16::try_from(s).ok());
        let error_kind = last
            .and_then(|c| c.get("error"))
            .and_then(|e| e.get("kind"))
            .and_then(|k| ErrorKind::deserialize(k).ok());
        Some(Self::walk(
            endpoint_name,
            (failed, &stop),
            status,
            error_kind,
        ))
    }

    fn walk(
        endpoint: String,
        (failed, stop): (bool, &signet_connector::pagination::Stop),
        status: Option<u16>,
        error_kind: Option<ErrorKind>,
    ) -> Self {
        Self {
            endpoint: Some(endpoint),
            status,
            mode: None,
            phase: if failed {
                Phase::Failed
            } else if *stop == signet_connector::pagination::Stop::Cancelled {
                Phase::Cancelled
            } else {
                Phase::Finished
            },
            failed_step: None,
            error_kind,
            steps_done: 0,
            score: None,
        }
    }

    /// As the store keeps it.
    pub(crate) fn value(&self) -> Option<serde_json::Value> {
        serde_json::to_value(self).ok()
    }

    /// The history's row: this with the run's id, kind, owners and times.
    fn row(
        self,
        run_id: String,
        kind: RunKind,
        (c, i): (&ConnectorHead, &Instance),
        started_ms: u64,
        finished_ms: Option<u64>,
    ) -> RunSummary {
        RunSummary {
            run_id,
            kind,
            connector_id: c.id.to_string(),
            connector_name: c.name().to_owned(),
            instance_id: i.id.to_string(),
            instance_name: i.name.clone(),
            endpoint: self.endpoint,
            status: self.status,
            mode: self.mode,
            phase: self.phase,
            started_ms,
            finished_ms,
            failed_step: self.failed_step,
            error_kind: self.error_kind,
            steps_done: self.steps_done,
            score: self.score,
        }
    }
}

fn flow_summary(
    run_id: String,
    c: &ConnectorHead,
    i: &Instance,
    started_ms: u64,
    finished_ms: Option<u64>,
    snap: &Snapshot,
) -> RunSummary {
    Listed::flow(snap).row(run_id, RunKind::Flow, (c, i), started_ms, finished_ms)
}

/// The kind the app calls a stored run's.
fn kind_of(kind: StoredKind) -> RunKind {
    match kind {
        StoredKind::Flow => RunKind::Flow,
        StoredKind::Call => RunKind::Call,
        StoredKind::Pages => RunKind::Pages,
        StoredKind::Audit => RunKind::Audit,
    }
}

/// A stored run's row, from its record.
fn record_row(
    run_id: String,
    c: &ConnectorHead,
    i: &Instance,
    record: &signet_store::RunRecord,
    listed: Listed,
) -> RunSummary {
    listed.row(
        run_id,
        kind_of(record.kind),
        (c, i),
        ids::millis(record.started_at),
        record.finished_at.map(ids::millis),
    )
}

/// A stored run read back; `None` when its record does not read as what it claims to be.
fn read(
    c: &ConnectorHead,
    i: &Instance,
    record: &signet_store::RunRecord,
) -> Option<(RunSummary, RunDetail)> {
    let id = ids::run_id(record.instance_id, record.id);
    match record.kind {
        StoredKind::Flow => {
            let snapshot = Snapshot::deserialize(&record.snapshot).ok()?;
            // Ten steps in order, or it is not a run Signet wrote (Snapshot::step relies on it).
            if snapshot.steps.len() != StepId::ALL.len()
                || snapshot
                    .steps
                    .iter()
                    .zip(StepId::ALL)
                    .any(|(s, id)| s.id != id)
            {
                return None;
            }
            let variables = record
                .snapshot
                .get("variables")
                .and_then(|v| Deserialize::deserialize(v).ok())
                .unwrap_or_default();
            let summary = flow_summary(
                id,
                c,
                i,
                ids::millis(record.started_at),
                record.finished_at.map(ids::millis),
                &snapshot,
            );
            Some((
                summary,
                RunDetail::Flow {
                    snapshot: Box::new(snapshot),
                    variables,
                },
            ))
        }
        StoredKind::Call => {
            let call = CallRecord::deserialize(&record.snapshot).ok()?;
            let summary = record_row(id, c, i, record, Listed::call(&call));
            Some((
                summary,
                RunDetail::Call {
                    call: Box::new(call),
                },
            ))
        }
        StoredKind::Pages => {
            let mut pages = PagesResult::deserialize(&record.snapshot).ok()?;
            pages.run_id.clone_from(&id);
            let summary = record_row(id, c, i, record, Listed::pages(&pages));
            Some((
                summary,
                RunDetail::Pages {
                    pages: Box::new(pages),
                },
            ))
        }
        StoredKind::Audit => {
            let audit = crate::audit::AuditRecord::deserialize(&record.snapshot).ok()?;
            let summary = record_row(id, c, i, record, Listed::audit(&audit.report));
            Some((
                summary,
                RunDetail::Audit {
                    audit: Box::new(audit),
                },
            ))
        }
    }
}

impl App {
    /// Stored runs as the history lists them, from their heads: a run of this session in
    /// progress as it stands now, any other as its head says — or, for a run recorded without
    /// the app's words (by the CLI, or before heads were kept), as its record reads. A run
    /// whose record does not read as what it claims, or whose instance is gone, is left out.
    pub(crate) fn summaries(&self, heads: Vec<signet_store::RunHead>) -> Result<Vec<RunSummary>> {
        let store = self.store();
        let mut owners: HashMap<signet_store::InstanceId, Option<(ConnectorHead, Instance)>> =
            HashMap::new();
        let mut out = Vec::with_capacity(heads.len());
        for head in heads {
            let owner = match owners.entry(head.instance_id) {
                Entry::Occupied(o) => o.into_mut(),
                Entry::Vacant(v) => {
                    let found = match store.instance(head.instance_id)? {
                        Some(i) => store.connector_head(i.connector_id)?.map(|c| (c, i)),
                        None => None,
                    };
                    v.insert(found)
                }
            };
            let Some((c, i)) = owner.as_ref() else {
                continue;
            };
            let id = ids::run_id(i.id, head.id);
            let listed = head
                .summary
                .as_ref()
                .and_then(|v| Listed::deserialize(v).ok());
            let summary = if let Some(e) = self.inner.flows.get(&id) {
                let latest = e.latest();
                Some(flow_summary(
                    id,
                    c,
                    i,
                    e.started_ms(),
                    latest.finished_ms,
                    &latest.snapshot,
                ))
            } else if let Some(listed) = listed {
                Some(listed.row(
                    id,
                    kind_of(head.kind),
                    (c, i),
                    ids::millis(head.started_at),
                    head.finished_at.map(ids::millis),
                ))
            } else {
                match store.run(head.instance_id, head.id)? {
                    Some(record) if record.kind == StoredKind::Pages => {
                        Listed::stored_pages(&record.snapshot)
                            .map(|l| record_row(id, c, i, &record, l))
                    }
                    Some(record) => read(c, i, &record).map(|(summary, _)| summary),
                    None => None,
                }
            };
            out.extend(summary);
        }
        Ok(out)
    }

    /// `runs_list`: a page of every run, or of a connector's, or of an instance's, newest
    /// first. Reads the page's runs and each instance's count, never the whole history.
    pub fn runs_list(&self, args: &RunsListArgs) -> Result<RunsPage> {
        let store = self.store();
        let instances: Vec<signet_store::InstanceId> =
            match (args.instance_id.as_deref(), args.connector_id.as_deref()) {
                (Some(i), _) => vec![self.instance_and_connector(i)?.0.id],
                (None, Some(c)) => {
                    let id = ids::connector(c)?;
                    store.connector_head(id)?.ok_or_else(|| {
                        AppError::new(ErrorKind::NotFound, format!("no connector {c}"))
                    })?;
                    store.instances_of(id)?.into_iter().map(|i| i.id).collect()
                }
                (None, None) => store.instances_with_runs()?,
            };
        let before = match args.before.as_deref() {
            None => None,
            Some(b) => Some(
                ids::parse_run(b)
                    .ok_or_else(|| {
                        AppError::new(ErrorKind::Invalid, format!("{b:?} is not a run's id"))
                            .hint("pass the id of the last run of the page before, or null")
                    })?
                    .1,
            ),
        };
        let limit = args.limit.unwrap_or(RUNS_PAGE).clamp(1, RUNS_PAGE_MAX);
        let page = store.runs_page(
            &instances,
            before,
            args.kind.map(|k| match k {
                RunKind::Flow => StoredKind::Flow,
                RunKind::Call => StoredKind::Call,
                RunKind::Pages => StoredKind::Pages,
                RunKind::Audit => StoredKind::Audit,
            }),
            usize::try_from(limit).unwrap_or(usize::MAX),
        )?;
        let mut total = 0usize;
        for i in &instances {
            total += store.runs_of(*i)?;
        }
        Ok(RunsPage {
            runs: self.summaries(page.runs)?,
            total: u32::try_from(total).unwrap_or(u32::MAX),
            more: page.more,
        })
    }

    /// `history_settings`.
    pub fn history_settings(&self) -> Result<HistorySettings> {
        let as_u32 = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Ok(HistorySettings {
            keep_runs: as_u32(self.store().history_limit()?),
            default_keep_runs: as_u32(signet_store::MAX_RUNS_PER_INSTANCE),
            min_keep_runs: as_u32(*signet_store::HISTORY_LIMIT_RANGE.start()),
            max_keep_runs: as_u32(*signet_store::HISTORY_LIMIT_RANGE.end()),
        })
    }

    /// `history_settings_set`: keeps the newest `keep_runs` runs of each instance, forgetting
    /// the older ones now.
    pub fn history_settings_set(&self, keep_runs: u32) -> Result<HistoryCleared> {
        let keep = usize::try_from(keep_runs).unwrap_or(usize::MAX);
        let store = self.store();
        let removed = store.set_history_limit(keep).map_err(|e| {
            AppError::from(e).hint(format!(
                "choose between {} and {} runs",
                signet_store::HISTORY_LIMIT_RANGE.start(),
                signet_store::HISTORY_LIMIT_RANGE.end()
            ))
        })?;
        // This session's runs that are over are stored too: those just forgotten go as well.
        self.inner.flows.forget_ended(|e| {
            ids::parse_run(&e.id).is_some_and(|(i, r)| matches!(store.run(i, r), Ok(None)))
        });
        Ok(HistoryCleared {
            removed: u32::try_from(removed).unwrap_or(u32::MAX),
            settings: self.history_settings()?,
        })
    }

    /// `history_clear`: forgets the runs of every instance, of a connector's, or of one
    /// instance — stored ones and this session's that are over (a run in progress stays).
    pub fn history_clear(
        &self,
        connector: Option<&str>,
        instance: Option<&str>,
    ) -> Result<HistoryCleared> {
        let store = self.store();
        let instances: Option<Vec<signet_store::InstanceId>> = match (instance, connector) {
            (Some(i), _) => Some(vec![self.instance_and_connector(i)?.0.id]),
            (None, Some(c)) => {
                let id = ids::connector(c)?;
                store.connector(id)?.ok_or_else(|| {
                    AppError::new(ErrorKind::NotFound, format!("no connector {c}"))
                })?;
                Some(store.instances_of(id)?.into_iter().map(|i| i.id).collect())
            }
            (None, None) => None,
        };
        let removed = match &instances {
            Some(list) => {
                let mut n = 0;
                for i in list {
                    n += store.clear_runs(Some(*i))?;
                }
                n
            }
            None => store.clear_runs(None)?,
        };
        // This session's runs that are over were stored too: counted once.
        let _ = self.inner.flows.forget_ended(|e| {
            instances
                .as_ref()
                .is_none_or(|list| list.contains(&e.instance_id))
        });
        Ok(HistoryCleared {
            removed: u32::try_from(removed).unwrap_or(u32::MAX),
            settings: self.history_settings()?,
        })
    }

    /// `run_get`: a run of this session, or a stored one.
    pub fn run_get(&self, run_id: &str) -> Result<RunRecord> {
        let not_found = || AppError::new(ErrorKind::NoSuchRun, format!("no run {run_id}"));
        if let Some(e) = self.inner.flows.get(run_id) {
            let c = self
                .store()
                .connector_head(e.connector_id)?
                .ok_or_else(not_found)?;
            let i = self
                .store()
                .instance(e.instance_id)?
                .ok_or_else(not_found)?;
            let latest = e.latest().clone();
            return Ok(RunRecord {
                summary: flow_summary(
                    e.id.clone(),
                    &c,
                    &i,
                    e.started_ms(),
                    latest.finished_ms,
                    &latest.snapshot,
                ),
                detail: RunDetail::Flow {
                    snapshot: Box::new(latest.snapshot),
                    variables: e.variables.clone(),
                },
            });
        }
        let (iid, rid) = ids::parse_run(run_id).ok_or_else(not_found)?;
        let store = self.store();
        let record = store.run(iid, rid)?.ok_or_else(not_found)?;
        let i = store.instance(iid)?.ok_or_else(not_found)?;
        let c = store
            .connector_head(i.connector_id)?
            .ok_or_else(not_found)?;
        let (summary, detail) = read(&c, &i, &record).ok_or_else(|| {
            AppError::new(
                ErrorKind::DamagedRecord,
                format!("run {run_id} cannot be read back"),
            )
        })?;
        Ok(RunRecord { summary, detail })
    }

    fn preset_of(&self, record: &RunRecord) -> Option<&signet_presets::Preset> {
        let cid = ids::connector(&record.summary.connector_id).ok()?;
        let c = self.store().connector(cid).ok()??;
        let id = c.definition.details.preset?;
        self.catalog().get(&id)
    }

    /// `run_diagnose`: a failed run read in plain words, with its preset's knowledge.
    pub fn run_diagnose(&self, run_id: &str) -> Result<FailureDiagnosis> {
        let record = self.run_get(run_id)?;
        let not_failed = || {
            AppError::new(
                ErrorKind::RunNotFailed,
                "this run has not failed, so there is nothing to diagnose",
            )
        };
        match &record.detail {
            RunDetail::Flow { snapshot, .. } => match self.preset_of(&record) {
                Some(p) => p.diagnose(snapshot),
                None => diagnose_snapshot(snapshot),
            }
            .ok_or_else(not_failed),
            RunDetail::Call { call } => call.diagnosis.clone().ok_or_else(not_failed),
            RunDetail::Pages { pages } => pages
                .pages
                .iter()
                .rev()
                .find_map(|p| p.call.diagnosis.clone())
                .ok_or_else(not_failed),
            RunDetail::Audit { .. } => Err(AppError::new(
                ErrorKind::RunNotFailed,
                "an audit is read by its checks: each row says what the provider did and what it means",
            )
            .hint("open the audit and read the rows marked not enforced")),
        }
    }

    /// `diagnose_paste`: the run's base string against the one the user pasted.
    pub fn diagnose_paste(&self, run_id: &str, text: &str) -> Result<BaseStringDiff> {
        if text.trim().is_empty() {
            return Err(AppError::from(
                ErrorReport::new(ErrorKind::PasteEmpty, "nothing was pasted").hint(
                    "paste the signature base string the provider expected (from its error, logs or docs)",
                ),
            ));
        }
        let record = self.run_get(run_id)?;
        let nothing = || {
            AppError::new(
                ErrorKind::NothingSigned,
                "this run has not signed a request yet, so there is nothing to compare with",
            )
        };
        let ours = match &record.detail {
            RunDetail::Flow { snapshot, .. } => exchange_behind(snapshot)
                .map(|x| x.trace.base_string.clone())
                .ok_or_else(nothing)?,
            RunDetail::Call { call } => call
                .trace
                .as_ref()
                .map(|t| t.base_string.clone())
                .ok_or_else(nothing)?,
            // The page that failed is the last one.
            RunDetail::Pages { pages } => pages
                .pages
                .last()
                .and_then(|p| p.call.trace.as_ref())
                .map(|t| t.base_string.clone())
                .ok_or_else(nothing)?,
            // The audit's valid request-token request, which every wrong one was made from.
            RunDetail::Audit { audit } => audit
                .report
                .checks
                .iter()
                .find_map(|c| c.sent.as_ref())
                .map(|s| s.trace.base_string.clone())
                .ok_or_else(nothing)?,
        };
        let theirs = extract_base_string(text).unwrap_or_else(|| text.trim().to_owned());
        Ok(diff_base_strings(&ours, &theirs))
    }
}
