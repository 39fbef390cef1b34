"""The MCU classifier's architectures.

`k6` is the original research CNN, reproduced layer for layer: Conv(64,3x3)-MaxPool, Conv(64,6x6)-MaxPool,
Conv(64,5x5)-MaxPool, Conv(64,4x4)-MaxPool, Conv(128,3x3)-MaxPool, Flatten, Dense(64, relu), Dense(1, sigmoid),
trained with RMSprop on binary cross-entropy. Convolutions are 'valid' (Keras' default, as the original). `k5` drops the 6x6 layer, `k4` the 6x6 and 5x5
layers (the original grid's smaller-kernel variants). Filters, dense units, dropout, batch norm, learning rate and input size are params.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from moviegoer.errors import ParamsError

DESIGNS: dict[str, tuple[int, ...]] = {"k6": (3, 6, 5, 4, 3), "k5": (3, 5, 4, 3), "k4": (3, 4, 3)}


@dataclass(frozen=True)
class ModelParams:
    design: str = "k6"
    input_size: int = 128
    channels: int = 1  # 1: grayscale as the original; 3: colour
    filters: int = 64
    last_filters: int = 128
    dense_units: int = 64
    dropout: float = 0.0
    batch_norm: bool = False
    learning_rate: float = 0.001

    def __post_init__(self) -> None:
        if self.design not in DESIGNS:
            raise ParamsError("design", f"must be one of {', '.join(DESIGNS)} (got {self.design!r})")
        if self.channels not in (1, 3):
            raise ParamsError("channels", f"must be 1 (gray) or 3 (colour) (got {self.channels!r})")
        if not isinstance(self.input_size, int) or feature_map_size(self.input_size, self.design) < 1:
            raise ParamsError(
                "input_size", f"is too small for design {self.design} (got {self.input_size!r})"
            )
        if not 0 <= self.dropout < 1:
            raise ParamsError("dropout", f"must be in [0, 1) (got {self.dropout!r})")
        if not self.learning_rate > 0:
            raise ParamsError("learning_rate", f"must be > 0 (got {self.learning_rate!r})")


def feature_map_size(input_size: int, design: str) -> int:
    """Side of the last feature map: each layer is a 'valid' convolution followed by 2x2 max pooling."""
    size = input_size
    for kernel in DESIGNS[design]:
        size = (size - kernel + 1) // 2
    return size


def build_model(params: ModelParams) -> Any:
    """A compiled Keras model: frames of input_size x input_size x channels in [0, 1] -> P(MCU)."""
    import keras
    from keras import layers

    kernels = DESIGNS[params.design]
    inputs = keras.Input((params.input_size, params.input_size, params.channels), name="frame")
    x = inputs
    for index, kernel in enumerate(kernels):
        last = index == len(kernels) - 1
        x = layers.Conv2D(
            params.last_filters if last else params.filters,
            kernel,
            padding="valid",
            activation=None if params.batch_norm else "relu",
            name=f"conv{index + 1}_{kernel}x{kernel}",
        )(x)
        if params.batch_norm:
            x = layers.BatchNormalization(name=f"bn{index + 1}")(x)
            x = layers.Activation("relu", name=f"relu{index + 1}")(x)
        x = layers.MaxPooling2D(2, name=f"pool{index + 1}")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(params.dense_units, activation="relu", name="dense")(x)
    if params.dropout:
        x = layers.Dropout(params.dropout, name="dropout")(x)
    outputs = layers.Dense(1, activation="sigmoid", name="p_mcu")(x)
    model = keras.Model(inputs, outputs, name=f"mcu_{params.design}")
    model.compile(
        optimizer=keras.optimizers.RMSprop(learning_rate=params.learning_rate),
        loss="binary_crossentropy",
        metrics=[keras.metrics.BinaryAccuracy(name="accuracy"), keras.metrics.AUC(name="auc")],
    )
    return model


def conv_layer_names(model: Any) -> list[str]:
    return [layer.name for layer in model.layers if layer.name.startswith("conv")]
