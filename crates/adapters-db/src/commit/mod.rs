//! Committing domain change sets in one transaction: all of them or nothing.
//!
//! A batch is written with one multi-row statement per table (chunked under SQLite's limit of
//! bound variables), so a thousand mails cost about as many statements as one.

mod inbound;
mod merge;
pub(crate) mod search_index;
mod trail;

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
use crate::{Database, jobs as job_json};

use inbound::write_inbound;
use merge::absorb;
use search_index::write_search;
use trail::write_trail;

/// Bound variables per statement: under SQLite's limit of 32,766 and PostgreSQL's 65,535.
pub(super) const VARIABLES_PER_STATEMENT: usize = 30_000;

pub(super) fn db(e: DbErr) -> CommitError {
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
pub(super) async fn insert_all<A>(
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

pub(super) fn all_set<M, A>(model: M) -> A
where
    M: IntoActiveModel<A>,
    A: ActiveModelTrait,
{
    model.into_active_model().reset_all()
}

/// A change set whose ticket is final (numbered, version bumped).
pub(super) struct Written {
    ticket: Ticket,
    rest: ChangeSet,
}

// Longer than ~80 lines on purpose: the order of the writes is the transaction's
// contract (tickets, tags, search, mail, trail, merges), kept in one place.
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
            uploads,
            intake,
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
            uploads,
            intake,
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
    for w in &written {
        if let Some(intake) = &w.rest.intake {
            crate::journeys::write_intake(txn, w.ticket.id, intake).await?;
        }
    }
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

pub(super) fn store(message: &str) -> CommitError {
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
