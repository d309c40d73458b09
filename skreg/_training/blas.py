"""Keep SciPy's own BLAS single-threaded while NumPy's does the matmuls.

NumPy and SciPy wheels each bundle an OpenBLAS with its own thread pool.
When code alternates between the two (scipy's L-BFGS-B does vector work
through SciPy's BLAS between our NumPy matmuls), each pool's idle workers
spin while the other pool's run, and on a 2-core machine a fit became ~3x
slower with 2 threads than with 1 (scikit-learn's MLP with lbfgs shows the
same). SciPy's share of the work is vector operations that gain nothing
from threads, so limiting only its library to one thread removes the fight
and leaves NumPy's matmuls multithreaded.
"""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import PurePath

from threadpoolctl import ThreadpoolController


def _bundled_by(filepath: str, package: str) -> bool:
    """Whether ``filepath`` lives in ``package``'s wheel (``scipy.libs``,
    ``scipy/.dylibs``, ...)."""
    return any(
        part == package or part.startswith(package + ".")
        for part in PurePath(filepath).parts
    )


def scipy_blas_single_thread():
    """Context manager limiting SciPy's bundled BLAS to one thread.

    A no-op when SciPy and NumPy share one BLAS (e.g. conda), because then
    limiting SciPy's would also limit NumPy's matmuls.
    """
    controller = ThreadpoolController().select(user_api="blas")
    scipy_libs = [
        lib.filepath
        for lib in controller.lib_controllers
        if _bundled_by(lib.filepath, "scipy") and not _bundled_by(lib.filepath, "numpy")
    ]
    if not scipy_libs or len(scipy_libs) == len(controller.lib_controllers):
        return nullcontext()
    return controller.select(filepath=scipy_libs).limit(limits=1)
