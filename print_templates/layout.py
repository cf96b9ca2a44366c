"""Layout pieces the sheets share."""

from __future__ import annotations

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
