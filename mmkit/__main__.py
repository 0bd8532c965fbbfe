"""Allow `python -m mmkit`, for environments where the console script is not on PATH."""

from mmkit.launcher import main

main()
