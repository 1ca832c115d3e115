//! The knowledge base as the server keeps it: every article and category in memory with their
//! search index ([`KbSnapshot`]), re-read when this process changes one and at least every
//! [`FRESH_FOR`] (another server may have), and Markdown rendered to sanitised HTML.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use frontdesk_adapters_db::Database;
use frontdesk_domain::kb::{Article, Category, SearchIndex};
use frontdesk_domain::ports::StoreError;
use uuid::Uuid;

/// How long a snapshot serves before it is read again.
pub const FRESH_FOR: Duration = Duration::from_secs(30);

/// Every article and category, and the index over the articles.
#[derive(Debug)]
pub struct KbSnapshot {
    pub articles: Vec<Article>,
    pub categories: Vec<Category>,
    pub index: SearchIndex,
}

impl KbSnapshot {
    /// The article with `id`.
    #[must_use]
    pub fn article(&self, id: Uuid) -> Option<&Article> {
        self.articles.iter().find(|a| a.id == id)
    }
}

/// The snapshot this process serves. A stale one keeps serving while one request reads the
/// next (the others do not wait, and do not all read at once); only without any snapshot (at
/// the start, after this process changed an article) do requests wait, for one read.
#[derive(Debug, Default)]
pub struct KbCache {
    current: RwLock<Option<(Instant, Arc<KbSnapshot>)>>,
    /// One read at a time.
    loading: tokio::sync::Mutex<()>,
    /// A request is reading a fresh snapshot to replace a stale one.
    refreshing: AtomicBool,
}

impl KbCache {
    fn held(&self) -> Option<(Instant, Arc<KbSnapshot>)> {
        self.current.read().ok().and_then(|g| g.clone())
    }

    async fn load(&self, db: &Database) -> Result<Arc<KbSnapshot>, StoreError> {
        let articles = db.kb_articles().await?;
        let categories = db.kb_categories().await?;
        let index = SearchIndex::build(&articles);
        let snapshot = Arc::new(KbSnapshot {
            articles,
            categories,
            index,
        });
        if let Ok(mut guard) = self.current.write() {
            *guard = Some((Instant::now(), snapshot.clone()));
        }
        Ok(snapshot)
    }

    /// The snapshot, read again when stale or changed.
    ///
    /// # Errors
    /// [`StoreError`] when it must be read and cannot be.
    pub async fn get(&self, db: &Database) -> Result<Arc<KbSnapshot>, StoreError> {
        match self.held() {
            Some((at, snapshot)) if at.elapsed() < FRESH_FOR => Ok(snapshot),
            Some((_, stale)) => {
                if self.refreshing.swap(true, Ordering::AcqRel) {
                    return Ok(stale);
                }
                let fresh = self.load(db).await;
                self.refreshing.store(false, Ordering::Release);
                // A failed read keeps the stale snapshot serving; the next request tries again.
                Ok(fresh.unwrap_or(stale))
            }
            None => {
                let _one = self.loading.lock().await;
                if let Some((_, snapshot)) = self.held() {
                    return Ok(snapshot);
                }
                self.load(db).await
            }
        }
    }

    /// Forgets the snapshot: the next read sees this process's change.
    pub fn invalidate(&self) {
        if let Ok(mut guard) = self.current.write() {
            *guard = None;
        }
    }
}

/// Counts a view of article `id` after the answer, not before it: a reader never waits for
/// the write (which queues behind others on SQLite). A count that fails is logged and lost.
pub fn count_view(db: &Database, id: Uuid) {
    let db = db.clone();
    actix_web::rt::spawn(async move {
        if let Err(e) = db.count_kb_view(id).await {
            tracing::warn!(error = %e, article = %id, "an article view was not counted");
        }
    });
}

/// `markdown` as HTML that can be shown anywhere: CommonMark with tables and strikethrough;
/// raw HTML in it is shown as text, not markup (articles are Markdown only, so every image has
/// the alt text Markdown gives it); then sanitised all the same (no script, no event handlers,
/// no `style`, no `javascript:` links; links get `rel="noopener noreferrer nofollow"`).
#[must_use]
pub fn render_markdown(markdown: &str) -> String {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    let mut events: Vec<Event<'_>> = Parser::new_ext(markdown, options)
        .map(|e| match e {
            Event::Html(h) | Event::InlineHtml(h) => Event::Text(h),
            other => other,
        })
        .collect();
    // Each heading gets the anchor a grounded draft's citation links to: `s-` and the slug of
    // its text (the domain's `grounding::Anchors`: a repeated heading gets `-2`), so
    // `/help/{slug}#s-{anchor}` lands on it.
    let mut anchors = frontdesk_domain::grounding::Anchors::default();
    for i in 0..events.len() {
        if let Event::Start(Tag::Heading { .. }) = &events[i] {
            let text: String = events[i + 1..]
                .iter()
                .take_while(|e| !matches!(e, Event::End(TagEnd::Heading(_))))
                .filter_map(|e| match e {
                    Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
                    _ => None,
                })
                .collect();
            if let Event::Start(Tag::Heading { id, .. }) = &mut events[i] {
                *id = Some(format!("s-{}", anchors.next(&text)).into());
            }
        }
    }
    html::push_html(&mut raw, events.into_iter());
    let headings = ["h1", "h2", "h3", "h4", "h5", "h6"];
    let mut builder = ammonia::Builder::default();
    for h in headings {
        builder.add_tag_attributes(h, &["id"]);
    }
    builder
        .link_rel(Some("noopener noreferrer nofollow"))
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .clean(&raw)
        .to_string()
}

/// The first `chars` characters of `markdown` as plain text (markup dropped), for lists and
/// search results.
#[must_use]
pub fn excerpt(markdown: &str, chars: usize) -> String {
    use pulldown_cmark::{Event, Parser};
    let mut text = String::new();
    for event in Parser::new(markdown) {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak | Event::End(_) => text.push(' '),
            _ => {}
        }
        if text.chars().count() > chars {
            break;
        }
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut out = words.join(" ");
    if out.chars().count() > chars {
        out = out.chars().take(chars).collect::<String>();
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_renders_and_nothing_in_it_runs() {
        let html = render_markdown(
            "# Returns\n\nPrint **the label**. [Form](https://x.test/form)\n\n\
             <script>alert(1)</script><img src=x onerror=alert(2)>\n\n\
             [bad](javascript:alert(3)) <a href=\"#\" onclick=\"alert(4)\">x</a>",
        );
        assert!(
            html.contains("<h1 id=\"s-returns\">Returns</h1>")
                && html.contains("<strong>the label</strong>"),
            "{html}"
        );
        assert!(html.contains("rel=\"noopener noreferrer nofollow\""));
        for bad in ["<script", "<img", "href=\"javascript", "<a href=\"#\""] {
            assert!(!html.contains(bad), "{bad} in {html}");
        }
        // Raw HTML is shown as what it is.
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn headings_carry_the_anchors_citations_link_to() {
        let html = render_markdown("Intro\n\n## Use snake_case\n\nText");
        assert!(html.contains("<h2 id=\"s-use-snake-case\">"), "{html}");
        let article = frontdesk_domain::kb::Article::published(
            uuid::Uuid::nil(),
            "code",
            "Code",
            "Intro\n\n## Use snake_case\n\nText",
            chrono::DateTime::UNIX_EPOCH,
        );
        assert_eq!(
            frontdesk_domain::grounding::sections(&article)[1].url(),
            "/help/code#s-use-snake-case"
        );
        let twice = "## Refunds\n\nA\n\n## Refunds\n\nB";
        let html = render_markdown(twice);
        assert!(
            html.contains("<h2 id=\"s-refunds\">") && html.contains("<h2 id=\"s-refunds-2\">"),
            "{html}"
        );
        let article = frontdesk_domain::kb::Article::published(
            uuid::Uuid::nil(),
            "money",
            "Money",
            twice,
            chrono::DateTime::UNIX_EPOCH,
        );
        let urls: Vec<String> = frontdesk_domain::grounding::sections(&article)
            .iter()
            .map(frontdesk_domain::grounding::Section::url)
            .collect();
        assert_eq!(urls, ["/help/money#s-refunds", "/help/money#s-refunds-2"]);
        let html = render_markdown("Intro\n\n## Refunds *and* `credits`\n\nText");
        assert!(html.contains("<h2 id=\"s-refunds-and-credits\">"), "{html}");
        let article = frontdesk_domain::kb::Article::published(
            uuid::Uuid::nil(),
            "money",
            "Money",
            "Intro\n\n## Refunds *and* `credits`\n\nText",
            chrono::DateTime::UNIX_EPOCH,
        );
        let sections = frontdesk_domain::grounding::sections(&article);
        assert_eq!(sections[1].url(), "/help/money#s-refunds-and-credits");
    }

    #[test]
    fn excerpts_are_plain_text() {
        assert_eq!(
            excerpt("# Title\n\nSome *text* here.", 100),
            "Title Some text here."
        );
        assert_eq!(excerpt("abcdefghij", 4), "abcd…");
    }
}
