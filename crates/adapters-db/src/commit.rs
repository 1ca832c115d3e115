//! Committing a domain `ChangeSet` in one transaction: all of it or nothing.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use frontdesk_domain::ports::{
    ChangeSet, CommitError, Committed, InboundRecord, Job, StoreError, TicketWrite,
};
use frontdesk_domain::staff::Customer;
use frontdesk_domain::ticket::{Message, Ticket, TicketNumber};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait as _, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, DbErr,
    EntityTrait, IntoActiveModel, QueryFilter, SqliteTransactionMode, Statement,
    TransactionOptions, TransactionTrait,
};

use crate::entity::{
    attachments, auto_replies, customers, emails, jobs, message_attachments, messages,
    raw_messages, thread_keys, ticket_events, ticket_tags, tickets,
};
use crate::error::{is_unique_violation, store_error};
use crate::mapping::sha256_hex;
use crate::mapping::{
    attachment_meta_row, clean, event_columns, ids_to_text, message_row, ticket_row,
};
use crate::search::INDEXED_TEXT_BYTES;
use crate::{Database, jobs as job_json};

fn db(e: DbErr) -> CommitError {
    CommitError::Store(store_error(&e))
}

impl Database {
    pub(crate) async fn commit_change(&self, change: ChangeSet) -> Result<Committed, CommitError> {
        // IMMEDIATE takes SQLite's write lock up front, so a transaction never has to upgrade a
        // read lock (the case where SQLite reports "database is locked" without waiting).
        let options = TransactionOptions {
            isolation_level: None,
            access_mode: None,
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        };
        let txn = self.writer.begin_with_options(options).await.map_err(db)?;
        let committed = write(&txn, change).await?;
        txn.commit().await.map_err(db)?;
        Ok(committed)
    }
}

async fn write(txn: &DatabaseTransaction, change: ChangeSet) -> Result<Committed, CommitError> {
    let ticket = match change.ticket {
        TicketWrite::Create(draft) => {
            let number = next_ticket_number(txn).await?;
            let ticket = Ticket::create(*draft, number);
            upsert_customer(txn, &ticket.customer, ticket.created_at).await?;
            tickets::Entity::insert(ticket_row(&ticket).into_active_model().reset_all())
                .exec_without_returning(txn)
                .await
                .map_err(db)?;
            write_tags(txn, &ticket).await?;
            let mut first = ticket.subject.clone();
            if change.messages.is_empty() {
                first.push('\n');
                first.push_str(&ticket.description);
            }
            index_text(txn, &ticket, &first).await?;
            ticket
        }
        TicketWrite::Update(ticket) => update_ticket(txn, *ticket).await?,
    };
    for m in &change.messages {
        index_text(txn, &ticket, &m.body_text).await?;
    }
    if let Some(inbound) = &change.inbound {
        store_inbound(txn, inbound, &change.messages).await?;
    }
    write_messages(txn, &change.messages).await?;
    if let Some(inbound) = &change.inbound {
        store_email_row(txn, inbound, &ticket, &change.messages).await?;
    }
    if !change.thread_keys.is_empty() {
        let rows = change.thread_keys.iter().map(|k| {
            thread_keys::Model {
                message_id: k.as_str().to_owned(),
                ticket_id: ticket.id.as_uuid(),
            }
            .into_active_model()
            .reset_all()
        });
        thread_keys::Entity::insert_many(rows)
            .on_conflict_do_nothing()
            .exec_without_returning(txn)
            .await
            .map_err(db)?;
    }
    if !change.events.is_empty() {
        let rows = change.events.iter().map(|e| {
            let (actor_kind, actor, kind, data) = event_columns(e);
            ticket_events::ActiveModel {
                id: sea_orm::ActiveValue::NotSet,
                ticket_id: sea_orm::ActiveValue::Set(e.ticket_id.as_uuid()),
                at: sea_orm::ActiveValue::Set(e.at),
                actor_kind: sea_orm::ActiveValue::Set(actor_kind),
                actor: sea_orm::ActiveValue::Set(actor),
                kind: sea_orm::ActiveValue::Set(kind),
                data: sea_orm::ActiveValue::Set(data),
            }
        });
        ticket_events::Entity::insert_many(rows)
            .exec_without_returning(txn)
            .await
            .map_err(db)?;
    }
    write_jobs(txn, &change.jobs, ticket.updated_at).await?;
    Ok(Committed { ticket })
}

/// Adds one searchable document (a subject or a message) for `ticket`.
async fn index_text(
    txn: &DatabaseTransaction,
    ticket: &Ticket,
    text: &str,
) -> Result<(), CommitError> {
    let mut end = text.len().min(INDEXED_TEXT_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let text = clean(&text[..end]);
    let backend = txn.get_database_backend();
    let statement = if backend == DbBackend::Postgres {
        Statement::from_sql_and_values(
            backend,
            "INSERT INTO ticket_search (ticket_id, doc) VALUES ($1, to_tsvector('simple', $2))",
            [ticket.id.as_uuid().into(), text.into()],
        )
    } else {
        let number = i64::try_from(ticket.number.value()).unwrap_or(i64::MAX);
        Statement::from_sql_and_values(
            backend,
            "INSERT INTO ticket_search (ticket_number, body) VALUES (?, ?)",
            [number.into(), text.into()],
        )
    };
    txn.execute_raw(statement).await.map_err(db)?;
    Ok(())
}

async fn next_ticket_number(txn: &DatabaseTransaction) -> Result<TicketNumber, CommitError> {
    // The row lock on the counter serialises concurrent creations on PostgreSQL; a rolled-back
    // transaction rolls its increment back too, so numbers stay consecutive.
    let sql = "UPDATE counters SET value = value + 1 WHERE name = 'ticket_number' RETURNING value";
    let row = txn
        .query_one_raw(Statement::from_string(txn.get_database_backend(), sql))
        .await
        .map_err(db)?
        .ok_or_else(|| {
            CommitError::Store(StoreError::Other("ticket number counter is missing".into()))
        })?;
    let value: i64 = row.try_get("", "value").map_err(db)?;
    let value =
        u64::try_from(value).map_err(|e| CommitError::Store(StoreError::Other(e.to_string())))?;
    TicketNumber::new(value).map_err(|e| CommitError::Store(StoreError::Other(e.to_string())))
}

async fn upsert_customer(
    txn: &DatabaseTransaction,
    c: &Customer,
    at: DateTime<Utc>,
) -> Result<(), CommitError> {
    let row = customers::Model {
        email: c.email.normalized(),
        address: c.email.to_string(),
        name: c.name.as_deref().map(clean),
        created_at: at,
        updated_at: at,
    };
    let on_conflict = OnConflict::column(customers::Column::Email)
        .update_columns([customers::Column::UpdatedAt])
        .to_owned();
    customers::Entity::insert(row.into_active_model().reset_all())
        .on_conflict(on_conflict)
        .exec_without_returning(txn)
        .await
        .map_err(db)?;
    Ok(())
}

async fn update_ticket(txn: &DatabaseTransaction, ticket: Ticket) -> Result<Ticket, CommitError> {
    let id = ticket.id;
    let mut parts = ticket.into_parts();
    let expected = i64::try_from(parts.version).unwrap_or(i64::MAX);
    parts.version += 1;
    let ticket = Ticket::restore(parts);
    let result = tickets::Entity::update_many()
        .set(ticket_row(&ticket).into_active_model().reset_all())
        .filter(tickets::Column::Id.eq(id.as_uuid()))
        .filter(tickets::Column::Version.eq(expected))
        .exec(txn)
        .await
        .map_err(db)?;
    if result.rows_affected == 0 {
        let exists = tickets::Entity::find_by_id(id.as_uuid())
            .one(txn)
            .await
            .map_err(db)?
            .is_some();
        return Err(if exists {
            CommitError::Conflict(id)
        } else {
            CommitError::NotFound(id)
        });
    }
    ticket_tags::Entity::delete_many()
        .filter(ticket_tags::Column::TicketId.eq(id.as_uuid()))
        .exec(txn)
        .await
        .map_err(db)?;
    write_tags(txn, &ticket).await?;
    Ok(ticket)
}

async fn write_tags(txn: &DatabaseTransaction, ticket: &Ticket) -> Result<(), CommitError> {
    if ticket.tags.is_empty() {
        return Ok(());
    }
    let rows = ticket.tags.iter().map(|tag| {
        ticket_tags::Model {
            ticket_id: ticket.id.as_uuid(),
            tag: tag.clone(),
        }
        .into_active_model()
        .reset_all()
    });
    ticket_tags::Entity::insert_many(rows)
        .exec_without_returning(txn)
        .await
        .map_err(db)?;
    Ok(())
}

async fn store_inbound(
    txn: &DatabaseTransaction,
    inbound: &InboundRecord,
    msgs: &[Message],
) -> Result<(), CommitError> {
    let raw = &inbound.mail.raw;
    let row = raw_messages::Model {
        sha256: sha256_hex(raw),
        size: i64::try_from(raw.len()).unwrap_or(i64::MAX),
        content: raw.clone(),
        created_at: inbound.mail.received_at,
    };
    raw_messages::Entity::insert(row.into_active_model().reset_all())
        .on_conflict_do_nothing()
        .exec_without_returning(txn)
        .await
        .map_err(db)?;
    let wanted: Vec<&str> = msgs
        .iter()
        .flat_map(|m| m.attachments.iter().map(|a| a.sha256.as_str()))
        .collect();
    for a in &inbound.mail.attachments {
        let sha = sha256_hex(&a.content);
        if !wanted.contains(&sha.as_str()) {
            continue;
        }
        let row = attachments::Model {
            sha256: sha,
            size: i64::try_from(a.content.len()).unwrap_or(i64::MAX),
            content: a.content.clone(),
            created_at: inbound.mail.received_at,
        };
        attachments::Entity::insert(row.into_active_model().reset_all())
            .on_conflict_do_nothing()
            .exec_without_returning(txn)
            .await
            .map_err(db)?;
    }
    Ok(())
}

async fn write_messages(txn: &DatabaseTransaction, msgs: &[Message]) -> Result<(), CommitError> {
    if msgs.is_empty() {
        return Ok(());
    }
    let rows = msgs
        .iter()
        .map(|m| message_row(m).into_active_model().reset_all());
    messages::Entity::insert_many(rows)
        .exec_without_returning(txn)
        .await
        .map_err(db)?;
    let metas: Vec<_> = msgs
        .iter()
        .flat_map(|m| {
            m.attachments
                .iter()
                .enumerate()
                .map(|(i, a)| attachment_meta_row(m.id, i, a))
        })
        .map(|row| row.into_active_model().reset_all())
        .collect();
    if !metas.is_empty() {
        message_attachments::Entity::insert_many(metas)
            .exec_without_returning(txn)
            .await
            .map_err(db)?;
    }
    Ok(())
}

async fn store_email_row(
    txn: &DatabaseTransaction,
    inbound: &InboundRecord,
    ticket: &Ticket,
    msgs: &[Message],
) -> Result<(), CommitError> {
    let mail = &inbound.mail;
    let message_row_id = msgs
        .iter()
        .find(|m| {
            m.email
                .as_ref()
                .is_some_and(|e| e.message_id == inbound.message_id)
        })
        .map(|m| m.id)
        .ok_or_else(|| {
            CommitError::Store(StoreError::Other("inbound mail without its message".into()))
        })?;
    let list = |boxes: &[frontdesk_domain::email::Mailbox]| {
        serde_json::Value::from(
            boxes
                .iter()
                .map(|b| b.address.to_string())
                .collect::<Vec<_>>(),
        )
        .to_string()
    };
    let row = emails::Model {
        message_id: inbound.message_id.as_str().to_owned(),
        ticket_id: ticket.id.as_uuid(),
        message_row_id,
        raw_sha256: sha256_hex(&mail.raw),
        in_reply_to: ids_to_text(&mail.in_reply_to),
        references_ids: ids_to_text(&mail.references),
        gmail_thread_id: mail.gmail_thread_id.clone(),
        from_address: mail.from.as_ref().map(|f| f.address.to_string()),
        from_name: mail
            .from
            .as_ref()
            .and_then(|f| f.name.as_deref())
            .map(clean),
        to_addresses: list(&mail.to),
        cc_addresses: list(&mail.cc),
        subject: clean(&mail.subject),
        sent_at: mail.date,
        received_at: mail.received_at,
        auto_reply: inbound.auto_reply.map(|a| a.as_str().to_owned()),
    };
    match emails::Entity::insert(row.into_active_model().reset_all())
        .exec_without_returning(txn)
        .await
    {
        Ok(_) => Ok(()),
        Err(e) if is_unique_violation(&e) => {
            Err(CommitError::Duplicate(inbound.message_id.clone()))
        }
        Err(e) => Err(db(e)),
    }
}

async fn write_jobs(
    txn: &DatabaseTransaction,
    list: &[Job],
    now: DateTime<Utc>,
) -> Result<(), CommitError> {
    if list.is_empty() {
        return Ok(());
    }
    let mut acknowledged: HashMap<String, ()> = HashMap::new();
    let rows = list.iter().map(|job| {
        if let Job::AutoAcknowledge { to, .. } = job {
            acknowledged.insert(to.normalized(), ());
        }
        jobs::Model {
            id: uuid::Uuid::now_v7(),
            kind: job.kind().to_owned(),
            ticket_id: Some(job_json::ticket_of(job).as_uuid()),
            payload: job_json::payload(job).to_string(),
            state: "queued".to_owned(),
            attempts: 0,
            run_after: now,
            lease_until: None,
            last_error: None,
            created_at: now,
            updated_at: now,
        }
        .into_active_model()
        .reset_all()
    });
    let rows: Vec<_> = rows.collect();
    jobs::Entity::insert_many(rows)
        .exec_without_returning(txn)
        .await
        .map_err(db)?;
    for address in acknowledged.into_keys() {
        let row = auto_replies::Model {
            address,
            last_at: now,
        };
        let on_conflict = OnConflict::column(auto_replies::Column::Address)
            .update_column(auto_replies::Column::LastAt)
            .to_owned();
        auto_replies::Entity::insert(row.into_active_model().reset_all())
            .on_conflict(on_conflict)
            .exec_without_returning(txn)
            .await
            .map_err(db)?;
    }
    Ok(())
}
