"""Long HTML messages split into pieces that each parse and together say everything."""

from __future__ import annotations

import html
import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from handlers.splitting import split_message
from tgemulator.formatting import parse_text


def visible(text: str) -> str:
    return parse_text(text, "HTML")[0]


def test_an_entity_at_the_cut_stays_whole() -> None:
    text = "a" * 95 + " &amp; " + "b" * 100
    assert split_message("&amp;" * 1000, limit=1000) == ["&amp;" * 1000]  # 1,000 shown
    pieces = split_message(text, limit=100)
    assert all("&amp;" in p or "&" not in p for p in pieces)
    assert "".join(visible(p) for p in pieces).replace(" ", "") == "a" * 95 + "&" + "b" * 100


def test_open_tags_are_closed_and_opened_again() -> None:
    text = "<b>" + "fett " * 40 + "</b>"
    pieces = split_message(text, limit=60)
    assert len(pieces) > 1
    for piece in pieces:
        assert piece.startswith("<b>") and piece.endswith("</b>") and len(visible(piece)) <= 60
        visible(piece)  # parses: no unbalanced tag


def test_a_link_is_never_cut_inside_its_tag() -> None:
    link = '<a href="https://www.hannover.de/a?b=1&amp;c=2">Seite</a>'
    text = "x" * 70 + link + "y" * 70
    for piece in split_message(text, limit=80):
        assert piece.count("<a ") == piece.count("</a>")
        visible(piece)


fragments = st.one_of(
    st.text(
        alphabet=st.characters(blacklist_characters="<>&", blacklist_categories=("Cs",)),
        max_size=30,
    ),
    st.sampled_from(["&amp;", "&lt;", "&gt;", "&quot;", "\n", " ", "\n\n", "😀", "مرحبا"]),
)


@st.composite
def html_texts(draw: st.DrawFn) -> str:
    """Random text with properly nested tags, as the bot's replies are."""
    parts: list[str] = []
    for _ in range(draw(st.integers(1, 12))):
        tag = draw(st.sampled_from(["", "b", "i", "code", "a"]))
        inner = "".join(draw(st.lists(fragments, max_size=6)))
        if not tag:
            parts.append(inner)
        elif tag == "a":
            parts.append(f'<a href="https://example.org/?q=1&amp;r=2">{inner}</a>')
        else:
            parts.append(f"<{tag}>{inner}</{tag}>")
    return "".join(parts)


@settings(max_examples=150, deadline=None)
@example(text="𐀀000000000", limit=10)  # an astral character at the limit
@given(text=html_texts(), limit=st.integers(min_value=10, max_value=200))
def test_every_piece_parses_fits_and_nothing_is_lost(text: str, limit: int) -> None:
    pieces = split_message(text, limit=limit)
    assert all(len(visible(p).encode("utf-16-le")) // 2 <= limit for p in pieces)
    for piece in pieces:
        visible(piece)  # raises on a cut tag or entity
    joined = re.sub(r"\s", "", "".join(visible(p) for p in pieces))
    assert joined == re.sub(r"\s", "", html.unescape(re.sub(r"<[^>]+>", "", text)))
