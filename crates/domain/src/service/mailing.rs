//! Mail Frontdesk writes by itself: the acknowledgement of a new ticket, the mails about a
//! customer's account, and the templates behind them.

use super::Helpdesk;
use crate::email::{UNTRUSTED_TEXT_CHARS, quote_untrusted};
use crate::ports::{Notification, OutboundEmail};
use crate::ticket::{EmailHeaders, Ticket};

/// The acknowledgement sent when a ticket is created from mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutoAcknowledgement {
    /// Body template; `{ticket_number}` is filled in, and `{customer_name}` and `{subject}`
    /// too, but as [`quote_untrusted`] text: whoever sends mail chooses both, and the
    /// acknowledgement goes to whatever address they put on it.
    pub body: String,
}

impl Default for AutoAcknowledgement {
    /// Repeats nothing the sender wrote: only the ticket number is filled in.
    fn default() -> Self {
        Self {
            body: "Hello,\n\nthank you for writing to us. We have received your message and \
                   opened ticket {ticket_number}. Keep that number in the subject line of any \
                   reply and it will reach the same conversation.\n\nThis message was sent \
                   automatically."
                .to_owned(),
        }
    }
}

/// Fills `{name}` placeholders from `vars`; unknown placeholders stay as they are so a check for
/// unresolved variables can catch them.
#[must_use]
pub fn render_template(template: &str, vars: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}').map(|close| (&after[..close], close)) {
            Some((name, close)) if vars.iter().any(|(k, _)| *k == name) => {
                let value = vars
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map_or("", |(_, v)| *v);
                out.push_str(value);
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `template` filled in for `ticket`: `{customer_name}`, `{ticket_number}`, `{subject}`, and
/// `{agent_name}` when an agent is writing. Acknowledgements and canned responses use it.
#[must_use]
pub fn render_for_ticket(template: &str, ticket: &Ticket, agent_name: Option<&str>) -> String {
    let number = ticket.number.to_string();
    let mut vars = vec![
        ("customer_name", ticket.customer.display_name()),
        ("ticket_number", number.as_str()),
        ("subject", ticket.subject.as_str()),
    ];
    if let Some(agent) = agent_name {
        vars.push(("agent_name", agent));
    }
    render_template(template, &vars)
}

impl Helpdesk {
    /// The mail with a customer's confirmation link (`link` holds the single-use token). No
    /// text from the request goes into it but the address it is sent to.
    #[must_use]
    pub fn confirmation_mail(&self, to: &crate::EmailAddress, link: &str) -> OutboundEmail {
        let body = format!(
            "Hello,\n\nsomeone, probably you, asked to open a customer account for {to}. To \
             confirm that this address is yours, open this link within 24 hours and enter the \
             password chosen when registering:\n\n{link}\n\nUntil then the account sees \
             nothing. If you did not ask for this, ignore this message: nothing happens without \
             the link and that password.\n\nThis message was sent automatically."
        );
        self.account_mail(to, "Confirm your address", body)
    }

    /// The mail telling the owner of an address that already has an account (or belongs to
    /// staff) that someone tried to register it. Nothing was changed.
    #[must_use]
    pub fn already_registered_mail(
        &self,
        to: &crate::EmailAddress,
        sign_in: &str,
    ) -> OutboundEmail {
        let body = format!(
            "Hello,\n\nsomeone asked to open a customer account for {to}, but this address \
             already has one, so nothing was changed. You can sign in at:\n\n{sign_in}\n\n\
             If you did not ask for this, you can ignore this message.\n\nThis message was \
             sent automatically."
        );
        self.account_mail(to, "Your account already exists", body)
    }

    /// The mail with a customer's portal sign-in link (single use, 15 minutes). No text from
    /// the request goes into it but the address it is sent to.
    #[must_use]
    pub fn portal_link_mail(&self, to: &crate::EmailAddress, link: &str) -> OutboundEmail {
        let body = format!(
            "Hello,\n\nsomeone, probably you, asked to sign in to the support portal as {to}. \
             Open this link within 15 minutes to sign in:\n\n{link}\n\nThe link works once. \
             If you did not ask for it, ignore this message: nobody can sign in without it.\n\n\
             This message was sent automatically."
        );
        self.account_mail(to, "Your sign-in link", body)
    }

    /// The satisfaction survey for `ticket`: threaded with its conversation, one link per
    /// rating (each holds the signed token for this ticket). The subject the customer wrote is
    /// quoted as untrusted text.
    #[must_use]
    pub fn satisfaction_mail(
        &self,
        ticket: &Ticket,
        links: &[(crate::satisfaction::Rating, String)],
    ) -> OutboundEmail {
        let subject = quote_untrusted(&ticket.subject, UNTRUSTED_TEXT_CHARS);
        let choices: String = links
            .iter()
            .map(|(rating, link)| {
                let label = match rating {
                    crate::satisfaction::Rating::Good => "Good",
                    crate::satisfaction::Rating::Okay => "Okay",
                    crate::satisfaction::Rating::Bad => "Bad",
                };
                format!("{label}: {link}\n")
            })
            .collect();
        let body = format!(
            "Hello,\n\nyour request {} ({subject}) is solved. How did we do? One click is \
             enough:\n\n{choices}\nYou can add a comment after choosing, and change your answer \
             for 7 days. Thank you!\n\nThis message was sent automatically.",
            ticket.number
        );
        self.reply_mail(ticket, None, &body, true)
    }

    /// The mail inviting a new staff member, `name`, to choose a password through `link`
    /// (single use, for a week), sent on behalf of `inviter`.
    #[must_use]
    pub fn invitation_mail(
        &self,
        to: &crate::EmailAddress,
        name: &str,
        inviter: &str,
        link: &str,
    ) -> OutboundEmail {
        let body = format!(
            "Hello {name},\n\n{inviter} added you to the support team's helpdesk as {to}. To \
             choose your password and sign in, open this link within 7 days:\n\n{link}\n\n\
             The link works once. If it has expired, ask {inviter} for a new one. If you do not \
             know why you got this, ignore it: nothing happens without the link.\n\n\
             This message was sent automatically."
        );
        self.account_mail(to, "You are invited to the helpdesk", body)
    }

    /// The mail with a link for staff member `name` to choose a new password (single use, for
    /// two hours); `by` is the admin who asked for it.
    #[must_use]
    pub fn password_reset_mail(
        &self,
        to: &crate::EmailAddress,
        name: &str,
        by: &str,
        link: &str,
    ) -> OutboundEmail {
        let body = format!(
            "Hello {name},\n\n{by} asked for you to choose a new password for the helpdesk \
             ({to}). Open this link within 2 hours to choose it:\n\n{link}\n\nThe link works \
             once; choosing a password signs you out everywhere. Until then your current \
             password keeps working. If you did not expect this, tell {by}.\n\n\
             This message was sent automatically."
        );
        self.account_mail(to, "Choose a new password", body)
    }

    fn account_mail(&self, to: &crate::EmailAddress, subject: &str, body: String) -> OutboundEmail {
        OutboundEmail {
            ticket_id: None,
            message: None,
            to: vec![to.clone()],
            subject: subject.to_owned(),
            message_id: self.new_message_id(),
            in_reply_to: None,
            references: Vec::new(),
            body_text: body,
            body_html: None,
            automatic: true,
            x_loop: Some(self.settings.loop_guard.x_loop().to_owned()),
            provider_thread: None,
            attachments: Vec::new(),
        }
    }

    /// The acknowledgement mail for `ticket`, answering the customer's first mail, sent as
    /// `message_id` (the id recorded on the ticket when the job was queued; a new one when
    /// `None`). `None` when acknowledgements are switched off.
    #[must_use]
    pub fn acknowledgement(
        &self,
        ticket: &Ticket,
        answered: &EmailHeaders,
        message_id: Option<&crate::MessageId>,
    ) -> Option<OutboundEmail> {
        let ack = self.settings.auto_acknowledgement.as_ref()?;
        let number = ticket.number.to_string();
        let name = quote_untrusted(ticket.customer.display_name(), UNTRUSTED_TEXT_CHARS);
        let subject = quote_untrusted(&ticket.subject, UNTRUSTED_TEXT_CHARS);
        let body = render_template(
            &ack.body,
            &[
                ("customer_name", name.as_str()),
                ("ticket_number", number.as_str()),
                ("subject", subject.as_str()),
            ],
        );
        let mut mail = self.reply_mail(ticket, Some(answered), &body, true);
        if let Some(id) = message_id {
            mail.message_id = id.clone();
        }
        Some(mail)
    }

    /// The mail telling staff about `notification` (an SLA warning or breach, an escalation):
    /// automatic, with our X-Loop, so an auto-reply from a staff mailbox is never ingested as
    /// a customer mail.
    #[must_use]
    pub fn notification_mail(&self, notification: &Notification) -> OutboundEmail {
        OutboundEmail {
            ticket_id: Some(notification.ticket_id),
            message: None,
            to: notification.recipients.clone(),
            subject: notification.subject.clone(),
            message_id: self.new_message_id(),
            in_reply_to: None,
            references: Vec::new(),
            body_text: notification.body.clone(),
            body_html: None,
            automatic: true,
            x_loop: Some(self.settings.loop_guard.x_loop().to_owned()),
            provider_thread: None,
            attachments: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_fill_known_variables_and_keep_unknown_ones() {
        let s = render_template(
            "Hi {customer_name}, re {ticket_number} {unknown} {",
            &[("customer_name", "Jane"), ("ticket_number", "TKT-000001")],
        );
        assert_eq!(s, "Hi Jane, re TKT-000001 {unknown} {");
    }

    #[test]
    fn values_are_not_rendered_again() {
        let s = render_template(
            "{subject}",
            &[("subject", "{customer_name}"), ("customer_name", "x")],
        );
        assert_eq!(s, "{customer_name}");
    }
}
