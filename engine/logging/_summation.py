"""Sum a short list of floats exactly as ``numpy.ndarray.sum`` does.

NumPy sums a contiguous float64 array by *pairwise summation*: fewer than 8
values are added left to right; up to 128 values go into 8 interleaved
partial sums that are combined as ``((r0+r1)+(r2+r3)) + ((r4+r5)+(r6+r7))``
before the remainder is added; longer arrays are split in two halves (the
first a multiple of 8 long) that are summed recursively.

:class:`~engine.logging.HistoryBuffer` averages small windows of recent
values in Python with :func:`pairwise_sum`, which is several times faster
than slicing arrays and calling NumPy, and returns the very same float (the
unit tests compare both on random data). Python's builtin :func:`sum` is not
used for floats: since Python 3.12 it compensates rounding errors and so
differs from NumPy in the last bit.
"""

from __future__ import annotations

from collections.abc import Sequence

#: NumPy's block size below which it does not split an array in two.
_BLOCK = 128


def pairwise_sum(values: Sequence[float]) -> float:
    """Sum ``values`` in NumPy's order (see the module docstring).

    Args:
        values: The floats to add.

    Returns:
        The sum, bit-identical to ``numpy.asarray(values).sum()``.

    Examples:
        >>> pairwise_sum([1.0, 0.5, 1 / 3, 0.25, 0.2]) / 5
        0.45666666666666667
    """
    n = len(values)
    if n < 8:
        total = 0.0
        for value in values:
            total += value
        return total
    if n > _BLOCK:
        half = n // 2
        half -= half % 8
        return pairwise_sum(values[:half]) + pairwise_sum(values[half:])
    r0, r1, r2, r3, r4, r5, r6, r7 = values[:8]
    stop = n - n % 8
    for i in range(8, stop, 8):
        b0, b1, b2, b3, b4, b5, b6, b7 = values[i : i + 8]
        r0 += b0
        r1 += b1
        r2 += b2
        r3 += b3
        r4 += b4
        r5 += b5
        r6 += b6
        r7 += b7
    total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    for value in values[stop:]:
        total += value
    return total
