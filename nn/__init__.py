"""nn: neurons, layers, losses, optimisers and a training loop on top of autograd_core.

Two levels, one API family: the scalar level (``Neuron``, ``Layer``, ``MLP`` of ``Value``s, where
every weight can be inspected) and the tensor level (``Linear``, ``Sequential`` ... on ``Tensor``)
for real data. Names and conventions follow PyTorch; ``fit``/``summary``/``History`` follow Keras.
"""
# --- model building blocks (module.py, scalar.py, layers.py, losses.py) ---
from .module import Module, StateDictError
from .scalar import Layer, MLP, Neuron
from .layers import (ELU, SELU, BatchNorm1d, Dropout, Flatten, Identity, LeakyReLU, Linear, PReLU, ReLU,
                     Sequential, Sigmoid, Softmax, Softplus, Step, Tanh)
from .losses import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HingeLoss, HuberLoss, L1Loss, MSELoss,
                     NLLLoss, PerceptronLoss)
from . import functional, init
from .functional import (binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy, hinge, huber,
                         l1_penalty, l2_penalty, mae, mse, nll, perceptron_criterion)
from .seeding import manual_seed
from .checkpoint import CheckpointError, load_state, save
# --- training kit (optim.py, schedules.py, data.py, training.py, perceptron.py) ---
from . import data, datasets, optim, schedules
from .optim import SGD, Adam, AdamW, RMSprop
from .schedules import CosineAnnealingLR, ExponentialLR, LinearDecay, LinearLR, StepLR
from .training import Callback, EarlyStopping, History, accuracy, binary_accuracy, evaluate, fit, predict
from .perceptron import Perceptron
