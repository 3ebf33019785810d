"""The test suite (a package, so that tests/bot and tests/web never shadow bot and web)."""
