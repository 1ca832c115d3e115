//! Service-level agreements: targets per priority (and optionally category), business-hours
//! calendars, the two clocks every ticket carries, their pauses, and escalation on breach.

mod calendar;
mod clock;
mod config;
mod live;
mod policy;

pub use calendar::{BusinessCalendar, Calendar, CalendarError, TimeFrame};
pub use clock::{Band, ClockState, ClockStatus, SlaClock, TicketSla};
pub use config::{CalendarConfig, PolicyConfig, SlaConfig, SlaConfigError};
pub use live::LiveSla;
pub use policy::{
    EscalationPolicy, MAX_TARGET_MINUTES, MIN_TARGET_MINUTES, RiskBand, SlaPolicies,
    SlaPolicyError, SlaTargets, TargetError,
};
