//! What a commit leaves behind besides the tickets: thread keys, audit events, jobs, AI drafts
//! and the automatic-reply log.

use super::*;

/// Thread keys, audit events, jobs, and the automatic-reply log.
// Longer than ~80 lines on purpose: one multi-row insert per table (thread keys,
// events, jobs, drafts, the auto-reply log), each a few lines, in the order they reference.
pub(super) async fn write_trail(
    txn: &DatabaseTransaction,
    written: &[Written],
) -> Result<(), CommitError> {
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
    insert_all(txn, draft_rows, 17, false).await.map_err(db)?;
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
