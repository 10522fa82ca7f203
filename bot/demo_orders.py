"""Demo products, stock and three months of orders, so /stock and /sales show real numbers.

Orders go through the same OrderService as /sales record, dated over the last 90 days, so
the stock ledger, sales velocity, reorder suggestions and low-stock state all come out
of the real code paths. A fixed random seed makes every demo the same.
"""

from __future__ import annotations

import random
from datetime import timedelta, tzinfo
from decimal import Decimal

from bot.services import Services
from domain.catalog import Product, ProductDraft
from domain.clock import FrozenClock
from domain.inventory import StockService
from domain.orders import LineInput, OrderService

DAYS = 90
# sku, name, category, subcategory, list price, unit cost, sold per day, opening stock,
# reorder rule (point, qty, lead days) or None
_PRODUCTS: list[tuple[str, str, str, str, str, str, float, int, tuple[int, int, int] | None]] = [
    (
        "FUR-CH-1001",
        "Ergo Mesh Office Chair",
        "Furniture",
        "Chairs",
        "249.00",
        "142.50",
        0.9,
        110,
        (12, 30, 14),
    ),
    (
        "FUR-TA-1002",
        "Oak Conference Table 8-seat",
        "Furniture",
        "Tables",
        "1299.00",
        "780.00",
        0.15,
        18,
        (3, 6, 21),
    ),
    (
        "FUR-BO-1003",
        "Walnut Bookcase 5-shelf",
        "Furniture",
        "Bookcases",
        "189.99",
        "96.40",
        0.5,
        40,
        (8, 20, 14),
    ),
    (
        "FUR-FU-1004",
        "Desk Lamp LED Dimmable",
        "Furniture",
        "Furnishings",
        "39.95",
        "14.20",
        2.4,
        260,
        (30, 80, 7),
    ),
    (
        "OFF-PA-2001",
        "Copy Paper A4 80gsm (5 reams)",
        "Office Supplies",
        "Paper",
        "24.99",
        "13.10",
        6.0,
        600,
        (70, 200, 5),
    ),
    (
        "OFF-BI-2002",
        "Ring Binder A4 2-ring",
        "Office Supplies",
        "Binders",
        "4.49",
        "1.35",
        5.0,
        420,
        (50, 150, 7),
    ),
    (
        "OFF-ST-2003",
        "Steel Storage Cabinet",
        "Office Supplies",
        "Storage",
        "329.00",
        "201.00",
        0.35,
        30,
        (5, 12, 21),
    ),
    (
        "OFF-AR-2004",
        "Gel Pens Assorted (12)",
        "Office Supplies",
        "Art",
        "8.75",
        "2.90",
        4.0,
        300,
        None,
    ),
    (
        "TEC-PH-3001",
        "VoIP Desk Phone",
        "Technology",
        "Phones",
        "159.00",
        "88.00",
        0.8,
        70,
        (10, 25, 10),
    ),
    (
        "TEC-AC-3002",
        "Wireless Keyboard & Mouse",
        "Technology",
        "Accessories",
        "59.90",
        "27.50",
        1.8,
        120,
        (20, 50, 7),
    ),
    (
        "TEC-MA-3003",
        "Laser Printer Duplex",
        "Technology",
        "Machines",
        "449.00",
        "305.00",
        0.25,
        20,
        (4, 8, 14),
    ),
    (
        "TEC-CO-3004",
        "Document Scanner ADF",
        "Technology",
        "Copiers",
        "599.00",
        "410.00",
        0.12,
        9,
        None,
    ),
]
_DISCOUNTS = (Decimal(0), Decimal(0), Decimal(0), Decimal("0.1"), Decimal("0.15"), Decimal("0.2"))


def seed_orders(
    services: Services, team_id: str, customer_ids: list[int], reps: tuple[str, ...]
) -> int:
    """Products with opening stock and rules, then 90 days of orders; returns orders made."""
    if not customer_ids or services.catalog.find(team_id, "FUR-CH-1001").total:
        return 0
    rng = random.Random(7)
    now = services.clock.now()
    start = now - timedelta(days=DAYS)
    opening = StockService(services.uow_factory, FrozenClock(start))
    products = []
    for sku, name, category, sub, price, cost, per_day, stock, rule in _PRODUCTS:
        draft = ProductDraft.from_input(
            sku=sku, name=name, category=category, subcategory=sub, list_price=price, unit_cost=cost
        )
        product = services.catalog.create(team_id, draft, actor=reps[0])
        opening.receive(team_id, sku, stock, note="opening stock", actor=reps[0])
        if rule:
            point, qty, lead = rule
            opening.set_rule(team_id, product.id, point=point, qty=qty, lead=lead, actor=reps[0])
        products.append((services.catalog.get(team_id, product.id), per_day))
    made = 0
    tz = services.workspaces.ensure(team_id, None)[0].tz
    level = {
        product.id: stock for (product, _), (*_, stock, _r) in zip(products, _PRODUCTS, strict=True)
    }
    arriving: dict[int, tuple[int, int]] = {}  # product id → (day it arrives, units)
    for day in range(DAYS, 0, -1):
        when = (now - timedelta(days=day)).replace(hour=15, minute=0, second=0, microsecond=0)
        clock = FrozenClock(when)
        for product, _ in products:
            due = arriving.get(product.id)
            if due and due[0] >= day:
                StockService(services.uow_factory, clock).receive(
                    team_id, product.sku, due[1], note="supplier delivery", actor=reps[0]
                )
                level[product.id] += due[1]
                del arriving[product.id]
        made += _one_day(services, team_id, clock, tz, rng, products, customer_ids, reps, level)
        for product, _ in products:
            # The buyer reorders when a product reaches its point; it arrives after the lead.
            point = product.reorder_point
            if point is not None and product.id not in arriving and level[product.id] <= point:
                lead = product.lead_time_days or 7
                arriving[product.id] = (day - lead, product.reorder_qty or 1)
    for product_id, (_, units) in arriving.items():
        services.stock.mark_reordered(team_id, product_id, units, actor=reps[0])
    return made


def _one_day(
    services: Services,
    team_id: str,
    clock: FrozenClock,
    tz: tzinfo,
    rng: random.Random,
    products: list[tuple[Product, float]],
    customer_ids: list[int],
    reps: tuple[str, ...],
    level: dict[int, int],
) -> int:
    """The day's demand, product by product, grouped into orders of one to three lines."""
    weekday = clock.now().astimezone(tz).weekday() < 5
    chunks = []
    for product, per_day in products:
        units = _poisson(rng, per_day * (1.3 if weekday else 0.3))
        while units > 0:
            quantity = min(units, rng.randint(1, 4))
            units -= quantity
            chunks.append((product, quantity))
    rng.shuffle(chunks)
    orders = OrderService(services.uow_factory, clock)
    made = 0
    while chunks:
        size = rng.randint(1, 3)
        picked: dict[int, tuple[Product, int]] = {}
        while chunks and len(picked) < size and chunks[-1][0].id not in picked:
            product, quantity = chunks.pop()
            picked[product.id] = (product, quantity)
        if not picked:
            picked[chunks[-1][0].id] = chunks.pop()
        recorded = orders.record(
            team_id,
            customer_id=rng.choice(customer_ids),
            order_date=clock.now().astimezone(tz).date(),
            lines=[
                LineInput(product_id=p.id, quantity=str(q), discount=str(rng.choice(_DISCOUNTS)))
                for p, q in picked.values()
            ],
            tz=tz,
            actor=rng.choice(reps),
        )
        for line in recorded.lines:
            level[line.product.id] = line.stock.after
        made += 1
    return made


def _poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method: small means only, which is all a day's demand here needs."""
    limit, k, p = pow(2.718281828459045, -mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1
