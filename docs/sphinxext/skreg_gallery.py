"""Gallery helper, named by its import path in ``sphinx_gallery_conf`` (a
callable there would make the configuration unpicklable, a warning that
``-W`` turns into an error)."""

import builtins
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def define_file(gallery_conf, fname, when):
    """Give each example a ``__file__`` while it runs.

    sphinx-gallery runs examples without ``__file__``; skreg's examples use
    it for their default output folder (``examples/output/``, next to the
    script), so without it they fail before their first cell. A name that a
    module's globals lack is looked up in ``builtins``, so defining it there
    for the duration of one example gives that example its path and no other
    code anything it did not have (every imported module has its own
    ``__file__``).
    """
    if when == "before" and fname is not None:
        builtins.__file__ = str(EXAMPLES / Path(fname).name)
    elif hasattr(builtins, "__file__"):
        del builtins.__file__
