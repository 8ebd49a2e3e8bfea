"""One name per concept on the command line (docs/glossary.md).

Every option that several subcommands define has one help text and one
default everywhere (they come from `keras_i3d.cli.options`), and none of the
flags the glossary replaced exists any more.
"""

import argparse

import pytest

from keras_i3d.cli import options
from keras_i3d.cli.main import build_parser
from keras_i3d.flow.methods import DEFAULT_FLOW_METHOD
from keras_i3d.flow.methods import FLOW_METHODS

# The glossary's CLI options: defined once, in keras_i3d/cli/options.py.
GLOSSARY_OPTIONS = (
    "--clip-length",
    "--max-frames",
    "--short-side",
    "--crop-size",
    "--flow-method",
    "--stream",
    "--out",
    "--labels",
    "--overwrite",
    "--dataset-format",
    "--fps",
    "--workers",
    "--precision",
    "--no-fuse",
    "--crops",
    "--folder-fps",
    "--shard",
    "--beam",
    "--preset",
)
# The flags the glossary replaced, and what replaced them.
REPLACED_FLAGS = {
    "--frames": "--max-frames or --clip-length",
    "--clip-frames": "--clip-length",
    "--resize": "--short-side",
    "--method": "--flow-method",
    "--two-stream": "--stream two_stream",
    "--output-dir": "--out",
    "--label-set": "--labels",
    "--force": "--overwrite",
    "--fast": "--precision mixed_bfloat16",
    "--graph": "--no-fuse",
}


def subcommand_parsers(parser, prefix=()):
    """Yields `(command words, parser)` for every (nested) subcommand."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, subparser in action.choices.items():
                yield prefix + (name,), subparser
                yield from subcommand_parsers(subparser, prefix + (name,))


def options_by_flag():
    """`{flag: [(command, action)]}` over every subcommand."""
    found = {}
    for command, parser in subcommand_parsers(build_parser()):
        for action in parser._actions:
            for flag in action.option_strings:
                if flag.startswith("--") and flag != "--help":
                    found.setdefault(flag, []).append((" ".join(command), action))
    return found


def test_the_walk_sees_every_subcommand():
    commands = {" ".join(c) for c, _ in subcommand_parsers(build_parser())}
    assert {
        "predict",
        "evaluate",
        "make-tfrecords",
        "flow",
        "extract-features",
        "weights install",
    } <= commands


def test_no_replaced_flag_exists():
    found = options_by_flag()
    leftovers = {
        flag: [command for command, _ in found[flag]] for flag in REPLACED_FLAGS if flag in found
    }
    assert leftovers == {}, f"use {REPLACED_FLAGS} instead"


def test_format_is_only_an_outputs_storage_format():
    commands = [command for command, _ in options_by_flag()["--format"]]
    assert sorted(commands) == ["export", "flow"]


# Options whose default is what the command batches (its help says so).
PER_COMMAND_DEFAULTS = ("--batch-size",)
# An output's storage format: each command has its own formats (and
# test_format_is_only_an_outputs_storage_format keeps it to that meaning).
# A preset: a named set of a command's own conventions (FVD protocols,
# published feature conventions), so its choices and default are the
# command's.
PER_COMMAND_CHOICES = ("--format", "--preset")


def without_default(help_text):
    return help_text.split(" (default:")[0]


def test_shared_options_have_one_help_and_one_default():
    for flag, uses in options_by_flag().items():
        if len(uses) < 2:
            continue
        (first_command, first), *others = uses
        if flag in PER_COMMAND_CHOICES:
            continue
        for command, action in others:
            if flag not in PER_COMMAND_DEFAULTS:
                assert action.default == first.default, (
                    f"{flag}: default {action.default!r} in {command}, "
                    f"{first.default!r} in {first_command}"
                )
            assert action.type == first.type, (flag, command, first_command)
            assert action.required == first.required, (flag, command)
            if flag == "--out":
                # What the output is (a folder, a file) is the command's.
                assert action.help.startswith("output "), (flag, command)
            elif flag == "--stream":
                # The help names the streams the command runs.
                assert action.help == options.stream_help(action.choices)
            else:
                # The meaning is shared; what None means is the command's.
                assert without_default(action.help) == without_default(first.help), (
                    f"{flag}: {command} and {first_command} differ"
                )


@pytest.mark.parametrize("flag", GLOSSARY_OPTIONS)
def test_glossary_options_are_used(flag):
    assert flag in options_by_flag()


def test_streams_and_flow_methods_come_from_one_list():
    found = options_by_flag()
    for command, action in found["--stream"]:
        assert set(action.choices) <= set(options.STREAM_CHOICES), command
    for command, action in found["--flow-method"]:
        assert tuple(action.choices) == tuple(FLOW_METHODS), command
        assert action.default == DEFAULT_FLOW_METHOD, command


@pytest.mark.parametrize(
    "flag, value, message",
    [
        ("--workers", "0", "must be at least 1. Received: 0"),
        ("--short-side", "-1", "must be at least 0. Received: -1"),
        ("--fps", "0", "must be positive. Received: 0"),
        ("--max-frames", "x", "expected an integer. Received: 'x'"),
    ],
)
def test_bad_values_are_usage_errors_that_name_the_flag(capsys, flag, value, message):
    parser = argparse.ArgumentParser(prog="keras-i3d")
    options.add_workers_option(parser)
    options.add_short_side_option(parser)
    options.add_fps_option(parser)
    options.add_max_frames_option(parser)
    with pytest.raises(SystemExit) as exit_info:
        parser.parse_args([flag, value])
    assert exit_info.value.code == 2
    assert f"argument {flag}: {message}" in capsys.readouterr().err


def test_a_stream_choice_outside_the_glossary_is_refused():
    with pytest.raises(ValueError, match="Received: choices=\\('rgb', 'both'\\)"):
        options.add_stream_option(argparse.ArgumentParser(), ("rgb", "both"))
