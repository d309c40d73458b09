"""``python -m skreg``: run the regularization demo (see ``skreg._demo``)."""

from ._demo import main

if __name__ == "__main__":
    main()
