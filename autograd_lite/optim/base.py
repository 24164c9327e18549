"""``Optimizer``: parameter groups with their own settings, an all-or-nothing ``step``, and
``state_dict`` / ``load_state_dict`` in PyTorch's layout.

``param_groups`` is a list of dicts, one per group: ``"params"`` (the parameters) and the
settings (``lr``, ``momentum`` ...), each group's own; a scheduler changes ``group["lr"]``.
``state`` maps a parameter's index (counting through the groups in order, as PyTorch's
``state_dict`` does) to its running state (momentum buffers, step counts ...).
"""

from __future__ import annotations

import copy
import math
import numbers
import signal
import threading
from contextlib import contextmanager
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Set, Tuple

import numpy as np

__all__ = ["Optimizer"]

# PyTorch's settings that change how it computes, not what: accepted in a loaded state and ignored
_TORCH_IMPLEMENTATION = {"foreach", "fused", "capturable", "differentiable"}
# PyTorch's settings these rules do not have, accepted only at the value that means "absent"
_TORCH_ABSENT = {"maximize": False, "dampening": 0}


def _check_hyper(owner: str, name: str, value: Any, low: float = 0.0, high: float = math.inf,
                 low_open: bool = False, high_open: bool = True) -> float:
    """A finite real number in the stated range, else a ValueError naming the hyperparameter."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{owner}: {name} must be a number, got {type(value).__name__}: {value!r}")
    v = float(value)
    too_low = v <= low if low_open else v < low
    too_high = v >= high if high_open else v > high
    if math.isnan(v) or too_low or too_high:
        lo = f"{'(' if low_open else '['}{low:g}"
        hi = f"{high:g}{')' if high_open else ']'}"
        raise ValueError(f"{owner}: invalid {name} = {value!r}; it must be in {lo}, {hi}")
    return v


def _check_flag(owner: str, name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{owner}: {name} must be True or False, got {value!r}")
    return value


def _plain(value: Any) -> bool:
    # what a group may hold besides params and settings (a scheduler's initial_lr, max_lr ...)
    if isinstance(value, (tuple, list)):
        return all(_plain(v) for v in value)
    return value is None or isinstance(value, (bool, numbers.Real, str))


class Optimizer:
    """Base class: parameter groups and per-parameter state; subclasses give ``_delta``.

    ``params`` is an iterable of parameters (one group) or of dicts ``{"params": [...],
    "lr": ..., ...}`` whose missing settings come from the keyword defaults (PyTorch's rule).

    ``_delta(p, g, state)`` returns ``(delta, new_state)``: the amount to subtract from
    parameter ``p`` given its gradient ``g`` (a real ndarray of ``p``'s shape) and the
    parameter's state after this step; ``self._hyper(p)`` gives its group's settings.  It
    must not change ``state`` (the previous dict, or ``None`` on the first step) nor ``p``:
    :meth:`step` computes every update first and only then writes them all, so a failure
    anywhere changes nothing.
    """

    param_groups: List[Dict[str, Any]]
    defaults: Dict[str, Any]
    state: Dict[int, Dict[str, Any]]

    def __init__(self, params: Iterable[Any], defaults: Any) -> None:
        name = type(self).__name__
        if isinstance(defaults, numbers.Real) and not isinstance(defaults, bool):
            defaults = {"lr": defaults}  # the former Optimizer(params, lr) of a subclass still works
        if not isinstance(defaults, dict) or "lr" not in defaults:
            raise TypeError(f"{name}: defaults must be a dict of settings with 'lr', got {defaults!r}")
        if isinstance(params, (np.ndarray, str, dict)) or hasattr(params, "grad"):
            raise TypeError(f"{name}: params must be an iterable of parameters (e.g. model.parameters()), "
                            f"got a single {type(params).__name__}")
        given = list(params)
        if not given:
            raise ValueError(f"{name}: got an empty parameter list")
        object.__setattr__(self, "defaults", self._check_group(dict(defaults), name))
        object.__setattr__(self, "param_groups", [])
        object.__setattr__(self, "state", {})
        groups = given if all(isinstance(g, dict) for g in given) else [{"params": given}]
        for group in groups:
            self.add_param_group(group)

    # ------------------------------------------------------------------ groups and settings
    def _check_group(self, group: Dict[str, Any], where: str) -> Dict[str, Any]:
        """The group with its settings validated (numbers as floats); subclasses check theirs."""
        group["lr"] = _check_hyper(where, "lr", group["lr"])
        return group

    def add_param_group(self, group: Dict[str, Any]) -> None:
        """Add a group ``{"params": [...], setting: value, ...}``; missing settings come from
        ``defaults``.  A parameter may belong to one group only."""
        name = type(self).__name__
        where = f"{name}: param_groups[{len(self.param_groups)}]"
        if not isinstance(group, dict) or "params" not in group:
            raise TypeError(f"{where} must be a dict with a 'params' entry, got {group!r:.80}")
        ps = group["params"]
        if isinstance(ps, (np.ndarray, str)) or hasattr(ps, "grad"):
            ps = [ps]
        ps = list(ps)
        if not ps:
            raise ValueError(f"{where}: got an empty parameter list")
        unknown = [k for k in group if k != "params" and k not in self.defaults]
        if unknown:
            raise ValueError(f"{where}: unknown settings {unknown}; {name} has {sorted(self.defaults)}")
        seen: Set[int] = {id(p) for p in self.params}
        start = len(seen)
        for i, p in enumerate(ps, start):
            if not (hasattr(p, "data") and hasattr(p, "grad")):
                raise TypeError(f"{name}: parameter {i} is a {type(p).__name__}, expected a Tensor or Value")
            if id(p) in seen:
                raise ValueError(f"{name}: parameter {i} appears more than once in the list")
            seen.add(id(p))
        settings = {k: v for k, v in group.items() if k != "params"}
        full = self._check_group({**self.defaults, **settings}, where)
        self.param_groups.append({"params": ps, **full})

    @property
    def params(self) -> List[Any]:
        """Every parameter, through the groups in order (index i is ``state``'s key)."""
        return [p for group in self.param_groups for p in group["params"]]

    def __getattr__(self, name: str) -> Any:
        # opt.lr, opt.momentum ...: the setting when every group has the same value
        groups = self.__dict__.get("param_groups")
        if groups and name in self.__dict__.get("defaults", {}):
            values = [g[name] for g in groups]
            if all(v == values[0] for v in values):
                return values[0]
            raise AttributeError(f"{type(self).__name__}.{name}: the parameter groups differ ({values}); "
                                 f"read param_groups[i][{name!r}]")
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        # opt.lr = 0.05 sets it in every group, checked first
        if name in self.__dict__.get("defaults", {}):
            checked = [self._check_group({**g, name: value}, f"{type(self).__name__}: param_groups[{k}]")
                       for k, g in enumerate(self.param_groups)]
            for group, new in zip(self.param_groups, checked):
                group[name] = new[name]
            return
        object.__setattr__(self, name, value)

    def _hyper(self, p: Any) -> Dict[str, Any]:
        """The settings of ``p``'s group for the step under way."""
        return self._step_groups[self._group_of[id(p)]]

    # ------------------------------------------------------------------ the step
    def zero_grad(self) -> None:
        """Clear every parameter's gradient (``None`` for a Tensor, ``0.0`` for a Value)."""
        for p in self.params:
            p.grad = getattr(type(p), "_GRAD_ZERO", None)

    def step(self) -> None:
        """Update every parameter whose ``grad`` is not None (in place for arrays).

        All or nothing: every group's settings and every gradient are validated and every
        update and new state computed before any parameter or state changes; the writes that
        follow cannot fail (a Ctrl-C arriving during them is held back until they are done,
        in the main thread).
        """
        name = type(self).__name__
        object.__setattr__(self, "_step_groups", [
            self._check_group({k: v for k, v in g.items() if k != "params"}, f"{name}: param_groups[{k}]")
            for k, g in enumerate(self.param_groups)])
        object.__setattr__(self, "_group_of", {id(p): k for k, g in enumerate(self.param_groups)
                                               for p in g["params"]})
        work: List[Tuple[int, Any, Any, Optional[Dict[str, Any]]]] = []
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            g = _checked_grad(name, i, p)
            delta, new_state = self._delta(p, g, self.state.get(i))
            update: Any
            if isinstance(p.data, np.ndarray):
                update = np.asarray(delta)
                if update.shape != p.data.shape or update.dtype.kind != "f":
                    raise ValueError(f"{name}.step: parameter {i}: the update has shape {update.shape} "
                                     f"and dtype {update.dtype}, expected {p.data.shape} float")
            else:
                update = float(p.data - delta)  # the new value itself, for a Value
            work.append((i, p, update, new_state))
        with _interrupts_held():
            for i, p, delta, new_state in work:
                if isinstance(p.data, np.ndarray):
                    np.subtract(p.data, delta, out=p.data)  # in place: same array object and dtype
                else:
                    p.data = delta
                if new_state is not None:
                    self.state[i] = new_state

    def _delta(self, p: Any, g: np.ndarray, state: Optional[Dict[str, Any]]
               ) -> Tuple[np.ndarray, Optional[Dict[str, Any]]]:
        raise NotImplementedError(f"{type(self).__name__} must implement _delta")

    def _state_keys(self, group: Dict[str, Any]) -> Optional[Set[str]]:
        """The entries of one parameter's state under the settings of ``group`` (None: any
        names, for a subclass that does not say; the shapes are checked all the same)."""
        return None

    def _weight_decayed(self, p: Any, g: np.ndarray, weight_decay: float) -> np.ndarray:
        # L2 penalty folded into the gradient (PyTorch's rule); p.grad itself is not changed.
        return g + weight_decay * p.data if weight_decay else g

    # ------------------------------------------------------------------ saving and loading
    def state_dict(self) -> Dict[str, Any]:
        """``{"state": {index: {name: copy}}, "param_groups": [{settings, "params": [indices]}]}``,
        PyTorch's layout: parameters by their index through the groups, not the objects."""
        groups, i = [], 0
        for group in self.param_groups:
            n = len(group["params"])
            groups.append({**copy.deepcopy({k: v for k, v in group.items() if k != "params"}),
                           "params": list(range(i, i + n))})
            i += n
        return {"state": copy.deepcopy(self.state), "param_groups": groups}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Load a dict from :meth:`state_dict` (or PyTorch's optimiser of the same kind, its
        tensors converted): the same number of groups and of parameters in each, settings
        this optimiser has, state entries of each parameter's shape.  Everything is checked
        first; on any mismatch a ValueError or TypeError names it and nothing changes."""
        owner = f"{type(self).__name__}.load_state_dict"
        if not isinstance(state_dict, Mapping) or set(state_dict) != {"state", "param_groups"}:
            got = sorted(state_dict) if isinstance(state_dict, Mapping) else type(state_dict).__name__
            raise TypeError(f"{owner}: expected a dict with the keys 'state' and 'param_groups', got {got}")
        saved_groups, saved_state = state_dict["param_groups"], state_dict["state"]
        if not isinstance(saved_groups, (list, tuple)) or len(saved_groups) != len(self.param_groups):
            n = len(saved_groups) if isinstance(saved_groups, (list, tuple)) else saved_groups
            raise ValueError(f"{owner}: the dict has {n} parameter groups, this optimiser "
                             f"{len(self.param_groups)}. Nothing was loaded.")
        if not isinstance(saved_state, Mapping):
            raise TypeError(f"{owner}: 'state' must be a dict, got {type(saved_state).__name__}")
        groups: List[Dict[str, Any]] = []
        index_of: Dict[Any, Tuple[int, Any, Dict[str, Any]]] = {}
        for k, (saved, group) in enumerate(zip(saved_groups, self.param_groups)):
            where = f"{owner}: param_groups[{k}]"
            if not isinstance(saved, Mapping) or not isinstance(saved.get("params"), (list, tuple)):
                raise TypeError(f"{where} must be a dict with a 'params' list")
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(f"{where} has {len(saved['params'])} parameters, this optimiser's "
                                 f"{len(group['params'])}. Nothing was loaded.")
            settings = {}
            for key, value in saved.items():
                if key == "params" or key in _TORCH_IMPLEMENTATION:
                    continue
                if key in _TORCH_ABSENT or key == "decoupled_weight_decay":
                    expected = self._decoupled() if key == "decoupled_weight_decay" else _TORCH_ABSENT[key]
                    if value != expected:
                        raise ValueError(f"{where}: {key} = {value!r} is not supported here "
                                         f"(only {expected!r}). Nothing was loaded.")
                    continue
                if not _plain(value):
                    raise TypeError(f"{where}: {key!r} holds a {type(value).__name__}, expected a number")
                settings[key] = value
            missing = [key for key in self.defaults if key not in settings]
            if missing:
                raise ValueError(f"{where} lacks the settings {missing}. Nothing was loaded.")
            groups.append(self._check_group(settings, where))
            for saved_id, p in zip(saved["params"], group["params"]):
                index_of[saved_id] = (len(index_of), p, groups[-1])
        state: Dict[int, Dict[str, Any]] = {}
        for saved_id, entry in saved_state.items():
            if saved_id not in index_of:
                raise ValueError(f"{owner}: state for parameter {saved_id!r}, which no group lists. "
                                 "Nothing was loaded.")
            i, p, group = index_of[saved_id]
            state[i] = self._loaded_entry(owner, i, p, group, entry)
        with _interrupts_held():
            for group, new in zip(self.param_groups, groups):
                group.update(new)
            self.state.clear()
            self.state.update(state)

    def _decoupled(self) -> bool:
        return False

    def _loaded_entry(self, owner: str, i: int, p: Any, group: Dict[str, Any], entry: Any
                      ) -> Dict[str, Any]:
        if not isinstance(entry, Mapping):
            raise TypeError(f"{owner}: the state of parameter {i} must be a dict, got {type(entry).__name__}")
        entry = {k: _array(v) for k, v in entry.items() if v is not None}
        keys = self._state_keys(group)
        if keys is not None and set(entry) != keys:
            raise ValueError(f"{owner}: the state of parameter {i} has {sorted(entry)}, with these "
                             f"settings {type(self).__name__} keeps {sorted(keys)}. Nothing was loaded.")
        shape = np.shape(p.data)
        dtype = p.data.dtype if isinstance(p.data, np.ndarray) and p.data.dtype.kind == "f" else np.float64
        out: Dict[str, Any] = {}
        for key, value in entry.items():
            a = np.asarray(value)
            if a.dtype.kind not in "biuf":
                raise TypeError(f"{owner}: parameter {i}'s {key!r} has dtype {a.dtype}, "
                                "expected real numbers")
            if key == "step":
                if a.shape != () or not (float(a) >= 0 and float(a) == int(a)):
                    raise ValueError(f"{owner}: parameter {i}'s step must be a count >= 0, got {value!r}. "
                                     "Nothing was loaded.")
                out[key] = int(a)
            elif a.shape != shape:
                raise ValueError(f"{owner}: parameter {i}'s {key!r} has shape {a.shape}, the parameter "
                                 f"{shape}. Nothing was loaded.")
            else:
                out[key] = a.astype(dtype, copy=True)
        return out

    def __repr__(self) -> str:
        groups = "; ".join(", ".join(f"{k}={v!r}" for k, v in g.items() if k != "params")
                           for g in self.param_groups)
        return f"{type(self).__name__}({len(self.params)} parameters, {groups})"


def _array(value: Any) -> Any:
    # a torch.Tensor (found by its type's module, so torch is never imported here) -> ndarray
    if type(value).__module__.split(".")[0] == "torch" and hasattr(value, "detach"):
        return value.detach().cpu().numpy()
    return value


def _checked_grad(name: str, i: int, p: Any) -> np.ndarray:
    """Parameter ``i``'s grad as a real ndarray of its data's shape, else a clear error."""
    data, grad = p.data, p.grad
    if isinstance(data, np.ndarray):
        if not isinstance(grad, np.ndarray):
            raise TypeError(f"{name}.step: parameter {i}'s grad is a {type(grad).__name__}, "
                            "expected None or a float array")
        if grad.dtype.kind not in "iuf":
            raise TypeError(f"{name}.step: parameter {i}'s grad has dtype {grad.dtype}, "
                            "expected real numbers")
        if grad.shape != data.shape:
            raise ValueError(f"{name}.step: parameter {i} has data of shape {data.shape} "
                             f"but grad of shape {grad.shape}")
        if not data.flags.writeable:
            raise ValueError(f"{name}.step: parameter {i}'s data is a read-only array; "
                             "give the Tensor its own copy (Tensor(array.copy()))")
        return grad
    if isinstance(grad, bool) or not isinstance(grad, numbers.Real):
        raise TypeError(f"{name}.step: parameter {i}'s grad is a {type(grad).__name__}: {grad!r}, "
                        "expected a number")
    return np.asarray(float(grad))


@contextmanager
def _interrupts_held() -> Iterator[None]:
    """Hold back SIGINT (Ctrl-C) while the block runs, then deliver it (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: List[Any] = []
    try:
        previous = signal.signal(signal.SIGINT, lambda sig, frame: caught.append(frame))
    except ValueError:  # not allowed here (e.g. an embedded interpreter): run unprotected
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if caught and callable(previous):
            previous(signal.SIGINT, caught[0])


def _float_of(g: np.ndarray) -> Any:
    """The dtype optimiser state is kept in: the gradient's float type (ints become float64)."""
    return g.dtype if g.dtype.kind == "f" else np.float64
