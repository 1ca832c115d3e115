//! Staff notifications go out as digests: every notification queued for one person and handled
//! in the same pass becomes one mail, holding only the kinds that person receives. Making two
//! agents available may assign them seventy tickets; each gets one mail listing them, not
//! seventy.

use std::collections::HashMap;

use super::Helpdesk;
use crate::email::EmailAddress;
use crate::ports::{Notification, NotificationKind, OutboundEmail, StoreError};

/// One person's digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest {
    pub to: EmailAddress,
    /// `None` when the person turned off every kind in it: nothing is sent.
    pub mail: Option<OutboundEmail>,
    /// The indices (into the notifications given) this digest settles, sent or turned off.
    pub covers: Vec<usize>,
}

impl Helpdesk {
    /// The digests of `notes`: one per recipient, in the order recipients first appear, with
    /// what each turned off left out ([`crate::ports::StaffDirectory::muted_notifications`]).
    ///
    /// # Errors
    /// [`StoreError`] when the preferences cannot be read.
    pub async fn digests(&self, notes: &[Notification]) -> Result<Vec<Digest>, StoreError> {
        let mut people: Vec<EmailAddress> = Vec::new();
        let mut items: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, n) in notes.iter().enumerate() {
            for to in &n.recipients {
                let list = items.entry(to.normalized()).or_default();
                if list.is_empty() {
                    people.push(to.clone());
                }
                if !list.contains(&i) {
                    list.push(i);
                }
            }
        }
        let muted: HashMap<String, Vec<NotificationKind>> = self
            .ports
            .staff
            .muted_notifications(&people)
            .await?
            .into_iter()
            .map(|(e, kinds)| (e.normalized(), kinds))
            .collect();
        Ok(people
            .into_iter()
            .map(|to| {
                let key = to.normalized();
                let covers = items.remove(&key).unwrap_or_default();
                let off = muted.get(&key);
                let wanted: Vec<&Notification> = covers
                    .iter()
                    .map(|i| &notes[*i])
                    .filter(|n| !off.is_some_and(|k| k.contains(&n.kind)))
                    .collect();
                let mail = (!wanted.is_empty()).then(|| self.digest_mail(&to, &wanted));
                Digest { to, mail, covers }
            })
            .collect())
    }

    /// One mail to `to` with `notes`: a single notification as it is (its subject carries the
    /// ticket's tag), several under one subject that counts them by kind.
    fn digest_mail(&self, to: &EmailAddress, notes: &[&Notification]) -> OutboundEmail {
        let mut mail = match notes {
            [one] => self.notification_mail(one),
            _ => {
                let mut counts: Vec<(NotificationKind, usize)> = Vec::new();
                for n in notes {
                    match counts.iter_mut().find(|(k, _)| *k == n.kind) {
                        Some((_, c)) => *c += 1,
                        None => counts.push((n.kind, 1)),
                    }
                }
                let summary: Vec<String> = counts
                    .iter()
                    .map(|(k, c)| format!("{c} {}", k.label()))
                    .collect();
                let body: Vec<String> = notes
                    .iter()
                    .map(|n| format!("{}\n{}", n.subject, n.body))
                    .collect();
                let digest = Notification {
                    ticket_id: notes[0].ticket_id,
                    kind: notes[0].kind,
                    recipients: Vec::new(),
                    subject: format!(
                        "Frontdesk: {} notifications ({})",
                        notes.len(),
                        summary.join(", ")
                    ),
                    body: body.join("\n\n----\n\n"),
                };
                let mut mail = self.notification_mail(&digest);
                // About several tickets: none of them is its ticket.
                mail.ticket_id = None;
                mail
            }
        };
        mail.to = vec![to.clone()];
        mail
    }
}
