"""``python -m nephrocohort``: the same command line as the ``nephrocohort`` script."""

from nephrocohort.cli import main

if __name__ == "__main__":
    main()
