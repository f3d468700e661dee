# Runtime of mmpretrain-scope classification jobs: the pretraining runtime, keeping the
# checkpoint of the best validation weighted F1 (best_single-label_f1-score_weighted_epoch_N.pth).
_base_ = './pretrain_runtime.py'
default_hooks = dict(
    checkpoint=dict(save_best='single-label/f1-score_weighted', rule='greater', max_keep_ckpts=1))
