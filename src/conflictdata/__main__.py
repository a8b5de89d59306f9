"""`python -m conflictdata` is the `conflictdata` command."""

from .cli import main

raise SystemExit(main())
