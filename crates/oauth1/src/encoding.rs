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

use percent_encoding::percent_decode;
use wide::u8x16;

/// Whether `b` is in RFC 3986's unreserved set and so is never encoded.
#[inline]
pub const fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// `UNRESERVED[b]` is [`is_unreserved`]`(b)`: one load per byte on the hot path.
static UNRESERVED: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = is_unreserved(i as u8);
        i += 1;
    }
    t
};

/// `%00%01...%FF`: the escape of byte `b` is `ESCAPES[3 * b..3 * b + 3]`.
const ESCAPES: &str = "%00%01%02%03%04%05%06%07%08%09%0A%0B%0C%0D%0E%0F%10%11%12%13%14%15%16%17%18%19%1A%1B%1C%1D%1E%1F%20%21%22%23%24%25%26%27%28%29%2A%2B%2C%2D%2E%2F%30%31%32%33%34%35%36%37%38%39%3A%3B%3C%3D%3E%3F%40%41%42%43%44%45%46%47%48%49%4A%4B%4C%4D%4E%4F%50%51%52%53%54%55%56%57%58%59%5A%5B%5C%5D%5E%5F%60%61%62%63%64%65%66%67%68%69%6A%6B%6C%6D%6E%6F%70%71%72%73%74%75%76%77%78%79%7A%7B%7C%7D%7E%7F%80%81%82%83%84%85%86%87%88%89%8A%8B%8C%8D%8E%8F%90%91%92%93%94%95%96%97%98%99%9A%9B%9C%9D%9E%9F%A0%A1%A2%A3%A4%A5%A6%A7%A8%A9%AA%AB%AC%AD%AE%AF%B0%B1%B2%B3%B4%B5%B6%B7%B8%B9%BA%BB%BC%BD%BE%BF%C0%C1%C2%C3%C4%C5%C6%C7%C8%C9%CA%CB%CC%CD%CE%CF%D0%D1%D2%D3%D4%D5%D6%D7%D8%D9%DA%DB%DC%DD%DE%DF%E0%E1%E2%E3%E4%E5%E6%E7%E8%E9%EA%EB%EC%ED%EE%EF%F0%F1%F2%F3%F4%F5%F6%F7%F8%F9%FA%FB%FC%FD%FE%FF";

/// Whether every byte is unreserved: most values (keys, nonces, tokens) pass.
#[inline]
pub fn all_unreserved(bytes: &[u8]) -> bool {
    find_reserved(bytes).is_none()
}

/// Bit `i` is set when `chunk[i]` is not unreserved: sixteen bytes classified at once with
/// vector compares (SSE2 on x86-64, NEON on AArch64, plain code elsewhere).
#[inline(always)]
fn reserved_mask(chunk: [u8; 16]) -> u32 {
    let v = u8x16::new(chunk);
    let unreserved = within(v | u8x16::splat(0x20), b'a', b'z')
        | within(v, b'0', b'9')
        | within(v, b'-', b'.')
        | v.simd_eq(u8x16::splat(b'_'))
        | v.simd_eq(u8x16::splat(b'~'));
    !unreserved.to_bitmask() & 0xffff
}

/// Lanes of `x` in `lo..=hi`: `x - lo` (wrapping) is at most `hi - lo`.
#[inline(always)]
fn within(x: u8x16, lo: u8, hi: u8) -> u8x16 {
    let d = x - u8x16::splat(lo);
    d.max(u8x16::splat(hi - lo)).simd_eq(u8x16::splat(hi - lo))
}

/// Whether every byte is unreserved and none is an upper-case letter: a scheme or host that
/// goes into the base string as it is written.
#[inline]
pub(crate) fn all_lower_unreserved(bytes: &[u8]) -> bool {
    find_by_mask(bytes, |c| {
        reserved_mask(c) | within(u8x16::new(c), b'A', b'Z').to_bitmask()
    })
    .is_none()
}

/// Bit `i` is set when `chunk[i] == needle`.
#[inline(always)]
fn eq_mask(chunk: [u8; 16], needle: u8) -> u32 {
    u8x16::new(chunk).simd_eq(u8x16::splat(needle)).to_bitmask()
}

/// The index of the first byte of `bytes` that is not unreserved.
#[inline(always)]
pub(crate) fn find_reserved(bytes: &[u8]) -> Option<usize> {
    find_by_mask(bytes, reserved_mask)
}

/// The index of the first `needle` in `bytes` (short texts: no call, no set-up).
#[inline(always)]
pub(crate) fn find_eq(bytes: &[u8], needle: u8) -> Option<usize> {
    find_by_mask(bytes, |c| eq_mask(c, needle))
}

/// The first index whose bit `mask` sets, over chunks of 16; shorter texts are gathered into
/// one chunk (two overlapping halves), so even a four-byte value costs one vector pass.
#[inline(always)]
fn find_by_mask(bytes: &[u8], mask: impl Fn([u8; 16]) -> u32) -> Option<usize> {
    let n = bytes.len();
    let first = |m: u32, base: usize| (m != 0).then(|| base + m.trailing_zeros() as usize);
    if let Some(last) = bytes.last_chunk::<16>() {
        let (chunks, _) = bytes.as_chunks::<16>();
        for (k, c) in chunks.iter().enumerate() {
            let m = mask(*c);
            if m != 0 {
                return Some(16 * k + m.trailing_zeros() as usize);
            }
        }
        // The remainder, as the last 16 bytes: those before it were already found clear.
        return first(mask(*last), n - 16);
    }
    let mut c = [0u8; 16];
    let m = if let (Some(a), Some(b)) = (bytes.first_chunk::<8>(), bytes.last_chunk::<8>()) {
        c[..8].copy_from_slice(a);
        c[8..].copy_from_slice(b);
        let m = mask(c);
        (m & 0xff) | (m >> 8) << (n - 8)
    } else if let (Some(a), Some(b)) = (bytes.first_chunk::<4>(), bytes.last_chunk::<4>()) {
        c[..4].copy_from_slice(a);
        c[4..8].copy_from_slice(b);
        let m = mask(c);
        (m & 0xf) | ((m >> 4) & 0xf) << (n - 4)
    } else {
        for (d, &b) in c.iter_mut().zip(bytes) {
            *d = b;
        }
        mask(c) & ((1 << n) - 1)
    };
    first(m, 0)
}

/// Whether `bytes` contains `needle`.
#[inline]
pub fn contains_byte(bytes: &[u8], needle: u8) -> bool {
    !all_bytes(bytes, |b| b != needle)
}

/// Whether `keep` holds for every byte. Values are short (tens of bytes), so instead of a
/// scalar loop over the remainder the last 16 bytes are checked again, overlapping: every
/// check is a fixed-size fold the compiler turns into vector compares.
#[inline(always)]
pub(crate) fn all_bytes(bytes: &[u8], keep: impl Fn(u8) -> bool + Copy) -> bool {
    #[inline(always)]
    fn all<const N: usize>(chunk: &[u8; N], keep: impl Fn(u8) -> bool) -> bool {
        chunk.iter().fold(true, |ok, &b| ok & keep(b))
    }
    if let Some(last) = bytes.last_chunk::<16>() {
        let (chunks, _) = bytes.as_chunks::<16>();
        chunks.iter().all(|c| all(c, keep)) && all(last, keep)
    } else if let (Some(first), Some(last)) = (bytes.first_chunk::<8>(), bytes.last_chunk::<8>()) {
        all(first, keep) & all(last, keep)
    } else {
        bytes.iter().fold(true, |ok, &b| ok & keep(b))
    }
}

#[inline(always)]
pub(crate) fn escape(b: u8) -> &'static str {
    let i = 3 * b as usize;
    &ESCAPES[i..i + 3]
}

/// Encodes `s` (as UTF-8) per RFC 5849 section 3.6; borrows when nothing needs encoding.
#[inline(always)]
pub fn encode(s: &str) -> Cow<'_, str> {
    if all_unreserved(s.as_bytes()) {
        Cow::Borrowed(s)
    } else {
        let mut out = String::with_capacity(s.len() * 3);
        encode_into(&mut out, s);
        Cow::Owned(out)
    }
}

/// Encodes raw bytes (which need not be UTF-8) per RFC 5849 section 3.6.
pub fn encode_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 3);
    for &b in bytes {
        if UNRESERVED[b as usize] {
            out.push(b as char);
        } else {
            out.push_str(escape(b));
        }
    }
    out
}

/// Appends the encoding of `s` to `out`: runs of unreserved characters whole, each other byte
/// as its `%XX` escape, found 16 bytes at a time.
#[inline]
pub fn encode_into(out: &mut String, s: &str) {
    let bytes = s.as_bytes();
    let mut from = 0;
    each_window(bytes, |base, chunk, fresh| {
        let mut m = reserved_mask(chunk) & fresh;
        while m != 0 {
            let at = base + m.trailing_zeros() as usize;
            // A run between reserved bytes is unreserved ASCII: both ends are boundaries.
            if from < at {
                out.push_str(&s[from..at]);
            }
            out.push_str(escape(bytes[at]));
            from = at + 1;
            m &= m - 1;
        }
        true
    });
    if from < bytes.len() {
        out.push_str(&s[from..]);
    }
}

/// Appends `enc(text)` where `text` is already RFC 3986-encoded, so its only reserved character
/// is `%`: the double encoding the base string needs, each `%` becoming `%25`.
#[inline]
pub fn encode_encoded_into(out: &mut String, encoded: &str) {
    let mut from = 0;
    each_window(encoded.as_bytes(), |base, chunk, fresh| {
        let mut m = eq_mask(chunk, b'%') & fresh;
        while m != 0 {
            let at = base + m.trailing_zeros() as usize;
            out.push_str(&encoded[from..=at]);
            out.push_str("25");
            from = at + 1;
            m &= m - 1;
        }
        true
    });
    out.push_str(&encoded[from..]);
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
    canonical(s.as_bytes()).is_some()
}

/// `Some(has_escape)` when `bytes` is canonical (see [`is_canonical`]), in one pass: hex digits
/// are unreserved, so a text is canonical when its reserved bytes are exactly its `%`s and each
/// opens an upper-case escape of a reserved byte.
#[inline]
pub(crate) fn canonical(bytes: &[u8]) -> Option<bool> {
    let mut escaped = false;
    let ok = each_window(bytes, |base, chunk, fresh| {
        let reserved = reserved_mask(chunk) & fresh;
        if reserved == 0 {
            return true;
        }
        if reserved != eq_mask(chunk, b'%') & fresh {
            return false;
        }
        escaped = true;
        let mut m = reserved;
        while m != 0 {
            if !escape_at(bytes, base + m.trailing_zeros() as usize) {
                return false;
            }
            m &= m - 1;
        }
        true
    });
    ok.then_some(escaped)
}

/// Whether the `%` at `at` opens an upper-case escape of a reserved byte.
#[inline(always)]
fn escape_at(bytes: &[u8], at: usize) -> bool {
    match bytes.get(at + 1..at + 3) {
        Some(&[h, l]) => {
            let (h, l) = (UPPER_HEX[h as usize], UPPER_HEX[l as usize]);
            // Both are digits (below 16) exactly when their union is.
            (h | l) < 16 && !UNRESERVED[(h << 4 | l) as usize]
        }
        _ => false,
    }
}

/// `UPPER_HEX[c]` is the value of the upper-case hex digit `c`, or `0xFF`: two table loads
/// check an escape.
static UPPER_HEX: [u8; 256] = {
    let mut t = [0xFF; 256];
    let mut i = 0;
    while i < 256 {
        if let Some(v) = upper_hex(i as u8) {
            t[i] = v;
        }
        i += 1;
    }
    t
};

/// Calls `f(offset, chunk, fresh)` over 16-byte windows covering `bytes` in order, while it
/// returns true; `fresh` has bit `i` set for the window's bytes no earlier window covered (the
/// last window overlaps its predecessor; a short text is one zero-padded window).
#[inline(always)]
fn each_window(bytes: &[u8], mut f: impl FnMut(usize, [u8; 16], u32) -> bool) -> bool {
    let n = bytes.len();
    let (chunks, rest) = bytes.as_chunks::<16>();
    if chunks.is_empty() {
        let mut c = [0u8; 16];
        for (d, &b) in c.iter_mut().zip(rest) {
            *d = b;
        }
        return f(0, c, (1u32 << n) - 1);
    }
    for (k, c) in chunks.iter().enumerate() {
        if !f(16 * k, *c, 0xffff) {
            return false;
        }
    }
    match bytes.last_chunk::<16>() {
        Some(last) if !rest.is_empty() => f(n - 16, *last, (0xffff << (16 - rest.len())) & 0xffff),
        _ => true,
    }
}

#[inline]
const fn upper_hex(c: u8) -> Option<u8> {
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
        Cow::Owned(encode_bytes(&decoded))
    }
}

/// Appends `pairs` to `url`'s query, each name and value percent-encoded (RFC 3986
/// unreserved kept), before any `#fragment`: `?` or `&` as the URL needs.
pub fn append_query<K: AsRef<str>, V: AsRef<str>>(url: &mut String, pairs: &[(K, V)]) {
    if pairs.is_empty() {
        return;
    }
    let fragment = url.find('#').map(|i| url.split_off(i));
    let mut sep = if !url.contains('?') {
        "?"
    } else if url.ends_with('?') || url.ends_with('&') {
        ""
    } else {
        "&"
    };
    for (k, v) in pairs {
        url.push_str(sep);
        url.push_str(&encode(k.as_ref()));
        url.push('=');
        url.push_str(&encode(v.as_ref()));
        sep = "&";
    }
    if let Some(f) = fragment {
        url.push_str(&f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The byte-at-a-time definition the vector scans must agree with.
    fn canonical_reference(s: &str) -> Option<bool> {
        let b = s.as_bytes();
        let (mut i, mut escaped) = (0, false);
        while i < b.len() {
            if is_unreserved(b[i]) {
                i += 1;
                continue;
            }
            if b[i] != b'%' || i + 2 >= b.len() {
                return None;
            }
            match (upper_hex(b[i + 1]), upper_hex(b[i + 2])) {
                (Some(h), Some(l)) if !is_unreserved(h << 4 | l) => (i, escaped) = (i + 3, true),
                _ => return None,
            }
        }
        Some(escaped)
    }

    #[test]
    fn lower_unreserved_text_is_found_at_every_length_and_position() {
        for b in 0..=255u8 {
            assert_eq!(
                all_lower_unreserved(&[b]),
                is_unreserved(b) && !b.is_ascii_uppercase(),
                "byte {b:#04x}"
            );
        }
        for n in 1..=40 {
            let text = vec![b'a'; n];
            assert!(all_lower_unreserved(&text));
            for at in 0..n {
                for odd in [b'A', b'Z', b'/', b' ', 0x80] {
                    let mut t = text.clone();
                    t[at] = odd;
                    assert!(!all_lower_unreserved(&t), "{odd:#04x} at {at} of {n}");
                }
            }
        }
        assert!(all_lower_unreserved(b""));
    }

    #[test]
    fn encoding_into_matches_the_reference_for_every_length() {
        let mut out = String::new();
        let mut expected = String::new();
        let text: String = (0u32..0x250).filter_map(char::from_u32).collect();
        for n in [0, 1, 3, 7, 8, 15, 16, 17, 31, 32, 33, 100, text.len()] {
            let mut end = n.min(text.len());
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            encode_into(&mut out, &text[..end]);
            expected.push_str(&encode_bytes(&text.as_bytes()[..end]));
        }
        assert_eq!(out, expected);
    }

    #[test]
    fn reencoding_turns_each_percent_into_percent_25() {
        let mut out = String::new();
        for s in [
            "",
            "%",
            "%%",
            "a%20b",
            "Hello%20Ladies%20%2B%20Gentlemen%2C%20a%20signed%20OAuth%20request%21",
            "plain",
        ] {
            encode_encoded_into(&mut out, s);
            out.push('&');
        }
        assert_eq!(
            out,
            "&%25&%25%25&a%2520b&Hello%2520Ladies%2520%252B%2520Gentlemen%252C%2520a%2520signed%2520OAuth%2520request%2521&plain&"
        );
    }

    #[test]
    fn vector_scans_agree_with_the_byte_at_a_time_definition() {
        // Every length from 0 to 40 (short texts, whole chunks, overlapping tails), with the
        // interesting piece at every offset.
        let pieces = [
            "%20", "%2B", "%2b", "%41", "%", "%2", "+", " ", "&", "=", "é", "~", "Z", "%%20",
        ];
        for len in 0..=40 {
            for piece in pieces {
                for at in 0..=len {
                    let mut text: String = "a".repeat(at);
                    text.push_str(piece);
                    text.push_str(&"b".repeat(len - at));
                    assert_eq!(
                        canonical(text.as_bytes()),
                        canonical_reference(&text),
                        "{text:?}"
                    );
                    assert_eq!(
                        find_reserved(text.as_bytes()),
                        text.bytes().position(|b| !is_unreserved(b)),
                        "{text:?}"
                    );
                    assert_eq!(find_eq(text.as_bytes(), b'%'), text.find('%'), "{text:?}");
                }
            }
        }
        for b in 0..=255u8 {
            let chunk = [b; 16];
            assert_eq!(reserved_mask(chunk) == 0, is_unreserved(b), "byte {b}");
            assert_eq!(eq_mask(chunk, b), 0xffff);
        }
    }

    #[test]
    fn every_byte_value_encodes_per_section_3_6() {
        for b in 0u8..=255 {
            let got = encode_bytes(&[b]);
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
            assert!(is_canonical(&got), "{got}");
        }
    }

    #[test]
    fn every_character_class_encodes_the_same_way_on_every_path() {
        let samples = [
            "",
            "abc",
            "a b",
            "é",
            "x😀y",
            "%",
            "-._~",
            "日本語!*'()",
            "mixé d+%2F",
        ];
        for s in samples {
            let mut into = String::new();
            encode_into(&mut into, s);
            assert_eq!(into, encode(s), "{s}");
            assert_eq!(into, encode_bytes(s.as_bytes()), "{s}");
            assert_eq!(decode(&into).as_ref(), s.as_bytes());
        }
    }

    #[test]
    fn the_vectorized_checks_agree_with_the_table() {
        for b in 0u8..=255 {
            assert_eq!(all_unreserved(&[b]), is_unreserved(b), "{b:#04x}");
            assert_eq!(
                all_unreserved(&[b'a', b, b'Z']),
                is_unreserved(b),
                "{b:#04x}"
            );
            assert_eq!(contains_byte(&[b'x', b], b'%'), b == b'%');
        }
        assert!(all_unreserved(b""));
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
        encode_into(&mut direct, "a%20b%2Fc");
        assert_eq!(out, direct);
    }
}
