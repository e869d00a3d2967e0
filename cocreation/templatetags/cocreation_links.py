"""Co-creation's links on other apps' pages: the member page and "My work" (one tag each)."""

from django import template
from django.template.loader import get_template

from ogp_portal.cache import fragment
from ogp_portal.compiled import compiled
from ogp_portal.permissions import member_ids_with_role

from ..models import CoCreationProcess

register = template.Library()


def _member_processes(member):
    return CoCreationProcess.objects.filter(member_id=member).order_by("-plan_deadline")


@register.inclusion_tag("cocreation/_member_links.html")
def member_cocreation(member, user):
    """The member's co-creation processes and document repository, and "open one" for those who may."""
    return {
        "member": member,
        # Compiled once per process (ogp_portal.compiled): building it cost more than running it (issue #20).
        "processes": compiled("member-cocreation-processes", _member_processes, member=member.pk),
        "may_open": user.has_perm("cocreation.open_process", member),
    }


def _processes_of(**members):
    """The processes of the members ``m0``, ``m1``… (the visitor's), by member name and latest deadline first."""
    return (CoCreationProcess.objects.filter(member_id__in=[pk for _name, pk in sorted(members.items())])
            .select_related("member").order_by("member__name", "-plan_deadline"))


@register.simple_tag
def my_cocreation(user):
    """The "Co-creation" section of "My work" for the forum secretariat and the point of contact (nothing otherwise).

    Kept as a shared part (``ogp_portal.cache.fragment``: per generation and language) for everybody with the same
    roles: it shows only the processes of the roles' members, and every co-creation change replaces the generation
    (``cocreation.services``), as do an import and the admin. A signed-in render of "My work" then reads it with
    no query (issue #20).
    """
    secretariat = member_ids_with_role(user, "secretariat")
    contact = member_ids_with_role(user, "point_of_contact")
    if not (secretariat or contact):
        return _section(secretariat, contact, [])  # no role that keeps a process: no query, nothing kept
    name = f"my-cocreation:s{','.join(map(str, sorted(secretariat)))}:c{','.join(map(str, sorted(contact)))}"
    return fragment(name, lambda: _section(secretariat, contact, sorted(secretariat | contact)))


def _section(secretariat, contact, members):
    processes = []
    if members:
        # Compiled once per process for each number of members (ogp_portal.compiled), as the member page's list.
        processes = compiled(f"my-cocreation-processes:{len(members)}", _processes_of,
                             **{f"m{i}": pk for i, pk in enumerate(members)})
    rows = [{"process": p, "secretariat": p.member_id in secretariat, "contact": p.member_id in contact} for p in processes]
    return get_template("cocreation/_my_work.html").render({"rows": rows, "keeps": bool(members)})
