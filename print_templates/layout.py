"""Layout pieces the sheets share."""

from __future__ import annotations

from collections.abc import Callable

from reportlab.platypus import Flowable


class FirstThatFits(Flowable):
    """The first of several versions of a block that fits the space left; the last otherwise."""

    def __init__(self, versions: list[list[Flowable]]) -> None:
        super().__init__()
        self.versions = versions
        self.chosen: list[Flowable] = versions[-1]

    def _height(self, version: list[Flowable], width: float, height: float) -> float:
        return sum(
            f.wrap(width, height)[1] + f.getSpaceBefore() + f.getSpaceAfter() for f in version
        )

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        """Pick the fullest version that fits."""
        for version in self.versions:
            self.chosen = version
            self.height = self._height(version, avail_width, avail_height)
            if self.height <= avail_height:
                break
        self.width = avail_width
        return self.width, self.height

    def draw(self) -> None:
        """Stack the chosen version's flowables from the top."""
        y = self.height
        for flowable in self.chosen:
            y -= flowable.getSpaceBefore()
            _w, h = flowable.wrap(self.width, self.height)
            y -= h
            flowable.drawOn(self.canv, 0, y)
            y -= flowable.getSpaceAfter()


def _stacked_height(
    flowables: list[Flowable], width: float, height: float, over: float | None = None
) -> float:
    """The flowables' heights with their spacing; once past `over`, no further than that."""
    heights = []
    for f in flowables:
        heights.append(f.wrap(width, height)[1] + f.getSpaceBefore() + f.getSpaceAfter())
        if over is not None and sum(heights) > over:
            break
    return sum(heights)


class Stack(Flowable):
    """Flowables stacked as one block, so a page can space blocks apart and not their lines."""

    def __init__(self, flowables: list[Flowable]) -> None:
        super().__init__()
        self.flowables = flowables

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        """As tall as its flowables with their spacing."""
        self.width = avail_width
        self.height = _stacked_height(self.flowables, avail_width, avail_height)
        return self.width, self.height

    def draw(self) -> None:
        """Each flowable from the top."""
        _draw_stacked(self.canv, self.flowables, self.width, self.height, 0.0)


def _draw_stacked(canvas, flowables: list[Flowable], width: float, top: float, gap: float) -> None:
    y = top
    for flowable in flowables:
        y -= flowable.getSpaceBefore()
        _w, h = flowable.wrap(width, top)
        y -= h
        flowable.drawOn(canvas, 0, y)
        y -= flowable.getSpaceAfter() + gap


class FillFrame(Flowable):
    """The first of several versions of a page's blocks that fits, spread to fill the frame.

    Versions are built only when tried (each one is a function), largest first, so a short
    poster grows its type until the frame is full; what is left is shared between the blocks.
    """

    def __init__(self, versions: list[Callable[[], list[Flowable]]], gap: float = 0.0) -> None:
        super().__init__()
        self.versions = versions
        self.chosen: list[Flowable] = []
        self.used = 0.0
        # The least space between two blocks (Nastaliq's tall letters reach above their line).
        self.gap = gap

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        """Take the whole frame; remember the fullest version that fits it."""
        last = len(self.versions) - 1
        for n, build in enumerate(self.versions):
            self.chosen = build()
            # A version too tall before its last block cannot fit: leave the rest unmeasured
            # (the last version is measured whole: its height is the page's when nothing fits).
            self.used = _stacked_height(
                self.chosen, avail_width, avail_height, over=None if n == last else avail_height
            )
            self.used += self.gap * (len(self.chosen) - 1)
            if self.used <= avail_height:
                break
        self.width = avail_width
        self.height = max(avail_height, self.used)
        return self.width, self.height

    def draw(self) -> None:
        """The blocks from the top, the frame's spare height shared between them."""
        gaps = max(len(self.chosen) - 1, 1)
        gap = self.gap + max(self.height - self.used, 0.0) / gaps
        _draw_stacked(self.canv, self.chosen, self.width, self.height, gap)
