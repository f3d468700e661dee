# The paper's label-scarce setting ("10/10/20": 20% of the labelled data): the 20% validation
# split is cut into two class-stratified, disjoint halves, one to train on and one for model
# selection; the test split is the usual 20%. Fine-tuning of the EfficientNet-B2 encoder.
_base_ = './efficientnet-b2_1xb16-100e_3dpm.py'
train_dataloader = dict(
    dataset=dict(ann_file='splits/val.txt', label_fraction=0.5, label_fraction_seed=0))
val_dataloader = dict(
    dataset=dict(ann_file='splits/val.txt', label_fraction=0.5, label_fraction_seed=0,
                 label_fraction_complement=True))
