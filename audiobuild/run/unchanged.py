"""The rebuild that has nothing to do: decided from the inputs' bytes, before any engine, numpy or pydub is loaded.

A build plans an article (parse, cast, say) to know whether its episode is
unchanged (`pipeline.plan_episode` compares the catalogue's fingerprint), and
that needs the parser, the engines' versions and the worker processes it starts
meanwhile: about a second with espeak, two with the natural voices. Here the
same answer comes from what the plan is made of, read as bytes:

- the article file's bytes, and how it is read (`--title`, `--layout`, `--interviewer`);
- podcast.toml as loaded (every setting, the address the folder is served at) and its cover file's identity;
- the voice profile's bytes, and the size and time of every file in the profile folders (profiles, models);
- what makes the audio besides them: audiobuild's own files, the Python packages installed
  (the engines' versions are in their names), and the system's shared libraries (`/etc/ld.so.cache`,
  rewritten whenever one is installed or upgraded: a system espeak-ng's version).

After a build publishes an article, `record` keeps the digest of those inputs
with the episode's slug and fingerprint in `.state/built/<source id>.json`;
`unchanged` then holds an article unchanged when its digest is the same and the
catalogue still has that episode, with that fingerprint, its files intact. Any
doubt (another digest, a removed or damaged episode, a record that cannot be
read) is no answer, and the build plans as before: the records only ever save
work, and the catalogue stays the one truth. Drafts, URLs and scripts read by
`follow` or the inbox always take the full path.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import stat
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import audiobuild
from audiobuild.atomic import write_if_changed
from audiobuild.config import Config
from audiobuild.errors import AudiobuildError
from audiobuild.model import Entry, ParseOptions
from audiobuild.publish.catalogue import intact, load_catalogue, source_id
from audiobuild.publish.feed import FEED_FILE
from audiobuild.publish.state import STATE_DIR
from audiobuild.voice.engines.base import profile_dirs
from audiobuild.voice.profiles import find_profile

if TYPE_CHECKING:
    from audiobuild.run.pipeline import Result

log = logging.getLogger("audiobuild")

RECORDS_DIR = "built"  # in the folder's .state/: one small JSON document per article, so none grows with the archive
_LIBRARIES = Path("/etc/ld.so.cache")  # ldconfig rewrites it whenever a package installs or upgrades a shared library


def input_digests(
    sources: list, output: Path, config: Config, voices: str | None, options: ParseOptions
) -> dict[str, str]:
    """The digest of everything each local article's episode is made from, by source (as `str(source)`).

    URLs and Scripts already read have none: they always take the full path.
    Computed before the articles are planned, so that an article changed
    meanwhile is recorded with its older digest (and built again next time),
    never the other way round. ConfigError when the profile does not exist.
    """
    web = ("http://", "https://")
    files = [item for item in sources if isinstance(item, (str, Path)) and not str(item).lower().startswith(web)]
    setting = _setting(output, config, voices, options) if files else b""
    digests = {str(source): _article_digest(Path(source), setting) for source in files}
    return {source: digest for source, digest in digests.items() if digest is not None}


def unchanged(
    sources: list[str], output: Path, config: Config, voices: str | None, options: ParseOptions
) -> list[tuple[Entry, str]] | None:
    """(the episode, its source) of each article when every one is unchanged since its last build; else None.

    Reads the article files, the records and the catalogue's rows of their
    episodes, and nothing more: None (the full build decides) at the first
    doubt, including every error, which the full build then reports as it always did.
    """
    try:
        digests = input_digests(sources, output, config, voices, options)
        if len(digests) != len(sources) or not (output / FEED_FILE).is_file():  # a URL, or a source twice
            return None
        records = {source: _read_record(output, source_id(Path(source))) for source in sources}
        if any(record is None or record["inputs"] != digests[source] for source, record in records.items()):
            return None  # before the catalogue is opened: a folder no build of this version recorded is left as is
        catalogue = load_catalogue(output)
        try:
            found = []
            for source, record in records.items():
                identity = source_id(Path(source))
                entry = catalogue.get(record["slug"])
                if entry is None or entry.source_id != identity or entry.fingerprint != record["fingerprint"]:
                    return None
                if not intact(output, entry) or any(entry.slug == other.slug for other, _ in found):
                    return None
                found.append((entry, source))
            return found
        finally:
            catalogue.close()
    except (AudiobuildError, OSError, ValueError):
        return None


def record(output: Path, digests: dict[str, str], results: list[Result]) -> None:
    """Remember, for each published result whose article has a digest, that digest with its episode's slug and
    fingerprint (`.state/built/<source id>.json`), for `unchanged` to compare next time.

    Each record is replaced atomically, and only when it changes: a crash leaves the old one or the new one,
    and either only saves work, as does one that cannot be written (the episode is built; the next build plans
    it to know it is unchanged).
    """
    for result in results:
        digest = digests.get(result.source)
        if digest is None:
            continue
        path = output / STATE_DIR / RECORDS_DIR / f"{source_id(Path(result.source))}.json"
        entry = result.entry
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_if_changed(path, json.dumps({"inputs": digest, "slug": entry.slug,
                                               "fingerprint": entry.fingerprint}).encode())  # fmt: skip
        except OSError as error:
            log.debug("%s: not recorded (%s)", path, error.strerror or error)


def _read_record(output: Path, identity: str) -> dict | None:
    """An article's record, or None when there is none or it is not one (hand-edited, cut short)."""
    try:
        data = json.loads((output / STATE_DIR / RECORDS_DIR / f"{identity}.json").read_bytes())
    except (OSError, ValueError):
        return None
    fields = ("inputs", "slug", "fingerprint")
    if not isinstance(data, dict) or not all(isinstance(data.get(name), str) for name in fields):
        return None
    return data


def _article_digest(path: Path, setting: bytes) -> str | None:
    """The digest of an article file with `setting`; None for anything but a regular file (a pipe is read once)."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            return None
        where, article = str(path.resolve()), path.read_bytes()
    except (OSError, RuntimeError):  # RuntimeError: a loop of symbolic links, which the full build reports
        return None
    return hashlib.sha256(b"".join([setting, where.encode(), b"\0", article])).hexdigest()


def _setting(output: Path, config: Config, voices: str | None, options: ParseOptions) -> bytes:
    """What every article of a build is made with, as bytes: the config, the voices, the software."""
    config = config.for_output(output)  # the address the feed names, as the build will write it
    profile = find_profile(voices or config.podcast.voices)
    cover = Path(config.podcast.cover)
    if config.podcast.cover and not cover.is_absolute() and config.path is not None:
        cover = config.path.parent / cover  # as `publish.cover.cover_source` finds it
    parts = [
        repr(config), repr(options), str(profile.resolve()), profile.read_bytes().hex(),
        _stat(cover) if config.podcast.cover else "",
        *(_listing(folder) for folder in profile_dirs()),
        _listing(Path(audiobuild.__file__).parent), _packages(), _stat(_LIBRARIES), sys.version,
    ]  # fmt: skip
    return "\n".join(parts).encode()


def _stat(path: Path) -> str:
    try:
        status = path.stat()
    except OSError:
        return f"{path} -"
    return f"{path} {status.st_size} {status.st_mtime_ns}"


def _listing(folder: Path) -> str:
    """Every file under `folder` with its size and time (not Python's byte-code caches, which it rewrites itself)."""
    lines = []
    for root, folders, files in os.walk(folder):
        folders[:] = sorted(name for name in folders if name != "__pycache__")
        lines += [_stat(Path(root) / name) for name in sorted(files)]
    return "\n".join(lines)


def _packages() -> str:
    """The Python packages installed, with their versions (each `name-version.dist-info` folder on the path)."""
    names = []
    for entry in sys.path:
        try:
            names += sorted(name for name in os.listdir(entry or ".") if name.endswith((".dist-info", ".egg-info")))
        except OSError:  # a zip, or a folder that is gone
            continue
    return " ".join(names)
