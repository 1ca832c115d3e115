//! Listing and searching tickets: filters, sorts, keyset pagination with a total.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreError;
use crate::email::EmailAddress;
use crate::staff::StaffId;
use crate::ticket::{Category, Priority, Status, Ticket};

/// Whose tickets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssigneeFilter {
    Unassigned,
    Staff(StaffId),
}

/// Tickets by SLA situation, judged at [`TicketListQuery::now`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlaFilter {
    /// A running clock is past due, or a breach was escalated.
    Breached,
    /// A running clock falls due before this instant (and none is breached yet).
    DueBefore(DateTime<Utc>),
    /// A running clock is in its warning band ([`crate::sla::SlaPolicies::risk_bands`]):
    /// "at risk", by the same rule as the SLA warning.
    AtRisk(Vec<crate::sla::RiskBand>),
}

/// The longest search text accepted, in bytes.
pub const MAX_SEARCH_BYTES: usize = 500;

/// Why a search text is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SearchTextError {
    #[error("a search may be at most {MAX_SEARCH_BYTES} bytes")]
    TooLong,
    #[error("a search cannot contain control characters")]
    ControlCharacter,
}

/// Checks a full-text search before any index sees it: bounded, and no control characters
/// (a NUL made SQLite's FTS parser fail, which surfaced as a 500).
///
/// # Errors
/// [`SearchTextError`] naming what is wrong.
pub fn check_search_text(text: &str) -> Result<(), SearchTextError> {
    if text.len() > MAX_SEARCH_BYTES {
        return Err(SearchTextError::TooLong);
    }
    if text.chars().any(char::is_control) {
        return Err(SearchTextError::ControlCharacter);
    }
    Ok(())
}

/// Which tickets to list. Empty lists and `None` mean "any".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TicketFilter {
    pub statuses: Vec<Status>,
    pub priorities: Vec<Priority>,
    pub categories: Vec<Category>,
    pub assignee: Option<AssigneeFilter>,
    /// Only tickets assigned to this staff member or to nobody (agents who may not see
    /// colleagues' tickets); applies on top of `assignee`.
    pub own_or_unassigned: Option<StaffId>,
    pub customer: Option<EmailAddress>,
    pub tag: Option<String>,
    pub sla: Option<SlaFilter>,
    pub created_from: Option<DateTime<Utc>>,
    pub created_before: Option<DateTime<Utc>>,
    /// Full-text search over subjects and message bodies; the words must all occur.
    pub text: Option<String>,
}

/// What to sort by. Ties are broken by ticket id, so pages never overlap or skip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    #[default]
    Created,
    Updated,
    /// The earliest deadline of a running SLA clock; tickets without one come last.
    SlaDue,
    /// Urgent first when descending.
    Priority,
}

/// A sort order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TicketSort {
    pub key: SortKey,
    pub descending: bool,
}

/// An opaque position in a listing, handed back to fetch the next page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageCursor(pub String);

/// One page request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketListQuery {
    pub filter: TicketFilter,
    pub sort: TicketSort,
    pub limit: u32,
    pub after: Option<PageCursor>,
    /// The instant SLA filters are judged at.
    pub now: DateTime<Utc>,
}

/// One page of tickets, the number of tickets matching the filter, and where to go on.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketPage {
    pub tickets: Vec<Ticket>,
    pub total: u64,
    pub next: Option<PageCursor>,
}

/// Why a listing request is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SearchError {
    #[error("the page cursor is not one this listing produced")]
    BadCursor,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Ticket listings for queues, dashboards and search.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait TicketSearch: Send + Sync {
    /// # Errors
    /// [`SearchError::BadCursor`] for a cursor from another listing, [`SearchError::Store`].
    async fn list(&self, query: &TicketListQuery) -> Result<TicketPage, SearchError>;

    /// [`TicketSearch::list`] without counting the matches (`total` is 0): for walking a whole
    /// listing page by page (an export), where counting again for every page would be waste.
    ///
    /// # Errors
    /// As [`TicketSearch::list`].
    async fn list_uncounted(&self, query: &TicketListQuery) -> Result<TicketPage, SearchError> {
        self.list(query).await
    }
}
