"""Contract of `quarantine`: plan and score rejections, the same contract as their staging tables."""

from pipelines.quality.schemas import StgQuarantine

CONTRACT = StgQuarantine
