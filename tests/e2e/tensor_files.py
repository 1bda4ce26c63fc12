"""File naming of the `openopt run` contract (mirrors lib/tensor_files.js): a tensor named N is stored as
DIR/<N with every character outside [A-Za-z0-9_.-] replaced by '_'>.npy."""
import os
import re


def sanitize_name(name):
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)


def tensor_path(directory, name):
    return os.path.join(directory, sanitize_name(name) + ".npy")
