//! Who is told about a ticket, and the notification jobs that tell them.

use super::*;

impl Helpdesk {
    pub(in crate::service) async fn manager_addresses(
        &self,
    ) -> Result<Vec<crate::EmailAddress>, StoreError> {
        let managers = self.ports.staff.with_roles(&[Role::Manager]).await?;
        Ok(managers
            .into_iter()
            .filter(|m| m.active)
            .map(|m| m.email)
            .collect())
    }

    /// The notification jobs about `ticket`, one per recipient (none when nobody is to be told).
    pub(in crate::service) fn notification(
        &self,
        ticket: &Ticket,
        kind: NotificationKind,
        recipients: Vec<crate::EmailAddress>,
        text: &str,
    ) -> Vec<Job> {
        // One job per person: each is settled with that person's digest, so a failure to mail
        // one person never resends to another.
        recipients
            .into_iter()
            .map(|to| {
                Job::Notify(Box::new(Notification {
                    ticket_id: ticket.id,
                    kind,
                    recipients: vec![to],
                    subject: format!(
                        "{} {}",
                        ticket.number.tag(),
                        text.lines().next().unwrap_or(text)
                    ),
                    body: format!(
                        "{text}\n\nTicket {}: {}\nCustomer: {}",
                        ticket.number, ticket.subject, ticket.customer.email
                    ),
                }))
            })
            .collect()
    }
}
