"""PyInstaller's entry script: the frozen app starts exactly as the `backprop-studio` console script."""
import sys

from app.launch import main

if __name__ == "__main__":
    sys.exit(main())
