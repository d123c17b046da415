"""A stored framework as a tree: its items in the table's order, their units, their folders.

The archive files a 件 in the folder of its item's 二级 ancestor (or of the item itself when
it is 一级 or 二级): ``shelf``. Folder prefixes are the items' places among their siblings.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from storage.models import MemberUnit, Responsibility
from storage.models_archive import Framework, FrameworkItem, FrameworkItemUnit

LEADING = (Responsibility.LEAD.value, Responsibility.RESPONSIBLE.value)


@dataclass
class Node:
    item: FrameworkItem
    children: list[int] = field(default_factory=list)
    units: list[tuple[MemberUnit, str]] = field(default_factory=list)  # (unit, role), lead first

    @property
    def id(self) -> int:
        assert self.item.id is not None
        return self.item.id

    @property
    def lead(self) -> MemberUnit | None:
        return next((u for u, role in self.units if role == Responsibility.LEAD.value), None)

    @property
    def cooperating(self) -> list[MemberUnit]:
        """配合单位: every unit after the lead (co-responsible ones included)."""
        lead = self.lead
        return [u for u, _ in self.units if u is not lead]

    @property
    def label(self) -> str:
        """ "2.3 健康社区" — the code as written, then the title."""
        return f"{self.item.code} {self.item.title}".strip()


@dataclass
class Tree:
    framework: Framework
    nodes: dict[int, Node]  # in the table's order
    roots: list[int]

    def walk(self) -> Iterator[Node]:
        """Every item, depth first, in the table's order."""

        def visit(ids: list[int]) -> Iterator[Node]:
            for item_id in ids:
                yield self.nodes[item_id]
                yield from visit(self.nodes[item_id].children)

        return visit(self.roots)

    def leaves(self) -> list[Node]:
        return [node for node in self.walk() if not node.children]

    def ancestors(self, item_id: int) -> list[Node]:
        """The item's chain from its 一级 down to itself."""
        chain = []
        node: Node | None = self.nodes.get(item_id)
        while node is not None:
            chain.append(node)
            parent = node.item.parent_id
            node = self.nodes.get(parent) if parent is not None else None
        return chain[::-1]

    def shelf(self, item_id: int) -> Node:
        """The item whose folder holds the item's files: its 二级 ancestor, or itself."""
        chain = self.ancestors(item_id)
        return chain[min(1, len(chain) - 1)]

    def shelves(self) -> list[Node]:
        """Every folder that holds files, in order: 二级 items, and 一级 items without any."""
        return [
            n for n in self.walk() if n.item.level == 2 or (n.item.level == 1 and not n.children)
        ]

    def by_code(self, code: str) -> list[Node]:
        """Items whose code (or "code title") is ``code``; several when codes repeat."""
        wanted = code.strip()
        return [n for n in self.walk() if wanted and wanted in (n.item.code, n.label)]

    def of_unit(self, unit_id: int, roles: tuple[str, ...] = LEADING) -> list[Node]:
        return [n for n in self.walk() if any(u.id == unit_id and r in roles for u, r in n.units)]


def frameworks_of(*, session: Session, campaign_id: int) -> list[Framework]:
    query = select(Framework).where(Framework.campaign_id == campaign_id)
    return list(session.exec(query.order_by(col(Framework.id))))


def choose_framework(*, session: Session, campaign_id: int, name: str = "") -> Framework | None:
    """The framework named (name, "name version" or a part of it); without a name the one
    imported last."""
    frameworks = frameworks_of(session=session, campaign_id=campaign_id)
    if not name:
        return frameworks[-1] if frameworks else None
    wanted = "".join(name.split())
    for exact in (True, False):
        for framework in reversed(frameworks):
            full = "".join(f"{framework.name}{framework.version}".split())
            plain = "".join(framework.name.split())
            if (wanted in (full, plain)) if exact else (wanted in full):
                return framework
    return None


def load_tree(*, session: Session, framework: Framework) -> Tree:
    """The framework's active items with their units (one query each)."""
    items = session.exec(
        select(FrameworkItem)
        .where(FrameworkItem.framework_id == framework.id, col(FrameworkItem.active).is_(True))
        .order_by(col(FrameworkItem.sort_order))
    ).all()
    nodes = {item.id: Node(item) for item in items if item.id is not None}
    roots = []
    for node in nodes.values():
        parent = node.item.parent_id
        if parent is not None and parent in nodes:
            nodes[parent].children.append(node.id)
        else:
            roots.append(node.id)
    links = session.exec(
        select(FrameworkItemUnit, MemberUnit)
        .join(MemberUnit, col(MemberUnit.id) == col(FrameworkItemUnit.unit_id))
        .where(col(FrameworkItemUnit.item_id).in_(list(nodes)))
        .order_by(col(FrameworkItemUnit.position))
    ).all()
    for link, unit in links:
        nodes[link.item_id].units.append((unit, link.role))
    return Tree(framework, nodes, roots)
