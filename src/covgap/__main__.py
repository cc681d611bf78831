"""Allow ``python -m covgap``."""

from covgap.cli import main

if __name__ == "__main__":
    main()
