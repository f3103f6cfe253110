"""The NonMaxSuppression and Unique helpers against onnxruntime running the one ONNX node."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import onnxruntime as ort
import pytest
import torch
from onnx import TensorProto, helper

from ramiel.runtime_helpers.detection import onnx_non_max_suppression, onnx_unique

OPSET = 21


def _run_node(
    op_type: str,
    inputs: dict[str, np.ndarray | None],
    outputs: list[str],
    output_types: Sequence[int],
    **attributes: int,
) -> list[np.ndarray]:
    """onnxruntime's outputs of one `op_type` node; a None input is left out."""
    names = [name if value is not None else "" for name, value in inputs.items()]
    while names and not names[-1]:
        names.pop()
    feeds = {name: value for name, value in inputs.items() if value is not None}
    node = helper.make_node(op_type, names, outputs)
    node.attribute.extend(helper.make_attribute(key, value) for key, value in attributes.items())
    graph = helper.make_graph(
        [node],
        op_type,
        [
            helper.make_tensor_value_info(name, helper.np_dtype_to_tensor_dtype(value.dtype), None)
            for name, value in feeds.items()
        ],
        [
            helper.make_tensor_value_info(name, element_type, None)
            for name, element_type in zip(outputs, output_types, strict=True)
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 10
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return [np.asarray(output) for output in session.run(None, feeds)]


def _assert_same(actual: torch.Tensor, expected: np.ndarray) -> None:
    """Same type, shape and bytes (so 0.0 and -0.0 differ)."""
    assert actual.numpy().dtype == expected.dtype
    assert tuple(actual.shape) == expected.shape
    assert actual.numpy().tobytes() == expected.tobytes(), f"{actual} != {expected}"


@dataclass(frozen=True)
class NmsCase:
    boxes: list[list[list[float]]]
    scores: list[list[list[float]]]
    max_boxes: int | None = 10
    iou: float | None = 0.5
    score: float | None = None
    center_point_box: int = 0


_UNIT = [0.0, 0.0, 1.0, 1.0]
_FAR = [5.0, 5.0, 6.0, 6.0]

NMS_CASES = {
    "overlap_suppressed": NmsCase(
        [[_UNIT, [0.0, 0.1, 1.0, 1.1], [0.0, 0.9, 1.0, 1.9], _FAR]], [[[0.9, 0.8, 0.7, 0.6]]]
    ),
    "ties_lower_index_first": NmsCase(
        [[_UNIT, _UNIT, _UNIT, _FAR, _FAR, [9.0, 9.0, 10.0, 10.0]]],
        [[[0.5, 0.5, 0.5, 0.5, 0.7, 0.5]]],
    ),
    "flipped_corners": NmsCase(
        [[[1.0, 1.0, 0.0, 0.0], [0.0, 1.1, 1.0, 0.1], [6.0, 5.0, 5.0, 6.0], _FAR]],
        [[[0.6, 0.9, 0.8, 0.7]]],
    ),
    "center_point_box": NmsCase(
        [[[0.5, 0.5, 1.0, 1.0], [0.6, 0.5, 1.0, 1.0], [2.0, 2.0, 1.0, 1.0], [2.0, 2.5, 1.0, 2.0]]],
        [[[0.9, 0.95, 0.3, 0.4]]],
        center_point_box=1,
    ),
    "batches_and_classes": NmsCase(
        [[_UNIT, [0.0, 0.2, 1.0, 1.2], _FAR], [_FAR, [5.0, 5.1, 6.0, 6.1], _UNIT]],
        [
            [[0.9, 0.8, 0.1], [0.1, 0.8, 0.9]],
            [[0.3, 0.2, 0.1], [0.2, 0.3, 0.6]],
        ],
        max_boxes=2,
    ),
    "score_threshold_strict": NmsCase(
        [[_UNIT, _FAR, [9.0, 9.0, 10.0, 10.0]]], [[[0.5, 0.25, 0.75]]], score=0.5
    ),
    "iou_at_threshold_kept": NmsCase(
        [[_UNIT, [0.0, 0.0, 1.0, 2.0], [0.0, 0.0, 0.5, 1.0]]], [[[0.9, 0.8, 0.7]]], iou=0.5
    ),
    "zero_area_boxes": NmsCase(
        [[[0.0, 0.0, 0.0, 1.0], _UNIT, [0.0, 0.0, 1.0, 0.0], [0.5, 0.5, 0.5, 0.5]]],
        [[[0.9, 0.8, 0.7, 0.6]]],
        iou=0.0,
    ),
    "no_iou_threshold": NmsCase(
        [[_UNIT, [0.0, 0.99, 1.0, 2.0], [0.0, 1.0, 1.0, 2.0]]], [[[0.9, 0.8, 0.7]]], iou=None
    ),
    "no_optional_inputs": NmsCase([[_UNIT, _FAR]], [[[0.9, 0.8]]], max_boxes=None, iou=None),
    "no_score_threshold_or_iou": NmsCase([[_UNIT, _UNIT, _FAR]], [[[0.1, 0.9, 0.5]]], iou=None),
    "max_boxes_0": NmsCase([[_UNIT, _FAR]], [[[0.9, 0.8]]], max_boxes=0),
    "max_boxes_1": NmsCase([[_UNIT, _FAR], [_FAR, _UNIT]], [[[0.8, 0.9]], [[0.3, 0.4]]], max_boxes=1),
    "nothing_above_score": NmsCase([[_UNIT, _FAR]], [[[0.1, 0.2]]], score=0.5),
}


def _random_nms_case(
    seed: int, batches: int, classes: int, count: int, center_point_box: int
) -> NmsCase:
    """Boxes of random corners (so many flipped), scores on a coarse grid (so many ties)."""
    rng = np.random.default_rng(seed)
    if center_point_box:
        centres = rng.uniform(0, 10, (batches, count, 2))
        sizes = rng.uniform(0, 3, (batches, count, 2))
        boxes = np.concatenate([centres, sizes], axis=-1)
    else:
        boxes = rng.uniform(0, 10, (batches, count, 4))
    scores = rng.integers(0, 20, (batches, classes, count)) / 20
    return NmsCase(
        boxes.astype(np.float32).tolist(),
        scores.astype(np.float32).tolist(),
        max_boxes=int(rng.integers(1, count + 1)),
        iou=float(rng.choice([0.0, 0.3, 0.5, 0.7])),
        score=float(rng.choice([0.2, 0.5])) if seed % 2 else None,
        center_point_box=center_point_box,
    )


NMS_CASES |= {
    f"random_{seed}": _random_nms_case(seed, batches, classes, count, center)
    for seed, (batches, classes, count, center) in enumerate(
        [(1, 1, 20, 0), (2, 3, 30, 0), (1, 2, 40, 1), (3, 2, 25, 1), (1, 1, 2000, 0), (1, 4, 500, 1)]
    )
}


def _optional(value: float | None, dtype: type[np.generic]) -> np.ndarray | None:
    return None if value is None else np.array([value], dtype)


@pytest.mark.parametrize("case", list(NMS_CASES.values()), ids=list(NMS_CASES))
def test_non_max_suppression_matches_onnxruntime(case: NmsCase) -> None:
    boxes = np.array(case.boxes, np.float32)
    scores = np.array(case.scores, np.float32)
    max_boxes = _optional(case.max_boxes, np.int64)
    iou = _optional(case.iou, np.float32)
    score = _optional(case.score, np.float32)
    (expected,) = _run_node(
        "NonMaxSuppression",
        {
            "boxes": boxes,
            "scores": scores,
            "max_output_boxes_per_class": max_boxes,
            "iou_threshold": iou,
            "score_threshold": score,
        },
        ["selected"],
        [TensorProto.INT64],
        center_point_box=case.center_point_box,
    )
    actual = onnx_non_max_suppression(
        torch.from_numpy(boxes),
        torch.from_numpy(scores),
        None if max_boxes is None else torch.from_numpy(max_boxes),
        None if iou is None else torch.from_numpy(iou),
        None if score is None else torch.from_numpy(score),
        case.center_point_box,
    )
    _assert_same(actual, expected.reshape(-1, 3))


def _repeated_slices(shape: tuple[int, ...], axis: int, seed: int) -> np.ndarray:
    """An int64 tensor of `shape` whose slices along `axis` repeat, out of order."""
    rng = np.random.default_rng(seed)
    base_shape = list(shape)
    base_shape[axis] = 3
    base = rng.integers(-2, 3, base_shape, dtype=np.int64)
    return np.take(base, rng.integers(0, 3, shape[axis]), axis=axis)


UNIQUE_CASES: dict[str, tuple[np.ndarray, int | None]] = {
    "float32_vector": (
        np.array([2.5, -1.0, 0.0, 2.5, -0.0, 7.0, -1.0, 0.0, 1e-3, 2.5], np.float32),
        None,
    ),
    "float64_vector": (np.random.default_rng(0).choice([0.5, -3.0, 1e30, 4.25], 30), None),
    "float16_matrix": (np.random.default_rng(1).choice([0.5, -3.0, 2.0], (4, 5)).astype(np.float16), None),
    "int8_vector": (np.random.default_rng(2).integers(-128, 128, 50).astype(np.int8), None),
    "int64_scalar": (np.array(4, np.int64), None),
    "int64_empty": (np.zeros((0,), np.int64), None),
    "int64_2d_flat": (np.random.default_rng(3).integers(-3, 4, (5, 6)), None),
    "int64_2d_axis_0": (_repeated_slices((7, 3), 0, 4), 0),
    "int64_2d_axis_1": (_repeated_slices((3, 8), 1, 5), 1),
    "int64_2d_axis_-1": (_repeated_slices((2, 9), 1, 6), -1),
    "int64_3d_flat": (np.random.default_rng(7).integers(0, 5, (3, 4, 2)), None),
    "int64_3d_axis_0": (_repeated_slices((6, 2, 3), 0, 8), 0),
    "int64_3d_axis_1": (_repeated_slices((2, 7, 2), 1, 9), 1),
    "int64_3d_axis_-1": (_repeated_slices((2, 3, 8), 2, 10), -1),
    "int64_3d_axis_-2": (_repeated_slices((3, 6, 2), 1, 11), -2),
    "float32_2d_axis_0": (_repeated_slices((6, 3), 0, 12).astype(np.float32) / 2, 0),
}


@pytest.mark.parametrize("is_sorted", [True, False], ids=["sorted", "unsorted"])
@pytest.mark.parametrize(("x", "axis"), list(UNIQUE_CASES.values()), ids=list(UNIQUE_CASES))
def test_unique_matches_onnxruntime(x: np.ndarray, axis: int | None, is_sorted: bool) -> None:
    attributes = {"sorted": int(is_sorted)} | ({} if axis is None else {"axis": axis})
    expected = _run_node(
        "Unique",
        {"x": x},
        ["y", "indices", "inverse_indices", "counts"],
        [helper.np_dtype_to_tensor_dtype(x.dtype)] + [TensorProto.INT64] * 3,
        **attributes,
    )
    actual = onnx_unique(torch.from_numpy(x), axis, is_sorted)
    for actual_output, expected_output in zip(actual, expected, strict=True):
        _assert_same(actual_output, expected_output)
