"""The MCU classifier's architectures.

`k6` is the original research CNN, reproduced layer for layer: Conv(64,3x3)-MaxPool, Conv(64,6x6)-MaxPool,
Conv(64,5x5)-MaxPool, Conv(64,4x4)-MaxPool, Conv(128,3x3)-MaxPool, Flatten, Dense(64, relu), Dense(1, sigmoid),
trained with RMSprop on binary cross-entropy. Convolutions are 'valid' (Keras' default, as the original). `k5` drops
the 6x6 layer, `k4` the 6x6 and 5x5 layers (the original grid's smaller-kernel variants). Filters, dense units,
dropout, batch norm, augmentation, learning rate and input size are params.

`faces` and `features` are no CNNs: logistic regressions (one sigmoid unit, L2-regularised) on hand-made features,
`faces` on the face geometry alone (how one person fills the frame: what an MCU is), `features` on the face geometry
and global picture statistics (moviegoer.features.frame), `body` on the face geometry and where the frame cuts the
body (moviegoer.features.body: a person segmentation and pose visibilities). On unseen real films both beat every CNN we tried, and
`faces` holds up best on films outside the shared set (benchmarks/results/real_quality.md): it is the shipped
default. `frame_features: true` feeds all frame features to a CNN design beside its flattened maps. A model's
inputs are named "frame" and/or "features"; model_inputs() says which, feature_names() which features.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from moviegoer.core.errors import ParamsError
from moviegoer.features.body import BODY_FEATURES
from moviegoer.features.faces import FACE_FEATURES
from moviegoer.features.frame import FRAME_FEATURES

CNN_DESIGNS: dict[str, tuple[int, ...]] = {"k6": (3, 6, 5, 4, 3), "k5": (3, 5, 4, 3), "k4": (3, 4, 3)}
LINEAR_DESIGNS: dict[str, tuple[str, ...]] = {
    "faces": FACE_FEATURES,
    "features": FRAME_FEATURES,
    "body": FACE_FEATURES + BODY_FEATURES,
}  # design -> features
DESIGNS = (*CNN_DESIGNS, *LINEAR_DESIGNS)
FEATURES_NORM = "features_norm"  # the Normalization layer to adapt to the training features before fitting


@dataclass(frozen=True)
class ModelParams:
    design: str
    input_size: int
    channels: int  # 1: grayscale as the original; 3: colour
    filters: int
    last_filters: int
    dense_units: int
    dropout: float
    batch_norm: bool
    learning_rate: float
    frame_features: bool  # also feed the frame features (always on for design "features")
    l2: float  # L2 penalty on the output layer's weights
    augment: bool  # random mirror, shift, zoom and contrast of training frames (off when predicting)

    def __post_init__(self) -> None:
        if self.design not in DESIGNS:
            raise ParamsError("design", f"must be one of {', '.join(DESIGNS)} (got {self.design!r})")
        if self.channels not in (1, 3):
            raise ParamsError("channels", f"must be 1 (gray) or 3 (colour) (got {self.channels!r})")
        if self.uses_frames and (
            not isinstance(self.input_size, int) or feature_map_size(self.input_size, self.design) < 1
        ):
            raise ParamsError(
                "input_size", f"is too small for design {self.design} (got {self.input_size!r})"
            )
        if not 0 <= self.dropout < 1:
            raise ParamsError("dropout", f"must be in [0, 1) (got {self.dropout!r})")
        if not self.learning_rate > 0:
            raise ParamsError("learning_rate", f"must be > 0 (got {self.learning_rate!r})")
        if not self.l2 >= 0:
            raise ParamsError("l2", f"must be >= 0 (got {self.l2!r})")

    @property
    def uses_frames(self) -> bool:
        return self.design in CNN_DESIGNS

    @property
    def uses_features(self) -> bool:
        return self.design in LINEAR_DESIGNS or self.frame_features

    @property
    def feature_names(self) -> tuple[str, ...]:
        """The frame features the model takes, in order (empty for a CNN on frames alone)."""
        if not self.uses_features:
            return ()
        return LINEAR_DESIGNS.get(self.design, FRAME_FEATURES)


def feature_map_size(input_size: int, design: str) -> int:
    """Side of the last feature map: each layer is a 'valid' convolution followed by 2x2 max pooling."""
    size = input_size
    for kernel in CNN_DESIGNS[design]:
        size = (size - kernel + 1) // 2
    return size


def _cnn_branch(params: ModelParams, inputs: Any) -> Any:
    from keras import layers

    kernels = CNN_DESIGNS[params.design]
    x = inputs
    if params.augment:
        x = layers.RandomFlip("horizontal", name="augment_mirror")(x)  # an MCU mirrored is still an MCU
        x = layers.RandomTranslation(0.05, 0.05, fill_mode="nearest", name="augment_shift")(x)
        x = layers.RandomZoom(0.1, fill_mode="nearest", name="augment_zoom")(x)
        x = layers.RandomContrast(0.2, name="augment_contrast")(x)
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
    return layers.Flatten(name="flatten")(x)


def build_model(params: ModelParams) -> Any:
    """A compiled Keras model -> P(MCU). Its inputs: "frame" (input_size x input_size x channels in [0, 1]) for the
    CNN designs, "features" (its feature_names, raw; normalised inside once FEATURES_NORM is adapted) when it uses them."""
    import keras
    from keras import layers

    inputs, branches = [], []
    if params.uses_frames:
        frame = keras.Input((params.input_size, params.input_size, params.channels), name="frame")
        inputs.append(frame)
        branches.append(_cnn_branch(params, frame))
    if params.uses_features:
        features = keras.Input((len(params.feature_names),), name="features")
        inputs.append(features)
        branches.append(layers.Normalization(name=FEATURES_NORM)(features))
    x = branches[0] if len(branches) == 1 else layers.Concatenate(name="fusion")(branches)
    if params.uses_frames:
        x = layers.Dense(params.dense_units, activation="relu", name="dense")(x)
        if params.dropout:
            x = layers.Dropout(params.dropout, name="dropout")(x)
    regulariser = keras.regularizers.L2(params.l2) if params.l2 else None
    outputs = layers.Dense(1, activation="sigmoid", kernel_regularizer=regulariser, name="p_mcu")(x)
    model = keras.Model(inputs[0] if len(inputs) == 1 else inputs, outputs, name=f"mcu_{params.design}")
    model.compile(
        # a fixed name: Keras would number it per process (rmsprop_1, ...) into the saved file
        optimizer=keras.optimizers.RMSprop(learning_rate=params.learning_rate, name="rmsprop"),
        loss="binary_crossentropy",
        metrics=[keras.metrics.BinaryAccuracy(name="accuracy"), keras.metrics.AUC(name="auc")],
    )
    return model


def model_inputs(model: Any) -> list[str]:
    """The names of a built or loaded model's inputs ("frame", "features")."""
    return [tensor.name.split(":")[0] for tensor in model.inputs]


def model_frame_shape(model: Any) -> tuple[int, int] | None:
    """(input_size, channels) of a model's "frame" input; None when it takes no frames."""
    for name, tensor in zip(model_inputs(model), model.inputs, strict=True):
        if name == "frame":
            _, height, _, channels = tensor.shape
            return int(height), int(channels)
    return None


def conv_layer_names(model: Any) -> list[str]:
    return [layer.name for layer in model.layers if layer.name.startswith("conv")]


def feature_names(model: Any) -> tuple[str, ...]:
    """The frame features a built or loaded model takes, in order: its design (in its name) says which."""
    if "features" not in model_inputs(model):
        return ()
    return LINEAR_DESIGNS.get(model.name.removeprefix("mcu_"), FRAME_FEATURES)
