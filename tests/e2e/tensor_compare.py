"""Error metrics between an output of ours and a reference output.

max_rel_err = max|ours - ref| / max(max|ref|, 1e-6): relative to the largest reference magnitude, not
element-wise, so that outputs near zero do not blow up the error. Integer and bool outputs must match exactly.
"""
from dataclasses import dataclass
from typing import Optional

import numpy as np


@dataclass
class Comparison:
    max_rel_err: float
    max_abs_err: float
    exact: bool  # integer/bool: any difference fails
    problem: Optional[str] = None  # shape/dtype mismatch, missing output, run error

    def ok(self, tol):
        if self.problem:
            return False
        return self.max_abs_err == 0 if self.exact else self.max_rel_err <= tol

    def describe(self, tol):
        verdict = "ok" if self.ok(tol) else "FAIL"
        if self.problem:
            return f"{self.problem} [{verdict}]"
        return f"max_rel_err={self.max_rel_err:.2e} max_abs_err={self.max_abs_err:.2e} [{verdict}]"


def failure(problem):
    return Comparison(float("nan"), float("nan"), False, problem)


def compare(ours, ref):
    ours, ref = np.asarray(ours), np.asarray(ref)
    if ours.shape != ref.shape:
        return failure(f"shape {list(ours.shape)} != reference {list(ref.shape)}")
    if ours.dtype != ref.dtype:
        return failure(f"dtype {ours.dtype} != reference {ref.dtype}")
    exact = not np.issubdtype(ref.dtype, np.floating)
    if ref.size == 0:
        return Comparison(0.0, 0.0, exact)
    a, b = ours.astype(np.float64), ref.astype(np.float64)
    with np.errstate(invalid="ignore"):
        diff = np.abs(a - b)
    # NaN where the reference has NaN, and the same infinity, count as equal; any other NaN/inf is an error.
    same = (np.isnan(a) & np.isnan(b)) | (np.isinf(a) & (a == b))
    diff = np.where(same, 0.0, np.where(np.isnan(diff), np.inf, diff))
    finite_ref = np.abs(b[np.isfinite(b)])
    scale = max(float(finite_ref.max()) if finite_ref.size else 0.0, 1e-6)
    max_abs = float(diff.max())
    return Comparison(max_abs / scale, max_abs, exact)
