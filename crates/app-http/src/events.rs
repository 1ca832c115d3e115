//! The live feed behind `GET /api/events`: one task per server reads new audit events from the
//! database (so events written by any process arrive) and broadcasts them to the subscribers,
//! each of which sees only what its caller may.

use std::sync::Arc;
use std::time::Duration;

use frontdesk_adapters_db::{Database, FeedEvent};
use frontdesk_domain::staff::Role;
use serde_json::Value;
use tokio::sync::{broadcast, watch};

use crate::auth::{Caller, Principal};

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
}

impl Default for EventHub {
    fn default() -> Self {
        let (sender, _) = broadcast::channel(CAPACITY);
        Self { sender }
    }
}

impl EventHub {
    #[must_use]
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<FeedEvent>> {
        self.sender.subscribe()
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

fn message_kind(data: &Value) -> &str {
    data.get("kind").and_then(Value::as_str).unwrap_or_default()
}

/// Whether `caller` may see `e`: staff see every ticket they can open (agents limited to their
/// own and unassigned ones when `agents_see_all` is off); customers see their own tickets'
/// creation, status changes and the public conversation — never notes, system messages, AI work,
/// assignments or SLA clocks.
#[must_use]
pub fn visible(caller: &Caller, e: &FeedEvent, data: &Value, agents_see_all: bool) -> bool {
    match &caller.principal {
        Principal::Staff(s) => {
            agents_see_all
                || s.role != Role::Agent
                || e.assignee.is_none_or(|a| a == s.id.as_uuid())
        }
        Principal::Customer(email) => {
            e.customer == email.normalized()
                && match e.kind.as_str() {
                    "created" | "status_changed" | "reopened" | "merged_into" => true,
                    "message_added" => matches!(message_kind(data), "customer" | "agent"),
                    _ => false,
                }
        }
    }
}

/// `e` as one SSE frame, if `caller` may see it.
#[must_use]
pub fn frame(caller: &Caller, e: &FeedEvent, agents_see_all: bool) -> Option<String> {
    let data: Value = serde_json::from_str(&e.data).unwrap_or(Value::Null);
    if !visible(caller, e, &data, agents_see_all) {
        return None;
    }
    Some(format!(
        "id: {}\nevent: {}\ndata: {}\n\n",
        e.id,
        e.name(),
        e.to_json()
    ))
}
