"""Borehole converter on image-log arrays as a DLIS file gives them (depth index in 0.1 in,
logged upwards, absent values, tool-relative azimuth), with breakout picks: orientation,
depth units, tiling, masks and splits, round-tripped through BoreholeDataset and
LoadDepthFromFile. (No DLIS writer exists to make a DLIS fixture: the array path is tested.)"""
import csv
import os.path as osp

import cv2
import numpy as np
import pytest
from mmengine.registry import DefaultScope
from mmseg.registry import DATASETS, TRANSFORMS

import mmpixdepth  # noqa: F401  (registers modules)
from mmpixdepth.datasets.converters.borehole import (amplitude_to_uint8, convert_image_logs,
                                                     image_log_from_arrays, read_picks, split_wells,
                                                     tile_starts, write_well_tiles)
from mmpixdepth.fileio import read_depth
from mmpixdepth.utils import load_config

ROWS, BINS = 200, 36  # 5 mm depth samples, 10-degree azimuth bins
TOP_M, STEP_M = 1000.0, 0.005
REFERENCE = 90.0  # column 0 of the tool points east: north-up images roll by 9 columns
TILE, OVERLAP = 64, 16
# depth limits between samples: W1 rows 50..100, W2 rows 20..40
PICKS = ('well,top,bottom,azimuth,width\nW1,1000.2475,1000.5025,45,20\n'
         'W2,1000.0975,1000.2025,200,40\n')


def tool_arrays(seed):
    """What the tool recorded, logged upwards: depth in 0.1 in (decreasing), amplitude and
    transit time (N, A) with absent values; and the same images top-down and north-up."""
    rows, cols = np.mgrid[0:ROWS, 0:BINS]
    amplitude = (rows * 0.5 + cols * 3 + seed).astype(np.float32)  # top-down, tool columns
    transit = (60 + rows * 0.01 + cols * 0.1).astype(np.float32)
    amplitude[100:110, 3] = -999.25
    transit[20:25, 7] = -999.25
    north = (cols - 9) % BINS
    expected = [np.where(image == -999.25, np.nan, image)[rows, north]
                for image in (amplitude, transit)]
    depth_in = (TOP_M + STEP_M * np.arange(ROWS)) / 0.00254
    return depth_in[::-1], amplitude[::-1], transit[::-1], expected


def log(well, seed=0):
    depth, amplitude, transit, _ = tool_arrays(seed)
    return image_log_from_arrays(well, depth, amplitude, transit, depth_units='0.1 in',
                                 reference_azimuth=np.full(ROWS, REFERENCE), transit_units='us')


@pytest.fixture
def converted(tmp_path):
    (tmp_path / 'picks.csv').write_text(PICKS)
    loaders = {well: (lambda well=well, seed=seed: log(well, seed))
               for seed, well in enumerate(['W1', 'W2', 'W3'])}
    summary = convert_image_logs(loaders, str(tmp_path / 'borehole'),
                                 read_picks(str(tmp_path / 'picks.csv')), val_wells=['W2'],
                                 tile_height=TILE, overlap=OVERLAP, progress=False)
    return tmp_path / 'borehole', summary


def test_orientation_units_and_masks(converted):
    out, summary = converted
    starts = tile_starts(ROWS, TILE, OVERLAP)
    assert starts.tolist() == [0, 48, 96, 136]  # every 48 rows, the last one ending at the end
    assert summary['tiles'] == dict(train=4, val=4, unlabelled=4)
    assert summary['skipped'] == [] and summary['picks_outside'] == {}

    _, _, _, (amplitude, transit) = tool_arrays(0)
    value_range = tuple(np.percentile(amplitude[np.isfinite(amplitude)], (1, 99)))
    for number, start in enumerate(starts):
        name = f'W1_{number:05d}'
        window = slice(start, start + TILE)
        png = cv2.imread(str(out / 'amplitude' / 'train' / f'{name}.png'), cv2.IMREAD_UNCHANGED)
        np.testing.assert_array_equal(png, amplitude_to_uint8(amplitude[window], value_range))
        tif = read_depth(str(out / 'transit_time' / 'train' / f'{name}.tif'))
        np.testing.assert_array_equal(tif, np.nan_to_num(transit[window], nan=0))
    # W1's breakout: depths 1000.25..1000.5 m = rows 50..100, azimuths 35..55 = columns 3..5
    mask = np.zeros((ROWS, BINS), np.uint8)
    mask[50:101, 3:6] = 1
    mask[np.isnan(amplitude)] = 255
    for number, start in enumerate(starts):
        stored = cv2.imread(str(out / 'breakout' / 'train' / f'W1_{number:05d}.png'),
                            cv2.IMREAD_UNCHANGED)
        np.testing.assert_array_equal(stored, mask[start:start + TILE])
    # W2's pick: 180..220 degrees = columns 18..21, rows 20..40
    stored = cv2.imread(str(out / 'breakout' / 'val' / 'W2_00000.png'), cv2.IMREAD_UNCHANGED)
    assert np.argwhere(stored == 1)[:, 1].min() == 18 and stored[20:41, 18:22].all()
    assert stored.sum() == 21 * 4
    assert not (out / 'breakout' / 'unlabelled').exists()

    with open(out / 'tiles.csv', newline='') as file:
        rows = list(csv.DictReader(file))
    assert [row['name'] for row in rows[:2]] == ['W1_00000', 'W1_00001']
    assert float(rows[1]['top_m']) == pytest.approx(TOP_M + 48 * STEP_M)
    assert float(rows[1]['bottom_m']) == pytest.approx(TOP_M + 111 * STEP_M)


def test_round_trip_through_the_dataset(converted, repo_root):
    out, _ = converted
    _, _, _, (amplitude, transit) = tool_arrays(1)  # W2, the validation well
    cfg = load_config(osp.join(repo_root, 'configs/_base_/datasets/borehole_seg.py'))
    with DefaultScope.overwrite_default_scope('mmseg'):
        val = DATASETS.build(dict(cfg.val_dataloader.dataset, data_root=str(out)))
        item = val[0]
        results = TRANSFORMS.build(dict(type='LoadImageFromFile', color_type='color'))(
            val.get_data_info(0))
        results = TRANSFORMS.build(dict(type='LoadDepthFromFile', normalize='none'))(results)
    assert len(val) == 4 and tuple(item['inputs'].shape) == (3, TILE, BINS)
    gt = item['data_samples'].gt_sem_seg.data[0].numpy()
    assert set(np.unique(gt)) == {0, 1} and gt[20:41, 18:22].all()
    depth = results['depth']
    expected = transit[:TILE]
    np.testing.assert_array_equal(np.isnan(depth), np.isnan(expected))
    np.testing.assert_allclose(depth[np.isfinite(depth)], expected[np.isfinite(expected)])


def test_pretraining_on_unlabelled_wells(converted, pretraining_item):
    out, _ = converted
    for config in ('pixdepth/pixdepth_r34_2xb64-800e_borehole-224x224.py',
                   'pixcontrast/pixcontrast_r34_2xb64-800e_borehole-224x224.py'):
        item = pretraining_item(config, str(out),
                                data_prefix=dict(img_path='amplitude/unlabelled'),
                                depth_prefix='transit_time/unlabelled')
        assert item['data_samples'].img_path.endswith('amplitude/unlabelled/W3_00000.png')
        assert [tuple(view.shape) for view in item['inputs']] == [(3, 224, 224)] * 2


def test_errors_and_splits(tmp_path):
    depth, amplitude, transit, _ = tool_arrays(0)
    with pytest.raises(ValueError, match=r"well W: unknown depth units 'furlong'"):
        image_log_from_arrays('W', depth, amplitude, transit, depth_units='furlong')
    shuffled = depth.copy()
    shuffled[[3, 4]] = shuffled[[4, 3]]
    with pytest.raises(ValueError, match='well W: the depth index is not strictly monotonic'):
        image_log_from_arrays('W', shuffled, amplitude, transit, depth_units='0.1 in')
    with pytest.raises(ValueError, match=r'transit time \(200, 35\) and amplitude \(200, 36\)'):
        image_log_from_arrays('W', depth, amplitude, transit[:, :35], depth_units='0.1 in')
    empty = image_log_from_arrays('W', depth, np.full_like(amplitude, -999.25), transit,
                                  depth_units='0.1 in')
    with pytest.raises(ValueError, match='well W: the amplitude channel has no valid value'):
        write_well_tiles(empty, str(tmp_path / 'o'), 'train')
    (tmp_path / 'bad.csv').write_text('well,top,bottom,azimuth\nW1,1,2,3\n')
    with pytest.raises(ValueError, match=r"bad.csv: the header is \['well', 'top', 'bottom', "
                                         r"'azimuth'\]; expected well,top,bottom,azimuth,width"):
        read_picks(str(tmp_path / 'bad.csv'))
    (tmp_path / 'flip.csv').write_text('well,top,bottom,azimuth,width\nW1,2,1,3,10\n')
    with pytest.raises(ValueError, match='flip.csv line 2: need finite values, top < bottom'):
        read_picks(str(tmp_path / 'flip.csv'))
    splits = split_wells(['A', 'B', 'C', 'D', 'E'], val_fraction=0.4, seed=3)
    assert sorted(splits.values()) == ['train'] * 3 + ['val'] * 2
    assert split_wells(['A', 'B', 'C', 'D', 'E'], val_fraction=0.4, seed=3) == splits
    with pytest.raises(ValueError, match=r"validation wells \['Z'\] are not among"):
        split_wells(['A'], val_wells=['Z'])


def test_dlis_tool_reports_unreadable_files(tmp_path, tool_main, capsys):
    missing = str(tmp_path / 'W9.dlis')
    assert tool_main('dataset_converters/borehole.py')(
        [missing, '--out', str(tmp_path / 'o'), '--amplitude-channel', 'AMP',
         '--transit-channel', 'TT', '--no-progress']) == 1
    assert f'error: DLIS file not found: {missing}' in capsys.readouterr().err
