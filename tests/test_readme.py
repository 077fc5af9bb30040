"""The README stays true: every `aggregator` command it names exists with the options
it shows, every sources.yaml example in it loads, and every key and strategy of the
file is documented in it."""

from __future__ import annotations

import argparse
import re
import shlex
import typing
from pathlib import Path

import pytest

from aggregator.cli import parser
from aggregator.config import EventSelectors, ListSelectors, Settings, Source, check_config
from aggregator.config import Pin as DuplicatesItem

README = Path(__file__).resolve().parents[1] / "README.md"

# Global options of `aggregator` that take a value, before the command.
_VALUED_GLOBALS = {"--config", "--db"}
_SEGMENT_ENDS = {"&&", "||", ";", "|", ">", ">>", "<", "2>", "&"}


def readme() -> str:
    return README.read_text(encoding="utf-8")


def fenced_blocks(text: str) -> list[tuple[str, str]]:
    """(language, body) of every ``` block."""
    return re.findall(r"^```([\w-]*)\n(.*?)^```", text, re.MULTILINE | re.DOTALL)


def code_texts(text: str) -> list[str]:
    """Every code block and every inline code span (outside blocks)."""
    blocks = [body for _, body in fenced_blocks(text)]
    prose = re.sub(r"^```.*?^```", "", text, flags=re.MULTILINE | re.DOTALL)
    return blocks + re.findall(r"`([^`\n]+)`", prose)


def _words(line: str) -> list[str]:
    line = line.replace("\\|", " ").replace("[", " ").replace("]", " ")
    try:
        return shlex.split(line, comments=True)
    except ValueError:  # an unbalanced quote in a snippet that is not shell
        return line.split()


def invocations(text: str) -> list[tuple[str, list[str], str]]:
    """(command, --options after it, the line) for each `aggregator COMMAND` in code.

    Finds the program as a word (`aggregator`, `/opt/aggregator/bin/aggregator`),
    skips global options, and ignores service names (`systemctl … aggregator`)."""
    found = []
    for code in code_texts(text):
        for line in code.splitlines():
            words = _words(line.split("=", 1)[1] if line.startswith("Exec") else line)
            for index, word in enumerate(words):
                if word != "aggregator" and not word.endswith("/bin/aggregator"):
                    continue
                if {"systemctl", "journalctl"} & set(words[:index]):
                    continue
                rest = words[index + 1 :]
                while rest and rest[0].startswith("-"):
                    rest = rest[2:] if rest[0] in _VALUED_GLOBALS else rest[1:]
                if not rest or not re.fullmatch(r"[a-z][a-z-]*", rest[0]):
                    continue
                options = []
                for later in rest[1:]:
                    if later in _SEGMENT_ENDS or later == "aggregator":
                        break
                    options += re.findall(r"^(--[a-z][a-z-]*)", later)
                found.append((rest[0], options, line))
    return found


def subcommands() -> dict[str, argparse.ArgumentParser]:
    for action in parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("the aggregator parser has no subcommands")


def test_the_readme_shows_the_screenshot():
    assert "![Agenda](docs/agenda.png)" in readme()
    assert (README.parent / "docs" / "agenda.png").is_file()


def test_invocations_are_found_in_every_form():
    text = (
        "```sh\n"
        "sudo /opt/aggregator/bin/aggregator --config /etc/x.yaml -q check\n"
        "systemctl status aggregator   # not a command\n"
        "ExecStart=/opt/aggregator/bin/aggregator run --host 127.0.0.1\n"
        "```\n"
        "and `aggregator export --format rss\\|ics [--source ID]` in prose\n"
    )
    assert [(c, o) for c, o, _ in invocations(text)] == [
        ("check", []),
        ("run", ["--host"]),
        ("export", ["--format", "--source"]),
    ]


def test_every_command_in_the_readme_exists_with_its_options():
    commands = subcommands()
    found = invocations(readme())
    assert len(found) > 20
    for command, options, line in found:
        assert command in commands, f"README names `aggregator {command}`: {line}"
        known = set(commands[command]._option_string_actions)
        known |= set(parser()._option_string_actions)
        unknown = [o for o in options if o not in known]
        assert not unknown, f"`aggregator {command}` has no {', '.join(unknown)}: {line}"


def test_every_command_is_documented():
    named = {command for command, _, _ in invocations(readme())}
    assert sorted(set(subcommands()) - named) == []


def sources_examples() -> list[str]:
    return [
        body
        for language, body in fenced_blocks(readme())
        if language == "yaml" and re.search(r"^sources:", body, re.MULTILINE)
    ]


def test_there_are_sources_examples():
    assert len(sources_examples()) >= 6


@pytest.mark.parametrize("number", range(len(sources_examples())))
def test_sources_example_loads(tmp_path: Path, number: int):
    path = tmp_path / "sources.yaml"
    path.write_text(sources_examples()[number], encoding="utf-8")
    assert check_config(path) == []


def test_every_strategy_has_an_example():
    strategies = typing.get_args(Source.model_fields["strategy"].annotation)
    shown = {
        found
        for body in sources_examples()
        for found in re.findall(r"^\s+strategy: (\w+)", body, re.MULTILINE)
    }
    # auto is the default: its example may leave the key out.
    assert set(strategies) - {"auto"} <= shown
    for strategy in strategies:
        assert f"**`{strategy}`**" in readme(), strategy


@pytest.mark.parametrize("model", [Settings, Source, ListSelectors, EventSelectors, DuplicatesItem])
def test_every_sources_yaml_key_is_in_a_reference_table(model):
    rows = set(re.findall(r"^\| `(\w+)` \|", readme(), re.MULTILINE))
    assert sorted(set(model.model_fields) - rows) == []
