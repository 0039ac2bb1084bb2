"""``python -m benchmarks``: run the suite and write docs/performance.md."""

from benchmarks.run import main

raise SystemExit(main())
