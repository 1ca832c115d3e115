use chrono::TimeZone;

use super::*;

fn order(name: &str, email: &str) -> Order {
    Order {
        id: "gid://shopify/Order/1".into(),
        name: name.into(),
        email: Some(EmailAddress::parse(email).unwrap()),
        created_at: Utc.with_ymd_and_hms(2026, 11, 20, 10, 0, 0).unwrap(),
        cancelled_at: None,
        closed_at: None,
        fulfilment: "fulfilled".into(),
        items: vec![OrderItem {
            title: "Kettle".into(),
            quantity: 2,
            sku: Some("K-1".into()),
        }],
        shipments: vec![Shipment {
            status: "in transit".into(),
            carrier: Some("DHL".into()),
            tracking_number: Some("00340434".into()),
            tracking_url: Some("https://dhl.example/00340434".into()),
            estimated_delivery: Some(Utc.with_ymd_and_hms(2026, 12, 4, 12, 0, 0).unwrap()),
        }],
        admin_url: None,
    }
}

#[test]
fn order_numbers_are_found_after_their_cues() {
    assert_eq!(
        order_numbers(&[
            "Where is order #1001? Also order no. 1002, and Order number: A-1003.",
            "Bestellung 55512 kam nicht an; my phone is 0151 and I paid 200 euros",
            "#1001 again, and #12 is too short, #abc has no digits",
        ]),
        ["1001", "1002", "A-1003", "55512"]
    );
    assert!(order_numbers(&["I ordered a kettle in 2025"]).is_empty());
}

#[test]
fn the_facts_say_status_items_and_tracking_and_nothing_of_payment() {
    let facts = order("#1001", "ann@x.com").facts();
    assert_eq!(
        facts,
        "Order #1001 placed 2026-11-20: open, fulfilled. Items: 2 × Kettle. Shipment in transit \
         with DHL, tracking number 00340434, estimated delivery Friday 4 December 2026."
    );
}

#[tokio::test]
async fn a_number_finds_the_order_and_only_the_customers_own_reaches_the_assistant() {
    let ann = EmailAddress::parse("Ann@X.com").unwrap();
    let mut shop = MockOrderLookup::new();
    shop.expect_by_number()
        .withf(|n| n == "1001")
        .returning(|_| Ok(Some(order("#1001", "ann@x.com"))));
    let ctx = order_context(&shop, &ann, &["Where is order #1001?"], &[])
        .await
        .unwrap();
    assert!(ctx.belongs_to_customer);
    assert!(ctx.for_assistant().unwrap().contains("00340434"));

    let mallory = EmailAddress::parse("mallory@evil.test").unwrap();
    let ctx = order_context(&shop, &mallory, &["Where is order #1001?"], &[])
        .await
        .unwrap();
    assert!(ctx.order.is_some(), "staff see it, with a warning");
    assert!(!ctx.belongs_to_customer);
    assert_eq!(ctx.for_assistant(), None);
}

#[tokio::test]
async fn a_forms_order_number_comes_first_and_without_one_the_newest_order_is_asked_for() {
    let ann = EmailAddress::parse("ann@x.com").unwrap();
    let mut shop = MockOrderLookup::new();
    shop.expect_by_number()
        .withf(|n| n == "2002")
        .returning(|_| Ok(None));
    let ctx = order_context(&shop, &ann, &["order 3003"], &["order:2002".into()])
        .await
        .unwrap();
    assert_eq!(ctx.numbers, ["2002", "3003"]);
    assert_eq!(ctx.order, None);

    let mut shop = MockOrderLookup::new();
    shop.expect_recent_for()
        .returning(|_, _| Ok(vec![order("#1009", "ann@x.com")]));
    let ctx = order_context(&shop, &ann, &["My parcel has not arrived"], &[])
        .await
        .unwrap();
    assert_eq!(ctx.order.map(|o| o.name).as_deref(), Some("#1009"));
    let ctx = order_context(&NoOrders, &ann, &["Password reset"], &[])
        .await
        .unwrap();
    assert_eq!(ctx, OrderContext::default());
}
