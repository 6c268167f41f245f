//! Errors of the presets crate.

use serde::{Deserialize, Serialize};
use signet_oauth1::ErrorKind;

/// Result with [`PresetError`].
pub type Result<T, E = PresetError> = std::result::Result<T, E>;

/// Why a preset cannot be applied as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PresetError {
    /// A placeholder has no value and no default.
    #[error("{label} is needed (for example {example})")]
    MissingValue {
        /// The placeholder.
        name: String,
        /// Its label.
        label: String,
        /// An example value.
        example: String,
    },
    /// A placeholder's value does not fit its helper.
    #[error("{name}: {reason}")]
    InvalidValue {
        /// The placeholder.
        name: String,
        /// Why.
        reason: String,
    },
    /// A template names a placeholder nobody defines.
    #[error("the template uses {{{0}}}, which no placeholder defines")]
    UnknownPlaceholder(String),
    /// No preset has this id.
    #[error("no preset is called {0:?}: `signet presets` lists them")]
    UnknownPreset(String),
    /// A pre-issued-token preset was applied without a token.
    #[error("this preset uses a pre-issued access token: give the token id and its secret")]
    TokenNeeded,
}

impl PresetError {
    /// Stable kind for the UI.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::MissingValue { .. } => ErrorKind::MissingValue,
            Self::InvalidValue { .. } => ErrorKind::InvalidValue,
            Self::UnknownPlaceholder(_) => ErrorKind::UnknownPlaceholder,
            Self::UnknownPreset(_) => ErrorKind::UnknownPreset,
            Self::TokenNeeded => ErrorKind::TokenNeeded,
        }
    }
}

/// One problem with one preset file, found when the catalog loads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Problem {
    /// The preset's file (`x.toml`).
    pub file: String,
    /// The field (`signature.default`, `callback`, ...), or `toml` for a parse error.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}: {}", self.file, self.field, self.message)
    }
}
