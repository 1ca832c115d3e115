//! The live feed behind `GET /api/events`: one task per server reads new audit events from the
//! database (so events written by any process arrive) and broadcasts them to the subscribers,
//! each of which sees only what its caller may.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use frontdesk_adapters_db::{Database, FeedEvent};
use frontdesk_domain::access::TicketEventKind;
use frontdesk_domain::staff::StaffId;
use frontdesk_domain::ticket::MessageKind;
use serde_json::Value;
use tokio::sync::{broadcast, watch};

use crate::auth::Caller;

/// How often the feed looks for new events.
const POLL: Duration = Duration::from_millis(250);
/// Events read per look; more wait for the next one.
const BATCH: u64 = 500;
/// Events a slow subscriber may fall behind before it skips ahead.
const CAPACITY: usize = 1024;

/// Where subscribers get events.
#[derive(Debug, Clone)]
pub struct EventHub {
    sender: broadcast::Sender<Arc<FeedEvent>>,
    streams: Arc<StreamCount>,
}

impl Default for EventHub {
    fn default() -> Self {
        let (sender, _) = broadcast::channel(CAPACITY);
        Self {
            sender,
            streams: Arc::default(),
        }
    }
}

/// The open streams: in all, and per caller.
#[derive(Debug, Default)]
struct StreamCount {
    open: Mutex<(usize, HashMap<String, usize>)>,
}

/// One open stream, counted until dropped.
#[derive(Debug)]
pub struct StreamSlot {
    streams: Arc<StreamCount>,
    caller: String,
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut open = self
            .streams
            .open
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let (total, per_caller) = &mut *open;
        *total = total.saturating_sub(1);
        if let Some(n) = per_caller.get_mut(&self.caller) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                per_caller.remove(&self.caller);
            }
        }
    }
}

/// Why no stream may open now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum StreamsFull {
    #[error("this account has {0} event streams open already; close one first")]
    Caller(usize),
    #[error("the server has {0} event streams open; try again later")]
    Total(usize),
}

impl EventHub {
    #[must_use]
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<FeedEvent>> {
        self.sender.subscribe()
    }

    /// Counts a new stream of `caller` (a token subject), within `per_caller` and `total`.
    ///
    /// # Errors
    /// [`StreamsFull`] when either limit is reached.
    pub fn open_stream(
        &self,
        caller: String,
        per_caller: usize,
        total: usize,
    ) -> Result<StreamSlot, StreamsFull> {
        let mut open = self
            .streams
            .open
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let (all, by_caller) = &mut *open;
        if *all >= total {
            return Err(StreamsFull::Total(*all));
        }
        let mine = by_caller.entry(caller.clone()).or_insert(0);
        if *mine >= per_caller {
            return Err(StreamsFull::Caller(*mine));
        }
        *mine += 1;
        *all += 1;
        Ok(StreamSlot {
            streams: self.streams.clone(),
            caller,
        })
    }

    /// Reads new events from `db` and broadcasts them until `stop` turns true.
    pub async fn run(self, db: Arc<Database>, mut stop: watch::Receiver<bool>) {
        let mut last = loop {
            match db.last_event_id().await {
                Ok(id) => break id,
                Err(e) => {
                    tracing::warn!(error = %e, "event feed: cannot read the newest event; retrying");
                    tokio::select! {
                        () = tokio::time::sleep(Duration::from_secs(1)) => {}
                        _ = stop.changed() => return,
                    }
                }
            }
        };
        let mut tick = tokio::time::interval(POLL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = stop.changed() => return,
            }
            if self.sender.receiver_count() == 0 {
                // Nobody listens: skip what happened meanwhile instead of reading it later.
                if let Ok(id) = db.last_event_id().await {
                    last = id;
                }
                continue;
            }
            match db.events_after(last, BATCH).await {
                Ok(events) => {
                    for e in events {
                        last = e.id;
                        let _ = self.sender.send(Arc::new(e));
                    }
                }
                Err(e) => tracing::warn!(error = %e, "event feed: cannot read events"),
            }
        }
    }
}

/// Whether `caller` may see `e`: staff what they may open (agents limited to their own and
/// unassigned tickets when `agents_see_all` is off); customers their own tickets' creation,
/// status changes and public messages — never notes, system messages, AI work, assignments or
/// SLA clocks.
#[must_use]
pub fn visible(caller: &Caller, e: &FeedEvent, agents_see_all: bool) -> bool {
    let message_kind = e
        .data
        .get("kind")
        .and_then(Value::as_str)
        .and_then(|k| k.parse::<MessageKind>().ok());
    let p = &caller.principal;
    p.ticket_scope(agents_see_all)
        .contains_normalized(&e.customer, e.assignee.map(StaffId::from_uuid))
        && p.may_see_event(TicketEventKind::from_name(e.kind.as_str(), message_kind))
}

/// `e` as one SSE frame, if `caller` may see it.
#[must_use]
pub fn frame(caller: &Caller, e: &FeedEvent, agents_see_all: bool) -> Option<String> {
    if !visible(caller, e, agents_see_all) {
        return None;
    }
    Some(format!(
        "id: {}\nevent: {}\ndata: {}\n\n",
        e.id,
        e.name(),
        e.to_json()
    ))
}
