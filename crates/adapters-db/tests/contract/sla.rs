//! SLA policies kept through the API: one per priority × category, enforced by storage.

use frontdesk_adapters_db::{Database, SavePolicyError, SlaPolicyRecord};
use frontdesk_domain::ticket::{Category, Priority};

use crate::backends::now;
use crate::contract;

fn policy(priority: Priority, category: Option<Category>) -> SlaPolicyRecord {
    SlaPolicyRecord {
        id: uuid::Uuid::now_v7(),
        priority,
        category,
        first_response_minutes: 30,
        resolution_minutes: 480,
        created_at: now(),
        updated_at: now(),
    }
}

contract!(
    a_second_policy_for_a_pair_is_refused_by_storage,
    |db: Database| async move {
        for category in [None, Some(Category::Billing)] {
            db.save_sla_policy(&policy(Priority::High, category))
                .await
                .unwrap();
            // "Every category" (no category) counts as one value too: two creators racing
            // past a read-then-write check cannot both store one.
            let again = db.save_sla_policy(&policy(Priority::High, category)).await;
            assert!(matches!(again, Err(SavePolicyError::Exists)), "{again:?}");
        }
        db.save_sla_policy(&policy(Priority::Low, None))
            .await
            .unwrap();
        assert_eq!(db.sla_policies().await.unwrap().len(), 3);
        // Saving the same record again (a change) is no conflict.
        let mut first = db.sla_policies().await.unwrap()[0].clone();
        first.first_response_minutes = 45;
        db.save_sla_policy(&first).await.unwrap();
    }
);
