import statistics


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def summary(values) -> str:
    return f"{statistics.median(values):>9.2f}{percentile(values, 0.95):>9.2f}"
