//! Inbound mail in a commit: raw bytes and attachments stored once by content, messages, and
//! the `emails` rows whose key stops a second delivery.

use frontdesk_domain::ports::InboundRecord;

use super::*;

/// The `emails` row of `inbound` (its raw bytes stored as `sha`), pointing at its message.
fn email_row(
    w: &Written,
    inbound: &InboundRecord,
    sha: String,
) -> Result<emails::ActiveModel, CommitError> {
    let mail = &inbound.mail;
    let message_row_id = w
        .rest
        .messages
        .iter()
        .find(|m| {
            m.email
                .as_ref()
                .is_some_and(|e| e.message_id == inbound.message_id)
        })
        .map(|m| m.id)
        .ok_or_else(|| store("inbound mail without its message"))?;
    let list = |boxes: &[frontdesk_domain::email::Mailbox]| {
        serde_json::Value::from(
            boxes
                .iter()
                .map(|b| b.address.to_string())
                .collect::<Vec<_>>(),
        )
        .to_string()
    };
    Ok(all_set(emails::Model {
        message_id: inbound.message_id.as_str().to_owned(),
        ticket_id: w.ticket.id.as_uuid(),
        message_row_id,
        raw_sha256: sha,
        in_reply_to: ids_to_text(&mail.in_reply_to),
        references_ids: ids_to_text(&mail.references),
        provider_thread: mail.provider_thread.clone(),
        from_address: mail.from.as_ref().map(|f| f.address.to_string()),
        from_name: mail
            .from
            .as_ref()
            .and_then(|f| f.name.as_deref())
            .map(clean),
        to_addresses: list(&mail.to),
        cc_addresses: list(&mail.cc),
        subject: frontdesk_domain::service::subject_line(&mail.subject),
        sent_at: mail.date,
        received_at: mail.received_at,
        auto_reply: inbound.auto_reply.map(|a| a.as_str().to_owned()),
    }))
}

/// Raw mail, attachments, messages and the `emails` rows whose key stops a second delivery.
pub(super) async fn write_inbound(
    txn: &DatabaseTransaction,
    written: &[Written],
) -> Result<(), CommitError> {
    let mut raws: HashMap<String, raw_messages::ActiveModel> = HashMap::new();
    let mut files: HashMap<String, attachments::ActiveModel> = HashMap::new();
    let mut email_rows: Vec<emails::ActiveModel> = Vec::new();
    for w in written {
        let wanted: HashSet<&str> = w
            .rest
            .messages
            .iter()
            .flat_map(|m| m.attachments.iter().map(|a| a.sha256.as_str()))
            .collect();
        for inbound in &w.rest.inbound {
            let mail = &inbound.mail;
            let sha = content_address(&mail.raw);
            raws.entry(sha.clone()).or_insert_with(|| {
                all_set(raw_messages::Model {
                    sha256: sha.clone(),
                    size: i64::try_from(mail.raw.len()).unwrap_or(i64::MAX),
                    content: mail.raw.clone(),
                    created_at: mail.received_at,
                })
            });
            for a in &mail.attachments {
                let file_sha = content_address(&a.content);
                if !wanted.contains(file_sha.as_str()) {
                    continue;
                }
                files.entry(file_sha.clone()).or_insert_with(|| {
                    all_set(attachments::Model {
                        sha256: file_sha.clone(),
                        size: i64::try_from(a.content.len()).unwrap_or(i64::MAX),
                        content: a.content.clone(),
                        created_at: mail.received_at,
                    })
                });
            }
            email_rows.push(email_row(w, inbound, sha)?);
        }
        // Files staff attached to their messages, stored like mail's.
        for f in &w.rest.uploads {
            let file_sha = content_address(&f.content);
            files.entry(file_sha.clone()).or_insert_with(|| {
                all_set(attachments::Model {
                    sha256: file_sha.clone(),
                    size: i64::try_from(f.content.len()).unwrap_or(i64::MAX),
                    content: f.content.clone(),
                    created_at: w.ticket.updated_at,
                })
            });
        }
    }
    insert_blobs(
        txn,
        raws.into_values().collect(),
        |r: &raw_messages::ActiveModel| blob_len(&r.content),
    )
    .await?;
    insert_blobs(
        txn,
        files.into_values().collect(),
        |f: &attachments::ActiveModel| blob_len(&f.content),
    )
    .await?;
    let msgs: Vec<messages::ActiveModel> = written
        .iter()
        .flat_map(|w| w.rest.messages.iter().map(|m| all_set(message_row(m))))
        .collect();
    insert_all(txn, msgs, 15, false).await.map_err(db)?;
    let metas: Vec<message_attachments::ActiveModel> = written
        .iter()
        .flat_map(|w| w.rest.messages.iter())
        .flat_map(|m| {
            m.attachments
                .iter()
                .enumerate()
                .map(|(i, a)| all_set(attachment_meta_row(m.id, i, a)))
        })
        .collect();
    insert_all(txn, metas, 8, false).await.map_err(db)?;
    let first_inbound = written
        .iter()
        .flat_map(|w| w.rest.inbound.first())
        .next()
        .map(|i| i.message_id.clone());
    match insert_all(txn, email_rows, 15, false).await {
        Ok(()) => Ok(()),
        Err(e) if is_unique_violation(&e) => match first_inbound {
            Some(id) => Err(CommitError::Duplicate(id)),
            None => Err(db(e)),
        },
        Err(e) => Err(db(e)),
    }
}

fn blob_len(v: &ActiveValue<Vec<u8>>) -> usize {
    match v {
        ActiveValue::Set(b) | ActiveValue::Unchanged(b) => b.len(),
        ActiveValue::NotSet => 0,
    }
}

/// Content-addressed blobs, several per statement up to a few megabytes, skipping those stored.
async fn insert_blobs<A>(
    txn: &DatabaseTransaction,
    rows: Vec<A>,
    size: impl Fn(&A) -> usize,
) -> Result<(), CommitError>
where
    A: ActiveModelTrait + Send,
{
    const BYTES_PER_STATEMENT: usize = 4 * 1024 * 1024;
    let mut chunk = Vec::new();
    let mut bytes = 0;
    for row in rows {
        bytes += size(&row);
        chunk.push(row);
        if bytes >= BYTES_PER_STATEMENT || chunk.len() >= 1000 {
            A::Entity::insert_many(std::mem::take(&mut chunk))
                .on_conflict_do_nothing()
                .exec_without_returning(txn)
                .await
                .map_err(db)?;
            bytes = 0;
        }
    }
    if !chunk.is_empty() {
        A::Entity::insert_many(chunk)
            .on_conflict_do_nothing()
            .exec_without_returning(txn)
            .await
            .map_err(db)?;
    }
    Ok(())
}
