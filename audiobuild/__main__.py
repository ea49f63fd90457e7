"""Allow `python -m audiobuild`."""

from audiobuild.cli import main

raise SystemExit(main())
