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
    def votes(self, x: NDArray[np.float64]) -> NDArray[np.float64]: ...
    def shap_values(
        self, x: NDArray[np.float64], background: NDArray[np.float64], interventional: bool = False
    ) -> tuple[list[float], NDArray[np.float64]]: ...
    @property
    def name(self) -> str: ...
    def stability(
        self,
        x: NDArray[np.float64],
        background: NDArray[np.float64],
        y: NDArray[np.int64],
        n_classes: int,
        output: NDArray[np.int64],
        scale: list[float],
        noise: float,
        perturbations: int,
        weights: str,
        bootstrap: int,
        seed: int,
        groups: list[tuple[int, int]],
        flip: float | None,
    ) -> str: ...
    def feature_importances(self) -> list[float]: ...
    def out_of_bag(self) -> tuple[float, NDArray[np.float64], int] | None: ...
    @property
    def n_features(self) -> int: ...
    @property
    def n_classes(self) -> int: ...

def kernel_shap(
    model: Model | Any,
    x: NDArray[np.float64],
    background: NDArray[np.float64],
    nsamples: int | None = None,
    seed: int = 0,
) -> tuple[list[float], NDArray[np.float64]]: ...
def permutation_importance(
    model: Model,
    x: NDArray[np.float64],
    y: NDArray[np.int64],
    scoring: str,
    n_repeats: int,
    max_samples: str,
    seed: int,
) -> tuple[float, NDArray[np.float64]]: ...
def fit(
    name: str,
    params: str,
    x: NDArray[np.float64],
    y: NDArray[np.int64],
    n_classes: int,
    n_jobs: int | None = None,
    sample_weight: NDArray[np.float64] | None = None,
) -> Model: ...
def fit_more(
    name: str,
    params: str,
    model: Model,
    x: NDArray[np.float64],
    y: NDArray[np.int64],
    n_classes: int,
    n_jobs: int | None = None,
) -> Model: ...
def fit_semi_supervised(
    params: str,
    x: NDArray[np.float64],
    y: NDArray[np.int64],
    n_classes: int,
    x_unlabelled: NDArray[np.float64],
    weight: float,
    proportions: list[float] | None,
    stochastic: bool,
    alignment: tuple[float, float | None, float | None] | None,
    n_jobs: int | None = None,
) -> Model: ...
def partitioners() -> list[tuple[str, str, str, list[tuple[str, str, str]]]]: ...
def partition(name: str, params: str, codes: NDArray[np.int64], n_values: int) -> list[list[int]]: ...
def long_tail(codes: NDArray[np.int64], n_classes: int, profile: str, imbalance_ratio: float, seed: int) -> list[int]: ...
def simulate(
    settings: str,
    x: NDArray[np.float64],
    y: NDArray[np.int64],
    n_classes: int,
    clients: list[list[int]],
    x_test: NDArray[np.float64] | None = None,
    y_test: NDArray[np.int64] | None = None,
    client_tests: list[list[int]] | None = None,
    n_jobs: int | None = None,
) -> tuple[str, list[NDArray[np.float64]], NDArray[np.float64] | None]: ...
def query(
    strategy: str,
    features: NDArray[np.float64],
    proba: NDArray[np.float64],
    labelled_features: NDArray[np.float64],
    labelled_y: NDArray[np.int64],
    budget: int,
    seed: int,
    gradients: NDArray[np.float64] | None = None,
    labelled_gradients: NDArray[np.float64] | None = None,
) -> list[int]: ...
def gradient_embeddings(
    proba: NDArray[np.float64], features: NDArray[np.float64], labels: NDArray[np.int64] | None = None
) -> NDArray[np.float64]: ...
def learning_curve(
    settings: str,
    x: NDArray[np.float64],
    y: NDArray[np.int64],
    n_classes: int,
    x_test: NDArray[np.float64],
    y_test: NDArray[np.int64],
    clients: list[list[int]] | None = None,
    client_tests: list[list[int]] | None = None,
) -> str: ...
def __getattr__(name: str) -> Any: ...
