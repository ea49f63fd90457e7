"""The catalogue at scale: adding one article, `feed` and `remove` at 1,000 to 100,000 episodes (or a million).

    .venv/bin/python bench/catalogue.py [--runs 3] [--sizes 1000,10000,100000]
    .venv/bin/python bench/catalogue.py --sizes 100000,1000000   # `make bench-catalogue`: about 20 minutes

A catalogue is grown from one real episode to N with cloned entries, one hour
apart going back in time (100,000 span eleven years, so the archive has its
months; a million, 114 years), whose newest 60 have hard-linked copies of the
real episode's files, as the page reads their transcripts. Its pages are then
written once by `feed`, untimed, as a folder built into for years has them.
Each figure is a median of whole processes, and adding an article is set
against building it into an empty folder just before it. Peak RSS is the
largest of the three commands'. The goals (issue 27): adding at most 1.5x
building alone, `feed` under 10 s, at a million episodes.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from audiobuild.publish.catalogue import load_catalogue  # noqa: E402
from bench.bench import AUDIOBUILD, build_command, make_article, median, run  # noqa: E402

WITH_FILES = 60  # newest clones with files: the page reads the newest 50 transcripts


def grow(folder: Path, size: int) -> str:
    """Grow the one-episode catalogue in `folder` to `size` episodes; return a clone's slug to remove."""
    catalogue = load_catalogue(folder, create=True)
    (original,) = catalogue.entries
    with catalogue.transaction():
        for number in range(1, size):
            clone = dataclasses.replace(
                original, slug=f"{original.slug}-copy-{number}", guid=f"{original.guid[:-6]}{number:06d}",
                title=f"Copy {number}", published=original.published - timedelta(hours=number),
            )  # fmt: skip
            catalogue.upsert(clone)
            if number <= WITH_FILES:
                for old, new in zip(original.files, clone.files):
                    os.link(folder / old, folder / new)
    catalogue.close()
    run([*AUDIOBUILD, "feed", "-q", "-o", str(folder)])  # every archive page, as years of builds left them
    return f"{original.slug}-copy-{size // 2}"


def bench_catalogue(scratch: Path, runs: int, sizes: list[int]) -> list[dict]:
    """Per size: seconds to add one article (and alone), `feed`, `remove`; peak RSS; the feed's size."""
    article, seed = scratch / "addition.txt", scratch / "seed.txt"
    article.write_text(make_article(300, seed=7, title="One more conversation"))
    seed.write_text(make_article(300, seed=8, title="The first of many"))
    rows = []
    for size in sizes:
        big = scratch / f"catalogue-{size}"
        run(build_command(big, seed))
        victim = grow(big, size)
        alone, added, fed, removed, memory = [], [], [], [], 0
        for attempt in range(runs):
            # Just before each addition, as the machine is then: a shared one's load drifts in a run this long.
            alone.append(run(build_command(scratch / f"alone-{size}-{attempt}", article))[0])
            copy = scratch / f"copy-{size}-{attempt}"
            shutil.copytree(big, copy, copy_function=os.link)
            (copy / ".catalogue.sqlite").unlink()  # the database is written to: a copy, not a link
            shutil.copy2(big / ".catalogue.sqlite", copy / ".catalogue.sqlite")
            for timings, command in (
                (added, build_command(copy, article)),
                (fed, [*AUDIOBUILD, "feed", "-q", "-o", str(copy)]),
                (removed, [*AUDIOBUILD, "remove", "-q", "-o", str(copy), victim]),
            ):
                seconds, rss = run(command)
                timings.append(seconds)
                memory = max(memory, rss)
            feed_size = (copy / "feed.xml").stat().st_size
            shutil.rmtree(copy)
        shutil.rmtree(big)
        rows.append({"size": size, "alone": median(alone), "add": median(added), "feed": median(fed),
                     "remove": median(removed), "rss": memory, "feed_bytes": feed_size})  # fmt: skip
    return rows


def print_catalogue(rows: list[dict]) -> None:
    """The table of the catalogue issue, measured now."""
    print("episodes  add one article (x alone)   feed     remove   peak RSS   feed.xml")
    for row in rows:
        print(
            f"{row['size']:>8,}  {row['add'] / row['alone']:>5.2f}x ({row['add']:5.2f}s)"
            f"{row['feed']:>12.2f}s {row['remove']:>8.2f}s {row['rss'] / 2**20:>7.0f} MB "
            f"{row['feed_bytes'] / 1e6:>7.2f} MB"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="1000,10000,100000", help="catalogue sizes, comma-separated")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="audiobuild-bench-catalogue-") as folder:
        print_catalogue(bench_catalogue(Path(folder), args.runs, [int(size) for size in args.sizes.split(",")]))


if __name__ == "__main__":
    main()
