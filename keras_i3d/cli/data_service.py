"""`keras-i3d data-service`: a tf.data service dispatcher or worker, until interrupted.

```
keras-i3d data-service dispatcher [--port 5050] [--work-dir DIR]
keras-i3d data-service worker --dispatcher HOST:5050 [--port P] [--worker-address HOST]
```

Trainers then pass the dispatcher's `HOST:5050` as `data_service=` to
`keras_i3d.data.tfrecord_dataset` (see docs/data_service.md). Both roles
print their address on stdout and serve until Ctrl-C or SIGTERM, then exit
with code 0.
"""

import argparse
import signal
import sys
import threading

from keras_i3d.cli.errors import EXIT_USAGE
from keras_i3d.cli.errors import CLIError

MAX_PORT = 65535


def port_number(text):
    """An argparse `type`: a TCP port, 0..65535 (0: any free port)."""
    if not text.isdigit() or int(text) > MAX_PORT:
        raise argparse.ArgumentTypeError(f"expected a port in 0..{MAX_PORT}. Received: {text!r}")
    return int(text)


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "data-service",
        help="run a tf.data service dispatcher or worker that decodes training clips",
        description=(
            "Run one part of a tf.data service, so remote workers read, decode and "
            "augment training clips for keras_i3d.data.tfrecord_dataset(..., "
            "data_service='HOST:PORT'). Start one dispatcher, then workers that "
            "register with it. Runs until Ctrl-C or SIGTERM."
        ),
    )
    roles = parser.add_subparsers(dest="role", metavar="ROLE")
    roles.required = True

    dispatcher = roles.add_parser(
        "dispatcher",
        help="hand out the work to the workers",
        description="Run a tf.data service dispatcher until interrupted.",
    )
    add_port_option(dispatcher)
    dispatcher.add_argument(
        "--work-dir",
        metavar="DIR",
        help=(
            "folder where the dispatcher journals its state, so a restarted "
            "dispatcher resumes its jobs (default: state in memory only)"
        ),
    )
    dispatcher.set_defaults(func=run_dispatcher)

    worker = roles.add_parser(
        "worker",
        help="read, decode and augment clips for the trainers",
        description="Run a tf.data service worker until interrupted.",
    )
    worker.add_argument(
        "--dispatcher", required=True, metavar="HOST:PORT", help="the dispatcher's address"
    )
    add_port_option(worker)
    worker.add_argument(
        "--worker-address",
        metavar="HOST",
        help=(
            "the name trainers reach this worker by (default: localhost, which "
            "serves trainers on this machine only; on a cluster, this machine's name)"
        ),
    )
    worker.set_defaults(func=run_worker)
    return parser


def add_port_option(parser):
    """`--port`, the same for both roles; the server prints the port it got."""
    parser.add_argument(
        "--port", type=port_number, default=0, help="port to listen on (default: any free port)"
    )


def run_dispatcher(args):
    from keras_i3d.data.service import start_dispatcher

    server = start_server(lambda: start_dispatcher(args.port, args.work_dir), "dispatcher")
    print(f"tf.data service dispatcher at {server.target}", flush=True)
    return serve_until_stopped(server, "dispatcher")


def run_worker(args):
    from keras_i3d.data.service import check_reachable
    from keras_i3d.data.service import start_worker

    try:
        check_reachable(args.dispatcher)
    except ValueError as error:
        raise CLIError(f"--dispatcher: {error}", EXIT_USAGE) from None
    except ConnectionError as error:
        raise CLIError(f"--dispatcher: {error}") from None
    server = start_server(
        lambda: start_worker(args.dispatcher, args.port, args.worker_address), "worker"
    )
    # `_address` ("localhost:port") is the only way TF tells the bound port.
    port = server._address.rpartition(":")[2]
    print(f"tf.data service worker on port {port}, dispatcher {args.dispatcher}", flush=True)
    return serve_until_stopped(server, "worker")


def start_server(start, role):
    """`start()`, with TensorFlow's errors (a port in use, ...) as `CLIError`."""
    import tensorflow as tf

    try:
        return start()
    except (tf.errors.OpError, ValueError) as error:
        message = getattr(error, "message", None) or str(error)
        raise CLIError(f"the {role} did not start: {message}") from None


def serve_until_stopped(server, role):
    """Blocks until Ctrl-C or SIGTERM, then stops `server`; returns exit code 0."""
    stopped = threading.Event()
    previous_handler = signal.signal(signal.SIGTERM, lambda signum, frame: stopped.set())
    try:
        while not stopped.wait(timeout=1.0):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous_handler)
        server.stop()
    print(f"keras-i3d data-service {role}: stopped", file=sys.stderr)
    return 0
