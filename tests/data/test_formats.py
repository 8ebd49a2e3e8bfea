import os

import pytest

from keras_i3d.data import formats


def touch(path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    open(path, "wb").close()
    return str(path)


def test_kinetics_csv(tmp_path):
    csv_path = tmp_path / "train.csv"
    csv_path.write_text(
        "label,youtube_id,time_start,time_end,split,is_cc\n"
        "abseiling,---QUuC4vJs,3,13,train,0\n"
        '"passing American football (in game)",-0MnzDcJKmk,28.0,38.0,train,0\n'
        "zumba,zzz_9,0,10,train,0\n"
    )
    in_class_dir = touch(tmp_path / "videos" / "abseiling" / "---QUuC4vJs_000003_000013.mp4")
    samples = formats.read_kinetics_csv(csv_path, tmp_path / "videos")
    assert [s.label for s in samples] == [0, 208, 399]
    assert samples[0].path == in_class_dir
    assert samples[1].path.endswith(os.path.join("videos", "-0MnzDcJKmk_000028_000038.mp4"))
    assert samples[1].label_name == "passing American football (in game)"


def test_kinetics_csv_errors_name_file_and_line(tmp_path):
    bad_header = tmp_path / "a.csv"
    bad_header.write_text("label,id\nabseiling,x\n")
    with pytest.raises(formats.AnnotationError, match="youtube_id"):
        formats.read_kinetics_csv(bad_header, tmp_path)
    unknown = tmp_path / "b.csv"
    unknown.write_text("label,youtube_id,time_start,time_end,split\nflying,x,0,10,train\n")
    with pytest.raises(formats.AnnotationError, match="b.csv, line 2: unknown class 'flying'"):
        formats.read_kinetics_csv(unknown, tmp_path)


def test_ucf101_split(tmp_path):
    (tmp_path / "classInd.txt").write_text("1 ApplyEyeMakeup\n2 ApplyLipstick\n")
    (tmp_path / "trainlist01.txt").write_text(
        "ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01.avi 1\r\n"
        "ApplyLipstick/v_ApplyLipstick_g09_c02.avi 2\r\n"
    )
    (tmp_path / "testlist01.txt").write_text("ApplyLipstick/v_ApplyLipstick_g01_c01.avi\n")
    train = formats.read_ucf101_split(tmp_path, "/data/UCF101", subset="train")
    assert [(s.label, s.label_name) for s in train] == [(0, "ApplyEyeMakeup"), (1, "ApplyLipstick")]
    assert train[0].path == "/data/UCF101/ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01.avi"
    test = formats.read_ucf101_split(tmp_path, "/data/UCF101", subset="test")
    assert [(s.label, os.path.basename(s.path)) for s in test] == [
        (1, "v_ApplyLipstick_g01_c01.avi")
    ]


def test_hmdb51_split(tmp_path):
    (tmp_path / "brush_hair_test_split1.txt").write_text("a.avi 1 \nb.avi 2 \nc.avi 0 \n")
    (tmp_path / "cartwheel_test_split1.txt").write_text("d.avi 2 \n")
    (tmp_path / "cartwheel_test_split2.txt").write_text("d.avi 1 \n")
    train = formats.read_hmdb51_split(tmp_path, "/hmdb", split=1, subset="train")
    assert [(s.label, s.path) for s in train] == [(0, "/hmdb/brush_hair/a.avi")]
    test = formats.read_hmdb51_split(tmp_path, "/hmdb", split=1, subset="test")
    assert [(s.label, s.label_name) for s in test] == [(0, "brush_hair"), (1, "cartwheel")]


def test_class_folders(tmp_path):
    touch(tmp_path / "b_class" / "one.mp4")
    touch(tmp_path / "a_class" / "two.avi")
    touch(tmp_path / "a_class" / "notes.txt")
    os.makedirs(tmp_path / "a_class" / "frames_video")
    samples = formats.read_class_folders(tmp_path)
    assert [(s.label_name, os.path.basename(s.path)) for s in samples] == [
        ("a_class", "frames_video"),
        ("a_class", "two.avi"),
        ("b_class", "one.mp4"),
    ]
    assert [s.label for s in samples] == [0, 0, 1]
    with pytest.raises(formats.AnnotationError, match="class folder is missing"):
        formats.read_class_folders(tmp_path, classes=["c_class"])


def test_flow_folders_are_named_after_the_video_file():
    from keras_i3d.data import VideoSample
    from keras_i3d.data import with_flow_folders

    samples = [
        VideoSample("videos/run/a1.mp4", 0, "run"),
        VideoSample("videos/jump/b.2.avi", 1, "jump"),
    ]
    assert [s.flow_path for s in with_flow_folders(samples, "flow")] == ["flow/a1", "flow/b.2"]
    assert with_flow_folders(samples, "flow")[1].label_name == "jump"
