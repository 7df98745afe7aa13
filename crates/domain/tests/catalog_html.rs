//! The description sanitiser: allowed formatting survives, script in any
//! disguise does not, and the output is stable.

use chuhai_domain::catalog::{sanitize_description_html, SanitizedHtml};
use proptest::prelude::*;

fn clean(input: &str) -> String {
    sanitize_description_html(input).as_str().to_owned()
}

#[test]
fn allowed_formatting_is_kept_without_attributes() {
    assert_eq!(
        clean(
            r#"<P class="x" style="color:red">Warm <STRONG>white</STRONG> <em>light</em><br/>3000 K</p>"#
        ),
        "<p>Warm <strong>white</strong> <em>light</em><br>3000 K</p>"
    );
    assert_eq!(
        clean("<h2>Specs</h2><ul><li>5 W<li>E27</ul><ol><li>one</li></ol><blockquote>quote</blockquote><h3>a</h3><h4>b</h4><b>b</b><i>i</i><u>u</u>"),
        "<h2>Specs</h2><ul><li>5 W</li><li>E27</li></ul><ol><li>one</li></ol><blockquote>quote</blockquote><h3>a</h3><h4>b</h4><b>b</b><i>i</i><u>u</u>"
    );
}

#[test]
fn links_keep_only_safe_hrefs_and_get_rel() {
    assert_eq!(
        clean(
            r#"<a href="https://example.com/manual.pdf" target="_blank" onclick="x()">manual</a>"#
        ),
        r#"<a href="https://example.com/manual.pdf" rel="nofollow noopener">manual</a>"#
    );
    assert_eq!(
        clean("<a href='mailto:sales@example.com'>mail</a>"),
        r#"<a href="mailto:sales@example.com" rel="nofollow noopener">mail</a>"#
    );
    assert_eq!(
        clean(r#"<a href="HTTP://example.com/a b?x=1&amp;y=2">x</a>"#),
        r#"<a href="http://example.com/a%20b?x=1&amp;y=2" rel="nofollow noopener">x</a>"#
    );
    // Relative, protocol-relative and other schemes lose the link, keep the text.
    for href in [
        "/pages/about",
        "//evil.example",
        "#top",
        "ftp://example.com",
        "data:text/html,hi",
        "http:",
        "https:///x",
    ] {
        assert_eq!(
            clean(&format!(r#"<a href="{href}">text</a>"#)),
            "text",
            "{href}"
        );
    }
    assert_eq!(clean("<a>no href</a>"), "no href");
}

#[test]
fn javascript_urls_in_every_disguise_are_dropped() {
    for href in [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "&#106;avascript:alert(1)",
        "&#x6A;avascript:alert(1)",
        "&#106avascript:alert(1)",
        "javascript&colon;alert(1)",
        "jav&#x09;ascript:alert(1)",
        "\u{1}javascript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    ] {
        let out = clean(&format!(r#"<a href="{href}">x</a>"#));
        assert_eq!(out, "x", "{href:?} gave {out}");
    }
    assert_eq!(clean("<a href=javascript:alert(1)>x</a>"), "x");
}

#[test]
fn event_handlers_and_dangerous_elements_are_removed() {
    assert_eq!(clean(r#"<img src=x onerror="alert(1)">photo"#), "photo");
    assert_eq!(clean(r#"<p onmouseover="alert(1)">hi</p>"#), "<p>hi</p>");
    assert_eq!(clean("<script>alert(1)</script>after"), "after");
    assert_eq!(
        clean("<SCRIPT type=module>alert(1)</ScRiPt >after"),
        "after"
    );
    assert_eq!(clean("<style>body{display:none}</style>shown"), "shown");
    assert_eq!(
        clean("<svg onload=alert(1)><script>alert(1)</script></svg>x"),
        "x"
    );
    assert_eq!(clean("<iframe src='https://evil.example'></iframe>x"), "x");
    assert_eq!(clean("<script>never closed <p>gone"), "");
    assert_eq!(
        clean(r#"<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>"#),
        ""
    );
    assert_eq!(clean("<object data=x></object><embed src=x>ok"), "ok");
    assert_eq!(
        clean("<form action=x><input value=y><button>b</button></form>"),
        "b"
    );
}

#[test]
fn script_text_inside_a_dropped_element_does_not_end_early() {
    // "</scripty>" is not the end tag of script.
    assert_eq!(clean("<script>a</scripty>b</script>c"), "c");
}

#[test]
fn entities_are_decoded_then_escaped_so_tags_stay_text() {
    assert_eq!(
        clean("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "&lt;script&gt;alert(1)&lt;/script&gt;"
    );
    assert_eq!(
        clean("&#x3C;img src=x onerror=alert(1)&#x3E;"),
        "&lt;img src=x onerror=alert(1)&gt;"
    );
    assert_eq!(clean("&#60;b&#62;"), "&lt;b&gt;");
    assert_eq!(
        clean("Tom &amp; Jerry & co &copy; &nbsp;&mdash; &unknown; &#0; &#xD800; &#99999999;"),
        "Tom &amp; Jerry &amp; co © \u{a0}— &amp;unknown; \u{fffd} \u{fffd} \u{fffd}"
    );
    assert_eq!(clean("a &lt b &gt c"), "a &lt; b &gt; c");
    assert_eq!(clean("5 < 6 > 4"), "5 &lt; 6 &gt; 4");
    assert_eq!(clean("<3 and <=>"), "&lt;3 and &lt;=&gt;");
}

#[test]
fn malformed_markup_is_handled() {
    assert_eq!(
        clean("<p>open <strong>bold"),
        "<p>open <strong>bold</strong></p>"
    );
    assert_eq!(clean("</p>stray end</b>"), "stray end");
    assert_eq!(clean("<p>one<p>two"), "<p>one</p><p>two</p>");
    assert_eq!(
        clean("<p>para<ul><li>x</ul>"),
        "<p>para</p><ul><li>x</li></ul>"
    );
    assert_eq!(clean("<b><i>crossed</b></i>"), "<b><i>crossed</i></b>");
    assert_eq!(
        clean("<a href='https://a.example'>one<a href='https://b.example'>two</a>"),
        r#"<a href="https://a.example" rel="nofollow noopener">one</a><a href="https://b.example" rel="nofollow noopener">two</a>"#
    );
    assert_eq!(clean("<p title='a>b'>quoted gt</p>"), "<p>quoted gt</p>");
    assert_eq!(clean("<p unterminated"), "");
    assert_eq!(clean("text <a href=\"https://x.example"), "text ");
    assert_eq!(
        clean("<!-- comment <script>alert(1)</script> -->shown"),
        "shown"
    );
    assert_eq!(clean("<!--> short <!---> forms"), " short  forms");
    assert_eq!(clean("<!-- never closed <b>x</b>"), "");
    assert_eq!(clean("<!DOCTYPE html><?xml version='1.0'?>doc"), "doc");
    assert_eq!(clean("</ weird>x</>y"), "xy");
    assert_eq!(clean("<div>one</div><div>two</div>"), "one two");
    assert_eq!(clean("<td>a</td><td>b</td>"), "a b");
    assert_eq!(clean("<span>in</span>line"), "inline");
    assert_eq!(
        clean("<ul><li>a<ul><li>b<li>c</ul></li></ul>"),
        "<ul><li>a<ul><li>b</li><li>c</li></ul></li></ul>"
    );
    assert_eq!(clean("a\0b"), "a\u{fffd}b");
    assert_eq!(clean("tab\tand\nnewline\u{7}bell"), "tab\tand\nnewlinebell");
}

#[test]
fn deep_nesting_is_bounded() {
    let input = "<b>".repeat(10_000) + "deep";
    let out = clean(&input);
    assert!(out.contains("deep"));
    assert!(out.matches("<b>").count() <= 32, "{}", out.len());
    assert_eq!(out.matches("<b>").count(), out.matches("</b>").count());
}

#[test]
fn non_ascii_text_is_kept() {
    assert_eq!(
        clean("<p>北欧LED台灯 — Größe &euro;</p>"),
        "<p>北欧LED台灯 — Größe €</p>"
    );
}

#[test]
fn serde_sanitises_on_the_way_in() {
    let html: SanitizedHtml =
        serde_json::from_str(r#""<p onclick=\"x\">hi<script>1</script></p>""#).unwrap();
    assert_eq!(html.as_str(), "<p>hi</p>");
    assert_eq!(serde_json::to_string(&html).unwrap(), r#""<p>hi</p>""#);
}

const PIECES: &[&str] = &[
    "<p>",
    "</p>",
    "<b>",
    "</b>",
    "<ul>",
    "<li>",
    "</ul>",
    "<a href='https://x.example/?a=1&b=2'>",
    "<a href=javascript:x>",
    "</a>",
    "<script>",
    "</script>",
    "<!--",
    "-->",
    "&amp;",
    "&lt;",
    "&#60;",
    "<",
    ">",
    "&",
    "\"",
    "'",
    "text",
    " ",
    "北",
    "<div>",
    "</div>",
    "<br>",
    "<h2>",
    "<blockquote>",
    "<img src=x onerror=y>",
    "<style>",
    "</style>",
    "<a",
    "=",
    "\n",
];

proptest! {
    #[test]
    fn output_is_idempotent_and_has_no_script(parts in prop::collection::vec(0..PIECES.len(), 0..40)) {
        let input: String = parts.iter().map(|i| PIECES[*i]).collect();
        let once = clean(&input);
        let twice = clean(&once);
        prop_assert_eq!(&once, &twice);
        let lower = once.to_lowercase();
        prop_assert!(!lower.contains("<script"));
        prop_assert!(!lower.contains("javascript:"));
        prop_assert!(!lower.contains("onerror"));
        prop_assert!(!lower.contains("<img"));
        prop_assert!(!lower.contains("<!--"));
    }

    #[test]
    fn any_text_is_safe_and_stable(input in "\\PC{0,200}") {
        let once = clean(&input);
        prop_assert_eq!(clean(&once), once.clone());
        prop_assert!(!once.to_lowercase().contains("<script"));
    }
}
