//! Settings: small named JSON values (window size, last connector, theme, ...).

use serde_json::Value;

use crate::error::{Error, Result};
use crate::schema;
use crate::store::Store;

impl Store {
    /// A setting's value.
    pub fn setting(&self, name: &str) -> Result<Option<Value>> {
        match self.settings.get(name).map_err(|e| self.sled_err(e))? {
            Some(v) => schema::decode(
                "setting",
                || format!("{name:?}"),
                &v,
                schema::SETTING_VERSION,
                schema::no_upgrade,
            )
            .map(Some),
            None => Ok(None),
        }
    }

    /// Saves a setting and flushes.
    pub fn set_setting(&self, name: &str, value: &Value) -> Result<()> {
        if name.is_empty() {
            return Err(Error::Invalid {
                what: "setting",
                problems: crate::Problems(vec![crate::Problem::new("name", "must not be empty")]),
            });
        }
        self.settings
            .insert(name, schema::encode(schema::SETTING_VERSION, value))
            .map_err(|e| self.sled_err(e))?;
        self.flush()
    }

    /// Removes a setting; returns whether it existed.
    pub fn remove_setting(&self, name: &str) -> Result<bool> {
        let existed = self
            .settings
            .remove(name)
            .map_err(|e| self.sled_err(e))?
            .is_some();
        self.flush()?;
        Ok(existed)
    }

    /// Every setting, by name.
    pub fn settings(&self) -> Result<Vec<(String, Value)>> {
        let mut out = Vec::new();
        for item in self.settings.iter() {
            let (k, v) = item.map_err(|e| self.sled_err(e))?;
            let name = String::from_utf8_lossy(&k).into_owned();
            if let Ok(v) = schema::decode(
                "setting",
                || name.clone(),
                &v,
                schema::SETTING_VERSION,
                schema::no_upgrade,
            ) {
                out.push((name, v));
            }
        }
        Ok(out)
    }
}
