"""Runtime helpers of NonMaxSuppression and Unique, whose result sizes the values decide."""

import torch


def onnx_non_max_suppression(
    boxes: torch.Tensor,
    scores: torch.Tensor,
    max_output_boxes_per_class: torch.Tensor | None,
    iou_threshold: torch.Tensor | None,
    score_threshold: torch.Tensor | None,
    center_point_box: int,
) -> torch.Tensor:
    """ONNX NonMaxSuppression: the int64 rows (batch, class, box) of the boxes kept.

    `boxes` is [batches, boxes, 4], as [y1, x1, y2, x2] (any two opposite corners)
    when `center_point_box` is 0, as [x_center, y_center, width, height] when it
    is 1; `scores` is [batches, classes, boxes]. The optional inputs hold one
    value each; an absent one means 0 boxes, an IoU threshold of 0 and no score
    threshold. Rows come batch by batch, class by class, each class's boxes in
    the order they are picked.

    It picks as onnxruntime does: boxes scoring strictly above the score
    threshold, highest score first and, of equal scores, the lower box index
    first; a box is dropped when its IoU with a box picked before it is strictly
    above the IoU threshold. The IoU is computed in the boxes' type with
    onnxruntime's operations in its order, so a ratio at the threshold falls on
    the same side.
    """
    max_boxes = (
        0 if max_output_boxes_per_class is None else int(max_output_boxes_per_class.reshape(-1)[0])
    )
    if max_boxes <= 0:
        return torch.zeros((0, 3), dtype=torch.int64, device=boxes.device)
    iou_limit = 0.0 if iou_threshold is None else float(iou_threshold.reshape(-1)[0])
    score_limit = None if score_threshold is None else float(score_threshold.reshape(-1)[0])
    if center_point_box == 0:
        y_min = torch.minimum(boxes[..., 0], boxes[..., 2])
        y_max = torch.maximum(boxes[..., 0], boxes[..., 2])
        x_min = torch.minimum(boxes[..., 1], boxes[..., 3])
        x_max = torch.maximum(boxes[..., 1], boxes[..., 3])
    else:
        half_width = boxes[..., 2] / 2
        half_height = boxes[..., 3] / 2
        x_min = boxes[..., 0] - half_width
        x_max = boxes[..., 0] + half_width
        y_min = boxes[..., 1] - half_height
        y_max = boxes[..., 1] + half_height
    areas = (x_max - x_min) * (y_max - y_min)
    picked: list[list[int]] = []
    for batch in range(boxes.shape[0]):
        for cls in range(scores.shape[1]):
            class_scores = scores[batch, cls]
            # A stable sort keeps equal scores in index order.
            order = torch.sort(class_scores, descending=True, stable=True).indices
            if score_limit is not None:
                order = order[class_scores[order] > score_limit]
            x0, x1, y0, y1, area = (t[batch, order] for t in (x_min, x_max, y_min, y_max, areas))
            left = torch.maximum(x0[:, None], x0)
            right = torch.minimum(x1[:, None], x1)
            bottom = torch.maximum(y0[:, None], y0)
            top = torch.minimum(y1[:, None], y1)
            intersection = (right - left) * (top - bottom)
            union = area[:, None] + area - intersection
            # onnxruntime also spares pairs of zero intersection, area or union: their
            # ratio is 0 or NaN, which no threshold (at least 0) is below.
            overlaps = (right > left) & (top > bottom) & (intersection / union > iou_limit)
            dropped = torch.zeros(order.shape[0], dtype=torch.bool, device=boxes.device)
            kept: list[int] = []
            for i in range(order.shape[0]):
                if len(kept) == max_boxes:
                    break
                if not dropped[i]:
                    kept.append(i)
                    dropped |= overlaps[i]
            picked.extend([batch, cls, box] for box in order[kept].tolist())
    return torch.tensor(picked, dtype=torch.int64, device=boxes.device).reshape(-1, 3)


def onnx_unique(
    x: torch.Tensor, axis: int | None, sorted: bool
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """ONNX Unique: the unique values, their first indices, the inverse indices and the counts.

    With `axis`, the unique slices along it; without, the unique values of the
    flattened `x`. `sorted` puts them in ascending order (slices compared
    lexicographically), else in the order they first occur. Each is taken at its
    first occurrence, as onnxruntime does, which tells apart 0.0 and -0.0 (one
    value for torch).

    torch.unique sorts; the first occurrences give the other order.
    """
    if axis is None:
        x = x.flatten()
        axis = 0
    axis %= x.dim()
    size = x.shape[axis]
    # torch's flat unique is faster than its slice-wise one, and the same on a vector.
    _, inverse, counts = torch.unique(
        x, return_inverse=True, return_counts=True, dim=axis if x.dim() > 1 else None
    )
    first = torch.full_like(counts, size).scatter_reduce(
        0, inverse, torch.arange(size, device=x.device), "amin"
    )
    if not sorted:
        order = torch.argsort(first)
        first, counts = first[order], counts[order]
        inverse = torch.argsort(order)[inverse]
    return x.index_select(axis, first), first, inverse, counts
