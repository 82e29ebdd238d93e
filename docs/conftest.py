"""Run every ``>>>`` example of the docs pages as a doctest: ``pytest docs``.

Each Markdown page is one test. Its examples run top to bottom in one namespace, as a reader
would type them into one REPL. Fence lines (```` ``` ````, ``:::``) are blanked before parsing,
so an example's expected output ends where its code block ends and pages need no blank line
before the closing fence; line numbers in failure reports still match the page.
"""

import doctest
import re

import pytest

FENCE = re.compile(r"(?m)^[ \t]*(`{3,}|:{3,}).*$")
collect_ignore = ["_build", "auto_demos"]
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def pytest_collect_file(file_path, parent):
    if file_path.suffix == ".md":
        return MarkdownPage.from_parent(parent, path=file_path)
    return None


class MarkdownPage(pytest.File):
    def collect(self):
        text = FENCE.sub("", self.path.read_text(encoding="utf-8"))
        test = doctest.DocTestParser().get_doctest(
            text, {"__name__": "__main__"}, self.path.name, str(self.path), 0
        )
        if test.examples:
            yield MarkdownExamples.from_parent(self, name="examples", test=test)


class PageFailed(Exception):
    pass


class MarkdownExamples(pytest.Item):
    def __init__(self, *, test, **kwargs):
        super().__init__(**kwargs)
        self.test = test

    def runtest(self):
        report = []
        runner = doctest.DocTestRunner(optionflags=FLAGS)
        result = runner.run(self.test, out=report.append, clear_globs=True)
        if result.failed:
            raise PageFailed("".join(report))

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, PageFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, 0, f"examples in {self.path.name}"
