//! `TicketNumber`: the human ticket reference, `TKT-000042`.

use std::fmt;

/// Why a string is not a ticket number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TicketNumberError {
    #[error("ticket number `{0}` does not start with `TKT-`")]
    MissingPrefix(String),
    #[error("ticket number `{0}` must have at least six digits after `TKT-`")]
    BadDigits(String),
    #[error("ticket number 0 does not exist; numbering starts at TKT-000001")]
    Zero,
}

/// A ticket's human number: `TKT-` and at least six digits, growing past `TKT-999999` to
/// `TKT-1000000` rather than wrapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TicketNumber(u64);

impl TicketNumber {
    pub const PREFIX: &'static str = "TKT-";

    /// The number with sequence value `n` (the first ticket is 1).
    ///
    /// # Errors
    /// [`TicketNumberError::Zero`] for 0.
    pub fn new(n: u64) -> Result<Self, TicketNumberError> {
        if n == 0 {
            Err(TicketNumberError::Zero)
        } else {
            Ok(Self(n))
        }
    }

    /// Parses `TKT-000042` (prefix case-insensitive).
    ///
    /// # Errors
    /// [`TicketNumberError`] when the prefix or digits are wrong.
    pub fn parse(raw: &str) -> Result<Self, TicketNumberError> {
        let t = raw.trim();
        let digits = t
            .get(..4)
            .filter(|p| p.eq_ignore_ascii_case(Self::PREFIX))
            .map(|_| &t[4..])
            .ok_or_else(|| TicketNumberError::MissingPrefix(t.to_owned()))?;
        if digits.len() < 6 || digits.len() > 19 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(TicketNumberError::BadDigits(t.to_owned()));
        }
        // Seven or more digits never carry a leading zero: TKT-0000042 is not a number we issue.
        if digits.len() > 6 && digits.starts_with('0') {
            return Err(TicketNumberError::BadDigits(t.to_owned()));
        }
        let n = digits
            .parse::<u64>()
            .map_err(|_| TicketNumberError::BadDigits(t.to_owned()))?;
        Self::new(n)
    }

    /// Finds the first `[TKT-000123]` tag in a subject line.
    #[must_use]
    pub fn find_in_subject(subject: &str) -> Option<Self> {
        let mut rest = subject;
        while let Some(start) = rest.find('[') {
            rest = &rest[start + 1..];
            if let Some(end) = rest.find(']')
                && let Ok(n) = Self::parse(&rest[..end])
            {
                return Some(n);
            }
        }
        None
    }

    /// `subject` without any ticket tag (`[TKT-000002]`), whichever ticket it names: a
    /// follow-up's subject still carries its closed ticket's tag, and a reply must carry one
    /// tag only, the current ticket's.
    #[must_use]
    pub fn strip_tags(subject: &str) -> String {
        let mut out = String::with_capacity(subject.len());
        let mut rest = subject;
        while let Some(start) = rest.find('[') {
            let after = &rest[start + 1..];
            match after.find(']') {
                Some(end) if Self::parse(&after[..end]).is_ok() => {
                    out.push_str(&rest[..start]);
                    out.push(' ');
                    rest = &after[end + 1..];
                }
                _ => {
                    out.push_str(&rest[..=start]);
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }

    #[must_use]
    pub fn value(self) -> u64 {
        self.0
    }

    /// The subject tag, `[TKT-000123]`.
    #[must_use]
    pub fn tag(self) -> String {
        format!("[{self}]")
    }
}

impl fmt::Display for TicketNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{:06}", Self::PREFIX, self.0)
    }
}

impl std::str::FromStr for TicketNumber {
    type Err = TicketNumberError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tag_is_stripped_and_other_brackets_kept() {
        assert_eq!(
            TicketNumber::strip_tags("Re: [TKT-000002] Help [TKT-000071] [urgent] [x"),
            "Re:   Help   [urgent] [x"
        );
    }

    #[test]
    fn formats_with_six_digits_and_grows_past_them() {
        assert_eq!(TicketNumber::new(1).unwrap().to_string(), "TKT-000001");
        assert_eq!(
            TicketNumber::new(999_999).unwrap().to_string(),
            "TKT-999999"
        );
        assert_eq!(
            TicketNumber::new(1_000_000).unwrap().to_string(),
            "TKT-1000000"
        );
    }

    #[test]
    fn parse_round_trips_and_accepts_lower_case_prefix() {
        for n in [1, 42, 999_999, 1_000_000, 123_456_789] {
            let t = TicketNumber::new(n).unwrap();
            assert_eq!(TicketNumber::parse(&t.to_string()).unwrap(), t);
        }
        assert_eq!(TicketNumber::parse("tkt-000042").unwrap().value(), 42);
    }

    #[test]
    fn parse_rejects_malformed_numbers() {
        assert!(matches!(
            TicketNumber::parse("42"),
            Err(TicketNumberError::MissingPrefix(_))
        ));
        assert!(matches!(
            TicketNumber::parse("TKT-42"),
            Err(TicketNumberError::BadDigits(_))
        ));
        assert!(matches!(
            TicketNumber::parse("TKT-00004a"),
            Err(TicketNumberError::BadDigits(_))
        ));
        assert!(matches!(
            TicketNumber::parse("TKT-0000042"),
            Err(TicketNumberError::BadDigits(_))
        ));
        assert_eq!(
            TicketNumber::parse("TKT-000000"),
            Err(TicketNumberError::Zero)
        );
        assert!(TicketNumber::parse("TKT-99999999999999999999").is_err());
        assert!(TicketNumber::parse("TK").is_err());
        assert!(TicketNumber::parse("ТКТ-000001").is_err());
    }

    #[test]
    fn finds_the_tag_in_a_subject() {
        let n = TicketNumber::find_in_subject("Re: [ext] Order late [TKT-000123]").unwrap();
        assert_eq!(n.value(), 123);
        assert_eq!(TicketNumber::find_in_subject("Re: order TKT-000123"), None);
        assert_eq!(TicketNumber::find_in_subject("[unclosed TKT-000123"), None);
        assert_eq!(n.tag(), "[TKT-000123]");
    }
}
