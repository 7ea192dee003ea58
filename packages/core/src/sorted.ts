/**
 * Binary search over a list sorted ascending by `<` (code-unit order for strings): the one
 * search behind the interval index, the patching of a group's names and the RPZ zone's look-ups.
 */

/** The first index of `sorted` whose entry is not below `value`; `sorted.length` when none is. */
export function lowerBound<T extends string | number | bigint>(sorted: readonly T[], value: T): number {
  let low = 0
  let high = sorted.length
  while (low < high) {
    const middle = (low + high) >> 1
    if (sorted[middle]! < value) low = middle + 1
    else high = middle
  }
  return low
}
