"""audiobuild's benchmark: whole builds next to the floor of their parts, measured in the same run.

    make bench                          # the figures the speed issue asks for
    .venv/bin/python bench/bench.py --quick

The floor of an article is espeak-ng speaking its text to a WAV (the system's
`espeak-ng -w` when installed, else bench/espeak_floor.py driving the same
library) plus ffmpeg encoding that WAV to the same MP3 settings, each as a
whole process. Builds with the `natural` profile (two engines: hibari asks,
Piper answers and narrates) are set against each engine speaking its share of
the text in one call (bench/natural_floor.py) plus ffmpeg encoding both.
Every figure is a median over several runs; ratios are what to compare between
machines. Articles are generated from a seed, so runs compare.
"""

from __future__ import annotations

import argparse
import json
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

from audiobuild.assemble import ffmpeg_path  # noqa: E402
from audiobuild.catalogue import load_catalogue  # noqa: E402
from audiobuild.model import Encoding  # noqa: E402
from audiobuild.tag import mp3_duration  # noqa: E402

AUDIOBUILD = [sys.executable, "-m", "audiobuild"]

_SUBJECTS = ["The harbour master", "Our team", "The council", "A young engineer", "The old keeper", "My grandmother"]
_VERBS = ["repaired", "measured", "described", "remembered", "questioned", "painted", "counted", "studied"]
_OBJECTS = ["the northern lighthouse", "every winter storm", "the tides of the bay", "a forgotten ledger",
            "the long road home", "the price of bread", "the first radio signal", "the empty station"]  # fmt: skip
_TAILS = ["before dawn", "with great care", "for twenty years", "despite the weather", "in the spring of 1998"]


def make_article(words: int, seed: int, title: str) -> str:
    """An interview in the dash layout with about `words` words, the same for the same seed."""
    rng = random.Random(seed)

    def sentences(count: int) -> str:
        return " ".join(
            f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)} {rng.choice(_TAILS)}."
            for _ in range(count)
        )

    lines, count, question = [f"Ada Lindqvist: {title}", "", "By The Bench Gazette", ""], 0, True
    while count < words:
        paragraph = f"Why did that matter? {sentences(1)}" if question else sentences(rng.randint(3, 6))
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
    return [*AUDIOBUILD, "build", "-q", "-o", str(output), "--voices", voices, *extra, *map(str, articles)]


def bench_articles(scratch: Path, sizes: dict[str, int], runs: int, voices: str = "espeak") -> dict[str, dict]:
    """Whole builds of single articles with the voice profile `voices` against their floors."""
    figures = {}
    for name, words in sizes.items():
        article = scratch / f"{name}.txt"
        article.write_text(make_article(words, seed=len(name), title=f"A {name} conversation about the sea"))
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


def bench_catalogue(scratch: Path, runs: int, size: int = 1000) -> tuple[float, float]:
    """Seconds to add one article to an empty folder and to a catalogue of `size` episodes."""
    article = scratch / "addition.txt"
    article.write_text(make_article(300, seed=7, title="One more conversation"))
    seed_article = scratch / "seed.txt"
    seed_article.write_text(make_article(300, seed=8, title="The first of many"))
    big = scratch / "catalogue"
    run(build_command(big, seed_article))
    _clone_catalogue(big, size)
    alone, added = [], []
    for attempt in range(runs):
        alone.append(run(build_command(scratch / f"alone-{attempt}", article))[0])
        copy = scratch / f"catalogue-{attempt}"
        shutil.copytree(big, copy, copy_function=os.link)
        added.append(run(build_command(copy, article))[0])
    return median(alone), median(added)


def _clone_catalogue(folder: Path, size: int) -> None:
    """Grow a one-episode catalogue to `size` episodes with hard-linked copies of its files."""
    path = folder / "catalogue.json"
    data = json.loads(path.read_text())
    (original,) = data["episodes"]
    stem = original["slug"]
    for number in range(1, size):
        slug = f"{stem}-copy-{number}"
        clone = {**original, "slug": slug, "guid": f"{original['guid'][:-6]}{number:06d}", "title": f"Copy {number}"}
        data["episodes"].append(clone)
        for old in folder.rglob(f"{stem}.*"):
            os.link(old, old.with_name(old.name.replace(stem, slug, 1)))
    path.write_text(json.dumps(data))


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
    """Seconds in loudness planning during an in-process build of the long article, and in the whole build."""
    import audiobuild.assemble as assemble_module
    from audiobuild.batch import build_all
    from audiobuild.config import Config

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
    start = time.perf_counter()
    build_all([scratch / "long.txt"], scratch / "out-loudness", Config(), "espeak")
    return spent[0], time.perf_counter() - start


def bench_serve(scratch: Path, clients: int = 50, requests_each: int = 40) -> dict[int, tuple[float, float]]:
    """Requests per second and p99 latency (ms) of ranged MP3 requests, for 1 and for `clients` clients."""
    import http.client
    import threading

    from audiobuild.serve import make_server, serve_forever

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


def print_articles(heading: str, articles: dict[str, dict]) -> None:
    """The table of single-article builds."""
    print(heading)
    print(
        f"{'article':<10} {'words':>6} {'audio':>6} {'build':>8} {'floor':>8} {'ratio':>6} {'RTF':>6} {'peak RSS':>9} {'rebuild':>8}"
    )
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
    args = parser.parse_args()
    runs = 1 if args.quick else args.runs
    sizes = {"short": 300, "long": 3000, "very long": 10000 if args.quick else 30000}
    batch = 10 if args.quick else 100

    with tempfile.TemporaryDirectory(prefix="audiobuild-bench-") as folder:
        scratch = Path(folder)
        print(f"audiobuild benchmark: {runs} run(s) per figure, medians; {os.cpu_count()} cores\n")
        articles: dict[str, dict] = {}
        if not args.natural:
            articles = bench_articles(scratch, sizes, runs)
            print_articles("espeak profile: espeak-ng through pyttsx3; floor: espeak-ng + ffmpeg", articles)
            long, very_long = articles["long"], articles["very long"]
            print(
                f"\nlinearity: {very_long['words'] / long['words']:.1f}x the words cost "
                f"{very_long['build'] / long['build']:.2f}x the time"
            )
            alone, added = bench_catalogue(scratch, runs)
            print(f"add 1 article: {alone:.2f}s alone, {added:.2f}s into a catalogue of 1000 ({added / alone:.2f}x)")
            serial, parallel, cores = bench_batch(scratch, batch)
            print(
                f"batch of {batch}: {serial:.1f}s one at a time, {parallel:.1f}s on {cores} cores "
                f"({serial / parallel:.2f}x faster; {batch * 3600 / parallel:.0f} articles/hour)"
            )
            loudness, total = bench_loudness(scratch)
            print(f"loudness planning: {loudness:.2f}s of a {total:.2f}s long build ({100 * loudness / total:.1f}%)")
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
        if args.natural:
            return
        serving = bench_serve(scratch)
        (one_rate, one_p99), (many, (rate, p99)) = serving[1], max(serving.items())
        print(
            f"serve, 64 KiB ranged MP3 requests: 1 client {one_rate:.0f} req/s (p99 {one_p99:.1f} ms); "
            f"{many} clients {rate:.0f} req/s (p99 {p99:.1f} ms, {rate / one_rate:.2f}x the single client)"
        )


if __name__ == "__main__":
    main()
