"""The command line: a thin layer that parses options and calls the pipeline.

Exit codes: 0 success, 1 bad input or a failed build, 2 usage errors.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from audiobuild import __version__
from audiobuild.errors import AudiobuildError

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
    loudness.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    loudness.add_argument("-v", "--verbose", action="store_true", help="explain what is dropped; tracebacks on errors")

    output = argparse.ArgumentParser(add_help=False)
    output.add_argument("-o", "--output", type=Path, default=Path("output"), help="output folder (default: output)")
    voices = argparse.ArgumentParser(add_help=False)
    voices.add_argument("--voices", help="voice profile: a name in voices/ or a path to a .toml file")

    build = commands.add_parser(
        "build", parents=[common, output, voices], help="build articles into episodes and the feed"
    )
    build.add_argument(
        "articles", nargs="+", metavar="ARTICLE",
        help="article files (.txt, .md, .html), http(s) URLs, or script files from `audiobuild script` (.json, .yaml)",
    )  # fmt: skip
    build.add_argument(
        "-j", "--jobs", type=_positive, metavar="N", help="articles built at once (default: one per CPU core)"
    )

    remove = commands.add_parser("remove", parents=[common, output], help="drop an episode and its files")
    remove.add_argument("slug", help="the episode's slug: its MP3's file name without .mp3")

    commands.add_parser("feed", parents=[common, output], help="regenerate the feed from the catalogue")

    serve = commands.add_parser("serve", parents=[common, output], help="serve the output folder to podcast apps")
    serve.add_argument("--host", default="0.0.0.0", help="address to listen on (default: every interface)")
    serve.add_argument("--port", type=_port, default=8000, help="port to listen on, 0 for any free one (default: 8000)")

    script = commands.add_parser("script", parents=[common, voices], help="show the parsed article, to check or edit")
    script.add_argument("article", metavar="ARTICLE", help="an article file or http(s) URL")
    script.add_argument("-f", "--format", choices=("json", "yaml", "text"), default="text", help="default: text")

    listing = commands.add_parser("voices", parents=[common, voices], help="list the voices and the profile's roles")
    listing.add_argument(
        "--sample", nargs="?", const="", metavar="ROLE",
        help="write a short WAV of each voice of the profile (or of ROLE) to --output; play it where a player exists",
    )  # fmt: skip
    listing.add_argument(
        "-o", "--output", type=Path, default=Path("voice-samples"), help="where samples go (default: voice-samples)"
    )
    return parser


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {text!r}")
    return int(text)


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"must be a port number from 0 to 65535, not {text!r}")
    return int(text)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = _parser().parse_args(argv)
    level = logging.DEBUG if args.verbose else logging.WARNING if args.quiet else logging.INFO
    # Only our own logger: pyttsx3 and pydub log every call at DEBUG.
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(level)
    log.propagate = False
    try:
        return _run(args)
    except AudiobuildError as error:
        log.debug("details", exc_info=True)
        log.error("audiobuild: error: %s", error)
        return 1
    except KeyboardInterrupt:
        log.error("audiobuild: interrupted")
        return 130
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
        from audiobuild.voices import describe_voices, load_profile, play, write_samples

        profile = load_profile(args.voices or config.podcast.voices)
        if args.sample is None:
            sys.stdout.write(describe_voices(profile, config.lexicon))
            return 0
        samples = write_samples(profile, args.output, args.sample or None)
        sys.stdout.write("".join(f"{path}\n" for path in samples))
        if sys.stdout.isatty() and not play(samples):  # only for a person at a terminal, never in a pipeline
            log.info("no audio player found (paplay, aplay, afplay, ffplay): open the files to listen")
        return 0
    if args.command == "script":
        from audiobuild.pipeline import show_script

        sys.stdout.write(show_script(args.article, config, args.voices, args.format))
        return 0
    if args.command == "serve":
        from audiobuild.serve import run

        run(args.output, config, args.host, args.port)
        return 0
    config = config.for_output(args.output)
    if args.command == "remove":
        from audiobuild.publish import remove_episode

        entry = remove_episode(args.output, args.slug, config)
        log.info("removed %s (%s)", entry.slug, entry.title)
        return 0
    if args.command == "feed":
        from audiobuild.publish import refresh_feed

        log.info("wrote %s", refresh_feed(args.output, config))
        return 0
    from audiobuild.batch import BatchFailed, build_all

    try:
        build_all(args.articles, args.output, config, args.voices, workers=args.jobs)
    except BatchFailed as failed:
        if failed.attempted > 1:  # a single article's error line already says it all
            log.error("audiobuild: %s", failed)
        return 1
    return 0
