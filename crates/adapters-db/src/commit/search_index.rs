//! The SQLite search index's rows (FTS5): keyed by ticket number and a sequence, so a ticket's
//! rows are one range; written with each commit and read by `crate::search`.

use super::*;

/// The longest text indexed per subject or message; longer text is searchable by its start.
pub(crate) const INDEXED_TEXT_BYTES: usize = 256 * 1024;

/// SQLite's search rows are keyed by ticket: rowid = number << `SEARCH_SEQUENCE_BITS` + the
/// row's sequence within the ticket, from 1 (`m0010_search_rowid`).
pub(crate) const SEARCH_SEQUENCE_BITS: u32 = 24;

pub(super) fn search_number(number: TicketNumber) -> i64 {
    i64::try_from(number.value()).unwrap_or(i64::MAX >> SEARCH_SEQUENCE_BITS)
}

/// The first and last search key of ticket `number`.
pub(super) fn search_keys(number: i64) -> (i64, i64) {
    let low = number << SEARCH_SEQUENCE_BITS;
    (low, low + (1 << SEARCH_SEQUENCE_BITS) - 1)
}

/// The sequence of ticket `number`'s last search row (0 when it has none).
pub(super) async fn last_search_sequence(
    txn: &DatabaseTransaction,
    number: i64,
) -> Result<i64, CommitError> {
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
pub(super) async fn write_search(
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

pub(super) fn truncate(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}
