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

    commands.add_parser("voices", parents=[common, voices], help="list the engine's voices and the profile's roles")
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
    # Imported here so that `--help` and usage errors answer without loading the engine.
    from audiobuild.config import load_config

    config_path = args.config if args.config is not None else (DEFAULT_CONFIG if DEFAULT_CONFIG.is_file() else None)
    config = load_config(config_path)
    if args.command == "voices":
        return _voices(args, config)
    if args.command == "script":
        return _script(args, config)
    if args.command == "serve":
        return _serve(args, config)
    config = config.for_output(args.output)
    from audiobuild.build import BatchFailed, build_all, refresh_feed, remove_episode

    if args.command == "remove":
        entry = remove_episode(args.output, args.slug, config)
        log.info("removed %s (%s)", entry.slug, entry.title)
        return 0
    if args.command == "feed":
        log.info("wrote %s", refresh_feed(args.output, config))
        return 0

    try:
        build_all(args.articles, args.output, config, args.voices, workers=args.jobs)
    except BatchFailed as failed:
        if failed.attempted > 1:  # a single article's error line already says it all
            log.error("audiobuild: %s", failed)
        return 1
    return 0


def _serve(args: argparse.Namespace, config) -> int:
    from audiobuild.build import publish_at
    from audiobuild.serve import lan_address, make_server, qr_lines, serve_forever

    server = make_server(args.output, args.host, args.port)
    host, port = server.server_address[:2]
    if host in ("0.0.0.0", ""):
        host = lan_address() or "127.0.0.1"
    feed_url = publish_at(args.output, config, f"http://{host}:{port}/")
    print(f"Serving {args.output} at http://{host}:{port}/ (Ctrl-C stops)")
    print(f"Subscribe in your podcast app to: {feed_url}")
    print(qr_lines(feed_url), flush=True)
    serve_forever(server)
    return 0


def _script(args: argparse.Namespace, config) -> int:
    from audiobuild.build import load_script, prepare, spoken_forms
    from audiobuild.scriptfile import dump
    from audiobuild.synthesize import cast_voices

    profile = prepare(config, args.voices)
    script = load_script(args.article, config)
    voices = cast_voices(script, profile)
    spoken = spoken_forms(script, voices, profile, config)
    descriptions = {speaker: voice.describe() for speaker, voice in voices.items()}
    sys.stdout.write(dump(script, args.format, descriptions, spoken))
    return 0


def _voices(args: argparse.Namespace, config) -> int:
    from audiobuild.engines import ENGINES, EngineUnavailable, get_engine
    from audiobuild.synthesize import voice_problem
    from audiobuild.voices import load_profile

    profile = load_profile(args.voices or config.podcast.voices)
    print(f"Profile {profile.name} ({profile.path}):")
    for name, voice in profile.all_voices.items():
        problem = voice_problem(voice)
        print(f"  {name:<12} {voice.describe()}" + (f"  <- {problem}" if problem else ""))
    if profile.lexicon.entries or config.lexicon.entries:
        in_profile, in_config = len(profile.lexicon.entries), len(config.lexicon.entries)
        print(f"  lexicon: {in_profile} entries in the profile, {in_config} in podcast.toml")
    for name in ENGINES:
        try:
            engine = get_engine(name)
        except EngineUnavailable as error:
            print(f"\n{name}: {error}")
            continue
        print(f"\n{engine.name} voices ({engine.version}); lexicon phonemes in {engine.phoneme_notation}:")
        if name == "pyttsx3":
            print("  (add +VARIANT to an id for another timbre, e.g. gmw/en-us+f3 or +m3)")
        origin = None
        for voice in sorted(engine.voices, key=lambda voice: (voice.origin, voice.id)):
            if voice.origin != origin:
                origin = voice.origin
                print(f"  from {origin}:")
            print(f"    {voice.id:<28} {voice.language:<16} {voice.name}")
    return 0
