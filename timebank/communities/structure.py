"""Places of a community: grids (large → small → micro), buildings, stairwells and households."""

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..audit.services import record_audit
from ..errors import NotFound, ValidationFailed
from ..events import commit
from ..extensions import db
from ..i18n import _, _l
from ..permissions import require
from .models import Building, Grid, Household, Membership, Stairwell, household_label

GRID_LEVELS = {"large": _l("Large grid"), "small": _l("Small grid"), "micro": _l("Micro grid")}


def _name(value, field="name", limit=40):
    value = (value or "").strip()
    if not value or len(value) > limit:
        raise ValidationFailed(_("Enter a name of at most %(n)d characters.", n=limit), field=field)
    return value


#: Ids beyond a 64-bit integer cannot exist (and SQLite cannot even compare them).
MAX_ID = 2**63 - 1


def _owned(model, community, object_id, field):
    if object_id in (None, "", 0):
        return None
    try:
        object_id = int(object_id)
    except (TypeError, ValueError):
        object_id = None
    row = None
    if object_id is not None and 0 < object_id <= MAX_ID:
        row = db.session.scalar(select(model).where(model.id == object_id, model.community_id == community.id))
    if row is None:
        raise ValidationFailed(_("Choose one of the options."), field=field)
    return row


def grids_in(community):
    return db.session.scalars(select(Grid).where(Grid.community_id == community.id).order_by(Grid.name)).all()


def buildings_in(community, with_stairwells=False):
    """The community's buildings in natural order ("2号楼" before "10号楼"); ``with_stairwells``: their stairwells
    read in one more statement (the structure page counts them), not one per building."""
    query = select(Building).where(Building.community_id == community.id)
    if with_stairwells:
        query = query.options(selectinload(Building.stairwells))
    return db.session.scalars(query.order_by(func.length(Building.name), Building.name)).all()


def add_grid(community, actor, name, level="small", parent_id=None, grid_worker_id=None):
    require(actor, "structure.manage", community)
    name = _name(name, limit=60)
    if level not in GRID_LEVELS:
        raise ValidationFailed(_("Choose one of the options."), field="level")
    parent = _owned(Grid, community, parent_id, "parent_id")
    if grid_worker_id:
        active = db.session.scalar(select(Membership.id).where(
            Membership.community_id == community.id, Membership.user_id == grid_worker_id,
            Membership.status == "active"))
        if active is None:
            raise ValidationFailed(_("Choose an active member of this community."), field="grid_worker_id")
    if db.session.scalar(select(Grid.id).where(Grid.community_id == community.id, Grid.name == name)):
        raise ValidationFailed(_("This name is already used."), field="name")
    grid = Grid(community_id=community.id, name=name, level=level, parent_id=getattr(parent, "id", None),
                grid_worker_id=grid_worker_id or None)
    db.session.add(grid)
    db.session.flush()
    record_audit("structure.grid_added", actor=actor, community=community, target=("grid", grid.id))
    commit()
    return grid


def add_building(community, actor, name, grid_id=None, stairwells=0):
    """Add a building, optionally with stairwells "1单元".."N单元" created at once."""
    require(actor, "structure.manage", community)
    name = _name(name)
    grid = _owned(Grid, community, grid_id, "grid_id")
    if db.session.scalar(select(Building.id).where(Building.community_id == community.id, Building.name == name)):
        raise ValidationFailed(_("This name is already used."), field="name")
    try:
        stairwells = int(stairwells or 0)
    except (TypeError, ValueError):
        raise ValidationFailed(_("Enter a whole number."), field="stairwells") from None
    if not 0 <= stairwells <= 30:
        raise ValidationFailed(_("Must be at most %(max)d.", max=30), field="stairwells")
    building = Building(community_id=community.id, name=name, grid_id=getattr(grid, "id", None))
    db.session.add(building)
    db.session.flush()
    for number in range(1, stairwells + 1):
        db.session.add(Stairwell(community_id=community.id, building_id=building.id,
                                 name=_("Stairwell %(n)d", n=number)))
    record_audit("structure.building_added", actor=actor, community=community, target=("building", building.id))
    commit()
    return building


def add_household(community, actor, building_id, room, stairwell_id=None):
    require(actor, "structure.manage", community)
    building = _owned(Building, community, building_id, "building_id")
    if building is None:
        raise ValidationFailed(_("Choose a building."), field="building_id")
    stairwell = _owned(Stairwell, community, stairwell_id, "stairwell_id")
    if stairwell is not None and stairwell.building_id != building.id:
        raise ValidationFailed(_("This stairwell belongs to another building."), field="stairwell_id")
    room = _name(room, field="room", limit=20)
    duplicate = select(Household.id).where(Household.building_id == building.id, Household.room == room)
    duplicate = duplicate.where(Household.stairwell_id == stairwell.id) if stairwell else duplicate.where(
        Household.stairwell_id.is_(None))
    if db.session.scalar(duplicate):
        raise ValidationFailed(_("This household already exists."), field="room")
    household = Household(community_id=community.id, building_id=building.id,
                          stairwell_id=getattr(stairwell, "id", None), room=room)
    db.session.add(household)
    db.session.flush()
    record_audit("structure.household_added", actor=actor, community=community, target=("household", household.id))
    commit()
    return household


def households_in(community, building_id=None):
    query = select(Household).where(Household.community_id == community.id)
    if building_id:
        query = query.where(Household.building_id == building_id)
    return db.session.scalars(query.order_by(Household.building_id, Household.stairwell_id, Household.room)).all()


def structure_summary(community):
    """Counts for the admin overview: grids, buildings, stairwells, households."""
    def count(model):
        return db.session.scalar(select(func.count(model.id)).where(model.community_id == community.id))

    return {"grids": count(Grid), "buildings": count(Building), "stairwells": count(Stairwell),
            "households": count(Household)}


def assign_household(membership, actor, household_id):
    """Link a member to a household of the same community (or unlink with ``None``)."""
    community = membership.community
    require(actor, "members.manage", community)
    household = _owned(Household, community, household_id, "household_id")
    membership.household_id = getattr(household, "id", None)
    record_audit("membership.household_set", actor=actor, community=community,
                 target=("membership", membership.id))
    commit()


def household_lines(community):
    """``[(id, building name, label)]`` of the community's households in the order of ``households_in``, read as
    plain columns: the forms that offer them list every household (hundreds in a district's community)."""
    rows = db.session.execute(
        select(Household.id, Building.name, Stairwell.name, Household.room)
        .join(Building, Building.id == Household.building_id)
        .outerjoin(Stairwell, Stairwell.id == Household.stairwell_id)
        .where(Household.community_id == community.id)
        .order_by(Household.building_id, Household.stairwell_id, Household.room))
    return [(household_id, building, household_label(building, stairwell, room))
            for household_id, building, stairwell, room in rows]


def household_choices(community):
    """``[(id, label)]`` for a select of the community's households."""
    return [(household_id, label) for household_id, _building, label in household_lines(community)]


def get_building(community, building_id):
    building = _owned(Building, community, building_id, "building_id")
    if building is None:
        raise NotFound(building_id)
    return building
