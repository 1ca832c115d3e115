//! Merging: one ticket's conversation moved onto another's.

use super::search_index::{last_search_sequence, search_keys, search_number};
use super::*;

/// Moves the conversation of `source` (merged) onto `target`: messages, mails, thread keys and
/// search documents. AI drafts stay with the ticket they were written for. Another customer's
/// conversation moves as staff-only notes and keeps its thread keys and search rows.
pub(super) async fn absorb(
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
