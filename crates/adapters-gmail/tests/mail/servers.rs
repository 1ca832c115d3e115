//! The loopback mail servers of `scripts/mail-servers.sh`, and helpers to use them.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use frontdesk_adapters_gmail::Secret;
use frontdesk_adapters_gmail::imap::{AfterIngest, ImapSettings, Security};
use frontdesk_domain::ports::{MailboxCursor, MailboxCursors, StoreError};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

fn port(var: &str) -> u16 {
    std::env::var(var)
        .unwrap_or_else(|_| panic!("{var} is not set: run the suite through scripts/test.sh"))
        .parse()
        .unwrap()
}

/// A mailbox of its own for each test (the servers accept any `…@frontdesk.test` user).
pub fn account(test: &str) -> String {
    format!("{test}@frontdesk.test")
}

pub fn imap_settings(account: &str, after_ingest: AfterIngest) -> ImapSettings {
    ImapSettings {
        host: "127.0.0.1".into(),
        port: port("FRONTDESK_TEST_IMAP_PORT"),
        security: Security::Plain,
        username: account.into(),
        password: Secret::new("secret"),
        mailbox: "INBOX".into(),
        after_ingest,
        max_message_bytes: 1024 * 1024,
        ca_file: None,
    }
}

/// Delivers a message through the real SMTP server.
pub async fn deliver(to: &str, subject: &str, body: &str) -> String {
    let id = format!("{}@client.test", uuid::Uuid::now_v7().simple());
    let raw = format!(
        "From: Customer <customer@example.test>\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\n\r\n{body}\r\n"
    );
    let envelope = lettre::address::Envelope::new(
        Some("customer@example.test".parse().unwrap()),
        vec![to.parse().unwrap()],
    )
    .unwrap();
    let smtp = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(port("FRONTDESK_TEST_SMTP_PORT"))
        .build();
    smtp.send_raw(&envelope, raw.as_bytes()).await.unwrap();
    id
}

/// Cursors kept in memory, shared between "restarts" of a source.
#[derive(Debug, Default)]
pub struct MemoryCursors(pub Mutex<HashMap<String, MailboxCursor>>);

#[async_trait]
impl MailboxCursors for MemoryCursors {
    async fn cursor(&self, mailbox: &str) -> Result<Option<MailboxCursor>, StoreError> {
        Ok(self.0.lock().unwrap().get(mailbox).cloned())
    }

    async fn save_cursor(
        &self,
        mailbox: &str,
        cursor: &MailboxCursor,
        _: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.0
            .lock()
            .unwrap()
            .insert(mailbox.to_owned(), cursor.clone());
        Ok(())
    }
}

/// The flags of message `uid` in `account`'s INBOX, read by a client of our own.
pub async fn flags(account: &str, uid: &str) -> Vec<String> {
    use futures_util::TryStreamExt;
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port("FRONTDESK_TEST_IMAP_PORT")))
        .await
        .unwrap();
    let mut client = async_imap::Client::new(tcp);
    client.read_response().await.unwrap();
    let mut session = client
        .login(account, "secret")
        .await
        .map_err(|(e, _)| e)
        .unwrap();
    session.select("INBOX").await.unwrap();
    let fetches: Vec<_> = session
        .uid_fetch(uid, "FLAGS")
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let flags = fetches
        .iter()
        .flat_map(|f| f.flags().map(|flag| format!("{flag:?}")))
        .collect();
    session.logout().await.unwrap();
    flags
}
