"""`python -m nlpkit`: the `nlpkit` command, for when the script is not on PATH."""

from nlpkit.cli import main

if __name__ == "__main__":
    main()
