"""The MCU classifier: designs, inputs, the pure fit, the train stage, storage and prediction."""
