//! Opening the authorization URL: one seam, so the app, the CLI and the tests each choose.
//! [`SystemBrowser`] honours `$BROWSER` (a `:`-separated list of commands, `%s` replaced by the
//! URL) and falls back to `xdg-open`, then `gio open`; [`CommandBrowser`] runs a given command.

use std::process::{Command, Stdio};

use crate::error::{Error, Result};

/// Opens URLs for the user.
pub trait Browser: Send + Sync {
    /// Opens `url`; returns once the browser was started (not when the page loaded).
    fn open(&self, url: &str) -> Result<()>;
}

impl<B: Browser + ?Sized> Browser for std::sync::Arc<B> {
    fn open(&self, url: &str) -> Result<()> {
        (**self).open(url)
    }
}

/// The user's browser: `$BROWSER`, else `xdg-open`, else `gio open`.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemBrowser;

impl Browser for SystemBrowser {
    fn open(&self, url: &str) -> Result<()> {
        let mut tried = Vec::new();
        if let Ok(list) = std::env::var("BROWSER") {
            for cmd in list.split(':').filter(|c| !c.trim().is_empty()) {
                match CommandBrowser(cmd.to_owned()).open(url) {
                    Ok(()) => return Ok(()),
                    Err(e) => tried.push(e.to_string()),
                }
            }
        }
        for cmd in ["xdg-open", "gio open"] {
            match CommandBrowser(cmd.to_owned()).open(url) {
                Ok(()) => return Ok(()),
                Err(e) => tried.push(e.to_string()),
            }
        }
        Err(Error::Browser {
            command: "$BROWSER, xdg-open, gio open".into(),
            reason: tried.join("; "),
        })
    }
}

/// A command line (`firefox --new-tab %s`, `--browser CMD`): split like a shell would, `%s`
/// replaced by the URL, or the URL appended when there is no `%s`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandBrowser(pub String);

impl Browser for CommandBrowser {
    fn open(&self, url: &str) -> Result<()> {
        let err = |reason: String| Error::Browser {
            command: self.0.clone(),
            reason,
        };
        let argv = command_line(&self.0, url).ok_or_else(|| err("the command is empty".into()))?;
        let mut child = Command::new(&argv[0])
            .args(&argv[1..])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| err(e.to_string()))?;
        // Reap it without waiting for it: a browser may run for hours.
        std::thread::spawn(move || child.wait());
        Ok(())
    }
}

/// The argv for `command` with `url`; `None` when the command is empty.
pub fn command_line(command: &str, url: &str) -> Option<Vec<String>> {
    let mut argv = split(command);
    if argv.is_empty() {
        return None;
    }
    if argv.iter().any(|a| a.contains("%s")) {
        for a in &mut argv {
            *a = a.replace("%s", url);
        }
    } else {
        argv.push(url.to_owned());
    }
    Some(argv)
}

/// Splits a command line on whitespace, honouring 'single' and "double" quotes and `\`.
fn split(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"'), '\\') | (None, '\\') => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
                in_word = true;
            }
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            (None, c) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_lines_split_and_substitute() {
        let u = "https://p.example/authorize?oauth_token=t&x=1";
        assert_eq!(command_line("xdg-open", u).unwrap(), ["xdg-open", u]);
        assert_eq!(
            command_line("firefox --new-tab %s", u).unwrap(),
            ["firefox", "--new-tab", u]
        );
        assert_eq!(
            command_line(r#""/opt/My Browser/run" --url='%s' a\ b"#, u).unwrap(),
            ["/opt/My Browser/run", &format!("--url={u}"), "a b"]
        );
        assert_eq!(command_line("   ", u), None);
    }

    #[test]
    fn a_missing_command_is_a_browser_error() {
        let e = CommandBrowser("/nonexistent/signet-browser".into())
            .open("https://x")
            .unwrap_err();
        assert_eq!(e.kind(), "browser");
    }
}
