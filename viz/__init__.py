"""viz: pictures of autograd_lite graphs (Graphviz) and step-by-step backward replays."""
