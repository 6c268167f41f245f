//! The provider audit of an instance's OAuth 1.0a method (`signet_audit`): its plan, shown
//! before anything is sent, and the audit itself. Its two dances are the instance's own flows
//! (the browser, deep link, loopback listener or PIN the method uses; followed like any flow
//! through `flow-snapshot` events); their snapshots are kept in the audit's run, which the
//! history keeps as one run of kind `audit`. At the end the instance keeps a working token: the
//! one saved before when it still answers, else the audit's.

use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use signet_audit::{
    AuditEvent, AuditPlan, AuditReport, AuditSettings, Authorised, Consent, StopSwitch,
    TokenOutcome,
};
use signet_engine::Stop;
use signet_oauth1::flow::{FlowConfig, Snapshot, StepId};
use signet_oauth1::{ErrorKind, ErrorReport};
use signet_store::{NewRun, RunKind, RunOutcome, Timestamp};
use ts_rs::TS;

use crate::api::{AuditProgressEvent, AuditStep, Event};
use crate::error::{AppError, Result};
use crate::{App, ids};

/// What an audit keeps in its run: the report and the two dances as they stood at step 7.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AuditRecord {
    /// The rows, the scorecard, the token's fate.
    pub report: AuditReport,
    /// The dances (steps 1 to 7 each), as any flow's snapshot.
    pub dances: Vec<Snapshot>,
}

/// An audit's result.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditResult {
    /// Its run in the history.
    pub run_id: String,
    /// What it found.
    pub report: AuditReport,
}

/// What an audit reports as it goes, for the CLI and the UI.
#[derive(Debug, Clone)]
pub enum AuditProgress {
    /// A request is about to go, or a check has its verdict (see `signet_audit`).
    Audit(AuditEvent),
    /// A dance started: the flow run the user allows access in (`which`: 1 or 2).
    Dance {
        /// Which dance.
        which: u8,
        /// Its flow run (its snapshots come as `flow-snapshot` events).
        run_id: String,
    },
}

/// An audit going, by its job name: how to stop it, and its dance when one is going.
pub(crate) struct RunningAudit {
    stop: StopSwitch,
    dance: Mutex<Option<String>>,
}

/// The dances, as the instance's flows.
struct Dances<'a> {
    app: &'a App,
    inst: signet_store::Instance,
    connector_id: signet_store::ConnectorId,
    variables: Vec<signet_connector::VariableUse>,
    progress: &'a (dyn Fn(AuditProgress) + Sync),
    snapshots: Vec<Snapshot>,
}

impl Consent for Dances<'_> {
    async fn authorise(
        &mut self,
        config: &FlowConfig,
        which: u8,
    ) -> std::result::Result<Authorised, ErrorReport> {
        let resolved = signet_connector::ResolvedFlow {
            config: config.clone(),
            variables: self.variables.clone(),
        };
        let progress = self.progress;
        // Told before the dance's first snapshot goes out.
        let started = self
            .app
            .start_resolved(
                &self.inst,
                self.connector_id,
                resolved,
                Some(StepId::RedirectToConsumer),
                |run_id| {
                    progress(AuditProgress::Dance {
                        which,
                        run_id: run_id.to_owned(),
                    })
                },
            )
            .await
            .map_err(|e| e.report().clone())?;
        let taken = self.app.take_authorised(&started.run_id).await;
        let (authorised, snapshot) = taken.map_err(|e| e.report().clone())?;
        self.snapshots.push(snapshot);
        authorised
    }
}

impl App {
    /// `audit_run`: [`App::audit`] with its progress as `audit-progress` events named by `job`,
    /// at `rate_limit` requests a second at most (5 unless given).
    pub async fn audit_run(
        &self,
        instance: &str,
        job: &str,
        rate_limit: Option<f64>,
    ) -> Result<crate::api::AuditDone> {
        let rate = rate_limit.unwrap_or(5.0);
        if !(0.1..=100.0).contains(&rate) {
            return Err(AppError::new(
                ErrorKind::InvalidInputs,
                format!("{rate} requests a second is outside 0.1 to 100"),
            )
            .hint("pick a rate the provider allows, e.g. 2"));
        }
        if !crate::pages::valid_job(job) {
            return Err(AppError::new(
                ErrorKind::InvalidInputs,
                format!("{job:?} cannot name an audit: use letters, digits, - and _ (at most 64)"),
            ));
        }
        let stop = StopSwitch::default();
        let running = Arc::new(RunningAudit {
            stop: stop.clone(),
            dance: Mutex::new(None),
        });
        let Some(_registered) = self.inner.audit_jobs.register(job, running.clone()) else {
            return Err(AppError::new(
                ErrorKind::InvalidInputs,
                format!("an audit named {job:?} is running already"),
            )
            .hint("wait for it to end, or give this one another name"));
        };
        let settings = AuditSettings {
            min_interval: std::time::Duration::from_secs_f64(1.0 / rate),
            stop,
        };
        let host = self.inner.host.clone();
        let job = job.to_owned();
        let result = self
            .audit(instance, settings, move |p| {
                let step = match p {
                    AuditProgress::Dance { which, run_id } => {
                        *running.dance.lock().unwrap_or_else(|e| e.into_inner()) =
                            Some(run_id.clone());
                        AuditStep::Dance { which, run_id }
                    }
                    AuditProgress::Audit(AuditEvent::Sending { n, what }) => {
                        AuditStep::Sending { n, what }
                    }
                    AuditProgress::Audit(AuditEvent::Checked(row)) => AuditStep::Checked { row },
                    AuditProgress::Audit(AuditEvent::Consent { .. }) => return,
                };
                host.emit(Event::AuditProgress(Box::new(AuditProgressEvent {
                    job: job.clone(),
                    step,
                })));
            })
            .await?;
        Ok(crate::api::AuditDone {
            run_id: result.run_id,
            report: result.report,
        })
    }

    /// `audit_stop`: stops the audit `job` — its dance when one is going (the flow is
    /// cancelled), else before its next request; the request in flight finishes, and the
    /// checks not made say the audit was stopped. Stopping an audit that has ended does
    /// nothing.
    pub fn audit_stop(&self, job: &str) -> Result<()> {
        if let Some(r) = self.inner.audit_jobs.get(job) {
            r.stop.stop();
            let dance = r.dance.lock().unwrap_or_else(|e| e.into_inner()).clone();
            if let Some(run_id) = dance {
                // A dance that has ended is not cancelled again.
                let _ = self.flow_cancel(&run_id);
            }
        }
        Ok(())
    }

    /// `audit_plan`: every request an audit of the instance's OAuth 1.0a method would send,
    /// and what to know first, resolved as the audit will be (the demo provider started when
    /// the connector is its). Sends nothing to the provider.
    pub async fn audit_plan(&self, instance: &str) -> Result<AuditPlan> {
        let (_, _, _, resolved) = self.resolved_flow(instance).await?;
        signet_audit::plan(&resolved.config).map_err(AppError::from)
    }

    /// `audit_run`: audits the provider of the instance's OAuth 1.0a method (see the module
    /// docs); `progress` sees every request before it goes, every dance and every verdict.
    pub async fn audit(
        &self,
        instance: &str,
        settings: AuditSettings,
        progress: impl FnMut(AuditProgress) + Send,
    ) -> Result<AuditResult> {
        let (inst, c, installed, resolved) = self.resolved_flow(instance).await?;
        signet_audit::plan(&resolved.config).map_err(AppError::from)?;
        let started_at = Timestamp::now();
        let http = signet_engine::Http::new(self.inner.settings.flow_http)?;
        // One callback, called in order: the dances' and the audit's moments interleave as
        // they happen.
        let progress = std::sync::Mutex::new(progress);
        let tell = |p: AuditProgress| (progress.lock().unwrap_or_else(|e| e.into_inner()))(p);
        let mut dances = Dances {
            app: self,
            inst: inst.clone(),
            connector_id: c.id,
            variables: resolved.variables.clone(),
            progress: &tell,
            snapshots: Vec::new(),
        };
        let outcome = signet_audit::run(
            &resolved.config,
            installed.token.as_ref(),
            &http,
            self.clock(),
            &mut dances,
            settings,
            |e| tell(AuditProgress::Audit(e)),
        )
        .await;
        let outcome = outcome.map_err(AppError::from)?;
        let mut report = outcome.report;
        if let (TokenOutcome::Reissued { .. }, Some(issued)) = (&report.token, &outcome.issued)
            && let Err(e) = self.store().save_issued_token(inst.id, issued)
        {
            report
                .warnings
                .push(format!("the audit's access token could not be saved: {e}"));
            report.token = TokenOutcome::Unchanged;
        }
        let record = AuditRecord {
            report: report.clone(),
            dances: dances.snapshots,
        };
        let failed = report.score.required_not_enforced > 0 || report.score.inconclusive();
        let run = self.store().record_run(NewRun {
            instance_id: inst.id,
            kind: RunKind::Audit,
            started_at,
            finished_at: Some(Timestamp::now()),
            outcome: if failed {
                RunOutcome::Failed {
                    step: None,
                    message: if report.score.inconclusive() {
                        "the audit could tell nothing: no check was decided either way".into()
                    } else {
                        format!(
                            "{}; {} required not enforced",
                            report.score.headline(),
                            report.score.required_not_enforced
                        )
                    },
                }
            } else {
                RunOutcome::Completed
            },
            snapshot: serde_json::to_value(&record).unwrap_or_default(),
            summary: crate::history::Listed::audit(&report).value(),
        })?;
        Ok(AuditResult {
            run_id: ids::run_id(inst.id, run.id),
            report,
        })
    }

    /// The authorised request token of a flow stopped after step 7 (an audit's dance), and its
    /// snapshot; the flow is then forgotten — from this session and from the history (the
    /// audit's run keeps its snapshot). A dance that failed, timed out or was cancelled is an
    /// error naming why, and is forgotten too.
    pub(crate) async fn take_authorised(
        &self,
        run_id: &str,
    ) -> Result<(std::result::Result<Authorised, ErrorReport>, Snapshot)> {
        let end = self.flow_wait(run_id).await?;
        let entry = self.entry(run_id)?;
        let authorised = match end.stop {
            Stop::Reached(StepId::RedirectToConsumer) => {
                let guard = entry.driver.lock().await;
                let (_, run) = &*guard;
                let confirmed = end
                    .snapshot
                    .request_token
                    .as_ref()
                    .and_then(|t| t.callback_confirmed);
                signet_audit::authorised(run.flow(), confirmed)
            }
            Stop::CallbackTimeout => Err(ErrorReport::new(
                ErrorKind::Timeout,
                "no redirect or PIN came in time: access was not allowed",
            )),
            Stop::Cancelled => Err(ErrorReport::new(
                ErrorKind::Cancelled,
                "the dance was cancelled",
            )),
            _ => Err(end
                .snapshot
                .error
                .clone()
                .map(|f| f.error)
                .unwrap_or_else(|| {
                    ErrorReport::new(ErrorKind::Internal, "the dance stopped before step 7")
                })),
        };
        self.forget_flow(&entry);
        Ok((authorised, end.snapshot))
    }
}
