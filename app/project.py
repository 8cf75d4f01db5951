"""A project: a folder of Markdown chapters in the writer's order.

The order lives in a small `draftsmith-project.json` in the folder (so it travels
with the folder, through a sync service or a zip), as `{"version": 1, "title": ...,
"chapters": ["01 Arrival.md", ...]}` with names relative to the folder. Chapters the
file does not list (added by another program) join at the end in natural order;
names it lists that are gone are dropped the next time the order is written. Nothing
here needs Qt: the window's project panel and `draftsmith export FOLDER` share it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from app.files import write_text_atomically
from memory.errors import DraftsmithError

if TYPE_CHECKING:  # the store imports numpy: kept off the window's start-up path
    from memory.provenance.record import ProvenanceRecord
    from memory.provenance.trust import BlockChoice
    from memory.store import Store

PROJECT_FILE = "draftsmith-project.json"
CHAPTER_SUFFIXES = (".md", ".markdown", ".txt")
_VERSION = 1
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


class ProjectProblem(DraftsmithError):
    """A project folder that cannot be read or changed as asked (in words)."""


def _natural_key(name: str) -> list[object]:
    """ "Chapter 2" before "Chapter 10"."""
    return [int(part) if part.isdigit() else part.casefold() for part in re.split(r"(\d+)", name)]


def is_project_folder(path: Path) -> bool:
    """A folder the window opens as a project (any folder can be one)."""
    return path.is_dir()


@dataclass(frozen=True, slots=True)
class Match:
    """One find-in-project hit: the chapter, its line (1-based) and column, and the line."""

    chapter: Path
    line: int
    column: int
    start: int  # code point offset in the chapter's text
    length: int
    excerpt: str


class Project:
    """A folder's chapters in order. Change them only through these methods."""

    def __init__(self, folder: Path, title: str, chapters: list[Path]) -> None:
        self.folder = folder
        self.title = title
        self._chapters = chapters

    @classmethod
    def open(cls, folder: Path | str) -> Project:
        """The project in `folder` (which must exist); its order file is optional."""
        folder = Path(folder).resolve()
        if not folder.is_dir():
            raise ProjectProblem(f"{folder} is not a folder, so it cannot be opened as a project.")
        title, listed = folder.name, []
        order_file = folder / PROJECT_FILE
        if order_file.exists():
            try:
                data = json.loads(order_file.read_text(encoding="utf-8"))
                if not isinstance(data, dict) or not isinstance(data.get("chapters", []), list):
                    raise ValueError("not a project file")
                title = str(data.get("title") or title)
                listed = [str(name) for name in data.get("chapters", [])]
            except (OSError, ValueError, UnicodeDecodeError) as exc:
                raise ProjectProblem(
                    f"The chapter order in {order_file} could not be read ({exc}). "
                    "Move the file aside to start the order again."
                ) from exc
        present = {p.name: p for p in folder.iterdir() if cls._is_chapter(p)}
        chapters = [present.pop(name) for name in listed if name in present]
        chapters += [present[name] for name in sorted(present, key=_natural_key)]
        return cls(folder, title, chapters)

    @staticmethod
    def _is_chapter(path: Path) -> bool:
        return (
            path.is_file()
            and path.suffix.lower() in CHAPTER_SUFFIXES
            and not path.name.startswith(".")
            and not path.name.endswith(".manifest.json")
        )

    @property
    def chapters(self) -> list[Path]:
        return list(self._chapters)

    def __iter__(self) -> Iterator[Path]:
        return iter(self._chapters)

    def __len__(self) -> int:
        return len(self._chapters)

    def save(self) -> None:
        """Write the order file (atomically). Raises OSError when the folder is read-only."""
        data = {
            "version": _VERSION,
            "title": self.title,
            "chapters": [p.name for p in self._chapters],
        }
        write_text_atomically(
            self.folder / PROJECT_FILE, json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        )

    def reorder(self, names: Sequence[str]) -> None:
        """Put the chapters in this order (every chapter named exactly once) and save."""
        by_name = {p.name: p for p in self._chapters}
        if sorted(names) != sorted(by_name):
            raise ProjectProblem("The new order must name every chapter of the project once.")
        self._chapters = [by_name[name] for name in names]
        self.save()

    def _name_for(self, title: str) -> str:
        clean = _UNSAFE.sub("", title).strip().strip(".")
        if not clean:
            raise ProjectProblem("A chapter needs a name with at least one letter or digit.")
        return clean if clean.lower().endswith(CHAPTER_SUFFIXES) else clean + ".md"

    def new_chapter(self, title: str, after: Path | None = None) -> Path:
        """Create `title.md` holding `# title` (after `after`, default at the end); save."""
        name = self._name_for(title)
        path = self.folder / name
        if path.exists():
            raise ProjectProblem(f"There is already a file called {name} in the project.")
        heading = Path(name).stem
        write_text_atomically(path, f"# {heading}\n\n")
        index = self._chapters.index(after) + 1 if after in self._chapters else len(self)
        self._chapters.insert(index, path)
        self.save()
        return path

    def rename(self, chapter: Path, title: str) -> Path:
        """Rename a chapter's file (its place in the order kept); save. Returns the new path."""
        if chapter not in self._chapters:
            raise ProjectProblem(f"{chapter.name} is not a chapter of this project.")
        name = self._name_for(title)
        target = self.folder / name
        if target == chapter:
            return chapter
        if target.exists() and target.name.casefold() != chapter.name.casefold():
            raise ProjectProblem(f"There is already a file called {name} in the project.")
        chapter.rename(target)
        self._chapters[self._chapters.index(chapter)] = target
        self.save()
        return target

    def find(
        self,
        query: str,
        *,
        whole_word: bool = False,
        case: bool = False,
        open_texts: Mapping[Path, str] | None = None,
    ) -> list[Match]:
        """Every occurrence of `query` in every chapter, in chapter order; a chapter in
        `open_texts` is searched as the editor holds it (saved or not), not as on disk."""
        if not query:
            return []
        pattern = re.escape(query)
        if whole_word:
            pattern = rf"(?<!\w){pattern}(?!\w)"
        regex = re.compile(pattern, 0 if case else re.IGNORECASE)
        found: list[Match] = []
        for chapter in self._chapters:
            text = (open_texts or {}).get(chapter)
            if text is None:
                try:
                    text = chapter.read_text(encoding="utf-8", errors="replace")
                except OSError:
                    continue
            line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
            line = 0
            for hit in regex.finditer(text):
                while line + 1 < len(line_starts) and line_starts[line + 1] <= hit.start():
                    line += 1
                lo = line_starts[line]
                hi = text.find("\n", hit.start())
                excerpt = text[lo : hi if hi >= 0 else len(text)].strip()
                found.append(
                    Match(
                        chapter, line + 1, hit.start() - lo + 1, hit.start(), len(hit[0]), excerpt
                    )
                )
        return found


@dataclass(frozen=True, slots=True)
class ProjectRecord:
    """A whole project's export record, or the chapters whose blocks need a decision."""

    record: ProvenanceRecord | None
    notes: tuple[str, ...]  # per chapter, what the trust rule did
    needs_review: tuple[tuple[str, tuple[str, ...]], ...]  # (chapter, problems)


def project_record(
    project: Project,
    store: Store | None,
    *,
    app_version: str,
    choice: BlockChoice | None = None,
) -> ProjectRecord:
    """Every chapter's authorship by the one trust rule, combined in the project's order.
    Raises FileProblem / OSError for a chapter that cannot be read."""
    from app.files import read_text
    from memory.provenance.combine import combine
    from memory.provenance.trust import BlockChoice, file_authorship

    choice = choice or BlockChoice.ASK

    chapters: list[tuple[str, ProvenanceRecord]] = []
    notes: list[str] = []
    review: list[tuple[str, tuple[str, ...]]] = []
    for chapter in project:
        found = file_authorship(
            chapter, read_text(chapter), store, app_version=app_version, choice=choice
        )
        notes += [f"{chapter.name}: {note}" for note in found.decision.notes]
        if found.record is None:
            review.append((chapter.name, found.decision.problems))
            continue
        chapters.append((Path(chapter.name).stem, found.record))
    if review:
        return ProjectRecord(None, tuple(notes), tuple(review))
    if not chapters:
        raise ProjectProblem(f"{project.folder} holds no chapters (Markdown or text files).")
    return ProjectRecord(combine(chapters, project.title, app_version), tuple(notes), ())
