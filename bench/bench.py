"""audiobuild's benchmark: whole builds next to the floor of their parts, measured in the same run.

    make bench                          # the figures the speed issue asks for, and a summary of them
    .venv/bin/python bench/bench.py --quick
    .venv/bin/python bench/bench.py --million   # the catalogue at 1,000,000 episodes alone (slow)

The floor of an article is espeak-ng speaking its text to a WAV (the system's
`espeak-ng -w` when installed, else bench/espeak_floor.py driving the same
library) plus ffmpeg encoding that WAV to the same MP3 settings, each as a
whole process. Builds with the `natural` profile (two engines: hibari asks,
Piper answers and narrates) are set against each engine speaking its share of
the text in one call (bench/natural_floor.py) plus ffmpeg encoding both.
A rebuild with nothing to do is set against the interpreter's own start
(`python -c pass`) and the CLI's (`audiobuild --version`), measured in turn
with it. Every figure is a median over several runs; ratios are what to
compare between machines. Articles are generated from a seed, so runs compare.
Processes run with byte-code caches, as an installed package does (pip
compiles them): without them every start compiles audiobuild again.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from audiobuild.audio.assemble import ffmpeg_path  # noqa: E402
from audiobuild.audio.tag import mp3_duration  # noqa: E402
from audiobuild.model import Encoding  # noqa: E402
from audiobuild.publish.catalogue import load_catalogue  # noqa: E402

AUDIOBUILD = [sys.executable, "-m", "audiobuild"]

_SUBJECTS = ["The harbour master", "Our team", "The council", "A young engineer", "The old keeper", "My grandmother"]
_VERBS = ["repaired", "measured", "described", "remembered", "questioned", "painted", "counted", "studied"]
_OBJECTS = ["the northern lighthouse", "every winter storm", "the tides of the bay", "a forgotten ledger",
            "the long road home", "the price of bread", "the first radio signal", "the empty station"]  # fmt: skip
_TAILS = ["before dawn", "with great care", "for twenty years", "despite the weather", "in the spring of 1998"]


def make_article(words: int, seed: int, title: str, distinct: bool = False) -> str:
    """An interview in the dash layout with about `words` words, the same for the same seed.

    With `distinct`, no sentence repeats (each has a year of its own), so the
    clip cache saves nothing: every sentence is synthesized.
    """
    rng = random.Random(seed)
    years = itertools.count(1600)

    def sentences(count: int) -> str:
        return " ".join(
            f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)} "
            f"{f'in the winter of {next(years)}' if distinct else rng.choice(_TAILS)}."
            for _ in range(count)
        )

    lines, count, question = [f"Ada Lindqvist: {title}", "", "By The Bench Gazette", ""], 0, True
    while count < words:
        asked = f"Why did that matter in {next(years)}?" if distinct else "Why did that matter?"
        paragraph = f"{asked} {sentences(1)}" if question else sentences(rng.randint(3, 6))
        lines += [f"- {paragraph}", ""]
        count += len(paragraph.split())
        question = not question
    return "\n".join(lines)


def run(command: list[str], cwd: Path = REPO) -> tuple[float, int]:
    """Wall seconds and peak resident memory (bytes) of one whole process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    errors = process.stderr.read().decode()
    process.stderr.close()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{errors}")
    return elapsed, usage.ru_maxrss * 1024


def floor(article: Path, scratch: Path, voices: str = "espeak") -> float:
    """Seconds for the profile's engines to speak the text to WAVs plus ffmpeg to encode them to our MP3 settings."""
    wav, mp3 = scratch / "floor.wav", scratch / "floor.mp3"
    text = scratch / "floor.txt"
    text.write_text(article.read_text(encoding="utf-8"), encoding="utf-8")
    espeak = shutil.which("espeak-ng")
    wavs = [wav]
    if voices == "natural":
        wavs = [scratch / "floor-hibari.wav", scratch / "floor-piper.wav"]
        synth = [sys.executable, str(REPO / "bench" / "natural_floor.py"), str(text), *map(str, wavs)]
    elif espeak:
        synth = [espeak, "-v", "en-us", "-f", str(text), "-w", str(wav)]
    else:
        synth = [sys.executable, str(REPO / "bench" / "espeak_floor.py"), str(text), str(wav)]
    encoding = Encoding()
    inputs = [argument for path in wavs for argument in ("-i", str(path))]
    joined = ["-filter_complex", f"concat=n={len(wavs)}:v=0:a=1"] if len(wavs) > 1 else []
    encode = [
        ffmpeg_path(), "-v", "error", "-y", *inputs, *joined, "-codec:a", "libmp3lame",
        "-b:a", f"{encoding.bitrate_kbps}k", "-ar", str(encoding.sample_rate), "-ac", "1", str(mp3),
    ]  # fmt: skip
    return run(synth)[0] + run(encode)[0]


def median(values: list[float]) -> float:
    return statistics.median(values)


def build_command(output: Path, *articles: Path, jobs: int | None = None, voices: str = "espeak") -> list[str]:
    extra = ["--jobs", str(jobs)] if jobs else []
    return [*AUDIOBUILD, "build", "-q", "-o", str(output), "--voices", voices, "--publish", *extra, *map(str, articles)]


def bench_articles(scratch: Path, sizes: dict[str, int], runs: int, voices: str = "espeak") -> dict[str, dict]:
    """Whole builds of single articles (no sentence twice) with the voice profile `voices` against their floors."""
    figures = {}
    for name, words in sizes.items():
        article = scratch / f"{name}.txt"
        title = f"A {name} conversation about the sea"
        article.write_text(make_article(words, seed=len(name), title=title, distinct=True))
        walls, memories, floors = [], [], []
        for attempt in range(runs):
            output = scratch / f"out-{voices}-{name}-{attempt}"
            wall, memory = run(build_command(output, article, voices=voices))
            walls.append(wall)
            memories.append(memory)
            floors.append(floor(article, scratch, voices))
        (entry,) = load_catalogue(output).entries
        rebuilds = [run(build_command(output, article, voices=voices))[0] for _ in range(runs)]
        figures[name] = {
            "words": len(article.read_text().split()),
            "audio": mp3_duration(output / entry.file),
            "build": median(walls),
            "floor": median(floors),
            "rss": max(memories),
            "rebuild": median(rebuilds),
        }
    return figures


def bench_unchanged(scratch: Path, profiles: list[str], runs: int) -> dict[str, float]:
    """Seconds of a rebuild with nothing to do for each profile, next to the interpreter's and the CLI's start.

    Rebuilds the short article into the folder `bench_articles` built it into last; the three kinds of
    process take turns, so that a busy moment of the machine falls on each alike.
    """
    commands = {"python": [sys.executable, "-c", "pass"], "cli": [*AUDIOBUILD, "--version"]}
    for profile in profiles:
        output = scratch / f"out-{profile}-short-{runs - 1}"
        before = _listing(output)
        commands[profile] = build_command(output, scratch / "short.txt", voices=profile)
        run(commands[profile])
        if _listing(output) != before:  # it built or wrote something: not the figure asked for
            raise SystemExit(f"the rebuild into {output} was not a rebuild with nothing to do")
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(max(runs, 5)):
        for name, command in commands.items():
            times[name].append(run(command)[0])
    return {name: median(values) for name, values in times.items()}


def _listing(folder: Path) -> dict[str, int]:
    return {str(path): path.stat().st_mtime_ns for path in folder.rglob("*") if path.is_file()}


def print_unchanged(times: dict[str, float]) -> None:
    """One line per profile: the rebuild's seconds, and as a multiple of the interpreter's start."""
    python, cli = times["python"], times["cli"]
    print(f"unchanged rebuild (nothing to build; python -c pass {python:.3f}s, audiobuild --version {cli:.3f}s):")
    for profile, seconds in times.items():
        if profile not in ("python", "cli"):
            print(f"  {profile}: {seconds:.3f}s ({seconds / python:.1f}x python's start, "
                  f"{seconds / cli:.2f}x the CLI's)")  # fmt: skip


def bench_memory(scratch: Path, sizes: list[int], voices: str = "natural") -> dict[int, int]:
    """Peak resident memory (bytes) of one build of an article of each size in words, no sentence twice."""
    peaks = {}
    for words in sizes:
        article = scratch / f"memory-{words}.txt"
        article.write_text(make_article(words, seed=words, title=f"A conversation of {words} words", distinct=True))
        peaks[words] = run(build_command(scratch / f"memory-{voices}-{words}", article, voices=voices))[1]
    return peaks


def bench_batch(scratch: Path, count: int, voices: str = "espeak") -> tuple[float, float, int]:
    """Seconds to build `count` articles one at a time and with every core."""
    articles = []
    for number in range(count):
        article = scratch / f"batch-{number:03d}.txt"
        article.write_text(make_article(300, seed=100 + number, title=f"Batch conversation number {number}"))
        articles.append(article)
    serial = run(build_command(scratch / f"batch-{voices}-serial", *articles, jobs=1, voices=voices))[0]
    parallel = run(build_command(scratch / f"batch-{voices}-parallel", *articles, voices=voices))[0]
    return serial, parallel, os.cpu_count() or 1


def bench_loudness(scratch: Path) -> tuple[float, float]:
    """Seconds measuring clips and planning levels while the long article renders in this process, and the render's.

    In this process, not through `build`: a build renders in a worker process, where these wrappers do not reach.
    """
    import audiobuild.audio.assemble as assemble_module
    from audiobuild.config import Config
    from audiobuild.publish.catalogue import load_catalogue
    from audiobuild.publish.cover import cover_bytes
    from audiobuild.run.pipeline import plan_episode, prepare, render

    spent = [0.0]

    def timed(function):
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[0] += time.perf_counter() - start

        return wrapper

    assemble_module.meter_pcm16 = timed(assemble_module.meter_pcm16)
    assemble_module.plan_levels = timed(assemble_module.plan_levels)
    output, config = scratch / "out-loudness", Config()
    output.mkdir()
    plan = plan_episode(str(scratch / "long.txt"), load_catalogue(output), config, prepare(config, "espeak"))
    start = time.perf_counter()
    render(plan, output, config, cover_bytes(output, config))
    return spent[0], time.perf_counter() - start


def bench_serve(scratch: Path, clients: int = 50, requests_each: int = 40) -> dict[int, tuple[float, float]]:
    """Requests per second and p99 latency (ms) of ranged MP3 requests, for 1 and for `clients` clients."""
    import http.client
    import threading

    from audiobuild.serve.server import make_server, serve_forever

    output = scratch / "out-espeak-long-0"
    (mp3,) = (output / "episodes").glob("*.mp3")
    size = mp3.stat().st_size
    server = make_server(output, "127.0.0.1", 0)
    threading.Thread(target=serve_forever, args=(server,), daemon=True).start()
    port = server.server_address[1]
    figures = {}
    try:
        for count in (1, clients):
            latencies: list[float] = []
            lock = threading.Lock()

            def client(seed: int) -> None:
                rng = random.Random(seed)
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                mine = []
                for _ in range(requests_each):
                    start = rng.randrange(size - 65536)
                    began = time.perf_counter()
                    connection.request(
                        "GET", f"/episodes/{mp3.name}", headers={"Range": f"bytes={start}-{start + 65535}"}
                    )
                    response = connection.getresponse()
                    assert response.status == 206 and len(response.read()) == 65536
                    mine.append(time.perf_counter() - began)
                connection.close()
                with lock:
                    latencies.extend(mine)

            threads = [threading.Thread(target=client, args=(seed,)) for seed in range(count)]
            began = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - began
            latencies.sort()
            figures[count] = (len(latencies) / elapsed, latencies[int(len(latencies) * 0.99) - 1] * 1000)
    finally:
        server.shutdown()
    return figures


def bench_follow(scratch: Path, runs: int, items: int = 50) -> dict[str, float]:
    """Seconds for `audiobuild follow` over an `items`-item feed where nothing changed, and its baselines.

    The feed is served from 127.0.0.1 with validators, built once, then followed
    again: that run costs one conditional GET (a 304) and no build. Baselines from
    the same run: the CLI's own start (`audiobuild --version`) and one HTTP round
    trip to the same server.
    """
    import email.utils
    import http.server
    import threading
    import urllib.error
    import urllib.request

    entries = "".join(
        f"<item><title>Conversation number {number}</title><link>http://127.0.0.1/{number}</link>"
        f"<guid>item-{number}</guid><pubDate>{email.utils.formatdate(1.7e9 + number * 3600, usegmt=True)}</pubDate>"
        f"<content:encoded><![CDATA[<p>- Why did it matter, number {number}?</p>"
        f"<p>- Because the sea keeps time for us.</p>]]></content:encoded></item>"
        for number in range(items)
    )
    channel = f"<title>Bench</title><link>http://127.0.0.1/</link>{entries}"
    feed = ('<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
            f"<channel>{channel}</channel></rss>").encode()  # fmt: skip
    etag = '"bench-1"'

    class Feed(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            fresh = self.headers.get("If-None-Match") == etag
            self.send_response(304 if fresh else 200)
            self.send_header("ETag", etag)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", "0" if fresh else str(len(feed)))
            self.end_headers()
            if not fresh:
                self.wfile.write(feed)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Feed)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/feed.xml"
    output = scratch / "follow"
    command = [*AUDIOBUILD, "follow", "-q", "-o", str(output), url]
    try:
        run(command)  # the first run builds the 50 episodes
        assert len(load_catalogue(output).entries) == items
        unchanged = median([run(command)[0] for _ in range(max(runs, 3))])
        start = median([run([*AUDIOBUILD, "--version"])[0] for _ in range(max(runs, 3))])
        trips = []
        for _ in range(20):
            began = time.perf_counter()
            request = urllib.request.Request(url, headers={"If-None-Match": etag})
            try:
                urllib.request.urlopen(request).close()
            except urllib.error.HTTPError as answer:  # the 304
                answer.close()
            trips.append(time.perf_counter() - began)
    finally:
        server.shutdown()
        server.server_close()
    return {"follow": unchanged, "start": start, "round_trip": median(trips)}


def print_articles(heading: str, articles: dict[str, dict]) -> None:
    """The table of single-article builds."""
    print(heading)
    columns = ("words", 6), ("audio", 6), ("build", 8), ("floor", 8), ("ratio", 6), ("RTF", 6), ("peak RSS", 9)
    print(f"{'article':<10} " + " ".join(f"{name:>{width}}" for name, width in columns) + f" {'rebuild':>8}")
    for name, f in articles.items():
        print(
            f"{name:<10} {f['words']:>6} {_clock(f['audio']):>6} {f['build']:>7.2f}s {f['floor']:>7.2f}s "
            f"{f['build'] / f['floor']:>5.2f}x {f['audio'] / f['build']:>5.0f}x {f['rss'] / 2**20:>6.0f} MB "
            f"{f['rebuild']:>7.2f}s"
        )


def _clock(seconds: float) -> str:
    return f"{int(seconds // 60)}:{int(seconds % 60):02d}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per figure; the median is printed")
    parser.add_argument("--quick", action="store_true", help="smaller articles and batch, one run each")
    parser.add_argument("--natural", action="store_true", help="only the natural profile's figures")
    parser.add_argument("--million", action="store_true", help="only the catalogue at 1,000,000 episodes (one run)")
    args = parser.parse_args()
    runs = 1 if args.quick else args.runs
    sizes = {"short": 300, "long": 3000, "very long": 10000 if args.quick else 30000}
    batch = 10 if args.quick else 100
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # measured as installed: see the docstring

    with tempfile.TemporaryDirectory(prefix="audiobuild-bench-") as folder:
        scratch = Path(folder)
        if args.million:
            from bench.catalogue import bench_catalogue, print_catalogue

            (row,) = bench_catalogue(scratch, 1, [1_000_000])
            print_catalogue([row])
            print(f"\n{_summary([_catalogue_line(row)])}")
            return
        print(f"audiobuild benchmark: {runs} run(s) per figure, medians; {os.cpu_count()} cores\n")
        summary: list[str] = []  # the figures issue 27's "Done means" lists, each with its goal
        articles: dict[str, dict] = {}
        if not args.natural:
            articles = bench_articles(scratch, sizes, runs)
            print_articles("espeak profile: espeak-ng through pyttsx3; floor: espeak-ng + ffmpeg", articles)
            long, very_long = articles["long"], articles["very long"]
            print(
                f"\nlinearity: {very_long['words'] / long['words']:.1f}x the words cost "
                f"{very_long['build'] / long['build']:.2f}x the time"
            )
            for name, goal in (("short", 1.5), ("long", 1.0), ("very long", 1.0)):
                f = articles[name]
                summary.append(f"espeak build, {f['words']:,} words: {f['build'] / f['floor']:.2f}x the floor "
                               f"({f['build']:.2f}s; goal at most {goal}x)")  # fmt: skip
            from bench.catalogue import bench_catalogue, print_catalogue

            print()
            print_catalogue(bench_catalogue(scratch, runs, [1000, 10000] if args.quick else [1000, 10000, 100000]))
            print()
            serial, parallel, cores = bench_batch(scratch, batch)
            print(
                f"batch of {batch}: {serial:.1f}s one at a time, {parallel:.1f}s on {cores} cores "
                f"({serial / parallel:.2f}x faster; {batch * 3600 / parallel:.0f} articles/hour)"
            )
            print(f"sizing, espeak: {batch * 3600 / parallel / cores:.0f} articles of 300 words an hour per core")
            from bench.cluster import bench_cluster, print_cluster

            for profile in ("espeak", "natural"):
                count = 10 if args.quick else 20
                times = bench_cluster(scratch / f"cluster-{profile}", count, runs, profile)
                print_cluster(profile, count, times)
                if profile == "espeak":
                    summary.append(f"--cluster local, {count} short espeak articles: "
                                   f"{times['local cluster'] / times['pool']:.2f}x the process pool "
                                   "(goal at most 1.10x)")  # fmt: skip
            loudness, total = bench_loudness(scratch)
            print(f"loudness measurement and planning: {loudness:.2f}s of a {total:.2f}s long render "
                  f"({100 * loudness / total:.1f}%; synthesis and encoding go on meanwhile)")  # fmt: skip
        natural = bench_articles(scratch, {"short": sizes["short"], "long": sizes["long"]}, runs, "natural")
        print()
        print_articles(
            "natural profile (the default): hibari heart asks, Piper en_US-joe-medium answers and narrates;\n"
            "floor: each engine speaking its share of the text + ffmpeg",
            natural,
        )
        for name, f in natural.items():
            if name in articles:
                print(f"  {name}: {f['build'] / articles[name]['build']:.1f}x the espeak profile's build time")
        serial, parallel, cores = bench_batch(scratch, batch // 10, "natural")
        print(
            f"  batch of {batch // 10}: {serial:.1f}s one at a time, {parallel:.1f}s on {cores} cores "
            f"({serial / parallel:.2f}x faster)"
        )
        print(f"sizing, natural: {batch // 10 * 3600 / parallel / cores:.0f} articles of 300 words an hour per core")
        unchanged = bench_unchanged(scratch, ["natural"] if args.natural else ["espeak", "natural"], runs)
        print_unchanged(unchanged)
        for profile in ("espeak", "natural"):
            if profile in unchanged:
                summary.append(f"unchanged rebuild, {profile}: {unchanged[profile]:.3f}s, "
                               f"{unchanged[profile] / unchanged['python']:.1f}x python -c pass "
                               "(goal at most 0.3s)")  # fmt: skip
        peaks = bench_memory(scratch, [300, 3000 if args.quick else 30000])
        (small, low), (large, high) = sorted(peaks.items())
        print(f"natural peak RSS: {low / 2**20:.0f} MB at {small} words, {high / 2**20:.0f} MB at {large} "
              f"({(high - low) / 2**20:+.0f} MB)")  # fmt: skip
        summary.append(f"natural peak RSS: {low / 2**20:.0f} MB at {small:,} words, {high / 2**20:.0f} MB at "
                       f"{large:,} ({(high - low) / 2**20:+.0f} MB; goal at most +100 MB)")  # fmt: skip
        # Kokoro reads the other languages' articles: its cost apart, in a process of its own (its peak RSS).
        kokoro = subprocess.run([sys.executable, "-m", "bench.kokoro"], cwd=REPO, check=True, capture_output=True,
                                text=True).stdout.strip()  # fmt: skip
        print(kokoro)
        summary.append(kokoro)
        # What `build --verify` costs, against the same build without it (bench/verify.py).
        verify = subprocess.run([sys.executable, "-m", "bench.verify", "--runs", str(runs)], cwd=REPO, check=True,
                                capture_output=True, text=True).stdout.strip()  # fmt: skip
        print(verify)
        summary += verify.splitlines() or ["--verify: no figure"]
        if not args.natural:
            following = bench_follow(scratch, runs)
            print(
                f"follow, a 50-item feed where nothing changed: {following['follow']:.2f}s "
                f"({following['follow'] / following['start']:.2f}x the CLI's own start, {following['start']:.2f}s; "
                f"one round trip {following['round_trip'] * 1000:.1f} ms)"
            )
            serving = bench_serve(scratch)
            (one_rate, one_p99), (many, (rate, p99)) = serving[1], max(serving.items())
            print(
                f"serve, 64 KiB ranged MP3 requests: 1 client {one_rate:.0f} req/s (p99 {one_p99:.1f} ms); "
                f"{many} clients {rate:.0f} req/s (p99 {p99:.1f} ms, {rate / one_rate:.2f}x the single client)"
            )
        summary.append("catalogue at 1,000,000 episodes: `make bench-catalogue` (a run of its own, slow)")
        print(f"\n{_summary(summary)}")


def _catalogue_line(row: dict) -> str:
    return (f"catalogue at {row['size']:,} episodes: adding an article {row['add'] / row['alone']:.2f}x building "
            f"it alone (goal at most 1.5x), feed {row['feed']:.2f}s (goal under 10s), "
            f"peak RSS {row['rss'] / 2**20:.0f} MB")  # fmt: skip


def _summary(lines: list[str]) -> str:
    """The figures issue 27 asks for, measured in this run, as one block at the end."""
    return "\n".join(["issue 27, measured in this run:", *(f"  {line}" for line in lines)])

if __name__ == "__main__":
    main()
