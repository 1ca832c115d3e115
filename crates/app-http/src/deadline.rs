//! A deadline on reading request bodies: a client that trickles a body (a few bytes a second,
//! to hold connections and workers) is cut off. The body must arrive within a grace period
//! plus the time its bytes take at a minimum rate; past that the read fails, the handler
//! answers 408, and the connection closes. Headers have actix's own deadline
//! (`client_request_timeout`).

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{Error, HttpMessage as _};
use futures_util::Stream;
use tokio::time::{Instant, Sleep};

/// How long a body may take: `grace`, plus one second per `min_bytes_per_sec` received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyDeadline {
    pub grace: Duration,
    pub min_bytes_per_sec: u64,
}

impl BodyDeadline {
    /// The moment a body that started at `started` and has `received` bytes so far must be done.
    fn due(&self, started: Instant, received: u64) -> Instant {
        let rate = self.min_bytes_per_sec.max(1);
        started + self.grace + Duration::from_millis(received.saturating_mul(1000) / rate)
    }
}

/// The body stream with the deadline applied.
struct Deadlined<S> {
    inner: S,
    limits: BodyDeadline,
    started: Instant,
    received: u64,
    timer: Pin<Box<Sleep>>,
    expired: bool,
}

impl<S> Stream for Deadlined<S>
where
    S: Stream<Item = Result<Bytes, PayloadError>> + Unpin,
{
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.expired {
            return Poll::Ready(None);
        }
        match Pin::new(&mut self.inner).poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                self.received = self.received.saturating_add(chunk.len() as u64);
                let due = self.limits.due(self.started, self.received);
                self.timer.as_mut().reset(due);
                Poll::Ready(Some(Ok(chunk)))
            }
            Poll::Pending => match self.timer.as_mut().poll(cx) {
                Poll::Ready(()) => {
                    self.expired = true;
                    Poll::Ready(Some(Err(PayloadError::Io(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        "the request body arrived too slowly",
                    )))))
                }
                Poll::Pending => Poll::Pending,
            },
            other => other,
        }
    }
}

/// Wraps the request's body in the deadline `limits` (from the app data).
///
/// # Errors
/// The inner service's error, unchanged.
pub async fn body_deadline(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let limits = req.app_data::<BodyDeadline>().copied();
    if let Some(limits) = limits {
        let inner = req.take_payload();
        let started = Instant::now();
        let stream = Deadlined {
            inner,
            limits,
            started,
            received: 0,
            timer: Box::pin(tokio::time::sleep_until(limits.due(started, 0))),
            expired: false,
        };
        req.set_payload(Payload::from(
            Box::pin(stream) as Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>>
        ));
    }
    next.call(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_gets_its_grace_plus_the_time_its_bytes_take_at_the_minimum_rate() {
        let d = BodyDeadline {
            grace: Duration::from_secs(10),
            min_bytes_per_sec: 1024,
        };
        let t = Instant::now();
        assert_eq!(d.due(t, 0), t + Duration::from_secs(10));
        assert_eq!(d.due(t, 2048), t + Duration::from_secs(12));
    }
}
