# Depth Contrast's k-fold protocol on the built-in synthetic 3DPM-like data, sized for 2 CPU
# cores: per fold, Depth Contrast pretraining of a narrow ResNet-18 on the fold's training samples
# (paper views: one 32x32 crop at the same position in both modalities), then classification
# fine-tuned, linear (frozen encoder) and fine-tuned on a quarter of the training labels, against
# the same encoder from random weights (fine-tuned from random weights, it is the supervised
# reference that shows the task is learnable). The test split of each fold is evaluated with the
# checkpoint of the best validation weighted F1; the table gives mean ± std over the folds.
# Data and run:
#   python tools/generate_synthetic_3dpm.py                  # 7 x 20 samples
#   python tools/dataset_converters/make_3dpm_splits.py data/synthetic_3dpm --folds 5
#   OMP_NUM_THREADS=1 python tools/analysis_tools/benchmark_transfer.py \
#       benchmarks/depthcontrast_synthetic3dpm_kfold.py
data_root = 'data/synthetic_3dpm'
seeds = [0]
folds = [0, 1, 2]
fold_dir = 'splits/fold{fold}'
metrics = ['single-label/f1-score_weighted', 'accuracy/top1']
# data_root reaches every dataloader of every stage (load_benchmark in mmpixdepth/analysis)
_loader = {'num_workers': 0, 'persistent_workers': False}
pretrain_options = {f'train_dataloader.{k}': v for k, v in _loader.items()}
_finetune = 'configs/depthcontrast/benchmarks/resnet18-w16_1xb16-30e_synthetic3dpm.py'
_linear = 'configs/depthcontrast/benchmarks/resnet18-w16_1xb16-linear-30e_synthetic3dpm.py'
finetune = dict(
    config=_finetune,
    options={f'{loader}.{k}': v for loader in ('train_dataloader', 'val_dataloader',
                                               'test_dataloader') for k, v in _loader.items()},
    test_checkpoint='best')
_pretrain = 'configs/depthcontrast/depthcontrast_resnet18-w16_1xb28-60e_synthetic3dpm-32x32.py'
_random = {'model.backbone.init_cfg': None}
_quarter = {'train_dataloader.dataset.label_fraction': 0.25}
methods = [
    dict(name='Depth Contrast', pretrain=_pretrain),
    dict(name='random init', finetune_options=_random),
    dict(name='Depth Contrast linear', pretrain_from='Depth Contrast', finetune_config=_linear),
    dict(name='random init linear', finetune_config=_linear, finetune_options=_random),
    # label-scarce: a class-stratified quarter of the fold's training labels (3 per class)
    dict(name='Depth Contrast 25% labels', pretrain_from='Depth Contrast',
         finetune_options=_quarter),
    dict(name='random init 25% labels', finetune_options={**_random, **_quarter}),
]
compare = [('Depth Contrast', 'random init'), ('Depth Contrast linear', 'random init linear'),
           ('Depth Contrast 25% labels', 'random init 25% labels')]
learnability = dict(method='random init', metric='single-label/f1-score_weighted', min=50)
