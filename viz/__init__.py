"""viz: pictures of autograd_lite graphs (Graphviz) and step-by-step backward replays.

>>> from autograd_lite import Value
>>> import viz
>>> x, y = Value(1.0, "x"), Value(2.0, "y")
>>> z = (x + y) ** 2
>>> z.backward()
>>> g = viz.draw(z)          # a graphviz.Digraph: displays inline in a notebook
>>> ">∂t1<" in g.source and ">∂x<" in g.source and ">= 1<" in g.source   # ∂t1/∂x = 1, as a fraction
True
"""

from .draw import DEFAULT_MAX_NODES, MAX_DRAWN, GraphvizNotFoundError, dot_available, draw, render
from .exercise import Exercise, plant_bug
from .fold import FoldedGroup, Folding, fold_graph, group
from .gradient import draw_gradient
from .orders import OrderComparison, compare_orders
from .orders_page import render_orders_html
from .page import Stepper, render_html, stepper
from .steps import StepFrames, render_steps
from .watch import Watch, watch

__all__ = ["draw", "render", "render_steps", "StepFrames", "GraphvizNotFoundError", "dot_available",
           "DEFAULT_MAX_NODES", "MAX_DRAWN", "draw_gradient", "stepper", "render_html", "Stepper",
           "plant_bug", "Exercise", "compare_orders", "OrderComparison",
           "render_orders_html", "watch", "Watch", "group", "fold_graph", "Folding", "FoldedGroup"]
