//! HTML bodies: sanitised for display, and made readable as text for HTML-only mail.
//!
//! Sanitising is ammonia's: the mail's HTML is parsed by html5ever exactly as a browser parses
//! it (as the content of a `<div>`), the tree is pruned to an allowlist of elements, attributes
//! and URL schemes, and the result is serialised from the tree, so every text node comes out
//! escaped. Nothing of the input is copied through as markup: text around a removed tag
//! (`<<x>script>…`) can only ever be text. A streaming rewriter that deleted unwanted tags and
//! re-emitted the rest (lol-html, used before) let exactly that text become live tags.
//!
//! The policy: the elements of [`KEEP`] with a few attributes each; the elements of
//! [`DROP_WITH_CONTENT`] removed with everything inside them; any other element unwrapped (its
//! tags go, its content stays); links only to `http(s)`, `mailto` and `tel`, opened with
//! `rel="noopener noreferrer nofollow"`; images only inline (`cid:` parts, raster `data:`
//! images), so opening a ticket never tells a sender it was read; no `style` (CSS can load
//! remote content), no comments, no doctype, no relative URL. When this policy changes, raise
//! [`SANITIZER_VERSION`] so stored HTML is sanitised again.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use ammonia::{Builder, UrlRelative};

/// The version of the sanitising policy below. HTML stored by an older one is rewritten with
/// [`sanitize_html`] when the wiring starts (the storage adapter's `resanitize_html`).
/// 1: the lol-html rewriter; 2: ammonia, `data:` images raster only.
pub const SANITIZER_VERSION: u32 = 2;

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
/// its content stays. No element of sanitised HTML is outside this list.
pub const KEEP: &[&str] = &[
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

/// Attributes kept on every element of [`KEEP`].
const GENERIC_ATTRIBUTES: &[&str] = &["title", "lang", "dir"];

/// Attributes kept per element, besides [`GENERIC_ATTRIBUTES`]; `href` and `src` then pass
/// [`url_allowed`].
const TAG_ATTRIBUTES: &[(&str, &[&str])] = &[
    ("a", &["href"]),
    ("img", &["src", "alt", "width", "height"]),
    ("td", &["colspan", "rowspan", "align", "valign", "width"]),
    ("th", &["colspan", "rowspan", "align", "valign", "width"]),
    (
        "table",
        &["border", "cellpadding", "cellspacing", "width", "align"],
    ),
    ("col", &["span", "width"]),
    ("colgroup", &["span", "width"]),
    ("ol", &["start", "type"]),
    ("li", &["value"]),
    ("p", &["align"]),
    ("div", &["align"]),
    ("h1", &["align"]),
    ("h2", &["align"]),
    ("h3", &["align"]),
    ("h4", &["align"]),
    ("h5", &["align"]),
    ("h6", &["align"]),
];

/// Link schemes a sanitised `href` may use. Anything else, relative links included, is dropped.
const LINK_SCHEMES: &[&str] = &["http", "https", "mailto", "tel"];

/// Inline images a sanitised `src` may hold: raster formats only, since an SVG image is a
/// document that can carry script.
const INLINE_IMAGES: &[&str] = &[
    "data:image/png",
    "data:image/jpeg",
    "data:image/gif",
    "data:image/webp",
];

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

/// An image source that loads nothing from elsewhere: a `cid:` part of the same mail, or a
/// raster `data:` image.
fn inline_image(src: &str) -> bool {
    let src = src.trim_start_matches(|c: char| c.is_ascii_whitespace() || c.is_control());
    let starts = |prefix: &str| {
        src.get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
    };
    starts("cid:")
        || INLINE_IMAGES.iter().any(|image| {
            starts(image) && matches!(src.as_bytes().get(image.len()), Some(b';' | b','))
        })
}

/// The per-URL rule, on top of ammonia's scheme check (which allows the union of both lists).
fn url_allowed(tag: &str, attribute: &str, value: &str) -> bool {
    match (tag, attribute) {
        ("a", "href") => scheme(value).is_some_and(|s| LINK_SCHEMES.contains(&s.as_str())),
        ("img", "src") => inline_image(value),
        _ => true,
    }
}

/// The policy as an ammonia builder. Built once ([`POLICY`]); a function so a test can check
/// it is consistent (ammonia panics on its first use if, say, an element is both kept and
/// dropped with its content).
fn policy() -> Builder<'static> {
    let mut builder = Builder::empty();
    builder
        .tags(KEEP.iter().copied().collect())
        .clean_content_tags(DROP_WITH_CONTENT.iter().copied().collect())
        .generic_attributes(GENERIC_ATTRIBUTES.iter().copied().collect())
        .tag_attributes(
            TAG_ATTRIBUTES
                .iter()
                .map(|(tag, attributes)| (*tag, attributes.iter().copied().collect()))
                .collect::<HashMap<_, HashSet<_>>>(),
        )
        .url_schemes(["http", "https", "mailto", "tel", "cid", "data"].into())
        .url_relative(UrlRelative::Deny)
        .link_rel(Some("noopener noreferrer nofollow"))
        .strip_comments(true)
        .attribute_filter(|tag, attribute, value| {
            url_allowed(tag, attribute, value).then_some(Cow::Borrowed(value))
        });
    builder
}

static POLICY: LazyLock<Builder<'static>> = LazyLock::new(policy);

/// Most passes [`sanitize_html`] makes to reach HTML that sanitising again leaves unchanged.
const MAX_PASSES: usize = 4;

/// HTML safe to show in the dashboard and the portal: the mail's HTML parsed, pruned to the
/// allowlist of the module header and serialised again. Never fails: unparseable input is
/// parsed the way browsers parse it.
///
/// The result is stable: sanitising it again changes nothing, so what a browser parses is the
/// tree that was checked. Some trees the parser builds cannot come back from their own
/// serialisation (an `<a>` inside an `<a>` through a table; an element between them unwrapped);
/// parsing the output again moves them, so the output is sanitised again until it holds still
/// (twice for almost all mail).
#[must_use]
pub fn sanitize_html(html: &str) -> String {
    // The HTML standard turns CR and CR LF into LF before parsing; html5ever lets a lone CR
    // through to the output, where the next parse would turn it into LF.
    let html: Cow<'_, str> = if html.contains('\r') {
        Cow::Owned(html.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        Cow::Borrowed(html)
    };
    let mut clean = POLICY.clean(&html).to_string();
    for _ in 1..MAX_PASSES {
        let again = POLICY.clean(&clean).to_string();
        if again == clean {
            break;
        }
        clean = again;
    }
    clean
}

/// Readable plain text from HTML: block elements become line breaks, list items dashes,
/// entities are decoded, scripts and styles dropped.
#[must_use]
pub fn html_to_text(html: &str) -> String {
    text_of_sanitized(&sanitize_html(html))
}

/// Text of HTML that has already been through [`sanitize_html`]: no script or style text, every
/// `<` in text escaped, every attribute value in double quotes (where a `>` may stand unescaped).
pub(crate) fn text_of_sanitized(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        push_text(&mut out, &rest[..open]);
        let Some(close) = tag_end(&rest[open..]) else {
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

/// The offset of the `>` closing the tag `tag` starts with, skipping quoted attribute values.
fn tag_end(tag: &str) -> Option<usize> {
    let mut quoted = false;
    tag.char_indices().find_map(|(i, c)| {
        match c {
            '"' => quoted = !quoted,
            '>' if !quoted => return Some(i),
            _ => {}
        }
        None
    })
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
