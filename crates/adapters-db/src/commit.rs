//! Committing domain change sets in one transaction: all of them or nothing.
//!
//! A batch is written with one multi-row statement per table (chunked under SQLite's limit of
//! bound variables), so a thousand mails cost about as many statements as one.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use frontdesk_domain::ports::{
    Absorb, ChangeSet, CommitError, Committed, Job, StoreError, TicketWrite,
};
use frontdesk_domain::ticket::{Ticket, TicketNumber};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ActiveValue, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend,
    DbErr, EntityTrait, IntoActiveModel, QueryFilter, SqliteTransactionMode, Statement,
    TransactionOptions, TransactionTrait, Value,
};

use crate::accounts::statement;
use crate::entity::{
    ai_drafts, attachments, auto_replies, customers, emails, jobs, message_attachments, messages,
    raw_messages, thread_keys, ticket_events, ticket_tags, tickets,
};
use crate::error::{is_unique_violation, store_error};
use crate::mapping::{
    ai_draft_row, attachment_meta_row, clean, content_address, event_columns, ids_to_text,
    message_row, ticket_row,
};
use crate::search::INDEXED_TEXT_BYTES;
use crate::{Database, jobs as job_json};

/// Bound variables per statement: under SQLite's limit of 32,766 and PostgreSQL's 65,535.
const VARIABLES_PER_STATEMENT: usize = 30_000;

fn db(e: DbErr) -> CommitError {
    CommitError::Store(store_error(e))
}

impl Database {
    pub(crate) async fn commit_changes(
        &self,
        changes: Vec<ChangeSet>,
    ) -> Result<Vec<Committed>, CommitError> {
        // IMMEDIATE takes SQLite's write lock up front, so a transaction never has to upgrade a
        // read lock (the case where SQLite reports "database is locked" without waiting).
        let options = TransactionOptions {
            isolation_level: None,
            access_mode: None,
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        };
        let txn = self.writer.begin_with_options(options).await.map_err(db)?;
        let committed = write(&txn, changes).await?;
        txn.commit().await.map_err(db)?;
        Ok(committed)
    }
}

/// Inserts `rows` with as few statements as the variable limit allows.
async fn insert_all<A>(
    txn: &DatabaseTransaction,
    rows: Vec<A>,
    columns: usize,
    ignore_existing: bool,
) -> Result<(), DbErr>
where
    A: ActiveModelTrait + Send,
{
    let per_statement = (VARIABLES_PER_STATEMENT / columns.max(1)).max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(per_statement).collect();
        let insert = A::Entity::insert_many(chunk);
        if ignore_existing {
            insert
                .on_conflict_do_nothing()
                .exec_without_returning(txn)
                .await?;
        } else {
            insert.exec_without_returning(txn).await?;
        }
    }
    Ok(())
}

fn all_set<M, A>(model: M) -> A
where
    M: IntoActiveModel<A>,
    A: ActiveModelTrait,
{
    model.into_active_model().reset_all()
}

/// A change set whose ticket is final (numbered, version bumped).
struct Written {
    ticket: Ticket,
    rest: ChangeSet,
}

async fn write(
    txn: &DatabaseTransaction,
    changes: Vec<ChangeSet>,
) -> Result<Vec<Committed>, CommitError> {
    let creates = changes
        .iter()
        .filter(|c| matches!(c.ticket, TicketWrite::Create(_)))
        .count();
    let mut numbers = allocate_numbers(txn, creates).await?.into_iter();
    let mut written: Vec<Written> = Vec::with_capacity(changes.len());
    let mut created = Vec::new();
    for change in changes {
        let ChangeSet {
            ticket,
            messages,
            events,
            jobs,
            thread_keys,
            inbound,
            ai_drafts,
            absorb,
            merge_suggestions,
        } = change;
        let ticket = match ticket {
            TicketWrite::Create(draft) => {
                let number = numbers
                    .next()
                    .ok_or_else(|| store("ticket numbers ran short"))?;
                let ticket = Ticket::create(*draft, number);
                created.push(ticket.clone());
                ticket
            }
            TicketWrite::Update(ticket) => update_ticket(txn, *ticket).await?,
        };
        // The rest keeps an (unused) copy of the ticket so the parts travel together.
        let rest = ChangeSet {
            ticket: TicketWrite::Update(Box::new(ticket.clone())),
            messages,
            events,
            jobs,
            thread_keys,
            inbound,
            ai_drafts,
            absorb,
            merge_suggestions,
        };
        written.push(Written { ticket, rest });
    }
    write_customers(txn, &created).await?;
    let rows: Vec<tickets::ActiveModel> = created.iter().map(|t| all_set(ticket_row(t))).collect();
    insert_all(txn, rows, 44, false).await.map_err(db)?;
    let tags: Vec<ticket_tags::ActiveModel> = written
        .iter()
        .flat_map(|w| {
            let id = w.ticket.id.as_uuid();
            w.ticket.tags.iter().map(move |tag| {
                all_set(ticket_tags::Model {
                    ticket_id: id,
                    tag: tag.clone(),
                })
            })
        })
        .collect();
    insert_all(txn, tags, 2, false).await.map_err(db)?;
    write_search(txn, &written, &created).await?;
    write_inbound(txn, &written).await?;
    write_trail(txn, &written).await?;
    let suggestions = written
        .iter()
        .flat_map(|w| &w.rest.merge_suggestions)
        .collect();
    crate::suggestions::write_suggestions(txn, suggestions).await?;
    for w in &written {
        for a in &w.rest.absorb {
            absorb(txn, *a, &w.ticket).await?;
        }
    }
    Ok(written
        .into_iter()
        .map(|w| Committed { ticket: w.ticket })
        .collect())
}

fn store(message: &str) -> CommitError {
    CommitError::Store(StoreError::other(message.to_owned()))
}

/// `n` consecutive ticket numbers. The row lock on the counter serialises concurrent creators on
/// PostgreSQL; a rolled-back transaction rolls its increment back too, so numbers stay
/// consecutive.
async fn allocate_numbers(
    txn: &DatabaseTransaction,
    n: usize,
) -> Result<Vec<TicketNumber>, CommitError> {
    if n == 0 {
        return Ok(Vec::new());
    }
    let n = i64::try_from(n).map_err(|_| store("batch too large"))?;
    let backend = txn.get_database_backend();
    let sql = if backend == DbBackend::Postgres {
        "UPDATE counters SET value = value + $1 WHERE name = 'ticket_number' RETURNING value"
    } else {
        "UPDATE counters SET value = value + ?1 WHERE name = 'ticket_number' RETURNING value"
    };
    let row = txn
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [Value::from(n)],
        ))
        .await
        .map_err(db)?
        .ok_or_else(|| store("ticket number counter is missing"))?;
    let last: i64 = row.try_get("", "value").map_err(db)?;
    (last - n + 1..=last)
        .map(|v| {
            let v = u64::try_from(v).map_err(|_| store("ticket number out of range"))?;
            TicketNumber::new(v).map_err(|e| store(&e.to_string()))
        })
        .collect()
}

async fn write_customers(txn: &DatabaseTransaction, created: &[Ticket]) -> Result<(), CommitError> {
    let mut seen = HashSet::new();
    let rows: Vec<customers::ActiveModel> = created
        .iter()
        .filter(|t| seen.insert(t.customer.email.normalized()))
        .map(|t| {
            all_set(customers::Model {
                email: t.customer.email.normalized(),
                address: t.customer.email.to_string(),
                name: t.customer.name.as_deref().map(clean),
                created_at: t.created_at,
                updated_at: t.created_at,
            })
        })
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    let on_conflict = OnConflict::column(customers::Column::Email)
        .update_column(customers::Column::UpdatedAt)
        .to_owned();
    for chunk in rows.chunks(VARIABLES_PER_STATEMENT / 5) {
        customers::Entity::insert_many(chunk.to_vec())
            .on_conflict(on_conflict.clone())
            .exec_without_returning(txn)
            .await
            .map_err(db)?;
    }
    Ok(())
}

async fn update_ticket(txn: &DatabaseTransaction, ticket: Ticket) -> Result<Ticket, CommitError> {
    let id = ticket.id;
    let mut parts = ticket.into_parts();
    let expected = i64::try_from(parts.version).unwrap_or(i64::MAX);
    parts.version += 1;
    let ticket = Ticket::restore(parts);
    let mut row = all_set::<_, tickets::ActiveModel>(ticket_row(&ticket));
    // What never changes stays out of the SET list: naming the key there makes SQLite check
    // every table that references tickets on each update.
    row.id = ActiveValue::NotSet;
    row.number = ActiveValue::NotSet;
    row.created_at = ActiveValue::NotSet;
    let result = tickets::Entity::update_many()
        .set(row)
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
    Ok(ticket)
}

/// Moves the conversation of `source` (merged) onto `target`: messages, mails, thread keys and
/// search documents. AI drafts stay with the ticket they were written for. Another customer's
/// conversation moves as staff-only notes and keeps its thread keys and search rows.
async fn absorb(
    txn: &DatabaseTransaction,
    absorbed: Absorb,
    target: &Ticket,
) -> Result<(), CommitError> {
    let backend = txn.get_database_backend();
    let source = absorbed.source;
    let (from, to) = (source.as_uuid(), target.id.as_uuid());
    let mut statements = if absorbed.staff_only {
        vec![
            "UPDATE messages SET ticket_id = $2, \
             kind = CASE WHEN kind IN ('customer', 'agent') THEN 'note' ELSE kind END \
             WHERE ticket_id = $1",
            "UPDATE emails SET ticket_id = $2 WHERE ticket_id = $1",
        ]
    } else {
        vec![
            "UPDATE messages SET ticket_id = $2 WHERE ticket_id = $1",
            "UPDATE emails SET ticket_id = $2 WHERE ticket_id = $1",
            "INSERT INTO thread_keys (message_id, ticket_id) SELECT message_id, $2 \
             FROM thread_keys WHERE ticket_id = $1 ON CONFLICT DO NOTHING",
            "DELETE FROM thread_keys WHERE ticket_id = $1",
        ]
    };
    // Another customer's search rows stay with their ticket (which staff find and which points
    // here): the target's customer searching their ticket must not match the other's words.
    if backend == DbBackend::Postgres && !absorbed.staff_only {
        statements.push("UPDATE ticket_search SET ticket_id = $2 WHERE ticket_id = $1");
    }
    for sql in statements {
        txn.execute_raw(statement(backend, sql, [from.into(), to.into()]))
            .await
            .map_err(db)?;
    }
    if backend == DbBackend::Sqlite && !absorbed.staff_only {
        let source_number = tickets::Entity::find_by_id(from)
            .one(txn)
            .await
            .map_err(db)?
            .map(|t| t.number)
            .ok_or(CommitError::NotFound(source))?;
        let target_number = search_number(target.number);
        // The source's rows are keyed under its number: re-keyed after the target's own.
        let offset = last_search_sequence(txn, target_number).await?;
        let (low, high) = search_keys(source_number);
        let (target_low, _) = search_keys(target_number);
        txn.execute_raw(statement(
            backend,
            "INSERT INTO ticket_search (rowid, ticket_number, body) \
             SELECT rowid - $1 + $3, $4, body FROM ticket_search WHERE rowid BETWEEN $1 AND $2",
            [
                low.into(),
                high.into(),
                (target_low + offset).into(),
                target_number.into(),
            ],
        ))
        .await
        .map_err(db)?;
        txn.execute_raw(statement(
            backend,
            "DELETE FROM ticket_search WHERE rowid BETWEEN $1 AND $2",
            [low.into(), high.into()],
        ))
        .await
        .map_err(db)?;
    }
    Ok(())
}

/// SQLite's search rows are keyed by ticket: rowid = number << `SEARCH_SEQUENCE_BITS` + the
/// row's sequence within the ticket, from 1 (`m0010_search_rowid`).
pub(crate) const SEARCH_SEQUENCE_BITS: u32 = 24;

fn search_number(number: TicketNumber) -> i64 {
    i64::try_from(number.value()).unwrap_or(i64::MAX >> SEARCH_SEQUENCE_BITS)
}

/// The first and last search key of ticket `number`.
fn search_keys(number: i64) -> (i64, i64) {
    let low = number << SEARCH_SEQUENCE_BITS;
    (low, low + (1 << SEARCH_SEQUENCE_BITS) - 1)
}

/// The sequence of ticket `number`'s last search row (0 when it has none).
async fn last_search_sequence(txn: &DatabaseTransaction, number: i64) -> Result<i64, CommitError> {
    let (low, high) = search_keys(number);
    let row = txn
        .query_one_raw(statement(
            DbBackend::Sqlite,
            "SELECT rowid AS last FROM ticket_search WHERE rowid BETWEEN $1 AND $2 \
             ORDER BY rowid DESC LIMIT 1",
            [low.into(), high.into()],
        ))
        .await
        .map_err(db)?;
    match row {
        Some(r) => Ok(r.try_get::<i64>("", "last").map_err(db)? - low),
        None => Ok(0),
    }
}

/// The searchable documents: the subject of each new ticket (and its description when it came
/// without a message), and every message.
async fn write_search(
    txn: &DatabaseTransaction,
    written: &[Written],
    created: &[Ticket],
) -> Result<(), CommitError> {
    let new_ids: HashSet<_> = created.iter().map(|c| c.id).collect();
    let mut docs: Vec<(&Ticket, String)> = Vec::new();
    for w in written {
        if new_ids.contains(&w.ticket.id) {
            let mut first = w.ticket.subject.clone();
            if w.rest.messages.is_empty() {
                first.push('\n');
                first.push_str(&w.ticket.description);
            }
            docs.push((&w.ticket, first));
        }
        docs.extend(
            w.rest
                .messages
                .iter()
                .map(|m| (&w.ticket, m.body_text.clone())),
        );
    }
    let backend = txn.get_database_backend();
    // SQLite: each row's key, after the ticket's last one (new tickets have none).
    let mut keys: Vec<i64> = Vec::new();
    if backend == DbBackend::Sqlite {
        let mut next: HashMap<i64, i64> = HashMap::new();
        for (ticket, _) in &docs {
            let number = search_number(ticket.number);
            let sequence = match next.get(&number) {
                Some(s) => *s,
                None if new_ids.contains(&ticket.id) => 1,
                None => last_search_sequence(txn, number).await? + 1,
            };
            if sequence >= 1 << SEARCH_SEQUENCE_BITS {
                return Err(CommitError::Store(StoreError::other(format!(
                    "ticket {} has more searchable messages than can be indexed",
                    ticket.number
                ))));
            }
            next.insert(number, sequence + 1);
            keys.push(search_keys(number).0 + sequence);
        }
    }
    for (c, chunk) in docs.chunks(1000).enumerate() {
        let mut sql = if backend == DbBackend::Postgres {
            String::from("INSERT INTO ticket_search (ticket_id, doc) VALUES ")
        } else {
            String::from("INSERT INTO ticket_search (rowid, ticket_number, body) VALUES ")
        };
        let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 3);
        for (i, (ticket, text)) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            if backend == DbBackend::Postgres {
                let (a, b) = (2 * i + 1, 2 * i + 2);
                sql.push_str(&format!("(${a}, to_tsvector('simple', ${b}))"));
                values.push(ticket.id.as_uuid().into());
            } else {
                let (k, a, b) = (3 * i + 1, 3 * i + 2, 3 * i + 3);
                sql.push_str(&format!("(?{k}, ?{a}, ?{b})"));
                values.push(keys[c * 1000 + i].into());
                values.push(search_number(ticket.number).into());
            }
            values.push(clean(truncate(text, INDEXED_TEXT_BYTES)).into());
        }
        txn.execute_raw(Statement::from_sql_and_values(backend, sql, values))
            .await
            .map_err(db)?;
    }
    Ok(())
}

fn truncate(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Raw mail, attachments, messages and the `emails` rows whose key stops a second delivery.
async fn write_inbound(txn: &DatabaseTransaction, written: &[Written]) -> Result<(), CommitError> {
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
            email_rows.push(all_set(emails::Model {
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
            }));
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

/// Thread keys, audit events, jobs, and the automatic-reply log.
async fn write_trail(txn: &DatabaseTransaction, written: &[Written]) -> Result<(), CommitError> {
    let mut keys = HashSet::new();
    let key_rows: Vec<thread_keys::ActiveModel> = written
        .iter()
        .flat_map(|w| {
            w.rest
                .thread_keys
                .iter()
                .map(move |k| (k.as_str().to_owned(), w.ticket.id.as_uuid()))
        })
        .filter(|pair| keys.insert(pair.clone()))
        .map(|(message_id, ticket_id)| {
            all_set(thread_keys::Model {
                message_id,
                ticket_id,
            })
        })
        .collect();
    insert_all(txn, key_rows, 2, true).await.map_err(db)?;
    let event_rows: Vec<ticket_events::ActiveModel> = written
        .iter()
        .flat_map(|w| w.rest.events.iter())
        .map(|e| {
            let (actor_kind, actor, kind, data) = event_columns(e);
            ticket_events::ActiveModel {
                id: ActiveValue::NotSet,
                ticket_id: ActiveValue::Set(e.ticket_id.as_uuid()),
                at: ActiveValue::Set(e.at),
                actor_kind: ActiveValue::Set(actor_kind),
                actor: ActiveValue::Set(actor),
                kind: ActiveValue::Set(kind),
                data: ActiveValue::Set(data),
            }
        })
        .collect();
    insert_all(txn, event_rows, 6, false).await.map_err(db)?;
    let mut acknowledged: HashMap<String, DateTime<Utc>> = HashMap::new();
    let mut job_rows: Vec<jobs::ActiveModel> = Vec::new();
    for w in written {
        let now = w.ticket.updated_at;
        for job in &w.rest.jobs {
            if let Job::AutoAcknowledge { to, .. } = job {
                acknowledged.insert(to.normalized(), now);
            }
            job_rows.push(all_set(job_json::queued_row(job, now)));
        }
    }
    insert_all(txn, job_rows, 11, false).await.map_err(db)?;
    let draft_rows: Vec<ai_drafts::ActiveModel> = written
        .iter()
        .flat_map(|w| w.rest.ai_drafts.iter())
        .map(|r| all_set(ai_draft_row(r)))
        .collect();
    insert_all(txn, draft_rows, 14, false).await.map_err(db)?;
    if !acknowledged.is_empty() {
        let rows: Vec<auto_replies::ActiveModel> = acknowledged
            .into_iter()
            .map(|(address, last_at)| {
                let domain = address.rsplit_once('@').map_or("", |(_, d)| d).to_owned();
                all_set(auto_replies::Model {
                    address,
                    last_at,
                    domain,
                })
            })
            .collect();
        let on_conflict = OnConflict::column(auto_replies::Column::Address)
            .update_columns([auto_replies::Column::LastAt, auto_replies::Column::Domain])
            .to_owned();
        for chunk in rows.chunks(VARIABLES_PER_STATEMENT / 3) {
            auto_replies::Entity::insert_many(chunk.to_vec())
                .on_conflict(on_conflict.clone())
                .exec_without_returning(txn)
                .await
                .map_err(db)?;
        }
    }
    Ok(())
}
