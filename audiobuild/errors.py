"""The one exception tree: library code raises, the CLI prints one line."""

_CONTROL = {code: f"\\x{code:02x}" for code in (*range(0x20), *range(0x7F, 0xA0))}


def printable(text: str) -> str:
    """`text` with control characters escaped ("\\x1b"): a file's name or a client's request on one terminal line."""
    return text.translate(_CONTROL)


class AudiobuildError(Exception):
    """A problem the user can fix; its message names the file (and line, when known) and the problem."""

    def __init__(self, source: object, problem: str, line: int | None = None):
        self.source = str(source)
        self.problem = problem
        self.line = line
        where = f"{self.source}:{line}" if line else self.source
        super().__init__(f"{where}: {problem}")

    def __reduce__(self):
        # Errors cross from build worker processes to the parent by pickling.
        return type(self), (self.source, self.problem, self.line)


class InputError(AudiobuildError):
    """An article that cannot be read or has nothing to speak."""


class ConfigError(AudiobuildError):
    """An invalid podcast.toml or voice profile."""


class SynthesisError(AudiobuildError):
    """The engine or ffmpeg failed on valid input."""


class BatchFailed(Exception):
    """Some articles of a batch failed; each was already reported. `results` are those of the others (`Result`s)."""

    def __init__(self, failures: list[AudiobuildError], attempted: int, results: list | None = None):
        self.failures = failures
        self.attempted = attempted
        self.results = results or []
        super().__init__(f"{len(failures)} of {attempted} articles failed")
