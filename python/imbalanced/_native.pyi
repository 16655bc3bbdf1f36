"""Type stubs of the Rust extension (written by hand: python/src is the source)."""

from typing import Any

import numpy as np
from numpy.typing import NDArray

__version__: str

class Model:
    """A fitted classifier of the engine; pickles as its model file (JSON)."""

    @staticmethod
    def from_json(text: str) -> Model: ...
    def to_json(self) -> str: ...
    def predict_proba(self, x: NDArray[np.float64]) -> NDArray[np.float64]: ...
    @property
    def n_features(self) -> int: ...
    @property
    def n_classes(self) -> int: ...

def __getattr__(name: str) -> Any: ...
