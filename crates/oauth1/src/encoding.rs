//! Percent-encoding as RFC 5849 section 3.6 defines it.
//!
//! > Characters in the unreserved character set as defined by [RFC3986], Section 2.3
//! > (ALPHA, DIGIT, "-", ".", "_", "~") MUST NOT be encoded.
//! > All other characters MUST be encoded.
//! > The two hexadecimal characters used to represent encoded characters MUST be uppercase.
//!
//! Text is encoded as UTF-8 first. Decoding is the lenient inverse used on what arrives from the
//! wire: query strings and form bodies (where `+` means a space), header values (where it does not).

use std::borrow::Cow;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode, percent_encode};

/// Everything but RFC 3986's unreserved set.
pub const RESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Whether `b` is in RFC 3986's unreserved set and so is never encoded.
#[inline]
pub fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// Encodes `s` (as UTF-8) per RFC 5849 section 3.6.
pub fn encode(s: &str) -> Cow<'_, str> {
    encode_bytes(s.as_bytes())
}

/// Encodes raw bytes per RFC 5849 section 3.6; borrows when nothing needs encoding.
pub fn encode_bytes(bytes: &[u8]) -> Cow<'_, str> {
    percent_encode(bytes, RESERVED).into()
}

/// Appends the encoding of `bytes` to `out`.
#[inline]
pub fn encode_into(out: &mut String, bytes: &[u8]) {
    for chunk in percent_encode(bytes, RESERVED) {
        out.push_str(chunk);
    }
}

/// Appends `enc(text)` where `text` is already RFC 3986-encoded, so its only reserved character
/// is `%`: the double encoding the base string needs, done by copying runs between the `%`s.
#[inline]
pub fn encode_encoded_into(out: &mut String, encoded: &str) {
    let mut rest = encoded;
    while let Some(i) = rest.find('%') {
        out.push_str(&rest[..i]);
        out.push_str("%25");
        rest = &rest[i + 1..];
    }
    out.push_str(rest);
}

/// Decodes `%XX` escapes; a `%` not followed by two hex digits is kept as it is.
pub fn decode(s: &str) -> Cow<'_, [u8]> {
    percent_decode(s.as_bytes()).into()
}

/// Decodes an `application/x-www-form-urlencoded` component: `+` is a space, then `%XX`.
pub fn form_decode(s: &str) -> Cow<'_, [u8]> {
    if s.contains('+') {
        let spaced = s.replace('+', " ");
        Cow::Owned(percent_decode(spaced.as_bytes()).collect())
    } else {
        decode(s)
    }
}

/// Decoded bytes as text, replacing invalid UTF-8 with U+FFFD (for display only).
pub fn lossy(bytes: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

/// Whether `s` is already exactly what [`encode`] would make of its decoding, i.e. every byte is
/// unreserved or a `%XX` (upper-case hex) escape of a reserved byte. Lets signing borrow instead
/// of decoding and re-encoding. `+` is never canonical (a space in forms, `%2B` elsewhere).
#[inline]
pub fn is_canonical(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if is_unreserved(c) {
            i += 1;
        } else if c == b'%' && i + 2 < b.len() {
            match (upper_hex(b[i + 1]), upper_hex(b[i + 2])) {
                (Some(h), Some(l)) if !is_unreserved(h << 4 | l) => i += 3,
                _ => return false,
            }
        } else {
            return false;
        }
    }
    true
}

#[inline]
fn upper_hex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// The RFC 5849 encoding of a wire component's decoded value: borrowed when the component is
/// already canonical, else decoded (`+` as a space when `form`) and re-encoded.
#[inline]
pub fn reencode(component: &str, form: bool) -> Cow<'_, str> {
    if is_canonical(component) {
        Cow::Borrowed(component)
    } else {
        let decoded = if form {
            form_decode(component)
        } else {
            decode(component)
        };
        Cow::Owned(encode_bytes(&decoded).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_byte_value_encodes_per_section_3_6() {
        for b in 0u8..=255 {
            let got = encode_bytes(&[b]).into_owned();
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                assert_eq!(
                    got,
                    (b as char).to_string(),
                    "byte {b:#04x} must not be encoded"
                );
            } else {
                assert_eq!(got, format!("%{b:02X}"), "byte {b:#04x}");
                assert!(
                    !got.chars().any(|c| c.is_ascii_lowercase()),
                    "upper-case hex: {got}"
                );
            }
            // And decoding gives the byte back.
            assert_eq!(decode(&got).as_ref(), &[b]);
            assert_eq!(is_canonical(&got), true, "{got}");
        }
    }

    #[test]
    fn text_is_encoded_as_utf8() {
        assert_eq!(encode("é"), "%C3%A9");
        assert_eq!(encode("日本語"), "%E6%97%A5%E6%9C%AC%E8%AA%9E");
        assert_eq!(encode("😀"), "%F0%9F%98%80");
        assert_eq!(encode("Ladies + Gentlemen"), "Ladies%20%2B%20Gentlemen");
        assert_eq!(encode("!*'()"), "%21%2A%27%28%29");
        assert_eq!(encode("-._~"), "-._~");
    }

    #[test]
    fn form_decoding_reads_plus_as_space_but_header_decoding_does_not() {
        assert_eq!(form_decode("a+b%2Bc").as_ref(), b"a b+c");
        assert_eq!(decode("a+b%2Bc").as_ref(), b"a+b+c");
        assert_eq!(decode("100%").as_ref(), b"100%");
        assert_eq!(decode("%zz").as_ref(), b"%zz");
    }

    #[test]
    fn canonical_detection() {
        assert!(is_canonical("abc-._~"));
        assert!(is_canonical("Hello%20Ladies%20%2B"));
        assert!(is_canonical(""));
        assert!(
            !is_canonical("a+b"),
            "+ is a space in forms, %2B in headers: never canonical"
        );
        assert!(!is_canonical("%2b"), "lower-case hex");
        assert!(!is_canonical("%41"), "escaped unreserved byte");
        assert!(!is_canonical("%2"));
        assert!(!is_canonical("%"));
        assert!(!is_canonical("a b"));
        assert!(!is_canonical("*"));
    }

    #[test]
    fn reencode_normalizes() {
        assert_eq!(reencode("a+b", true), "a%20b");
        assert_eq!(reencode("a+b", false), "a%2Bb");
        assert_eq!(reencode("%2f%41", false), "%2FA");
        assert_eq!(reencode("*", true), "%2A");
        assert!(matches!(reencode("plain", true), Cow::Borrowed(_)));
    }

    #[test]
    fn double_encoding_of_encoded_text() {
        let mut out = String::new();
        encode_encoded_into(&mut out, "a%20b%2Fc");
        assert_eq!(out, "a%2520b%252Fc");
        let mut direct = String::new();
        encode_into(&mut direct, b"a%20b%2Fc");
        assert_eq!(out, direct);
    }
}
