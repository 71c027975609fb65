# JupyterLab settings of `make lab` (passed with --config; see LAB_FLAGS in the Makefile).
# Notebooks in notebooks/ or in a study folder are saved without outputs (autosave too): outputs carry
# participants' words. The logic lives in analysis/notebook_outputs.py.
import warnings
from pathlib import Path

from analysis.notebook_outputs import project_pre_save_hook

# jupyter_server applies the configuration twice and warns that the hook replaces itself: only that
# warning is silenced (replacing someone else's hook still warns).
warnings.filterwarnings("ignore", r"Overriding existing pre_save_hook \(strip_project_notebook\) with a new "
                        r"one \(strip_project_notebook\)")
c = get_config()  # noqa: F821 (given by Jupyter when it reads this file)
c.ContentsManager.pre_save_hook = project_pre_save_hook(Path(__file__).resolve().parent)
