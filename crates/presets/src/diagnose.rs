//! A failure read with the preset's knowledge: the core's readings
//! ([`signet_oauth1::diagnose::diagnose_snapshot`]), preceded by what the preset knows — its
//! own errors found in the provider's answer, and the settings its provider refuses.

use signet_oauth1::SignatureMethod;
use signet_oauth1::diagnose::{Diagnosis, FailureDiagnosis, Severity, diagnose_snapshot};
use signet_oauth1::flow::Snapshot;

use crate::model::Preset;

impl Preset {
    /// Reads a failed snapshot with this preset's knowledge; `None` when it did not fail.
    pub fn diagnose(&self, snapshot: &Snapshot) -> Option<FailureDiagnosis> {
        let mut d = diagnose_snapshot(snapshot)?;
        let mut first = Vec::new();
        let step = d.step.number();
        let body = snapshot
            .steps
            .iter()
            .filter(|s| s.number <= step)
            .rev()
            .find_map(|s| s.exchanges.last())
            .and_then(|x| x.response.as_ref())
            .map(|r| r.body.clone())
            .unwrap_or_default();
        for l in self.lints(&snapshot.config_for_lints()) {
            if l.severity == Severity::Error {
                first.push(Diagnosis {
                    id: format!("{}.{}", self.id, l.id),
                    provider: Some(self.id.clone()),
                    cause: l.message.clone(),
                    explanation: format!(
                        "The {} preset knows this setting fails: {}.",
                        self.name, l.message
                    ),
                    fix: l.fix,
                    evidence: format!("the connector's {}", l.field),
                });
            }
        }
        let matched: Vec<_> = self
            .known_errors
            .iter()
            .filter_map(|e| {
                let code = e.code.split(" (").next().unwrap_or(&e.code);
                (!code.is_empty() && body.contains(code)).then_some((code, e))
            })
            .collect();
        if let Some((code, _)) = matched.first() {
            let causes: Vec<&str> = matched.iter().map(|(_, e)| e.cause.as_str()).collect();
            let fixes: Vec<&str> = matched.iter().map(|(_, e)| e.fix.as_str()).collect();
            first.push(Diagnosis {
                id: format!("{}.known_error", self.id),
                provider: Some(self.id.clone()),
                cause: causes.join(", or "),
                explanation: format!(
                    "{} answers {code} when: {}.",
                    self.name,
                    causes.join("; or when ")
                ),
                fix: fixes.join("; or "),
                evidence: format!("the response mentions {code:?}"),
            });
        }
        first.append(&mut d.diagnoses);
        d.diagnoses = first;
        Some(d)
    }
}

/// Whether a method is one the preset's provider accepts.
pub fn accepts(p: &Preset, method: SignatureMethod) -> bool {
    p.signature.allowed.contains(&method)
}
