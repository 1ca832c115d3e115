//! Sanitising and text conversion, including the classic XSS vectors.

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
fn obfuscated_vectors_stay_inert() {
    let vectors = [
        r#"<a href="java&#x09;script:alert(1)">a</a>"#,
        "<a href=\"java\tscript:alert(1)\">a</a>",
        r#"<a href="  JAVASCRIPT:alert(1)">a</a>"#,
        r#"<a href="data:text/html;base64,PHNjcmlwdD4=">a</a>"#,
        r#"<a href="vbscript:msgbox(1)">a</a>"#,
        r#"<img src=x onerror=alert(1)>"#,
        r#"<svg><script>alert(1)</script></svg>"#,
        r#"<math><mtext><script>alert(1)</script></mtext></math>"#,
        r#"<div style="background:url(javascript:alert(1))">x</div>"#,
        r#"<body onload=alert(1)>x</body>"#,
        r#"<scr<script>ipt>alert(1)</script>"#,
        r#"<!--<script>alert(1)</script>-->"#,
        r#"<textarea></textarea><script>alert(1)</script></textarea>"#,
        r#"<form action="https://evil"><input name=p></form>"#,
        r#"<meta http-equiv="refresh" content="0;url=https://evil">"#,
        r#"<base href="https://evil/">"#,
        r#"<object data="x.swf"></object><embed src="x.swf">"#,
    ];
    for v in vectors {
        let clean = sanitize_html(v).to_ascii_lowercase();
        for bad in [
            "<script",
            "javascript:",
            "onerror",
            "onload",
            "vbscript",
            "data:text",
            "<form",
            "<meta",
            "<base",
            "<object",
            "<embed",
            "<svg",
            "style=",
        ] {
            assert!(!clean.contains(bad), "{v} → {clean}");
        }
    }
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
    let clean =
        sanitize_html(r#"<a href="https://shop.example/order/1" target="_blank">order</a>"#);
    assert!(
        clean.contains("https://shop.example/order/1") && clean.contains("noopener"),
        "{clean}"
    );
    assert!(!clean.contains("target"), "{clean}");
}

#[test]
fn unknown_wrappers_are_unwrapped_and_their_text_kept() {
    let clean =
        sanitize_html("<html><body><o:p>Hello</o:p><custom-tag>there</custom-tag></body></html>");
    assert_eq!(clean, "Hellothere");
}

#[test]
fn html_becomes_readable_text() {
    let text = html_to_text(
        "<h1>Order</h1><p>My <b>parcel</b>\n   is&nbsp;late &amp; lost.</p><ul><li>one</li><li>two</li></ul>\
         <style>p{}</style><script>var x;</script><table><tr><td>a</td><td>b</td></tr></table>",
    );
    assert_eq!(
        text,
        "Order\n\nMy parcel is late & lost.\n\n- one\n- two\n\na b"
    );
}

#[test]
fn broken_html_never_panics() {
    for s in [
        "<",
        "<<<>>>",
        "<a href='",
        "</p></p></div>",
        "&#xffffffff;",
        "<img src=\"cid:",
        "<!--",
        "\0<b>\0</b>",
    ] {
        let _ = sanitize_html(s);
        let _ = html_to_text(s);
    }
}

/// Every element of `html` parsed as a browser would, with its attributes.
fn elements(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let fragment = scraper::Html::parse_fragment(html);
    fragment
        .root_element()
        .descendants()
        .filter_map(scraper::ElementRef::wrap)
        .skip(1)
        .map(|e| {
            let attributes = e
                .value()
                .attrs()
                .map(|(n, v)| (n.to_owned(), v.to_owned()))
                .collect();
            (e.value().name().to_owned(), attributes)
        })
        .collect()
}

#[test]
fn the_policy_builds_and_keeps_and_drops_disjoint_elements() {
    let overlap: Vec<_> = KEEP
        .iter()
        .filter(|t| DROP_WITH_CONTENT.contains(t))
        .collect();
    assert!(overlap.is_empty(), "kept and dropped: {overlap:?}");
    for (tag, _) in TAG_ATTRIBUTES {
        assert!(
            KEEP.contains(tag),
            "attributes for an element not kept: {tag}"
        );
    }
    // ammonia checks its configuration on first use and panics if it is inconsistent.
    assert_eq!(policy().clean("<p>x</p>").to_string(), "<p>x</p>");
    assert_eq!(sanitize_html("<p>x</p>"), "<p>x</p>");
}

#[test]
fn text_around_removed_tags_never_becomes_markup() {
    let vectors = [
        (
            "<<x>script>alert(1)<</x>/script>",
            "&lt;script&gt;alert(1)&lt;/script&gt;",
            "<script>alert(1)</script>",
        ),
        (
            "<<!---->script>alert(1)<<!---->/script>",
            "&lt;script&gt;alert(1)&lt;/script&gt;",
            "<script>alert(1)</script>",
        ),
        (
            "<<y>img src=x onerror=alert(1)>",
            "&lt;img src=x onerror=alert(1)&gt;",
            "<img src=x onerror=alert(1)>",
        ),
    ];
    for (dirty, escaped, text) in vectors {
        let clean = sanitize_html(dirty);
        let lower = clean.to_ascii_lowercase();
        assert!(
            !lower.contains("<script") && !lower.contains("<img"),
            "{dirty} → {clean}"
        );
        assert_eq!(clean, escaped, "the text stays, escaped");
        for (name, attributes) in elements(&clean) {
            assert!(KEEP.contains(&name.as_str()), "{dirty} → <{name}>");
            assert!(
                attributes.iter().all(|(a, _)| !a.starts_with("on")),
                "{dirty} → {attributes:?}"
            );
        }
        assert_eq!(html_to_text(dirty), text, "and reads as the text it is");
    }
}

#[test]
fn inline_images_are_raster_only() {
    for kept in [
        "cid:logo@x",
        "data:image/png;base64,iVBORw0KGgo=",
        "DATA:image/JPEG;base64,/9j/",
        "data:image/gif,GIF89a",
        "data:image/webp;base64,UklGR",
    ] {
        let clean = sanitize_html(&format!(r#"<img src="{kept}" alt="a">"#));
        assert!(clean.contains(kept), "{kept} → {clean}");
    }
    for dropped in [
        "data:image/svg+xml;base64,PHN2Zz4=",
        "data:image/png-x;base64,AA==",
        "data:text/html,<script>alert(1)</script>",
        "https://tracker.example/p.gif",
        "//tracker.example/p.gif",
        "p.gif",
        "javascript:alert(1)",
    ] {
        let clean = sanitize_html(&format!(r#"<img src="{dropped}" alt="a">"#));
        assert_eq!(clean, r#"<img alt="a">"#, "{dropped}");
    }
}

#[test]
fn links_keep_only_their_schemes_and_no_relative_or_inline_targets() {
    for dropped in [
        "/relative",
        "page.html",
        "cid:part@x",
        "data:image/png;base64,AA==",
    ] {
        let clean = sanitize_html(&format!(r#"<a href="{dropped}">x</a>"#));
        assert!(!clean.contains("href"), "{dropped} → {clean}");
    }
    let clean = sanitize_html(r#"<a href="mailto:a@b.example" rel="opener">x</a>"#);
    assert_eq!(
        clean,
        r#"<a href="mailto:a@b.example" rel="noopener noreferrer nofollow">x</a>"#
    );
}

#[test]
fn quoted_angle_brackets_in_attributes_stay_out_of_the_text() {
    let text = html_to_text(r#"<p title="a > b">one</p><p>two</p>"#);
    assert_eq!(text, "one\n\ntwo");
}

#[test]
fn sanitising_twice_changes_nothing() {
    for dirty in [
        "<a><table><a>x</a></table></a>",
        "<p><div>x</p></div>",
        "<table><div>x</div><tr><td>y</td></tr></table>",
        "<<x>script>alert(1)<</x>/script>",
        "<b><i>x</b></i>",
    ] {
        let once = sanitize_html(dirty);
        assert_eq!(sanitize_html(&once), once, "{dirty}");
    }
}
