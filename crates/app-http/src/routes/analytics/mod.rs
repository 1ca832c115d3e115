//! `/api/analytics` and `/api/staff/{id}/performance`: what the team faces now, and how it went
//! over a period.

pub(crate) mod historical;
pub(crate) mod performance;
pub(crate) mod realtime;
mod views;

pub use historical::{
    __path_historical, __path_historical_csv, Historical, historical, historical_csv,
};
pub use performance::{__path_performance, Performance, performance};
pub use realtime::{__path_realtime, Realtime, realtime};
pub use views::{AgentSummary, BucketView, DurationsView, SlaView, SummaryView};
