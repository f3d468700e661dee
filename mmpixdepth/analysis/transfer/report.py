"""A benchmark's results as markdown: mean ± std over runs, paired differences with their
confidence intervals, the learnability check and the time per stage."""
import math
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.config import Config
from scipy.stats import sem
from scipy.stats import t as student_t


def summarize(runs: Sequence[Dict], methods: Sequence[str]) -> List[Dict]:
    """Per method: the seeds and ``{metric: (mean, std, n)}`` over its runs (std with ddof 1,
    0 for one run); per-class NaNs (class absent) are left out of the mean."""
    rows = []
    for name in methods:
        mine = [r for r in runs if r['method'] == name]
        keys = [k for k in mine[0]['metrics']] if mine else []
        stats = {}
        for key in keys:
            values = np.array([r['metrics'][key] for r in mine], dtype=np.float64)
            values = values[~np.isnan(values)]
            if len(values) == 0:
                stats[key] = (math.nan, math.nan, 0)
            else:
                std = float(values.std(ddof=1)) if len(values) > 1 else 0.0
                stats[key] = (float(values.mean()), std, len(values))
        rows.append(dict(method=name, seeds=[r['seed'] for r in mine], stats=stats))
    return rows


def _cell(stat) -> str:
    mean, std, n = stat
    if n == 0:
        return 'n/a'
    return f'{mean:.2f}' if n == 1 else f'{mean:.2f} ± {std:.2f}'


def format_table(rows: Sequence[Dict], title: str = '', prefix: str = '') -> str:
    """Markdown table: method, seeds, ``<prefix>mIoU``, then ``<prefix>IoU.<class>`` of every
    class (mean ± std)."""
    if not rows or not any(row['stats'] for row in rows):
        return '(no results)'
    keys = next(row['stats'] for row in rows if row['stats'])
    classes = [k for k in keys if k.startswith(prefix + 'IoU.')]
    header = ['method', 'seeds', 'mIoU'] + [k[len(prefix + 'IoU.'):] for k in classes]
    lines = [f'{title}\n' if title else '', '| ' + ' | '.join(header) + ' |',
             '|' + '---|' * len(header)]
    missing = (math.nan, math.nan, 0)
    for row in rows:
        values = [row['method'], str(len(row['seeds'])),
                  _cell(row['stats'].get(prefix + 'mIoU', missing))]
        values += [_cell(row['stats'].get(k, missing)) for k in classes]
        lines.append('| ' + ' | '.join(values) + ' |')
    return '\n'.join(line for line in lines if line)


def format_summary(rows: Sequence[Dict], metrics: Sequence[str], title: str = '',
                   count: str = 'seeds') -> str:
    """Markdown table: method, number of runs (column ``count``), then each of ``metrics``
    (mean ± std; n/a if absent)."""
    lines = [f'{title}\n' if title else '', '| ' + ' | '.join(['method', count, *metrics])
             + ' |', '|' + '---|' * (len(metrics) + 2)]
    for row in rows:
        values = [row['method'], str(len(row['seeds']))]
        values += [_cell(row['stats'].get(m, (math.nan, math.nan, 0))) for m in metrics]
        lines.append('| ' + ' | '.join(values) + ' |')
    return '\n'.join(line for line in lines if line)


def paired_difference(runs: Sequence[Dict], a: str, b: str, metric: str,
                      confidence: float = 0.95) -> Dict:
    """``a - b`` of ``metric`` over the seeds (and folds) both methods ran: mean, sample std, n,
    and the two-sided ``confidence`` interval of the mean (Student's t; None for fewer than 2
    runs)."""
    by_seed = {name: {(r['seed'], r.get('fold')): r['metrics'].get(metric, math.nan)
                      for r in runs if r['method'] == name} for name in (a, b)}
    seeds = sorted(set(by_seed[a]) & set(by_seed[b]))
    diffs = np.array([by_seed[a][s] - by_seed[b][s] for s in seeds], dtype=np.float64)
    diffs = diffs[~np.isnan(diffs)]
    unit = 'folds' if any(fold is not None for _, fold in seeds) else 'seeds'
    result = dict(a=a, b=b, metric=metric, n=len(diffs), unit=unit, diffs=diffs.tolist(),
                  mean=float(diffs.mean()) if len(diffs) else math.nan, std=math.nan, ci=None)
    if len(diffs) > 1:
        result['std'] = float(diffs.std(ddof=1))
        scale = sem(diffs)  # 0 for equal differences, where scipy's interval is NaN
        low, high = student_t.interval(confidence, len(diffs) - 1, loc=result['mean'],
                                       scale=scale) if scale > 0 else (result['mean'],) * 2
        result['ci'] = (float(low), float(high))
    return result


def format_difference(diff: Dict) -> str:
    """One line: ``a - b (metric): mean [lo, hi] 95 % CI over n seeds``."""
    text = f'{diff["a"]} - {diff["b"]} ({diff["metric"]}): {diff["mean"]:+.2f}'
    if diff['ci'] is None:
        unit = diff['unit'][:-1] if diff['n'] == 1 else diff['unit']  # 1 seed, 0 seeds
        return text + f' ({diff["n"]} {unit}: no confidence interval)'
    lo, hi = diff['ci']
    return text + f', 95 % CI [{lo:+.2f}, {hi:+.2f}] over {diff["n"]} {diff["unit"]} (paired)'


def format_times(runs: Sequence[Dict], methods: Sequence[str]) -> str:
    """Markdown table: minutes per stage of each method (mean over its runs; as recorded when
    the stage ran, also for runs reused since) and the total of all runs."""
    stages = ('pretrain', 'finetune', 'probe')
    lines = ['| method | runs | ' + ' | '.join(f'{s} (min)' for s in stages) + ' |',
             '|' + '---|' * (len(stages) + 2)]
    for name in methods:
        mine = [r.get('seconds', {}) for r in runs if r['method'] == name]
        cells = [f'{np.mean([t[s] for t in mine if s in t]) / 60:.1f}'
                 if any(s in t for t in mine) else '-' for s in stages]
        lines.append(f'| {name} | {len(mine)} | ' + ' | '.join(cells) + ' |')
    total = sum(sum(r.get('seconds', {}).values()) for r in runs) / 60
    return '\n'.join(lines) + f'\n\nAll stages of all runs: {total:.1f} min'


def learnability_verdict(rows: Sequence[Dict], check: Dict) -> str:
    """Whether the reference method reached ``check['min']`` on ``check['metric']``."""
    row = next((r for r in rows if r['method'] == check['method']), None)
    mean = row['stats'].get(check['metric'], (math.nan, 0, 0))[0] if row else math.nan
    if not mean >= check['min']:
        return (f'NOT LEARNED: the {check["method"]} reference reaches {mean:.2f} '
                f'{check["metric"]} (< {check["min"]}), so the task is not learned at this '
                'budget and the comparison above says little')
    return (f'learnability check passed: the {check["method"]} reference reaches {mean:.2f} '
            f'{check["metric"]} (>= {check["min"]})')


def format_report(bench: Config, name: str, runs: Sequence[Dict], methods: Sequence[str],
                  seeds: Sequence[int], folds: Optional[Sequence[int]] = None) -> str:
    """The markdown report of the runs of benchmark ``name``: its tables (k-fold metrics,
    DeepLabV3 IoU or probe mIoU), paired differences and learnability check. Comparisons and
    the learnability check that name a method left out of ``methods`` (``--methods``) are left
    out too."""
    rows = summarize(runs, methods)
    pairs = [(a, b) for a, b in bench.get('compare') or [] if a in methods and b in methods]
    check = bench.get('learnability')
    if check and check['method'] not in methods:
        check = None
    if bench.get('metrics'):
        where = f'seeds {seeds}' + (f', folds {folds}' if folds else '')
        parts = [format_summary(rows, bench.metrics, f'{name}: test metrics (%), mean ± std '
                                f'over {where}', count='runs')]
        diffs = [format_difference(paired_difference(runs, a, b, bench.metrics[0]))
                 for a, b in pairs]
        if diffs:
            parts.append('Paired differences (same seed and fold):\n'
                         + '\n'.join(f'- {d}' for d in diffs))
        if check:
            parts.append(learnability_verdict(rows, check))
        return '\n\n'.join(parts)
    if 'finetune' in bench:
        return format_table(rows, f'{name}: DeepLabV3 on each encoder, IoU (%) on the test '
                            f'split, seeds {seeds}')
    heads = bench.probe.get('heads') or ['linear', 'aspp']
    metrics = [f'{head} mIoU' for head in heads]
    if any('end-to-end mIoU' in run['metrics'] for run in runs):
        metrics.append('end-to-end mIoU')
    # the boundary and foreground metrics, where the probes computed them
    extra = [f'{head} {metric}' for metric in ('bIoU', 'fg_mIoU', 'edge_mIoU') for head in heads
             if any(f'{head} {metric}' in run['metrics'] for run in runs)]
    parts = [format_summary(rows, metrics + extra, f'{name}: frozen-encoder probes, mIoU, '
                            'Boundary IoU (bIoU), foreground mIoU (fg) and mIoU near depth edges '
                            f'(edge) (%) on the evaluation split, seeds {seeds}'),
             format_table(rows, f'Per-class IoU (%) of the {heads[0]} probe', f'{heads[0]} ')]
    diffs = [format_difference(paired_difference(runs, a, b, metric))
             for a, b in pairs for metric in metrics + extra
             if all(metric in r['metrics'] for r in runs if r['method'] in (a, b))]
    if diffs:
        parts.append('Paired differences (same seed):\n' + '\n'.join(f'- {d}' for d in diffs))
    if check:
        parts.append(learnability_verdict(rows, check))
    return '\n\n'.join(parts)
