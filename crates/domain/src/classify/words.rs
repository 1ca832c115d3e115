//! Splitting text into words, the unit that both keywords and mail are matched in.
//!
//! A word is a maximal run of Unicode alphanumeric characters; everything else (spaces,
//! punctuation, apostrophes, emoji) separates words. Mail is overwhelmingly ASCII, so the scanner
//! walks bytes and only decodes a character when it meets a non-ASCII byte.

/// One word of the input, exactly as written (not yet lower-cased).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Word<'a> {
    /// The word's text, borrowed from the input.
    pub raw: &'a str,
    /// Whether every byte is ASCII, which lets callers lower-case and measure it bytewise.
    pub ascii: bool,
}

/// Iterator over the [`Word`]s of a text, in order.
#[derive(Debug, Clone)]
pub(super) struct Words<'a> {
    text: &'a str,
    pos: usize,
}

/// The words of `text`, in order.
pub(super) const fn words(text: &str) -> Words<'_> {
    Words { text, pos: 0 }
}

/// The character starting at byte `at`, if `at` is a character boundary inside `text`.
fn char_at(text: &str, at: usize) -> Option<char> {
    text.get(at..).and_then(|rest| rest.chars().next())
}

impl<'a> Iterator for Words<'a> {
    type Item = Word<'a>;

    fn next(&mut self) -> Option<Word<'a>> {
        let bytes = self.text.as_bytes();
        let mut at = self.pos;
        // Skip separators. `at` only ever advances by whole characters, so it stays on a
        // character boundary and `char_at` cannot miss.
        loop {
            let &byte = bytes.get(at)?;
            if byte.is_ascii() {
                if byte.is_ascii_alphanumeric() {
                    break;
                }
                at += 1;
            } else {
                let c = char_at(self.text, at)?;
                if c.is_alphanumeric() {
                    break;
                }
                at += c.len_utf8();
            }
        }
        let start = at;
        let mut ascii = true;
        while let Some(&byte) = bytes.get(at) {
            if byte.is_ascii() {
                if !byte.is_ascii_alphanumeric() {
                    break;
                }
                at += 1;
            } else {
                let Some(c) = char_at(self.text, at).filter(|c| c.is_alphanumeric()) else {
                    break;
                };
                ascii = false;
                at += c.len_utf8();
            }
        }
        self.pos = at;
        self.text.get(start..at).map(|raw| Word { raw, ascii })
    }
}

/// Writes the lower-case form of `word` into `buf`, replacing its contents.
///
/// Non-ASCII words go through `str::to_lowercase` rather than per-character mapping because
/// it knows context rules such as the Greek final sigma; they are rare enough in mail that
/// its allocation does not matter.
pub(super) fn lower_into(word: Word<'_>, buf: &mut String) {
    buf.clear();
    if word.ascii {
        buf.push_str(word.raw);
        buf.make_ascii_lowercase();
    } else {
        buf.push_str(&word.raw.to_lowercase());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lowered(text: &str) -> Vec<String> {
        let mut buf = String::new();
        words(text)
            .map(|w| {
                lower_into(w, &mut buf);
                buf.clone()
            })
            .collect()
    }

    #[test]
    fn words_are_runs_of_letters_and_digits_split_on_everything_else() {
        assert_eq!(
            lowered("Order #1234 isn't here -- NOT\nworking!!"),
            ["order", "1234", "isn", "t", "here", "not", "working"]
        );
    }

    #[test]
    fn non_ascii_letters_are_word_characters_and_emoji_are_separators() {
        assert_eq!(
            lowered("ÜRGENT: Bestellung🔥kaputt — Größe"),
            ["ürgent", "bestellung", "kaputt", "größe"]
        );
        let flags: Vec<bool> = words("plain Größe").map(|w| w.ascii).collect();
        assert_eq!(flags, [true, false]);
    }

    #[test]
    fn text_without_word_characters_has_no_words() {
        assert!(lowered("").is_empty());
        assert!(lowered(" \n\t--- 🎉 ... '' ").is_empty());
    }

    #[test]
    fn a_word_at_the_very_end_of_the_text_is_kept() {
        assert_eq!(lowered("see: ÆBLE"), ["see", "æble"]);
    }
}
