//! Checks of a connector definition while it is edited, before any value exists: names and ids,
//! URLs, parameter names, and every `{{reference}}` against the variables that can fill it
//! ("`{{acount_id}}` is not defined; did you mean `{{account_id}}`?"). Every problem at once,
//! named by field path (`endpoints[2].url`, `variables[0].name`).

use std::collections::BTreeSet;

use signet_oauth1::base_string::normalize_method;
use signet_oauth1::flow::{FieldProblem, FlowMode};

use crate::instance::defined_names;
use crate::model::{AuthKind, Body, Connector, Endpoint, Param, Variable, VariableKind};
use crate::pagination::{PageMethod, ParamPlace};
use crate::variables::{BUILTINS, check, is_valid_name, references};

/// The longest connector name accepted.
pub const MAX_NAME_LEN: usize = 100;

fn problem(field: impl Into<String>, message: impl Into<String>) -> FieldProblem {
    FieldProblem {
        field: field.into(),
        message: message.into(),
    }
}

/// Whether `id` is a usable endpoint or method id: lower-case letters, digits and `-`/`_`.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// An id made from a name: `Get a customer` → `get-a-customer`.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
        if out.len() >= 48 {
            break;
        }
    }
    let out = out.trim_end_matches('-').to_owned();
    if out.is_empty() {
        "endpoint".into()
    } else {
        out
    }
}

fn check_variables(out: &mut Vec<FieldProblem>, prefix: &str, vars: &[Variable]) {
    let mut seen = BTreeSet::new();
    for (i, v) in vars.iter().enumerate() {
        let f = format!("{prefix}[{i}]");
        if !is_valid_name(&v.name) {
            out.push(problem(
                format!("{f}.name"),
                if v.name.trim().is_empty() {
                    "the variable has no name: templates name it as {{name}}".to_owned()
                } else {
                    format!(
                        "{:?} is not a variable name: start with a letter or _, then letters, digits, _, - or .",
                        v.name
                    )
                },
            ));
        } else if !seen.insert(v.name.clone()) {
            out.push(problem(
                format!("{f}.name"),
                format!("{{{{{}}}}} is defined twice: rename one", v.name),
            ));
        }
        if v.kind == VariableKind::Secret && v.default.as_deref().is_some_and(|d| !d.is_empty()) {
            out.push(problem(
                format!("{f}.default"),
                "a secret variable cannot have a default: the connector would carry the secret; set the value in the instance instead",
            ));
        }
        if v.kind == VariableKind::Choice && v.choices.is_empty() {
            out.push(problem(
                format!("{f}.choices"),
                "a choice variable needs at least one choice",
            ));
        }
        if let Some(d) = v.default.as_deref().filter(|d| !d.is_empty())
            && v.kind != VariableKind::Secret
            && !crate::variables::has_references(d)
            && let Err(why) = crate::instance::check_value(v, d)
        {
            out.push(problem(
                format!("{f}.default"),
                format!("the default {why}"),
            ));
        }
    }
}

fn check_params(out: &mut Vec<FieldProblem>, prefix: &str, params: &[Param], oauth_reserved: bool) {
    for (i, p) in params.iter().enumerate() {
        let name = p.name.trim();
        if name.is_empty() {
            if !p.value.trim().is_empty() {
                out.push(problem(
                    format!("{prefix}[{i}].name"),
                    "this parameter has a value but no name",
                ));
            }
        } else if oauth_reserved && name.starts_with("oauth_") {
            out.push(problem(
                format!("{prefix}[{i}].name"),
                format!("{name} is an oauth_ parameter, which Signet sets itself when it signs"),
            ));
        }
    }
}

fn check_url_template(out: &mut Vec<FieldProblem>, field: &str, url: &str, what: &str) {
    let url = url.trim();
    if url.is_empty() {
        out.push(problem(field, format!("the {what} is empty")));
        return;
    }
    // Only a URL without references can be checked now; the rest is checked when it is filled in.
    if crate::variables::has_references(url) {
        if let Ok(refs) = references(url)
            && !refs.is_empty()
            && !url.starts_with("{{")
            && !url.starts_with("http://")
            && !url.starts_with("https://")
        {
            out.push(problem(
                field,
                format!("the {what} must start with http://, https:// or a variable holding one"),
            ));
        }
        return;
    }
    if let Err(e) = signet_oauth1::base_string::UrlParts::parse(url) {
        let reason = match e {
            signet_oauth1::Error::InvalidUrl { reason, .. } => reason.to_string(),
            other => other.to_string(),
        };
        out.push(problem(
            field,
            format!("the {what} is not usable: {reason}"),
        ));
    }
}

/// Every problem with a connector definition; empty when it is sound.
pub fn validate(c: &Connector) -> Vec<FieldProblem> {
    let mut out = Vec::new();
    let name = c.details.name.trim();
    if name.is_empty() {
        out.push(problem("details.name", "the connector needs a name"));
    } else if name.chars().count() > MAX_NAME_LEN {
        out.push(problem(
            "details.name",
            format!("the name is longer than {MAX_NAME_LEN} characters"),
        ));
    } else if name.chars().any(char::is_control) {
        out.push(problem("details.name", "the name has control characters"));
    }
    if let Some(u) = c
        .details
        .documentation_url
        .as_deref()
        .filter(|u| !u.trim().is_empty())
        && !(u.trim().starts_with("https://") || u.trim().starts_with("http://"))
    {
        out.push(problem(
            "details.documentation_url",
            "the documentation address must start with https:// or http://",
        ));
    }
    check_variables(&mut out, "variables", &c.variables);

    // The names the connector's fields may use.
    let mut connector_names: BTreeSet<String> =
        c.variables.iter().flat_map(defined_names).collect();
    let mut auth_names: BTreeSet<String> = BTreeSet::new();
    let mut ids = BTreeSet::new();
    let mut oauth1_count = 0;
    for (i, m) in c.auth_methods.iter().enumerate() {
        let f = format!("auth_methods[{i}]");
        if !crate::validate::is_valid_id(&m.id) {
            out.push(problem(
                format!("{f}.id"),
                format!(
                    "{:?} is not an id: use lower-case letters, digits, - and _",
                    m.id
                ),
            ));
        } else if !ids.insert(m.id.clone()) {
            out.push(problem(
                format!("{f}.id"),
                format!("two methods are called {:?}", m.id),
            ));
        }
        if m.name.trim().is_empty() {
            out.push(problem(format!("{f}.name"), "the method needs a name"));
        }
        if let AuthKind::OAuth1(o) = &m.kind {
            oauth1_count += 1;
            if oauth1_count == 2 {
                out.push(problem(
                    format!("{f}.kind"),
                    "a connector has at most one OAuth 1.0a method (its instances hold one consumer and one token each): make a second connector for another one",
                ));
            }
            auth_names.insert("oauth_token".into());
            for t in &o.token_fields {
                if is_valid_name(t) {
                    auth_names.insert(t.clone());
                } else {
                    out.push(problem(
                        format!("{f}.token_fields"),
                        format!("{t:?} is not a variable name"),
                    ));
                }
            }
        }
    }
    connector_names.extend(BUILTINS.iter().map(|b| (*b).to_owned()));
    let all: BTreeSet<String> = connector_names.union(&auth_names).cloned().collect();

    let mut refs =
        |out: &mut Vec<FieldProblem>, field: String, template: &str, extra: &BTreeSet<String>| {
            let known = |n: &str| all.contains(n) || extra.contains(n);
            let candidates: Vec<&str> =
                all.iter().chain(extra.iter()).map(String::as_str).collect();
            if let Err(e) = check(template, known, candidates.iter().copied()) {
                out.push(problem(field, e.to_string()));
            }
        };
    let none = BTreeSet::new();
    for (i, m) in c.auth_methods.iter().enumerate() {
        let f = format!("auth_methods[{i}]");
        check_params(
            &mut out,
            &format!("{f}.options.query"),
            &m.options.query,
            true,
        );
        check_params(
            &mut out,
            &format!("{f}.options.headers"),
            &m.options.headers,
            false,
        );
        check_params(
            &mut out,
            &format!("{f}.options.body"),
            &m.options.body,
            true,
        );
        for (list, params) in [
            ("query", &m.options.query),
            ("headers", &m.options.headers),
            ("body", &m.options.body),
        ] {
            for (j, p) in params.iter().enumerate() {
                refs(
                    &mut out,
                    format!("{f}.options.{list}[{j}].value"),
                    &p.value,
                    &none,
                );
            }
        }
        match &m.kind {
            AuthKind::None => {}
            AuthKind::Basic { username, password } => {
                refs(&mut out, format!("{f}.kind.username"), username, &none);
                check_secret_reference(
                    &mut out,
                    &format!("{f}.kind.password"),
                    password,
                    c,
                    "password",
                );
            }
            AuthKind::ApiKey { name, value, .. } => {
                if name.trim().is_empty() {
                    out.push(problem(
                        format!("{f}.kind.name"),
                        "name the header or parameter the key goes in",
                    ));
                }
                check_secret_reference(&mut out, &format!("{f}.kind.value"), value, c, "key");
            }
            AuthKind::OAuth1(o) => {
                if let Some(r) = &o.realm {
                    refs(&mut out, format!("{f}.realm"), r, &none);
                }
                if o.mode == FlowMode::ThreeLegged {
                    for (field, url, what) in [
                        (
                            "request_token.url",
                            &o.request_token.url,
                            "request-token URL",
                        ),
                        ("authorize_url", &o.authorize_url, "authorize URL"),
                        ("access_token.url", &o.access_token.url, "access-token URL"),
                    ] {
                        check_url_template(&mut out, &format!("{f}.{field}"), url, what);
                        refs(&mut out, format!("{f}.{field}"), url, &none);
                    }
                    for (field, m2) in [
                        ("request_token.method", &o.request_token.method),
                        ("access_token.method", &o.access_token.method),
                    ] {
                        if normalize_method(m2.trim()).is_err() || m2.trim().is_empty() {
                            out.push(problem(
                                format!("{f}.{field}"),
                                format!("{m2:?} is not an HTTP method: use POST or GET"),
                            ));
                        }
                    }
                    for (j, p) in o.authorize_params.iter().enumerate() {
                        refs(
                            &mut out,
                            format!("{f}.authorize_params[{j}].value"),
                            &p.value,
                            &none,
                        );
                        if p.name.trim() == "oauth_token" {
                            out.push(problem(
                                format!("{f}.authorize_params[{j}].name"),
                                "oauth_token is added to the authorize URL by Signet: remove it",
                            ));
                        }
                    }
                }
                if let Some(t) = o.test_endpoint.as_deref().filter(|t| !t.is_empty()) {
                    match c.endpoint(t) {
                        None => out.push(problem(
                            format!("{f}.test_endpoint"),
                            format!(
                                "step 10 calls {t:?}, which is not one of the connector's endpoints"
                            ),
                        )),
                        Some(e) if c.method_of(e).is_some_and(|x| x.id != m.id) => {
                            out.push(problem(
                                format!("{f}.test_endpoint"),
                                format!(
                                    "step 10 calls {:?}, which uses another authentication method",
                                    e.name
                                ),
                            ))
                        }
                        _ => {}
                    }
                }
            }
        }
    }

    let mut endpoint_ids = BTreeSet::new();
    for (i, e) in c.endpoints.iter().enumerate() {
        check_endpoint(&mut out, i, e, c, &mut endpoint_ids, &mut refs);
    }
    out
}

fn check_endpoint(
    out: &mut Vec<FieldProblem>,
    i: usize,
    e: &Endpoint,
    c: &Connector,
    ids: &mut BTreeSet<String>,
    refs: &mut impl FnMut(&mut Vec<FieldProblem>, String, &str, &BTreeSet<String>),
) {
    let f = format!("endpoints[{i}]");
    if !is_valid_id(&e.id) {
        out.push(problem(
            format!("{f}.id"),
            format!("{:?} is not an id: use lower-case letters, digits, - and _ (it names the endpoint in `signet call`)", e.id),
        ));
    } else if !ids.insert(e.id.clone()) {
        out.push(problem(
            format!("{f}.id"),
            format!("two endpoints are called {:?}", e.id),
        ));
    }
    if e.name.trim().is_empty() {
        out.push(problem(format!("{f}.name"), "the endpoint needs a name"));
    }
    if normalize_method(e.method.trim()).is_err() || e.method.trim().is_empty() {
        out.push(problem(
            format!("{f}.method"),
            format!(
                "{:?} is not an HTTP method: use GET, POST, PUT, PATCH or DELETE",
                e.method
            ),
        ));
    }
    if let Some(a) = &e.auth
        && c.auth_method(a).is_none()
    {
        out.push(problem(
            format!("{f}.auth"),
            format!("the endpoint uses the authentication method {a:?}, which the connector does not have"),
        ));
    }
    check_variables(out, &format!("{f}.variables"), &e.variables);
    let own: BTreeSet<String> = e.variables.iter().flat_map(defined_names).collect();
    check_url_template(out, &format!("{f}.url"), &e.url, "URL");
    refs(out, format!("{f}.url"), &e.url, &own);
    let oauth1 = c
        .method_of(e)
        .is_some_and(|m| matches!(m.kind, AuthKind::OAuth1(_)));
    check_params(out, &format!("{f}.query"), &e.query, oauth1);
    check_params(out, &format!("{f}.headers"), &e.headers, false);
    for (list, params) in [("query", &e.query), ("headers", &e.headers)] {
        for (j, p) in params.iter().enumerate() {
            refs(out, format!("{f}.{list}[{j}].name"), &p.name, &own);
            refs(out, format!("{f}.{list}[{j}].value"), &p.value, &own);
        }
    }
    match &e.body {
        Body::None => {}
        Body::Form { fields } => {
            check_params(out, &format!("{f}.body.fields"), fields, oauth1);
            for (j, p) in fields.iter().enumerate() {
                refs(out, format!("{f}.body.fields[{j}].value"), &p.value, &own);
            }
        }
        Body::Json { text } | Body::Xml { text } => refs(out, format!("{f}.body.text"), text, &own),
        Body::Text { content_type, text } => {
            if content_type.trim().is_empty() {
                out.push(problem(
                    format!("{f}.body.content_type"),
                    "a text body needs its content type (text/plain, text/csv, ...)",
                ));
            }
            refs(out, format!("{f}.body.text"), text, &own);
        }
    }
    if let Some(p) = &e.pagination {
        for (field, message) in p.problems() {
            out.push(problem(format!("{f}.pagination.{field}"), message));
        }
        match (&p.method, &e.body) {
            (PageMethod::GraphqlCursor { .. }, Body::Json { .. }) => {}
            (PageMethod::GraphqlCursor { .. }, _) => out.push(problem(
                format!("{f}.pagination.method"),
                "a GraphQL cursor goes into the body's variables: give the endpoint a JSON body ({\"query\": \"...\", \"variables\": {}}) and the method POST",
            )),
            (
                PageMethod::NextToken {
                    place: ParamPlace::Body,
                    ..
                },
                Body::None | Body::Text { .. } | Body::Xml { .. },
            ) => out.push(problem(
                format!("{f}.pagination.method.place"),
                "the cursor is to go in the body, which only a form or JSON body can carry: put it in the query, or give the endpoint a form or JSON body",
            )),
            _ => {}
        }
    }
    if let Some(schema) = &e.schema {
        let known: BTreeSet<String> = crate::schema::taxonomy()
            .into_iter()
            .flat_map(|g| g.tags.into_iter().map(|t| t.id))
            .collect();
        for (path, tag) in schema.tags() {
            if !known.contains(&tag) {
                out.push(problem(
                    format!("{f}.schema"),
                    format!(
                        "the field {} is tagged {tag:?}, which is not a tag Signet knows: pick one from the list",
                        if path.is_empty() { "(the whole answer)".to_owned() } else { path }
                    ),
                ));
            }
        }
    }
    if matches!(
        e.method.trim().to_ascii_uppercase().as_str(),
        "GET" | "HEAD"
    ) && e.body != Body::None
    {
        out.push(problem(
            format!("{f}.body"),
            format!(
                "a {} request has no body: choose POST or PUT, or remove the body",
                e.method.trim().to_ascii_uppercase()
            ),
        ));
    }
}

/// A password or API key must come from a secret variable, so it is stored encrypted and kept
/// out of exports.
fn check_secret_reference(
    out: &mut Vec<FieldProblem>,
    field: &str,
    value: &str,
    c: &Connector,
    what: &str,
) {
    let secret_names: Vec<&str> = c
        .variables
        .iter()
        .filter(|v| v.kind == VariableKind::Secret)
        .map(|v| v.name.as_str())
        .collect();
    match references(value) {
        Err(e) => out.push(problem(field, e.to_string())),
        Ok(refs) if refs.iter().any(|r| secret_names.contains(r)) => {}
        Ok(refs) => {
            let known: Vec<&str> = c.variables.iter().map(|v| v.name.as_str()).collect();
            if let Some(r) = refs
                .iter()
                .find(|r| !known.contains(r) && !r.starts_with('$'))
            {
                out.push(problem(
                    field,
                    format!(
                        "{{{{{r}}}}} is not defined: add a secret variable called {r} in the connector's variables"
                    ),
                ));
            } else {
                out.push(problem(
                    field,
                    format!(
                        "the {what} must come from a secret variable (for example {{{{{what}}}}}), so it is stored encrypted and never exported"
                    ),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;

    fn connector() -> Connector {
        let mut c = Connector::named("Shop");
        c.variables.push(Variable::text("account_id", "Account"));
        c.variables.push(Variable {
            kind: VariableKind::Secret,
            ..Variable::text("api_key", "API key")
        });
        let mut o = OAuth1::three_legged(
            "https://{{account_id}}.example.com/oauth/request_token",
            "https://{{account_id}}.example.com/oauth/authorize",
            "https://{{account_id}}.example.com/oauth/access_token",
        );
        o.token_fields = vec!["user_id".into()];
        c.auth_methods.push(AuthMethod {
            id: "oauth1".into(),
            name: "OAuth 1.0a".into(),
            kind: AuthKind::OAuth1(Box::new(o)),
            options: AuthOptions::default(),
        });
        let mut e = Endpoint::get(
            "user",
            "A user",
            "https://{{account_id}}.example.com/users/{{user_id}}/{{id}}",
        );
        e.variables.push(Variable::text("id", "Id"));
        c.endpoints.push(e);
        c
    }

    #[test]
    fn a_sound_connector_has_no_problems() {
        assert_eq!(validate(&connector()), vec![]);
    }

    #[test]
    fn misspelt_references_are_named_with_a_suggestion() {
        let mut c = connector();
        c.endpoints[0].url = "https://{{acount_id}}.example.com/x".into();
        let p = validate(&c);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].field, "endpoints[0].url");
        assert_eq!(
            p[0].message,
            "{{acount_id}} is not defined; did you mean {{account_id}}?"
        );
        // An endpoint's own variables are not visible to another endpoint.
        let mut other = Endpoint::get("other", "Other", "https://x.example/{{id}}");
        other.method = "GET".into();
        c.endpoints[0].url = "https://x.example/".into();
        c.endpoints.push(other);
        assert_eq!(validate(&c)[0].field, "endpoints[1].url");
    }

    #[test]
    fn secrets_come_from_secret_variables_only() {
        let mut c = connector();
        c.auth_methods.push(AuthMethod {
            id: "key".into(),
            name: "API key".into(),
            kind: AuthKind::ApiKey {
                name: "X-Api-Key".into(),
                value: "sk_live_typed_in".into(),
                placement: KeyPlacement::Header,
            },
            options: AuthOptions::default(),
        });
        let p = validate(&c);
        assert_eq!(p[0].field, "auth_methods[1].kind.value");
        assert!(
            p[0].message.contains("must come from a secret variable"),
            "{p:?}"
        );
        let AuthKind::ApiKey { value, .. } = &mut c.auth_methods[1].kind else {
            unreachable!()
        };
        *value = "Bearer {{api_key}}".into();
        assert_eq!(validate(&c), vec![]);
        c.variables[1].default = Some("oops".into());
        assert_eq!(validate(&c)[0].field, "variables[1].default");
    }

    #[test]
    fn ids_names_and_methods_are_checked() {
        let mut c = connector();
        c.endpoints
            .push(Endpoint::get("user", "", "https://x.example/"));
        c.endpoints[1].method = "GE T".into();
        c.endpoints[1].body = Body::Json { text: "{}".into() };
        let fields: Vec<String> = validate(&c).into_iter().map(|p| p.field).collect();
        assert_eq!(
            fields,
            [
                "endpoints[1].id",
                "endpoints[1].name",
                "endpoints[1].method"
            ]
        );
        c.endpoints[1].method = "GET".into();
        let fields: Vec<String> = validate(&c).into_iter().map(|p| p.field).collect();
        assert!(
            fields.contains(&"endpoints[1].body".to_owned()),
            "{fields:?}"
        );
        assert_eq!(slug("Get a customer!"), "get-a-customer");
        assert_eq!(slug("  "), "endpoint");
    }

    #[test]
    fn pagination_is_checked_with_the_endpoint() {
        use crate::pagination::{PageLimits, Pagination};
        let mut c = connector();
        c.endpoints[0].pagination = Some(Pagination {
            limits: PageLimits {
                max_pages: 0,
                max_items: 10,
            },
            ..Pagination::new(PageMethod::GraphqlCursor {
                page_info: "/data/pageInfo".into(),
                variable: "after".into(),
                size_variable: None,
                size: None,
            })
        });
        let fields: Vec<String> = validate(&c).into_iter().map(|p| p.field).collect();
        assert_eq!(
            fields,
            [
                "endpoints[0].pagination.limits.max_pages",
                "endpoints[0].pagination.method"
            ]
        );
    }
}
