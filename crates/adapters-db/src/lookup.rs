//! Threading lookups, the staff directory and the automatic-reply log.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use frontdesk_domain::TicketId;
use frontdesk_domain::email::{EmailAddress, MessageId};
use frontdesk_domain::ports::{
    AgentLoad, AutoReplyLog, NotificationKind, StaffDirectory, StoreError, ThreadLookup, TicketRef,
};
use frontdesk_domain::staff::{Role, Staff, StaffId};
use frontdesk_domain::ticket::TicketNumber;
use sea_orm::{
    ActiveModelTrait as _, ColumnTrait, EntityTrait, IntoActiveModel, PaginatorTrait as _,
    QueryFilter, QueryOrder, QuerySelect,
};

use crate::Database;
use crate::entity::{auto_replies, emails, staff, thread_keys, tickets};
use crate::error::corrupt;
use crate::mapping::{staff_from_row, staff_row};
use crate::repository::db;

fn reference(m: &tickets::Model) -> Result<TicketRef, StoreError> {
    let number = u64::try_from(m.number)
        .ok()
        .and_then(|n| TicketNumber::new(n).ok());
    Ok(TicketRef {
        id: TicketId::from_uuid(m.id),
        number: Some(number.ok_or_else(|| corrupt("ticket number", m.number))?),
        status: m.status.parse().map_err(|e| corrupt("status", e))?,
        customer: EmailAddress::parse(&m.customer_email).map_err(|e| corrupt("customer", e))?,
    })
}

/// How many merges `by_number` follows from a ticket to the one that holds its conversation.
const MAX_MERGE_HOPS: usize = 8;

impl Database {
    async fn ticket_ref(&self, id: uuid::Uuid) -> Result<Option<TicketRef>, StoreError> {
        let row = tickets::Entity::find_by_id(id)
            .one(&self.reader)
            .await
            .map_err(db)?;
        row.as_ref().map(reference).transpose()
    }

    /// Adds or replaces a staff member (administration; the API's staff endpoints use it).
    ///
    /// # Errors
    /// [`StoreError`] when storage fails, including a second member with the same address.
    pub async fn save_staff(&self, member: &Staff, now: DateTime<Utc>) -> Result<(), StoreError> {
        let row = staff_row(member, now).into_active_model().reset_all();
        let on_conflict = sea_orm::sea_query::OnConflict::column(staff::Column::Id)
            .update_columns([
                staff::Column::Email,
                staff::Column::Name,
                staff::Column::Role,
                staff::Column::Availability,
                staff::Column::Active,
                staff::Column::ShiftTimeZone,
                staff::Column::ShiftDays,
                staff::Column::ShiftStart,
                staff::Column::ShiftEnd,
                staff::Column::UpdatedAt,
            ])
            .to_owned();
        staff::Entity::insert(row)
            .on_conflict(on_conflict)
            .exec_without_returning(&self.writer)
            .await
            .map_err(db)?;
        Ok(())
    }
}

#[async_trait]
impl ThreadLookup for Database {
    async fn by_message_id(&self, id: &MessageId) -> Result<Option<TicketRef>, StoreError> {
        let row = emails::Entity::find_by_id(id.as_str().to_owned())
            .one(&self.reader)
            .await
            .map_err(db)?;
        match row {
            Some(email) => self.ticket_ref(email.ticket_id).await,
            None => Ok(None),
        }
    }

    async fn known_message_ids(&self, ids: &[MessageId]) -> Result<Vec<MessageId>, StoreError> {
        let mut known = Vec::new();
        for chunk in ids.chunks(1000) {
            let keys: Vec<String> = chunk.iter().map(|i| i.as_str().to_owned()).collect();
            let rows = emails::Entity::find()
                .filter(emails::Column::MessageId.is_in(keys))
                .select_only()
                .column(emails::Column::MessageId)
                .into_tuple::<String>()
                .all(&self.reader)
                .await
                .map_err(db)?;
            known.extend(rows.iter().filter_map(|r| MessageId::parse(r).ok()));
        }
        Ok(known)
    }

    async fn by_number(&self, number: TicketNumber) -> Result<Option<TicketRef>, StoreError> {
        let mut row = self.ticket_row_by_number(number).await?;
        // Follow merges (a merged ticket's target may have been merged in turn), boundedly.
        for _ in 0..MAX_MERGE_HOPS {
            let Some(next) = row.as_ref().and_then(|r| r.merged_into) else {
                break;
            };
            match tickets::Entity::find_by_id(next)
                .one(&self.reader)
                .await
                .map_err(db)?
            {
                Some(target) => row = Some(target),
                None => break,
            }
        }
        row.as_ref().map(reference).transpose()
    }

    async fn by_thread_keys(&self, ids: &[MessageId]) -> Result<Vec<TicketRef>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let keys: Vec<String> = ids.iter().map(|i| i.as_str().to_owned()).collect();
        let ticket_ids: Vec<uuid::Uuid> = thread_keys::Entity::find()
            .filter(thread_keys::Column::MessageId.is_in(keys))
            .all(&self.reader)
            .await
            .map_err(db)?
            .into_iter()
            .map(|k| k.ticket_id)
            .collect();
        if ticket_ids.is_empty() {
            return Ok(Vec::new());
        }
        tickets::Entity::find()
            .filter(tickets::Column::Id.is_in(ticket_ids))
            .order_by_desc(tickets::Column::UpdatedAt)
            .all(&self.reader)
            .await
            .map_err(db)?
            .iter()
            .map(reference)
            .collect()
    }

    async fn by_provider_thread(&self, thread_id: &str) -> Result<Option<TicketRef>, StoreError> {
        let row = tickets::Entity::find()
            .filter(tickets::Column::ProviderThread.eq(thread_id))
            .order_by_desc(tickets::Column::UpdatedAt)
            .one(&self.reader)
            .await
            .map_err(db)?;
        row.as_ref().map(reference).transpose()
    }

    async fn participants(&self, ticket: TicketId) -> Result<Vec<EmailAddress>, StoreError> {
        let Some(owner) = self.ticket_ref(ticket.as_uuid()).await? else {
            return Ok(Vec::new());
        };
        // One row per distinct set of addresses: a long conversation among the same people is
        // a handful of rows, however many mails it has. Only mails of the ticket's public
        // conversation count: another customer's mails that a forced merge moved here became
        // staff-only notes, and must not make that customer a participant.
        let rows = sea_orm::ConnectionTrait::query_all_raw(
            &self.reader,
            crate::accounts::statement(
                self.backend(),
                "SELECT DISTINCT e.from_address, e.to_addresses, e.cc_addresses FROM emails e \
                 JOIN messages m ON m.id = e.message_row_id \
                 WHERE e.ticket_id = $1 AND m.kind IN ('customer', 'agent')",
                [sea_orm::Value::from(ticket.as_uuid())],
            ),
        )
        .await
        .map_err(db)?
        .iter()
        .map(|r| {
            Ok((
                r.try_get::<Option<String>>("", "from_address")
                    .map_err(db)?,
                r.try_get::<String>("", "to_addresses").map_err(db)?,
                r.try_get::<String>("", "cc_addresses").map_err(db)?,
            ))
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
        let mut people = vec![owner.customer];
        for (from, to, cc) in rows {
            let listed = [to, cc]
                .into_iter()
                // Written by `commit.rs` as JSON lists; an unreadable one adds nobody, which
                // only ever keeps a mail off the ticket.
                .flat_map(|list| serde_json::from_str::<Vec<String>>(&list).unwrap_or_default());
            for raw in from.into_iter().chain(listed) {
                // Stored addresses were parsed on the way in; one that no longer parses
                // names nobody who could send mail.
                if let Ok(address) = EmailAddress::parse(&raw)
                    && !people.contains(&address)
                {
                    people.push(address);
                }
            }
        }
        Ok(people)
    }
}

#[async_trait]
impl StaffDirectory for Database {
    async fn muted_notifications(
        &self,
        emails: &[EmailAddress],
    ) -> Result<Vec<(EmailAddress, Vec<NotificationKind>)>, StoreError> {
        self.muted_by_address(emails).await
    }

    async fn get(&self, id: StaffId) -> Result<Option<Staff>, StoreError> {
        let row = staff::Entity::find_by_id(id.as_uuid())
            .one(&self.reader)
            .await
            .map_err(db)?;
        row.map(staff_from_row).transpose()
    }

    async fn with_roles(&self, roles: &[Role]) -> Result<Vec<Staff>, StoreError> {
        let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
        let rows = staff::Entity::find()
            .filter(staff::Column::Role.is_in(names))
            .filter(staff::Column::Active.eq(true))
            .order_by_asc(staff::Column::Email)
            .all(&self.reader)
            .await
            .map_err(db)?;
        rows.into_iter().map(staff_from_row).collect()
    }

    async fn loads(&self) -> Result<Vec<AgentLoad>, StoreError> {
        let members = self.with_roles(&[Role::Agent, Role::Manager]).await?;
        // One grouped count for the whole team instead of a query per member.
        let counts: std::collections::HashMap<uuid::Uuid, i64> = tickets::Entity::find()
            .filter(tickets::Column::Status.is_in(crate::repository::active_statuses()))
            .filter(tickets::Column::Assignee.is_not_null())
            .select_only()
            .column(tickets::Column::Assignee)
            .column_as(tickets::Column::Id.count(), "open")
            .group_by(tickets::Column::Assignee)
            .into_tuple::<(uuid::Uuid, i64)>()
            .all(&self.reader)
            .await
            .map_err(db)?
            .into_iter()
            .collect();
        let loads = members
            .into_iter()
            .map(|staff| {
                let open = counts.get(&staff.id.as_uuid()).copied().unwrap_or(0);
                AgentLoad {
                    staff,
                    open_tickets: u32::try_from(open).unwrap_or(u32::MAX),
                }
            })
            .collect();
        Ok(loads)
    }
}

#[async_trait]
impl AutoReplyLog for Database {
    async fn last_auto_reply_to(
        &self,
        to: &EmailAddress,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        let row = auto_replies::Entity::find_by_id(to.normalized())
            .one(&self.reader)
            .await
            .map_err(db)?;
        Ok(row.map(|r| r.last_at))
    }

    async fn auto_replies_to_domain_since(
        &self,
        domain: &str,
        since: DateTime<Utc>,
    ) -> Result<u32, StoreError> {
        let n = auto_replies::Entity::find()
            .filter(auto_replies::Column::Domain.eq(domain.to_lowercase()))
            .filter(auto_replies::Column::LastAt.gte(since))
            .count(&self.reader)
            .await
            .map_err(db)?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }
}
