"""`python -m ramiel.fuzz`: see `ramiel.fuzz`."""

from ramiel.fuzz import main

# The sandbox's child process imports this module again, under another name.
if __name__ == "__main__":
    main()
