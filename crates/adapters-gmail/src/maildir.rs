//! A local Maildir as a mail source: the embedded default, so a new install works with no mail
//! server. Drop a message file into `new/`; once its ingest committed it moves to `cur/` with the
//! `S` (seen) flag, as any Maildir reader would do. `tmp/` holds deliveries in progress and is
//! never read.

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use frontdesk_domain::EmailAddress;
use frontdesk_domain::ports::{
    DraftStore, FetchedMail, MailError, MailSender, MailSource, OutboundEmail,
};
use lettre::message::Mailbox;

use crate::smtp::build_message;

/// A [`MailSource`] over a Maildir directory.
#[derive(Debug, Clone)]
pub struct MaildirSource {
    root: PathBuf,
    max_message_bytes: u64,
}

fn transient(e: impl std::fmt::Display) -> MailError {
    MailError::Transient(e.to_string())
}

impl MaildirSource {
    /// A source reading `root/new`, creating `new/`, `cur/` and `tmp/` when missing.
    ///
    /// # Errors
    /// [`MailError::Permanent`] when the directories cannot be created.
    pub async fn open(root: impl Into<PathBuf>, max_message_bytes: u64) -> Result<Self, MailError> {
        let root = root.into();
        for sub in ["new", "cur", "tmp"] {
            tokio::fs::create_dir_all(root.join(sub))
                .await
                .map_err(|e| {
                    MailError::Permanent(format!("cannot create {}: {e}", root.join(sub).display()))
                })?;
        }
        Ok(Self {
            root,
            max_message_bytes,
        })
    }

    #[must_use]
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// A file name we accept as a message reference: a plain name inside `new/`.
    fn in_new(&self, name: &str) -> Result<PathBuf, MailError> {
        let plain = !name.is_empty() && !name.contains(['/', '\\']) && name != "." && name != "..";
        if plain {
            Ok(self.root.join("new").join(name))
        } else {
            Err(MailError::Permanent(format!("not a Maildir entry: {name}")))
        }
    }
}

#[async_trait]
impl MailSource for MaildirSource {
    async fn fetch(&self, limit: usize) -> Result<Vec<FetchedMail>, MailError> {
        let mut entries = tokio::fs::read_dir(self.root.join("new"))
            .await
            .map_err(transient)?;
        let mut found = Vec::new();
        while let Some(entry) = entries.next_entry().await.map_err(transient)? {
            let meta = entry.metadata().await.map_err(transient)?;
            if meta.is_file() {
                let modified = meta.modified().map_err(transient)?;
                found.push((
                    modified,
                    entry.file_name().to_string_lossy().into_owned(),
                    meta.len(),
                ));
            }
        }
        // Oldest first; the name (which Maildir makes unique and time-prefixed) breaks ties.
        found.sort();
        let mut mails = Vec::new();
        for (_, name, size) in found.into_iter().take(limit) {
            let path = self.root.join("new").join(&name);
            let oversized = size > self.max_message_bytes;
            let raw = if oversized {
                header_of(&path).await?
            } else {
                match tokio::fs::read(&path).await {
                    Ok(bytes) => bytes,
                    // Another reader took it meanwhile.
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                    Err(e) => return Err(transient(e)),
                }
            };
            mails.push(FetchedMail {
                raw,
                source_ref: name,
                provider_thread: None,
                oversized: oversized.then_some(size),
            });
        }
        Ok(mails)
    }

    async fn acknowledge(&self, source_ref: &str) -> Result<(), MailError> {
        let from = self.in_new(source_ref)?;
        let base = source_ref.split(":2,").next().unwrap_or(source_ref);
        let to = self.root.join("cur").join(format!("{base}:2,S"));
        match tokio::fs::rename(&from, &to).await {
            Ok(()) => Ok(()),
            // Already acknowledged (a retry after a crash): nothing left to do.
            Err(e)
                if e.kind() == std::io::ErrorKind::NotFound
                    && tokio::fs::try_exists(&to).await.unwrap_or(false) =>
            {
                Ok(())
            }
            Err(e) => Err(transient(e)),
        }
    }
}

/// A [`MailSender`] writing each mail as a message file into a local Maildir (the outbox):
/// the embedded default when no SMTP server or Gmail account is configured, so replies are
/// kept, readable with any mail client, and never lost. Drafts go to the `.Drafts` sub-Maildir
/// (the Maildir++ layout mail clients know).
#[derive(Debug, Clone)]
pub struct MaildirOutbox {
    root: PathBuf,
    from: Mailbox,
}

impl MaildirOutbox {
    /// An outbox at `root`, creating its directories.
    ///
    /// # Errors
    /// [`MailError::Permanent`] when the directories cannot be created or `from` is unusable.
    pub async fn open(
        root: impl Into<PathBuf>,
        from_address: &EmailAddress,
        from_name: Option<String>,
    ) -> Result<Self, MailError> {
        let root = root.into();
        for dir in [root.clone(), root.join(".Drafts")] {
            for sub in ["new", "cur", "tmp"] {
                tokio::fs::create_dir_all(dir.join(sub))
                    .await
                    .map_err(|e| {
                        MailError::Permanent(format!(
                            "cannot create {}: {e}",
                            dir.join(sub).display()
                        ))
                    })?;
            }
        }
        let address = from_address
            .as_str()
            .parse()
            .map_err(|e| MailError::Permanent(format!("{e}")))?;
        Ok(Self {
            root,
            from: Mailbox::new(from_name, address),
        })
    }

    #[must_use]
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Delivers `mail` into the Maildir at `dir`: written to `tmp/`, synced, renamed into
    /// `new/`, so a reader never sees half a message. The name comes from the Message-ID, so a
    /// retried job overwrites its own earlier copy instead of adding a second one.
    async fn deliver(&self, dir: &Path, mail: &OutboundEmail) -> Result<(), MailError> {
        let bytes = build_message(&self.from, mail)?.formatted();
        let id: String = mail
            .message_id
            .as_str()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let name = format!("{id}.frontdesk");
        let tmp = dir.join("tmp").join(&name);
        let file = async {
            use tokio::io::AsyncWriteExt;
            let mut f = tokio::fs::File::create(&tmp).await?;
            f.write_all(&bytes).await?;
            f.sync_all().await
        };
        file.await.map_err(transient)?;
        tokio::fs::rename(&tmp, dir.join("new").join(&name))
            .await
            .map_err(transient)
    }
}

#[async_trait]
impl MailSender for MaildirOutbox {
    async fn send(&self, mail: &OutboundEmail) -> Result<(), MailError> {
        self.deliver(&self.root, mail).await
    }
}

#[async_trait]
impl DraftStore for MaildirOutbox {
    async fn save_draft(&self, mail: &OutboundEmail) -> Result<(), MailError> {
        self.deliver(&self.root.join(".Drafts"), mail).await
    }
}

/// The header of a message file (up to the first empty line, at most 256 KiB).
async fn header_of(path: &Path) -> Result<Vec<u8>, MailError> {
    use tokio::io::AsyncReadExt;
    let mut file = tokio::fs::File::open(path).await.map_err(transient)?;
    let mut buf = vec![0; 256 * 1024];
    let mut filled = 0;
    while filled < buf.len() {
        let n = file.read(&mut buf[filled..]).await.map_err(transient)?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    buf.truncate(filled);
    if let Some(end) = crate::mime::header_end(&buf) {
        buf.truncate(end);
    }
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn dir() -> MaildirSource {
        let root = std::env::temp_dir()
            .join(format!("frontdesk-maildir-{}", std::process::id()))
            .join(format!("{:?}", std::thread::current().id()).replace(['(', ')'], ""));
        let _ = tokio::fs::remove_dir_all(&root).await;
        MaildirSource::open(root, 1_000).await.unwrap()
    }

    #[tokio::test]
    async fn new_mail_is_fetched_oldest_first_and_moves_to_cur_on_ack() {
        let m = dir().await;
        std::fs::write(m.root().join("new/1.a.host"), b"Subject: one\r\n\r\nx").unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(m.root().join("new/2.b.host"), b"Subject: two\r\n\r\ny").unwrap();
        std::fs::write(m.root().join("tmp/3.c.host"), b"half written").unwrap();
        let got = m.fetch(10).await.unwrap();
        assert_eq!(
            got.iter()
                .map(|g| g.source_ref.as_str())
                .collect::<Vec<_>>(),
            ["1.a.host", "2.b.host"]
        );
        m.acknowledge("1.a.host").await.unwrap();
        m.acknowledge("1.a.host").await.unwrap(); // idempotent
        assert!(m.root().join("cur/1.a.host:2,S").exists());
        assert_eq!(m.fetch(10).await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn oversized_files_arrive_as_their_header() {
        let m = dir().await;
        let big = format!("Subject: big\r\nFrom: a@b.c\r\n\r\n{}", "x".repeat(5_000));
        std::fs::write(m.root().join("new/big"), &big).unwrap();
        let got = m.fetch(1).await.unwrap();
        assert_eq!(got[0].oversized, Some(big.len() as u64));
        assert_eq!(got[0].raw, b"Subject: big\r\nFrom: a@b.c\r\n\r\n");
    }

    #[tokio::test]
    async fn the_outbox_keeps_each_mail_once_and_drafts_apart() {
        let m = dir().await;
        let root = m.root().join("outbox");
        let from = EmailAddress::parse("support@frontdesk.test").unwrap();
        let outbox = MaildirOutbox::open(&root, &from, Some("Support".into()))
            .await
            .unwrap();
        let mail = crate::smtp::tests::mail();
        outbox.send(&mail).await.unwrap();
        outbox.send(&mail).await.unwrap(); // a retried job
        outbox.save_draft(&mail).await.unwrap();
        let sent: Vec<_> = std::fs::read_dir(root.join("new")).unwrap().collect();
        assert_eq!(sent.len(), 1);
        let text = std::fs::read_to_string(sent[0].as_ref().unwrap().path()).unwrap();
        assert!(text.contains("Subject: Re: Order late [TKT-000042]"));
        assert!(text.contains("In-Reply-To: <c2@client.example>"));
        assert_eq!(
            std::fs::read_dir(root.join(".Drafts/new")).unwrap().count(),
            1
        );
        assert_eq!(std::fs::read_dir(root.join("tmp")).unwrap().count(), 0);
    }

    #[tokio::test]
    async fn references_cannot_escape_the_maildir() {
        let m = dir().await;
        for bad in ["../cur/x", "/etc/passwd", "..", ""] {
            assert!(
                matches!(m.acknowledge(bad).await, Err(MailError::Permanent(_))),
                "{bad}"
            );
        }
    }
}
