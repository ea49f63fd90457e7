"""audiobuild: turn interview articles into voiced podcast episodes and a feed.

The package reads as the pipeline, one module per stage:

    parse -> voices -> synthesize -> assemble -> tag -> catalogue/feed

`build.build_episodes` runs the stages in order; `cli` is a thin layer on top.
"""

__version__ = "0.1.0"
