"""`python -m tests.harness.fuzz`: see `tests.harness.fuzz`."""

from tests.harness.fuzz import main

# The sandbox's child process imports this module again, under another name.
if __name__ == "__main__":
    main()
