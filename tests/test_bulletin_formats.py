"""The bulletin's HTML renders in headless Chromium with every chart loaded; the DOCX holds the
same paragraphs as the Markdown, without note marks; every number in the HTML links to its source."""

from __future__ import annotations

import base64
import io
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from docx import Document
from matplotlib import image

CHROMIUM = Path("/usr/bin/chromium")
NOTE_MARKER = re.compile(r"\[\^[sqrn]\d+\]")


class Elements(HTMLParser):
    """Collects <img> sources, tooltip'd numbers and external references."""

    def __init__(self) -> None:
        super().__init__()
        self.images: list[str] = []
        self.figures: list[dict[str, str | None]] = []
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "img":
            self.images.append(values.get("src") or "")
        if tag in ("a", "span") and values.get("class") == "fig":
            self.figures.append(values)
        for name in ("src", "href"):
            link = values.get(name) or ""
            if link and not link.startswith(("data:", "#")):
                self.external.append(link)


@pytest.fixture(scope="module")
def publish_dir(published_home: Path) -> Path:
    return published_home / "publish" / "2024-10"


def test_html_is_self_contained_and_every_number_names_its_source(publish_dir: Path) -> None:
    elements = Elements()
    elements.feed((publish_dir / "bulletin.html").read_text(encoding="utf-8"))
    assert elements.external == []
    assert len(elements.figures) > 100
    untraced = [figure for figure in elements.figures if not re.search(r"：.+，第\d+行", figure.get("title") or "")
                or not (figure.get("href") or "").startswith("#s")]
    assert untraced == []
    assert elements.images, "the sample month has county and trend charts"
    for source in elements.images:
        assert source.startswith("data:image/png;base64,")
        pixels = image.imread(io.BytesIO(base64.b64decode(source.split(",", 1)[1])), format="png")
        assert pixels.shape[0] > 100 and pixels.shape[1] > 100


def test_html_renders_in_headless_chromium_without_console_errors(publish_dir: Path, tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is not installed at /usr/bin/chromium: run `apt-get install -y chromium`")
    screenshot = tmp_path / "bulletin.png"
    completed = subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
         "--enable-logging=stderr", "--v=0", f"--screenshot={screenshot}", "--window-size=1200,4000",
         (publish_dir / "bulletin.html").as_uri()],
        capture_output=True, text=True, timeout=180, check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    console = [line for line in completed.stderr.splitlines() if "CONSOLE" in line or "Failed to load" in line]
    assert console == []
    pixels = image.imread(str(screenshot))
    assert pixels.shape[:2] == (4000, 1200)
    assert (pixels[..., :3] < 0.5).any(), "the screenshot shows text"


def test_docx_holds_the_same_paragraphs_as_the_markdown(publish_dir: Path) -> None:
    markdown = (publish_dir / "bulletin.md").read_text(encoding="utf-8")
    expected = [NOTE_MARKER.sub("", line) for line in markdown.splitlines() if line.startswith("▲实施")]
    document = Document(str(publish_dir / "bulletin.docx"))
    found = [paragraph.text for paragraph in document.paragraphs if paragraph.text.startswith("▲实施")]
    assert found == expected
    assert "593.47亿元" in "".join(found)
    marks = [run.text for paragraph in document.paragraphs for run in paragraph.runs if run.font.superscript]
    assert marks == [], "no source marks in the body of the document sent upward"
