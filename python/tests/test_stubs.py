"""The committed type stubs are the ones the classes generate."""

import subprocess
import sys
from pathlib import Path

TOOL = Path(__file__).resolve().parents[1] / "tools" / "stubs.py"


def test_stubs_are_current():
    # The stubs describe the installed package's classes.
    done = subprocess.run([sys.executable, str(TOOL), "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def _stub_functions(module):
    """The functions of a hand-written stub: name -> [(parameter, default source or None)]."""
    import ast

    tree = ast.parse(Path(module.__file__).with_suffix(".pyi").read_text())
    out = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            a = node.args
            positional = a.posonlyargs + a.args
            defaults = [None] * (len(positional) - len(a.defaults)) + [ast.unparse(d) for d in a.defaults]
            params = list(zip([p.arg for p in positional], defaults))
            params += [(p.arg, None if d is None else ast.unparse(d)) for p, d in zip(a.kwonlyargs, a.kw_defaults)]
            out[node.name] = params
    return out


def test_hand_written_stubs_match_the_functions():
    import inspect

    from imbalanced import metrics, scale

    for module in (metrics, scale):
        stubs = _stub_functions(module)
        assert set(stubs) == set(module.__all__), module.__name__
        for name, params in stubs.items():
            sig = inspect.signature(getattr(module, name))
            actual = [
                (p.name, None if p.default is inspect.Parameter.empty else repr(p.default))
                for p in sig.parameters.values()
                if p.kind is not inspect.Parameter.VAR_KEYWORD
            ]
            assert [p for p, _ in params] == [p for p, _ in actual], name
            for (p, stub_default), (_, default) in zip(params, actual):
                if default is not None:
                    assert stub_default is not None and eval(stub_default) == eval(default), (name, p)
