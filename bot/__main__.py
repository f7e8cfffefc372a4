"""`python -m bot` is `trivia-bot`."""

from bot.cli import main

raise SystemExit(main())
