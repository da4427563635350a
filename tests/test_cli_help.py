"""Every subcommand's --help documents every option: what it does, its default, its unit."""

import argparse
import re

import pytest

from sigconv import cli

PARSER = cli.build_parser()
COMMANDS = next(a for a in PARSER._actions
                if isinstance(a, argparse._SubParsersAction)).choices
FLAGS = (argparse._StoreTrueAction, argparse._StoreFalseAction, argparse._HelpAction)


def options(command):
    """The documented options of ``command`` (hidden aliases and --help left out)."""
    return [a for a in COMMANDS[command]._actions
            if a.help != argparse.SUPPRESS and not isinstance(a, argparse._HelpAction)]


def test_the_commands():
    assert set(COMMANDS) == {"convolve", "filter", "edges", "gabor", "matrix", "check",
                             "train", "tune", "bench", "demo"}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_help_lists_every_option_with_its_text_and_default(command, capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main([command, "--help"])
    assert exited.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "exit status: 0 success 1 failure while running" in text
    assert "2 usage error, found before any work" in text
    for action in options(command):
        name = action.option_strings[-1] if action.option_strings else action.metavar
        assert action.help and len(action.help) >= 20, f"{command} {name}: no help text"
        assert " ".join(action.help.split()).split("%(")[0][:30] in text, name
        takes_value = action.option_strings and not isinstance(action, FLAGS)
        chosen = any(action in g._group_actions and g.required
                     for g in COMMANDS[command]._mutually_exclusive_groups)
        if takes_value and not action.required and not chosen:
            assert "default" in action.help, f"{command} {name}: no default in its help"
        if "%(default)s" in action.help:
            assert f"default: {action.default}" in action.help % {"default": action.default}
        if action.required and action.option_strings:
            assert "required" in action.help, f"{command} {name}: not said to be required"


@pytest.mark.parametrize("option, unit", [
    ("--sigma", "pixels"), ("--gaussian", "pixels"), ("--frequencies", "cycles/pixel"),
    ("--orientations", "radians"), ("--gabor", "cycles/pixel"), ("--input-shape", "samples"),
    ("--stride", "samples"), ("--dilation", "samples"), ("--bandwidth", "octave"),
    ("--epochs", "passes"), ("--low", "units"), ("--max-pixels", "pixels"),
])
def test_options_with_a_unit_name_it(option, unit):
    helps = [a.help for c in COMMANDS for a in options(c) if option in a.option_strings]
    assert helps and all(unit in h for h in helps), (option, helps)


def test_force_and_max_pixels_appear_only_where_they_act():
    having = lambda flag: {c for c in COMMANDS if any(flag in a.option_strings
                                                      for a in options(c))}
    writes = {"convolve", "filter", "edges", "gabor", "matrix", "train", "demo"}
    reads = {"convolve", "filter", "edges", "matrix", "check"}
    assert having("--force") == writes
    assert having("-o") == writes
    assert having("--max-pixels") == reads
    assert having("--progress") == set(COMMANDS)


def test_top_level_help_lists_the_commands(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    text = capsys.readouterr().out
    for command in COMMANDS:
        assert re.search(rf"^\s+{command}\s+\S", text, re.M), command
