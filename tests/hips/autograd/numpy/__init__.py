from numpy import *  # noqa: F401,F403  (our Tensors dispatch numpy's functions)
from numpy import random  # noqa: F401
