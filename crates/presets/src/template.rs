//! Placeholders: checking what the user typed, and expanding `{name}` in templates.

use std::collections::BTreeMap;

use crate::error::PresetError;
use crate::model::{Helper, Placeholder};

/// The values of a preset's placeholders, by name, as the user typed them.
pub type Inputs = BTreeMap<String, String>;

/// Resolved variables: `name` and, for NetSuite accounts, `name.realm`.
pub type Vars = BTreeMap<String, String>;

/// A NetSuite account id in its two forms: (host form, realm form). `1234567-sb1` and
/// `1234567_SB1` both give (`1234567-sb1`, `1234567_SB1`).
pub fn netsuite_account(id: &str) -> Result<(String, String), String> {
    let id = id.trim();
    if id.is_empty() {
        return Err("the account id is empty".into());
    }
    if !id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(format!(
            "{id:?} is not a NetSuite account id: it has only letters, digits, - and _ (1234567 or 1234567-sb1)"
        ));
    }
    Ok((
        id.to_ascii_lowercase().replace('_', "-"),
        id.to_ascii_uppercase().replace('-', "_"),
    ))
}

/// A site's base address without a trailing `/`.
pub fn base_url(value: &str) -> Result<String, String> {
    let v = value.trim().trim_end_matches('/');
    let rest = v
        .strip_prefix("https://")
        .or_else(|| v.strip_prefix("http://"))
        .ok_or_else(|| format!("{v:?} must start with https:// (or http://)"))?;
    if rest.is_empty() || rest.starts_with('/') {
        return Err(format!("{v:?} has no host"));
    }
    if v.contains(['?', '#', ' ']) {
        return Err(format!("{v:?} must be a plain address, without ? or #"));
    }
    Ok(v.to_owned())
}

/// Checks one placeholder's value and adds its variables.
pub fn resolve_one(p: &Placeholder, value: &str, vars: &mut Vars) -> Result<(), String> {
    match p.helper {
        Helper::Text => {
            let v = value.trim();
            if v.is_empty() {
                return Err("is empty".into());
            }
            vars.insert(p.name.clone(), v.to_owned());
        }
        Helper::BaseUrl => {
            vars.insert(p.name.clone(), base_url(value)?);
        }
        Helper::NetsuiteAccount => {
            let (host, realm) = netsuite_account(value)?;
            vars.insert(p.name.clone(), host);
            vars.insert(format!("{}.realm", p.name), realm);
        }
        Helper::Choice => {
            let v = value.trim();
            if !p.choices.iter().any(|c| c.value == v) {
                let list: Vec<&str> = p.choices.iter().map(|c| c.value.as_str()).collect();
                return Err(format!("{v:?} is not one of {}", list.join(", ")));
            }
            vars.insert(p.name.clone(), v.to_owned());
        }
        Helper::Port => {
            let port: u16 = value
                .trim()
                .parse()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| format!("{value:?} is not a port (1-65535)"))?;
            vars.insert(p.name.clone(), port.to_string());
        }
    }
    Ok(())
}

/// Resolves every placeholder from the inputs (or its default).
pub fn resolve(placeholders: &[Placeholder], inputs: &Inputs) -> Result<Vars, Vec<PresetError>> {
    let mut vars = Vars::new();
    let mut errors = Vec::new();
    for p in placeholders {
        let value = inputs
            .get(&p.name)
            .map(String::as_str)
            .filter(|v| !v.trim().is_empty())
            .or(p.default.as_deref());
        let Some(value) = value else {
            errors.push(PresetError::MissingValue {
                name: p.name.clone(),
                label: p.label.clone(),
                example: p.example.clone(),
            });
            continue;
        };
        if let Err(reason) = resolve_one(p, value, &mut vars) {
            errors.push(PresetError::InvalidValue {
                name: p.name.clone(),
                reason,
            });
        }
    }
    if errors.is_empty() {
        Ok(vars)
    } else {
        Err(errors)
    }
}

/// The `{name}`s a template uses.
pub fn names(template: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        let Some(j) = rest[i..].find('}') else { break };
        out.push(&rest[i + 1..i + j]);
        rest = &rest[i + j + 1..];
    }
    out
}

/// Replaces every `{name}` with its variable.
pub fn expand(template: &str, vars: &Vars) -> Result<String, PresetError> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let Some(j) = rest[i..].find('}') else {
            return Err(PresetError::UnknownPlaceholder(rest[i..].to_owned()));
        };
        let name = &rest[i + 1..i + j];
        let value = vars
            .get(name)
            .ok_or_else(|| PresetError::UnknownPlaceholder(name.to_owned()))?;
        out.push_str(value);
        rest = &rest[i + j + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn netsuite_account_ids_become_realm_and_host() {
        assert_eq!(
            netsuite_account("1234567-sb1").unwrap(),
            ("1234567-sb1".into(), "1234567_SB1".into())
        );
        assert_eq!(
            netsuite_account("1234567_SB1").unwrap(),
            ("1234567-sb1".into(), "1234567_SB1".into())
        );
        assert_eq!(
            netsuite_account(" 7654321 ").unwrap(),
            ("7654321".into(), "7654321".into())
        );
        assert!(netsuite_account("12 34").is_err());
        assert!(netsuite_account("").is_err());
    }

    #[test]
    fn base_urls_lose_their_trailing_slash() {
        assert_eq!(
            base_url("https://shop.example/").unwrap(),
            "https://shop.example"
        );
        assert_eq!(
            base_url("https://jira.example/jira").unwrap(),
            "https://jira.example/jira"
        );
        assert!(base_url("shop.example").is_err());
        assert!(base_url("https://").is_err());
        assert!(base_url("https://a.example/?x=1").is_err());
    }

    #[test]
    fn templates_expand_and_name_their_holes() {
        let mut vars = Vars::new();
        vars.insert("account".into(), "1234567-sb1".into());
        vars.insert("account.realm".into(), "1234567_SB1".into());
        assert_eq!(
            expand(
                "https://{account}.restlets.api.netsuite.com/x?r={account.realm}",
                &vars
            )
            .unwrap(),
            "https://1234567-sb1.restlets.api.netsuite.com/x?r=1234567_SB1"
        );
        assert_eq!(names("a{b}c{d.realm}"), ["b", "d.realm"]);
        assert_eq!(
            expand("{nope}", &vars).unwrap_err().to_string(),
            "the template uses {nope}, which no placeholder defines"
        );
    }
}
