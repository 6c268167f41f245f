//! An append-only text buffer for the signing fast path.
//!
//! A signature writes some forty short pieces (a name, `%3D`, a value, `%26`, ...) into the base
//! string and the `Authorization` header. Through `String::push_str` each piece is a call to
//! `memcpy` with a length only known at run time, which costs more than the piece. [`Writer`]
//! writes into a buffer sized ahead, so a piece of up to 32 bytes is two fixed-size,
//! overlapping copies (plain loads and stores), and escapes are written three bytes at a time.
//!
//! Only whole `&str`s and ASCII are ever appended, so the text stays UTF-8 throughout.

use crate::encoding::{each_window, eq_mask, escape, reserved_mask};

/// Text built by appending.
pub(crate) struct Writer {
    s: String,
}

impl Writer {
    #[inline]
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Self {
            s: String::with_capacity(capacity),
        }
    }
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.s.len()
    }
    #[inline(always)]
    pub(crate) fn put(&mut self, s: &str) {
        self.s.push_str(s);
    }
    #[inline(always)]
    pub(crate) fn put_byte(&mut self, b: u8) {
        self.s.push(b as char);
    }
    /// Appends the section 3.6 encoding of `s`: runs of unreserved characters whole, each other
    /// byte as its `%XX` escape.
    #[inline]
    pub(crate) fn put_encoded(&mut self, s: &str) {
        let bytes = s.as_bytes();
        let mut from = 0;
        each_window(bytes, |base, chunk, fresh| {
            let mut m = reserved_mask(chunk) & fresh;
            while m != 0 {
                let at = base + m.trailing_zeros() as usize;
                // A run between reserved bytes is unreserved ASCII: both ends are boundaries.
                if from < at {
                    self.s.push_str(&s[from..at]);
                }
                self.s.push_str(escape(bytes[at]));
                from = at + 1;
                m &= m - 1;
            }
            true
        });
        if from < bytes.len() {
            self.s.push_str(&s[from..]);
        }
    }

    /// Appends `enc(s)` for text that is already in section 3.6 encoding, whose only reserved
    /// character is `%`: the base string's double encoding, `%` becoming `%25`.
    #[inline]
    pub(crate) fn put_reencoded(&mut self, s: &str) {
        let mut from = 0;
        each_window(s.as_bytes(), |base, chunk, fresh| {
            let mut m = eq_mask(chunk, b'%') & fresh;
            while m != 0 {
                let at = base + m.trailing_zeros() as usize;
                self.s.push_str(&s[from..=at]);
                self.s.push_str("25");
                from = at + 1;
                m &= m - 1;
            }
            true
        });
        self.s.push_str(&s[from..]);
    }

    /// The text.
    pub(crate) fn into_string(self) -> String {
        self.s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::encode;

    #[test]
    fn pieces_of_every_length_are_copied_exactly() {
        let source: String = ('a'..='z').chain('A'..='Z').chain('0'..='9').collect();
        let mut w = Writer::with_capacity(0);
        let mut expected = String::new();
        for n in 0..=source.len() {
            w.put(&source[..n]);
            w.put_byte(b'|');
            expected.push_str(&source[..n]);
            expected.push('|');
        }
        assert_eq!(w.len(), expected.len());
        assert_eq!(w.into_string(), expected);
    }

    #[test]
    fn encoding_matches_the_reference_for_every_byte_and_length() {
        let mut w = Writer::with_capacity(4);
        let mut expected = String::new();
        let text: String = (0u32..0x250).filter_map(char::from_u32).collect();
        for n in [0, 1, 3, 7, 8, 15, 16, 17, 31, 32, 33, 100, text.len()] {
            let mut end = n.min(text.len());
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            w.put_encoded(&text[..end]);
            expected.push_str(&encode(&text[..end]));
        }
        assert_eq!(w.into_string(), expected);
    }

    #[test]
    fn reencoding_turns_each_percent_into_percent_25() {
        let mut w = Writer::with_capacity(0);
        for s in [
            "",
            "%",
            "%%",
            "a%20b",
            "Hello%20Ladies%20%2B%20Gentlemen%2C%20a%20signed%20OAuth%20request%21",
            "plain",
        ] {
            w.put_reencoded(s);
            w.put_byte(b'&');
        }
        assert_eq!(
            w.into_string(),
            "&%25&%25%25&a%2520b&Hello%2520Ladies%2520%252B%2520Gentlemen%252C%2520a%2520signed%2520OAuth%2520request%2521&plain&"
        );
    }
}
