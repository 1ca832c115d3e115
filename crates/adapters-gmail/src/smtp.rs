//! Sending mail over SMTP (lettre over rustls with ring): replies, acknowledgements and
//! notifications, with every threading header the domain decided.

use async_trait::async_trait;
use frontdesk_domain::email::EmailAddress;
use frontdesk_domain::ports::{MailError, MailSender, OutboundEmail};
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::Secret;
use crate::imap::Security;

/// The outgoing mail server and who Frontdesk sends as.
#[derive(Debug, Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub username: Option<String>,
    pub password: Option<Secret>,
    /// The helpdesk's address, e.g. `support@example.com`.
    pub from_address: EmailAddress,
    /// The name shown with it, e.g. "Example Support".
    pub from_name: Option<String>,
    pub timeout: std::time::Duration,
}

/// A [`MailSender`] over SMTP.
pub struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for SmtpSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSender")
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

fn permanent(e: impl std::fmt::Display) -> MailError {
    MailError::Permanent(e.to_string())
}

/// Header text on one line: whatever reaches a header can never start a new one.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn raw_header(name: &str, value: &str) -> Result<HeaderValue, MailError> {
    let name = HeaderName::new_from_ascii(name.to_owned()).map_err(permanent)?;
    Ok(HeaderValue::new(name, one_line(value)))
}

/// The message as it goes on the wire.
///
/// # Errors
/// [`MailError::Permanent`] for an address lettre cannot use; retrying would not help.
pub fn build_message(from: &Mailbox, mail: &OutboundEmail) -> Result<Message, MailError> {
    let mut builder = Message::builder()
        .from(from.clone())
        .subject(one_line(&mail.subject))
        .message_id(Some(mail.message_id.to_header()));
    for to in &mail.to {
        builder = builder.to(to.as_str().parse::<Mailbox>().map_err(permanent)?);
    }
    if let Some(parent) = &mail.in_reply_to {
        builder = builder.in_reply_to(parent.to_header());
    }
    if !mail.references.is_empty() {
        let chain: Vec<String> = mail
            .references
            .iter()
            .map(frontdesk_domain::MessageId::to_header)
            .collect();
        builder = builder.references(chain.join(" "));
    }
    if mail.automatic {
        builder = builder.raw_header(raw_header("Auto-Submitted", "auto-replied")?);
        builder = builder.raw_header(raw_header("X-Auto-Response-Suppress", "All")?);
    }
    if let Some(x_loop) = &mail.x_loop {
        builder = builder.raw_header(raw_header("X-Loop", x_loop)?);
    }
    let text = || {
        SinglePart::builder()
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body_text.clone())
    };
    let alternative = |html: &String| {
        MultiPart::alternative().singlepart(text()).singlepart(
            SinglePart::builder()
                .header(ContentType::TEXT_HTML)
                .body(html.clone()),
        )
    };
    if mail.attachments.is_empty() {
        return match &mail.body_html {
            Some(html) => builder.multipart(alternative(html)),
            None => builder.singlepart(text()),
        }
        .map_err(permanent);
    }
    let mut mixed = match &mail.body_html {
        Some(html) => MultiPart::mixed().multipart(alternative(html)),
        None => MultiPart::mixed().singlepart(text()),
    };
    for file in &mail.attachments {
        let content_type = ContentType::parse(&file.content_type)
            .or_else(|_| ContentType::parse("application/octet-stream"))
            .map_err(permanent)?;
        mixed = mixed.singlepart(
            Attachment::new(one_line(&file.filename)).body(file.content.clone(), content_type),
        );
    }
    builder.multipart(mixed).map_err(permanent)
}

impl SmtpSender {
    /// A sender for `settings` (no connection is made until the first mail).
    ///
    /// # Errors
    /// [`MailError::Permanent`] for an unusable host or from address.
    pub fn new(settings: &SmtpSettings) -> Result<Self, MailError> {
        let builder = match settings.security {
            Security::Tls => {
                AsyncSmtpTransport::<Tokio1Executor>::relay(&settings.host).map_err(permanent)?
            }
            Security::StartTls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&settings.host)
                    .map_err(permanent)?
            }
            Security::Plain => {
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host)
            }
        };
        let mut builder = builder.port(settings.port).timeout(Some(settings.timeout));
        if let (Some(user), Some(password)) = (&settings.username, &settings.password) {
            builder =
                builder.credentials(Credentials::new(user.clone(), password.expose().to_owned()));
        }
        let from = Mailbox::new(
            settings.from_name.clone(),
            settings.from_address.as_str().parse().map_err(permanent)?,
        );
        Ok(Self {
            transport: builder.build(),
            from,
        })
    }
}

#[async_trait]
impl MailSender for SmtpSender {
    async fn send(&self, mail: &OutboundEmail) -> Result<(), MailError> {
        let message = build_message(&self.from, mail)?;
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(MailError::Permanent(e.to_string())),
            Err(e) => Err(MailError::Transient(e.to_string())),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use frontdesk_domain::MessageId;
    use frontdesk_domain::ticket::TicketId;

    use super::*;

    pub(crate) fn mail() -> OutboundEmail {
        OutboundEmail {
            ticket_id: Some(TicketId::from_uuid(uuid::Uuid::nil())),
            message: None,
            to: vec![EmailAddress::parse("jane@example.com").unwrap()],
            subject: "Re: Order late [TKT-000042]".into(),
            message_id: MessageId::parse("a1@frontdesk.test").unwrap(),
            in_reply_to: Some(MessageId::parse("c2@client.example").unwrap()),
            references: vec![
                MessageId::parse("c1@client.example").unwrap(),
                MessageId::parse("c2@client.example").unwrap(),
            ],
            body_text: "Your parcel left the warehouse.".into(),
            body_html: None,
            automatic: false,
            x_loop: None,
            provider_thread: None,
            attachments: Vec::new(),
        }
    }

    fn from() -> Mailbox {
        Mailbox::new(
            Some("Support".into()),
            "support@frontdesk.test".parse().unwrap(),
        )
    }

    fn wire(m: &OutboundEmail) -> String {
        String::from_utf8(build_message(&from(), m).unwrap().formatted()).unwrap()
    }

    #[test]
    fn replies_carry_the_threading_headers() {
        let text = wire(&mail());
        assert!(text.contains("Message-ID: <a1@frontdesk.test>"), "{text}");
        assert!(text.contains("In-Reply-To: <c2@client.example>"), "{text}");
        assert!(
            text.contains("References: <c1@client.example> <c2@client.example>"),
            "{text}"
        );
        assert!(
            text.contains("Subject: Re: Order late [TKT-000042]"),
            "{text}"
        );
        assert!(!text.contains("Auto-Submitted"), "{text}");
    }

    #[test]
    fn automatic_mail_is_marked_and_loop_tagged() {
        let mut m = mail();
        m.automatic = true;
        m.x_loop = Some("support@frontdesk.test".into());
        let text = wire(&m);
        assert!(
            text.contains("Auto-Submitted: auto-replied")
                && text.contains("X-Loop: support@frontdesk.test"),
            "{text}"
        );
    }

    #[test]
    fn header_injection_through_the_subject_is_impossible() {
        let mut m = mail();
        m.subject = "Hi\r\nBcc: victim@example.com".into();
        let text = wire(&m);
        assert!(!text.lines().any(|l| l.starts_with("Bcc:")), "{text}");
    }

    #[test]
    fn html_goes_as_an_alternative_to_text() {
        let mut m = mail();
        m.body_html = Some("<p>Your parcel left.</p>".into());
        let text = wire(&m);
        assert!(
            text.contains("multipart/alternative")
                && text.contains("text/html")
                && text.contains("text/plain"),
            "{text}"
        );
    }
}
