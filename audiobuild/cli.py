"""The command line: a thin layer that parses options and calls the pipeline.

Exit codes: 0 success, 1 bad input or a failed build, 2 usage errors.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from audiobuild import __version__
from audiobuild.errors import AudiobuildError, printable
from audiobuild.model import LAYOUTS, ParseOptions

log = logging.getLogger("audiobuild")

DEFAULT_CONFIG = Path("podcast.toml")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="audiobuild", description="Turn interview articles into a podcast.")
    parser.add_argument("--version", action="version", version=f"audiobuild {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        type=Path,
        help="podcast.toml with the channel and audio settings (default: ./podcast.toml if present)",
    )
    loudness = common.add_mutually_exclusive_group()
    loudness.add_argument("-q", "--quiet", action="store_true", help="print only warnings and errors (on stderr)")
    loudness.add_argument("-v", "--verbose", action="store_true", help="explain what is dropped; tracebacks on errors")

    output = argparse.ArgumentParser(add_help=False)
    output.add_argument("-o", "--output", type=Path, default=Path("output"), help="output folder (default: output)")
    voices = argparse.ArgumentParser(add_help=False)
    voices.add_argument("--voices", help="voice profile: a name in voices/ or a path to a .toml file")
    reading = argparse.ArgumentParser(add_help=False)
    reading.add_argument(
        "--layout", choices=LAYOUTS, metavar="NAME",
        help=f"read the article in this layout, when the parser guesses wrong: {', '.join(LAYOUTS)}",
    )  # fmt: skip
    reading.add_argument(
        "--interviewer", metavar="NAME",
        help="who asks the questions: a speaker's name (or label); for unlabelled questions, the name to give them",
    )  # fmt: skip

    executor = argparse.ArgumentParser(add_help=False)
    executor.add_argument(
        "-j", "--jobs", type=_positive, metavar="N", help="articles built at once (default: one per CPU core)"
    )
    executor.add_argument(
        "--cluster", metavar="ADDRESS",
        help="render on a Dask cluster: its scheduler (tcp://host:8786) or 'local' (pip install 'audiobuild[cluster]')",
    )  # fmt: skip

    build = commands.add_parser(
        "build", parents=[common, output, voices, reading, executor], help="build articles into episodes and the feed"
    )
    build.add_argument(
        "articles", nargs="+", metavar="ARTICLE",
        help="article files (.txt, .md, .html, .vtt, .srt), http(s) URLs, "
             "or script files from `audiobuild script` (.json, .yaml)",
    )  # fmt: skip

    remove = commands.add_parser("remove", parents=[common, output], help="drop episodes and their files")
    remove.add_argument(
        "names", nargs="+", metavar="EPISODE", help="an episode's slug, or any of its files' names (`list` shows them)"
    )

    listing = commands.add_parser("list", parents=[common, output], help="list the episodes built, newest first")
    listing.add_argument("--json", action="store_true", help="as JSON, for scripts")

    commands.add_parser("feed", parents=[common, output], help="regenerate the feed from the catalogue")

    serve = commands.add_parser("serve", parents=[common, output], help="serve the output folder to podcast apps")
    serve.add_argument("--host", default="0.0.0.0", help="address to listen on (default: every interface)")
    serve.add_argument("--port", type=_port, default=8000, help="port to listen on, 0 for any free one (default: 8000)")
    serve.add_argument("--inbox", action="store_true", help="take articles sent with the inbox link (see README)")
    serve.add_argument("--certfile", type=Path, help="serve HTTPS with this certificate (PEM; for the web app)")
    serve.add_argument("--keyfile", type=Path, help="the certificate's private key, unless --certfile holds it")

    inbox = commands.add_parser("inbox", parents=[common, output], help="show the inbox link and queue")
    inbox.add_argument("--new-token", action="store_true", help="replace the inbox token (the old link stops working)")

    script = commands.add_parser(
        "script", parents=[common, voices, reading], help="show the parsed article, to check or edit"
    )
    script.add_argument(
        "article", metavar="ARTICLE", help="an article file or http(s) URL, or a script file (.json, .yaml) to check"
    )
    script.add_argument("-f", "--format", choices=("json", "yaml", "text"), default="text", help="default: text")

    listing = commands.add_parser("voices", parents=[common, voices], help="list the voices and the profile's roles")
    listing.add_argument(
        "--sample", nargs="?", const="", metavar="ROLE",
        help="write a short WAV of each voice of the profile (or of ROLE) to --output; play it where a player exists",
    )  # fmt: skip
    listing.add_argument(
        "-o", "--output", type=Path, default=Path("voice-samples"), help="where samples go (default: voice-samples)"
    )

    follow = commands.add_parser(
        "follow",
        parents=[common, output, voices, executor],
        help="build feeds' new items into episodes",
    )
    follow.add_argument(
        "feeds", nargs="*", metavar="SOURCE",
        help="RSS, Atom or JSON Feed URLs or files (default: podcast.toml's [[follow]] tables)",
    )  # fmt: skip
    follow.add_argument("--max", type=_positive, metavar="N", help="only the newest N items of each feed")
    follow.add_argument("--since", type=_date, metavar="DATE", help="only items dated DATE (YYYY-MM-DD) or later")
    follow.add_argument("--match", type=_regex, metavar="REGEX", help="only items whose title or link matches")
    follow.add_argument(
        "--interviews-only", action="store_true", default=None, help="skip (and list) items without dialogue"
    )
    follow.add_argument("--watch", type=_minutes, metavar="MINUTES", help="read the feeds again every MINUTES")
    follow.add_argument("--status", action="store_true", help="list each feed's last fetch and items, then stop")
    return parser


class OneLine(logging.Formatter):
    """Messages as one line each, with control characters (newlines, escape sequences in a file's name) escaped.

    A traceback, with -v, follows on lines of its own.
    """

    def formatMessage(self, record: logging.LogRecord) -> str:
        return printable(record.getMessage())


def _options(args: argparse.Namespace) -> ParseOptions:
    return ParseOptions(layout=args.layout, interviewer=args.interviewer)


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {text!r}")
    return int(text)


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"must be a port number from 0 to 65535, not {text!r}")
    return int(text)


def _date(text: str):
    from datetime import UTC, datetime

    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a date (YYYY-MM-DD), not {text!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _regex(text: str) -> str:
    import re

    try:
        re.compile(text)
    except re.error as error:
        raise argparse.ArgumentTypeError(f"{text!r} is not a regular expression ({error})") from None
    return text


def _minutes(text: str) -> float:
    from audiobuild.run.follow import watch_minutes

    try:
        return watch_minutes(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = _parser().parse_args(argv)
    level = logging.DEBUG if args.verbose else logging.WARNING if args.quiet else logging.INFO
    # What was done, and where, on stdout (-q silences it); warnings, errors and -v's details on stderr.
    done, problems = logging.StreamHandler(sys.stdout), logging.StreamHandler(sys.stderr)
    done.addFilter(lambda record: record.levelno == logging.INFO)
    problems.addFilter(lambda record: record.levelno != logging.INFO)
    for handler in (done, problems):
        handler.setFormatter(OneLine())
    log.handlers[:] = [done, problems]
    log.setLevel(level)
    log.propagate = False
    # Other libraries' warnings (trafilatura on a huge page, Python's own warnings) only with -v:
    # the user's terminal gets audiobuild's lines. pyttsx3 and pydub log every call at DEBUG.
    logging.captureWarnings(True)
    root = logging.getLogger()
    root.handlers[:] = [problems if args.verbose else logging.NullHandler()]
    root.setLevel(logging.WARNING)
    try:
        return _run(args)
    except AudiobuildError as error:
        log.debug("details", exc_info=True)
        log.error("audiobuild: error: %s", error)
        return 1
    except KeyboardInterrupt:
        log.error("audiobuild: interrupted")
        return 130
    except OSError as error:  # the system refused: a folder that cannot be entered, say
        log.debug("details", exc_info=True)
        where = f"{error.filename}: " if error.filename else ""
        log.error("audiobuild: error: %s%s", where, error.strerror or error)
        return 1
    except Exception as error:  # a bug, not bad input: one line, the traceback with -v
        log.debug("details", exc_info=True)
        log.error("audiobuild: internal error: %s: %s (run with -v for details)", type(error).__name__, error)
        return 1


def _run(args: argparse.Namespace) -> int:
    # Imported here so that `--help` and usage errors answer without loading the engines.
    from audiobuild.config import load_config

    config_path = args.config if args.config is not None else (DEFAULT_CONFIG if DEFAULT_CONFIG.is_file() else None)
    config = load_config(config_path)
    if args.command == "voices":
        from audiobuild.voice.profiles import describe_voices, load_profile, play, write_samples

        profile = load_profile(args.voices or config.podcast.voices)
        if args.sample is None:
            sys.stdout.write(describe_voices(profile, config.lexicon))
            return 0
        samples = write_samples(profile, args.output, args.sample or None)
        sys.stdout.write("".join(f"{path}\n" for path in samples))
        if sys.stdout.isatty() and not play(samples):  # only for a person at a terminal, never in a pipeline
            log.warning("no audio player found (paplay, aplay, afplay, ffplay): open the files to listen")
        return 0
    if args.command == "script":
        from audiobuild.run.pipeline import show_script

        sys.stdout.write(show_script(args.article, config, args.voices, args.format, _options(args)))
        return 0
    if args.command == "serve":
        from audiobuild.serve.server import run

        run(args.output, config, args.host, args.port, args.inbox, args.certfile, args.keyfile)
        return 0
    config = config.for_output(args.output)
    if args.command == "remove":
        from audiobuild.publish.episodes import remove_episodes

        removed, unknown = remove_episodes(args.output, args.names, config)
        for entry in removed:
            log.info("removed %s (%s)", entry.slug, entry.title)
        for error in unknown:
            log.error("audiobuild: error: %s", error)
        return 1 if unknown else 0
    if args.command == "list":
        from audiobuild.publish.catalogue import listing, load_catalogue

        sys.stdout.write(listing(load_catalogue(args.output), as_json=args.json))
        return 0
    if args.command == "feed":
        from audiobuild.publish.episodes import refresh_feed

        log.info("wrote %s", refresh_feed(args.output, config))
        return 0
    if args.command == "inbox":
        from audiobuild.publish.feed import FEED_FILE
        from audiobuild.serve.inbox import describe

        if not args.output.is_dir():
            raise AudiobuildError(args.output, "no such folder (`audiobuild serve --inbox` makes it)")
        base = config.podcast.url(FEED_FILE).removesuffix(FEED_FILE)
        sys.stdout.write(describe(args.output, base, renew=args.new_token))
        return 0
    if args.command == "follow":
        from audiobuild.run.follow import Options, feeds, follow, status

        if args.status:
            sys.stdout.write(status(args.output))
            return 0
        options = Options(args.match, args.max, args.interviews_only, args.voices, args.since, args.jobs, args.cluster)
        return 0 if follow(feeds(args.feeds, config), args.output, config, options, args.watch) else 1
    from audiobuild.run.batch import BatchFailed, build_all

    try:
        build_all(
            args.articles, args.output, config, args.voices, workers=args.jobs, cluster=args.cluster,
            options=_options(args),
        )
    except BatchFailed as failed:
        if failed.attempted > 1:  # a single article's error line already says it all
            log.error("audiobuild: %s", failed)
        return 1
    return 0
