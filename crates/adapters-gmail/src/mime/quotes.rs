//! Quoted-history stripping for customer replies.
//!
//! When a customer answers a support mail, their client appends the conversation so far below
//! (or, rarely, above) the new text. Frontdesk stores the full body but shows only the new part
//! as the message text. [`strip_quoted`] finds where the quoted history starts by recognising
//! the plain-text formats of the common clients:
//!
//! * attribution lines — Gmail, Apple Mail, Thunderbird, Yahoo and their localized forms
//!   (`On … wrote:`, `Am … schrieb …:`, `Le … a écrit :`, `El … escribió:`, `Op … schreef …:`,
//!   …), also when the client wrapped them over two or three lines;
//! * Outlook's `-----Original Message-----` separator (and localized variants) and its
//!   `From:`/`Sent:`/`To:`/`Subject:` header block, optionally after a line of underscores;
//! * a trailing run of `>`-quoted lines with no attribution at all.
//!
//! A forwarded mail (`---------- Forwarded message ---------`) is content, not history: such a
//! message is kept whole. Everything is hand-parsed line by line, with bounded work per line
//! (lines longer than a few hundred bytes are never markers), so it runs in linear time, and
//! it never panics, whatever the input.

/// Lines longer than this (in bytes) are body text, never part of a marker.
const MAX_MARKER_LINE: usize = 400;
/// An attribution may be wrapped by the client over at most this many lines.
const MAX_ATTRIBUTION_LINES: usize = 3;
/// How many lines after `From:` may hold the rest of an Outlook header block.
const HEADER_WINDOW: usize = 4;

/// Words an attribution line starts with (English, German, French, Spanish, Dutch,
/// Scandinavian, Italian, Portuguese, Polish).
const OPENERS: &[&str] = &[
    "On", "Am", "Le", "El", "Op", "Den", "På", "Il", "Em", "W dniu",
];
/// Verbs that close an attribution, right before its final colon.
const FINAL_VERBS: &[&str] = &[
    "wrote",
    "a écrit",
    "escribió",
    "schrieb",
    "schreef",
    "geschreven",
    "ha scritto",
    "escreveu",
    "skrev",
    "napisał",
    "napisał(a)",
];
/// Verbs that languages with verb-second order put before the sender (`… schrieb Jane <…>:`).
const INNER_VERBS: &[&str] = &[" schrieb ", " schreef ", " skrev "];
/// What Outlook-style separators say between their dashes (compared ASCII-case-insensitively).
const ORIGINAL_MESSAGE: &[&str] = &[
    "original message",
    "ursprüngliche nachricht",
    "message d'origine",
    "message d’origine",
    "mensaje original",
    "oorspronkelijk bericht",
    "messaggio originale",
    "mensagem original",
    "reply message",
    "antwort nachricht",
    "oprindelig meddelelse",
];
/// What forwarding separators say; a forwarded mail is content, so such a message is kept whole.
const FORWARDED: &[&str] = &[
    "forwarded message",
    "begin forwarded message:",
    "weitergeleitete nachricht",
    "message transféré",
    "mensaje reenviado",
    "doorgestuurd bericht",
];
/// Header names (lower case) that open an Outlook header block.
const FROM_KEYS: &[&str] = &["from", "von", "de", "van", "fra", "från", "da", "od"];
/// Header names giving the date of the quoted mail.
const DATE_KEYS: &[&str] = &[
    "sent",
    "date",
    "gesendet",
    "datum",
    "envoyé",
    "enviado",
    "fecha",
    "verzonden",
    "skickat",
    "sendt",
    "data",
    "inviato",
];
/// Header names giving the recipients or the subject of the quoted mail.
const TO_KEYS: &[&str] = &[
    "to",
    "subject",
    "cc",
    "an",
    "betreff",
    "à",
    "a",
    "objet",
    "para",
    "asunto",
    "aan",
    "onderwerp",
    "til",
    "till",
    "emne",
    "ämne",
    "oggetto",
    "assunto",
    "temat",
    "do",
];

/// What a line looks like, decided once per line.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Blank,
    Quoted,
    Text,
}

fn kind(line: &str) -> Kind {
    let trimmed = line.trim_start();
    if trimmed.trim_end().is_empty() {
        Kind::Blank
    } else if trimmed.starts_with('>') {
        Kind::Quoted
    } else {
        Kind::Text
    }
}

/// The new part of a reply: the text above the quoted history, trimmed; `None` when no quoted
/// history was recognised (then the whole text is the message).
///
/// The cut is made at the first attribution line, Outlook separator or Outlook header block
/// that is followed by quoted history (a line of dashes or underscores right above it goes
/// too); failing that, at a run of `>`-quoted lines that ends the message, provided no
/// new text follows an earlier quoted line (interleaved replies are kept whole). Signatures
/// above the cut are kept. `\r\n` and `\n` are treated alike and the result uses `\n`. When
/// the new part would be empty (a forward without comment, say), or a forwarding separator
/// comes before any marker, the result is `None` too.
#[must_use]
pub fn strip_quoted(text: &str) -> Option<String> {
    let lines: Vec<&str> = text
        .split('\n')
        .map(|line| line.strip_suffix('\r').unwrap_or(line))
        .collect();
    let kinds: Vec<Kind> = lines.iter().map(|line| kind(line)).collect();
    let cut = match first_marker(&lines, &kinds) {
        Scan::Cut(cut) => cut,
        Scan::Forwarded => return None,
        Scan::Nothing => trailing_quote(&lines, &kinds)?,
    };
    let cut = include_separator_above(&lines, &kinds, cut);
    let mut new_part = String::new();
    for line in lines.iter().take(cut) {
        new_part.push_str(line);
        new_part.push('\n');
    }
    let new_part = new_part.trim();
    (!new_part.is_empty()).then(|| new_part.to_owned())
}

/// What the marker scan found.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Scan {
    /// Quoted history starts at this line.
    Cut(usize),
    /// A forwarding separator came first: the forwarded mail is content, keep the whole text.
    Forwarded,
    /// No marker at all.
    Nothing,
}

/// The first marker line followed by quoted history (or a forwarding separator before it).
fn first_marker(lines: &[&str], kinds: &[Kind]) -> Scan {
    // next_content[i]: first non-blank line at or after i (one backward pass keeps it linear).
    let mut next_content = vec![None; lines.len() + 1];
    for i in (0..lines.len()).rev() {
        next_content[i] = if kinds[i] == Kind::Blank {
            next_content[i + 1]
        } else {
            Some(i)
        };
    }
    for (i, (line, &line_kind)) in lines.iter().zip(kinds).enumerate() {
        if line_kind != Kind::Text || line.len() > MAX_MARKER_LINE {
            continue;
        }
        if is_forward_separator(line) {
            return Scan::Forwarded;
        }
        if (is_original_message(line) || is_dashed_attribution(line))
            && next_content[i + 1].is_some()
        {
            return Scan::Cut(i);
        }
        if is_header_block(lines, kinds, i) {
            return Scan::Cut(i);
        }
        if let Some((span, strong)) = attribution(lines, kinds, i) {
            let followed = next_content.get(i + span).copied().flatten();
            if let Some(next) = followed
                && (strong || kinds[next] == Kind::Quoted)
            {
                return Scan::Cut(i);
            }
        }
    }
    Scan::Nothing
}

/// Start of a run of `>`-quoted (and blank) lines that ends the message, taking a loose
/// attribution right above it along; `None` for interleaved replies.
fn trailing_quote(lines: &[&str], kinds: &[Kind]) -> Option<usize> {
    let last = kinds.iter().rposition(|&k| k != Kind::Blank)?;
    if kinds[last] != Kind::Quoted {
        return None;
    }
    let run_start = kinds[..last]
        .iter()
        .rposition(|&k| k == Kind::Text)
        .map_or(0, |i| i + 1);
    let start = run_start + kinds[run_start..].iter().position(|&k| k == Kind::Quoted)?;
    if kinds[..start].contains(&Kind::Quoted) {
        return None;
    }
    let above = kinds[..start].iter().rposition(|&k| k != Kind::Blank);
    Some(
        above
            .and_then(|p| loose_attribution(lines, kinds, p))
            .unwrap_or(start),
    )
}

/// Moves the cut up over a line of dashes or underscores (plus blank lines) right above it.
fn include_separator_above(lines: &[&str], kinds: &[Kind], cut: usize) -> usize {
    let Some(above) = kinds[..cut].iter().rposition(|&k| k != Kind::Blank) else {
        return cut;
    };
    let line = lines[above].trim();
    let dashes = line.len() >= 3 && line.bytes().all(|b| b == b'-');
    let underscores = line.len() >= 5 && line.bytes().all(|b| b == b'_');
    if dashes || underscores { above } else { cut }
}

/// `-----Original Message-----` and its spaced or localized variants.
fn is_original_message(line: &str) -> bool {
    let line = line.trim();
    if !line.starts_with("--") || !line.ends_with("--") {
        return false;
    }
    let inner = line.trim_matches(|c: char| c == '-' || c.is_whitespace());
    ORIGINAL_MESSAGE
        .iter()
        .any(|name| inner.eq_ignore_ascii_case(name))
}

/// `---------- Forwarded message ---------`, `Begin forwarded message:` and localized forms.
fn is_forward_separator(line: &str) -> bool {
    let inner = line
        .trim()
        .trim_matches(|c: char| c == '-' || c.is_whitespace());
    FORWARDED
        .iter()
        .any(|name| inner.eq_ignore_ascii_case(name))
}

/// Android's `---- Jane Doe wrote ----` and `-----On <date>, Jane wrote-----`: a line wrapped
/// in dashes whose text ends with a known verb (the colon is optional).
fn is_dashed_attribution(line: &str) -> bool {
    let line = line.trim();
    if !line.starts_with("--") || !line.ends_with("--") {
        return false;
    }
    let inner = line.trim_matches(|c: char| c == '-' || c.is_whitespace());
    let inner = inner.strip_suffix(':').unwrap_or(inner);
    ends_with_verb(&format!("{inner}:"))
}

/// The lower-cased name of a `Name: value` line (also `*Name:*` and French `Name :`).
fn header_key(line: &str) -> Option<String> {
    let line = line.trim_start().trim_start_matches('*');
    let (colon, _) = line.char_indices().take(24).find(|&(_, c)| c == ':')?;
    let key = line.get(..colon)?.trim().trim_end_matches('*').trim_end();
    let plausible = !key.is_empty() && key.chars().all(|c| c.is_alphabetic() || c == ' ');
    plausible.then(|| key.to_lowercase())
}

/// `From:` followed within [`HEADER_WINDOW`] lines by a date header and a recipient or
/// subject header, in any order and without a blank line in between (some clients put the
/// date header first, then `From:` follows it).
fn is_header_block(lines: &[&str], kinds: &[Kind], i: usize) -> bool {
    let Some(key) = header_key(lines[i]) else {
        return false;
    };
    let (mut from, mut dated) = (
        FROM_KEYS.contains(&key.as_str()),
        DATE_KEYS.contains(&key.as_str()),
    );
    if !from && !dated {
        return false;
    }
    let mut addressed = false;
    for (line, &line_kind) in lines.iter().zip(kinds).skip(i + 1).take(HEADER_WINDOW) {
        if line_kind == Kind::Blank {
            break;
        }
        if line.len() > MAX_MARKER_LINE {
            continue;
        }
        if let Some(key) = header_key(line) {
            from |= FROM_KEYS.contains(&key.as_str());
            dated |= DATE_KEYS.contains(&key.as_str());
            addressed |= TO_KEYS.contains(&key.as_str());
        }
    }
    from && dated && addressed
}

/// An attribution (`On <date>, <sender> wrote:` and friends) starting at line `i`, possibly
/// wrapped: returns how many lines it spans and whether it is unmistakable on its own (it
/// has an address, or a time and a comma; otherwise `>`-quoted lines must follow it).
fn attribution(lines: &[&str], kinds: &[Kind], i: usize) -> Option<(usize, bool)> {
    let first = lines[i].trim().trim_start_matches('-').trim_start();
    let after_opener = OPENERS
        .iter()
        .find_map(|opener| first.strip_prefix(opener)?.strip_prefix(' '))?;
    if !after_opener.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut joined = String::from(first);
    for span in 1..=MAX_ATTRIBUTION_LINES {
        if span > 1 {
            let next = i + span - 1;
            let line = lines.get(next)?;
            if kinds[next] != Kind::Text || line.len() > MAX_MARKER_LINE || ends_sentence(&joined) {
                return None;
            }
            joined.push(' ');
            joined.push_str(line.trim());
        }
        if ends_with_verb(&joined) || has_inner_verb(&joined) {
            let strong = joined.contains('@') || (has_time(&joined) && joined.contains(','));
            return Some((span, strong));
        }
    }
    None
}

/// An attribution in an unknown language right above a trailing quote: up to three lines
/// ending in a colon, with an address, and a date (a digit on the first line) or a known verb;
/// or old Gmail's `2011/4/7 Jane Doe <jane@example.com>` (a date first, an address last).
fn loose_attribution(lines: &[&str], kinds: &[Kind], last: usize) -> Option<usize> {
    let end = lines[last].trim();
    if lines[last].len() > MAX_MARKER_LINE {
        return None;
    }
    if end.ends_with('>') && end.contains('@') && end.starts_with(|c: char| c.is_ascii_digit()) {
        return Some(last);
    }
    if !end.ends_with(':') {
        return None;
    }
    let mut joined = String::new();
    for start in (last.saturating_sub(MAX_ATTRIBUTION_LINES - 1)..=last).rev() {
        let line = lines[start];
        if kinds[start] != Kind::Text || line.len() > MAX_MARKER_LINE {
            return None;
        }
        if start < last && ends_sentence(line) {
            return None;
        }
        if start < last {
            joined.insert(0, ' ');
        }
        joined.insert_str(0, line.trim());
        let dated = line.bytes().any(|b| b.is_ascii_digit());
        if joined.contains('@') && (dated || ends_with_verb(&joined)) {
            return Some(start);
        }
    }
    None
}

fn ends_sentence(text: &str) -> bool {
    text.trim_end().ends_with(['.', '!', '?'])
}

/// `… wrote:`, `… a écrit :`: a known verb, as a whole word, right before the final colon.
fn ends_with_verb(text: &str) -> bool {
    let Some(body) = text.trim_end().strip_suffix(':') else {
        return false;
    };
    let body = body.trim_end();
    FINAL_VERBS.iter().any(|verb| {
        body.strip_suffix(verb)
            .is_some_and(|before| before.is_empty() || before.ends_with(char::is_whitespace))
    })
}

/// `… schrieb Jane Doe <jane@example.com>:`: a verb-second attribution ending in a colon.
fn has_inner_verb(text: &str) -> bool {
    text.trim_end().ends_with(':') && INNER_VERBS.iter().any(|verb| text.contains(verb))
}

/// A clock time such as `10:12` (one or two digits, a colon, two digits).
fn has_time(text: &str) -> bool {
    text.as_bytes().windows(4).any(|w| {
        w[0].is_ascii_digit() && w[1] == b':' && w[2].is_ascii_digit() && w[3].is_ascii_digit()
    })
}

#[cfg(test)]
#[path = "quotes_tests.rs"]
mod tests;
