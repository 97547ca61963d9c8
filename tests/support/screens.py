"""Small screens in the browser tests: WCAG 1.4.10 asks that a page read at 320 CSS pixels wide
without scrolling sideways (a table then shows each row as a list of its cells)."""

from __future__ import annotations

PHONE = {"width": 320, "height": 640}


def on_a_phone(page) -> None:
    page.set_viewport_size(PHONE)


def assert_fits_the_screen(page) -> None:
    """Nothing on the page reaches beyond the screen's width."""
    wide, screen = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert wide <= screen, f"{page.url} is {wide}px wide on a {screen}px screen"
