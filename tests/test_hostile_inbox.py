"""Hostile inboxes (issue 17, points 3, 8, 9, 10 and 11): file names that are not UTF-8 or carry
HTML and Markdown, entries that are not regular files, a file whose name names no department,
and a zip bomb disguised as .xlsx. The month is read, the problems are findings, nothing aborts."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import duckdb
import openpyxl
import pytest

from ingestion.inbox import scan_inbox
from ingestion.load import ingest_month
from ingestion.names import decode_file_name
from publication.bulletin.document import Bulletin, Notes, Paragraph, Section
from publication.bulletin.render_markdown import render_markdown
from tests.conftest import SAMPLE_INBOX
from yuebao import SEEDS_DIR
from yuebao.delivery import departments_delivered

MONTH = "2024-10"
SEEDS = SEEDS_DIR / "departments.csv"
HTML_NAME = "<img src=x onerror=alert(1)>市财政局_[x](javascript:y)*.csv"
GBK_NAME = "市住建局_2024年10月.csv"
UNDECODABLE = b"\xff\xfe\x80" + "邵阳海关.csv".encode()
NAMELESS = "..%2f..%2fetc.csv"  # names no department; its rows all say 报送单位 = 市商务局
UNESCAPED_LINK = re.compile(r"(?<!\\)\]\(")  # "](" that Markdown would read as a link


def fsjoin(folder: Path, name: bytes) -> bytes:
    return os.path.join(os.fsencode(folder), name)


def add_special_entries(folder: Path) -> None:
    """Links (outside the inbox, dangling, looping), a FIFO and folders named like files."""
    (folder / "市统计局_link.csv").symlink_to("/etc/passwd")
    (folder / "市公安局_dangling.csv").symlink_to(folder / "nothing-here.csv")
    (folder / "loop.csv").symlink_to(folder / "loop.csv")
    os.mkfifo(folder / "市人社局_pipe.csv")
    (folder / "x.csv").mkdir()


def hostile_sample_inbox(root: Path) -> Path:
    """The sample month with four files renamed hostilely and five entries that are not files."""
    month = root / MONTH
    shutil.copytree(SAMPLE_INBOX / MONTH, month)
    os.rename(month / "市商务局2024年10月八大行动指标.csv", month / NAMELESS)
    os.rename(month / "市住建局_2024年10月.csv", fsjoin(month, GBK_NAME.encode("gbk")))
    os.rename(month / "市财政局_2024年10月.csv", month / HTML_NAME)
    os.rename(month / "邵阳海关_2024年1-9月进出口.csv", fsjoin(month, UNDECODABLE))
    add_special_entries(month)
    return root


# Names -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, shown", [
    ("市商务局.csv".encode(), "市商务局.csv"),
    ("市商务局_2024年10月.csv".encode("gbk"), "市商务局_2024年10月.csv"),  # unzipped on Linux from a Windows zip
    (UNDECODABLE, "\\xff\\xfe\\x80邵阳海关.csv"),
    (b"a\nb\r.csv", "a\\x0ab\\x0d.csv"),
])
def test_file_names_decode_as_utf8_else_gb18030_else_escaped(raw: bytes, shown: str) -> None:
    assert decode_file_name(raw) == shown
    assert decode_file_name(os.fsdecode(raw)) == shown  # as os.listdir hands it over
    shown.encode("utf-8")  # always storable


def test_entries_that_are_not_regular_files_are_listed_not_opened(tmp_path: Path) -> None:
    (tmp_path / "市商务局.csv").write_text("报送单位\n", encoding="utf-8")
    (tmp_path / ".DS_Store").write_bytes(b"\0")
    (tmp_path / "~$市商务局.xlsx").write_bytes(b"\0")
    add_special_entries(tmp_path)
    scan = scan_inbox(tmp_path)  # a FIFO opened for reading would block here forever
    assert [path.name for path in scan.files] == ["市商务局.csv"]
    assert {entry.name: entry.message for entry in scan.skipped} == {
        "loop.csv": "符号链接（循环链接），未读取",
        "x.csv": "这是一个文件夹，不是文件，未读取",
        "市人社局_pipe.csv": "这是命名管道（FIFO），不是文件，未读取",
        "市公安局_dangling.csv": "符号链接（目标不存在），未读取",
        "市统计局_link.csv": "符号链接（指向收件目录之外），未读取",
    }


def test_ingest_archives_hostile_names_and_reports_entries_it_did_not_read(tmp_path: Path) -> None:
    month = tmp_path / "inbox" / MONTH
    month.mkdir(parents=True)
    row = "报送单位,统计期,地区,指标名称,数值,单位\r\n市住建局,2024年10月,邵阳市,化解超期安置户数,{},户\r\n"
    with open(fsjoin(month, GBK_NAME.encode("gbk")), "w", encoding="utf-8") as handle:
        handle.write(row.format(939))
    with open(fsjoin(month, b"\xff" + "市住建局_2.csv".encode()), "w", encoding="utf-8") as handle:
        handle.write(row.format(940))
    add_special_entries(month)
    home = tmp_path / "home"
    with duckdb.connect() as con:
        summary = ingest_month(con, tmp_path / "inbox", home, MONTH, SEEDS)
        files = con.execute("select source_file, department, status from landing.files order by 1").fetchall()
        findings = con.execute("select source_file, department, severity from landing.ingest_issues"
                               " where rule = 'not_a_regular_file' order by 1").fetchall()
    assert files == [("\\xff市住建局_2.csv", "市住建局", "loaded"), (GBK_NAME, "市住建局", "loaded")]
    assert summary.observations == 2 and summary.files_rejected == 0
    assert findings == [("loop.csv", "未识别单位", "warning"), ("x.csv", "未识别单位", "warning"),
                        ("市人社局_pipe.csv", "市人社局", "warning"), ("市公安局_dangling.csv", "市公安局", "warning"),
                        ("市统计局_link.csv", "市统计局", "warning")]
    manifest = [json.loads(line) for line in (home / "raw" / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted(entry["original_name"] for entry in manifest) == ["\\xff市住建局_2.csv", GBK_NAME]


def test_the_reminder_tracker_counts_a_file_by_the_department_its_rows_name(tmp_path: Path) -> None:
    shutil.copy(SAMPLE_INBOX / MONTH / "市商务局2024年10月八大行动指标.csv", tmp_path / NAMELESS)
    add_special_entries(tmp_path)  # links are not deliveries, and a FIFO is never opened
    assert departments_delivered(tmp_path, SEEDS_DIR) == {"市商务局"}


# Markdown ----------------------------------------------------------------------------------------

def test_markdown_footnotes_print_file_names_as_text() -> None:
    sources = Notes([f"市财政局：{HTML_NAME}，工作表“![a](b)”，第2行"])
    section = Section("【重要指标】", [Paragraph("▲实施产业培塑行动。")], "本月无。")
    bulletin = Bulletin(title="标题", subtitle="副标题", issuer="市实施“八大行动”综合协调组", sections=[section],
                        charts={}, sources=sources, gate_notes=Notes(), revision_notes=Notes())
    markdown = render_markdown(bulletin)
    note = next(line for line in markdown.splitlines() if line.startswith("[^s1]:"))
    assert "<img" not in note and "&lt;img src=x onerror=alert(1)&gt;" in note
    assert not UNESCAPED_LINK.search(note) and "\\[x\\]" in note and "\\!\\[a\\]" in note


# Zip bomb ----------------------------------------------------------------------------------------

def zip_bomb(inflated: int, declared: int | None) -> bytes:
    """An .xlsx whose sheet inflates to ``inflated`` bytes of spaces; the zip directory claims
    ``declared`` bytes (None: the truth). Deflate blocks of a full flush repeat byte for byte, so
    a gigabyte costs a second to make."""
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "地区"
    plain = io.BytesIO()
    workbook.save(plain)
    source = zipfile.ZipFile(plain)
    head = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    tail = b"</sheetData></worksheet>"
    block = b" " * (1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeated = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    blocks = (inflated - len(head) - len(tail)) >> 20
    body = start + repeated * blocks + compressor.compress(tail) + compressor.flush()
    crc = zlib.crc32(head)
    for _ in range(blocks):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(tail, crc)
    truth = len(head) + (blocks << 20) + len(tail)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for part in source.infolist():
            if part.filename != "xl/worksheets/sheet1.xml":
                archive.writestr(part, source.read(part))
        sheet = zipfile.ZipInfo("xl/worksheets/sheet1.xml", (2024, 11, 1, 0, 0, 0))
        sheet.compress_type, sheet.CRC = zipfile.ZIP_DEFLATED, crc
        sheet.file_size, sheet.compress_size = (truth if declared is None else declared), len(body)
        assert archive.fp is not None
        sheet.header_offset = archive.fp.tell()
        archive.fp.write(sheet.FileHeader(False) + body)
        archive.filelist.append(sheet)
        archive.NameToInfo[sheet.filename] = sheet
        archive.start_dir = archive.fp.tell()
    return out.getvalue()


INGEST_AND_MEASURE = """
import json, resource, sys
from pathlib import Path
import duckdb
from ingestion.load import ingest_month
with duckdb.connect() as con:
    summary = ingest_month(con, Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], Path(sys.argv[4]))
    files = con.execute("select f.source_file, f.status, i.rule from landing.files f left join"
                        " landing.ingest_issues i using (file_sha256) order by 1").fetchall()
# VmHWM is this program's own peak; ru_maxrss would also count the forked copy of the (large)
# pytest process that exec replaced, since Linux carries the higher of the two across exec.
status = Path("/proc/self/status")
peak_kb = (int(next(line.split()[1] for line in status.read_text().splitlines() if line.startswith("VmHWM:")))
           if status.exists() else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
print(json.dumps({"peak_mb": peak_kb / 1024,
                  "observations": summary.observations, "files": files}))
"""


def test_a_zip_bomb_disguised_as_xlsx_is_refused_while_streaming_in_bounded_memory(tmp_path: Path) -> None:
    month = tmp_path / "inbox" / MONTH
    month.mkdir(parents=True)
    (month / "市商务局_炸弹.xlsx").write_bytes(zip_bomb(2 << 30, declared=1000))  # claims 1 KB, inflates to 2 GB
    (month / "市科技局_炸弹.xlsx").write_bytes(zip_bomb(1 << 30, declared=None))  # claims its real 1 GB
    shutil.copy(SAMPLE_INBOX / MONTH / "市住建局_2024年10月.csv", month)
    completed = subprocess.run([sys.executable, "-c", INGEST_AND_MEASURE, str(tmp_path / "inbox"),
                                str(tmp_path / "home"), MONTH, str(SEEDS)],
                               capture_output=True, text=True, timeout=600, check=False)
    assert completed.returncode == 0, completed.stderr[-3000:]
    measured = json.loads(completed.stdout)
    print(f"zip bomb ingest peak memory: {measured['peak_mb']:.0f} MB")  # shown with pytest -s
    assert measured["peak_mb"] < 500
    files = {name: (status, rule) for name, status, rule in measured["files"]}
    assert files["市商务局_炸弹.xlsx"] == ("rejected", "file_too_large")
    assert files["市科技局_炸弹.xlsx"] == ("rejected", "file_too_large")
    assert files["市住建局_2024年10月.csv"][0] == "loaded" and measured["observations"] > 0


# The whole month, through `yuebao run` -------------------------------------------------------------

@pytest.fixture(scope="module")
def hostile_home(tmp_path_factory: pytest.TempPathFactory, run_yuebao) -> tuple[Path, str]:
    """The sample month with hostile names and entries, published once (one month load)."""
    inbox = hostile_sample_inbox(tmp_path_factory.mktemp("hostile") / "inbox")
    home = tmp_path_factory.mktemp("hostile_home")
    completed = run_yuebao("run", "--month", MONTH, "--inbox", inbox, "--home", home, timeout=900)
    return home, completed.stdout + completed.stderr + f"\nexit {completed.returncode}"


def test_a_month_with_hostile_names_and_entries_is_published(hostile_home: tuple[Path, str]) -> None:
    home, output = hostile_home
    assert output.endswith("exit 0"), output[-3000:]
    assert f"published {MONTH}" in output and "Traceback" not in output


def test_every_renamed_file_is_read_under_its_decoded_name(hostile_home: tuple[Path, str]) -> None:
    home, _ = hostile_home
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        files = dict(con.execute("select source_file, department || ' ' || status from landing.files").fetchall())
    assert files[GBK_NAME] == "市住建局 loaded"
    assert files["\\xff\\xfe\\x80邵阳海关.csv"] == "邵阳海关 loaded"
    assert files[HTML_NAME] == "市财政局 loaded"
    assert files[NAMELESS] == "市商务局 loaded"
    manifest = (home / "raw" / "manifest.jsonl").read_bytes().decode("utf-8")  # strict: valid UTF-8
    assert {json.loads(line)["original_name"] for line in manifest.splitlines()} == set(files)


def test_a_department_is_who_the_rows_say_for_report_and_tracker(hostile_home: tuple[Path, str]) -> None:
    home, _ = hostile_home
    report = (home / "publish" / MONTH / "dq" / "市商务局.html").read_text(encoding="utf-8")
    assert NAMELESS in report
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        [(status, files)] = con.execute("select delivery_status, files_received from dq_delivery_status"
                                        " where department = '市商务局'").fetchall()
    assert status != "missing" and files == 1


@pytest.mark.parametrize("department, name, reason", [
    ("市统计局", "市统计局_link.csv", "指向收件目录之外"),
    ("市公安局", "市公安局_dangling.csv", "目标不存在"),
    ("未识别单位", "loop.csv", "循环链接"),
    ("市人社局", "市人社局_pipe.csv", "命名管道"),
    ("未识别单位", "x.csv", "文件夹"),
])
def test_entries_that_are_not_files_reach_their_departments_report(hostile_home: tuple[Path, str], department: str,
                                                                     name: str, reason: str) -> None:
    home, _ = hostile_home
    report = (home / "publish" / MONTH / "dq" / f"{department}.html").read_text(encoding="utf-8")
    assert name in report and reason in report


def test_nothing_outside_the_inbox_was_read_through_a_link(hostile_home: tuple[Path, str]) -> None:
    home, _ = hostile_home
    outside = hashlib.sha256(Path("/etc/passwd").read_bytes()).hexdigest()
    assert not list((home / "raw").rglob(f"{outside}*"))
    manifest = (home / "raw" / "manifest.jsonl").read_text(encoding="utf-8")
    assert "link.csv" not in manifest and "pipe.csv" not in manifest


def test_file_names_are_inert_in_every_bulletin_format(hostile_home: tuple[Path, str]) -> None:
    home, _ = hostile_home
    published = home / "publish" / MONTH
    markdown = (published / "bulletin.md").read_text(encoding="utf-8")
    assert "<img" not in markdown and not UNESCAPED_LINK.search(markdown.split("## 数据来源")[-1])
    assert "&lt;img src=x onerror=alert(1)&gt;市财政局\\_\\[x\\](javascript:y)\\*.csv" in markdown
    html = (published / "bulletin.html").read_text(encoding="utf-8")
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    report = (published / "dq" / "市财政局.html").read_text(encoding="utf-8")
    assert "<img src=x" not in report
