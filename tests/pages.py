"""Checks shared by the tests of public HTML pages."""

from html.parser import HTMLParser


class _InlineFinder(HTMLParser):
    def __init__(self):
        super().__init__()
        self.problems = []
        self.html_lang = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.html_lang = attrs.get("lang")
        if "style" in attrs:
            self.problems.append(f"style attribute on <{tag}>")
        if any(name.startswith("on") for name in attrs):
            self.problems.append(f"inline event handler on <{tag}>")
        if tag in {"script", "style"} and "nonce" not in attrs and "src" not in attrs:
            self.problems.append(f"inline <{tag}> without a nonce")


def assert_strict_page(response, lang="en"):
    """Assert the page has our CSP header, the right html lang, and nothing inline the CSP would block."""
    assert "Content-Security-Policy" in response.headers
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    finder = _InlineFinder()
    finder.feed(response.content.decode())
    assert finder.html_lang == lang
    assert finder.problems == []
