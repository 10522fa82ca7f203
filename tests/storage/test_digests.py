"""The daily digest on a real database: its numbers against sums worked out by hand, month
edges, deals, tasks and stock of the right day and workspace, and the tick that queues each
channel's digest once per local day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bot.services import Services
from domain.catalog import Product, ProductDraft
from domain.clock import Clock, FrozenClock
from domain.customers import CustomerDraft
from domain.delivery import DeliveryStatus
from domain.digest import DAILY_DIGEST, enqueue_due_digests
from domain.errors import DomainError
from domain.orders import LineInput
from domain.pipeline import DealDraft
from domain.tasks import TaskDraft
from domain.workspaces import Role, User

TEAM, OTHER = "T0DIG", "T0OTHER"
ADMIN, BOB, CARA = "U0ADMIN", "U0BOB", "U0CARA"
NY = ZoneInfo("America/New_York")
SALES = "C0SALES"


def at(day: date, hour: int = 12, minute: int = 0) -> datetime:
    """A New York wall time as a UTC instant."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=NY).astimezone(UTC)


class Shop:
    """A workspace (New York) with a customer and a product, and orders dated at will."""

    def __init__(
        self, services: Services, clock: Clock, team: str = TEAM, admin_id: str = ADMIN
    ) -> None:
        self.services, self.clock, self.team = services, clock, team
        _, admin = services.workspaces.ensure(team, admin_id)
        assert admin is not None and admin.role is Role.ADMIN
        self.admin: User = admin
        self.customer = services.customers.create(
            team, CustomerDraft.from_input(name="Acme <Corp>"), actor=admin_id
        )
        self.pen = self.product("PEN-1", "Pen", "10.00")

    def product(
        self, sku: str, name: str, price: str, *, on_hand: int = 1000, point: int | None = None
    ) -> Product:
        draft = ProductDraft.from_input(sku=sku, name=name, list_price=price)
        product = self.services.catalog.create(self.team, draft, actor=self.admin.slack_user_id)
        if on_hand:
            self.services.stock.receive(
                self.team, sku, on_hand, note=None, actor=self.admin.slack_user_id
            )
        if point is not None:
            self.services.stock.set_rule(
                self.team, product.id, point=point, qty=10, lead=7, actor=self.admin.slack_user_id
            )
        return product

    def sell(self, day: date, total: str, quantity: int = 1) -> None:
        """An order of `quantity` pens for `total` in all, dated `day`."""
        price = str(Decimal(total) / quantity)
        self.services.orders.record(
            self.team,
            customer_id=self.customer.id,
            order_date=day,
            lines=[LineInput(product_id=self.pen.id, quantity=str(quantity), unit_price=price)],
            tz=NY,
            actor=self.admin.slack_user_id,
        )

    def deal(self, title: str, amount: str, owner: str | None = None) -> int:
        today = self.clock.now().astimezone(NY).date()
        draft = DealDraft.from_input(
            title=title,
            customer_id=self.customer.id,
            amount=amount,
            owner_id=owner or self.admin.slack_user_id,
            today=today,
        )
        return self.services.pipeline.create(self.team, draft, actor=self.admin.slack_user_id).id

    def task(self, title: str, assignee: str, due: datetime, *, timed: bool = True) -> int:
        draft = TaskDraft.from_input(
            title=title, assignee_id=assignee, due_at=due, due_has_time=timed
        )
        return self.services.tasks.add(self.team, draft, actor=self.admin.slack_user_id).id


@pytest.fixture
def shop(services: Services, clock: FrozenClock) -> Shop:
    clock.set(at(date(2026, 1, 1), 9))
    return Shop(services, clock)


# -- the numbers --------------------------------------------------------------------------------


def test_yesterday_against_the_same_weekday_and_the_month_to_date_against_last_month(
    shop: Shop, clock: FrozenClock
) -> None:
    clock.set(at(date(2026, 3, 4), 9))  # a Wednesday: the digest covers Tuesday 3 March
    shop.sell(date(2026, 3, 3), "39.98", 2)
    shop.sell(date(2026, 3, 3), "100.00")
    shop.sell(date(2026, 3, 4), "999.00")  # today: not in yesterday's figures
    shop.sell(date(2026, 3, 1), "10.00")
    shop.sell(date(2026, 2, 24), "50.00")  # Tuesday a week before
    shop.sell(date(2026, 2, 2), "30.00")  # in last month's same days (1–3 Feb)
    shop.sell(date(2026, 2, 4), "7.00")  # after them

    digest = shop.services.digests.digest(TEAM, date(2026, 3, 4))

    day = digest.yesterday
    assert (day.period.start, day.against.start) == (date(2026, 3, 3), date(2026, 2, 24))
    assert (day.current.revenue, day.current.orders, day.current.aov) == (
        Decimal("139.98"),
        2,
        Decimal("69.99"),
    )
    assert (day.previous.revenue, day.previous.orders) == (Decimal("50.00"), 1)
    assert day.revenue_change == Decimal("1.7996")  # (139.98 − 50) / 50
    assert day.orders_change == Decimal("1.0000")
    assert day.aov_change == Decimal("0.3998")  # (69.99 − 50) / 50

    month = digest.month
    assert (month.period.start, month.period.end) == (date(2026, 3, 1), date(2026, 3, 3))
    assert (month.against.start, month.against.end) == (date(2026, 2, 1), date(2026, 2, 3))
    assert (month.current.revenue, month.current.orders) == (Decimal("149.98"), 3)
    assert (month.previous.revenue, month.previous.orders) == (Decimal("30.00"), 1)

    # 30 days to yesterday (2 Feb – 3 Mar) against the 30 before (3 Jan – 1 Feb).
    assert [t.day for t in (digest.trend[0], digest.trend[-1])] == [
        date(2026, 2, 2),
        date(2026, 3, 3),
    ]
    by_day = {t.day: t.revenue for t in digest.trend if t.revenue}
    assert by_day == {
        date(2026, 2, 2): Decimal("30.00"),
        date(2026, 2, 4): Decimal("7.00"),
        date(2026, 2, 24): Decimal("50.00"),
        date(2026, 3, 1): Decimal("10.00"),
        date(2026, 3, 3): Decimal("139.98"),
    }
    assert digest.trend[0].previous == Decimal(0)


def test_on_the_first_the_digest_covers_last_months_last_day_and_the_whole_month(
    shop: Shop, clock: FrozenClock
) -> None:
    clock.set(at(date(2026, 4, 1), 9))
    shop.sell(date(2026, 3, 31), "20.00")
    shop.sell(date(2026, 3, 1), "5.00")
    shop.sell(date(2026, 2, 28), "8.00")
    shop.sell(date(2026, 2, 1), "1.00")
    shop.sell(date(2026, 1, 31), "1000.00")  # not in February

    digest = shop.services.digests.digest(TEAM, date(2026, 4, 1))

    assert digest.covers == date(2026, 3, 31)
    assert digest.month_complete
    assert digest.yesterday.current.revenue == Decimal("20.00")
    assert digest.yesterday.against.start == date(2026, 3, 24)
    month = digest.month
    assert (month.period.start, month.period.end) == (date(2026, 3, 1), date(2026, 3, 31))
    assert (month.against.start, month.against.end) == (date(2026, 2, 1), date(2026, 2, 28))
    assert month.current.revenue == Decimal("25.00")
    assert month.previous.revenue == Decimal("9.00")
    assert month.revenue_change == Decimal("1.7778")


def test_march_to_date_in_a_leap_year_is_compared_with_the_whole_of_february(
    shop: Shop, clock: FrozenClock
) -> None:
    clock.set(at(date(2028, 4, 1), 9))
    shop.sell(date(2028, 2, 29), "29.00")
    shop.sell(date(2028, 3, 31), "31.00")

    march = shop.services.digests.digest(TEAM, date(2028, 4, 1)).month
    assert (march.against.start, march.against.end) == (date(2028, 2, 1), date(2028, 2, 29))
    assert (march.current.revenue, march.previous.revenue) == (Decimal("31.00"), Decimal("29.00"))

    on_the_31st = shop.services.digests.digest(TEAM, date(2028, 3, 31)).month  # to 30 March
    assert on_the_31st.against.end == date(2028, 2, 29)  # 30 February clamps to the 29th
    assert on_the_31st.previous.revenue == Decimal("29.00")


def test_no_sales_anywhere_is_zero_and_no_change_not_an_error(shop: Shop) -> None:
    digest = shop.services.digests.digest(TEAM, date(2026, 3, 4))
    assert digest.yesterday.current.orders == 0
    assert digest.yesterday.current.aov is None
    assert digest.yesterday.revenue_change is None
    assert not digest.trend_has_sales
    assert digest.deals is None  # no deals at all: the section is left out


def test_deals_won_and_lost_yesterday_and_not_the_day_before_or_today(
    shop: Shop, clock: FrozenClock
) -> None:
    services = shop.services
    big = shop.deal("Big <renewal>", "12000.50", owner=ADMIN)
    small = shop.deal("Small add-on", "800", owner=ADMIN)
    lost = shop.deal("Lost one", "300", owner=ADMIN)
    earlier = shop.deal("Won the day before", "5000")
    later = shop.deal("Won today", "7000")
    shop.deal("Still open", "9999")
    clock.set(at(date(2026, 3, 2), 23, 59))
    services.pipeline.win(TEAM, earlier, actor=shop.admin)
    clock.set(at(date(2026, 3, 3), 0, 0))  # midnight in New York: yesterday starts
    services.pipeline.win(TEAM, big, actor=shop.admin)
    clock.set(at(date(2026, 3, 3), 16))
    services.pipeline.win(TEAM, small, actor=shop.admin)
    services.pipeline.lose(TEAM, lost, "went with a cheaper vendor", actor=shop.admin)
    clock.set(at(date(2026, 3, 4), 0, 1))
    services.pipeline.win(TEAM, later, actor=shop.admin)

    deals = services.digests.digest(TEAM, date(2026, 3, 4)).deals
    assert deals is not None
    assert [d.title for d in deals.won] == ["Big <renewal>", "Small add-on"]
    assert (deals.won_count, deals.won_amount) == (2, Decimal("12800.5000"))
    assert [(d.title, d.lost_reason) for d in deals.lost] == [
        ("Lost one", "went with a cheaper vendor")
    ]
    assert (deals.lost_count, deals.lost_amount) == (1, Decimal("300"))
    assert deals.won[0].customer == "Acme <Corp>" and deals.won[0].owner_id == ADMIN


def test_tasks_due_today_by_person_and_low_stock(shop: Shop, clock: FrozenClock) -> None:
    clock.set(at(date(2026, 3, 3), 9))
    today = date(2026, 3, 4)
    shop.task("Call Acme", BOB, at(today, 10))
    shop.task("Send quote", CARA, at(today, 9), timed=False)
    shop.task("Early one", BOB, at(today, 0, 0))
    shop.task("Late one", BOB, at(today, 23, 59))
    shop.task("Tomorrow", BOB, at(today + timedelta(days=1), 0, 0))
    done = shop.task("Done already", CARA, at(today, 11))
    shop.services.tasks.complete(TEAM, done, actor=CARA)
    shop.task("Yesterday", CARA, at(today - timedelta(days=1), 23, 59))
    shop.product("LOW-1", "Nearly gone", "5", on_hand=2, point=10)
    shop.product("LOW-2", "At the point", "5", on_hand=5, point=5)
    shop.product("OK-1", "Plenty", "5", on_hand=50, point=5)

    digest = shop.services.digests.digest(TEAM, today)
    assert [(t.assignee_id, t.title) for t in digest.tasks] == [
        (BOB, "Early one"),
        (BOB, "Call Acme"),
        (BOB, "Late one"),
        (CARA, "Send quote"),
    ]
    assert digest.tasks_total == 4
    assert [(p.sku, p.on_hand, p.reorder_point) for p in digest.low] == [
        ("LOW-1", 2, 10),
        ("LOW-2", 5, 5),
    ]
    assert digest.low_total == 2


def test_one_workspace_never_sees_anothers_sales_deals_tasks_or_channels(
    shop: Shop, services: Services, clock: FrozenClock
) -> None:
    other = Shop(services, clock, team=OTHER)
    clock.set(at(date(2026, 3, 4), 9))
    other.sell(date(2026, 3, 3), "500.00")
    other.task("Theirs", BOB, at(date(2026, 3, 4), 10))
    other.product("LOW-X", "Theirs", "5", on_hand=1, point=10)
    deal = other.deal("Their deal", "100")
    clock.set(at(date(2026, 3, 3), 10))
    services.pipeline.win(OTHER, deal, actor=other.admin)
    services.digests.configure(OTHER, other.admin, "C0THEIRS", "08:00")

    mine = services.digests.digest(TEAM, date(2026, 3, 4))
    assert mine.yesterday.current.orders == 0
    assert mine.tasks == [] and mine.low == [] and mine.deals is None
    assert services.digests.channels(TEAM) == []
    assert [c.channel_id for c in services.digests.channels(OTHER)] == ["C0THEIRS"]
    with pytest.raises(DomainError):
        services.digests.remove(TEAM, None, "C0THEIRS")
    assert not services.digests.remove(TEAM, shop.admin, "C0THEIRS")
    assert len(services.digests.channels(OTHER)) == 1


# -- configuring, and the tick --------------------------------------------------------------------


def digests_queued(services: Services, team: str = TEAM) -> list[tuple[str, str, datetime]]:
    with services.uow_factory() as uow:
        found = uow.deliveries.find(team, kind=DAILY_DIGEST)
    return [(d.key, d.recipient, d.due_at) for d in found]


def test_only_admins_and_managers_configure_and_times_are_checked(
    shop: Shop, services: Services
) -> None:
    _, rep = services.workspaces.ensure(TEAM, BOB)
    assert rep is not None and rep.role is Role.REP
    with pytest.raises(DomainError, match="admin or a manager"):
        services.digests.configure(TEAM, rep, SALES, "08:00")
    for bad in ("25:00", "8", "08:60", "soon"):
        with pytest.raises(DomainError, match="HH:MM"):
            services.digests.configure(TEAM, shop.admin, SALES, bad)
    added = services.digests.configure(TEAM, shop.admin, SALES, "8:05")
    assert (added.local_time, added.created_by) == ("08:05", ADMIN)
    assert services.digests.channels(TEAM) == [added]


def test_the_tick_queues_each_day_once_at_its_local_time(
    shop: Shop, services: Services, clock: FrozenClock
) -> None:
    clock.set(at(date(2026, 3, 3), 7))
    services.digests.configure(TEAM, shop.admin, SALES, "08:00")
    factory = services.uow_factory

    clock.set(at(date(2026, 3, 3), 7, 59))
    assert enqueue_due_digests(factory, clock) == 0
    clock.set(at(date(2026, 3, 3), 8, 0))
    assert enqueue_due_digests(factory, clock) == 1
    assert enqueue_due_digests(factory, clock) == 0
    clock.advance(timedelta(hours=10))
    assert enqueue_due_digests(factory, clock) == 0
    assert digests_queued(services) == [
        ("digest:C0SALES:2026-03-03", SALES, at(date(2026, 3, 3), 8))
    ]

    clock.set(
        at(
            date(2026, 3, 4),
            8,
            0,
        )
    )
    assert enqueue_due_digests(factory, clock) == 1
    # Across the DST change (8 March) it still goes out at 08:00 New York time.
    clock.set(at(date(2026, 3, 9), 8, 0))
    assert enqueue_due_digests(factory, clock) == 1
    keys = [key for key, _, _ in digests_queued(services)]
    assert keys[-1] == "digest:C0SALES:2026-03-09"
    assert digests_queued(services)[-1][2] == datetime(2026, 3, 9, 12, 0, tzinfo=UTC)
    # The days between (5–8 March) were missed while "down": not posted afterwards.
    assert keys == [
        "digest:C0SALES:2026-03-03",
        "digest:C0SALES:2026-03-04",
        "digest:C0SALES:2026-03-09",
    ]


def test_after_downtime_only_todays_digest_and_only_once_its_time_has_come(
    shop: Shop, services: Services, clock: FrozenClock
) -> None:
    clock.set(at(date(2026, 3, 2), 7))
    services.digests.configure(TEAM, shop.admin, SALES, "08:00")
    clock.set(at(date(2026, 3, 5), 6))  # down since before the first one; today's is ahead
    assert enqueue_due_digests(services.uow_factory, clock) == 0
    assert digests_queued(services) == []
    clock.set(at(date(2026, 3, 5), 8))
    assert enqueue_due_digests(services.uow_factory, clock) == 1
    assert [key for key, _, _ in digests_queued(services)] == ["digest:C0SALES:2026-03-05"]


def test_a_channel_set_up_after_todays_time_starts_tomorrow_and_a_new_time_posts_no_second(
    shop: Shop, services: Services, clock: FrozenClock
) -> None:
    clock.set(at(date(2026, 3, 3), 9))
    added = services.digests.configure(TEAM, shop.admin, SALES, "08:00")
    assert added.next_run_at == at(date(2026, 3, 4), 8)
    assert enqueue_due_digests(services.uow_factory, clock) == 0

    clock.set(at(date(2026, 3, 4), 8))
    assert enqueue_due_digests(services.uow_factory, clock) == 1
    # Moved to later the same day: that day's digest went out already.
    clock.set(at(date(2026, 3, 4), 9))
    services.digests.configure(TEAM, shop.admin, SALES, "10:00")
    clock.set(at(date(2026, 3, 4), 10))
    assert enqueue_due_digests(services.uow_factory, clock) == 0
    assert len(digests_queued(services)) == 1


def test_after_the_workspace_changes_timezone_digests_follow_its_new_local_time(
    shop: Shop, services: Services, clock: FrozenClock
) -> None:
    tokyo = ZoneInfo("Asia/Tokyo")
    clock.set(at(date(2026, 3, 3), 7))
    services.digests.configure(TEAM, shop.admin, SALES, "08:00")
    clock.set(at(date(2026, 3, 3), 8))
    assert enqueue_due_digests(services.uow_factory, clock) == 1  # 3 March, New York
    clock.set(at(date(2026, 3, 3), 9))  # 23:00 in Tokyo
    services.workspaces.change_settings(TEAM, shop.admin, timezone="Asia/Tokyo")
    end = clock.now() + timedelta(days=2)
    while clock.now() < end:  # a tick every quarter of an hour for two days
        clock.advance(timedelta(minutes=15))
        enqueue_due_digests(services.uow_factory, clock)
    queued = digests_queued(services)
    assert [key for key, _, _ in queued] == [
        "digest:C0SALES:2026-03-03",
        "digest:C0SALES:2026-03-04",
        "digest:C0SALES:2026-03-05",
    ]
    # Each Tokyo digest queued at 08:00 Tokyo time, not at New York's 08:00 (22:00 in Tokyo).
    with services.uow_factory() as uow:
        found = uow.deliveries.find(TEAM, kind=DAILY_DIGEST)[1:]
    assert [d.created_at.astimezone(tokyo).strftime("%d %H:%M") for d in found] == [
        "04 08:00",
        "05 08:00",
    ]
    assert [d.due_at for d in found] == [d.created_at for d in found]
    (channel,) = services.digests.channels(TEAM)
    assert channel.next_run_at == datetime(2026, 3, 5, 23, tzinfo=UTC)  # 08:00 on the 6th


def test_right_after_a_timezone_change_the_list_says_when_the_next_digest_really_goes(
    shop: Shop, services: Services, clock: FrozenClock
) -> None:
    clock.set(at(date(2026, 3, 3), 7))
    services.digests.configure(TEAM, shop.admin, SALES, "08:00")
    clock.set(at(date(2026, 3, 3), 20))  # 10:00 on 4 March in Tokyo: its 08:00 has passed
    services.workspaces.change_settings(TEAM, shop.admin, timezone="Asia/Tokyo")
    (listed,) = services.digests.channels(TEAM)  # before any tick
    assert listed.next_run_at == datetime(2026, 3, 4, 23, tzinfo=UTC)  # 08:00 on the 5th
    assert enqueue_due_digests(services.uow_factory, clock) == 0  # nothing at 10:00 Tokyo
    (ticked,) = services.digests.channels(TEAM)
    assert ticked.next_run_at == listed.next_run_at


def test_a_removed_channel_is_not_queued(
    shop: Shop, services: Services, clock: FrozenClock
) -> None:
    clock.set(at(date(2026, 3, 3), 7))
    services.digests.configure(TEAM, shop.admin, SALES, "08:00")
    assert services.digests.remove(TEAM, shop.admin, SALES)
    clock.set(at(date(2026, 3, 3), 8))
    assert enqueue_due_digests(services.uow_factory, clock) == 0


def test_two_schedulers_at_once_queue_one_digest(
    shop: Shop, services: Services, clock: FrozenClock
) -> None:
    import threading

    clock.set(at(date(2026, 3, 3), 7))
    for n in range(20):
        services.digests.configure(TEAM, shop.admin, f"C0CH{n:02d}", "08:00")
    clock.set(at(date(2026, 3, 3), 8))
    counts: list[int] = []
    barrier = threading.Barrier(2)

    def run() -> None:
        barrier.wait()
        counts.append(enqueue_due_digests(services.uow_factory, clock, limit=5))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sum(counts) == 20
    queued = digests_queued(services)
    assert len(queued) == len({key for key, _, _ in queued}) == 20
    with services.uow_factory() as uow:
        statuses = {d.status for d in uow.deliveries.find(TEAM, kind=DAILY_DIGEST)}
    assert statuses == {DeliveryStatus.PENDING}
