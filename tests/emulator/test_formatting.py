"""parse_mode emulation: HTML and MarkdownV2 to text + entities, and Telegram's errors."""

from __future__ import annotations

import pytest

from tgemulator.errors import ApiError
from tgemulator.formatting import parse_html, parse_markdown, parse_text, strip_html, utf16_len


def test_html_entities_and_offsets_in_utf16() -> None:
    text, entities = parse_html(
        '😀 <b>bold <i>both</i></b> <a href="https://x.org">link</a> &lt;tag&gt; &amp; &#33;'
    )
    assert text == "😀 bold both link <tag> & !"
    assert entities == [
        {"type": "bold", "offset": 3, "length": 9},
        {"type": "italic", "offset": 8, "length": 4},
        {"type": "text_link", "offset": 13, "length": 4, "url": "https://x.org"},
    ]
    assert utf16_len("😀") == 2


def test_html_supported_tags() -> None:
    text, entities = parse_html(
        '<pre><code class="language-py">x = 1</code></pre>'
        '<span class="tg-spoiler">s</span><blockquote expandable>q'
        '</blockquote><tg-emoji emoji-id="5">👍</tg-emoji>'
    )
    assert text == "x = 1sq👍"
    kinds = {e["type"] for e in entities}
    assert kinds == {"pre", "code", "spoiler", "expandable_blockquote", "custom_emoji"}


@pytest.mark.parametrize(
    ("markup", "detail"),
    [
        ("<b>open", 'Can\'t find end tag corresponding to start tag "b"'),
        ("a<br>b", 'Unsupported start tag "br" at byte offset 1'),
        ("<div>x</div>", 'Unsupported start tag "div"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("1 < 2", "Unclosed start tag at byte offset 2"),
        ('<span class="red">x</span>', 'Tag "span" must have class "tg-spoiler"'),
    ],
)
def test_html_errors(markup: str, detail: str) -> None:
    with pytest.raises(ApiError) as caught:
        parse_text(markup, "HTML")
    assert caught.value.error_code == 400
    assert caught.value.description.startswith("Bad Request: can't parse entities: ")
    assert detail in caught.value.description


def test_markdown_v2() -> None:
    markup = r"*bold* _it_ __under__ ~s~ ||sp|| `c\`` [l](https://a.b/\)) 1\.5\!"
    text, entities = parse_markdown(markup, v2=True)
    assert text == "bold it under s sp c` l 1.5!"
    assert [e["type"] for e in entities] == [
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "code",
        "text_link",
    ]
    assert entities[-1]["url"] == "https://a.b/)"
    text, entities = parse_markdown("```python\nprint(1)\n```", v2=True)
    assert text == "print(1)\n" and entities[0]["language"] == "python"


@pytest.mark.parametrize(
    ("markup", "detail"),
    [
        ("Price: 5.00", "Character '.' is reserved"),
        ("a-b", "Character '-' is reserved"),
        ("*unclosed", "Can't find end of the entity starting at byte offset 0"),
    ],
)
def test_markdown_v2_errors(markup: str, detail: str) -> None:
    with pytest.raises(ApiError, match="can't parse entities") as caught:
        parse_text(markup, "MarkdownV2")
    assert detail in caught.value.description


def test_legacy_markdown_and_plain() -> None:
    assert parse_text("*b* 1.5 - ok", "Markdown") == (
        "b 1.5 - ok",
        [{"type": "bold", "offset": 0, "length": 1}],
    )
    assert parse_text("<b>kept</b>", None) == ("<b>kept</b>", [])
    assert strip_html("<b>a</b> &amp; b") == "a & b"
    with pytest.raises(ApiError, match="unsupported parse_mode"):
        parse_text("x", "BBCode")
