//! Benchmarks of the domain's hot rules: keyword classification throughput over realistic
//! support mail, SLA deadline computation on a business-hours calendar, and the grounded
//! drafts' retrieval (indexing a help centre's sections, ranking them for a ticket, checking a
//! draft's citations and promises).

// `criterion_group!` generates an undocumented function.
#![allow(missing_docs)]

use std::hint::black_box;

use chrono::{DateTime, TimeDelta, Utc};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use frontdesk_domain::classify::Classifier;
use frontdesk_domain::sla::{BusinessCalendar, Calendar, SlaPolicies};
use frontdesk_domain::ticket::{Category, Priority};

/// Sentences of the kind customers write, some with keywords and most without.
const SENTENCES: &[&str] = &[
    "Hi there, I hope you are doing well today.",
    "I placed an order last week and it still has not arrived.",
    "The tracking number you sent me does not show any updates since Monday.",
    "Could you please tell me when the delivery is expected?",
    "I was charged twice for the same purchase, can I get a refund?",
    "The invoice lists a price that is different from the one on your website.",
    "My login is not working since the last update and I cannot access my account.",
    "I tried to reset my password but the email never came through.",
    "The jacket I received is the wrong size and the color looks faded.",
    "Is there a way to change the shipping address before it leaves the warehouse?",
    "Thanks a lot for your help, the team has always been very friendly.",
    "This is really important for us because we have an event on Saturday.",
    "I am just curious whether you plan to restock the blue version soon.",
    "We keep getting an error message when we upload the photos to the gallery.",
    "Our whole office network seems to be down and nothing loads anymore.",
    "Please call me back as soon as possible, my number is in the signature.",
    "I have a quick question about the warranty on the coffee machine.",
    "The product description says it is waterproof but it clearly is not.",
    "On Tue, 4 Mar 2025 at 10:12, Support <support@example.com> wrote:",
    "> Thank you for contacting us, a member of our team will reply shortly.",
    "Kind regards, Maria Fernández — Café Über, Straße 12, München",
    "Sent from my phone 📱",
];

/// Deterministic pseudo-random mail body of at least `min_len` bytes.
fn mail_body(min_len: usize) -> String {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut text = String::with_capacity(min_len + 200);
    while text.len() < min_len {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let at = usize::try_from(state >> 33).unwrap_or(0) % SENTENCES.len();
        text.push_str(SENTENCES[at]);
        text.push(if state.is_multiple_of(4) { '\n' } else { ' ' });
    }
    text
}

fn classify(c: &mut Criterion) {
    let classifier = Classifier::default();
    let subject = "Order not arrived and refund question";
    let mut group = c.benchmark_group("classify");
    for (name, size) in [("2KB", 2 * 1024), ("64KB", 64 * 1024)] {
        let body = mail_body(size);
        let bytes = u64::try_from(subject.len() + body.len()).unwrap_or(u64::MAX);
        group.throughput(Throughput::Bytes(bytes));
        group.bench_with_input(BenchmarkId::from_parameter(name), &body, |b, body| {
            b.iter(|| classifier.classify(black_box(subject), black_box(body)));
        });
    }
    group.finish();
}

/// Instants spread over a year, at odd minutes, so deadlines land on every kind of day.
fn starts() -> Vec<DateTime<Utc>> {
    let first = DateTime::from_timestamp(1_767_225_600, 0).unwrap_or_default(); // 2026-01-01
    (0..64)
        .map(|i| first + TimeDelta::minutes(i * 8_219))
        .collect()
}

fn sla(c: &mut Criterion) {
    let Ok(office) = BusinessCalendar::office_hours("Europe/Berlin") else {
        return;
    };
    let calendar = Calendar::Business(Box::new(office));
    let starts = starts();
    let mut group = c.benchmark_group("sla_deadline");
    for hours in [1, 8, 48, 120] {
        let target = TimeDelta::hours(hours);
        group.bench_with_input(
            BenchmarkId::new("business_hours", format!("{hours}h")),
            &target,
            |b, t| {
                let mut i = 0;
                b.iter(|| {
                    i = (i + 1) % starts.len();
                    calendar.add(black_box(starts[i]), black_box(*t))
                });
            },
        );
    }
    group.bench_function("always_48h", |b| {
        b.iter(|| Calendar::Always.add(black_box(starts[3]), black_box(TimeDelta::hours(48))));
    });
    let policies = SlaPolicies::default().with_calendar(calendar.clone());
    group.bench_function("ticket_clocks_business_hours", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % starts.len();
            policies.start(
                black_box(Priority::Medium),
                black_box(Category::Order),
                black_box(starts[i]),
            )
        });
    });
    group.finish();
}

/// A help centre of `n` articles, each with three headed sections of support prose.
fn help_centre(n: usize) -> Vec<frontdesk_domain::kb::Article> {
    use frontdesk_domain::kb::Article;
    let at = DateTime::<Utc>::UNIX_EPOCH;
    (0..n)
        .map(|i| {
            Article::published(
                uuid::Uuid::from_u128(i as u128 + 1),
                &format!("article-{i}"),
                &format!("{} {i}", SENTENCES[i % SENTENCES.len()]),
                &format!(
                    "{}\n\n## Refunds {i}\n\n{}\n\n## Delivery {i}\n\n{}",
                    mail_body(300 + i % 200),
                    mail_body(250),
                    mail_body(250)
                ),
                at,
            )
        })
        .collect()
}

fn grounding(c: &mut Criterion) {
    use frontdesk_domain::grounding::{RetrievalLimits, SectionIndex, ground, retrieve};
    let mut group = c.benchmark_group("grounding");
    let articles = help_centre(1_000);
    group.bench_function("index_1000_articles", |b| {
        b.iter(|| SectionIndex::build(black_box(&articles)));
    });
    let index = SectionIndex::build(&articles);
    let ticket = format!("Refund for my order\n{}", mail_body(2 * 1024));
    group.bench_function("retrieve_2KB_ticket_1000_articles", |b| {
        b.iter(|| retrieve(&index, &[], black_box(&ticket), RetrievalLimits::default()));
    });
    let sources = retrieve(&index, &[], &ticket, RetrievalLimits::default());
    let draft = "Hello, we will refund you within 5 business days [1]. See [2] and [9]. \
                 Your parcel will arrive on Friday. Kind regards"
        .repeat(4);
    group.bench_function("ground_draft", |b| {
        b.iter(|| ground(black_box(&draft), &sources, None));
    });
    group.finish();
}

criterion_group!(benches, classify, sla, grounding);
criterion_main!(benches);
