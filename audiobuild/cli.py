"""The command line: a thin layer that parses options and calls the pipeline.

Exit codes: 0 success, 1 bad input or a failed build, 2 usage errors.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import sys
from pathlib import Path

from audiobuild import __version__
from audiobuild.errors import AudiobuildError, BatchFailed, printable
from audiobuild.model import LAYOUTS, ParseOptions

log = logging.getLogger("audiobuild")

DEFAULT_CONFIG = Path("podcast.toml")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="audiobuild", description="Turn interview articles into a podcast.")
    parser.add_argument("--version", action="version", version=f"audiobuild {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_CommandParser)

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
    reading.add_argument(
        "--title", type=_title, help="the episode's title, over the article's headline or file name (one article only)"
    )

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
    drafting = build.add_mutually_exclusive_group()
    drafting.add_argument(
        "--draft", action="store_true",
        help="render into OUTPUT/.drafts/ to listen to, leaving the feed alone (the default with other --voices)",
    )  # fmt: skip
    drafting.add_argument(
        "--publish", action="store_true", help="publish with --voices although they are not the podcast's voices"
    )

    build.add_argument(
        "--verify", action="store_true",
        help="listen to each episode with an offline recogniser and report the sentences not heard "
             "(pip install 'audiobuild[verify]'; podcast.toml's [reading] verify)",
    )  # fmt: skip
    build.add_argument(
        "--verify-min", type=_share, metavar="RECALL",
        help="with --verify: publish no episode with less than RECALL (0 to 1) of its words heard; it is kept as a "
             "draft and the build fails",
    )  # fmt: skip

    remove = commands.add_parser("remove", parents=[common, output], help="drop episodes and their files")
    remove.add_argument(
        "names", nargs="+", metavar="EPISODE", help="an episode's slug, or any of its files' names (`list` shows them)"
    )

    listing = commands.add_parser("list", parents=[common, output], help="list the episodes built, newest first")
    listing.add_argument("--json", action="store_true", help="as JSON, for scripts")

    feed = commands.add_parser("feed", parents=[common, output], help="regenerate the feed from the catalogue")
    feed.add_argument(
        "--rebuild-catalogue", action="store_true",
        help="first rebuild a damaged catalogue from the episodes' MP3s (the old one is kept, hidden, beside it)",
    )  # fmt: skip

    serve = commands.add_parser("serve", parents=[common, output], help="serve the output folder to podcast apps")
    serve.add_argument("--host", default="0.0.0.0", help="address to listen on (default: every interface)")
    serve.add_argument("--port", type=_port, default=8000, help="port to listen on, 0 for any free one (default: 8000)")
    serve.add_argument("--inbox", action="store_true", help="take articles sent with the inbox link (see README)")
    serve.add_argument("--certfile", type=Path, help="serve HTTPS with this certificate (PEM; for the web app)")
    serve.add_argument("--keyfile", type=Path, help="the certificate's private key, unless --certfile holds it")
    serve.add_argument("--private", action="store_true", help="serve only under a secret link (see README)")

    private = commands.add_parser("private", parents=[common, output], help="show the private feed's link")
    private.add_argument("--new-token", action="store_true", help="replace its token (the old link stops working)")

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
        "-o", "--output", type=Path, help="the folder samples go to (default: a new temporary folder, printed)"
    )

    cache = commands.add_parser("cache", parents=[common, output], help="show the clip cache's size, and prune it")
    cache.add_argument(
        "--prune", nargs="?", const="", type=_megabytes, metavar="MB",
        help="drop the least recently used clips down to [cache] max_mb, or MB (never those used in the last hour)",
    )  # fmt: skip

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


class _CommandParser(argparse.ArgumentParser):
    """A command's parser: an option it does not know is its usage error (`list --jsn` shows `list`'s usage).

    argparse hands a command's unknown arguments up to the top level, whose usage names no command's options.
    """

    def parse_known_args(self, args=None, namespace=None):
        namespace, extra = super().parse_known_args(args, namespace)
        if extra:
            self.error(f"unrecognized arguments: {' '.join(extra)}")
        return namespace, extra


class OneLine(logging.Formatter):
    """Messages as one line each, with control characters (newlines, escape sequences in a file's name) escaped.

    A traceback, with -v, follows on lines of its own.
    """

    def formatMessage(self, record: logging.LogRecord) -> str:
        return printable(record.getMessage())


def _options(args: argparse.Namespace) -> ParseOptions:
    return ParseOptions(layout=args.layout, interviewer=args.interviewer, title=args.title)


def _title(text: str) -> str:
    title = " ".join(text.split())  # one line, as a feed's <title> and an ID3 title are
    if not title or not title.isprintable():
        raise argparse.ArgumentTypeError(f"must be a title on one line, not {text!r}")
    return title


def _other_voices(voices: str | None, podcast_voices: str) -> bool:
    """True when `--voices` names another profile than podcast.toml's (ConfigError for one that does not exist).

    Such a build is a draft unless `--publish` says otherwise: a quick listen
    with espeak's voices must not replace an episode published with natural ones.
    """
    from audiobuild.voice.profiles import find_profile

    return voices is not None and find_profile(voices).resolve() != find_profile(podcast_voices).resolve()


def _share(text: str) -> float:
    try:
        share = float(text)
    except ValueError:
        share = -1.0
    if not 0 <= share <= 1:
        raise argparse.ArgumentTypeError(f"must be a share of the words from 0 to 1 (0.85), not {text!r}")
    return share


def _all_unchanged(args: argparse.Namespace, config) -> bool:
    """True, having said so, when every article of a `build` is unchanged since it was published (`run.unchanged`).

    Decided before the build is imported: a rebuild with nothing to do loads no parser, engine, numpy or pydub.
    """
    from audiobuild.run.unchanged import unchanged

    found = unchanged(args.articles, args.output, config, args.voices, _options(args))
    for entry, source in found or ():
        log.info("unchanged: %s (%s)", entry.file, source)
    return found is not None


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


def _megabytes(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"must be a whole number of megabytes, not {text!r}")
    return int(text)


def _minutes(text: str) -> float:
    from audiobuild.run.follow import watch_minutes

    try:
        return watch_minutes(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    # numpy's OpenBLAS starts a thread per core that spins between calls; nothing here multiplies matrices
    # big enough to share out, and those threads took 0.17 CPU-s of a 350-word build (5 runs, A/B). Set
    # before numpy loads, here and in the workers, which inherit it; a value the user set is kept.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
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
        from audiobuild.serve.command import run

        run(args.output, config, args.host, args.port, args.inbox, args.certfile, args.keyfile, args.private)
        return 0
    if args.command == "private":
        from audiobuild.serve.command import private_link

        sys.stdout.write(private_link(args.output, config, renew=args.new_token))
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
        import shutil

        from audiobuild.publish.catalogue import listing, load_catalogue

        width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None  # a pipe gets whole lines
        sys.stdout.write(listing(load_catalogue(args.output), as_json=args.json, width=width))
        return 0
    if args.command == "feed":
        from audiobuild.publish.episodes import refresh_feed
        from audiobuild.publish.recover import rebuild_catalogue

        if args.rebuild_catalogue:
            rebuild_catalogue(args.output)
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
    if args.command == "cache":
        from audiobuild.voice.synthesize import CACHE_DIR, describe_cache

        prune_to = config.cache.max_mb if args.prune == "" else args.prune
        sys.stdout.write(describe_cache(args.output / CACHE_DIR, config.cache.max_mb, prune_to))
        return 0
    if args.command == "follow":
        from audiobuild.run.follow import Options, feeds, follow, status

        if args.status:
            sys.stdout.write(status(args.output))
            return 0
        options = Options(args.match, args.max, args.interviews_only, args.voices, args.since, args.jobs, args.cluster)
        return 0 if follow(feeds(args.feeds, config), args.output, config, options, args.watch) else 1
    if args.title and len(args.articles) > 1:  # one title would give them one slug: each would replace the last
        log.error("audiobuild: error: --title names one episode; build the %d articles one at a time",
                  len(args.articles))  # fmt: skip
        return 2
    if args.verify or args.verify_min is not None:  # --verify-min says to listen too
        least = config.reading.verify_min if args.verify_min is None else args.verify_min
        config = dataclasses.replace(config, reading=dataclasses.replace(config.reading, verify=True, verify_min=least))
    other_voices = not args.publish and _other_voices(args.voices, config.podcast.voices)
    draft = args.draft or other_voices
    if not draft and _all_unchanged(args, config):
        return 0
    pool = None
    if not (args.cluster or config.cluster.address):
        from audiobuild.run.workers import start_workers

        # Started before the build is imported: the workers load the renderer and engines meanwhile.
        pool = start_workers(len(args.articles), args.jobs, args.voices, config)
    from audiobuild.run.batch import build_all

    code = 0
    try:
        results = build_all(
            args.articles, args.output, config, args.voices, workers=args.jobs, cluster=args.cluster,
            options=_options(args), draft=draft, pool=pool,
        )
    except BatchFailed as failed:
        if failed.attempted > 1:  # a single article's error line already says it all
            log.error("audiobuild: %s", failed)
        results, code = failed.results, 1
    if other_voices and results:
        log.info("not published: --voices %s are not the podcast's voices (%s); add --publish to publish with them",
                 args.voices, config.podcast.voices)  # fmt: skip
    return code
