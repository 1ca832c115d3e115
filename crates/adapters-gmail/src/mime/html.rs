//! HTML bodies: sanitised for display, and made readable as text for HTML-only mail.
//!
//! Sanitising is an allowlist applied by lol-html, a streaming HTML rewriter that follows the
//! HTML tokenizer rules without building a DOM: several times faster than DOM-based cleaners,
//! which matters when every incoming mail passes through here.

use std::borrow::Cow;

use lol_html::html_content::Element;
use lol_html::{RewriteStrSettings, doc_comments, doctype, element, rewrite_str};

/// Elements removed together with everything inside them.
const DROP_WITH_CONTENT: &[&str] = &[
    "script",
    "style",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "noscript",
    "noembed",
    "noframes",
    "template",
    "head",
    "title",
    "meta",
    "link",
    "base",
    "svg",
    "math",
    "form",
    "input",
    "button",
    "select",
    "textarea",
    "option",
    "plaintext",
    "xmp",
    "canvas",
    "audio",
    "video",
    "source",
    "track",
    "param",
    "portal",
];

/// Elements kept (with their allowed attributes); any other element is unwrapped: its tags go,
/// its content stays.
const KEEP: &[&str] = &[
    "a",
    "abbr",
    "address",
    "article",
    "aside",
    "b",
    "bdi",
    "bdo",
    "big",
    "blockquote",
    "br",
    "caption",
    "center",
    "cite",
    "code",
    "col",
    "colgroup",
    "dd",
    "del",
    "details",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "font",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "main",
    "mark",
    "nav",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "samp",
    "section",
    "small",
    "span",
    "strike",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "tt",
    "u",
    "ul",
    "var",
    "wbr",
];

/// Link schemes a sanitised `href` may use. Anything else, relative links included, is dropped.
const LINK_SCHEMES: &[&str] = &["http", "https", "mailto", "tel"];

/// The scheme of a URL as a browser would read it: ASCII whitespace and control characters
/// inside the URL are ignored by browsers, so they are ignored here too (`java\tscript:`).
fn scheme(url: &str) -> Option<String> {
    let compact: String = url
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_control())
        .collect();
    let end = compact.find(':')?;
    let scheme = &compact[..end];
    let valid = !scheme.is_empty()
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then(|| scheme.to_ascii_lowercase())
}

fn attribute_allowed(tag: &str, name: &str, value: &str) -> bool {
    match (tag, name) {
        (_, "title" | "lang" | "dir") => true,
        ("a", "href") => scheme(value).is_some_and(|s| LINK_SCHEMES.contains(&s.as_str())),
        ("img", "src") => {
            let v = value.trim_start().to_ascii_lowercase();
            v.starts_with("cid:") || v.starts_with("data:image/")
        }
        ("img", "alt" | "width" | "height") => true,
        ("td" | "th", "colspan" | "rowspan" | "align" | "valign" | "width") => true,
        ("table", "border" | "cellpadding" | "cellspacing" | "width" | "align") => true,
        ("col" | "colgroup", "span" | "width") => true,
        ("ol", "start" | "type") | ("li", "value") => true,
        ("p" | "div" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6", "align") => true,
        _ => false,
    }
}

fn clean_element(el: &mut Element<'_, '_>) {
    let tag = el.tag_name();
    if DROP_WITH_CONTENT.contains(&tag.as_str()) {
        el.remove();
        return;
    }
    if !KEEP.contains(&tag.as_str()) {
        el.remove_and_keep_content();
        return;
    }
    let unwanted: Vec<String> = el
        .attributes()
        .iter()
        .filter(|a| !attribute_allowed(&tag, &a.name(), &a.value()))
        .map(lol_html::html_content::Attribute::name)
        .collect();
    for name in unwanted {
        el.remove_attribute(&name);
    }
    if tag == "a" {
        // Only fails for an invalid attribute name, which this one is not.
        let _ = el.set_attribute("rel", "noopener noreferrer nofollow");
    }
}

/// HTML safe to show in the dashboard: an allowlist of elements and attributes, so no scripts,
/// event handlers, styles (CSS can load remote content), forms or frames; links only to
/// `http(s)`, `mailto` and `tel`; images only inline (`cid:`, `data:image/`), so opening a
/// ticket never tells a sender it was read. Comments and doctypes go too.
#[must_use]
pub fn sanitize_html(html: &str) -> String {
    let settings = RewriteStrSettings::new()
        .append_element_content_handler(element!("*", |el| {
            clean_element(el);
            Ok(())
        }))
        .append_document_content_handler(doc_comments!(|c| {
            c.remove();
            Ok(())
        }))
        .append_document_content_handler(doctype!(|d| {
            d.remove();
            Ok(())
        }));
    // The rewriter only fails on memory limits we do not set; if it ever does, nothing of the
    // HTML is shown rather than something unsafe.
    rewrite_str(html, settings).unwrap_or_default()
}

/// Readable plain text from HTML: block elements become line breaks, list items dashes,
/// entities are decoded, scripts and styles dropped.
#[must_use]
pub fn html_to_text(html: &str) -> String {
    text_of_sanitized(&sanitize_html(html))
}

/// Text of HTML that has already been through [`sanitize_html`] (so no script or style text).
pub(crate) fn text_of_sanitized(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        push_text(&mut out, &rest[..open]);
        let Some(close) = rest[open..].find('>') else {
            push_text(&mut out, &rest[open..]);
            rest = "";
            break;
        };
        let tag = &rest[open + 1..open + close];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        match name.as_str() {
            "br" | "p" | "div" | "tr" | "table" | "blockquote" | "pre" | "ul" | "ol" | "hr"
            | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "section" | "article" | "header"
            | "footer" | "address" | "dl" | "dt" | "dd" => {
                out.push('\n');
            }
            "li" if !closing => out.push_str("\n- "),
            "td" | "th" if closing => out.push(' '),
            _ => {}
        }
        rest = &rest[open + close + 1..];
    }
    push_text(&mut out, rest);
    tidy(&out)
}

/// Appends a text node: entities decoded, whitespace runs collapsed as a browser would.
fn push_text(out: &mut String, raw: &str) {
    if raw.is_empty() {
        return;
    }
    let decoded: Cow<'_, str> = html_escape::decode_html_entities(raw);
    let mut last_space = out.ends_with([' ', '\n']);
    for c in decoded.chars() {
        if c.is_whitespace() {
            if !last_space {
                out.push(' ');
                last_space = true;
            }
        } else {
            out.push(c);
            last_space = false;
        }
    }
}

/// Trims every line and keeps at most one empty line in a row.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = 0;
    for line in text.lines().map(str::trim) {
        if line.is_empty() {
            blank += 1;
            if blank > 1 || out.is_empty() {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    out.trim_end().to_owned()
}

#[cfg(test)]
#[path = "html_tests.rs"]
mod tests;
