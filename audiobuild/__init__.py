"""audiobuild: turn interview articles into voiced podcast episodes and a feed.

The package reads as the pipeline, one module per stage:

    parse -> voices -> synthesize -> assemble -> tag -> catalogue/feed

`pipeline` runs the stages for one episode, `batch` for many, `publish` records them; `cli` is a thin layer on top.
"""

__version__ = "0.1.0"
