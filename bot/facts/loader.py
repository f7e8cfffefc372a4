"""Load a facts folder: YAML -> validated, frozen FactBase, or every problem at once."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.facts.model import Example, Fact, FactBase, Lexicon

__all__ = ["EXAMPLES_DIR", "LEXICON_FILE", "FactBaseError", "LoadProblem", "load_fact_base"]

LEXICON_FILE = "aliases.yaml"
# Labelled questions the model learns from, one file per set (see the README).
EXAMPLES_DIR = "examples"
_KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
# libyaml's parser when PyYAML has it (ten times faster on the example sets), else Python's.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Path_ = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class LoadProblem:
    """One thing wrong with a fact file, located to the line."""

    file: str
    line: int
    field: str
    problem: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.problem}"


class FactBaseError(Exception):
    """The folder does not make a valid fact base; `problems` lists every reason."""

    def __init__(self, problems: list[LoadProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(slots=True)
class _Document:
    """A parsed YAML file with the line of every node, keyed by its path."""

    file: str
    data: Any
    lines: dict[Path_, int]
    # Builds scalars from nodes; one per file, as it remembers what it built.
    constructor: yaml.SafeLoader = field(default_factory=lambda: yaml.SafeLoader(""))

    def line(self, path: Path_) -> int:
        """The line of the deepest known node on `path`."""
        while path not in self.lines and path:
            path = path[:-1]
        return self.lines.get(path, 1)


def load_fact_base(folder: str | Path) -> FactBase:
    """Read, validate and freeze every YAML file in `folder`; raise FactBaseError on any fault."""
    root = Path(folder)
    if not root.is_dir():
        raise FactBaseError([LoadProblem(str(root), 0, "folder", "not a readable folder")])
    files = sorted(p for p in root.iterdir() if p.suffix in {".yaml", ".yml"} and p.is_file())
    problems: list[LoadProblem] = []
    documents = [doc for f in files if (doc := _parse(f, problems)) is not None]
    lexicon_docs = [d for d in documents if Path(d.file).name == LEXICON_FILE]
    lexicon: Lexicon | None = Lexicon()
    if lexicon_docs:
        lexicon = _build_lexicon(lexicon_docs[0], problems)
    elif any(f.name == LEXICON_FILE for f in files):
        lexicon = None  # it failed to parse; its problem is already recorded
    # A broken lexicon would make every `about` look unknown: check those only against a good one.
    facts = _build_facts([d for d in documents if d not in lexicon_docs], lexicon, problems)
    if not facts and not problems:
        problems.append(LoadProblem(str(root), 0, "facts", "no facts found in this folder"))
    examples = _load_examples(root / EXAMPLES_DIR, {f.id for f in facts}, problems)
    if problems or lexicon is None:
        raise FactBaseError(problems)
    return FactBase(tuple(facts), lexicon, source_dir=str(root), examples=examples)


def _load_examples(
    folder: Path, fact_ids: set[str], problems: list[LoadProblem]
) -> dict[str, tuple[Example, ...]]:
    """Every example file of the folder (none is fine), by set name: the file's stem."""
    if not folder.is_dir():
        return {}
    files = sorted(p for p in folder.iterdir() if p.suffix in {".yaml", ".yml"} and p.is_file())
    examples = {}
    for path in files:
        doc = _parse(path, problems)
        if doc is not None:
            examples[path.stem] = _build_examples(doc, fact_ids, problems)
    return examples


def _build_examples(
    doc: _Document, fact_ids: set[str], problems: list[LoadProblem]
) -> tuple[Example, ...]:
    """`examples:` (labelled questions) and `decline:` (plain questions no fact answers)."""
    data = doc.data
    if not isinstance(data, dict) or not set(data) or not set(data) <= {"examples", "decline"}:
        problems.append(LoadProblem(doc.file, 1, "(top)", "expected keys: examples, decline"))
        return ()
    out: list[Example] = []
    for key in ("examples", "decline"):
        entries = data.get(key, [])
        if not isinstance(entries, list):
            problems.append(LoadProblem(doc.file, doc.line((key,)), key, "expected a list"))
            continue
        for i, entry in enumerate(entries):
            path: Path_ = (key, i)
            raw = {"q": entry, "expect": ()} if key == "decline" else entry
            try:
                example = Example.model_validate(raw)
            except ValidationError as exc:
                problems.extend(_from_validation(exc, path if key == "examples" else (), doc))
                continue
            unknown = [i for i in example.fact_ids if i not in fact_ids]
            if unknown:
                where = doc.line((*path, "expect"))
                problem = f"unknown fact id {unknown[0]!r}"
                problems.append(LoadProblem(doc.file, where, _field(path), problem))
                continue
            out.append(example)
    return tuple(out)


def _parse(path: Path, problems: list[LoadProblem]) -> _Document | None:
    """Parse one file into data plus a line map; record a problem and return None on failure."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
        node = yaml.compose(text, Loader=_YAML_LOADER)
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(LoadProblem(name, 0, "file", f"cannot read: {exc}"))
        return None
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 0
        problems.append(LoadProblem(name, line, "yaml", str(exc.problem or exc)))
        return None
    except yaml.YAMLError as exc:
        problems.append(LoadProblem(name, 0, "yaml", str(exc)))
        return None
    doc = _Document(name, None, {})
    if node is None:
        problems.append(LoadProblem(name, 1, "file", "the file is empty"))
        return None
    before = len(problems)
    doc.data = _to_python(node, (), doc, problems)
    return doc if len(problems) == before else None


def _to_python(node: yaml.Node, path: Path_, doc: _Document, problems: list[LoadProblem]) -> Any:
    """Turn a YAML node into plain data, noting each node's line and any duplicate key."""
    doc.lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = doc.constructor.construct_object(key_node)
            if key in result:
                where = key_node.start_mark.line + 1
                problems.append(LoadProblem(doc.file, where, _field((*path, key)), "duplicate key"))
            result[key] = _to_python(value_node, (*path, key), doc, problems)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(n, (*path, i), doc, problems) for i, n in enumerate(node.value)]
    return doc.constructor.construct_object(node)


def _field(path: Path_) -> str:
    """Render a data path like facts[3].questions[0]."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top)"


def _build_lexicon(doc: _Document, problems: list[LoadProblem]) -> Lexicon | None:
    """Validate the aliases file (None if it is invalid); an alias may belong to one key only."""
    if not isinstance(doc.data, dict):
        problems.append(LoadProblem(doc.file, 1, "(top)", "expected a mapping"))
        return None
    try:
        lexicon = Lexicon.model_validate(doc.data)
    except ValidationError as exc:
        problems.extend(_from_validation(exc, (), doc))
        return None
    owner: dict[str, str] = {}
    for section in ("entities", "terms"):
        for key, variants in getattr(lexicon, section).items():
            path: Path_ = (section, key)
            if not _KEY_PATTERN.match(key):
                problems.append(LoadProblem(doc.file, doc.line(path), _field(path), "bad key"))
            if not variants:
                problems.append(LoadProblem(doc.file, doc.line(path), _field(path), "no aliases"))
            for i, variant in enumerate(variants):
                _check_variant(doc, (*path, i), variant, f"{section}.{key}", owner, problems)
    for key in lexicon.ambient:
        if key not in lexicon.entities and key not in lexicon.terms:
            where = doc.line(("ambient",))
            problems.append(LoadProblem(doc.file, where, "ambient", f"unknown key {key!r}"))
    for key in lexicon.cast:
        if key not in lexicon.entities:
            where = doc.line(("cast", key))
            problems.append(LoadProblem(doc.file, where, f"cast.{key}", "not an entity"))
    return lexicon


def _check_variant(
    doc: _Document,
    path: Path_,
    variant: str,
    key: str,
    owner: dict[str, str],
    problems: list[LoadProblem],
) -> None:
    """An alias must be non-empty and not already claimed by another key."""
    text = " ".join(variant.casefold().split())
    if not text:
        problems.append(LoadProblem(doc.file, doc.line(path), _field(path), "empty alias"))
    elif owner.get(text, key) != key:
        problem = f"alias {variant!r} already belongs to {owner[text]}"
        problems.append(LoadProblem(doc.file, doc.line(path), _field(path), problem))
    else:
        owner[text] = key


def _build_facts(
    documents: list[_Document], lexicon: Lexicon | None, problems: list[LoadProblem]
) -> list[Fact]:
    """Validate every fact in every file; ids must be unique across files."""
    facts: list[Fact] = []
    seen: dict[str, str] = {}
    for doc in documents:
        if not isinstance(doc.data, dict) or set(doc.data) != {"facts"}:
            problems.append(LoadProblem(doc.file, 1, "(top)", "expected one key: facts"))
            continue
        entries = doc.data["facts"]
        if not isinstance(entries, list):
            problems.append(LoadProblem(doc.file, doc.line(("facts",)), "facts", "expected a list"))
            continue
        for i, entry in enumerate(entries):
            fact = _build_fact(doc, ("facts", i), entry, lexicon, problems)
            raw_id = entry.get("id") if isinstance(entry, dict) else None
            if isinstance(raw_id, str):
                id_path: Path_ = ("facts", i, "id")
                line = doc.line(id_path)
                if raw_id in seen:
                    problem = f"duplicate id {raw_id!r} (first at {seen[raw_id]})"
                    problems.append(LoadProblem(doc.file, line, _field(id_path), problem))
                    continue
                seen[raw_id] = f"{doc.file}:{line}"
            if fact is not None:
                facts.append(fact)
    return facts


def _build_fact(
    doc: _Document, path: Path_, entry: Any, lexicon: Lexicon | None, problems: list[LoadProblem]
) -> Fact | None:
    """Validate one fact entry, and that everything it is `about` is a known entity."""
    if not isinstance(entry, dict):
        problems.append(LoadProblem(doc.file, doc.line(path), _field(path), "expected a mapping"))
        return None
    bad_about = _unknown_entities(doc, path, entry.get("about"), lexicon, problems)
    try:
        fact = Fact.model_validate(entry)
    except ValidationError as exc:
        problems.extend(_from_validation(exc, path, doc))
        return None
    return None if bad_about else fact


def _unknown_entities(
    doc: _Document, path: Path_, about: Any, lexicon: Lexicon | None, problems: list[LoadProblem]
) -> bool:
    """Record every `about` entry that is not an entity of the lexicon; True if any."""
    if lexicon is None or not isinstance(about, list):
        return False
    found = False
    for i, key in enumerate(about):
        if isinstance(key, str) and key not in lexicon.entities:
            where = (*path, "about", i)
            problem = f"unknown entity {key!r} (not in {LEXICON_FILE})"
            problems.append(LoadProblem(doc.file, doc.line(where), _field(where), problem))
            found = True
    return found


def _from_validation(exc: ValidationError, path: Path_, doc: _Document) -> list[LoadProblem]:
    """One LoadProblem per pydantic error, at the line of the offending node."""
    out = []
    for error in exc.errors():
        where = (*path, *error["loc"])
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = "unknown key"
        elif error["type"] == "missing":
            message = "missing field"
        out.append(LoadProblem(doc.file, doc.line(where), _field(where), message))
    return out
