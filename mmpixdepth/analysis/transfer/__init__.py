"""Transfer benchmark: pretrain encoders, evaluate each downstream, tabulate mean ± std.

:mod:`.benchmark` reads and checks a benchmark (its format is documented there) and gives the
configs of each run, :mod:`.runs` runs and caches the trainings and probes, :mod:`.report`
tabulates their results and :mod:`.figures` draws the similarity maps of their encoders
(``tools/analysis_tools/benchmark_transfer.py`` runs it all).
"""
from .benchmark import (FINETUNE_KEYS, LOADERS, METHOD_KEYS, PRECISION_OPTIONS, PROBE_KEYS,
                        fold_dir, load_benchmark, precision_options, probe_config, run_dir,
                        select_methods, slug, stage_configs, use_fold)
from .figures import pretraining_loss_figure, similarity_figures
from .report import (format_difference, format_report, format_summary, format_table,
                     format_times, learnability_verdict, paired_difference, summarize)
from .runs import (CHECK_ONLY_HOOKS, FINGERPRINT_FILE, PROBE_VERSION, RESULT_FILE,
                   claim_work_dir, fingerprint, run_benchmark, run_method, run_probe,
                   run_training)

__all__ = [
    'FINETUNE_KEYS', 'LOADERS', 'METHOD_KEYS', 'PRECISION_OPTIONS', 'PROBE_KEYS', 'fold_dir',
    'load_benchmark', 'precision_options', 'probe_config', 'run_dir', 'select_methods', 'slug',
    'stage_configs', 'use_fold', 'similarity_figures', 'pretraining_loss_figure',
    'format_difference', 'format_report',
    'format_summary', 'format_table', 'format_times', 'learnability_verdict',
    'paired_difference', 'summarize', 'CHECK_ONLY_HOOKS', 'FINGERPRINT_FILE', 'PROBE_VERSION',
    'RESULT_FILE', 'claim_work_dir', 'fingerprint', 'run_benchmark', 'run_method', 'run_probe',
    'run_training'
]
