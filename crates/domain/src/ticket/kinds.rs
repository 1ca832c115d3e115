//! The small closed vocabularies of a ticket: priority, category, channel.

use std::fmt;

/// A word that is not one of a vocabulary's values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not a valid {kind}; expected one of: {expected}")]
pub struct ParseEnumError {
    pub kind: &'static str,
    pub value: String,
    pub expected: &'static str,
}

/// Declares a fieldless enum with its stable lower-case names, `as_str`, `ALL`, `Display` and
/// `FromStr`. The names are the wire and storage format, so they never change.
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident, $kind:literal, { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The stable lower-case name used in storage, config and the API.
            #[must_use]
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = ParseEnumError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let lower = s.trim().to_ascii_lowercase();
                match lower.as_str() {
                    $($text => Ok(Self::$variant),)+
                    _ => Err(ParseEnumError {
                        kind: $kind,
                        value: s.to_owned(),
                        expected: concat!($($text, " "),+),
                    }),
                }
            }
        }
    };
}
pub(crate) use string_enum;

string_enum!(
    /// How fast a ticket needs attention. Ordered: `Low < Medium < High < Urgent`.
    Priority, "priority", {
        Low => "low",
        Medium => "medium",
        High => "high",
        Urgent => "urgent",
    }
);

impl Priority {
    /// One step more urgent; `Urgent` stays `Urgent`.
    #[must_use]
    pub fn raised(self) -> Self {
        match self {
            Self::Low => Self::Medium,
            Self::Medium => Self::High,
            Self::High | Self::Urgent => Self::Urgent,
        }
    }
}

string_enum!(
    /// What a ticket is about.
    Category, "category", {
        Order => "order",
        Product => "product",
        Billing => "billing",
        Technical => "technical",
        Other => "other",
    }
);

string_enum!(
    /// Where a ticket came from.
    Channel, "channel", {
        Email => "email",
        Web => "web",
        Api => "api",
        Zendesk => "zendesk",
        Intercom => "intercom",
    }
);

/// Mail is the default way in.
impl Default for Channel {
    fn default() -> Self {
        Self::Email
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for p in Priority::ALL {
            assert_eq!(p.as_str().parse::<Priority>().unwrap(), *p);
        }
        for c in Category::ALL {
            assert_eq!(c.to_string().parse::<Category>().unwrap(), *c);
        }
        assert_eq!(" Zendesk ".parse::<Channel>().unwrap(), Channel::Zendesk);
    }

    #[test]
    fn unknown_names_say_what_was_expected() {
        let err = "critical".parse::<Priority>().unwrap_err();
        assert_eq!(err.kind, "priority");
        assert!(err.to_string().contains("low medium high urgent"));
    }

    #[test]
    fn priority_raises_one_step_and_stops_at_urgent() {
        assert_eq!(Priority::Low.raised(), Priority::Medium);
        assert_eq!(Priority::Medium.raised(), Priority::High);
        assert_eq!(Priority::High.raised(), Priority::Urgent);
        assert_eq!(Priority::Urgent.raised(), Priority::Urgent);
        assert!(Priority::Urgent > Priority::High && Priority::Medium > Priority::Low);
    }
}
