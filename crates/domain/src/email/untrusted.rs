//! Text a stranger chose (a subject, a display name) made safe to repeat in mail we send by
//! ourselves: one short line in which no link or address the stranger wrote stays clickable, so
//! an automatic reply can never carry a spammer's message from the support address.

/// How many characters of a stranger's text an automatic mail repeats.
pub const UNTRUSTED_TEXT_CHARS: usize = 80;

/// `text` as one line of at most `max_chars` characters (an ellipsis marks a cut): control and
/// invisible formatting characters (bidi overrides, zero-width spaces) removed, whitespace runs
/// collapsed, and in every word that looks like a link or an address `://`, `@` and dots
/// defanged (`hxxps[:]//evil[.]test`, `ceo[at]bank[.]test`), as security tools quote them.
#[must_use]
pub fn quote_untrusted(text: &str, max_chars: usize) -> String {
    let cleaned: String = text
        .chars()
        .filter(|c| !is_invisible(*c))
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let words: Vec<String> = cleaned.split_whitespace().map(defang).collect();
    let line = words.join(" ");
    if line.chars().count() <= max_chars {
        return line;
    }
    let mut cut: String = line.chars().take(max_chars.saturating_sub(1)).collect();
    cut.truncate(cut.trim_end().len());
    cut.push('…');
    cut
}

/// Format characters that change how text displays without being seen (Unicode Cf and the like).
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

/// Dots as clients read them in host names: ASCII, ideographic, full-width and half-width.
fn is_dot(c: char) -> bool {
    matches!(c, '.' | '\u{3002}' | '\u{FF0E}' | '\u{FF61}')
}

/// A word that a mail client could turn into a link or a mail address.
fn link_like(word: &str) -> bool {
    if word.contains("://") || word.contains('@') || word.contains('\u{FF20}') {
        return true;
    }
    let lower = word.to_lowercase();
    if lower.starts_with("www") || lower.contains("mailto:") {
        return true;
    }
    // `host.tld`: a dot between a letter or digit and a letter.
    let chars: Vec<char> = word.chars().collect();
    chars
        .windows(3)
        .any(|w| w[0].is_alphanumeric() && is_dot(w[1]) && w[2].is_alphabetic())
}

fn defang(word: &str) -> String {
    if !link_like(word) {
        return word.to_owned();
    }
    let mut out = String::with_capacity(word.len() + 8);
    let mut rest = word;
    // Scheme: `https://` becomes `hxxps[:]//`.
    if let Some((scheme, after)) = word.split_once("://") {
        out.push_str(&scheme.replace("http", "hxxp").replace("HTTP", "hxxp"));
        out.push_str("[:]//");
        rest = after;
    }
    for c in rest.chars() {
        match c {
            '@' | '\u{FF20}' => out.push_str("[at]"),
            c if is_dot(c) => out.push_str("[.]"),
            ':' => out.push_str("[:]"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> String {
        quote_untrusted(s, UNTRUSTED_TEXT_CHARS)
    }

    #[test]
    fn links_and_addresses_are_defanged() {
        assert_eq!(
            q("WIN a prize at https://evil.test/claim now"),
            "WIN a prize at hxxps[:]//evil[.]test/claim now"
        );
        assert_eq!(q("write ceo@bank.test"), "write ceo[at]bank[.]test");
        assert_eq!(q("visit www.evil.test"), "visit www[.]evil[.]test");
        assert_eq!(q("see evil.com today"), "see evil[.]com today");
        assert_eq!(q("mailto:x@evil.test"), "mailto[:]x[at]evil[.]test");
        assert_eq!(q("evil\u{3002}test"), "evil[.]test");
    }

    #[test]
    fn ordinary_words_and_numbers_stay_as_they_are() {
        assert_eq!(q("Order 1.5 kg late, again."), "Order 1.5 kg late, again.");
        assert_eq!(q("Jane Doe"), "Jane Doe");
    }

    #[test]
    fn controls_and_invisible_characters_go_and_whitespace_collapses() {
        assert_eq!(q(" a\r\n\tb \u{202E}c\u{200B}d\0 "), "a b cd");
    }

    #[test]
    fn long_text_is_cut_with_an_ellipsis() {
        let long = "word ".repeat(100);
        let quoted = q(&long);
        assert_eq!(quoted.chars().count(), UNTRUSTED_TEXT_CHARS);
        assert!(quoted.ends_with('…'));
        assert_eq!(quote_untrusted("abcdef", 4), "abc…");
    }
}
