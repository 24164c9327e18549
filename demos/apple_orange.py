"""The shopping graphs of "Deep Learning from Scratch" 5.4, by hand and with ``Value``.

Two apples at 100 and three oranges at 150, with 10% tax: price 715.  Backward gives
dApple 2.2, dApple_num 110, dOrange 3.3, dOrange_num 165, dTax 650.  The one-fruit
version (two apples, tax): price 220, dApple 2.2, dApple_num 110, dTax 200.

The book computes these with ``MulLayer`` / ``AddLayer`` objects whose backward is written
by hand; autograd_lite gets the very same floats from ``Value.backward()``.  Both columns go
through one formatter, so 3.3000000000000003 prints as 3.3 (the exact float stays in
``.grad``).

Run: ``python -m demos.apple_orange`` (pictures in ./out/apple_orange/), or
``python -m demos.apple_orange -o graph.png`` for the two-fruit picture in one file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Optional, Tuple

from autograd_lite import Value, explain, fmt

from ._book_layers import AddLayer, MulLayer
from ._common import missing_picture, parser, summary

APPLE, APPLE_NUM, ORANGE, ORANGE_NUM, TAX = 100, 2, 150, 3, 1.1

# (name printed, key in the dicts below), in the book's order
TWO_FRUIT_ROWS = [("price", "price"), ("dApple", "apple"), ("dApple_num", "apple_num"),
                  ("dOrange", "orange"), ("dOrange_num", "orange_num"), ("dTax", "tax")]
ONE_FRUIT_ROWS = [("price", "price"), ("dApple", "apple"), ("dApple_num", "apple_num"),
                  ("dTax", "tax")]

PICTURE_SUFFIXES = (".png", ".svg", ".pdf", ".dot", ".gv")


def _named(v: Value, label: str) -> Value:
    v.label = label
    return v


def build() -> Dict[str, Value]:
    """The two-fruit graph built with ``Value``: every input and the final price, by name."""
    apple, apple_num = Value(APPLE, "apple"), Value(APPLE_NUM, "apple_num")
    orange, orange_num = Value(ORANGE, "orange"), Value(ORANGE_NUM, "orange_num")
    tax = Value(TAX, "tax")
    apple_price = _named(apple * apple_num, "apple_price")
    orange_price = _named(orange * orange_num, "orange_price")
    all_price = _named(apple_price + orange_price, "all_price")
    price = _named(all_price * tax, "price")
    return {"apple": apple, "apple_num": apple_num, "orange": orange, "orange_num": orange_num,
            "tax": tax, "price": price}


def build_one_fruit() -> Dict[str, Value]:
    """The one-fruit graph (book figure 5-16): ``apple * apple_num * tax``."""
    apple, apple_num, tax = Value(APPLE, "apple"), Value(APPLE_NUM, "apple_num"), Value(TAX, "tax")
    apple_price = _named(apple * apple_num, "apple_price")
    price = _named(apple_price * tax, "price")
    return {"apple": apple, "apple_num": apple_num, "tax": tax, "price": price}


def with_values(one_fruit: bool = False) -> Dict[str, float]:
    """Price and gradients from ``Value.backward()``, as exact floats."""
    g = build_one_fruit() if one_fruit else build()
    g["price"].backward()
    out = {k: v.grad for k, v in g.items() if k != "price"}
    out["price"] = g["price"].data
    return out


def with_book_layers(one_fruit: bool = False) -> Dict[str, float]:
    """Price and gradients from the book's layer objects and hand-written backward."""
    if one_fruit:
        mul_apple, mul_tax = MulLayer(), MulLayer()
        apple_price = mul_apple.forward(APPLE, APPLE_NUM)
        price = mul_tax.forward(apple_price, TAX)
        dapple_price, dtax = mul_tax.backward(1)
        dapple, dapple_num = mul_apple.backward(dapple_price)
        return {"price": float(price), "apple": float(dapple), "apple_num": float(dapple_num),
                "tax": float(dtax)}
    mul_apple, mul_orange, add, mul_tax = MulLayer(), MulLayer(), AddLayer(), MulLayer()
    apple_price = mul_apple.forward(APPLE, APPLE_NUM)
    orange_price = mul_orange.forward(ORANGE, ORANGE_NUM)
    all_price = add.forward(apple_price, orange_price)
    price = mul_tax.forward(all_price, TAX)
    dall_price, dtax = mul_tax.backward(1)
    dapple_price, dorange_price = add.backward(dall_price)
    dorange, dorange_num = mul_orange.backward(dorange_price)
    dapple, dapple_num = mul_apple.backward(dapple_price)
    return {"price": float(price), "apple": float(dapple), "apple_num": float(dapple_num),
            "orange": float(dorange), "orange_num": float(dorange_num), "tax": float(dtax)}


def side_by_side(rows: List[Tuple[str, str]], book: Dict[str, float], auto: Dict[str, float]) -> str:
    """A table: name, the book's layers, autograd_lite's Value, and whether the floats are equal."""
    lines = [f"{'':12} {'book layers':>12} {'Value':>12}  same float"]
    for name, key in rows:
        same = "yes" if book[key] == auto[key] else "NO"
        lines.append(f"{name:12} {fmt(book[key]):>12} {fmt(auto[key]):>12}  {same}")
    return "\n".join(lines)


def _picture_paths(out: Path) -> Tuple[Path, Path]:
    """``-o`` is a folder, or a file for the two-fruit picture (one-fruit goes next to it)."""
    if out.suffix.lower() in PICTURE_SUFFIXES:
        return out, out.with_name(f"{out.stem}_one_fruit{out.suffix}")
    return out / "apple_orange.png", out / "apple_one_fruit.png"


def main(argv: Optional[List[str]] = None) -> int:
    p = parser("apple_orange", __doc__,
               out_help="folder for the graph pictures, or a file name (.png/.svg/.pdf/.dot) "
                        "for the two-fruit picture")
    args = p.parse_args(argv)

    results = {}
    for title, one_fruit, rows in [("2 apples, 3 oranges, 10% tax", False, TWO_FRUIT_ROWS),
                                   ("one fruit: 2 apples, 10% tax", True, ONE_FRUIT_ROWS)]:
        book, auto = with_book_layers(one_fruit), with_values(one_fruit)
        results[one_fruit] = (book, auto, rows)
        print(f"\n{title}")
        print(side_by_side(rows, book, auto))

    # The chain rule step by step on the two-fruit graph: explain runs the backward pass
    # through the engine's own sweep, so the table ends on exactly the grads above.
    two_fruit = build()
    print()
    print(explain(two_fruit["price"]))

    agree = all(book[k] == auto[k] for book, auto, rows in results.values() for _, k in rows)
    rows_out: List[Tuple[str, object]] = [
        ("book layers == Value", "every number, bit for bit" if agree else "MISMATCH"),
    ]
    pictures_ok = True
    if not args.no_plot:
        from viz import GraphvizNotFoundError, render

        two_path, one_path = _picture_paths(args.out_dir)
        two_path.parent.mkdir(parents=True, exist_ok=True)
        try:
            one_fruit_graph = build_one_fruit()
            one_fruit_graph["price"].backward()
            for i, (path, graph) in enumerate([(two_path, two_fruit), (one_path, one_fruit_graph)]):
                rows_out.append((f"picture {i + 1}", str(render(graph["price"], str(path)))))
        except GraphvizNotFoundError as e:
            rows_out.append(missing_picture("apple_orange", e))
            pictures_ok = False
    summary("apple-orange", rows_out)
    return 0 if agree and pictures_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
