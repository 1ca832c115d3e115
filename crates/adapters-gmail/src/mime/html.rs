//! HTML bodies: sanitised for display, and made readable as text for HTML-only mail.

use std::collections::HashSet;

/// HTML safe to show in the dashboard: no scripts, event handlers, `javascript:` or other
/// unsafe URLs, no styles (CSS can load remote content), and no remote images — only inline
/// `cid:` images and `data:` images, so opening a ticket never tells a sender it was read.
#[must_use]
pub fn sanitize_html(html: &str) -> String {
    ammonia::Builder::default()
        .url_schemes(HashSet::from([
            "http", "https", "mailto", "tel", "cid", "data",
        ]))
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            ("img", "src") if value.starts_with("cid:") || value.starts_with("data:image/") => {
                Some(value.into())
            }
            ("img", "src" | "srcset") => None,
            (_, "href") if value.trim_start().to_ascii_lowercase().starts_with("data:") => None,
            _ => Some(value.into()),
        })
        .link_rel(Some("noopener noreferrer nofollow"))
        .clean(html)
        .to_string()
}

/// Readable plain text from HTML: paragraphs, lists and links kept, markup dropped.
#[must_use]
pub fn html_to_text(html: &str) -> String {
    html2text::config::plain_no_decorate()
        .string_from_read(html.as_bytes(), 100)
        .unwrap_or_else(|_| strip_tags(html))
}

/// A crude fallback: text between tags.
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_handlers_and_javascript_urls_are_removed() {
        let dirty = r#"<p onclick="steal()">Hi<script>alert(1)</script></p><a href="javascript:alert(1)">x</a><iframe src="https://evil"></iframe>"#;
        let clean = sanitize_html(dirty);
        assert!(
            !clean.contains("script")
                && !clean.contains("onclick")
                && !clean.contains("javascript")
                && !clean.contains("iframe"),
            "{clean}"
        );
        assert!(clean.contains("Hi"));
    }

    #[test]
    fn remote_images_and_styles_do_not_load_but_inline_images_stay() {
        let html = r#"<img src="https://tracker.example/p.gif"><img src="cid:logo@x"><div style="background:url(https://t.example/x)">t</div>"#;
        let clean = sanitize_html(html);
        assert!(
            !clean.contains("tracker.example") && !clean.contains("t.example"),
            "{clean}"
        );
        assert!(clean.contains("cid:logo@x"), "{clean}");
    }

    #[test]
    fn links_open_safely() {
        let clean = sanitize_html(r#"<a href="https://shop.example/order/1">order</a>"#);
        assert!(
            clean.contains("https://shop.example/order/1") && clean.contains("noopener"),
            "{clean}"
        );
    }

    #[test]
    fn html_becomes_readable_text() {
        let text = html_to_text(
            "<h1>Order</h1><p>My <b>parcel</b> is late.</p><ul><li>one</li><li>two</li></ul>",
        );
        assert!(
            text.contains("Order") && text.contains("My parcel is late.") && text.contains("one"),
            "{text}"
        );
        assert!(!text.contains('<'));
    }
}
