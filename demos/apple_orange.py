"""The apples-and-oranges shopping graph of "Deep Learning from Scratch" 5.4.

2 apples at 100 and 3 oranges at 150, with 10% tax: price 715.  Backward gives
dApple 2.2, dApple_num 110, dOrange 3.3, dOrange_num 165, dTax 650.

Run: ``python -m demos.apple_orange``
"""

from __future__ import annotations

import argparse
from typing import Dict, List, Optional

from autograd_lite import Value, fmt


def build() -> Dict[str, Value]:
    """The graph built with ``Value``: every input and the final price, by name."""
    apple, apple_num = Value(100, "apple"), Value(2, "apple_num")
    orange, orange_num = Value(150, "orange"), Value(3, "orange_num")
    tax = Value(1.1, "tax")
    apple_price = apple * apple_num
    apple_price.label = "apple_price"
    orange_price = orange * orange_num
    orange_price.label = "orange_price"
    all_price = apple_price + orange_price
    all_price.label = "all_price"
    price = all_price * tax
    price.label = "price"
    return {"apple": apple, "apple_num": apple_num, "orange": orange, "orange_num": orange_num,
            "tax": tax, "price": price}


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demos.apple_orange", description=__doc__)
    parser.add_argument("-o", "--output", help="where to write the graph picture (PNG/SVG/PDF/DOT)")
    args = parser.parse_args(argv)
    g = build()
    g["price"].backward()
    print(f"price: {fmt(g['price'].data)}")
    for name, key in [("dApple", "apple"), ("dApple_num", "apple_num"), ("dOrange", "orange"),
                      ("dOrange_num", "orange_num"), ("dTax", "tax")]:
        print(f"{name}: {fmt(g[key].grad)}")
    if args.output:
        from viz import render

        print(f"graph written to {render(g['price'], args.output)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
