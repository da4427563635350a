"""Third-party imports that write to ``os.environ``, undone.

Some libraries set process-wide environment variables when first imported: threadpoolctl
(and scikit-learn) set ``KMP_DUPLICATE_LIB_OK=True``, which lets a second copy of Intel's
OpenMP runtime load without aborting the process.  sigconv imports them lazily, in the
middle of a user's program, so it imports them inside :func:`kept`, which puts the
environment back as it was: the variable stays set while the library loads and sets
itself up (what it protects), and whether the rest of the process tolerates duplicate
OpenMP runtimes remains the user's choice, as it was before sigconv ran.
"""

import contextlib
import os

__all__ = ["kept"]


@contextlib.contextmanager
def kept():
    """Restore every variable of ``os.environ`` that the block added, changed or removed.

    Examples
    --------
    >>> import os
    >>> with kept():
    ...     os.environ["SIGCONV_EXAMPLE_VARIABLE"] = "1"
    >>> "SIGCONV_EXAMPLE_VARIABLE" in os.environ
    False
    """
    saved = dict(os.environ)
    try:
        yield
    finally:
        for name in [name for name in os.environ if name not in saved]:
            del os.environ[name]
        for name, value in saved.items():
            if os.environ.get(name) != value:
                os.environ[name] = value
