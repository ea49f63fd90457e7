"""The one exception tree: library code raises, the CLI prints one line."""


class AudiobuildError(Exception):
    """A problem the user can fix; its message names the file and the problem."""

    def __init__(self, source: object, problem: str):
        self.source = str(source)
        self.problem = problem
        super().__init__(f"{self.source}: {problem}")

    def __reduce__(self):
        # Errors cross from build worker processes to the parent by pickling.
        return type(self), (self.source, self.problem)


class InputError(AudiobuildError):
    """An article that cannot be read or has nothing to speak."""


class ConfigError(AudiobuildError):
    """An invalid podcast.toml or voice profile."""


class SynthesisError(AudiobuildError):
    """The engine or ffmpeg failed on valid input."""
