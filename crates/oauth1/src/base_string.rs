//! The signature base string (RFC 5849 section 3.4.1).
//!
//! > The signature base string is constructed by concatenating together, in order, the following
//! > HTTP request elements: 1. The HTTP request method in uppercase. [...] 2. An "&" character.
//! > 3. The base string URI from Section 3.4.1.2, after being encoded (Section 3.6). 4. An "&"
//! > character. 5. The request parameters as normalized in Section 3.4.1.3.2, after being
//! > encoded (Section 3.6).

use crate::encoding::{all_bytes, all_lower_unreserved, encode_encoded_into, encode_into, find_eq};
use crate::error::{Error, Result};
use crate::parameters::Param;

/// A URL split into the parts signing needs, borrowed from the text as sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UrlParts<'a> {
    /// `http` or `https`, in whatever case it was written.
    pub scheme: &'a str,
    /// The host, as written (brackets kept for IPv6).
    pub host: &'a str,
    /// The port digits, when the URL names one.
    pub port: Option<&'a str>,
    /// The path as sent (may be empty).
    pub path: &'a str,
    /// The query without its `?`.
    pub query: Option<&'a str>,
    /// The fragment without its `#` (never sent, never signed).
    pub fragment: Option<&'a str>,
}

impl<'a> UrlParts<'a> {
    /// Splits an absolute `http` or `https` URL.
    pub fn parse(url: &'a str) -> Result<Self> {
        let bad = |reason| Error::InvalidUrl {
            url: url.to_owned(),
            reason,
        };
        let bytes = url.as_bytes();
        // The scheme ends at the first `:`, which `//` must follow.
        let scheme_end = bytes.iter().position(|&b| b == b':').unwrap_or(bytes.len());
        if !url[scheme_end..].starts_with("://") {
            return Err(bad(
                "it must be an absolute url starting with http:// or https://",
            ));
        }
        let scheme = &url[..scheme_end];
        if !(scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")) {
            return Err(bad("only http:// and https:// urls can be signed"));
        }

        // The authority runs to the first `/`, `?` or `#`, the path to the first `?` or `#`,
        // the query to the first `#`; the fragment is the rest.
        let authority_start = scheme_end + 3;
        let mut i = authority_start;
        let mut at_sign = false;
        let mut last_colon = None;
        while i < bytes.len() {
            match bytes[i] {
                b'/' | b'?' | b'#' => break,
                b'@' => at_sign = true,
                b':' => last_colon = Some(i),
                // An IPv6 literal keeps its colons inside brackets.
                b']' => last_colon = None,
                _ => {}
            }
            i += 1;
        }
        let authority_end = i;
        let rest = &bytes[authority_end..];
        let fragment_at = find_eq(rest, b'#').map_or(bytes.len(), |f| authority_end + f);
        let path_end = find_eq(&bytes[authority_end..fragment_at], b'?')
            .map_or(fragment_at, |q| authority_end + q);
        let path = &url[authority_end..path_end];
        let query = (path_end < fragment_at).then(|| &url[path_end + 1..fragment_at]);
        let fragment = (fragment_at < bytes.len()).then(|| &url[fragment_at + 1..]);
        // Nothing from the path on may be a space or control character.
        let control = !all_bytes(&bytes[authority_end..fragment_at], |b| !is_control(b));

        if at_sign {
            return Err(bad(
                "user names and passwords in the url are not supported: remove the part before @",
            ));
        }
        let (host, port) = match last_colon {
            None => (&url[authority_start..authority_end], None),
            Some(c) => {
                let port = &url[c + 1..authority_end];
                let valid = port.is_empty()
                    || (port.bytes().all(|b| b.is_ascii_digit())
                        && port.parse::<u16>().is_ok_and(|p| p > 0));
                if !valid {
                    return Err(bad("the port must be a number from 1 to 65535"));
                }
                (&url[authority_start..c], (!port.is_empty()).then_some(port))
            }
        };
        if host.is_empty()
            || host
                .bytes()
                .any(|b| b.is_ascii_whitespace() || b.is_ascii_control())
        {
            return Err(bad("it has no valid host name"));
        }
        if control {
            return Err(bad(
                "it contains spaces or control characters: percent-encode them (a space is %20)",
            ));
        }
        Ok(Self {
            scheme,
            host,
            port,
            path,
            query,
            fragment,
        })
    }

    /// Whether the port is the scheme's default (80 for http, 443 for https), so it is dropped.
    pub fn port_is_default(&self) -> bool {
        match self.port.and_then(|p| p.parse::<u16>().ok()) {
            None => true,
            Some(80) => self.scheme.eq_ignore_ascii_case("http"),
            Some(443) => self.scheme.eq_ignore_ascii_case("https"),
            Some(_) => false,
        }
    }

    /// The base string URI (section 3.4.1.2): scheme and host lower-cased, default port
    /// dropped, path as sent (`/` when empty), no query, no fragment.
    pub fn base_string_uri(&self) -> String {
        let mut out =
            String::with_capacity(self.scheme.len() + self.host.len() + self.path.len() + 10);
        out.push_str(&self.scheme.to_ascii_lowercase());
        out.push_str("://");
        out.push_str(&self.host.to_ascii_lowercase());
        if !self.port_is_default() {
            out.push(':');
            out.push_str(self.port.unwrap_or_default());
        }
        out.push_str(if self.path.is_empty() { "/" } else { self.path });
        out
    }

    /// Appends `enc(base string URI)` without building the URI first.
    pub(crate) fn write_encoded_base_uri(&self, out: &mut String) {
        push_lower_encoded(out, self.scheme);
        out.push_str("%3A%2F%2F");
        push_lower_encoded(out, self.host);
        if !self.port_is_default() {
            out.push_str("%3A");
            out.push_str(self.port.unwrap_or_default());
        }
        if self.path.is_empty() {
            out.push_str("%2F");
        } else {
            encode_into(out, self.path);
        }
    }
}

/// A space, a control character or DEL.
#[inline(always)]
fn is_control(b: u8) -> bool {
    b <= b' ' || b == 0x7f
}

fn push_lower_encoded(out: &mut String, s: &str) {
    if all_lower_unreserved(s.as_bytes()) {
        out.push_str(s);
    } else {
        encode_into(out, &s.to_ascii_lowercase());
    }
}

/// Checks an HTTP method is a token (RFC 9110 section 5.6.2) and gives it in upper case.
pub fn normalize_method(method: &str) -> Result<std::borrow::Cow<'_, str>> {
    const TCHAR: &[u8] = b"!#$%&'*+-.^_`|~";
    if method.is_empty()
        || !method
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || TCHAR.contains(&b))
    {
        return Err(Error::InvalidMethod(method.to_owned()));
    }
    Ok(if method.bytes().any(|b| b.is_ascii_lowercase()) {
        method.to_ascii_uppercase().into()
    } else {
        method.into()
    })
}

/// Writes the signature base string for an already upper-cased `method`, the URL's parts and
/// the sorted, encoded parameters, appending to `out` (the caller sizes it).
pub fn write_base_string(out: &mut String, method: &str, url: &UrlParts<'_>, sorted: &[Param<'_>]) {
    out.push_str(method);
    out.push('&');
    url.write_encoded_base_uri(out);
    out.push('&');
    for (i, p) in sorted.iter().enumerate() {
        if i > 0 {
            out.push_str("%26");
        }
        if p.plain {
            out.push_str(&p.name);
            out.push_str("%3D");
            out.push_str(&p.value);
        } else {
            encode_encoded_into(out, &p.name);
            out.push_str("%3D");
            encode_encoded_into(out, &p.value);
        }
    }
}

/// A size that fits the base string in one allocation.
pub fn capacity_hint(method: &str, url: &UrlParts<'_>, sorted: &[Param<'_>]) -> usize {
    let params: usize = sorted
        .iter()
        .map(|p| p.name.len() + p.value.len() + 6)
        .sum();
    method.len()
        + 2
        + 3 * (url.scheme.len() + url.host.len() + url.path.len() + 12)
        + params * 5 / 4
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn uri(url: &str) -> String {
        UrlParts::parse(url).unwrap().base_string_uri()
    }

    #[test]
    fn base_string_uri_follows_section_3_4_1_2() {
        assert_eq!(
            uri("HTTP://EXAMPLE.COM:80/r%20v/X?id=123"),
            "http://example.com/r%20v/X"
        );
        assert_eq!(
            uri("https://www.example.net:8080/?q=1"),
            "https://www.example.net:8080/"
        );
        assert_eq!(
            uri("https://api.example.com:443/a#frag"),
            "https://api.example.com/a"
        );
        assert_eq!(
            uri("http://api.example.com:443/a"),
            "http://api.example.com:443/a"
        );
        assert_eq!(
            uri("https://api.example.com:80/a"),
            "https://api.example.com:80/a"
        );
        assert_eq!(uri("http://example.com"), "http://example.com/");
        assert_eq!(uri("http://[::1]:8080/x"), "http://[::1]:8080/x");
        assert_eq!(uri("http://[::1]/x"), "http://[::1]/x");
        assert_eq!(
            uri("http://h/Path/Kept/AS/Sent/"),
            "http://h/Path/Kept/AS/Sent/"
        );
    }

    #[test]
    fn urls_split_at_the_first_delimiters() {
        let p = |u| UrlParts::parse(u).unwrap();
        let u = p("http://h?a#b?c");
        assert_eq!(
            (u.host, u.path, u.query, u.fragment),
            ("h", "", Some("a"), Some("b?c"))
        );
        let u = p("http://h#x?y");
        assert_eq!((u.path, u.query, u.fragment), ("", None, Some("x?y")));
        let u = p("http://h:/p?");
        assert_eq!(
            (u.host, u.port, u.path, u.query),
            ("h", None, "/p", Some(""))
        );
        let u = p("http://[::1]:8080?q=1");
        assert_eq!(
            (u.host, u.port, u.query),
            ("[::1]", Some("8080"), Some("q=1"))
        );
        let u = p("http://a:b]c/x");
        assert_eq!((u.host, u.port, u.path), ("a:b]c", None, "/x"));
        let u = p("HTTPS://h/p#frag with space");
        assert_eq!((u.scheme, u.fragment), ("HTTPS", Some("frag with space")));
        assert!(UrlParts::parse("http://h/p?q=a b").is_err());
        assert!(UrlParts::parse("http:x//h/").is_err());
    }

    #[test]
    fn bad_urls_say_why() {
        let e = |u: &str| UrlParts::parse(u).unwrap_err().to_string();
        assert_eq!(
            e("example.com/x"),
            "invalid url \"example.com/x\": it must be an absolute url starting with http:// or https://"
        );
        assert_eq!(
            e("ftp://x/"),
            "invalid url \"ftp://x/\": only http:// and https:// urls can be signed"
        );
        assert!(e("https://user:pw@x/").contains("user names and passwords"));
        assert!(e("https://x:99999/").contains("the port must be a number"));
        assert!(e("https://x:8a/").contains("the port must be a number"));
        assert!(e("https:///path").contains("no valid host"));
        assert!(e("https://x/a b").contains("percent-encode"));
    }

    #[test]
    fn methods_are_upper_cased_tokens() {
        assert_eq!(normalize_method("get").unwrap(), "GET");
        assert_eq!(normalize_method("POST").unwrap(), "POST");
        assert_eq!(
            normalize_method("GE T").unwrap_err().to_string(),
            "invalid http method \"GE T\": use GET, POST, PUT, PATCH, DELETE or another token"
        );
        assert!(normalize_method("").is_err());
    }
}
