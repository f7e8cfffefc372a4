"""Load a facts folder: YAML -> validated, frozen FactBase, or every problem at once."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.facts.model import (
    MAX_EXAMPLES_PER_FILE,
    MAX_FACTS,
    MAX_FILE_BYTES,
    MAX_FOLDER_BYTES,
    Example,
    Fact,
    FactBase,
    Lexicon,
)

__all__ = [
    "EXAMPLES_DIR",
    "LEXICON_FILE",
    "FactBaseError",
    "LoadProblem",
    "load_fact_base",
]

LEXICON_FILE = "aliases.yaml"
# Labelled questions the model learns from, one file per set (see the README).
EXAMPLES_DIR = "examples"
_KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
# libyaml's parser when PyYAML has it (ten times faster on the example sets), else Python's.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# The YAML a fact file needs: text, numbers, booleans, null, lists and mappings. Anything else
# (dates, binary, sets, merge keys, custom tags) is refused before it is built: building some
# of it raises, and none of it is a fact.
_STANDARD = "tag:yaml.org,2002:"
_ALLOWED_TAGS: dict[type[yaml.Node], frozenset[str]] = {
    yaml.ScalarNode: frozenset(_STANDARD + t for t in ("str", "int", "float", "bool", "null")),
    yaml.SequenceNode: frozenset({_STANDARD + "seq"}),
    yaml.MappingNode: frozenset({_STANDARD + "map"}),
}
# Fact and example files nest five levels deep; far deeper is a mistake (or an attack on the
# stack, which a walk of thousands of levels would overflow).
MAX_DEPTH = 20

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
    files, example_files = _yaml_files(root), _yaml_files(root / EXAMPLES_DIR)
    size = sum(_size(p) for p in (*files, *example_files))
    if size > MAX_FOLDER_BYTES:
        problem = f"{_megabytes(size)} of YAML; at most {_megabytes(MAX_FOLDER_BYTES)}"
        raise FactBaseError([LoadProblem(str(root), 0, "folder", problem)])
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
    examples = _load_examples(example_files, {f.id for f in facts}, problems)
    if problems or lexicon is None:
        raise FactBaseError(problems)
    return FactBase(tuple(facts), lexicon, source_dir=str(root), examples=examples)


def _yaml_files(folder: Path) -> list[Path]:
    """The folder's YAML files in name order; none if it is not a folder."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in {".yaml", ".yml"} and p.is_file())


def _size(path: Path) -> int:
    """The file's size; 0 if it cannot be read (reading it reports why)."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def _load_examples(
    files: list[Path], fact_ids: set[str], problems: list[LoadProblem]
) -> dict[str, tuple[Example, ...]]:
    """Every example file (none is fine), by set name: the file's stem."""
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
        if len(entries) > MAX_EXAMPLES_PER_FILE:
            problem = f"{len(entries):,} entries; at most {MAX_EXAMPLES_PER_FILE:,} a file"
            problems.append(LoadProblem(doc.file, doc.line((key,)), key, problem))
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
    node = _compose(path, problems)
    if node is None:
        return None
    doc = _Document(str(path), None, {})
    before = len(problems)
    doc.data = _to_python(node, (), doc, problems)
    return doc if len(problems) == before else None


def _compose(path: Path, problems: list[LoadProblem]) -> yaml.Node | None:
    """The file's node tree, or None with a problem: unreadable, too large, not YAML, empty,
    or using aliases (a tree of a few hundred bytes could stand for billions of nodes)."""
    name = str(path)
    try:
        text = _read(path)
        node = yaml.compose(text, Loader=_YAML_LOADER)
        alias = _first_alias(text) if "*" in text else None  # no `*`, no alias
    except _FileTooLargeError:
        problem = f"larger than {_megabytes(MAX_FILE_BYTES)}; split it"
        problems.append(LoadProblem(name, 1, "file", problem))
        return None
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
    if alias is not None:
        problem = f"aliases (*{alias.anchor}) are not allowed; write the value out"
        line = alias.start_mark.line + 1 if alias.start_mark else 0
        problems.append(LoadProblem(name, line, "yaml", problem))
        return None
    if node is None:
        problems.append(LoadProblem(name, 1, "file", "the file is empty"))
    return node


class _FileTooLargeError(Exception):
    pass


def _read(path: Path) -> str:
    """The file's text, read no further than the size limit."""
    with path.open("rb") as stream:
        raw = stream.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise _FileTooLargeError
    return raw.decode("utf-8")


def _first_alias(text: str) -> yaml.AliasEvent | None:
    """The first alias (`*name`) in the text's events."""
    events = yaml.parse(text, Loader=_YAML_LOADER)
    return next((e for e in events if isinstance(e, yaml.AliasEvent)), None)


def _to_python(node: yaml.Node, path: Path_, doc: _Document, problems: list[LoadProblem]) -> Any:
    """Turn a YAML node tree into plain data, noting each node's line and any duplicate key;
    refuse other types than plain data, and deep nesting, before building any."""
    line = doc.lines[path] = node.start_mark.line + 1
    problem = _refusal(node, path)
    if problem:
        problems.append(LoadProblem(doc.file, line, _field(path), problem))
        return None
    if isinstance(node, yaml.MappingNode):
        return _mapping(node, path, doc, problems)
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(n, (*path, i), doc, problems) for i, n in enumerate(node.value)]
    try:
        return doc.constructor.construct_object(node)
    except ValueError:  # an integer of thousands of digits
        problems.append(LoadProblem(doc.file, line, _field(path), "cannot read this number"))
        return None


def _refusal(node: yaml.Node, path: Path_) -> str | None:
    """Why a node is not plain fact data, if it is not."""
    if len(path) > MAX_DEPTH:
        return f"nested more than {MAX_DEPTH} levels deep"
    if node.tag not in _ALLOWED_TAGS.get(type(node), frozenset()):
        kind = node.tag.removeprefix(_STANDARD)
        return f"a {kind} is not allowed here (quote it if it is text)"
    return None


def _mapping(
    node: yaml.MappingNode, path: Path_, doc: _Document, problems: list[LoadProblem]
) -> dict[Any, Any]:
    """A mapping whose keys are plain scalars, each once."""
    result: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        where = key_node.start_mark.line + 1
        if not isinstance(key_node, yaml.ScalarNode):
            problem = "a key must be plain text, not a list or mapping"
            problems.append(LoadProblem(doc.file, where, _field(path), problem))
            continue
        key = _to_python(key_node, (*path, "(key)"), doc, problems)
        if key in result:
            problems.append(LoadProblem(doc.file, where, _field((*path, key)), "duplicate key"))
        result[key] = _to_python(value_node, (*path, key), doc, problems)
    return result


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
    counted = 0
    for doc in documents:
        entries = _fact_entries(doc, counted, problems)
        counted += len(entries)
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


def _fact_entries(doc: _Document, counted: int, problems: list[LoadProblem]) -> list[Any]:
    """The file's fact entries; none (and a problem) if the file is not a list of at most
    MAX_FACTS with the `counted` before it."""
    if not isinstance(doc.data, dict) or set(doc.data) != {"facts"}:
        problems.append(LoadProblem(doc.file, 1, "(top)", "expected one key: facts"))
        return []
    entries = doc.data["facts"]
    if not isinstance(entries, list):
        problems.append(LoadProblem(doc.file, doc.line(("facts",)), "facts", "expected a list"))
        return []
    if counted + len(entries) > MAX_FACTS:
        problem = f"more than {MAX_FACTS:,} facts in the folder"
        problems.append(LoadProblem(doc.file, doc.line(("facts",)), "facts", problem))
        return []
    return entries


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
