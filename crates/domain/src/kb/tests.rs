use chrono::{TimeZone as _, Utc};
use uuid::Uuid;

use super::*;

fn article(n: u128, title: &str, body: &str) -> Article {
    let at = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
    Article {
        id: Uuid::from_u128(n),
        slug: slugify(title),
        title: title.into(),
        body_markdown: body.into(),
        category_id: None,
        status: ArticleStatus::Published,
        visibility: Visibility::Public,
        author: None,
        views: 0,
        helpful_yes: 0,
        helpful_no: 0,
        created_at: at,
        updated_at: at,
        published_at: Some(at),
    }
}

#[test]
fn slugs_are_readable_and_unique() {
    assert_eq!(
        slugify("How do I return an order?"),
        "how-do-i-return-an-order"
    );
    assert_eq!(slugify("  Rückgabe & Umtausch  "), "ruckgabe-umtausch");
    assert_eq!(slugify("!!!"), "article");
    assert_eq!(slugify("注文の返品"), "注文の返品");
    let taken = ["returns", "returns-2"];
    assert_eq!(unique_slug("returns", |s| taken.contains(&s)), "returns-3");
    assert_eq!(unique_slug("refunds", |s| taken.contains(&s)), "refunds");
}

#[test]
fn the_public_reads_published_public_articles_only() {
    let mut a = article(1, "Returns", "x");
    assert!(a.readable_by(Reader::Public));
    a.visibility = Visibility::Internal;
    assert!(!a.readable_by(Reader::Public) && a.readable_by(Reader::Staff));
    a.visibility = Visibility::Public;
    a.status = ArticleStatus::Draft;
    assert!(!a.readable_by(Reader::Public) && a.readable_by(Reader::Staff));
}

#[test]
fn titles_and_bodies_are_checked() {
    assert_eq!(check_article("Returns", "body"), Ok(()));
    assert_eq!(check_article("  ", "body"), Err(KbError::Title));
    assert_eq!(check_article("a\u{0}b", "body"), Err(KbError::Title));
    assert_eq!(
        check_article("ok", &"x".repeat(MAX_BODY_BYTES + 1)),
        Err(KbError::Body)
    );
    assert_eq!(check_category(""), Err(KbError::Name));
}

#[test]
fn helpful_share_rounds_to_whole_percent() {
    let mut a = article(1, "t", "b");
    assert_eq!(a.helpful_percent(), None);
    a.helpful_yes = 2;
    a.helpful_no = 1;
    assert_eq!(a.helpful_percent(), Some(67));
}

#[test]
fn search_needs_every_word_weighs_titles_and_completes_the_last_word() {
    let mut internal = article(4, "Refund approvals", "refund over 500 needs a manager");
    internal.visibility = Visibility::Internal;
    let articles = [
        article(
            1,
            "How to return an order",
            "Print the label and ship the parcel back.",
        ),
        article(
            2,
            "Shipping times",
            "Orders ship in two days. Return shipping is free.",
        ),
        article(
            3,
            "Refunds",
            "Refunds reach your card within 5 days of the return.",
        ),
        internal,
    ];
    let index = SearchIndex::build(&articles);
    let ids = |q: &str, r| -> Vec<u128> {
        index
            .search(q, r, 10)
            .iter()
            .map(|h| h.id.as_u128())
            .collect()
    };
    // "return" in a title outweighs it in a body.
    assert_eq!(ids("return", Reader::Public)[0], 1);
    // Every word must match: only article 2 says shipping and free.
    assert_eq!(ids("shipping free", Reader::Public), vec![2]);
    // The last word completes while typing; accents and case do not matter.
    assert_eq!(ids("REFÜ", Reader::Public), vec![3]);
    // Internal articles are for staff.
    assert!(!ids("refund", Reader::Public).contains(&4));
    assert!(ids("refund", Reader::Staff).contains(&4));
    assert!(ids("", Reader::Public).is_empty());
    assert!(ids("nothing matches this", Reader::Public).is_empty());
}

#[test]
fn related_articles_share_any_rare_word() {
    let articles = [
        article(
            1,
            "How to return an order",
            "Print the label and ship the parcel back.",
        ),
        article(2, "Shipping times", "Orders ship in two days."),
        article(3, "Refunds", "Refunds reach your card within 5 days."),
        article(4, "Passwords", "Reset your password from the sign-in page."),
    ];
    let index = SearchIndex::build(&articles);
    let ids = |q: &str, typing| -> Vec<u128> {
        index
            .related(q, Reader::Public, typing, 3)
            .iter()
            .map(|h| h.id.as_u128())
            .collect()
    };
    // A ticket's words: any of them counts.
    assert_eq!(
        ids("Where is my refund? I want to return the parcel", false)[0],
        1
    );
    assert!(ids("Where is my refund? I want to return the parcel", false).contains(&3));
    // While typing, the last word completes.
    assert_eq!(ids("I forgot my passw", true), vec![4]);
    assert!(ids("I forgot my passw", false).is_empty());
    assert!(ids("", true).is_empty());
}

#[test]
fn a_suggestion_deflects_when_no_request_follows_within_the_hour() {
    let at = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
    let minutes = |m| at + chrono::TimeDelta::minutes(m);
    assert_eq!(
        suggestion_outcome(at, Some(minutes(20)), minutes(30)),
        SuggestionOutcome::Requested
    );
    assert_eq!(
        suggestion_outcome(at, None, minutes(30)),
        SuggestionOutcome::Pending
    );
    assert_eq!(
        suggestion_outcome(at, None, minutes(61)),
        SuggestionOutcome::Deflected
    );
    assert_eq!(
        suggestion_outcome(at, Some(minutes(90)), minutes(120)),
        SuggestionOutcome::Deflected
    );
}
