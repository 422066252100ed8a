"""viz: pictures of computation graphs and networks, training plots, and the stepping REPL.

graphviz is imported here (it is light); matplotlib only when a plot is drawn.
"""
from .graph import draw_graph
from .network import draw_network
from .plots import plot_activations, plot_approximation, plot_decision_boundary, plot_history

__all__ = ["draw_graph", "draw_network", "plot_activations", "plot_approximation", "plot_decision_boundary",
           "plot_history"]
